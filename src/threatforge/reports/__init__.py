"""Reports and diagrams: HTML, PDF and Markdown reports; DFD, attack-path and data diagrams.

>>> from threatforge.reports import ReportFormat, render_report
>>> html = render_report(model, assessment, ReportFormat.HTML)

Every builder returns text or bytes; the CLI writes files. Model text is escaped for the format it
lands in (see :mod:`threatforge.text`).
"""

from __future__ import annotations

from threatforge.reports.content import (
    Audience,
    Baseline,
    ReportContent,
    build_content,
    parse_baseline,
    read_baseline,
)
from threatforge.reports.diagram import Diagram, DiagramView, build_diagram
from threatforge.reports.diagrams import DiagramFormat, LayoutEngine, diagram_svg, render_diagram
from threatforge.reports.report import ReportFormat, render_report

__all__ = [
    "Audience",
    "Baseline",
    "Diagram",
    "DiagramFormat",
    "DiagramView",
    "LayoutEngine",
    "ReportContent",
    "ReportFormat",
    "build_content",
    "build_diagram",
    "diagram_svg",
    "parse_baseline",
    "read_baseline",
    "render_diagram",
    "render_report",
]
