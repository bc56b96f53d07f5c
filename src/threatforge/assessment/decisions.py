"""What the gate reports about decisions and about a change compared with its base: data only.

The logic that judges a decision and compares a change with its base is
:mod:`threatforge.sdlc.decisions`; these are the results it returns, so that the gate's verdict
(:mod:`threatforge.assessment.gate`), its renderers and, later, the server read them without
importing the gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from threatforge.assessment._results import Severity
from threatforge.model import Location, TrackingStatus

__all__ = [
    "BaseComparison",
    "DecisionChange",
    "HidingChange",
    "InvalidDecision",
]


@dataclass(frozen=True)
class InvalidDecision:
    """A decision that does not hide its finding, why, and the entry that would."""

    fingerprint: str
    status: TrackingStatus
    severity: Severity
    location: Location | None
    problems: tuple[str, ...]
    rewrite: str
    """The tracking entry to write (one YAML line), with placeholders where only a person knows."""


@dataclass(frozen=True)
class DecisionChange:
    """A decision that hides a finding, added or changed by this change."""

    fingerprint: str
    status: TrackingStatus
    added: bool
    changes: tuple[str, ...]
    """What changed (``status open -> accepted``); empty when the entry is new."""
    location: Location | None


@dataclass(frozen=True)
class HidingChange:
    """A finding open at the base that this change made disappear without fixing it."""

    fingerprint: str
    severity: Severity
    """Its severity at the base."""
    title: str
    reason: str


@dataclass(frozen=True)
class BaseComparison:
    """What a change did that can hide a finding, next to the verdict under ``--base``."""

    decisions: tuple[DecisionChange, ...] = ()
    hiding: tuple[HidingChange, ...] = ()
    scoring: tuple[str, ...] = ()
    """Changes to scoring inputs: system criticality, data classification, controls."""

    @property
    def hides_something(self) -> bool:
        """Whether ``--fail-on-new-decisions`` fails on this change."""
        return bool(self.decisions or self.hiding)
