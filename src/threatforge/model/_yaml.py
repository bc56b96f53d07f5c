"""A bounded YAML/JSON reader that keeps the line and column of every value.

It builds plain Python values from PyYAML's *event* stream (the C parser when available) instead
of letting PyYAML construct objects, so that:

- alias expansion is counted: a "billion laughs" document is refused after ``max_nodes`` values,
  before anything downstream walks it;
- nesting is bounded without recursion (``max_depth``);
- only the YAML core types exist (no tags that construct objects);
- duplicate mapping keys are errors instead of being silently overwritten;
- every value and every mapping key has a ``(line, column)``, for errors a person can act on.

Most model files are written one value per line in a small part of YAML (block mappings and lists,
one-line ``{...}`` and ``[...]``, plain or quoted text without escapes). A line reader reads that
part without libyaml, about twice as fast as handling libyaml's events in Python (which costs a
Python object per event and two per position); at the first thing it does not handle, or that
would be an error, it gives up and libyaml reads the file instead, so values, positions, bounds
and messages are those of the event reader in every case.
"""

from __future__ import annotations

import os
import re
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
        found = self.positions.get(path)
        if found is not None:  # the common case, made cheap: elements' own positions
            return found if type(found) is tuple else (found.line + 1, found.column + 1)
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
_MISSING: Any = object()


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

    By default only the positions of mappings and lists (at least of those that are the value
    of a line) and of their keys are kept: what elements need. Any other position is found by
    parsing again, once, when first asked for (which happens only when something is wrong).
    ``full=True`` keeps every position at once (and always reads with libyaml).
    """
    if len(text) > limits.max_bytes:
        raise ReadError(Location(display), f"is larger than {limits.max_bytes} characters")
    if not text.strip():
        raise ReadError(Location(display, 1, 1), "is empty: a model needs at least 'system:'")
    if not full:
        document = _read_lines(text, display, limits)
        if document is not None:
            return document
    return _read_events(text, display, limits, full=full)


def _read_events(text: str, display: str, limits: Limits, *, full: bool) -> Document:
    """Parse with libyaml, handling its events (see :class:`_Builder`)."""
    builder = _Builder(display, limits, full)
    try:
        loader = _Loader(text)
        try:
            builder.run(loader.get_event)
        finally:
            loader.dispose()
    except _Reparse:
        return _read_events(text, display, limits, full=True)
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


def _plain_value(text: str) -> Any:
    """The value of a plain (unquoted) scalar under YAML 1.1's core schema, as PyYAML reads it.

    Dates stay text (the schema parses them where a date is wanted); ``<<`` is the merge key.
    Raises :class:`_UnknownTag` for a tag threatforge does not accept (``=``), and ``ValueError``
    or ``OverflowError`` for a number that cannot be built.
    """
    tag = _resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == _TIMESTAMP:
        return text
    if tag == _MERGE:
        return _MergeKey
    construct = _SCALAR_TAGS.get(tag)
    if construct is None:
        raise _UnknownTag(tag)
    return construct(yaml.ScalarNode(tag, text))


class _UnknownTag(Exception):
    """A plain scalar resolved to a tag that builds nothing threatforge accepts."""


# --- the line reader ------------------------------------------------------------------------

_PLAIN_CHAR = r"""[-!$%&()*+./0-9;<=>@A-Z^_a-z|~'"]"""
_PLAIN = rf"(?:[$(+./0-9A-Z^_a-z~]{_PLAIN_CHAR}*|-{_PLAIN_CHAR}+)(?: +{_PLAIN_CHAR}+)*"
"""Plain text on one line: ASCII without ``: # , [ ] { } ? ` \\``, starting with a letter, a
digit or one of ``$ ( + . / ^ _ ~`` (or with ``-`` when text follows it, as in ``-1``)."""
_SCALAR = rf"""(?:{_PLAIN}|"[^"\\]*"|'[^']*')"""
"""A plain, double-quoted (without escapes) or single-quoted (without ``''``) scalar."""
_BLOCK_KEY = re.compile(rf"({_SCALAR}):(?: +|$)")
_BLOCK_SCALAR = re.compile(rf"({_SCALAR})(?: +#.*| *)$")
_LINE_END = re.compile(r"(?: +#.*| *)$")
_FLOW_PAIR = re.compile(rf" *({_SCALAR}): +(?:({_SCALAR}) *([,}}])|[\[{{])")
"""``key: scalar`` then ``,`` or ``}``; or ``key: `` before a nested ``{`` or ``[`` (its end)."""
_FLOW_ITEM = re.compile(rf" *(?:({_SCALAR}) *([,\]])|[\[{{])")
_FLOW_NEXT = re.compile(r" *([,\]}])")
_MAX_KEY_CHARS = 1024
"""YAML's limit on a key written without ``?``, quotes included (libyaml refuses longer ones)."""
_MAX_FLOW_DEPTH = 64
"""The line reader recurses into ``{...}``/``[...]``; deeper text goes to libyaml (no recursion)."""


class _NotLines(Exception):
    """The text needs more of YAML than the line reader handles, or reading it is an error."""


def _read_lines(text: str, display: str, limits: Limits) -> Document | None:
    """Read ``text`` with :class:`_LineReader`; None when it must go to libyaml instead."""
    reader = _LineReader(limits)
    try:
        value = reader.read(text)
    except _NotLines:
        return None
    return Document(display, value, reader.positions, reader.key_positions, text, limits)


class _LineReader:
    """Reads the part of YAML that most model files use, one line at a time, without libyaml.

    It handles block mappings and lists (``- item``, ``- key: value``, a list under a key at
    the key's own indentation), and on one line: ``{...}`` and ``[...]`` (nested), plain text,
    and quoted text without escapes; comments and blank lines. It gives up (:class:`_NotLines`)
    on anything else (anchors, tags, merge keys, multi-line values, escapes, a ``?`` key,
    non-ASCII plain text, tabs, control characters, ...) and on anything libyaml reads as an
    error or that the event reader refuses (a duplicate key, a key that is not text, a bound
    exceeded): libyaml then reads the whole text and reports it. What it returns is what the
    event reader returns, with a subset of its positions: those of block collections, of
    ``{...}`` and ``[...]`` written as the value of a line, and of their keys (the others are
    found when asked for, by :meth:`Document.position`, as those of plain values are).
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.max_flow_depth = min(limits.max_depth, _MAX_FLOW_DEPTH)
        self.nodes = 0
        self.collections = 0
        self.positions: dict[Path_, _Stored] = {}
        self.key_positions: dict[Path_, _Stored] = {}
        self.plain: dict[str, Any] = {}  # plain text -> its value: each is resolved once
        self.long_keys = True  # whether a key may be longer than YAML allows
        # '{...}'/'[...]' to the end of a line, and its depth -> (value, values, collections)
        self.read_flows: dict[tuple[int, str], tuple[Any, int, int, _Inner]] = {}

    def read(self, text: str) -> dict[str, Any]:
        lines = text.split("\n")
        longest = max(map(len, lines))
        if longest > self.limits.max_scalar_chars:
            raise _NotLines  # a scalar may be too long: libyaml says where
        self.long_keys = longest > _MAX_KEY_CHARS
        positions = self.positions
        key_positions = self.key_positions
        root: dict[str, Any] = {}
        # The open block collections, innermost last: (indentation, container, path).
        stack: list[tuple[int, Any, Path_]] = []
        # A 'key:' whose value starts on a later line: (indentation, mapping, key, path, key at)
        pending: tuple[int, dict[str, Any], str, Path_, Position] | None = None
        number = 0
        for line in lines:
            number += 1
            # Python's printable characters are printable in YAML too; the others (tabs,
            # carriage returns, U+0085/U+2028 line breaks, control characters, byte-order
            # marks, no-break spaces) are left to libyaml.
            if not line.isprintable():
                raise _NotLines
            content = line.lstrip(" ")
            if not content or content[0] == "#":
                continue
            indent = len(line) - len(content)
            if not indent and content[:3] in ("---", "..."):
                raise _NotLines  # a document marker
            item = content[:2] == "- "
            if pending is not None:
                above, mapping, key, path, key_at = pending
                pending = None
                if indent > above or (indent == above and item):  # a block value
                    self.opened(len(stack))
                    block: Any = [] if item else {}
                    positions[path] = (number, indent + 1)
                    key_positions[path] = key_at
                    mapping[key] = block
                    stack.append((indent, block, path))
                else:
                    self.nodes += 1
                    mapping[key] = None
            elif not stack:  # the first line opens the top-level mapping
                if indent or item:
                    raise _NotLines
                self.opened(0)
                positions[()] = (number, 1)
                stack.append((0, root, ()))
            at, container, path = stack[-1]
            while indent < at:
                stack.pop()
                at, container, path = stack[-1]
            if type(container) is list and not item:  # a list at its key's indentation ends
                stack.pop()
                at, container, path = stack[-1]
            if at != indent:
                raise _NotLines
            start = indent
            if item:
                if type(container) is not list:
                    raise _NotLines
                start = indent + 2
                if content[2:3] == " ":  # more spaces after '-'
                    start = len(line) - len(content[2:].lstrip(" "))
                if start == len(line):
                    raise _NotLines  # '-' with its value on the next lines
                child: Path_ = (*path, len(container))
                match = _BLOCK_KEY.match(line, start)
                if match is None:  # '- value'
                    container.append(self.inline(line, start, child, number, len(stack)))
                    continue
                # '- key: value' opens a mapping whose keys line up with this first one
                self.opened(len(stack))
                positions[child] = (number, start + 1)
                mapping = {}
                container.append(mapping)
                stack.append((start, mapping, child))
                container, path = mapping, child
            else:
                match = _BLOCK_KEY.match(line, start)
                if match is None:
                    raise _NotLines
            key = self.key(match.group(1), container)
            child = (*path, key)
            after = match.end()
            if after == len(line) or line[after] == "#":
                pending = (start, container, key, child, (number, start + 1))
                continue
            if line[after] in "{[":
                key_positions[child] = (number, start + 1)
            container[key] = self.inline(line, after, child, number, len(stack))
        if pending is not None:
            self.nodes += 1
            pending[1][pending[2]] = None
        if not stack or self.nodes > self.limits.max_nodes:
            raise _NotLines
        return root

    def opened(self, depth: int) -> None:
        """Count a mapping or list opened inside ``depth`` others, within the bounds."""
        if depth >= self.limits.max_depth:
            raise _NotLines
        self.nodes += 1
        self.collections += 1
        if self.collections > self.limits.max_collections or self.nodes > self.limits.max_nodes:
            raise _NotLines  # said early: libyaml has the whole text to read again

    def key(self, text: str, mapping: dict[str, Any]) -> str:
        """A mapping key: text, not yet in ``mapping``, at most as long as YAML allows."""
        self.nodes += 1
        key = self.scalar(text)
        if (
            type(key) is not str
            or key in mapping
            or (self.long_keys and len(text) > _MAX_KEY_CHARS)
        ):
            raise _NotLines
        return key

    def scalar(self, text: str) -> Any:
        """The value of a scalar matched by ``_SCALAR``."""
        first = text[0]
        if first == '"' or first == "'":
            return text[1:-1]
        return text if first not in _IMPLICIT_FIRST else self.resolve(text)

    def resolve(self, text: str) -> Any:
        """The value of plain text that may be something other than text (``true``, ``443``)."""
        value = self.plain.get(text, _MISSING)
        if value is _MISSING:
            try:
                value = _plain_value(text)
            except (_UnknownTag, ValueError, OverflowError):
                raise _NotLines from None
            if value is _MergeKey:
                raise _NotLines
            if type(value) is not float:  # NaN is not equal to itself: keep each one apart
                self.plain[text] = value
        return value

    def inline(self, line: str, start: int, path: Path_, number: int, depth: int) -> Any:
        """The value written from ``line[start]`` to the end of the line (a comment aside)."""
        opener = line[start]
        if opener == "{" or opener == "[":
            self.positions[path] = (number, start + 1)
            # Generated and hand-written models repeat the same '{...}' on many lines (flows
            # alike): each text is read once, then copied, counted and bounded as when read.
            written = (depth, line[start:])
            seen = self.read_flows.get(written)
            if seen is not None:
                value, nodes, collections, inner = seen
                self.nodes += nodes
                self.collections += collections
                if (
                    self.collections > self.limits.max_collections
                    or self.nodes > self.limits.max_nodes
                ):
                    raise _NotLines
                return _copy_of(value, inner)
            nodes, collections = self.nodes, self.collections
            value, end = self.flow(line, start, depth)
            if end != len(line) and _LINE_END.match(line, end) is None:
                raise _NotLines
            inner = _inner(value)
            self.read_flows[written] = (
                value,
                self.nodes - nodes,
                self.collections - collections,
                inner,
            )
            return _copy_of(value, inner)
        match = _BLOCK_SCALAR.match(line, start)
        if match is None:
            raise _NotLines
        self.nodes += 1
        return self.scalar(match.group(1))

    def flow(self, line: str, start: int, depth: int) -> tuple[Any, int]:
        """The ``{...}`` or ``[...]`` at ``line[start]`` (inside ``depth`` others), and its end."""
        if depth >= self.max_flow_depth:
            raise _NotLines
        self.opened(depth)
        mapping = line[start] == "{"
        if line[start + 1 : start + 2] in " ]},":  # perhaps empty (or a stray comma)
            empty = _FLOW_NEXT.match(line, start + 1)
            if empty is not None:
                if empty.group(1) != ("}" if mapping else "]"):
                    raise _NotLines
                return ({} if mapping else []), empty.end()
        if mapping:
            return self.flow_mapping(line, start + 1, depth)
        return self.flow_sequence(line, start + 1, depth)

    def flow_mapping(self, line: str, position: int, depth: int) -> tuple[Any, int]:
        """The pairs of a ``{...}`` from ``position`` (after ``{``) to its ``}``."""
        mapping: dict[str, Any] = {}
        pair = _FLOW_PAIR.match
        implicit = _IMPLICIT_FIRST
        resolve = self.resolve
        long_keys = self.long_keys
        nodes = 0
        while True:
            match = pair(line, position)
            if match is None:
                raise _NotLines
            key_text, text, separator = match.groups()
            first = key_text[0]
            key = (
                key_text[1:-1]
                if first == '"' or first == "'"
                else key_text
                if first not in implicit
                else resolve(key_text)
            )
            if (
                type(key) is not str
                or key in mapping
                or (long_keys and len(key_text) > _MAX_KEY_CHARS)
            ):
                raise _NotLines
            if text is None:  # a nested '{' or '['
                nodes += 1
                mapping[key], position = self.flow(line, match.end() - 1, depth + 1)
                found = _FLOW_NEXT.match(line, position)
                if found is None:
                    raise _NotLines
                separator = found.group(1)
                position = found.end()
            else:
                nodes += 2
                first = text[0]
                mapping[key] = (
                    text[1:-1]
                    if first == '"' or first == "'"
                    else text
                    if first not in implicit
                    else resolve(text)
                )
                position = match.end()
            if separator == "}":
                self.nodes += nodes
                return mapping, position
            if separator != ",":
                raise _NotLines

    def flow_sequence(self, line: str, position: int, depth: int) -> tuple[Any, int]:
        """The items of a ``[...]`` from ``position`` (after ``[``) to its ``]``."""
        sequence: list[Any] = []
        item = _FLOW_ITEM.match
        implicit = _IMPLICIT_FIRST
        resolve = self.resolve
        while True:
            match = item(line, position)
            if match is None:
                raise _NotLines
            text, separator = match.groups()
            if text is None:  # a nested '{' or '['
                value, position = self.flow(line, match.end() - 1, depth + 1)
                sequence.append(value)
                found = _FLOW_NEXT.match(line, position)
                if found is None:
                    raise _NotLines
                separator = found.group(1)
                position = found.end()
            else:
                self.nodes += 1
                first = text[0]
                sequence.append(
                    text[1:-1]
                    if first == '"' or first == "'"
                    else text
                    if first not in implicit
                    else resolve(text)
                )
                position = match.end()
            if separator == "]":
                return sequence, position
            if separator != ",":
                raise _NotLines


_Inner = tuple[tuple[Any, bool], ...]
"""The keys (or indexes) of a mapping (or list) that hold mappings or lists, and whether each of
those holds only scalars."""


def _inner(value: dict[str, Any] | list[Any]) -> _Inner:
    """Where ``value`` holds mappings or lists (see :func:`_copy_of`)."""
    places = value.items() if type(value) is dict else enumerate(value)
    return tuple(
        (place, not any(type(inside) in _CONTAINERS for inside in _items(item)))
        for place, item in places
        if type(item) in _CONTAINERS
    )


def _items(value: dict[str, Any] | list[Any]) -> Any:
    return value.values() if type(value) is dict else value


def _copy_of(value: Any, inner: _Inner) -> Any:
    """A copy of ``value`` (a mapping or list, ``inner`` as :func:`_inner` found) that shares
    nothing that can be changed with it: each copy is a value of its own."""
    copy = value.copy()
    for place, flat in inner:
        item = value[place]
        copy[place] = item.copy() if flat else _copied(item)
    return copy


def _copied(value: Any) -> Any:
    """A copy of a tree of mappings and lists (scalars are shared: none can be changed)."""
    kind = type(value)
    if kind is dict:
        return {
            key: _copied(item) if type(item) in _CONTAINERS else item for key, item in value.items()
        }
    if kind is list:
        return [_copied(item) if type(item) in _CONTAINERS else item for item in value]
    return value


_CONTAINERS = (dict, list)


# --- the event reader -----------------------------------------------------------------------


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
        self.plain: dict[str, Any] = {}  # plain text -> its value: each is resolved once

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

    def run(self, get_event: Any) -> None:
        """Handle every event ``get_event`` returns, to the end of the stream."""
        scalar_event = _ScalarEvent
        stream_end = yaml.StreamEndEvent
        implicit = _IMPLICIT_FIRST
        plain = self.plain
        max_nodes = self.limits.max_nodes
        max_chars = self.limits.max_scalar_chars
        stack = self.stack
        full = self.full
        while True:  # one C call per event: faster than yaml.parse's generator
            event = get_event()
            kind = type(event)
            if kind is not scalar_event:
                if event is None or kind is stream_end:
                    return
                self.feed(event)
                continue
            # The hot path: most values are plain text keys and values in a mapping.
            self.nodes += 1
            if self.nodes > max_nodes:
                self.count(event, 0)
            value = event.value
            if event.tag is not None or len(value) > max_chars:
                value = self.scalar(event)
            elif event.implicit[0] and value[:1] in implicit:
                value = plain.get(value, _MISSING)
                if value is _MISSING:
                    value = self.scalar(event)
                    if type(value) is not float:  # NaN is not equal to itself
                        plain[event.value] = value
            if event.anchor is not None:  # '&name' on a plain value, reused with '*name'
                self.anchors[event.anchor] = (value, 1)
            if stack:
                frame = stack[-1]
                container = frame.container
                if type(container) is dict:
                    key = frame.key
                    if key is _NO_KEY:
                        if type(value) is str and value not in container:
                            frame.key = value
                            frame.key_pos = event.start_mark
                            continue
                        self.take_key(event, value)
                        continue
                    if key is not _MergeKey:
                        frame.key = _NO_KEY
                        frame.nodes += 1
                        if full:
                            path = (*frame.path, key)
                            self.positions[path] = event.start_mark
                            self.key_positions[path] = frame.key_pos
                        container[key] = value
                        continue
            self.place(event, value, 1)

    def feed(self, event: Any) -> None:
        """Handle one event other than a scalar."""
        kind = type(event)
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
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
            new: dict[Any, Any] | list[Any] = {} if kind is yaml.MappingStartEvent else []
            path = self.child_path(event)
            self.positions[path] = event.start_mark
            self.stack.append(_Frame(new, path, event.anchor))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = self.stack.pop()
            if frame.merges and isinstance(frame.container, dict):
                self.merge(frame, event)
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.container, frame.nodes)
            self.attach(event, frame.container, frame.nodes, start=None)
        elif kind is yaml.AliasEvent:
            anchored = self.anchors.get(event.anchor or "")
            if anchored is None:
                raise self.fail(event, f"unknown alias '*{_clip(event.anchor or '')}'")
            value, nodes = anchored
            self.count(event, nodes)
            self.place(event, value, nodes)
        elif kind is yaml.DocumentStartEvent:
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
            if not event.implicit[0]:
                return value
            tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
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
