"""JSON text for large, repetitive documents, byte-identical to :func:`json.dumps`.

An assessment or a path search repeats the same strings and lists thousands of times (a rule's
description and mitigations in every finding, a hop in every path through it). Building a dict
per item and handing it to :func:`json.dumps` costs more than the output is worth, and the
general encoder re-escapes every repeat. :class:`JsonText` writes the pieces directly with the
same C string encoders ``json`` uses and remembers the text of repeated values; callers assemble
an item's text from these pieces with the key and item separators ``json.dumps`` would use.

Exactness: a piece is only ever produced for the types it was written for (``str``, exact
``int``, ``bool``, ``None``); anything else goes through ``json.dumps`` with the same options, so
an unexpected value costs speed, never a different byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from enum import Enum
from functools import partial
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

__all__ = ["JsonText", "dumps_indented"]


class JsonText:
    """Pieces of JSON text with the options of one ``json.dumps`` call (no indentation).

    ``compact`` selects the separators ``(",", ":")``; otherwise ``json.dumps``'s defaults
    ``(", ", ": ")``. ``ensure_ascii`` as in ``json.dumps``.
    """

    __slots__ = (
        "_lists",
        "_member_lists",
        "_members",
        "_strings",
        "colon",
        "comma",
        "dumps",
        "known_lists",
        "known_texts",
        "known_values",
        "string",
    )

    def __init__(self, *, ensure_ascii: bool, compact: bool) -> None:
        self.comma = "," if compact else ", "
        """The item separator."""
        self.colon = ":" if compact else ": "
        """The key separator."""
        self.string: Callable[[str], str] = (
            encode_basestring_ascii if ensure_ascii else encode_basestring
        )
        """A ``str`` as a JSON string (the C encoder ``json.dumps`` itself uses)."""
        self.dumps: Callable[[Any], str] = partial(
            json.dumps, ensure_ascii=ensure_ascii, separators=(self.comma, self.colon)
        )
        """Any JSON value, by ``json.dumps`` with the same options: the exact fallback."""
        self._strings: dict[str, str] = {}
        self._members: dict[Enum, str] = {}
        self._member_lists: dict[tuple[Enum, ...], str] = {}
        self._lists: dict[tuple[str, ...], str] = {(): "[]"}
        self.known_texts: Callable[[str], str | None] = self._strings.get
        """The remembered text of a string, or None: ``known_texts(s) or text(s)``."""
        self.known_lists: Callable[[tuple[str, ...]], str | None] = self._lists.get
        """The remembered text of a tuple of strings, or None."""
        self.known_values: Callable[[Enum], str | None] = self._members.get
        """The remembered text of an enum member's value, or None."""

    def text(self, value: str) -> str:
        """A string that recurs (a rule's description, an enum value): encoded once."""
        encoded = self._strings.get(value)
        if encoded is None:
            if not isinstance(value, str):
                return self.dumps(value)
            encoded = self._strings[value] = self.string(value)
        return encoded

    def value(self, member: Enum) -> str:
        """An enum member's ``.value`` (a severity, a status), encoded once per member."""
        encoded = self._members.get(member)
        if encoded is None:
            encoded = self._members[member] = self.dumps(member.value)
        return encoded

    def strings(self, items: Sequence[str]) -> str:
        """A list of strings, remembered by value (lists recur: mitigations, data, factors).

        Only lists made entirely of ``str`` are remembered: no other value compares equal to
        a string, so a remembered text is always the one ``json.dumps`` would write.
        """
        key = items if type(items) is tuple else tuple(items)
        encoded = self._lists.get(key)
        if encoded is not None:
            return encoded
        string = self.string
        try:
            encoded = "[" + self.comma.join([string(item) for item in key]) + "]"
        except TypeError:  # not a str: whatever json.dumps makes of it, not remembered
            return self.dumps(list(key))
        self._lists[key] = encoded
        return encoded

    def members(self, items: Sequence[Enum]) -> str:
        """A list of enum members' values (STRIDE and LINDDUN categories), remembered."""
        key = tuple(items)
        encoded = self._member_lists.get(key)
        if encoded is None:
            encoded = self._member_lists[key] = self.dumps([m.value for m in key])
        return encoded

    def integer(self, value: int) -> str:
        """An ``int`` (a ``bool`` or float goes through ``json.dumps``)."""
        if type(value) is int:
            return int.__repr__(value)
        return self.dumps(value)

    def integers(self, items: Sequence[int]) -> str:
        """A list of ``int`` (CWE and CAPEC ids)."""
        if not items:
            return "[]"
        for item in items:
            if type(item) is not int:
                return self.dumps(list(items))
        return "[" + self.comma.join([int.__repr__(item) for item in items]) + "]"

    def boolean(self, value: bool) -> str:
        """A ``bool``."""
        if value is True:
            return "true"
        if value is False:
            return "false"
        return self.dumps(value)


