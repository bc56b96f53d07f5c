"""The OTM importer on files written by the real tools (the OTM specification's example, Threat
Dragon's OTM export with 43 threats, StartLeft's output), on the hostile inputs a CI author could
plant, and on what it tells the user it could not carry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from threatforge.errors import ImporterError
from threatforge.importers import load_importers
from threatforge.importers.interface import ImportedModel
from threatforge.importers.otm import OtmImporter, otm_types, score_of, trust_of
from threatforge.model import load_text
from threatforge.model.vocabulary import technology_catalogue
from threatforge.model.writer import write_model

FIXTURES = Path(__file__).parent / "fixtures" / "interop" / "otm"


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Origins are written relative to the current folder: the fixtures' folder."""
    monkeypatch.chdir(FIXTURES)


def read(name: str | Path) -> ImportedModel:
    return OtmImporter().read([Path(name)])


def test_otm_is_a_built_in_importer() -> None:
    assert isinstance(load_importers(include_plugins=False).importer("otm"), OtmImporter)


def test_the_otm_example_maps_project_zones_components_flows_and_assets() -> None:
    model = read("OTM-EXAMPLE.json").model
    assert (model.system.name, model.system.owner) == ("Test project", "John Doe")
    assert model.system.properties == {"otm_project_id": "test-project"}
    internet, private = (
        "f0ba7722-39b6-4c81-8290-a30a248bb8d9",
        "2ab4effa-40b7-4cd2-ba81-8247d29a6f2d",
    )
    assert list(model.boundaries) == [internet, private]
    zone = model.boundaries[internet]
    assert (zone.name, zone.kind.value, zone.trust.value) == ("Internet", "internet", "untrusted")
    assert zone.properties == {
        "otm_type": "internet",
        "otm_trust_rating": 20,
        "otm_position": [600, 100, 100, 100],
    }
    assert model.boundaries[private].trust.value == "trusted"
    assert list(model.components) == [
        "web-client",
        "web-service",
        "customer-database",
        "class-customerdatabase",
    ]
    service = model.components["web-service"]
    assert (service.kind.value, service.zone, service.tags) == ("service", private, ["tomcat"])
    assert (service.processes, service.stores) == (["cc-data", "public-info"], ["public-info"])
    assert service.origin == "OTM-EXAMPLE.json:90 (web-service)"
    assert model.components["customer-database"].kind.value == "datastore"
    assert model.components["web-client"].kind.value == "client"
    assert model.components["class-customerdatabase"].paths == ["src/main/otm-file/OTMClass.java"]
    flows = {f.id: f for f in model.flows}
    assert list(flows) == ["webclient-to-webservice", "cc-store-in-db"]
    stored = flows["cc-store-in-db"]
    assert (stored.source, stored.target, stored.data) == (
        "web-service",
        "customer-database",
        ["cc-data"],
    )
    assert stored.properties == {"otm_bidirectional": True}
    assert {d.id: d.classification.value for d in model.data.values()} == {
        "cc-data": "restricted",
        "public-info": "public",
    }


def test_otm_threats_become_team_threats_and_mitigations_controls() -> None:
    model = read("OTM-EXAMPLE.json").model
    tid = "22724267-be7e-44c0-8b1f-d7d33e9a34ec"
    threat = model.threats[tid]
    assert (threat.source, threat.action, threat.description) == (
        "threat actor",
        "Threat 1",
        "Description fo the threat number 1",
    )
    assert [s.value for s in threat.stride] == ["spoofing", "tampering"]
    assert threat.cwe == [79, 787]
    assert (threat.likelihood, threat.impact_score) == (3, 5)
    assert threat.elements == ["web-service", "cc-store-in-db"]
    assert threat.tags == ["sql", "cwe-123"]
    mitigation = "fd6136f4-e2ff-11eb-ba80-0242ac130004"
    assert threat.mitigations == [mitigation]
    control = model.controls[mitigation]
    assert (control.name, control.status.value, control.risk_reduction) == (
        "This is the name of mitigation 1",
        "implemented",
        50,
    )
    # implemented on the web service, only required on the flow: it applies where implemented
    assert (control.applies_to, control.mitigates) == (["web-service"], [f"team-threat@{tid}"])
    unlinked = model.controls["3b837730-e300-11eb-ba80-0242ac130004"]
    assert (unlinked.status.value, unlinked.applies_to, unlinked.risk_reduction) == (
        "planned",
        ["*"],
        100,
    )
    assert dict(model.tracking) == {}  # both instances are "exposed": open, no decision


