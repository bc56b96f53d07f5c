"""Rules, the engine that runs them, scoring and tracking."""

from __future__ import annotations

from threatforge.rules.assessment import Assessment
from threatforge.rules.engine import analyze
from threatforge.rules.interface import (
    PASS,
    Confidence,
    Decision,
    Evidence,
    Finding,
    Fire,
    Linddun,
    ModelGap,
    Outcome,
    Rule,
    RuleFailure,
    RuleMeta,
    RuleSummary,
    Severity,
    Skip,
    StaleDecision,
    Stride,
    Target,
    Unknown,
    Verdict,
    rule,
)
from threatforge.rules.registry import ENTRY_POINT_GROUP, RuleSet, builtin_rules, load_rule_set

__all__ = [
    "ENTRY_POINT_GROUP",
    "PASS",
    "Assessment",
    "Confidence",
    "Decision",
    "Evidence",
    "Finding",
    "Fire",
    "Linddun",
    "ModelGap",
    "Outcome",
    "Rule",
    "RuleFailure",
    "RuleMeta",
    "RuleSet",
    "RuleSummary",
    "Severity",
    "Skip",
    "StaleDecision",
    "Stride",
    "Target",
    "Unknown",
    "Verdict",
    "analyze",
    "builtin_rules",
    "load_rule_set",
    "rule",
]
