"""Secrets stay secret (issue 16 item 10): a literal secret is recorded as its presence, kind and
place, never its value, in the model and in every output; written as the attack, a planted
value that must appear nowhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.errors import ImporterError
from threatforge.importers.builder import ModelBuilder
from threatforge.importers.secrets import SecretKind, SecretLedger, parse_url, secret_kind
from threatforge.model import Location

FIXTURES = Path(__file__).parent / "fixtures" / "compose"
PLANTED = ("S3cr3t-Planted-Value", "sk_live_PLANTEDplanted1234567890")
"""The literal secrets of the shop fixture's compose.yaml."""


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("POSTGRES_PASSWORD", "hunter2", SecretKind.PASSWORD),
        ("db_pwd", "x1y2", SecretKind.PASSWORD),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", SecretKind.ACCESS_KEY),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            SecretKind.ACCESS_KEY,
        ),
        ("GITHUB_TOKEN", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", SecretKind.TOKEN),
        ("STRIPE_KEY", "sk_live_abcdefghijklmnop1234", SecretKind.API_KEY),
        ("TLS_KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", SecretKind.PRIVATE_KEY),
        ("DATABASE_URL", "postgres://app:pw@db/app", SecretKind.URL_PASSWORD),
        ("JWT_SECRET", "change-me", SecretKind.SECRET),
        ("API_KEY", "12345", SecretKind.API_KEY),
        # references, names of where a secret is, and settings about secrets are not secrets
        ("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD}", None),
        ("POSTGRES_PASSWORD", "$POSTGRES_PASSWORD", None),
        ("POSTGRES_PASSWORD_FILE", "/run/secrets/db", None),
        ("DB_PASSWORD", "/run/secrets/db_password", None),
        ("DB_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:db", None),
        ("TOKEN_TTL", "3600", None),
        ("PASSWORD_MIN_LENGTH", "12", None),
        ("DATABASE_URL", "postgres://app@db/app", None),
        ("LOG_LEVEL", "debug", None),
        ("AUTH_ENABLED", "true", None),
        ("DB_PASSWORD", "", None),
        ("DB_PASSWORD", True, None),
    ],
)
def test_secret_kinds_by_value_and_by_name(name: str, value: object, expected: object) -> None:
    assert secret_kind(name, value) == expected


def test_a_url_is_read_for_flows_without_its_password() -> None:
    url = parse_url("postgres://shop:S3cr3t@DB:5433/shop?sslmode=require")
    assert (url.scheme, url.host, url.port, url.has_password) == ("postgres", "db", 5433, True)
    assert "S3cr3t" not in repr(url)
    assert parse_url("not a url").host == ""


def test_the_ledger_records_kind_name_and_place_never_the_value() -> None:
    ledger = SecretLedger()
    found = ledger.check("api", "DB_PASSWORD", "hunter22", Location("compose.yaml", 14))
    assert found is not None
    assert found.description == "password in DB_PASSWORD at compose.yaml:14"
    assert "hunter22" not in repr(found) and "hunter22" not in repr(ledger)
    assert (
        ledger.check("api", "DB_PASSWORD", "${DB_PASSWORD}", Location("compose.yaml", 15)) is None
    )
    assert [s.description for s in ledger.of("api")] == [
        "password in DB_PASSWORD at compose.yaml:14"
    ]


def test_a_model_that_would_hold_a_secret_value_is_refused() -> None:
    """An importer bug (the value copied into a description) is caught before anything is
    written: the error names the kind and place, not the value."""
    builder = ModelBuilder("compose", "Shop")
    where = Location("compose.yaml", 3)
    cid = builder.component("api", where, "service", description="DB_PASSWORD=hunter22")
    builder.record_secret(builder.secrets.check(cid, "DB_PASSWORD", "hunter22", where))
    with pytest.raises(ImporterError) as raised:
        builder.build()
    assert str(raised.value) == (
        "the model imported by compose would contain a literal secret (password in "
        "DB_PASSWORD at compose.yaml:3); nothing was written (please report this)"
    )


def test_a_planted_secret_appears_in_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: secrets written into a Compose file, imported, then analysed and reported in
    every format. Neither value may appear anywhere a person or a CI system reads."""
    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "compose", ".", "-o", "model.yaml"])
    assert imported.exit_code == 0, imported.output
    outputs = {"import": imported.output, "model.yaml": Path("model.yaml").read_text()}
    assert (
        "literal_secrets: ['password-in-url in DATABASE_URL at compose.yaml:15'"
        in (outputs["model.yaml"])
    )
    for fmt in ("table", "json", "sarif", "markdown", "csv", "junit"):
        result = runner.invoke(app, ["analyze", "model.yaml", "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        outputs[f"analyze {fmt}"] = result.output
    for target in ("report.md", "report.html"):
        result = runner.invoke(app, ["report", "model.yaml", "-o", target])
        assert result.exit_code == 0, result.output
        outputs[target] = Path(target).read_text()
    validated = runner.invoke(app, ["validate", "model.yaml", "--format", "json"])
    outputs["validate"] = validated.output
    assert '"ruleId": "hardcoded-secrets"' in outputs["analyze sarif"]
    leaks = [
        (where, value) for where, text in outputs.items() for value in PLANTED if value in text
    ]
    assert leaks == []
    # the password's parts are not there either (the URL's user name is no secret)
    assert all("Planted" not in text and "PLANTED" not in text for text in outputs.values())
