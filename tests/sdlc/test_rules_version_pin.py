"""``check --rules-version V`` and warn-only rules: rule changes that do not break gates
overnight (issue #15 item 8).

The built-in changelog has two versions; these tests move one more rule and one more rule's
asking from version 1 to version 2 (as if they were new), and pin the gate to the first.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from sdlc_models import Invoke

from threatforge.exporters.sarif import sarif_document
from threatforge.model import load_text
from threatforge.rules import Severity, analyze, builtin_rules
from threatforge.rules import versions as rule_versions
from threatforge.rules.versions import RulesChangelog
from threatforge.sdlc.gate import evaluate_gate, gate_to_dict, render_gate_text

ORDERS = """\
system: {name: Orders}
boundaries:
  internet: {trust: untrusted}
  vpc: {trust: trusted}
components:
  customer: {kind: actor, zone: internet}
  orders: {kind: service, zone: vpc, authn: oidc}
flows:
  - customer -> orders: {protocol: https, tls: true, authn: none}
"""
CROSSING = "unauthenticated-boundary-crossing@customer->orders"
CROSSING_TITLE = "Unauthenticated flow into a more trusted zone: customer->orders"
REGISTRAR = "domain-registrar-account-takeover@orders"
AUDIENCE = "api-token-audience-not-validated@orders"
"""Began to ask in the built-in version 2: kept out of a gate pinned to 1 as well."""
NEW_RULE = "unauthenticated-boundary-crossing"
NEWLY_ASKING = "domain-registrar-account-takeover"


def _two_versions() -> RulesChangelog:
    """Today's version 1 less one rule and one rule's asking, recorded again in version 2."""
    first, second = rule_versions.builtin_changelog().versions
    one = first.model_copy(update={
        "added": [r for r in first.added if r != NEW_RULE],
        "asking": [r for r in first.asking if r != NEWLY_ASKING],
    })
    two = second.model_copy(update={
        "added": [*second.added, NEW_RULE], "asking": [*second.asking, NEWLY_ASKING],
    })
    return RulesChangelog((one, two))


@pytest.fixture
def two_versions(monkeypatch: pytest.MonkeyPatch) -> RulesChangelog:
    changelog = _two_versions()
    monkeypatch.setattr(rule_versions, "builtin_changelog", lambda: changelog)
    return changelog


def _model(folder: Path, text: str = ORDERS) -> str:
    (folder / "threatmodel.yaml").write_text(text, encoding="utf-8")
    return "threatmodel.yaml"


GATE_HEAD = """\
check "Orders" (fail on high or above)
open findings: 0 critical, 1 high, 0 elevated, 0 medium, 0 low
0 findings not counted because of decisions
policy: built-in defaults (decisions expire within 365 days)
"""


def test_pinned_to_version_1_the_newer_rules_results_are_reported_not_gated(
    folder: Path, invoke: Invoke, two_versions: RulesChangelog
) -> None:
    args = ("check", _model(folder), "--today", "2026-01-01", "--fail-on-unreviewed", "high")
    pinned = invoke(*args, "--rules-version", "1")
    assert pinned.exit_code == 0, pinned.stdout
    assert pinned.stdout == GATE_HEAD + (
        "open applicable threats: 5 (--fail-on-unreviewed high)\n"
        "rules version: 1 (pinned; latest 2): only what it counted fails the gate\n"
        "3 results from rules newer than 1 are reported, not gated:\n"
        f"  high      {CROSSING}  {CROSSING_TITLE}\n"
        f"  high      {AUDIENCE}             "
        "Token substitution: orders may accept a token issued for another API or client\n"
        f"  high      {REGISTRAR}            "
        "A takeover of the registrar or DNS account may redirect orders and every other name "
        "of the domain\n"
        'gate passed for "Orders" (fail on high or above)\n'
    )
    latest = invoke(*args, "--rules-version", "2")
    unpinned = invoke(*args)
    assert (latest.exit_code, unpinned.exit_code) == (1, 1)
    assert latest.stdout.splitlines()[4:6] == [
        "1 finding at or above high:",
        f"  high      {CROSSING}  {CROSSING_TITLE}",
    ]
    # pinned to the latest: the same verdict as pinning nothing, and the pin said so
    assert latest.stdout.replace(
        "rules version: 2 (pinned; latest 2): only what it counted fails the gate\n", ""
    ) == unpinned.stdout
    assert "rules version" not in unpinned.stdout


def test_the_json_verdict_lists_what_the_pin_kept_out(
    folder: Path, invoke: Invoke, two_versions: RulesChangelog
) -> None:
    result = invoke(
        "check", _model(folder), "--today", "2026-01-01", "--format", "json",
        "--rules-version", "1",
    )
    assert result.exit_code == 0
    (verdict,) = json.loads(result.stdout)["models"]
    assert (verdict["passed"], verdict["rules_version"], verdict["latest_rules_version"]) == (
        True, "1", "2"
    )
    assert [(r["fingerprint"], r["why"]) for r in verdict["not_gated"]] == [(CROSSING, "newer")]
    unpinned = invoke("check", _model(folder), "--today", "2026-01-01", "--format", "json")
    assert "rules_version" not in json.loads(unpinned.stdout)["models"][0]


def test_an_unknown_rules_version_is_exit_2_listing_the_known_ones(
    folder: Path, invoke: Invoke, two_versions: RulesChangelog
) -> None:
    result = invoke("check", _model(folder), "--rules-version", "3")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: unknown rules version '3': the known versions are 1, 2 (latest 2)"
    )
    assert result.stdout == ""


def test_the_built_in_changelog_knows_versions_1_and_2(folder: Path, invoke: Invoke) -> None:
    result = invoke("check", _model(folder), "--rules-version", "3")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2, "error: unknown rules version '3': the known versions are 1, 2 (latest 2)"
    )


def test_the_policy_file_pins_the_version_and_the_option_wins(
    folder: Path, invoke: Invoke, two_versions: RulesChangelog
) -> None:
    policy = folder.parent / f"{folder.name}-policy.yaml"
    policy.write_text("version: 1\nrules_version: 1\n", encoding="utf-8")
    args = ("check", _model(folder), "--today", "2026-01-01", "--policy", str(policy))
    pinned = invoke(*args)
    assert pinned.exit_code == 0, pinned.stdout
    assert pinned.stdout.splitlines()[3].endswith(
        "(decisions expire within 365 days; rules version 1)"
    )
    assert "1 result from rules newer than 1 is reported, not gated:" in pinned.stdout
    assert invoke(*args, "--rules-version", "2").exit_code == 1
    policy.write_text("version: 1\nrules_version: '9'\n", encoding="utf-8")
    bad = invoke(*args)
    assert (bad.exit_code, bad.stderr.splitlines()[-1]) == (
        2,
        f"error: policy {policy}: unknown rules version '9': the known versions are 1, 2 "
        "(latest 2)",
    )


# --- warn-only rules ------------------------------------------------------------------------

WARN_PACK = """\
pack: acme
rules:
  - id: acme-orders-unthrottled
    title: "{element} has no order throttle"
    description: New rule, shipped warn-only for a release.
    target: component
    when: {kind: service}
    likelihood: 5
    impact: 5
    mitigations: [Throttle orders.]
    cwe: [770]
    stride: [denial-of-service]
    warn_only: true
