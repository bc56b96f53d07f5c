"""JUnit XML output (``analyze --format junit``) for CI test reports (GitLab, Jenkins, Azure).

One test suite per rule, one test case per rule and element: a failure for an open finding,
skipped for an accepted, mitigated or false-positive one (and for elements the model lacks the
facts to decide), passed where the rule passed, an error where the rule crashed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from threatforge.model import Model
from threatforge.rules.assessment import Assessment
from threatforge.rules.interface import Finding, RuleSummary

__all__ = ["render_junit"]

# Characters XML 1.0 cannot carry at all, even escaped: C0 controls other than tab/newline/CR,
# lone surrogates and U+FFFE/U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _set(element: ET.Element, **attributes: str | int) -> None:
    for name, value in attributes.items():
        element.set(name, _clean(str(value)))


class _Suite:
    def __init__(self, parent: ET.Element, rule: str) -> None:
        self.element = ET.SubElement(parent, "testsuite")
        self.rule = rule
        self.tests = self.failures = self.skipped = self.errors = 0

    def case(self, name: str, finding: Finding | None = None) -> ET.Element:
        self.tests += 1
        case = ET.SubElement(self.element, "testcase")
        _set(case, classname=f"threatforge.{self.rule}", name=name, time="0")
        location = finding.location if finding is not None else None
        if location is not None:
            _set(case, file=location.file)
            if location.line:
                _set(case, line=location.line)
        return case

    def close(self) -> None:
        _set(
            self.element,
            name=self.rule,
            tests=self.tests,
            failures=self.failures,
            errors=self.errors,
            skipped=self.skipped,
            time="0",
        )


def _details(finding: Finding) -> str:
    lines = [finding.explanation, "", *(f"evidence: {e}" for e in finding.evidence)]
    lines += [f"mitigation: {m}" for m in finding.mitigations]
    if finding.location is not None:
        lines.append(f"at {finding.location}")
    lines.append(f"fingerprint: {finding.fingerprint}")
    return _clean("\n".join(lines))


def _fired(suite: _Suite, subjects: str, finding: Finding | None) -> None:
    case = suite.case(subjects, finding)
    if finding is None:
        suite.skipped += 1
        _set(ET.SubElement(case, "skipped"), message="finding below the severity shown")
        return
    if finding.is_open:
        suite.failures += 1
        failure = ET.SubElement(case, "failure")
        _set(
            failure,
            message=f"{finding.severity.value}: {finding.title}",
            type=finding.severity.value,
        )
        failure.text = _details(finding)
        return
    suite.skipped += 1
    decision = finding.decision
    reason = decision.justification if decision is not None and decision.justification else ""
    message = f"{finding.status.value}: {finding.title}" + (f" — {reason}" if reason else "")
    _set(ET.SubElement(case, "skipped"), message=message)


def render_junit(assessment: Assessment, model: Model) -> str:
    """The assessment as JUnit XML text."""
    findings = {f.fingerprint: f for f in assessment.findings}
    root = ET.Element("testsuites")
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
        suite = _Suite(root, summary.rule)
        suites.append(suite)
        for subjects in summary.fired:
            _fired(suite, subjects, findings.get(f"{summary.rule}@{subjects}"))
        for element in summary.passed:
            suite.case(element)
        for element in summary.unknown:
            suite.skipped += 1
            case = suite.case(element)
            facts = missing.get((summary.rule, element), [])
            wanted = f" (state {', '.join(facts)})" if facts else ""
            _set(
                ET.SubElement(case, "skipped"),
                message=f"unknown: the model lacks the facts to decide{wanted}",
            )
        for entry in errors_by_rule.get(summary.rule, []):
            _error(suite, entry)
    for rule in sorted(set(errors_by_rule) - seen_rules):
        suite = _Suite(root, rule)
        suites.append(suite)
        for entry in errors_by_rule[rule]:
            _error(suite, entry)
    for suite in suites:
        suite.close()
    _set(
        root,
        name=f"threatforge: {assessment.system}",
        tests=sum(s.tests for s in suites),
        failures=sum(s.failures for s in suites),
        errors=sum(s.errors for s in suites),
        skipped=sum(s.skipped for s in suites),
        time="0",
    )
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _error(suite: _Suite, entry: tuple[str, str]) -> None:
    element, message = entry
    suite.errors += 1
    case = suite.case(element)
    error = ET.SubElement(case, "error")
    _set(error, message=message, type="rule-error")
