"""Render a diagram of a model in a file format: SVG, Graphviz DOT or Mermaid.

SVG comes from Graphviz ``dot`` when it is installed, and from the built-in layered layout when
it is not (or when ``dot`` fails or times out, or the model is too large for it to lay out in
time). Both draw the same :class:`Diagram`.
"""

from __future__ import annotations

from threatforge.errors import ExportError
from threatforge.model import Model
from threatforge.reports.choices import DiagramFormat, DiagramView, LayoutEngine
from threatforge.reports.diagram import Diagram, build_diagram
from threatforge.reports.dot import dot_available, render_dot, run_dot
from threatforge.reports.mermaid import render_mermaid
from threatforge.reports.svg_layout import render_builtin_svg
from threatforge.rules import Assessment

__all__ = ["diagram_svg", "render_diagram"]

DOT_MAX_ELEMENTS = 400
"""Above this many nodes plus edges, ``auto`` uses the built-in layout: ``dot`` gets slow."""


def diagram_svg(diagram: Diagram, engine: LayoutEngine = LayoutEngine.AUTO) -> str:
    """Draw ``diagram`` as an ``<svg>`` element.

    ``auto`` uses Graphviz when it is installed and the diagram is small enough, and falls back to
    the built-in layout when ``dot`` is missing or fails; ``graphviz`` raises
    :class:`ExportError` instead of falling back.
    """
    size = len(diagram.nodes) + len(diagram.edges)
    if engine is LayoutEngine.BUILTIN:
        return render_builtin_svg(diagram)
    if engine is LayoutEngine.AUTO and (dot_available() is None or size > DOT_MAX_ELEMENTS):
        return render_builtin_svg(diagram)
    try:
        return run_dot(render_dot(diagram))
    except ExportError:
        if engine is LayoutEngine.GRAPHVIZ:
            raise
        return render_builtin_svg(diagram)


def render_diagram(
    model: Model,
    assessment: Assessment | None = None,
    view: DiagramView = DiagramView.DFD,
    fmt: DiagramFormat = DiagramFormat.SVG,
    *,
    engine: LayoutEngine = LayoutEngine.AUTO,
) -> str:
    """The ``view`` diagram of ``model`` as SVG, DOT or Mermaid text."""
    diagram = build_diagram(model, assessment, view)
    if fmt is DiagramFormat.DOT:
        return render_dot(diagram)
    if fmt is DiagramFormat.MERMAID:
        return render_mermaid(diagram)
    svg = diagram_svg(diagram, engine)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg
