"""Share the rules of one run among forked worker processes.

The parent first works out every rule's scope (:meth:`_Run.scope`): that builds the model's
indexes once, before the fork, so that every worker inherits them instead of building them
again, and it tells how much work each rule is. The rules are then dealt out by that estimate
(longest first, to the least loaded share) and evaluated by :func:`threatforge._fork.fork_map`.
Each worker sends back, per rule, only what the rule added (a :class:`RuleOutcome`) as JSON; the
fields of a finding that come from the rule's metadata are not sent but taken from the parent's
copy of the rule. Outcomes are put back in the order of the rules, so the assessment is the one a
single process would build.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from threatforge._fork import fork_map
from threatforge.model import Location, TrackingStatus
from threatforge.rules.engine import RuleOutcome
from threatforge.rules.interface import (
    Confidence,
    Finding,
    Rule,
    RuleFailure,
    RuleSummary,
    Severity,
    Target,
)

if TYPE_CHECKING:
    from threatforge.rules.engine import _Run

__all__ = ["deal", "evaluate_in_parallel"]

MODEL_RULE_COST = 1.5
"""A model-level rule (attack paths, PCI scope) costs about as much as an element rule evaluated
on this many times every component and flow (measured on generated models of 2,000 to 10,000
components)."""


def evaluate_in_parallel(run: _Run, rules: Sequence[Rule], jobs: int) -> list[RuleOutcome]:
    """Every rule's outcome, in the order of ``rules``, evaluated by up to ``jobs`` processes."""
    model = run.model
    everything = len(model.components) + len(model.flows)
    costs = [
        int(everything * MODEL_RULE_COST) if rule.meta.target is Target.MODEL
        else len(run.scope(rule)) + 1
        for rule in rules
    ]
    shares = deal(costs, jobs)

    def evaluate(share: list[int]) -> list[tuple[int, RuleOutcome]]:
        return [(index, run.outcome(rules[index])) for index in share]

    def decode(payload: bytes) -> list[tuple[int, RuleOutcome]]:
        return [(index, _decode(rules[index], sent)) for index, sent in json.loads(payload)]

    outcomes: dict[int, RuleOutcome] = {}
    for share in fork_map(evaluate, shares, _encode, decode):
        outcomes.update(share)
    return [outcomes[index] for index in range(len(rules))]


def deal(costs: Sequence[int], jobs: int) -> list[list[int]]:
    """The indexes of ``costs`` dealt into at most ``jobs`` shares of about equal total cost
    (longest first, each to the least loaded share), each share in index order; no empty
    share."""
    totals = [0] * max(1, min(jobs, len(costs)))
    shares: list[list[int]] = [[] for _ in totals]
    for index in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        least = min(range(len(totals)), key=lambda s: (totals[s], s))
        totals[least] += costs[index]
        shares[least].append(index)
    return [sorted(share) for share in shares if share]


# --- the wire format: JSON, one entry per rule ------------------------------------------------


def _encode(outcomes: list[tuple[int, RuleOutcome]]) -> bytes:
    return json.dumps(
        [[index, _outcome_fields(outcome)] for index, outcome in outcomes],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _outcome_fields(outcome: RuleOutcome) -> list[Any]:
    summary = outcome.summary
    return [
        [summary.fired, summary.passed, summary.unknown, summary.skipped],
        [_finding_fields(f) for f in outcome.findings],
        [[f.element, f.error] for f in outcome.failures],
        [[element, fact, kind] for element, fact, kind, _ in outcome.unknowns],
    ]


def _finding_fields(finding: Finding) -> list[Any]:
    """What a finding adds to its rule's metadata (see :func:`_decode_finding`)."""
    location = finding.location
    return [
        finding.title,
        finding.elements,
        finding.fingerprint,
        finding.likelihood,
        finding.impact,
        finding.severity.value,
        finding.confidence.value,
        finding.explanation,
        finding.evidence,
        finding.data,
        None if location is None else [location.file, location.line, location.column],
        finding.likelihood_factors,
        finding.impact_factors,
    ]


def _decode(rule: Rule, sent: list[Any]) -> RuleOutcome:
    (fired, passed, unknown, skipped), findings, failures, unknowns = sent
    return RuleOutcome(
        RuleSummary(
            rule.id,
            tuple(fired),
            tuple(passed),
            tuple(unknown),
            tuple((element, reason) for element, reason in skipped),
        ),
        [_decode_finding(rule, fields) for fields in findings],
        [RuleFailure(rule.id, element, error) for element, error in failures],
        [(element, fact, kind, rule.id) for element, fact, kind in unknowns],
    )


def _decode_finding(rule: Rule, fields: list[Any]) -> Finding:
    (
        title, elements, fingerprint, likelihood, impact, severity, confidence, explanation,
        evidence, data, location, likelihood_factors, impact_factors,
    ) = fields
    meta = rule.meta
    return Finding(
        meta.id,
        title,
        meta.description,
        tuple(elements),
        fingerprint,
        meta.stride,
        meta.linddun,
        meta.cwe,
        meta.capec,
        meta.asvs,
        meta.api_top10,
        meta.attack,
        likelihood,
        impact,
        Severity(severity),
        Confidence(confidence),
        explanation,
        tuple(evidence),
        meta.mitigations,
        meta.references,
        tuple(data),
        meta.domain,
        meta.compliance,
        TrackingStatus.OPEN,
        None,
        None if location is None else Location(*location),
        tuple(likelihood_factors),
        tuple(impact_factors),
    )
