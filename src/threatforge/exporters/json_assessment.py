"""The JSON assessment: the documented, machine-readable result of ``threatforge analyze``.

Deterministic: the same model and rules give byte-identical output (no timestamps, no run ids,
sorted keys where order carries no meaning).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from threatforge.assessment import Assessment
from threatforge.exporters._json_text import JsonText, dumps_indented
from threatforge.exporters.interface import AssessmentExporter
from threatforge.model import Model
from threatforge.rules.interface import Decision, Finding, Severity

__all__ = [
    "ASSESSMENT_SCHEMA_VERSION",
    "JsonExporter",
    "assessment_to_dict",
    "finding_lines",
    "finding_to_dict",
    "render_json",
]

ASSESSMENT_SCHEMA_VERSION = 1


def _decision_to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "status": decision.status.value,
        "justification": decision.justification,
        "owner": decision.owner,
        "ticket": decision.ticket,
        "expires": decision.expires.isoformat() if decision.expires else None,
        "expired": decision.expired,
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding as plain JSON data."""
    decision = finding.decision
    return {
        "rule": finding.rule,
        "title": finding.title,
        "fingerprint": finding.fingerprint,
        "elements": list(finding.elements),
        "severity": finding.severity.value,
        "likelihood": finding.likelihood,
        "impact": finding.impact,
        "confidence": finding.confidence.value,
        "explanation": finding.explanation,
        "likelihood_factors": list(finding.likelihood_factors),
        "impact_factors": list(finding.impact_factors),
        "status": finding.status.value,
        "decision": None if decision is None else _decision_to_dict(decision),
        "description": finding.description,
        "evidence": list(finding.evidence),
        "mitigations": list(finding.mitigations),
        "stride": [s.value for s in finding.stride],
        "linddun": [c.value for c in finding.linddun],
        "cwe": list(finding.cwe),
        "capec": list(finding.capec),
        "owasp": {"asvs": list(finding.asvs), "api_top10": list(finding.api_top10)},
        "attack": list(finding.attack),
        "references": list(finding.references),
        "data": list(finding.data),
        "domain": finding.domain,
        "compliance": list(finding.compliance),
        "location": None
        if finding.location is None
        else {
            "file": finding.location.file,
            "line": finding.location.line,
            "column": finding.location.column,
        },
    }


def assessment_to_dict(assessment: Assessment, model: Model | None = None) -> dict[str, Any]:
    """The whole assessment as plain JSON data."""
    return _document(assessment, model, [finding_to_dict(f) for f in assessment.findings])


def _document(
    assessment: Assessment, model: Model | None, findings: list[dict[str, Any]]
) -> dict[str, Any]:
    counts = assessment.count_by_severity()
    return {
        "threatforge_assessment": ASSESSMENT_SCHEMA_VERSION,
        "system": assessment.system,
        "as_of": assessment.as_of,
        "files": list(assessment.files),
        "summary": {
            "findings": len(assessment.findings),
            "open": len(assessment.open_findings),
            "open_by_severity": {s.value: counts[s] for s in reversed(Severity)},
            "rules_run": len(assessment.rules_run),
            "model_gaps": len(assessment.gaps),
            "rule_errors": len(assessment.rule_errors),
            "elements": model.element_count if model is not None else None,
        },
        "findings": findings,
        "model_gaps": [
            {
                "element": g.element,
                "element_kind": g.element_kind,
                "fact": g.fact,
                "rules": list(g.rules),
                "message": g.message,
            }
            for g in assessment.gaps
        ],
        "rule_errors": [
            {"rule": e.rule, "element": e.element, "error": e.error} for e in assessment.rule_errors
        ],
        "stale_tracking": [
            {
                "fingerprint": s.fingerprint,
                "status": s.status.value,
                "location": str(s.location) if s.location else None,
            }
            for s in assessment.stale
        ],
        "warnings": list(assessment.warnings),
        "rules": [
            {
                "rule": s.rule,
                "fired": len(s.fired),
                "passed": len(s.passed),
                "unknown": len(s.unknown),
                "skipped": len(s.skipped),
            }
            for s in assessment.summaries
        ],
    }


INDENT_LIMIT = 1000
"""Above this many findings, each list item is written on one line (same data, smaller, and
faster still than the indented text)."""


def render_json(assessment: Assessment, model: Model | None = None) -> str:
    """The assessment as JSON text: indented, or one item per line for large assessments."""
    # Hundreds of thousands of short-lived strings and lists, no cycles: keep the collector
    # from walking the model and the assessment again and again meanwhile.
    if len(assessment.findings) <= INDENT_LIMIT:
        data = assessment_to_dict(assessment, model)
        return dumps_indented(data, ensure_ascii=False) + "\n"
    return _render_item_per_line(assessment, model)


