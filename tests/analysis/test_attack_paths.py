"""Attack paths: effort per hop, the weakest hop, bounds and their reporting."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest
from analysis_models import card_checkout, layered_model, model_of

from threatforge.analysis import attack_paths, crown_jewels, find_paths
from threatforge.analysis._steps import Strength, build_steps

PATHS = """\
system: {name: Paths}
data:
  cards: {classification: restricted, categories: [pci.pan]}
  orders: {classification: confidential}
boundaries:
  internet: {kind: internet, trust: untrusted}
  dmz: {kind: dmz, trust: semi-trusted}
  app: {kind: vpc, trust: trusted}
  vault: {kind: subnet, trust: restricted, inside: app}
components:
  attacker: {kind: actor, zone: internet}
  web: {kind: service, zone: dmz, authz: none}
  api: {kind: service, zone: app, authz: rbac, processes: [orders]}
  legacy: {kind: service, zone: app, authz: none}
  db: {kind: datastore, zone: vault, stores: [cards], authz: rbac}
flows:
  - attacker -> web: {protocol: https, authn: none}
  - web -> api: {protocol: https, authn: oauth2}
  - web -> legacy: {protocol: http, authn: api-key}
  - api -> db: {protocol: postgres, tls: true, authn: iam}
  - legacy -> db: {protocol: postgres, tls: true, authn: password}
