"""``export threagile``: a Threagile model Threagile's schema accepts, the team's threats and the
engine's as individual risk categories with their risk tracking, and a model imported from
Threagile that comes back the same from its own export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from threatforge.exporters.registry import load_exporters
from threatforge.exporters.threagile import ThreagileExporter
from threatforge.importers.threagile import ThreagileImporter
from threatforge.model import Model, load_text, parse_yaml_text
from threatforge.model.canonical import model_differences
from threatforge.rules import analyze

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "interop" / "threagile"
PARTNER = Path(__file__).resolve().parents[2] / "examples" / "partner-api" / "threatmodel.yaml"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads((FIXTURES / "threagile-schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def exported(model: Model, *, results: bool = True) -> tuple[str, dict[str, Any]]:
    assessment = analyze(model) if results else analyze(model, (), analyses=())
    text = ThreagileExporter().export(model, assessment)
    return text, parse_yaml_text(text, "export.yaml").value


def errors(validator: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def differences(first: Model, second: Model) -> list[str]:
    return [d for d in model_differences(first, second, limit=500) if not d.endswith(": origin")]


def test_threagile_is_a_built_in_model_format() -> None:
    exporter = load_exporters(include_plugins=False).model_exporter("threagile")
    assert isinstance(exporter, ThreagileExporter)


@pytest.mark.parametrize(
    "name", ["threagile-stub-model.yaml", "split-model/main.yaml", "large-model/threagile.yaml"]
)
def test_the_export_of_every_threagile_model_validates_against_threagiles_schema(
    validator: jsonschema.Draft7Validator, name: str
) -> None:
    model = ThreagileImporter().read([FIXTURES / name]).model
    # the one name Threagile's schema does not list came from the model itself (newer
    # Threagile reads custom technologies): it is written back as it was
    unknown = (
        ["$.technical_assets['Legacy Mainframe'].technologies[1]: 'quantum-ledger' is not one of"]
        if name.startswith("large")
        else []
    )
    found = errors(validator, exported(model)[1])
    assert [e.split(" [")[0] for e in found] == unknown


def test_the_large_model_comes_back_the_same_from_its_export(tmp_path: Path) -> None:
    model = ThreagileImporter().read([FIXTURES / "large-model" / "threagile.yaml"]).model
    text, document = exported(model)
    assert list(document["technical_assets"]) == [
        "Shopper Browser",
        "CDN Edge",
        "Web Frontend",
        "Checkout API",
        "Payment DB",
        "Identity Provider",
        "Build Server",
        "Legacy Mainframe",
    ]
    cdn = document["technical_assets"]["CDN Edge"]
    assert (cdn["technologies"], cdn["machine"], cdn["multi_tenant"], cdn["tags"]) == (
        ["reverse-proxy", "waf"],
        "serverless",
        True,
        ["pci"],
    )
    vault = document["technical_assets"]["Checkout API"]["communication_links"]["Vault Access"]
    assert (vault["protocol"], vault["authentication"], vault["authorization"]) == (
        "jdbc-encrypted",
        "credentials",
        "technical-user",
    )
    assert (vault["data_assets_sent"], vault["data_assets_received"]) == ([], ["card-data"])
    assert document["trust_boundaries"]["App VPC"]["trust_boundaries_nested"] == ["data-subnet"]
    assert document["shared_runtimes"]["Kubernetes Cluster"] == {
        "id": "k8s-cluster",
        "description": "Kubernetes Cluster",
        "tags": [],
        "technical_assets_running": ["web-frontend", "checkout-api", "identity-provider"],
    }
    assert document["risk_tracking"]["refund-replay@checkout-api"] == {
        "status": "accepted",
        "justification": "Refunds are capped per order",
        "ticket": "PAY-101",
        "date": "2026-10-01",
        "checked_by": "Alice",
    }
    assert {k: v["status"] for k, v in document["risk_tracking"].items()} == {
        "refund-replay@checkout-api": "accepted",
        "refund-replay@checkout-api@web-frontend>api-calls": "mitigated",
        "session-fixation@identity-provider": "unchecked",
        "card-data-in-logs@payment-db@audit-log": "in-progress",
        "card-data-in-logs@legacy-mainframe": "false-positive",
        "card-data-in-logs@build-server": "in-discussion",
    }
    categories = document["individual_risk_categories"]
    assert list(categories)[:3] == ["refund-replay", "session-fixation", "card-data-in-logs"]
    generated = [c for c in categories.values() if c["id"].startswith("threatforge-")]
    assert generated and all("generated by threatforge" in c["detection_logic"] for c in generated)
    path = tmp_path / "threagile.yaml"
    path.write_text(text, encoding="utf-8")
    back = ThreagileImporter().read([path])
    assert differences(model, back.model) == []
    count = sum(len(c["risks_identified"]) for c in generated)
    assert (
        f"{count} risks generated by threatforge (categories 'threatforge-<rule>') were not "
        "imported as team threats: the engine finds them again"
    ) in back.notes


def test_the_team_threats_of_a_threatforge_model_go_to_threagile_and_back(
    validator: jsonschema.Draft7Validator, tmp_path: Path
) -> None:
    text = PARTNER.read_text(encoding="utf-8").replace(
        "tracking: {}",
        "tracking:\n  team-threat@bulk-export:\n    status: in-progress\n    owner: ops\n"
        "    ticket: SEC-4\n",
    )
    model = load_text(text, str(PARTNER))
    exporter = ThreagileExporter()
    written = exporter.export(model, analyze(model))
    document = parse_yaml_text(written, "export.yaml").value
    assert errors(validator, document) == []
    bulk = document["individual_risk_categories"]["Information disclosure"]  # its type
    assert (bulk["id"], bulk["stride"], bulk["cwe"]) == (
        "Information disclosure",
        "information-disclosure",
        359,
    )
    assert list(bulk["risks_identified"]) == ["export every partner's consumer shipping details"]
    by_id = {c["id"]: c for c in document["individual_risk_categories"].values()}
    replay = by_id["threatforge-team-webhook-replay"]
    assert replay["mitigation"] == (
        "webhook-signatures; Partners reject deliveries older than five minutes"
    )
    assert document["risk_tracking"] == {
        "Information disclosure@admin-back-office": {
            "status": "in-progress",
            "justification": "",
            "ticket": "SEC-4",
            "date": None,
            "checked_by": "ops",
        }
    }
    assert exporter.dropped(model) == (
        "5 controls (Threagile has none: the mitigations of threats are written as text)",
        "3 assumptions (Threagile has none)",
        "the ids of 28 flows (Threagile names a link by its source and title: "
        "'partner-backend->api-gateway' returns as "
        "'partner-backend/partner-backend-to-api-gateway')",
        "1 of the elements of team threat 'webhook-replay' (Threagile keeps one of each kind)",
        "the id of team threat 'bulk-export' (Threagile names a risk by its category and "
        "elements: it returns as 'Information disclosure.admin-back-office')",
        "a STRIDE category for 'privacy-erasure-not-propagated:privacy-erasure-not-propagated"
        "@eu-shipment-store' (Threagile needs one: written as information-disclosure)",
    )
    path = tmp_path / "threagile.yaml"
    path.write_text(written, encoding="utf-8")
    back = ThreagileImporter().read([path]).model
    replay_back = back.threats["webhook-replay"]
    assert (replay_back.action, replay_back.elements, [s.value for s in replay_back.stride]) == (
        "replay it to a partner's endpoint",
        ["webhook-dispatcher"],
        ["spoofing"],
    )
    assert replay_back.mitigations == [
        "webhook-signatures",
        "Partners reject deliveries older than five minutes",
    ]
    assert back.tracking["team-threat@Information%20disclosure.admin-back-office"].ticket == (
        "SEC-4"
    )
