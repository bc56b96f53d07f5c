"""The CI gate's verdict on one assessment: data only.

:func:`threatforge.sdlc.gate.evaluate_gate` decides it and :mod:`threatforge.sdlc.gate`
renders it; the verdict and what it refers to (the policy that judged the decisions, the
decisions that may not hide their finding, the comparison with a base) are plain frozen data
here, below the gate, so that anything reporting a verdict needs nothing from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from threatforge.assessment._results import Finding, RuleFailure, Severity
from threatforge.assessment._team_threats import TeamThreat
from threatforge.assessment._threats import ApplicableThreat
from threatforge.assessment.decisions import BaseComparison, InvalidDecision

__all__ = [
    "AppliedPolicy",
    "GateMode",
    "GateResult",
    "PolicyViolation",
    "RaisedSeverity",
]


class GateMode(StrEnum):
    """What the gate compares against."""

    ALL = "all"
    """Every open finding counts."""
    BASELINE = "baseline"
    """Findings recorded in a baseline file do not count (unless their severity rose)."""
    BASE = "base"
    """Findings already open at a git ref do not count (unless their severity rose)."""


@dataclass(frozen=True)
class AppliedPolicy:
    """The policy that judged the decisions, as the verdict reports it."""

    source: str | None
    """The file it was read from; None for the built-in defaults."""
    digest: str | None
    """``sha256:<hex>`` of the file's bytes; None for the built-in defaults."""
    horizon_days: int
    """A decision that hides a finding expires within this many days."""
    description: str
    """One line for the verdict: which policy judged the decisions, and its bounds."""


@dataclass(frozen=True)
class PolicyViolation:
    """A guardrail of the organisation's policy the model or the run breaks: fails the gate."""

    where: str
    """The policy line it breaks (``policy.yaml:12``)."""
    message: str
    element: str | None = None
    """The element that breaks it, when one does."""


@dataclass(frozen=True)
class RaisedSeverity:
    """A result a mandatory rule's severity floor raised before the gate counted it."""

    fingerprint: str
    before: Severity
    after: Severity
    where: str
    """The policy line of the floor."""


@dataclass(frozen=True)
class GateResult:
    """The verdict of the gate on one assessment."""

    system: str
    threshold: Severity
    mode: GateMode
    open_by_severity: Mapping[Severity, int]
    failing: tuple[Finding, ...]
    """Open findings at or above the threshold that count (new, or raised, in the other modes)."""
    tolerated: tuple[Finding, ...]
    """Open findings at or above the threshold that already existed (baseline or base modes)."""
    reference: str = ""
    """The baseline file or the git ref compared against."""
    failures: tuple[RuleFailure, ...] = ()
    """Rules that raised (and plugins that failed to load): the verdict cannot be trusted."""
    hidden: tuple[Finding, ...] = ()
    """Findings (any severity) that valid decisions took out of the count."""
    invalid: tuple[InvalidDecision, ...] = ()
    """Decisions that do not hide their finding (it counts), with why."""
    policy: AppliedPolicy | None = None
    comparison: BaseComparison | None = None
    """Under ``--base``: decisions, hiding changes and scoring changes made by this change."""
    fail_on_new_decisions: bool = False
    unreviewed_threshold: Severity | None = None
    """``--fail-on-unreviewed``: open applicable threats at or above it fail the gate too."""
    unreviewed: tuple[ApplicableThreat, ...] = ()
    """Open applicable threats at or above :attr:`unreviewed_threshold` that count (under
    ``--base``, those not already open there); empty without the option."""
    open_threats: int = 0
    """Open applicable threats of any severity (reported; they fail only with the option)."""
    closed_threats: tuple[ApplicableThreat, ...] = ()
    """Applicable threats that valid decisions closed (not-applicable, accepted, ...)."""
    failing_team: tuple[TeamThreat, ...] = ()
    """Open team threats at or above the threshold that count: a threat the team wrote and
    nobody decided is an open risk, so it fails ``--fail-on`` as a finding does (under
    ``--base`` or a baseline, those already open there do not count)."""
    tolerated_team: tuple[TeamThreat, ...] = ()
    """Open team threats at or above the threshold already open at the base or baseline."""
    open_team_threats: int = 0
    """Open team threats of any severity (after valid decisions)."""
    closed_team: tuple[TeamThreat, ...] = ()
    """Team threats that valid decisions closed."""
    team_threats: int = 0
    """How many team threats the model has (the verdict mentions them only when it has any)."""
    rules_version: str | None = None
    """``--rules-version``: the built-in rule set's version the gate counts as (None: today's
    rules, every result of a rule that is not warn-only counts)."""
    latest_rules_version: str | None = None
    """The newest version of the built-in rule set, when a version is pinned."""
    newer: tuple[Finding | ApplicableThreat, ...] = ()
    """Results that would fail the gate but come from rules (or questions) newer than
    :attr:`rules_version`: reported, not gated."""
    warn_only: tuple[Finding | ApplicableThreat, ...] = ()
    """Results that would fail the gate but come from warn-only rules (warn-only at
    :attr:`rules_version` when pinned): reported, not gated."""

    violations: tuple[PolicyViolation, ...] = ()
    """Guardrails of the policy broken (a mandatory rule that did not run, ...): each fails
    the gate."""
    raised: tuple[RaisedSeverity, ...] = ()
    """Results counted at a mandatory rule's severity floor rather than their own severity."""

    @property
    def errored(self) -> bool:
        """The rules could not all run: no verdict (exit 2)."""
        return bool(self.failures)

    @property
    def blocked_by_decisions(self) -> bool:
        """``--fail-on-new-decisions`` and this change adds something that hides a finding."""
        return (
            self.fail_on_new_decisions
            and self.comparison is not None
            and self.comparison.hides_something
        )

    @property
    def passed(self) -> bool:
        """No counted finding or unreviewed threat at or above its threshold, no failure,
        nothing blocked."""
        return not (
            self.failing
            or self.failing_team
            or self.unreviewed
            or self.errored
            or self.blocked_by_decisions
            or self.violations
        )
