"""Model text in Mermaid diagrams."""

from __future__ import annotations

from threatforge.text.lines import one_line

__all__ = ["mermaid_text"]

# Written as Mermaid's ``#code;`` entities: the quote and markup characters (a label cannot be
# closed, nor HTML put in it), ``#`` (which starts an entity), ``%`` (``%%{init: ...}%%`` is a
# directive wherever it appears in the text, and ``%%`` a comment), braces (directive and shape
# syntax) and both quotes.
_ENTITY = frozenset('#"\'<>&`|\\%{}')


def mermaid_text(text: str) -> str:
    """Escape text for a quoted Mermaid label (or a ``%%`` comment), using ``#code;`` entities."""
    clean = one_line(text)
    return "".join(f"#{ord(char)};" if char in _ENTITY else char for char in clean)
