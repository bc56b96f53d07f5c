"""What the Threat Composer and Threat Dragon importers share: a bounded JSON read, readable ids
from names, and one checked model from what was found (the team's threats, their decisions,
controls and assumptions included, which :class:`~threatforge.importers.builder.ModelBuilder`
does not carry).

Both formats come from other tools and may be hostile: the file is read with the project's
bounded JSON reader (size, depth, refused characters), each list is capped
(:data:`MAX_ITEMS`), every text is cut to what the model holds (with a note), and each element
is validated by the model's own classes, so an id, a kind or a status the model does not know is
an :class:`~threatforge.errors.ImporterError` naming the file and the element, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from threatforge.errors import ImporterError
from threatforge.importers.interface import ImportedModel
from threatforge.importers.secrets import redact_secrets
from threatforge.model import (
    REFUSED_IN_VALUES,
    Assumption,
    Boundary,
    Component,
    Control,
    DataAsset,
    Draft,
    Flow,
    JsonLimits,
    Location,
    ModelError,
    ReadError,
    System,
    ThreatStatement,
    TrackingEntry,
    read_json_file,
)
from threatforge.model.schema import ELEMENT_ID_PATTERN

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "SHORT",
    "TEXT",
    "InterchangeDraft",
    "clip",
    "read_interchange_file",
    "readable_id",
    "strings",
    "text_of",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""A Threat Composer file with two inline diagrams is a few hundred KB; 16 MiB is generous."""
LIMITS = JsonLimits(max_bytes=MAX_FILE_BYTES, max_depth=32)
MAX_ITEMS = 10_000
"""Threats, mitigations, assumptions, links, diagrams or cells read per file (more: an error)."""
SHORT = 300
"""What the model's short texts hold (names, threat parts, mitigations, tags)."""
TEXT = 20_000
"""What the model's long texts hold (descriptions)."""
_VALID_ID = re.compile(ELEMENT_ID_PATTERN)
_NOT_ID = re.compile(r"[^a-z0-9]+")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def read_interchange_file(path: Path, kind: str, notes: list[str]) -> tuple[Mapping[str, Any], str]:
    """The top-level object of the JSON file ``path`` and the name it is shown by, its text
    made fit for a model (:func:`model_text`; a note says how many characters went);
    :class:`ImporterError` when it cannot be read or is not an object."""
    shown = str(path)
    try:
        value = read_json_file(shown, shown, LIMITS, kind=f"a {kind} file")
    except ReadError as exc:
        raise ImporterError(f"{exc.location}: {exc.message}") from None
    if not isinstance(value, dict):
        raise ImporterError(f"{shown}: a {kind} file is a JSON object, not {type(value).__name__}")
    cleaned, removed, secrets = model_text(value)
    if removed:
        notes.append(
            f"removed {removed:,} control or invisible characters (terminal escapes, hidden "
            "line breaks) from the file's text: a model holds none"
        )
    if secrets:
        kinds = ", ".join(sorted(set(secrets)))
        notes.append(
            f"replaced {len(secrets)} secret-shaped values in the file's text by "
            f"'[redacted KIND]' ({kinds}): rotate them, they were written in another tool"
        )
    return cleaned, shown


_BREAKS = re.compile("\r\n?|[\x85\u2028\u2029]")


def model_text(value: Any) -> tuple[Any, int, list[str]]:
    """``value`` with every key and string as a model holds text: line breaks as ``\\n``
    (``\\r\\n``, a lone ``\\r``, U+2028 ...), the characters the model's reader refuses
    (control characters, noncharacters) removed, and secret-shaped values redacted
    (:func:`~threatforge.importers.secrets.redact_secrets`); how many characters were removed,
    and the kinds of secret redacted. Iterative: the reader bounds the depth, this walk does not
    recurse."""
    removed = 0
    secrets: list[str] = []

    def clean(text: str) -> str:
        nonlocal removed
        if not (text.isascii() and text.isprintable()):
            text = _BREAKS.sub("\n", text)
            text, count = REFUSED_IN_VALUES.subn("", text)
            removed += count
        if len(text) >= 16:
            text, kinds = redact_secrets(text)
            secrets.extend(k.value for k in kinds)
        return text

    root: list[Any] = [value]
    pending: list[tuple[Any, Any]] = [(root, 0)]
    while pending:
        parent, key = pending.pop()
        item = parent[key]
        if isinstance(item, str):
            parent[key] = clean(item)
        elif isinstance(item, dict):
            fresh = {clean(k): v for k, v in item.items()}
            parent[key] = fresh
            pending.extend((fresh, k) for k, v in fresh.items() if isinstance(v, str | dict | list))
        elif isinstance(item, list):
            pending.extend(
                (item, i) for i, v in enumerate(item) if isinstance(v, str | dict | list)
            )
    return root[0], removed, secrets


