"""Results: findings, the assessment that holds them, and the types that describe them.

Below the rules in the layers (DESIGN.md): the rule engine builds an :class:`Assessment`;
exporters, reports, the gate and the server read one without importing the engine.
"""

from __future__ import annotations

from threatforge.assessment._assessment import Assessment
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
]
