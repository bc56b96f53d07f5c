"""Org guardrails in the CI policy file (issue 19 item 3): rules that may never be decided away,
mandatory rules with a severity floor; each violation names the policy line it breaks.

Written as the author of a change would try to get past them: accept the risk in the model,
skip the rule on the command line, or rely on a severity below the threshold.
"""

from __future__ import annotations

import json
from pathlib import Path

from sdlc_models import Invoke
from test_gate_decisions import BACKDOOR, ORDERS, tracked, write

RULE = "unauthenticated-boundary-crossing"
ACCEPTED = (
    "    status: accepted\n    justification: the partner needs it\n    owner: alice\n"
    "    expires: 2026-03-31\n"
)


def _policy(tmp_path: Path, text: str) -> str:
    ci = tmp_path / "ci"
    ci.mkdir(exist_ok=True)
    path = ci / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_rule_the_policy_never_lets_be_accepted_counts_despite_a_complete_decision(
    invoke: Invoke, folder: Path, tmp_path: Path
) -> None:
    name = write(folder, tracked(ACCEPTED))
    assert invoke("check", name, "--today", "2026-01-01").exit_code == 0  # a valid acceptance
    policy = _policy(tmp_path, f"version: 1\ndecisions:\n  never_accept:\n    - {RULE}\n")
    result = invoke("check", name, "--today", "2026-01-01", "--policy", policy)
    assert result.exit_code == 1
    assert (
        f"  threatmodel.yaml:21:3: {BACKDOOR} (accepted, high): {RULE} may never be decided "
        f"away (policy {policy}:4: decisions.never_accept): fix it"
    ) in result.stdout.splitlines()
    assert f"never decided away: {RULE}" in result.stdout


PACK = """\
pack: escape
description: A pack in the pull request that reports the backdoor under its own name.
rules:
  - id: escape-crossing
    title: "Crossing on {element}"
    description: The same weakness, under a rule the policy does not name.
    target: flow
    when:
      all:
        - crosses: {from: untrusted, to: trusted}
    likelihood: 5
    impact: 5
    stride: [spoofing]
    cwe: [306]
    mitigations: ["none"]
    supersedes: [unauthenticated-boundary-crossing]
"""


def test_a_pack_that_supersedes_a_mandatory_rule_to_accept_its_finding_breaks_the_policy(
    invoke: Invoke, folder: Path, tmp_path: Path
) -> None:
    write(folder, PACK, "escape.yaml")
    entry = ACCEPTED.replace("owner: alice", "owner: mallory")
    name = write(folder, ORDERS + f'tracking:\n  "escape-crossing@customer->orders":\n{entry}')
    args = ("check", name, "--rules", "escape.yaml", "--today", "2026-01-01")
    assert invoke(*args).exit_code == 0  # the weakness, renamed and accepted: what was hoped for
    policy = _policy(
        tmp_path, f"version: 1\ndecisions:\n  never_accept: [{RULE}]\nguardrails:\n"
        f"  mandatory:\n    - rule: {RULE}\n",
    )
    result = invoke(*args, "--policy", policy)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "1 policy guardrail broken:" in lines
    assert (
        f"  {policy}:6: mandatory rule {RULE} was superseded by escape-crossing, which is not "
        "a built-in rule: its results must stand (customer->orders)"
    ) in lines
    assert lines[-1] == 'gate FAILED for "Orders" (fail on high or above)'
    verdict = json.loads(invoke(*args, "--policy", policy, "--format", "json").stdout)
    assert verdict["models"][0]["policy_violations"] == [
        {
            "where": f"{policy}:6",
            "message": f"mandatory rule {RULE} was superseded by escape-crossing, which is not "
            "a built-in rule: its results must stand",
            "element": "customer->orders",
        }
    ]


def test_a_mandatory_rule_this_threatforge_does_not_have_fails_closed(
    invoke: Invoke, folder: Path, tmp_path: Path
) -> None:
    name = write(folder, ORDERS.replace("authn: none", "authn: mtls"))
    policy = _policy(tmp_path, "version: 1\nguardrails:\n  mandatory:\n    - rule: acme-sec-12\n")
    result = invoke("check", name, "--policy", policy)
    assert result.exit_code == 1
    assert (
        f"  {policy}:4: mandatory rule acme-sec-12 did not run (not a rule of this threatforge, "
        "or a plugin that did not load): the gate cannot pass without it"
    ) in result.stdout.splitlines()


def test_a_severity_floor_makes_a_finding_below_the_threshold_count(
    invoke: Invoke, folder: Path, tmp_path: Path
) -> None:
    name = write(folder, ORDERS)
    assert invoke("check", name, "--fail-on", "critical").exit_code == 0  # high < critical
    policy = _policy(
        tmp_path,
        f"version: 1\nguardrails:\n  mandatory:\n    - rule: {RULE}\n"
        "      min_severity: critical\n",
    )
    result = invoke("check", name, "--fail-on", "critical", "--policy", policy)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "1 result counted at a mandatory rule's severity floor:" in lines
    assert f"  {BACKDOOR}: high -> critical ({policy}:5)" in lines
    assert any(line.startswith("  critical") and BACKDOOR in line for line in lines)
    assert f"mandatory rules: {RULE} (at least critical)" in result.stdout


def test_a_misspelt_guardrail_key_is_an_error_not_a_looser_policy(
    invoke: Invoke, folder: Path, tmp_path: Path
) -> None:
    name = write(folder, ORDERS)
    policy = _policy(tmp_path, f"version: 1\nguardrails:\n  mandtory:\n    - rule: {RULE}\n")
    result = invoke("check", name, "--policy", policy)
    assert result.exit_code == 2
    assert "guardrails.mandtory: Extra inputs are not permitted" in result.output
