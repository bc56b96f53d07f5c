"""Engine scoping: which elements a rule is evaluated on, and the performance-only equivalences.

Flow rules may declare ``source_kinds`` / ``target_kinds`` (like ``kinds`` for components): the
engine evaluates them only on flows whose ends are of those kinds, in model order, and flows
outside the scope are not evaluated at all (neither passed nor skipped in the summary).
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench_models import generated_model
from threatforge.analysis import find_paths
from threatforge.analysis.attack_paths import cheapest_paths
from threatforge.model import Classification, ComponentKind, Flow, Model, load, load_text
from threatforge.rules import (
    PASS,
    Crosses,
    DataScope,
    ElementSet,
    Fire,
    Rule,
    RuleMeta,
    Skip,
    Stride,
    Target,
    Verdict,
    analyze,
    builtin_rules,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)
K = ComponentKind

SHOP = """\
system: {name: Shop}
components:
  shopper: {kind: actor}
  psp: {kind: external-service}
  web: {kind: gateway, tech: aws.apigateway}
  orders: {kind: service, tech: aws.ecs}
  billing: {kind: function, tech: aws.lambda}
  db: {kind: datastore, tech: aws.rds.postgres}
  jobs: {kind: queue, tech: aws.sqs}
  worker: {kind: service, tech: k8s.deployment}
  metrics: {kind: monitoring}
flows:
  - shopper -> web: {protocol: https}
  - web -> orders: {protocol: https}
  - orders -> db: {protocol: postgres}
  - psp -> billing: {protocol: https}
  - orders -> jobs: {protocol: https}
  - jobs -> worker: {protocol: https}
  - worker -> db: {protocol: postgres}
  - billing -> psp: {protocol: https}
  - orders -> metrics: {protocol: https}
  - web -> billing: {protocol: https}
