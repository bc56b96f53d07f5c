"""``Model.graph``: flows in and out, zones, crossings, entry points, reach and data."""

from __future__ import annotations

import pytest

from threatforge.model import Crossing, Model, Reach, TrustLevel, load_text

SHOP = """\
system: {name: Shop}
data:
  catalog: {classification: public}
  orders: {classification: confidential}
  cards: {classification: restricted, categories: [pci.pan]}
  logs: {classification: internal, categories: [telemetry]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  aws: {kind: account, trust: trusted, region: eu-west-1}
  vpc: {kind: vpc, trust: trusted, inside: aws}
  private: {kind: subnet, trust: restricted, inside: vpc}
  partner: {kind: third-party, trust: semi-trusted}
components:
  user: {kind: actor, zone: internet}
  cdn: {kind: cdn, zone: aws, exposure: public}
  api: {kind: service, zone: vpc, processes: [orders]}
  db: {kind: datastore, zone: private, stores: [orders, cards], encryption: {at_rest: kms}}
  psp: {kind: external-service, zone: partner}
  worker: {kind: function, zone: vpc}
  admin: {kind: service, zone: private, exposure: internal}
  floating: {kind: service}
flows:
  - user -> cdn: {protocol: https, data: [catalog]}
  - cdn -> api: {protocol: https, authn: jwt, data: [orders]}
  - api -> db: {protocol: postgres, tls: true, authn: iam, data: [cards, logs]}
  - api -> psp: {protocol: https, authn: mtls, data: [cards]}
  - psp -> api: {protocol: https, authn: none, data: [orders]}
  - worker -> db: {protocol: postgres, tls: true}
  - cdn -> admin: {protocol: https}
  - admin -> db: {protocol: postgres, tls: true, authn: network}
  - db -> floating: {protocol: https, authn: api-key}
"""


@pytest.fixture(scope="module")
def shop() -> Model:
    return load_text(SHOP)


def ids(flows) -> list[str]:
    return [f.id for f in flows]


def test_flows_in_and_out(shop):
    graph = shop.graph
    assert ids(graph.flows_in("api")) == ["cdn->api", "psp->api"]
    assert ids(graph.flows_out("api")) == ["api->db", "api->psp"]
    assert ids(graph.flows_in("db")) == ["api->db", "worker->db", "admin->db"]
    assert ids(graph.flows_out("user")) == ["user->cdn"]
    assert graph.flows_in("user") == []
    assert graph.flows_out("no-such-component") == []
    assert graph.peers("api") == {"cdn", "db", "psp"}


def test_graph_is_built_once(shop):
    assert shop.graph is shop.graph


def test_zone_chain_innermost_first(shop):
    graph = shop.graph
    assert [b.id for b in graph.zone_chain("private")] == ["private", "vpc", "aws"]
    assert [b.id for b in graph.zone_chain("internet")] == ["internet"]
    assert graph.zone_chain("no-such-zone") == ()
    assert graph.zone_children == {
        "internet": (),
        "aws": ("vpc",),
        "vpc": ("private",),
        "private": (),
        "partner": (),
    }
    assert (graph.in_zone("db", "aws"), graph.in_zone("db", "partner")) == (True, False)
    assert graph.zone_of("floating") is None
    assert (graph.trust_of("db"), graph.trust_of("floating")) == (TrustLevel.RESTRICTED, None)


def crossing(model: Model, flow_id: str) -> Crossing | None:
    return model.graph.crossing(model.flows_by_id[flow_id])


def test_crossing_from_the_internet(shop):
    found = crossing(shop, "user->cdn")
    assert found is not None
    assert (found.boundaries, found.source_trust, found.target_trust, found.inbound) == (
        ("internet", "aws"),
        TrustLevel.UNTRUSTED,
        TrustLevel.TRUSTED,
        True,
    )
    assert found.describe() == "internet (untrusted) -> aws (trusted)"


def test_crossing_into_a_nested_zone_crosses_only_the_inner_boundary(shop):
    found = crossing(shop, "api->db")
    assert found is not None
    assert (found.source_zone.id, found.target_zone.id, found.boundaries, found.inbound) == (
        "vpc",
        "private",
        ("private",),
        True,
    )


def test_crossing_out_to_a_partner_is_not_inbound(shop):
    out = crossing(shop, "api->psp")
    back = crossing(shop, "psp->api")
    assert out is not None and back is not None
    assert (out.boundaries, out.inbound) == (("vpc", "aws", "partner"), False)
    assert (back.boundaries, back.inbound) == (("partner", "vpc", "aws"), True)
    assert back.describe() == "partner (semi-trusted) -> vpc (trusted)"


def test_same_trust_crossing_is_not_inbound(shop):
    found = crossing(shop, "cdn->api")
    assert found is not None
    assert (found.boundaries, found.source_trust, found.target_trust, found.inbound) == (
        ("vpc",),
        TrustLevel.TRUSTED,
        TrustLevel.TRUSTED,
        False,
    )


