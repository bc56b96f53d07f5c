"""Results: findings, the assessment that holds them, and the types that describe them.

Below the rules in the layers (DESIGN.md): the rule engine builds an :class:`Assessment`;
exporters, reports, the gate and the server read one without importing the engine. The gate's
verdict and its decision and baseline results (:mod:`.gate`, :mod:`.decisions`) are data here
too; the gate that decides them is :mod:`threatforge.sdlc`.
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
from threatforge.assessment._decisions import (
    DECISION_STATUSES,
    OPEN_STATUSES,
    REASON_REQUIRED,
    DecisionStatus,
    is_open_status,
)
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
from threatforge.assessment._team_threats import (
    STATED_BY_TEAM,
    TEAM_THREAT_RULE,
    TeamThreat,
    team_threat_fingerprint,
    threat_statement,
)
from threatforge.assessment._threats import (
    NOT_CONFIRMED,
    Answer,
    ApplicableThreat,
    Question,
    QuestionFact,
    RuledOut,
)
from threatforge.assessment.decisions import (
    BaseComparison,
    DecisionChange,
    HidingChange,
    InvalidDecision,
)
from threatforge.assessment.gate import (
    AppliedPolicy,
    GateMode,
    GateResult,
    PolicyViolation,
    RaisedSeverity,
)

__all__ = [
    "ANALYSES_NOT_RUN",
    "ASSESSMENT_SCHEMA_VERSION",
    "BLAST_RADIUS_LISTED",
    "BLAST_RADIUS_ORIGINS",
    "DECISION_STATUSES",
    "NOT_CONFIRMED",
    "OPEN_STATUSES",
    "REASON_REQUIRED",
    "REPORT_PATHS",
    "REPORT_PATH_BUDGET",
    "STATED_BY_TEAM",
    "TEAM_THREAT_RULE",
    "Analyses",
    "AnalysisKind",
    "AnalysisStatus",
    "Answer",
    "ApplicableThreat",
    "AppliedPolicy",
    "Assessment",
    "AttackPathsAnalysis",
    "BaseComparison",
    "BlastRadiusAnalysis",
    "BlastRadiusSummary",
    "Confidence",
    "DataInReach",
    "Decision",
    "DecisionChange",
    "DecisionStatus",
    "Evidence",
    "Finding",
    "GateMode",
    "GateResult",
    "HidingChange",
    "InvalidDecision",
    "Linddun",
    "ModelGap",
    "Outcome",
    "PciScopeAnalysis",
    "PolicyViolation",
    "Question",
    "QuestionFact",
    "RaisedSeverity",
    "RuleFailure",
    "RuleInfo",
    "RuleSummary",
    "RuledOut",
    "Severity",
    "StaleDecision",
    "Stride",
    "TeamThreat",
    "assessment_from_dict",
    "assessment_json",
    "assessment_to_dict",
    "finding_to_dict",
    "is_open_status",
    "parse_assessment",
    "read_assessment",
    "team_threat_fingerprint",
    "threat_statement",
]
