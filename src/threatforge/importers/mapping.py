"""Mapping data: what a resource type of one source becomes in the model.

One mapping file per source ships in ``threatforge/importers/mappings/`` (``compose.yaml``); an
organisation adds its own with ``--mapping FILE`` (custom modules, in-house images and resource
types): its types are tried first and replace a built-in type of the same name, its ``common``
facts and flows are added. The importer's code is the generic walk; the file says, per type,
which kind and technology a resource becomes, the facts its arguments state and the arguments
that make flows. docs/importers.md gives the schema with examples.

A mapping file is read with the project's one bounded YAML reader and checked here: the schema
(unknown keys refused), and every kind, technology, protocol and property against the model's
vocabulary, so a misspelt name is an error at its line, not a rule silently switched off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from threatforge.errors import ImporterError
from threatforge.model import (
    BoundaryKind,
    ComponentKind,
    Document,
    Limits,
    ReadError,
    TrustLevel,
    parse_yaml_text,
    read_yaml_file,
)
from threatforge.model.vocabulary import property_problem, protocol_problem, technology_problem
from threatforge.text.hints import did_you_mean

__all__ = [
    "FactMapping",
    "FlowMapping",
    "MappingFile",
    "SourceMapping",
    "TypeMapping",
    "load_mapping",
    "mapping_source",
]

MAPPING_LIMITS = Limits(max_bytes=4 * 1024 * 1024, max_depth=16, max_nodes=200_000)
"""A mapping file is small data: bounded well below a model file."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_SETTABLE_FIELDS = frozenset(
    {
        "exposure",
        "authn",
        "authz",
        "mfa",
        "admin",
        "waf",
        "rate_limit",
        "input_validation",
        "retention_days",
        "encryption.at_rest",
        "encryption.in_transit",
        "encryption.key_rotation",
        "logging.enabled",
        "logging.audit",
    }
)
"""Component fields a fact may set (besides ``properties.NAME``)."""


class _Strict(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")


Scalar = str | int | float | bool


class FactMapping(_Strict):
    """An argument of the resource that states a security fact.

    ``argument`` is a dotted path into the resource (``deploy.replicas``); ``set`` the component
    field (``exposure``, ``encryption.at_rest``) or ``properties.NAME`` it sets. Without
    ``values`` the argument's value is copied; with it, the argument's value (as text) picks the
    value to set, and ``other`` (if given) is set for any value not listed.
    """

    argument: Name
    set: Name
    values: dict[str, Scalar | list[Scalar]] | None = None
    other: Scalar | list[Scalar] | None = None


class FlowMapping(_Strict):
    """An argument whose value names other resources: each becomes a flow.

    ``direction: out`` is a flow from this resource to the one named (``depends_on``), ``in``
    the other way (a load balancer's target names this resource).
    """

    argument: Name
    direction: Literal["out", "in"] = "out"
    protocol: Name | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    description: Name | None = None


class TypeMapping(_Strict):
    """What one resource type becomes."""

    becomes: Literal["component", "zone", "ignore"] = "component"
    """``zone``: a boundary (a network); ``ignore``: read for nothing (listed in a note)."""
    match: list[Name] = Field(default_factory=list)
    """Other names and globs (``*/postgres``) this entry also stands for."""
    kind: ComponentKind | None = None
    tech: Name | None = None
    zone_kind: BoundaryKind | None = None
    trust: TrustLevel | None = None
    protocol: Name | None = None
    """The protocol of flows into it (``postgres``), when the source does not say."""
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    """The port it listens on, when the source does not say."""
    properties: dict[Name, Scalar | list[Scalar]] = Field(default_factory=dict)
    """Facts every resource of the type has."""
    facts: list[FactMapping] = Field(default_factory=list)
    flows: list[FlowMapping] = Field(default_factory=list)


class MappingFile(_Strict):
    """One mapping file, as written."""

    mapping: Name
    """The source it maps (the importer's name: ``compose``)."""
    version: Literal[1] = 1
    description: str | None = None
    default: TypeMapping | None = None
    """What a type no entry matches becomes (listed in a note as unknown)."""
    common: TypeMapping | None = None
    """Facts and flows of every resource of the source (its ``facts`` and ``flows`` only)."""
    types: dict[Name, TypeMapping] = Field(default_factory=dict)


@dataclass(frozen=True)
class SourceMapping:
    """The mapping of one source: built-in types, then each ``--mapping`` file's over them."""

    source: str
    types: Mapping[str, TypeMapping]
    """Type name -> its entry, the organisation's first (they are tried first)."""
    default: TypeMapping
    facts: tuple[FactMapping, ...]
    flows: tuple[FlowMapping, ...]
    files: tuple[str, ...]

    def lookup(self, type_name: str) -> tuple[str, TypeMapping] | None:
        """The entry for ``type_name``: an exact name first, else the first glob or other name
        that matches (in the order the files list them, the organisation's first)."""
        found = self.types.get(type_name)
        if found is not None:
            return type_name, found
        for name, entry in self.types.items():
            for pattern in entry.match:
                if fnmatchcase(type_name, pattern):
                    return name, entry
        return None

    def facts_of(self, entry: TypeMapping) -> tuple[FactMapping, ...]:
        return (*self.facts, *entry.facts)

    def flows_of(self, entry: TypeMapping) -> tuple[FlowMapping, ...]:
        return (*self.flows, *entry.flows)


def load_mapping(source: str, extra: Sequence[Path] = ()) -> SourceMapping:
    """The built-in mapping of ``source`` with each file of ``extra`` over it.

    Raises :class:`ImporterError` naming the file, line and problem for an unreadable or invalid
    file, or a file that maps another source.
    """
    name = f"{source}.yaml"
    package = resources.files("threatforge.importers").joinpath("mappings", name)
    try:
        text = package.read_text("utf-8")
    except FileNotFoundError:
        raise ImporterError(f"no built-in mapping for '{source}'") from None
    built_in = _parse(_document(lambda: parse_yaml_text(text, f"mappings/{name}", MAPPING_LIMITS)))
    layers = [built_in]
    for path in extra:
        layer = _parse(
            _document(lambda path=path: read_yaml_file(str(path), str(path), MAPPING_LIMITS))
        )
        if layer[0].mapping != source:
            raise ImporterError(
                f"{layer[1].location(('mapping',))}: this mapping is for '{layer[0].mapping}', "
                f"not '{source}' (give it to 'threatforge import {layer[0].mapping}')"
            )
        layers.append(layer)
    types: dict[str, TypeMapping] = {}
    facts: list[FactMapping] = []
    flows: list[FlowMapping] = []
    default = TypeMapping(kind=ComponentKind.SERVICE)
    for mapping, _ in layers:  # later files first in the lookup order, built-in last
        types = {**mapping.types, **{k: v for k, v in types.items() if k not in mapping.types}}
        if mapping.common is not None:
            facts.extend(mapping.common.facts)
            flows.extend(mapping.common.flows)
        if mapping.default is not None:
            default = mapping.default
    return SourceMapping(
        source, types, default, tuple(facts), tuple(flows), tuple(d.file for _, d in layers)
    )


def _document(read: Any) -> Document:
    try:
        document: Document = read()
    except ReadError as exc:
        message = exc.message
        if message.startswith("is empty"):
            message = "is empty: a mapping needs 'mapping:' and 'types:'"
        elif message.startswith("must be a mapping"):
            message = "must be a mapping with 'mapping:' and 'types:'"
        raise ImporterError(f"{exc.location}: {message}") from None
    return document


def _parse(document: Document) -> tuple[MappingFile, Document]:
    """Validate one mapping document: the schema, then names against the vocabulary."""
    try:
        mapping = MappingFile.model_validate(document.value)
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False):
            path = _path(document.value, tuple(error["loc"]))
            where = document.location(path, key=error["type"] == "extra_forbidden")
            lines.append(f"{where}: {_message(error)}")
        raise ImporterError("invalid mapping:\n" + "\n".join(dict.fromkeys(lines))) from None
    problems: list[str] = []
    entries: list[tuple[tuple[str | int, ...], TypeMapping]] = [
        (("types", name), entry) for name, entry in mapping.types.items()
    ]
    for section in ("default", "common"):
        entry = getattr(mapping, section)
        if entry is not None:
            entries.append(((section,), entry))
    for path, entry in entries:
        for below, problem in _entry_problems(entry, path[0] == "common"):
            problems.append(f"{document.location((*path, *below))}: {problem}")
    if problems:
        raise ImporterError("invalid mapping:\n" + "\n".join(problems))
    return mapping, document


