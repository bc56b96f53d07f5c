"""The bounded YAML/JSON reader that keeps the line and column of every value.

This is the one YAML parser inside threatforge's trust boundary (model files, included files,
rule packs). It builds plain Python values from libyaml's *event* stream (PyYAML's C parser when
available) instead of letting PyYAML construct objects, so that:

- alias expansion is counted: a "billion laughs" document is refused after ``max_nodes`` values,
  before anything downstream walks it; merge keys (``<<:``), which copy, are bounded apart;
- nesting is bounded without recursion (``max_depth``), and so are the size of the file, of
  each value and the number of mappings and lists;
- only the YAML core types exist (no tags that construct objects);
- duplicate mapping keys are errors instead of being silently overwritten;
- characters a reviewer cannot see are refused with their position: control characters, the
  line breaks NEL, LS, PS and a lone carriage return (which end a comment, so that text after
  them is live), surrogates and noncharacters, in the text and in values once escapes are read;
- every value and every mapping key has a ``(line, column)``, for errors a person can act on.
  Positions are kept lazily: the first pass records those of mappings and lists (what elements
  need); the first question about any other position reads the text again keeping all of them.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from threatforge.model.diagnostics import Location

__all__ = [
    "Document",
    "Limits",
    "ReadError",
    "parse_documents",
    "parse_text",
    "read_documents",
    "read_file",
]

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
    line_offset: int = 0
    """Lines of the file before this document's text (a stream's later document,
    :func:`parse_documents`): :meth:`location` gives the file's line."""

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
        return Location(self.file, line + self.line_offset, column)


def read_file(path: str, display: str, limits: Limits = Limits()) -> Document:
    """Read ``path`` (shown to people as ``display``) within ``limits``."""
    raw = read_regular_file(
        path, display, limits.max_bytes, kind="a model file", split="; split it with 'include:'"
    )
    return parse_bytes(raw, display, limits)


def read_documents(path: str, display: str, limits: Limits = Limits()) -> list[Document]:
    """Read a stream of YAML documents (``---`` between them; Kubernetes manifests) from
    ``path`` within ``limits`` (:func:`parse_documents`)."""
    raw = read_regular_file(path, display, limits.max_bytes, kind="a YAML file")
    return parse_documents(decode_utf8(_checked_bytes(raw, display), display), display, limits)


def read_regular_file(
    path: str, display: str, max_bytes: int, *, kind: str = "a file", split: str = ""
) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``.

    Named pipes, sockets and devices are refused without waiting for a writer, and no more than
    ``max_bytes + 1`` bytes are read. ``kind`` names what was expected ("a model file"),
    ``split`` is advice appended to the message about size.
    """
    here = Location(display)
    try:
        # O_NONBLOCK: opening a named pipe must not wait forever for a writer (it is refused)
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise ReadError(here, "is not a regular file (a pipe, socket or device)")
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise ReadError(here, f"is a directory, not {kind}") from None
    except FileNotFoundError:
        raise ReadError(here, "no such file") from None
    except OSError as exc:
        raise ReadError(here, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise ReadError(here, f"is larger than {size_text(max_bytes)}{split}")
    return raw


def parse_bytes(raw: bytes, display: str, limits: Limits = Limits()) -> Document:
    """Decode ``raw`` as UTF-8 text and parse it."""
    return parse_text(decode_utf8(_checked_bytes(raw, display), display), display, limits)


def _checked_bytes(raw: bytes, display: str) -> bytes:
    """``raw``, refused when it is UTF-16/32 or binary (a NUL byte)."""
    for bom, encoding in OTHER_BOMS:  # before the NUL check: UTF-16/32 text is full of NULs
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
    return raw


def read_cloudformation(path: str, display: str, max_bytes: int = 4 * 1024 * 1024) -> Any:
    """A CloudFormation template (YAML with ``!Ref``-style tags, or JSON) with the line of every
    key, decoded by cfn-lint's decoder: PyYAML's safe loader with CloudFormation's tags and a
    guard against alias bombs, after this module's bounded read (a regular file of at most
    ``max_bytes``, UTF-8). The one place besides :func:`parse_text` where YAML is parsed; a
    positioned :class:`ReadError` for text it cannot decode."""
    from cfnlint.decode import cfn_json, cfn_yaml  # type: ignore[import-untyped]

    raw = read_regular_file(path, display, max_bytes, kind="a template")
    text = decode_utf8(raw, display)
    try:
        if text.lstrip().startswith("{"):
            return cfn_json.loads(text)
        return cfn_yaml.loads(text, display)
    except cfn_yaml.CfnParseError as exc:
        first = exc.matches[0] if exc.matches else None
        line = first.linenumber if first is not None else 1
        message = first.message if first is not None else str(exc)
        raise ReadError(Location(display, line), message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ReadError(Location(display, line), f"not valid YAML: {exc.problem or exc}") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        detail = getattr(exc, "msg", None) or type(exc).__name__
        raise ReadError(Location(display), f"not a readable template ({detail})") from None


def decode_utf8(raw: bytes, display: str) -> str:
    """``raw`` as UTF-8 text (a UTF-8 byte-order mark is dropped); a positioned
    :class:`ReadError` at the first invalid byte. Shared by the YAML and the JSON reader."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ReadError(
            Location(display, line, column),
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
        ) from None


