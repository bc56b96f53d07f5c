"""The model as an AWS Threat Composer export (``.tc.json``, schema 1): the application, the
architecture and data-flow descriptions, assumptions, the team's threats in Threat Composer's
grammar and the engine's threats (tagged :data:`GENERATED_TAG`), each with its mitigations
linked (docs/interop.md, "AWS Threat Composer").

What Threat Composer has no field for is written as ``custom:`` metadata (our ids, elements,
CWEs, scores, decisions) so an import of the export gives the same threats back; what it cannot
carry at all (components, flows, zones, data classification) is listed by :meth:`dropped`.
Ids are UUIDs derived from our keys (:func:`uuid.uuid5`), so the same model exports the same file.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from threatforge.exporters.interface import ModelExporter
from threatforge.exporters.threat_list import GENERATED_TAG, ExportedThreat, model_threats
from threatforge.text.json import json_text

if TYPE_CHECKING:
    from threatforge.assessment import Assessment
    from threatforge.model import Model, ThreatStatement

__all__ = ["ThreatComposerExporter", "threat_composer_document"]

# the importer's vocabulary (threatforge.importers.threat_composer: exporters may not import
# importers; tests/exporters/test_threat_composer_export.py keeps the two equal)
ARCHITECTURE_HEADING = "### Architecture (Threat Composer)"
DATAFLOW_HEADING = "### Data flow (Threat Composer)"
STRIDE_LETTERS = {
    "S": "spoofing",
    "T": "tampering",
    "R": "repudiation",
    "I": "information-disclosure",
    "D": "denial-of-service",
    "E": "elevation-of-privilege",
}
THREAT_STATUS = {
    "open": "threatIdentified",
    "in-discussion": "threatIdentified",
    "in-progress": "threatIdentified",
    "mitigated": "threatResolved",
    "accepted": "threatResolved",
    "false-positive": "threatResolvedNotUseful",
    "not-applicable": "threatResolvedNotUseful",
}
MITIGATION_STATUS = {"implemented": "mitigationResolved", "planned": "mitigationIdentified"}
_NAMESPACE = uuid.UUID("5b0f6f1e-8a52-4c1e-9a43-7d1f3c0de7a1")
_LETTER = {name: letter for letter, name in STRIDE_LETTERS.items()}
_PRIORITY = {
    "critical": "High",
    "high": "High",
    "elevated": "Medium",
    "medium": "Medium",
    "low": "Low",
}
_TAG_MAX = 30
_COMMENT_MAX = 1000
_CONTENT_MAX = 1000
_PART_MAX = 200
_DECISION_FIELDS = ("justification", "owner", "ticket", "expires", "control", "evidence")


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def _split_description(text: str | None) -> tuple[str, str, str]:
    """The application, architecture and data-flow parts of the system's description."""
    text = text or ""
    app, _, rest = text.partition(f"{ARCHITECTURE_HEADING}\n\n")
    if not rest:
        app, _, flow = text.partition(f"{DATAFLOW_HEADING}\n\n")
        return app.strip(), "", flow.strip()
    architecture, _, flow = rest.partition(f"{DATAFLOW_HEADING}\n\n")
    return app.strip(), architecture.strip(), flow.strip()


def _custom(key: str, value: str | list[str]) -> dict[str, Any]:
    return {"key": f"custom:{key}", "value": value}


