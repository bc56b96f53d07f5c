"""The engine: exact findings, outcomes per rule and element, model gaps, rule errors, stability."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from threatforge.model import Component, ComponentKind, Model, load, load_text
from threatforge.rules import (
    PASS,
    Finding,
    Fire,
    ModelGap,
    Outcome,
    Rule,
    RuleFailure,
    RuleMeta,
    RuleSummary,
    Skip,
    Stride,
    Target,
    Unknown,
    Verdict,
    analyze,
    builtin_rules,
    rule,
)
from threatforge.rules.engine import render_title

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)
BUILTIN = {r.id: r for r in builtin_rules()}


def rules(*ids: str) -> list[Rule]:
    return [BUILTIN[i] for i in ids]


def meta(rule_id: str, target: Target = Target.COMPONENT, **extra: Any) -> RuleMeta:
    fields: dict[str, Any] = {
        "id": rule_id,
        "title": "{element} test finding",
        "description": "A rule written for the engine tests.",
        "target": target,
        "likelihood": 3,
        "impact": 3,
        "mitigations": ("Fix it.",),
        "detection": "Test detection.",
        "cwe": (20,),
        "stride": (Stride.TAMPERING,),
    }
    fields.update(extra)
    return RuleMeta(**fields)


LEDGER = """\
system: {name: Ledger, criticality: high}
data:
  ledger-entries: {classification: restricted, categories: [financial]}
boundaries:
  internet: {trust: untrusted}
  core: {trust: trusted}
components:
  teller: {kind: actor, zone: internet}
  api: {kind: service, zone: core, exposure: public, authn: none}
  ledger-db: {kind: datastore, zone: core, stores: [ledger-entries]}
flows:
  - teller -> api: {protocol: http, authn: none, data: [ledger-entries]}
  - api -> ledger-db: {protocol: postgres, tls: true, authn: iam}