def _entry_problems(entry: TypeMapping, common: bool) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    if entry.becomes == "component" and entry.kind is None and not common:
        found.append(((), "a type that becomes a component needs a 'kind'"))
    if entry.becomes == "zone" and entry.trust is None:
        found.append(((), "a type that becomes a zone needs a 'trust'"))
    if entry.tech is not None:
        problem = technology_problem(entry.tech)
        if problem is not None:
            found.append((("tech",), problem))
    if entry.protocol is not None:
        problem = protocol_problem(entry.protocol)
        if problem is not None:
            found.append((("protocol",), problem))
    for key, value in entry.properties.items():
        prop = property_problem(key, value)
        if prop is not None:
            found.append((("properties", key), prop.message))
    for index, fact in enumerate(entry.facts):
        target = fact.set
        if target.startswith("properties."):
            key = target.removeprefix("properties.")
            samples = [v for v in (*(fact.values or {}).values(), fact.other) if v is not None]
            for value in samples or [True]:
                prop = property_problem(key, value)
                if prop is not None and (samples or prop.unknown):
                    found.append((("facts", index, "set"), prop.message))
                    break
        elif target not in _SETTABLE_FIELDS:
            hint = did_you_mean(target, sorted(_SETTABLE_FIELDS))
            found.append(
                (
                    ("facts", index, "set"),
                    f"a fact cannot set '{target}'{hint} (one of: properties.NAME, "
                    + ", ".join(sorted(_SETTABLE_FIELDS))
                    + ")",
                )
            )
    for index, flow in enumerate(entry.flows):
        if flow.protocol is not None:
            problem = protocol_problem(flow.protocol)
            if problem is not None:
                found.append((("flows", index, "protocol"), problem))
    return found


def _path(value: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The part of a pydantic location that exists in the document (union labels dropped)."""
    path: tuple[str | int, ...] = ()
    node = value
    for step in loc:
        found = (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        )
        if found:
            node = node[step]
            path = (*path, step)
    return path


def _message(error: Any) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key '{error['loc'][-1]}'"
    return f"{loc}: {error['msg']}"


def mapping_source(path: Path) -> str:
    """The source a mapping file maps (its ``mapping:``), once the file is checked whole."""
    mapping, _ = _parse(_document(lambda: read_yaml_file(str(path), str(path), MAPPING_LIMITS)))
    return mapping.mapping
