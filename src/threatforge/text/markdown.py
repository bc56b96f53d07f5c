"""Model text in Markdown: pull-request comments, reports, requirement lists, rule pages.

One function for prose and table cells (:func:`markdown_text`) and one for inline code
(:func:`markdown_code`). What they neutralise, as GitHub, GitLab and Confluence render it:

- raw HTML and comments (``<``, ``>``, ``&`` become entities, so ``<!--`` hides nothing);
- links, images and their beacons (``[``, ``]`` escaped; ``![](http://...)`` is plain text);
- bare URLs and ``www.`` autolinks (a word joiner after ``://`` and ``www``), e-mail autolinks
  and @mentions (a word joiner after ``@``, so nobody is notified), issue references (``#``);
- emphasis, code, strike-through and table pipes (``\\``, `````, ``*``, ``_``, ``~``, ``|``);
- headings, lists and rules where the text starts a line (quotes: ``>`` is an entity);
- line breaks (collapsed: model text never starts a new block, such as a forged section) and
  control characters (dropped); bidi controls are written out (``\\u202e``).

Ordinary names (letters, digits, spaces, ``-``, ``.``, ``/``, ``,``, ``(``, ``)``) pass unchanged.
"""

from __future__ import annotations

import re

from threatforge.text.lines import one_line

__all__ = ["markdown_cell", "markdown_code", "markdown_text"]

_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_LINE_START = re.compile(r"^(\d+)([.)])|^([+=-])")
_WORD_JOINER = "\u2060"
# Where GitHub starts an autolink: a scheme's "://", "www.", and "@" (mentions, e-mail).
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)", re.IGNORECASE)


def markdown_text(text: str) -> str:
    """Escape text for Markdown prose or a table cell: one line, no markup, links, HTML,
    mentions or autolinks survive."""
    clean = one_line(text)
    if "&" in clean:
        clean = clean.replace("&", "&amp;")
    clean = clean.replace("<", "&lt;").replace(">", "&gt;")
    clean = _SPECIAL.sub(r"\\\1", clean)
    if "://" in clean or "@" in clean or "www." in clean.lower():
        clean = _AUTOLINK.sub(_WORD_JOINER, clean)
    # a list item, rule or setext marker where the text starts a line (headings: "#" above)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", clean)


def markdown_cell(text: str) -> str:
    """Escape text for a Markdown table cell: :func:`markdown_text` (pipes are escaped too)."""
    return markdown_text(text)


def markdown_code(text: str) -> str:
    """Inline code for Markdown (also inside a table): one line, pipes escaped, fence widened.

    Inside a code span nothing is markup, so only what ends the span or the table cell needs
    care: backticks (a longer fence) and pipes.
    """
    clean = one_line(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", clean)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if clean.startswith("`") or clean.endswith("`") else ""
    return f"{fence}{pad}{clean}{pad}{fence}"