"""


def shop() -> Model:
    return load_text(SHOP)


def meta(target: Target = Target.FLOW, **extra: Any) -> RuleMeta:
    fields: dict[str, Any] = {
        "id": "test-scope",
        "title": "{element} in scope",
        "description": "A rule written for the scoping tests.",
        "target": target,
        "likelihood": 2,
        "impact": 2,
        "mitigations": ("None.",),
        "detection": "Test detection.",
        "cwe": (20,),
        "stride": (Stride.TAMPERING,),
    }
    fields.update(extra)
    return RuleMeta(**fields)


def passes_everything(element: Any, model: Model) -> Verdict:
    return PASS


def evaluated(rule_meta: RuleMeta, model: Model | None = None) -> tuple[str, ...]:
    """The elements the engine evaluated the rule on, in order (the rule passes them all)."""
    assessment = analyze(model or shop(), [Rule(rule_meta, passes_everything)], today=TODAY)
    (summary,) = assessment.summaries
    assert (summary.fired, summary.unknown, summary.skipped) == ((), (), ())
    return summary.passed


# --- flow scopes ------------------------------------------------------------------------------


def test_a_flow_rule_without_end_kinds_is_evaluated_on_every_flow_in_model_order() -> None:
    assert evaluated(meta()) == (
        "shopper->web", "web->orders", "orders->db", "psp->billing", "orders->jobs",
        "jobs->worker", "worker->db", "billing->psp", "orders->metrics", "web->billing",
    )


def test_source_kinds_select_flows_by_the_kind_of_their_source() -> None:
    assert evaluated(meta(source_kinds=frozenset({K.SERVICE}))) == (
        "orders->db", "orders->jobs", "worker->db", "orders->metrics",
    )


def test_target_kinds_select_flows_by_the_kind_of_their_target() -> None:
    assert evaluated(meta(target_kinds=frozenset({K.DATASTORE, K.EXTERNAL_SERVICE}))) == (
        "orders->db", "worker->db", "billing->psp",
    )


def test_source_and_target_kinds_both_apply_and_keep_model_order() -> None:
    processes = frozenset({K.SERVICE, K.FUNCTION, K.GATEWAY})
    assert evaluated(meta(source_kinds=processes, target_kinds=processes)) == (
        "web->orders", "web->billing",
    )
    assert evaluated(meta(
        source_kinds=frozenset({K.QUEUE, K.EXTERNAL_SERVICE}), target_kinds=processes,
    )) == ("psp->billing", "jobs->worker")


def test_a_scope_that_matches_no_flow_evaluates_nothing() -> None:
    assert evaluated(meta(source_kinds=frozenset({K.CI_PIPELINE}))) == ()


def test_flows_outside_the_scope_are_neither_passed_nor_skipped() -> None:
    def skip_non_queue_consumers(flow: Flow, model: Model) -> Verdict:
        if model.components[flow.target].kind is not K.SERVICE:
            return Skip("the consumer is not a service")
        return Fire(("consumes from a queue",))

    scoped = Rule(meta(source_kinds=frozenset({K.QUEUE})), skip_non_queue_consumers)
    assessment = analyze(shop(), [scoped], today=TODAY)
    (summary,) = assessment.summaries
    assert (summary.fired, summary.passed, summary.unknown, summary.skipped) == (
        ("jobs->worker",), (), (), (),
    )
    assert summary.outcome_of("orders->db") is None
    assert [f.fingerprint for f in assessment.findings] == ["test-scope@jobs->worker"]


def test_a_flow_whose_end_is_not_a_component_stays_in_scope_for_the_rule_to_report() -> None:
    model = shop()
    ghost = Flow.model_validate({"source": "orders", "target": "ghost"})
    broken = dataclasses.replace(model, flows=(*model.flows, ghost))

    def needs_the_target(flow: Flow, model: Model) -> Verdict:
        return PASS if model.components[flow.target].kind is K.DATASTORE else Skip("not a store")

    scoped = Rule(meta(target_kinds=frozenset({K.DATASTORE})), needs_the_target)
    assessment = analyze(broken, [scoped], today=TODAY)
    assert assessment.summaries[0].passed == ("orders->db", "worker->db")
    assert [(e.rule, e.element, e.error) for e in assessment.rule_errors] == [
        ("test-scope", "orders->ghost", "KeyError: 'ghost'"),
    ]


def test_rule_applies_to_a_flow_by_its_end_kinds_when_given_the_model() -> None:
    model = shop()
    flows = model.flows_by_id
    scoped = Rule(meta(source_kinds=frozenset({K.QUEUE})), passes_everything)
    assert scoped.applies_to(flows["jobs->worker"], model) is True
    assert scoped.applies_to(flows["orders->jobs"], model) is False
    assert scoped.applies_to(flows["orders->jobs"]) is True  # without the model: no judgement
    assert scoped.flow_in_scope(flows["jobs->worker"], model) is True


# --- component scopes (grouped by kind and technology) -----------------------------------------


def test_component_kinds_and_tech_globs_select_in_model_order() -> None:
    assert evaluated(meta(Target.COMPONENT, kinds=frozenset({K.SERVICE, K.FUNCTION}))) == (
        "orders", "billing", "worker",
    )
    assert evaluated(meta(Target.COMPONENT, tech=("aws.*",))) == (
        "web", "orders", "billing", "db", "jobs",
    )
    assert evaluated(meta(
        Target.COMPONENT, kinds=frozenset({K.SERVICE, K.DATASTORE}), tech=("aws.ecs", "aws.rds*"),
    )) == ("orders", "db")
    assert evaluated(meta(Target.COMPONENT, tech=("gcp.*",))) == ()


# --- the built-in flow rules' scopes --------------------------------------------------------------


def test_the_builtin_flow_rules_declare_these_scopes() -> None:
    processes = {"service", "function", "gateway"}
    scopes = {
        r.id: (sorted(k.value for k in r.meta.source_kinds),
               sorted(k.value for k in r.meta.target_kinds))
        for r in builtin_rules()
        if r.meta.target is Target.FLOW and (r.meta.source_kinds or r.meta.target_kinds)
    }
    not_people = sorted({k.value for k in ComponentKind} - {"actor", "client"})
    assert scopes == {
        "unauthenticated-boundary-crossing": ([], not_people),
        "unsigned-inbound-callback": (["external-service"], sorted(processes)),
        "sensitive-data-to-logs": ([], ["monitoring"]),
        "untrusted-direct-store-access": (
            [], ["cache", "datastore", "queue", "secrets-store", "stream"],
        ),
        "restricted-data-to-third-party-weak-auth": ([], ["external-service"]),
        "injection-sql": (sorted(processes), []),
        "injection-nosql": (sorted(processes), []),
        "injection-ldap": (sorted(processes), []),
        "api-unsafe-third-party-consumption": (
            sorted(processes | {"external-service"}), sorted(processes | {"external-service"}),
        ),
        "svc-unauthenticated-service-call": (sorted(processes), sorted(processes)),
        "k8s-unverified-image-pull": (["artifact-registry"], []),
        "svc-consumer-trusts-messages": (["queue", "stream"], sorted(processes)),
        "svc-cross-zone-call-unauthenticated": (sorted(processes), sorted(processes)),
        "svc-security-check-fails-open": (sorted(processes), []),
        "pay-pan-not-tokenized": (
            ["function", "service"], sorted(processes | {"cache", "queue", "stream"}),
        ),
        "privacy-collection-without-notice": (["actor", "client"], []),
        "idp-admin-api-reachable-from-workloads": (["function", "service"], []),
        "identity-service-password-auth": (
            ["function", "service"], sorted(processes | {"identity-provider"}),
        ),
        "supply-artifact-pulled-without-verification": (
            ["artifact-registry"], sorted(processes | {"ci-pipeline"}),
        ),
        "data-sensitive-payload-via-relay": (sorted(processes), ["external-service"]),
    }


def test_no_builtin_component_or_model_rule_declares_flow_end_kinds() -> None:
    misplaced = [
        r.id for r in builtin_rules()
        if r.meta.target is not Target.FLOW and (r.meta.source_kinds or r.meta.target_kinds)
    ]
    assert misplaced == []


# --- the library leaves the garbage collector as the caller set it ------------------------------


@pytest.fixture
def collector_state() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_state")
@pytest.mark.parametrize("enabled", [True, False])
def test_rules_and_path_search_run_with_the_collector_as_the_caller_left_it(enabled: bool) -> None:
    seen: list[bool] = []

    def record(component: Any, model: Model) -> Verdict:
        seen.append(gc.isenabled())
        raise RuntimeError("broken rule")

    if enabled:
        gc.enable()
    else:
        gc.disable()
    assessment = analyze(shop(), [Rule(meta(Target.COMPONENT, kinds=frozenset({K.QUEUE})),
                                       record)], today=TODAY)
    assert seen == [enabled]
    assert [e.error for e in assessment.rule_errors] == ["RuntimeError: broken rule"]
    assert [p.effort for p in find_paths(load_text(PATHS)).paths] == [9, 11, 15, 17, 23]
    assert gc.isenabled() is enabled


# --- attack paths: the rule's cheaper search gives the paths find_paths would --------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_cheapest_paths_are_find_paths_best_per_pair(path: Path) -> None:
    model = load(path)
    search = find_paths(model)
    assert cheapest_paths(model) == search.best_per_pair()
    assert cheapest_paths(model, weak_only=True) == tuple(
        p for p in search.best_per_pair() if p.weak
    )
    small = find_paths(model, k=1, max_depth=2)
    assert cheapest_paths(model, k=1, max_depth=2) == small.best_per_pair()


PATHS = """\
system: {name: Paths}
data:
  card: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
  dmz: {trust: semi-trusted}
  core: {trust: trusted}
