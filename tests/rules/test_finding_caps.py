"""Bounded output (issue #14 item 15): at most MAX_FINDINGS_PER_RULE findings per rule, the rest
summarised as one open finding every exporter shows and the gate counts; reports list at most
MAX_REPORT_FINDINGS findings with a note.

The caps are lowered here so that a handful of elements trips them; the attack at full size
(a pack and a model that would make 500,000 findings) is tests/hardening/test_output_bounds.py.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import jsonschema
import pytest

from threatforge.exporters.assessment_schema import assessment_json_schema
from threatforge.exporters.registry import BUILTIN_ASSESSMENT_FORMATS, render
from threatforge.model import Model, load_text
from threatforge.model._yaml import parse_text
from threatforge.reports import content as report_content
from threatforge.reports.html import render_html
from threatforge.reports.markdown import render_markdown_report
from threatforge.rules import Assessment, Severity, analyze
from threatforge.rules import engine as rule_engine
from threatforge.rules.declarative import parse_pack
from threatforge.sdlc.gate import evaluate_gate

TODAY = date(2026, 1, 1)
PACK = """\
pack: flood
rules:
  - id: flood-services
    title: "{element} floods"
    description: Fires on every service.
    target: component
    when: {kind: service}
    likelihood: 3
    impact: 3
    stride: [tampering]
    cwe: [20]
    mitigations: [Narrow the rule.]
"""


def model_of(*names: str) -> Model:
    components = "".join(f"  {n}: {{kind: service, zone: z}}\n" for n in names)
    return load_text(
        "system: {name: Flood}\nboundaries:\n  z: {trust: trusted}\ncomponents:\n" + components
    )


def run(model: Model) -> Assessment:
    return analyze(model, parse_pack(parse_text(PACK, "pack.yaml")), today=TODAY)


def digest(*elements: str) -> str:
    text = "\n".join(sorted(f"flood-services@{e}" for e in elements))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.fixture
def cap_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rule_engine, "MAX_FINDINGS_PER_RULE", 2)


@pytest.mark.usefixtures("cap_of_two")
def test_findings_past_the_cap_become_one_summary_finding() -> None:
    assessment = run(model_of("a", "b", "c", "d", "e"))
    assert [f.fingerprint for f in assessment.findings] == [
        f"flood-services@+3-more:{digest('c', 'd', 'e')}",
        "flood-services@a",
        "flood-services@b",
    ]
    summary = assessment.findings[0]
    assert summary.title == "3 more findings of rule flood-services not listed (at most 2 per rule)"
    assert summary.elements == ()
    assert summary.evidence == ("not listed: c, d, e",)
    assert (summary.severity, summary.likelihood, summary.impact) == (Severity.MEDIUM, 2, 3)
    assert summary.explanation.startswith(
        "scored as the most severe of the 3 findings not listed (3 medium): "
    )
    assert summary.is_open
    assert assessment.warnings == (
        "rule flood-services: 3 more findings not listed (at most 2 per rule): 3 medium; one open "
        "finding stands for them all; narrow the rule or fix the model",
    )
    # the rule's outcomes still name every element it fired on
    assert assessment.summary_of("flood-services").fired == ("a", "b", "c", "d", "e")


@pytest.mark.usefixtures("cap_of_two")
def test_the_summary_fingerprint_names_the_set_it_stands_for() -> None:
    before = run(model_of("a", "b", "c", "d"))
    reordered = run(model_of("a", "b", "d", "c"))
    assert before.fingerprints == reordered.fingerprints
    after = run(model_of("a", "b", "c", "d", "new"))
    assert f"flood-services@+3-more:{digest('c', 'd', 'new')}" in after.fingerprints
    # a baseline that knew the old summary does not hide the finding added among the omitted
    known: dict[str, Severity | None] = {f.fingerprint: f.severity for f in before.findings}
    gate = evaluate_gate(after, Severity.MEDIUM, known)
    assert [f.fingerprint for f in gate.failing] == [
        f"flood-services@+3-more:{digest('c', 'd', 'new')}"
    ]
    assert not gate.passed


@pytest.mark.usefixtures("cap_of_two")
@pytest.mark.parametrize("fmt", sorted(BUILTIN_ASSESSMENT_FORMATS))
def test_every_exporter_shows_the_summary(fmt: str) -> None:
    model = model_of("a", "b", "c")
    text = render(fmt, run(model), model)
    assert isinstance(text, str)
    fingerprint = f"flood-services@+1-more:{digest('c')}"
    assert fingerprint in text
    assert "1 more findings of rule flood-services not listed (at most 2 per rule)" in text
    if fmt == "json":
        document = json.loads(text)
        jsonschema.Draft202012Validator(assessment_json_schema()).validate(document)
        assert document["warnings"] == [
            "rule flood-services: 1 more findings not listed (at most 2 per rule): 1 medium; one "
            "open finding stands for them all; narrow the rule or fix the model"
        ]


def test_the_caps_are_a_thousand() -> None:
    assert rule_engine.MAX_FINDINGS_PER_RULE == 1_000
    assert report_content.MAX_REPORT_FINDINGS == 1_000


def test_reports_list_the_most_severe_findings_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_content, "MAX_REPORT_FINDINGS", 2)
    model = model_of("a", "b", "c", "d")
    assessment = run(model)
    note = (
        "2 more findings: use --format json (threatforge analyze MODEL --format json) for every "
        "finding; a report shows the 2 most severe"
    )
    html = render_html(model, assessment)
    assert f'<p class="muted" id="findings-not-shown">{note}</p>' in html
    assert html.count('<article class="finding') == 2
    assert 'id="finding-3"' not in html
    markdown = render_markdown_report(model, assessment)
    assert f"_{note}_" in markdown
    assert "flood-services@c" not in markdown
    complete = run(model_of("a", "b"))
    assert "findings-not-shown" not in render_html(model_of("a", "b"), complete)