"""

LEDGER_RULES = (
    "unauthenticated-exposed-service",
    "unauthenticated-boundary-crossing",
    "cleartext-sensitive-flow",
    "unprotected-boundary-crossing",
    "store-unencrypted-at-rest",
    "restricted-data-provider-key",
    "missing-audit-logging",
)


def ledger() -> Model:
    return load_text(LEDGER)


# --- exact findings ---------------------------------------------------------------------------


def test_exact_findings_in_severity_order() -> None:
    assessment = analyze(ledger(), rules(*LEDGER_RULES), today=TODAY)
    found = [(f.fingerprint, f.severity.value, f.likelihood, f.impact) for f in assessment.findings]
    assert found == [
        ("cleartext-sensitive-flow@teller->api", "critical", 4, 5),
        ("unauthenticated-boundary-crossing@teller->api", "critical", 5, 4),
        ("unauthenticated-exposed-service@api", "critical", 5, 4),
    ]
    # The clear-text flow carries sensitive data, so cleartext-sensitive-flow reports it alone.
    summary = assessment.summary_of("unprotected-boundary-crossing")
    assert summary is not None
    assert summary.skipped == (("teller->api", "superseded by cleartext-sensitive-flow"),)
    # api->ledger-db stays inside one zone: out of the rule's scope (crosses: boundary), so it is
    # neither passed nor skipped
    assert summary.passed == ()
    assert summary.outcome_of("api->ledger-db") is None
    assert assessment.rule_errors == ()
    assert assessment.rules_run == LEDGER_RULES
    assert assessment.as_of == "2026-01-01"
    assert assessment.system == "Ledger"


def test_finding_carries_rule_metadata_evidence_and_location() -> None:
    finding = analyze(ledger(), rules("unauthenticated-exposed-service"), today=TODAY).findings[0]
    assert finding.rule == "unauthenticated-exposed-service"
    assert finding.title == "api accepts requests from untrusted callers without authentication"
    assert finding.elements == ("api",)
    assert finding.evidence == ("exposure: public", "authn: none")
    assert finding.cwe == (306,)
    assert finding.stride == (Stride.SPOOFING, Stride.ELEVATION_OF_PRIVILEGE)
    assert finding.api_top10 == ("API2:2023",)
    assert finding.data == ("ledger-entries",)
    assert finding.status.value == "open"
    assert finding.decision is None
    assert finding.location is not None
    assert (finding.location.file, finding.location.line) == ("threatmodel.yaml", 9)


def test_every_field_of_a_finding_comes_from_its_own_source() -> None:
    # What the rule says in general is reached through the rule's metadata, not copied.
    (item,) = rules("unauthenticated-exposed-service")
    meta = item.meta
    finding = analyze(ledger(), [item], today=TODAY).findings[0]
    assert finding.meta is meta
    assert [f.name for f in dataclasses.fields(Finding)] == [
        "meta", "title", "elements", "fingerprint", "likelihood", "impact", "severity",
        "confidence", "explanation", "evidence", "data", "status", "decision", "location",
        "likelihood_factors", "impact_factors",
    ]
    assert (finding.rule, finding.description, finding.fingerprint) == (
        meta.id, meta.description, "unauthenticated-exposed-service@api",
    )
    assert (finding.stride, finding.linddun, finding.cwe, finding.capec, finding.asvs) == (
        meta.stride, meta.linddun, meta.cwe, meta.capec, meta.asvs,
    )
    assert (finding.api_top10, finding.attack, finding.mitigations, finding.references) == (
        meta.api_top10, meta.attack, meta.mitigations, meta.references,
    )
    assert (finding.domain, finding.compliance, finding.confidence) == (
        meta.domain, meta.compliance, meta.confidence,
    )
    assert (finding.likelihood, finding.impact, finding.severity.value) == (5, 4, "critical")
    assert finding.likelihood_factors == ("base 4", "+1 'api' is an entry point")
    assert finding.impact_factors == ("base 3", "+1 restricted data 'ledger-entries'")
    assert finding.explanation == (
        "Critical: likelihood 5/5 (base 4; +1 'api' is an entry point), impact 4/5 (base 3; +1 "
        "restricted data 'ledger-entries')."
    )
    assert (finding.status.value, finding.decision) == ("open", None)


# --- outcomes per rule and element ------------------------------------------------------------


@rule(meta("test-logging", kinds=frozenset({ComponentKind.SERVICE, ComponentKind.DATASTORE})))
def logging_rule(component: Component, model: Model) -> Verdict:
    """Fires when logging is off; unknown when not stated; skips legacy components."""
    if "legacy" in component.tags:
        return Skip("legacy component")
    if component.logging is None:
        return Unknown(("logging",))
    return PASS if component.logging.enabled else Fire(("logging disabled",))


OUTCOMES = """\
system: {name: Outcomes}
components:
  a: {kind: service, logging: true}
  b: {kind: service, logging: false}
  c: {kind: datastore}
  d: {kind: service, tags: [legacy]}
  e: {kind: actor}
