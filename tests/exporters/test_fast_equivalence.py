"""The exporters' fast writers give exactly the bytes of the straightforward ones they replaced.

Each reference below is the code the exporter used before it was made fast (the data built as
dicts or an element tree, then ``json.dumps`` or ElementTree); each comparison runs on the
bundled examples, a generated 400-component estate, and findings full of awkward text.

A frozen oracle for the rewrite, not a second implementation to maintain: when an output is meant
to change, change the real code and its own tests, and delete the reference and these equivalence
tests rather than editing both.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

import pytest

from threatforge.exporters import json_assessment
from threatforge.exporters._json_text import JsonText, dumps_indented
from threatforge.exporters.csv_findings import COLUMNS, render_csv
from threatforge.exporters.json_assessment import assessment_to_dict, finding_lines, render_json
from threatforge.exporters.junit import render_junit
from threatforge.exporters.markdown_findings import render_markdown
from threatforge.exporters.sarif import render_sarif, sarif_document
from threatforge.model import Location, Model, TrackingStatus, load
from threatforge.reports.content import element_labels, reference_links
from threatforge.rules import Assessment, Finding, Severity, analyze, builtin_rules
from threatforge.rules.interface import Decision, RuleFailure
from threatforge.text.lines import drop_controls, single_line
from threatforge.text.markdown import markdown_cell, markdown_code, markdown_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)
AWKWARD = [
    'quotes " and \\ backslash',
    "control \x01\x02 and \x7f delete",
    "line\nbreak\r\nand\ttab",
    "unicode — é 支付 🔥 \u2028 separator",
    "<b>&amp;</b> markup [bold]x[/bold] :fire:",
    "| pipe ` backtick * star _ under",
    "=1+1",
    "  -leading spaces",
    "@SUM(A1)",
    "lone surrogate \ud800 here",
    "",
]


def _assess(path: Path) -> tuple[Assessment, Model]:
    model = load(path)
    return analyze(model, builtin_rules(), today=TODAY), model


def _awkward(assessment: Assessment) -> Assessment:
    """The same assessment with awkward text, decisions and locations on some findings."""
    rng = random.Random(5)  # noqa: S311 - reproducible test data
    findings = []
    for index, finding in enumerate(assessment.findings[:60]):
        text = AWKWARD[index % len(AWKWARD)]
        changes: dict[str, Any] = {
            "title": f"{finding.title} {text}",
            "evidence": (*finding.evidence, text),
            "explanation": text or finding.explanation,
            "data": (text,) if index % 3 == 0 else finding.data,
        }
        if index % 4 == 0:
            changes["status"] = rng.choice(list(TrackingStatus))
            changes["decision"] = Decision(
                changes["status"], text or None, "alice", "SEC-1", date(2026, 3, 31), index % 8 == 0
            )
        if index % 5 == 0:
            changes["location"] = None
        elif index % 5 == 1:
            # (a path cannot hold a lone surrogate: the SARIF writer resolves it)
            changes["location"] = Location(text.replace("\ud800", "") or "model.yaml", index, 3)
        findings.append(replace(finding, **changes))
    failures = (RuleFailure("demo", "api", "boom <&> \"quoted\""), RuleFailure("other", None, "x"))
    return replace(
        assessment,
        findings=tuple(findings),
        rule_errors=failures,
        warnings=("a warning — with \"quotes\"",),
    )


@pytest.fixture(scope="module")
def assessments(estate: Path) -> list[tuple[str, Assessment, Model]]:
    cases = []
    for path in [*EXAMPLES, estate]:
        assessment, model = _assess(path)
        cases.append((path.parent.name, assessment, model))
    _, assessment, model = cases[-1]
    cases.append(("awkward", _awkward(assessment), model))
    return cases


# --- JSON ---------------------------------------------------------------------------------------


def _reference_json(assessment: Assessment, model: Model | None) -> str:
    data = assessment_to_dict(assessment, model)
    if len(assessment.findings) <= json_assessment.INDENT_LIMIT:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    parts = []
    for key, value in data.items():
        head = f"  {json.dumps(key)}: "
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {json.dumps(v, ensure_ascii=False)}" for v in value)
            parts.append(f"{head}[\n{items}\n  ]")
        else:
            parts.append(head + json.dumps(value, ensure_ascii=False))
    return "{\n" + ",\n".join(parts) + "\n}\n"


@pytest.mark.parametrize("limit", [1000, 0], ids=["indented", "item-per-line"])
def test_json_is_byte_identical_to_json_dumps(
    assessments: list[tuple[str, Assessment, Model]], limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_assessment, "INDENT_LIMIT", limit)
    for name, assessment, model in assessments:
        assert render_json(assessment, model) == _reference_json(assessment, model), name
        assert render_json(assessment) == _reference_json(assessment, None), name


def test_each_finding_line_is_json_dumps_of_its_dict(
    assessments: list[tuple[str, Assessment, Model]],
) -> None:
    for name, assessment, _ in assessments:
        expected = [
            json.dumps(json_assessment.finding_to_dict(f), ensure_ascii=False)
            for f in assessment.findings
        ]
        assert finding_lines(assessment.findings) == expected, name


class _Number(IntEnum):
    SEVEN = 7


def test_a_finding_with_unexpected_values_is_written_by_json_dumps(
    assessments: list[tuple[str, Assessment, Model]],
) -> None:
    finding = assessments[0][1].findings[0]
    odd = [
        replace(finding, cwe=(True, 79)),  # a bool is not the int 1
        replace(finding, likelihood=_Number.SEVEN, capec=(_Number.SEVEN,)),
        replace(finding, impact=True),
        replace(finding, elements=["a", "b"]),  # type: ignore[arg-type]  # a list, not a tuple
        replace(finding, location=Location("f.yaml", True, 2)),  # type: ignore[arg-type]
    ]
    expected = [json.dumps(json_assessment.finding_to_dict(f), ensure_ascii=False) for f in odd]
    assert finding_lines(odd) == expected
    assert '"cwe": [true, 79]' in expected[0]


class _Tag(StrEnum):
    A = "a"


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice(
            ["x", 'é—"\\\u2028\x00', "", 0, -5, 10**20, 1.5, 1e300, float("inf"), -0.0, True,
             False, None, _Tag.A, _Number.SEVEN, "🔥", "\ud800"]
        )
    if roll < 0.65:
        items = [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return items if rng.random() < 0.7 else tuple(items)
    keys = ["k", "key", "é", 'a"b', "z"]
    if rng.random() < 0.15:
        keys += [1, 2.5, True, None, _Tag.A]  # type: ignore[list-item]
    return {rng.choice(keys): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_indented_json_is_json_dumps_with_indent_2(ensure_ascii: bool) -> None:
    rng = random.Random(11)  # noqa: S311 - reproducible test data
    for _ in range(3000):
        value = _value(rng, 0)
        expected = json.dumps(value, indent=2, ensure_ascii=ensure_ascii)
        assert dumps_indented(value, ensure_ascii=ensure_ascii) == expected, value


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_json_pieces_are_what_json_dumps_writes(compact: bool, ensure_ascii: bool) -> None:
    out = JsonText(ensure_ascii=ensure_ascii, compact=compact)
    separators = (",", ":") if compact else (", ", ": ")

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=ensure_ascii, separators=separators)

    for text in AWKWARD:
        assert out.string(text) == out.text(text) == out.text(text) == dumps(text)
        assert out.strings((text, "b")) == out.strings((text, "b")) == dumps([text, "b"])
    assert out.strings(()) == "[]"
    assert out.strings(("a", 1)) == dumps(["a", 1])  # type: ignore[arg-type]
    assert out.integers((1, 2, 3)) == dumps([1, 2, 3])
    assert out.integers((True, 2)) == dumps([True, 2])
    assert out.integers(()) == "[]"
    assert [out.integer(v) for v in (0, -3, True, _Number.SEVEN)] == [
        dumps(v) for v in (0, -3, True, _Number.SEVEN)
    ]
    assert [out.boolean(v) for v in (True, False)] == ["true", "false"]
    assert out.value(Severity.HIGH) == out.members((Severity.HIGH,))[1:-1] == '"high"'


# --- SARIF --------------------------------------------------------------------------------------


def test_sarif_is_json_dumps_of_the_sarif_document(
    assessments: list[tuple[str, Assessment, Model]],
) -> None:
    for name, assessment, model in assessments:
        expected = json.dumps(sarif_document(assessment, model), indent=2, ensure_ascii=False)
        assert render_sarif(assessment, model) == expected + "\n", name


# --- JUnit --------------------------------------------------------------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _reference_junit(assessment: Assessment) -> str:
    """The element-tree JUnit writer the fast one replaced."""

    def put(element: ET.Element, **attributes: str | int) -> None:
        for key, value in attributes.items():
            element.set(key, _clean(str(value)))

    findings = {f.fingerprint: f for f in assessment.findings}
    root = ET.Element("testsuites")
    errors: dict[str, list[tuple[str, str]]] = {}
    for failure in assessment.rule_errors:
        errors.setdefault(failure.rule, []).append((failure.element or "model", failure.error))
    missing: dict[tuple[str, str], list[str]] = {}
    for gap in assessment.gaps:
        for rule_id in gap.rules:
            missing.setdefault((rule_id, gap.element), []).append(gap.fact)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def suite_for(rule: str) -> tuple[ET.Element, dict[str, int]]:
        return ET.SubElement(root, "testsuite"), {"tests": 0, "failures": 0, "errors": 0,
                                                   "skipped": 0}

    def case(suite: ET.Element, counts: dict[str, int], rule: str, name: str,
             finding: Finding | None = None) -> ET.Element:
        counts["tests"] += 1
        element = ET.SubElement(suite, "testcase")
        put(element, classname=f"threatforge.{rule}", name=name, time="0")
        if finding is not None and finding.location is not None:
            put(element, file=finding.location.file)
            if finding.location.line:
                put(element, line=finding.location.line)
        return element

    def error(suite: ET.Element, counts: dict[str, int], rule: str, entry: tuple[str, str]) -> None:
        counts["errors"] += 1
        put(ET.SubElement(case(suite, counts, rule, entry[0]), "error"), message=entry[1],
            type="rule-error")

    suites = []
    seen = set()
    for summary in assessment.summaries:
        seen.add(summary.rule)
        suite, counts = suite_for(summary.rule)
        suites.append((suite, counts, summary.rule))
        for subjects in summary.fired:
            finding = findings.get(f"{summary.rule}@{subjects}")
            element = case(suite, counts, summary.rule, subjects, finding)
            if finding is None:
                counts["skipped"] += 1
                put(ET.SubElement(element, "skipped"), message="finding below the severity shown")
            elif finding.is_open:
                counts["failures"] += 1
                failure = ET.SubElement(element, "failure")
                put(failure, message=f"{finding.severity.value}: {finding.title}",
                    type=finding.severity.value)
                # model text stays on its line (issue #14 item 4): line breaks become spaces
                lines = [
                    single_line(finding.explanation),
                    "",
                    *(f"evidence: {single_line(e)}" for e in finding.evidence),
                ]
                lines += [f"mitigation: {single_line(m)}" for m in finding.mitigations]
                if finding.location is not None:
                    lines.append(f"at {finding.location}")
                lines.append(f"fingerprint: {finding.fingerprint}")
                failure.text = _clean("\n".join(lines))
            else:
                counts["skipped"] += 1
                decision = finding.decision
                reason = decision.justification if decision and decision.justification else ""
                message = f"{finding.status.value}: {finding.title}" + (
                    f" — {reason}" if reason else ""
                )
                put(ET.SubElement(element, "skipped"), message=message)
        for element_id in summary.passed:
            case(suite, counts, summary.rule, element_id)
        for element_id in summary.unknown:
            counts["skipped"] += 1
            element = case(suite, counts, summary.rule, element_id)
            facts = missing.get((summary.rule, element_id), [])
            wanted = f" (state {', '.join(facts)})" if facts else ""
            put(ET.SubElement(element, "skipped"),
                message=f"unknown: the model lacks the facts to decide{wanted}")
        for entry in errors.get(summary.rule, []):
            error(suite, counts, summary.rule, entry)
    for rule in sorted(set(errors) - seen):
        suite, counts = suite_for(rule)
        suites.append((suite, counts, rule))
        for entry in errors[rule]:
            error(suite, counts, rule, entry)
    for suite, counts, rule in suites:
        put(suite, name=rule, tests=counts["tests"], failures=counts["failures"],
            errors=counts["errors"], skipped=counts["skipped"], time="0")
        for key in totals:
            totals[key] += counts[key]
    put(root, name=f"threatforge: {assessment.system}", tests=totals["tests"],
        failures=totals["failures"], errors=totals["errors"], skipped=totals["skipped"], time="0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def test_junit_is_what_element_tree_writes(
    assessments: list[tuple[str, Assessment, Model]],
) -> None:
    for name, assessment, model in assessments:
        assert render_junit(assessment, model) == _reference_junit(assessment), name
    empty = replace(assessments[0][1], findings=(), summaries=(), rule_errors=(), gaps=())
    assert render_junit(empty, assessments[0][2]) == _reference_junit(empty)
    assert render_junit(empty, assessments[0][2]).endswith(' time="0" />\n')


# --- CSV and Markdown ---------------------------------------------------------------------------


def _reference_csv(assessment: Assessment, model: Model) -> str:
    from threatforge.exporters.csv_findings import _row

    def neutralise(cell: str) -> str:
        cell = drop_controls(single_line(cell))  # one line per finding (issue #14 item 4)
        starts = ("=", "+", "-", "@", "\t", "\r")
        stripped = cell.lstrip(" ")
        return "'" + cell if stripped.startswith(starts) or cell.startswith(starts) else cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for finding in assessment.findings:
        writer.writerow([neutralise(cell) for cell in _row(finding, model)])
    return buffer.getvalue()


def _reference_markdown(assessment: Assessment, model: Model) -> str:
    labels = element_labels(model)

    def label(finding: Finding) -> str:
        return ", ".join(
            f"{markdown_text(labels.get(e, e))} ({markdown_code(e)})" for e in finding.elements
        )

    counts = assessment.count_by_severity()
    summary = ", ".join(f"{counts[s]} {s.value}" for s in reversed(Severity) if counts[s]) or "none"
    lines = [
        f"# Threat model findings: {markdown_text(assessment.system)}",
        "",
        f"Assessed on {assessment.as_of}: {len(assessment.findings)} findings, "
        f"{len(assessment.open_findings)} open ({summary}).",
        "",
    ]
    if assessment.findings:
        lines += [
            "| # | Severity | Finding | Elements | L×I | Status |",
            "|---:|---|---|---|---|---|",
        ]
        for number, f in enumerate(assessment.findings, start=1):
            where = ", ".join(markdown_cell(labels.get(e, e)) for e in f.elements)
            lines.append(
                f"| {number} | **{f.severity.value.upper()}** | {markdown_cell(f.title)} "
                f"| {where} | {f.likelihood}×{f.impact} | {f.status.value} |"
            )
        lines += ["", "## Findings", ""]
        for number, f in enumerate(assessment.findings, start=1):
            lines += _reference_section(number, f, labels, label(f))
    else:
        lines += ["No findings.", ""]
    if assessment.gaps:
        lines += ["## Facts missing from the model", ""]
        lines += [f"- {markdown_text(g.message)}" for g in assessment.gaps]
        lines.append("")
    if assessment.rule_errors:
        lines += ["## Rules that failed", ""]
        for error in assessment.rule_errors:
            where = f" on {markdown_code(error.element)}" if error.element else ""
            lines.append(f"- {markdown_code(error.rule)}{where}: {markdown_text(error.error)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _reference_section(
    number: int, f: Finding, labels: dict[str, str], elements: str
) -> list[str]:
    lines = [
        f"### {number}. {markdown_text(f.title)}",
        "",
        f"- **Severity:** **{f.severity.value.upper()}** (likelihood {f.likelihood}/5 "
        f"× impact {f.impact}/5, confidence {f.confidence.value})",
        f"- **Status:** {f.status.value}",
        f"- **Elements:** {elements}",
    ]
    if f.data:
        data = ", ".join(markdown_text(labels.get(d, d)) for d in f.data)
        lines.append(f"- **Data at stake:** {data}")
    lines += [
        f"- **Rule:** {markdown_code(f.rule)}",
        f"- **Fingerprint:** {markdown_code(f.fingerprint)}",
    ]
    categories = [s.value for s in f.stride] + [c.value for c in f.linddun]
    if categories:
        lines.append(f"- **Category:** {markdown_text(', '.join(categories))}")
    if f.compliance:
        lines.append(f"- **Compliance:** {markdown_text(', '.join(f.compliance))}")
    decision = f.decision
    if decision is not None:
        parts = [decision.status.value]
        if decision.owner:
            parts.append(f"owner {markdown_text(decision.owner)}")
        if decision.ticket:
            parts.append(f"ticket {markdown_text(decision.ticket)}")
        if decision.expires:
            parts.append(f"{'expired' if decision.expired else 'expires'} {decision.expires}")
        text = ", ".join(parts)
        if decision.justification:
            text += f": {markdown_text(decision.justification)}"
        lines.append(f"- **Decision:** {text}")
    lines += ["", markdown_text(f.description), ""]
    if f.evidence:
        lines += ["**Evidence**", ""] + [f"- {markdown_text(e)}" for e in f.evidence] + [""]
    lines += [
        "**Why this score**",
        "",
        f"- Likelihood {f.likelihood}/5: " + markdown_text("; ".join(f.likelihood_factors)),
        f"- Impact {f.impact}/5: " + markdown_text("; ".join(f.impact_factors)),
        "",
    ]
    if f.mitigations:
        lines += ["**Mitigations**", ""] + [f"- {markdown_text(m)}" for m in f.mitigations] + [""]
    links = reference_links(f)
    if links:
        rendered = [
            f"[{markdown_text(link.text)}](<{link.url}>)" if link.url else markdown_text(link.text)
            for link in links
        ]
        lines += ["**References:** " + " · ".join(rendered), ""]
    return lines


def test_csv_and_markdown_are_what_the_plain_writers_wrote(
    assessments: list[tuple[str, Assessment, Model]],
) -> None:
    for name, assessment, model in assessments:
        assert render_csv(assessment, model) == _reference_csv(assessment, model), name
        assert render_markdown(assessment, model) == _reference_markdown(assessment, model), name


def _fingerprints(lines: Sequence[str]) -> list[str]:
    return [json.loads(line)["fingerprint"] for line in lines]


def test_the_estate_exercises_the_fast_paths(
    assessments: list[tuple[str, Assessment, Model]],
) -> None:
    """The generated estate is large and varied enough to be a meaningful comparison."""
    _, assessment, _ = assessments[-2]
    assert len(assessment.findings) > 300
    assert len({f.rule for f in assessment.findings}) > 20
    lines = finding_lines(assessment.findings)
    assert _fingerprints(lines) == [f.fingerprint for f in assessment.findings]


def test_rendering_leaves_the_collector_as_it_found_it(
    assessments: list[tuple[str, Assessment, Model]],
) -> None:
    _, assessment, model = assessments[0]
    assert gc.isenabled()
    render_json(assessment, model)
    assert gc.isenabled()
    gc.disable()
    try:
        render_junit(assessment, model)
        assert not gc.isenabled()
    finally:
        gc.enable()