def items(value: Any, where: str, shown: str) -> list[Any]:
    """``value`` as a list (absent: empty); :class:`ImporterError` for another type or for more
    than :data:`MAX_ITEMS` entries."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImporterError(f"{shown}: {where} must be a list, not {type(value).__name__}")
    if len(value) > MAX_ITEMS:
        raise ImporterError(
            f"{shown}: {where} has {len(value):,} entries; at most {MAX_ITEMS:,} are read"
        )
    return value


def text_of(value: Any) -> str:
    """A string value as it is, a number as its digits, anything else as ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def strings(value: Any) -> list[str]:
    """The non-empty strings of a list (or of one string)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def clip(text: str, limit: int, what: str, notes: list[str]) -> str:
    """``text`` cut to ``limit`` characters, with a note saying what was cut."""
    if len(text) <= limit:
        return text
    notes.append(f"{what} is {len(text):,} characters; the model keeps the first {limit:,}")
    return text[:limit]


def readable_id(preferred: str, name: str, fallback: str, taken: set[str]) -> str:
    """An element id: ``preferred`` when it is a valid id that is not a UUID (an id threatforge
    exported), else the name as lower-case words joined by ``-``, else ``fallback``; made
    unique against ``taken`` (``-2``, ``-3``, ...) and added to it."""
    if preferred and _VALID_ID.match(preferred) and not _UUID.match(preferred):
        base = preferred
    else:
        base = _NOT_ID.sub("-", name.lower()).strip("-")[:100].strip("-") or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base[:100]}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


_FINGERPRINT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}@[^\s@]{1,600}$")


def valid_fingerprint(value: Any) -> str | None:
    """``value`` when it reads as a result's fingerprint (``rule@element[,element]``)."""
    if not isinstance(value, str) or len(value) > 600 or not _FINGERPRINT.match(value):
        return None
    return value


def valid_id(value: Any) -> str | None:
    """``value`` when it is a string the model accepts as an id."""
    return value if isinstance(value, str) and _VALID_ID.match(value) else None


_CLASSES: dict[str, Any] = {
    "data": DataAsset,
    "boundaries": Boundary,
    "components": Component,
    "flows": Flow,
    "controls": Control,
    "assumptions": Assumption,
    "threats": ThreatStatement,
    "tracking": TrackingEntry,
}
_SINGULAR = {
    "data": "data asset",
    "boundaries": "boundary",
    "components": "component",
    "flows": "flow",
    "controls": "control",
    "assumptions": "assumption",
    "threats": "team threat",
    "tracking": "decision",
}


@dataclass
class InterchangeDraft:
    """What one interchange file held, section by section: ``(id, fields)`` in file order."""

    source: str
    """The file, as shown in messages."""
    system: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, list[tuple[str, dict[str, Any]]]] = field(
        default_factory=lambda: {name: [] for name in _CLASSES}
    )
    notes: list[str] = field(default_factory=list)

    def add(self, section: str, eid: str, fields: Mapping[str, Any]) -> None:
        """Add an element; ``None`` values and empty lists are left out (not stated)."""
        body = {k: v for k, v in fields.items() if v is not None and v != [] and v != {}}
        self.sections[section].append((eid, body))

    def ids(self, section: str) -> list[str]:
        return [eid for eid, _ in self.sections[section]]

    def build(self) -> ImportedModel:
        """The checked model; :class:`ImporterError` listing every element the model refuses
        (by section and id) or every reference that does not resolve."""
        problems: list[str] = []
        made: dict[str, list[Any]] = {name: [] for name in _CLASSES}
        for section, found in self.sections.items():
            for eid, body in found:
                try:
                    element = _CLASSES[section].model_validate(body)
                except ValidationError as exc:
                    for error in exc.errors(include_url=False):
                        where = ".".join(str(p) for p in error["loc"]) or "value"
                        problems.append(f"{_SINGULAR[section]} '{eid}': {where}: {error['msg']}")
                    continue
                if section != "flows":
                    element = element.model_copy(update={"id": eid})
                made[section].append(element)
        try:
            system = System.model_validate(self.system)
        except ValidationError as exc:
            problems.extend(
                f"system: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
            system = System(name="imported")
        if problems:
            raise ImporterError(f"{self.source}: could not map:\n" + "\n".join(problems[:100]))
        draft = Draft(system=system, files=(), **made)
        try:
            return ImportedModel.from_draft(draft, {}, self.notes, default=Location(self.source))
        except ModelError as exc:
            lines = [d.format() for d in exc.diagnostics if d.is_error]
            raise ImporterError(
                f"{self.source}: the imported model is invalid:\n" + "\n".join(lines[:100])
            ) from None


def joined_notes(what: str, names: Sequence[str], limit: int = 10) -> str:
    """``what: a, b, c`` (at most ``limit`` names, then ``and N more``)."""
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += f" and {len(names) - limit} more"
    return f"{what}: {shown}"
