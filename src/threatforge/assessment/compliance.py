"""Compliance: per control of a framework, what the model evidences, what is open and what was
never considered.

Computed from an assessment and the metadata of the rules that ran (their ``compliance`` refs),
with the framework's own mapping (:mod:`threatforge.model.vocabulary.frameworks`), so the CLI
(``threatforge compliance``), the reports and the server share it. A control's state is the most
pressing of what its mapped rules say (:class:`ControlState`, in that order):

- ``open``: an open finding of a mapped rule;
- ``question``: an open applicable threat of a mapped rule, or a mapped rule lacking a fact;
- ``accepted``: a finding or threat of a mapped rule the team accepted (``tracking:``);
- ``evidenced``: mapped rules looked and found nothing: they passed, a stated fact ruled the
  threat out, or the result was decided mitigated, a false positive or not applicable;
- ``not-applicable``: mapped rules ran but nothing in the model is of the kind they judge;
- ``not-considered``: no rule that ran is mapped to the control.

"Evidenced" means the model states what the control asks for and the rules agree; it is design
evidence for an assessor to follow up, not an attestation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from threatforge.assessment._assessment import Assessment
from threatforge.assessment._decisions import DecisionStatus
from threatforge.model.vocabulary.frameworks import Framework, mapped_rules
from threatforge.text.markdown import markdown_cell, markdown_text

__all__ = [
    "COMPLIANCE_FORMAT_VERSION",
    "ComplianceReport",
    "ControlResult",
    "ControlState",
    "MappedRule",
    "compliance_markdown",
    "compliance_to_dict",
    "compute_compliance",
]

COMPLIANCE_FORMAT_VERSION = 1
"""The version of the JSON document :func:`compliance_to_dict` writes."""


class ControlState(StrEnum):
    """What a control's mapped rules say, most pressing first."""

    OPEN = "open"
    QUESTION = "question"
    ACCEPTED = "accepted"
    EVIDENCED = "evidenced"
    NOT_APPLICABLE = "not-applicable"
    NOT_CONSIDERED = "not-considered"

    @property
    def rank(self) -> int:
        """0 for the most pressing state."""
        return list(ControlState).index(self)


