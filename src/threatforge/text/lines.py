"""Plain lines of text: the characters every format has to think about (controls, line breaks,
bidi controls) and the two ways of keeping model text on one line."""

from __future__ import annotations

import re

__all__ = [
    "BIDI_CONTROLS",
    "LINE_BREAKS",
    "codepoint",
    "drop_controls",
    "one_line",
    "single_line",
    "visible_bidi",
]

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Characters that reorder how the text around them is displayed (the "Trojan Source"
characters: embeddings, overrides and isolates U+202A-202E and U+2066-2069, and the three
directional marks), so that what a reviewer reads is not what the text says."""

LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
"""Every character :meth:`str.splitlines` ends a line at."""

_BREAK = re.compile("\r\n|[" + "".join(sorted(LINE_BREAKS)) + "]")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
# C0 and C1 controls and DEL, except tab, line feed, carriage return and NEL: a control
# character is never shown, and some (ESC, CSI) start terminal sequences.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")


def codepoint(char: str) -> str:
    """A character as a visible escape: ``\\x1b`` below U+0100, else ``\\u202e``."""
    value = ord(char)
    return f"\\x{value:02x}" if value < 0x100 else f"\\u{value:04x}"


def visible_bidi(text: str) -> str:
    """Bidi controls written out as ``\\u202e``: shown, never applied."""
    if _BIDI.search(text) is None:
        return text
    return _BIDI.sub(lambda m: codepoint(m[0]), text)


def drop_controls(text: str) -> str:
    """The text without C0/C1 control characters other than tab, line feed, CR and NEL."""
    if _CONTROLS.search(text) is None:
        return text
    return _CONTROLS.sub("", text)


def one_line(text: str) -> str:
    """One line of visible text: whitespace (line breaks included) collapsed to single spaces,
    control characters dropped, bidi controls written out (``\\u202e``)."""
    return " ".join(visible_bidi(drop_controls(text)).split())


def single_line(text: str) -> str:
    """The text with each line break (CR LF, LF, CR, NEL, U+2028 ...) replaced by one space, for
    line-oriented files: everything else is kept as it is."""
    if _BREAK.search(text) is None:
        return text
    return _BREAK.sub(" ", text)
