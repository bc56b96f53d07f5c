"""Likelihood follows reach: the same weakness is likelier one hop from the internet than five
hops deep behind authenticated hops (rules/scoring.py, through the engine)."""

from __future__ import annotations

import itertools
from datetime import date

from analysis_models import model_of

from threatforge.model import Component, Model
from threatforge.rules import Fire, RuleMeta, Skip, Target, Verdict, analyze, rule


@rule(RuleMeta(
    id="test-weak-vault",
    title="{element} is weak",
    description="A rule for this test only.",
    target=Target.COMPONENT, likelihood=3, impact=3,
    mitigations=("none",), detection="the component named vault",
))
def weak_vault(component: Component, model: Model) -> Verdict:
    """Fire on the component called ``vault``."""
    return Fire(("named vault",)) if component.id == "vault" else Skip("not the vault")


HEAD = """\
system: {name: Reach}
boundaries:
  internet: {trust: untrusted}
  app: {trust: trusted}
components:
  user: {kind: actor, zone: internet}
  vault: {kind: service, zone: app}
"""


def _finding(model: Model):  # type: ignore[no-untyped-def]
    (finding,) = analyze(model, [weak_vault], today=date(2026, 1, 1)).findings
    return finding


def test_one_hop_from_the_internet_is_likelier_than_five_authenticated_hops_deep() -> None:
    near = _finding(model_of(HEAD + "flows:\n  - user -> vault: {protocol: https, authn: none}\n"))
    hops = "".join(f"  s{i}: {{kind: service, zone: app}}\n" for i in range(1, 5))
    chain = ["user", "s1", "s2", "s3", "s4", "vault"]
    flows = "".join(f"  - {a} -> {b}: {{protocol: https, authn: iam}}\n"
                    for a, b in itertools.pairwise(chain))
    deep = _finding(model_of(HEAD + hops + "flows:\n" + flows))
    assert (near.likelihood, deep.likelihood) == (4, 1)
    assert near.likelihood_factors == ("base 3", "+1 'vault' is 1 hop from entry point 'user'")
    assert deep.likelihood_factors == (
        "base 3",
        "-1 'vault' is 5 hops from the nearest entry point",
        "-1 every path from an untrusted zone passes an authenticated hop",
    )
    assert near.impact == deep.impact == 3


def test_an_authenticated_single_hop_still_beats_five_deep() -> None:
    near = _finding(model_of(HEAD + "flows:\n  - user -> vault: {protocol: https, authn: iam}\n"))
    assert near.likelihood == 3  # +1 one hop, -1 behind authentication
    assert near.likelihood > 1
