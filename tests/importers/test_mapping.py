"""Mapping data files: the built-in Compose mapping, an organisation's file over it, and the
schema and vocabulary checks that place each problem at its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from threatforge.errors import ImporterError
from threatforge.importers.compose import ComposeImporter
from threatforge.importers.mapping import load_mapping, mapping_source

FIXTURES = Path(__file__).parent / "fixtures" / "compose"

ORG_MAPPING = """\
mapping: compose
types:
  acme/shop-worker:
    kind: function
    tech: python
    properties: {language: python}
    facts:
      - {argument: deploy.resources.limits, set: properties.resource_limits, other: true}
  postgres:
    kind: datastore
    tech: aws.rds.postgres
    protocol: postgres
    port: 6432
  acme/*:
    kind: service
    properties: {owned: true}
common:
  facts:
    - {argument: labels.owner, set: properties.note}
"""


def test_the_built_in_compose_mapping_maps_images_by_name_and_glob() -> None:
    mapping = load_mapping("compose")
    assert mapping.files == ("mappings/compose.yaml",)
    found = mapping.lookup("bitnami/postgresql")
    assert found is not None
    assert (found[0], found[1].kind, found[1].tech, found[1].protocol, found[1].port) == (
        "postgres",
        "datastore",
        "postgres",
        "postgres",
        5432,
    )
    assert mapping.lookup("acme/api") is None
    assert mapping.default.kind == "service"
    assert [f.argument for f in mapping.flows] == ["depends_on", "links"]


def test_an_organisation_mapping_adds_and_overrides_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = tmp_path / "acme-compose.yaml"
    org.write_text(ORG_MAPPING)
    mapping = load_mapping("compose", [org])
    assert mapping.files == ("mappings/compose.yaml", str(org))
    assert list(mapping.types)[:3] == ["acme/shop-worker", "postgres", "acme/*"]
    worker = mapping.lookup("acme/shop-worker")
    assert worker is not None and (worker[1].kind, worker[1].tech) == ("function", "python")
    # an exact name wins over an earlier glob; a glob entry's key is a glob too
    assert mapping.lookup("acme/billing") is None
    postgres = mapping.lookup("postgres")
    assert postgres is not None and (postgres[1].tech, postgres[1].port) == (
        "aws.rds.postgres",
        6432,
    )
    # the built-in globs of an overridden type are gone with it: the org's entry has none
    assert mapping.lookup("bitnami/postgresql") is None
    assert [f.argument for f in mapping.facts][-1] == "labels.owner"

    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    monkeypatch.chdir(tmp_path)
    model = ComposeImporter([org]).read([Path(".")]).model
    worker_component = model.components["worker"]
    assert (worker_component.kind.value, worker_component.tech) == ("function", "python")
    assert worker_component.properties["language"] == "python"
    assert model.components["db"].tech == "aws.rds.postgres"
    assert [(f.id, f.port) for f in model.flows if f.target == "db"] == [
        ("api->db", 5432),  # the URL's port wins over the mapping's
        ("worker->db", 6432),
    ]


def test_an_invalid_mapping_is_refused_with_each_problem_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "mapping: compose\n"
        "types:\n"
        "  acme/api:\n"
        "    kind: servise\n"
        "  acme/db:\n"
        "    kind: datastore\n"
        "    colour: blue\n"
    )
    with pytest.raises(ImporterError) as raised:
        load_mapping("compose", [bad])
    assert str(raised.value).split("\n") == [
        "invalid mapping:",
        f"{bad}:4:11: types.acme/api.kind: Input should be 'actor', 'client', 'service', "
        "'function', 'gateway', 'load-balancer', 'cdn', 'queue', 'stream', 'datastore', "
        "'cache', 'secrets-store', 'key-management', 'identity-provider', 'external-service', "
        "'ci-pipeline', 'artifact-registry' or 'monitoring'",
        f"{bad}:7:5: unknown key 'colour'",
    ]


def test_names_are_checked_against_the_vocabulary(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "mapping: compose\n"
        "types:\n"
        "  acme/db:\n"
        "    kind: datastore\n"
        "    tech: postgress\n"
        "    protocol: postgress\n"
        "    properties: {privileged: maybe}\n"
        "    facts:\n"
        "      - {argument: x, set: properties.priviledged, values: {a: true}}\n"
        "      - {argument: y, set: zone}\n"
        "  acme/net:\n"
        "    becomes: zone\n"
    )
    with pytest.raises(ImporterError) as raised:
        load_mapping("compose", [bad])
    lines = str(raised.value).split("\n")
    assert lines[0] == "invalid mapping:"
    assert lines[1].startswith(f"{bad}:5:11: unknown technology 'postgress' — did you mean ")
    assert lines[2].startswith(f"{bad}:6:15: unknown protocol 'postgress' — did you mean ")
    assert lines[3] == (
        f"{bad}:7:30: property 'privileged' is 'maybe' (a string); expected a boolean "
        "(true or false)"
    )
    assert lines[4] == (
        f"{bad}:9:28: unknown property 'priviledged' — did you mean 'privileged'? (no rule "
        "reads it; a misspelt key switches its rules off)"
    )
    assert lines[5].startswith(f"{bad}:10:28: a fact cannot set 'zone' (one of: properties.NAME,")
    assert lines[6] == f"{bad}:12:5: a type that becomes a zone needs a 'trust'"
    assert len(lines) == 7


def test_a_mapping_for_another_source_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "tf.yaml"
    other.write_text("mapping: terraform\ntypes: {}\n")
    assert mapping_source(other) == "terraform"
    with pytest.raises(ImporterError) as raised:
        load_mapping("compose", [other])
    assert str(raised.value) == (
        f"{other}:1:10: this mapping is for 'terraform', not 'compose' (give it to "
        "'threatforge import terraform')"
    )


def test_an_empty_or_unreadable_mapping_says_what_a_mapping_needs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("\n")
    with pytest.raises(ImporterError) as raised:
        load_mapping("compose", [empty])
    assert str(raised.value) == f"{empty}:1:1: is empty: a mapping needs 'mapping:' and 'types:'"
    with pytest.raises(ImporterError) as raised:
        load_mapping("compose", [tmp_path / "missing.yaml"])
    assert str(raised.value) == f"{tmp_path / 'missing.yaml'}: no such file"
    with pytest.raises(ImporterError) as raised:
        load_mapping("nosuch")
    assert str(raised.value) == "no built-in mapping for 'nosuch'"


def test_mapped_flow_arguments_become_flows_in_either_direction() -> None:
    """The generic walk: ``flows:`` of a mapping, references resolved by the importer."""
    from threatforge.importers.builder import ModelBuilder
    from threatforge.importers.mapping import FlowMapping, TypeMapping
    from threatforge.model import Location

    builder = ModelBuilder("terraform", "Estate")
    at = Location("main.tf", 1)
    for address, kind in (
        ("aws_lb.front", "load-balancer"),
        ("aws_instance.web", "service"),
        ("aws_kms_key.k", "key-management"),
    ):
        builder.component(address, at, kind)
    builder.apply_type("aws_instance.web", TypeMapping(kind="service", protocol="https", port=8443))
    arguments = {"targets": ["aws_instance.web", "nope"], "kms_key_id": "aws_kms_key.k"}
    flows = [
        FlowMapping(argument="targets", direction="out"),
        FlowMapping(argument="kms_key_id", direction="in", protocol="aws-api"),
    ]
    known = set(builder.components)
    builder.reference_flows(
        "aws_lb.front",
        flows,
        arguments,
        lambda ref: ref if ref in known else None,
        lambda argument, step: Location("main.tf", 10 if argument == "targets" else 20),
        "aws_lb.front",
    )
    model = builder.build().model
    assert [(f.id, f.protocol, f.port, f.origin) for f in model.flows] == [
        ("aws_lb.front->aws_instance.web", "https", 8443, "main.tf:10 (aws_lb.front.targets)"),
        ("aws_kms_key.k->aws_lb.front", "aws-api", None, "main.tf:20 (aws_lb.front.kms_key_id)"),
    ]
