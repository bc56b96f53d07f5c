"""Reports and diagrams: HTML, PDF and Markdown reports; DFD, attack-path and data diagrams.

>>> from threatforge.reports import ReportFormat, render_report
>>> html = render_report(model, assessment, ReportFormat.HTML)

Every builder returns text or bytes; the CLI writes files. Model text is escaped for the format it
lands in (see :mod:`threatforge.text`).

The choices (:mod:`threatforge.reports.choices`) are imported at once; the builders, which need
the rule engine, only when first used, so the CLI can offer the choices without loading them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from threatforge.reports.choices import (
    Audience,
    DiagramFormat,
    DiagramView,
    LayoutEngine,
    ReportFormat,
)

if TYPE_CHECKING:
    from threatforge.reports.content import (
        Baseline,
        ReportContent,
        build_content,
        parse_baseline,
        read_baseline,
    )
    from threatforge.reports.diagram import Diagram, build_diagram
    from threatforge.reports.diagrams import diagram_svg, render_diagram
    from threatforge.reports.report import render_report

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

_BUILDERS = {
    "Baseline": "content",
    "ReportContent": "content",
    "build_content": "content",
    "parse_baseline": "content",
    "read_baseline": "content",
    "Diagram": "diagram",
    "build_diagram": "diagram",
    "diagram_svg": "diagrams",
    "render_diagram": "diagrams",
    "render_report": "report",
}


def __getattr__(name: str) -> Any:
    module = _BUILDERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
