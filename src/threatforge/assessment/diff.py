"""What changed between two versions of a model: findings new, resolved and re-scored,
applicable threats new and no longer open, the team's threats added, removed and changed, and
the model edits behind them. Pure functions over
``(Model, Assessment)`` pairs; no I/O.

Findings are matched by fingerprint (``rule-id@element-id``), which stays the same across
unrelated edits. Only *open* findings count: a finding accepted in the new version is resolved,
and an acceptance that expired (or was removed) makes its finding new again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from threatforge.assessment import ApplicableThreat, Assessment, Finding, Severity, TeamThreat
from threatforge.model import Model, TrackingStatus

__all__ = [
    "AssessmentDiff",
    "ChangeKind",
    "ClosedThreat",
    "ElementChange",
    "FieldChange",
    "NewFinding",
    "ResolvedFinding",
    "SeverityChange",
    "Snapshot",
    "TeamThreatChange",
    "diff_findings",
    "diff_models",
    "diff_snapshots",
    "diff_team_threats",
    "diff_threats",
]

_VALUE_CHARS = 80


@dataclass(frozen=True)
class Snapshot:
    """One version of a model and its assessment."""

    model: Model
    assessment: Assessment


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One attribute of an element, before and after (compact JSON text; "" when absent)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ElementChange:
    """An element added, removed or edited. ``section`` is the model file's section name."""

    section: str
    element: str
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()
    ends: tuple[str, ...] = ()
    """For flows: the source and target components."""

    @property
    def singular(self) -> str:
        """The section as a noun: ``component``, ``flow``, ``data asset``, ..."""
        return _SINGULAR[self.section]


@dataclass(frozen=True, slots=True)
class NewFinding:
    """An open finding that was not open before: absent, or closed by a decision that lapsed."""

    finding: Finding
    previous_status: TrackingStatus | None
    """None when the old version had no such finding; else its status there."""


@dataclass(frozen=True, slots=True)
class ResolvedFinding:
    """A finding open before and not open now: gone from the model, or decided."""

    finding: Finding
    """The finding as it was in the old version."""
    status: TrackingStatus | None
    """None when the finding is gone; else its (closed) status in the new version."""


@dataclass(frozen=True, slots=True)
class SeverityChange:
    """An open finding whose severity changed."""

    finding: Finding
    """The finding as it is in the new version."""
    old: Severity
    new: Severity

    @property
    def raised(self) -> bool:
        return self.new.rank > self.old.rank


@dataclass(frozen=True, slots=True)
class ClosedThreat:
    """An applicable threat open before and not open now, and what became of it."""

    threat: ApplicableThreat
    """The threat as it was in the old version."""
    now: str
    """``confirmed`` (it is a finding now), ``ruled out by ...``, the decision's status, or
    ``gone`` (the element, or the condition that made it apply, is gone)."""


@dataclass(frozen=True, slots=True)
class TeamThreatChange:
    """A team threat added to the model, removed from it, or changed (its statement, facts,
    severity or decision)."""

    kind: ChangeKind
    threat: TeamThreat
    """The threat as it is now (as it was, when removed)."""
    changes: tuple[str, ...] = ()
    """For ``changed``: what changed, in words (``severity medium -> high``,
    ``status open -> accepted``, ``mitigations``)."""

    @property
    def decided(self) -> bool:
        """Its decision changed: a row a diff never cuts."""
        return any(change.startswith("status ") for change in self.changes)


_TEAM_FIELDS = (
    "statement",
    "elements",
    "impacted_assets",
    "stride",
    "priority",
    "mitigations",
    "cwe",
    "likelihood",
    "impact_score",
    "type",
)


