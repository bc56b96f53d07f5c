"""Results: findings, the assessment that holds them, and the types that describe them.

Below the rules in the layers (DESIGN.md): the rule engine builds an :class:`Assessment`;
exporters, reports, the gate and the server read one without importing the engine.
"""

from __future__ import annotations

from threatforge.assessment._analyses import (
    ANALYSES_NOT_RUN,
    BLAST_RADIUS_LISTED,
    BLAST_RADIUS_ORIGINS,
    REPORT_PATH_BUDGET,
    REPORT_PATHS,
    Analyses,
    AnalysisKind,
    AnalysisStatus,
    AttackPathsAnalysis,
    BlastRadiusAnalysis,
    BlastRadiusSummary,
    DataInReach,
    PciScopeAnalysis,
)
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
    "ANALYSES_NOT_RUN",
    "ASSESSMENT_SCHEMA_VERSION",
    "BLAST_RADIUS_LISTED",
    "BLAST_RADIUS_ORIGINS",
    "REPORT_PATHS",
    "REPORT_PATH_BUDGET",
    "Analyses",
    "AnalysisKind",
    "AnalysisStatus",
    "Assessment",
    "AttackPathsAnalysis",
    "BlastRadiusAnalysis",
    "BlastRadiusSummary",
    "Confidence",
    "DataInReach",
    "Decision",
    "Evidence",
    "Finding",
    "Linddun",
    "ModelGap",
    "Outcome",
    "PciScopeAnalysis",
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
