"""Applicable threats: every question a rule can ask is answered in a fixture, as it is worded.

A rule that asks questions (``RuleMeta.asks``) has, beside ``fires.yaml`` and ``passes.yaml``:

- ``applicable.yaml`` whose first comment line is ``# applicable: <fingerprint>, ...`` — the
  threat applies there and no fact decides it: the rule reports exactly those applicable
  threats, and no finding;
- ``not-applicable.yaml`` — the condition does not hold: no threat, no finding, no question.

For every threat of ``applicable.yaml``, every fact of its question and every answer the
question offers, the answer is written into the model exactly as the question words it (the
path under the element, the value as YAML): the loader must accept it without a warning, and
the threat must turn into the finding with the same fingerprint ("confirms") or be ruled out
("rules out", kept with its evidence). Every fact any rule's questions name must be asked in
its fixture.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from threatforge.assessment import Answer, Assessment
from threatforge.model import MemorySource, Model, load
from threatforge.model.loader import load_source_with_diagnostics
from threatforge.rules import analyze, builtin_rules

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 1, 1)
RULES = {r.id: r for r in builtin_rules()}
ASKING = sorted(r.id for r in RULES.values() if r.meta.asks)


def _expected(path: Path) -> set[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#\s*applicable:\s*(.*)$", line)
        if match:
            items = re.split(r",\s*(?=[\w.-]+@)", match.group(1))
            return {item.strip() for item in items if item.strip()}
    raise AssertionError(f"{path} has no '# applicable: ...' line")


def _run(rule_id: str, model: Model) -> Assessment:
    superseders = [r for r in RULES.values() if any(d.rule == rule_id for d in r.meta.supersedes)]
    assessment = analyze(model, [RULES[rule_id], *superseders], today=TODAY)
    assert assessment.rule_errors == (), assessment.rule_errors
    return assessment


def _threats(assessment: Assessment, rule_id: str) -> set[str]:
    return {t.fingerprint for t in assessment.applicable_threats if t.rule == rule_id}


def _findings(assessment: Assessment, rule_id: str) -> set[str]:
    return {f.fingerprint for f in assessment.findings if f.rule == rule_id}


def test_some_rules_ask_questions() -> None:
    assert "pay-refund-without-dual-approval" in ASKING


@pytest.mark.parametrize("rule_id", ASKING)
def test_the_threat_applies_on_its_fixture(rule_id: str) -> None:
    path = FIXTURES / rule_id / "applicable.yaml"
    assert path.is_file(), f"rule '{rule_id}' asks questions but has no {path}"
    assessment = _run(rule_id, load(path))
    assert _threats(assessment, rule_id) == _expected(path)
    assert _findings(assessment, rule_id) == set()
    for threat in assessment.applicable_threats:
        assert threat.why, threat.fingerprint
        assert threat.question.facts, threat.fingerprint
        assert threat.confidence == "not-confirmed"


@pytest.mark.parametrize("rule_id", ASKING)
def test_the_threat_does_not_apply_on_its_other_fixture(rule_id: str) -> None:
    path = FIXTURES / rule_id / "not-applicable.yaml"
    assert path.is_file(), f"rule '{rule_id}' asks questions but has no {path}"
    assessment = _run(rule_id, load(path))
    assert _threats(assessment, rule_id) == set()
    assert _findings(assessment, rule_id) == set()


def _answer(document: dict[str, Any], element: str, dotted: str, value: str) -> None:
    """Write ``value`` (YAML) at ``dotted`` under the component or flow ``element``."""
    target: dict[str, Any] | None = None
    components = document.get("components") or {}
    if element in components:
        target = components[element] = components[element] or {}
    else:
        for entry in document.get("flows") or []:
            (arrow, body), = entry.items()
            source, _, end = (part.strip() for part in arrow.partition("->"))
            body = body if body is not None else {}
            entry[arrow] = body
            if body.get("id", f"{source}->{end}") == element:
                target = body
    assert target is not None, f"no component or flow '{element}'"
    *parents, last = dotted.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = yaml.safe_load(value)


def _cases() -> list[tuple[str, str, str, str, str, Answer]]:
    cases = []
    for rule_id in ASKING:
        path = FIXTURES / rule_id / "applicable.yaml"
        if not path.is_file():
            continue
        assessment = _run(rule_id, load(path))
        for threat in assessment.applicable_threats:
            if threat.rule != rule_id:
                continue
            for fact in threat.question.facts:
                for value, effect in fact.answers:
                    cases.append(
                        (rule_id, threat.fingerprint, fact.element, fact.path, value, effect)
                    )
    return cases


CASES = _cases()


def test_every_fact_a_rule_asks_for_is_asked_in_its_fixture() -> None:
    asked = {(rule_id, path) for rule_id, _, _, path, _, _ in CASES}
    declared = {
        (rule_id, fact.path) for rule_id in ASKING for ask in RULES[rule_id].meta.asks
        for fact in ask.facts
    }
    assert declared - asked == set()


@pytest.mark.parametrize(
    ("rule_id", "fingerprint", "element", "path", "value", "effect"),
    CASES,
    ids=[f"{c[1]}:{c[3]}={c[4]}" for c in CASES],
)
def test_answering_the_question_as_worded_decides_the_threat(
    rule_id: str, fingerprint: str, element: str, path: str, value: str, effect: Answer
) -> None:
    fixture = FIXTURES / rule_id / "applicable.yaml"
    document = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    _answer(document, element, path, value)
    text = yaml.safe_dump(document, sort_keys=False)
    result = load_source_with_diagnostics(
        MemorySource({"threatmodel.yaml": text.encode()}), "threatmodel.yaml"
    )
    assert [d.message for d in result.diagnostics] == []
    assert result.model is not None
    assessment = _run(rule_id, result.model)
    assert fingerprint not in _threats(assessment, rule_id)
    ruled_out = {r.fingerprint: r.message for r in assessment.ruled_out}
    if effect is Answer.CONFIRMS:
        assert fingerprint in _findings(assessment, rule_id)
        assert fingerprint not in ruled_out
    else:
        assert fingerprint not in _findings(assessment, rule_id)
        assert fingerprint in ruled_out
        assert ruled_out[fingerprint].startswith("ruled out by ")
