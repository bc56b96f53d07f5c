"""JUnit XML output (``analyze --format junit``) for CI test reports (GitLab, Jenkins, Azure).

One test suite per rule, one test case per rule and element: a failure for an open finding,
skipped for an accepted, mitigated or false-positive one (and for elements the model lacks the
facts to decide), passed where the rule passed, an error where the rule crashed.
"""

from __future__ import annotations

from collections.abc import Sequence

from threatforge._gc import collector_off
from threatforge.model import Model
from threatforge.rules.assessment import Assessment
from threatforge.rules.interface import Finding, RuleSummary
from threatforge.text.lines import single_line
from threatforge.text.xml import xml_attribute as _attribute
from threatforge.text.xml import xml_chars as _clean
from threatforge.text.xml import xml_content as _text

__all__ = ["render_junit"]

# The text is written directly, as ``xml.etree.ElementTree`` would serialise the tree after
# ``ET.indent`` (tested against it): attributes in the order they are set, escaped as
# ElementTree escapes them (:mod:`threatforge.text.xml`), an element without text or children
# closed with " />", each child on its own line indented by two spaces per level. A large model
# has hundreds of thousands of test cases: building and serialising the element tree took
# seconds.


def _attributes(**attributes: str | int) -> str:
    return "".join(f' {name}="{_attribute(str(value))}"' for name, value in attributes.items())


# Indentation of the lines of each level: suites, cases, a case's child element.
_SUITE = "\n  "
_CASE = "\n    "
_CHILD = "\n      "


class _Suite:
    def __init__(self, rule: str, names: dict[str, str]) -> None:
        self.rule = rule
        self.names = names
        """Escaped attribute values, shared by the suites: the same elements recur in each."""
        self.classname = _attribute(f"threatforge.{rule}")
        self.cases: list[str] = []
        self.tests = self.failures = self.skipped = self.errors = 0

    def case(self, name: str, finding: Finding | None = None, child: str = "") -> None:
        """A test case; ``child`` is the text of its one child element, if any."""
        self.tests += 1
        attributes = f' classname="{self.classname}" name="{self.escaped(name)}" time="0"'
        location = finding.location if finding is not None else None
        if location is not None:
            attributes += f' file="{self.escaped(location.file)}"'
            if location.line:
                attributes += f' line="{self.escaped(str(location.line))}"'
        if child:
            self.cases.append(f"<testcase{attributes}>{_CHILD}{child}{_CASE}</testcase>")
        else:
            self.cases.append(f"<testcase{attributes} />")

    def escaped(self, value: str) -> str:
        """An attribute value that recurs (element ids, the model file), escaped once."""
        escaped = self.names.get(value)
        if escaped is None:
            escaped = self.names[value] = _attribute(value)
        return escaped

    def text(self) -> str:
        attributes = _attributes(
            name=self.rule,
            tests=self.tests,
            failures=self.failures,
            errors=self.errors,
            skipped=self.skipped,
            time="0",
        )
        if not self.cases:
            return f"<testsuite{attributes} />"
        return f"<testsuite{attributes}>{_CASE}{_CASE.join(self.cases)}{_SUITE}</testsuite>"


def _details(finding: Finding) -> str:
    """A failure's text: one line per item, each piece of model or pack text kept on its line
    (line breaks in it become spaces), so that it cannot add a line of its own."""
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


def _skipped(message: str) -> str:
    return f'<skipped message="{_attribute(message)}" />'


def _fired(suite: _Suite, subjects: str, finding: Finding | None) -> None:
    if finding is None:
        suite.skipped += 1
        suite.case(subjects, finding, _skipped("finding below the severity shown"))
        return
    if finding.is_open:
        suite.failures += 1
        attributes = _attributes(
            message=f"{finding.severity.value}: {finding.title}", type=finding.severity.value
        )
        details = _text(_details(finding))
        child = f"<failure{attributes}>{details}</failure>" if details else (
            f"<failure{attributes} />"
        )
        suite.case(subjects, finding, child)
        return
    suite.skipped += 1
    decision = finding.decision
    reason = decision.justification if decision is not None and decision.justification else ""
    message = f"{finding.status.value}: {finding.title}" + (f" — {reason}" if reason else "")
    suite.case(subjects, finding, _skipped(message))


def render_junit(assessment: Assessment, model: Model) -> str:
    """The assessment as JUnit XML text."""
    with collector_off():  # hundreds of thousands of short-lived strings and lists
        return _render(assessment)


def _render(assessment: Assessment) -> str:
    findings = {f.fingerprint: f for f in assessment.findings}
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
    names: dict[str, str] = {}
    for summary in summaries:
        seen_rules.add(summary.rule)
        suite = _Suite(summary.rule, names)
        suites.append(suite)
        for subjects in summary.fired:
            _fired(suite, subjects, findings.get(f"{summary.rule}@{subjects}"))
        for element in summary.passed:
            suite.case(element)
        for element in summary.unknown:
            suite.skipped += 1
            facts = missing.get((summary.rule, element), [])
            wanted = f" (state {', '.join(facts)})" if facts else ""
            suite.case(
                element,
                child=_skipped(f"unknown: the model lacks the facts to decide{wanted}"),
            )
        for entry in errors_by_rule.get(summary.rule, []):
            _error(suite, entry)
    for rule in sorted(set(errors_by_rule) - seen_rules):
        suite = _Suite(rule, names)
        suites.append(suite)
        for entry in errors_by_rule[rule]:
            _error(suite, entry)
    attributes = _attributes(
        name=f"threatforge: {assessment.system}",
        tests=sum(s.tests for s in suites),
        failures=sum(s.failures for s in suites),
        errors=sum(s.errors for s in suites),
        skipped=sum(s.skipped for s in suites),
        time="0",
    )
    if suites:
        body = (
            f"<testsuites{attributes}>{_SUITE}{_SUITE.join(s.text() for s in suites)}\n"
            "</testsuites>"
        )
    else:
        body = f"<testsuites{attributes} />"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _error(suite: _Suite, entry: tuple[str, str]) -> None:
    element, message = entry
    suite.errors += 1
    suite.case(element, child=f"<error{_attributes(message=message, type='rule-error')} />")
