"""Findings as Markdown that renders well on GitHub, GitLab and Confluence.

All model and rule text goes through :mod:`threatforge.reports.escaping`: pipes, backticks, HTML
and Markdown punctuation are escaped, ids are written as code spans, so nothing in a model can
add a link, an image, raw HTML or break a table.
"""

from __future__ import annotations

from collections.abc import Mapping

from threatforge.model import Model
from threatforge.reports.content import element_labels, reference_links
from threatforge.reports.escaping import markdown_cell, markdown_code, markdown_text
from threatforge.rules import Assessment, Finding, Severity

__all__ = ["finding_section", "findings_table", "render_markdown", "severity_label"]


def severity_label(severity: Severity) -> str:
    """A severity as bold capitals, the text cue that goes with its colour elsewhere."""
    return f"**{severity.value.upper()}**"


def _elements(finding: Finding, labels: Mapping[str, str]) -> str:
    return ", ".join(
        f"{markdown_text(labels.get(e, e))} ({markdown_code(e)})" for e in finding.elements
    )


def findings_table(findings: tuple[Finding, ...], labels: Mapping[str, str]) -> list[str]:
    """A summary table of findings, one row each, linking to their sections."""
    lines = [
        "| # | Severity | Finding | Elements | L×I | Status |",
        "|---:|---|---|---|---|---|",
    ]
    for number, finding in enumerate(findings, start=1):
        where = ", ".join(markdown_cell(labels.get(e, e)) for e in finding.elements)
        lines.append(
            f"| {number} | {severity_label(finding.severity)} | {markdown_cell(finding.title)} "
            f"| {where} | {finding.likelihood}×{finding.impact} | {finding.status.value} |"
        )
    return lines


def finding_section(
    number: int, finding: Finding, labels: Mapping[str, str], heading: str = "###"
) -> list[str]:
    """One finding in full: facts, evidence, score, mitigations, references, decision."""
    lines = [
        f"{heading} {number}. {markdown_text(finding.title)}",
        "",
        f"- **Severity:** {severity_label(finding.severity)} (likelihood {finding.likelihood}/5 "
        f"× impact {finding.impact}/5, confidence {finding.confidence.value})",
        f"- **Status:** {finding.status.value}",
        f"- **Elements:** {_elements(finding, labels)}",
    ]
    if finding.data:
        data = ", ".join(markdown_text(labels.get(d, d)) for d in finding.data)
        lines.append(f"- **Data at stake:** {data}")
    lines += [
        f"- **Rule:** {markdown_code(finding.rule)}",
        f"- **Fingerprint:** {markdown_code(finding.fingerprint)}",
    ]
    categories = [s.value for s in finding.stride] + [c.value for c in finding.linddun]
    if categories:
        lines.append(f"- **Category:** {markdown_text(', '.join(categories))}")
    if finding.compliance:
        lines.append(f"- **Compliance:** {markdown_text(', '.join(finding.compliance))}")
    decision = finding.decision
    if decision is not None:
        parts = [decision.status.value]
        if decision.owner:
            parts.append(f"owner {markdown_text(decision.owner)}")
        if decision.ticket:
            parts.append(f"ticket {markdown_text(decision.ticket)}")
        if decision.expires:
            parts.append(f"{'expired' if decision.expired else 'expires'} {decision.expires}")
        text = ", ".join(parts)
        if decision.justification:
            text += f": {markdown_text(decision.justification)}"
        lines.append(f"- **Decision:** {text}")
    lines += ["", markdown_text(finding.description), ""]
    if finding.evidence:
        lines += ["**Evidence**", ""] + [f"- {markdown_text(e)}" for e in finding.evidence] + [""]
    lines += [
        "**Why this score**",
        "",
        f"- Likelihood {finding.likelihood}/5: "
        + markdown_text("; ".join(finding.likelihood_factors)),
        f"- Impact {finding.impact}/5: " + markdown_text("; ".join(finding.impact_factors)),
        "",
    ]
    if finding.mitigations:
        lines += ["**Mitigations**", ""] + [f"- {markdown_text(m)}" for m in finding.mitigations]
        lines.append("")
    links = reference_links(finding)
    if links:
        rendered = [
            f"[{markdown_text(link.text)}](<{link.url}>)" if link.url else markdown_text(link.text)
            for link in links
        ]
        lines += ["**References:** " + " · ".join(rendered), ""]
    return lines


def render_markdown(assessment: Assessment, model: Model) -> str:
    """The findings as a Markdown document: a summary table, then every finding in full."""
    labels = element_labels(model)
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
        lines += [*findings_table(assessment.findings, labels), "", "## Findings", ""]
        for number, finding in enumerate(assessment.findings, start=1):
            lines += finding_section(number, finding, labels)
    else:
        lines += ["No findings.", ""]
    if assessment.gaps:
        lines += ["## Facts missing from the model", ""]
        lines += [f"- {markdown_text(g.message)}" for g in assessment.gaps]
        lines.append("")
    if assessment.rule_errors:
        lines += ["## Rules that failed", ""]
        for error in assessment.rule_errors:
            where = f" on {markdown_code(error.element)}" if error.element else ""
            lines.append(f"- {markdown_code(error.rule)}{where}: {markdown_text(error.error)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
