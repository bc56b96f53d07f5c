"""SARIF 2.1.0 output (``analyze --format sarif``) for GitHub code scanning and other viewers.

One ``reportingDescriptor`` per rule that ran, one result per finding located at the element's
line in the model file (relative to the repository root), the finding's fingerprint as a partial
fingerprint, and accepted, mitigated, false-positive or not-applicable decisions as external
suppressions. Applicable threats follow the findings as results of level ``note`` (below every
finding's level but a low one's), with the question in the message and the fingerprint their
finding would have, so that a confirmed threat continues the same alert. The team's own threats
(``threats:``) are results of the rule ``team-threat`` at their severity's level, the Threat
Composer statement as the message (docs/team-threats.md). A warn-only rule's results (and its
descriptor's default) are at most ``warning``, with ``warnOnly: true`` (docs/rule-versions.md).
Deterministic: no timestamps, no absolute paths of the machine that ran it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from threatforge import __version__
from threatforge.assessment import (
    TEAM_THREAT_RULE,
    ApplicableThreat,
    Assessment,
    Decision,
    TeamThreat,
)
from threatforge.exporters.interface import AssessmentExporter
from threatforge.model import Location, Model, TrackingStatus
from threatforge.rules.interface import Finding, Rule, RuleMeta, Severity
from threatforge.rules.metadata import cwe_url, https_url, rule_markdown
from threatforge.rules.scoring import severity_of
from threatforge.text.json import json_text

__all__ = [
    "SARIF_SCHEMA",
    "SECURITY_SEVERITY",
    "SarifExporter",
    "render_sarif",
    "sarif_document",
]

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://threatforge.readthedocs.io/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "threatforgeFingerprint/v1"

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.ELEVATED: "6.5",
    Severity.MEDIUM: "5.0",
    Severity.LOW: "2.0",
}
"""GitHub reads ``security-severity`` as a CVSS-like score: >=9 critical, >=7 high, >=4 medium."""
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.ELEVATED: "warning",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}


def _level(severity: Severity, warn_only: bool) -> str:
    """A result's SARIF level: a warn-only rule's results are at most ``warning`` (they never
    fail the gate, so they must not read as errors in code scanning either)."""
    level = _LEVEL[severity]
    return "warning" if warn_only and level == "error" else level


_SUPPRESSED = (
    TrackingStatus.ACCEPTED,
    TrackingStatus.MITIGATED,
    TrackingStatus.FALSE_POSITIVE,
    TrackingStatus.NOT_APPLICABLE,
)


def render_sarif(
    assessment: Assessment,
    model: Model,
    *,
    rules: Sequence[Rule] = (),
    root: Path | None = None,
    docs_url: str | None = None,
) -> str:
    """The assessment as SARIF 2.1.0 JSON text.

    ``rules`` supplies metadata for rules that are not built in (packs, plugins); without it
    such rules are described from their findings. ``root`` is the repository root that result
    paths are relative to (default: the nearest folder above the model holding ``.git``).
    ``docs_url`` is where the rule pages (``threatforge rules docs``) are published, ``{rule}``
    standing for a rule's id; without it a rule's ``helpUri`` is its first https reference,
    else its first CWE's page (see :func:`_help_uri`).
    """
    document = sarif_document(assessment, model, rules=rules, root=root, docs_url=docs_url)
    return json_text(document) + "\n"


def sarif_document(
    assessment: Assessment,
    model: Model,
    *,
    rules: Sequence[Rule] = (),
    root: Path | None = None,
    docs_url: str | None = None,
) -> dict[str, Any]:
    """The SARIF log as plain JSON data."""
    metas = _known_rules(rules)
    by_rule: dict[str, list[Finding]] = {}
    for finding in assessment.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    rule_ids = list(dict.fromkeys([
        *assessment.rules_run, *by_rule, *(t.rule for t in assessment.applicable_threats)
    ]))
    descriptors = [
        _descriptor(rule_id, metas.get(rule_id), by_rule.get(rule_id, []), docs_url)
        for rule_id in rule_ids
    ]
    if assessment.team_threats:
        descriptors.append(_team_descriptor(assessment.team_threats))
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    default_file = model.files[0] if model.files else ""
    # Every finding of a model points into one or a few files: resolve each once (finding the
    # repository root walks up the folders, one stat() each).
    artifacts: dict[str, dict[str, Any]] = {}
    results = [
        _result(finding, index[finding.rule], default_file, root, artifacts)
        for finding in assessment.findings
    ]
    results += [
        _threat_result(threat, index[threat.rule], default_file, root, artifacts)
        for threat in assessment.applicable_threats
        if threat.rule in index
    ]
    results += [
        _team_result(threat, len(rule_ids), default_file, root, artifacts)
        for threat in assessment.team_threats
    ]
    notifications = [
        {
            "level": "error",
            "message": {
                "text": f"rule {failure.rule} failed"
                + (f" on {failure.element}" if failure.element else "")
                + f": {failure.error}"
            },
            "descriptor": {"id": failure.rule},
        }
        for failure in assessment.rule_errors
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "threatforge",
                "fullName": "threatforge threat modeling as code",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "automationDetails": {"id": f"threatforge/{_slug(assessment.system)}/"},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
        "properties": {
            "system": assessment.system,
            "asOf": assessment.as_of,
            "modelGaps": len(assessment.gaps),
            "openFindings": len(assessment.open_findings),
            "openApplicableThreats": len(assessment.open_threats),
            **(
                {"openTeamThreats": len(assessment.open_team_threats)}
                if assessment.team_threats
                else {}
            ),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


# --- rules ------------------------------------------------------------------------------------


def _known_rules(rules: Iterable[Rule]) -> dict[str, RuleMeta]:
    from threatforge.rules.registry import builtin_rules

    known = {r.id: r.meta for r in builtin_rules()}
    known.update({r.id: r.meta for r in rules})
    return known


def _camel(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id))


def _generic_title(title: str) -> str:
    """A rule's title template without the element: "{element} does X ({detail})" -> "does X"."""
    text = title.replace("{element}", "…").replace("({detail})", "").replace("{detail}", "")
    return " ".join(text.split()).replace(" :", ":")


