"""The choices of the report and diagram commands, light enough for the CLI to import at start.

Each enum is the one definition: the report and diagram builders use it, and the CLI offers its
values as option choices (no copy). File formats are chosen by the output file's extension.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "DIAGRAM_EXTENSIONS",
    "REPORT_EXTENSIONS",
    "Audience",
    "DiagramFormat",
    "DiagramView",
    "LayoutEngine",
    "ReportFormat",
]


class Audience(StrEnum):
    """Who the report is for: a short plain-language one, or the full engineering one."""

    EXECUTIVE = "executive"
    ENGINEERING = "engineering"


class ReportFormat(StrEnum):
    """Report file formats, chosen by the output file's extension."""

    HTML = "html"
    PDF = "pdf"
    MARKDOWN = "md"


class DiagramView(StrEnum):
    """Which diagram to draw."""

    DFD = "dfd"
    ATTACK_PATHS = "attack-paths"
    DATA = "data"


class DiagramFormat(StrEnum):
    """File formats of ``threatforge diagram``, chosen by the output file's extension."""

    SVG = "svg"
    DOT = "dot"
    MERMAID = "mmd"


class LayoutEngine(StrEnum):
    """Who lays out an SVG diagram."""

    AUTO = "auto"
    GRAPHVIZ = "graphviz"
    BUILTIN = "builtin"


REPORT_EXTENSIONS = MappingProxyType(
    {
        ".html": ReportFormat.HTML,
        ".htm": ReportFormat.HTML,
        ".pdf": ReportFormat.PDF,
        ".md": ReportFormat.MARKDOWN,
        ".markdown": ReportFormat.MARKDOWN,
    }
)
"""Report format by output file extension (lower case)."""

DIAGRAM_EXTENSIONS = MappingProxyType(
    {
        ".svg": DiagramFormat.SVG,
        ".dot": DiagramFormat.DOT,
        ".gv": DiagramFormat.DOT,
        ".mmd": DiagramFormat.MERMAID,
        ".mermaid": DiagramFormat.MERMAID,
    }
)
"""Diagram format by output file extension (lower case)."""
