"""The bounded reader of every JSON input: baselines, previous assessments, SARIF evidence.

Next to the YAML reader (:mod:`threatforge.model._yaml`) and with the same guarantees for
files a pull request may have planted: regular files only (a named pipe is refused at once,
never waited on), at most ``max_bytes`` read, UTF-8 (a byte-order mark is accepted), nesting at
most ``max_depth`` levels (a 100,000-level ``[[[...]]]`` is a clean error, not a
``RecursionError``), ``NaN``/``Infinity`` refused (they are not JSON), and errors that name the
file, the line and the column.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from threatforge.model._yaml import OTHER_BOMS, ReadError, decode_utf8, read_regular_file
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