def _tags(cwe: Iterable[int], categories: Iterable[str]) -> list[str]:
    tags = ["security", *(f"external/cwe/cwe-{c}" for c in cwe), *categories]
    return list(dict.fromkeys(tags))


def _rule_severity(meta: RuleMeta | None, findings: Sequence[Finding]) -> Severity:
    if findings:
        return max((f.severity for f in findings), key=lambda s: s.rank)
    if meta is not None:
        return severity_of(meta.likelihood, meta.impact)
    return Severity.MEDIUM


def _descriptor(
    rule_id: str, meta: RuleMeta | None, findings: Sequence[Finding], docs_url: str | None
) -> dict[str, Any]:
    severity = _rule_severity(meta, findings)
    descriptor: dict[str, Any] = {"id": rule_id, "name": _camel(rule_id)}
    if meta is not None:
        categories = [f"stride/{s.value}" for s in meta.stride] + [
            f"linddun/{c.value}" for c in meta.linddun
        ]
        descriptor |= {
            "shortDescription": {"text": _generic_title(meta.title)},
            "fullDescription": {"text": meta.description},
            "helpUri": _help_uri(
                rule_id, meta.source == "builtin", meta.references, meta.cwe, docs_url
            ),
            "help": {
                "text": meta.detection
                + "\n\nMitigations:\n"
                + "\n".join(f"- {m}" for m in meta.mitigations),
                "markdown": rule_markdown(Rule(meta, _never)),
            },
            "properties": {
                "tags": _tags(meta.cwe, categories),
                "precision": meta.confidence.value,
                "security-severity": SECURITY_SEVERITY[severity],
                "problem.severity": _problem_severity(severity),
            },
        }
    else:
        sample = findings[0] if findings else None
        description = sample.description if sample else f"Rule {rule_id} (from a rule pack)."
        categories = (
            [f"stride/{s.value}" for s in sample.stride]
            + [f"linddun/{c.value}" for c in sample.linddun]
            if sample
            else []
        )
        descriptor |= {
            "shortDescription": {"text": _first_sentence(description)},
            "fullDescription": {"text": description},
            "helpUri": _help_uri(
                rule_id,
                False,
                sample.references if sample else (),
                sample.cwe if sample else (),
                docs_url,
            ),
            "properties": {
                "tags": _tags(sample.cwe if sample else (), categories),
                "security-severity": SECURITY_SEVERITY[severity],
                "problem.severity": _problem_severity(severity),
            },
        }
    if descriptor.get("helpUri", "") is None:
        del descriptor["helpUri"]
    warn_only = meta.warn_only if meta is not None else any(f.warn_only for f in findings)
    descriptor["defaultConfiguration"] = {"level": _level(severity, warn_only)}
    if warn_only:
        descriptor.setdefault("properties", {})["warnOnly"] = True
    return descriptor


