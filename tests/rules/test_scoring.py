"""Scoring: the severity matrix, what moves likelihood and impact, how a score explains itself."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from threatforge.model import Component, Model, load_text
from threatforge.rules import (
    PASS,
    Evidence,
    Fire,
    RuleMeta,
    Severity,
    Stride,
    Target,
    Verdict,
    analyze,
    rule,
)
from threatforge.rules.scoring import data_at_stake, score, severity_of

TODAY = date(2026, 1, 1)

META = RuleMeta(
    id="test-rule",
    title="{element} is weak",
    description="A rule for the scoring tests.",
    target=Target.COMPONENT,
    likelihood=3,
    impact=3,
    mitigations=("Fix it.",),
    detection="Test.",
    cwe=(20,),
    stride=(Stride.TAMPERING,),
)

CHAIN = """\
system: {{name: Scoring{criticality}}}
data:
  pan: {{classification: restricted, categories: [pci.pan]}}
  profile: {{classification: confidential, categories: [pii]}}
  docs: {{classification: internal}}
  brochure: {{classification: public}}
boundaries:
  internet: {{trust: untrusted}}
  core: {{trust: trusted}}
components:
  user: {{kind: actor, zone: internet}}
  edge: {{kind: gateway, zone: core, controls: [{attached}]}}
  app: {{kind: service, zone: core}}
  worker: {{kind: service, zone: core}}
  deep: {{kind: service, zone: core}}
  island: {{kind: datastore, zone: core}}
flows:
  - user -> edge: {{protocol: https, authn: none}}
  - edge -> app: {{protocol: https, authn: none}}
  - app -> worker: {{protocol: https, authn: iam}}
  - worker -> deep: {{protocol: https, authn: iam}}