def diff_team_threats(old: Assessment | None, new: Assessment) -> tuple[TeamThreatChange, ...]:
    """The team threats added, removed and changed, by id (added, changed, removed; each by
    severity, most severe first, then id)."""
    before = {t.id: t for t in old.team_threats} if old is not None else {}
    after = {t.id: t for t in new.team_threats}
    found: list[TeamThreatChange] = []
    for threat_id, threat in after.items():
        previous = before.get(threat_id)
        if previous is None:
            found.append(TeamThreatChange(ChangeKind.ADDED, threat))
            continue
        words: list[str] = []
        if previous.severity is not threat.severity:
            words.append(f"severity {previous.severity.value} -> {threat.severity.value}")
        if previous.status is not threat.status:
            words.append(f"status {previous.status.value} -> {threat.status.value}")
        words.extend(f for f in _TEAM_FIELDS if getattr(previous, f) != getattr(threat, f))
        if words:
            found.append(TeamThreatChange(ChangeKind.CHANGED, threat, tuple(words)))
    found.extend(
        TeamThreatChange(ChangeKind.REMOVED, threat)
        for threat_id, threat in before.items()
        if threat_id not in after
    )
    kinds = {ChangeKind.ADDED: 0, ChangeKind.CHANGED: 1, ChangeKind.REMOVED: 2}
    found.sort(key=lambda c: (kinds[c.kind], -c.threat.severity.rank, c.threat.id))
    return tuple(found)


@dataclass(frozen=True)
class AssessmentDiff:
    """Everything that changed between two snapshots, in a stable order."""

    old_system: str | None
    new_system: str
    new: tuple[NewFinding, ...]
    resolved: tuple[ResolvedFinding, ...]
    changed: tuple[SeverityChange, ...]
    model_changes: tuple[ElementChange, ...]
    new_threats: tuple[ApplicableThreat, ...] = ()
    """Open applicable threats that were not open before."""
    closed_threats: tuple[ClosedThreat, ...] = ()
    """Applicable threats open before and not open now."""
    team_threats: tuple[TeamThreatChange, ...] = ()
    """The team's threats added, removed or changed."""

    @property
    def empty(self) -> bool:
        return not (
            self.new or self.resolved or self.changed or self.model_changes
            or self.new_threats or self.closed_threats or self.team_threats
        )

    def changes_behind(self, finding: Finding) -> tuple[ElementChange, ...]:
        """The model edits on the finding's elements (and on the ends of its flows)."""
        wanted = set(finding.elements)
        for change in self.model_changes:
            if change.section == "flows" and change.element in wanted:
                wanted.update(change.ends)
        return tuple(
            c
            for c in self.model_changes
            if c.element in wanted and c.section in ("components", "flows", "data", "boundaries")
        )


# --- findings ---------------------------------------------------------------------------------


def _finding_order(finding: Finding) -> tuple[int, str]:
    return (-finding.severity.rank, finding.fingerprint)


def diff_findings(
    old: Assessment | None, new: Assessment
) -> tuple[tuple[NewFinding, ...], tuple[ResolvedFinding, ...], tuple[SeverityChange, ...]]:
    """New, resolved and re-scored open findings. ``old=None`` means there was no model."""
    before = {f.fingerprint: f for f in old.findings} if old is not None else {}
    after = {f.fingerprint: f for f in new.findings}
    added: list[NewFinding] = []
    changed: list[SeverityChange] = []
    for fingerprint, finding in after.items():
        if not finding.is_open:
            continue
        previous = before.get(fingerprint)
        if previous is None or not previous.is_open:
            added.append(NewFinding(finding, previous.status if previous is not None else None))
        elif previous.severity is not finding.severity:
            changed.append(SeverityChange(finding, previous.severity, finding.severity))
    resolved = [
        ResolvedFinding(finding, after[fp].status if fp in after else None)
        for fp, finding in before.items()
        if finding.is_open and not (fp in after and after[fp].is_open)
    ]
    added.sort(key=lambda item: _finding_order(item.finding))
    resolved.sort(key=lambda item: _finding_order(item.finding))
    changed.sort(key=lambda item: (-item.new.rank, -item.old.rank, item.finding.fingerprint))
    return tuple(added), tuple(resolved), tuple(changed)


