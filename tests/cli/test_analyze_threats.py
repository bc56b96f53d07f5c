"""``analyze``'s table: applicable threats counted under the findings."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from threatforge.cli import app

CARD_CHECKOUT = Path(__file__).resolve().parents[2] / "examples/card-checkout/threatmodel.yaml"


def test_the_table_counts_threats_and_questions() -> None:
    result = CliRunner().invoke(app, ["analyze", str(CARD_CHECKOUT), "--today", "2026-01-01"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = lines.index("applicable threats: 7 (7 open), 7 questions (--format json or report):")
    assert lines[at + 1 : at + 7] == [
        "  - critical idp-admin-mfa-not-enforced@cognito",
        "  - high dns-dangling-record@cloudfront",
        "  - high domain-registrar-account-takeover@cloudfront",
        "  - high third-party-console-without-mfa@fraud-scoring",
        "  - elevated tls-certificate-expiry@cloudfront",
        "  ... 2 more",
    ]
    assert lines[at - 1] == "open: 6 critical, 3 high, 7 elevated, 2 medium"