OTHER_BOMS = (  # byte-order marks of the encodings that are not UTF-8
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def size_text(count: int) -> str:
    """A byte count as people read it: whole MiB as such, else bytes."""
    mib = 1024 * 1024
    return f"{count // mib} MiB" if count % mib == 0 else f"{count:,} bytes"


def parse_text(
    text: str, display: str, limits: Limits = Limits(), *, full: bool = False
) -> Document:
    """Parse one YAML (or JSON) document whose top level is a mapping.

    By default only the positions of mappings and lists and of the keys that hold them are kept:
    what elements need. Any other position is found by parsing again, once, when first asked for
    (which happens only when something is wrong). ``full=True`` keeps every position at once.
    """
    if len(text) > limits.max_bytes:
        raise ReadError(Location(display), f"is larger than {limits.max_bytes} characters")
    if not text.strip():
        raise ReadError(Location(display, 1, 1), "is empty: a model needs at least 'system:'")
    refused = _first_refused(text)
    if refused >= 0:
        raise ReadError(_offset_location(text, display, refused), _refusal(text[refused]))
    return _read_events(text, display, limits, full=full)


_DOCUMENT_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t]|\r?$)", re.M)
_ONLY_COMMENTS = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\r?\n?)*\Z")


def parse_documents(text: str, display: str, limits: Limits = Limits()) -> list[Document]:
    """Parse a stream of YAML documents, each a mapping, with the checks and bounds of
    :func:`parse_text` for each (the bounds count per document; the file's size is bounded by
    the caller). A document is the text between two ``---`` or ``...`` marker lines (a marker
    starts a line: YAML allows it nowhere else at the start of a line); documents with only
    comments are left out. Each :class:`Document` places its values at the file's lines."""
    if len(text) > limits.max_bytes:
        raise ReadError(Location(display), f"is larger than {limits.max_bytes} characters")
    refused = _first_refused(text)
    if refused >= 0:
        raise ReadError(_offset_location(text, display, refused), _refusal(text[refused]))
    documents: list[Document] = []
    start, line = 0, 0
    markers = [*_DOCUMENT_MARKER.finditer(text), None]
    for marker in markers:
        end = len(text) if marker is None else marker.start()
        chunk = text[start:end]
        if not _ONLY_COMMENTS.match(chunk):
            try:
                document = _read_events(chunk, display, limits, full=False)
            except ReadError as exc:  # placed at the file's line, not the document's
                at = exc.location
                shifted = Location(at.file, at.line + line if at.line else at.line, at.column)
                raise ReadError(shifted, exc.message) from None
            document.line_offset = line
            documents.append(document)
        if marker is not None:
            line += chunk.count("\n")
            start = marker.end()  # '--- ' the rest of the marker's line is the next document
            if marker.group(1) == "...":  # '...' ends a document: its line holds no other
                start = text.find("\n", start) + 1 or len(text)
                line += 1
    return documents


