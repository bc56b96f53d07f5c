"""The generic walk's output side: elements as an importer finds them, then one checked model.

An importer reads its source, and for each resource calls :class:`ModelBuilder`: a component
(its id from the resource address, :mod:`threatforge.importers.ids`), a zone, a flow, facts from
the mapping (:meth:`ModelBuilder.apply_facts`), literal secrets (:attr:`ModelBuilder.secrets`).
:meth:`ModelBuilder.build` turns what was found into an
:class:`~threatforge.importers.interface.ImportedModel`: every element carries its ``origin``
(``compose.yaml:5 (services.web)``), the draft is validated as a YAML author's model is, and a
model that would hold a literal secret's value is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from threatforge.errors import ImporterError
from threatforge.importers.ids import element_id
from threatforge.importers.interface import ImportedModel
from threatforge.importers.mapping import FactMapping, FlowMapping, TypeMapping
from threatforge.importers.secrets import LiteralSecret, SecretLedger
from threatforge.model import (
    Boundary,
    Component,
    DataAsset,
    Draft,
    Flow,
    Location,
    ModelError,
    System,
)
from threatforge.model.writer import write_model

__all__ = ["ModelBuilder", "argument", "origin_comments"]

_MISSING: Any = object()


def argument(arguments: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of a resource's arguments (``deploy.replicas``), or
    :data:`_MISSING`."""
    node: Any = arguments
    for step in path.split("."):
        if isinstance(node, Mapping) and step in node:
            node = node[step]
        else:
            return _MISSING
    return node


@dataclass
class _Pending:
    address: str
    location: Location
    fields: dict[str, Any]


