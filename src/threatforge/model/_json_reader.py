"""The bounded reader of every JSON input: baselines, previous assessments, SARIF evidence.

Next to the YAML reader (:mod:`threatforge.model._yaml`) and with the same guarantees for
files a pull request may have planted: regular files only (a named pipe is refused at once,
never waited on), at most ``max_bytes`` read, UTF-8 (a byte-order mark is accepted), nesting at
most ``max_depth`` levels (a 100,000-level ``[[[...]]]`` is a clean error, not a
``RecursionError``), ``NaN``/``Infinity`` refused (they are not JSON), surrogates and Unicode
noncharacters refused in every key and string once its escapes are read (as the YAML reader
refuses them in a model's values), and errors that name the file, the line and the column, or
the JSON path of the string at fault.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from threatforge.model._yaml import (
    OTHER_BOMS,
    REFUSED_IN_JSON_STRINGS,
    ReadError,
    character_problem,
    decode_utf8,
    read_regular_file,
)
from threatforge.model.diagnostics import Location

__all__ = ["JsonLimits", "parse_json_bytes", "parse_json_text", "read_json_file"]


@dataclass(frozen=True, slots=True)
class JsonLimits:
    """Bounds on what one JSON input may cost to read."""

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64


def read_json_file(
    path: str, display: str, limits: JsonLimits = JsonLimits(), *, kind: str = "a JSON file"
) -> Any:
    """The JSON value of the regular file ``path`` (shown as ``display``), within ``limits``."""
    raw = read_regular_file(path, display, limits.max_bytes, kind=kind)
    return parse_json_bytes(raw, display, limits)


def parse_json_bytes(raw: bytes, display: str, limits: JsonLimits = JsonLimits()) -> Any:
    """Decode ``raw`` as UTF-8 (a byte-order mark is accepted) and parse it as JSON."""
    for bom, encoding in OTHER_BOMS:
        if raw.startswith(bom):
            raise ReadError(
                Location(display, 1, 1),
                f"is {encoding} text (it starts with a byte-order mark); save the file as UTF-8",
            )
    return parse_json_text(decode_utf8(raw, display), display, limits)


def parse_json_text(text: str, display: str, limits: JsonLimits = JsonLimits()) -> Any:
    """Parse ``text`` as one JSON value within ``limits``."""
    if len(text) > limits.max_bytes:
        raise ReadError(Location(display), f"is larger than {limits.max_bytes:,} characters")
    if not text.strip():
        raise ReadError(Location(display, 1, 1), "is empty: not valid JSON")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ReadError(
            Location(display, exc.lineno, exc.colno), f"is not valid JSON: {exc.msg}"
        ) from None
    except _NotJson as exc:
        raise ReadError(Location(display), f"is not valid JSON: {exc}") from None
    except ValueError as exc:  # an integer longer than Python converts
        limit = sys.get_int_max_str_digits()
        if "digits" not in str(exc):  # pragma: no cover - json raises no other ValueError
            raise ReadError(Location(display), f"is not valid JSON: {str(exc)[:200]}") from None
        raise ReadError(
            Location(display), f"has a number with more than {limit:,} digits; refusing it"
        ) from None
    except RecursionError:  # deeper than the interpreter allows: far past max_depth
        raise ReadError(Location(display), _too_deep(limits)) from None
    if _depth_exceeds(value, limits.max_depth):
        raise ReadError(Location(display), _too_deep(limits))
    refused = _first_refused_string(value)
    if refused is not None:
        where, what, character = refused
        raise ReadError(
            Location(display),
            f"{where}: has {what} with an unacceptable character "
            f"{character_problem(character, in_value=True)}; escapes are checked as the "
            "characters they stand for",
        )
    return value


class _NotJson(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's json reads them, JSON has none."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(f"'{name}' is not a JSON value")


def _too_deep(limits: JsonLimits) -> str:
    return f"is nested more than {limits.max_depth} levels deep; refusing it"


def _depth_exceeds(value: Any, max_depth: int) -> bool:
    """Whether objects and arrays nest more than ``max_depth`` levels (iterative, linear)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        if type(item) is dict:
            children: Any = item.values()
        elif type(item) is list:
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        level.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


_Parent = tuple[Any, Any] | None
"""How a value was reached: (the parent's own entry, the key or index), None for the top."""


def _first_refused_string(value: Any) -> tuple[str, str, str] | None:
    """The JSON path, "a key" or "a string", and the first refused character of the first key
    or string holding a surrogate or a noncharacter (iterative, linear); None when none does.

    Python's ``json`` reads ``"\\ud800"`` as a lone surrogate and ``"\\ufffe"`` as the
    noncharacter: neither belongs in any text (a noncharacter makes an SVG ill-formed XML).
    """
    pending: list[tuple[Any, _Parent]] = [(value, None)]
    while pending:
        entry = pending.pop()
        item = entry[0]
        if type(item) is str:
            found = None if item.isascii() else REFUSED_IN_JSON_STRINGS.search(item)
            if found is not None:
                return _json_path(entry[1]), "a string", found.group()
        elif type(item) is dict:
            for key, child in item.items():
                found = None if key.isascii() else REFUSED_IN_JSON_STRINGS.search(key)
                if found is not None:
                    return _json_path(entry[1]), "a key", found.group()
                if type(child) in (str, dict, list):
                    pending.append((child, (entry, key)))
        elif type(item) is list:
            pending.extend(
                (child, (entry, index))
                for index, child in enumerate(item)
                if type(child) in (str, dict, list)
            )
    return None


def _json_path(parent: _Parent) -> str:
    """``runs[0].results[2].message``: keys that are not plain names are quoted as JSON."""
    steps: list[str] = []
    while parent is not None:
        entry, step = parent
        if type(step) is int:
            steps.append(f"[{step}]")
        elif step.isidentifier() and step.isascii():
            steps.append(f".{step}")
        else:
            steps.append(f"[{json.dumps(step)}]")
        parent = entry[1]
    path = "".join(reversed(steps)).removeprefix(".")
    return path or "the top-level value"