"""


def test_paths_are_ranked_by_attacker_effort_with_every_hop_explained() -> None:
    search = find_paths(model_of(PATHS))
    assert search.entries == ("attacker",)
    assert search.targets == ("db",)
    assert [(p.effort, p.flows) for p in search.paths] == [
        (11, ("attacker->web", "web->legacy", "legacy->db")),
        (21, ("attacker->web", "web->api", "api->db")),
    ]
    best = search.paths[0]
    assert [(h.effort, h.strength, h.inbound) for h in best.hops] == [
        (1, Strength.NONE, True),   # 1 per hop, nothing else
        (3, Strength.WEAK, True),   # 1 + api-key 3 - 2 (sent in clear) + 1 (guarded crossing)
        (7, Strength.WEAK, True),   # 1 + password 3 + authz 2 + 1 (guarded crossing)
    ]
    assert best.boundaries == ("internet", "dmz", "app", "vault")
    assert best.hops[1].why == (
        "shared-secret authentication (authn: api-key) sent in clear text; enters a more "
        "trusted zone: dmz (semi-trusted) -> app (trusted); 'legacy' does not authorise callers "
        "(authz: none)"
    )
    assert best.weakest.flow == "attacker->web"
    assert best.weakest.why == (
        "no authentication (authn: none); enters a more trusted zone: internet (untrusted) -> "
        "dmz (semi-trusted); 'web' does not authorise callers (authz: none)"
    )
    assert best.entry_why == "starts in untrusted zone 'internet'"
    assert best.target_why == "stores restricted data 'cards'"
    assert (best.weak, search.capped, search.unreached) == (True, False, ())


def test_strong_hops_cost_more_and_are_not_weak() -> None:
    strong = PATHS.replace("authn: none", "authn: oauth2").replace(
        "  - web -> legacy: {protocol: http, authn: api-key}\n", ""
    )
    (path,) = find_paths(model_of(strong)).paths
    assert path.flows == ("attacker->web", "web->api", "api->db")
    # attacker->web: 1 + strong 6 + authz none 0 + guarded crossing 1
    assert [h.effort for h in path.hops] == [8, 10, 10]
    assert path.weak is False
    assert path.weakest.flow == "attacker->web"


def test_k_limits_the_paths_per_target_and_keeps_the_cheapest() -> None:
    search = find_paths(model_of(PATHS), k=1)
    assert [p.flows for p in search.paths] == [("attacker->web", "web->legacy", "legacy->db")]


def test_from_and_to_choose_any_component() -> None:
    search = find_paths(model_of(PATHS), sources=["api"], targets=["legacy", "db"])
    assert search.entries == ("api",)
    assert search.targets == ("db", "legacy")
    assert [p.flows for p in search.paths] == [("api->db",)]
    assert search.unreached == ("legacy",)
    assert search.paths[0].entry_why == "assumed compromised: 'api' is not an entry point"
    assert search.paths[0].target_why == "stores restricted data 'cards'"
    chosen = find_paths(model_of(PATHS), targets=["api"])
    assert chosen.paths[0].target_why == "chosen target"


def test_public_entry_points_pay_for_their_own_interface() -> None:
    model = model_of(
        """\
        system: {name: Public}
        data:
          keys: {classification: restricted}
        boundaries:
          aws: {trust: trusted}
        components:
          gateway: {kind: gateway, zone: aws, exposure: public, authn: jwt, authz: scopes,
                    waf: true}
          vault: {kind: secrets-store, zone: aws, stores: [keys], authz: policy}
        flows:
          - gateway -> vault: {protocol: aws-api, authn: iam}
        """
    )
    (path,) = find_paths(model).paths
    # jwt 6 + authz 2 + WAF 1, then the hop: 1 + iam 6 + authz 2
    assert (path.entry_effort, path.effort) == (9, 18)
    assert path.entry_why == (
        "public interface: strong authentication (authn: jwt); authorises (authz: scopes); "
        "has a WAF"
    )
    assert path.target_why == "stores restricted data 'keys'; secrets store"


def test_pulled_flows_are_walked_from_the_puller() -> None:
    model = model_of(
        """\
        system: {name: Pull}
        data:
          cards: {classification: restricted}
        boundaries:
          internet: {trust: untrusted}
          app: {trust: trusted}
        components:
          attacker: {kind: actor, zone: internet}
          worker: {kind: function, zone: app}
          jobs: {kind: queue, zone: app, stores: [cards]}
        flows:
          - attacker -> worker: {protocol: https, authn: none}
          - jobs -> worker: {protocol: aws-api, authn: iam, initiated_by: target}
        """
    )
    (path,) = find_paths(model).paths
    assert path.components == ("attacker", "worker", "jobs")
    assert path.hops[1].pulled is True
    assert path.hops[1].flow == "jobs->worker"
    assert path.hops[1].why.startswith("'worker' pulls from 'jobs'; strong authentication")


def test_a_network_policy_adds_effort() -> None:
    filtered = PATHS.replace(
        "legacy: {kind: service, zone: app, authz: none}",
        "legacy: {kind: service, zone: app, authz: none, properties: {network_policy: true}}",
    )
    hop = find_paths(model_of(filtered)).paths[0].hops[1]
    assert (hop.flow, hop.effort) == ("web->legacy", 4)
    assert hop.why.endswith("a network policy filters it")


def test_the_depth_cap_is_reported() -> None:
    chain = "\n".join(f"  - c{i} -> c{i + 1}: {{authn: none}}" for i in range(6))
    components = "\n".join(f"  c{i}: {{kind: service, zone: app}}" for i in range(1, 7))
    model = model_of(
        "system: {name: Chain}\n"
        "data:\n  cards: {classification: restricted}\n"
        "boundaries:\n  internet: {trust: untrusted}\n  app: {trust: trusted}\n"
        "components:\n  c0: {kind: actor, zone: internet}\n"
        f"{components}\n  c7: {{kind: datastore, zone: app, stores: [cards]}}\n"
        f"flows:\n{chain}\n  - c6 -> c7: {{authn: none}}\n"
    )
    capped = find_paths(model, max_depth=4)
    assert (capped.paths, capped.unreached, capped.capped, capped.depth_capped) == (
        (), ("c7",), True, 1
    )
    full = find_paths(model, max_depth=7)
    assert ([len(p.hops) for p in full.paths], full.capped) == ([7], False)


def test_the_budget_is_reported() -> None:
    search = find_paths(model_of(PATHS), budget=3)
    assert (search.budget_exhausted, search.capped) == (True, True)


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        find_paths(model_of(PATHS), k=0)


def test_best_per_pair_keeps_one_path_per_entry_and_target() -> None:
    search = find_paths(model_of(PATHS))
    assert [(p.entry, p.target, p.effort) for p in search.best_per_pair()] == [
        ("attacker", "db", 11)
    ]


def test_crown_jewels_and_why() -> None:
    assert crown_jewels(card_checkout()) == {
        "api-gateway": ("processes restricted data 'pan', 'cvv', 'cardholder-data'",),
        "back-office": (
            "processes restricted data 'pan', 'staff-credentials', 'service-credentials'",
            "administrative interface (admin: true)",
        ),
        "card-vault-db": ("stores restricted data 'pan', 'cardholder-data'",),
        "cloudfront": ("processes restricted data 'pan', 'cvv', 'cardholder-data'",),
        "cloudwatch-logs": ("stores restricted data 'pan'",),
        "cognito": ("identity provider",),
        "kms": ("processes restricted data 'encryption-keys'", "key management"),
        "payment-fn": (
            "processes restricted data 'pan', 'cvv', 'cardholder-data', 'encryption-keys', "
            "'service-credentials'",
        ),
        "refund-fn": ("processes restricted data 'service-credentials'",),
        "secrets-manager": ("stores restricted data 'service-credentials'", "secrets store"),
    }


def test_card_checkout_has_a_path_from_the_internet_to_the_card_vault() -> None:
    search = find_paths(card_checkout(), targets=["card-vault-db"])
    from_internet = [p for p in search.paths if p.entry == "shopper"]
    assert len(from_internet) == 1
    path = from_internet[0]
    assert path.flows == (
        "shopper->cloudfront",
        "cloudfront->api-gateway",
        "api-gateway->payment-fn",
        "payment-fn->card-vault-db",
    )
    assert path.boundaries == ("internet", "aws-prod", "aws-edge", "checkout-vpc", "cde-subnet")
    assert path.weakest.flow == "payment-fn->card-vault-db"
    assert path.weakest.why == (
        "strong authentication (authn: iam); 'card-vault-db' authorises (authz: rbac)"
    )
    assert path.weak is False


def test_search_on_a_layered_model_stays_within_its_bounds() -> None:
    model = layered_model(layers=4, width=60)
    search = find_paths(model, k=2)
    assert (len(model.components), len(model.flows)) == (301, 780)
    assert search.capped is False
    assert len(search.targets) == 60
    assert (len(search.paths), search.unreached) == (120, ())
    for path in search.paths:
        assert len(path.hops) <= 8
        assert len(set(path.components)) == len(path.components)  # simple paths only
        assert path.effort == path.entry_effort + sum(h.effort for h in path.hops)
    per_target = [p.target for p in search.paths]
    assert max(per_target.count(t) for t in set(per_target)) == 2
    assert [p.effort for p in search.paths] == sorted(p.effort for p in search.paths)


# --- the effort formula, written once -------------------------------------------------------

EFFORT_TERMS = (
    "HOP_EFFORT",
    "AUTHN_EFFORT",
    "CLEARTEXT_SECRET_DISCOUNT",
    "AUTHZ_EFFORT_STATED",
    "AUTHZ_EFFORT_UNKNOWN",
    "WAF_EFFORT",
    "FILTER_EFFORT",
    "GUARDED_CROSSING_EFFORT",
)
EVERY_TERM = """\
system: {name: Every term}
boundaries:
  internet: {kind: internet, trust: untrusted}
  dmz: {kind: dmz, trust: semi-trusted}
  app: {kind: vpc, trust: trusted}