# --- characters -----------------------------------------------------------------------------

_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
_HIDDEN_BREAKS = "\x85\u2028\u2029"
_BMP_REFUSED = f"{_CONTROLS}{_HIDDEN_BREAKS}\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_ASTRAL_NONCHARACTERS = tuple(
    chr(plane * 0x10000 + last) for plane in range(1, 17) for last in (0xFFFE, 0xFFFF)
)
_REFUSED_IN_TEXT = re.compile(f"[{_BMP_REFUSED}]")
"""What a model file may not contain anywhere (see :func:`_first_refused`). One class of
characters of the Basic Multilingual Plane only: the regex engine scans that fast."""
_LONE_CR = re.compile("\r(?!\n)")
_REFUSED_IN_VALUES = re.compile(f"[{_BMP_REFUSED}\r{''.join(_ASTRAL_NONCHARACTERS)}]")
"""The same for a value once its escapes (``"\\u2028"``) are read: a carriage return too."""
REFUSED_IN_JSON_STRINGS = re.compile(
    f"[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff{''.join(_ASTRAL_NONCHARACTERS)}]"
)
"""What a JSON string (a key or a value) may not hold once its escapes are read: surrogates and
Unicode noncharacters. Unlike a model's values, JSON strings keep their line breaks and control
characters (a SARIF message may span lines); outputs escape those."""


def _first_refused(text: str) -> int:
    """Where ``text`` first has a character no model file may hold; -1 when it has none.

    Refused: control characters (tab and line ends aside), the line breaks people do not see
    (NEL, LS, PS, a carriage return not followed by a line feed), surrogates and Unicode
    noncharacters.
    """
    found = _REFUSED_IN_TEXT.search(text)
    end = found.start() if found is not None else len(text)
    if "\r" in text:
        lone = _LONE_CR.search(text, 0, end)
        end = lone.start() if lone is not None else end
    if not text.isascii():  # (a text without astral characters answers each find at once)
        for character in _ASTRAL_NONCHARACTERS:
            at = text.find(character, 0, end)
            end = at if at >= 0 else end
    return end if end < len(text) else -1


_BREAK_NAMES = {
    "\x85": "NEL, next line",
    "\u2028": "LINE SEPARATOR",
    "\u2029": "PARAGRAPH SEPARATOR",
}


def _offset_location(text: str, display: str, index: int) -> Location:
    line_start = text.rfind("\n", 0, index) + 1
    return Location(display, text.count("\n", 0, index) + 1, index - line_start + 1)


def _refusal(character: str) -> str:
    """Why ``character`` is refused in the text, and what to do about it."""
    if character == "\r":
        return (
            "invalid YAML: a carriage return (#x000d) without a line feed after it: YAML reads "
            "it as a line break that editors and diffs may not show, so it can end a comment "
            "and make the text after it live; save the file with LF or CRLF line endings"
        )
    return f"invalid YAML: unacceptable character {character_problem(character)}"


def character_problem(character: str, *, in_value: bool = False) -> str:
    code = f"#x{ord(character):04x}"
    if character in _BREAK_NAMES:
        if in_value:
            return f"{code} ({_BREAK_NAMES[character]}): a line break people do not see"
        return (
            f"{code} ({_BREAK_NAMES[character]}): YAML reads it as a line break that editors "
            "and diffs do not show, so it can end a comment and make the text after it live; "
            "use an ordinary line break (or a space)"
        )
    if "\ud800" <= character <= "\udfff":
        return f"{code}: surrogates are not allowed"
    if character == "\r":
        return f"{code}: a carriage return is not allowed in a value"
    if unicodedata.category(character) == "Cn":
        return f"{code}: Unicode noncharacters are not allowed"
    return f"{code}: control characters are not allowed"


