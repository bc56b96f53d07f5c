"""Load ``threatmodel.yaml`` (and the files it includes) into a validated :class:`Model`.

Every problem is collected, not just the first, as a :class:`Diagnostic` located at
``file:line:column``; misspelt references get a "did you mean". Reading is bounded (size, depth,
alias expansion, number of included files) so hostile input fails fast with a clear message.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from threatforge.model._model import Element, Model
from threatforge.model._yaml import Document, Limits, ReadError, parse_bytes, parse_text
from threatforge.model.diagnostics import Diagnostic, Level, Location, ModelError
from threatforge.model.draft import (
    MAX_ERRORS,
    Collector,
    Draft,
    DraftChecks,
    SourceMap,
)
from threatforge.model.draft import (  # re-exported: where the limit was defined before
    MAX_NESTING as MAX_NESTING,
)
from threatforge.model.id_clashes import IdRename
from threatforge.model.schema import (
    FLOW_ARROW,
    Assumption,
    Boundary,
    Component,
    Control,
    DataAsset,
    EncryptionSpec,
    Flow,
    LoggingSpec,
    ModelFile,
    System,
    ThreatStatement,
    TrackingEntry,
)
from threatforge.model.sources import Problem, Source, SourceError, WorkingTree, inside
from threatforge.text.hints import did_you_mean

__all__ = [
    "Limits",
    "LoadResult",
    "load",
    "load_file_text",
    "load_source",
    "load_source_with_diagnostics",
    "load_text",
    "load_with_diagnostics",
]

MAX_INCLUDED_FILES = 256
_INVALID_ID = (
    "is not a valid id: use ASCII letters, digits and . _ : / -, starting with a letter or "
    "digit, at most 128 characters"
)
_SECTIONS = (
    "data",
    "boundaries",
    "components",
    "controls",
    "assumptions",
    "threats",
    "tracking",
)
_SECTION_CLASS: dict[str, type[BaseModel]] = {
    "data": DataAsset,
    "boundaries": Boundary,
    "components": Component,
    "controls": Control,
    "assumptions": Assumption,
    "threats": ThreatStatement,
    "tracking": TrackingEntry,
    "flows": Flow,
}
_SINGULAR = {
    "data": "data asset",
    "boundaries": "boundary",
    "components": "component",
    "controls": "control",
    "assumptions": "assumption",
    "threats": "team threat",
    "tracking": "tracking entry",
    "flows": "flow",
}
_NESTED_CLASS: dict[str, type[BaseModel]] = {
    "encryption": EncryptionSpec,
    "logging": LoggingSpec,
}


@dataclass(frozen=True)
class LoadResult:
    """What loading found: the model (None when there were errors) and every diagnostic."""

    model: Model | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...] = ()
    """Every model file read (as named in messages), also when the model is invalid."""
    id_renames: tuple[IdRename, ...] = ()
    """Renames that make ids unique across sections (each also a warning): what
    ``threatforge fmt --fix`` applies (see :mod:`threatforge.model.id_clashes`)."""

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)


def load(path: str | os.PathLike[str], *, limits: Limits | None = None) -> Model:
    """Load and validate a model; raise :class:`ModelError` listing every error found."""
    result = load_with_diagnostics(path, limits=limits)
    if result.model is None:
        raise ModelError(result.diagnostics)
    return result.model


def load_with_diagnostics(
    path: str | os.PathLike[str], *, limits: Limits | None = None
) -> LoadResult:
    """Load a model and return it with every error and warning (never raises for bad input)."""
    return _Loader(limits or Limits()).run(os.fspath(path))


def load_source(
    source: Source,
    root_path: str,
    *,
    display: str | None = None,
    limits: Limits | None = None,
) -> Model:
    """Load the model at ``root_path`` in ``source`` (a git commit, memory, a folder), with its
    includes read from the same source; raise :class:`ModelError` listing every error."""
    result = load_source_with_diagnostics(source, root_path, display=display, limits=limits)
    if result.model is None:
        raise ModelError(result.diagnostics)
    return result.model


def load_source_with_diagnostics(
    source: Source,
    root_path: str,
    *,
    display: str | None = None,
    limits: Limits | None = None,
) -> LoadResult:
    """As :func:`load_source`, returning every error and warning (never raises for bad input).

    ``root_path`` is ``/``-separated and relative to the source's root; includes must stay in
    its folder. ``display`` names the root file in messages (default: the source's own name).
    """
    loader = _Loader(limits or Limits())
    folder = posixpath.dirname(root_path)
    shown = display if display is not None else source.display(root_path)
    return loader.run_source(source, folder, posixpath.basename(root_path), shown)


def load_text(text: str, name: str = "threatmodel.yaml", *, limits: Limits | None = None) -> Model:
    """Load a model from text (no includes). For tests, the server and importers."""
    loader = _Loader(limits or Limits())
    result = loader.run_text(text, name)
    if result.model is None:
        raise ModelError(result.diagnostics)
    return result.model


def load_file_text(
    text: str, name: str = "threatmodel.yaml", *, limits: Limits | None = None
) -> ModelFile:
    """Read and validate one model file's text on its own (no includes, no cross-references).

    For tools that edit one file of a model (``fmt``, decisions): what they wrote is read back
    with the same reader and schema as a load, and compared before it replaces the file.
    """
    loader = _Loader(limits or Limits())
    loader.display = name
    try:
        document = parse_text(text, name, loader.limits)
    except ReadError as exc:
        raise ModelError((Diagnostic(Level.ERROR, exc.location, exc.message, "read"),)) from None
    parsed = loader.validate(document)
    errors = [d for d in loader.diagnostics if d.is_error]
    if errors or parsed.file is None:
        raise ModelError(errors)
    return parsed.file


# ---------------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    document: Document
    file: ModelFile | None
    flow_paths: list[tuple[str | int, ...]] = field(default_factory=list)


class _Loader(Collector):
    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits
        self.parsed: list[_Parsed] = []
        self.seen_files: dict[str, str] = {}
        self.root_dir = ""
        self.source: Source = WorkingTree()
        self.folder = ""
        self.prefix: str | None = None
        """The root file's folder as the user wrote it (working tree), for included files' names."""
        self.partial = False
        self.invalid_ids: dict[str, set[str]] = {}
        self.id_renames: tuple[IdRename, ...] = ()

    def result(self, model: Model | None) -> LoadResult:
        ordered = self.ordered()
        if any(d.is_error for d in ordered):
            model = None
        return LoadResult(model, tuple(ordered), tuple(self.seen_files.values()), self.id_renames)

    # --- reading ------------------------------------------------------------------------

    def run(self, path: str) -> LoadResult:
        source = WorkingTree()
        self.prefix = os.path.dirname(path)
        real = os.path.realpath(path)
        return self.run_source(source, source.folder_of(real), os.path.basename(real), path)

    def run_source(self, source: Source, folder: str, name: str, display: str) -> LoadResult:
        self.display = display
        self.source = source
        self.folder = folder
        self.root_dir = source.describe(folder)
        self.read([name], display, stack=(), including=None)
        return self.result(self.build())

    def run_text(self, text: str, name: str) -> LoadResult:
        self.display = name
        try:
            document = parse_text(text, name, self.limits)
        except ReadError as exc:
            self.error(exc.location, exc.message, "read")
            return self.result(None)
        parsed = self.validate(document)
        if parsed.file is not None and parsed.file.include:
            self.error(document.location(("include",)), "'include:' needs a model file on disk")
        self.parsed.append(parsed)
        return self.result(self.build())

    def read(
        self,
        names: list[str],
        display: str,
        stack: tuple[str, ...],
        including: tuple[Location, str] | None,
    ) -> None:
        """Read the file at ``names`` (below the model's folder).

        ``including`` is where it is included and the include as written (None for the root).
        """
        if len(self.seen_files) >= MAX_INCLUDED_FILES:
            self.error(Location(display), f"more than {MAX_INCLUDED_FILES} model files included")
            return
        try:
            found = self.source.read(self.folder, "/".join(names), self.limits.max_bytes)
        except SourceError as exc:
            if exc.problem is Problem.OUTSIDE and including is not None:
                self.outside(*including)
            elif exc.problem is Problem.TOO_LARGE:
                self.error(
                    Location(display),
                    f"is larger than {_size(self.limits.max_bytes)}; split it with 'include:'",
                    "read",
                )
            else:
                self.error(Location(display), exc.message, "read")
            return
        if including is not None:
            where, include = including
            if found.key in stack:
                chain = " -> ".join(self.seen_files.get(s, s) for s in (*stack, found.key))
                self.error(where, f"include '{include}' makes a loop: {chain}")
                return
            if found.key in self.seen_files:
                self.error(
                    where, f"include '{include}' is already included ({self.seen_files[found.key]})"
                )
                return
        self.seen_files[found.key] = display
        try:
            document = parse_bytes(found.data, display, self.limits)
        except ReadError as exc:
            self.error(exc.location, exc.message, "read")
            return
        parsed = self.validate(document)
        self.parsed.append(parsed)
        if parsed.file is None:
            return
        if stack and parsed.file.system is not None:
            self.error(
                document.location(("system",), key=True),
                "'system:' may only be set in the root model file, not in an included file",
            )
        for index, include in enumerate(parsed.file.include):
            self.include(document, index, include, names, (*stack, found.key))

    def outside(self, where: Location, include: str) -> None:
        self.error(
            where,
            f"include '{include}' resolves outside the model's folder "
            f"({self.root_dir}); included files must sit in the root model's folder or below it",
        )

    def include(
        self,
        document: Document,
        index: int,
        include: str,
        including: list[str],
        stack: tuple[str, ...],
    ) -> None:
        where = document.location(("include", index))
        if os.path.isabs(include) or re.match(r"^[A-Za-z]:[\\/]", include):
            self.error(
                where,
                f"include '{include}' is an absolute path; use a path relative to {document.file}",
            )
            return
        try:
            names = inside(self.folder, posixpath.join(*including[:-1], include))
        except SourceError:
            self.outside(where, include)
            return
        if self.prefix is not None:  # as the user wrote the root file's path
            display = os.path.normpath(os.path.join(self.prefix, *names))
        else:
            display = self.source.display(posixpath.join(self.folder, *names))
        self.read(names, display, stack, (where, include))

    # --- validation ---------------------------------------------------------------------

    def validate(self, document: Document) -> _Parsed:
        raw = document.value
        prepared, flow_paths = self.prepare(document, raw)
        try:
            model_file = ModelFile.model_validate(prepared)
        except ValidationError as exc:
            for index, error in enumerate(exc.errors(include_url=False)):
                if self.error_count >= MAX_ERRORS:  # only count the rest
                    self.error_count += exc.error_count() - index
                    break
                self.report_validation(document, raw, error)
            return self.salvage(document, prepared, flow_paths)
        return _Parsed(document, model_file, flow_paths)

    def salvage(
        self, document: Document, prepared: dict[str, Any], flow_paths: list[tuple[str | int, ...]]
    ) -> _Parsed:
        """Keep the valid elements of an invalid file, so reference errors are found too."""
        self.partial = True
        values: dict[str, Any] = {}
        for name in ("system", "include", "version"):
            try:
                values[name] = ModelFile.model_validate({name: prepared[name]}).__dict__[name]
            except (ValidationError, KeyError):
                continue
        for section in _SECTIONS:
            valid: dict[str, Any] = {}
            elements = prepared.get(section)
            for key, body in elements.items() if isinstance(elements, dict) else ():
                try:
                    valid[key] = _SECTION_CLASS[section].model_validate(body)
                except ValidationError:
                    self.invalid_ids.setdefault(section, set()).add(str(key))
            values[section] = valid
        flows: list[Flow] = []
        kept_paths: list[tuple[str | int, ...]] = []
        raw_flows = prepared.get("flows")
        for index, body in enumerate(raw_flows if isinstance(raw_flows, list) else ()):
            try:
                flows.append(Flow.model_validate(body))
                kept_paths.append(flow_paths[index])
            except ValidationError:
                continue
        values["flows"] = flows
        return _Parsed(document, ModelFile.model_construct(**values), kept_paths)

    def prepare(
        self, document: Document, raw: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str | int, ...]]]:
        """Inject ids and source locations into element mappings (a shallow copy of ``raw``).

        A flow written ``a -> b: {...}`` is also turned into ``{from: a, to: b, ...}`` here, as
        :meth:`Flow._arrow_form` would (which still reports the malformed ones).
        """
        prepared = dict(raw)
        file = document.file
        for section in _SECTIONS:
            elements = raw.get(section)
            if not isinstance(elements, dict):
                continue
            injected: dict[Any, Any] = {}
            for key, body in elements.items():
                if body is None:
                    body = {}
                if isinstance(body, dict):
                    if "id" in body or "location" in body:
                        body = self.without_reserved(document, section, key, body)
                    # an element is located at its key (where its id is written)
                    line, column = document.key_position((section, key))
                    body = {**body, "id": key, "location": Location(file, line, column)}
                injected[key] = body
            prepared[section] = injected
        flow_paths: list[tuple[str | int, ...]] = []
        flows = raw.get("flows")
        if isinstance(flows, list):
            injected_flows: list[Any] = []
            for index, body in enumerate(flows):
                path: tuple[str | int, ...] = ("flows", index)
                if isinstance(body, dict):
                    arrow = _arrow_key(body)
                    inner = body[arrow] if arrow is not None else body
                    if arrow is not None:
                        path = ("flows", index, arrow)
                        inner = {} if inner is None else inner
                    if isinstance(inner, dict):
                        if "location" in inner:
                            self.error(
                                document.location((*path, "location"), key=True),
                                f"flow {index + 1}: unknown field 'location'",
                            )
                            inner = {k: v for k, v in inner.items() if k != "location"}
                        line, column = document.position(("flows", index))
                        where = Location(file, line, column)
                        ends = None if arrow is None else FLOW_ARROW.match(arrow)
                        if ends is not None and "from" not in inner and "to" not in inner:
                            source, target = ends.groups()
                            body = {"from": source, "to": target, **inner, "location": where}
                        else:
                            inner = {**inner, "location": where}
                            body = {arrow: inner} if arrow is not None else inner
                flow_paths.append(path)
                injected_flows.append(body)
            prepared["flows"] = injected_flows
        return prepared, flow_paths

    def without_reserved(
        self, document: Document, section: str, key: Any, body: dict[Any, Any]
    ) -> dict[Any, Any]:
        """``body`` without the fields the loader sets (``id``, ``location``), each reported."""
        for reserved in ("id", "location"):
            if reserved in body:
                self.error(
                    document.location((section, key, reserved), key=True),
                    f"{_SINGULAR[section]} '{key}': '{reserved}' is not a field here "
                    f"(the {_SINGULAR[section]}'s id is its key, '{key}')",
                )
        return {k: v for k, v in body.items() if k not in ("id", "location")}

    def report_validation(self, document: Document, raw: dict[str, Any], error: Any) -> None:
        loc: tuple[str | int, ...] = tuple(error["loc"])
        kind = error["type"]
        path = _raw_path(raw, loc)
        subject = _subject(raw, loc)
        field_name = loc[-1] if loc else ""
        if field_name == "[key]":
            self.error(
                document.location(path, key=True),
                f"'{_shown(error.get('input'), 200)}' {_INVALID_ID}",
                "schema",
            )
            return
        if kind == "extra_forbidden":
            allowed = _allowed_fields(loc[:-1])
            hint = did_you_mean(str(field_name), allowed)
            message = f"{subject}unknown field '{_shown(field_name)}'{hint}"
            self.error(document.location(path, key=True), message, "schema")
            return
        if kind == "missing":
            self.error(
                document.location(path[:-1]),
                f"{subject}missing required field '{field_name}'",
                "schema",
            )
            return
        if kind == "enum":
            expected = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
            value = _shown(error.get("input"))
            hint = did_you_mean(value, expected)
            choices = ", ".join(expected)
            message = f"{subject}'{field_name}' is '{value}'{hint}; expected one of: {choices}"
            self.error(document.location(path), message, "schema")
            return
        message = str(error["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if kind == "string_pattern_mismatch" and _is_id_field(loc):
            message = f"'{_shown(error.get('input'), 200)}' {_INVALID_ID}"
        elif kind == "string_pattern_mismatch":
            message = f"'{_shown(error.get('input'))}' is not allowed here ({message})"
        element_level = len(loc) == 2 and loc[0] in _SINGULAR  # loc ends at the element's key
        named = (
            f"'{field_name}': "
            if isinstance(field_name, str)
            and not element_level
            and f"'{field_name}'" not in message
            else ""
        )
        # an invalid end of 'a -> b:' is shown at the arrow, not at the flow's attributes
        arrow_end = field_name in ("from", "to") and len(path) == 3 and path[2] != field_name
        self.error(document.location(path, key=arrow_end), f"{subject}{named}{message}", "schema")

    # --- merging and cross-checks -------------------------------------------------------

    def build(self) -> Model | None:
        files = [p for p in self.parsed if p.file is not None]
        if not files or self.parsed[0].file is None:
            return None
        root = files[0]
        assert root.file is not None  # noqa: S101 - filtered above
        system = root.file.system
        if system is None:
            if "system" not in root.document.value:
                self.error(
                    Location(root.document.file, 1, 1),
                    "the root model must describe the system: add 'system: {name: ...}'",
                )
                return None
            # 'system:' is invalid (already reported): go on, to report reference errors too
            system = System.model_construct(name="")
        draft, places = self.draft(files, system)
        checks = DraftChecks(self, draft, places, self.invalid_ids)
        model = checks.merge()
        checks.references(model)
        checks.vocabulary(
            model, lambda path=(), key=False: root.document.location(("system", *path), key=key)
        )
        if any(d.is_error for d in self.diagnostics):
            return None
        self.id_renames = checks.warnings(model)
        return checks.finish(model)

    def draft(self, files: list[_Parsed], system: System) -> tuple[Draft, _FilePlaces]:
        """The draft of the files read, in file order, and where each element is written."""
        places = _FilePlaces()
        sections: dict[str, list[Any]] = {section: [] for section in (*_SECTIONS, "flows")}
        for parsed in files:
            assert parsed.file is not None  # noqa: S101 - filtered by build
            for section in _SECTIONS:
                for key, element in getattr(parsed.file, section).items():
                    sections[section].append(element)
                    places.add(section, parsed.document, (section, key))
            for index, flow in enumerate(parsed.file.flows):
                sections["flows"].append(flow)
                places.add("flows", parsed.document, parsed.flow_paths[index])
        draft = Draft(
            system=system,
            data=sections["data"],
            boundaries=sections["boundaries"],
            components=sections["components"],
            flows=sections["flows"],
            controls=sections["controls"],
            assumptions=sections["assumptions"],
            threats=sections["threats"],
            tracking=sections["tracking"],
            files=tuple(p.document.file for p in files),
        )
        return draft, places


class _FilePlaces(SourceMap):
    """The source map of a draft read from model files: each element's file and its path there
    (``("components", "api")``; a flow's ``("flows", 3)``, or ``("flows", 3, "a -> b")`` when
    written as an arrow)."""

    def __init__(self) -> None:
        super().__init__()
        self.places: dict[str, list[tuple[Document, tuple[str | int, ...]]]] = {
            section: [] for section in (*_SECTIONS, "flows")
        }

    def add(self, section: str, document: Document, path: tuple[str | int, ...]) -> None:
        self.places[section].append((document, path))

    def locate(
        self,
        section: str,
        index: int,
        element: Element,
        path: tuple[str | int, ...] = (),
        *,
        key: bool = False,
    ) -> Location:
        document, base = self.places[section][index]
        if section != "flows":
            return document.location((*base, *path), key=key)
        if not path:  # a flow is located at its list item
            return document.location(base[:2])
        if path in (("from",), ("to",)) and len(base) == 3:  # an end of 'a -> b:' is the arrow
            return document.location(base, key=True)
        return document.location((*base, *path), key=key)

    def flow_number(self, index: int) -> int:
        return int(self.places["flows"][index][1][1]) + 1

    def flow_reference(self, index: int, flow: Flow) -> tuple[str, tuple[str | int, ...]]:
        document, base = self.places["flows"][index]
        return document.file, base


# --- helpers ------------------------------------------------------------------------------


def _size(count: int) -> str:
    mib = 1024 * 1024
    return f"{count // mib} MiB" if count % mib == 0 else f"{count:,} bytes"


def _shown(value: Any, limit: int = 60) -> str:
    """A value as quoted in a message: at most ``limit`` characters, containers not expanded.

    Hostile input can hold a 1,000,000-character scalar or a list of millions of aliased values;
    the message must stay short and printing it must not walk the whole structure.
    """
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list):
        return "[...]"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _arrow_key(body: Mapping[Any, Any]) -> str | None:
    if len(body) != 1:
        return None
    (key,) = body.keys()
    if isinstance(key, str) and "->" in key and key not in ("from", "to"):
        return key
    return None


def _arrow_text(arrow: str) -> str:
    match = FLOW_ARROW.match(arrow)
    return f"{match.group(1)} -> {match.group(2)}" if match else arrow


def _raw_path(raw: Mapping[str, Any], loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Map a pydantic error location onto the path in the file (arrow-form flows, aliases)."""
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
    if len(loc) >= 2 and loc[0] == "flows" and isinstance(loc[1], int):
        flows = raw.get("flows")
        if isinstance(flows, list) and loc[1] < len(flows) and isinstance(flows[loc[1]], dict):
            arrow = _arrow_key(flows[loc[1]])
            if arrow is not None:
                rest = loc[2:]
                if rest and rest[0] in ("from", "to"):
                    return ("flows", loc[1], arrow)
                return ("flows", loc[1], arrow, *rest)
    return loc


def _subject(raw: Mapping[str, Any], loc: tuple[str | int, ...]) -> str:
    if len(loc) >= 2 and loc[0] in _SINGULAR:
        if loc[0] == "flows" and isinstance(loc[1], int):
            flows = raw.get("flows")
            arrow = None
            if isinstance(flows, list) and loc[1] < len(flows) and isinstance(flows[loc[1]], dict):
                arrow = _arrow_key(flows[loc[1]])
            named = f" ({_shown(_arrow_text(arrow), 270)})" if arrow else ""
            return f"flow {loc[1] + 1}{named}: "
        return f"{_SINGULAR[str(loc[0])]} '{_shown(loc[1], 200)}': "
    if loc and loc[0] == "system":
        return "system: "
    return ""


def _allowed_fields(loc: tuple[str | int, ...]) -> list[str]:
    cls: type[BaseModel] | None = ModelFile
    if loc and loc[0] == "system":
        cls = System
        loc = loc[1:]
    elif loc and loc[0] in _SECTION_CLASS and len(loc) >= 2:
        cls = _SECTION_CLASS[str(loc[0])]
        loc = loc[2:]
    for step in loc:
        cls = _NESTED_CLASS.get(str(step))
        if cls is None:
            return []
    if cls is None:
        return []
    names = []
    for name, info in cls.model_fields.items():
        if name in ("location",) or (name == "id" and cls is not Flow):
            continue
        names.append(info.alias or name)
    return names


def _is_id_field(loc: tuple[str | int, ...]) -> bool:
    if len(loc) == 2 and loc[0] in _SECTIONS:
        return True  # a mapping key
    return (bool(loc) and loc[-1] in ("[key]", "zone", "inside", "id", "from", "to")) or (
        len(loc) >= 2
        and loc[-2] in ("stores", "processes", "data", "controls", "applies_to", "elements")
    )
