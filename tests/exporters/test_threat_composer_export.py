"""The Threat Composer exporter: schema-valid documents, the team's threats in their grammar,
the engine's tagged as generated, and the round trip through the importer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import threatforge
from threatforge.exporters import threat_composer as exporter
from threatforge.exporters.threat_composer import ThreatComposerExporter, threat_composer_document
from threatforge.exporters.threat_list import GENERATED_TAG
from threatforge.importers import threat_composer as importer
from threatforge.importers.threat_composer import ThreatComposerImporter
from threatforge.model import Model, load
from threatforge.model.canonical import element_fields

FIXTURES = Path(__file__).parents[1] / "importers" / "fixtures"
SCHEMA = json.loads(
    (FIXTURES / "threat-composer" / "threat-composer-v1.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
REFUNDS = FIXTURES / "interop" / "refunds.yaml"
TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def refunds() -> Model:
    return load(str(REFUNDS))


def _export(model: Model, *, results: bool = True) -> dict[str, Any]:
    assessment = (
        threatforge.analyze(model, today=TODAY)
        if results
        else threatforge.analyze(model, (), today=TODAY, analyses=())
    )
    text = ThreatComposerExporter().export(model, assessment)
    document: dict[str, Any] = json.loads(text)
    return document


def _fields(model: Model, section: str) -> dict[str, Any]:
    return {k: element_fields(e, section) for k, e in getattr(model, section).items()}


def test_the_exporter_speaks_the_importers_vocabulary() -> None:
    assert exporter.ARCHITECTURE_HEADING == importer.ARCHITECTURE_HEADING
    assert exporter.DATAFLOW_HEADING == importer.DATAFLOW_HEADING
    assert exporter.STRIDE_LETTERS == importer.STRIDE_LETTERS
    assert exporter.THREAT_STATUS == importer.THREAT_STATUS
    assert exporter.MITIGATION_STATUS == importer.MITIGATION_STATUS


def test_the_export_validates_against_the_schema_with_team_and_generated_threats(
    refunds: Model,
) -> None:
    document = _export(refunds)
    assert sorted(VALIDATOR.iter_errors(document), key=str) == []
    assert document["applicationInfo"] == {
        "name": "Refunds",
        "description": "Refunds for card payments.",
    }
    assert document["architecture"] == {
        "description": "An API in front of a function and a ledger database."
    }
    assert document["dataflow"] == {
        "description": "Shoppers post refund requests; the function writes the ledger."
    }
    statements = [(t["statement"], t["status"], t.get("tags", [])) for t in document["threats"]]
    assert statements[:3] == [
        (
            "An internet-based actor with a captured refund request can replay the request to "
            "the refund API, which leads to a second refund for one return, resulting in reduced "
            "integrity of Refund request",
            "threatResolved",
            ["payments"],
        ),
        (
            "A support agent can issue a refund to their own card, resulting in reduced integrity",
            "threatResolved",
            [],
        ),
        ("An internal actor can exhaust the ledger's connections", "threatIdentified", []),
    ]
    generated = [t for t in document["threats"] if GENERATED_TAG in t.get("tags", [])]
    keys = [
        next(m["value"] for m in t["metadata"] if m["key"] == "custom:threatforge-key")
        for t in generated
    ]
    assert keys == [
        "domain-registrar-account-takeover:domain-registrar-account-takeover@refund-api",
        "missing-rate-limit:missing-rate-limit@refund-api",
        "dns-dangling-record:dns-dangling-record@refund-api",
        "certificate-misissuance:certificate-misissuance@refund-api",
        "tls-certificate-expiry:tls-certificate-expiry@refund-api",
        "store-unencrypted-at-rest:store-unencrypted-at-rest@ledger-db",
    ]
    assert len(document["threats"]) == 9


def test_a_team_threat_carries_its_grammar_links_and_decision(refunds: Model) -> None:
    document = _export(refunds)
    first = document["threats"][0]
    assert {k: v for k, v in first.items() if k not in ("id", "statement")} == {
        "numericId": 1,
        "displayOrder": 1,
        "threatSource": "internet-based actor",
        "prerequisites": "with a captured refund request",
        "threatAction": "replay the request to the refund API",
        "threatImpact": "a second refund for one return",
        "impactedGoal": ["integrity"],
        "impactedAssets": ["Refund request"],
        "status": "threatResolved",
        "tags": ["payments"],
        "metadata": [
            {"key": "STRIDE", "value": ["T", "R"]},
            {"key": "Priority", "value": "High"},
            {"key": "custom:threatforge-id", "value": "refund-replay"},
            {"key": "custom:elements", "value": ["refund-api"]},
            {"key": "custom:impacted-asset-ids", "value": ["refund"]},
            {"key": "custom:cwe", "value": ["294"]},
            {"key": "custom:decision-status", "value": "mitigated"},
            {"key": "custom:decision-owner", "value": "payments-team"},
            {"key": "custom:decision-control", "value": "idempotency-keys"},
        ],
    }
    by_id = {m["id"]: m for m in document["mitigations"]}
    linked = [
        by_id[link["mitigationId"]]["content"]
        for link in document["mitigationLinks"]
        if link["linkedId"] == first["id"]
    ]
    assert linked == [
        "Every refund request carries a unique key the function checks",
        "Reject a reused request id",
    ]
    assert document["assumptionLinks"] == [
        {
            "type": "Threat",
            "assumptionId": document["assumptions"][0]["id"],
            "linkedId": first["id"],
        }
    ]


def test_the_same_model_exports_the_same_file(refunds: Model) -> None:
    assert _export(refunds) == _export(refunds)
    assert _export(refunds)["threats"][0]["id"] == "6d0fdb9a-c5a9-583e-bc45-c0eb51981c9f"


def test_what_the_format_cannot_carry_is_listed(refunds: Model) -> None:
    assert ThreatComposerExporter().dropped(refunds) == (
        "4 components, 3 flows, 3 zones: Threat Composer has no diagram elements (its "
        "architecture and data-flow descriptions are text; threats keep their element ids as "
        "custom:elements)",
        "the classification and categories of 1 data assets (impacted assets are names there)",
        "where 1 controls apply (applies_to): a Threat Composer mitigation applies where it is "
        "linked",
    )


def test_an_import_of_the_export_gives_back_the_threats_mitigations_and_links(
    refunds: Model, tmp_path: Path
) -> None:
    path = tmp_path / "refunds.tc.json"
    path.write_text(
        ThreatComposerExporter().export(refunds, threatforge.analyze(refunds, today=TODAY)),
        encoding="utf-8",
    )
    back = ThreatComposerImporter().read([path]).model

    def threats(model: Model, *, elements: bool) -> dict[str, Any]:
        found = {k: element_fields(t, "threats") for k, t in model.threats.items()}
        if not elements:
            for fields in found.values():
                fields.pop("elements", None)
        return found

    # Threat Composer has no components: the threats' elements are noted, all else comes back
    assert threats(back, elements=False) == threats(refunds, elements=False)
    assert (
        _fields(back, "tracking")
        == _fields(refunds, "tracking")
        == {
            "team-threat@refund-replay": {
                "status": "mitigated",
                "owner": "payments-team",
                "control": "idempotency-keys",
            },
            "team-threat@agent-self-refund": {
                "status": "accepted",
                "justification": "refunds over 100 EUR need a second approver",
                "owner": "risk",
                "expires": date(2027, 3, 31),
            },
        }
    )
    assert {k: element_fields(c, "controls") for k, c in back.controls.items()} == {
        "idempotency-keys": {
            "name": "Idempotency keys",
            "description": "Every refund request carries a unique key the function checks",
            "status": "implemented",
            "applies_to": ["*"],
        },
        "refund-limits": {"name": "Refund limits", "status": "planned", "applies_to": ["*"]},
    }
    assert _fields(back, "assumptions") == _fields(refunds, "assumptions")
    assert back.system.description == refunds.system.description
    assert {k: d.name for k, d in back.data.items()} == {"refund": "Refund request"}


def test_the_export_without_results_has_the_team_threats_only(refunds: Model) -> None:
    document = _export(refunds, results=False)
    assert [t["numericId"] for t in document["threats"]] == [1, 2, 3]
    assert not [t for t in document["threats"] if GENERATED_TAG in t.get("tags", [])]


def test_model_text_is_data_in_the_json(tmp_path: Path) -> None:
    """The attack: markup and a quote in a threat's parts stay text inside JSON strings."""
    model = threatforge.model.load_text(
        "system: {name: '</script><b>x</b>\"'}\n"
        "threats:\n"
        "  t1: {source: '<img src=x onerror=alert(1)>', action: 'say \"hi\"'}\n",
        "m.yaml",
    )
    document = threat_composer_document(model, threatforge.analyze(model, (), analyses=()))
    assert sorted(VALIDATOR.iter_errors(document), key=str) == []
    assert document["applicationInfo"]["name"] == '</script><b>x</b>"'
    assert document["threats"][0]["threatSource"] == "<img src=x onerror=alert(1)>"
