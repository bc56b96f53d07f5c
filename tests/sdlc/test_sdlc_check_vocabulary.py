"""``threatforge check`` fails on names the vocabulary does not know (they switch rules off)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sdlc_models import ORDERS, Invoke

MISSPELT = ORDERS.replace("protocol: https", "protocol: htps", 1)


def write(folder: Path, text: str) -> str:
    (folder / "threatmodel.yaml").write_text(text, encoding="utf-8")
    return "threatmodel.yaml"


WARNING = (
    "threatmodel.yaml:30:37: warning: flow 1 (customer -> gateway): unknown protocol 'htps' — "
    "did you mean 'https'? (rules cannot tell whether it is encrypted or what it carries)"
)


def test_a_misspelt_protocol_fails_a_gate_that_its_findings_would_pass(
    invoke: Invoke, folder: Path
) -> None:
    assert invoke("check", write(folder, ORDERS), "--today", "2026-01-01").exit_code == 0
    result = invoke("check", write(folder, MISSPELT), "--today", "2026-01-01")
    assert result.exit_code == 1
    assert result.stdout == (
        'check "Orders" (fail on high or above)\n'
        "open findings: 0 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
        "0 findings not counted because of decisions\n"
        "policy: built-in defaults (decisions expire within 365 days)\n"
        "vocabulary: 1 unknown tech, property or protocol name (rules do not read "
        "them: a misspelling switches its rules off; `threatforge validate` lists them, "
        "--allow-unknown-names lets them pass)\n"
        'gate FAILED for "Orders" (fail on high or above)\n'
    )
    assert WARNING in result.stderr


def test_allow_unknown_names_lets_the_gate_pass(invoke: Invoke, folder: Path) -> None:
    result = invoke(
        "check", write(folder, MISSPELT), "--today", "2026-01-01", "--allow-unknown-names"
    )
    assert result.exit_code == 0
    assert result.stdout == (
        'check "Orders" (fail on high or above)\n'
        "open findings: 0 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
        "0 findings not counted because of decisions\n"
        "policy: built-in defaults (decisions expire within 365 days)\n"
        'gate passed for "Orders" (fail on high or above)\n'
    )
    assert WARNING in result.stderr  # still listed


def test_the_json_gate_names_the_unknown_names(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, MISSPELT), "--today", "2026-01-01", "-f", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["passed"] is False
    assert document["models"][0]["passed"] is True  # the findings alone pass
    assert document["models"][0]["unknown_names"] == [WARNING]
    clean = json.loads(
        invoke("check", write(folder, ORDERS), "--today", "2026-01-01", "-f", "json").stdout
    )
    assert "unknown_names" not in clean["models"][0]


def test_validate_strict_refuses_the_misspelling(invoke: Invoke, folder: Path) -> None:
    name = write(folder, MISSPELT)
    assert invoke("validate", name).exit_code == 0
    strict = invoke("validate", "--strict", name)
    assert strict.exit_code == 2
    assert WARNING in strict.stderr


# The four misspellings a new user typed (issue #13 item 5): each alone, in a model whose correct
# spelling passes the gate, must fail it, because each silently switches rules off.
CORRECT = """\
version: 1
system: {name: t}
boundaries:
  vpc: {kind: network, trust: trusted}
components:
  user: {kind: actor, zone: vpc}
  bucket:
    kind: datastore
    zone: vpc
    tech: aws.s3
    encryption: {at_rest: kms}
    properties: {block_public_access: true}
  pay: {kind: service, zone: vpc, properties: {dual_approval: true}}
flows:
  - user -> pay: {protocol: https}
  - pay -> bucket: {protocol: https}
"""

FOUR_MISSPELLINGS = {
    "tech: aws.s3": ("tech: s3", "unknown technology 's3' — did you mean 'aws.s3'?"),
    "block_public_access": (
        "block_public_acess",
        "unknown property 'block_public_acess' — did you mean 'block_public_access'?",
    ),
    "dual_approval": (
        "dual_aproval",
        "unknown property 'dual_aproval' — did you mean 'dual_approval'?",
    ),
    "{protocol: https}": ("{protocol: htps}", "unknown protocol 'htps' — did you mean 'https'?"),
}


@pytest.mark.parametrize("correct", sorted(FOUR_MISSPELLINGS))
def test_each_of_the_four_misspellings_fails_the_gate_naming_the_intended_word(
    invoke: Invoke, folder: Path, correct: str
) -> None:
    assert invoke("check", write(folder, CORRECT), "--today", "2026-01-01").exit_code == 0
    misspelt, hint = FOUR_MISSPELLINGS[correct]
    result = invoke(
        "check", write(folder, CORRECT.replace(correct, misspelt, 1)), "--today", "2026-01-01"
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == [
        "vocabulary: 1 unknown tech, property or protocol name (rules do not read "
        "them: a misspelling switches its rules off; `threatforge validate` lists them, "
        "--allow-unknown-names lets them pass)",
        'gate FAILED for "t" (fail on high or above)',
    ]
    assert hint in result.stderr
