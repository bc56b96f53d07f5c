"""The one decision vocabulary for findings, applicable threats and (later) the team's threats.

``tracking:`` entries, keyed by a result's fingerprint, carry a status from this vocabulary,
with the reason (``justification``), the ``owner`` and the ``expires`` date the gate checks
(``docs/applicable-threats.md``).
"""

from __future__ import annotations

from threatforge.model import TrackingStatus

__all__ = [
    "DECISION_STATUSES",
    "OPEN_STATUSES",
    "REASON_REQUIRED",
    "DecisionStatus",
    "is_open_status",
]

DecisionStatus = TrackingStatus
"""The decision vocabulary: ``open``, ``in-discussion``, ``in-progress``, ``mitigated``,
``accepted``, ``false-positive``, ``not-applicable``. The enum's values live in the model (the
loader validates ``tracking:`` with it, and the model sits below the assessment); what each
means for a gate is defined here."""

DECISION_STATUSES: tuple[DecisionStatus, ...] = (
    DecisionStatus.OPEN,
    DecisionStatus.IN_DISCUSSION,
    DecisionStatus.IN_PROGRESS,
    DecisionStatus.MITIGATED,
    DecisionStatus.ACCEPTED,
    DecisionStatus.FALSE_POSITIVE,
    DecisionStatus.NOT_APPLICABLE,
)
"""Every decision status, in lifecycle order (a test keeps it equal to the enum)."""

OPEN_STATUSES = frozenset(
    {DecisionStatus.OPEN, DecisionStatus.IN_DISCUSSION, DecisionStatus.IN_PROGRESS}
)
"""Statuses that still count against a gate: nothing decided the result away yet."""

REASON_REQUIRED = frozenset(
    {DecisionStatus.ACCEPTED, DecisionStatus.FALSE_POSITIVE, DecisionStatus.NOT_APPLICABLE}
)
"""Statuses the loader refuses without a ``justification`` (the reason)."""


def is_open_status(status: DecisionStatus) -> bool:
    """Whether a result with this decision still counts against a gate."""
    return status in OPEN_STATUSES
