"""A pure-Python layered layout that draws a :class:`Diagram` as SVG, for machines without dot.

Nodes get a layer (column) from the longest path along edges (cycles broken where a depth-first
walk meets them); every container (a trust boundary, or the whole drawing) lays out its nodes and
nested boundaries in columns by layer, left to right, so flows mostly point right and boundaries
never overlap. Edges are straight lines clipped to the node boxes, with an arrow head and a label
on a white backing. Every piece of text is XML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from threatforge.reports.diagram import Cluster, Diagram, Edge, Emphasis, Node, Shape
from threatforge.reports.palette import CLASSIFICATION, DIMMED, NEUTRAL, SEVERITY, TRUST, Colours
from threatforge.text.xml import xml_escape

__all__ = ["render_builtin_svg"]

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
NODE_FONT = 10.0
EDGE_FONT = 8.0
CHAR = 0.62  # average glyph width as a fraction of the font size (DejaVu Sans is wide)
LINE = 1.3
PAD = 14.0
GAP_X = 70.0
GAP_Y = 22.0
TITLE = 20.0
MIN_NODE_WIDTH = 96.0
MAX_WIDTH = 1100.0
"""Nested boundaries wrap onto a new shelf past this width (in SVG user units)."""


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR


@dataclass
class _Box:
    """A node or a cluster being placed: its size first, then its position."""

    key: str
    width: float = 0.0
    height: float = 0.0
    x: float = 0.0
    y: float = 0.0
    layer: int = 0
    children: list[_Box] = field(default_factory=list)
    is_cluster: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


def _layers(diagram: Diagram) -> dict[str, int]:
    """Longest-path layering; edges that close a cycle are ignored."""
    outgoing: dict[str, list[str]] = {n.key: [] for n in diagram.nodes}
    for edge in diagram.edges:
        if edge.source in outgoing and edge.target in outgoing and edge.source != edge.target:
            outgoing[edge.source].append(edge.target)
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    order: list[str] = []
    for start in outgoing:
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            current, index = stack[-1]
            targets = outgoing[current]
            if index < len(targets):
                stack[-1] = (current, index + 1)
                target = targets[index]
                if target not in state:
                    state[target] = 1
                    stack.append((target, 0))
            else:
                stack.pop()
                state[current] = 2
                order.append(current)
    position = {key: i for i, key in enumerate(reversed(order))}
    layer = dict.fromkeys(outgoing, 0)
    for key in reversed(order):
        for target in outgoing[key]:
            if position[target] > position[key]:  # a forward edge in topological order
                layer[target] = max(layer[target], layer[key] + 1)
    return layer


def _node_box(node: Node, layer: int) -> _Box:
    width = max(MIN_NODE_WIDTH, max(_text_width(t, NODE_FONT) for t in node.lines) + 2 * PAD)
    height = len(node.lines) * NODE_FONT * LINE + 16.0
    if node.shape is Shape.STORE:
        height += 10.0
    if node.shape in (Shape.GATEWAY, Shape.SECURITY):
        width += 24.0
    return _Box(node.key, width, height, layer=layer)


def _pack(box: _Box, title: str) -> None:
    """Size a container: its nodes in columns by layer, then nested boundaries in shelves.

    Nested boundaries go below the container's own nodes, side by side while they fit in
    :data:`MAX_WIDTH` (or the widest of them), which keeps the drawing near a page's shape.
    """
    nodes = [c for c in box.children if not c.is_cluster]
    clusters = sorted((c for c in box.children if c.is_cluster), key=lambda c: c.layer)
    top = PAD + (TITLE if title else 0.0)
    columns: dict[int, list[_Box]] = {}
    for child in nodes:
        columns.setdefault(child.layer, []).append(child)
    x = PAD
    row_height = 0.0
    for layer in sorted(columns):
        column = columns[layer]
        width = max(c.width for c in column)
        y = top
        for child in column:
            child.x = x + (width - child.width) / 2
            child.y = y
            y += child.height + GAP_Y
        row_height = max(row_height, y - GAP_Y - top)
        x += width + GAP_X
    used_width = x - GAP_X + PAD if columns else 2 * PAD
    y = top + row_height + (GAP_Y if columns and clusters else 0.0)
    limit = max([MAX_WIDTH, used_width] + [c.width + 2 * PAD for c in clusters])
    x = PAD
    shelf = 0.0
    for child in clusters:
        if x > PAD and x + child.width + PAD > limit:
            y += shelf + GAP_Y
            x, shelf = PAD, 0.0
        child.x, child.y = x, y
        x += child.width + GAP_Y
        shelf = max(shelf, child.height)
        used_width = max(used_width, x - GAP_Y + PAD)
    box.width = max(used_width, _text_width(title, NODE_FONT + 1) + 2 * PAD)
    box.height = y + shelf + PAD
    box.layer = min((c.layer for c in box.children), default=0)


def _build(diagram: Diagram, layers: Mapping[str, int]) -> tuple[_Box, dict[str, _Box]]:
    boxes: dict[str, _Box] = {}
    titles = {c.key: c.title for c in diagram.clusters}

    def container(cluster: Cluster | None) -> _Box:
        key = cluster.key if cluster else "root"
        box = _Box(key, is_cluster=cluster is not None)
        for node in diagram.members(cluster.key if cluster else None):
            child = _node_box(node, layers.get(node.key, 0))
            boxes[node.key] = child
            box.children.append(child)
        for sub in diagram.children(cluster.key if cluster else None):
            box.children.append(container(sub))
        _pack(box, titles.get(key, "") if cluster else diagram.title)
        boxes[key] = box
        return box

    return container(None), boxes


def _place(box: _Box, dx: float, dy: float) -> None:
    box.x += dx
    box.y += dy
    for child in box.children:
        _place(child, box.x, box.y)


def _colours(node: Node) -> Colours:
    if node.emphasis is Emphasis.DIM:
        return DIMMED
    if node.severity is not None:
        return SEVERITY[node.severity]
    if node.classification is not None:
        return CLASSIFICATION[node.classification]
    return NEUTRAL


def _shape(shape: Shape, x: float, y: float, w: float, h: float, style: str) -> str:
    if shape is Shape.PROCESS:
        return (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'rx="{h / 2:.1f}" {style}/>'
        )
    if shape in (Shape.GATEWAY, Shape.SECURITY):
        d = 12.0
        if shape is Shape.GATEWAY:
            points = [
                (x + d, y),
                (x + w - d, y),
                (x + w, y + h / 2),
                (x + w - d, y + h),
                (x + d, y + h),
                (x, y + h / 2),
            ]
        else:
            points = [
                (x + d, y),
                (x + w - d, y),
                (x + w, y + d),
                (x + w, y + h - d),
                (x + w - d, y + h),
                (x + d, y + h),
                (x, y + h - d),
                (x, y + d),
            ]
        text = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        return f'<polygon points="{text}" {style}/>'
    if shape is Shape.STORE:
        e = 6.0
        body = (
            f"M{x:.1f},{y + e:.1f} A{w / 2:.1f},{e:.1f} 0 0 1 {x + w:.1f},{y + e:.1f} "
            f"V{y + h - e:.1f} A{w / 2:.1f},{e:.1f} 0 0 1 {x:.1f},{y + h - e:.1f} Z"
        )
        rim = f"M{x:.1f},{y + e:.1f} A{w / 2:.1f},{e:.1f} 0 0 0 {x + w:.1f},{y + e:.1f}"
        return f'<path d="{body}" {style}/><path d="{rim}" fill="none" {_stroke_only(style)}/>'
    if shape is Shape.EXTERNAL:
        o = 4.0
        back = f'<rect x="{x + o:.1f}" y="{y - o:.1f}" width="{w:.1f}" height="{h:.1f}" {style}/>'
        return back + f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" {style}/>'
    if shape is Shape.DATA:
        f = 10.0
        note = f"M{x:.1f},{y:.1f} H{x + w - f:.1f} L{x + w:.1f},{y + f:.1f} V{y + h:.1f} H{x:.1f} Z"
        return f'<path d="{note}" {style}/>'
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" {style}/>'


def _stroke_only(style: str) -> str:
    return " ".join(part for part in style.split(" ") if not part.startswith("fill="))


def _lines(
    lines: Sequence[str], cx: float, top: float, size: float, colour: str, bold_first: bool
) -> str:
    out = [
        f'<text x="{cx:.1f}" y="{top:.1f}" text-anchor="middle" font-family="{FONT}" '
        f'font-size="{size:g}" fill="{colour}">'
    ]
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if bold_first and i == 0 else ""
        dy = "0" if i == 0 else f"{size * LINE:.1f}"
        out.append(f'<tspan x="{cx:.1f}" dy="{dy}"{weight}>{xml_escape(line)}</tspan>')
    out.append("</text>")
    return "".join(out)


def _draw_node(node: Node, box: _Box) -> str:
    colours = _colours(node)
    width = colours.width + (1.5 if node.emphasis is Emphasis.HIGHLIGHT else 0.0)
    style = f'fill="{colours.fill}" stroke="{colours.line}" stroke-width="{width:g}"'
    parts = []
    if node.severity is not None and node.severity.rank >= 3 and node.emphasis is not Emphasis.DIM:
        parts.append(
            _shape(
                node.shape,
                box.x - 3,
                box.y - 3,
                box.width + 6,
                box.height + 6,
                f'fill="none" stroke="{colours.line}" stroke-width="1"',
            )
        )
    parts.append(_shape(node.shape, box.x, box.y, box.width, box.height, style))
    text_colour = "#90a4ae" if node.emphasis is Emphasis.DIM else "#1a1a1a"
    block = len(node.lines) * NODE_FONT * LINE
    top = box.cy - block / 2 + NODE_FONT * 0.95
    parts.append(_lines(node.lines, box.cx, top, NODE_FONT, text_colour, bold_first=True))
    return "".join(parts)


def _draw_cluster(cluster: Cluster, box: _Box) -> str:
    colours = TRUST[cluster.trust]
    dash = ' stroke-dasharray="6 3"' if colours.dashed else ""
    return (
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
        f'rx="8" fill="{colours.fill}" stroke="{colours.line}" '
        f'stroke-width="{colours.width:g}"{dash}/>'
        + _lines(
            [cluster.title],
            box.x + PAD + _text_width(cluster.title, NODE_FONT + 1) / 2,
            box.y + PAD + 2,
            NODE_FONT + 1,
            colours.line,
            bold_first=False,
        )
    )


def _clip(box: _Box, towards_x: float, towards_y: float) -> tuple[float, float]:
    """Where the line from the box centre to a point leaves the box."""
    dx = towards_x - box.cx
    dy = towards_y - box.cy
    if dx == 0 and dy == 0:
        return box.cx, box.cy
    scale = min(
        (box.width / 2) / abs(dx) if dx else float("inf"),
        (box.height / 2) / abs(dy) if dy else float("inf"),
    )
    return box.cx + dx * scale, box.cy + dy * scale


def _draw_edge(edge: Edge, source: _Box, target: _Box) -> str:
    colours = NEUTRAL
    if edge.emphasis is Emphasis.DIM:
        colours = DIMMED
    elif edge.severity is not None:
        colours = SEVERITY[edge.severity]
    width = colours.width + (1.5 if edge.emphasis is Emphasis.HIGHLIGHT else 0.0)
    x1, y1 = _clip(source, target.cx, target.cy)
    x2, y2 = _clip(target, source.cx, source.cy)
    length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1.0)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    head = 8.0 + width
    bx, by = x2 - ux * head, y2 - uy * head
    left = (bx - uy * head * 0.45, by + ux * head * 0.45)
    right = (bx + uy * head * 0.45, by - ux * head * 0.45)
    dash = ' stroke-dasharray="5 3"' if edge.dashed else ""
    parts = [
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="{colours.line}" '
        f'stroke-width="{width:g}"{dash}/>',
        f'<polygon points="{x2:.1f},{y2:.1f} {left[0]:.1f},{left[1]:.1f} '
        f'{right[0]:.1f},{right[1]:.1f}" fill="{colours.line}"/>',
    ]
    if edge.lines:
        mx, my = (x1 + bx) / 2, (y1 + by) / 2
        w = max(_text_width(t, EDGE_FONT) for t in edge.lines) + 6
        h = len(edge.lines) * EDGE_FONT * LINE + 4
        parts.append(
            f'<rect x="{mx - w / 2:.1f}" y="{my - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
            'fill="#ffffff" fill-opacity="0.85" stroke="none"/>'
        )
        top = my - h / 2 + 2 + EDGE_FONT * 0.95
        parts.append(_lines(edge.lines, mx, top, EDGE_FONT, colours.line, bold_first=False))
    return "".join(parts)


def render_builtin_svg(diagram: Diagram) -> str:
    """Lay out and draw ``diagram`` as a standalone ``<svg>`` element, in pure Python."""
    layers = _layers(diagram)
    root, boxes = _build(diagram, layers)
    _place(root, 0.0, 0.0)
    # clusters, outermost first, then edges, then nodes on top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{root.width:.0f}pt" '
        f'height="{root.height:.0f}pt" viewBox="0 0 {root.width:.1f} {root.height:.1f}" '
        f'role="img" aria-label="{xml_escape(diagram.title)}">',
        f"<title>{xml_escape(diagram.title)}</title>",
        f'<rect x="0" y="0" width="{root.width:.1f}" height="{root.height:.1f}" fill="#ffffff"/>',
        _lines([diagram.title], root.width / 2, PAD + 4, NODE_FONT + 2, "#1a1a1a", bold_first=True),
    ]
    parts.extend(_draw_cluster(c, boxes[c.key]) for c in diagram.clusters)
    parts.extend(
        _draw_edge(e, boxes[e.source], boxes[e.target])
        for e in diagram.edges
        if e.source in boxes and e.target in boxes
    )
    parts.extend(_draw_node(n, boxes[n.key]) for n in diagram.nodes)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