def _help_uri(
    rule_id: str,
    builtin: bool,
    references: Sequence[str],
    cwe: Sequence[int],
    docs_url: str | None,
) -> str | None:
    """Where a rule is explained: a built-in rule's published page (when ``docs_url`` says
    where the pages are), else the rule's first plain https reference (a pack's: only https, no
    credentials, spaces or markup, since a pack may come from the change under review), else
    its first CWE's page. None (the field is left out) when there is none of these."""
    if builtin and docs_url is not None:
        return docs_url.format(rule=rule_id)
    for reference in references:
        if https_url(reference) is not None:
            return reference
    if docs_url is not None:
        return docs_url.format(rule=rule_id)
    return cwe_url(cwe[0]) if cwe else None


def _never(element: Any, model: Model) -> Any:  # pragma: no cover - only used to render docs
    raise NotImplementedError


def _problem_severity(severity: Severity) -> str:
    return {"error": "error", "warning": "warning", "note": "recommendation"}[_LEVEL[severity]]


def _first_sentence(text: str) -> str:
    sentence = text.split(". ", 1)[0].strip()
    return sentence if sentence.endswith(".") else sentence + "."


# --- results ----------------------------------------------------------------------------------


def _physical(
    location: Location | None,
    default_file: str,
    root: Path | None,
    artifacts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    location = location or Location(default_file)
    artifact = artifacts.get(location.file)
    if artifact is None:
        artifact = artifacts[location.file] = _artifact(location.file, root)
    physical: dict[str, Any] = {"artifactLocation": dict(artifact)}
    if location.line > 0:
        physical["region"] = {"startLine": location.line, "startColumn": max(location.column, 1)}
    return physical


def _threat_result(
    threat: ApplicableThreat,
    rule_index: int,
    default_file: str,
    root: Path | None,
    artifacts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """An applicable threat: level ``note``, the question in the message."""
    physical = _physical(threat.location, default_file, root, artifacts)
    result: dict[str, Any] = {
        "ruleId": threat.rule,
        "ruleIndex": rule_index,
        "level": "note",
        "message": {
            "text": f"Applicable threat (not confirmed): {threat.title}. "
            f"Question: {threat.question.describe()}"
        },
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {"name": element, "fullyQualifiedName": element} for element in threat.elements
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: threat.fingerprint},
        "properties": {
            "kind": "applicable-threat",
            "fingerprint": threat.fingerprint,
            "severity": threat.severity.value,
            "likelihood": threat.likelihood,
            "impact": threat.impact,
            "confidence": threat.confidence,
            "status": threat.status.value,
            "elements": list(threat.elements),
            "why": list(threat.why),
            "question": threat.question.text,
            "mitigations": list(threat.mitigations),
            **({"warnOnly": True} if threat.warn_only else {}),
        },
    }
    if threat.status in _SUPPRESSED and threat.decision is not None:
        result["suppressions"] = [_suppression(threat.decision)]
    return result


def _team_descriptor(threats: Sequence[TeamThreat]) -> dict[str, Any]:
    """The one rule every team threat is reported under."""
    severity = max((t.severity for t in threats), key=lambda s: s.rank)
    cwe = sorted({c for t in threats for c in t.cwe})
    return {
        "id": TEAM_THREAT_RULE,
        "name": _camel(TEAM_THREAT_RULE),
        "shortDescription": {"text": "A threat the team wrote in the model (threats:)."},
        "fullDescription": {
            "text": "A threat written by people under 'threats:' in the model, in Threat "
            "Composer's grammar; its decision lives in 'tracking:' under team-threat@<id>."
        },
        "properties": {
            "tags": _tags(cwe, ()),
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[severity],
            "problem.severity": _problem_severity(severity),
        },
        "defaultConfiguration": {"level": _LEVEL[severity]},
    }


def _team_result(
    threat: TeamThreat,
    rule_index: int,
    default_file: str,
    root: Path | None,
    artifacts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """A team threat: its severity's level, the statement as the message, at its place in the
    model file."""
    physical = _physical(threat.location, default_file, root, artifacts)
    result: dict[str, Any] = {
        "ruleId": TEAM_THREAT_RULE,
        "ruleIndex": rule_index,
        "level": _LEVEL[threat.severity],
        "message": {"text": f"Team threat '{threat.id}': {threat.statement}."},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {"name": element, "fullyQualifiedName": element} for element in threat.elements
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: threat.fingerprint},
        "properties": {
            "kind": "team-threat",
            "fingerprint": threat.fingerprint,
            "severity": threat.severity.value,
            "security-severity": SECURITY_SEVERITY[threat.severity],
            "severityReason": threat.severity_reason,
            "priority": threat.priority,
            "confidence": threat.confidence,
            "status": threat.status.value,
            "elements": list(threat.elements),
            "impactedAssets": list(threat.impacted_assets),
            "stride": [s.value for s in threat.stride],
            "cwe": list(threat.cwe),
            "mitigations": list(threat.mitigations),
        },
    }
    if threat.status in _SUPPRESSED and threat.decision is not None:
        result["suppressions"] = [_suppression(threat.decision)]
    return result


def _result(
    finding: Finding,
    rule_index: int,
    default_file: str,
    root: Path | None,
    artifacts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    physical = _physical(finding.location, default_file, root, artifacts)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _level(finding.severity, finding.warn_only),
        "message": {"text": f"{finding.title}. {finding.explanation}"},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {"name": element, "fullyQualifiedName": element} for element in finding.elements
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "fingerprint": finding.fingerprint,
            "severity": finding.severity.value,
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "likelihood": finding.likelihood,
            "impact": finding.impact,
            "confidence": finding.confidence.value,
            "status": finding.status.value,
            "elements": list(finding.elements),
            "evidence": list(finding.evidence),
            "mitigations": list(finding.mitigations),
            **({"warnOnly": True} if finding.warn_only else {}),
        },
    }
    decision = finding.decision
    if finding.status in _SUPPRESSED and decision is not None:
        result["suppressions"] = [_suppression(decision)]
    return result


