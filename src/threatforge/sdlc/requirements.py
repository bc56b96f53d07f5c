"""Security requirements per component: the OWASP ASVS controls and the concrete tasks implied by
its open threats — a definition of done for tickets. Markdown for people, CSV for Jira.

A finding belongs to the first component it names; a finding on a flow belongs to the flow's
target (the side that must authenticate, validate or decrypt); anything else (data assets,
boundaries, the whole model) belongs to the system. Systems the team does not own (actors,
clients, external services, ``properties.owned: false``) get no tasks: the work sits on the
owned side of the interaction (a flow's source when its target is not ours; for a finding on
such a component, the first of the team's components it has a flow with), else the system.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from threatforge.assessment import Assessment
from threatforge.model import Model
from threatforge.rules.interface import Finding, Severity
from threatforge.text.csv import csv_cell, neutralise
from threatforge.text.lines import single_line
from threatforge.text.markdown import markdown_code as code
from threatforge.text.markdown import markdown_text as inert

__all__ = [
    "JIRA_COLUMNS",
    "ComponentRequirements",
    "Control",
    "Task",
    "build_requirements",
    "render_requirements_csv",
    "render_requirements_markdown",
]

SYSTEM = "(system)"
JIRA_COLUMNS = ("Summary", "Description", "Component", "Priority", "Labels")
JIRA_PRIORITY = {
    Severity.CRITICAL: "Highest",
    Severity.HIGH: "High",
    Severity.ELEVATED: "Medium",
    Severity.MEDIUM: "Low",
    Severity.LOW: "Lowest",
}
ASVS_URL = "https://owasp.org/www-project-application-security-verification-standard/"
_SUMMARY_CHARS = 255  # Jira's limit


@dataclass(frozen=True, slots=True)
class Control:
    """An ASVS requirement to verify, and the findings that call for it."""

    asvs: str
    fingerprints: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Task:
    """A mitigation to implement, and the findings it addresses."""

    text: str
    fingerprints: tuple[str, ...]


@dataclass(frozen=True)
class ComponentRequirements:
    """What one component (or the system as a whole) must do to close its open threats."""

    component: str
    label: str
    kind: str
    findings: tuple[Finding, ...]
    controls: tuple[Control, ...]
    tasks: tuple[Task, ...]

    @property
    def priority(self) -> Severity:
        """The highest severity among its open findings."""
        return max((f.severity for f in self.findings), key=lambda s: s.rank)


def owner_of(finding: Finding, model: Model) -> str:
    """The component a finding's work belongs to (see the module docstring)."""
    components = model.components
    for element in finding.elements:
        if element in components:
            side = model.graph.owned_side(element)
            if side is not None:
                return side
            continue
        flow = model.flows_by_id.get(element)
        if flow is not None:
            for end in (flow.target, flow.source):
                if components[end].ours:
                    return end
    return SYSTEM


