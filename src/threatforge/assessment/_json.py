"""The JSON assessment, both ways: the one writer and the one reader (docs/assessment.md).

The writer is what ``analyze --format json`` prints; the reader reads it back to an equal
:class:`Assessment` (tested on every example and on generated models), bounded and checked
against the documented shape, for baselines, reports, diff and the server. A JSON assessment may
come from the change under review (a committed baseline): the reader trusts nothing in it, and
every error names the file and the JSON path of the value at fault.

Deterministic: the same model and rules give byte-identical text (no timestamps, no run ids).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from threatforge.analysis import (
    AttackPath,
    Hop,
    PciScope,
    Reached,
    ScopeCategory,
    ScopedComponent,
    SegmentationHop,
    SegmentationViolation,
    Strength,
)
from threatforge.analysis.implied import ImpliedElement
from threatforge.analysis.render import path_to_dict, scope_to_dict
from threatforge.assessment._analyses import (
    ANALYSES_NOT_RUN,
    Analyses,
    AnalysisStatus,
    AttackPathsAnalysis,
    BlastRadiusAnalysis,
    BlastRadiusSummary,
    DataInReach,
    PciScopeAnalysis,
)
from threatforge.assessment._assessment import Assessment
from threatforge.assessment._results import (
    Confidence,
    Decision,
    Finding,
    Linddun,
    ModelGap,
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
)
from threatforge.assessment._threats import (
    NOT_CONFIRMED,
    Answer,
    ApplicableThreat,
    Question,
    QuestionFact,
    RuledOut,
)
from threatforge.model import Classification, JsonLimits, Location, Model, ReadError, TrackingStatus
from threatforge.model import parse_json_text as _parse_json_text
from threatforge.model import read_json_file as _read_json_file
from threatforge.text.json import json_text

__all__ = [
    "ASSESSMENT_SCHEMA_VERSION",
    "analyses_to_dict",
    "assessment_from_dict",
    "assessment_json",
    "assessment_to_dict",
    "finding_to_dict",
    "parse_assessment",
    "read_assessment",
    "team_threat_to_dict",
    "threat_to_dict",
]

ASSESSMENT_SCHEMA_VERSION = 1
"""The version this writer writes and the reader reads (``threatforge_assessment``)."""


# --- writing ------------------------------------------------------------------------------------


def _decision_to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "status": decision.status.value,
        "justification": decision.justification,
        "owner": decision.owner,
        "ticket": decision.ticket,
        "expires": decision.expires.isoformat() if decision.expires else None,
        "expired": decision.expired,
        "control": decision.control,
        "evidence": decision.evidence,
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
        **_warn_only(finding.meta),
        "location": None
        if finding.location is None
        else {
            "file": finding.location.file,
            "line": finding.location.line,
            "column": finding.location.column,
        },
    }


def _warn_only(info: RuleInfo) -> dict[str, Any]:
    """``warn_only: true`` for a result of a warn-only rule; nothing otherwise (so the JSON of
    every other result stays as it was)."""
    return {"warn_only": True} if info.warn_only else {}


def _rule_facts(info: RuleInfo) -> dict[str, Any]:
    """What a result says of its rule, as findings write it."""
    return {
        "description": info.description,
        "mitigations": list(info.mitigations),
        "stride": [s.value for s in info.stride],
        "linddun": [c.value for c in info.linddun],
        "cwe": list(info.cwe),
        "capec": list(info.capec),
        "owasp": {"asvs": list(info.asvs), "api_top10": list(info.api_top10)},
        "attack": list(info.attack),
        "references": list(info.references),
        "domain": info.domain,
        "compliance": list(info.compliance),
        **_warn_only(info),
    }


def _location_to_dict(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


def question_to_dict(question: Question) -> dict[str, Any]:
    """A question as the contract writes it: its text and facts with their answers."""
    return {
        "text": question.text,
        "facts": [
            {
                "element": fact.element,
                "path": fact.path,
                "answers": {value: effect.value for value, effect in fact.answers},
            }
            for fact in question.facts
        ],
    }


def threat_to_dict(threat: ApplicableThreat) -> dict[str, Any]:
    """One applicable threat as plain JSON data (docs/applicable-threats.md)."""
    decision = threat.decision
    return {
        "rule": threat.rule,
        "title": threat.title,
        "fingerprint": threat.fingerprint,
        "elements": list(threat.elements),
        "severity": threat.severity.value,
        "likelihood": threat.likelihood,
        "impact": threat.impact,
        "confidence": NOT_CONFIRMED,
        "explanation": threat.explanation,
        "likelihood_factors": list(threat.likelihood_factors),
        "impact_factors": list(threat.impact_factors),
        "status": threat.status.value,
        "decision": None if decision is None else _decision_to_dict(decision),
        "why": list(threat.why),
        "question": question_to_dict(threat.question),
        **_rule_facts(threat.meta),
        "data": list(threat.data),
        "location": _location_to_dict(threat.location),
    }


def team_threat_to_dict(threat: TeamThreat) -> dict[str, Any]:
    """One team threat as plain JSON data (docs/team-threats.md)."""
    decision = threat.decision
    return {
        "rule": threat.rule,
        "id": threat.id,
        "fingerprint": threat.fingerprint,
        "statement": threat.statement,
        "elements": list(threat.elements),
        "severity": threat.severity.value,
        "severity_reason": threat.severity_reason,
        "confidence": STATED_BY_TEAM,
        "status": threat.status.value,
        "decision": None if decision is None else _decision_to_dict(decision),
        "source": threat.source,
        "prerequisites": threat.prerequisites,
        "action": threat.action,
        "impact": threat.impact,
        "impacted_goal": list(threat.impacted_goal),
        "impacted_assets": list(threat.impacted_assets),
        "stride": [s.value for s in threat.stride],
        "priority": threat.priority,
        "mitigations": list(threat.mitigations),
        "controls": list(threat.controls),
        "cwe": list(threat.cwe),
        "likelihood": threat.likelihood,
        "impact_score": threat.impact_score,
        "type": threat.type,
        "description": threat.description,
        "tags": list(threat.tags),
        "location": _location_to_dict(threat.location),
    }


def _team_summary(assessment: Assessment) -> dict[str, Any]:
    """The team threats' counts, only when the model has team threats (older files and
    models without ``threats:`` stay as they were)."""
    if not assessment.team_threats:
        return {}
    return {
        "team_threats": len(assessment.team_threats),
        "open_team_threats": len(assessment.open_team_threats),
    }


def _ruled_out_to_dict(item: RuledOut) -> dict[str, Any]:
    return {
        "rule": item.rule,
        "fingerprint": item.fingerprint,
        "elements": list(item.elements),
        "title": item.title,
        "evidence": list(item.evidence),
        "message": item.message,
    }


def _implied_to_dict(item: ImpliedElement) -> dict[str, Any]:
    return {
        "id": item.id,
        "surface": item.surface,
        "name": item.name,
        "kind": item.kind,
        "implied_by": item.implied_by,
        "why": item.why,
        "holds": list(item.holds),
        "threats": list(item.threats),
    }


def assessment_to_dict(assessment: Assessment, model: Model | None = None) -> dict[str, Any]:
    """The whole assessment as plain JSON data (``model`` adds its element count)."""
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
            "applicable_threats": len(assessment.applicable_threats),
            "open_applicable_threats": len(assessment.open_threats),
            **_team_summary(assessment),
            "rules_run": len(assessment.rules_run),
            "model_gaps": len(assessment.gaps),
            "rule_errors": len(assessment.rule_errors),
            "elements": model.element_count if model is not None else None,
        },
        "findings": findings,
        "applicable_threats": [threat_to_dict(t) for t in assessment.applicable_threats],
        "ruled_out": [_ruled_out_to_dict(r) for r in assessment.ruled_out],
        # absent when the model has no team threats
        **(
            {"team_threats": [team_threat_to_dict(t) for t in assessment.team_threats]}
            if assessment.team_threats
            else {}
        ),
        "implied_elements": [_implied_to_dict(i) for i in assessment.implied],
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
        "stale_tracking": [_stale(s) for s in assessment.stale],
        "warnings": list(assessment.warnings),
        "rules_run": list(assessment.rules_run),
        "rules": [
            {
                "rule": s.rule,
                "fired": len(s.fired),
                "passed": len(s.passed),
                "unknown": len(s.unknown),
                "skipped": len(s.skipped),
                "outcomes": {
                    "fired": list(s.fired),
                    "passed": list(s.passed),
                    "unknown": list(s.unknown),
                    "skipped": [[element, reason] for element, reason in s.skipped],
                },
            }
            for s in assessment.summaries
        ],
        # absent when none was run, as in files written before assessments carried them
        **(
            {}
            if assessment.analyses.absent
            else {"analyses": analyses_to_dict(assessment.analyses)}
        ),
    }


def _stale(item: StaleDecision) -> dict[str, Any]:
    """A stale tracking entry; ``moved_to`` only when its finding has a new fingerprint."""
    written: dict[str, Any] = {
        "fingerprint": item.fingerprint,
        "status": item.status.value,
        "location": str(item.location) if item.location else None,
    }
    if item.moved_to is not None:
        written["moved_to"] = item.moved_to
    return written


def _radius_to_dict(radius: BlastRadiusSummary) -> dict[str, Any]:
    return {
        "origin": radius.origin,
        "reached": radius.reached,
        "max_hops": radius.max_hops,
        "nearest": [
            {"component": r.component, "hops": r.hops, "via": r.via, "zone": r.zone}
            for r in radius.nearest
        ],
        "data": [
            {
                "data": d.data,
                "classification": d.classification.value,
                "categories": list(d.categories),
                "holders": d.holders,
            }
            for d in radius.data
        ],
    }


def analyses_to_dict(analyses: Analyses) -> dict[str, Any]:
    """The analyses as plain JSON data: each with its status, reason and parameters; paths,
    scope and blast radii as ``threatforge paths|scope|blast-radius --format json`` write them."""
    paths, pci, radius = analyses.attack_paths, analyses.pci_scope, analyses.blast_radius
    return {
        "attack_paths": {
            "status": paths.status.value,
            "reason": paths.reason,
            "k": paths.k,
            "max_depth": paths.max_depth,
            "budget": paths.budget,
            "max_paths": paths.max_paths,
            "pairs": paths.pairs,
            "capped": paths.capped,
            "expanded": paths.expanded,
            "paths": [path_to_dict(p) for p in paths.paths],
        },
        "pci_scope": {
            "status": pci.status.value,
            "reason": pci.reason,
            "scope": None if pci.scope is None else scope_to_dict(pci.scope),
        },
        "blast_radius": {
            "status": radius.status.value,
            "reason": radius.reason,
            "max_origins": radius.max_origins,
            "max_listed": radius.max_listed,
            "radii": [_radius_to_dict(r) for r in radius.radii],
        },
    }


def assessment_json(assessment: Assessment, model: Model | None = None) -> str:
    """The assessment as JSON text, indented by two spaces, ending in a newline.

    Exactly ``json_text(assessment_to_dict(assessment, model)) + "\n"`` (tested), written one
    finding at a time: the findings' dicts are never all alive at once, which on 100,000
    findings is hundreds of MB.
    """
    head = json_text(_document(assessment, model, []))
    if not assessment.findings:
        return head + "\n"
    marker = '\n  "findings": [],'  # a key: in JSON text, quotes inside strings are escaped
    at = head.index(marker)
    pieces = [head[:at], '\n  "findings": [']
    for finding in assessment.findings:
        pieces += ("\n    ", json_text(finding_to_dict(finding)).replace("\n", "\n    "), ",")
    pieces[-1] = "\n  ],"
    pieces += (head[at + len(marker) :], "\n")
    return "".join(pieces)


# --- reading ------------------------------------------------------------------------------------

ASSESSMENT_LIMITS = JsonLimits(max_bytes=64 * 1024 * 1024, max_depth=32)
"""64 MiB (a 10,000-component estate's assessment is about 45 MB); an assessment nests six
levels."""


def read_assessment(
    path: str, display: str | None = None, limits: JsonLimits = ASSESSMENT_LIMITS
) -> Assessment:
    """Read a JSON assessment file (a regular file, within ``limits``); :class:`ReadError`
    names the file, and the JSON path of any value that is not what the format says."""
    shown = path if display is None else display
    data = _read_json_file(path, shown, limits, kind="a JSON assessment")
    return assessment_from_dict(data, shown)


def parse_assessment(
    text: str, display: str = "assessment.json", limits: JsonLimits = ASSESSMENT_LIMITS
) -> Assessment:
    """A JSON assessment from text (see :func:`read_assessment`)."""
    return assessment_from_dict(_parse_json_text(text, display, limits), display)


_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


class _Shape:
    """Reads one JSON document, naming the path of the first value that is not as documented."""

    def __init__(self, display: str) -> None:
        self.display = display

    def fail(self, where: str, message: str) -> ReadError:
        return ReadError(Location(self.display), f"{where}: {message}")

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if type(value) is not dict:
            raise self.fail(where, f"expected an object, found {_kind(value)}")
        return value

    def field(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data:
            raise self.fail(where, f"the required key '{key}' is missing")
        return data[key]

    def string(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.field(data, key, where)
        if type(value) is not str:
            raise self.fail(f"{where}.{key}", f"expected a string, found {_kind(value)}")
        return value

    def optional_str(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        return None if self.field(data, key, where) is None else self.string(data, key, where)

    def number(self, data: Mapping[str, Any], key: str, where: str, low: int = 0) -> int:
        value = self.field(data, key, where)
        if type(value) is not int or value < low:
            raise self.fail(f"{where}.{key}", f"expected an integer >= {low}, found {_kind(value)}")
        return value

    def flag(self, data: Mapping[str, Any], key: str, where: str) -> bool:
        value = self.field(data, key, where)
        if type(value) is not bool:
            raise self.fail(f"{where}.{key}", f"expected true or false, found {_kind(value)}")
        return value

    def enum(self, kind: type[_E], value: Any, where: str) -> _E:
        try:
            return kind(value)
        except (ValueError, TypeError):
            known = ", ".join(member.value for member in kind)
            raise self.fail(where, f"{_kind(value)} is not one of {known}") from None

    def member(self, kind: type[_E], data: Mapping[str, Any], key: str, where: str) -> _E:
        return self.enum(kind, self.field(data, key, where), f"{where}.{key}")

    def items(self, value: Any, where: str, item: Callable[[Any, str], _T]) -> tuple[_T, ...]:
        if type(value) is not list:
            raise self.fail(where, f"expected a list, found {_kind(value)}")
        return tuple(item(entry, f"{where}[{index}]") for index, entry in enumerate(value))

    def strs(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        return self.items(self.field(data, key, where), f"{where}.{key}", self.text)

    def ints(self, data: Mapping[str, Any], key: str, where: str) -> tuple[int, ...]:
        return self.items(self.field(data, key, where), f"{where}.{key}", self.integer)

    def text(self, value: Any, where: str) -> str:
        if type(value) is not str:
            raise self.fail(where, f"expected a string, found {_kind(value)}")
        return value

    def integer(self, value: Any, where: str) -> int:
        if type(value) is not int:
            raise self.fail(where, f"expected an integer, found {_kind(value)}")
        return value


def _meta_key(info: RuleInfo) -> tuple[Any, ...]:
    """What makes two copies of a rule's metadata the same (the title is per result)."""
    return (
        info.id,
        info.description,
        info.mitigations,
        info.cwe,
        info.stride,
        info.linddun,
        info.capec,
        info.asvs,
        info.api_top10,
        info.attack,
        info.references,
        info.domain,
        info.compliance,
        info.warn_only,
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "..."
        return repr(shown)
    if isinstance(value, int):
        return str(value) if abs(value) < 10**12 else "a very large integer"
    return {dict: "an object", list: "a list", float: "a fraction"}.get(type(value), "a value")


def assessment_from_dict(data: Any, display: str = "assessment.json") -> Assessment:
    """An :class:`Assessment` from JSON data as :func:`assessment_to_dict` writes it.

    Each rule's metadata is shared by its findings, as the engine shares it: read once per
    distinct metadata. The JSON does not carry a rule's title template, so ``meta.title`` of a
    read-back finding is its rendered title.
    """
    shape = _Shape(display)
    root = shape.mapping(data, "the assessment")
    version = root.get("threatforge_assessment")
    if version != ASSESSMENT_SCHEMA_VERSION:
        raise shape.fail(
            "threatforge_assessment",
            f"expected {ASSESSMENT_SCHEMA_VERSION}, found {_kind(version)}: not a JSON "
            "assessment this version of threatforge reads (write one with "
            "'threatforge analyze --format json')",
        )
    metas: dict[tuple[Any, ...], RuleInfo] = {}

    def rule_info(item: Mapping[str, Any], where: str) -> RuleInfo:
        owasp = shape.mapping(shape.field(item, "owasp", where), f"{where}.owasp")
        return RuleInfo(
            id=shape.string(item, "rule", where),
            title=shape.string(item, "title", where),
            description=shape.string(item, "description", where),
            mitigations=shape.strs(item, "mitigations", where),
            cwe=shape.ints(item, "cwe", where),
            stride=shape.items(
                shape.field(item, "stride", where),
                f"{where}.stride",
                lambda v, w: shape.enum(Stride, v, w),
            ),
            linddun=shape.items(
                shape.field(item, "linddun", where),
                f"{where}.linddun",
                lambda v, w: shape.enum(Linddun, v, w),
            ),
            capec=shape.ints(item, "capec", where),
            asvs=shape.strs(owasp, "asvs", f"{where}.owasp"),
            api_top10=shape.strs(owasp, "api_top10", f"{where}.owasp"),
            attack=shape.strs(item, "attack", where),
            references=shape.strs(item, "references", where),
            domain=shape.string(item, "domain", where),
            compliance=shape.strs(item, "compliance", where),
            warn_only=shape.flag(item, "warn_only", where) if "warn_only" in item else False,
        )

    def scored(item: Mapping[str, Any], where: str) -> dict[str, Any]:
        """The fields a finding and an applicable threat share: rule, element, score, decision."""
        info = rule_info(item, where)
        return {
            "meta": metas.setdefault(_meta_key(info), info),
            "title": info.title,
            "elements": shape.strs(item, "elements", where),
            "fingerprint": shape.string(item, "fingerprint", where),
            "likelihood": shape.number(item, "likelihood", where, low=1),
            "impact": shape.number(item, "impact", where, low=1),
            "severity": shape.member(Severity, item, "severity", where),
            "explanation": shape.string(item, "explanation", where),
            "data": shape.strs(item, "data", where),
            "status": shape.member(TrackingStatus, item, "status", where),
            "decision": decision(shape.field(item, "decision", where), f"{where}.decision"),
            "location": location(shape.field(item, "location", where), f"{where}.location"),
            "likelihood_factors": shape.strs(item, "likelihood_factors", where),
            "impact_factors": shape.strs(item, "impact_factors", where),
        }

    def finding(value: Any, where: str) -> Finding:
        item = shape.mapping(value, where)
        return Finding(
            **scored(item, where),
            confidence=shape.member(Confidence, item, "confidence", where),
            evidence=shape.strs(item, "evidence", where),
        )

    def threat(value: Any, where: str) -> ApplicableThreat:
        item = shape.mapping(value, where)
        confidence = shape.string(item, "confidence", where)
        if confidence != NOT_CONFIRMED:
            raise shape.fail(
                f"{where}.confidence", f"expected '{NOT_CONFIRMED}', found {_kind(confidence)}"
            )
        return ApplicableThreat(
            **scored(item, where),
            why=shape.strs(item, "why", where),
            question=question(shape.field(item, "question", where), f"{where}.question"),
        )

    def team_threat(value: Any, where: str) -> TeamThreat:
        item = shape.mapping(value, where)
        confidence = shape.string(item, "confidence", where)
        if confidence != STATED_BY_TEAM:
            raise shape.fail(
                f"{where}.confidence", f"expected '{STATED_BY_TEAM}', found {_kind(confidence)}"
            )
        rule = shape.string(item, "rule", where)
        threat_id = shape.string(item, "id", where)
        fingerprint = shape.string(item, "fingerprint", where)
        if rule != TEAM_THREAT_RULE or fingerprint != team_threat_fingerprint(threat_id):
            raise shape.fail(
                f"{where}.fingerprint",
                f"expected rule '{TEAM_THREAT_RULE}' and fingerprint "
                f"'{team_threat_fingerprint(threat_id)}'",
            )
        return TeamThreat(
            id=threat_id,
            fingerprint=fingerprint,
            statement=shape.string(item, "statement", where),
            source=shape.string(item, "source", where),
            action=shape.string(item, "action", where),
            severity=shape.member(Severity, item, "severity", where),
            severity_reason=shape.string(item, "severity_reason", where),
            prerequisites=shape.optional_str(item, "prerequisites", where),
            impact=shape.optional_str(item, "impact", where),
            impacted_goal=shape.strs(item, "impacted_goal", where),
            impacted_assets=shape.strs(item, "impacted_assets", where),
            elements=shape.strs(item, "elements", where),
            stride=shape.items(
                shape.field(item, "stride", where),
                f"{where}.stride",
                lambda v, w: shape.enum(Stride, v, w),
            ),
            priority=shape.optional_str(item, "priority", where),
            mitigations=shape.strs(item, "mitigations", where),
            controls=shape.strs(item, "controls", where),
            cwe=shape.ints(item, "cwe", where),
            likelihood=optional_score(item, "likelihood", where),
            impact_score=optional_score(item, "impact_score", where),
            type=shape.optional_str(item, "type", where),
            description=shape.optional_str(item, "description", where),
            tags=shape.strs(item, "tags", where),
            status=shape.member(TrackingStatus, item, "status", where),
            decision=decision(shape.field(item, "decision", where), f"{where}.decision"),
            location=location(shape.field(item, "location", where), f"{where}.location"),
        )

    def optional_score(item: Mapping[str, Any], key: str, where: str) -> int | None:
        if shape.field(item, key, where) is None:
            return None
        return shape.number(item, key, where, low=1)

    def question(value: Any, where: str) -> Question:
        item = shape.mapping(value, where)
        return Question(
            shape.string(item, "text", where),
            shape.items(shape.field(item, "facts", where), f"{where}.facts", question_fact),
        )

    def question_fact(value: Any, where: str) -> QuestionFact:
        item = shape.mapping(value, where)
        answers = shape.mapping(shape.field(item, "answers", where), f"{where}.answers")
        return QuestionFact(
            shape.string(item, "element", where),
            shape.string(item, "path", where),
            tuple(
                (shape.text(key, f"{where}.answers"), shape.enum(Answer, effect,
                                                               f"{where}.answers.{key}"))
                for key, effect in answers.items()
            ),
        )

    def ruled_out(value: Any, where: str) -> RuledOut:
        item = shape.mapping(value, where)
        return RuledOut(
            shape.string(item, "rule", where),
            shape.string(item, "fingerprint", where),
            shape.strs(item, "elements", where),
            shape.string(item, "title", where),
            shape.strs(item, "evidence", where),
        )

    def implied(value: Any, where: str) -> ImpliedElement:
        item = shape.mapping(value, where)
        return ImpliedElement(
            id=shape.string(item, "id", where),
            surface=shape.string(item, "surface", where),
            name=shape.string(item, "name", where),
            kind=shape.string(item, "kind", where),
            implied_by=shape.string(item, "implied_by", where),
            why=shape.string(item, "why", where),
            holds=shape.strs(item, "holds", where),
            # absent in files written before implied elements listed their threats
            threats=shape.items(item.get("threats", []), f"{where}.threats", shape.text),
        )

    def decision(value: Any, where: str) -> Decision | None:
        if value is None:
            return None
        item = shape.mapping(value, where)
        expires = shape.optional_str(item, "expires", where)
        try:
            day = None if expires is None else date.fromisoformat(expires)
        except ValueError:
            raise shape.fail(f"{where}.expires", f"{_kind(expires)} is not a date") from None
        return Decision(
            shape.member(TrackingStatus, item, "status", where),
            shape.optional_str(item, "justification", where),
            shape.optional_str(item, "owner", where),
            shape.optional_str(item, "ticket", where),
            day,
            shape.flag(item, "expired", where),
            # written since decisions name their control and evidence; absent in older files
            shape.optional_str(item, "control", where) if "control" in item else None,
            shape.optional_str(item, "evidence", where) if "evidence" in item else None,
        )

    def location(value: Any, where: str) -> Location | None:
        if value is None:
            return None
        item = shape.mapping(value, where)
        return Location(
            shape.string(item, "file", where),
            shape.number(item, "line", where),
            shape.number(item, "column", where),
        )

    def gap(value: Any, where: str) -> ModelGap:
        item = shape.mapping(value, where)
        return ModelGap(
            shape.string(item, "element", where),
            shape.string(item, "element_kind", where),
            shape.string(item, "fact", where),
            shape.strs(item, "rules", where),
        )

    def failure(value: Any, where: str) -> RuleFailure:
        item = shape.mapping(value, where)
        return RuleFailure(
            shape.string(item, "rule", where),
            shape.optional_str(item, "element", where),
            shape.string(item, "error", where),
        )

    def stale(value: Any, where: str) -> StaleDecision:
        item = shape.mapping(value, where)
        shown = shape.optional_str(item, "location", where)
        return StaleDecision(
            shape.string(item, "fingerprint", where),
            shape.member(TrackingStatus, item, "status", where),
            None if shown is None else _parse_location(shown),
            shape.optional_str(item, "moved_to", where) if "moved_to" in item else None,
        )

    def skipped(value: Any, where: str) -> tuple[str, str]:
        pair = shape.items(value, where, shape.text)
        if len(pair) != 2:
            raise shape.fail(where, "expected [element, reason]")
        return pair[0], pair[1]

    earlier: list[str] = []

    def summary(value: Any, where: str) -> RuleSummary:
        item = shape.mapping(value, where)
        if "outcomes" not in item:  # written before the outcomes were: counts only
            earlier.append(where)
            return RuleSummary(shape.string(item, "rule", where))
        outcomes = shape.mapping(item["outcomes"], f"{where}.outcomes")
        at = f"{where}.outcomes"
        result = RuleSummary(
            shape.string(item, "rule", where),
            fired=shape.strs(outcomes, "fired", at),
            passed=shape.strs(outcomes, "passed", at),
            unknown=shape.strs(outcomes, "unknown", at),
            skipped=shape.items(shape.field(outcomes, "skipped", at), f"{at}.skipped", skipped),
        )
        for name in ("fired", "passed", "unknown", "skipped"):
            if shape.number(item, name, where) != len(getattr(result, name)):
                raise shape.fail(f"{where}.{name}", f"does not count {at}.{name}")
        return result

    summaries = shape.items(shape.field(root, "rules", "the assessment"), "rules", summary)
    warnings = shape.strs(root, "warnings", "the assessment")
    if "rules_run" in root:
        rules_run = shape.strs(root, "rules_run", "the assessment")
    else:  # written before the list was: the rules that reported outcomes
        rules_run = tuple(s.rule for s in summaries)
    if earlier:
        warnings += (
            f"{display} was written by an earlier threatforge: which elements each rule "
            "passed, fired on or could not decide is not in it (counts only)",
        )
    analyses = ANALYSES_NOT_RUN  # a file written before assessments carried their analyses
    if "analyses" in root:
        analyses = _analyses_from(shape, root["analyses"], "analyses")
    return Assessment(
        system=shape.string(root, "system", "the assessment"),
        files=shape.strs(root, "files", "the assessment"),
        findings=shape.items(shape.field(root, "findings", "the assessment"), "findings", finding),
        summaries=summaries,
        gaps=shape.items(shape.field(root, "model_gaps", "the assessment"), "model_gaps", gap),
        rule_errors=shape.items(
            shape.field(root, "rule_errors", "the assessment"), "rule_errors", failure
        ),
        stale=shape.items(
            shape.field(root, "stale_tracking", "the assessment"), "stale_tracking", stale
        ),
        warnings=warnings,
        rules_run=rules_run,
        as_of=shape.string(root, "as_of", "the assessment"),
        analyses=analyses,
        # absent in files written before assessments carried applicable threats
        applicable_threats=shape.items(
            root.get("applicable_threats", []), "applicable_threats", threat
        ),
        ruled_out=shape.items(root.get("ruled_out", []), "ruled_out", ruled_out),
        # absent in files written before, and when the model has no team threats
        team_threats=shape.items(root.get("team_threats", []), "team_threats", team_threat),
        # absent in files written before assessments listed implied elements
        implied=shape.items(root.get("implied_elements", []), "implied_elements", implied),
    )


def _analyses_from(shape: _Shape, value: Any, where: str) -> Analyses:
    """The ``analyses`` object: each analysis, its parameters and results checked."""
    root = shape.mapping(value, where)
    return Analyses(
        _paths_from(shape, shape.field(root, "attack_paths", where), f"{where}.attack_paths"),
        _pci_from(shape, shape.field(root, "pci_scope", where), f"{where}.pci_scope"),
        _radius_from(shape, shape.field(root, "blast_radius", where), f"{where}.blast_radius"),
    )


def _status(shape: _Shape, item: Mapping[str, Any], where: str, results: int) -> AnalysisStatus:
    """The status; results (``results`` of them) exist only when it is ``computed``."""
    status = shape.member(AnalysisStatus, item, "status", where)
    if status is not AnalysisStatus.COMPUTED and results:
        raise shape.fail(where, f"an analysis that is {status.value} has no results")
    if status is AnalysisStatus.FAILED and not shape.string(item, "reason", where):
        raise shape.fail(f"{where}.reason", "a failed analysis names its error")
    return status


def _paths_from(shape: _Shape, value: Any, where: str) -> AttackPathsAnalysis:
    item = shape.mapping(value, where)
    paths = shape.items(shape.field(item, "paths", where), f"{where}.paths", _path_reader(shape))
    result = AttackPathsAnalysis(
        _status(shape, item, where, len(paths)),
        shape.string(item, "reason", where),
        k=shape.number(item, "k", where, low=1),
        max_depth=shape.number(item, "max_depth", where, low=1),
        budget=shape.number(item, "budget", where, low=1),
        max_paths=shape.number(item, "max_paths", where),
        paths=paths,
        pairs=shape.number(item, "pairs", where),
        capped=shape.flag(item, "capped", where),
        expanded=shape.number(item, "expanded", where),
    )
    if len(paths) > min(result.max_paths, result.pairs):
        raise shape.fail(f"{where}.paths", "holds more paths than max_paths or pairs")
    return result


def _path_reader(shape: _Shape) -> Callable[[Any, str], AttackPath]:
    def hop(value: Any, where: str) -> Hop:
        item = shape.mapping(value, where)
        return Hop(
            flow=shape.string(item, "flow", where),
            source=shape.string(item, "from", where),
            target=shape.string(item, "to", where),
            pulled=shape.flag(item, "pulled", where),
            effort=shape.number(item, "effort", where),
            authn=shape.string(item, "authn", where),
            strength=shape.member(Strength, item, "strength", where),
            inbound=shape.flag(item, "into_more_trusted_zone", where),
            boundaries=shape.strs(item, "boundaries", where),
            why=shape.string(item, "why", where),
        )

    def path(value: Any, where: str) -> AttackPath:
        item = shape.mapping(value, where)
        hops = shape.items(shape.field(item, "hops", where), f"{where}.hops", hop)
        if not hops:
            raise shape.fail(f"{where}.hops", "a path has at least one hop")
        read = AttackPath(
            entry=shape.string(item, "entry", where),
            target=shape.string(item, "target", where),
            hops=hops,
            entry_effort=shape.number(item, "entry_effort", where),
            entry_why=shape.string(item, "entry_why", where),
            target_why=shape.string(item, "target_why", where),
            effort=shape.number(item, "score", where),
        )
        if read.effort != read.entry_effort + sum(h.effort for h in hops):
            raise shape.fail(f"{where}.score", "is not entry_effort plus every hop's effort")
        _derived(shape, item, path_to_dict(read), where, "the hops")
        return read

    return path


def _derived(
    shape: _Shape, item: Mapping[str, Any], written: Mapping[str, Any], where: str, source: str
) -> None:
    """Fields that follow from the others must be what they follow to."""
    for key, expected in written.items():
        if shape.field(item, key, where) != expected:
            raise shape.fail(f"{where}.{key}", f"does not match {source}")


def _pci_from(shape: _Shape, value: Any, where: str) -> PciScopeAnalysis:
    item = shape.mapping(value, where)
    raw = shape.field(item, "scope", where)
    status = _status(shape, item, where, raw is not None)
    if status is AnalysisStatus.COMPUTED and raw is None:
        raise shape.fail(f"{where}.scope", "a computed scope is an object, found null")
    scope = None if raw is None else _scope_from(shape, raw, f"{where}.scope")
    return PciScopeAnalysis(status, shape.string(item, "reason", where), scope)


def _scope_from(shape: _Shape, value: Any, where: str) -> PciScope:
    item = shape.mapping(value, where)

    def row(entry: Any, at: str) -> ScopedComponent:
        data = shape.mapping(entry, at)
        return ScopedComponent(
            component=shape.string(data, "component", at),
            zone=shape.optional_str(data, "zone", at),
            category=shape.member(ScopeCategory, data, "category", at),
            reasons=shape.strs(data, "reasons", at),
            pci_data=shape.strs(data, "pci_data", at),
        )

    def hop(entry: Any, at: str) -> SegmentationHop:
        data = shape.mapping(entry, at)
        return SegmentationHop(
            shape.string(data, "flow", at),
            shape.string(data, "from", at),
            shape.string(data, "to", at),
            shape.strs(data, "gaps", at),
        )

    def violation(entry: Any, at: str) -> SegmentationViolation:
        data = shape.mapping(entry, at)
        return SegmentationViolation(
            shape.string(data, "component", at),
            shape.string(data, "cde_component", at),
            shape.items(shape.field(data, "path", at), f"{at}.path", hop),
        )

    scope = PciScope(
        components=shape.items(shape.field(item, "components", where), f"{where}.components", row),
        violations=shape.items(
            shape.field(item, "segmentation_violations", where),
            f"{where}.segmentation_violations",
            violation,
        ),
        account_data=shape.strs(item, "account_data", where),
    )
    written = scope_to_dict(scope)
    for index, component in enumerate(written["components"]):
        at = f"{where}.components[{index}]"
        if shape.field(item["components"][index], "in_scope", at) != component["in_scope"]:
            raise shape.fail(f"{at}.in_scope", "does not match its category")
    _derived(shape, item, {"summary": written["summary"]}, where, "the components")
    return scope


def _radius_from(shape: _Shape, value: Any, where: str) -> BlastRadiusAnalysis:
    item = shape.mapping(value, where)
    radii = shape.items(
        shape.field(item, "radii", where), f"{where}.radii", lambda v, w: _one_radius(shape, v, w)
    )
    result = BlastRadiusAnalysis(
        _status(shape, item, where, len(radii)),
        shape.string(item, "reason", where),
        max_origins=shape.number(item, "max_origins", where),
        max_listed=shape.number(item, "max_listed", where),
        radii=radii,
    )
    if len(radii) > result.max_origins:
        raise shape.fail(f"{where}.radii", "holds more blast radii than max_origins")
    for index, radius in enumerate(radii):
        if len(radius.nearest) > min(result.max_listed, radius.reached):
            raise shape.fail(
                f"{where}.radii[{index}].nearest", "lists more than max_listed or reached"
            )
    return result


def _one_radius(shape: _Shape, value: Any, where: str) -> BlastRadiusSummary:
    item = shape.mapping(value, where)

    def reached(entry: Any, at: str) -> Reached:
        data = shape.mapping(entry, at)
        return Reached(
            shape.string(data, "component", at),
            shape.number(data, "hops", at, low=1),
            shape.string(data, "via", at),
            shape.optional_str(data, "zone", at),
        )

    def exposure(entry: Any, at: str) -> DataInReach:
        data = shape.mapping(entry, at)
        return DataInReach(
            shape.string(data, "data", at),
            shape.member(Classification, data, "classification", at),
            shape.strs(data, "categories", at),
            shape.number(data, "holders", at, low=1),
        )

    return BlastRadiusSummary(
        origin=shape.string(item, "origin", where),
        reached=shape.number(item, "reached", where),
        max_hops=shape.number(item, "max_hops", where),
        nearest=shape.items(shape.field(item, "nearest", where), f"{where}.nearest", reached),
        data=shape.items(shape.field(item, "data", where), f"{where}.data", exposure),
    )


def _parse_location(shown: str) -> Location:
    """``file:line:column`` or ``file:line`` (as :class:`Location` prints itself), or a file
    (or label) alone."""
    parts = shown.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit() and int(parts[1]) > 0:
        return Location(parts[0], int(parts[1]), int(parts[2]))
    file, colon, line = shown.rpartition(":")
    if colon and line.isdigit() and int(line) > 0:
        return Location(file, int(line))
    return Location(shown)
