"""The JSON assessment both ways: what the writer writes, the reader reads back equal.

On every example, on generated models, and on an assessment full of awkward text, decisions,
rule failures and stale tracking entries; and what the reader refuses, as an attacker (or a
hand edit) would write it, each error naming the file and the JSON path at fault.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench_models import generated_text
from threatforge.assessment import (
    Assessment,
    Decision,
    RuleFailure,
    StaleDecision,
    assessment_json,
    assessment_to_dict,
    parse_assessment,
    read_assessment,
)
from threatforge.model import Location, ReadError, TrackingStatus, load, load_text
from threatforge.rules import analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)


def _round_trip(assessment: Assessment) -> Assessment:
    text = assessment_json(assessment)
    back = parse_assessment(text)
    assert back == assessment
    assert assessment_json(back) == text
    return back


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_example_round_trips(path: Path) -> None:
    model = load(path)
    assessment = analyze(model, builtin_rules(), today=TODAY)
    back = _round_trip(assessment)
    assert [f.description for f in back.findings] == [f.description for f in assessment.findings]
    assert [f.mitigations for f in back.findings] == [f.mitigations for f in assessment.findings]
    assert back.summaries == assessment.summaries
    # the metadata is shared by a rule's findings, as the engine shares it
    by_rule = {f.rule: f.meta for f in back.findings}
    assert all(f.meta is by_rule[f.rule] for f in back.findings)


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_models_round_trip(seed: int) -> None:
    model = load_text(generated_text(300, seed))
    _round_trip(analyze(model, builtin_rules(), today=TODAY))


def test_decisions_failures_and_stale_entries_round_trip() -> None:
    model = load(EXAMPLES[0])
    assessment = analyze(model, builtin_rules(), today=TODAY)
    first, second = assessment.findings[:2]
    findings = (
        replace(
            first,
            status=TrackingStatus.ACCEPTED,
            decision=Decision(
                TrackingStatus.ACCEPTED, "risk owner: \"ok\" 支付", "alice", "SEC-1",
                date(2026, 3, 31), False,
            ),
            location=Location("a:b.yaml", 3, 7),
        ),
        replace(second, title="line\nbreak \u2028 😀 <b>", location=None),
        *assessment.findings[2:],
    )
    awkward = replace(
        assessment,
        findings=findings,
        rule_errors=(RuleFailure("demo", None, "boom <&>"), RuleFailure("x", "api", "y")),
        stale=(
            StaleDecision("gone@api", TrackingStatus.MITIGATED, Location("c:d.yaml", 9, 2)),
            StaleDecision("gone@db", TrackingStatus.ACCEPTED, None),
            StaleDecision("gone@q", TrackingStatus.OPEN, Location("e.yaml")),
        ),
        warnings=("a warning",),
    )
    _round_trip(awkward)


def test_a_file_is_read_within_bounds(tmp_path: Path) -> None:
    model = load(EXAMPLES[0])
    assessment = analyze(model, builtin_rules(), today=TODAY)
    path = tmp_path / "assessment.json"
    path.write_text(assessment_json(assessment, model), encoding="utf-8")
    assert read_assessment(str(path)) == assessment


def _document() -> dict[str, Any]:
    model = load(EXAMPLES[0])
    return assessment_to_dict(analyze(model, builtin_rules(), today=TODAY))


def _error(document: Any) -> str:
    with pytest.raises(ReadError) as caught:
        parse_assessment(json.dumps(document), "baseline.json")
    return str(caught.value)


def test_a_wrong_version_is_refused_with_what_to_do() -> None:
    document = _document()
    document["threatforge_assessment"] = 2
    assert _error(document) == (
        "baseline.json: threatforge_assessment: expected 1, found 2: not a JSON assessment this "
        "version of threatforge reads (write one with 'threatforge analyze --format json')"
    )
    assert _error([1, 2]) == "baseline.json: the assessment: expected an object, found a list"


def test_a_value_of_the_wrong_kind_is_named_by_its_path() -> None:
    document = _document()
    document["findings"][3]["severity"] = "catastrophic"
    assert _error(document) == (
        "baseline.json: findings[3].severity: 'catastrophic' is not one of low, medium, "
        "elevated, high, critical"
    )
    document = _document()
    document["findings"][0]["evidence"] = ["ok", 7]
    assert _error(document) == (
        "baseline.json: findings[0].evidence[1]: expected a string, found 7"
    )
    document = _document()
    del document["findings"][1]["fingerprint"]
    assert _error(document) == (
        "baseline.json: findings[1]: the required key 'fingerprint' is missing"
    )
    document = _document()
    document["findings"][0]["likelihood"] = 0
    assert _error(document) == (
        "baseline.json: findings[0].likelihood: expected an integer >= 1, found 0"
    )


def test_counts_that_disagree_with_the_outcomes_are_refused() -> None:
    document = _document()
    document["rules"][0]["passed"] += 1
    rule = document["rules"][0]["rule"]
    assert rule
    assert _error(document) == (
        "baseline.json: rules[0].passed: does not count rules[0].outcomes.passed"
    )


def test_a_deep_or_huge_document_is_refused_before_it_is_walked() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ReadError, match="nested more than 32 levels deep"):
        parse_assessment(deep, "baseline.json")


def test_an_assessment_from_an_earlier_version_is_read_with_a_warning() -> None:
    document = _document()
    del document["rules_run"]
    for entry in document["rules"]:
        del entry["outcomes"]
    back = parse_assessment(json.dumps(document), "old.json")
    assert [s.rule for s in back.summaries] == [e["rule"] for e in document["rules"]]
    assert back.rules_run == tuple(e["rule"] for e in document["rules"])
    assert all(not s.fired and not s.passed for s in back.summaries)
    assert back.warnings[-1] == (
        "old.json was written by an earlier threatforge: which elements each rule passed, "
        "fired on or could not decide is not in it (counts only)"
    )
    assert len(back.findings) == len(document["findings"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_the_text_is_the_json_of_the_whole_document(path: Path) -> None:
    model = load(path)
    assessment = analyze(model, builtin_rules(), today=TODAY)
    expected = json.dumps(assessment_to_dict(assessment, model), indent=2, ensure_ascii=False)
    assert assessment_json(assessment, model) == expected + "\n"
    empty = replace(assessment, findings=())
    expected = json.dumps(assessment_to_dict(empty, model), indent=2, ensure_ascii=False)
    assert assessment_json(empty, model) == expected + "\n"