def test_crossing_to_a_component_without_zone(shop):
    found = crossing(shop, "db->floating")
    assert found is not None
    assert (found.target_zone, found.target_trust, found.boundaries, found.inbound) == (
        None,
        None,
        ("private", "vpc", "aws"),
        False,
    )
    assert found.describe() == "private (restricted) -> no zone"


def test_no_crossing_inside_one_zone():
    model = load_text(
        "system: {name: S}\nboundaries: {z: {trust: trusted}}\n"
        "components: {a: {kind: service, zone: z}, b: {kind: service, zone: z}}\n"
        "flows: [{from: a, to: b, protocol: https}]\n"
    )
    assert crossing(model, "a->b") is None


def test_entry_points_are_untrusted_or_public(shop):
    assert shop.graph.entry_points == ("cdn", "user")
    assert shop.graph.is_entry_point("admin") is False


def test_reach_counts_hops_with_and_without_authentication(shop):
    graph = shop.graph
    assert {cid: graph.reach(cid) for cid in shop.components} == {
        "user": Reach(hops=0, unauthenticated_hops=0, entry="user"),
        "cdn": Reach(hops=0, unauthenticated_hops=0, entry="cdn"),
        # cdn -> api needs a JWT; only the unauthenticated route via admin stays open
        "api": Reach(hops=1, unauthenticated_hops=None, entry="cdn"),
        "admin": Reach(hops=1, unauthenticated_hops=1, entry="cdn"),
        # 'authn: network' proves nothing: admin -> db counts as unauthenticated
        "db": Reach(hops=2, unauthenticated_hops=2, entry="cdn"),
        "psp": Reach(hops=2, unauthenticated_hops=None, entry="cdn"),
        "floating": Reach(hops=3, unauthenticated_hops=None, entry="cdn"),
        "worker": Reach(hops=None, unauthenticated_hops=None, entry=None),
    }
    assert (graph.reach("worker").reachable, graph.reach("db").reachable) == (False, True)
    assert graph.reach("no-such-component") == Reach(None, None, None)


def test_reach_entry_is_the_smallest_id_among_equally_short_paths():
    model = load_text(
        "system: {name: S}\n"
        "components:\n"
        "  zed: {kind: client, exposure: public}\n"
        "  abe: {kind: client, exposure: public}\n"
        "  svc: {kind: service}\n"
        "flows:\n"
        "  - zed -> svc: {protocol: https}\n"
        "  - abe -> svc: {protocol: https}\n"
    )
    assert model.graph.reach("svc") == Reach(hops=1, unauthenticated_hops=1, entry="abe")


def test_reachable_from(shop):
    graph = shop.graph
    assert graph.reachable_from("user") == {"cdn", "api", "admin", "db", "psp", "floating"}
    assert graph.reachable_from("worker") == {"db", "floating"}
    assert graph.reachable_from("floating") == set()
    # a cycle does not make a component reachable from itself
    assert "api" not in graph.reachable_from("api")


def test_data_of_most_sensitive_first(shop):
    graph = shop.graph
    assert [a.id for a in graph.data_of("api")] == ["cards", "orders", "logs"]
    assert [a.id for a in graph.data_of("user")] == ["catalog"]
    assert graph.data_of("worker") == []
    assert [a.id for a in graph.flow_data(shop.flows_by_id["api->db"])] == ["cards", "logs"]
    assert graph.max_classification(graph.data_of("cdn")).value == "confidential"
    assert graph.max_classification([]) is None
    assert [a.id for a in graph.has_category(graph.data_of("db"), "pci")] == ["cards"]


def test_region_is_inherited_from_an_enclosing_zone(shop):
    graph = shop.graph
    assert {cid: graph.region_of(cid) for cid in shop.components} == {
        "user": None,
        "cdn": "eu-west-1",
        "api": "eu-west-1",
        "db": "eu-west-1",
        "psp": None,
        "worker": "eu-west-1",
        "admin": "eu-west-1",
        "floating": None,
    }


def test_nearest_region_wins():
    model = load_text(
        "system: {name: S}\n"
        "boundaries:\n"
        "  aws: {trust: trusted, region: eu-west-1}\n"
        "  dr: {trust: trusted, inside: aws, region: eu-central-1}\n"
        "  subnet: {trust: trusted, inside: dr}\n"
        "components: {a: {kind: service, zone: subnet}, b: {kind: service, zone: aws}}\n"
    )
    assert (model.graph.region_of("a"), model.graph.region_of("b")) == ("eu-central-1", "eu-west-1")


def test_components_of_kind_in_model_order(shop):
    found = shop.graph.components_of_kind(*(shop.components[c].kind for c in ("db", "api")))
    assert [c.id for c in found] == ["api", "db", "admin", "floating"]


def test_model_element_lookup_and_size(shop):
    assert shop.element("db") is shop.components["db"]
    assert shop.element("api->db") is shop.flows_by_id["api->db"]
    assert shop.element("cards") is shop.data["cards"]
    assert shop.element("vpc") is shop.boundaries["vpc"]
    assert shop.element("nothing") is None
    assert shop.element_count == 8 + 9 + 4 + 5
    assert (shop.components["db"].label, shop.system.name) == ("db", "Shop")
