"""Output formats of ``analyze``, resolved lazily so the CLI imports only what it uses.

Each entry names ``module:function`` where ``function(assessment, model) -> str``.
"""

from __future__ import annotations

from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from threatforge.model import Model
    from threatforge.rules import Assessment

__all__ = ["FORMATS", "OutputFormat", "render"]


class OutputFormat(StrEnum):
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    CSV = "csv"
    MARKDOWN = "markdown"


class Renderer(Protocol):
    def __call__(self, assessment: Assessment, model: Model) -> str: ...


FORMATS: dict[OutputFormat, str] = {
    OutputFormat.JSON: "threatforge.exporters.json_assessment:render_json",
    OutputFormat.SARIF: "threatforge.exporters.sarif:render_sarif",
    OutputFormat.JUNIT: "threatforge.exporters.junit:render_junit",
    OutputFormat.CSV: "threatforge.exporters.csv_findings:render_csv",
    OutputFormat.MARKDOWN: "threatforge.exporters.markdown_findings:render_markdown",
}


def render(fmt: OutputFormat, assessment: Assessment, model: Model) -> str:
    """Render ``assessment`` in ``fmt``."""
    module_name, _, function = FORMATS[fmt].partition(":")
    renderer: Renderer = getattr(import_module(module_name), function)
    return renderer(assessment, model)
