"""JUnit XML export: one test case per rule and element, failures for open findings, skipped for
decided ones and model gaps, errors for crashed rules; always well-formed XML."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from threatforge.exporters.junit import render_junit
from threatforge.model import Component, Model, load, load_text
from threatforge.rules import (
    PASS,
    Fire,
    RuleMeta,
    Stride,
    Target,
    Unknown,
    Verdict,
    analyze,
    rule,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)

MODEL = """\
system: {name: "Orders <&> \\"quoted\\""}
components:
  api: {kind: service, name: "API <b>&amp;</b>"}
  db: {kind: datastore}
  web: {kind: service}
tracking:
  "demo-rule@web": {status: accepted, justification: "tolerated <for now> & \\"later\\""}
"""


def _model() -> Model:
    """MODEL with a control character in a name, as a model built in code or an importer can
    have it (the YAML reader refuses it, raw or written as an escape: issue 14, item 20)."""
    model = load_text(MODEL)
    api = model.components["api"].model_copy(update={"name": "API \x01 <b>&amp;</b>"})
    return dataclasses.replace(model, components={**model.components, "api": api})


def _meta(rule_id: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title='{element} is <risky> & "odd"',
        description="demo",
        target=Target.COMPONENT,
        likelihood=3,
        impact=3,
        mitigations=("Fix it.",),
        detection="demo",
        stride=(Stride.TAMPERING,),
    )


@rule(_meta("demo-rule"))
def demo_rule(component: Component, model: Model) -> Verdict:
    """Fires on services, needs facts on data stores."""
    if component.id in ("api", "web"):
        return Fire(("evidence with \x02 control <char>",))
    return Unknown(("encryption.at_rest",))


@rule(_meta("broken-rule"))
def broken_rule(component: Component, model: Model) -> Verdict:
    """Crashes on one element, passes on the rest."""
    if component.id == "db":
        raise ValueError("boom <&>")
    return PASS


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output


def cases(root: ET.Element) -> list[tuple[str, str, str]]:
    """(suite, test case, outcome) for every test case."""
    found = []
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            children = [child.tag for child in case]
            found.append(
                (suite.get("name", ""), case.get("name", ""), children[0] if children else "passed")
            )
    return found


def test_test_cases_per_rule_and_element() -> None:
    model = _model()
    assessment = analyze(model, [demo_rule, broken_rule], today=TODAY)
    text = render_junit(assessment, model)
    root = parse(text)
    assert cases(root) == [
        ("demo-rule", "api", "failure"),
        ("demo-rule", "web", "skipped"),
        ("demo-rule", "db", "skipped"),
        ("broken-rule", "api", "passed"),
        ("broken-rule", "web", "passed"),
        ("broken-rule", "db", "error"),
    ]
    assert root.attrib == {
        "name": 'threatforge: Orders <&> "quoted"',
        "tests": "6",
        "failures": "1",
        "errors": "1",
        "skipped": "2",
        "time": "0",
    }
    failure = root.find("./testsuite/testcase[@name='api']/failure")
    assert failure is not None
    assert failure.get("message") == 'medium: API \ufffd <b>&amp;</b> is <risky> & "odd"'
    assert failure.get("type") == "medium"
    assert (failure.text or "").splitlines()[-4:] == [
        "evidence: evidence with \ufffd control <char>",
        "mitigation: Fix it.",
        "at threatmodel.yaml:3:3",
        "fingerprint: demo-rule@api",
    ]
    skipped = root.find("./testsuite/testcase[@name='web']/skipped")
    assert skipped is not None
    assert skipped.get("message") == (
        'accepted: web is <risky> & "odd" — tolerated <for now> & "later"'
    )
    unknown = root.find("./testsuite/testcase[@name='db']/skipped")
    assert unknown is not None
    assert unknown.get("message") == (
        "unknown: the model lacks the facts to decide (state encryption.at_rest)"
    )
    error = root.find("./testsuite[@name='broken-rule']/testcase[@name='db']/error")
    assert error is not None
    assert error.get("message") == "ValueError: boom <&>"
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')


def test_located_test_cases_carry_file_and_line() -> None:
    model = _model()
    assessment = analyze(model, [demo_rule], today=TODAY)
    case = parse(render_junit(assessment, model)).find("./testsuite/testcase[@name='api']")
    assert case is not None
    assert (case.get("classname"), case.get("file"), case.get("line")) == (
        "threatforge.demo-rule",
        "threatmodel.yaml",
        "3",
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_every_example_is_well_formed(path: Path) -> None:
    model = load(path)
    assessment = analyze(model, today=TODAY)
    root = parse(render_junit(assessment, model))
    failures = [
        f"{suite.get('name')}@{case.get('name')}"
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
        if case.find("failure") is not None
    ]
    assert sorted(failures) == sorted(f.fingerprint for f in assessment.open_findings)
    assert int(root.get("failures", "-1")) == len(assessment.open_findings)
