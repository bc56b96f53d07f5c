"""Findings as Markdown that renders well on GitHub, GitLab and Confluence (the table and
sections come from :mod:`threatforge.assessment.markdown`, shared with the Markdown report).

All model and rule text goes through :mod:`threatforge.text.markdown`: pipes, backticks, HTML
and Markdown punctuation are escaped, ids are written as code spans, so nothing in a model can
add a link, an image, raw HTML or break a table.
"""

from __future__ import annotations

from threatforge.assessment.markdown import MarkdownEscapes, finding_section, findings_table
from threatforge.exporters.interface import AssessmentExporter
from threatforge.model import Model
from threatforge.model.labels import element_labels
from threatforge.rules import Assessment, Severity
from threatforge.text.markdown import markdown_code, markdown_text

__all__ = ["MarkdownExporter", "render_markdown"]


def render_markdown(assessment: Assessment, model: Model) -> str:
    """The findings as a Markdown document: a summary table, then every finding in full."""
    return _render(assessment, model)


def _render(assessment: Assessment, model: Model) -> str:
    labels = element_labels(model)
    escaped = MarkdownEscapes()
    counts = assessment.count_by_severity()
    summary = ", ".join(f"{counts[s]} {s.value}" for s in reversed(Severity) if counts[s]) or "none"
    lines = [
        f"# Threat model findings: {markdown_text(assessment.system)}",
        "",
        f"Assessed on {assessment.as_of}: {len(assessment.findings)} findings, "
        f"{len(assessment.open_findings)} open ({summary}).",
        "",
    ]
    if assessment.findings:
        lines += [*findings_table(assessment.findings, labels, escaped), "", "## Findings", ""]
        for number, finding in enumerate(assessment.findings, start=1):
            lines += finding_section(number, finding, labels, "###", escaped)
    else:
        lines += ["No findings.", ""]
    if assessment.gaps:
        lines += ["## Facts missing from the model", ""]
        lines += [f"- {escaped.text(g.message)}" for g in assessment.gaps]
        lines.append("")
    if assessment.rule_errors:
        lines += ["## Rules that failed", ""]
        for error in assessment.rule_errors:
            where = f" on {markdown_code(error.element)}" if error.element else ""
            lines.append(f"- {markdown_code(error.rule)}{where}: {markdown_text(error.error)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


class MarkdownExporter(AssessmentExporter):
    """Markdown: findings grouped by severity, for wikis and pull requests."""

    name = "markdown"
    description = "Markdown: findings grouped by severity, for wikis and pull requests."
    suffix = ".md"
    media_type = "text/markdown"

    def export(self, assessment: Assessment, model: Model) -> str:
        return render_markdown(assessment, model)
