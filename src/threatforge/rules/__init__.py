"""Rules, the engine that runs them, scoring and tracking.

The result types (:class:`Finding`, :class:`Assessment`, ...) live in :mod:`threatforge.assessment`
below the rules; they are re-exported here for callers that import them with the rules.
"""

from __future__ import annotations

from threatforge.assessment import ApplicableThreat, Assessment, RuleInfo
from threatforge.rules.engine import analyze
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    Crosses,
    DataScope,
    Decision,
    ElementSet,
    Evidence,
    Finding,
    Fire,
    Linddun,
    ModelGap,
    Outcome,
    Rule,
    RuledOut,
    RuleFailure,
    RuleMeta,
    RuleSummary,
    Severity,
    Skip,
    StaleDecision,
    Stride,
    Supersedes,
    SupersedesWhere,
    Target,
    Unknown,
    Verdict,
    rule,
)
from threatforge.rules.registry import ENTRY_POINT_GROUP, RuleSet, builtin_rules, load_rule_set

__all__ = [
    "ENTRY_POINT_GROUP",
    "PASS",
    "ApplicableThreat",
    "Ask",
    "AskFact",
    "Assessment",
    "Confidence",
    "Crosses",
    "DataScope",
    "Decision",
    "ElementSet",
    "Evidence",
    "Finding",
    "Fire",
    "Linddun",
    "ModelGap",
    "Outcome",
    "Rule",
    "RuleFailure",
    "RuleInfo",
    "RuleMeta",
    "RuleSet",
    "RuleSummary",
    "RuledOut",
    "Severity",
    "Skip",
    "StaleDecision",
    "Stride",
    "Supersedes",
    "SupersedesWhere",
    "Target",
    "Unknown",
    "Verdict",
    "analyze",
    "builtin_rules",
    "load_rule_set",
    "rule",
]
