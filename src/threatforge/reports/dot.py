"""Diagrams as Graphviz DOT text, and DOT rendered to SVG by the ``dot`` binary.

``dot`` runs as a subprocess with an argument list (never a shell), reads the DOT text on stdin
and is given a timeout. Every label is escaped with :func:`dot_string`, and node and cluster ids
are synthetic, so model text can neither break out of a string nor name an attribute.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable

from threatforge.errors import ExportError
from threatforge.reports.diagram import Cluster, Diagram, Edge, Emphasis, Node, Shape
from threatforge.reports.palette import CLASSIFICATION, DIMMED, NEUTRAL, SEVERITY, TRUST, Colours
from threatforge.text.dot import dot_string

__all__ = ["DOT_TIMEOUT_SECONDS", "FONT", "dot_available", "render_dot", "run_dot"]

DOT_TIMEOUT_SECONDS = 20.0
FONT = "DejaVu Sans"

_DOT_SHAPE = {
    Shape.ENTITY: ("box", "filled"),
    Shape.PROCESS: ("ellipse", "filled"),
    Shape.GATEWAY: ("hexagon", "filled"),
    Shape.STORE: ("cylinder", "filled"),
    Shape.SECURITY: ("octagon", "filled"),
    Shape.EXTERNAL: ("box3d", "filled"),
    Shape.DATA: ("note", "filled"),
}


def _label(lines: Iterable[str]) -> str:
    """Escaped lines joined with DOT's centred line break."""
    inner = "\\n".join(dot_string(line)[1:-1] for line in lines)
    return f'"{inner}"'


def _node_colours(node: Node) -> Colours:
    if node.emphasis is Emphasis.DIM:
        return DIMMED
    if node.severity is not None:
        return SEVERITY[node.severity]
    if node.classification is not None:
        return CLASSIFICATION[node.classification]
    return NEUTRAL


def _node(node: Node, indent: str) -> str:
    shape, style = _DOT_SHAPE[node.shape]
    colours = _node_colours(node)
    width = colours.width + (1.5 if node.emphasis is Emphasis.HIGHLIGHT else 0.0)
    attributes = [
        f"label={_label(node.lines)}",
        f"shape={shape}",
        f'style="{style}"',
        f'fillcolor="{colours.fill}"',
        f'color="{colours.line}"',
        f"penwidth={width:g}",
    ]
    if node.emphasis is Emphasis.DIM:
        attributes.append('fontcolor="#90a4ae"')
    if node.severity is not None and node.severity.rank >= 3 and node.emphasis is not Emphasis.DIM:
        attributes.append("peripheries=2")  # a shape cue for high and critical
    return f"{indent}{node.key} [{', '.join(attributes)}];"


def _edge(edge: Edge) -> str:
    colours = NEUTRAL
    if edge.emphasis is Emphasis.DIM:
        colours = DIMMED
    elif edge.severity is not None:
        colours = SEVERITY[edge.severity]
    width = colours.width + (1.5 if edge.emphasis is Emphasis.HIGHLIGHT else 0.0)
    attributes = [
        f"label={_label(edge.lines)}",
        f'color="{colours.line}"',
        f'fontcolor="{colours.line}"',
        f"penwidth={width:g}",
    ]
    if edge.dashed:
        attributes.append('style="dashed"')
    return f"  {edge.source} -> {edge.target} [{', '.join(attributes)}];"


def _cluster(diagram: Diagram, cluster: Cluster, depth: int) -> list[str]:
    indent = "  " * depth
    colours = TRUST[cluster.trust]
    title = cluster.title
    lines = [
        f"{indent}subgraph cluster_{cluster.key} {{",
        f"{indent}  label={_label([title])};",
        f'{indent}  style="{"filled,rounded,dashed" if colours.dashed else "filled,rounded"}";',
        f'{indent}  fillcolor="{colours.fill}"; color="{colours.line}"; '
        f'fontcolor="{colours.line}"; penwidth={colours.width:g};',
    ]
    for node in diagram.members(cluster.key):
        lines.append(_node(node, indent + "  "))
    for child in diagram.children(cluster.key):
        lines.extend(_cluster(diagram, child, depth + 1))
    lines.append(f"{indent}}}")
    return lines


def render_dot(diagram: Diagram) -> str:
    """The diagram as DOT text (left to right, boundaries as nested clusters)."""
    lines = [
        "digraph threatforge {",
        f"  graph [rankdir=LR, fontname={dot_string(FONT)}, fontsize=12, labelloc=t, "
        f"label={_label([diagram.title])}, nodesep=0.35, ranksep=0.7, "
        'bgcolor="white", pad=0.2];',
        f'  node [fontname={dot_string(FONT)}, fontsize=10, margin="0.12,0.06"];',
        f"  edge [fontname={dot_string(FONT)}, fontsize=8, arrowsize=0.7];",
    ]
    for node in diagram.members(None):
        lines.append(_node(node, "  "))
    for cluster in diagram.children(None):
        lines.extend(_cluster(diagram, cluster, 1))
    lines.extend(_edge(edge) for edge in diagram.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_available() -> str | None:
    """The path of the Graphviz ``dot`` binary, or None when it is not installed."""
    return shutil.which("dot")


_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)


def run_dot(dot_text: str, *, timeout: float = DOT_TIMEOUT_SECONDS) -> str:
    """Lay out and draw DOT text as an SVG element (no XML prolog, doctype or comments).

    Raises :class:`ExportError` when ``dot`` is missing, fails, or exceeds ``timeout`` seconds.
    """
    binary = dot_available()
    if binary is None:
        raise ExportError("Graphviz 'dot' is not installed (apt-get install graphviz)")
    try:
        completed = subprocess.run(  # noqa: S603 - fixed binary, argument list, no shell
            [binary, "-Tsvg"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExportError(f"Graphviz 'dot' took longer than {timeout:g} s") from exc
    except OSError as exc:
        raise ExportError(f"cannot run Graphviz 'dot': {exc}") from exc
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"Graphviz 'dot' failed: {message[-1] if message else 'no message'}")
    svg = _PROLOG.sub("", completed.stdout.decode("utf-8", "replace")).strip()
    if not svg.startswith("<svg"):
        raise ExportError("Graphviz 'dot' returned no SVG")
    return svg + "\n"
