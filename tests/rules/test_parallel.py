"""Parallel analysis (``analyze(..., jobs=N)``): the same assessment as one process builds."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench_models import generated_model
from threatforge.model import Model, load, load_text
from threatforge.rules import (
    PASS,
    Evidence,
    Fire,
    Rule,
    RuleMeta,
    Skip,
    Stride,
    Target,
    Unknown,
    Verdict,
    analyze,
    builtin_rules,
)
from threatforge.rules._parallel import deal

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers need POSIX")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("jobs", [2, 3])
def test_the_examples_give_the_same_assessment(path: Path, jobs: int) -> None:
    model = load(path)
    alone = analyze(model, today=TODAY)
    assert alone.findings  # the comparison is not between two empty assessments
    assert analyze(model, today=TODAY, jobs=jobs) == alone


def test_a_generated_model_gives_the_same_assessment(tmp_path: Path) -> None:
    model = load(generated_model(tmp_path / "estate.yaml", 300, seed=3))
    evidence = [
        Evidence(cid, "semgrep", "sql-injection", (89,), "tainted query", "app/db.py:12")
        for cid in list(model.components)[:40]
    ]
    alone = analyze(model, today=TODAY, evidence=evidence)
    assert len(alone.findings) > 50 and alone.gaps
    assert analyze(model, today=TODAY, evidence=evidence, jobs=2) == alone


SMALL = """\
system: {name: Small}
components:
  web: {kind: service}
  db: {kind: datastore}
flows:
  - web -> db: {protocol: postgres}
tracking:
  always@web: {status: accepted, justification: known, owner: sec, expires: 2025-01-01}
"""


def meta(rule_id: str, target: Target = Target.COMPONENT) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title=f"{rule_id} on {{element}}",
        description="A test rule.",
        target=target,
        likelihood=3,
        impact=3,
        mitigations=("Fix it.",),
        detection="Tests.",
        stride=(Stride.TAMPERING,),
    )


def always(element: Any, model: Model) -> Verdict:
    return Fire(("it fired",), detail="x")


def breaks(element: Any, model: Model) -> Verdict:
    raise RuntimeError(f"cannot judge {element.id}")


def unsure(element: Any, model: Model) -> Verdict:
    return Unknown(("authn", "owner"))


def mixed(element: Any, model: Model) -> list[Verdict]:
    return [Skip("not today"), PASS, Fire(("both ends",), elements=("db",))]


def garbage(element: Any, model: Model) -> object:
    return "not a verdict"


RULES = [
    Rule(meta("always"), always),
    Rule(meta("breaks"), breaks),
    Rule(meta("unsure"), unsure),
    Rule(meta("unsure-too", Target.FLOW), unsure),
    Rule(meta("mixed"), mixed),
    Rule(meta("garbage"), garbage),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("jobs", [2, 4, 16])
def test_failures_gaps_tracking_and_several_verdicts_survive_the_trip(jobs: int) -> None:
    model = load_text(SMALL, "small.yaml")
    alone = analyze(model, RULES, today=TODAY)
    assert alone.rule_errors and alone.gaps and alone.warnings
    assert [f.fingerprint for f in alone.findings if f.decision] == ["always@web"]
    assert analyze(model, RULES, today=TODAY, jobs=jobs) == alone


def test_repeated_rule_ids_run_in_one_process() -> None:
    model = load_text(SMALL, "small.yaml")
    twice = [RULES[0], RULES[0]]
    assert analyze(model, twice, today=TODAY, jobs=2) == analyze(model, twice, today=TODAY)


def test_rules_are_dealt_into_balanced_shares_longest_first() -> None:
    costs = [5, 1, 9, 3, 3, 2, 8]
    shares = deal(costs, 2)
    assert shares == [[1, 2, 3, 4], [0, 5, 6]]
    assert [sum(costs[i] for i in share) for share in shares] == [16, 15]
    assert deal(costs, 1) == [list(range(7))]
    assert deal([4, 4], 8) == [[0], [1]]  # never an empty share
    assert len(builtin_rules()) > 2  # analyze(jobs=2) on the examples above deals real rules
