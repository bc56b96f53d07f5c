"""Several imports as one model, and the overlay people write over them (issue 16 item 7).

:func:`merge_imports` joins the models of several sources (``compose`` files and, later,
Terraform, Kubernetes, ...) into one draft, checked as one model: the same id from two sources
is an error naming both places.

An overlay is a model file written by people with what code cannot say: data classification,
actors, owners, zones' trust, decisions. :func:`apply_overlay` lays it over the import, each
time the import runs, so it survives re-imports:

- an element of the overlay whose id the import has (a component, zone, data asset, or a flow
  by its id ``source->target``) has its fields replaced by the overlay's; ``properties``,
  ``encryption`` and ``logging`` are merged key by key, and a field set to ``null`` is removed;
- any other element is added, and must be complete (a component needs its ``kind``);
  an overlay entry with no ``kind``/``trust`` that names nothing imported is an error with
  "did you mean", so a renamed resource never drops a classification silently;
- ``system:`` fields replace the imported system's; ``controls``, ``assumptions``, ``threats``
  and ``tracking`` are added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from threatforge.errors import ImporterError
from threatforge.importers.interface import ImportedModel
from threatforge.model import (
    Assumption,
    Boundary,
    Component,
    Control,
    DataAsset,
    Document,
    Draft,
    Flow,
    Location,
    Model,
    ModelError,
    ReadError,
    SourceMap,
    System,
    ThreatStatement,
    TrackingEntry,
    read_yaml_file,
    validate_draft,
)
from threatforge.model.canonical import document, element_fields
from threatforge.model.schema import FLOW_ARROW
from threatforge.text.hints import did_you_mean

__all__ = ["OVERLAY_SECTIONS", "apply_overlay", "merge_imports"]

_KEYED: dict[str, type[BaseModel]] = {
    "data": DataAsset,
    "boundaries": Boundary,
    "components": Component,
    "controls": Control,
    "assumptions": Assumption,
    "threats": ThreatStatement,
    "tracking": TrackingEntry,
}
OVERLAY_SECTIONS = ("version", "system", *_KEYED, "flows")
_MERGED = frozenset({"properties", "encryption", "logging"})
_REQUIRED = {"components": "kind", "boundaries": "trust", "data": "classification"}
_SINGULAR = {"components": "component", "boundaries": "zone", "data": "data asset"}


def merge_imports(imports: Sequence[ImportedModel], name: str | None = None) -> ImportedModel:
    """One model from several imports (the first's system, renamed to ``name`` if given);
    :class:`ImporterError` listing each id two sources share, at both places."""
    if len(imports) == 1 and name is None:
        return imports[0]
    first = imports[0].model
    system = first.system if name is None else first.system.model_copy(update={"name": name})
    # a zone two sources both have with the same facts (the internet, a shared network) is one
    boundaries: dict[str, Boundary] = {}
    clashing: list[Boundary] = []
    for imported in imports:
        for zone in imported.model.boundaries.values():
            kept = boundaries.setdefault(zone.id, zone)
            if kept is not zone and _facts(kept) != _facts(zone):
                clashing.append(zone)
    draft = Draft(
        system=system,
        data=[e for i in imports for e in i.model.data.values()],
        boundaries=[*boundaries.values(), *clashing],
        components=[e for i in imports for e in i.model.components.values()],
        flows=[e for i in imports for e in i.model.flows],
        # the team's threats, decisions, controls and assumptions an interchange format carries
        controls=[e for i in imports for e in i.model.controls.values()],
        assumptions=[e for i in imports for e in i.model.assumptions.values()],
        threats=[e for i in imports for e in i.model.threats.values()],
        tracking=[e for i in imports for e in i.model.tracking.values()],
        files=tuple(f for i in imports for f in i.model.files),
    )
    origins: dict[Any, Location] = {}
    for imported in imports:
        for key, where in imported.origins.items():
            origins.setdefault(key, where)
    notes = [n for i in imports for n in i.notes]
    try:
        # each element carries its own place: two sources' same id is located at both
        model = validate_draft(draft, SourceMap())
    except ModelError as exc:
        raise _invalid("the sources do not join into one model", exc) from None
    return ImportedModel(model, origins, tuple(notes))


def _facts(zone: Boundary) -> dict[str, Any]:
    fields = element_fields(zone, "boundaries")
    fields.pop("origin", None)
    return fields


def apply_overlay(imported: Model, path: Path) -> tuple[Model, dict[str, str]]:
    """``imported`` with the overlay at ``path`` laid over it, and a comment per element the
    overlay touched (``overlay.yaml:12``). :class:`ImporterError` for an overlay that cannot be
    read or does not apply, every problem at its line."""
    shown = str(path)
    try:
        overlay = read_yaml_file(str(path), shown)
    except ReadError as exc:
        message = exc.message
        if message.startswith("is empty"):
            message = "is empty: an overlay needs at least one section (components:, data:, ...)"
        raise ImporterError(f"{exc.location}: {message}") from None
    return _Overlay(imported, overlay).apply()


class _Overlay:
    def __init__(self, imported: Model, overlay: Document) -> None:
        self.imported = imported
        self.overlay = overlay
        self.base = document(imported)
        self.problems: list[str] = []
        self.comments: dict[str, str] = {}
        self.origins: dict[Any, Location] = {}

    def at(self, *path: str | int, key: bool = False) -> Location:
        return self.overlay.location(path, key=key)

    def apply(self) -> tuple[Model, dict[str, str]]:
        value = self.overlay.value
        for key in value:
            if key not in OVERLAY_SECTIONS:
                hint = did_you_mean(str(key), OVERLAY_SECTIONS)
                self.problem(self.at(key, key=True), f"unknown section '{key}'{hint}")
        system = self.system(value.get("system"))
        sections: dict[str, list[Any]] = {}
        for section, cls in _KEYED.items():
            sections[section] = self.keyed(section, cls, value.get(section))
        flows = self.flows(value.get("flows"))
        if self.problems:
            raise ImporterError("the overlay does not apply:\n" + "\n".join(self.problems))
        draft = Draft(
            system=system or self.imported.system,
            data=sections["data"],
            boundaries=sections["boundaries"],
            components=sections["components"],
            flows=flows,
            controls=sections["controls"],
            assumptions=sections["assumptions"],
            threats=sections["threats"],
            tracking=sections["tracking"],
            files=(*self.imported.files, self.overlay.file),
        )
        try:
            model = validate_draft(draft, SourceMap(self.origins))
        except ModelError as exc:
            raise _invalid("the overlay does not apply", exc) from None
        return model, self.comments

    def problem(self, where: Location, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def system(self, fields: Any) -> System | None:
        if fields is None:
            return None
        if not isinstance(fields, dict):
            self.problem(self.at("system"), "'system' must be a mapping of its fields")
            return None
        merged = _merged(self.base["system"], fields)
        self.origins["system"] = self.at("system", key=True)
        system: System | None = self.validated(System, merged, ("system",))
        return system

    def keyed(self, section: str, cls: type[BaseModel], entries: Any) -> list[Any]:
        base: dict[str, dict[str, Any]] = self.base[section]
        current: Mapping[str, Any] = getattr(self.imported, section)
        if entries is not None and not isinstance(entries, dict):
            self.problem(self.at(section), f"'{section}' must be a mapping of ids to fields")
            entries = None
        entries = entries or {}
        kept: list[Any] = []
        for eid, element in current.items():
            if eid in entries:
                continue
            kept.append(element)
        for eid, fields in entries.items():
            where = self.at(section, eid, key=True)
            if fields is None:
                fields = {}
            if not isinstance(fields, dict):
                self.problem(where, f"{section} '{eid}' must be a mapping of its fields")
                continue
            required = _REQUIRED.get(section)
            if eid not in base and required is not None and required not in fields:
                hint = did_you_mean(str(eid), list(base))
                self.problem(
                    where,
                    f"{_SINGULAR[section]} '{eid}' is not in the imported model{hint}; to add "
                    f"it, give its '{required}'",
                )
                continue
            merged = _merged(base.get(eid, {}), fields)
            element = self.validated(cls, merged, (section, eid))
            if element is None:
                continue
            located = current[eid].location if eid in current else where
            kept.append(element.model_copy(update={"id": str(eid), "location": located}))
            self.origins[(section, str(eid))] = where
            self.comments[str(eid)] = f"overlay {where.file}:{where.line}"
        return kept

    def flows(self, entries: Any) -> list[Flow]:
        base = {flow.id: (flow, element_fields(flow, "flows")) for flow in self.imported.flows}
        overlaid: dict[str, tuple[int, dict[str, Any]]] = {}
        if entries is not None and not isinstance(entries, list):
            self.problem(self.at("flows"), "'flows' must be a list")
            entries = None
        for index, item in enumerate(entries or []):
            fields = _flow_fields(item)
            if fields is None:
                self.problem(
                    self.at("flows", index),
                    "a flow is written '- source -> target: {...}' or with 'from:' and 'to:'",
                )
                continue
            fid = str(fields.get("id") or f"{fields.get('from')}->{fields.get('to')}")
            overlaid[fid] = (index, fields)
        flows: list[Flow] = []
        for fid, (flow, _) in base.items():
            if fid not in overlaid:
                flows.append(flow)
        for fid, (index, fields) in overlaid.items():
            merged = _merged(base[fid][1], fields) if fid in base else fields
            where = self.at("flows", index)
            element = self.validated(Flow, merged, ("flows", index))
            if element is None:
                continue
            located = base[fid][0].location if fid in base else where
            flows.append(element.model_copy(update={"location": located}))
            self.origins[("flows", element.id)] = where
            self.comments[element.id] = f"overlay {where.file}:{where.line}"
        return flows

    def validated(self, cls: type[Any], fields: dict[str, Any], path: tuple[str | int, ...]) -> Any:
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = tuple(error["loc"])
                where = self.at(*path, *[p for p in loc if isinstance(p, str | int)][:1])
                field_name = ".".join(str(p) for p in loc) or "fields"
                self.problem(where, f"{'.'.join(map(str, path))}: {field_name}: {error['msg']}")
            return None


def _flow_fields(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    if len(item) == 1:
        ((key, body),) = item.items()
        if isinstance(key, str) and "->" in key:
            match = FLOW_ARROW.match(key)
            if match is None or not isinstance(body, dict | None):
                return None
            return {"from": match.group(1), "to": match.group(2), **(body or {})}
    if "from" in item and "to" in item:
        return dict(item)
    return None


def _merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` laid on ``base``: nested facts merged key by key, ``null`` removes a field."""
    merged = dict(base)
    for key, value in over.items():
        if value is None:
            merged.pop(key, None)
        elif key in _MERGED and isinstance(value, dict) and isinstance(merged.get(key), dict):
            inner = {**merged[key], **value}
            merged[key] = {k: v for k, v in inner.items() if v is not None}
        else:
            merged[key] = value
    return merged


def _invalid(what: str, exc: ModelError) -> ImporterError:
    lines = [d.format() for d in exc.diagnostics if d.is_error]
    return ImporterError(f"{what}:\n" + "\n".join(lines))