components:
  attacker: {kind: actor, zone: internet}
  edge: {kind: gateway, zone: dmz, authn: oauth2}
  api: {kind: service, zone: core, admin: true}
  vault: {kind: datastore, zone: core, stores: [card]}
flows:
  - attacker -> edge: {protocol: https, authn: oauth2}
  - edge -> api: {protocol: https, authn: api-key}
  - api -> vault: {protocol: postgres, authn: iam}
  - attacker -> api: {protocol: https, authn: mtls}
  - edge -> vault: {protocol: postgres, authn: none}
"""


def test_cheapest_paths_keep_the_cheapest_per_pair_and_only_weak_ones_when_asked() -> None:
    model = load_text(PATHS)
    assert [(p.entry, p.target, p.effort, p.flows, p.weak) for p in find_paths(model).paths] == [
        ("attacker", "api", 9, ("attacker->api",), False),
        ("attacker", "vault", 11, ("attacker->edge", "edge->vault"), True),
        ("attacker", "api", 15, ("attacker->edge", "edge->api"), True),
        ("attacker", "vault", 17, ("attacker->api", "api->vault"), False),
        ("attacker", "vault", 23, ("attacker->edge", "edge->api", "api->vault"), True),
    ]
    assert [(p.target, p.effort) for p in cheapest_paths(model)] == [("api", 9), ("vault", 11)]
    assert [(p.target, p.flows) for p in cheapest_paths(model, weak_only=True)] == [
        ("vault", ("attacker->edge", "edge->vault")),
    ]


# --- properties, data, crossing and named-set scopes: the verdicts of evaluating every element ---

FIXTURE_MODELS = sorted((Path(__file__).parent / "fixtures").glob("*/*.yaml"))
SCOPED = tuple(
    r for r in builtin_rules()
    if r.meta.properties or r.meta.data or r.meta.crosses or r.meta.among
)
"""The built-in rules that declare a ``properties``, ``data``, ``crosses`` or ``among`` scope."""


def unscoped(item: Rule) -> Rule:
    """The rule without its properties/data/crossing/among scope (kinds and ends still apply)."""
    return Rule(
        dataclasses.replace(
            item.meta, properties=frozenset(), data=None, crosses=None, among=None
        ),
        item.check,
    )


def assert_same_verdicts(model: Model) -> None:
    """Scoped and unscoped runs agree on every finding, gap, error, fire and unknown; what the
    scope leaves out the unscoped run only passed or skipped."""
    scoped = analyze(model, SCOPED, today=TODAY)
    every = analyze(model, [unscoped(r) for r in SCOPED], today=TODAY)
    assert scoped.findings == every.findings
    assert scoped.gaps == every.gaps
    assert scoped.rule_errors == every.rule_errors
    for narrow, wide in zip(scoped.summaries, every.summaries, strict=True):
        assert (narrow.rule, narrow.fired, narrow.unknown) == (wide.rule, wide.fired, wide.unknown)
        assert set(narrow.passed) <= set(wide.passed)
        assert set(narrow.skipped) <= set(wide.skipped)


def test_the_scoped_rules_are_most_of_the_library() -> None:
    assert len(SCOPED) >= 60  # a guard against the scopes silently disappearing


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_scopes_change_no_verdict_on_the_examples(path: Path) -> None:
    assert_same_verdicts(load(path))


def test_scopes_change_no_verdict_on_any_rule_fixture() -> None:
    assert len(FIXTURE_MODELS) >= 2 * len(SCOPED)
    for path in FIXTURE_MODELS:
        assert_same_verdicts(load(path))


def test_scopes_change_no_verdict_on_a_generated_model(tmp_path: Path) -> None:
    assert_same_verdicts(load(generated(tmp_path, 400)))


# --- the scope fields on rules written for the tests ---------------------------------------------

ZONED = """\
system: {name: Zoned}
data:
  card: {classification: restricted, categories: [pci.pan]}
  profile: {classification: confidential, categories: [pii]}
  menu: {classification: public}
