"""The vocabulary in the published JSON Schema, so editors complete it.

Known technologies and protocols are offered as enums (any other well-formed name still
validates: the loader warns about it), and each element's ``properties:`` lists the keys the
rules read there with their types, allowed values and meaning. Keys that only some technologies
have appear in an ``if tech matches ... then`` branch of ``Component``, so an editor offers them
on a component of that technology.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from threatforge.model.vocabulary._catalogue import (
    ElementSection,
    PropertySpec,
    PropertyType,
    property_catalogue,
    protocol_catalogue,
    technology_catalogue,
)

__all__ = ["add_vocabulary"]

_SCALAR: dict[PropertyType, dict[str, Any]] = {
    PropertyType.BOOL: {"type": "boolean"},
    PropertyType.INT: {"type": "integer"},
    PropertyType.NUMBER: {"type": "number"},
    PropertyType.STRING: {"type": ["string", "number"]},
}


def add_vocabulary(schema: dict[str, Any]) -> None:
    """Add the catalogues to the model file's JSON Schema (in place)."""
    defs = schema["$defs"]
    technologies = technology_catalogue().technologies
    offered = {n: s.description for n, s in technologies.items()}
    _offer(defs["Component"]["properties"]["tech"], offered)
    protocols = {n: s.description for n, s in protocol_catalogue().protocols.items()}
    for flow in ("Flow", "FlowAttributes"):
        _offer(defs[flow]["properties"]["protocol"], protocols)
    sections = {
        "Component": ElementSection.COMPONENT,
        "Flow": ElementSection.FLOW,
        "FlowAttributes": ElementSection.FLOW,
        "Boundary": ElementSection.BOUNDARY,
        "System": ElementSection.SYSTEM,
    }
    catalogue = property_catalogue().properties
    for_tech = {t.id for t in property_catalogue().tables if t.tech}
    generic = {
        key
        for key, spec in catalogue.items()
        if not spec.docs or any(doc.table not in for_tech for doc in spec.docs)
    }
    for name, section in sections.items():
        keys = {
            key: _property_schema(spec)
            for key, spec in catalogue.items()
            if section in spec.elements
            and (section is not ElementSection.COMPONENT or key in generic)
        }
        defs[name]["properties"]["properties"]["properties"] = keys
    branches = []
    for table in property_catalogue().tables:
        if not table.tech:
            continue
        keys = {
            key: _property_schema(spec, doc.meaning)
            for key, spec in catalogue.items()
            for doc in spec.docs
            if doc.table == table.id
        }
        branches.append(
            {
                "if": {
                    "properties": {"tech": {"pattern": _regex(table.tech)}},
                    "required": ["tech"],
                },
                "then": {"properties": {"properties": {"properties": keys}}},
            }
        )
    defs["Component"]["allOf"] = branches


def _offer(field: dict[str, Any], names: dict[str, str]) -> None:
    """Offer the known ``names`` first; any other well-formed name stays valid."""
    options = field["anyOf"]
    pattern = next(o for o in options if o.get("type") == "string")
    known = {"enum": sorted(names), "description": "A known name (see the catalogue)."}
    field["anyOf"] = [known, *options]
    field.setdefault("description", f"{len(names)} known names; another name is a warning.")
    pattern.setdefault("description", "Another name: the loader warns that rules ignore it.")


def _property_schema(spec: PropertySpec, meaning: str | None = None) -> dict[str, Any]:
    options: list[dict[str, Any]] = []
    for kind in spec.types:
        if kind is PropertyType.LIST:
            items = [_scalar(t, spec) for t in spec.items]
            item = items[0] if len(items) == 1 else {"anyOf": items}
            options.append({"type": "array", "items": item})
            options.extend(i for i in items if i not in options)  # a list may be one item
        else:
            scalar = _scalar(kind, spec)
            if scalar not in options:
                options.append(scalar)
    schema: dict[str, Any] = options[0] if len(options) == 1 else {"anyOf": options}
    description = meaning or spec.description
    if spec.informational:
        description += " (recorded for reviewers; no rule reads it)"
    return {**schema, "description": description}


def _scalar(kind: PropertyType, spec: PropertySpec) -> dict[str, Any]:
    if kind is PropertyType.STRING and spec.values:
        return {"type": "string", "enum": list(spec.values)}
    return dict(_SCALAR[kind])


def _regex(globs: tuple[str, ...]) -> str:
    """One regular expression matching any of the technology globs."""
    parts = [fnmatch.translate(g).removeprefix("(?s:").removesuffix(")\\Z") for g in globs]
    return "^(?:" + "|".join(parts) + ")$"
