"""One entry point for every report format."""

from __future__ import annotations

from threatforge.model import Model
from threatforge.reports.choices import Audience, LayoutEngine, ReportFormat
from threatforge.reports.content import Baseline
from threatforge.rules import Assessment

__all__ = ["render_report"]


def render_report(
    model: Model,
    assessment: Assessment,
    fmt: ReportFormat,
    *,
    audience: Audience = Audience.ENGINEERING,
    baseline: Baseline | None = None,
    engine: LayoutEngine = LayoutEngine.AUTO,
) -> str | bytes:
    """The report in ``fmt``: HTML and Markdown as text, PDF as bytes (needs the ``pdf`` extra)."""
    if fmt is ReportFormat.MARKDOWN:
        from threatforge.reports.markdown import render_markdown_report

        return render_markdown_report(model, assessment, audience=audience, baseline=baseline)
    from threatforge.reports.html import render_html

    html = render_html(model, assessment, audience=audience, baseline=baseline, engine=engine)
    if fmt is ReportFormat.HTML:
        return html
    from threatforge.reports.pdf import html_to_pdf

    return html_to_pdf(html)