def diff_threats(
    old: Assessment | None, new: Assessment
) -> tuple[tuple[ApplicableThreat, ...], tuple[ClosedThreat, ...]]:
    """Open applicable threats new in ``new``, and those open in ``old`` that are not any more
    (confirmed as a finding, ruled out, decided or gone). ``old=None``: there was no model."""
    before = {t.fingerprint: t for t in old.applicable_threats} if old is not None else {}
    after = {t.fingerprint: t for t in new.applicable_threats}
    added = [
        threat for fingerprint, threat in after.items()
        if threat.is_open and not (fingerprint in before and before[fingerprint].is_open)
    ]
    findings = new.fingerprints
    ruled_out = {r.fingerprint: r.message for r in new.ruled_out}
    closed = []
    for fingerprint, threat in before.items():
        if not threat.is_open or (fingerprint in after and after[fingerprint].is_open):
            continue
        if fingerprint in findings:
            now = "confirmed"
        elif fingerprint in ruled_out:
            now = ruled_out[fingerprint]
        elif fingerprint in after:
            now = after[fingerprint].status.value
        else:
            now = "gone"
        closed.append(ClosedThreat(threat, now))
    added.sort(key=lambda t: (-t.severity.rank, t.fingerprint))
    closed.sort(key=lambda c: (-c.threat.severity.rank, c.threat.fingerprint))
    return tuple(added), tuple(closed)


# --- model ------------------------------------------------------------------------------------

_SECTIONS = ("data", "boundaries", "components", "flows", "controls", "tracking")
_SINGULAR = {
    "system": "system",
    "data": "data asset",
    "boundaries": "boundary",
    "components": "component",
    "flows": "flow",
    "controls": "control",
    "tracking": "tracking entry",
}


def _section(model: Model, section: str) -> Mapping[str, Any]:
    if section == "flows":
        return model.flows_by_id
    found: Mapping[str, Any] = getattr(model, section)
    return found


def _fields(element: Any) -> dict[str, Any]:
    """The attributes the model file states (defaults and empty values left out)."""
    dumped: dict[str, Any] = element.model_dump(
        mode="json", exclude={"location", "id"}, exclude_defaults=True, by_alias=True
    )
    return dumped


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = (
        value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    )
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def _field_changes(old: Any, new: Any) -> tuple[FieldChange, ...]:
    before, after = _fields(old), _fields(new)
    names = sorted(set(before) | set(after))
    return tuple(
        FieldChange(name, _text(before.get(name)), _text(after.get(name)))
        for name in names
        if before.get(name) != after.get(name)
    )


def diff_models(old: Model | None, new: Model) -> tuple[ElementChange, ...]:
    """Elements added, removed or edited: the system block first, then by section and id."""
    changes: list[ElementChange] = []
    if old is not None:
        fields = _field_changes(old.system, new.system)
        if fields:
            changes.append(ElementChange("system", "system", ChangeKind.CHANGED, fields))
    for section in _SECTIONS:
        before = _section(old, section) if old is not None else {}
        after = _section(new, section)
        for element_id in sorted(set(before) | set(after)):
            either = after.get(element_id) or before[element_id]
            ends = (either.source, either.target) if section == "flows" else ()
            if element_id not in before:
                changes.append(ElementChange(section, element_id, ChangeKind.ADDED, (), ends))
            elif element_id not in after:
                changes.append(ElementChange(section, element_id, ChangeKind.REMOVED, (), ends))
            else:
                fields = _field_changes(before[element_id], after[element_id])
                if fields:
                    changes.append(
                        ElementChange(section, element_id, ChangeKind.CHANGED, fields, ends)
                    )
    return tuple(changes)


def diff_snapshots(old: Snapshot | None, new: Snapshot) -> AssessmentDiff:
    """Compare two versions; ``old=None`` when the model did not exist before."""
    added, resolved, changed = diff_findings(old.assessment if old else None, new.assessment)
    new_threats, closed_threats = diff_threats(old.assessment if old else None, new.assessment)
    return AssessmentDiff(
        old_system=old.model.system.name if old else None,
        new_system=new.model.system.name,
        new=added,
        resolved=resolved,
        changed=changed,
        model_changes=diff_models(old.model if old else None, new.model),
        new_threats=new_threats,
        closed_threats=closed_threats,
        team_threats=diff_team_threats(old.assessment if old else None, new.assessment),
    )