def dumps_indented(value: Any, *, ensure_ascii: bool) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=ensure_ascii)``, several times faster.

    The standard library encodes with indentation in pure Python, through a generator per
    container; this writes the same text with a plain recursive function, lists of strings in
    one join. The types it writes itself are those ``json`` writes (``str``, ``int``,
    ``float``, ``bool``, ``None``, ``list``, ``tuple``, ``dict`` with ``str`` keys); anything
    else, such as a dict with non-string keys, is handed to ``json.dumps`` and indented to fit.
    """
    parts: list[str] = []
    _Indented(ensure_ascii, parts).value(value, "\n")
    return "".join(parts)


class _Indented:
    __slots__ = ("append", "ensure_ascii", "keys", "string")

    def __init__(self, ensure_ascii: bool, parts: list[str]) -> None:
        self.ensure_ascii = ensure_ascii
        self.keys: dict[str, str] = {}
        self.string: Callable[[str], str] = (
            encode_basestring_ascii if ensure_ascii else encode_basestring
        )
        self.append = parts.append

    def value(self, value: Any, newline: str) -> None:
        """Write ``value``; ``newline`` is a line break and the indentation of its level."""
        if isinstance(value, str):
            self.append(self.string(value))
        elif isinstance(value, dict):
            self.mapping(value, newline)
        elif isinstance(value, list | tuple):
            self.sequence(value, newline)
        elif value is None:
            self.append("null")
        elif value is True:
            self.append("true")
        elif value is False:
            self.append("false")
        elif type(value) is int:
            self.append(int.__repr__(value))
        else:  # float, int subclasses, unknown types: exactly as json.dumps writes them
            self.fallback(value, newline)

    def sequence(self, items: list[Any] | tuple[Any, ...], newline: str) -> None:
        if not items:
            self.append("[]")
            return
        inner = newline + "  "
        if all(type(item) is str for item in items):
            string = self.string
            self.append("[" + inner + ("," + inner).join([string(i) for i in items]))
        else:
            separator = "[" + inner
            for item in items:
                self.append(separator)
                self.value(item, inner)
                separator = "," + inner
        self.append(newline + "]")

    def mapping(self, mapping: dict[Any, Any], newline: str) -> None:
        if not mapping:
            self.append("{}")
            return
        keys = self.keys
        for key in mapping:
            if type(key) is not str:
                self.fallback(mapping, newline)
                return
        inner = newline + "  "
        separator = "{" + inner
        string, append = self.string, self.append
        for key, item in mapping.items():
            head = keys.get(key)
            if head is None:
                head = keys[key] = string(key) + ": "
            kind = type(item)
            if kind is str:  # the common leaves, written here without a call
                append(separator + head + string(item))
            elif kind is int:
                append(separator + head + int.__repr__(item))
            else:
                append(separator + head)
                self.value(item, inner)
            separator = "," + inner
        append(newline + "}")

    def fallback(self, value: Any, newline: str) -> None:
        text = json.dumps(value, indent=2, ensure_ascii=self.ensure_ascii)
        self.append(text.replace("\n", newline))
