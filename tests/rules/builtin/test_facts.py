"""The shared readers and predicates of the built-in rules (``rules/builtin/_facts.py``)."""

from __future__ import annotations

import pytest

from threatforge.model import load_text
from threatforge.model.schema import PropertyValue
from threatforge.rules.builtin import _facts
from threatforge.rules.builtin._facts import (
    assets,
    in_cde,
    is_kube_api_server,
    kube_api_targets,
    listed,
    number,
    said,
    show,
    tls_version,
    whole_number,
    with_category,
    word,
    words,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" Public-Read ", "public-read"), (True, "true"), (False, "false"), (12, "12"),
     (None, None), (["a"], None)],
)
def test_word(value: PropertyValue | None, expected: str | None) -> None:
    assert word(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(["Email", " SMS ", 3], ["email", "sms"]), ("Email", ["email"]), ("", []), (True, []),
     (None, [])],
)
def test_words(value: PropertyValue | None, expected: list[str]) -> None:
    assert words(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(["0.0.0.0/0", " ", 22], ["0.0.0.0/0", "22"]), ("*", ["*"]), (True, ["true"]),
     (False, []), (None, []), (1.0, ["1"])],
)
def test_listed(value: PropertyValue | None, expected: list[str]) -> None:
    assert listed(value) == expected


def test_numbers_are_never_booleans() -> None:
    assert (number(8), number(7.5), number(True), number("8")) == (8.0, 7.5, None, None)
    assert (whole_number(0), whole_number(1.5), whole_number(False)) == (0, None, None)


def test_values_are_shown_as_written_in_yaml() -> None:
    assert [show(True), show(60.0), show(["a", False])] == ["true", "60", "[a, false]"]
    assert said("session_timeout_minutes", 60.0) == "properties.session_timeout_minutes: 60"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.2", (1, 2)),
        (1.1, (1, 1)),
        ("TLSv1.2_2021", (1, 2)),
        ("TLSv1_2016", (1, 0)),
        ("tls1.3", (1, 3)),
        ("SSLv3", (0, 3)),
        ("modern", None),
        (True, None),
        (None, None),
    ],
)
def test_tls_version(value: str | float | bool | None, expected: tuple[int, int] | None) -> None:
    assert tls_version(value) == expected


MODEL = load_text("""\
version: 1
system: {name: Facts}
data:
  profile: {classification: confidential, categories: [pii.special]}
  card: {classification: restricted, categories: [pci.pan]}
boundaries:
  aws: {kind: account, trust: trusted}
  cde: {kind: subnet, trust: trusted, inside: aws, properties: {pci_scope: cde}}
  reports: {kind: subnet, trust: restricted, inside: cde, properties: {cde: false}}
components:
  ci: {kind: ci-pipeline}
  eks: {kind: gateway, tech: aws.eks, zone: aws}
  nodes: {kind: service, tech: aws.eks.nodegroup, zone: aws}
  control: {kind: gateway, name: kube-apiserver, zone: aws}
  vault: {kind: datastore, zone: cde, stores: [card, profile, card]}
  reporting: {kind: datastore, zone: reports}
flows:
  - ci -> eks: {protocol: https}
  - ci -> nodes: {protocol: https}
  - ci -> control: {protocol: https}
""")


def test_kubernetes_api_servers_by_technology_or_name() -> None:
    components = MODEL.components
    assert [c for c in ("eks", "nodes", "control") if is_kube_api_server(components[c])] == [
        "eks", "control"
    ]
    assert kube_api_targets(MODEL, components["ci"]) == ["control", "eks"]


def test_the_nearest_cde_marking_wins() -> None:
    assert [c for c in ("eks", "vault", "reporting") if in_cde(MODEL, c)] == ["vault"]


def test_categories_match_their_sub_categories() -> None:
    stored = assets(MODEL, MODEL.components["vault"].stores)
    assert [a.id for a in stored] == ["card", "profile"]
    assert [a.id for a in with_category(stored, "pii")] == ["profile"]
    assert [a.id for a in with_category(stored, "pci")] == ["card"]
    assert [a.id for a in with_category(stored, "pi")] == []


def test_every_exported_name_exists() -> None:
    assert [name for name in _facts.__all__ if not hasattr(_facts, name)] == []
