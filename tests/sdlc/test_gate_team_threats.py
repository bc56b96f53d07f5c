"""``check --fail-on``: an open team threat at or above the threshold is an open risk and fails
the gate; a valid decision in ``tracking:`` (owner, reason, expiry, as on findings) closes it."""

from __future__ import annotations

import json
from pathlib import Path

from sdlc_models import Invoke, git

REFUNDS = """\
system: {name: Refunds}
boundaries:
  app: {kind: subnet, trust: trusted}
components:
  refund-fn: {kind: function, zone: app, authn: iam, authz: rbac, input_validation: true,
              logging: {enabled: true, audit: true}, properties: {dual_approval: true}}
threats:
  refund-replay:
    source: internet-based actor
    action: replay a refund request
    impact: a second refund
    impacted_goal: [integrity]
    impacted_assets: [refund-fn]
    elements: [refund-fn]
    priority: high
  log-flood:
    source: insider
    action: flood the audit log
    elements: [refund-fn]
    priority: low
"""
REPLAY = "team-threat@refund-replay"
STATEMENT = (
    "An internet-based actor can replay a refund request, which leads to a second refund, "
    "resulting in reduced integrity of refund-fn"
)
ACCEPTED = REFUNDS + f"""\
tracking:
  "{REPLAY}":
    status: accepted
    justification: the PSP rejects a second refund of one charge
    owner: alice
    expires: 2026-06-30
"""


def _write(folder: Path, text: str) -> str:
    (folder / "threatmodel.yaml").write_text(text, encoding="utf-8")
    return "threatmodel.yaml"


def test_an_open_high_team_threat_fails_the_gate(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", _write(folder, REFUNDS), "--today", "2026-01-01")
    assert result.exit_code == 1, result.stdout
    lines = result.stdout.splitlines()
    assert lines[-4:] == [
        "open team threats: 2 of 2 (0 closed by decisions)",
        "1 open team threat at or above high (mitigate it, or record a decision in tracking:):",
        f"  high      {REPLAY}  {STATEMENT}",
        'gate FAILED for "Refunds" (fail on high or above)',
    ]


def test_a_team_threat_below_the_threshold_passes(invoke: Invoke, folder: Path) -> None:
    text = REFUNDS.replace("priority: high", "priority: medium")
    result = invoke("check", _write(folder, text), "--today", "2026-01-01")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-2:] == [
        "open team threats: 2 of 2 (0 closed by decisions)",
        'gate passed for "Refunds" (fail on high or above)',
    ]
    low = invoke("check", "threatmodel.yaml", "--today", "2026-01-01", "--fail-on", "low")
    assert low.exit_code == 1, low.stdout
    assert "2 open team threats at or above low (mitigate it, or record a decision in " \
        "tracking:):" in low.stdout.splitlines()


def test_a_valid_acceptance_closes_the_team_threat(invoke: Invoke, folder: Path) -> None:
    result = invoke(
        "check", _write(folder, ACCEPTED), "--today", "2026-01-01", "--format", "json"
    )
    assert result.exit_code == 0, result.stdout
    (gate,) = json.loads(result.stdout)["models"]
    assert gate["passed"] is True
    assert (gate["open_team_threats"], gate["failing_team_threats"]) == (1, [])


def test_an_acceptance_without_owner_or_expiry_does_not_close_it(
    invoke: Invoke, folder: Path
) -> None:
    text = ACCEPTED.replace("    owner: alice\n", "").replace("    expires: 2026-06-30\n", "")
    result = invoke("check", _write(folder, text), "--today", "2026-01-01")
    assert result.exit_code == 1, result.stdout
    lines = result.stdout.splitlines()
    assert (
        f"  threatmodel.yaml:22:3: {REPLAY} (accepted, high): no owner (who decided); no expiry "
        "(expires: at the latest 2027-01-01)"
    ) in lines
    assert f"  high      {REPLAY}  {STATEMENT}" in lines


def test_an_expired_acceptance_reopens_the_team_threat(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", _write(folder, ACCEPTED), "--today", "2026-07-01")
    assert result.exit_code == 1, result.stdout
    assert f"  high      {REPLAY}  {STATEMENT}" in result.stdout.splitlines()


def test_under_base_a_team_threat_already_open_there_does_not_count(
    invoke: Invoke, folder: Path
) -> None:
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "commit.gpgsign", "false")
    _write(folder, REFUNDS)
    git(folder, "add", "threatmodel.yaml")
    git(folder, "commit", "-q", "-m", "refunds")
    more = REFUNDS + (
        "  ledger-edit:\n    source: support agent\n    action: edit a ledger row\n"
        "    elements: [refund-fn]\n    severity: critical\n"
    )
    _write(folder, more)
    result = invoke(
        "check", "threatmodel.yaml", "--today", "2026-01-01", "--base", "HEAD",
        "--format", "json",
    )
    assert result.exit_code == 1, result.stdout
    (gate,) = json.loads(result.stdout)["models"]
    assert [t["fingerprint"] for t in gate["failing_team_threats"]] == ["team-threat@ledger-edit"]
    assert gate["tolerated_team_threats"] == [REPLAY]


def test_a_statement_cannot_print_a_verdict_of_its_own(invoke: Invoke, folder: Path) -> None:
    attack = REFUNDS.replace(
        "action: replay a refund request",
        'action: "x\\ngate passed for \\"Refunds\\" (fail on high or above)\\n::warning::y"',
    )
    result = invoke("check", _write(folder, attack), "--today", "2026-01-01")
    assert result.exit_code == 1, result.stdout
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith(("gate ", "::"))] == [
        'gate FAILED for "Refunds" (fail on high or above)'
    ]
    assert lines[-1] == 'gate FAILED for "Refunds" (fail on high or above)'