@dataclass
class ModelBuilder:
    """What one import found, in the order found. ``root``: the folder paths are shown
    relative to (the current folder)."""

    source: str
    system_name: str
    root: str = "."
    components: dict[str, _Pending] = field(default_factory=dict)
    boundaries: dict[str, _Pending] = field(default_factory=dict)
    data: dict[str, _Pending] = field(default_factory=dict)
    flows: dict[str, _Pending] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    secrets: SecretLedger = field(default_factory=SecretLedger)
    files: list[str] = field(default_factory=list)
    types: dict[str, TypeMapping] = field(default_factory=dict)
    """Component id -> its mapping entry (:meth:`apply_type`): the protocol and port of flows
    into it."""

    def shown(self, path: str) -> str:
        """``path`` as written in origins and notes: relative to :attr:`root` when below it."""
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        return path if relative.startswith("..") else relative.replace(os.sep, "/")

    def component(self, address: str, location: Location, kind: Any, **fields: Any) -> str:
        """Add a component for the resource at ``address``; its id. The same address twice is
        one component (the first place kept; later fields fill what the first left unset)."""
        cid = _id(address, location)
        found = self.components.get(cid)
        if found is None:
            self.components[cid] = _Pending(address, location, {"kind": kind, **fields})
        else:
            for key, value in fields.items():
                found.fields.setdefault(key, value)
        return cid

    def zone(self, address: str, location: Location, **fields: Any) -> str:
        """Add a zone (boundary) for ``address``; its id."""
        bid = _id(address, location)
        self.boundaries.setdefault(bid, _Pending(address, location, fields))
        return bid

    def data_asset(self, address: str, location: Location, **fields: Any) -> str:
        """Add a data asset for ``address`` (the first place it was seen kept); its id."""
        did = _id(address, location)
        self.data.setdefault(did, _Pending(address, location, fields))
        return did

    def flow(
        self, source: str, target: str, location: Location, address: str, **fields: Any
    ) -> str:
        """Add the flow ``source -> target`` (ids); one flow per pair: a second one for the
        same pair fills in the facts the first did not state."""
        fid = f"{source}->{target}"
        found = self.flows.get(fid)
        if found is None:
            body = {k: v for k, v in fields.items() if v is not None}
            self.flows[fid] = _Pending(address, location, {"from": source, "to": target, **body})
        else:
            for key, value in fields.items():
                if value is not None:
                    found.fields.setdefault(key, value)
        return fid

    def set_fact(self, cid: str, target: str, value: Any) -> None:
        """Set ``target`` (``properties.NAME``, ``exposure``, ``encryption.at_rest``) on the
        component ``cid``."""
        fields = self.components[cid].fields
        head, _, rest = target.partition(".")
        if head == "properties":
            fields.setdefault("properties", {})[rest] = value
        elif rest:
            fields.setdefault(head, {})[rest] = value
        else:
            fields[head] = value

    def apply_type(self, cid: str, entry: TypeMapping) -> None:
        """The facts a type mapping gives every resource of the type."""
        self.types[cid] = entry
        for key, value in entry.properties.items():
            self.set_fact(cid, f"properties.{key}", value)

    def apply_facts(
        self, cid: str, facts: Sequence[FactMapping], arguments: Mapping[str, Any]
    ) -> None:
        """Set each fact whose argument the resource has (see :class:`FactMapping`)."""
        for fact in facts:
            raw = argument(arguments, fact.argument)
            if raw is _MISSING or raw is None:
                continue
            if fact.values is None:
                value = raw
            else:
                value = fact.values.get(_text(raw), fact.other)
                if value is None:
                    continue
            self.set_fact(cid, fact.set, value)

    def reference_flows(
        self,
        cid: str,
        flows: Sequence[FlowMapping],
        arguments: Mapping[str, Any],
        resolve: Callable[[str], str | None],
        where: Callable[[str, str | int], Location],
        address: str,
    ) -> None:
        """A flow for each resource the mapping's flow arguments name (:class:`FlowMapping`).

        The argument's value is one reference, a list of them, or a mapping keyed by them
        (Compose's long ``depends_on``). ``resolve`` turns a reference into the id of an element
        (None: not one, skipped); ``where(argument, step)`` places the reference (``step``: its
        index in a list or its key). Protocol and port: the flow mapping's, else the target's
        type (:attr:`types`)."""
        for flow in flows:
            value = argument(arguments, flow.argument)
            if isinstance(value, list):
                steps: list[tuple[str | int, Any]] = list(enumerate(value))
            elif isinstance(value, Mapping):
                steps = [(key, key) for key in value]
            elif value is _MISSING or value is None:
                continue
            else:
                steps = [(flow.argument, value)]
            for step, reference in steps:
                if not isinstance(reference, str | int) or isinstance(reference, bool):
                    continue
                other = resolve(str(reference))
                if other is None or other == cid:
                    continue
                source, target = (cid, other) if flow.direction == "out" else (other, cid)
                entry = self.types.get(target)
                self.flow(
                    source,
                    target,
                    where(flow.argument, step),
                    f"{address}.{flow.argument}",
                    protocol=flow.protocol or (entry.protocol if entry else None),
                    port=flow.port or (entry.port if entry else None),
                    description=flow.description,
                )

    def record_secret(self, secret: LiteralSecret | None) -> None:
        """State a literal secret on its component: ``secrets_in_code: true`` (the rules read
        it) and ``literal_secrets`` (kind, name and place; never the value)."""
        if secret is None:
            return
        fields = self.components[secret.element].fields
        properties = fields.setdefault("properties", {})
        properties["secrets_in_code"] = True
        properties.setdefault("literal_secrets", []).append(secret.description)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def note_read(self, what: str) -> None:
        """The note every importer ends with: ``read 2 Compose files: 5 components, 2 zones,
        4 flows`` (``what``: the kind of file, as a person names it)."""
        count = len(self.files)
        self.note(
            f"read {count} {what}{'s' if count != 1 else ''}: {len(self.components)} components, "
            f"{len(self.boundaries)} zones, {len(self.flows)} flows"
        )

    def build(self) -> ImportedModel:
        """The checked model of what was found; :class:`ImporterError` for a draft that does not
        validate (each problem at its place in the input) or that would hold a secret's value."""
        origins: dict[Any, Location] = {}
        made: dict[str, list[Any]] = {"components": [], "boundaries": [], "data": [], "flows": []}
        classes: dict[str, Any] = {
            "components": Component,
            "boundaries": Boundary,
            "data": DataAsset,
            "flows": Flow,
        }
        problems: list[str] = []
        for section, pending in (
            ("boundaries", self.boundaries),
            ("data", self.data),
            ("components", self.components),
            ("flows", self.flows),
        ):
            for eid, item in pending.items():
                body = dict(item.fields)
                body["origin"] = origin_text(item.location, item.address)
                try:
                    element = classes[section].model_validate(body)
                except ValidationError as exc:
                    for error in exc.errors(include_url=False):
                        where = ".".join(str(p) for p in error["loc"])
                        problems.append(f"{item.location}: {item.address}: {where}: {error['msg']}")
                    continue
                update: dict[str, Any] = {"location": item.location}
                if section != "flows":
                    update["id"] = eid
                element = element.model_copy(update=update)
                made[section].append(element)
                origins[(section, element.id)] = item.location
        if problems:
            raise ImporterError(f"{self.source}: could not map:\n" + "\n".join(problems))
        draft = Draft(
            system=System(name=self.system_name),
            data=made["data"],
            boundaries=made["boundaries"],
            components=made["components"],
            flows=made["flows"],
            files=tuple(self.files),
        )
        try:
            imported = ImportedModel.from_draft(draft, origins, self.notes, default=self.source)
        except ModelError as exc:
            lines = [d.format() for d in exc.diagnostics if d.is_error]
            message = f"{self.source}: the imported model is invalid:\n" + "\n".join(lines)
            raise ImporterError(message) from None
        self.secrets.require_absent(
            [write_model(imported.model), *imported.notes], f"the model imported by {self.source}"
        )
        return imported


def _id(address: str, location: Location) -> str:
    try:
        return element_id(address)
    except ValueError as exc:
        raise ImporterError(f"{location}: {exc}") from None


def origin_text(location: Location, address: str) -> str:
    """An element's ``origin``: ``file:line (address)`` (brackets in the address kept, round
    ones and line breaks replaced, so the text stays one line that parses back)."""
    address = " ".join(address.replace("(", "[").replace(")", "]").split())
    line = max(location.line, 1)
    return f"{location.file}:{line} ({address})" if address else f"{location.file}:{line}"


def origin_comments(model: Any) -> dict[str, str]:
    """A comment per element that has an ``origin``: ``from services.web at compose.yaml:5``."""
    from threatforge.model.schema import ORIGIN_PATTERN

    comments: dict[str, str] = {}
    for section in (model.data, model.boundaries, model.components, model.flows_by_id):
        for eid, element in section.items():
            origin = getattr(element, "origin", None)
            match = ORIGIN_PATTERN.match(origin) if origin else None
            if match is None:
                continue
            place = f"{match['file']}:{match['line']}"
            address = match["address"]
            comments[eid] = f"from {address} at {place}" if address else f"from {place}"
    return comments


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
