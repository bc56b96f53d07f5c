"""The JSON Schema (Draft 2020-12) of the JSON assessment (``threatforge schema --assessment``)."""

from __future__ import annotations

from typing import Any

__all__ = ["assessment_json_schema"]

_STR_LIST = {"type": "array", "items": {"type": "string"}}
_INT_LIST = {"type": "array", "items": {"type": "integer"}}
_SEVERITY = {"enum": ["low", "medium", "elevated", "high", "critical"]}
_STATUS = {
    "enum": ["open", "in-discussion", "accepted", "in-progress", "mitigated", "false-positive",
             "not-applicable"]
}
_COUNT = {"type": "integer", "minimum": 0}
_OPTIONAL = frozenset({"warn_only"})
"""Result keys written only when they say something (a warn-only rule's results)."""


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def assessment_json_schema() -> dict[str, Any]:
    """The schema every ``analyze --format json`` output validates against (tested)."""
    finding: dict[str, Any] = {
        "type": "object",
        "properties": {
            "rule": {"type": "string", "description": "The rule id."},
            "title": {"type": "string"},
            "fingerprint": {
                "type": "string",
                "description": (
                    "rule-id@element-id[,element-id]: stable across runs and edits; "
                    "rule-id@+N-more:DIGEST for the findings of one rule past the per-rule "
                    "cap, which change with the set they stand for."
                ),
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
                "required": ["status", "justification", "owner", "ticket", "expires", "expired"],
                "properties": {
                    "status": _STATUS,
                    "justification": {"type": ["string", "null"]},
                    "owner": {"type": ["string", "null"]},
                    "ticket": {"type": ["string", "null"]},
                    "expires": {"type": ["string", "null"], "format": "date"},
                    "expired": {"type": "boolean"},
                    "control": {"type": ["string", "null"]},
                    "evidence": {"type": ["string", "null"]},
                },
            },
            "description": {"type": "string"},
            "evidence": _STR_LIST,
            "mitigations": _STR_LIST,
            "stride": _STR_LIST,
            "linddun": _STR_LIST,
            "cwe": _INT_LIST,
            "capec": _INT_LIST,
            "owasp": _object({"asvs": _STR_LIST, "api_top10": _STR_LIST}),
            "attack": _STR_LIST,
            "references": _STR_LIST,
            "data": _STR_LIST,
            "domain": {"type": "string"},
            "compliance": _STR_LIST,
            "warn_only": {
                "const": True,
                "description": "Written only for a result of a warn-only rule: reported, "
                "never failing the gate (docs/rule-versions.md).",
            },
            "location": {
                "type": ["object", "null"],
                "required": ["file", "line", "column"],
                "properties": {
                    "file": {"type": "string"},
                    "line": {"type": "integer"},
                    "column": {"type": "integer"},
                },
            },
        },
    }
    summary = _object(
        {
            "findings": _COUNT,
            "open": _COUNT,
            "open_by_severity": _object(
                {s: _COUNT for s in ("critical", "high", "elevated", "medium", "low")}
            ),
            "applicable_threats": _COUNT,
            "open_applicable_threats": _COUNT,
            "team_threats": _COUNT,
            "open_team_threats": _COUNT,
            "rules_run": _COUNT,
            "model_gaps": _COUNT,
            "rule_errors": _COUNT,
            "elements": {"type": ["integer", "null"], "minimum": 0},
        },
        required=[
            "findings", "open", "open_by_severity", "rules_run", "model_gaps", "rule_errors",
            "elements",
        ],
    )
    threat = _applicable_threat(finding)
    ruled_out = _object(
        {
            "rule": {"type": "string"},
            "fingerprint": {"type": "string", "description": "As the finding's would be."},
            "elements": _STR_LIST,
            "title": {"type": "string"},
            "evidence": {**_STR_LIST, "description": "The stated facts that rule it out."},
            "message": {"type": "string", "description": "'ruled out by ...'"},
        }
    )
    implied = _object(
        {
            "id": {"type": "string", "description": "<component>~<surface>"},
            "surface": {"type": "string", "description": "The catalogue's surface name."},
            "name": {"type": "string"},
            "kind": {"type": "string", "description": "What it is, in words."},
            "implied_by": {"type": "string", "description": "The component implying it."},
            "why": {"type": "string"},
            "holds": {**_STR_LIST, "description": "What is at stake there, in words."},
            "threats": {
                **_STR_LIST,
                "description": "Fingerprints of the findings and applicable threats of what "
                "can go wrong there (the surface's rules on the implying component or a flow "
                "into or out of it).",
            },
        }
    )
    gap = _object(
        {
            "element": {"type": "string"},
            "element_kind": {"type": "string"},
            "fact": {"type": "string", "description": "The attribute to state, e.g. authn."},
            "rules": _STR_LIST,
            "message": {"type": "string"},
        }
    )
    rule_error = _object(
        {
            "rule": {"type": "string", "description": "The rule id, or 'plugin'."},
            "element": {"type": ["string", "null"]},
            "error": {"type": "string"},
        }
    )
    stale = _object(
        {
            "fingerprint": {"type": "string"},
            "status": _STATUS,
            "location": {"type": ["string", "null"], "description": "file:line:column"},
            "moved_to": {
                "type": "string",
                "description": "The new fingerprint of the finding the entry was about, since "
                "its rule regrouped its findings (one per root cause); absent otherwise.",
            },
        },
        ["fingerprint", "status", "location"],
    )
    outcome = _object(
        {
            "rule": {"type": "string"},
            "fired": _COUNT,
            "passed": _COUNT,
            "unknown": _COUNT,
            "skipped": _COUNT,
            "outcomes": _object(
                {
                    "fired": _STR_LIST,
                    "passed": _STR_LIST,
                    "unknown": _STR_LIST,
                    "skipped": {
                        "type": "array",
                        "description": "[element, reason] pairs",
                        "items": {
                            "type": "array",
                            "prefixItems": [{"type": "string"}, {"type": "string"}],
                            "minItems": 2,
                            "maxItems": 2,
                        },
                    },
                }
            ),
        },
        required=["rule", "fired", "passed", "unknown", "skipped"],
    )
    finding["required"] = [k for k in finding["properties"] if k not in _OPTIONAL]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://threatforge.dev/schema/assessment-1.json",
        "title": "threatforge assessment",
        "type": "object",
        "required": [
            "threatforge_assessment", "system", "as_of", "files", "summary", "findings",
            "model_gaps", "rule_errors", "stale_tracking", "warnings", "rules",
        ],
        "description": (
            "rules_run and each rule's outcomes are written since the assessment could be "
            "read back; older files lack them and are still read (counts only)."
        ),
        "properties": {
            "threatforge_assessment": {"const": 1},
            "system": {"type": "string"},
            "as_of": {
                "type": "string",
                "format": "date",
                "description": "The date tracking decisions (expiry) were judged against.",
            },
            "files": _STR_LIST,
            "summary": summary,
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "applicable_threats": {
                "type": "array",
                "items": threat,
                "description": "Threats that apply and that no stated fact rules out yet, "
                "each with the question that decides it (absent in older files: none).",
            },
            "ruled_out": {
                "type": "array",
                "items": ruled_out,
                "description": "Threats a stated fact rules out, with the evidence.",
            },
            "team_threats": {
                "type": "array",
                "items": _team_threat(finding),
                "description": "The team's own threats (threats: in the model), each with its "
                "Threat Composer statement (absent when the model has none).",
            },
            "implied_elements": {
                "type": "array",
                "items": implied,
                "description": "Elements the model does not draw that its components imply "
                "(absent in older files: none).",
            },
            "model_gaps": {"type": "array", "items": gap},
            "rule_errors": {"type": "array", "items": rule_error},
            "stale_tracking": {"type": "array", "items": stale},
            "warnings": _STR_LIST,
            "rules_run": {**_STR_LIST, "description": "The ids of every rule that ran."},
            "rules": {"type": "array", "items": outcome},
            "analyses": _analyses(),
        },
        "$defs": {"finding": finding},
    }