def _suppression(decision: Decision) -> dict[str, Any]:
    """A decision that hides a result, as an external suppression."""
    justification = decision.justification or decision.status.value
    if decision.status is TrackingStatus.MITIGATED:
        justification = f"mitigated: {justification}"
    suppression: dict[str, Any] = {
        "kind": "external",
        "status": "accepted",
        "justification": justification,
    }
    extra = {
        k: v
        for k, v in (
            ("decision", decision.status.value),
            ("owner", decision.owner),
            ("ticket", decision.ticket),
            ("expires", decision.expires.isoformat() if decision.expires else None),
        )
        if v
    }
    suppression["properties"] = extra
    return suppression


def _artifact(file: str, root: Path | None) -> dict[str, Any]:
    """The model file's URI relative to the repository root (with ``%SRCROOT%``)."""
    path = Path(file)
    base = root if root is not None else _repository_root(path)
    if base is not None:
        try:
            relative = path.resolve().relative_to(base.resolve())
        except (ValueError, OSError):
            relative = None
        if relative is not None:
            return {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": SRCROOT}
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(Path(file).as_posix().removeprefix("./"), safe="/"), "uriBaseId": SRCROOT}


def _repository_root(path: Path) -> Path | None:
    try:
        start = path.resolve().parent
    except OSError:
        return None
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "model"


class SarifExporter(AssessmentExporter):
    """SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps)."""

    name = "sarif"
    description = "SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps)."
    suffix = ".sarif"
    media_type = "application/sarif+json"

    def export(self, assessment: Assessment, model: Model) -> str:
        return render_sarif(assessment, model)
