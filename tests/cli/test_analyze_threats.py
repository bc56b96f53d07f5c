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
    at = lines.index("applicable threats: 1 (1 open), 1 question (--format json or report):")
    assert lines[at + 1] == "  - elevated pay-refund-without-dual-approval@refund-fn"
    assert lines[at - 1] == "open: 6 critical, 3 high, 7 elevated, 2 medium"


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
    assert lines[at - 1] == "open: 3 high, 6 elevated, 5 medium"
