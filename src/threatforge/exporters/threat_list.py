"""One list of threats for the interchange formats (OTM, Threagile, Threat Composer, Threat
Dragon): the team's own threats (``threats:``) first, then the engine's findings and applicable
threats, marked as generated.

Every model exporter reads this list rather than walking the assessment itself, so the formats
agree on what a threat is, how it is keyed and what its status is. The key is what a round trip
keeps: a team threat's id (the importer writes it back under ``threats:``), a generated
threat's ``rule:fingerprint`` (the importer recognises it and does not turn the engine's own
results into team threats on the way back, since the engine finds them again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from threatforge.assessment import ApplicableThreat, Finding

if TYPE_CHECKING:
    from threatforge.assessment import Assessment, TeamThreat
    from threatforge.model import Model

__all__ = ["GENERATED_TAG", "ExportedThreat", "export_threats", "generated_key", "model_threats"]

GENERATED_TAG = "threatforge-generated"
"""The tag (or label) that marks a threat the engine wrote, in every format that has tags."""

ThreatKind = Literal["team", "finding", "applicable"]


@dataclass(frozen=True)
class ExportedThreat:
    """A threat as the interchange formats carry it."""

    key: str
    """A team threat's id; ``rule:fingerprint`` for a generated one (see :func:`generated_key`)."""
    kind: ThreatKind
    title: str
    description: str
    """The threat statement (team threats) or the engine's explanation."""
    elements: tuple[str, ...]
    """The elements it sits on, the primary one first."""
    stride: tuple[str, ...]
    severity: str
    status: str
    """The decision status as ``tracking:`` writes it (``open``, ``mitigated``, ...)."""
    cwe: tuple[int, ...]
    mitigations: tuple[str, ...]
    """What mitigates it, in words (the team's ``mitigations:``; a rule's mitigations)."""
    likelihood: int | None
    impact: int | None
    rule: str | None = None
    fingerprint: str | None = None
    question: str | None = None
    """The question that decides an applicable threat, with its answers."""
    team: TeamThreat | None = None
    """The team threat itself (its grammar parts), for formats that carry them."""

    @property
    def generated(self) -> bool:
        """The engine wrote it (a finding or an applicable threat), not the team."""
        return self.kind != "team"


def generated_key(rule: str, fingerprint: str) -> str:
    """The key of a generated threat: ``rule:fingerprint``."""
    return f"{rule}:{fingerprint}"


def export_threats(assessment: Assessment | None) -> tuple[ExportedThreat, ...]:
    """The team's threats, then the findings, then the applicable threats of ``assessment``
    (nothing when there is none), each in the assessment's order."""
    if assessment is None:
        return ()
    team = tuple(_team(t) for t in assessment.team_threats)
    findings = tuple(_generated(f) for f in assessment.findings)
    applicable = tuple(_generated(t) for t in assessment.applicable_threats)
    return team + findings + applicable


def model_threats(model: Model, assessment: Assessment | None) -> tuple[ExportedThreat, ...]:
    """:func:`export_threats` of ``assessment``; with none, of the model's own: its team threats
    and their decisions, no rule run (``ModelExporter.export(model)`` keeps the team's threats)."""
    if assessment is None:
        from threatforge.rules import analyze

        assessment = analyze(model, (), analyses=())
    return export_threats(assessment)


def _team(threat: TeamThreat) -> ExportedThreat:
    return ExportedThreat(
        key=threat.id,
        kind="team",
        title=threat.title,
        description=threat.statement,
        elements=threat.elements,
        stride=tuple(s.value for s in threat.stride),
        severity=threat.severity.value,
        status=threat.status.value,
        cwe=threat.cwe,
        mitigations=threat.mitigations,
        likelihood=threat.likelihood,
        impact=threat.impact_score,
        team=threat,
    )


def _generated(result: Finding | ApplicableThreat) -> ExportedThreat:
    """A finding or an applicable threat (with its question) as a generated threat."""
    return ExportedThreat(
        key=generated_key(result.rule, result.fingerprint),
        kind="finding" if isinstance(result, Finding) else "applicable",
        title=result.title,
        description=result.explanation,
        elements=result.elements,
        stride=tuple(s.value for s in result.meta.stride),
        severity=result.severity.value,
        status=result.status.value,
        cwe=result.meta.cwe,
        mitigations=result.meta.mitigations,
        likelihood=result.likelihood,
        impact=result.impact,
        rule=result.rule,
        fingerprint=result.fingerprint,
        question=None if isinstance(result, Finding) else result.question.describe(),
    )
