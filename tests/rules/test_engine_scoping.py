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

from threatforge.analysis import find_paths
from threatforge.analysis.attack_paths import cheapest_paths
from threatforge.model import ComponentKind, Flow, Model, load, load_text
from threatforge.rules import (
    PASS,
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
    }


def test_no_builtin_component_or_model_rule_declares_flow_end_kinds() -> None:
    misplaced = [
        r.id for r in builtin_rules()
        if r.meta.target is not Target.FLOW and (r.meta.source_kinds or r.meta.target_kinds)
    ]
    assert misplaced == []


# --- the cyclic garbage collector is paused during a run, then restored -------------------------


@pytest.fixture
def collector_state() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_state")
def test_the_collector_is_paused_while_rules_run_and_enabled_again_after() -> None:
    seen: list[bool] = []

    def record(component: Any, model: Model) -> Verdict:
        seen.append(gc.isenabled())
        raise RuntimeError("broken rule")

    gc.enable()
    assessment = analyze(shop(), [Rule(meta(Target.COMPONENT, kinds=frozenset({K.QUEUE})),
                                       record)], today=TODAY)
    assert seen == [False]
    assert [e.error for e in assessment.rule_errors] == ["RuntimeError: broken rule"]
    assert gc.isenabled() is True


@pytest.mark.usefixtures("collector_state")
def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    analyze(shop(), [Rule(meta(), passes_everything)], today=TODAY)
    find_paths(load_text(PATHS))
    assert gc.isenabled() is False


@pytest.mark.usefixtures("collector_state")
def test_a_path_search_gives_the_collector_back() -> None:
    gc.enable()
    assert [p.effort for p in find_paths(load_text(PATHS)).paths] == [9, 11, 15, 17, 23]
    assert gc.isenabled() is True


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
