"""The team's own threats (``threats:`` in the model) as results of an analysis.

Each threat statement becomes a :class:`~threatforge.assessment.TeamThreat` with its
Threat Composer sentence and a severity that explains itself (docs/team-threats.md):

1. ``severity`` stated: that severity;
2. else ``likelihood`` and ``impact_score`` stated: the risk matrix findings use
   (:func:`threatforge.rules.scoring.severity_of`);
3. else ``priority``: high -> high, medium -> medium, low -> low;
4. else medium, and the reason says no priority or score was stated.
"""

from __future__ import annotations

from threatforge.assessment import (
    Severity,
    Stride,
    TeamThreat,
    team_threat_fingerprint,
    threat_statement,
)
from threatforge.model import Model, ThreatPriority, ThreatStatement
from threatforge.rules.scoring import severity_of

__all__ = ["PRIORITY_SEVERITY", "team_threat_severity", "team_threats"]

PRIORITY_SEVERITY: dict[ThreatPriority, Severity] = {
    ThreatPriority.HIGH: Severity.HIGH,
    ThreatPriority.MEDIUM: Severity.MEDIUM,
    ThreatPriority.LOW: Severity.LOW,
}
"""The severity a priority gives a team threat that states no severity or scores."""


def team_threat_severity(threat: ThreatStatement) -> tuple[Severity, str]:
    """The severity of a team threat and why it has it, in words."""
    if threat.severity is not None:
        return Severity(threat.severity.value), f"severity stated: {threat.severity.value}"
    if threat.likelihood is not None and threat.impact_score is not None:
        found = severity_of(threat.likelihood, threat.impact_score)
        return found, (
            f"likelihood {threat.likelihood} x impact {threat.impact_score} "
            f"= {threat.likelihood * threat.impact_score}: {found.value}"
        )
    if threat.priority is not None:
        found = PRIORITY_SEVERITY[threat.priority]
        return found, f"priority {threat.priority.value}: {found.value}"
    return Severity.MEDIUM, "no priority, severity or scores stated: medium until the team sets one"


def team_threats(model: Model) -> list[TeamThreat]:
    """The model's team threats as results, in model order, before tracking decisions."""
    found: list[TeamThreat] = []
    for threat_id, threat in model.threats.items():
        severity, reason = team_threat_severity(threat)
        assets = [_label(model, asset) for asset in threat.impacted_assets]
        found.append(
            TeamThreat(
                id=threat_id,
                fingerprint=team_threat_fingerprint(threat_id),
                statement=threat_statement(
                    threat.source,
                    threat.action,
                    prerequisites=threat.prerequisites,
                    impact=threat.impact,
                    goals=threat.impacted_goal,
                    assets=assets,
                ),
                source=threat.source,
                action=threat.action,
                severity=severity,
                severity_reason=reason,
                prerequisites=threat.prerequisites,
                impact=threat.impact,
                impacted_goal=tuple(threat.impacted_goal),
                impacted_assets=tuple(threat.impacted_assets),
                elements=tuple(threat.elements),
                stride=tuple(Stride(s.value) for s in threat.stride),
                priority=None if threat.priority is None else threat.priority.value,
                mitigations=tuple(threat.mitigations),
                controls=tuple(m for m in threat.mitigations if m in model.controls),
                cwe=tuple(threat.cwe),
                likelihood=threat.likelihood,
                impact_score=threat.impact_score,
                type=threat.type,
                description=threat.description,
                tags=tuple(threat.tags),
                location=threat.location,
            )
        )
    return found


def _label(model: Model, element_id: str) -> str:
    element = model.element(element_id)
    return element.label if element is not None else element_id
