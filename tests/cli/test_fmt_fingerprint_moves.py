"""``threatforge fmt --fix`` moves what a model says about a result whose fingerprint changed:
``tracking:`` keys and controls' ``mitigates:`` entries, for regrouped results (attack paths,
one per weak hop) and for every fingerprint change the rules changelog records (issue #15 item
8, and the ``mitigates:`` leftover of item 5a). ``check`` and ``analyze`` warn with the rewrite.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import TrackingStatus, load
from threatforge.rules import analyze
from threatforge.rules import versions as rule_versions
from threatforge.rules.versions import RulesChangelog, RuleVersion

TODAY = date(2026, 1, 1)

REFUND = """\
system: {name: Refund service}
data:
  ledger: {classification: restricted, categories: [financial]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  app: {kind: vpc, trust: trusted}
components:
  customer: {kind: actor, zone: internet}
  refund-api: {kind: service, zone: app, exposure: internal, authz: rbac}
  ledger-db: {kind: datastore, zone: app, authz: rbac, stores: [ledger]}
flows:
  - customer -> refund-api: {protocol: https, authn: none}
  - refund-api -> ledger-db: {protocol: postgres, tls: true, authn: iam}
controls:
  # the WAF rule written after the 2025-12 review
  waf-17:
    name: WAF rule 17
    status: implemented
    mitigates: ["attack-path@customer,ledger-db", missing-rate-limit]  # per path, then
    applies_to: ["*"]
"""
REFUND_FIXED = """\
system: {name: Refund service}
data:
  ledger: {classification: restricted, categories: [financial]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  app: {kind: vpc, trust: trusted}
components:
  customer: {kind: actor, zone: internet}
  refund-api: {kind: service, zone: app, exposure: internal, authz: rbac}
  ledger-db: {kind: datastore, zone: app, authz: rbac, stores: [ledger]}
flows:
  - customer -> refund-api: {protocol: https, authn: none}
  - refund-api -> ledger-db: {protocol: postgres, tls: true, authn: iam}
controls:
  # the WAF rule written after the 2025-12 review
  waf-17:
    name: WAF rule 17
    status: implemented
    mitigates: ["attack-path@customer->refund-api", missing-rate-limit] # per path, then
    applies_to: ["*"]
"""
HOP = "attack-path@customer->refund-api"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_control_that_mitigates_an_old_attack_path_fingerprint_is_told_the_new_one(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, REFUND)
    found = analyze(load(path), today=TODAY)
    assert found.moved == (("attack-path@customer,ledger-db", HOP),)
    assert (
        "control 'waf-17' mitigates 'attack-path@customer,ledger-db', which matches no result: "
        f"its rule now reports it as '{HOP}' (one finding per root cause); write '{HOP}' under "
        "mitigates: (threatforge fmt --fix rewrites it)"
    ) in found.warnings
    assert "-1 declared control waf-17" not in found.finding(HOP).likelihood_factors


def test_fmt_fix_rewrites_the_mitigates_entry_comments_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, REFUND)
    runner = CliRunner()
    noted = runner.invoke(app, ["fmt", "--check", str(path)])
    assert (noted.exit_code, noted.stderr.splitlines()[0]) == (
        0, f"note: {path}: 1 fixes available (mitigates-entry): run 'threatforge fmt --fix'"
    )
    fixed = runner.invoke(app, ["fmt", "--fix", str(path)])
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stderr.splitlines() == [
        f"{path}:16:3: fixed (mitigates-entry): control 'waf-17': mitigates "
        f"'attack-path@customer,ledger-db' -> '{HOP}' (the finding's new fingerprint)",
        f"reformatted: {path}",
        "1 files reformatted, 0 unchanged",
    ]
    assert path.read_text(encoding="utf-8") == REFUND_FIXED
    after = analyze(load(path), today=TODAY)
    assert after.moved == ()
    assert "-1 declared control waf-17" in after.finding(HOP).likelihood_factors
    again = runner.invoke(app, ["fmt", "--check", "--fix", str(path)])
    assert (again.exit_code, again.stderr) == (
        0, "0 files would be reformatted, 1 already formatted\n"
    )


def test_two_entries_that_move_to_one_fingerprint_are_left_to_a_person(tmp_path: Path) -> None:
    text = REFUND.replace(
        '["attack-path@customer,ledger-db", missing-rate-limit]',
        f'["attack-path@customer,ledger-db", "{HOP}"]',
    )
    path = _write(tmp_path, text)
    result = CliRunner().invoke(app, ["fmt", "--fix", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"note: {path}: control 'waf-17' mitigates 'attack-path@customer,ledger-db', which "
        f"moves to '{HOP}': it would name it twice; keep one entry by hand",
        "0 files reformatted, 1 unchanged",
    ]
    assert path.read_text(encoding="utf-8") == text


# --- a fingerprint change the changelog records ---------------------------------------------

STORE = """\
system: {name: Cards}
data:
  card: {classification: restricted, categories: [pci.pan]}
boundaries:
  vpc: {trust: trusted}
components:
  api: {kind: service, zone: vpc, authn: oidc}
  card-db: {kind: datastore, zone: vpc, encryption: {at_rest: none}, stores: [card]}
flows:
  - api -> card-db: {protocol: postgres, tls: true, authn: iam}
controls:
  tokenise:
    status: planned
    mitigates: [card-db-unencrypted@card-db]
    applies_to: [card-db]
tracking:
  # decided at the PCI review
  "card-db-unencrypted@card-db":
    status: accepted
    justification: "the volume is encrypted by the platform"  # see RISK-12
    owner: alice
    expires: 2026-06-30
"""
STORE_FIXED = """\
system: {name: Cards}
data:
  card: {classification: restricted, categories: [pci.pan]}
boundaries:
  vpc: {trust: trusted}
components:
  api: {kind: service, zone: vpc, authn: oidc}
  card-db: {kind: datastore, zone: vpc, encryption: {at_rest: none}, stores: [card]}
flows:
  - api -> card-db: {protocol: postgres, tls: true, authn: iam}
controls:
  tokenise:
    status: planned
    mitigates: ["store-unencrypted-at-rest@card-db"]
    applies_to: [card-db]
tracking:
  # decided at the PCI review
  "store-unencrypted-at-rest@card-db":
    status: accepted
    justification: "the volume is encrypted by the platform"  # see RISK-12
    owner: alice
    expires: 2026-06-30
"""
OLD = "card-db-unencrypted@card-db"
NEW = "store-unencrypted-at-rest@card-db"
WHY = "rules version 2: card-db-unencrypted became store-unencrypted-at-rest"


@pytest.fixture
def renamed(monkeypatch: pytest.MonkeyPatch) -> RulesChangelog:
    """Version 2 records that the rule once called card-db-unencrypted is now
    store-unencrypted-at-rest (the lead writes such an entry when a rule is renamed)."""
    first = rule_versions.builtin_changelog().versions[0]
    two = RuleVersion.model_validate({
        "version": "2", "date": "2027-01-04", "summary": "a rule renamed",
        "fingerprints": [{
            "rule": "store-unencrypted-at-rest", "old": "card-db-unencrypted@{store}",
            "new": "store-unencrypted-at-rest@{store}",
            "why": "card-db-unencrypted became store-unencrypted-at-rest",
        }],
    })
    changelog = RulesChangelog((first, two))
    monkeypatch.setattr(rule_versions, "builtin_changelog", lambda: changelog)
    return changelog


def test_check_warns_about_a_tracking_key_of_a_recorded_old_fingerprint(
    tmp_path: Path, renamed: RulesChangelog
) -> None:
    path = _write(tmp_path, STORE)
    result = CliRunner().invoke(app, ["check", str(path), "--today", "2026-01-01"])
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: tracking entry '{OLD}' matches no finding: the rule now reports it as "
        f"'{NEW}' ({WHY}); move the decision to '{NEW}' (threatforge fmt --fix rewrites the key)",
        f"warning: control 'tokenise' mitigates '{OLD}', which matches no result: its rule now "
        f"reports it as '{NEW}' ({WHY}); write '{NEW}' under mitigates: (threatforge fmt --fix "
        "rewrites it)",
    ]
    analysed = CliRunner().invoke(
        app, ["analyze", str(path), "--today", "2026-01-01", "--format", "json"]
    )
    assert json.loads(analysed.stdout)["stale_tracking"] == [{
        "fingerprint": OLD, "status": "accepted", "location": f"{path}:18:3", "moved_to": NEW,
    }]


def test_fmt_fix_moves_the_key_and_the_mitigates_entry_of_a_recorded_change(
    tmp_path: Path, renamed: RulesChangelog
) -> None:
    path = _write(tmp_path, STORE)
    fixed = CliRunner().invoke(app, ["fmt", "--fix", str(path)])
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stderr.splitlines() == [
        f"{path}:18:3: fixed (tracking-key): tracking '{OLD}' -> '{NEW}' (the finding's new "
        "fingerprint)",
        f"{path}:12:3: fixed (mitigates-entry): control 'tokenise': mitigates '{OLD}' -> "
        f"'{NEW}' (the finding's new fingerprint)",
        f"reformatted: {path}",
        "1 files reformatted, 0 unchanged",
    ]
    assert path.read_text(encoding="utf-8") == STORE_FIXED
    after = analyze(load(path), today=TODAY)
    assert (after.stale, after.moved) == ((), ())
    decided = after.finding(NEW)
    assert (decided.status, decided.decision.justification) == (
        TrackingStatus.ACCEPTED, "the volume is encrypted by the platform"
    )


def test_without_the_recorded_change_the_old_key_is_only_stale(tmp_path: Path) -> None:
    path = _write(tmp_path, STORE)
    found = analyze(load(path), today=TODAY)
    (stale,) = found.stale
    assert (stale.fingerprint, stale.moved_to, found.moved) == (OLD, None, ())
    result = CliRunner().invoke(app, ["fmt", "--fix", str(path)])
    assert result.exit_code == 0, result.stderr
    assert path.read_text(encoding="utf-8") == STORE


def test_a_baseline_written_before_the_change_still_knows_the_finding(
    tmp_path: Path, renamed: RulesChangelog
) -> None:
    path = _write(tmp_path, STORE.split("controls:")[0])
    baseline = tmp_path / "baseline.json"
    found = analyze(load(path), today=TODAY)
    known = [
        {"fingerprint": OLD if f.fingerprint == NEW else f.fingerprint,
         "severity": f.severity.value, "title": f.title}
        for f in found.open_findings
    ]
    assert NEW in {f.fingerprint for f in found.open_findings}
    baseline.write_text(json.dumps(
        {"threatforge_baseline": 1, "system": "Cards", "findings": known}
    ), encoding="utf-8")
    args = [
        "check", str(path), "--today", "2026-01-01", "--baseline", str(baseline),
        "--fail-on", "medium", "--format", "json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stdout
    (verdict,) = json.loads(result.stdout)["models"]
    assert (verdict["failing"], sorted(verdict["tolerated"])) == ([], [
        "pci-no-cde-defined@card", "pci-pan-stored-outside-cde@card-db",
        "pci-scope-not-declared@card", NEW,
    ])
