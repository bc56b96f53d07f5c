"""Model text in XML: SVG diagrams, and JUnit reports escaped exactly as ElementTree does.

XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/U+FFFF at all, even escaped,
so they are dropped (SVG) or replaced by U+FFFD (JUnit, where a test report keeps its length).
"""

from __future__ import annotations

import re

from threatforge.text.lines import drop_controls, visible_bidi

__all__ = ["xml_attribute", "xml_chars", "xml_content", "xml_escape"]

# Characters XML 1.0 cannot carry, even escaped: C0 controls other than tab/newline/CR, lone
# surrogates and U+FFFE/U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_ESCAPES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)
_NEEDS_ESCAPE = re.compile('[&<>"\r\n\t]')


def xml_escape(text: str) -> str:
    """Escape text for XML/HTML element content and double- or single-quoted attributes.

    Control characters and characters XML cannot carry are dropped; bidi controls are written
    out (``\\u202e``) so that a label reads as it is.
    """
    clean = visible_bidi(_INVALID_XML.sub("", drop_controls(text)))
    return (
        clean.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def xml_chars(text: str) -> str:
    """The text with each character XML 1.0 cannot carry replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text)


def xml_attribute(text: str) -> str:
    """A double-quoted attribute value: invalid characters replaced, then escaped as
    ElementTree escapes attributes (line breaks and tabs as character references, so an
    attribute never spans lines)."""
    text = xml_chars(text)
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    for character, entity in _ATTRIBUTE_ESCAPES:
        if character in text:
            text = text.replace(character, entity)
    return text


def xml_content(text: str) -> str:
    """Element text, escaped as ElementTree escapes it (``&``, ``<``, ``>``); the caller
    replaces invalid characters (:func:`xml_chars`) first."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text
