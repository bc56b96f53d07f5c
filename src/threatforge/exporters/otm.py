"""The model as an Open Threat Model (OTM 0.2.0) document: ``threatforge export otm MODEL``.

The inverse of :mod:`threatforge.importers.otm` (docs/interop.md, "Open Threat Model"): zones
as trust zones, components and flows with their data and their threat instances, the team's
threats and the engine's (tagged :data:`~threatforge.exporters.threat_list.GENERATED_TAG`) as
OTM threats, declared controls and the threats' text mitigations as OTM mitigations. What OTM
has no field for (a component's kind, technology and security facts, a team threat's grammar,
its decision) is written under ``attributes.threatforge``, so importing the export gives the
model back; other OTM tools ignore it. The document validates against the OTM 0.2.0 schema.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from threatforge.exporters.interface import ModelExporter
from threatforge.exporters.threat_list import GENERATED_TAG, ExportedThreat, export_threats
from threatforge.interchange.otm import (
    GENERATED_ATTRIBUTE,
    OTM_THREAT_SOURCE,
    TEAM_ATTRIBUTE,
    TEXT_MITIGATION,
    UNZONED_ATTRIBUTE,
    otm_types,
)
from threatforge.model.canonical import element_fields

if TYPE_CHECKING:
    from threatforge.assessment import Assessment
    from threatforge.model import Model

__all__ = ["OTM_VERSION", "TRUST_RATINGS", "OtmExporter"]

OTM_VERSION = "0.2.0"
TRUST_RATINGS = {"untrusted": 10, "semi-trusted": 50, "trusted": 80, "restricted": 100}
"""A zone's ``trustRating`` when the model did not keep the one it was imported with."""
_CONFIDENTIALITY = {"public": 0, "internal": 30, "confidential": 60, "restricted": 100}
_SEVERITY_IMPACT = {"low": 0, "medium": 25, "elevated": 50, "high": 75, "critical": 100}
_CATEGORIES = {
    "spoofing": "Spoofing",
    "tampering": "Tampering",
    "repudiation": "Repudiation",
    "information-disclosure": "Information Disclosure",
    "denial-of-service": "Denial of Service",
    "elevation-of-privilege": "Elevation of Privilege",
}
UNZONED = "threatforge-unzoned"
_NATIVE = {
    "components": {"name", "description", "zone", "stores", "processes", "tags", "origin"},
    "boundaries": {"name", "description", "inside", "origin"},
    "flows": {"from", "to", "id", "name", "description", "data", "tags", "origin"},
    "controls": {"name", "description", "risk_reduction"},
    "threats": {
        "description",
        "stride",
        "cwe",
        "likelihood",
        "impact_score",
        "tags",
    },
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _score(value: int | None) -> int | None:
    return None if value is None else (value - 1) * 25


def _mitigation_id(text: str) -> str:
    return "threatforge-mitigation-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class OtmExporter(ModelExporter):
    """Writes an OTM 0.2.0 JSON document."""

    name = "otm"
    description = "Open Threat Model (OTM 0.2.0) JSON: IriusRisk and other OTM tools."
    suffix = ".otm.json"
    media_type = "application/json"

    def __init__(self) -> None:
        self._notes: list[str] = []

    def export(self, model: Model, assessment: Assessment | None = None) -> str:
        """The OTM document of ``model``, with the threats of ``assessment`` (the team's own
        threats and their decisions alone when there is none)."""
        if assessment is None:
            from threatforge.rules import analyze

            assessment = analyze(model, (), analyses=())
        return (
            json.dumps(
                _jsonable(_Writer(model, export_threats(assessment), self._notes).document()),
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )

    def dropped(self, model: Model) -> tuple[str, ...]:
        """What OTM cannot carry of ``model`` (and of the last export's threats)."""
        lines = []
        if model.assumptions:
            lines.append(
                f"{len(model.assumptions)} assumptions for other OTM tools (OTM has none: they "
                "ride in the project's attributes.threatforge)"
            )
        if model.data:
            lines.append(
                f"the integrity and availability of {len(model.data)} data assets (threatforge "
                "keeps a classification: written as 50)"
            )
        unzoned = [c for c in model.components.values() if c.zone is None]
        if unzoned:
            lines.append(
                f"{len(unzoned)} components without a zone (OTM needs one: they sit in the trust "
                f"zone '{UNZONED}')"
            )
        return (*lines, *self._notes)


class _Writer:
    def __init__(self, model: Model, threats: tuple[ExportedThreat, ...], notes: list[str]) -> None:
        self.model = model
        self.threats = threats
        self.notes = notes
        self.notes.clear()
        self.instances: dict[str, list[dict[str, Any]]] = {}
        self.text_mitigations: dict[str, str] = {}
        system = model.system
        self.project_id = str(system.properties.get("otm_project_id") or _slug(system.name))
        self.diagram = f"{self.project_id}-diagram"
        self.drawn = False
        self.unplaced = 0

    def document(self) -> dict[str, Any]:
        model = self.model
        threats = [self.threat(t) for t in self.threats]
        if self.unplaced:
            self.notes.append(
                f"the place of {self.unplaced} generated threats on zones, data assets or the "
                "system (OTM places threats on components and data flows: they are listed "
                "under threats: without an instance)"
            )
        zones = [self.zone(b) for b in model.boundaries.values()]
        if any(c.zone is None for c in model.components.values()):
            zones.append(
                {
                    "id": UNZONED,
                    "name": "No zone stated",
                    "type": "unzoned",
                    "risk": {"trustRating": 50},
                    "attributes": {UNZONED_ATTRIBUTE: True},
                }
            )
        components = [self.component(c) for c in model.components.values()]
        flows = [self.flow(f) for f in model.flows]
        document: dict[str, Any] = {"otmVersion": OTM_VERSION, "project": self.project()}
        if self.drawn:
            document["representations"] = [
                {"name": f"{model.system.name} diagram", "id": self.diagram, "type": "diagram"}
            ]
        document["assets"] = [self.asset(d) for d in model.data.values()]
        document["trustZones"] = zones
        document["components"] = components
        document["dataflows"] = flows
        document["threats"] = threats
        document["mitigations"] = [self.control(c) for c in model.controls.values()] + [
            {
                "id": mid,
                "name": text[:300],
                "description": text,
                "riskReduction": 0,
                "attributes": {TEXT_MITIGATION: True},
            }
            for mid, text in self.text_mitigations.items()
        ]
        return document

    def project(self) -> dict[str, Any]:
        system = self.model.system
        project: dict[str, Any] = {"name": system.name, "id": self.project_id}
        if system.description:
            project["description"] = system.description
        if system.owner:
            project["owner"] = system.owner
        fields = element_fields(system, "system")
        extra: dict[str, Any] = {
            k: fields[k]
            for k in ("criticality", "compliance", "repository", "version")
            if k in fields
        }
        extra["properties"] = fields.get("properties", {})
        if self.model.assumptions:
            extra["assumptions"] = {
                key: element_fields(a, "assumptions") for key, a in self.model.assumptions.items()
            }
        project["attributes"] = {TEAM_ATTRIBUTE: extra}
        return project

    def attribute_fields(self, element: Any, section: str) -> dict[str, Any]:
        fields = element_fields(element, section)
        extra = {k: v for k, v in fields.items() if k not in _NATIVE[section]}
        if "name" in _NATIVE[section] and getattr(element, "name", "") is None:
            extra["name"] = None  # OTM needs a name: the id is written, this says there was none
        # every property, the otm_* ones too: the importer takes these rather than deriving them
        extra["properties"] = fields.get("properties", {})
        if section == "controls" and element.risk_reduction is None:
            extra["risk_reduction"] = None
        return extra

    def shape(self, eid: str, properties: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        position = properties.get("otm_position")
        if not isinstance(position, list) or len(position) < 2:
            return None
        self.drawn = True
        shape: dict[str, Any] = {
            "representation": self.diagram,
            "id": f"{eid}-shape",
            "position": {"x": position[0], "y": position[1]},
        }
        if len(position) >= 4:
            shape["size"] = {"width": position[2], "height": position[3]}
        return [shape]

    def asset(self, data: Any) -> dict[str, Any]:
        extra = {
            k: v
            for k, v in element_fields(data, "data").items()
            if k in ("classification", "categories", "owner", "retention_days")
        }
        if data.name is None:
            extra["name"] = None
        asset: dict[str, Any] = {
            "name": data.name or data.id,
            "id": data.id,
            "risk": {
                "confidentiality": _CONFIDENTIALITY[data.classification.value],
                "integrity": 50,
                "availability": 50,
            },
            "attributes": {TEAM_ATTRIBUTE: extra},
        }
        if data.description:
            asset["description"] = data.description
        return asset

    def zone(self, zone: Any) -> dict[str, Any]:
        rating = zone.properties.get("otm_trust_rating")
        found: dict[str, Any] = {
            "id": zone.id,
            "name": zone.name or zone.id,
            "type": str(zone.properties.get("otm_type") or zone.kind.value),
            "risk": {
                "trustRating": rating
                if isinstance(rating, int | float) and not isinstance(rating, bool)
                else TRUST_RATINGS[zone.trust.value]
            },
        }
        if zone.description:
            found["description"] = zone.description
        if zone.inside:
            found["parent"] = {"trustZone": zone.inside}
        shapes = self.shape(zone.id, zone.properties)
        if shapes:
            found["representations"] = shapes
        extra = self.attribute_fields(zone, "boundaries")
        if extra:
            found["attributes"] = {TEAM_ATTRIBUTE: extra}
        return found

    def component(self, component: Any) -> dict[str, Any]:
        parent_component = component.properties.get("otm_parent")
        if isinstance(parent_component, str) and parent_component in self.model.components:
            parent = {"component": parent_component}
        else:
            parent = {"trustZone": component.zone or UNZONED}
        found: dict[str, Any] = {
            "id": component.id,
            "name": component.name or component.id,
            "type": str(component.properties.get("otm_type") or _otm_type(component)),
            "parent": parent,
        }
        if component.description:
            found["description"] = component.description
        if component.tags:
            found["tags"] = list(component.tags)
        if component.stores or component.processes:
            found["assets"] = {
                "processed": list(component.processes),
                "stored": list(component.stores),
            }
        shapes = self.shape(component.id, component.properties)
        if shapes:
            found["representations"] = shapes
        if component.id in self.instances:
            found["threats"] = self.instances[component.id]
        extra = self.attribute_fields(component, "components")
        if extra:
            found["attributes"] = {TEAM_ATTRIBUTE: extra}
        return found

    def flow(self, flow: Any) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": flow.id,
            "name": flow.name or flow.id,
            "source": flow.source,
            "destination": flow.target,
            "bidirectional": flow.properties.get("otm_bidirectional") is True,
        }
        if flow.description:
            found["description"] = flow.description
        if flow.data:
            found["assets"] = list(flow.data)
        if flow.tags:
            found["tags"] = list(flow.tags)
        if flow.id in self.instances:
            found["threats"] = self.instances[flow.id]
        extra = self.attribute_fields(flow, "flows")
        if extra:
            found["attributes"] = {TEAM_ATTRIBUTE: extra}
        return found

    def control(self, control: Any) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": control.id,
            "name": control.name or control.id,
            "riskReduction": control.risk_reduction if control.risk_reduction is not None else 0,
        }
        if control.description:
            found["description"] = control.description
        extra = self.attribute_fields(control, "controls")
        if extra:
            found["attributes"] = {TEAM_ATTRIBUTE: extra}
        return found

    # --- threats -----------------------------------------------------------------------------

    def threat(self, threat: ExportedThreat) -> dict[str, Any]:
        statement = self.model.threats.get(threat.key) if not threat.generated else None
        found: dict[str, Any] = {"id": threat.key}
        attributes: dict[str, Any] = {}
        if statement is not None:
            found["name"] = (
                statement.action if statement.source == OTM_THREAT_SOURCE else threat.title
            )
            if statement.description:
                found["description"] = statement.description
            extra = self.attribute_fields(statement, "threats")
            if statement.source == OTM_THREAT_SOURCE:
                extra = {k: v for k, v in extra.items() if k not in ("source", "action")}
            decision = self.model.tracking.get(f"team-threat@{threat.key}")
            if decision is not None:
                extra["decision"] = element_fields(decision, "tracking")
            if extra:
                attributes[TEAM_ATTRIBUTE] = extra
            likelihood, impact = statement.likelihood, statement.impact_score
            tags = list(statement.tags)
        else:
            found["name"] = threat.title[:300]
            found["description"] = threat.description
            generated: dict[str, Any] = {
                "rule": threat.rule,
                "fingerprint": threat.fingerprint,
                "kind": threat.kind,
                "severity": threat.severity,
                "status": threat.status,
            }
            if threat.question:
                generated["question"] = threat.question
            decision = self.model.tracking.get(threat.fingerprint or "")
            if decision is not None:
                generated["decision"] = element_fields(decision, "tracking")
            attributes[GENERATED_ATTRIBUTE] = generated
            likelihood, impact = threat.likelihood, threat.impact
            tags = [GENERATED_TAG, f"severity:{threat.severity}"]
        found["categories"] = [_CATEGORIES[s] for s in threat.stride if s in _CATEGORIES]
        found["cwes"] = [f"CWE-{n}" for n in threat.cwe]
        found["risk"] = {
            "likelihood": _score(likelihood),
            "impact": _score(impact)
            if impact is not None
            else _SEVERITY_IMPACT.get(threat.severity, 50),
        }
        found["tags"] = tags
        if attributes:
            found["attributes"] = attributes
        self.place(threat, statement is not None)
        return found

    def place(self, threat: ExportedThreat, team: bool) -> None:
        """The threat's instances on its components and flows."""
        state = "exposed" if threat.status == "open" else threat.status
        unplaced = []
        flows = self.model.flows_by_id
        for element in threat.elements:
            if element not in self.model.components and element not in flows:
                unplaced.append(element)
                continue
            mitigations = []
            for text in threat.mitigations:
                control = self.model.controls.get(text)
                if control is not None:
                    applied = control.applies_everywhere or element in control.applies_to
                    done = control.status.value == "implemented" and applied
                    mitigations.append(
                        {"mitigation": control.id, "state": "implemented" if done else "required"}
                    )
                else:
                    mid = _mitigation_id(text)
                    self.text_mitigations.setdefault(mid, text)
                    mitigations.append({"mitigation": mid, "state": "required"})
            instance: dict[str, Any] = {"threat": threat.key, "state": state}
            if mitigations:
                instance["mitigations"] = mitigations
            self.instances.setdefault(element, []).append(instance)
        if unplaced and team:
            self.notes.append(
                f"team threat '{threat.key}' on {', '.join(unplaced)}: OTM places threats on "
                "components and data flows only (listed under threats: without an instance there)"
            )
        elif unplaced and len(unplaced) == len(threat.elements):
            self.unplaced += 1


def _otm_type(component: Any) -> str:
    """An OTM type for a component that was not imported from OTM: the first of the type table
    with its kind and technology, else its kind."""
    for name, entry in otm_types().types.items():
        if entry.kind == component.kind and entry.tech == component.tech and component.tech:
            return name
    return str(component.kind.value)


def _slug(text: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    return "-".join(part for part in slug.split("-") if part) or "threatforge-model"