def _applicable_threat(finding: dict[str, Any]) -> dict[str, Any]:
    """An applicable threat: a finding's fields without ``evidence``, with ``why`` and the
    ``question``; confidence is always ``not-confirmed``."""
    properties = {k: v for k, v in finding["properties"].items() if k != "evidence"}
    properties["confidence"] = {"const": "not-confirmed"}
    properties["why"] = {**_STR_LIST, "description": "The facts that made it applicable."}
    properties["question"] = _object(
        {
            "text": {"type": "string"},
            "facts": {
                "type": "array",
                "items": _object(
                    {
                        "element": {"type": "string"},
                        "path": {
                            "type": "string",
                            "description": "Where to write the answer under the element, "
                            "e.g. properties.dual_approval.",
                        },
                        "answers": {
                            "type": "object",
                            "description": "Each value (as YAML) and what it does.",
                            "additionalProperties": {"enum": ["rules out", "confirms"]},
                        },
                    }
                ),
            },
        }
    )
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in _OPTIONAL],
    }


def _team_threat(finding: dict[str, Any]) -> dict[str, Any]:
    """A team threat (docs/team-threats.md): the statement and its parts, a severity with its
    reason; confidence is always ``stated-by-team``."""
    shared = finding["properties"]
    text_or_null = {"type": ["string", "null"]}
    score = {"type": ["integer", "null"], "minimum": 1, "maximum": 5}
    properties = {
        "rule": {"const": "team-threat"},
        "id": {"type": "string", "description": "Its key under threats:."},
        "fingerprint": {"type": "string", "description": "team-threat@<id>: its tracking key."},
        "statement": {"type": "string", "description": "The Threat Composer sentence."},
        "elements": _STR_LIST,
        "severity": _SEVERITY,
        "severity_reason": {"type": "string"},
        "confidence": {"const": "stated-by-team"},
        "status": _STATUS,
        "decision": shared["decision"],
        "source": {"type": "string"},
        "prerequisites": text_or_null,
        "action": {"type": "string"},
        "impact": text_or_null,
        "impacted_goal": _STR_LIST,
        "impacted_assets": _STR_LIST,
        "stride": _STR_LIST,
        "priority": {"enum": ["high", "medium", "low", None]},
        "mitigations": _STR_LIST,
        "controls": {**_STR_LIST, "description": "The mitigations that name declared controls."},
        "cwe": _INT_LIST,
        "likelihood": score,
        "impact_score": score,
        "type": text_or_null,
        "description": text_or_null,
        "tags": _STR_LIST,
        "location": shared["location"],
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


def _analyses() -> dict[str, Any]:
    """The graph analyses (absent when none was run, and in files written before them)."""
    status = {
        "enum": ["computed", "not-applicable", "failed", "not-run"],
        "description": "Results are present only when computed; a failed analysis's reason "
        "is its error, a not-applicable one's what the model lacks.",
    }
    positive = {"type": "integer", "minimum": 1}
    hop = _object(
        {
            "flow": {"type": "string"},
            "from": {"type": "string"},
            "to": {"type": "string"},
            "pulled": {"type": "boolean"},
            "effort": _COUNT,
            "authn": {"type": "string"},
            "strength": {"enum": ["none", "weak", "strong", "unknown"]},
            "into_more_trusted_zone": {"type": "boolean"},
            "boundaries": _STR_LIST,
            "why": {"type": "string"},
        }
    )
    path = _object(
        {
            "entry": {"type": "string"},
            "target": {"type": "string"},
            "score": {**_COUNT, "description": "Attacker effort: entry_effort plus every hop's."},
            "weak": {"type": "boolean"},
            "components": _STR_LIST,
            "flows": _STR_LIST,
            "hops": {"type": "array", "items": hop, "minItems": 1},
            "boundaries": _STR_LIST,
            "weakest_hop": _object(
                {"flow": {"type": "string"}, "effort": _COUNT, "why": {"type": "string"}}
            ),
            "entry_effort": _COUNT,
            "entry_why": {"type": "string"},
            "target_why": {"type": "string"},
        }
    )
    category = {
        "enum": ["cde", "security-impacting", "connected-to", "third-party", "out-of-scope"]
    }
    scope = _object(
        {
            "account_data": _STR_LIST,
            "components": {
                "type": "array",
                "items": _object(
                    {
                        "component": {"type": "string"},
                        "zone": {"type": ["string", "null"]},
                        "category": category,
                        "in_scope": {"type": "boolean"},
                        "reasons": _STR_LIST,
                        "pci_data": _STR_LIST,
                    }
                ),
            },
            "summary": _object({name: _STR_LIST for name in category["enum"]}),
            "segmentation_violations": {
                "type": "array",
                "items": _object(
                    {
                        "component": {"type": "string"},
                        "cde_component": {"type": "string"},
                        "path": {
                            "type": "array",
                            "items": _object(
                                {
                                    "flow": {"type": "string"},
                                    "from": {"type": "string"},
                                    "to": {"type": "string"},
                                    "gaps": _STR_LIST,
                                }
                            ),
                        },
                    }
                ),
            },
        }
    )
    radius = _object(
        {
            "origin": {"type": "string"},
            "reached": {**_COUNT, "description": "Components in reach."},
            "max_hops": _COUNT,
            "nearest": {
                "type": "array",
                "items": _object(
                    {
                        "component": {"type": "string"},
                        "hops": positive,
                        "via": {"type": "string"},
                        "zone": {"type": ["string", "null"]},
                    }
                ),
            },
            "data": {
                "type": "array",
                "items": _object(
                    {
                        "data": {"type": "string"},
                        "classification": {
                            "enum": ["public", "internal", "confidential", "restricted"]
                        },
                        "categories": _STR_LIST,
                        "holders": positive,
                    }
                ),
            },
        }
    )
    return _object(
        {
            "attack_paths": _object(
                {
                    "status": status,
                    "reason": {"type": "string"},
                    "k": positive,
                    "max_depth": positive,
                    "budget": positive,
                    "max_paths": _COUNT,
                    "pairs": _COUNT,
                    "capped": {"type": "boolean"},
                    "expanded": _COUNT,
                    "paths": {"type": "array", "items": path},
                }
            ),
            "pci_scope": _object(
                {
                    "status": status,
                    "reason": {"type": "string"},
                    "scope": {"oneOf": [{"type": "null"}, scope]},
                }
            ),
            "blast_radius": _object(
                {
                    "status": status,
                    "reason": {"type": "string"},
                    "max_origins": _COUNT,
                    "max_listed": _COUNT,
                    "radii": {"type": "array", "items": radius},
                }
            ),
        }
    )
