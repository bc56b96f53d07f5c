"""The JSON assessment: the documented, machine-readable result of ``threatforge analyze``.

Deterministic: the same model and rules give byte-identical output (no timestamps, no run ids,
sorted keys where order carries no meaning).
"""

from __future__ import annotations

from typing import Any

from threatforge.assessment import Assessment
from threatforge.exporters.interface import AssessmentExporter
from threatforge.model import Model
from threatforge.rules.interface import Decision, Finding, Severity
from threatforge.text.json import json_text

__all__ = [
    "ASSESSMENT_SCHEMA_VERSION",
    "JsonExporter",
    "assessment_to_dict",
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


def render_json(assessment: Assessment, model: Model | None = None) -> str:
    """The assessment as JSON text, indented by two spaces, whatever its size."""
    return json_text(assessment_to_dict(assessment, model)) + "\n"


class JsonExporter(AssessmentExporter):
    """The JSON assessment: every finding, gap and outcome (docs/assessment.md)."""

    name = "json"
    description = "The JSON assessment: every finding, gap and outcome (docs/assessment.md)."
    suffix = ".json"
    media_type = "application/json"

    def export(self, assessment: Assessment, model: Model) -> str:
        return render_json(assessment, model)
