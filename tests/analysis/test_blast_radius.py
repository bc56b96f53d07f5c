"""Blast radius: reachable components and the data they hold, by classification."""

from __future__ import annotations

import pytest
from analysis_models import card_checkout, model_of

from threatforge.analysis import Reached, blast_radius
from threatforge.model import Classification

MODEL = """\
system: {name: Blast}
data:
  cards: {classification: restricted, categories: [pci.pan]}
  profile: {classification: confidential, categories: [pii]}
  prices: {classification: public}
boundaries:
  app: {trust: trusted}
  data: {trust: restricted, inside: app}
components:
  web: {kind: service, zone: app, processes: [prices]}
  api: {kind: service, zone: app, processes: [profile]}
  jobs: {kind: queue, zone: app, stores: [profile]}
  db: {kind: datastore, zone: data, stores: [cards, profile]}
  unrelated: {kind: service, zone: app, processes: [cards]}
flows:
  - web -> api: {protocol: https, data: [prices]}
  - api -> db: {protocol: postgres, tls: true, data: [cards]}
  - jobs -> api: {protocol: aws-api, initiated_by: target, data: [profile]}
  - unrelated -> web: {protocol: https}
"""


def test_reach_and_data_by_classification() -> None:
    radius = blast_radius(model_of(MODEL), "web")
    assert radius.reached == (
        Reached("api", 1, "web->api", "app"),
        Reached("db", 2, "api->db", "data"),
        Reached("jobs", 2, "jobs->api", "app"),
    )
    groups = radius.by_classification()
    assert list(groups) == [Classification.RESTRICTED, Classification.CONFIDENTIAL,
                            Classification.PUBLIC]
    assert [(d.data, d.held_by) for d in groups[Classification.RESTRICTED]] == [
        ("cards", ("api", "db"))
    ]
    assert [(d.data, d.categories, d.held_by) for d in groups[Classification.CONFIDENTIAL]] == [
        ("profile", ("pii",), ("api", "db", "jobs"))
    ]
    assert [(d.data, d.held_by) for d in groups[Classification.PUBLIC]] == [
        ("prices", ("web", "api"))
    ]


def test_a_component_with_no_way_out_reaches_nothing() -> None:
    radius = blast_radius(model_of(MODEL), "db")
    assert radius.reached == ()
    assert [(d.data, d.held_by) for d in radius.data] == [
        ("cards", ("db",)), ("profile", ("db",))
    ]


def test_unknown_component() -> None:
    with pytest.raises(KeyError):
        blast_radius(model_of(MODEL), "nope")


def test_card_checkout_payment_function() -> None:
    radius = blast_radius(card_checkout(), "payment-fn")
    assert [(r.component, r.hops) for r in radius.reached] == [
        ("card-vault-db", 1),
        ("cloudwatch-logs", 1),
        ("kms", 1),
        ("payment-events-queue", 1),
        ("psp", 1),
        ("secrets-manager", 1),
        ("api-gateway", 2),  # back in through the PSP's webhook
        ("checkout-fn", 2),
        ("cognito", 3),
        ("fraud-scoring", 3),
        ("orders-table", 3),
        ("receipts-bucket", 3),
        ("webhook-fn", 3),
    ]
    restricted = radius.by_classification()[Classification.RESTRICTED]
    assert [d.data for d in restricted] == [
        "cardholder-data", "cvv", "encryption-keys", "pan", "service-credentials"
    ]