def test_what_the_otm_example_holds_that_the_model_cannot_carry_is_noted() -> None:
    assert read("OTM-EXAMPLE.json").notes == (
        "OTM-EXAMPLE.json:312:5: mitigation '3b837730-e300-11eb-ba80-0242ac130004' is linked "
        "to no threat: imported as a planned control for every element",
        "not carried: assets' integrity and availability ratings (2)",
        "not carried: assets' risk comments (2)",
        "not carried: code representations' lines and snippets (1)",
        "not carried: representations (diagrams and code): their ids and sizes (1)",
        "not carried: the project's attributes (1)",
        "not carried: the project's ownerContact (1)",
        "not carried: threats' likelihood and impact comments (1)",
        "read 1 OTM file: 4 components, 2 zones, 2 flows, 2 data assets, 1 team threats, "
        "2 controls",
    )


def test_the_yaml_example_reads_as_the_json_one() -> None:
    as_json, as_yaml = read("OTM-EXAMPLE.json").model, read("OTM-EXAMPLE.yaml").model
    assert _without_origins(as_yaml) == _without_origins(as_json)


def _without_origins(model: Any) -> list[str]:
    """The model's YAML without the lines that say where each element was found."""
    lines = write_model(model).splitlines()
    return [line.split("  #")[0] for line in lines if "origin:" not in line]


def test_threat_dragons_otm_export_with_43_threats_imports_and_validates() -> None:
    imported = read("mobile-cloud.otm.json")
    model = imported.model
    assert (len(model.components), len(model.boundaries), len(model.flows)) == (4, 2, 6)
    assert (len(model.threats), len(model.controls), len(model.data)) == (43, 43, 0)
    db = "53245f54-0656-4ede-a393-357aeaa2e20f"
    assert model.components[db].kind.value == "datastore"
    assert model.components[db].tech == "postgresql"
    assert model.components["6183b7fa-eba5-4bf8-a0af-c3e30d144a10"].tech == "android"
    threat = model.threats["55"]
    assert [s.value for s in threat.stride] == ["elevation-of-privilege"]
    assert threat.elements == [db]
    # the states are "AutoGenerated" (open) and the mitigations "RECOMMENDED": planned controls
    assert model.controls["55"].status.value == "planned"
    assert model.controls["55"].mitigates == ["team-threat@55"]
    assert "not carried: mitigation states other than implemented and required (43)" in (
        imported.notes
    )
    assert load_text(write_model(model), "back.yaml").threats.keys() == model.threats.keys()


@pytest.mark.parametrize(
    ("name", "components", "nested"),
    [
        ("aws_simple_components.otm", 3, 0),
        ("expected_altsource_components.otm", 10, 5),
        ("expected_elb_example.otm", 5, 4),
    ],
)
def test_startlefts_otm_imports_with_nested_components_in_their_parents_zone(
    name: str, components: int, nested: int
) -> None:
    model = read(name).model
    zone = "b61d6911-338d-46a8-9f39-8dcd24abfe91"
    assert list(model.boundaries) == [zone]
    assert model.boundaries[zone].trust.value == "untrusted"  # trustRating 10
    assert len(model.components) == components
    assert {c.zone for c in model.components.values()} == {zone}
    inner = [c for c in model.components.values() if "otm_parent" in c.properties]
    assert len(inner) == nested


def test_a_component_two_levels_down_keeps_its_direct_parent() -> None:
    model = read("expected_elb_example.otm").model
    alb = model.components[
        "b61d6911-338d-46a8-9f39-8dcd24abfe91.aws_vpc-foo.aws_subnet-baz.aws_alb-qux"
    ]
    assert alb.properties["otm_parent"] == (
        "b61d6911-338d-46a8-9f39-8dcd24abfe91.aws_vpc-foo.aws_subnet-baz"
    )
    assert (alb.kind.value, alb.tech) == ("load-balancer", "aws.alb")


def test_scores_and_trust_ratings_map_to_the_models_scales() -> None:
    assert [score_of(v) for v in (0, 25, 50, 75, 100, 20, 140)] == [1, 2, 3, 4, 5, 2, 5]
    assert [trust_of(v) for v in (0, 29, 30, 69, 70, 100)] == [
        "untrusted",
        "untrusted",
        "semi-trusted",
        "semi-trusted",
        "trusted",
        "trusted",
    ]


def test_the_type_table_names_only_known_technologies() -> None:
    known = technology_catalogue().technologies
    assert all(t.tech in known for t in otm_types().types.values() if t.tech)
    assert otm_types().lookup("CD-MICROSOFT-AZURE-COSMOS-DB-SOMETHING").kind.value == "datastore"
    assert otm_types().lookup("some-new-thing").kind.value == "service"


