"""The schema's derived facts: flow encryption and authentication, ranks, kinds, shorthands."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import threatforge.model
from threatforge.model import (
    Authn,
    Classification,
    Component,
    ComponentKind,
    Flow,
    TrustLevel,
)
from threatforge.model.schema import LoggingSpec


def flow(**fields: object) -> Flow:
    return Flow.model_validate({"from": "a", "to": "b", **fields})


@pytest.mark.parametrize(
    ("fields", "encrypted"),
    [
        ({"protocol": "https"}, True),
        ({"protocol": "http"}, False),
        ({"protocol": "http", "tls": True}, True),
        ({"protocol": "postgres"}, None),
        ({"protocol": "postgres", "tls": False}, False),
        ({"mtls": True}, True),
        ({}, None),
    ],
    ids=["https", "http", "http+tls", "unknown", "tls-false", "mtls", "nothing"],
)
def test_flow_encrypted(fields, encrypted):
    assert flow(**fields).encrypted is encrypted


def test_flow_effective_authn():
    assert (
        flow(authn="jwt").effective_authn,
        flow(mtls=True).effective_authn,
        flow().effective_authn,
    ) == (Authn.JWT, Authn.MTLS, None)


def test_flow_arrow_form_and_default_id():
    arrow = Flow.model_validate({"web -> api": {"protocol": "https"}})
    empty = Flow.model_validate({"web->api": None})
    named = Flow.model_validate({"from": "web", "to": "api", "id": "sync"})
    assert [(f.id, f.source, f.target) for f in (arrow, empty, named)] == [
        ("web->api", "web", "api"),
        ("web->api", "web", "api"),
        ("sync", "web", "api"),
    ]


def test_models_are_frozen():
    component = Component(kind=ComponentKind.SERVICE)
    with pytest.raises(ValidationError) as caught:
        component.kind = ComponentKind.ACTOR  # type: ignore[misc]
    assert caught.value.errors()[0]["type"] == "frozen_instance"


def test_logging_shorthand():
    component = Component.model_validate({"kind": "service", "logging": True})
    assert component.logging == LoggingSpec(enabled=True)


def test_component_data_ids_and_properties():
    component = Component.model_validate(
        {
            "kind": "service",
            "stores": ["a", "b"],
            "processes": ["b", "c"],
            "properties": {"replicas": 3, "azs": ["a", "b"]},
        }
    )
    assert component.data_ids == ["a", "b", "c"]
    assert (component.prop("replicas"), component.prop("azs"), component.prop("none")) == (
        3,
        ["a", "b"],
        None,
    )


def test_ranks_increase_with_sensitivity_and_trust():
    assert [c.rank for c in Classification] == [0, 1, 2, 3]
    assert Classification.RESTRICTED.rank > Classification.PUBLIC.rank
    assert TrustLevel.UNTRUSTED.rank < TrustLevel.SEMI_TRUSTED.rank < TrustLevel.TRUSTED.rank


def test_kind_and_authn_groups():
    assert sorted(k.value for k in ComponentKind if k.stores_data) == [
        "artifact-registry",
        "cache",
        "datastore",
        "queue",
        "secrets-store",
        "stream",
    ]
    assert sorted(k.value for k in ComponentKind if k.is_process) == [
        "ci-pipeline",
        "function",
        "gateway",
        "service",
    ]
    assert [a.value for a in Authn if not a.authenticates] == ["none", "network"]
    assert (Authn.API_KEY.is_strong, Authn.MTLS.is_strong) == (False, True)


def test_public_names_are_exported():
    names = threatforge.model.__all__
    assert [n for n in names if not hasattr(threatforge.model, n)] == []
    assert len(names) == len(set(names))