controls:
{controls}
"""

NO_CONTROLS = "  unrelated: {mitigates: [some-other-rule]}"


def chain(criticality: str = "", controls: str = NO_CONTROLS, attached: str = "") -> Model:
    crit = f", criticality: {criticality}" if criticality else ""
    return load_text(CHAIN.format(criticality=crit, controls=controls, attached=attached))


def scored(model: Model, element: str, data: tuple[str, ...] = (), **kw: Any) -> Any:
    assets = [model.data[d] for d in data]
    return score(META, model, [element], assets, **kw)


# --- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "impact", "severity"),
    [
        (1, 1, Severity.LOW),
        (1, 3, Severity.LOW),  # 3: the top of low
        (1, 4, Severity.MEDIUM),  # 4: the bottom of medium
        (2, 2, Severity.MEDIUM),
        (2, 4, Severity.MEDIUM),  # 8: the top of medium
        (3, 3, Severity.ELEVATED),  # 9: the bottom of elevated
        (2, 5, Severity.ELEVATED),
        (3, 4, Severity.ELEVATED),  # 12: the top of elevated
        (3, 5, Severity.HIGH),  # 15: the bottom of high
        (4, 4, Severity.HIGH),  # 16: the top of high
        (4, 5, Severity.CRITICAL),  # 20: the bottom of critical
        (5, 5, Severity.CRITICAL),
    ],
)
def test_severity_matrix_boundaries(likelihood: int, impact: int, severity: Severity) -> None:
    assert severity_of(likelihood, impact) is severity
    assert severity_of(impact, likelihood) is severity


def test_severity_ranks_are_ordered() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]


# --- likelihood -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "likelihood", "factors"),
    [
        ("user", 4, ("base 3", "+1 'user' is an entry point")),
        ("edge", 4, ("base 3", "+1 'edge' is 1 hop from entry point 'user'")),
        ("app", 3, ("base 3",)),
        (
            "worker",
            2,
            ("base 3", "-1 every path from an untrusted zone passes an authenticated hop"),
        ),
        (
            "deep",
            1,
            (
                "base 3",
                "-1 'deep' is 4 hops from the nearest entry point",
                "-1 every path from an untrusted zone passes an authenticated hop",
            ),
        ),
        ("island", 2, ("base 3", "-1 'island' is not reachable from any untrusted zone")),
    ],
)
def test_likelihood_follows_exposure(
    element: str, likelihood: int, factors: tuple[str, ...]
) -> None:
    result = scored(chain(), element)
    assert (result.likelihood, result.likelihood_factors) == (likelihood, factors)


def test_a_flow_is_as_exposed_as_its_source() -> None:
    model = chain()
    result = score(META, model, ["user->edge"], [])
    assert result.likelihood_factors == ("base 3", "+1 'user' is an entry point")


def test_likelihood_stays_within_one_to_five() -> None:
    low = RuleMeta(**{**META.__dict__, "likelihood": 1})
    high = RuleMeta(**{**META.__dict__, "likelihood": 5})
    assert score(low, chain(), ["deep"], []).likelihood == 1
    assert score(high, chain(), ["user"], []).likelihood == 5


def test_scanner_evidence_with_a_matching_cwe_raises_likelihood() -> None:
    matching = Evidence("app", "semgrep", "python.sqli", (89, 20), "tainted query")
    other = Evidence("app", "semgrep", "python.xss", (79,), "reflected")
    assert scored(chain(), "app", evidence=[other]).likelihood_factors == ("base 3",)
    result = scored(chain(), "app", evidence=[matching])
    assert (result.likelihood, result.likelihood_factors) == (
        4,
        ("base 3", "+1 semgrep reported python.sqli (CWE-20)"),
    )


# --- impact -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "impact", "factors"),
    [
        ((), 3, ("base 3",)),
        (("pan",), 4, ("base 3", "+1 restricted data 'pan'")),
        (("profile",), 3, ("base 3",)),
        (("docs",), 2, ("base 3", "-1 internal data 'docs'")),
        (("brochure",), 2, ("base 3", "-1 public data 'brochure'")),
        (("docs", "profile", "pan"), 4, ("base 3", "+1 restricted data 'pan'")),
    ],
)
def test_impact_follows_the_most_sensitive_data(
    data: tuple[str, ...], impact: int, factors: tuple[str, ...]
) -> None:
    result = scored(chain(), "app", data)
    assert (result.impact, result.impact_factors) == (impact, factors)


@pytest.mark.parametrize(
    ("criticality", "impact", "factors"),
    [
        ("", 3, ("base 3",)),
        ("low", 2, ("base 3", "-1 system criticality low")),
        ("medium", 3, ("base 3",)),
        ("high", 3, ("base 3",)),
        ("critical", 4, ("base 3", "+1 system criticality critical")),
    ],
)
def test_impact_follows_system_criticality(
    criticality: str, impact: int, factors: tuple[str, ...]
) -> None:
    result = scored(chain(criticality), "app")
    assert (result.impact, result.impact_factors) == (impact, factors)


def test_restricted_data_and_criticality_add_up_and_are_clamped() -> None:
    high = RuleMeta(**{**META.__dict__, "impact": 4})
    model = chain("critical")
    result = score(high, model, ["app"], [model.data["pan"]])
    assert result.impact == 5
    assert result.impact_factors == (
        "base 4",
        "+1 restricted data 'pan'",
        "+1 system criticality critical",
    )


def test_explanation_names_every_factor() -> None:
    result = scored(chain("critical"), "edge", ("pan",))
    assert result.severity is Severity.CRITICAL
    assert result.explanation == (
        "Critical: likelihood 4/5 (base 3; +1 'edge' is 1 hop from entry point 'user'), "
        "impact 5/5 (base 3; +1 restricted data 'pan'; +1 system criticality critical)."
    )


def test_data_at_stake_is_what_the_rule_named_else_what_the_elements_touch() -> None:
    model = load_text(
        """\
system: {name: S}
data:
  pan: {classification: restricted}
  profile: {classification: confidential}
components:
  a: {kind: service, processes: [profile]}
  b: {kind: datastore, stores: [pan]}
flows:
  - a -> b: {protocol: https, data: [pan]}
