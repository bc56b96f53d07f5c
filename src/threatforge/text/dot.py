"""Model text in Graphviz DOT."""

from __future__ import annotations

from threatforge.text.lines import one_line

__all__ = ["dot_string"]


def dot_string(text: str) -> str:
    """A Graphviz double-quoted string for a label: one line of literal text.

    Backslashes would start escapes (``\\N`` is the node name, ``\\l`` a line break) and ``&``
    would start an HTML entity that Graphviz decodes, so both are neutralised; the result is
    wrapped in quotes.
    """
    clean = one_line(text)
    escaped = clean.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return f'"{escaped}"'
