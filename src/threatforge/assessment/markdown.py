"""Findings as Markdown that renders well on GitHub, GitLab and Confluence: the summary table
and the full section of a finding, shared by the Markdown findings exporter
(:mod:`threatforge.exporters.markdown_findings`) and the Markdown report
(:mod:`threatforge.reports.markdown`), which stay independent of each other.

All model and rule text goes through :mod:`threatforge.text.markdown`: pipes, backticks, HTML
and Markdown punctuation are escaped, ids are written as code spans, so nothing in a model can
add a link, an image, raw HTML or break a table.
"""

from __future__ import annotations

from collections.abc import Mapping

from threatforge.assessment._results import Finding, Severity
from threatforge.assessment.references import Link, reference_links
from threatforge.text.markdown import markdown_cell, markdown_code, markdown_text

__all__ = [
    "MarkdownEscapes",
    "finding_section",
    "findings_table",
    "severity_label",
]


def severity_label(severity: Severity) -> str:
    """A severity as bold capitals, the text cue that goes with its colour elsewhere."""
    return f"**{severity.value.upper()}**"


class MarkdownEscapes:
    """:mod:`threatforge.text.markdown` with memory: findings repeat most of their text
    (a rule's description and mitigations, score factors, element names), and a large model's
    findings document escapes hundreds of thousands of pieces."""

    def __init__(self) -> None:
        self._text: dict[str, str] = {}
        self._cell: dict[str, str] = {}
        self._code: dict[str, str] = {}
        self._references: dict[tuple[Link, ...], str] = {}

    def text(self, value: str) -> str:
        escaped = self._text.get(value)
        if escaped is None:
            escaped = self._text[value] = markdown_text(value)
        return escaped

    def cell(self, value: str) -> str:
        escaped = self._cell.get(value)
        if escaped is None:
            escaped = self._cell[value] = markdown_cell(value)
        return escaped

    def code(self, value: str) -> str:
        escaped = self._code.get(value)
        if escaped is None:
            escaped = self._code[value] = markdown_code(value)
        return escaped

    def references(self, finding: Finding) -> str:
        """The references line (empty when there are none), written once per distinct set."""
        links = reference_links(finding)
        line = self._references.get(links)
        if line is None:
            rendered = [
                f"[{markdown_text(link.text)}](<{link.url}>)" if link.url
                else markdown_text(link.text)
                for link in links
            ]
            line = self._references[links] = (
                "**References:** " + " · ".join(rendered) if links else ""
            )
        return line


def _elements(finding: Finding, labels: Mapping[str, str], escaped: MarkdownEscapes) -> str:
    return ", ".join(
        f"{escaped.text(labels.get(e, e))} ({escaped.code(e)})" for e in finding.elements
    )


def findings_table(
    findings: tuple[Finding, ...],
    labels: Mapping[str, str],
    escaped: MarkdownEscapes | None = None,
) -> list[str]:
    """A summary table of findings, one row each, linking to their sections; ``escaped``
    shares escaped text between the parts of one document."""
    escaped = escaped or MarkdownEscapes()
    lines = [
        "| # | Severity | Finding | Elements | L×I | Status |",
        "|---:|---|---|---|---|---|",
    ]
    cell = escaped.cell
    for number, finding in enumerate(findings, start=1):
        where = ", ".join(cell(labels.get(e, e)) for e in finding.elements)
        lines.append(
            f"| {number} | {severity_label(finding.severity)} | {cell(finding.title)} "
            f"| {where} | {finding.likelihood}×{finding.impact} | {finding.status.value} |"
        )
    return lines


def finding_section(
    number: int,
    finding: Finding,
    labels: Mapping[str, str],
    heading: str = "###",
    escaped: MarkdownEscapes | None = None,
) -> list[str]:
    """One finding in full: facts, evidence, score, mitigations, references, decision."""
    escaped = escaped or MarkdownEscapes()
    text, code = escaped.text, escaped.code
    lines = [
        f"{heading} {number}. {text(finding.title)}",
        "",
        f"- **Severity:** {severity_label(finding.severity)} (likelihood {finding.likelihood}/5 "
        f"× impact {finding.impact}/5, confidence {finding.confidence.value})",
        f"- **Status:** {finding.status.value}",
        f"- **Elements:** {_elements(finding, labels, escaped)}",
    ]
    if finding.warn_only:
        lines.append("- **Gate:** warn-only rule: reported, not gated")
    if finding.data:
        data = ", ".join(text(labels.get(d, d)) for d in finding.data)
        lines.append(f"- **Data at stake:** {data}")
    lines += [
        f"- **Rule:** {code(finding.rule)}",
        f"- **Fingerprint:** {code(finding.fingerprint)}",
    ]
    categories = [s.value for s in finding.stride] + [c.value for c in finding.linddun]
    if categories:
        lines.append(f"- **Category:** {text(', '.join(categories))}")
    if finding.compliance:
        lines.append(f"- **Compliance:** {text(', '.join(finding.compliance))}")
    decision = finding.decision
    if decision is not None:
        parts = [decision.status.value]
        if decision.owner:
            parts.append(f"owner {text(decision.owner)}")
        if decision.ticket:
            parts.append(f"ticket {text(decision.ticket)}")
        if decision.expires:
            parts.append(f"{'expired' if decision.expired else 'expires'} {decision.expires}")
        line = ", ".join(parts)
        if decision.justification:
            line += f": {text(decision.justification)}"
        lines.append(f"- **Decision:** {line}")
    lines += ["", text(finding.description), ""]
    if finding.evidence:
        lines += ["**Evidence**", ""] + [f"- {text(e)}" for e in finding.evidence] + [""]
    lines += [
        "**Why this score**",
        "",
        f"- Likelihood {finding.likelihood}/5: " + text("; ".join(finding.likelihood_factors)),
        f"- Impact {finding.impact}/5: " + text("; ".join(finding.impact_factors)),
        "",
    ]
    if finding.mitigations:
        lines += ["**Mitigations**", ""] + [f"- {text(m)}" for m in finding.mitigations]
        lines.append("")
    references = escaped.references(finding)
    if references:
        lines += [references, ""]
    return lines
