"""Resource addresses as element ids, readably and reversibly.

An imported element's id is its resource address (``aws_db_instance.default``,
``module.net.aws_instance.web[0]``). Element ids allow ``[``, ``]`` and ``%`` besides
``A-Z a-z 0-9 . _ : / -`` (never ``,`` ``@`` ``*`` or spaces: fingerprints are
``rule@a,b``), so most addresses are their own id. The rest is mapped, reversibly:

- a numeric index stays as it is: ``web[0]``;
- a string key loses its quotes: ``logs["audit"]`` is ``logs[audit]``;
- any other character (in a key or not) is percent-encoded as UTF-8 bytes (``%20`` for a space,
  ``%25`` for ``%`` itself); an address must start with a letter or digit;
- a string key made of digits has its first digit encoded (``["0"]`` is ``[%30]``), so it
  never reads as an index; the empty key is ``[%]`` (a lone ``%`` is never an encoding);
- an id longer than 128 characters keeps its first 118 and ends ``%%`` and 8 hex digits of the
  SHA-256 of the address (the full address stays in the element's ``origin``): the one case
  :func:`address_of` cannot reverse.
"""

from __future__ import annotations

import hashlib
import re

from threatforge.model.schema import ELEMENT_ID_PATTERN

__all__ = ["MAX_ID", "address_of", "element_id"]

MAX_ID = 128
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/-")
_VALID = re.compile(ELEMENT_ID_PATTERN)
_ESCAPE = re.compile(r"%([0-9A-F]{2})")


def _encode(text: str, *, keep_brackets: bool = False) -> str:
    out = []
    for ch in text:
        if ch in _SAFE or (keep_brackets and ch in "[]"):
            out.append(ch)
        else:
            out.append("".join(f"%{byte:02X}" for byte in ch.encode("utf-8")))
    return "".join(out)


def _split(address: str) -> list[tuple[str, str | int | None]]:
    """``address`` as (name, key) steps: ``a.b["k"][0]`` -> [("a.b", "k"), ("", 0)].

    Text outside brackets is kept as written; a bracket holds a number or a JSON-style quoted
    string; anything else in brackets is kept as text (a bracket that does not close, too).
    """
    steps: list[tuple[str, str | int | None]] = []
    name = ""
    index = 0
    while index < len(address):
        ch = address[index]
        if ch != "[":
            name += ch
            index += 1
            continue
        end, key = _bracket(address, index)
        if end < 0:  # not a key: keep the rest as text
            name += address[index:]
            break
        steps.append((name, key))
        name = ""
        index = end
    if name or not steps:
        steps.append((name, None))
    return steps


def _bracket(address: str, start: int) -> tuple[int, str | int]:
    """The end of the bracket at ``start`` and its key; (-1, "") when it is not one."""
    close = address.find("]", start)
    if address.startswith('"', start + 1):
        key, index = [], start + 2
        while index < len(address):
            ch = address[index]
            if ch == "\\" and index + 1 < len(address):
                key.append(address[index + 1])
                index += 2
                continue
            if ch == '"':
                if address.startswith("]", index + 1):
                    return index + 2, "".join(key)
                return -1, ""
            key.append(ch)
            index += 1
        return -1, ""
    if close < 0:
        return -1, ""
    inside = address[start + 1 : close]
    if inside.isdigit() and inside.isascii():
        return close + 1, int(inside)
    return close + 1, inside


def element_id(address: str) -> str:
    """The element id of a resource address (see the module docstring)."""
    parts: list[str] = []
    for name, key in _split(address):
        parts.append(_encode(name))
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif isinstance(key, str):
            if key == "":
                parts.append("[%]")
                continue
            encoded = _encode(key)
            if encoded.isdigit():
                encoded = f"%{ord(encoded[0]):02X}{encoded[1:]}"
            parts.append(f"[{encoded}]")
    text = "".join(parts)
    if not text[:1].isalnum():
        raise ValueError(f"a resource address must start with a letter or digit: {address!r}")
    if len(text) > MAX_ID:
        digest = hashlib.sha256(address.encode("utf-8")).hexdigest()[:8]
        text = text[: MAX_ID - 10] + "%%" + digest
    return text


def address_of(element: str) -> str | None:
    """The resource address an id stands for (``logs[audit]`` -> ``logs["audit"]``); None for
    a shortened id (``%%``) or text that is not one :func:`element_id` writes."""
    if "%%" in element or not _VALID.match(element):
        return None
    out: list[str] = []
    index = 0
    while index < len(element):
        ch = element[index]
        if ch != "[":
            end = element.find("[", index)
            end = len(element) if end < 0 else end
            out.append(_decode(element[index:end]))
            index = end
            continue
        close = element.find("]", index)
        if close < 0:
            return None
        inside = element[index + 1 : close]
        if inside.isdigit():
            out.append(f"[{inside}]")
        elif inside == "%":
            out.append('[""]')
        else:
            key = _decode(inside)
            out.append("[" + _quoted(key) + "]")
        index = close + 1
    return "".join(out)


def _decode(text: str) -> str:
    raw = bytearray()
    index = 0
    while index < len(text):
        match = _ESCAPE.match(text, index)
        if match is not None:
            raw.append(int(match[1], 16))
            index = match.end()
        else:
            raw.extend(text[index].encode("utf-8"))
            index += 1
    return raw.decode("utf-8", errors="replace")


def _quoted(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
