"""OWASP Threat Dragon models in, v1 and v2 (docs/interop.md, "OWASP Threat Dragon").

- v1: ``detail.diagrams[].diagramJson.cells``, ``type`` ``tm.Process`` / ``tm.Store`` /
  ``tm.Actor`` / ``tm.Flow`` / ``tm.Boundary``, properties flat on the cell, the name in
  ``attrs.text.text`` (a flow's in its first label).
- v2: ``detail.diagrams[].cells``, ``shape`` ``process`` / ``store`` / ``actor`` / ``flow`` /
  ``trust-boundary-box`` / ``trust-boundary-curve``, properties under ``data``. Real files keep
  threats under ``cell.data.threats`` with an ``id``; the v2 schema says ``cell.threats`` with a
  ``threatId``: both are read.

Processes become services, stores datastores, actors actors; flows flows (between the
components they join); a boundary box a zone holding the components whose centre lies inside it
(the smallest box wins; a box inside a box is a zone ``inside`` it); a boundary curve a zone
with no members, and each flow that crosses it is tagged ``crosses:<zone>``. Positions are kept
as the informational properties ``diagram_x`` / ``diagram_y``; the flags Threat Dragon sets
(``outOfScope``, ``isPublicNetwork``, ...) as ``diagram_flags``. Threats become the team's
threats on their element, their status a decision under ``tracking:``.

An export of threatforge's (:mod:`threatforge.exporters.threat_dragon`) carries each element's
and threat's own fields under ``data.threatforge`` and the rest of the model under
``detail.threatforge``: they are read back, and a Threat Dragon field a person changed since
(a status, a severity, a name) wins over them. Threats whose id is a ``rule:fingerprint``
(threatforge's generated threats) are not read back as the team's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from threatforge.errors import ImporterError
from threatforge.importers.interface import ImportedModel, Importer
from threatforge.importers.threat_interchange import (
    MAX_FILE_BYTES,
    SHORT,
    TEXT,
    InterchangeDraft,
    clip,
    items,
    joined_notes,
    read_interchange_file,
    readable_id,
    text_of,
    valid_fingerprint,
    valid_id,
)
from threatforge.model import ReadError, read_regular_file

__all__ = [
    "SEVERITY_TO_TD",
    "STATUS_TO_TD",
    "TD_FLAGS",
    "ThreatDragonImporter",
]

STATUS_TO_TD = {
    "open": "Open",
    "in-discussion": "Open",
    "in-progress": "Open",
    "accepted": "Open",
    "mitigated": "Mitigated",
    "false-positive": "NotApplicable",
    "not-applicable": "NotApplicable",
}
"""Our decision status -> Threat Dragon's (export; the app offers Open, Mitigated and
NotApplicable: an acceptance is written Open, and carried exactly under ``threatforge``)."""
_FROM_TD_STATUS = {
    "mitigated": ("mitigated", None),
    "notapplicable": ("not-applicable", "marked not applicable in Threat Dragon"),
    "na": ("not-applicable", "marked not applicable in Threat Dragon"),
    "accepted": ("accepted", "accepted in Threat Dragon"),
    "transferred": ("accepted", "transferred in Threat Dragon"),
    "avoided": ("mitigated", None),
    "eliminated": ("mitigated", None),
}
SEVERITY_TO_TD = {
    "critical": "Critical",
    "high": "High",
    "elevated": "Medium",
    "medium": "Medium",
    "low": "Low",
}
_FROM_TD_SEVERITY = {"critical": "critical", "high": "high", "medium": "medium", "low": "low"}
_STRIDE = {
    "spoofing": "spoofing",
    "tampering": "tampering",
    "repudiation": "repudiation",
    "information disclosure": "information-disclosure",
    "denial of service": "denial-of-service",
    "elevation of privilege": "elevation-of-privilege",
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
"""The boolean flags of Threat Dragon elements kept in ``diagram_flags`` when set (a flow's
``isEncrypted`` is ``tls: true`` instead)."""
_KINDS = {
    "tm.Process": "process",
    "tm.Store": "store",
    "tm.Actor": "actor",
    "tm.Flow": "flow",
    "tm.Boundary": "curve",
    "tm.BoundaryBox": "box",
    "tm.Text": "text",
    "process": "process",
    "store": "store",
    "actor": "actor",
    "flow": "flow",
    "trust-boundary-curve": "curve",
    "trust-boundary-box": "box",
    "td-text-block": "text",
}
_COMPONENT_KIND = {"process": "service", "store": "datastore", "actor": "actor"}
_PROTOCOL = re.compile(r"^[a-z0-9][a-z0-9.+_-]{0,39}$")
_PROTOCOL_WORDS = {"http/s": "https", "https/tls": "https", "tls": "tls"}
_UNTRUSTED_WORDS = ("internet", "untrusted", "external", "public network")
MAX_POINTS = 200
"""Vertices read per flow or curve (more are ignored)."""
MAX_CROSSING_CHECKS = 2_000_000
"""Segment pairs (flow segments x curve segments) checked for crossings; past it, crossings are
not computed (noted)."""


class ThreatDragonImporter(Importer):
    """Reads one OWASP Threat Dragon model (v1 or v2)."""

    name: ClassVar[str] = "threat-dragon"
    description: ClassVar[str] = (
        "OWASP Threat Dragon models (v1 and v2 .json): diagrams, elements and their threats"
    )
    patterns: ClassVar[tuple[str, ...]] = ("*.json",)

    def claims(self, path: Path) -> bool:
        """A JSON file whose first 4 KiB name ``summary`` and ``detail`` (a Threat Dragon
        model), not any JSON file in the folder."""
        try:
            raw = read_regular_file(str(path), str(path), MAX_FILE_BYTES, kind="a JSON file")
        except ReadError:
            return False
        head = raw[:4096].decode("utf-8", errors="replace")
        return '"summary"' in head and '"detail"' in head

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from one Threat Dragon file (or the one such file in a folder)."""
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files.extend(p for p in sorted(path.glob("*.json")) if self.claims(p))
            else:
                files.append(path)
        if len(files) != 1:
            shown = ", ".join(str(p) for p in paths)
            raise ImporterError(
                f"{shown}: threat-dragon reads one Threat Dragon model file ({len(files)} found)"
            )
        notes: list[str] = []
        document, shown = read_interchange_file(files[0], "Threat Dragon", notes)
        return _Read(document, shown, files[0], notes).run()


