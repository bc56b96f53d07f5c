"""The JSON assessment: the documented, machine-readable result of ``threatforge analyze``.

Deterministic: the same model and rules give byte-identical output (no timestamps, no run ids,
sorted keys where order carries no meaning).
"""

from __future__ import annotations

import json
from typing import Any

from threatforge.model import Model
from threatforge.rules.assessment import Assessment
from threatforge.rules.interface import Finding, Severity

__all__ = ["ASSESSMENT_SCHEMA_VERSION", "assessment_to_dict", "finding_to_dict", "render_json"]

ASSESSMENT_SCHEMA_VERSION = 1


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
        "decision": None
        if decision is None
        else {
            "status": decision.status.value,
            "justification": decision.justification,
            "owner": decision.owner,
            "ticket": decision.ticket,
            "expires": decision.expires.isoformat() if decision.expires else None,
            "expired": decision.expired,
        },
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
        "findings": [finding_to_dict(f) for f in assessment.findings],
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
"""Above this many findings, each list item is written on one line (same data, ~10x faster:
Python's JSON encoder only runs in C without indentation)."""


def render_json(assessment: Assessment, model: Model | None = None) -> str:
    """The assessment as JSON text: indented, or one item per line for large assessments."""
    data = assessment_to_dict(assessment, model)
    if len(assessment.findings) <= INDENT_LIMIT:
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