class _Document:
    def __init__(self, model: Model, assessment: Assessment | None) -> None:
        self.model = model
        self.threats: list[dict[str, Any]] = []
        self.mitigations: list[dict[str, Any]] = []
        self.mitigation_links: list[dict[str, str]] = []
        self.assumption_links: list[dict[str, str]] = []
        self.by_content: dict[tuple[str, str], str] = {}
        """(kind, key) of a mitigation written -> its UUID."""
        self.exported = model_threats(model, assessment)

    def build(self) -> dict[str, Any]:
        system = self.model.system
        app, architecture, flow = _split_description(system.description)
        document: dict[str, Any] = {"schema": 1, "applicationInfo": {"name": system.name[:200]}}
        if app:
            document["applicationInfo"]["description"] = app
        if architecture:
            document["architecture"] = {"description": architecture}
        if flow:
            document["dataflow"] = {"description": flow}
        assumptions = [
            self.assumption(n, a) for n, a in enumerate(self.model.assumptions.values(), 1)
        ]
        for control in self.model.controls.values():
            self.control(control.id)
        for threat in self.exported:
            if threat.generated:
                self.generated(threat)
            else:
                statement = self.model.threats.get(threat.key)
                if statement is not None:
                    self.team(threat, statement)
        document["assumptions"] = assumptions
        document["mitigations"] = self.mitigations
        document["assumptionLinks"] = self.assumption_links
        document["mitigationLinks"] = self.mitigation_links
        document["threats"] = self.threats
        return document

    def assumption(self, number: int, assumption: Any) -> dict[str, Any]:
        metadata = [_custom("threatforge-id", assumption.id)]
        if assumption.owner:
            metadata.append(_custom("owner", assumption.owner))
        if assumption.verified:
            metadata.append(_custom("verified", "true"))
        return {
            "id": _uuid("assumption", assumption.id),
            "numericId": number,
            "displayOrder": number,
            "content": assumption.description[:_CONTENT_MAX],
            "metadata": metadata,
        }

    def control(self, cid: str) -> str:
        found = self.by_content.get(("control", cid))
        if found is not None:
            return found
        control = self.model.controls[cid]
        number = len(self.mitigations) + 1
        metadata = [_custom("threatforge-id", cid)]
        if control.name:
            metadata.append(_custom("name", control.name))
        if control.reference:
            metadata.append(_custom("reference", control.reference))
        mid = _uuid("control", cid)
        self.mitigations.append(
            {
                "id": mid,
                "numericId": number,
                "displayOrder": number,
                "content": (control.description or control.name or cid)[:_CONTENT_MAX],
                "status": MITIGATION_STATUS[control.status.value],
                "metadata": metadata,
            }
        )
        self.by_content[("control", cid)] = mid
        return mid

    def text_mitigation(self, text: str, *, generated: bool) -> str:
        kind = "generated" if generated else "text"
        found = self.by_content.get((kind, text))
        if found is not None:
            return found
        number = len(self.mitigations) + 1
        mid = _uuid(kind, text)
        entry: dict[str, Any] = {
            "id": mid,
            "numericId": number,
            "displayOrder": number,
            "content": text[:_CONTENT_MAX],
        }
        if generated:
            entry["tags"] = [GENERATED_TAG]
        else:
            entry["metadata"] = [_custom("threatforge-text", "true")]
        self.mitigations.append(entry)
        self.by_content[(kind, text)] = mid
        return mid

    def link(self, threat_id: str, mitigation_id: str) -> None:
        self.mitigation_links.append({"mitigationId": mitigation_id, "linkedId": threat_id})

    def team(self, exported: ExportedThreat, threat: ThreatStatement) -> None:
        tid = _uuid("threat", threat.id)
        number = len(self.threats) + 1
        metadata: list[dict[str, Any]] = []
        if threat.stride:
            metadata.append({"key": "STRIDE", "value": [_LETTER[s.value] for s in threat.stride]})
        if threat.priority:
            metadata.append({"key": "Priority", "value": threat.priority.value.capitalize()})
        if threat.description:
            metadata.append({"key": "Comments", "value": threat.description[:_COMMENT_MAX]})
        metadata.append(_custom("threatforge-id", threat.id))
        if threat.elements:
            metadata.append(_custom("elements", list(threat.elements)))
        if threat.impacted_assets:
            metadata.append(_custom("impacted-asset-ids", list(threat.impacted_assets)))
        if threat.cwe:
            metadata.append(_custom("cwe", [str(c) for c in threat.cwe]))
        if threat.likelihood is not None and threat.impact_score is not None:
            metadata.append(_custom("likelihood", str(threat.likelihood)))
            metadata.append(_custom("impact-score", str(threat.impact_score)))
        if threat.severity:
            metadata.append(_custom("severity", threat.severity.value))
        if threat.type:
            metadata.append(_custom("type", threat.type))
        entry = self.model.tracking.get(f"team-threat@{threat.id}")
        status = entry.status.value if entry is not None else exported.status
        if entry is not None:
            metadata.append(_custom("decision-status", entry.status.value))
            for name in _DECISION_FIELDS:
                value = getattr(entry, name)
                if value:
                    metadata.append(_custom(f"decision-{name}", str(value)))
        tags: list[str] = []
        for tag in threat.tags:
            if tag.startswith("assumption:") and tag[11:] in self.model.assumptions:
                self.assumption_links.append(
                    {
                        "type": "Threat",
                        "assumptionId": _uuid("assumption", tag[11:]),
                        "linkedId": tid,
                    }
                )
            elif 1 <= len(tag) <= _TAG_MAX:
                tags.append(tag)
        body: dict[str, Any] = {
            "id": tid,
            "numericId": number,
            "displayOrder": number,
            "threatSource": threat.source[:_PART_MAX],
            "prerequisites": (threat.prerequisites or "")[:_PART_MAX],
            "threatAction": threat.action[:_PART_MAX],
            "statement": exported.description[:1400],
            "status": THREAT_STATUS.get(status, "threatIdentified"),
            "metadata": metadata,
        }
        if threat.impact:
            body["threatImpact"] = threat.impact[:_PART_MAX]
        if threat.impacted_goal:
            body["impactedGoal"] = [g[:_PART_MAX] for g in threat.impacted_goal]
        if threat.impacted_assets:
            body["impactedAssets"] = [self.label(a)[:_PART_MAX] for a in threat.impacted_assets]
        if tags:
            body["tags"] = tags
        self.threats.append(body)
        for mitigation in threat.mitigations:
            if mitigation in self.model.controls:
                self.link(tid, self.control(mitigation))
            else:
                self.link(tid, self.text_mitigation(mitigation, generated=False))

    def label(self, eid: str) -> str:
        element = self.model.element(eid)
        return element.label if element is not None else eid

    def generated(self, threat: ExportedThreat) -> None:
        tid = _uuid("generated", threat.key)
        number = len(self.threats) + 1
        on = ", ".join(self.label(e) for e in threat.elements)
        comments = threat.description
        if threat.question:
            comments = f"{comments}\n\nTo decide: {threat.question}"
        metadata: list[dict[str, Any]] = []
        if threat.stride:
            metadata.append(
                {"key": "STRIDE", "value": [_LETTER[s] for s in threat.stride if s in _LETTER]}
            )
        metadata.append({"key": "Priority", "value": _PRIORITY.get(threat.severity, "Medium")})
        metadata.append({"key": "Comments", "value": comments[:_COMMENT_MAX]})
        metadata.append(_custom("threatforge-key", threat.key))
        if threat.fingerprint:
            metadata.append(_custom("fingerprint", threat.fingerprint))
        metadata.append(_custom("elements", list(threat.elements)))
        metadata.append(_custom("severity", threat.severity))
        if threat.cwe:
            metadata.append(_custom("cwe", [str(c) for c in threat.cwe]))
        statement = f"{threat.title} ({threat.rule} on {on})" if on else threat.title
        status = THREAT_STATUS.get(threat.status, "threatIdentified")
        metadata.append(_custom("exported-status", status))
        body: dict[str, Any] = {
            "id": tid,
            "numericId": number,
            "displayOrder": number,
            "threatSource": "threat source",
            "threatAction": threat.title[:_PART_MAX],
            "statement": statement[:1400],
            "status": status,
            "tags": [GENERATED_TAG],
            "metadata": metadata,
        }
        if threat.elements:
            body["impactedAssets"] = [self.label(e)[:_PART_MAX] for e in threat.elements]
        self.threats.append(body)
        for mitigation in threat.mitigations:
            self.link(tid, self.text_mitigation(mitigation, generated=True))


