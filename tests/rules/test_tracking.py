"""Tracking decisions: accepted, expired, mitigated, false positives and stale entries."""

from __future__ import annotations

from datetime import date

import pytest

from threatforge.model import Component, Model, TrackingStatus, load_text
from threatforge.model.diagnostics import Location
from threatforge.rules import (
    PASS,
    Assessment,
    Decision,
    Fire,
    RuleMeta,
    StaleDecision,
    Stride,
    Target,
    Verdict,
    analyze,
    rule,
)

TODAY = date(2026, 1, 1)


def _meta(rule_id: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="{element} has no rate limit",
        description="Test rule for tracking.",
        target=Target.COMPONENT,
        likelihood=3,
        impact=3,
        mitigations=("Throttle.",),
        detection="Test.",
        cwe=(770,),
        stride=(Stride.DENIAL_OF_SERVICE,),
    )


@rule(_meta("no-limit"))
def no_limit(component: Component, model: Model) -> Verdict:
    """Fires on every component that says rate_limit: false."""
    return Fire(("rate_limit: false",)) if component.rate_limit is False else PASS


@rule(_meta("other-rule"))
def other_rule(component: Component, model: Model) -> Verdict:
    """Never fires."""
    return PASS


MODEL = """\
system: {{name: Tracked}}
components:
  api: {{kind: service, rate_limit: false}}
  admin: {{kind: service, rate_limit: false}}
  batch: {{kind: service, rate_limit: true}}
tracking:
{tracking}
"""


def assess(tracking: str, today: date = TODAY, **kwargs: list[str]) -> Assessment:
    model = load_text(MODEL.format(tracking=tracking))
    return analyze(model, [no_limit, other_rule], today=today, **kwargs)


def test_accepted_finding_is_not_open() -> None:
    tracking = (
        '  "no-limit@api": {status: accepted, justification: "CloudFront throttles", '
        "owner: alice, ticket: SEC-1, expires: 2026-06-30}"
    )
    result = assess(tracking)
    api = result.finding("no-limit@api")
    assert api is not None
    assert api.status is TrackingStatus.ACCEPTED
    assert not api.is_open
    assert api.decision == Decision(
        TrackingStatus.ACCEPTED, "CloudFront throttles", "alice", "SEC-1", date(2026, 6, 30), False
    )
    assert [f.fingerprint for f in result.open_findings] == ["no-limit@admin"]
    assert result.warnings == ()
    assert result.stale == ()


def test_accepted_finding_whose_decision_expired_is_open_again_with_a_warning() -> None:
    tracking = (
        '  "no-limit@api": {status: accepted, justification: "until the WAF lands", '
        "expires: 2025-12-31}"
    )
    result = assess(tracking)
    api = result.finding("no-limit@api")
    assert api.status is TrackingStatus.OPEN
    assert api.is_open
    assert api.decision is not None
    assert (api.decision.status, api.decision.expired) == (TrackingStatus.ACCEPTED, True)
    assert result.warnings == (
        "accepted risk 'no-limit@api' expired on 2025-12-31: it is open again; renew the "
        "decision or fix it",
    )


def test_acceptance_is_valid_through_its_expiry_day() -> None:
    tracking = '  "no-limit@api": {status: accepted, justification: "ok", expires: 2026-01-01}'
    on_the_day = assess(tracking, today=date(2026, 1, 1))
    the_day_after = assess(tracking, today=date(2026, 1, 2))
    assert on_the_day.finding("no-limit@api").status is TrackingStatus.ACCEPTED
    assert the_day_after.finding("no-limit@api").status is TrackingStatus.OPEN


@pytest.mark.parametrize(
    ("entry", "status", "is_open"),
    [
        ('{status: mitigated, ticket: SEC-2}', TrackingStatus.MITIGATED, False),
        (
            '{status: false-positive, justification: "internal only"}',
            TrackingStatus.FALSE_POSITIVE,
            False,
        ),
        ("{status: in-progress, owner: bob}", TrackingStatus.IN_PROGRESS, True),
        ("{status: in-discussion}", TrackingStatus.IN_DISCUSSION, True),
        ("{status: open}", TrackingStatus.OPEN, True),
    ],
)
def test_every_status_is_applied(entry: str, status: TrackingStatus, is_open: bool) -> None:
    result = assess(f'  "no-limit@api": {entry}')
    api = result.finding("no-limit@api")
    assert (api.status, api.is_open) == (status, is_open)


def test_an_expired_mitigation_stays_mitigated() -> None:
    result = assess('  "no-limit@api": {status: mitigated, expires: 2025-01-01}')
    api = result.finding("no-limit@api")
    assert api.status is TrackingStatus.MITIGATED
    assert api.decision.expired is True
    assert result.warnings == ()


