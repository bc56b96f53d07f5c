"""Every built-in exporter writes, byte for byte, what it wrote when these golden files were made.

One golden file per exporter and case: the bundled examples, and the card-checkout assessment
with awkward text (quotes, controls, line breaks, markup, formulas, astral characters),
decisions, rule failures and locations on some findings. The files were written by the code
they replaced the frozen reference writers of (``tests/exporters/test_fast_equivalence.py``,
removed) and checked equal to them; JSON and XML are also parsed back here.

A change that alters an output on purpose rewrites them:
``THREATFORGE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/exporters/test_exporter_golden.py``,
and the diff of ``tests/exporters/golden/`` is part of the review.
"""

from __future__ import annotations

import json
import os
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from threatforge.assessment import Assessment, Decision, RuleFailure
from threatforge.exporters.registry import BUILTIN_ASSESSMENT_FORMATS, render
from threatforge.model import Location, Model, TrackingStatus, load
from threatforge.rules import analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("THREATFORGE_UPDATE_GOLDEN") == "1"
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)
SUFFIX = {"json": "json", "sarif": "sarif", "junit": "xml", "csv": "csv", "markdown": "md"}
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
    "",
]


# the statuses the golden files were drawn from (not-applicable came later: a new status must
# not reshuffle the draw)
_STATUSES = [
    TrackingStatus.OPEN, TrackingStatus.IN_DISCUSSION, TrackingStatus.ACCEPTED,
    TrackingStatus.IN_PROGRESS, TrackingStatus.MITIGATED, TrackingStatus.FALSE_POSITIVE,
]


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
            changes["status"] = rng.choice(_STATUSES)
            changes["decision"] = Decision(
                changes["status"], text or None, "alice", "SEC-1", date(2026, 3, 31), index % 8 == 0
            )
        if index % 5 == 0:
            changes["location"] = None
        elif index % 5 == 1:
            changes["location"] = Location(text or "model.yaml", index, 3)
        findings.append(replace(finding, **changes))
    failures = (RuleFailure("demo", "api", 'boom <&> "quoted"'), RuleFailure("other", None, "x"))
    return replace(
        assessment,
        findings=tuple(findings),
        rule_errors=failures,
        warnings=('a warning — with "quotes"',),
    )


def _cases() -> dict[str, tuple[Assessment, Model]]:
    cases = {}
    for path in EXAMPLES:
        model = load(path.relative_to(ROOT))  # locations as a CI job in the checkout has them
        cases[path.parent.name] = (analyze(model, builtin_rules(), today=TODAY), model)
    assessment, model = cases["card-checkout"]
    cases["awkward"] = (_awkward(assessment), model)
    return cases


CASES = ["card-checkout", "k8s-platform", "partner-api", "awkward"]


@pytest.fixture(scope="module")
def cases() -> Iterator[dict[str, tuple[Assessment, Model]]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        yield _cases()


def test_every_built_in_format_has_golden_files() -> None:
    assert sorted(SUFFIX) == sorted(BUILTIN_ASSESSMENT_FORMATS)


GOLDEN_CASES = [
    (name, case)
    for name in sorted(SUFFIX)
    for case in CASES
    # SARIF carries every built-in rule's help text (about 1 MB), the same in every case
    if name != "sarif" or case in ("card-checkout", "awkward")
]


@pytest.mark.parametrize(("name", "case"), GOLDEN_CASES)
def test_output_is_the_golden_file(
    cases: dict[str, tuple[Assessment, Model]],
    case: str,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # SARIF locations are relative to the working directory
    assessment, model = cases[case]
    text = render(name, assessment, model)
    assert isinstance(text, str)
    path = GOLDEN / f"{case}.{SUFFIX[name]}"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.is_file(), f"no golden file {path}: write it with THREATFORGE_UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} output of {case} differs from {path.name}"
    if name in ("json", "sarif"):
        json.loads(text)
    elif name == "junit":
        ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output


def test_golden_files_hold_no_path_of_the_machine_that_wrote_them() -> None:
    for path in GOLDEN.iterdir():
        assert str(ROOT) not in path.read_text(encoding="utf-8"), path.name


def test_json_refuses_text_no_utf_8_file_can_hold(
    cases: dict[str, tuple[Assessment, Model]],
) -> None:
    assessment, model = cases["card-checkout"]
    finding = replace(assessment.findings[0], title="lone surrogate \ud800 here")
    broken = replace(assessment, findings=(finding,))
    with pytest.raises(ValueError, match="cannot write JSON: str is not valid UTF-8"):
        render("json", broken, model)


def test_junit_replaces_characters_xml_cannot_carry(
    cases: dict[str, tuple[Assessment, Model]],
) -> None:
    assessment, model = cases["card-checkout"]
    finding = replace(assessment.findings[0], title="bad \ud800 \x01 \ufffe end")
    text = render("junit", replace(assessment, findings=(finding,)), model)
    assert isinstance(text, str)
    assert "bad \ufffd \ufffd \ufffd end" in text
    ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output