components:
  attacker: {kind: actor, zone: internet}
  shop: {kind: gateway, zone: dmz, exposure: public, authn: api-key, authz: rbac, waf: true}
  web: {kind: service, zone: dmz, authz: none}
  api: {kind: service, zone: app, authz: rbac, waf: true}
  legacy: {kind: service, zone: app}
  db: {kind: datastore, zone: app, authz: none, properties: {network_policy: default-deny}}
flows:
  - attacker -> shop: {protocol: https, authn: none}
  - shop -> web: {protocol: https, authn: none}
  - web -> api: {protocol: https, authn: oauth2}
  - web -> legacy: {protocol: http, authn: api-key}
  - api -> db: {protocol: postgres, tls: true, authn: iam}
"""


def test_each_term_of_the_effort_formula_is_written_once() -> None:
    # step_effort, an entry's effort and the per-model table of step efforts are built from
    # the same term helpers: each constant is read in exactly one place
    source = Path(attack_paths.__file__).read_text(encoding="utf-8")
    reads = Counter(
        node.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in EFFORT_TERMS
    )
    assert dict(reads) == dict.fromkeys(EFFORT_TERMS, 1)


@pytest.mark.parametrize("term", EFFORT_TERMS)
def test_changing_one_term_changes_every_way_of_computing_the_effort_alike(
    term: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = model_of(EVERY_TERM)
    unchanged = list(attack_paths._costs(before).effort)
    value = getattr(attack_paths, term)
    if isinstance(value, dict):
        monkeypatch.setattr(attack_paths, term, {k: v + 3 for k, v in value.items()})
    else:
        monkeypatch.setattr(attack_paths, term, value + 3)
    model = model_of(EVERY_TERM)
    table = list(attack_paths._costs(model).effort)
    assert [attack_paths.step_effort(model, s) for s in build_steps(model).all] == table
    assert table != unchanged  # the model exercises the term
    # the public gateway's entry: api-key (weak, not sniffed), authz: rbac, a WAF
    dearer_entry = term in ("AUTHN_EFFORT", "AUTHZ_EFFORT_STATED", "WAF_EFFORT")
    assert attack_paths._entry(model, "shop")[0] == (9 if dearer_entry else 6)
