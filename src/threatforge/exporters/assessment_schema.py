"""The JSON Schema (Draft 2020-12) of the JSON assessment (``threatforge schema --assessment``)."""

from __future__ import annotations

from typing import Any

__all__ = ["assessment_json_schema"]

_STR_LIST = {"type": "array", "items": {"type": "string"}}
_INT_LIST = {"type": "array", "items": {"type": "integer"}}
_SEVERITY = {"enum": ["low", "medium", "elevated", "high", "critical"]}
_STATUS = {"enum": ["open", "in-discussion", "accepted", "in-progress", "mitigated", "false-positive"]}


def assessment_json_schema() -> dict[str, Any]:
    """The schema every ``analyze --format json`` output validates against (tested)."""
    finding = {
        "type": "object",
        "required": [
            "rule", "title", "fingerprint", "elements", "severity", "likelihood", "impact",
            "confidence", "explanation", "status", "evidence", "mitigations", "stride", "linddun",
            "cwe", "capec", "owasp", "attack",
        ],
        "properties": {
            "rule": {"type": "string", "description": "The rule id."},
            "title": {"type": "string"},
            "fingerprint": {
                "type": "string",
                "description": "rule-id@element-id[,element-id]: stable across runs and edits.",
            },
            "elements": _STR_LIST,
            "severity": _SEVERITY,
            "likelihood": {"type": "integer", "minimum": 1, "maximum": 5},
            "impact": {"type": "integer", "minimum": 1, "maximum": 5},
            "confidence": {"enum": ["low", "medium", "high"]},
            "explanation": {"type": "string", "description": "Why the score is what it is."},
            "likelihood_factors": _STR_LIST,
            "impact_factors": _STR_LIST,
            "status": _STATUS,
            "decision": {
                "type": ["object", "null"],
                "properties": {
                    "status": _STATUS,
                    "justification": {"type": ["string", "null"]},
                    "owner": {"type": ["string", "null"]},
                    "ticket": {"type": ["string", "null"]},
                    "expires": {"type": ["string", "null"], "format": "date"},
                    "expired": {"type": "boolean"},
                },
            },
            "description": {"type": "string"},
            "evidence": _STR_LIST,
            "mitigations": _STR_LIST,
            "stride": _STR_LIST,
            "linddun": _STR_LIST,
            "cwe": _INT_LIST,
            "capec": _INT_LIST,
            "owasp": {
                "type": "object",
                "properties": {"asvs": _STR_LIST, "api_top10": _STR_LIST},
            },
            "attack": _STR_LIST,
            "references": _STR_LIST,
            "data": _STR_LIST,
            "domain": {"type": "string"},
            "compliance": _STR_LIST,
            "location": {
                "type": ["object", "null"],
                "properties": {
                    "file": {"type": "string"},
                    "line": {"type": "integer"},
                    "column": {"type": "integer"},
                },
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://threatforge.dev/schema/assessment-1.json",
        "title": "threatforge assessment",
        "type": "object",
        "required": ["threatforge_assessment", "system", "summary", "findings"],
        "properties": {
            "threatforge_assessment": {"const": 1},
            "system": {"type": "string"},
            "files": _STR_LIST,
            "summary": {"type": "object"},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "model_gaps": {"type": "array", "items": {"type": "object"}},
            "rule_errors": {"type": "array", "items": {"type": "object"}},
            "stale_tracking": {"type": "array", "items": {"type": "object"}},
            "warnings": _STR_LIST,
            "rules": {"type": "array", "items": {"type": "object"}},
        },
        "$defs": {"finding": finding},
    }
