"""The vocabulary of results: findings, their scores and decisions, model gaps, rule failures.

These types sit below the rules (rules produce them, exporters, reports and the server read
them), so anything that reads an assessment needs nothing from the rule engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from threatforge.assessment._decisions import OPEN_STATUSES
from threatforge.model import Location, TrackingStatus

__all__ = [
    "Confidence",
    "Decision",
    "Evidence",
    "Finding",
    "Linddun",
    "ModelGap",
    "Outcome",
    "RuleFacts",
    "RuleFailure",
    "RuleInfo",
    "RuleSummary",
    "Severity",
    "StaleDecision",
    "Stride",
]


class Stride(StrEnum):
    SPOOFING = "spoofing"
    TAMPERING = "tampering"
    REPUDIATION = "repudiation"
    INFORMATION_DISCLOSURE = "information-disclosure"
    DENIAL_OF_SERVICE = "denial-of-service"
    ELEVATION_OF_PRIVILEGE = "elevation-of-privilege"


class Linddun(StrEnum):
    LINKING = "linking"
    IDENTIFYING = "identifying"
    NON_REPUDIATION = "non-repudiation"
    DETECTING = "detecting"
    DATA_DISCLOSURE = "data-disclosure"
    UNAWARENESS = "unawareness"
    NON_COMPLIANCE = "non-compliance"


class Outcome(StrEnum):
    FIRED = "fired"
    PASSED = "passed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class Severity(StrEnum):
    """Five steps, from likelihood x impact."""

    LOW = "low"
    MEDIUM = "medium"
    ELEVATED = "elevated"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Confidence(StrEnum):
    """How sure the rule is that the threat is real, separate from how bad it would be."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"




@dataclass(frozen=True, slots=True)
class Decision:
    """The tracking decision applied to a finding."""

    status: TrackingStatus
    justification: str | None
    owner: str | None
    ticket: str | None
    expires: date | None
    expired: bool = False
    control: str | None = None
    """For ``mitigated``: the declared control that mitigates it."""
    evidence: str | None = None
    """For ``mitigated``: where the evidence of the mitigation is."""


@dataclass(frozen=True, kw_only=True)
class RuleInfo:
    """What a rule says about the weakness it finds: shared by every finding of the rule.

    :class:`threatforge.rules.RuleMeta` extends it with what the engine needs to run the rule
    (target, scope, scores); an assessment read back from JSON carries this part only.
    """

    id: str
    title: str
    """Rendered with ``{element}`` (the subject's label) and ``{detail}``."""
    description: str
    mitigations: tuple[str, ...]
    cwe: tuple[int, ...] = ()
    stride: tuple[Stride, ...] = ()
    linddun: tuple[Linddun, ...] = ()
    capec: tuple[int, ...] = ()
    asvs: tuple[str, ...] = ()
    api_top10: tuple[str, ...] = ()
    attack: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    domain: str = "generic"
    compliance: tuple[str, ...] = ()
    """Compliance requirements it evidences, e.g. ``pci-dss-4.0:3.5.1``."""
    warn_only: bool = False
    """The rule ships warn-only: its results are reported everywhere but never fail
    ``check --fail-on`` or ``--fail-on-unreviewed`` until it is promoted (docs/rule-versions.md)."""


class RuleFacts:
    """What a result (a finding, an applicable threat) says of its rule, through ``meta``."""

    __slots__ = ()
    meta: RuleInfo

    @property
    def rule(self) -> str:
        """The id of the rule that found it (or whose threat it is)."""
        return self.meta.id

    @property
    def warn_only(self) -> bool:
        """Its rule is warn-only: reported, never failing the gate."""
        return self.meta.warn_only

    @property
    def description(self) -> str:
        return self.meta.description

    @property
    def stride(self) -> tuple[Stride, ...]:
        return self.meta.stride

    @property
    def linddun(self) -> tuple[Linddun, ...]:
        return self.meta.linddun

    @property
    def cwe(self) -> tuple[int, ...]:
        return self.meta.cwe

    @property
    def capec(self) -> tuple[int, ...]:
        return self.meta.capec

    @property
    def asvs(self) -> tuple[str, ...]:
        return self.meta.asvs

    @property
    def api_top10(self) -> tuple[str, ...]:
        return self.meta.api_top10

    @property
    def attack(self) -> tuple[str, ...]:
        return self.meta.attack

    @property
    def mitigations(self) -> tuple[str, ...]:
        return self.meta.mitigations

    @property
    def references(self) -> tuple[str, ...]:
        return self.meta.references

    @property
    def domain(self) -> str:
        return self.meta.domain

    @property
    def compliance(self) -> tuple[str, ...]:
        return self.meta.compliance


@dataclass(frozen=True, kw_only=True)
class Finding(RuleFacts):
    """One threat instance on named elements, scored and explained.

    What the rule says of the weakness in general (description, references, mitigations, the
    catalogue ids) is its rule's, reached through :attr:`meta`; the finding holds what is
    particular to this instance. Findings compare by what was found (the fingerprint names the
    rule), not by which copy of the rule's metadata found it.
    """

    meta: RuleInfo = field(compare=False)
    title: str
    elements: tuple[str, ...]
    fingerprint: str
    likelihood: int
    impact: int
    severity: Severity
    confidence: Confidence
    explanation: str
    evidence: tuple[str, ...]
    data: tuple[str, ...]
    status: TrackingStatus = TrackingStatus.OPEN
    decision: Decision | None = None
    location: Location | None = None
    likelihood_factors: tuple[str, ...] = ()
    impact_factors: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        """Counts against a gate: not accepted, mitigated or a false positive."""
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class ModelGap:
    """A fact the model does not state that rules need: add it to let them decide."""

    element: str
    element_kind: str
    fact: str
    rules: tuple[str, ...]

    @property
    def message(self) -> str:
        count = len(self.rules)
        return (
            f"state `{self.fact}` on {self.element_kind} `{self.element}` to let "
            f"{count} rule{'s' if count != 1 else ''} decide"
        )


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule that raised: reported, and the run went on."""

    rule: str
    element: str | None
    error: str


@dataclass(frozen=True, slots=True)
class StaleDecision:
    """A tracking entry whose fingerprint matches no finding."""

    fingerprint: str
    status: TrackingStatus
    location: Location | None
    moved_to: str | None = None
    """The fingerprint of the finding that stands for this one since its rule regrouped its
    findings (one per root cause): the key to move the decision to (``fmt --fix`` does)."""


@dataclass(frozen=True)
class RuleSummary:
    """How one rule ended on every element it looked at."""

    rule: str
    fired: tuple[str, ...] = ()
    passed: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()

    def outcome_of(self, element_id: str) -> Outcome | None:
        if element_id in self.fired:
            return Outcome.FIRED
        if element_id in self.passed:
            return Outcome.PASSED
        if element_id in self.unknown:
            return Outcome.UNKNOWN
        if any(e == element_id for e, _ in self.skipped):
            return Outcome.SKIPPED
        return None


@dataclass(frozen=True)
class Evidence:
    """A scanner result mapped onto an element (see the SARIF evidence importer)."""

    element: str
    tool: str
    rule_id: str
    cwe: tuple[int, ...]
    message: str
    location: str = ""
    level: str = "warning"
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)
