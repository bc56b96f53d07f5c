"""A bounded YAML/JSON reader that keeps the line and column of every value.

It builds plain Python values from PyYAML's *event* stream (the C parser when available) instead
of letting PyYAML construct objects, so that:

- alias expansion is counted: a "billion laughs" document is refused after ``max_nodes`` values,
  before anything downstream walks it;
- nesting is bounded without recursion (``max_depth``);
- only the YAML core types exist (no tags that construct objects);
- duplicate mapping keys are errors instead of being silently overwritten;
- every value and every mapping key has a ``(line, column)``, for errors a person can act on.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from threatforge.model.diagnostics import Location

__all__ = ["Document", "Limits", "ReadError", "parse_text", "read_file"]

try:  # the C parser is ~10x faster; fall back quietly when libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]
Position = tuple[int, int]
_Stored = Any  # a Position, or the parser's Mark (converted only when someone asks)


def _pos(stored: _Stored) -> Position:
    if isinstance(stored, tuple):
        return stored
    return (stored.line + 1, stored.column + 1)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one model file may cost to read."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 48
    max_nodes: int = 2_000_000
    max_scalar_chars: int = 1_000_000
    max_collections: int = 1_000_000
    """Mappings and lists written out (each costs ~300 bytes; an alias to one costs nothing)."""
    max_merged_keys: int = 250_000
    """Keys copied into mappings by ``<<:`` merge keys (a copy, unlike an alias)."""


class ReadError(Exception):
    """A file could not be read as one YAML/JSON mapping; carries where and why."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass(slots=True)
class Document:
    """The values of one file, with the position of each value (and of each mapping key)."""

    file: str
    value: dict[str, Any]
    positions: dict[Path_, _Stored] = field(default_factory=dict)
    key_positions: dict[Path_, _Stored] = field(default_factory=dict)
    text: str | None = None
    """Kept while some positions are not recorded yet (see :func:`parse_text`)."""
    limits: Limits | None = None

    def _complete(self, path: Path_) -> None:
        """Parse the text again keeping every position, the first time one is missing."""
        if self.text is None or path in self.positions:
            return
        again = parse_text(self.text, self.file, self.limits or Limits(), full=True)
        self.positions, self.key_positions, self.text = again.positions, again.key_positions, None

    def position(self, path: Path_) -> Position:
        """The position of the value at ``path``, or of its closest parent that has one."""
        self._complete(path)
        while path:
            found = self.positions.get(path)
            if found is not None:
                return _pos(found)
            path = path[:-1]
        return _pos(self.positions.get((), (1, 1)))

    def key_position(self, path: Path_) -> Position:
        """The position of the mapping key that ends ``path`` (else of its value)."""
        if path not in self.key_positions:
            self._complete(path)
        found = self.key_positions.get(path)
        return _pos(found) if found is not None else self.position(path)

    def location(self, path: Path_, *, key: bool = False) -> Location:
        line, column = self.key_position(path) if key else self.position(path)
        return Location(self.file, line, column)


_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:str": _constructor.construct_yaml_str,
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_ScalarEvent = yaml.ScalarEvent
_IMPLICIT_FIRST: frozenset[str | None] = frozenset({*_resolver.yaml_implicit_resolvers, ""})
"""First characters for which a plain scalar may be something other than text."""
if None in _IMPLICIT_FIRST:  # pragma: no cover - a resolver for any first character
    _IMPLICIT_FIRST = frozenset(chr(c) for c in range(0x110000))
_MERGE = "tag:yaml.org,2002:merge"


