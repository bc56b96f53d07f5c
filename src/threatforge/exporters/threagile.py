"""The model as a Threagile model (YAML): ``threatforge export threagile MODEL``, so a team can
run Threagile on a model it keeps in threatforge.

The inverse of :mod:`threatforge.importers.threagile` (docs/interop.md, "Threagile"): data
assets, components as technical assets with their flows as communication links, zones as trust
boundaries (nested), shared runtimes from ``properties.shared_runtimes``, the team's threats as
individual risk categories (one per threat ``type``, else ``threatforge-team-<id>``), the
engine's threats as categories ``threatforge-<rule>``, and the decisions as ``risk_tracking``.
What the import kept as ``threagile_*`` properties is written back as it was; the rest is
derived (documented per field). The document validates against Threagile's JSON schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from threatforge.exporters.interface import ModelExporter
from threatforge.exporters.threat_list import ExportedThreat, export_threats
from threatforge.interchange.threagile import (
    AUTHENTICATION,
    CHECKED,
    GENERATED_CATEGORY_PREFIX,
    IMPACT,
    LIKELIHOOD,
    STATUS,
    TEAM_CATEGORY_PREFIX,
    ZONE_KINDS,
    link_id,
    slug,
    synthetic_id,
    team_threat_id,
    threagile_vocabulary,
)
from threatforge.model import Component, ComponentKind, Flow
from threatforge.model.vocabulary import KindGroup, kind_group
from threatforge.model.writer import yaml_document

if TYPE_CHECKING:
    from threatforge.assessment import Assessment
    from threatforge.model import Model

__all__ = ["THREAGILE_VERSION", "ThreagileExporter"]

THREAGILE_VERSION = "1.0.0"


def _reverse(table: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for theirs, ours in table.items():
        found.setdefault(ours, theirs)
    return found


_CRITICALITY = {
    "low": "operational",
    "medium": "important",
    "high": "critical",
    "critical": "mission-critical",
}
_CLASSIFICATION = {
    "public": "public",
    "internal": "internal",
    "confidential": "confidential",
    "restricted": "strictly-confidential",
}
_STATUS = {**_reverse(STATUS), "not-applicable": "false-positive"}
_ZONE_TYPES = {
    **_reverse(ZONE_KINDS),
    "vpc": "network-cloud-provider",
    "region": "network-cloud-provider",
    "cluster": "network-policy-namespace-isolation",
    "dmz": "network-cloud-security-group",
    "network": "network-virtual-lan",
    "corporate": "network-on-prem",
}
_AUTHENTICATION = {
    **_reverse(AUTHENTICATION),
    "api-key": "token",
    "basic": "credentials",
    "oauth2": "token",
    "saml": "externalized",
    "certificate": "client-certificate",
    "iam": "token",
    "sigv4": "token",
    "hmac": "token",
    "workload-identity": "token",
    "service-account": "token",
    "presigned-url": "token",
    "kerberos": "externalized",
    "ssh-key": "client-certificate",
    "network": "none",
}
_AT_REST = {
    "none": "none",
    "provider": "transparent",
    "kms": "transparent",
    "kms-cmk": "transparent",
    "hsm": "transparent",
    "application": "data-with-symmetric-shared-key",
}
_LIKELIHOOD = {1: "unlikely", **{v: k for k, v in LIKELIHOOD.items()}}
_IMPACT = {1: "low", **{v: k for k, v in IMPACT.items()}}
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_EXTERNAL = kind_group(KindGroup.EXTERNAL)


class ThreagileExporter(ModelExporter):
    """Writes a Threagile model (YAML)."""

    name = "threagile"
    description = "Threagile model YAML (run Threagile on a model kept in threatforge)."
    suffix = ".yaml"
    media_type = "application/yaml"

    def __init__(self) -> None:
        self._notes: list[str] = []

    def export(self, model: Model, assessment: Assessment | None = None) -> str:
        """The Threagile model of ``model``, with the threats of ``assessment`` (the team's own
        threats and decisions alone when there is none)."""
        if assessment is None:
            from threatforge.rules import analyze

            assessment = analyze(model, (), analyses=())
        document = _Writer(model, export_threats(assessment), self._notes).document()
        return yaml_document(document)

    def dropped(self, model: Model) -> tuple[str, ...]:
        """What Threagile cannot carry of ``model`` (and of the last export's threats)."""
        lines = []
        if model.controls:
            lines.append(
                f"{len(model.controls)} controls (Threagile has none: the mitigations of threats "
                "are written as text)"
            )
        if model.assumptions:
            lines.append(f"{len(model.assumptions)} assumptions (Threagile has none)")
        renamed = [f.id for f in model.flows if f.id != _flow_id(model, f)]
        if renamed:
            lines.append(
                f"the ids of {len(renamed)} flows (Threagile names a link by its source and title: "
                f"'{renamed[0]}' returns as '{_flow_id(model, _first(model, renamed[0]))}')"
            )
        return (*lines, *self._notes)


def _strings(value: Any) -> list[str]:
    """A property's list as text (anything else: empty)."""
    return [str(v) for v in value] if isinstance(value, list) else []


def _first(model: Model, fid: str) -> Flow:
    return model.flows_by_id[fid]


def _link_title(flow: Flow) -> str:
    return flow.name or f"{flow.source} to {flow.target}"


def _flow_id(model: Model, flow: Flow) -> str:

    return f"{flow.source}/{slug(_link_title(flow))}"


class _Writer:
    def __init__(self, model: Model, threats: tuple[ExportedThreat, ...], notes: list[str]) -> None:
        self.model = model
        self.threats = threats
        self.notes = notes
        self.notes.clear()
        self.vocabulary = threagile_vocabulary()
        self.tags: set[str] = set()
        self.link_ids: dict[str, str] = {}
        for flow in model.flows:
            self.link_ids[flow.id] = link_id(flow.source, _link_title(flow))
        self.cia = _CRITICALITY.get(
            model.system.criticality.value if model.system.criticality else "medium", "important"
        )

    def document(self) -> dict[str, Any]:
        model = self.model
        system = model.system
        document: dict[str, Any] = {"threagile_version": THREAGILE_VERSION, "title": system.name}
        if system.version and _DATE.match(system.version):
            document["date"] = system.version
        document["author"] = {"name": system.owner or "threatforge"}
        if system.description:
            document["management_summary_comment"] = system.description
        document["business_criticality"] = self.cia
        data = {
            self.unique(d.name or d.id, d.id, "data"): self.data_asset(d)
            for d in model.data.values()
        }
        assets = {
            self.unique(c.name or c.id, c.id, "assets"): self.asset(c)
            for c in model.components.values()
        }
        boundaries = {
            self.unique(b.name or b.id, b.id, "zones"): self.boundary(b)
            for b in model.boundaries.values()
        }
        categories, tracking = self.risks()
        document["tags_available"] = sorted(self.tags)
        document["data_assets"] = data
        document["technical_assets"] = assets
        document["trust_boundaries"] = boundaries
        document["shared_runtimes"] = self.shared_runtimes()
        document["individual_risk_categories"] = categories
        document["risk_tracking"] = tracking
        return document

    def unique(
        self, title: str, eid: str, section: str, seen: dict[str, set[str]] | None = None
    ) -> str:
        taken = self.__dict__.setdefault(f"_titles_{section}", set())
        name = title if title not in taken else f"{title} ({eid})"
        taken.add(name)
        return name

    def data_asset(self, data: Any) -> dict[str, Any]:
        return {
            "id": data.id,
            "description": data.description or data.name or data.id,
            "usage": "business",
            "tags": [],
            "origin": "",
            "owner": data.owner or "",
            "quantity": "many",
            "confidentiality": _CLASSIFICATION[data.classification.value],
            "integrity": self.cia,
            "availability": self.cia,
            "justification_cia_rating": "",
        }

    def asset(self, component: Component) -> dict[str, Any]:
        props = component.properties
        names = props.get("threagile_technologies")
        technologies = (
            [str(n) for n in names] if isinstance(names, list) else [self.technology(component)]
        )
        flags = set(_strings(props.get("threagile_flags")))
        kind = component.kind
        asset_type = str(
            props.get("threagile_type")
            or (
                "external-entity"
                if kind in _EXTERNAL
                else "datastore"
                if kind.stores_data
                else "process"
            )
        )
        cia = props.get("threagile_cia")
        if isinstance(cia, list) and len(cia) == 3:
            confidentiality, integrity, availability = (str(v) for v in cia)
        else:
            confidentiality, integrity, availability = self.highest(component), self.cia, self.cia
        encryption = props.get("threagile_encryption")
        if not isinstance(encryption, str):
            at_rest = component.encryption.at_rest if component.encryption else None
            encryption = _AT_REST[at_rest.value] if at_rest is not None else "none"
        tags = list(component.tags)
        self.tags.update(tags)
        formats = props.get("threagile_data_formats")
        asset: dict[str, Any] = {
            "id": component.id,
            "description": component.description or component.name or component.id,
            "type": asset_type,
            "usage": str(props.get("threagile_usage") or "business"),
            "used_as_client_by_human": "used_as_client_by_human" in flags
            if "threagile_type" in props
            else kind in kind_group(KindGroup.PEOPLE),
            "out_of_scope": "out_of_scope" in flags,
            "size": str(props.get("threagile_size") or "component"),
            "technologies": technologies,
            "tags": tags,
            "internet": component.exposure is not None and component.exposure.value == "public",
            "machine": str(
                props.get("threagile_machine")
                or ("serverless" if kind == ComponentKind.FUNCTION else "virtual")
            ),
            "encryption": encryption,
            "owner": component.owner or "",
            "confidentiality": confidentiality,
            "integrity": integrity,
            "availability": availability,
            "multi_tenant": "multi_tenant" in flags,
            "redundant": "redundant" in flags,
            "custom_developed_parts": "custom_developed_parts" in flags
            if "threagile_type" in props
            else component.ours and kind not in _EXTERNAL,
            "data_assets_processed": list(component.processes),
            "data_assets_stored": list(component.stores),
            "data_formats_accepted": [str(f) for f in formats] if isinstance(formats, list) else [],
            "communication_links": self.links(component),
        }
        return asset

    def technology(self, component: Component) -> str:
        for name, entry in self.vocabulary.technologies.items():
            if component.tech and entry.tech == component.tech:
                return name
        return self.vocabulary.export_name(component.kind)

    def highest(self, component: Component) -> str:
        ranks = [
            self.model.data[d].classification for d in component.data_ids if d in self.model.data
        ]
        if not ranks:
            return "internal"
        return _CLASSIFICATION[max(ranks, key=lambda c: c.rank).value]

    def links(self, component: Component) -> dict[str, Any]:
        links: dict[str, Any] = {}
        for flow in self.model.flows:
            if flow.source != component.id:
                continue
            props = flow.properties
            received = _strings(props.get("threagile_data_received"))
            flags = set(_strings(props.get("threagile_flags")))
            authentication = props.get("threagile_authentication")
            if not isinstance(authentication, str):
                authn = flow.effective_authn
                authentication = _AUTHENTICATION.get(authn.value, "token") if authn else "none"
            authorization = props.get("threagile_authorization")
            if not isinstance(authorization, str):
                authorization = (
                    "none"
                    if flow.authz is None or flow.authz.value == "none"
                    else "technical-user"
                    if flow.authz.value == "iam"
                    else "end-user-identity-propagation"
                )
            tags = list(flow.tags)
            self.tags.update(tags)
            title = _link_title(flow)
            links[title] = {
                "target": flow.target,
                "description": flow.description or title,
                "protocol": self.protocol(flow),
                "authentication": authentication,
                "authorization": authorization,
                "tags": tags,
                "vpn": "vpn" in flags,
                "ip_filtered": "ip_filtered" in flags,
                "readonly": "readonly" in flags,
                "usage": str(props.get("threagile_usage") or "business"),
                "data_assets_sent": [d for d in flow.data if d not in received],
                "data_assets_received": received,
            }
        return links

    def protocol(self, flow: Flow) -> str:
        stated = flow.properties.get("threagile_protocol")
        if isinstance(stated, str):
            return stated
        protocols = self.vocabulary.protocols
        if flow.protocol is None:
            return "unknown-protocol"
        for name, entry in protocols.items():
            if entry.protocol == flow.protocol and bool(entry.tls) == bool(
                flow.tls and flow.protocol not in ("https", "wss", "ldaps")
            ):
                return name
        return flow.protocol if flow.protocol in protocols else "unknown-protocol"

    def boundary(self, zone: Any) -> dict[str, Any]:
        return {
            "id": zone.id,
            "description": zone.description or zone.name or zone.id,
            "type": str(
                zone.properties.get("threagile_type")
                or _ZONE_TYPES.get(zone.kind.value, "execution-environment")
            ),
            "tags": [],
            "technical_assets_inside": [
                c.id for c in self.model.components.values() if c.zone == zone.id
            ],
            "trust_boundaries_nested": [
                b.id for b in self.model.boundaries.values() if b.inside == zone.id
            ],
        }

    def shared_runtimes(self) -> dict[str, Any]:
        runtimes: dict[str, dict[str, Any]] = {}
        for component in self.model.components.values():
            listed = component.properties.get("shared_runtimes")
            for entry in listed if isinstance(listed, list) else []:
                rid, _, title = str(entry).partition(": ")
                title = title or rid
                found = runtimes.setdefault(
                    title,
                    {"id": rid, "description": title, "tags": [], "technical_assets_running": []},
                )
                found["technical_assets_running"].append(component.id)
        return runtimes

    # --- risks -------------------------------------------------------------------------------

    def risks(self) -> tuple[dict[str, Any], dict[str, Any]]:
        categories: dict[str, dict[str, Any]] = {}
        tracking: dict[str, Any] = {}
        by_id: dict[str, dict[str, Any]] = {}
        for threat in self.threats:
            if threat.generated:
                cid = f"{GENERATED_CATEGORY_PREFIX}{threat.rule}"
            else:
                statement = self.model.threats[threat.key]
                cid = statement.type or f"{TEAM_CATEGORY_PREFIX}{threat.key}"
            category = by_id.get(cid)
            if category is None:
                category = self.category(cid, threat)
                by_id[cid] = category
                categories[self.unique(category.pop("_title"), cid, "categories")] = category
            title, risk = self.risk(threat)
            risks = category["risks_identified"]
            if title in risks:
                title = f"{title} ({threat.key})"
            risks[title] = risk
            rid = synthetic_id(cid, risk)
            if not threat.generated and statement.type and team_threat_id(rid) != threat.key:
                self.notes.append(
                    f"the id of team threat '{threat.key}' (Threagile names a risk by its "
                    f"category and elements: it returns as '{team_threat_id(rid)}')"
                )
            decision = self.model.tracking.get(
                (threat.fingerprint or "") if threat.generated else f"team-threat@{threat.key}"
            )
            if decision is not None:
                tracking[rid] = self.decision(decision)
        return categories, tracking

    def category(self, cid: str, threat: ExportedThreat) -> dict[str, Any]:
        team = None if threat.generated else self.model.threats[threat.key]
        mitigation = "; ".join(threat.mitigations)
        if (
            team is not None
            and not cid.startswith(TEAM_CATEGORY_PREFIX)
            and len(threat.mitigations) > 1
        ):
            self.notes.append(
                f"the {len(threat.mitigations)} mitigations of team threat '{threat.key}' as one "
                "text (Threagile has one per category)"
            )
        stride = threat.stride[0] if threat.stride else "information-disclosure"
        if not threat.stride:
            self.notes.append(
                f"a STRIDE category for '{threat.key}' (Threagile needs one: written as "
                "information-disclosure)"
            )
        description = (team.description if team is not None else None) or threat.description
        return {
            "_title": threat.title[:200]
            if team is None or cid.startswith(TEAM_CATEGORY_PREFIX)
            else cid,
            "id": cid,
            "description": description,
            "impact": (team.impact if team is not None else None) or "",
            "asvs": "",
            "cheat_sheet": "",
            "action": "",
            "mitigation": mitigation,
            "check": "",
            "function": "architecture",
            "stride": stride,
            "detection_logic": f"threatforge rule {threat.rule} (generated by threatforge: decide "
            "it in threatforge)"
            if threat.generated
            else "",
            "risk_assessment": "",
            "false_positives": "",
            "model_failure_possible_reason": False,
            "cwe": threat.cwe[0] if threat.cwe else 0,
            "risks_identified": {},
        }

    def risk(self, threat: ExportedThreat) -> tuple[str, dict[str, Any]]:
        team = None if threat.generated else self.model.threats[threat.key]
        relevant: dict[str, str] = {}
        for element in threat.elements:
            if element in self.model.components:
                relevant.setdefault("most_relevant_technical_asset", element)
            elif element in self.link_ids:
                relevant.setdefault("most_relevant_communication_link", self.link_ids[element])
            elif element in self.model.boundaries:
                relevant.setdefault("most_relevant_trust_boundary", element)
            elif element in self.model.data:
                relevant.setdefault("most_relevant_data_asset", element)
        if team is not None and len(relevant) < len(team.elements):
            self.notes.append(
                f"{len(team.elements) - len(relevant)} of the elements of team threat "
                f"'{threat.key}' (Threagile keeps one of each kind)"
            )
        breached = [
            a
            for a in (team.impacted_assets if team is not None else ())
            if a in self.model.components
        ]
        risk: dict[str, Any] = {
            "severity": threat.severity,
            "exploitation_likelihood": _LIKELIHOOD.get(threat.likelihood or 3, "likely"),
            "exploitation_impact": _IMPACT.get(threat.impact or 3, "medium"),
            "data_breach_probability": "possible",
            "data_breach_technical_assets": breached,
        }
        for key in (
            "most_relevant_data_asset",
            "most_relevant_technical_asset",
            "most_relevant_communication_link",
            "most_relevant_trust_boundary",
            "most_relevant_shared_runtime",
        ):
            risk[key] = relevant.get(key, "")
        title = team.action if team is not None else threat.title
        return title[:300], risk

    def decision(self, entry: Any) -> dict[str, Any]:
        justification = entry.justification or ""
        checked = None
        match = CHECKED.match(justification)
        if match is not None:
            justification, checked = match["text"], match["date"]
        status = entry.status.value
        if status == "not-applicable":
            self.notes.append(
                f"the status not-applicable of '{entry.id}' (written as false-positive)"
            )
        return {
            "status": _STATUS[status],
            "justification": justification,
            "ticket": entry.ticket or "",
            "date": checked,
            "checked_by": entry.owner or "",
        }
