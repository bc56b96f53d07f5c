"""The engine's shortcuts give exactly what the plain code gives: report order, scores shared
between findings, data-set indexes asked once."""

from __future__ import annotations

from threatforge.model import Classification, DataAsset, load_text
from threatforge.rules import Confidence, Finding, RuleMeta, Severity, Stride, Target
from threatforge.rules.builtin._facts import at_least
from threatforge.rules.engine import _report_order
from threatforge.rules.scoring import score

MODEL = """\
system: {name: Speedups, criticality: high}
data:
  pan: {classification: restricted, categories: [pci.pan]}
  profile: {classification: confidential, categories: [pii]}
  docs: {classification: internal}
  brochure: {classification: public}
boundaries:
  internet: {trust: untrusted}
  core: {trust: trusted}
components:
  user: {kind: actor, zone: internet}
  edge: {kind: gateway, zone: core, processes: [profile]}
  app: {kind: service, zone: core, stores: [pan]}
  docs-site: {kind: service, zone: core, processes: [docs, brochure]}
flows:
  - user -> edge: {protocol: https, authn: none, data: [profile]}
  - edge -> app: {protocol: https, authn: iam, data: [pan]}
  - edge -> docs-site: {protocol: https, authn: iam}
"""


def meta(rule_id: str, likelihood: int = 3, impact: int = 3) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="{element} is weak",
        description="A rule for the speed-up tests.",
        target=Target.COMPONENT,
        likelihood=likelihood,
        impact=impact,
        mitigations=("Fix it.",),
        detection="Test.",
        cwe=(20,),
        stride=(Stride.TAMPERING,),
    )


def a_finding(rule: str, fingerprint: str, likelihood: int, impact: int, sev: Severity) -> Finding:
    return Finding(
        meta=meta(rule), title="T", elements=("x",), fingerprint=fingerprint,
        likelihood=likelihood, impact=impact, severity=sev, confidence=Confidence.HIGH,
        explanation="why", evidence=("e",), data=(),
    )


def test_findings_are_reported_most_severe_then_riskiest_then_by_rule_and_fingerprint() -> None:
    finding = a_finding
    found = [
        finding("b", "b@x", 2, 2, Severity.MEDIUM),
        finding("a-b", "a-b@x", 3, 3, Severity.ELEVATED),
        finding("a", "a@y", 3, 3, Severity.ELEVATED),
        finding("a", "a@x", 3, 3, Severity.ELEVATED),
        finding("z", "z@x", 3, 4, Severity.ELEVATED),
        finding("c", "c@x", 5, 5, Severity.CRITICAL),
    ]
    assert [f.fingerprint for f in sorted(found, key=_report_order)] == [
        "c@x", "z@x", "a@x", "a@y", "a-b@x", "b@x",
    ]


def test_findings_with_the_same_subject_bases_and_top_data_share_one_score() -> None:
    model = load_text(MODEL)
    pan = [model.data["pan"]]
    first = score(meta("one"), model, ["app"], pan)
    again = score(meta("two"), model, ["app"], pan)
    assert again is first
    assert (first.likelihood, first.impact, first.severity) == (2, 4, Severity.MEDIUM)
    assert first.explanation == (
        "Medium: likelihood 2/5 (base 3; -1 every path from an untrusted zone passes an "
        "authenticated hop), impact 4/5 (base 3; +1 restricted data 'pan')."
    )
    # another base, other data, another subject: scored on their own
    other_base = score(meta("three", likelihood=4), model, ["app"], pan)
    assert other_base.likelihood == 3
    assert score(meta("one"), model, ["app"], [model.data["profile"]]).impact == 3
    assert score(meta("one"), model, ["app"], []).impact == 3
    edge = score(meta("one"), model, ["edge"], pan)
    assert edge.likelihood_factors == ("base 3", "+1 'edge' is 1 hop from entry point 'user'")
    # a flow is scored by its source
    assert score(meta("one"), model, ["user->edge"], pan).likelihood_factors == (
        "base 3", "+1 'user' is an entry point",
    )


def test_at_least_keeps_the_assets_at_or_above_the_level_in_their_order() -> None:
    def asset(name: str, level: Classification) -> DataAsset:
        return DataAsset(id=name, classification=level)

    assets = [
        asset("p", Classification.PUBLIC),
        asset("r", Classification.RESTRICTED),
        asset("i", Classification.INTERNAL),
        asset("c", Classification.CONFIDENTIAL),
    ]
    assert [a.id for a in at_least(assets, Classification.PUBLIC)] == ["p", "r", "i", "c"]
    assert [a.id for a in at_least(assets, Classification.INTERNAL)] == ["r", "i", "c"]
    assert [a.id for a in at_least(assets, Classification.CONFIDENTIAL)] == ["r", "c"]
    assert [a.id for a in at_least(assets, Classification.RESTRICTED)] == ["r"]
    assert at_least([], Classification.PUBLIC) == []


def test_data_set_questions_are_answered_once_and_exactly() -> None:
    model = load_text(MODEL)
    graph = model.graph

    def pan(a: DataAsset) -> bool:
        return "pci.pan" in a.categories

    def sensitive(a: DataAsset) -> bool:
        return a.classification.rank >= Classification.CONFIDENTIAL.rank

    def nothing(a: DataAsset) -> bool:
        return False

    assert graph.flows_carrying(pan) == {"edge->app"}
    assert graph.flows_carrying(sensitive) == {"user->edge", "edge->app"}
    assert graph.flows_carrying(nothing) == frozenset()
    assert graph.components_holding(pan) == {"edge", "app"}
    assert graph.components_holding(sensitive) == {"user", "edge", "app"}
    assert graph.components_holding(nothing) == frozenset()
    assert graph.components_storing(pan) == {"app"}
    assert graph.components_storing(sensitive) == {"app"}
    assert graph.components_storing(nothing) == frozenset()
    # a second question with the same answer set (another predicate, the same assets) is the
    # same object: decided once
    assert graph.components_holding(lambda a: a.id == "pan") is graph.components_holding(pan)