def _asvs_key(control: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", control))


def _collect(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, fingerprint in pairs:
        bucket = grouped.setdefault(key, [])
        if fingerprint not in bucket:
            bucket.append(fingerprint)
    return grouped


def build_requirements(assessment: Assessment, model: Model) -> tuple[ComponentRequirements, ...]:
    """Requirements for every component with open findings, in model order, the system last."""
    by_owner: dict[str, list[Finding]] = {}
    for finding in assessment.open_findings:
        by_owner.setdefault(owner_of(finding, model), []).append(finding)
    order = [c for c in model.components if c in by_owner]
    if SYSTEM in by_owner:
        order.append(SYSTEM)
    result = []
    for owner in order:
        findings = sorted(by_owner[owner], key=lambda f: (-f.severity.rank, f.fingerprint))
        controls = _collect((a, f.fingerprint) for f in findings for a in f.asvs)
        tasks = _collect((m, f.fingerprint) for f in findings for m in f.mitigations)
        component = model.components.get(owner)
        result.append(
            ComponentRequirements(
                component=owner,
                label=component.label if component else "System-wide",
                kind=component.kind.value if component else "system",
                findings=tuple(findings),
                controls=tuple(
                    Control(a, tuple(fps))
                    for a, fps in sorted(controls.items(), key=lambda kv: (_asvs_key(kv[0]), kv[0]))
                ),
                tasks=tuple(Task(t, tuple(fps)) for t, fps in tasks.items()),
            )
        )
    return tuple(result)


# --- Markdown ---------------------------------------------------------------------------------


def render_requirements_markdown(
    requirements: tuple[ComponentRequirements, ...], assessment: Assessment
) -> str:
    """One section per component: ASVS controls to verify, tasks to do, the threats behind them."""
    open_count = sum(len(r.findings) for r in requirements)
    lines = [
        f"# Security requirements: {inert(assessment.system)}",
        "",
        f"Derived from {open_count} open threat{'s' if open_count != 1 else ''} "
        f"(as of {assessment.as_of}). Each section is the definition of done for the "
        "component's security work: implement the tasks, verify the OWASP ASVS controls, "
        "then re-run threatforge (or record the decision under `tracking:`).",
        "",
    ]
    if not requirements:
        lines += ["No open threats: nothing to do.", ""]
    for item in requirements:
        heading = f"## {_heading(item)}"
        lines += [
            heading,
            "",
            f"Priority: **{item.priority.value}** "
            f"({len(item.findings)} open threat{'s' if len(item.findings) != 1 else ''})",
            "",
        ]
        if item.controls:
            lines += [f"**OWASP ASVS controls to verify** ([ASVS]({ASVS_URL}))", ""]
            lines += [
                f"- [ ] {inert(c.asvs)} — for {', '.join(code(fp) for fp in c.fingerprints)}"
                for c in item.controls
            ]
            lines.append("")
        lines += ["**Tasks**", ""]
        lines += [
            f"- [ ] {inert(t.text)} — addresses {', '.join(code(fp) for fp in t.fingerprints)}"
            for t in item.tasks
        ]
        lines += ["", "**Threats**", "", "| severity | threat | fingerprint |", "|---|---|---|"]
        lines += [
            f"| {f.severity.value} | {inert(f.title)} | {code(f.fingerprint)} |"
            for f in item.findings
        ]
        lines.append("")
    return "\n".join(lines)


def _heading(item: ComponentRequirements) -> str:
    if item.component == SYSTEM:
        return inert(item.label)
    if item.label == item.component:
        return f"{code(item.component)} ({item.kind})"
    return f"{inert(item.label)} ({code(item.component)}, {item.kind})"


# --- CSV (Jira import) --------------------------------------------------------------------------


def _label(text: str) -> str:
    return re.sub(r"\s+", "-", text.strip())


def _description(finding: Finding) -> str:
    """The issue's description: our lines, each piece of model or pack text on one line of its
    own (so that text cannot add a line such as a forged fingerprint)."""
    lines = [single_line(finding.description), "", f"Risk: {single_line(finding.explanation)}"]
    if finding.evidence:
        lines += ["", "Why it applies:"] + [f"* {single_line(e)}" for e in finding.evidence]
    lines += ["", "Definition of done:"] + [f"* {single_line(m)}" for m in finding.mitigations]
    lines += [f"* OWASP ASVS {a} verified" for a in finding.asvs]
    lines.append("* threatforge no longer reports the finding, or `tracking:` records the decision")
    refs = [f"CWE-{c}" for c in finding.cwe] + [f"CAPEC-{c}" for c in finding.capec]
    lines += ["", f"Rule: {finding.rule}" + (f" ({', '.join(refs)})" if refs else "")]
    lines.append(f"threatforge fingerprint: {finding.fingerprint}")
    return "\n".join(lines)


def render_requirements_csv(requirements: tuple[ComponentRequirements, ...]) -> str:
    """One Jira issue per open threat: Summary, Description, Component, Priority, Labels."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(JIRA_COLUMNS)
    for item in requirements:
        for finding in item.findings:
            summary = f"[{item.label}] {' '.join(finding.title.split())}"
            labels = [
                "threatforge",
                finding.rule,
                *(f"stride-{s.value}" for s in finding.stride),
                *(f"asvs-{a}" for a in finding.asvs),
            ]
            # every cell one line (csv_cell) but the description, whose lines are ours
            writer.writerow([
                csv_cell(summary[:_SUMMARY_CHARS]),
                neutralise(_description(finding)),
                csv_cell(item.component),
                JIRA_PRIORITY[finding.severity],
                csv_cell(" ".join(dict.fromkeys(_label(x) for x in labels if x.strip()))),
            ])
    return buffer.getvalue()
