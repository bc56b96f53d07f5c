"""The schema of the vocabulary's data files, and reading them (once, on first use).

The files sit beside this module: ``kinds.yaml`` (groups of component kinds),
``technologies.yaml``, ``properties.yaml`` and ``protocols.yaml``. They are package data, read
with the model's own bounded YAML reader and validated by the frozen pydantic models below; an
invalid catalogue is a bug of threatforge, so it raises instead of returning diagnostics.
"""

from __future__ import annotations

import fnmatch
import functools
from enum import StrEnum
from importlib import resources
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "ElementSection",
    "KindCatalogue",
    "KindGroupSpec",
    "PropertyCatalogue",
    "PropertyDoc",
    "PropertySpec",
    "PropertyTable",
    "PropertyType",
    "ProtocolCatalogue",
    "ProtocolSpec",
    "TechnologyCatalogue",
    "TechnologySpec",
    "kind_catalogue",
    "property_catalogue",
    "protocol_catalogue",
    "technology_catalogue",
]

Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.+_-]{0,99}$")]
Glob = Annotated[str, StringConstraints(pattern=r"^[a-z0-9.+_*?-]{1,100}$")]
PropertyKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class _Frozen(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# --- kinds ----------------------------------------------------------------------------------------


class KindGroupSpec(_Frozen):
    """A named group of component kinds; ``+group`` includes another group's kinds."""

    description: str
    kinds: tuple[Annotated[str, StringConstraints(pattern=r"^\+?[a-z][a-z-]*$")], ...]


class KindCatalogue(_Frozen):
    """``kinds.yaml``: the kind groups every rule, analysis and report selects with."""

    groups: dict[str, KindGroupSpec]

    @model_validator(mode="after")
    def _includes_exist(self) -> KindCatalogue:
        for name, group in self.groups.items():
            for kind in group.kinds:
                if kind.startswith("+") and kind[1:] not in self.groups:
                    raise ValueError(f"kind group '{name}' includes unknown group '{kind[1:]}'")
        return self

    def expanded(self, name: str, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The kinds of group ``name``, included groups expanded, in the order written."""
        if name in seen:
            raise ValueError(f"kind group '{name}' includes itself: {' -> '.join((*seen, name))}")
        kinds: list[str] = []
        for kind in self.groups[name].kinds:
            more = self.expanded(kind[1:], (*seen, name)) if kind.startswith("+") else (kind,)
            kinds.extend(k for k in more if k not in kinds)
        return tuple(kinds)


# --- technologies ---------------------------------------------------------------------------------


class Implication(StrEnum):
    """What a technology implies about a component that uses it."""

    STORES_DATA = "stores-data"
    INTERNET_FACING = "internet-facing"
    WEB_SERVER = "web-server"
    RUNS_CODE = "runs-code"
    IDENTITY = "identity"


class TechnologySpec(_Frozen):
    """One known ``tech:`` value."""

    kinds: tuple[str, ...]
    """The component kinds it usually is (informative: another kind is not an error)."""
    aliases: tuple[Name, ...] = ()
    """Other names people write for it; the loader answers them with "did you mean"."""
    implies: tuple[Implication, ...] = ()
    provider: str | None = None
    """Who runs it, for a managed cloud service (``aws``, ``azure``, ``gcp``, ``google``)."""
    description: str


class SurfaceCondition(_Frozen):
    """When a component implies a surface: every test written holds."""

    kinds: tuple[str, ...] = ()
    """The component is of one of these kinds."""
    not_kinds: tuple[str, ...] = ()
    """The component is of none of these kinds (e.g. not a third party's or a person)."""
    implies: tuple[Implication, ...] = ()
    """Its technology implies all of these."""
    exposure: str | None = None
    """It states this ``exposure``."""
    zone_kinds: tuple[str, ...] = ()
    """It sits in (or inside) a boundary of one of these kinds."""
    receives: tuple[str, ...] = ()
    """A flow into it carries data of one of these categories (or one below it)."""


class SurfaceSpec(_Frozen):
    """An element a model rarely draws that a component of some kind or technology implies."""

    name: str
    """Its name; ``{element}`` is the implying component's label."""
    kind: str
    """What it is, in words (``third-party account``, ``DNS and TLS``)."""
    holds: tuple[str, ...]
    """What is at stake there, in words (``admin accounts``, ``API keys``)."""
    why: str
    """Why the component implies it, in a sentence."""
    when: tuple[SurfaceCondition, ...]
    """The component implies it when one of these holds."""
    threats: tuple[Name, ...] = ()
    """The rules that ask what can go wrong there: their results on the implying component (or
    a flow into or out of it) are the implied element's threats (a test checks each exists)."""
    shared: tuple[Name, ...] = ()
    """Those of ``threats`` asked once for the whole system (one registrar account, one set of
    CAA records per domain): their results link to every implied element of the surface."""


class TechnologyCatalogue(_Frozen):
    """``technologies.yaml``: every known technology name, and the surfaces components imply."""

    technologies: dict[Name, TechnologySpec]
    surfaces: dict[Name, SurfaceSpec] = {}

    @model_validator(mode="after")
    def _aliases_unique(self) -> TechnologyCatalogue:
        seen: dict[str, str] = {}
        for name, spec in self.technologies.items():
            for alias in spec.aliases:
                if alias in self.technologies:
                    raise ValueError(f"alias '{alias}' of '{name}' is itself a technology")
                if alias in seen:
                    raise ValueError(f"alias '{alias}' is given for '{seen[alias]}' and '{name}'")
                seen[alias] = name
        return self

    @functools.cached_property
    def aliases(self) -> dict[str, str]:
        """Every alias, mapped to the technology it stands for."""
        return {a: name for name, spec in self.technologies.items() for a in spec.aliases}


# --- properties -----------------------------------------------------------------------------------


class PropertyType(StrEnum):
    """The type of a ``properties:`` value. A list may be written as one scalar item."""

    BOOL = "bool"
    INT = "int"
    NUMBER = "number"
    STRING = "string"
    """Text; a number is accepted too (YAML reads ``1.2`` or ``111122223333`` as one)."""
    LIST = "list"


class ElementSection(StrEnum):
    """Where a property is written."""

    COMPONENT = "component"
    FLOW = "flow"
    BOUNDARY = "boundary"
    SYSTEM = "system"


class PropertyTable(_Frozen):
    """A table of docs/rules/*.md whose rows are generated from the catalogue."""

    id: str
    page: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+\.md$")]
    columns: tuple[str, ...]
    keys: tuple[PropertyKey, ...]
    """The keys of its rows, in order (each has a documentation row for this table)."""
    tech: tuple[Glob, ...] = ()
    """The technologies the table's keys are for (a JSON Schema ``if tech then`` branch)."""


class PropertyDoc(_Frozen):
    """One row of a documentation table, as written there."""

    table: str
    with_: tuple[PropertyKey, ...] = Field(default=(), alias="with")
    """Other keys documented in the same row (``host_network``, ``host_pid``, ``host_ipc``)."""
    where: str | None = None
    type: str
    meaning: str
    read_by: str


class PropertySpec(_Frozen):
    """One known ``properties:`` key."""

    type: PropertyType | tuple[PropertyType, ...]
    items: tuple[PropertyType, ...] = (PropertyType.STRING,)
    """The types of a list's items."""
    values: tuple[str, ...] = ()
    """The allowed strings (compared case-insensitively), when the rules know only these; empty:
    any value of the type. A boolean or number of an allowed type is not compared."""
    elements: tuple[ElementSection, ...]
    tech: tuple[Glob, ...] = ()
    informational: bool = False
    """No rule or analysis reads it: a fact recorded for reviewers."""
    meaning: str | None = None
    read_by: str | None = None
    docs: tuple[PropertyDoc, ...] = ()

    @model_validator(mode="after")
    def _described(self) -> PropertySpec:
        if self.meaning is None and not self.docs:
            raise ValueError("a property needs a 'meaning' or a documentation row")
        return self

    @property
    def types(self) -> tuple[PropertyType, ...]:
        return self.type if isinstance(self.type, tuple) else (self.type,)

    @property
    def description(self) -> str:
        """What the key means, in one line (its first documentation row's meaning)."""
        return self.meaning if self.meaning is not None else self.docs[0].meaning


class PropertyCatalogue(_Frozen):
    """``properties.yaml``: every property key read by a rule or an analysis, or recorded."""

    tables: tuple[PropertyTable, ...]
    properties: dict[PropertyKey, PropertySpec]

    @model_validator(mode="after")
    def _tables_exist(self) -> PropertyCatalogue:
        ids = [t.id for t in self.tables]
        if len(set(ids)) != len(ids):
            raise ValueError("two documentation tables have the same id")
        rows = {(t.id, key) for t in self.tables for key in t.keys}
        documented = {(doc.table, key) for key, s in self.properties.items() for doc in s.docs}
        if rows != documented:
            missing = sorted(documented - rows) or sorted(rows - documented)
            raise ValueError(f"table keys and documentation rows differ: {missing[:5]}")
        for key, spec in self.properties.items():
            for doc in spec.docs:
                for other in doc.with_:
                    if other not in self.properties:
                        raise ValueError(f"property '{key}': row names unknown key '{other}'")
        return self


# --- stated weaknesses ----------------------------------------------------------------------------


class WeaknessSpec(_Frozen):
    """Values that state a missing protection on keys of some names."""

    keys: tuple[str, ...]
    """Globs over the ``properties:`` key (``*_encrypted``)."""
    values: tuple[str, ...]
    """Weak values as written in YAML (``false``, ``none``), compared case-insensitively."""
    says: str
    """What the value says, in words (``not encrypted``)."""

    def states(self, key: str, value: object) -> bool:
        """Whether ``key: value`` states this weakness."""
        if not any(fnmatch.fnmatchcase(key, glob) for glob in self.keys):
            return False
        if isinstance(value, bool):
            word = "true" if value else "false"
        elif isinstance(value, str):
            word = value.strip().lower()
        else:
            return False
        return word in {v.lower() for v in self.values}


class WeaknessCatalogue(_Frozen):
    """``weaknesses.yaml``: values that state a weakness whatever rule reads the key."""

    weaknesses: tuple[WeaknessSpec, ...]

    def stated(self, key: str, value: object) -> WeaknessSpec | None:
        """The first weakness ``key: value`` states, or None."""
        return next((w for w in self.weaknesses if w.states(key, value)), None)


# --- protocols ------------------------------------------------------------------------------------


class ProtocolSpec(_Frozen):
    """One known flow ``protocol:``."""

    encrypted: bool | None
    """True: encrypted by definition; False: clear text unless ``tls: true``; None: it depends."""
    aliases: tuple[Name, ...] = ()
    description: str


class ProtocolCatalogue(_Frozen):
    """``protocols.yaml``: every known flow protocol."""

    protocols: dict[Name, ProtocolSpec]

    @functools.cached_property
    def encryption(self) -> dict[str, bool | None]:
        """Each protocol (aliases included) and whether it is encrypted by definition."""
        implied = {name: spec.encrypted for name, spec in self.protocols.items()}
        for spec in self.protocols.values():
            implied.update(dict.fromkeys(spec.aliases, spec.encrypted))
        return implied


# --- reading --------------------------------------------------------------------------------------


def _read(name: str) -> Any:
    from threatforge.model._yaml import parse_text

    text = resources.files(__package__ or "").joinpath(name).read_text("utf-8")
    return parse_text(text, f"threatforge/model/vocabulary/{name}").value


@functools.cache
def kind_catalogue() -> KindCatalogue:
    """``kinds.yaml``, read and validated on first use."""
    return KindCatalogue.model_validate(_read("kinds.yaml"))


@functools.cache
def technology_catalogue() -> TechnologyCatalogue:
    """``technologies.yaml``, read and validated on first use."""
    return TechnologyCatalogue.model_validate(_read("technologies.yaml"))


@functools.cache
def property_catalogue() -> PropertyCatalogue:
    """``properties.yaml``, read and validated on first use."""
    return PropertyCatalogue.model_validate(_read("properties.yaml"))


@functools.cache
def weakness_catalogue() -> WeaknessCatalogue:
    """``weaknesses.yaml``, read and validated on first use."""
    return WeaknessCatalogue.model_validate(_read("weaknesses.yaml"))


@functools.cache
def protocol_catalogue() -> ProtocolCatalogue:
    """``protocols.yaml``, read and validated on first use."""
    return ProtocolCatalogue.model_validate(_read("protocols.yaml"))