def test_entry_matching_no_finding_is_stale_with_a_warning() -> None:
    tracking = (
        '  "no-limit@batch": {status: accepted, justification: "old"}\n'
        '  "retired-rule@api": {status: mitigated}'
    )
    result = assess(tracking)
    assert result.stale == (
        StaleDecision(
            "no-limit@batch", TrackingStatus.ACCEPTED, Location("threatmodel.yaml", 7, 3)
        ),
        StaleDecision(
            "retired-rule@api", TrackingStatus.MITIGATED, Location("threatmodel.yaml", 8, 3)
        ),
    )
    assert result.warnings == (
        "tracking entry 'no-limit@batch' matches no finding: the threat is gone or the element "
        "was renamed; remove or update the entry",
        "tracking entry 'retired-rule@api' matches no finding: the threat is gone or the element "
        "was renamed; remove or update the entry",
    )
    assert {f.status for f in result.findings} == {TrackingStatus.OPEN}


def test_entries_about_rules_that_were_not_run_are_not_stale() -> None:
    tracking = (
        '  "no-limit@api": {status: accepted, justification: "ok"}\n'
        '  "other-rule@api": {status: mitigated}\n'
        '  "retired-rule@api": {status: mitigated}'
    )
    result = assess(tracking, only=["other-rule"])
    assert result.findings == ()
    assert [s.fingerprint for s in result.stale] == [
        "other-rule@api",
        "retired-rule@api",
    ]
    skipped = assess(tracking, skip=["no-limit"])
    assert [s.fingerprint for s in skipped.stale] == [
        "other-rule@api",
        "retired-rule@api",
    ]


def test_tracking_changes_status_but_not_the_score() -> None:
    plain = assess('  "other-rule@x": {status: open}')
    accepted = assess('  "no-limit@api": {status: accepted, justification: "ok"}')
    before = plain.finding("no-limit@api")
    after = accepted.finding("no-limit@api")
    assert (after.severity, after.likelihood, after.impact) == (
        before.severity,
        before.likelihood,
        before.impact,
    )
    assert accepted.count_by_severity()[after.severity] == 1
    assert accepted.count_by_severity(open_only=False)[after.severity] == 2


def test_a_stale_key_with_a_typo_is_told_the_fingerprint_it_most_likely_meant() -> None:
    # the trial: a decision pasted by hand with a letter missing, left open by the gate
    result = assess('  "no-limt@admin": {status: accepted, justification: "internal only"}')
    assert result.warnings == (
        "tracking entry 'no-limt@admin' matches no finding: the threat is gone or the element "
        "was renamed; remove or update the entry — did you mean 'no-limit@admin'?",
    )
    assert result.finding("no-limit@admin").status is TrackingStatus.OPEN


def test_the_hint_names_a_finding_without_a_decision_and_only_a_close_one() -> None:
    tracking = (
        '  "no-limit@admin": {status: mitigated}\n'
        '  "no-limit@ap1": {status: mitigated}\n'
        '  "no-limit@batch": {status: mitigated}'
    )
    result = assess(tracking)
    assert result.warnings == (
        "tracking entry 'no-limit@ap1' matches no finding: the threat is gone or the element "
        "was renamed; remove or update the entry — did you mean 'no-limit@api'?",
        "tracking entry 'no-limit@batch' matches no finding: the threat is gone or the element "
        "was renamed; remove or update the entry",
    )


def test_a_stale_key_with_a_typo_is_told_the_applicable_threat_it_most_likely_meant() -> None:
    # the refund service states no weakness: its results are applicable threats, not findings
    from pathlib import Path

    from threatforge.rules import analyze

    example = Path(__file__).resolve().parents[2] / "examples/refund-service/threatmodel.yaml"
    text = example.read_text(encoding="utf-8").replace(
        "tracking: {}\n",
        "tracking:\n  pay-amount-tampering@refund-apl:\n    status: not-applicable\n"
        "    justification: amounts come from the ledger\n    owner: sec\n"
        "    expires: 2026-06-01\n",
        1,
    )
    result = analyze(load_text(text, str(example)), today=TODAY)
    assert [s.fingerprint for s in result.stale] == ["pay-amount-tampering@refund-apl"]
    assert result.warnings[-1] == (
        "tracking entry 'pay-amount-tampering@refund-apl' matches no finding: the threat is gone "
        "or the element was renamed; remove or update the entry — did you mean "
        "'pay-amount-tampering@refund-api'?"
    )