boundaries:
  internet: {trust: untrusted}
  app: {trust: trusted}
  vault: {trust: restricted, inside: app}
components:
  shopper: {kind: actor, zone: internet}
  web: {kind: gateway, zone: app, properties: {waf_mode: block}}
  orders: {kind: service, zone: app, processes: [profile], properties: {debug: true}}
  cards: {kind: datastore, zone: vault, stores: [card]}
  menu-db: {kind: datastore, zone: app, stores: [menu], properties: {debug: false}}
flows:
  - shopper -> web: {protocol: https, data: [profile, card]}
  - web -> orders: {protocol: https, data: [profile], properties: {retries: 3}}
  - orders -> cards: {protocol: postgres, data: [card]}
  - orders -> menu-db: {protocol: postgres, data: [menu]}
  - cards -> orders: {protocol: postgres, properties: {retries: 1}}
"""


def test_properties_select_elements_that_state_one_of_the_keys() -> None:
    model = load_text(ZONED)
    assert evaluated(meta(Target.COMPONENT, properties=frozenset({"debug"})), model) == (
        "orders", "menu-db",
    )
    assert evaluated(meta(Target.COMPONENT, properties=frozenset({"debug", "waf_mode"})),
                     model) == ("web", "orders", "menu-db")
    assert evaluated(meta(properties=frozenset({"retries"})), model) == (
        "web->orders", "cards->orders",
    )
    assert evaluated(meta(properties=frozenset({"nothing"})), model) == ()


def test_data_scopes_select_by_category_classification_and_storage() -> None:
    model = load_text(ZONED)
    pan = DataScope(categories=("pci",))  # a category covers its sub-categories
    assert evaluated(meta(data=pan), model) == ("shopper->web", "orders->cards")
    assert evaluated(meta(Target.COMPONENT, data=pan), model) == (
        "shopper", "web", "orders", "cards",
    )
    stored = DataScope(categories=("pci.pan",), stored=True)
    assert evaluated(meta(Target.COMPONENT, data=stored), model) == ("cards",)
    sensitive = DataScope(at_least=Classification.CONFIDENTIAL)
    assert evaluated(meta(data=sensitive), model) == (
        "shopper->web", "web->orders", "orders->cards",
    )
    both = DataScope(categories=("pii",), at_least=Classification.RESTRICTED)
    assert evaluated(meta(data=both), model) == ()  # no single asset is both
    assert evaluated(meta(Target.COMPONENT, data=sensitive, kinds=frozenset({K.DATASTORE})),
                     model) == ("cards",)


def test_crossing_scopes_select_flows_that_leave_their_zone() -> None:
    model = load_text(ZONED)
    assert evaluated(meta(crosses=Crosses.BOUNDARY), model) == (
        "shopper->web", "orders->cards", "cards->orders",
    )
    assert evaluated(meta(crosses=Crosses.INTO_MORE_TRUSTED), model) == (
        "shopper->web", "orders->cards",
    )


def test_a_named_set_selects_its_members_in_model_order() -> None:
    model = load_text(ZONED)
    calls: list[str] = []

    def find(found: Model) -> set[str]:
        calls.append(found.system.name)
        return {"orders->menu-db", "web->orders", "no-such-flow"}

    some = ElementSet("some-flows", "two flows, for the test", find)
    assert evaluated(meta(among=some), model) == ("web->orders", "orders->menu-db")
    assert evaluated(meta(among=some, properties=frozenset({"retries"})), model) == (
        "web->orders",
    )
    assert calls == ["Zoned"]  # once per model, though two analyses used it


def test_scopes_combine_with_kinds_and_ends() -> None:
    model = load_text(ZONED)
    assert evaluated(meta(target_kinds=frozenset({K.DATASTORE}), crosses=Crosses.BOUNDARY),
                     model) == ("orders->cards",)
    assert evaluated(meta(Target.COMPONENT, kinds=frozenset({K.SERVICE, K.DATASTORE}),
                          properties=frozenset({"debug"})), model) == ("orders", "menu-db")


def test_a_scope_that_cannot_be_built_evaluates_every_element() -> None:
    # A flow to a component that is not in the model breaks the graph (and with it the data,
    # crossing and named-set indexes): the rule then sees every flow and reports the problem.
    model = load_text(ZONED)
    ghost = Flow.model_validate({"source": "orders", "target": "ghost", "data": ["card"]})
    broken = dataclasses.replace(model, flows=(*model.flows, ghost))

    def needs_the_target(flow: Flow, model: Model) -> Verdict:
        return PASS if model.components[flow.target].kind is K.DATASTORE else Skip("not a store")

    scoped = Rule(meta(data=DataScope(categories=("pci.pan",))), needs_the_target)
    assessment = analyze(broken, [scoped], today=TODAY)
    assert assessment.summaries[0].passed == ("orders->cards", "orders->menu-db")
    assert [(e.rule, e.element, e.error) for e in assessment.rule_errors] == [
        ("test-scope", "orders->ghost", "KeyError: 'ghost'"),
    ]


def test_applies_to_agrees_with_the_engine_for_every_scoped_rule() -> None:
    for path in EXAMPLES:
        model = load(path)
        for item in SCOPED:
            target = item.meta.target
            elements = model.components if target is Target.COMPONENT else model.flows_by_id
            judged = tuple(i for i, e in elements.items() if item.applies_to(e, model))
            assert evaluated_ids(item, model) == judged, (path.parent.name, item.id)


def evaluated_ids(item: Rule, model: Model) -> tuple[str, ...]:
    """The elements the engine evaluates the rule on, in model order."""
    every = Rule(item.meta, passes_everything)
    (summary,) = analyze(model, [every], today=TODAY).summaries
    return summary.passed


# --- the graph's shared indexes give what a direct computation gives ---------------------------


def reference_data_of(model: Model, component_id: str) -> list[str]:
    """What ``data_of`` returned before it was indexed (gathered per component, then sorted)."""
    ids = dict.fromkeys(model.components[component_id].data_ids)
    for flow in model.flows:
        if component_id in (flow.source, flow.target):
            ids.update(dict.fromkeys(flow.data))
    found = [model.data[d] for d in ids if d in model.data]
    return [a.id for a in sorted(found, key=lambda a: (-a.classification.rank, a.id))]


def reference_crossings(model: Model) -> dict[str, tuple[object, ...]]:
    """Every crossing, computed flow by flow as before crossings were built per pair of zones."""
    graph = model.graph
    found: dict[str, tuple[object, ...]] = {}
    for flow in model.flows:
        source = graph.zone_of(flow.source)
        target = graph.zone_of(flow.target)
        if source is target:
            continue
        source_chain = [b.id for b in graph.zone_chain(source.id)] if source else []
        target_chain = [b.id for b in graph.zone_chain(target.id)] if target else []
        shared = set(source_chain) & set(target_chain)
        crossed = tuple([b for b in source_chain if b not in shared]
                        + [b for b in target_chain if b not in shared])
        source_rank = source.trust.rank if source else 0
        target_rank = target.trust.rank if target else 0
        found[flow.id] = (
            flow, source, target, source.trust if source else None,
            target.trust if target else None, crossed, target_rank > source_rank,
        )
    return found


def graph_models(tmp_path: Path) -> list[Model]:
    return [load(p) for p in EXAMPLES] + [load_text(ZONED), load(generated(tmp_path, 300))]


def test_indexed_data_matches_a_direct_computation(tmp_path: Path) -> None:
    for model in graph_models(tmp_path):
        graph = model.graph
        for cid in model.components:
            expected = reference_data_of(model, cid)
            assert [a.id for a in graph.data_of(cid)] == expected
            assert [a.id for a in graph.assets_of(cid)] == expected
        for flow in model.flows:
            ranked = sorted((model.data[d] for d in dict.fromkeys(flow.data) if d in model.data),
                            key=lambda a: (-a.classification.rank, a.id))
            assert graph.flow_data(flow) == ranked
            assert list(graph.assets_on(flow)) == ranked
        for wanted in (lambda a: "pci.pan" in a.categories, lambda a: a.classification.rank >= 2):
            assert graph.flows_carrying(wanted) == {
                f.id for f in model.flows if any(wanted(a) for a in graph.flow_data(f))
            }
            assert graph.components_holding(wanted) == {
                c for c in model.components if any(wanted(a) for a in graph.data_of(c))
            }
            assert graph.components_storing(wanted) == {
                cid for cid, c in model.components.items()
                if any(wanted(model.data[d]) for d in c.stores if d in model.data)
            }


def test_crossings_built_per_pair_of_zones_match_a_direct_computation(tmp_path: Path) -> None:
    for model in graph_models(tmp_path):
        graph = model.graph
        expected = reference_crossings(model)
        for flow in model.flows:
            crossing = graph.crossing(flow)
            if flow.id not in expected:
                assert crossing is None
                assert not graph.crosses(flow)
                continue
            assert crossing is not None
            assert crossing is graph.crossing(flow)  # built once
            assert (crossing.flow, crossing.source_zone, crossing.target_zone,
                    crossing.source_trust, crossing.target_trust, crossing.boundaries,
                    crossing.inbound) == expected[flow.id]
            assert graph.crosses(flow)
        assert set(graph.crossing_flow_ids) == set(expected)
        assert graph.inbound_flow_ids == {i for i, c in expected.items() if c[-1]}


def test_property_and_protocol_indexes_match_a_direct_computation(tmp_path: Path) -> None:
    for model in graph_models(tmp_path):
        graph = model.graph
        keys = {k for f in model.flows for k in f.properties} | {"no-such-key"}
        for key in keys:
            assert list(graph.flows_stating(key)) == [f for f in model.flows if key in f.properties]
        keys = {k for c in model.components.values() for k in c.properties} | {"no-such-key"}
        for key in keys:
            assert list(graph.components_stating(key)) == [
                cid for cid, c in model.components.items() if key in c.properties
            ]
        for protocol in {f.protocol for f in model.flows if f.protocol} | {"no-such-protocol"}:
            assert list(graph.flows_using(protocol)) == [
                f for f in model.flows if f.protocol == protocol
            ]


def generated(tmp_path: Path, components: int) -> Path:
    """A model written by bench/generate.py."""
    return generated_model(tmp_path / f"generated-{components}.yaml", components, seed=3)

