"""Escaping for every output format a report writes model text into.

Model text (names, descriptions, ids in labels) is untrusted: a model may come from a pull request
or an importer. Every renderer passes each piece of it through the function for its format here;
the functions are small and pure so that tests can pin their exact output.
"""

from __future__ import annotations

import re

__all__ = [
    "dot_string",
    "markdown_cell",
    "markdown_code",
    "markdown_text",
    "mermaid_text",
    "one_line",
    "xml_escape",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MARKDOWN_LINE_START = re.compile(r"^(\d+)([.)])|^([#+=-])")


def one_line(text: str) -> str:
    """Collapse whitespace (newlines included) to single spaces and drop control characters."""
    return " ".join(_CONTROL.sub("", text).split())


def xml_escape(text: str) -> str:
    """Escape text for XML/HTML element content and double- or single-quoted attributes."""
    return (
        _CONTROL.sub("", text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def dot_string(text: str) -> str:
    """A Graphviz double-quoted string for a label: one line of literal text.

    Backslashes would start escapes (``\\N`` is the node name, ``\\l`` a line break) and ``&``
    would start an HTML entity that Graphviz decodes, so both are neutralised; the result is
    wrapped in quotes.
    """
    clean = one_line(text)
    escaped = clean.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return f'"{escaped}"'


def markdown_text(text: str) -> str:
    """Escape text for Markdown prose (GitHub, Confluence): no markup, links or raw HTML survive."""
    clean = one_line(text)
    clean = clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    clean = _MARKDOWN_SPECIAL.sub(r"\\\1", clean)
    # a heading, list item or rule marker where the text starts a line
    return _MARKDOWN_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", clean)


def markdown_cell(text: str) -> str:
    """Escape text for a Markdown table cell (one line, pipes escaped)."""
    return markdown_text(text)


def markdown_code(text: str) -> str:
    """Inline code for Markdown (also inside a table): one line, pipes escaped, fence widened."""
    clean = one_line(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", clean)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if clean.startswith("`") or clean.endswith("`") else ""
    return f"{fence}{pad}{clean}{pad}{fence}"


def mermaid_text(text: str) -> str:
    """Escape text for a quoted Mermaid label, using Mermaid's ``#code;`` entities."""
    clean = one_line(text)
    out = []
    for char in clean:
        if char in '#"<>&`|\\':
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)
