"""Diagrams as Mermaid flowcharts, for Markdown that renders on GitHub and in Confluence.

Node and subgraph ids are synthetic; every label is quoted and escaped with Mermaid's ``#code;``
entities, so model text cannot close a label, add a node or inject markup.
"""

from __future__ import annotations

from threatforge.reports.diagram import Cluster, Diagram, Edge, Emphasis, Node, Shape
from threatforge.reports.palette import CLASSIFICATION, DIMMED, NEUTRAL, SEVERITY, TRUST
from threatforge.rules import Severity
from threatforge.text.mermaid import mermaid_text

__all__ = ["render_mermaid"]

_OPEN_CLOSE = {
    Shape.ENTITY: ("[", "]"),
    Shape.PROCESS: ("([", "])"),
    Shape.GATEWAY: ("{{", "}}"),
    Shape.STORE: ("[(", ")]"),
    Shape.SECURITY: ("[[", "]]"),
    Shape.EXTERNAL: ("[/", "/]"),
    Shape.DATA: (">", "]"),
}


def _label(lines: tuple[str, ...]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


def _node(node: Node, indent: str) -> str:
    opening, closing = _OPEN_CLOSE[node.shape]
    return f"{indent}{node.key}{opening}{_label(node.lines)}{closing}"


def _cluster(diagram: Diagram, cluster: Cluster, depth: int) -> list[str]:
    indent = "  " * depth
    lines = [f"{indent}subgraph {cluster.key}[{_label((cluster.title,))}]"]
    lines.extend(_node(node, indent + "  ") for node in diagram.members(cluster.key))
    for child in diagram.children(cluster.key):
        lines.extend(_cluster(diagram, child, depth + 1))
    lines.append(f"{indent}end")
    return lines


def _edge(edge: Edge) -> str:
    arrow = "-.->" if edge.dashed else ("==>" if edge.emphasis is Emphasis.HIGHLIGHT else "-->")
    label = f"|{_label(edge.lines)}|" if edge.lines else ""
    return f"  {edge.source} {arrow}{label} {edge.target}"


def render_mermaid(diagram: Diagram) -> str:
    """The diagram as a Mermaid ``flowchart LR`` (without the surrounding code fence)."""
    lines = ["flowchart LR", f"  %% {mermaid_text(diagram.title)}"]
    lines.extend(_node(node, "  ") for node in diagram.members(None))
    for cluster in diagram.children(None):
        lines.extend(_cluster(diagram, cluster, 1))
    lines.extend(_edge(edge) for edge in diagram.edges)
    for severity in Severity:
        colours = SEVERITY[severity]
        lines.append(
            f"  classDef sev_{severity.value} fill:{colours.fill},stroke:{colours.line},"
            f"stroke-width:{colours.width:g}px"
        )
    lines.append(f"  classDef dim fill:{DIMMED.fill},stroke:{DIMMED.line},color:{DIMMED.line}")
    lines.append(f"  classDef plain fill:{NEUTRAL.fill},stroke:{NEUTRAL.line}")
    for classification, colours in CLASSIFICATION.items():
        lines.append(
            f"  classDef data_{classification.value} fill:{colours.fill},stroke:{colours.line}"
        )
    for node in diagram.nodes:
        if node.emphasis is Emphasis.DIM:
            lines.append(f"  class {node.key} dim")
        elif node.severity is not None:
            lines.append(f"  class {node.key} sev_{node.severity.value}")
        elif node.classification is not None:
            lines.append(f"  class {node.key} data_{node.classification.value}")
    for cluster in diagram.clusters:
        colours = TRUST[cluster.trust]
        dash = ",stroke-dasharray:5 3" if colours.dashed else ""
        lines.append(f"  style {cluster.key} fill:{colours.fill},stroke:{colours.line}{dash}")
    return "\n".join(lines) + "\n"
