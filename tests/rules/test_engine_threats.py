"""The engine reports applicable threats from Unknown verdicts of rules that ask questions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from threatforge.assessment import (
    DECISION_STATUSES,
    Answer,
    ApplicableThreat,
    DecisionStatus,
    Question,
    QuestionFact,
    RuledOut,
    Severity,
)
from threatforge.model import Component, Model, ModelError, load, load_text
from threatforge.rules import (
    PASS,
    Ask,
    AskFact,
    Fire,
    RuleMeta,
    Stride,
    Supersedes,
    Target,
    Unknown,
    Verdict,
    analyze,
    builtin_rules,
    rule,
)
from threatforge.rules import RuledOut as RuledOutVerdict

TODAY = date(2026, 1, 1)
REFUNDS = """\
system: {name: Refunds}
boundaries:
  app: {kind: subnet, trust: trusted}
  corp: {kind: corporate, trust: semi-trusted}
components:
  clerk: {kind: actor, zone: corp}
  refund-fn: {kind: function, name: Refund function, zone: app}
  other-fn: {kind: function, zone: app}
flows:
  - clerk -> refund-fn: {protocol: https}
"""
RULES = [r for r in builtin_rules() if r.id == "pay-refund-without-dual-approval"]


def test_an_unstated_deciding_fact_is_an_applicable_threat_with_its_question() -> None:
    assessment = analyze(load_text(REFUNDS), RULES, today=TODAY)
    assert assessment.findings == ()
    (threat,) = assessment.applicable_threats
    assert threat.fingerprint == "pay-refund-without-dual-approval@refund-fn"
    assert threat.rule == "pay-refund-without-dual-approval"
    assert threat.elements == ("refund-fn",)
    assert threat.title == (
        "One person (an insider or a stolen account) may issue refunds through Refund function "
        "alone"
    )
    assert threat.why == (
        "issues refunds ('refund' in its id: refund-fn)", "staff start refunds here (clerk)"
    )
    assert threat.question == Question(
        "Do refunds through Refund function need a second person's approval (maker-checker)?",
        (
            QuestionFact(
                "refund-fn",
                "properties.dual_approval",
                (("true", Answer.RULES_OUT), ("false", Answer.CONFIRMS)),
            ),
        ),
    )
    assert threat.question.describe() == (
        "Do refunds through Refund function need a second person's approval (maker-checker)? "
        "(state `properties.dual_approval` on `refund-fn`: true rules it out; false confirms it)"
    )
    assert threat.confidence == "not-confirmed"
    assert threat.status is DecisionStatus.OPEN
    assert (threat.likelihood, threat.impact, threat.severity) == (3, 4, Severity.ELEVATED)
    assert threat.meta.stride == (
        Stride.ELEVATION_OF_PRIVILEGE, Stride.REPUDIATION
    )
    # the fact is still a model gap: the rule could not decide
    assert [(g.element, g.fact, g.rules) for g in assessment.gaps] == [
        ("refund-fn", "properties.dual_approval", ("pay-refund-without-dual-approval",))
    ]
    summary = assessment.summary_of("pay-refund-without-dual-approval")
    assert summary is not None and summary.unknown == ("refund-fn",)


def test_stating_the_weak_value_turns_the_threat_into_the_finding_with_its_fingerprint() -> None:
    text = REFUNDS.replace("zone: app}", "zone: app, properties: {dual_approval: false}}", 1)
    assessment = analyze(load_text(text), RULES, today=TODAY)
    assert assessment.applicable_threats == ()
    assert [f.fingerprint for f in assessment.findings] == [
        "pay-refund-without-dual-approval@refund-fn"
    ]


def test_stating_the_safe_value_rules_it_out_with_the_evidence() -> None:
    text = REFUNDS.replace("zone: app}", "zone: app, properties: {dual_approval: true}}", 1)
    assessment = analyze(load_text(text), RULES, today=TODAY)
    assert assessment.applicable_threats == ()
    assert assessment.findings == ()
    assert assessment.ruled_out == (
        RuledOut(
            "pay-refund-without-dual-approval",
            "pay-refund-without-dual-approval@refund-fn",
            ("refund-fn",),
            "Refunds through Refund function need only one person's approval",
            ("properties.dual_approval: true",),
        ),
    )
    assert assessment.ruled_out[0].message == "ruled out by properties.dual_approval: true"
    summary = assessment.summary_of("pay-refund-without-dual-approval")
    assert summary is not None and summary.passed == ("refund-fn",)


def test_a_tracking_decision_applies_to_a_threat_by_its_fingerprint() -> None:
    text = REFUNDS + (
        "tracking:\n"
        "  pay-refund-without-dual-approval@refund-fn:\n"
        "    {status: not-applicable, justification: refunds are automatic and no staff issue them,"
        " owner: alice, expires: 2026-06-30}\n"
    )
    assessment = analyze(load_text(text), RULES, today=TODAY)
    (threat,) = assessment.applicable_threats
    assert threat.status is DecisionStatus.NOT_APPLICABLE
    assert threat.decision is not None and threat.decision.owner == "alice"
    assert not threat.is_open
    assert assessment.open_threats == ()
    assert assessment.stale == ()
    assert assessment.warnings == ()


def test_an_expired_acceptance_of_a_threat_opens_it_again() -> None:
    text = REFUNDS + (
        "tracking:\n"
        "  pay-refund-without-dual-approval@refund-fn:\n"
        "    {status: accepted, justification: low volume, owner: bob, expires: 2025-12-01}\n"
    )
    assessment = analyze(load_text(text), RULES, today=TODAY)
    (threat,) = assessment.applicable_threats
    assert threat.status is DecisionStatus.OPEN
    assert assessment.warnings == (
        "accepted risk 'pay-refund-without-dual-approval@refund-fn' expired on 2025-12-01: it "
        "is open again; renew the decision or fix it",
    )


def test_not_applicable_needs_a_reason() -> None:
    text = REFUNDS + (
        "tracking:\n  pay-refund-without-dual-approval@refund-fn: {status: not-applicable}\n"
    )
    with pytest.raises(ModelError, match="a 'not-applicable' decision needs a 'justification'"):
        load_text(text)


def test_the_decision_vocabulary_is_the_one_the_issue_names() -> None:
    assert [s.value for s in DECISION_STATUSES] == [
        "open", "in-discussion", "in-progress", "mitigated", "accepted", "false-positive",
        "not-applicable",
    ]
    assert set(DECISION_STATUSES) == set(DecisionStatus)


_ASK = Ask("Is {element} signed?", (AskFact("signed", confirms=("false",), rules_out=("true",)),),
           threat="{element} may be forged")


def _meta(rule_id: str, **extra: object) -> RuleMeta:
    return RuleMeta(
        id=rule_id, title="{element} is not signed", description="d", mitigations=("m",),
        target=Target.COMPONENT, likelihood=2, impact=2, detection="any component",
        **extra,  # type: ignore[arg-type]
    )


@rule(_meta("test-asks", asks=(_ASK,)))
def _asks(component: Component, model: Model) -> Verdict:
    return Unknown(("signed", "other"), why=("it is a component",))


@rule(_meta("test-no-asks"))
def _no_asks(component: Component, model: Model) -> Verdict:
    return Unknown(("signed",), why=("it is a component",))


@rule(_meta("test-asks-else", asks=(_ASK,)))
def _asks_else(component: Component, model: Model) -> Verdict:
    return Unknown(("other",), why=("it is a component",))


@rule(_meta("test-supersedes", supersedes=(Supersedes("test-asks"),)))
def _supersedes(component: Component, model: Model) -> Verdict:
    return Fire(("x",)) if component.id == "a" else PASS


@rule(_meta("test-rules-out", asks=(_ASK,)))
def _rules_out(component: Component, model: Model) -> Verdict:
    return RuledOutVerdict(("signed: true",))


ONE = load_text("system: {name: S}\ncomponents:\n  a: {kind: service}\n  b: {kind: service}\n")


def test_only_rules_that_ask_about_the_unknown_fact_report_threats() -> None:
    assessment = analyze(ONE, [_asks, _no_asks, _asks_else], today=TODAY)
    assert [(t.fingerprint, t.title, t.question.text, [f.path for f in t.question.facts])
            for t in assessment.applicable_threats] == [
        ("test-asks@a", "a may be forged", "Is a signed?", ["signed"]),
        ("test-asks@b", "b may be forged", "Is b signed?", ["signed"]),
    ]


def test_a_superseded_rule_asks_nothing_where_the_superseding_rule_fired() -> None:
    assessment = analyze(ONE, [_asks, _supersedes], today=TODAY)
    assert [t.fingerprint for t in assessment.applicable_threats] == ["test-asks@b"]
    assert [f.fingerprint for f in assessment.findings] == ["test-supersedes@a"]


def test_ruled_out_verdicts_pass_and_are_kept_as_evidence() -> None:
    assessment = analyze(ONE, [_rules_out], today=TODAY)
    assert [(r.fingerprint, r.message) for r in assessment.ruled_out] == [
        ("test-rules-out@a", "ruled out by signed: true"),
        ("test-rules-out@b", "ruled out by signed: true"),
    ]
    summary = assessment.summary_of("test-rules-out")
    assert summary is not None and summary.passed == ("a", "b")


def test_threats_are_a_result_kind_of_their_own() -> None:
    assert not issubclass(ApplicableThreat, type(analyze(ONE, [], today=TODAY)))


def test_authentication_stated_on_a_flow_counts_for_the_call() -> None:
    fixture = Path(__file__).parent / "fixtures" / "unauthenticated-from-another-zone"
    rules = [r for r in builtin_rules() if r.id == "unauthenticated-from-another-zone"]
    assessment = analyze(load(fixture / "applicable.yaml"), rules, today=TODAY)
    assert [(r.fingerprint, r.message) for r in assessment.ruled_out] == [
        ("unauthenticated-from-another-zone@wiki", "ruled out by flow engineer->wiki authn: oidc"),
    ]
    (threat,) = assessment.applicable_threats
    assert threat.why == ("reached by 'engineer' (zone corp)", "not exposed to the internet")


PARTNER_API = Path(__file__).resolve().parents[2] / "examples" / "partner-api" / "threatmodel.yaml"


def test_a_threat_not_confirmed_is_at_most_high_and_critical_once_confirmed() -> None:
    # issue 15 item 5: a missing fact is a question, never a critical weakness
    fingerprint = "idp-admin-mfa-not-enforced@workforce-idp"
    asked = analyze(load(PARTNER_API), today=TODAY)
    (threat,) = [t for t in asked.applicable_threats if t.fingerprint == fingerprint]
    assert (threat.likelihood, threat.impact, threat.severity) == (4, 5, Severity.HIGH)
    assert threat.explanation == (
        "High (a threat not confirmed is at most high; critical once confirmed): likelihood 4/5 "
        "(base 3; +1 'workforce-idp' is an entry point), impact 5/5 (base 5; +1 restricted data "
        "'staff-credentials')."
    )
    text = PARTNER_API.read_text(encoding="utf-8").replace(
        "    mfa: true\n    logging: {enabled: true, audit: true}\n"
        "    processes: [staff-credentials, access-tokens]\n",
        "    mfa: true\n    logging: {enabled: true, audit: true}\n"
        "    processes: [staff-credentials, access-tokens]\n"
        "    properties: {mfa_enforced_for_admins: false}\n",
        1,
    )
    confirmed = analyze(load_text(text, str(PARTNER_API)), today=TODAY)
    (finding,) = [f for f in confirmed.findings if f.fingerprint == fingerprint]
    assert finding.severity is Severity.CRITICAL