def _render_item_per_line(assessment: Assessment, model: Model | None) -> str:
    """One list item per line; the findings written by :func:`finding_lines`."""
    document = _document(assessment, model, [])
    # One flat list of pieces and a single join: the text is tens of MB on large models,
    # and every intermediate copy of it costs a fresh allocation and its page faults.
    pieces = ["{\n"]
    separator = ""
    for key, value in document.items():
        pieces += (separator, f"  {json.dumps(key)}: ")
        separator = ",\n"
        if key == "findings":
            items = finding_lines(assessment.findings)
        elif isinstance(value, list) and value:
            items = [json.dumps(v, ensure_ascii=False) for v in value]
        else:
            pieces.append(json.dumps(value, ensure_ascii=False))
            continue
        if not items:
            pieces.append("[]")
            continue
        pieces.append("[\n    ")
        for item in items:
            pieces += (item, ",\n    ")
        pieces[-1] = "\n  ]"
    pieces.append("\n}\n")
    return "".join(pieces)


def finding_lines(findings: Iterable[Finding]) -> list[str]:
    """Each finding as the one-line text of ``json.dumps(finding_to_dict(f), ensure_ascii=False)``.

    Byte-identical to that (tested), several times faster: the text is written directly, and
    what findings share (a rule's description, mitigations, references and categories; score
    factors; data lists) is encoded once. A finding holding a value of an unexpected type is
    written by ``json.dumps`` itself.
    """
    out = JsonText(ensure_ascii=False, compact=False)
    string, text, strings, value = out.string, out.text, out.strings, out.value
    members, integer, integers = out.members, out.integer, out.integers
    # Remembered texts looked up inline (dict.get, no Python call on a hit); every text is
    # non-empty, so ``get(x) or encode(x)`` encodes only on a miss.
    known_text, known_list, known_value = out.known_texts, out.known_lists, out.known_values
    lines: list[str] = []
    append = lines.append
    for f in findings:
        try:
            decision = f.decision
            location = f.location
            append(
                f'{{"rule": {known_text(f.rule) or text(f.rule)}, '
                f'"title": {string(f.title)}, "fingerprint": {string(f.fingerprint)}, '
                f'"elements": {known_list(f.elements) or strings(f.elements)}, '
                f'"severity": {known_value(f.severity) or value(f.severity)}, '
                f'"likelihood": {integer(f.likelihood)}, "impact": {integer(f.impact)}, '
                f'"confidence": {known_value(f.confidence) or value(f.confidence)}, '
                f'"explanation": {string(f.explanation)}, "likelihood_factors": '
                f"{known_list(f.likelihood_factors) or strings(f.likelihood_factors)}, "
                f'"impact_factors": {known_list(f.impact_factors) or strings(f.impact_factors)}, '
                f'"status": {known_value(f.status) or value(f.status)}, "decision": '
                + ("null" if decision is None else out.dumps(_decision_to_dict(decision)))
                + f', "description": {known_text(f.description) or text(f.description)}, '
                f'"evidence": {known_list(f.evidence) or strings(f.evidence)}, '
                f'"mitigations": {known_list(f.mitigations) or strings(f.mitigations)}, '
                f'"stride": {members(f.stride)}, "linddun": {members(f.linddun)}, '
                f'"cwe": {integers(f.cwe)}, "capec": {integers(f.capec)}, '
                f'"owasp": {{"asvs": {known_list(f.asvs) or strings(f.asvs)}, '
                f'"api_top10": {known_list(f.api_top10) or strings(f.api_top10)}}}, '
                f'"attack": {known_list(f.attack) or strings(f.attack)}, '
                f'"references": {known_list(f.references) or strings(f.references)}, '
                f'"data": {known_list(f.data) or strings(f.data)}, '
                f'"domain": {known_text(f.domain) or text(f.domain)}, '
                f'"compliance": {known_list(f.compliance) or strings(f.compliance)}, '
                '"location": '
                + (
                    "null"
                    if location is None
                    else f'{{"file": {known_text(location.file) or text(location.file)}, '
                    f'"line": {integer(location.line)}, "column": {integer(location.column)}}}'
                )
                + "}"
            )
        except (TypeError, AttributeError, ValueError):
            append(out.dumps(finding_to_dict(f)))
    return lines


class JsonExporter(AssessmentExporter):
    """The JSON assessment: every finding, gap and outcome (docs/assessment.md)."""

    name = "json"
    description = "The JSON assessment: every finding, gap and outcome (docs/assessment.md)."
    suffix = ".json"
    media_type = "application/json"

    def export(self, assessment: Assessment, model: Model) -> str:
        return render_json(assessment, model)