class MappedRule(Protocol):
    """What compliance needs of a rule: its id and compliance refs
    (:class:`threatforge.rules.RuleMeta` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def compliance(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class ControlResult:
    """One control: its state and the results and rules behind it."""

    id: str
    title: str
    state: ControlState
    rules: tuple[str, ...] = ()
    """The mapped rules that ran."""
    open: tuple[str, ...] = ()
    """Open findings, each ``rule on element (fingerprint)``."""
    questions: tuple[str, ...] = ()
    """Open applicable threats and facts missing, each ``rule on element: ...``."""
    accepted: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    """What evidences it, each ``rule: passed on N elements`` or ``rule on element: ...``."""


@dataclass(frozen=True)
class ComplianceReport:
    """The controls of one framework, judged on one model."""

    framework: str
    name: str
    source: str
    url: str
    mapping: str
    partial: bool
    system: str
    rules_run: int
    controls: tuple[ControlResult, ...] = field(default=())

    def counts(self) -> dict[ControlState, int]:
        """Controls per state, every state present."""
        counts = dict.fromkeys(ControlState, 0)
        for control in self.controls:
            counts[control.state] += 1
        return counts


@dataclass
class _Says:
    """What one rule said, collected once from the assessment."""

    open: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


_ACCEPTED = frozenset({DecisionStatus.ACCEPTED})


def _collect(assessment: Assessment) -> dict[str, _Says]:
    says: dict[str, _Says] = {}

    def of(rule: str) -> _Says:
        return says.setdefault(rule, _Says())

    asked = {(t.rule, t.elements[0]) for t in assessment.applicable_threats if t.elements}
    for summary in assessment.summaries:
        entry = of(summary.rule)
        if summary.passed:
            n = len(summary.passed)
            entry.evidence.append(f"{summary.rule}: passed on {n} element{'s' * (n != 1)}")
        for element in summary.unknown:
            if (summary.rule, element) not in asked:  # its threat says it, with the question
                entry.questions.append(f"{summary.rule} on {element}: facts missing")
    for finding in assessment.findings:
        where = f"{finding.rule} on {finding.elements[0] if finding.elements else 'the model'}"
        line = _keyed(where, finding.rule, finding.elements, finding.fingerprint)
        entry = of(finding.rule)
        if finding.is_open:
            entry.open.append(line)
        elif finding.status in _ACCEPTED:
            entry.accepted.append(line)
        else:
            entry.evidence.append(f"{line}: {finding.status.value}")
    for threat in assessment.applicable_threats:
        where = f"{threat.rule} on {threat.elements[0] if threat.elements else 'the model'}"
        entry = of(threat.rule)
        if threat.is_open:
            entry.questions.append(f"{where}: {threat.question.text}")
        elif threat.status in _ACCEPTED:
            entry.accepted.append(_keyed(where, threat.rule, threat.elements, threat.fingerprint))
        else:
            keyed = _keyed(where, threat.rule, threat.elements, threat.fingerprint)
            entry.evidence.append(f"{keyed}: {threat.status.value}")
    for ruled in assessment.ruled_out:
        entry = of(ruled.rule)
        element = ruled.elements[0] if ruled.elements else "the model"
        entry.evidence.append(f"{ruled.rule} on {element}: {ruled.message}")
    return says


def _keyed(where: str, rule: str, elements: tuple[str, ...], fingerprint: str) -> str:
    """``rule on element``, with the fingerprint when it is not ``rule@element`` (the key a
    decision in ``tracking:`` uses)."""
    if elements and fingerprint == f"{rule}@{elements[0]}":
        return where
    return f"{where} ({fingerprint})"


def compute_compliance(
    framework: Framework, assessment: Assessment, rules: Iterable[MappedRule]
) -> ComplianceReport:
    """The controls of ``framework`` judged by ``assessment``; ``rules``: the metadata of the
    rules that ran (their compliance refs); rules not run do not count."""
    run = set(assessment.rules_run)
    refs: Mapping[str, tuple[str, ...]] = {r.id: r.compliance for r in rules if r.id in run}
    says = _collect(assessment)
    results = []
    for control in framework.controls:
        mapped = mapped_rules(framework, control, refs)
        results.append(_judge(control.id, control.title, mapped, says))
    return ComplianceReport(
        framework=framework.framework,
        name=framework.name,
        source=framework.source,
        url=framework.url,
        mapping=framework.mapping,
        partial=framework.partial,
        system=assessment.system,
        rules_run=len(run),
        controls=tuple(results),
    )


def _judge(
    control_id: str, title: str, mapped: tuple[str, ...], says: Mapping[str, _Says]
) -> ControlResult:
    if not mapped:
        return ControlResult(control_id, title, ControlState.NOT_CONSIDERED)
    open_: list[str] = []
    questions: list[str] = []
    accepted: list[str] = []
    evidence: list[str] = []
    for rule in mapped:
        entry = says.get(rule)
        if entry is None:
            continue
        open_ += entry.open
        questions += entry.questions
        accepted += entry.accepted
        evidence += entry.evidence
    if open_:
        state = ControlState.OPEN
    elif questions:
        state = ControlState.QUESTION
    elif accepted:
        state = ControlState.ACCEPTED
    elif evidence:
        state = ControlState.EVIDENCED
    else:
        state = ControlState.NOT_APPLICABLE
    return ControlResult(
        control_id,
        title,
        state,
        rules=mapped,
        open=tuple(open_),
        questions=tuple(questions),
        accepted=tuple(accepted),
        evidence=tuple(evidence),
    )


def compliance_to_dict(report: ComplianceReport) -> dict[str, Any]:
    """The report as a JSON document (``docs/compliance.md`` describes it)."""
    return {
        "format_version": COMPLIANCE_FORMAT_VERSION,
        "framework": report.framework,
        "name": report.name,
        "source": report.source,
        "url": report.url,
        "mapping": report.mapping,
        "partial": report.partial,
        "system": report.system,
        "rules_run": report.rules_run,
        "counts": {state.value: n for state, n in report.counts().items()},
        "controls": [
            {
                "id": c.id,
                "title": c.title,
                "state": c.state.value,
                "rules": list(c.rules),
                "open": list(c.open),
                "questions": list(c.questions),
                "accepted": list(c.accepted),
                "evidence": list(c.evidence),
            }
            for c in report.controls
        ],
    }


_DETAIL_LIMIT = 3
"""Results listed per control in Markdown (the JSON has them all)."""


def compliance_markdown(report: ComplianceReport, *, heading: str = "##") -> list[str]:
    """The report as Markdown lines: counts, then one table row per control."""
    counts = report.counts()
    lines = [
        f"{heading} {markdown_text(report.name)}",
        "",
        f"Source: {markdown_text(report.source)}. Mapping: {markdown_text(report.mapping)}.",
        "",
        "Controls: " + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) + ".",
        "",
        "| control | title | state | what says so |",
        "|---|---|---|---|",
    ]
    for control in report.controls:
        detail = [*control.open, *control.questions, *control.accepted, *control.evidence]
        shown = "; ".join(detail[:_DETAIL_LIMIT])
        if len(detail) > _DETAIL_LIMIT:
            shown += f"; and {len(detail) - _DETAIL_LIMIT} more"
        if not detail:
            shown = (
                "no rule is mapped to it" if control.state is ControlState.NOT_CONSIDERED
                else "nothing in the model of the kind its rules judge"
            )
        lines.append(
            f"| {markdown_cell(control.id)} | {markdown_cell(control.title)} | "
            f"{control.state.value} | {markdown_cell(shown)} |"
        )
    if report.partial:
        lines += ["", "The framework file lists only the controls threatforge maps."]
    return lines