"""
WARN_FP = "acme-orders-unthrottled@orders"
SAFE_ORDERS = ORDERS.replace("authn: none}", "authn: oidc}")


def test_a_warn_only_pack_rule_is_reported_but_never_fails_the_gate(
    folder: Path, invoke: Invoke
) -> None:
    pack = folder / "acme.yaml"
    pack.write_text(WARN_PACK, encoding="utf-8")
    model = _model(folder, SAFE_ORDERS)
    result = invoke("check", model, "--today", "2026-01-01", "--rules", str(pack))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == (
        'check "Orders" (fail on high or above)\n'
        "open findings: 1 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
        "0 findings not counted because of decisions\n"
        "policy: built-in defaults (decisions expire within 365 days)\n"
        "1 result of warn-only rules is reported, not gated:\n"
        f"  critical  {WARN_FP}  orders has no order throttle\n"
        'gate passed for "Orders" (fail on high or above)\n'
    )
    promoted = folder / "promoted.yaml"
    promoted.write_text(WARN_PACK.replace("    warn_only: true\n", ""), encoding="utf-8")
    assert invoke("check", model, "--today", "2026-01-01", "--rules", str(promoted)).exit_code == 1
    listed = json.loads(invoke("rules", "list", "--format", "json", "--rules", str(pack)).stdout)
    mine = next(r for r in listed if r["id"] == "acme-orders-unthrottled")
    assert (mine["warn_only"], mine["rules_version"]) == (True, None)


def test_a_warn_only_rules_findings_are_warnings_in_sarif_and_marked_in_json(
    folder: Path, invoke: Invoke
) -> None:
    pack = folder / "acme.yaml"
    pack.write_text(WARN_PACK, encoding="utf-8")
    model = _model(folder, SAFE_ORDERS)
    base = ("analyze", model, "--today", "2026-01-01", "--rules", str(pack), "--format")
    sarif = json.loads(invoke(*base, "sarif").stdout)["runs"][0]
    (result,) = [r for r in sarif["results"] if r["ruleId"] == "acme-orders-unthrottled"]
    assert (result["level"], result["properties"]["warnOnly"]) == ("warning", True)
    (descriptor,) = [d for d in sarif["tool"]["driver"]["rules"] if d["id"] == result["ruleId"]]
    assert descriptor["defaultConfiguration"] == {"level": "warning"}
    document = json.loads(invoke(*base, "json").stdout)
    (finding,) = [f for f in document["findings"] if f["fingerprint"] == WARN_FP]
    assert finding["warn_only"] is True
    assert all("warn_only" not in f for f in document["findings"] if f is not finding)


def test_a_warn_only_rules_applicable_threats_do_not_fail_fail_on_unreviewed() -> None:
    # the two rules whose high threats apply to ORDERS ship warn-only
    warn_only = {NEWLY_ASKING, AUDIENCE.split("@")[0]}
    rules = [
        dataclasses.replace(r, meta=dataclasses.replace(r.meta, warn_only=True))
        if r.id in warn_only else r
        for r in builtin_rules()
    ]
    found = analyze(load_text(ORDERS), rules, today=date(2026, 1, 1))
    gate = evaluate_gate(found, Severity.CRITICAL, unreviewed=Severity.HIGH)
    assert gate.passed
    assert sorted(t.fingerprint for t in gate.warn_only) == [AUDIENCE, REGISTRAR]
    assert gate.unreviewed == ()
    text = render_gate_text(gate)
    assert "2 results of warn-only rules are reported, not gated:\n" in text
    assert {r["why"] for r in gate_to_dict(gate)["not_gated"]} == {"warn-only"}
    sarif = sarif_document(found, load_text(ORDERS), rules=rules)["runs"][0]["results"]
    marked = [r for r in sarif if r["properties"].get("warnOnly")]
    assert sorted((r["level"], r["properties"]["fingerprint"]) for r in marked) == [
        ("note", AUDIENCE), ("note", REGISTRAR)
    ]
    plain = evaluate_gate(
        analyze(load_text(ORDERS), today=date(2026, 1, 1)), Severity.CRITICAL,
        unreviewed=Severity.HIGH,
    )
    assert sorted(t.fingerprint for t in plain.unreviewed) == [AUDIENCE, REGISTRAR]
    assert "not_gated" not in gate_to_dict(plain)


def test_a_warn_only_rules_findings_say_so_in_the_diff_and_the_reports(
    folder: Path, invoke: Invoke
) -> None:
    pack = folder / "acme.yaml"
    pack.write_text(WARN_PACK, encoding="utf-8")
    old = folder / "old.yaml"
    old.write_text(SAFE_ORDERS.replace("  orders: {kind: service, zone: vpc, authn: oidc}\n", "")
                   .split("flows:")[0], encoding="utf-8")
    new = _model(folder, SAFE_ORDERS)
    args = ("--rules", str(pack), "--today", "2026-01-01")
    diff = invoke("diff", str(old), new, *args)
    assert diff.exit_code == 0, diff.stderr
    (row,) = [line for line in diff.stdout.splitlines() if WARN_FP in line]
    assert row == (
        "| critical | orders has no order throttle (warn-only: reported, not gated) | `orders` | "
        f"component `orders` added | `{WARN_FP}` |"
    )
    as_json = json.loads(invoke("diff", str(old), new, *args, "--format", "json").stdout)
    (added,) = [f for f in as_json["new"] if f["fingerprint"] == WARN_FP]
    assert added["warn_only"] is True
    assert invoke("report", new, "-o", "r.md", *args).exit_code == 0
    report = (folder / "r.md").read_text(encoding="utf-8")
    assert "- **Status:** open\n- **Elements:** orders (`orders`)\n- **Gate:** warn-only rule: " \
        "reported, not gated\n" in report
    assert invoke("report", new, "-o", "r.html", *args).exit_code == 0
    assert "<dt>Gate</dt><dd>warn-only rule: reported, not gated</dd>" in (
        folder / "r.html"
    ).read_text(encoding="utf-8")


def test_a_warn_only_results_title_cannot_print_a_verdict_of_its_own(
    folder: Path, invoke: Invoke
) -> None:
    pack = folder / "acme.yaml"
    pack.write_text(WARN_PACK, encoding="utf-8")
    forged = SAFE_ORDERS.replace(
        "orders: {kind: service,",
        'orders: {name: "x\\ngate passed for \\"Orders\\" (fail on high or above)", kind: service,',
    )
    result = invoke("check", _model(folder, forged), "--today", "2026-01-01", "--rules", str(pack))
    verdicts = [line for line in result.stdout.splitlines() if line.startswith("gate ")]
    assert verdicts == ['gate passed for "Orders" (fail on high or above)']
    assert result.stdout.splitlines()[-2] == (
        f"  critical  {WARN_FP}  x gate passed for \"Orders\" (fail on high or above) has no "
        "order throttle"
    )


def test_a_model_cannot_pin_its_own_gate(folder: Path, invoke: Invoke) -> None:
    result = invoke("check", _model(folder, 'rules_version: "1"\n' + ORDERS))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "threatmodel.yaml:1:1: error: unknown field 'rules_version' — did you mean 'version'?"
    )
