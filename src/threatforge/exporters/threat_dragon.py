"""The model as an OWASP Threat Dragon v2 model: one diagram whose cells are the components
(process, store, actor), flows, and zones (a boundary box around a zone's components; a zone
with none a boundary curve), each cell with its threats: the team's and the engine's
(docs/interop.md, "OWASP Threat Dragon").

Positions are the ones a Threat Dragon import kept (``diagram_x`` / ``diagram_y``), else a
deterministic layout: one column per top-level zone, a zone's components together. Threat
Dragon shows names, descriptions, a few flags and threats; each cell's ``data.threatforge``
carries the element's own fields and what was written for Threat Dragon (``written``), and
``detail.threatforge`` the data assets, controls, assumptions, team threats on no element and
decisions on findings, so an import of the export gives the model back. The schema's threat
``threatId`` is written beside the ``id`` the app reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from threatforge.exporters.interface import ModelExporter
from threatforge.exporters.threat_list import ExportedThreat, model_threats
from threatforge.model.canonical import element_fields
from threatforge.model.vocabulary import KindGroup, kind_group
from threatforge.text.json import json_text

if TYPE_CHECKING:
    from threatforge.assessment import Assessment
    from threatforge.model import Component, Model

__all__ = ["ThreatDragonExporter", "threat_dragon_document"]

# the importer's vocabulary (threatforge.importers.threat_dragon; exporters may not import
# importers: tests/exporters/test_threat_dragon_export.py keeps the two equal)
STATUS_TO_TD = {
    "open": "Open",
    "in-discussion": "Open",
    "in-progress": "Open",
    "accepted": "Open",
    "mitigated": "Mitigated",
    "false-positive": "NotApplicable",
    "not-applicable": "NotApplicable",
}
SEVERITY_TO_TD = {
    "critical": "Critical",
    "high": "High",
    "elevated": "Medium",
    "medium": "Medium",
    "low": "Low",
}
TD_FLAGS = (
    "outOfScope",
    "isPublicNetwork",
    "isBidirectional",
    "isWebApplication",
    "handlesCardPayment",
    "handlesGoodsOrServices",
    "storesCredentials",
    "storesInventory",
    "isALog",
    "isSigned",
    "isEncrypted",
    "providesAuthentication",
)
_STRIDE_TYPE = {
    "spoofing": "Spoofing",
    "tampering": "Tampering",
    "repudiation": "Repudiation",
    "information-disclosure": "Information disclosure",
    "denial-of-service": "Denial of service",
    "elevation-of-privilege": "Elevation of privilege",
}
_DIAGRAM_KEYS = (
    "diagram_x",
    "diagram_y",
    "diagram_flags",
    "privilege_level",
    "out_of_scope_reason",
)
_VERSION = "2.3.0"
_COLUMN, _ROW, _LEFT, _TOP = 320.0, 170.0, 80.0, 100.0
_NODE = {"process": (120.0, 100.0), "store": (160.0, 80.0), "actor": (160.0, 80.0)}
_PAD = 30.0


def _cell_id(eid: str) -> str:
    """A cell's id: the element's (the schema wants two characters at least: a one-character
    id gets ``--cell``, and the import reads the element's id back from ``written``)."""
    return eid if len(eid) >= 2 else f"{eid}--cell"


def _shape(component: Component) -> str:
    if component.kind in kind_group(KindGroup.PEOPLE):
        return "actor"
    return "store" if component.kind.stores_data else "process"


def _without_diagram(fields: dict[str, Any], label: str, **written: Any) -> dict[str, Any]:
    """An element's fields for ``data.threatforge``: what Threat Dragon shows itself (the
    diagram properties) left out, and what was written for it (``written``: the name shown,
    the position laid out) so the import tells a change made in Threat Dragon from ours."""
    properties = {k: v for k, v in fields.get("properties", {}).items() if k not in _DIAGRAM_KEYS}
    body = {k: v for k, v in fields.items() if k not in ("description", "properties")}
    if properties:
        body["properties"] = properties
    body["written"] = {"name": label, **written}
    return body


def _with_id(fields: dict[str, Any], eid: str) -> dict[str, Any]:
    if _cell_id(eid) != eid:
        fields["written"]["id"] = eid
    return fields


class _Document:
    def __init__(self, model: Model, assessment: Assessment | None) -> None:
        self.model = model
        self.by_cell: dict[str, list[ExportedThreat]] = {}
        self.unplaced: list[ExportedThreat] = []
        self.number = 0
        cells = set(model.components) | set(model.flows_by_id)
        for threat in model_threats(model, assessment):
            where = next((e for e in threat.elements if e in cells), None)
            if where is None:
                self.unplaced.append(threat)
            else:
                self.by_cell.setdefault(where, []).append(threat)
        self.placed_team: set[str] = set()

    def build(self) -> dict[str, Any]:
        model = self.model
        boxes = self.layout()
        cells: list[dict[str, Any]] = []
        z = 1
        for zid, box in boxes.items():
            cells.append(self.zone(zid, box, -1))
        curve_x = _LEFT + _COLUMN * (self.columns + 0.5)
        for zid in model.boundaries:
            if zid not in boxes:
                cells.append(self.curve(zid, curve_x))
                curve_x += 60.0
        for cid in model.components:
            cells.append(self.node(cid, z))
            z += 1
        for flow in model.flows:
            cells.append(self.flow(flow.id, z))
            z += 1
        system = model.system
        carried = self.carried()
        return {
            "version": _VERSION,
            "summary": {
                "title": system.name,
                "owner": system.owner or "",
                "description": system.description or "",
                "id": 0,
            },
            "detail": {
                "contributors": [],
                "diagrams": [
                    {
                        "id": 0,
                        "title": system.name,
                        "diagramType": "STRIDE",
                        "placeholder": "",
                        "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                        "version": _VERSION,
                        "description": "",
                        "cells": cells,
                    }
                ],
                "diagramTop": 1,
                "reviewer": "",
                "threatTop": self.number,
                **({"threatforge": carried} if carried else {}),
            },
        }

    # layout ------------------------------------------------------------------------------
    def layout(self) -> dict[str, tuple[float, float, float, float]]:
        """Each component's position (kept, else laid out) and each zone's box around its
        components and inner zones."""
        model = self.model

        def root(zid: str | None) -> str | None:
            seen: set[str] = set()
            while zid is not None and zid in model.boundaries and zid not in seen:
                seen.add(zid)
                parent = model.boundaries[zid].inside
                if parent is None:
                    return zid
                zid = parent
            return zid

        def path(zid: str | None) -> tuple[str, ...]:
            steps: list[str] = []
            while zid is not None and zid in model.boundaries and zid not in steps:
                steps.append(zid)
                zid = model.boundaries[zid].inside
            return tuple(reversed(steps))

        roots = [None, *[z for z in model.boundaries if model.boundaries[z].inside is None]]
        order = sorted(
            model.components.values(),
            key=lambda c: (roots.index(root(c.zone)) if root(c.zone) in roots else 0, path(c.zone)),
        )
        rows: dict[int, int] = {}
        self.positions: dict[str, tuple[float, float, float, float]] = {}
        for component in order:
            column = roots.index(root(component.zone)) if root(component.zone) in roots else 0
            width, height = _NODE[_shape(component)]
            x, y = component.prop("diagram_x"), component.prop("diagram_y")
            if (
                isinstance(x, int | float)
                and isinstance(y, int | float)
                and not isinstance(x, bool)
                and not isinstance(y, bool)
            ):
                self.positions[component.id] = (float(x), float(y), width, height)
                continue
            row = rows.get(column, 0)
            rows[column] = row + 1
            depth = len(path(component.zone))
            self.positions[component.id] = (
                _LEFT + column * _COLUMN + depth * 10.0,
                _TOP + row * _ROW,
                width,
                height,
            )
        self.columns = len(roots)
        boxes: dict[str, tuple[float, float, float, float]] = {}

        def box(zid: str) -> tuple[float, float, float, float] | None:
            if zid in boxes:
                return boxes[zid]
            parts = [self.positions[c.id] for c in model.components.values() if c.zone == zid]
            parts += [
                b
                for b in (
                    box(z)
                    for z, inner in model.boundaries.items()
                    if inner.inside == zid and z != zid
                )
                if b is not None
            ]
            if not parts:
                return None
            left = min(p[0] for p in parts) - _PAD
            top = min(p[1] for p in parts) - _PAD
            right = max(p[0] + p[2] for p in parts) + _PAD
            bottom = max(p[1] + p[3] for p in parts) + _PAD
            boxes[zid] = (left, top, right - left, bottom - top)
            return boxes[zid]

        for zid in model.boundaries:
            box(zid)
        return {z: boxes[z] for z in model.boundaries if z in boxes}

    # cells -------------------------------------------------------------------------------
    def zone(self, zid: str, box: tuple[float, float, float, float], z: int) -> dict[str, Any]:
        zone = self.model.boundaries[zid]
        return {
            "id": _cell_id(zid),
            "shape": "trust-boundary-box",
            "zIndex": z,
            "position": {"x": box[0], "y": box[1]},
            "size": {"width": box[2], "height": box[3]},
            "attrs": {"label": {"text": zone.label}},
            "visible": True,
            "data": {
                "type": "tm.BoundaryBox",
                "name": zone.label,
                "description": zone.description or "",
                "isTrustBoundary": True,
                "hasOpenThreats": False,
                "threatforge": _with_id(
                    _without_diagram(element_fields(zone, "boundaries"), zone.label), zid
                ),
            },
        }

    def curve(self, zid: str, x: float) -> dict[str, Any]:
        zone = self.model.boundaries[zid]
        return {
            "id": _cell_id(zid),
            "shape": "trust-boundary-curve",
            "zIndex": 0,
            "source": {"x": int(x), "y": 40},
            "target": {"x": int(x), "y": 240},
            "vertices": [],
            "labels": [zone.label],
            "visible": True,
            "data": {
                "type": "tm.Boundary",
                "name": zone.label,
                "description": zone.description or "",
                "isTrustBoundary": True,
                "hasOpenThreats": False,
                "threatforge": _with_id(
                    _without_diagram(element_fields(zone, "boundaries"), zone.label), zid
                ),
            },
        }

    def node(self, cid: str, z: int) -> dict[str, Any]:
        component = self.model.components[cid]
        shape = _shape(component)
        x, y, width, height = self.positions[cid]
        threats = [self.threat(t) for t in self.by_cell.get(cid, [])]
        flags = component.prop("diagram_flags")
        flags = flags if isinstance(flags, list) else []
        data: dict[str, Any] = {
            "type": {"process": "tm.Process", "store": "tm.Store", "actor": "tm.Actor"}[shape],
            "name": component.label,
            "description": component.description or "",
            "outOfScope": "outOfScope" in flags,
            "reasonOutOfScope": str(component.prop("out_of_scope_reason") or ""),
            "hasOpenThreats": any(t["status"] == "Open" for t in threats),
            "threats": threats,
        }
        if shape == "process":
            data["privilegeLevel"] = str(component.prop("privilege_level") or "")
        for flag in TD_FLAGS:
            if flag in flags and flag != "outOfScope":
                data[flag] = True
        laid_out = {} if component.prop("diagram_x") is not None else {"x": x, "y": y}
        data["threatforge"] = _with_id(
            _without_diagram(element_fields(component, "components"), component.label, **laid_out),
            cid,
        )
        return {
            "id": _cell_id(cid),
            "shape": shape,
            "zIndex": z,
            "position": {"x": x, "y": y},
            "size": {"width": width, "height": height},
            "attrs": {"text": {"text": component.label}},
            "visible": True,
            "data": data,
        }

    def flow(self, fid: str, z: int) -> dict[str, Any]:
        flow = self.model.flows_by_id[fid]
        threats = [self.threat(t) for t in self.by_cell.get(fid, [])]
        flags = flow.properties.get("diagram_flags")
        flags = flags if isinstance(flags, list) else []
        protocol = flow.protocol or ""
        encrypted = bool(flow.encrypted)
        fields = _without_diagram(
            element_fields(flow, "flows"),
            flow.name or "",
            protocol=protocol,
            isEncrypted=encrypted,
        )
        fields["id"] = fid
        data: dict[str, Any] = {
            "type": "tm.Flow",
            "name": flow.name or "",
            "description": flow.description or "",
            "outOfScope": "outOfScope" in flags,
            "reasonOutOfScope": str(flow.properties.get("out_of_scope_reason") or ""),
            "hasOpenThreats": any(t["status"] == "Open" for t in threats),
            "isBidirectional": "isBidirectional" in flags,
            "isEncrypted": encrypted,
            "isPublicNetwork": "isPublicNetwork" in flags,
            "protocol": protocol,
            "threats": threats,
            "threatforge": fields,
        }
        return {
            "id": _cell_id(fid),
            "shape": "flow",
            "zIndex": z + 1000,
            "connector": "smooth",
            "attrs": {
                "line": {
                    "stroke": "#333333",
                    "targetMarker": {"name": "block"},
                    "sourceMarker": {"name": ""},
                }
            },
            "labels": [flow.name or ""],
            "source": {"cell": _cell_id(flow.source)},
            "target": {"cell": _cell_id(flow.target)},
            "vertices": [],
            "visible": True,
            "data": data,
        }

    # threats -----------------------------------------------------------------------------
    def threat(self, threat: ExportedThreat) -> dict[str, Any]:
        self.number += 1
        kind = ""
        if threat.stride:
            kind = _STRIDE_TYPE.get(threat.stride[0], "")
        mitigation = "\n\n".join(threat.mitigations)
        ours: dict[str, Any]
        if threat.generated:
            title = threat.title
            description = threat.description
            if threat.question:
                description = f"{description}\n\nTo decide: {threat.question}"
            ours = {"generated": True, "rule": threat.rule, "fingerprint": threat.fingerprint}
        else:
            statement = self.model.threats[threat.key]
            self.placed_team.add(threat.key)
            kind = statement.type or kind
            title = threat.title
            description = statement.description or ""
            fields = element_fields(statement, "threats")
            ours = {"statement": fields}
            entry = self.model.tracking.get(f"team-threat@{threat.key}")
            if entry is not None:
                ours["decision"] = element_fields(entry, "tracking")
        status = STATUS_TO_TD.get(threat.status, "Open")
        if not threat.generated:
            entry = self.model.tracking.get(f"team-threat@{threat.key}")
            if entry is not None:
                status = STATUS_TO_TD[entry.status.value]
        body = {
            "id": threat.key,
            "threatId": threat.key,
            "title": title,
            "status": status,
            "severity": SEVERITY_TO_TD.get(threat.severity, "Medium"),
            "type": kind,
            "description": description,
            "mitigation": mitigation,
            "modelType": "STRIDE",
            "number": self.number,
            "score": "",
            "new": False,
        }
        ours["written"] = {
            k: body[k] for k in ("title", "status", "severity", "type", "description", "mitigation")
        }
        body["threatforge"] = ours
        return body

    def carried(self) -> dict[str, Any]:
        """What Threat Dragon has no place for, for the next import."""
        model = self.model
        carried: dict[str, Any] = {}
        system = {
            k: v
            for k, v in element_fields(model.system, "system").items()
            if k not in ("name", "description", "owner")
        }
        if system:
            carried["system"] = system
        for section in ("data", "controls", "assumptions"):
            elements: Mapping[str, Any] = getattr(model, section)
            if elements:
                carried[section] = {eid: element_fields(e, section) for eid, e in elements.items()}
        unplaced = {
            t.key: element_fields(model.threats[t.key], "threats")
            for t in self.unplaced
            if not t.generated and t.key in model.threats
        }
        if unplaced:
            carried["threats"] = unplaced
        tracking = {
            key: element_fields(entry, "tracking")
            for key, entry in model.tracking.items()
            if key.removeprefix("team-threat@") not in self.placed_team
        }
        if tracking:
            carried["tracking"] = tracking
        return carried


def threat_dragon_document(model: Model, assessment: Assessment | None) -> dict[str, Any]:
    """The Threat Dragon v2 document of ``model`` with the threats of ``assessment``."""
    return _Document(model, assessment).build()


class ThreatDragonExporter(ModelExporter):
    """OWASP Threat Dragon v2: one diagram, the team's and the engine's threats on its cells."""

    name = "threat-dragon"
    description = "OWASP Threat Dragon v2 (.json): a diagram with the team's and engine's threats"
    suffix = ".json"
    media_type = "application/json"

    def __init__(self) -> None:
        self._unplaced: tuple[ExportedThreat, ...] = ()

    def export(self, model: Model, assessment: Assessment | None = None) -> str:
        document = _Document(model, assessment)
        text = json_text(document.build()) + "\n"
        self._unplaced = tuple(document.unplaced)
        return text

    def dropped(self, model: Model) -> tuple[str, ...]:
        """What Threat Dragon cannot show (kept under ``threatforge`` for the next import),
        and the threats of the last export that sit on no diagram element."""
        lost: list[str] = []
        shown = [
            (len(model.data), "data assets"),
            (len(model.controls), "controls"),
            (len(model.assumptions), "assumptions"),
        ]
        listed = [f"{n} {what}" for n, what in shown if n]
        if listed:
            lost.append(
                f"{', '.join(listed)} as elements of the diagram (Threat Dragon has none: kept "
                "under detail.threatforge, which Threat Dragon does not show)"
            )
        team = [t.key for t in self._unplaced if not t.generated]
        if team:
            lost.append(
                f"team threats on no component or flow ({', '.join(team)}): kept under "
                "detail.threatforge, not shown in Threat Dragon"
            )
        generated = [t.key for t in self._unplaced if t.generated]
        if generated:
            lost.append(
                f"{len(generated)} generated threats on no component or flow (on zones, data "
                "assets or the whole system): not in the Threat Dragon file"
            )
        return tuple(lost)