Point = tuple[float, float]


@dataclass
class _Cell:
    cell_id: str
    kind: str
    name: str
    props: Mapping[str, Any]
    threats: list[Any]
    ours: Mapping[str, Any]
    """``data.threatforge`` written by our exporter (empty: none)."""
    box: tuple[float, float, float, float] | None = None
    """x, y, width, height."""
    points: list[Point] = field(default_factory=list)
    source: str = ""
    target: str = ""
    eid: str = ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _point(value: Any) -> Point | None:
    if not isinstance(value, dict):
        return None
    x, y = _number(value.get("x")), _number(value.get("y"))
    return (x, y) if x is not None and y is not None else None


def _name(cell: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """The name: v2 ``data.name``, else the node's text, else a flow's first label."""
    candidates: list[Any] = [data.get("name")]
    attrs = cell.get("attrs")
    if isinstance(attrs, dict):
        for key in ("text", "label"):
            part = attrs.get(key)
            if isinstance(part, dict):
                candidates.append(part.get("text"))
    labels = cell.get("labels")
    if isinstance(labels, list) and labels:
        first = labels[0]
        if isinstance(first, str):
            candidates.append(first)
        elif isinstance(first, dict):
            label_attrs = first.get("attrs")
            if isinstance(label_attrs, dict):
                for key in ("text", "label", "labelText"):
                    part = label_attrs.get(key)
                    if isinstance(part, dict):
                        candidates.append(part.get("text"))
    for candidate in candidates:
        text = " ".join(text_of(candidate).split())
        if text:
            return text
    return ""


def _written(ours: Mapping[str, Any]) -> Mapping[str, Any]:
    written = ours.get("written")
    return written if isinstance(written, dict) else {}


def _shown_name(cell: _Cell) -> str | None:
    """The cell's name: ours when Threat Dragon still shows what we wrote, else its own."""
    if cell.ours and cell.name == text_of(_written(cell.ours).get("name")):
        own = cell.ours.get("name")
        return own if isinstance(own, str) else None
    return cell.name or None


def _cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segment a-b crosses segment c-d (touching counts)."""

    def orient(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2 = orient(c, d, a), orient(c, d, b)
    d3, d4 = orient(a, b, c), orient(a, b, d)
    return (d1 * d2 <= 0) and (d3 * d4 <= 0) and not (d1 == d2 == 0)


def _crosses(line: list[Point], curve: list[Point]) -> bool:
    return any(
        _cross(line[i], line[i + 1], curve[j], curve[j + 1])
        for i in range(len(line) - 1)
        for j in range(len(curve) - 1)
    )


def _centre(box: tuple[float, float, float, float]) -> Point:
    return (box[0] + box[2] / 2, box[1] + box[3] / 2)


def _inside(point: Point, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[0] + box[2] and box[1] <= point[1] <= box[1] + box[3]


def _box_inside(
    inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]
) -> bool:
    return (
        inner != outer
        and _inside((inner[0], inner[1]), outer)
        and _inside((inner[0] + inner[2], inner[1] + inner[3]), outer)
    )


class _Read:
    def __init__(
        self, document: Mapping[str, Any], shown: str, path: Path, notes: list[str]
    ) -> None:
        self.doc = document
        self.shown = shown
        self.path = path
        self.draft = InterchangeDraft(shown, notes=notes)
        self.notes = self.draft.notes
        self.taken: set[str] = set()
        self.threat_ids: set[str] = set()
        self.cells: list[_Cell] = []
        self.by_cell: dict[str, _Cell] = {}
        self.version = "v1"
        self.skipped: dict[str, int] = {}
        self.generated = 0
        self.decided: list[str] = []
        """Fingerprints of threatforge's threats a person decided in Threat Dragon."""

    def run(self) -> ImportedModel:
        detail = self.doc.get("detail")
        summary = self.doc.get("summary")
        if not isinstance(detail, dict) or not isinstance(summary, dict):
            raise ImporterError(
                f"{self.shown}: not a Threat Dragon model (it needs 'summary' and 'detail')"
            )
        ours = detail.get("threatforge")
        self.extra = ours if isinstance(ours, dict) else {}
        if text_of(self.doc.get("version")).startswith("2"):
            self.version = "v2"
        self.system(summary)
        diagrams = items(detail.get("diagrams"), "detail.diagrams", self.shown)
        for index, diagram in enumerate(diagrams):
            if isinstance(diagram, dict):
                self.read_diagram(index, diagram)
        if len(diagrams) > 1:
            self.notes.append(
                f"{len(diagrams)} diagrams were read into one model (element ids are unique "
                "across them; positions of different diagrams may overlap on export)"
            )
        self.elements()
        self.threats()
        self.carried()
        counts = {s: len(self.draft.sections[s]) for s in self.draft.sections}
        for kind, count in sorted(self.skipped.items()):
            self.notes.append(f"{count} {kind} cells skipped: they carry no element of a model")
        if self.generated:
            self.notes.append(
                f"{self.generated} threats with a rule:fingerprint id are threatforge's own "
                "findings and applicable threats: not read back as the team's (the engine "
                "finds them again)"
            )
        if self.decided:
            self.notes.append(
                joined_notes(
                    "statuses set in Threat Dragon on threatforge's threats became decisions "
                    "under tracking: (add an owner and an expiry for the gate to accept them)",
                    self.decided,
                )
            )
        self.notes.append(
            f"read 1 Threat Dragon {self.version} file: {counts['components']} components, "
            f"{counts['flows']} flows, {counts['boundaries']} zones, {counts['threats']} threats"
        )
        return self.draft.build()

    def system(self, summary: Mapping[str, Any]) -> None:
        name = " ".join(text_of(summary.get("title")).split())
        if not name:
            name = self.path.stem or "imported"
            self.notes.append(f"the model has no title: the system is called '{name}'")
        fields: dict[str, Any] = {}
        ours = self.extra.get("system")
        if isinstance(ours, dict):
            fields.update({k: v for k, v in ours.items() if k not in ("name", "description")})
        fields["name"] = clip(name, SHORT, "the model's title", self.notes)
        description = text_of(summary.get("description")).strip()
        if description:
            fields["description"] = clip(description, TEXT, "the model's description", self.notes)
        owner = " ".join(text_of(summary.get("owner")).split())
        if owner:
            fields["owner"] = clip(owner, SHORT, "the model's owner", self.notes)
        self.draft.system = fields

    def read_diagram(self, index: int, diagram: Mapping[str, Any]) -> None:
        if "cells" in diagram:
            self.version = "v2"
            raw = diagram.get("cells")
        else:
            graph = diagram.get("diagramJson")
            raw = graph.get("cells") if isinstance(graph, dict) else None
        where = f"detail.diagrams[{index}].cells"
        for position, cell in enumerate(items(raw, where, self.shown)):
            if isinstance(cell, dict):
                self.read_cell(f"{where}[{position}]", cell)

    def read_cell(self, where: str, cell: Mapping[str, Any]) -> None:
        data = cell.get("data")
        data = data if isinstance(data, dict) else {}
        shape = text_of(cell.get("shape")) or text_of(cell.get("type")) or text_of(data.get("type"))
        kind = _KINDS.get(shape) or _KINDS.get(text_of(data.get("type")), "")
        if not kind or kind == "text":
            label = "text" if kind == "text" else f"'{shape[:40]}'" if shape else "untyped"
            self.skipped[label] = self.skipped.get(label, 0) + 1
            return
        props = data or cell  # v1: properties flat on the cell
        threats = items(props.get("threats"), f"{where}.threats", self.shown)
        if not threats and isinstance(cell.get("threats"), list):
            threats = items(cell.get("threats"), f"{where}.threats", self.shown)
        ours = data.get("threatforge")
        found = _Cell(
            cell_id=text_of(cell.get("id")),
            kind=kind,
            name=_name(cell, data),
            props=props,
            threats=threats,
            ours=ours if isinstance(ours, dict) else {},
        )
        position, size = _point(cell.get("position")), cell.get("size")
        if position is not None and isinstance(size, dict):
            width, height = _number(size.get("width")), _number(size.get("height"))
            if width is not None and height is not None:
                found.box = (position[0], position[1], width, height)
        vertices = [
            p
            for p in (
                _point(v)
                for v in (cell.get("vertices") or [])[:MAX_POINTS]
                if isinstance(cell.get("vertices"), list)
            )
            if p is not None
        ]
        ends = [cell.get("source"), cell.get("target")]
        if kind == "flow":
            refs = [
                text_of(e.get("cell") or e.get("id")) if isinstance(e, dict) else "" for e in ends
            ]
            found.source, found.target = refs
            found.points = vertices
        elif kind == "curve":
            start, end = (_point(e) for e in ends)
            found.points = [p for p in (start, *vertices, end) if p is not None]
        self.cells.append(found)
        if found.cell_id:
            self.by_cell.setdefault(found.cell_id, found)

    def elements(self) -> None:
        boxes = [c for c in self.cells if c.kind == "box"]
        curves = [c for c in self.cells if c.kind == "curve"]
        nodes = [c for c in self.cells if c.kind in _COMPONENT_KIND]
        flows = [c for c in self.cells if c.kind == "flow"]
        for cell in [*boxes, *curves, *nodes]:
            fallback = {"box": "zone", "curve": "boundary"}.get(cell.kind, cell.kind)
            own = valid_id(_written(cell.ours).get("id"))
            cell.eid = readable_id(own or cell.cell_id, cell.name, fallback, self.taken)
        guessed: list[str] = []
        for cell in [*boxes, *curves]:
            self.boundary(cell, boxes, guessed)
        if guessed:
            self.notes.append(
                joined_notes(
                    "Threat Dragon boundaries state no trust level; set from their names "
                    "(review them)",
                    guessed,
                )
            )
        for cell in nodes:
            self.component(cell, boxes)
        pairs: set[tuple[str, str]] = set()
        dangling = 0
        checks = sum(len(f.points) + 1 for f in flows) * sum(
            max(len(c.points) - 1, 0) for c in curves
        )
        if checks > MAX_CROSSING_CHECKS:
            self.notes.append(
                f"{len(flows)} flows x {len(curves)} boundary curves: too many segments to check "
                "which flows cross a curve; no crossings were tagged"
            )
            curves = []
        for cell in flows:
            source, target = self.by_cell.get(cell.source), self.by_cell.get(cell.target)
            if (
                source is None
                or target is None
                or not source.eid
                or not target.eid
                or source.kind not in _COMPONENT_KIND
                or target.kind not in _COMPONENT_KIND
            ):
                dangling += 1
                continue
            self.flow(cell, source, target, curves, pairs)
        if dangling:
            self.notes.append(
                f"{dangling} flows skipped: an end is not attached to a process, store or actor"
            )

    def boundary(self, cell: _Cell, boxes: list[_Cell], guessed: list[str]) -> None:
        fields: dict[str, Any] = {
            k: v
            for k, v in cell.ours.items()
            if k not in ("name", "description", "inside", "written")
        }
        if "trust" not in fields:
            words = cell.name.lower()
            trusted = not any(w in words for w in _UNTRUSTED_WORDS)
            fields["trust"] = "trusted" if trusted else "untrusted"
            guessed.append(f"{cell.eid} ({fields['trust']})")
        fields["name"] = (
            clip(_shown_name(cell) or "", SHORT, f"the name of zone {cell.eid}", self.notes) or None
        )
        description = text_of(cell.props.get("description")).strip()
        fields["description"] = clip(description, TEXT, f"zone {cell.eid}", self.notes) or None
        if cell.box is not None:
            outer = [b for b in boxes if b.box is not None and _box_inside(cell.box, b.box)]
            if outer:
                smallest = min(
                    outer, key=lambda b: (b.box or (0, 0, 0, 0))[2] * (b.box or (0, 0, 0, 0))[3]
                )
                fields["inside"] = smallest.eid
        elif isinstance(cell.ours.get("inside"), str):
            fields["inside"] = cell.ours["inside"]
        self.draft.add("boundaries", cell.eid, fields)

    def zone_of(self, cell: _Cell, boxes: list[_Cell]) -> str | None:
        """The smallest box holding the cell's centre; its own ``zone`` when that box holds it
        too, or when it names a zone drawn as a curve."""
        stated = cell.ours.get("zone")
        if cell.box is None:
            return stated if isinstance(stated, str) else None
        centre = _centre(cell.box)
        holding = [b for b in boxes if b.box is not None and _inside(centre, b.box)]
        if isinstance(stated, str):
            if any(b.eid == stated for b in holding):
                return stated
            if not holding and stated in {c.eid for c in self.cells if c.kind == "curve"}:
                return stated
        if not holding:
            return None
        return min(
            holding, key=lambda b: (b.box or (0, 0, 0, 0))[2] * (b.box or (0, 0, 0, 0))[3]
        ).eid

    def component(self, cell: _Cell, boxes: list[_Cell]) -> None:
        fields: dict[str, Any] = {
            k: v
            for k, v in cell.ours.items()
            if k not in ("name", "description", "zone", "properties", "written")
        }
        fields.setdefault("kind", _COMPONENT_KIND[cell.kind])
        fields["name"] = (
            clip(_shown_name(cell) or "", SHORT, f"the name of {cell.eid}", self.notes) or None
        )
        description = text_of(cell.props.get("description")).strip()
        fields["description"] = clip(description, TEXT, f"component {cell.eid}", self.notes) or None
        fields["zone"] = self.zone_of(cell, boxes)
        properties = self.properties(cell)
        written = _written(cell.ours)
        laid_out = cell.box is not None and (cell.box[0], cell.box[1]) == (
            _number(written.get("x")),
            _number(written.get("y")),
        )
        if cell.box is not None and not laid_out:
            properties["diagram_x"] = round(cell.box[0], 2)
            properties["diagram_y"] = round(cell.box[1], 2)
        level = " ".join(text_of(cell.props.get("privilegeLevel")).split())
        if level:
            properties["privilege_level"] = clip(
                level, SHORT, f"{cell.eid}'s privilege level", self.notes
            )
        fields["properties"] = properties
        self.draft.add("components", cell.eid, fields)

    def properties(self, cell: _Cell) -> dict[str, Any]:
        """The element's own properties (under ``threatforge``), then Threat Dragon's flags."""
        ours = cell.ours.get("properties")
        properties: dict[str, Any] = dict(ours) if isinstance(ours, dict) else {}
        for key in (
            "diagram_flags",
            "diagram_x",
            "diagram_y",
            "out_of_scope_reason",
            "privilege_level",
        ):
            properties.pop(key, None)
        flags = [
            f
            for f in TD_FLAGS
            if cell.props.get(f) is True and not (cell.kind == "flow" and f == "isEncrypted")
        ]
        if flags:
            properties["diagram_flags"] = flags
        reason = " ".join(text_of(cell.props.get("reasonOutOfScope")).split())
        if reason and cell.props.get("outOfScope") is True:
            properties["out_of_scope_reason"] = clip(
                reason, SHORT, f"{cell.eid}'s scope note", self.notes
            )
        return properties

    def flow(
        self,
        cell: _Cell,
        source: _Cell,
        target: _Cell,
        curves: list[_Cell],
        pairs: set[tuple[str, str]],
    ) -> None:
        ours = cell.ours
        written = _written(ours)
        fields: dict[str, Any] = {
            k: v
            for k, v in ours.items()
            if k not in ("from", "to", "name", "description", "properties", "written", "id")
        }
        fields["from"], fields["to"] = source.eid, target.eid
        pair = (source.eid, target.eid)
        own = valid_id(ours.get("id"))
        if own or pair in pairs:
            fields["id"] = readable_id(
                own or "", f"{source.eid}-to-{target.eid}", "flow", self.taken
            )
        pairs.add(pair)
        cell.eid = fields.get("id") or f"{source.eid}->{target.eid}"
        fields["name"] = (
            clip(_shown_name(cell) or "", SHORT, f"the name of flow {cell.eid}", self.notes) or None
        )
        description = text_of(cell.props.get("description")).strip()
        fields["description"] = clip(description, TEXT, f"flow {cell.eid}", self.notes) or None
        protocol = " ".join(text_of(cell.props.get("protocol")).split())
        if protocol != text_of(written.get("protocol")):
            fields.pop("protocol", None)
            word = _PROTOCOL_WORDS.get(protocol.lower(), protocol.lower())
            if _PROTOCOL.match(word):
                fields["protocol"] = word
            elif protocol:
                self.notes.append(
                    f"flow {cell.eid}: protocol '{protocol[:40]}' is not a protocol name the "
                    "model takes (lower-case letters, digits, . + _ -): not carried"
                )
        encrypted = cell.props.get("isEncrypted")
        if encrypted is not written.get("isEncrypted"):
            fields.pop("tls", None)
            if encrypted is True:
                fields["tls"] = True
        properties = self.properties(cell)
        fields["properties"] = properties
        tags = [t for t in fields.get("tags", []) if isinstance(t, str)]
        if cell.points or curves:
            start = source.box and _centre(source.box)
            end = target.box and _centre(target.box)
            if start and end:
                line = [start, *cell.points, end]
                for curve in curves:
                    if len(curve.points) >= 2 and _crosses(line, curve.points):
                        tags.append(f"crosses:{curve.eid}")
        fields["tags"] = list(dict.fromkeys(tags))
        self.draft.add("flows", cell.eid, fields)

    def threats(self) -> None:
        carried = self.extra.get("data")
        elements = {c.eid for c in self.cells if c.eid} | (
            {d for d in carried if isinstance(d, str)} if isinstance(carried, dict) else set()
        )
        dropped_fields: set[str] = set()
        for cell in self.cells:
            if not cell.eid or cell.kind not in (*_COMPONENT_KIND, "flow"):
                if cell.threats:
                    self.notes.append(
                        f"{len(cell.threats)} threats on a {cell.kind} cell that is not an "
                        "element were skipped"
                    )
                continue
            for number, threat in enumerate(cell.threats, 1):
                if isinstance(threat, dict):
                    self.threat(cell, number, threat, elements, dropped_fields)
        if dropped_fields:
            self.notes.append(
                joined_notes("Threat Dragon threat fields not carried", sorted(dropped_fields))
            )

    def threat(
        self,
        cell: _Cell,
        number: int,
        threat: Mapping[str, Any],
        elements: set[str],
        dropped_fields: set[str],
    ) -> None:
        key = text_of(threat.get("id")) or text_of(threat.get("threatId"))
        found = threat.get("threatforge")
        ours: Mapping[str, Any] = found if isinstance(found, dict) else {}
        if "@" in key or ours.get("generated") is True:
            self.generated += 1
            self.generated_decision(threat, ours)
            return
        written = _written(ours)
        stated = ours.get("statement")
        statement: Mapping[str, Any] = stated if isinstance(stated, dict) else {}
        base = cell.eid.replace("->", "-to-")
        tid = readable_id(key, "", f"{base[:100]}.threat-{number}", self.threat_ids)
        title = " ".join(text_of(threat.get("title")).split())
        fields: dict[str, Any] = dict(statement)
        if not statement or title != text_of(written.get("title")):
            fields["source"] = fields.get("source") or "actor"
            if title:
                fields["action"] = clip(
                    title[:1].lower() + title[1:], SHORT, f"the title of threat {tid}", self.notes
                )
            fields.setdefault("action", "act against the element")
        severity = text_of(threat.get("severity"))
        if severity != text_of(written.get("severity")):
            fields["severity"] = _FROM_TD_SEVERITY.get(severity.lower())
        kind = " ".join(text_of(threat.get("type")).split())
        if kind != text_of(written.get("type")):
            fields["type"] = clip(kind, SHORT, f"the type of threat {tid}", self.notes) or None
            stride = _STRIDE.get(kind.lower())
            fields["stride"] = [stride] if stride else []
        description = text_of(threat.get("description")).strip()
        if description != text_of(written.get("description")):
            fields["description"] = clip(description, TEXT, f"threat {tid}", self.notes) or None
        mitigation = text_of(threat.get("mitigation")).strip()
        if mitigation != text_of(written.get("mitigation")):
            fields["mitigations"] = self.mitigations(tid, mitigation, fields)
        listed = [e for e in fields.get("elements", []) if isinstance(e, str) and e in elements]
        fields["elements"] = listed if cell.eid in listed else [cell.eid, *listed]
        fields["impacted_assets"] = [
            a for a in fields.get("impacted_assets", []) if isinstance(a, str) and a in elements
        ]
        score = text_of(threat.get("score")).strip()
        if score:
            dropped_fields.add("score")
        self.draft.add("threats", tid, fields)
        self.decision(tid, threat, ours, written)

    def generated_decision(self, threat: Mapping[str, Any], ours: Mapping[str, Any]) -> None:
        """A status a person set in Threat Dragon on one of threatforge's threats: a decision
        under its fingerprint (the engine finds the threat again and reads it)."""
        fingerprint = valid_fingerprint(ours.get("fingerprint"))
        status = text_of(threat.get("status"))
        if fingerprint is None or status == text_of(_written(ours).get("status")):
            return
        decided = _FROM_TD_STATUS.get(status.lower())
        if decided is None:
            return
        reason = decided[1] or f"marked {status} in Threat Dragon"
        self.draft.add("tracking", fingerprint, {"status": decided[0], "justification": reason})
        self.decided.append(fingerprint)

    def control_ids(self) -> set[str]:
        controls = self.extra.get("controls")
        return set(controls) if isinstance(controls, dict) else set()

    def mitigations(self, tid: str, text: str, fields: dict[str, Any]) -> list[str]:
        """A mitigation text as entries: one per paragraph; a paragraph longer than a
        mitigation holds goes to the description."""
        entries: list[str] = []
        for paragraph in re.split(r"\n\s*\n", text):
            words = " ".join(paragraph.split())
            if not words:
                continue
            controls = self.control_ids()
            if len(words) > SHORT or (valid_id(words) and controls and words not in controls):
                extra = f"Mitigation (Threat Dragon): {words}"
                fields["description"] = "\n\n".join(
                    p for p in (fields.get("description"), extra) if p
                )[:TEXT]
                if len(words) > SHORT:
                    self.notes.append(
                        f"threat {tid}: a mitigation of {len(words)} characters is kept in its "
                        f"description (a mitigation holds {SHORT})"
                    )
                continue
            entries.append(words)
        return entries

    def decision(
        self,
        tid: str,
        threat: Mapping[str, Any],
        ours: Mapping[str, Any],
        written: Mapping[str, Any],
    ) -> None:
        status = text_of(threat.get("status"))
        decision = ours.get("decision")
        fields: dict[str, Any] | None = None
        if isinstance(decision, dict) and status == text_of(written.get("status")):
            fields = dict(decision)
        elif status.lower() in _FROM_TD_STATUS:
            decided, reason = _FROM_TD_STATUS[status.lower()]
            fields = {"status": decided, "justification": reason}
        elif status and status.lower() != "open":
            self.notes.append(
                f"threat {tid}: status '{status[:40]}' is not one Threat Dragon writes: kept open"
            )
        if fields:
            self.draft.add("tracking", f"team-threat@{tid}", fields)

    def carried(self) -> None:
        """What the exporter kept under ``detail.threatforge``: data assets, controls,
        assumptions, team threats on no diagram element, decisions on findings."""
        for section in ("data", "controls", "assumptions", "threats", "tracking"):
            entries = self.extra.get(section)
            if not isinstance(entries, dict):
                continue
            known = set(self.draft.ids(section))
            for eid, body in list(entries.items())[:10_000]:
                if isinstance(eid, str) and isinstance(body, dict) and eid not in known:
                    self.draft.add(section, eid, body)
