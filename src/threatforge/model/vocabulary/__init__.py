"""The model's vocabulary, as data: kind groups, technologies, properties and protocols.

Each catalogue is a YAML file beside this package, read once on first use (``threatforge
--version`` and a model without properties never read ``properties.yaml``). Rules, analyses,
reports and the loader take their kind groups and known names from here, not from constants of
their own.

- :func:`kind_group` — the component kinds of a named group (``stores-data``, ``runs-code`` ...).
- :func:`technology_problem`, :func:`property_problem`, :func:`protocol_problem` — what the
  loader reports about a ``tech``, a ``properties:`` entry or a flow ``protocol``.
- :func:`protocol_encryption` — whether a protocol is encrypted by definition.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from threatforge.model.vocabulary._catalogue import (
    ElementSection,
    PropertyCatalogue,
    PropertySpec,
    PropertyType,
    SurfaceCondition,
    SurfaceSpec,
    TechnologyCatalogue,
    WeaknessCatalogue,
    WeaknessSpec,
    kind_catalogue,
    property_catalogue,
    protocol_catalogue,
    technology_catalogue,
    weakness_catalogue,
)
from threatforge.text.hints import did_you_mean

if TYPE_CHECKING:
    from threatforge.model.schema import ComponentKind, PropertyValue

__all__ = [
    "ElementSection",
    "KindGroup",
    "PropertyCatalogue",
    "PropertyProblem",
    "PropertySpec",
    "PropertyType",
    "SurfaceCondition",
    "SurfaceSpec",
    "TechnologyCatalogue",
    "WeaknessCatalogue",
    "WeaknessSpec",
    "kind_group",
    "property_catalogue",
    "property_problem",
    "protocol_catalogue",
    "protocol_encryption",
    "protocol_problem",
    "technology_catalogue",
    "technology_problem",
    "weakness_catalogue",
]


class KindGroup(StrEnum):
    """The groups of ``kinds.yaml`` (a test keeps the two the same)."""

    RUNS_CODE = "runs-code"
    OWN_PROCESSES = "own-processes"
    WORKLOADS = "workloads"
    STORES_DATA = "stores-data"
    HOLDS_DATA = "holds-data"
    BROKERS = "brokers"
    MESSAGING = "messaging"
    EDGE = "edge"
    PEOPLE = "people"
    EXTERNAL = "external"
    SECURITY_IMPACTING = "security-impacting"
    CROWN_JEWELS = "crown-jewels"


@functools.cache
def kind_group(group: KindGroup) -> frozenset[ComponentKind]:
    """The component kinds of ``group``, as ``kinds.yaml`` defines it."""
    from threatforge.model.schema import ComponentKind

    return frozenset(ComponentKind(k) for k in kind_catalogue().expanded(group.value))


@functools.cache
def protocol_encryption() -> Mapping[str, bool | None]:
    """Each known protocol and whether it is encrypted by definition (None: it depends)."""
    return protocol_catalogue().encryption


# --- what the loader reports ----------------------------------------------------------------------


def technology_problem(tech: str, *, hint: bool = True) -> str | None:
    """Why ``tech`` is not a known technology (with "did you mean" when ``hint``), or None."""
    catalogue = technology_catalogue()
    if tech in catalogue.technologies:
        return None
    canonical = catalogue.aliases.get(tech)
    if canonical is not None:
        return (
            f"unknown technology '{tech}' — did you mean '{canonical}'? "
            "(rules match technologies by these names: another name switches them off)"
        )
    close = _closest(tech, _technology_names()) if hint else ""
    return (
        f"unknown technology '{tech}'{close} (rules match technologies by name, so they do not "
        "look at this component; add it to the technology catalogue if it is new)"
    )


@functools.cache
def _technology_names() -> dict[str, str]:
    catalogue = technology_catalogue()
    return {**{n: n for n in catalogue.technologies}, **catalogue.aliases}


def protocol_problem(protocol: str, *, hint: bool = True) -> str | None:
    """Why ``protocol`` is not a known protocol (with "did you mean" when ``hint``), or None."""
    if protocol in protocol_encryption():
        return None
    names = {n: n for n in protocol_catalogue().protocols}
    close = _closest(protocol, names) if hint else ""
    return (
        f"unknown protocol '{protocol}'{close} (rules cannot tell whether it is encrypted or what "
        "it carries)"
    )


def _closest(value: str, names: Mapping[str, str]) -> str:
    """``did you mean`` naming the entry a close name (or alias) stands for."""
    hint = did_you_mean(value, names)
    if not hint:
        return ""
    close = hint.split("'")[1]
    return f" — did you mean '{names[close]}'?"


@dataclass(frozen=True, slots=True)
class PropertyProblem:
    """What is wrong with one ``properties:`` entry."""

    unknown: bool
    """True: the key is not in the catalogue (a warning); False: its value is wrong (an error)."""
    message: str


_TYPE_WORDS = {
    PropertyType.BOOL: "a boolean (true or false)",
    PropertyType.INT: "a whole number",
    PropertyType.NUMBER: "a number",
    PropertyType.STRING: "a string",
    PropertyType.LIST: "a list",
}
_ITEM_WORDS = {
    PropertyType.BOOL: "booleans",
    PropertyType.INT: "whole numbers",
    PropertyType.NUMBER: "numbers",
    PropertyType.STRING: "strings",
    PropertyType.LIST: "lists",
}


def property_problem(
    key: str, value: PropertyValue, *, hint: bool = True
) -> PropertyProblem | None:
    """What is wrong with ``properties: {key: value}`` (hints when ``hint``), or None."""
    spec = property_catalogue().properties.get(key)
    if spec is None:
        close = _closest(key, _property_names()) if hint else ""
        return PropertyProblem(
            True,
            f"unknown property '{key}'{close} (no rule reads it; a misspelt key switches its "
            "rules off)",
        )
    if not _has_type(value, spec):
        expected = " or ".join(_TYPE_WORDS[t] for t in spec.types)
        if PropertyType.LIST in spec.types:
            expected += f" of {' or '.join(_ITEM_WORDS[t] for t in spec.items)}"
        return PropertyProblem(
            False,
            f"property '{key}' is {_shown(value)} ({_type_name(value)}); expected {expected}"
            + _yaml_hint(value, spec),
        )
    if spec.values:
        allowed = {v.lower() for v in spec.values}
        for item in value if isinstance(value, list) else [value]:
            word = _word(item)
            if isinstance(item, str) and word not in allowed:
                close = did_you_mean(word, allowed) if hint else ""
                return PropertyProblem(
                    False,
                    f"property '{key}' is {_shown(item)}{close}; expected one of: "
                    + ", ".join(spec.values),
                )
    return None


@functools.cache
def _property_names() -> dict[str, str]:
    return {k: k for k in property_catalogue().properties}


def _has_type(value: PropertyValue, spec: PropertySpec) -> bool:
    types = spec.types
    if isinstance(value, list):
        return PropertyType.LIST in types and all(_scalar_is(v, spec.items) for v in value)
    if _scalar_is(value, types):
        return True
    return PropertyType.LIST in types and _scalar_is(value, spec.items)  # a one-item list


def _scalar_is(value: object, types: tuple[PropertyType, ...]) -> bool:
    if isinstance(value, bool):
        return PropertyType.BOOL in types
    if isinstance(value, int):
        return bool({PropertyType.INT, PropertyType.NUMBER, PropertyType.STRING} & set(types))
    if isinstance(value, float):
        return PropertyType.NUMBER in types or PropertyType.STRING in types
    return isinstance(value, str) and PropertyType.STRING in types


def _type_name(value: PropertyValue) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "a string"


def _yaml_hint(value: PropertyValue, spec: PropertySpec) -> str:
    if isinstance(value, bool) and PropertyType.STRING in spec.types:
        return "; YAML reads unquoted on/off/yes/no as booleans: quote the word"
    if isinstance(value, str) and value.lower() in {"true", "false", "yes", "no"}:
        return "; write true or false without quotes"
    return ""


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def _shown(value: object, limit: int = 60) -> str:
    if isinstance(value, list):
        return "[...]"
    text = _word(value) if isinstance(value, bool) else str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text if isinstance(value, bool | int | float) else f"'{text}'"
