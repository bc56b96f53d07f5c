"""JSON text: the one writer every JSON output goes through (assessment, SARIF, analyses).

Built on orjson, which writes the same text as :func:`json.dumps` with ``indent=2`` (or with
``separators=(",", ":")`` when compact) for the values threatforge writes: dicts with string
keys, lists, strings, integers, booleans, ``None`` and string or integer enums (tested on random
documents). Two differences are handled here so that no caller needs to care:

- ``ascii=True`` writes every character outside ASCII as a ``\\uXXXX`` escape (a surrogate pair
  above U+FFFF), DEL included, as ``json.dumps`` does by default: safe for any terminal or log.
- A string holding a lone surrogate (possible only in a model built in code; the YAML reader
  refuses them) cannot be UTF-8 and is refused with a :class:`ValueError` naming the problem,
  where ``json.dumps`` would write text no UTF-8 file can hold.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

__all__ = ["json_text"]

_NON_ASCII = re.compile("[^\x00-\x7e]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(value: Any, *, compact: bool = False, ascii: bool = False) -> str:
    """``value`` as JSON text, without a trailing newline.

    Indented by two spaces (``json.dumps(value, indent=2, ensure_ascii=False)``), or compact
    (no whitespace at all). Dict keys keep their insertion order.
    """
    try:
        data = orjson.dumps(value) if compact else orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError as error:
        raise ValueError(f"cannot write JSON: {error}") from None
    text = data.decode()
    if ascii and _NON_ASCII.search(text) is not None:
        text = _NON_ASCII.sub(_escape, text)
    return text
