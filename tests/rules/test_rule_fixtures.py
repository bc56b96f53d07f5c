"""Every built-in rule fires exactly where its fixture says, and not on its passing fixture.

Each rule has a folder ``fixtures/<rule-id>/`` with two models:

- ``fires.yaml`` whose first comment line is ``# expect: <fingerprint>, <fingerprint>`` — the
  rule must produce exactly those findings;
- ``passes.yaml`` — a near-identical model with the weakness fixed: the rule must not fire.

A rule runs beside the rules that declare they supersede it (``RuleMeta.supersedes``), as it
does in a full run, so a fixture shows where it gives way to them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from threatforge.model import load
from threatforge.rules import analyze, builtin_rules

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 1, 1)
RULES = {r.id: r for r in builtin_rules()}


def _expected(path: Path) -> set[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#\s*expect:\s*(.*)$", line)
        if match:
            # fingerprints may name several elements (rule@a,b): split only before "rule-id@"
            items = re.split(r",\s*(?=[\w.-]+@)", match.group(1))
            return {item.strip() for item in items if item.strip()}
    raise AssertionError(f"{path} has no '# expect: ...' line")


def _superseders(rule_id: str) -> list[str]:
    """The rules that declare they supersede ``rule_id`` (they run beside it, as in a full run)."""
    return sorted(r.id for r in RULES.values() if any(d.rule == rule_id for d in r.meta.supersedes))


def _fired(rule_id: str, path: Path) -> set[str]:
    """The rule's findings on the fixture, run with the rules that supersede it."""
    rules = [RULES[rule_id], *(RULES[i] for i in _superseders(rule_id))]
    assessment = analyze(load(path), rules, today=TODAY)
    assert assessment.rule_errors == (), assessment.rule_errors
    return {f.fingerprint for f in assessment.findings if f.rule == rule_id}


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_fires_on_its_fixture(rule_id: str) -> None:
    path = FIXTURES / rule_id / "fires.yaml"
    assert path.is_file(), f"rule '{rule_id}' has no firing fixture at {path}"
    expected = _expected(path)
    assert expected, f"{path} must expect at least one finding"
    assert _fired(rule_id, path) == expected


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_stays_quiet_on_its_passing_fixture(rule_id: str) -> None:
    path = FIXTURES / rule_id / "passes.yaml"
    assert path.is_file(), f"rule '{rule_id}' has no non-firing fixture at {path}"
    assert _fired(rule_id, path) == set()


def test_every_fixture_folder_belongs_to_a_rule() -> None:
    orphans = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in RULES)
    assert orphans == []