"""


def test_summary_lists_fired_passed_unknown_and_skipped_elements() -> None:
    assessment = analyze(load_text(OUTCOMES), [logging_rule], today=TODAY)
    summary = assessment.summary_of("test-logging")
    assert summary == RuleSummary(
        "test-logging",
        fired=("b",),
        passed=("a",),
        unknown=("c",),
        skipped=(("d", "legacy component"),),
    )
    assert [summary.outcome_of(e) for e in "abcde"] == [
        Outcome.PASSED,
        Outcome.FIRED,
        Outcome.UNKNOWN,
        Outcome.SKIPPED,
        None,  # an actor is outside the rule's kinds: not evaluated at all
    ]
    assert assessment.fingerprints == {"test-logging@b"}
    assert assessment.summary_of("no-such-rule") is None


# --- model gaps -------------------------------------------------------------------------------


# missing-audit-logging asks for `logging` only where actions need attributing (an admin
# interface here); on the store and on a teller API nobody administers it does not ask.
ADMIN_LEDGER = LEDGER.replace(
    "exposure: public, authn: none}", "exposure: public, authn: none, admin: true}"
)


def test_model_gaps_are_aggregated_per_element_and_fact() -> None:
    assessment = analyze(load_text(ADMIN_LEDGER), rules(*LEDGER_RULES), today=TODAY)
    assert assessment.gaps == (
        ModelGap(
            "ledger-db",
            "datastore",
            "encryption.at_rest",
            ("restricted-data-provider-key", "store-unencrypted-at-rest"),
        ),
        ModelGap("api", "service", "logging", ("missing-audit-logging",)),
    )
    assert [g.message for g in assessment.gaps] == [
        "state `encryption.at_rest` on datastore `ledger-db` to let 2 rules decide",
        "state `logging` on service `api` to let 1 rule decide",
    ]


def test_stating_the_fact_closes_the_gap_and_decides() -> None:
    fixed = ADMIN_LEDGER.replace(
        "stores: [ledger-entries]}",
        "stores: [ledger-entries], encryption: {at_rest: kms}}",
    )
    assessment = analyze(load_text(fixed), rules(*LEDGER_RULES), today=TODAY)
    assert [g.fact for g in assessment.gaps] == ["logging"]
    assert "restricted-data-provider-key@ledger-db" in assessment.fingerprints
    summary = assessment.summary_of("store-unencrypted-at-rest")
    assert summary is not None
    assert summary.passed == ("ledger-db",)


def test_gap_on_a_flow_names_the_flow() -> None:
    text = LEDGER.replace("{protocol: http, authn: none,", "{protocol: https,")
    assessment = analyze(load_text(text), rules("unauthenticated-boundary-crossing"), today=TODAY)
    assert [g.message for g in assessment.gaps] == [
        "state `authn` on flow `teller->api` to let 1 rule decide"
    ]
    assert assessment.findings == ()


# --- broken rules -----------------------------------------------------------------------------


@rule(meta("test-raises"))
def raising_rule(component: Component, model: Model) -> Verdict:
    """Raises on component b, passes elsewhere."""
    if component.id == "b":
        raise RuntimeError("boom")
    return PASS


def test_a_rule_that_raises_is_reported_and_the_others_still_run() -> None:
    assessment = analyze(load_text(OUTCOMES), [raising_rule, logging_rule], today=TODAY)
    assert assessment.rule_errors == (RuleFailure("test-raises", "b", "RuntimeError: boom"),)
    assert assessment.fingerprints == {"test-logging@b"}
    summary = assessment.summary_of("test-raises")
    assert summary is not None
    assert summary.passed == ("a", "c", "d", "e")


def _rule_returning(rule_id: str, result: object, target: Target = Target.COMPONENT) -> Rule:
    def check(element: object, model: Model) -> Any:
        return result

    return Rule(meta(rule_id, target), check)


@pytest.mark.parametrize(
    ("result", "error"),
    [
        (None, "returned NoneType, not a verdict (Fire, PASS, Unknown, Skip or RuledOut)"),
        (True, "returned bool, not a verdict (Fire, PASS, Unknown, Skip or RuledOut)"),
        ("fire", "returned str, not a verdict (Fire, PASS, Unknown, Skip or RuledOut)"),
        ([PASS, "x"], "returned str among its verdicts, not Fire, PASS, Unknown, Skip or RuledOut"),
    ],
)
def test_a_rule_returning_something_else_than_verdicts_is_a_rule_error(
    result: object, error: str
) -> None:
    model = load_text("system: {name: S}\ncomponents:\n  a: {kind: service}\n")
    assessment = analyze(model, [_rule_returning("test-bad-return", result)], today=TODAY)
    assert assessment.rule_errors == (RuleFailure("test-bad-return", "a", error),)
    assert assessment.summary_of("test-bad-return") == RuleSummary("test-bad-return")


def test_a_generator_rule_is_iterated_and_its_errors_reported() -> None:
    def check(component: Component, model: Model) -> Iterator[Verdict]:
        yield Fire(("first",))
        if component.id == "b":
            raise TypeError("bad comparison")

    model = load_text("system: {name: S}\ncomponents:\n  a: {kind: service}\n  b: {kind: actor}\n")
    assessment = analyze(model, [Rule(meta("test-generator"), check)], today=TODAY)
    assert assessment.fingerprints == {"test-generator@a"}
    assert assessment.rule_errors == (
        RuleFailure("test-generator", "b", "TypeError: bad comparison"),
    )


def test_firing_on_an_element_the_model_does_not_have_is_a_rule_error() -> None:
    model = load_text("system: {name: S}\ncomponents:\n  a: {kind: service}\n")
    broken = _rule_returning("test-ghost", Fire(("x",), elements=("ghost",)))
    assessment = analyze(model, [broken], today=TODAY)
    assert assessment.rule_errors == (
        RuleFailure("test-ghost", "a", "fired on 'ghost', which is not an element of the model"),
    )
    assert assessment.findings == ()


def test_a_title_that_does_not_render_keeps_the_finding() -> None:
    model = load_text("system: {name: S}\ncomponents:\n  a: {kind: service, name: Alpha}\n")
    odd = Rule(meta("test-title", title="{element} uses {oops} and {0"), lambda e, m: Fire(("x",)))
    assessment = analyze(model, [odd], today=TODAY)
    assert assessment.rule_errors == ()
    assert [f.title for f in assessment.findings] == ["{element} uses {oops} and {0"]
    assert render_title("{element} uses {oops}", "Alpha") == "Alpha uses {oops}"
    assert render_title("{element}  on\n {detail}", "Alpha", "port 80") == "Alpha on port 80"


def test_render_title_never_applies_a_format_spec_conversion_or_attribute() -> None:
    # a rule built in code (a plugin) is not validated like a pack: the spec is kept as text
    assert render_title("{element:>1500000000} x", "Alpha") == "{element:>1500000000} x"
    assert render_title("{element!r} {detail:{element}}", "Alpha", "d") == (
        "{element!r} {detail:{element}}"
    )
    assert render_title("{element.__class__} {element[0]}", "Alpha") == (
        "{element.__class__} {element[0]}"
    )
    assert render_title("{{element}} is {element}", "Alpha") == "{element} is Alpha"
    assert render_title("{} {element}", "Alpha") == "{} {element}"


# --- model-level rules ------------------------------------------------------------------------


def test_model_rule_returning_nothing_counts_as_passed() -> None:
    quiet = _rule_returning("test-model-quiet", [], Target.MODEL)
    assessment = analyze(load_text(OUTCOMES), [quiet], today=TODAY)
    assert assessment.summary_of("test-model-quiet") == RuleSummary(
        "test-model-quiet", passed=("model",)
    )
    assert assessment.findings == ()
    assert assessment.rule_errors == ()


def test_model_rule_firing_without_elements_is_a_rule_error() -> None:
    empty = _rule_returning("test-model-empty", [Fire(("nothing named",))], Target.MODEL)
    assessment = analyze(load_text(OUTCOMES), [empty], today=TODAY)
    assert assessment.rule_errors == (
        RuleFailure("test-model-empty", None, "fired without naming any element"),
    )
    assert assessment.findings == ()


def test_model_rule_fires_on_the_elements_it_names_once_per_fingerprint() -> None:
    verdicts = [
        Fire(("b and c share a secret",), elements=("b", "c")),
        Fire(("said twice",), elements=("b", "c")),
        Fire(("a alone",), elements=("a",)),
    ]
    pair = _rule_returning("test-model-pair", verdicts, Target.MODEL)
    assessment = analyze(load_text(OUTCOMES), [pair], today=TODAY)
    assert sorted(f.fingerprint for f in assessment.findings) == [
        "test-model-pair@a",
        "test-model-pair@b,c",
    ]
    finding = assessment.finding("test-model-pair@b,c")
    assert finding is not None
    assert (finding.elements, finding.title, finding.evidence) == (
        ("b", "c"),
        "b test finding",
        ("b and c share a secret",),
    )
    summary = assessment.summary_of("test-model-pair")
    assert summary is not None
    assert summary.fired == ("b,c", "a")


def test_model_rule_that_raises_has_no_element() -> None:
    def check(model: Model, _: Model) -> Sequence[Verdict]:
        raise KeyError("system")

    assessment = analyze(load_text(OUTCOMES), [Rule(meta("test-m", Target.MODEL), check)])
    assert assessment.rule_errors == (RuleFailure("test-m", None, "KeyError: 'system'"),)


def test_component_rule_may_name_extra_elements() -> None:
    def check(component: Component, model: Model) -> Verdict:
        return Fire(("talks to b",), elements=("b",)) if component.id == "a" else PASS

    assessment = analyze(load_text(OUTCOMES), [Rule(meta("test-extra"), check)], today=TODAY)
    assert assessment.fingerprints == {"test-extra@a,b"}


# --- selection --------------------------------------------------------------------------------


def test_only_and_skip_select_rules_by_id() -> None:
    chosen = rules(*LEDGER_RULES)
    only = analyze(ledger(), chosen, today=TODAY, only=["cleartext-sensitive-flow"])
    assert only.rules_run == ("cleartext-sensitive-flow",)
    assert only.fingerprints == {"cleartext-sensitive-flow@teller->api"}
    skipped = analyze(
        ledger(), chosen, today=TODAY, skip=["cleartext-sensitive-flow", "missing-audit-logging"]
    )
    assert "cleartext-sensitive-flow" not in skipped.rules_run
    # the rule cleartext-sensitive-flow supersedes is no longer silenced with it
    assert skipped.fingerprints == {
        "unauthenticated-boundary-crossing@teller->api",
        "unauthenticated-exposed-service@api",
        "unprotected-boundary-crossing@teller->api",
    }


def test_default_rules_are_the_builtin_rules() -> None:
    assessment = analyze(ledger(), today=TODAY)
    assert assessment.rules_run == tuple(BUILTIN)


# --- stability --------------------------------------------------------------------------------


def test_analysing_twice_gives_equal_assessments() -> None:
    model = load(EXAMPLES[0])
    assert analyze(model, today=TODAY) == analyze(model, today=TODAY)


def _reversed(document: dict[str, Any]) -> dict[str, Any]:
    """The same model with every section and every element in reverse order."""
    flipped: dict[str, Any] = {}
    for key in reversed(list(document)):
        value = document[key]
        if key == "flows":
            value = list(reversed(value))
        elif key != "system" and isinstance(value, dict):
            value = dict(reversed(list(value.items())))
        flipped[key] = value
    return flipped


def _scores(model: Model) -> dict[str, tuple[str, int, int]]:
    """Findings and applicable threats (the refund-service example has only threats)."""
    assessment = analyze(model, today=TODAY)
    return {
        r.fingerprint: (r.severity.value, r.likelihood, r.impact)
        for r in (*assessment.findings, *assessment.applicable_threats)
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_reordering_sections_and_elements_changes_no_finding(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    reordered = load_text(yaml.safe_dump(_reversed(document), sort_keys=False))
    original = _scores(load(path))
    assert original
    assert _scores(reordered) == original


def _rename(document: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """Rename a component everywhere the model refers to it."""
    document = dict(document)
    document["components"] = {
        (new if cid == old else cid): body for cid, body in document["components"].items()
    }
    flows = []
    for flow in document.get("flows", []):
        if "from" in flow:
            flow = dict(flow)
            flow["from"] = new if flow["from"] == old else flow["from"]
            flow["to"] = new if flow["to"] == old else flow["to"]
        else:
            ((arrow, body),) = flow.items()
            source, target = (end.strip() for end in arrow.split("->"))
            arrow = f"{new if source == old else source} -> {new if target == old else target}"
            flow = {arrow: body}
        flows.append(flow)
    document["flows"] = flows
    for section, field in (
        ("controls", "applies_to"),
        ("assumptions", "elements"),
        ("threats", "elements"),
        ("threats", "impacted_assets"),
    ):
        for body in document.get(section, {}).values():
            if old in body.get(field, []):
                body[field] = [new if e == old else e for e in body[field]]
    return document


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_renaming_an_unrelated_component_changes_no_other_fingerprint(path: Path) -> None:
    model = load(path)
    before = analyze(model, today=TODAY).fingerprints
    involved = {e for fp in before for e in fp.partition("@")[2].replace("->", ",").split(",")}
    unrelated = sorted(cid for cid in model.components if cid not in involved)
    assert unrelated, "the example has no component outside every finding"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    renamed = load_text(yaml.safe_dump(_rename(document, unrelated[0], "renamed-component")))
    assert analyze(renamed, today=TODAY).fingerprints == before


def test_renaming_a_component_only_changes_its_own_fingerprints() -> None:
    before = analyze(ledger(), rules(*LEDGER_RULES), today=TODAY).fingerprints
    document = yaml.safe_load(LEDGER)
    renamed = load_text(yaml.safe_dump(_rename(document, "teller", "cashier")))
    after = analyze(renamed, rules(*LEDGER_RULES), today=TODAY).fingerprints
    assert after == {fp.replace("teller->", "cashier->") for fp in before}
