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
    at = lines.index(
        "applicable threats: 40 (40 open), each with its question (--format json or report):"
    )
    assert lines[at - 1] == "open: 6 critical, 6 high, 4 elevated, 2 medium"
    assert lines[at + 1 : at + 7] == [
        "  - high pay-card-testing@api-gateway",
        "  - high idp-admin-mfa-not-enforced@cognito",  # not confirmed: at most high
        "  - high idp-weak-password-policy@cognito",
        "  - high jwt-validation@api-gateway",
        "  - high login-credential-stuffing@back-office",
        "  ... 35 more",
    ]


PARTNER_API = CARD_CHECKOUT.parents[1] / "partner-api/threatmodel.yaml"


def test_the_table_counts_team_threats() -> None:
    result = CliRunner().invoke(app, ["analyze", str(PARTNER_API), "--today", "2026-01-01"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = lines.index("team threats: 3 (3 open), from threats: in the model:")
    assert lines[at + 1 : at + 4] == [
        "  - medium team-threat@webhook-replay open",
        "  - medium team-threat@graphql-cost open",
        "  - elevated team-threat@bulk-export open",
    ]
    assert "open: 6 high, 5 elevated, 5 medium" in lines
