"""``threatforge paths``, ``blast-radius``, ``scope --pci`` and ``privacy`` via Typer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analysis_models import CARD_CHECKOUT
from typer.testing import CliRunner

from threatforge.cli import app

EXAMPLE = str(CARD_CHECKOUT)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_paths_json_shows_the_internet_path_to_the_card_vault(runner: CliRunner) -> None:
    result = runner.invoke(app, ["paths", EXAMPLE, "--to", "card-vault-db", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["capped"], document["k"], document["max_depth"]) == (False, 3, 8)
    assert [(p["entry"], p["score"]) for p in document["paths"]] == [
        ("api-gateway", 27), ("cloudfront", 33), ("shopper", 39)
    ]
    shopper = document["paths"][2]
    assert [h["flow"] for h in shopper["hops"]] == [
        "shopper->cloudfront",
        "cloudfront->api-gateway",
        "api-gateway->payment-fn",
        "payment-fn->card-vault-db",
    ]
    assert shopper["weakest_hop"] == {
        "flow": "payment-fn->card-vault-db",
        "effort": 9,
        "why": "strong authentication (authn: iam); 'card-vault-db' authorises (authz: rbac)",
    }
    assert shopper["boundaries"] == [
        "internet", "aws-prod", "aws-edge", "checkout-vpc", "cde-subnet"
    ]
    assert shopper["hops"][0] == {
        "flow": "shopper->cloudfront",
        "from": "shopper",
        "to": "cloudfront",
        "pulled": False,
        "effort": 10,
        "authn": "jwt",
        "strength": "strong",
        "into_more_trusted_zone": True,
        "boundaries": ["internet", "aws-prod", "aws-edge"],
        "why": "strong authentication (authn: jwt); enters a more trusted zone: internet "
        "(untrusted) -> aws-edge (semi-trusted); 'cloudfront' states no authorisation; "
        "'cloudfront' has a WAF",
    }


def test_paths_table_and_caps(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["--no-color", "paths", EXAMPLE, "--from", "shopper", "--to", "card-vault-db",
              "--max-depth", "3"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "attack paths (up to 3 per target, at most 3 hops): none",
        "not reached from any entry point: card-vault-db",
        "capped: 3 partial paths reached the depth cap of 3; longer paths were not explored",
    ]
    full = runner.invoke(app, ["--no-color", "paths", EXAMPLE, "--from", "shopper", "--k", "1"])
    assert full.exit_code == 0
    lines = full.stdout.splitlines()
    assert lines[0] == "8 attack paths (up to 1 per target, at most 8 hops)"
    assert lines[-2:] == [
        "1 of 8 paths have an unauthenticated or shared-secret hop into a more trusted zone. "
        "Effort: lower is easier for the attacker.",
        "not reached from any entry point: back-office, refund-fn",
    ]


def test_unknown_ids_exit_2_with_a_suggestion(runner: CliRunner) -> None:
    result = runner.invoke(app, ["paths", EXAMPLE, "--to", "card-vault"])
    assert result.exit_code == 2
    assert "error: --to: unknown component 'card-vault' — did you mean 'card-vault-db'?" in (
        result.stderr
    )
    result = runner.invoke(app, ["blast-radius", EXAMPLE, "paymnet-fn"])
    assert result.exit_code == 2
    assert "unknown component 'paymnet-fn' — did you mean 'payment-fn'?" in result.stderr


def test_blast_radius_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["blast-radius", EXAMPLE, "refund-fn", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["origin"] == "refund-fn"
    assert [(r["component"], r["hops"], r["via"]) for r in document["reached"]][:3] == [
        ("orders-table", 1, "refund-fn->orders-table"),
        ("psp", 1, "refund-fn->psp"),
        ("secrets-manager", 1, "refund-fn->secrets-manager"),
    ]
    assert list(document["data"]) == ["restricted", "confidential", "internal"]


def test_scope_needs_pci(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scope", EXAMPLE])
    assert result.exit_code == 2
    assert "choose the scope to compute: --pci" in result.stderr


def test_scope_json_and_markdown(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["scope", EXAMPLE, "--pci", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["cde"] == [
        "api-gateway", "back-office", "card-vault-db", "cloudfront", "cloudwatch-logs",
        "payment-fn",
    ]
    assert document["summary"]["connected-to"] == [
        "checkout-fn", "orders-table", "payment-events-queue", "refund-fn", "support-agent",
        "webhook-fn",
    ]
    assert document["segmentation_violations"] == []
    out = tmp_path / "scope.md"
    written = runner.invoke(
        app, ["scope", EXAMPLE, "--pci", "--format", "markdown", "-o", str(out)]
    )
    assert written.exit_code == 0, written.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# PCI DSS scope: Card checkout"
    assert "| kms | aws-prod | Security-impacting | key-management serving the CDE; flows to or " \
        "from CDE components card-vault-db, payment-fn | — |" in lines


def test_scope_table_reports_violations(runner: CliRunner, tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "rules" / "fixtures" / "pci-segmentation-violation"
    result = runner.invoke(app, ["--no-color", "scope", str(fixture / "fires.yaml"), "--pci"])
    assert result.exit_code == 0, result.output
    assert "1 segmentation violations" in result.stdout
    quiet = runner.invoke(app, ["--no-color", "scope", str(fixture / "passes.yaml"), "--pci"])
    assert "segmentation: no out-of-scope component reaches the CDE" in quiet.stdout


def test_privacy_json_and_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["privacy", EXAMPLE, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["transfers"] == [
        {
            "flow": "checkout-fn->fraud-scoring",
            "from": "checkout-fn",
            "to": "fraud-scoring",
            "data": ["customer-profile", "fraud-signals"],
            "from_region": "eu-west-1",
            "to_region": "us-east-1",
            "from_jurisdiction": "EU",
            "to_jurisdiction": "US",
            "cross_jurisdiction": True,
        }
    ]
    assert document["retention_gaps"] == []
    table = runner.invoke(app, ["--no-color", "privacy", EXAMPLE])
    assert table.exit_code == 0
    assert "personal data: customer-profile, fraud-signals, receipts" in table.stdout
    assert "stores of personal data without retention: none" in table.stdout


def test_table_output_cannot_be_written_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["privacy", EXAMPLE, "-o", str(tmp_path / "x.txt")])
    assert result.exit_code == 2
    assert "--output needs a file format: use --format json" in result.stderr
