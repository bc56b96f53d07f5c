"""The Markdown report: the same sections as the HTML report, for GitHub, GitLab and Confluence.

The data-flow diagram is a Mermaid block (GitHub renders it); every piece of model text is escaped
for Markdown (or for Mermaid inside the block).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from threatforge.assessment.coverage import ScopedRule, coverage_markdown
from threatforge.assessment.markdown import finding_section, findings_table, severity_label
from threatforge.model import Model
from threatforge.reports.choices import Audience, DiagramView
from threatforge.reports.content import (
    MAX_COVERAGE_ROWS,
    SEVERITIES_DESCENDING,
    Baseline,
    ReportContent,
    build_content,
)
from threatforge.reports.diagram import build_diagram
from threatforge.reports.mermaid import render_mermaid
from threatforge.rules import Assessment
from threatforge.text.markdown import markdown_cell, markdown_code, markdown_text

__all__ = ["render_markdown_report"]


def _summary(c: ReportContent) -> list[str]:
    lines = [
        "## Summary",
        "",
        f"**{markdown_text(c.posture.headline)}.** {markdown_text(c.posture.summary)}",
        "",
    ]
    if c.sensitive_data:
        lines += [f"The system handles {markdown_text(', '.join(c.sensitive_data))}.", ""]
    lines += [
        "| " + " | ".join(s.value for s in SEVERITIES_DESCENDING) + " |",
        "|" + "---:|" * len(SEVERITIES_DESCENDING),
        "| " + " | ".join(str(c.open_counts[s]) for s in SEVERITIES_DESCENDING) + " |",
        "",
        "**Where the risk sits** (open issues by likelihood, rows, and impact, columns):",
        "",
        "| likelihood \\\\ impact | 1 | 2 | 3 | 4 | 5 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in c.heat_map:
        cells = " | ".join(str(cell.count) if cell.count else "·" for cell in row)
        lines.append(f"| {row[0].likelihood} | {cells} |")
    lines.append("")
    if c.trend is not None:
        lines += ["### Since the last assessment", "", markdown_text(c.trend.summary), ""]
    lines += ["### What we recommend", ""]
    lines += [f"{i}. {markdown_text(step)}" for i, step in enumerate(c.next_steps, start=1)]
    return [*lines, ""]


def _top_risks(c: ReportContent) -> list[str]:
    lines = ["## Top risks", ""]
    if not c.top_risks:
        return [*lines, "No open issue of medium severity or above.", ""]
    lines += [
        "| # | What could happen | Where | Severity | What fixes it |",
        "|---:|---|---|---|---|",
    ]
    for number, risk in enumerate(c.top_risks, start=1):
        lines.append(
            f"| {number} | **{markdown_cell(risk.headline)}**: "
            f"{markdown_cell(risk.business_impact)}"
            f" | {markdown_cell(risk.where)} | {severity_label(risk.finding.severity)} "
            f"| {markdown_cell(risk.action)} |"
        )
    return [*lines, ""]


def _decisions(c: ReportContent) -> list[str]:
    lines = ["## Accepted risks", ""]
    if not c.accepted:
        lines += ["No risks have been formally accepted.", ""]
    else:
        lines += ["| Risk | Where | Owner | Why accepted | Review by |", "|---|---|---|---|---|"]
        for item in c.accepted:
            if item.expired:
                review = f"**expired {item.expires}**: open again"
            elif item.expires is not None:
                review = f"{item.expires} ({item.days_left} days)"
            else:
                review = "no expiry date"
            lines.append(
                f"| {severity_label(item.finding.severity)} {markdown_cell(item.finding.title)} "
                f"| {markdown_cell(item.where)} | {markdown_cell(item.owner)} "
                f"| {markdown_cell(item.justification)} | {review} |"
            )
        lines.append("")
    if c.trend is not None:
        trend = c.trend
        lines += [
            "## Trend against the baseline",
            "",
            f"{markdown_text(trend.summary)} Baseline: {markdown_text(trend.baseline)}.",
            "",
            "| open issues | " + " | ".join(s.value for s in SEVERITIES_DESCENDING) + " |",
            "|---|" + "---:|" * len(SEVERITIES_DESCENDING),
            "| baseline | "
            + " | ".join(str(trend.before[s]) for s in SEVERITIES_DESCENDING)
            + " |",
            "| now | " + " | ".join(str(trend.after[s]) for s in SEVERITIES_DESCENDING) + " |",
            "",
        ]
    return lines


def _system(model: Model, assessment: Assessment, c: ReportContent) -> list[str]:
    diagram = render_mermaid(build_diagram(model, assessment, DiagramView.DFD))
    lines = [
        "## The system",
        "",
        "```mermaid",
        diagram.rstrip("\n"),
        "```",
        "",
        "### Components",
        "",
    ]
    lines += [
        "| Component | Kind | Zone | Exposure | Authn / authz | Data |",
        "|---|---|---|---|---|---|",
    ]
    for comp in model.components.values():
        zone = c.labels.get(comp.zone, comp.zone) if comp.zone else "—"
        lines.append(
            f"| {markdown_cell(comp.label)} {markdown_code(comp.id)} | {comp.kind.value} "
            f"| {markdown_cell(zone)} | {comp.exposure.value if comp.exposure else 'not stated'} "
            f"| {comp.authn.value if comp.authn else '?'} / "
            f"{comp.authz.value if comp.authz else '?'} "
            f"| {markdown_cell(', '.join(comp.data_ids)) or '—'} |"
        )
    lines += ["", "### Data assets", "", "| Data | Classification | Categories |", "|---|---|---|"]
    for asset in model.data.values():
        lines.append(
            f"| {markdown_cell(asset.label)} {markdown_code(asset.id)} "
            f"| {asset.classification.value} "
            f"| {markdown_cell(', '.join(asset.categories)) or '—'} |"
        )
    lines += ["", "### Data flows", "", "| Flow | Protocol | Authn | Encrypted | Data |"]
    lines.append("|---|---|---|---|---|")
    encrypted = {True: "yes", False: "no", None: "?"}
    for flow in model.flows:
        authn = flow.effective_authn
        lines.append(
            f"| {markdown_cell(c.labels.get(flow.id, flow.id))} "
            f"| {markdown_cell(flow.protocol or '?')}{f':{flow.port}' if flow.port else ''} "
            f"| {authn.value if authn else '?'} | {encrypted[flow.encrypted]} "
            f"| {markdown_cell(', '.join(flow.data)) or '—'} |"
        )
    lines += [
        "",
        "### Trust boundaries",
        "",
        "| Boundary | Kind | Trust | Inside |",
        "|---|---|---|---|",
    ]
    for boundary in model.boundaries.values():
        inside = c.labels.get(boundary.inside, boundary.inside) if boundary.inside else "—"
        lines.append(
            f"| {markdown_cell(boundary.label)} {markdown_code(boundary.id)} "
            f"| {boundary.kind.value} | {boundary.trust.value} | {markdown_cell(inside)} |"
        )
    return [*lines, ""]


def _analyses(c: ReportContent) -> list[str]:
    lines: list[str] = []
    if c.attack_paths:
        lines += ["## Attack paths", ""]
        for number, path in enumerate(c.attack_paths, start=1):
            lines.append(f"{number}. **{markdown_text(path.title)}**: {markdown_text(path.detail)}")
        lines.append("")
    if c.pci_scope is not None:
        lines += ["## PCI DSS scope", "", "| Component | Scope | Why |", "|---|---|---|"]
        for row in c.pci_scope.rows:
            lines.append(
                f"| {markdown_cell(c.labels.get(row.component, row.component))} "
                f"| {row.category} | {markdown_cell(row.reason)} |"
            )
        lines.append("")
        if c.pci_scope.violations:
            lines += ["Segmentation violations:", ""]
            lines += [f"- {markdown_text(v)}" for v in c.pci_scope.violations]
            lines.append("")
    if c.blast_radius:
        lines += ["## Blast radius", "", _BLAST_RADIUS_INTRO, ""]
        for radius in c.blast_radius:
            lines.append(f"- **{markdown_text(radius.origin)}** {markdown_text(radius.summary)}")
        lines.append("")
    for note in c.analysis_notes:
        lines += [f"> **Note:** {markdown_text(note)}", ""]
    return lines


_BLAST_RADIUS_INTRO = (
    "What an attacker who holds an entry point of the attack paths can reach next, "
    "and the data there."
)


def _threats(c: ReportContent) -> list[str]:
    """Threats to consider: per element, each applicable threat with the question that decides
    it (every piece of model text escaped)."""
    lines = ["## Threats to consider", ""]
    if not c.threats:
        return [*lines, "None: no threat applies that the stated facts leave open.", ""]
    lines += [
        f"{c.total_threats} threat{'s' if c.total_threats != 1 else ''} apply that no stated "
        f"fact rules out ({c.open_threats} open). Answering a question confirms the threat (it "
        "becomes a finding) or rules it out; `tracking:` records what the team decided.",
        "",
    ]
    for group in c.threats:
        lines += [f"### {markdown_text(group.label)} ({markdown_code(group.element)})", ""]
        for threat in group.threats:
            lines.append(
                f"- {severity_label(threat.severity)} {markdown_text(threat.title)} "
                f"({markdown_code(threat.fingerprint)}, {threat.status.value})"
            )
            if threat.why:
                lines.append(f"  - Why: {markdown_text('; '.join(threat.why))}")
            lines.append(f"  - Question: {markdown_text(threat.question.text)}")
            for fact in threat.question.facts:
                answers = "; ".join(
                    f"{markdown_code(value)} {effect.value}" for value, effect in fact.answers
                )
                lines.append(
                    f"  - Answer with {markdown_code(fact.path)} on "
                    f"{markdown_code(fact.element)}: {answers}"
                )
        lines.append("")
    return lines


def _team_threats(c: ReportContent) -> list[str]:
    """The team's threats, each as its Threat Composer statement (model text escaped); nothing
    when the model has none."""
    if not c.team_threats:
        return []
    count = len(c.team_threats)
    lines = [
        "### The team's threats",
        "",
        f"{count} threat{'s' if count != 1 else ''} written by the team under `threats:` "
        f"({sum(t.is_open for t in c.team_threats)} open); `tracking:` records the decisions, "
        "keyed `team-threat@<id>`.",
        "",
    ]
    for threat in c.team_threats:
        lines.append(
            f"- {severity_label(threat.severity)} {markdown_text(threat.statement)} "
            f"({markdown_code(threat.fingerprint)}, {threat.status.value})"
        )
        if threat.elements:
            on = ", ".join(markdown_code(e) for e in threat.elements)
            lines.append(f"  - On: {on}")
        lines.append(f"  - Severity: {markdown_text(threat.severity_reason)}")
        if threat.stride:
            lines.append(f"  - STRIDE: {', '.join(s.value for s in threat.stride)}")
        if threat.mitigations:
            lines.append(f"  - Mitigations: {markdown_text('; '.join(threat.mitigations))}")
    lines.append("")
    return lines


def _implied(c: ReportContent) -> list[str]:
    """The implied elements with their threats (model text escaped); nothing when there are
    none."""
    if not c.implied:
        return []
    count = len(c.implied)
    lines = [
        "### Implied elements",
        "",
        f"{count} element{'s' if count != 1 else ''} the model does not draw that its "
        "components imply, each with what can go wrong there.",
        "",
    ]
    for view in c.implied:
        item = view.element
        lines.append(
            f"- {markdown_text(item.name)} ({markdown_code(item.id)}, {markdown_text(item.kind)})"
        )
        lines.append(f"  - Why: {markdown_text(item.why)}")
        if not view.threats:
            lines.append("  - Threats: none of its rules reported one")
        for threat in view.threats:
            lines.append(
                f"  - {severity_label(threat.severity)} {markdown_text(threat.title)} "
                f"({markdown_code(threat.fingerprint)}, {threat.state})"
            )
    lines.append("")
    return lines


def _coverage(c: ReportContent) -> list[str]:
    """The coverage matrix (at most :data:`MAX_COVERAGE_ROWS` elements), escaped."""
    if c.coverage is None:
        return []
    shown = c.coverage
    hidden = len(shown.elements) - MAX_COVERAGE_ROWS
    if hidden > 0:
        shown = replace(shown, elements=shown.elements[:MAX_COVERAGE_ROWS])
    lines = coverage_markdown(shown)
    if hidden > 0:
        lines += [f"_{hidden:,} more elements: `threatforge coverage --format json`._", ""]
    return lines


MAX_COMPLIANCE_ROWS = 40
"""Open and questioned controls a report lists per framework (``threatforge compliance``
lists them all)."""


def _compliance(c: ReportContent, audience: Audience) -> list[str]:
    """Per declared framework: controls by state, and (engineering) the open and questioned
    ones with what says so; escaped."""
    from threatforge.assessment.compliance import ControlState

    if not c.compliance_reports and not c.compliance_unmapped:
        return []
    lines = ["## Compliance", ""]
    for report in c.compliance_reports:
        counts = ", ".join(f"{n} {s.value}" for s, n in report.counts().items() if n)
        lines += [f"### {markdown_text(report.name)}", "", f"Controls: {counts}.", ""]
        if audience is not Audience.ENGINEERING:
            continue
        pressing = [
            ctl for ctl in report.controls
            if ctl.state in (ControlState.OPEN, ControlState.QUESTION)
        ]
        if not pressing:
            continue
        lines += ["| control | state | what says so |", "|---|---|---|"]
        for control in pressing[:MAX_COMPLIANCE_ROWS]:
            said = [*control.open, *control.questions][:2]
            lines.append(
                f"| {markdown_cell(control.id + ' ' + control.title)} | {control.state.value} "
                f"| {markdown_cell('; '.join(said))} |"
            )
        lines.append("")
        if len(pressing) > MAX_COMPLIANCE_ROWS:
            more = len(pressing) - MAX_COMPLIANCE_ROWS
            lines += [f"_{more} more: `threatforge compliance MODEL --framework "
                      f"{report.framework}`._", ""]
    for name in c.compliance_unmapped:
        lines += [f"- {markdown_text(name)}: threatforge has no mapping for this framework.", ""]
    return lines


def render_markdown_report(
    model: Model,
    assessment: Assessment,
    *,
    audience: Audience = Audience.ENGINEERING,
    baseline: Baseline | None = None,
    rules: Sequence[ScopedRule] | None = None,
) -> str:
    """The report as Markdown; the executive one stops after the accepted risks and trend
    (``rules``: see :func:`~threatforge.reports.content.build_content`)."""
    c = build_content(model, assessment, audience, baseline, rules)
    kind = (
        "Executive threat model summary"
        if audience is Audience.EXECUTIVE
        else "Threat model report"
    )
    lines = [f"# {kind}: {markdown_text(c.system)}", ""]
    if c.description:
        lines += [markdown_text(c.description), ""]
    compliance = markdown_text(", ".join(c.compliance)) or "none stated"
    lines += [
        f"Assessed on {c.as_of} · owner {markdown_text(c.owner)} · business criticality "
        f"{markdown_text(c.criticality)} · compliance {compliance} · "
        f"{c.open_findings} of {c.total_findings} issues open"
        + (f" · {c.open_threats} of {c.total_threats} threats to consider open"
           if c.total_threats else ""),
        "",
    ]
    lines += _summary(c) + _top_risks(c) + _decisions(c) + _compliance(c, audience)
    if audience is Audience.ENGINEERING:
        lines += ["## Findings", ""]
        if c.findings:
            lines += [*findings_table(c.findings, c.labels), ""]
            for number, finding in enumerate(c.findings, start=1):
                lines += finding_section(number, finding, c.labels)
            if c.not_shown_note:
                lines += [f"_{c.not_shown_note}_", ""]
        else:
            lines += ["No findings.", ""]
        lines += _threats(c)
        lines += _team_threats(c)
        lines += _implied(c)
        lines += _coverage(c)
        lines += _system(model, assessment, c) + _analyses(c)
        lines += ["## Facts missing from the model", ""]
        if assessment.gaps:
            lines += [f"- {markdown_text(g.message)}" for g in assessment.gaps]
        else:
            lines.append("None: every rule had the facts it needed.")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
