"""The canonical form of a model: key order, equality of models, and the digest over them.

One definition serves three users: the writer (:mod:`threatforge.model.writer`) emits keys in
this order, ``threatforge fmt`` puts a person's file in this order, and :func:`model_digest`
hashes the canonical text of a model, so two models have the same digest exactly when
:func:`models_equal` holds. See docs/fmt.md.

Equality of models: the same system, and in every section the same ids with the same fields,
compared after normalising what carries no meaning (docs/fmt.md lists it):

- the order of elements in a section and of flows (nothing that identifies a finding uses it);
- the order of id lists and tag-like lists (``stores``, ``data``, ``applies_to``, ``tags`` ...),
  which are compared sorted (a repeated entry still counts);
- a field written with its default value and the field left out (``admin: false``);
- ``applies_to: []`` and ``applies_to: ["*"]`` (both mean every element);
- where each element came from (file, line), the files, and the warnings.

Order is kept where it has meaning: the values of ``properties`` (lists of facts), ``include``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel

from threatforge.model._model import Model
from threatforge.model.schema import (
    EVERY_ELEMENT,
    Assumption,
    Boundary,
    Component,
    Control,
    DataAsset,
    EncryptionSpec,
    Flow,
    LoggingSpec,
    System,
    ThreatStatement,
    TrackingEntry,
)

__all__ = [
    "ELEMENT_KEY_ORDER",
    "SECTION_ORDER",
    "UNORDERED_LISTS",
    "document",
    "element_fields",
    "model_differences",
    "model_digest",
    "models_equal",
    "normalized",
]

SECTION_ORDER = (
    "version",
    "system",
    "include",
    "data",
    "boundaries",
    "components",
    "flows",
    "controls",
    "assumptions",
    "threats",
    "tracking",
)
"""Top-level keys of a model file, in canonical order: what the system is, what it holds, where
things run, what runs, how data moves, then what people declared and decided."""

ELEMENT_KEY_ORDER: dict[str, tuple[str, ...]] = {
    "system": (
        "name",
        "description",
        "owner",
        "criticality",
        "compliance",
        "repository",
        "version",
        "properties",
    ),
    "data": (
        "name", "description", "classification", "categories", "retention_days", "owner", "origin"
    ),
    "boundaries": (
        "name", "description", "kind", "trust", "inside", "region", "properties", "origin"
    ),
    # what it is, who owns it, where it runs, who may call it, how its data is protected, which
    # data it holds, what code maps to it, links, then free-form facts
    "components": (
        "kind",
        "tech",
        "name",
        "description",
        "owner",
        "zone",
        "exposure",
        "admin",
        "authn",
        "authz",
        "mfa",
        "waf",
        "rate_limit",
        "input_validation",
        "encryption",
        "logging",
        "stores",
        "processes",
        "retention_days",
        "paths",
        "routes",
        "controls",
        "tags",
        "properties",
        "origin",
    ),
    # the body of ``- source -> target:``; ``from``/``to`` only in the long form, never written
    "flows": (
        "id",
        "from",
        "to",
        "name",
        "description",
        "protocol",
        "port",
        "tls",
        "mtls",
        "authn",
        "authz",
        "signed",
        "initiated_by",
        "data",
        "controls",
        "tags",
        "properties",
        "origin",
    ),
    "controls": (
        "name", "description", "status", "mitigates", "applies_to", "reference", "risk_reduction"
    ),
    "assumptions": ("description", "elements", "owner", "verified"),
    # the Threat Composer sentence in its order, then where it sits, how bad, what mitigates it
    "threats": (
        "source",
        "prerequisites",
        "action",
        "impact",
        "impacted_goal",
        "impacted_assets",
        "elements",
        "stride",
        "type",
        "priority",
        "severity",
        "likelihood",
        "impact_score",
        "cwe",
        "mitigations",
        "description",
        "tags",
    ),
    "tracking": ("status", "justification", "owner", "ticket", "expires"),
    "encryption": ("at_rest", "in_transit", "key_rotation"),
    "logging": ("enabled", "audit", "tamper_evident", "retention_days", "centralised"),
}
"""Keys of each element (and of ``encryption:`` / ``logging:``) in canonical order. Keys of
``properties:`` are free-form: ``fmt`` keeps their order, the digest sorts them."""

UNORDERED_LISTS: dict[str, frozenset[str]] = {
    "system": frozenset({"compliance"}),
    "data": frozenset({"categories"}),
    "boundaries": frozenset(),
    "components": frozenset({"stores", "processes", "paths", "routes", "controls", "tags"}),
    "flows": frozenset({"data", "controls", "tags"}),
    "controls": frozenset({"mitigates", "applies_to"}),
    "assumptions": frozenset({"elements"}),
    "threats": frozenset({"impacted_goal", "impacted_assets", "stride", "cwe", "tags"}),
    "tracking": frozenset(),
}
"""List fields whose order carries no meaning (compared and hashed sorted)."""

_SECTION_CLASS: dict[str, type[BaseModel]] = {
    "system": System,
    "data": DataAsset,
    "boundaries": Boundary,
    "components": Component,
    "flows": Flow,
    "controls": Control,
    "assumptions": Assumption,
    "threats": ThreatStatement,
    "tracking": TrackingEntry,
    "encryption": EncryptionSpec,
    "logging": LoggingSpec,
}
_NOT_WRITTEN = frozenset({"id", "location"})


def _plain(value: Any) -> Any:
    """A field value as YAML data: enums as their text, nested specs as mappings."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return element_fields(value, _section_of(value))
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _section_of(value: BaseModel) -> str:
    for section, cls in _SECTION_CLASS.items():
        if type(value) is cls:
            return section
    raise TypeError(f"not a model element: {type(value).__name__}")  # pragma: no cover


