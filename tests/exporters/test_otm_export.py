"""``export otm``: the OTM example survives import then export field by field, every export
validates against the OTM 0.2.0 schema, the team's threats and the engine's sit side by side
(the engine's tagged generated), and a threatforge model comes back whole from its own export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from threatforge.exporters.otm import OtmExporter
from threatforge.exporters.registry import load_exporters
from threatforge.exporters.threat_list import GENERATED_TAG
from threatforge.importers.otm import OtmImporter
from threatforge.model import Model, load_text
from threatforge.model.canonical import model_differences
from threatforge.rules import analyze

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "interop" / "otm"
PARTNER = Path(__file__).resolve().parents[2] / "examples" / "partner-api" / "threatmodel.yaml"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads((FIXTURES / "otm_schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def export(model: Model, *, results: bool) -> dict[str, Any]:
    assessment = analyze(model) if results else analyze(model, (), analyses=())
    document: dict[str, Any] = json.loads(OtmExporter().export(model, assessment))
    return document


def schema_errors(validator: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def test_otm_is_a_built_in_model_format() -> None:
    assert isinstance(load_exporters(include_plugins=False).model_exporter("otm"), OtmExporter)


def test_the_otm_example_survives_import_then_export_field_by_field(
    validator: jsonschema.Draft7Validator,
) -> None:
    original = json.loads((FIXTURES / "OTM-EXAMPLE.json").read_text(encoding="utf-8"))
    model = OtmImporter().read([FIXTURES / "OTM-EXAMPLE.json"]).model
    exported = export(model, results=False)
    assert schema_errors(validator, exported) == []
    assert exported["otmVersion"] == "0.2.0"
    assert {k: exported["project"][k] for k in ("name", "id", "description", "owner")} == {
        k: original["project"][k] for k in ("name", "id", "description", "owner")
    }

    def zone(z: dict[str, Any]) -> tuple[Any, ...]:
        shape = z["representations"][0]
        return (
            z["id"],
            z["name"],
            z["type"],
            z["description"],
            z["risk"]["trustRating"],
            shape["position"],
            shape["size"],
            z.get("parent"),
        )

    assert [zone(z) for z in exported["trustZones"]] == [zone(z) for z in original["trustZones"]]

    def component(c: dict[str, Any]) -> tuple[Any, ...]:
        assets = c.get("assets") or {}
        shapes = [r for r in c.get("representations") or [] if "position" in r]
        return (
            c["id"],
            c["name"],
            c["type"],
            c["description"],
            c["parent"],
            c.get("tags") or [],
            assets.get("processed") or [],
            assets.get("stored") or [],
            [(s["position"], s["size"]) for s in shapes],
            c.get("threats") or [],
        )

    assert [component(c) for c in exported["components"]] == [
        component(c) for c in original["components"]
    ]

    def flow(f: dict[str, Any]) -> tuple[Any, ...]:
        return (
            f["id"],
            f["name"],
            f["source"],
            f["destination"],
            f["bidirectional"],
            f.get("assets") or [],
            f.get("tags") or [],
            f.get("threats") or [],
        )

    assert [flow(f) for f in exported["dataflows"]] == [flow(f) for f in original["dataflows"]]

    def threat(t: dict[str, Any]) -> tuple[Any, ...]:
        return (
            t["id"],
            t["name"],
            t["description"],
            t["categories"],
            t["cwes"],
            t["risk"]["likelihood"],
            t["risk"]["impact"],
            t["tags"],
        )

    assert [threat(t) for t in exported["threats"]] == [threat(t) for t in original["threats"]]

    def mitigation(m: dict[str, Any]) -> tuple[Any, ...]:
        return (m["id"], m["name"], m["description"], m["riskReduction"])

    assert [mitigation(m) for m in exported["mitigations"]] == [
        mitigation(m) for m in original["mitigations"]
    ]
    # the one thing OTM-EXAMPLE keeps per instance: implemented on the service, required on
    # the flow
    service = next(c for c in exported["components"] if c["id"] == "web-service")
    assert service["threats"][0]["mitigations"] == [
        {"mitigation": "fd6136f4-e2ff-11eb-ba80-0242ac130004", "state": "implemented"}
    ]


@pytest.mark.parametrize(
    "name",
    [
        "OTM-EXAMPLE.yaml",
        "mobile-cloud.otm.json",
        "aws_simple_components.otm",
        "expected_altsource_components.otm",
        "expected_elb_example.otm",
    ],
)
def test_the_export_of_every_real_file_with_the_engines_threats_is_valid_otm(
    validator: jsonschema.Draft7Validator, name: str
) -> None:
    model = OtmImporter().read([FIXTURES / name]).model
    assert schema_errors(validator, export(model, results=True)) == []


def test_import_analyze_export_puts_the_engines_threats_next_to_the_teams(
    validator: jsonschema.Draft7Validator, tmp_path: Path
) -> None:
    model = OtmImporter().read([FIXTURES / "OTM-EXAMPLE.json"]).model
    assessment = analyze(model)
    document = json.loads(OtmExporter().export(model, assessment))
    assert schema_errors(validator, document) == []
    threats = document["threats"]
    assert threats[0]["id"] == "22724267-be7e-44c0-8b1f-d7d33e9a34ec"
    assert GENERATED_TAG not in threats[0]["tags"]
    generated = threats[1:]
    expected = [f"{f.rule}:{f.fingerprint}" for f in assessment.findings] + [
        f"{t.rule}:{t.fingerprint}" for t in assessment.applicable_threats
    ]
    assert [t["id"] for t in generated] == expected and expected
    first = assessment.findings[0] if assessment.findings else assessment.applicable_threats[0]
    assert generated[0]["tags"] == [GENERATED_TAG, f"severity:{first.severity.value}"]
    assert generated[0]["attributes"]["threatforge-generated"]["fingerprint"] == first.fingerprint
    element = first.elements[0]
    placed = [
        i["threat"]
        for item in document["components"] + document["dataflows"]
        if item["id"] == element
        for i in item.get("threats") or []
    ]
    assert expected[0] in placed
    # and back: the engine's threats are not turned into team threats
    path = tmp_path / "back.otm.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    back = OtmImporter().read([path])
    assert list(back.model.threats) == ["22724267-be7e-44c0-8b1f-d7d33e9a34ec"]
    assert (
        f"{len(expected)} threats generated by threatforge were not imported as team threats: "
        "the engine finds them again (decisions on them are kept in tracking:)"
    ) in back.notes


def _partner_with_decisions() -> Model:
    text = PARTNER.read_text(encoding="utf-8").replace(
        "tracking: {}",
        "tracking:\n"
        "  team-threat@webhook-replay:\n"
        "    status: accepted\n"
        "    justification: partners verify signatures\n"
        "    owner: alice\n"
        "    expires: 2027-03-31\n"
        "  team-threat@graphql-cost:\n"
        "    status: mitigated\n"
        "    control: per-partner-quotas\n",
    )
    return load_text(text, str(PARTNER))


def test_a_threatforge_model_comes_back_whole_from_its_otm_export(tmp_path: Path) -> None:
    model = _partner_with_decisions()
    exporter = OtmExporter()
    path = tmp_path / "partner.otm.json"
    path.write_text(exporter.export(model, analyze(model)), encoding="utf-8")
    back = OtmImporter().read([path]).model
    # only where each element was found differs
    assert [
        d for d in model_differences(model, back, limit=500) if not d.endswith(": origin")
    ] == []
    replay = back.threats["webhook-replay"]
    assert replay.mitigations == [
        "webhook-signatures",
        "Partners reject deliveries older than five minutes",
    ]
    assert replay.elements == ["webhook-dispatcher", "partner-webhook-receiver"]
    decision = back.tracking["team-threat@webhook-replay"]
    assert (
        decision.status.value,
        decision.justification,
        decision.owner,
        str(decision.expires),
    ) == (
        "accepted",
        "partners verify signatures",
        "alice",
        "2027-03-31",
    )
    assert back.tracking["team-threat@graphql-cost"].control == "per-partner-quotas"
    assert exporter.dropped(model) == (
        "3 assumptions for other OTM tools (OTM has none: they ride in the project's "
        "attributes.threatforge)",
        "the integrity and availability of 13 data assets (threatforge keeps a "
        "classification: written as 50)",
    )


def test_a_team_threats_decision_is_the_state_of_its_instances() -> None:
    model = _partner_with_decisions()
    document = export(model, results=False)
    dispatcher = next(c for c in document["components"] if c["id"] == "webhook-dispatcher")
    assert dispatcher["threats"][0]["threat"] == "webhook-replay"
    assert dispatcher["threats"][0]["state"] == "accepted"
    assert dispatcher["threats"][0]["mitigations"][0] == {
        "mitigation": "webhook-signatures",
        "state": "implemented",
    }
    text_mitigation = dispatcher["threats"][0]["mitigations"][1]["mitigation"]
    listed = next(m for m in document["mitigations"] if m["id"] == text_mitigation)
    assert listed["name"] == "Partners reject deliveries older than five minutes"
    assert listed["attributes"] == {"threatforge-text-mitigation": True}


def test_components_without_a_zone_sit_in_a_marked_zone_that_does_not_come_back(
    validator: jsonschema.Draft7Validator, tmp_path: Path
) -> None:
    model = load_text("system: {name: Tiny}\ncomponents:\n  api: {kind: service}\n", "tiny.yaml")
    exporter = OtmExporter()
    document = json.loads(exporter.export(model))
    assert schema_errors(validator, document) == []
    assert document["components"][0]["parent"] == {"trustZone": "threatforge-unzoned"}
    assert exporter.dropped(model) == (
        "1 components without a zone (OTM needs one: they sit in the trust zone "
        "'threatforge-unzoned')",
    )
    path = tmp_path / "tiny.otm.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    back = OtmImporter().read([path]).model
    assert (list(back.boundaries), back.components["api"].zone) == ([], None)
