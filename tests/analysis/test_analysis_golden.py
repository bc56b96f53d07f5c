"""The analyses give what they gave when these golden files were written.

Attack paths (every path, hop, explanation, bound and count, under several bounds), the rule's
cheapest paths, the PCI DSS scope with its segmentation violations, blast radii, and every step's
facts and effort, on the bundled examples, a layered model and generated models varied to
exercise pulled flows, network policies, public interfaces, WAFs, administrative interfaces and
declared CDE zones. The golden files were written by the code these tests replaced the frozen
reference copy of (``tests/analysis/reference_analyses.py``, removed), and checked equal to it.

A change that alters an analysis on purpose rewrites them:
``THREATFORGE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/analysis/test_analysis_golden.py``,
and the diff of ``tests/analysis/golden/`` is part of the review.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from analysis_models import ROOT, layered_model

from bench_models import generated_text
from threatforge.analysis import attack_paths, blast_radius, find_paths, pci_scope
from threatforge.analysis._steps import build_steps, step_facts, step_table
from threatforge.analysis.attack_paths import _step_costs, cheapest_paths, step_effort
from threatforge.analysis.pci_scope import pci_segmentation
from threatforge.analysis.render import (
    blast_radius_to_dict,
    path_to_dict,
    paths_to_dict,
    scope_to_dict,
)
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

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("THREATFORGE_UPDATE_GOLDEN") == "1"
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))


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


def analyses(model: Model, *, thorough: bool = True) -> dict[str, Any]:
    """Every analysis of ``model`` as JSON data, keyed by what was asked."""
    table, facts, costs = step_table(model), step_facts(model), _step_costs(model)
    steps = [
        [
            table.flow[i].id,
            table.components[table.source[i]],
            facts.authn[i],
            facts.filtered[i],
            facts.inbound[i],
            costs.effort[i],
        ]
        for i in range(len(table.flow))
    ]
    assert [step_effort(model, s) for s in build_steps(model).all] == list(costs.effort)
    result: dict[str, Any] = {
        "steps": steps,
        "find_paths": paths_to_dict(find_paths(model)),
        "cheapest_paths": [path_to_dict(p) for p in cheapest_paths(model)],
        "cheapest_paths weak_only": [
            path_to_dict(p) for p in cheapest_paths(model, weak_only=True)
        ],
        "pci_scope": scope_to_dict(pci_scope(model)),
    }
    if not thorough:
        return result
    for bounds in ({"k": 1}, {"k": 5, "max_depth": 3}, {"max_depth": 1}, {"budget": 40}):
        result[f"find_paths {bounds}"] = paths_to_dict(find_paths(model, **bounds))
    result["cheapest_paths k=1 max_depth=2"] = [
        path_to_dict(p) for p in cheapest_paths(model, k=1, max_depth=2)
    ]
    ids = sorted(model.components)
    chosen = {"sources": ids[::5], "targets": [*ids[1::3], "not-a-component"]}
    result["find_paths chosen"] = paths_to_dict(find_paths(model, **chosen))
    for origin in ids[:: max(1, len(ids) // 6)]:
        result[f"blast_radius {origin}"] = blast_radius_to_dict(blast_radius(model, origin))
    return result


def assert_golden(name: str, compute: Callable[[], dict[str, Any]]) -> None:
    """``compute()`` equals the golden file ``name``, key by key (or rewrites it)."""
    path = GOLDEN / f"{name}.json"
    actual = json.loads(json.dumps(compute()))  # tuples as lists, as the file holds them
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        # one key per line, its value compact: small files, and a diff names the analysis
        compact = {"separators": (",", ":")}
        lines = [f"{json.dumps(k)}:{json.dumps(v, **compact)}" for k, v in actual.items()]
        path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}: write it with THREATFORGE_UPDATE_GOLDEN=1"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert list(actual) == list(expected), name
    for key in expected:
        assert actual[key] == expected[key], f"{name}: {key}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_examples(path: Path) -> None:
    assert_golden(f"example-{path.parent.name}", lambda: analyses(load(path)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_varied_generated_models(seed: int) -> None:
    model = varied(generated(60, seed))
    assert any(flow.initiated_by is Initiator.TARGET for flow in model.flows)
    assert_golden(f"varied-60-{seed}", lambda: analyses(model, thorough=seed == 1))


def test_generated_model() -> None:
    assert_golden("generated-60-1", lambda: analyses(generated(60, 1), thorough=False))


def test_layered_model() -> None:
    assert_golden("layered-4x12", lambda: analyses(layered_model(layers=4, width=12)))


def test_steps_that_cost_nothing_keep_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """With free hops, WAFs and network policies, unauthenticated steps to components that do
    not authorise cost nothing: the search takes them in order of effort, then depth."""
    for name in ("HOP_EFFORT", "WAF_EFFORT", "FILTER_EFFORT"):
        monkeypatch.setattr(attack_paths, name, 0)
    model = varied(generated(60, 1))
    assert min(_step_costs(model).effort) == 0

    def compute() -> dict[str, Any]:
        result = analyses(model, thorough=False)
        for bounds in ({"k": 1}, {"k": 4, "max_depth": 3}, {"budget": 60}):
            result[f"find_paths {bounds}"] = paths_to_dict(find_paths(model, **bounds))
        return result

    assert_golden("free-steps-60-1", compute)


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
    model = load_text(FREE_STEP)
    search = find_paths(model, k=1)
    assert [(p.effort, p.flows) for p in search.paths] == [(2, ("x->r", "r->t"))]
    assert [(h.source, h.target, h.effort) for h in search.paths[0].hops] == [
        ("x", "r", 2),
        ("r", "t", 0),
    ]


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