def element_fields(element: BaseModel, section: str) -> dict[str, Any]:
    """The fields of one element that differ from their defaults, in canonical key order.

    A control always states ``status`` and ``applies_to`` (``["*"]`` when it applies to every
    element), so that what the writer emits never relies on the defaults that will change.
    """
    found: dict[str, Any] = {}
    model_fields = type(element).model_fields
    for name, info in model_fields.items():
        if name in _NOT_WRITTEN:
            continue
        value = getattr(element, name)
        if not info.is_required() and value == info.get_default(call_default_factory=True):
            continue
        found[info.alias or name] = _plain(value)
    if isinstance(element, Control):
        found["status"] = element.status.value
        if element.applies_everywhere:
            found["applies_to"] = [EVERY_ELEMENT]
    if isinstance(element, Flow) and element.id != f"{element.source}->{element.target}":
        found["id"] = element.id
    order = ELEMENT_KEY_ORDER[section]
    rank = {key: index for index, key in enumerate(order)}
    return dict(sorted(found.items(), key=lambda item: rank.get(item[0], len(order))))


def _sorted_fields(fields: dict[str, Any], section: str) -> dict[str, Any]:
    unordered = UNORDERED_LISTS.get(section, frozenset())
    result: dict[str, Any] = {}
    for key, value in fields.items():
        if key in unordered and isinstance(value, list):
            value = sorted(value, key=_sort_key)
        elif key == "properties" and isinstance(value, dict):
            value = dict(sorted(value.items()))
        elif isinstance(value, dict):  # encryption, logging: already in canonical order
            value = dict(value)
        result[key] = value
    return result


def _sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, str(value))


def document(model: Model, *, canonical: bool = False) -> dict[str, Any]:
    """The model as plain YAML data, sections and keys in canonical order.

    ``canonical=True`` also sorts what has no order (elements by id, flows by id, unordered
    lists, property keys): the form that equality and the digest are defined over.
    """
    sections: dict[str, Any] = {"version": 1, "system": element_fields(model.system, "system")}
    mappings: tuple[tuple[str, Mapping[str, BaseModel]], ...] = (
        ("data", model.data),
        ("boundaries", model.boundaries),
        ("components", model.components),
    )
    for section, elements in mappings:
        sections[section] = {key: element_fields(e, section) for key, e in elements.items()}
    sections["flows"] = [element_fields(flow, "flows") for flow in model.flows]
    sections["controls"] = {key: element_fields(c, "controls") for key, c in model.controls.items()}
    sections["assumptions"] = {
        key: element_fields(a, "assumptions") for key, a in model.assumptions.items()
    }
    sections["threats"] = {key: element_fields(t, "threats") for key, t in model.threats.items()}
    sections["tracking"] = {key: element_fields(t, "tracking") for key, t in model.tracking.items()}
    if not canonical:
        return sections
    sections["system"] = _sorted_fields(sections["system"], "system")
    for section in (
        "data", "boundaries", "components", "controls", "assumptions", "threats", "tracking"
    ):
        sections[section] = {
            key: _sorted_fields(fields, section)
            for key, fields in sorted(sections[section].items())
        }
    flows = [(flow.id, fields) for flow, fields in zip(model.flows, sections["flows"], strict=True)]
    sections["flows"] = [_sorted_fields(fields, "flows") for _, fields in sorted(flows)]
    return sections


def normalized(model: Model) -> dict[str, Any]:
    """The model as compared by :func:`models_equal`: sections keyed by id, flows by flow id."""
    canonical = document(model, canonical=True)
    flows = {
        flow.id: _sorted_fields(element_fields(flow, "flows"), "flows") for flow in model.flows
    }
    canonical["flows"] = dict(sorted(flows.items()))
    return canonical


def models_equal(first: Model, second: Model) -> bool:
    """Whether two models mean the same (see the module docstring for what is ignored)."""
    return normalized(first) == normalized(second)


def model_differences(first: Model, second: Model, *, limit: int = 20) -> list[str]:
    """Where two models differ, as ``section 'id': field`` lines (at most ``limit``)."""
    a, b = normalized(first), normalized(second)
    found: list[str] = []
    if a["system"] != b["system"]:
        keys = sorted(set(a["system"]) | set(b["system"]))
        found.extend(
            f"system: {key}" for key in keys if a["system"].get(key) != b["system"].get(key)
        )
    for section in (
        "data", "boundaries", "components", "flows", "controls", "assumptions", "threats"
    ):
        found.extend(_section_differences(section, a[section], b[section]))
    found.extend(_section_differences("tracking", a["tracking"], b["tracking"]))
    return found[:limit]


def _section_differences(
    section: str, first: dict[str, dict[str, Any]], second: dict[str, dict[str, Any]]
) -> list[str]:
    found = []
    for key in sorted(set(first) | set(second)):
        if key not in second:
            found.append(f"{section} '{key}': only in the first model")
        elif key not in first:
            found.append(f"{section} '{key}': only in the second model")
        elif first[key] != second[key]:
            fields = sorted(set(first[key]) | set(second[key]))
            changed = [f for f in fields if first[key].get(f) != second[key].get(f)]
            found.append(f"{section} '{key}': {', '.join(changed)}")
    return found


def model_digest(model: Model) -> str:
    """The SHA-256 (hex) of the model's canonical text: equal models, equal digests.

    Comments, layout, key order, element order, ``include:`` splits and the file names do not
    change it; any change of meaning does. Approvals record it to say what they approved.
    """
    from threatforge.model.writer import canonical_text

    return hashlib.sha256(canonical_text(model).encode("utf-8")).hexdigest()
