"""JUnit XML output (``analyze --format junit``) for CI test reports (GitLab, Jenkins, Azure).

One test suite per rule, one test case per rule and element: a failure for an open finding,
skipped for an accepted, mitigated or false-positive one (and for elements the model lacks the
facts to decide), passed where the rule passed, an error where the rule crashed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from threatforge.assessment import Assessment
from threatforge.exporters.interface import AssessmentExporter
from threatforge.model import Model
from threatforge.rules.interface import Finding, RuleSummary
from threatforge.text.lines import single_line
from threatforge.text.xml import xml_chars as _clean

__all__ = [
    "JunitExporter",
    "render_junit",
]


class _Suite:
    """One test suite (a rule) and its counts, built as an ElementTree element."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.classname = _clean(f"threatforge.{rule}")
        self.cases: list[ET.Element] = []
        self.tests = self.failures = self.skipped = self.errors = 0

    def case(self, name: str, finding: Finding | None = None) -> ET.Element:
        """A new test case; the caller adds its one child element, if any."""
        self.tests += 1
        case = ET.Element("testcase", classname=self.classname, name=_clean(name), time="0")
        location = finding.location if finding is not None else None
        if location is not None:
            case.set("file", _clean(location.file))
            if location.line:
                case.set("line", str(location.line))
        self.cases.append(case)
        return case

    def element(self) -> ET.Element:
        suite = ET.Element(
            "testsuite",
            name=_clean(self.rule),
            tests=str(self.tests),
            failures=str(self.failures),
            errors=str(self.errors),
            skipped=str(self.skipped),
            time="0",
        )
        suite.extend(self.cases)
        return suite


def _details(finding: Finding) -> str:
    lines = [
        single_line(finding.explanation),
        "",
        *(f"evidence: {single_line(e)}" for e in finding.evidence),
    ]
    lines += [f"mitigation: {single_line(m)}" for m in finding.mitigations]
    if finding.location is not None:
        lines.append(f"at {finding.location}")
    lines.append(f"fingerprint: {finding.fingerprint}")
    return _clean("\n".join(lines))


def _skipped(case: ET.Element, message: str) -> None:
    ET.SubElement(case, "skipped", message=_clean(message))


def _fired(suite: _Suite, subjects: str, finding: Finding | None) -> None:
    case = suite.case(subjects, finding)
    if finding is None:
        suite.skipped += 1
        _skipped(case, "finding below the severity shown")
        return
    if finding.is_open:
        suite.failures += 1
        failure = ET.SubElement(
            case,
            "failure",
            message=_clean(f"{finding.severity.value}: {finding.title}"),
            type=finding.severity.value,
        )
        failure.text = _details(finding) or None
        return
    suite.skipped += 1
    decision = finding.decision
    reason = decision.justification if decision is not None and decision.justification else ""
    message = f"{finding.status.value}: {finding.title}" + (f" — {reason}" if reason else "")
    _skipped(case, message)


def render_junit(assessment: Assessment, model: Model) -> str:
    """The assessment as JUnit XML text."""
    findings = {f.fingerprint: f for f in assessment.findings}
    # the findings of a rule past the engine's per-rule cap, summarised (rule@+N-more:digest)
    omitted_by_rule = {f.rule: f for f in assessment.findings if not f.elements}
    errors_by_rule: dict[str, list[tuple[str, str]]] = {}
    for failure in assessment.rule_errors:
        errors_by_rule.setdefault(failure.rule, []).append(
            (failure.element or "model", failure.error)
        )
    missing: dict[tuple[str, str], list[str]] = {}
    for gap in assessment.gaps:
        for rule_id in gap.rules:
            missing.setdefault((rule_id, gap.element), []).append(gap.fact)
    summaries: Sequence[RuleSummary] = assessment.summaries
    seen_rules: set[str] = set()
    suites: list[_Suite] = []
    for summary in summaries:
        seen_rules.add(summary.rule)
        suite = _Suite(summary.rule)
        suites.append(suite)
        omitted = omitted_by_rule.get(summary.rule)
        for subjects in summary.fired:
            finding = findings.get(f"{summary.rule}@{subjects}")
            if finding is None and omitted is not None:
                continue  # past the per-rule cap: one case below stands for them all
            _fired(suite, subjects, finding)
        if omitted is not None:
            _fired(suite, omitted.fingerprint.partition("@")[2], omitted)
        for element in summary.passed:
            suite.case(element)
        for element in summary.unknown:
            suite.skipped += 1
            facts = missing.get((summary.rule, element), [])
            wanted = f" (state {', '.join(facts)})" if facts else ""
            _skipped(
                suite.case(element), f"unknown: the model lacks the facts to decide{wanted}"
            )
        for entry in errors_by_rule.get(summary.rule, []):
            _error(suite, entry)
    for rule in sorted(set(errors_by_rule) - seen_rules):
        suite = _Suite(rule)
        suites.append(suite)
        for entry in errors_by_rule[rule]:
            _error(suite, entry)
    root = ET.Element(
        "testsuites",
        name=_clean(f"threatforge: {assessment.system}"),
        tests=str(sum(s.tests for s in suites)),
        failures=str(sum(s.failures for s in suites)),
        errors=str(sum(s.errors for s in suites)),
        skipped=str(sum(s.skipped for s in suites)),
        time="0",
    )
    root.extend(s.element() for s in suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _error(suite: _Suite, entry: tuple[str, str]) -> None:
    element, message = entry
    suite.errors += 1
    ET.SubElement(suite.case(element), "error", message=_clean(message), type="rule-error")


class JunitExporter(AssessmentExporter):
    """JUnit XML: one test case per rule and element, for CI test reports."""

    name = "junit"
    description = "JUnit XML: one test case per rule and element, for CI test reports."
    suffix = ".xml"
    media_type = "application/xml"

    def export(self, assessment: Assessment, model: Model) -> str:
        return render_junit(assessment, model)
