"""One entry point for every report format."""

from __future__ import annotations

from collections.abc import Sequence

from threatforge.assessment.coverage import ScopedRule
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
    rules: Sequence[ScopedRule] | None = None,
) -> str | bytes:
    """The report in ``fmt``: HTML and Markdown as text, PDF as bytes (needs the ``pdf`` extra).

    ``rules``: the metadata of the rules run, for the coverage matrix (default: the built-in
    rules).
    """
    if fmt is ReportFormat.MARKDOWN:
        from threatforge.reports.markdown import render_markdown_report

        return render_markdown_report(
            model, assessment, audience=audience, baseline=baseline, rules=rules
        )
    from threatforge.reports.html import render_html

    html = render_html(
        model, assessment, audience=audience, baseline=baseline, engine=engine, rules=rules
    )
    if fmt is ReportFormat.HTML:
        return html
    from threatforge.reports.pdf import html_to_pdf

    return html_to_pdf(html)