# --- hostile files ------------------------------------------------------------------------


def _otm(tmp_path: Path, body: dict[str, Any], name: str = "attack.otm.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


BASE: dict[str, Any] = {
    "otmVersion": "0.2.0",
    "project": {"name": "Shop", "id": "shop"},
    "trustZones": [{"id": "z", "name": "Zone", "risk": {"trustRating": 10}}],
}


def test_an_ansi_escape_in_a_name_is_refused_where_it_is(tmp_path: Path) -> None:
    body = {**BASE, "project": {"name": "Shop\u001b[2J\u001b[31mOK", "id": "shop"}}
    with pytest.raises(ImporterError) as caught:
        read(_otm(tmp_path, body))
    assert str(caught.value).endswith(
        "attack.otm.json:1:45: has an escape that gives an unacceptable character #x001b: "
        "control characters are not allowed; escapes are checked as the characters they "
        "stand for"
    )


def test_markup_and_line_breaks_in_names_stay_text(tmp_path: Path) -> None:
    body = {
        **BASE,
        "components": [
            {
                "id": "c1",
                "name": "<script>alert(1)</script>\nrm -rf /",
                "type": "web-client",
                "parent": {"trustZone": "z"},
            }
        ],
    }
    model = read(_otm(tmp_path, body)).model
    # one line, as text: every output escapes it (tests/text), the writer quotes it
    assert model.components["c1"].name == "<script>alert(1)</script> rm -rf /"
    assert load_text(write_model(model), "m.yaml").components["c1"].name == (
        "<script>alert(1)</script> rm -rf /"
    )


def test_an_id_that_is_not_an_id_is_refused(tmp_path: Path) -> None:
    body = {
        **BASE,
        "components": [
            {"id": "../../x @a,b", "name": "x", "type": "t", "parent": {"trustZone": "z"}}
        ],
    }
    with pytest.raises(ImporterError) as caught:
        read(_otm(tmp_path, body))
    assert "component 0 '../../x @a,b': a resource address must start with a letter or digit" in (
        str(caught.value)
    )


def test_deep_nesting_and_too_many_elements_are_refused(tmp_path: Path) -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(100):
        node["a"] = {}
        node = node["a"]
    body = {**BASE, "project": {"name": "x", "id": "x", "attributes": deep}}
    with pytest.raises(ImporterError) as caught:
        read(_otm(tmp_path, body))
    assert "is nested more than 48 levels deep; refusing it" in str(caught.value)
    many = {
        **BASE,
        "components": [
            {"id": f"c{i}", "name": "c", "type": "t", "parent": {"trustZone": "z"}}
            for i in range(20_001)
        ],
    }
    with pytest.raises(ImporterError) as caught:
        read(_otm(tmp_path, many, "many.otm.json"))
    assert str(caught.value).endswith(
        "20001 components: more than 20,000 is refused (split the model)"
    )


def test_a_parent_cycle_and_an_unknown_zone_are_errors_at_their_place(tmp_path: Path) -> None:
    body = {
        **BASE,
        "components": [
            {"id": "a", "name": "a", "type": "t", "parent": {"component": "b"}},
            {"id": "b", "name": "b", "type": "t", "parent": {"component": "a"}},
        ],
    }
    with pytest.raises(ImporterError) as caught:
        read(_otm(tmp_path, body))
    assert str(caught.value).endswith(
        "attack.otm.json:1:157: component 'a' sits inside itself (a parent cycle)"
    )
    body["components"] = [{"id": "a", "name": "a", "type": "t", "parent": {"trustZone": "nope"}}]
    with pytest.raises(ImporterError) as caught:
        read(_otm(tmp_path, body))
    assert str(caught.value).endswith("component 'a' sits in unknown trust zone 'nope'")


def test_a_file_that_is_not_otm_says_so(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"openapi": "3.0.0"}', encoding="utf-8")
    with pytest.raises(ImporterError) as caught:
        read(path)
    assert str(caught.value) == (f"{path}: not an OTM file (it needs 'otmVersion' and 'project')")


def test_the_shared_vocabulary_keeps_the_importers_threat_source() -> None:
    """interchange/ sits below the importers, so it repeats their threat source: kept equal."""
    from threatforge.importers._interchange import THREAT_SOURCE
    from threatforge.interchange.otm import OTM_THREAT_SOURCE

    assert OTM_THREAT_SOURCE == THREAT_SOURCE == "threat actor"