# --- the event reader -----------------------------------------------------------------------


def _read_events(text: str, display: str, limits: Limits, *, full: bool) -> Document:
    """Parse with libyaml, handling its events (see :class:`_Reader`)."""
    reader = _Reader(display, limits, full, text)
    try:
        loader = _Loader(text)
        try:
            root = reader.run(loader.get_event)
        finally:
            loader.dispose()
    except _Reparse:
        return _read_events(text, display, limits, full=True)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ReadError(where, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # pragma: no cover - the characters are checked first
        raise ReadError(Location(display), f"invalid YAML: {exc.reason}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml's errors are marked
        raise ReadError(Location(display), f"invalid YAML: {exc}") from None
    if not isinstance(root, dict):
        kind = "empty" if root is None else type(root).__name__
        raise ReadError(
            Location(display, 1, 1),
            f"must be a mapping of sections (system:, components:, ...), not {kind}",
        )
    return Document(
        display, root, reader.positions, reader.key_positions, None if full else text, limits
    )


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
_MERGE = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"})
_IMPLICIT_FIRST: frozenset[str | None] = frozenset({*_resolver.yaml_implicit_resolvers, ""})
"""First characters for which a plain scalar may be something other than text."""
if None in _IMPLICIT_FIRST:  # pragma: no cover - a resolver for any first character
    _IMPLICIT_FIRST = frozenset(chr(c) for c in range(0x110000))
_MISSING: Any = object()
_NO_KEY: Any = object()


class _Reparse(Exception):
    """An error message needs a position the fast pass did not keep."""


class _Reader:
    """Turns libyaml's events into plain values, within the bounds, keeping positions.

    :meth:`run` is one loop over the events with the open collection's state in local
    variables (a Python object per event is already libyaml's cost; the loop adds little to
    it). The rare cases (tags, keys that are not plain text, merge keys, errors) are methods.
    """

    def __init__(self, display: str, limits: Limits, full: bool, text: str) -> None:
        self.display = display
        self.escapes = "\\" in text  # whether any double-quoted value may hold an escape
        self.longest = len(text)
        self.limits = limits
        self.full = full
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.merged_keys = 0  # keys copied by '<<:' so far
        self.positions: dict[Path_, _Stored] = {}
        self.key_positions: dict[Path_, _Stored] = {}

    def fail(self, event: Any, message: str) -> ReadError:
        mark = event.start_mark
        return ReadError(Location(self.display, mark.line + 1, mark.column + 1), message)

    def run(self, get_event: Any) -> Any:
        """Read every event ``get_event`` returns; the document's value."""
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        stream_end, document_start = yaml.StreamEndEvent, yaml.DocumentStartEvent
        limits = self.limits
        max_nodes, max_chars = limits.max_nodes, limits.max_scalar_chars
        max_depth, max_collections = limits.max_depth, limits.max_collections
        implicit = _IMPLICIT_FIRST
        plain: dict[str, Any] = {}  # plain text -> its value: each is resolved once
        anchors = self.anchors
        positions, key_positions = self.positions, self.key_positions
        full, escapes = self.full, self.escapes
        long = self.longest > max_chars  # whether any value can be too long
        no_key, merge_key = _NO_KEY, _MergeKey
        stack: list[tuple[Any, ...]] = []  # the state of each enclosing collection
        # The open collection: None before the top-level value (then ``root`` takes it).
        container: Any = None
        is_map = False
        key: Any = no_key  # the key whose value comes next (mappings)
        key_mark: _Stored = None
        path: Path_ = ()
        first = 0  # the value count when this collection opened (for its size as an anchor)
        anchor: str | None = None
        merges: list[tuple[Any, _Stored]] | None = None  # '<<:' values, applied at its end
        root: Any = None
        nodes = collections = documents = 0
        while True:  # one C call per event: faster than yaml.parse's generator
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                nodes += 1
                if nodes > max_nodes:
                    raise self.too_many(event)
                value = event.value
                if event.tag is not None or (long and len(value) > max_chars):
                    value = self.scalar(event)
                elif event.implicit[0]:  # plain text: perhaps a number, a boolean, null
                    text = value
                    value = plain.get(text, _MISSING)
                    if value is _MISSING:
                        value = self.scalar(event) if text[:1] in implicit else text
                        if type(value) is not float:  # NaN is not equal to itself
                            plain[text] = value
                elif escapes and event.style == '"':
                    self.check_unescaped(event)
                if event.anchor is not None:  # '&name' on a scalar, reused with '*name'
                    anchors[event.anchor] = (value, 1)
                if is_map:
                    if key is no_key:
                        if type(value) is str and value not in container:
                            key = value
                        else:
                            key = self.key(event, value, container, path)
                        key_mark = event.start_mark
                        continue
                    if key is merge_key:
                        merges = self.merge_value(merges, value, key_mark)
                    else:
                        if full:
                            at = (*path, key)
                            positions[at] = event.start_mark
                            key_positions[at] = key_mark
                        container[key] = value
                    key = no_key
                elif container is not None:
                    if full:
                        positions[(*path, len(container))] = event.start_mark
                    container.append(value)
                else:
                    root = value
            elif kind is mapping_start or kind is sequence_start:
                if len(stack) >= max_depth:
                    raise self.fail(
                        event, f"is nested more than {max_depth} levels deep; refusing it"
                    )
                if event.tag is not None and event.tag not in _COLLECTION_TAGS:
                    raise self.refused_tag(event, event.tag)
                nodes += 1
                if nodes > max_nodes:
                    raise self.too_many(event)
                collections += 1
                if collections > max_collections:
                    raise self.fail(
                        event,
                        f"has more than {max_collections:,} mappings and lists; "
                        "refusing to read it (split the model with 'include:')",
                    )
                if is_map:
                    if key is no_key:
                        raise self.fail(event, _NOT_A_KEY)
                    child: Path_ = (*path, key)
                elif container is not None:
                    child = (*path, len(container))
                else:
                    child = ()
                positions[child] = event.start_mark
                stack.append((container, is_map, key, key_mark, path, first, anchor, merges))
                is_map = kind is mapping_start
                container = {} if is_map else []
                key, path, first, anchor, merges = no_key, child, nodes, event.anchor, None
            elif kind is mapping_end or kind is sequence_end:
                done, done_path = container, path
                if merges is not None:
                    self.merge(event, done, done_path, merges)
                if anchor is not None:
                    anchors[anchor] = (done, nodes - first + 1)
                container, is_map, key, key_mark, path, first, anchor, merges = stack.pop()
                if is_map:
                    if key is merge_key:
                        merges = self.merge_value(merges, done, key_mark)
                    else:
                        key_positions[done_path] = key_mark
                        container[key] = done
                    key = no_key
                elif container is not None:
                    container.append(done)
                else:
                    root = done
            elif kind is alias_event:
                anchored = anchors.get(event.anchor)
                if anchored is None:
                    raise self.fail(event, f"unknown alias '*{_clip(event.anchor or '')}'")
                value, size = anchored
                nodes += size
                if nodes > max_nodes:
                    raise self.too_many(event)
                if is_map:
                    if key is no_key:
                        key = self.key(event, value, container, path)
                        key_mark = event.start_mark
                        continue
                    if key is merge_key:
                        merges = self.merge_value(merges, value, key_mark)
                    else:
                        at = (*path, key)
                        positions[at] = event.start_mark
                        key_positions[at] = key_mark
                        container[key] = value
                    key = no_key
                elif container is not None:
                    if full:
                        positions[(*path, len(container))] = event.start_mark
                    container.append(value)
                else:
                    root = value
            elif event is None or kind is stream_end:
                return root
            elif kind is document_start:
                documents += 1
                if documents > 1:
                    raise self.fail(
                        event, "holds more than one YAML document ('---'); use one per file"
                    )

    def too_many(self, event: Any) -> ReadError:
        return self.fail(
            event,
            f"expands to more than {self.limits.max_nodes:,} values (a YAML alias bomb?); "
            "refusing to read it",
        )

    def refused_tag(self, event: Any, tag: str) -> ReadError:
        return self.fail(
            event, f"uses the YAML tag '{_clip(tag)}', which threatforge does not accept"
        )

    def check_unescaped(self, event: Any) -> None:
        """Refuse in a double-quoted value what is refused in the text, once escapes are read."""
        found = _REFUSED_IN_VALUES.search(event.value)
        if found is not None:
            raise self.fail(
                event,
                "has an escape that gives an unacceptable character "
                f"{character_problem(found.group(), in_value=True)}; escapes are checked as "
                "the characters they stand for",
            )

    def scalar(self, event: Any) -> Any:
        """The value of a scalar that is tagged, long, or plain text that may not be text."""
        value = event.value
        if len(value) > self.limits.max_scalar_chars:
            raise self.fail(
                event, f"has a value longer than {self.limits.max_scalar_chars:,} characters"
            )
        if self.escapes and event.style == '"':
            self.check_unescaped(event)
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
            raise self.refused_tag(event, tag)
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

    def key(self, event: Any, value: Any, mapping: dict[Any, Any], path: Path_) -> Any:
        """A mapping key that is not new plain text: a merge key, a number, a repeat."""
        if value is _MergeKey:
            return value
        if isinstance(value, bool):  # 'on:'/'yes:' as keys are almost always meant as text
            key = event.value if type(event) is yaml.ScalarEvent else str(value).lower()
        elif isinstance(value, int | float) or type(value) is str:
            key = value if type(value) is str else str(value)
        else:
            raise self.fail(event, _NOT_A_KEY)
        if key in mapping:
            stored = self.key_positions.get((*path, key))
            if stored is None:  # not recorded on the fast pass: read again, keeping positions
                raise _Reparse
            line, column = _pos(stored)
            raise self.fail(
                event, f"repeats the key '{_clip(key)}' (first at line {line}, column {column})"
            )
        return key

    @staticmethod
    def merge_value(
        merges: list[tuple[Any, _Stored]] | None, value: Any, mark: _Stored
    ) -> list[tuple[Any, _Stored]]:
        """Keep the value of a ``<<:`` key until the mapping ends (explicit keys win)."""
        if merges is None:
            merges = []
        merges.append((value, mark))
        return merges

    def merge(
        self,
        event: Any,
        mapping: dict[Any, Any],
        path: Path_,
        merges: list[tuple[Any, _Stored]],
    ) -> None:
        """Apply ``<<: *anchor`` merge keys: explicit keys win over merged ones."""
        merged = self.merged_keys
        for value, position in merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail(event, "merges ('<<:') something that is not a mapping")
                merged += len(source)
                if merged > self.limits.max_merged_keys:
                    raise self.fail(
                        event,
                        f"copies more than {self.limits.max_merged_keys:,} keys with merge keys "
                        "('<<:'); refusing to read it",
                    )
                for key, item in source.items():
                    if key not in mapping:
                        mapping[key] = item
                        self.positions[(*path, key)] = position
                        self.key_positions[(*path, key)] = position
        self.merged_keys = merged


_NOT_A_KEY = "uses a mapping or list as a key; keys must be plain text"


def _clip(text: str, limit: int = 80) -> str:
    """Quote at most ``limit`` characters of hostile text (a tag, key or alias) in a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _MergeKeyType:
    def __repr__(self) -> str:
        return "<<"


_MergeKey: Any = _MergeKeyType()
