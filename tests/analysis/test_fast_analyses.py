"""The fast analyses give exactly what the reference (the code before the performance work) gave.

Attack paths (every path, hop, explanation, bound and count), the rule's cheapest paths, the PCI
DSS scope with its segmentation violations, the blast radius, and every step's facts and effort
are compared with :mod:`reference_analyses` on the bundled examples, every rule fixture, the
corpus models that load, generated models and generated models varied to exercise pulled flows,
network policies, public interfaces, WAFs, administrative interfaces and declared CDE zones.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import reference_analyses as reference
from analysis_models import ROOT, layered_model

from bench_models import generated_text
from threatforge.analysis import attack_paths, blast_radius, crown_jewels, find_paths, pci_scope
from threatforge.analysis._steps import build_steps, step_facts, step_table
from threatforge.analysis.attack_paths import _step_costs, cheapest_paths, step_effort
from threatforge.analysis.pci_scope import pci_segmentation
from threatforge.model import (
    Authn,
    Authz,
    Component,
    ComponentKind,
    Exposure,
    Flow,
    Model,
    load,
    load_text,
)
from threatforge.model.schema import Initiator
from threatforge.rules import Fire
from threatforge.rules.builtin.graph_rules import pci_segmentation_violation

EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
FIXTURES = sorted((ROOT / "tests" / "rules" / "fixtures").iterdir())
CORPUS = ROOT / "tests" / "corpus"
CORPUS_MODELS = sorted(
    path
    for path, case in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8")).items()
    if path.startswith("model/") and case["outcome"] == "loads"
)


def generated(components: int, seed: int) -> Model:
    """A model from the benchmark generator, in memory."""
    return load_text(generated_text(components, seed, zones=2))


def varied(model: Model) -> Model:
    """The model with pulled flows, network policies (stated on flows, components and zones,
    some open, some not understood), weak and missing authentication, clear text, public
    interfaces, WAFs, administrative interfaces, unstated authorisation and CDE zones."""
    policies = ("true", "false", "default-deny", "maybe", "allow-all", True)
    authns = (Authn.API_KEY, Authn.NONE, Authn.NETWORK, None, Authn.PASSWORD)
    flows = []
    for i, flow in enumerate(model.flows):
        update: dict[str, object] = {}
        if i % 7 == 0:
            update["initiated_by"] = Initiator.TARGET
        if i % 11 == 0:
            update["properties"] = {"network_policy": policies[i % len(policies)]}
        if i % 13 == 0:
            update |= {"authn": authns[i % len(authns)], "tls": False, "protocol": "http"}
        if i % 29 == 0:
            update |= {"authn": None, "mtls": True}
        flows.append(flow.model_copy(update=update))
    components = {}
    for j, (cid, component) in enumerate(model.components.items()):
        update = {}
        if j % 5 == 0:
            update["properties"] = {"network_policies": "enforced" if j % 2 else "no"}
        if j % 9 == 0:
            update["waf"] = True
        if j % 17 == 0:
            update["exposure"] = Exposure.PUBLIC
        if j % 19 == 0:
            update["admin"] = True
        if j % 6 == 0:
            update["authz"] = (None, Authz.NONE)[(j // 6) % 2]
        if j % 23 == 0:
            update["authn"] = authns[j % len(authns)]
        components[cid] = component.model_copy(update=update)
    zone_properties = ({"network_policy": "default-deny"}, {"pci_scope": "cde"}, {})
    boundaries = {
        bid: boundary.model_copy(update={"properties": zone_properties[k % 3]})
        for k, (bid, boundary) in enumerate(model.boundaries.items())
    }
    # an out-of-scope service reaching a card store through a relay, along open flows
    store = next(c for c in model.components.values() if "pan" in c.stores)
    for cid in ("outsider", "relay"):
        components[cid] = Component(id=cid, kind=ComponentKind.SERVICE)
    flows += [
        Flow.model_validate({"from": "outsider", "to": "relay", "authn": "none"}),
        Flow.model_validate({"from": "relay", "to": store.id, "authn": "network"}),
    ]
    return dataclasses.replace(
        model, flows=tuple(flows), components=components, boundaries=boundaries
    )


def assert_same_analyses(model: Model, *, thorough: bool = True) -> None:
    """Every fast analysis of ``model`` equals the reference's."""
    # the steps and what they cost
    steps = reference.build_steps(model)
    table, facts, costs = step_table(model), step_facts(model), _step_costs(model)
    assert [(table.flow[i], table.components[table.source[i]]) for i in range(len(steps.all))] == [
        (s.flow, s.source) for s in steps.all
    ]
    assert list(facts.authn) == [reference.hop_authn(model, s) for s in steps.all]
    assert list(facts.filtered) == [reference.filtered(model, s) for s in steps.all]
    assert list(facts.inbound) == [reference.is_inbound(model, s) for s in steps.all]
    assert list(costs.effort) == [reference.step_effort(model, s) for s in steps.all]
    assert [step_effort(model, s) for s in build_steps(model).all] == list(costs.effort)
    # the paths
    assert crown_jewels(model) == reference.crown_jewels(model)
    assert find_paths(model) == reference.find_paths(model)
    assert cheapest_paths(model) == reference.cheapest_paths(model)
    assert cheapest_paths(model, weak_only=True) == reference.cheapest_paths(model, weak_only=True)
    # the scope
    assert pci_scope(model) == reference.pci_scope(model)
    if not thorough:
        return
    for bounds in ({"k": 1}, {"k": 5, "max_depth": 3}, {"max_depth": 1}, {"budget": 40}):
        assert find_paths(model, **bounds) == reference.find_paths(model, **bounds), bounds
    assert cheapest_paths(model, k=1, max_depth=2) == reference.cheapest_paths(
        model, k=1, max_depth=2
    )
    ids = sorted(model.components)
    chosen = {"sources": ids[::5], "targets": [*ids[1::3], "not-a-component"]}
    assert find_paths(model, **chosen) == reference.find_paths(model, **chosen)
    for origin in ids[:: max(1, len(ids) // 6)]:
        assert blast_radius(model, origin) == reference.blast_radius(model, origin), origin


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_examples(path: Path) -> None:
    assert_same_analyses(load(path))


@pytest.mark.parametrize("folder", FIXTURES, ids=lambda p: p.name)
def test_rule_fixtures(folder: Path) -> None:
    for name in ("fires.yaml", "passes.yaml"):
        assert_same_analyses(load(folder / name), thorough=False)


@pytest.mark.parametrize("path", CORPUS_MODELS)
def test_corpus_models(path: str) -> None:
    assert_same_analyses(load(CORPUS / path))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_models(seed: int) -> None:
    assert_same_analyses(generated(300, seed))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_varied_generated_models(seed: int) -> None:
    model = varied(generated(240, seed))
    assert any(flow.initiated_by is Initiator.TARGET for flow in model.flows)
    assert_same_analyses(model)


@pytest.mark.parametrize("seed", [1, 2])
def test_steps_that_cost_nothing_keep_the_order(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With free hops, WAFs and network policies, unauthenticated steps to components that do
    not authorise cost nothing: the search must take them in the reference heap's order."""
    for name in ("HOP_EFFORT", "WAF_EFFORT", "FILTER_EFFORT"):
        monkeypatch.setattr(attack_paths, name, 0)
        monkeypatch.setattr(reference, name, 0)
    model = varied(generated(160, seed))
    assert min(_step_costs(model).effort) == 0
    assert_same_analyses(model, thorough=False)
    for bounds in ({"k": 1}, {"k": 4, "max_depth": 3}, {"budget": 60}):
        assert find_paths(model, **bounds) == reference.find_paths(model, **bounds), bounds


FREE_STEP = """\
system: {name: Free step}
data:
  cards: {classification: restricted}
boundaries:
  internet: {trust: untrusted}
  app: {trust: trusted}
components:
  x: {kind: actor, zone: internet}
  m: {kind: service, zone: app, authz: none}
  n: {kind: service, zone: app, authz: none}
  r: {kind: service, zone: app, authz: none}
  t: {kind: datastore, zone: app, authz: none, stores: [cards]}
flows:
  - x -> m: {authn: none}
  - x -> r: {}
  - m -> n: {authn: none}
  - n -> t: {}
  - r -> t: {authn: none}
"""


def test_a_free_step_goes_before_deeper_paths_of_the_same_effort(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """x -> m -> n -> t (depth 3) and x -> r (depth 1) both cost 2 before r -> t, which is
    free: t must be reached at depth 2 through r, although the deeper arrival was queued first."""
    monkeypatch.setattr(attack_paths, "HOP_EFFORT", 0)
    monkeypatch.setattr(reference, "HOP_EFFORT", 0)
    model = load_text(FREE_STEP)
    search = find_paths(model, k=1)
    assert [(p.effort, p.flows) for p in search.paths] == [(2, ("x->r", "r->t"))]
    assert search == reference.find_paths(model, k=1)


def test_layered_model() -> None:
    assert_same_analyses(layered_model(layers=4, width=40), thorough=False)


def test_the_scope_is_computed_once_and_shared_with_the_rule() -> None:
    model = varied(generated(120, 5))
    scope = pci_scope(model)
    assert pci_scope(model) is scope
    assert pci_segmentation(model).violations is scope.violations
    assert pci_segmentation(model).account_data == scope.account_data == ("cvv", "pan")
    fired = pci_segmentation_violation.check(model, model)
    assert isinstance(fired, list)
    assert all(isinstance(f, Fire) for f in fired)
    assert [f.elements for f in fired if isinstance(f, Fire)] == [
        (v.component,) for v in scope.violations
    ]
    assert scope.violations  # the varied model has open paths into the CDE
