"""The result of analysing a model: findings, outcomes per rule, model gaps, rule errors, and
the graph analyses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from threatforge.analysis.implied import ImpliedElement
from threatforge.assessment._analyses import ANALYSES_NOT_RUN, Analyses
from threatforge.assessment._results import (
    Finding,
    ModelGap,
    RuleFailure,
    RuleSummary,
    Severity,
    StaleDecision,
)
from threatforge.assessment._team_threats import TeamThreat
from threatforge.assessment._threats import ApplicableThreat, RuledOut

__all__ = ["Assessment"]


@dataclass(frozen=True)
class Assessment:
    """Everything :func:`threatforge.analyze` found. Pure data: exporters render it."""

    system: str
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    summaries: tuple[RuleSummary, ...]
    gaps: tuple[ModelGap, ...]
    rule_errors: tuple[RuleFailure, ...]
    stale: tuple[StaleDecision, ...]
    warnings: tuple[str, ...]
    rules_run: tuple[str, ...]
    as_of: str
    """The date tracking decisions were judged against (ISO format)."""
    analyses: Analyses = ANALYSES_NOT_RUN
    """Attack paths, PCI DSS scope and blast radius, each with how it ended."""
    applicable_threats: tuple[ApplicableThreat, ...] = ()
    """Threats that apply and that no stated fact rules out yet, each with its question."""
    ruled_out: tuple[RuledOut, ...] = ()
    """Threats that would apply, ruled out by a stated fact (the evidence)."""
    team_threats: tuple[TeamThreat, ...] = ()
    """Threats the team wrote under ``threats:`` (docs/team-threats.md), in model order."""

    @property
    def open_team_threats(self) -> tuple[TeamThreat, ...]:
        """Team threats nobody decided away yet: what ``check --fail-on`` counts beside
        findings."""
        return tuple(t for t in self.team_threats if t.is_open)

    def team_threat(self, fingerprint: str) -> TeamThreat | None:
        """The team threat with this fingerprint (``team-threat@<id>``), or None."""
        for threat in self.team_threats:
            if threat.fingerprint == fingerprint:
                return threat
        return None
    implied: tuple[ImpliedElement, ...] = ()
    """Elements the model does not draw that its components imply (a merchant dashboard, a
    domain and certificate, staff laptops, build runners), each with the component implying it."""
    moved: tuple[tuple[str, str], ...] = ()
    """(former fingerprint, new fingerprint) for each fingerprint the model names (a tracking
    key, a control's ``mitigates:`` entry) that its rule now reports under another: regrouped
    results, or a fingerprint change the rules changelog records (``fmt --fix`` rewrites them)."""

    @property
    def open_threats(self) -> tuple[ApplicableThreat, ...]:
        """Applicable threats nobody decided away yet (see :attr:`ApplicableThreat.is_open`)."""
        return tuple(t for t in self.applicable_threats if t.is_open)

    def threat(self, fingerprint: str) -> ApplicableThreat | None:
        """The applicable threat with this fingerprint, or None."""
        for threat in self.applicable_threats:
            if threat.fingerprint == fingerprint:
                return threat
        return None

    def threats_at_or_above(
        self, threshold: Severity, *, open_only: bool = True
    ) -> tuple[ApplicableThreat, ...]:
        """Applicable threats whose severity is at least ``threshold``."""
        pool = self.open_threats if open_only else self.applicable_threats
        return tuple(t for t in pool if t.severity.rank >= threshold.rank)

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        """Findings that count against a gate (see :attr:`Finding.is_open`)."""
        return tuple(f for f in self.findings if f.is_open)

    def count_by_severity(self, *, open_only: bool = True) -> dict[Severity, int]:
        """Findings per severity, every severity present (zero when none)."""
        pool = self.open_findings if open_only else self.findings
        counts = Counter(f.severity for f in pool)
        return {s: counts.get(s, 0) for s in Severity}

    def at_or_above(self, threshold: Severity, *, open_only: bool = True) -> tuple[Finding, ...]:
        """Findings whose severity is at least ``threshold``."""
        pool = self.open_findings if open_only else self.findings
        return tuple(f for f in pool if f.severity.rank >= threshold.rank)

    def finding(self, fingerprint: str) -> Finding | None:
        """The finding with this fingerprint, or None."""
        for finding in self.findings:
            if finding.fingerprint == fingerprint:
                return finding
        return None

    def summary_of(self, rule_id: str) -> RuleSummary | None:
        """How a rule ended on each element it looked at, or None when it did not run."""
        for summary in self.summaries:
            if summary.rule == rule_id:
                return summary
        return None

    @property
    def fingerprints(self) -> frozenset[str]:
        """The fingerprints of every finding (open or not)."""
        return frozenset(f.fingerprint for f in self.findings)