"""
    )
    assert [d.id for d in data_at_stake(model, ["a"], ["profile"])] == ["profile"]
    assert [d.id for d in data_at_stake(model, ["a"], [])] == ["pan", "profile"]
    assert [d.id for d in data_at_stake(model, ["a->b"], [])] == ["pan"]
    assert [d.id for d in data_at_stake(model, ["pan"], [])] == ["pan"]


# --- declared controls ------------------------------------------------------------------------

ONE_CONTROL = "-1 declared control waf-rules"
EDGE_FACTORS = ("base 3", "+1 'edge' is 1 hop from entry point 'user'")


@pytest.mark.parametrize(
    ("controls", "attached", "likelihood", "factor"),
    [
        ("  waf-rules: {mitigates: [test-rule], applies_to: [edge]}", "", 3, ONE_CONTROL),
        ("  waf-rules: {mitigates: [test-rule@edge]}", "", 3, ONE_CONTROL),
        ("  waf-rules: {mitigates: [test-rule], applies_to: [app]}", "waf-rules", 3, ONE_CONTROL),
        (
            "  a-waf: {mitigates: [test-rule]}\n  b-limits: {mitigates: [test-rule]}\n"
            "  c-more: {mitigates: [test-rule]}",
            "",
            2,
            "-2 declared controls a-waf, b-limits, c-more",
        ),
    ],
)
def test_an_implemented_control_that_mitigates_the_rule_lowers_likelihood(
    controls: str, attached: str, likelihood: int, factor: str
) -> None:
    result = scored(chain(controls=controls, attached=attached), "edge")
    assert result.likelihood == likelihood
    assert result.likelihood_factors == (*EDGE_FACTORS, factor)


@pytest.mark.parametrize(
    "applies_to",
    ['applies_to: ["*"]', 'applies_to: ["*", app]', "applies_to: []", ""],
    ids=["star", "star-and-another", "empty", "left-out"],
)
def test_a_control_for_every_element_lowers_likelihood_everywhere(applies_to: str) -> None:
    """``"*"`` means every element, exactly as an empty or missing ``applies_to`` does today."""
    control = f"  waf-rules: {{status: implemented, mitigates: [test-rule], {applies_to}}}"
    model = chain(controls=control.replace(", }", "}"))
    for element in ("edge", "app", "deep"):
        assert scored(model, element).likelihood_factors[-1] == ONE_CONTROL
    assert scored(model, "edge").likelihood == 3


@pytest.mark.parametrize(
    "controls",
    [
        "  waf-rules: {status: planned, mitigates: [test-rule], applies_to: [edge]}",
        "  waf-rules: {mitigates: [test-rule], applies_to: [app]}",
        "  waf-rules: {mitigates: [another-rule], applies_to: [edge]}",
        "  waf-rules: {mitigates: [test-rule@app]}",
    ],
    ids=["planned", "other-element", "other-rule", "other-fingerprint"],
)
def test_a_control_that_is_planned_or_elsewhere_does_not_lower_likelihood(controls: str) -> None:
    result = scored(chain(controls=controls), "edge")
    assert result.likelihood == 4
    assert result.likelihood_factors == EDGE_FACTORS


@rule(META)
def always_fires(component: Component, model: Model) -> Verdict:
    """Fires on the gateway only."""
    return Fire(("weak",)) if component.id == "edge" else PASS


def test_controls_show_in_the_findings_of_an_analysis() -> None:
    implemented = "  waf-rules: {mitigates: [test-rule], applies_to: [edge]}"
    planned = "  waf-rules: {status: planned, mitigates: [test-rule], applies_to: [edge]}"
    done = analyze(chain(controls=implemented), [always_fires], today=TODAY).findings[0]
    todo = analyze(chain(controls=planned), [always_fires], today=TODAY).findings[0]
    assert (done.likelihood, done.severity) == (3, Severity.ELEVATED)
    assert (todo.likelihood, todo.severity) == (4, Severity.ELEVATED)
    assert "-1 declared control waf-rules" in done.explanation
    assert "declared control" not in todo.explanation
