"""A model built in code (no YAML) through a draft and a source map gets the errors and gaps a
YAML author gets, each placed at its origin: a Terraform resource's ``file:line``, a database
row's label. A Model built directly is checked by ``threatforge.analyze`` before any rule runs."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import threatforge
from threatforge.assessment._json import _parse_location
from threatforge.importers import ImportedModel
from threatforge.model import (
    Boundary,
    Component,
    ComponentKind,
    Control,
    DataAsset,
    Diagnostic,
    Draft,
    Flow,
    Location,
    Model,
    ModelError,
    SourceMap,
    System,
    TrackingEntry,
    check_draft,
    load,
    load_text,
    load_with_diagnostics,
    model_problems,
    validate_draft,
)
from threatforge.model.writer import write_model

EXAMPLES = sorted(
    Path(__file__).resolve().parents[2].joinpath("examples").glob("*/threatmodel.yaml")
)
DRAFT_CODES = frozenset({"gap", "id-clash", "control-default"})
"""The warnings the draft checks give (the loader adds reading and schema ones)."""

SERVICE, DATASTORE = ComponentKind.SERVICE, ComponentKind.DATASTORE


def formatted(diagnostics: Sequence[Diagnostic]) -> list[str]:
    return [d.format() for d in diagnostics]


def errors_of(draft: Draft, source_map: SourceMap | None = None) -> list[str]:
    with pytest.raises(ModelError) as raised:
        validate_draft(draft, source_map)
    return formatted(raised.value.diagnostics)


def shop(*flows: Flow, **extra: Any) -> Draft:
    """A draft as a Terraform importer would build it: a web service and its database."""
    return Draft(
        system=System(name="Shop"),
        boundaries=(Boundary(id="vpc", trust="trusted"),),
        components=(
            Component(id="web", kind=SERVICE, zone="vpc"),
            Component(id="orders-db", kind=DATASTORE, zone="vpc"),
        ),
        flows=flows,
        **extra,
    )


TERRAFORM = SourceMap(
    {
        "vpc": Location("terraform/network.tf", 1),
        "web": Location("terraform/main.tf", 3),
        "orders-db": Location("terraform/main.tf", 20),
        "f1": Location("terraform/main.tf", 12),
    },
    default="terraform",
)


# --- errors at their origins ------------------------------------------------------------------


def test_a_dangling_flow_is_an_error_at_its_terraform_resource() -> None:
    draft = shop(Flow(id="f1", source="web", target="db", protocol="https"))
    assert errors_of(draft, TERRAFORM) == [
        "terraform/main.tf:12: error: flow 1 (web -> db): unknown component 'db'",
    ]
    with pytest.raises(ModelError) as raised:
        validate_draft(draft, TERRAFORM)
    assert str(raised.value) == (
        "terraform/main.tf:12: error: flow 1 (web -> db): unknown component 'db'"
    )


def test_a_misspelt_end_gets_the_hint_a_yaml_author_gets() -> None:
    draft = shop(Flow(id="f1", source="web", target="order-db", protocol="https"))
    assert errors_of(draft, TERRAFORM) == [
        "terraform/main.tf:12: error: flow 1 (web -> order-db): unknown component 'order-db'"
        " — did you mean 'orders-db'?",
    ]


def test_errors_at_database_rows_use_the_most_precise_origin_and_the_default() -> None:
    rows = SourceMap(
        {
            ("components", "web"): "db: model 7, components row 1",
            ("components", "web", "zone"): "db: model 7, components row 1, column zone",
        },
        default="db: model 7",
    )
    draft = Draft(
        system=System(name="Shop"),
        components=(
            Component(id="web", kind=SERVICE, zone="edge", stores=["cards"]),
            Component(id="api", kind=SERVICE, zone="vpc"),
        ),
        flows=(Flow(source="web", target="api", protocol="https"),),
    )
    assert errors_of(draft, rows) == [
        "db: model 7: error: component 'api': unknown boundary 'vpc'",
        "db: model 7, components row 1: error: component 'web': unknown data asset 'cards'",
        "db: model 7, components row 1, column zone: error: component 'web': unknown boundary "
        "'edge'",
    ]


def test_an_origin_is_keyed_by_an_id_or_a_tuple() -> None:
    with pytest.raises(TypeError, match=r"^an origin's key is an id or a tuple, not 12$"):
        SourceMap({12: "main.tf"})


def test_every_reference_of_a_draft_is_checked_as_the_loader_checks_it() -> None:
    draft = Draft(
        system=System(name="Shop"),
        boundaries=(Boundary(id="vpc", trust="trusted", inside="account"),),
        components=(Component(id="web", kind=SERVICE, zone="vpc", controls=["waf"]),),
        flows=(
            Flow(source="web", target="web"),
            Flow(source="web", target="web", id="loop", description="retries", data=["pan"]),
        ),
        controls=(Control(id="tls", applies_to=["web", "api"], status="implemented"),),
    )
    assert errors_of(draft) == [
        "model: error: boundary 'vpc': unknown boundary 'account'",
        "model: error: component 'web': unknown control 'waf'",
        "model: error: control 'tls': unknown element 'api'",
        "model: error: flow 1 (web -> web): flows from 'web' to itself; add a 'description' "
        "saying why (a retry loop, a self-call) or remove it",
        "model: error: flow 2 (web -> web): unknown data asset 'pan'",
    ]


def test_draft_errors_are_the_yaml_loaders_word_for_word() -> None:
    text = """\
        system: {name: Shop}
        boundaries:
          vpc: {trust: trusted, inside: account}
        components:
          web: {kind: service, zone: edge}
        flows:
          - web -> db: {protocol: https}
        controls:
          waf: {status: implemented, applies_to: [wbe]}
        """
    with pytest.raises(ModelError) as raised:
        load_text(textwrap.dedent(text))
    draft = Draft(
        system=System(name="Shop"),
        boundaries=(Boundary(id="vpc", trust="trusted", inside="account"),),
        components=(Component(id="web", kind=SERVICE, zone="edge"),),
        flows=(Flow(source="web", target="db", protocol="https"),),
        controls=(Control(id="waf", status="implemented", applies_to=["wbe"]),),
    )
    with pytest.raises(ModelError) as from_code:
        validate_draft(draft)
    yaml_messages = sorted(d.message for d in raised.value.diagnostics)
    assert yaml_messages == sorted(d.message for d in from_code.value.diagnostics)
    assert yaml_messages == [
        "boundary 'vpc': unknown boundary 'account'",
        "component 'web': unknown boundary 'edge'",
        "control 'waf': unknown element 'wbe' — did you mean 'web'?",
        "flow 1 (web -> db): unknown component 'db'",
    ]


def test_a_duplicate_id_in_a_draft_names_the_first_as_yaml_does(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_text(
        "system: {name: Shop}\ninclude: [more.yaml]\ncomponents:\n  web: {kind: service}\n"
    )
    (tmp_path / "more.yaml").write_text("components:\n  web: {kind: gateway}\n")
    yaml_result = load_with_diagnostics(tmp_path / "threatmodel.yaml")
    [yaml_error] = yaml_result.errors
    assert yaml_error.message == (
        f"duplicate component 'web' (first defined at {tmp_path}/threatmodel.yaml:4:3)"
    )
    # an importer whose ids may repeat places each element itself (its location)
    draft = Draft(
        system=System(name="Shop"),
        components=(
            Component(id="web", kind=SERVICE, location=Location("main.tf", 3)),
            Component(id="web", kind=ComponentKind.GATEWAY, location=Location("edge.tf", 9)),
        ),
        flows=(
            Flow(source="web", target="web", description="a retry", location=Location("a.tf", 1)),
            Flow(source="web", target="web", description="again", location=Location("b.tf", 7)),
        ),
    )
    assert errors_of(draft) == [
        "b.tf:7: error: flow 2: a second flow with id 'web->web' (first at a.tf:1); give each "
        "flow between the same components its own 'id:'",
        "edge.tf:9: error: duplicate component 'web' (first defined at main.tf:3)",
    ]


def test_a_draft_with_thousands_of_errors_lists_the_first_thousand_and_counts_the_rest() -> None:
    flows = tuple(Flow(source="web", target=f"gone-{n:04}") for n in range(1_500))
    result = check_draft(shop(*flows), SourceMap(default="import of 1,500 flows"))
    errors = formatted(result.errors)
    assert (result.model, len(errors)) == (None, 1_001)
    assert errors[0] == (
        "import of 1,500 flows: error: flow 1 (web -> gone-0000): unknown component 'gone-0000'"
    )
    assert errors[-1] == (
        "import of 1,500 flows: error: 500 more errors not listed (only the first 1,000 are); "
        "fix these first"
    )


# --- warnings: id clashes and gaps --------------------------------------------------------------


def test_ids_shared_across_sections_warn_as_in_yaml() -> None:
    text = """\
        system: {name: Shop}
        boundaries:
          payments: {trust: trusted}
        components:
          payments: {kind: service, zone: payments}
          api: {kind: service, zone: payments}
        flows:
          - api -> payments: {protocol: https}
        """
    loaded = load_text(textwrap.dedent(text))
    expected = (
        "boundary 'payments' has the id of component 'payments': ids must be unique across "
        "sections (a warning in this release, an error in the next); rename boundary 'payments' "
        "to 'payments-zone' here and in components.payments.zone and components.api.zone"
    )
    assert [(d.code, d.message) for d in loaded.warnings] == [("id-clash", expected)]
    draft = Draft(
        system=System(name="Shop"),
        boundaries=(Boundary(id="payments", trust="trusted"),),
        components=(
            Component(id="payments", kind=SERVICE, zone="payments"),
            Component(id="api", kind=SERVICE, zone="payments"),
        ),
        flows=(Flow(source="api", target="payments", protocol="https"),),
    )
    result = check_draft(draft, SourceMap({("boundaries", "payments"): "network.tf:4"}))
    assert formatted(result.diagnostics) == [f"network.tf:4: warning: {expected}"]
    assert [(r.section, r.old, r.new) for r in result.id_renames] == [
        ("boundaries", "payments", "payments-zone")
    ]
    assert result.model is not None
    assert result.model.warnings == result.diagnostics


def test_gaps_of_a_draft_are_placed_at_their_origins() -> None:
    draft = shop(
        Flow(id="f1", source="web", target="orders-db"),
        data=(DataAsset(id="cards", classification="restricted"),),
    )
    model = validate_draft(draft, TERRAFORM)
    assert formatted(model.warnings) == [
        "terraform: warning: data asset 'cards' is not stored, processed or carried by anything",
        "terraform/main.tf:12: warning: flow 'f1' has no 'protocol': encryption rules cannot "
        "decide",
        "terraform/main.tf:20: warning: datastore 'orders-db' does not state "
        "'encryption: {at_rest: ...}' (none, provider, kms, kms-cmk, hsm, application)",
    ]


def test_a_control_relying_on_defaults_warns_as_in_yaml() -> None:
    loaded = load_text("system: {name: Shop}\ncontrols:\n  review: {}\n")
    result = check_draft(Draft(system=System(name="Shop"), controls=(Control(id="review"),)))
    assert [d.message for d in result.diagnostics] == [d.message for d in loaded.warnings]
    assert formatted(result.diagnostics) == [
        "model: warning: control 'review' has no 'applies_to': it applies to every element for "
        "now, but 'applies_to' becomes required; write 'applies_to: [\"*\"]' to keep today's "
        "meaning, or name the elements (threatforge fmt --fix writes the first)",
        "model: warning: control 'review' has no 'status': it counts as implemented for now, "
        "but the default becomes 'planned'; write 'status: implemented' to keep today's meaning "
        "(threatforge fmt --fix writes it)",
    ]


def without_locations(model: Model) -> Model:
    """``model`` as code would build it: no element knows where it came from."""

    def bare(elements: Any) -> dict[str, Any]:
        return {key: e.model_copy(update={"location": None}) for key, e in elements.items()}

    return Model(
        system=model.system,
        data=bare(model.data),
        boundaries=bare(model.boundaries),
        components=bare(model.components),
        flows=tuple(f.model_copy(update={"location": None}) for f in model.flows),
        controls=bare(model.controls),
        assumptions=bare(model.assumptions),
        threats=bare(model.threats),
        tracking=bare(model.tracking),
    )


def with_gaps(model: Model) -> Model:
    """The example with facts left out: the first component's zone, every datastore's
    encryption, the first flow's protocol; an unused data asset and a boundary sharing a
    component's id. (A control relying on defaults cannot be written: the writer states
    ``status`` and ``applies_to``.)"""
    first = next(iter(model.components))
    components = {
        cid: c.model_copy(
            update={
                "zone": None if cid == first else c.zone,
                "encryption": None if c.kind is DATASTORE else c.encryption,
            }
        )
        for cid, c in model.components.items()
    }
    flows = (model.flows[0].model_copy(update={"protocol": None}), *model.flows[1:])
    return Model(
        system=model.system,
        data={**model.data, "leftover": DataAsset(id="leftover", classification="internal")},
        boundaries={**model.boundaries, first: Boundary(id=first, trust="trusted")},
        components=components,
        flows=flows,
        controls=model.controls,
        assumptions=model.assumptions,
        tracking=model.tracking,
    )


def draft_warnings(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, str]]:
    return sorted((d.code, d.message) for d in diagnostics if d.code in DRAFT_CODES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_gaps_of_a_draft_equal_the_gaps_of_the_same_model_in_yaml(path: Path) -> None:
    gappy = without_locations(with_gaps(load(path)))
    from_yaml = load_text(write_model(gappy), "gappy.yaml")
    from_code = check_draft(Draft.from_model(gappy))
    assert from_code.model is not None
    assert draft_warnings(from_code.diagnostics) == draft_warnings(from_yaml.warnings)
    assert {d.code for d in from_code.diagnostics} == {"gap", "id-clash"}
    assert {d.location for d in from_code.diagnostics} == {Location("model")}
    # the draft of the loaded model: the same warnings at the same file positions
    again = check_draft(Draft.from_model(from_yaml))
    assert [d for d in from_yaml.warnings if d.code in DRAFT_CODES] == list(again.diagnostics)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_an_example_as_a_draft_validates_to_an_equal_model_without_warnings(path: Path) -> None:
    model = load(path)
    result = check_draft(Draft.from_model(without_locations(model)))
    assert (result.diagnostics, model.warnings) == ((), ())
    assert result.model is not None
    assert write_model(result.model) == write_model(model)


# --- a Model built directly -----------------------------------------------------------------


def test_analyze_refuses_a_model_with_dangling_references_naming_each() -> None:
    model = Model(
        system=System(name="Shop"),
        components={"web": Component(id="web", kind=SERVICE, zone="edge")},
        flows=(Flow(source="web", target="db"), Flow(source="api", target="web")),
    )
    with pytest.raises(ModelError) as raised:
        threatforge.analyze(model)
    assert str(raised.value) == (
        "model: error: component 'web': unknown boundary 'edge' (and 2 more)"
    )
    assert formatted(raised.value.diagnostics) == [
        "model: error: component 'web': unknown boundary 'edge'",
        "model: error: flow 1 (web -> db): unknown component 'db'",
        "model: error: flow 2 (api -> web): unknown component 'api'",
    ]


def test_a_mapping_key_that_is_not_the_elements_id_is_named() -> None:
    model = Model(
        system=System(name="Shop"),
        components={
            "web": Component(kind=SERVICE),
            "api": Component(id="api", kind=SERVICE, location=Location("main.tf", 4)),
        },
        flows=(Flow(source="api", target="web", protocol="https"),),
        tracking={  # found by their keys: entries need no id
            "rule-a@web": TrackingEntry(status="open"),
            "rule-b@web": TrackingEntry(status="open"),
        },
    )
    assert formatted(model_problems(model)) == [
        "model: error: component 'web' is stored under a key that is not its id (''); key "
        "each element by its id",
    ]


def test_a_consistent_model_built_in_code_is_analyzed() -> None:
    draft = Draft(
        system=System(name="Shop"),
        data=(DataAsset(id="cards", classification="restricted", categories=["pci.pan"]),),
        boundaries=(
            Boundary(id="internet", trust="untrusted"),
            Boundary(id="vpc", trust="trusted"),
        ),
        components=(
            Component(id="shopper", kind=ComponentKind.ACTOR, zone="internet"),
            Component(id="web", kind=SERVICE, zone="vpc", processes=["cards"]),
        ),
        flows=(Flow(source="shopper", target="web", protocol="http", data=["cards"]),),
    )
    model = validate_draft(draft)
    assert model_problems(model) == ()
    assessment = threatforge.analyze(model, today=date(2026, 1, 1))
    assert assessment.rule_errors == ()
    assert [f.fingerprint for f in assessment.findings] == [
        "cleartext-sensitive-flow@shopper->web",
        "pci-pan-processed-outside-cde@web",
        "pci-no-cde-defined@cards",
        "pci-scope-not-declared@cards",
    ]


def test_every_example_has_no_problems() -> None:
    assert [model_problems(load(path)) for path in EXAMPLES] == [(), (), (), ()]


# --- importers ------------------------------------------------------------------------------


def test_an_importer_result_is_validated_at_its_origins() -> None:
    origins = {"web": Location("main.tf", 3), "f1": Location("main.tf", 12)}
    with pytest.raises(ModelError) as raised:
        ImportedModel.from_draft(shop(Flow(id="f1", source="web", target="db")), origins)
    assert formatted(raised.value.diagnostics) == [
        "main.tf:12: error: flow 1 (web -> db): unknown component 'db'",
    ]
    imported = ImportedModel.from_draft(
        shop(Flow(id="f1", source="web", target="orders-db", protocol="https")),
        origins,
        ["read 2 resources"],
        default="main.tf",
    )
    assert (imported.origins, imported.notes) == (origins, ("read 2 resources",))
    assert formatted(imported.model.warnings) == [
        "main.tf: warning: datastore 'orders-db' does not state 'encryption: {at_rest: ...}' "
        "(none, provider, kms, kms-cmk, hsm, application)",
    ]


# --- locations ------------------------------------------------------------------------------


def test_locations_read_as_file_line_column_file_line_or_a_label() -> None:
    shown = [str(Location("a.yaml", 3, 5)), str(Location("main.tf", 12)), str(Location("row 7"))]
    assert shown == ["a.yaml:3:5", "main.tf:12", "row 7"]
    assert [_parse_location(text) for text in shown] == [
        Location("a.yaml", 3, 5),
        Location("main.tf", 12),
        Location("row 7"),
    ]


def test_an_importers_misspelt_names_get_the_warnings_a_yaml_author_gets(tmp_path: Path) -> None:
    """The vocabulary checks run on drafts too: an importer that writes ``tech: s3`` or
    ``protocol: htps`` is told, at the resource, as a YAML author is at the line."""
    yaml_text = textwrap.dedent(
        """\
        system: {name: Shop}
        boundaries:
          cloud: {trust: trusted}
        components:
          api: {kind: service, zone: cloud}
          bucket: {kind: datastore, zone: cloud, tech: s3, encryption: {at_rest: kms},
                   properties: {block_public_acess: true}}
        flows:
          - api -> bucket: {protocol: htps, authn: iam}
        """
    )
    (tmp_path / "threatmodel.yaml").write_text(yaml_text, encoding="utf-8")
    loaded = load_with_diagnostics(tmp_path / "threatmodel.yaml")
    assert loaded.model is not None
    from_yaml = sorted(d.message for d in loaded.diagnostics if d.code == "vocabulary")
    origins = {
        ("components", "bucket"): Location("terraform/s3.tf", 4, 0),
        ("flows", "api->bucket"): Location("terraform/api.tf", 9, 0),
    }
    result = check_draft(Draft.from_model(loaded.model), SourceMap(origins))
    vocabulary = [d for d in result.diagnostics if d.code == "vocabulary"]
    assert sorted(d.message for d in vocabulary) == from_yaml
    assert len(from_yaml) == 3
    assert [str(d.location) for d in sorted(vocabulary, key=lambda d: str(d.location))] == [
        "terraform/api.tf:9",
        "terraform/s3.tf:4",
        "terraform/s3.tf:4",
    ]
    assert any("did you mean 'aws.s3'" in m for m in from_yaml)
