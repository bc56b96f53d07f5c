"""``check --fail-on-unreviewed SEVERITY``: open applicable threats fail the gate too."""

from __future__ import annotations

import json
from pathlib import Path

from sdlc_models import Invoke, git

HEAD = """\
system: {name: Refunds}
boundaries:
  app: {kind: subnet, trust: trusted}
  corp: {kind: corporate, trust: semi-trusted}
components:
  clerk: {kind: actor, zone: corp,
          # the staff's laptop and sign-in threats (#15.3) are ruled out: one threat here
          properties: {phishing_resistant_mfa: true, managed_devices: true}}
  refund-fn: {kind: function, zone: app, authn: iam, authz: rbac, input_validation: true,
              logging: {enabled: true, audit: true}}
"""
FLOWS = """\
flows:
  - clerk -> refund-fn: {protocol: https, authn: oidc, data: []}
"""
REFUNDS = HEAD + FLOWS
THREAT = "pay-refund-without-dual-approval@refund-fn"
TITLE = "One person (an insider or a stolen account) may issue refunds through refund-fn alone"
DECIDED = REFUNDS + f"""\
tracking:
  "{THREAT}":
    status: not-applicable
    justification: refunds are issued by the PSP's automated dispute flow only
    owner: alice
    expires: 2026-06-30
"""


def _write(folder: Path, text: str) -> str:
    (folder / "threatmodel.yaml").write_text(text, encoding="utf-8")
    return "threatmodel.yaml"


def test_findings_alone_decide_the_gate_without_the_option(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", _write(folder, REFUNDS), "--today", "2026-01-01")
    assert result.exit_code == 0, result.stdout
    assert "applicable threat" not in result.stdout


def test_an_open_threat_at_the_level_fails_the_gate(invoke: Invoke, folder: Path) -> None:
    result = invoke(
        "check", _write(folder, REFUNDS), "--today", "2026-01-01",
        "--fail-on-unreviewed", "medium",
    )
    assert result.exit_code == 1, result.stdout
    lines = result.stdout.splitlines()
    assert "open applicable threats: 1 (--fail-on-unreviewed medium)" in lines
    assert (
        "1 unreviewed applicable threat at or above medium (answer the question, or record a "
        "decision in tracking:):"
    ) in lines
    assert f"  elevated  {THREAT}  {TITLE}" in lines
    assert lines[-1] == 'gate FAILED for "Refunds" (fail on high or above)'


def test_a_threat_below_the_level_passes(invoke: Invoke, folder: Path) -> None:
    result = invoke(
        "check", _write(folder, REFUNDS), "--today", "2026-01-01",
        "--fail-on-unreviewed", "high",
    )
    assert result.exit_code == 0, result.stdout


def test_a_valid_not_applicable_decision_closes_the_threat(invoke: Invoke, folder: Path) -> None:
    result = invoke(
        "check", _write(folder, DECIDED), "--today", "2026-01-01",
        "--fail-on-unreviewed", "low", "--format", "json",
    )
    assert result.exit_code == 0, result.stdout
    (gate,) = json.loads(result.stdout)["models"]
    assert (gate["fail_on_unreviewed"], gate["open_applicable_threats"], gate["unreviewed"]) == (
        "low", 0, []
    )


def test_a_decision_without_an_owner_does_not_close_it(invoke: Invoke, folder: Path) -> None:
    text = DECIDED.replace("    owner: alice\n", "")
    result = invoke(
        "check", _write(folder, text), "--today", "2026-01-01", "--fail-on-unreviewed", "low",
    )
    assert result.exit_code == 1, result.stdout
    assert f"  elevated  {THREAT}  {TITLE}" in result.stdout.splitlines()


def test_under_base_only_threats_new_in_the_change_count(invoke: Invoke, folder: Path) -> None:
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "commit.gpgsign", "false")
    _write(folder, REFUNDS)
    git(folder, "add", "threatmodel.yaml")
    git(folder, "commit", "-q", "-m", "refunds")
    more = (
        HEAD + "  payout-fn: {kind: function, zone: app, properties: {refunds: true}}\n" + FLOWS
        + "  - clerk -> payout-fn: {protocol: https, authn: oidc}\n"
    )
    _write(folder, more)
    result = invoke(
        "check", "threatmodel.yaml", "--today", "2026-01-01", "--base", "HEAD",
        "--fail-on-unreviewed", "low", "--format", "json",
    )
    assert result.exit_code == 1, result.stdout
    (gate,) = json.loads(result.stdout)["models"]
    assert [t["fingerprint"] for t in gate["unreviewed"]] == [
        "pay-refund-without-dual-approval@payout-fn"
    ]