def read_file(path: str, display: str, limits: Limits = Limits()) -> Document:
    """Read ``path`` (shown to people as ``display``) within ``limits``."""
    here = Location(display)
    try:
        # O_NONBLOCK: opening a named pipe must not wait forever for a writer (it is refused)
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise ReadError(here, "is not a regular file (a pipe, socket or device)")
            raw = handle.read(limits.max_bytes + 1)
    except IsADirectoryError:
        raise ReadError(here, "is a directory, not a model file") from None
    except FileNotFoundError:
        raise ReadError(here, "no such file") from None
    except OSError as exc:
        raise ReadError(here, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > limits.max_bytes:
        raise ReadError(here, f"is larger than {_size(limits.max_bytes)}; split it with 'include:'")
    return parse_bytes(raw, display, limits)


def parse_bytes(raw: bytes, display: str, limits: Limits = Limits()) -> Document:
    """Decode ``raw`` as UTF-8 text and parse it."""
    for bom, encoding in _OTHER_BOMS:  # before the NUL check: UTF-16/32 text is full of NULs
        if raw.startswith(bom):
            raise ReadError(
                Location(display, 1, 1),
                f"is {encoding} text (it starts with a byte-order mark); save the file as UTF-8",
            )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ReadError(
            Location(display, line, 1),
            "contains a NUL byte: this looks like a binary file, not YAML",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ReadError(
            Location(display, line, column),
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
        ) from None
    return parse_text(text, display, limits)


_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _size(count: int) -> str:
    mib = 1024 * 1024
    return f"{count // mib} MiB" if count % mib == 0 else f"{count:,} bytes"


def parse_text(
    text: str, display: str, limits: Limits = Limits(), *, full: bool = False
) -> Document:
    """Parse one YAML (or JSON) document whose top level is a mapping.

    By default only the positions of mappings, lists and their keys are kept (what elements
    need); the position of a plain value is found by parsing again, once, when first asked for
    (which happens only when something is wrong). ``full=True`` keeps every position at once.
    """
    if len(text) > limits.max_bytes:
        raise ReadError(Location(display), f"is larger than {limits.max_bytes} characters")
    if not text.strip():
        raise ReadError(Location(display, 1, 1), "is empty: a model needs at least 'system:'")
    builder = _Builder(display, limits, full)
    try:
        loader = _Loader(text)
        try:
            feed = builder.feed
            get_event = loader.get_event
            while True:  # one C call per event: faster than yaml.parse's generator
                event = get_event()
                if event is None or type(event) is yaml.StreamEndEvent:
                    break
                feed(event)
        finally:
            loader.dispose()
    except _Reparse:
        return parse_text(text, display, limits, full=True)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ReadError(where, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # control characters: no mark, only an offset
        raise ReadError(_character_location(text, display, exc), _reader_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise ReadError(Location(display), f"invalid YAML: {exc}") from None
    except RecursionError:  # pragma: no cover - the depth bound fires first
        raise ReadError(Location(display), "is nested too deeply") from None
    document = builder.document()
    document.text = None if full else text
    document.limits = limits
    return document


def _character_location(text: str, display: str, exc: yaml.reader.ReaderError) -> Location:
    # libyaml reports a byte offset, PyYAML a character offset: find the character instead
    # (the reader stops at its first occurrence, since any earlier one would have failed too).
    if not isinstance(exc.character, int):
        return Location(display)
    index = text.find(chr(exc.character))
    if index < 0:
        return Location(display)
    line_start = text.rfind("\n", 0, index) + 1
    return Location(display, text.count("\n", 0, index) + 1, index - line_start + 1)


def _reader_problem(exc: yaml.reader.ReaderError) -> str:
    character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
    return f"invalid YAML: unacceptable character {character}: {exc.reason}"


class _Frame:
    __slots__ = ("anchor", "container", "key", "key_pos", "merges", "nodes", "path")

    def __init__(self, container: dict[Any, Any] | list[Any], path: Path_, anchor: str | None):
        self.container = container
        self.path = path
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_pos: _Stored = (0, 0)
        self.merges: list[tuple[Any, _Stored]] = []
        self.nodes = 1


_NO_KEY = object()


class _Reparse(Exception):
    """An error message needs a position the fast pass did not keep."""


class _Builder:
    """Turns a stream of YAML events into values, counting every value produced."""

    def __init__(self, display: str, limits: Limits, full: bool = True) -> None:
        self.display = display
        self.limits = limits
        self.full = full
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.collections = 0
        self.merged_keys = 0
        self.documents = 0
        self.root: Any = None
        self.positions: dict[Path_, _Stored] = {}
        self.key_positions: dict[Path_, _Stored] = {}

    def fail(self, event: Any, message: str) -> ReadError:
        mark = event.start_mark
        return ReadError(Location(self.display, mark.line + 1, mark.column + 1), message)

    def document(self) -> Document:
        if not isinstance(self.root, dict):
            kind = "empty" if self.root is None else type(self.root).__name__
            raise ReadError(
                Location(self.display, 1, 1),
                f"must be a mapping of sections (system:, components:, ...), not {kind}",
            )
        return Document(self.display, self.root, self.positions, self.key_positions)

    def count(self, event: Any, amount: int) -> None:
        self.nodes += amount
        if self.nodes > self.limits.max_nodes:
            raise self.fail(
                event,
                f"expands to more than {self.limits.max_nodes:,} values (a YAML alias bomb?); "
                "refusing to read it",
            )

    def feed(self, event: Any) -> None:
        if type(event) is _ScalarEvent:
            # The hot path: most values are plain text keys and values in a mapping.
            self.nodes += 1
            if self.nodes > self.limits.max_nodes:
                self.count(event, 0)
            value = event.value
            if (
                event.tag is None
                and len(value) <= self.limits.max_scalar_chars
                and (not event.implicit[0] or value[:1] not in _IMPLICIT_FIRST)
            ):
                pass  # plain text that no implicit resolver claims, or a quoted string
            else:
                value = self.scalar(event)
            if event.anchor is not None:  # '&name' on a plain value, reused with '*name'
                self.anchors[event.anchor] = (value, 1)
            stack = self.stack
            if stack:
                frame = stack[-1]
                container = frame.container
                if type(container) is dict:
                    key = frame.key
                    if key is _NO_KEY:
                        if type(value) is str and value not in container:
                            frame.key = value
                            frame.key_pos = event.start_mark
                            return
                        self.take_key(event, value)
                        return
                    if key is not _MergeKey:
                        frame.key = _NO_KEY
                        frame.nodes += 1
                        if self.full:
                            path = (*frame.path, key)
                            self.positions[path] = event.start_mark
                            self.key_positions[path] = frame.key_pos
                        container[key] = value
                        return
            self.place(event, value, 1)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if len(self.stack) >= self.limits.max_depth:
                raise self.fail(
                    event, f"is nested more than {self.limits.max_depth} levels deep; refusing it"
                )
            self.check_tag(event)
            self.count(event, 1)
            self.collections += 1
            if self.collections > self.limits.max_collections:
                raise self.fail(
                    event,
                    f"has more than {self.limits.max_collections:,} mappings and lists; "
                    "refusing to read it (split the model with 'include:')",
                )
            new: dict[Any, Any] | list[Any] = (
                {} if isinstance(event, yaml.MappingStartEvent) else []
            )
            path = self.child_path(event)
            self.positions[path] = event.start_mark
            self.stack.append(_Frame(new, path, event.anchor))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            if isinstance(frame.container, dict) and frame.merges:
                self.merge(frame, event)
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.container, frame.nodes)
            self.attach(event, frame.container, frame.nodes, start=None)
        elif isinstance(event, yaml.AliasEvent):
            anchored = self.anchors.get(event.anchor or "")
            if anchored is None:
                raise self.fail(event, f"unknown alias '*{_clip(event.anchor or '')}'")
            value, nodes = anchored
            self.count(event, nodes)
            self.place(event, value, nodes)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(
                    event, "holds more than one YAML document ('---'); use one per file"
                )

    def check_tag(self, event: Any) -> None:
        tag = getattr(event, "tag", None)
        if tag and tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"):
            raise self.fail(
                event, f"uses the YAML tag '{_clip(tag)}', which threatforge does not accept"
            )

    def scalar(self, event: Any) -> Any:
        value = event.value
        if len(value) > self.limits.max_scalar_chars:
            raise self.fail(
                event, f"has a value longer than {self.limits.max_scalar_chars:,} characters"
            )
        tag = event.tag
        if tag in (None, "!"):
            if event.implicit[0]:
                tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
            else:
                return value
        if tag == _MERGE:
            return _MergeKey
        if tag == _TIMESTAMP:
            return value  # keep dates as text; the schema parses them where a date is wanted
        construct = _SCALAR_TAGS.get(tag)
        if construct is None:
            raise self.fail(
                event, f"uses the YAML tag '{_clip(tag)}', which threatforge does not accept"
            )
        try:
            return construct(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark))
        except (ValueError, OverflowError):
            digits = sum(c.isdigit() for c in value)
            if tag.endswith(":int") and digits > sys.get_int_max_str_digits():
                raise self.fail(
                    event,
                    f"has a number with {digits:,} digits; at most "
                    f"{sys.get_int_max_str_digits():,} are accepted",
                ) from None
            raise self.fail(
                event, f"'{value[:40]}' is not a valid {tag.rsplit(':', 1)[-1]}"
            ) from None

    def child_path(self, event: Any) -> Path_:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return (*frame.path, len(frame.container))
        if frame.key is _NO_KEY:
            raise self.fail(event, "uses a mapping or list as a key; keys must be plain text")
        return (*frame.path, frame.key)

    def place(self, event: Any, value: Any, nodes: int) -> None:
        """Put a scalar or an alias into the current container (or as a mapping key)."""
        if self.stack:
            frame = self.stack[-1]
            if isinstance(frame.container, dict) and frame.key is _NO_KEY:
                self.take_key(event, value)
                return
        self.attach(event, value, nodes, start=event.start_mark)

    def take_key(self, event: Any, value: Any) -> None:
        frame = self.stack[-1]
        if value is not _MergeKey and not isinstance(value, str | int | float | bool):
            raise self.fail(event, "uses a mapping or list as a key; keys must be plain text")
        key = value if value is _MergeKey else str(value) if not isinstance(value, str) else value
        if isinstance(value, bool):  # 'on:'/'yes:' as keys are almost always meant as text
            key = event.value
        if key is not _MergeKey and key in frame.container:
            stored = self.key_positions.get((*frame.path, key))
            if stored is None:  # not recorded on the fast pass: read again, keeping positions
                raise _Reparse
            line, column = _pos(stored)
            raise self.fail(
                event, f"repeats the key '{_clip(key)}' (first at line {line}, column {column})"
            )
        frame.key = key
        frame.key_pos = event.start_mark

    def attach(self, event: Any, value: Any, nodes: int, start: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.nodes += nodes
        container = frame.container
        if isinstance(container, list):
            if start is not None and self.full:
                self.positions[(*frame.path, len(container))] = start
            container.append(value)
            return
        key = frame.key
        frame.key = _NO_KEY
        if key is _MergeKey:
            frame.merges.append((value, frame.key_pos))
            return
        path = (*frame.path, key)
        if start is not None:
            self.positions[path] = start
        self.key_positions[path] = frame.key_pos
        container[key] = value

    def merge(self, frame: _Frame, event: Any) -> None:
        """Apply ``<<: *anchor`` merge keys: explicit keys win over merged ones."""
        assert isinstance(frame.container, dict)  # noqa: S101 - guarded by the caller
        for value, position in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail(event, "merges ('<<:') something that is not a mapping")
                self.merged_keys += len(source)
                if self.merged_keys > self.limits.max_merged_keys:
                    raise self.fail(
                        event,
                        f"copies more than {self.limits.max_merged_keys:,} keys with merge keys "
                        "('<<:'); refusing to read it",
                    )
                for key, item in source.items():
                    if key not in frame.container:
                        frame.container[key] = item
                        self.positions[(*frame.path, key)] = position
                        self.key_positions[(*frame.path, key)] = position


def _clip(text: str, limit: int = 80) -> str:
    """Quote at most ``limit`` characters of hostile text (a tag, key or alias) in a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _MergeKeyType:
    def __repr__(self) -> str:
        return "<<"


_MergeKey: Any = _MergeKeyType()