def threat_composer_document(model: Model, assessment: Assessment | None) -> dict[str, Any]:
    """The Threat Composer document of ``model`` with the threats of ``assessment``."""
    return _Document(model, assessment).build()


class ThreatComposerExporter(ModelExporter):
    """AWS Threat Composer (``.tc.json``): threats, mitigations and assumptions."""

    name = "threat-composer"
    description = "AWS Threat Composer (.tc.json): the team's and the engine's threats"
    suffix = ".tc.json"
    media_type = "application/json"

    def export(self, model: Model, assessment: Assessment | None = None) -> str:
        return json_text(threat_composer_document(model, assessment)) + "\n"

    def dropped(self, model: Model) -> tuple[str, ...]:
        lost: list[str] = []
        counts = [
            (len(model.components), "components"),
            (len(model.flows), "flows"),
            (len(model.boundaries), "zones"),
        ]
        stated = [f"{n} {what}" for n, what in counts if n]
        if stated:
            lost.append(
                f"{', '.join(stated)}: Threat Composer has no diagram elements (its architecture "
                "and data-flow descriptions are text; threats keep their element ids as "
                "custom:elements)"
            )
        if model.data:
            lost.append(
                f"the classification and categories of {len(model.data)} data assets (impacted "
                "assets are names there)"
            )
        for key, what in (
            ("owner", "owner"),
            ("criticality", "criticality"),
            ("compliance", "compliance scopes"),
        ):
            if getattr(model.system, key):
                lost.append(f"the system's {what}")
        placed = [c for c in model.controls.values() if not c.applies_everywhere]
        if placed:
            lost.append(
                f"where {len(placed)} controls apply (applies_to): a Threat Composer mitigation "
                "applies where it is linked"
            )
        mitigating = [c for c in model.controls.values() if c.mitigates]
        if mitigating:
            lost.append(
                f"the rules {len(mitigating)} controls mitigate (mitigates): not written, so an "
                "import never widens what a control rules out"
            )
        lost.extend(_cut(model))
        decisions = [k for k in model.tracking if not k.startswith("team-threat@")]
        if decisions:
            lost.append(
                f"the justification, owner and expiry of {len(decisions)} decisions on findings "
                "and applicable threats (their status is the generated threat's status)"
            )
        return tuple(lost)


def _cut(model: Model) -> list[str]:
    """Texts longer than Threat Composer's fields, and tags it cannot hold."""
    lost: list[str] = []
    for threat in model.threats.values():
        if threat.description and len(threat.description) > _COMMENT_MAX:
            lost.append(
                f"team threat '{threat.id}': its description past {_COMMENT_MAX:,} "
                "characters (Comments are cut there)"
            )
        for part in (threat.source, threat.action, threat.prerequisites or "", threat.impact or ""):
            if len(part) > _PART_MAX:
                lost.append(
                    f"team threat '{threat.id}': statement parts past {_PART_MAX} characters"
                )
                break
        long_tags = [
            t for t in threat.tags if len(t) > _TAG_MAX and not t.startswith("assumption:")
        ]
        if long_tags:
            lost.append(
                f"team threat '{threat.id}': tags longer than {_TAG_MAX} characters "
                f"({', '.join(long_tags)})"
            )
    described: Mapping[str, Any] = {**model.controls, **model.assumptions}
    for eid, element in described.items():
        if element.description and len(element.description) > _CONTENT_MAX:
            lost.append(f"'{eid}': its description past {_CONTENT_MAX:,} characters")
    return lost
