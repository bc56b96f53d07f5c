"""The Threat Dragon exporter: schema-valid v2 documents, cells laid out or kept where they
were, threats on their cells, and the round trip through the importer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import threatforge
from threatforge.exporters import threat_dragon as exporter
from threatforge.exporters.threat_dragon import ThreatDragonExporter
from threatforge.importers import threat_dragon as importer
from threatforge.importers.threat_dragon import ThreatDragonImporter
from threatforge.model import Model, load
from threatforge.model.canonical import model_differences

FIXTURES = Path(__file__).parents[1] / "importers" / "fixtures"
SCHEMA = json.loads(
    (FIXTURES / "threat-dragon" / "threat-dragon-v2.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
REFUNDS = FIXTURES / "interop" / "refunds.yaml"
TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def refunds() -> Model:
    return load(str(REFUNDS))


def _export(model: Model, exporter_: ThreatDragonExporter | None = None) -> dict[str, Any]:
    text = (exporter_ or ThreatDragonExporter()).export(
        model, threatforge.analyze(model, today=TODAY)
    )
    document: dict[str, Any] = json.loads(text)
    return document


def _cells(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in document["detail"]["diagrams"][0]["cells"]}


def test_the_exporter_speaks_the_importers_vocabulary() -> None:
    assert exporter.STATUS_TO_TD == importer.STATUS_TO_TD
    assert exporter.SEVERITY_TO_TD == importer.SEVERITY_TO_TD
    assert exporter.TD_FLAGS == importer.TD_FLAGS


def test_the_export_validates_against_the_v2_schema(refunds: Model) -> None:
    document = _export(refunds)
    assert sorted(VALIDATOR.iter_errors(document), key=str) == []
    assert document["summary"] == {
        "title": "Refunds",
        "owner": "",
        "description": refunds.system.description,
        "id": 0,
    }
    assert document["detail"]["threatTop"] == 7


def test_cells_are_laid_out_by_zone_and_boxes_hold_their_components(refunds: Model) -> None:
    cells = _cells(_export(refunds))
    shapes = {k: (c["shape"], c.get("position"), c.get("size")) for k, c in cells.items()}
    assert shapes == {
        "internet": (
            "trust-boundary-box",
            {"x": 380.0, "y": 70.0},
            {"width": 220.0, "height": 140.0},
        ),
        "aws-prod": (
            "trust-boundary-box",
            {"x": 680.0, "y": 70.0},
            {"width": 280.0, "height": 510.0},
        ),
        "payments-vpc": (
            "trust-boundary-box",
            {"x": 710.0, "y": 240.0},
            {"width": 220.0, "height": 310.0},
        ),
        "shopper": ("actor", {"x": 410.0, "y": 100.0}, {"width": 160.0, "height": 80.0}),
        "refund-api": ("process", {"x": 730.0, "y": 100.0}, {"width": 120.0, "height": 100.0}),
        "refund-fn": ("process", {"x": 740.0, "y": 270.0}, {"width": 120.0, "height": 100.0}),
        "ledger-db": ("store", {"x": 740.0, "y": 440.0}, {"width": 160.0, "height": 80.0}),
        "shopper->refund-api": ("flow", None, None),
        "refund-api->refund-fn": ("flow", None, None),
        "refund-fn->ledger-db": ("flow", None, None),
    }
    flow = cells["refund-fn->ledger-db"]
    assert (flow["source"], flow["target"]) == ({"cell": "refund-fn"}, {"cell": "ledger-db"})
    assert {k: flow["data"][k] for k in ("isEncrypted", "protocol", "isPublicNetwork")} == {
        "isEncrypted": True,
        "protocol": "postgres",
        "isPublicNetwork": False,
    }


def test_threats_sit_on_their_cells_team_and_generated(refunds: Model) -> None:
    cells = _cells(_export(refunds))
    api = cells["refund-api"]["data"]["threats"]
    assert [(t["id"], t["status"], t["severity"], t["type"]) for t in api] == [
        ("refund-replay", "Mitigated", "High", "Tampering"),
        (
            "domain-registrar-account-takeover:domain-registrar-account-takeover@refund-api",
            "Open",
            "High",
            "Spoofing",
        ),
        ("missing-rate-limit:missing-rate-limit@refund-api", "Open", "Medium", "Denial of service"),
        ("dns-dangling-record:dns-dangling-record@refund-api", "Open", "Medium", "Spoofing"),
        (
            "certificate-misissuance:certificate-misissuance@refund-api",
            "Open",
            "Medium",
            "Spoofing",
        ),
        (
            "tls-certificate-expiry:tls-certificate-expiry@refund-api",
            "Open",
            "Medium",
            "Denial of service",
        ),
    ]
    replay = api[0]
    assert replay["threatId"] == "refund-replay"
    assert replay["mitigation"] == "idempotency-keys\n\nReject a reused request id"
    assert replay["title"] == (
        "An internet-based actor with a captured refund request can replay the request to the "
        "refund API, which leads to a second refund for one return, resulting in reduced "
        "integrity of Refund request"
    )
    assert cells["refund-api"]["data"]["hasOpenThreats"] is True
    assert [t["id"] for t in cells["ledger-db"]["data"]["threats"]] == [
        "store-unencrypted-at-rest:store-unencrypted-at-rest@ledger-db"
    ]


def test_what_threat_dragon_cannot_show_is_listed(refunds: Model) -> None:
    exporter_ = ThreatDragonExporter()
    _export(refunds, exporter_)
    assert exporter_.dropped(refunds) == (
        "1 data assets, 2 controls, 1 assumptions as elements of the diagram (Threat Dragon has "
        "none: kept under detail.threatforge, which Threat Dragon does not show)",
        "team threats on no component or flow (agent-self-refund, ledger-outage): kept under "
        "detail.threatforge, not shown in Threat Dragon",
    )


def test_an_import_of_the_export_gives_back_the_same_model(refunds: Model, tmp_path: Path) -> None:
    path = tmp_path / "refunds.json"
    path.write_text(
        ThreatDragonExporter().export(refunds, threatforge.analyze(refunds, today=TODAY)),
        encoding="utf-8",
    )
    imported = ThreatDragonImporter().read([path])
    assert model_differences(refunds, imported.model) == []
    assert imported.notes == (
        "6 threats with a rule:fingerprint id are threatforge's own findings and applicable "
        "threats: not read back as the team's (the engine finds them again)",
        "read 1 Threat Dragon v2 file: 4 components, 3 flows, 3 zones, 3 threats",
    )


def test_changes_made_in_threat_dragon_win_over_the_carried_fields(
    refunds: Model, tmp_path: Path
) -> None:
    document = _export(refunds)
    cells = _cells(document)
    cells["refund-api"]["data"]["name"] = "Refunds API v2"
    replay = cells["refund-api"]["data"]["threats"][0]
    replay["status"] = "Open"
    replay["severity"] = "Low"
    replay["mitigation"] = "Idempotency keys\n\nSigned requests"
    cells["refund-fn"]["position"] = {"x": 2000, "y": 2000}  # dragged out of every box
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    model = ThreatDragonImporter().read([path]).model
    assert model.components["refund-api"].name == "Refunds API v2"
    threat = model.threats["refund-replay"]
    assert (threat.severity, threat.mitigations, threat.source) == (
        importer_severity("low"),
        ["Idempotency keys", "Signed requests"],
        "internet-based actor",
    )
    assert "team-threat@refund-replay" not in model.tracking
    assert model.components["refund-fn"].zone is None
    assert model.components["refund-fn"].properties == {"diagram_x": 2000.0, "diagram_y": 2000.0}


def importer_severity(value: str) -> Any:
    from threatforge.model import ThreatSeverity

    return ThreatSeverity(value)


def test_positions_kept_from_an_import_are_where_the_export_draws(tmp_path: Path) -> None:
    imported = ThreatDragonImporter().read(
        [FIXTURES / "threat-dragon" / "v2-three-tier-web-app.json"]
    )
    document = json.loads(ThreatDragonExporter().export(imported.model, None))
    assert sorted(VALIDATOR.iter_errors(document), key=str) == []
    cells = _cells(document)
    assert cells["web-ui"]["position"] == {"x": 212.0, "y": 220.0}
    assert cells["postgressql"]["position"] == {"x": 893.0, "y": 225.0}
    assert [t["id"] for t in cells["postgressql"]["data"]["threats"]] == [
        "postgressql.threat-1",
        "postgressql.threat-2",
    ]
    path = tmp_path / "again.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    again = ThreatDragonImporter().read([path]).model
    assert model_differences(imported.model, again) == []


def test_the_v1_demo_exported_as_v2_reads_back_the_same(tmp_path: Path) -> None:
    imported = ThreatDragonImporter().read(
        [FIXTURES / "threat-dragon" / "v1-demo-threat-model.json"]
    )
    document = json.loads(ThreatDragonExporter().export(imported.model, None))
    assert sorted(VALIDATOR.iter_errors(document), key=str) == []
    curves = [c["id"] for c in _cells(document).values() if c["shape"] == "trust-boundary-curve"]
    assert curves == ["boundary", "boundary-2", "boundary-3", "boundary-4"]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert model_differences(imported.model, ThreatDragonImporter().read([path]).model) == []


def test_one_character_ids_make_valid_cells_and_come_back(tmp_path: Path) -> None:
    model = threatforge.model.load_text(
        "system: {name: S}\n"
        "boundaries:\n  z: {trust: trusted}\n"
        "components:\n  a: {kind: service, zone: z}\n  b: {kind: datastore, zone: z}\n"
        "flows:\n  - a -> b: {protocol: https}\n"
        "threats:\n  t: {source: an insider, action: read b, elements: [b]}\n",
        "m.yaml",
    )
    document = json.loads(ThreatDragonExporter().export(model, None))
    assert sorted(VALIDATOR.iter_errors(document), key=str) == []
    assert sorted(_cells(document)) == ["a--cell", "a->b", "b--cell", "z--cell"]
    path = tmp_path / "short.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert model_differences(model, ThreatDragonImporter().read([path]).model) == []
