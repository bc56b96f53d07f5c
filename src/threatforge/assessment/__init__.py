"""Results: findings, the assessment that holds them, and the types that describe them.

Below the rules in the layers (DESIGN.md): the rule engine builds an :class:`Assessment`;
exporters, reports, the gate and the server read one without importing the engine.
"""

from __future__ import annotations

from threatforge.assessment._assessment import Assessment
from threatforge.assessment._json import (
    ASSESSMENT_SCHEMA_VERSION,
    assessment_from_dict,
    assessment_json,
    assessment_to_dict,
    finding_to_dict,
    parse_assessment,
    read_assessment,
)
from threatforge.assessment._results import (
    Confidence,
    Decision,
    Evidence,
    Finding,
    Linddun,
    ModelGap,
    Outcome,
    RuleFailure,
    RuleInfo,
    RuleSummary,
    Severity,
    StaleDecision,
    Stride,
)

__all__ = [
    "ASSESSMENT_SCHEMA_VERSION",
    "Assessment",
    "Confidence",
    "Decision",
    "Evidence",
    "Finding",
    "Linddun",
    "ModelGap",
    "Outcome",
    "RuleFailure",
    "RuleInfo",
    "RuleSummary",
    "Severity",
    "StaleDecision",
    "Stride",
    "assessment_from_dict",
    "assessment_json",
    "assessment_to_dict",
    "finding_to_dict",
    "parse_assessment",
    "read_assessment",
]
