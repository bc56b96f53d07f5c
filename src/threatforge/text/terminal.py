"""Model text on a terminal or in a CI log.

A name may hold escape sequences (OSC 52 writes the clipboard, OSC 8 makes links, CSI clears
the screen), other C0/C1 controls, bidi controls or line breaks. In a CI log a line break lets
model text start a line of its own, and a line that starts with ``::`` (GitHub Actions) or
``##`` (Azure Pipelines) is a workflow command (``::add-mask::``, ``::stop-commands::``,
``##vso[task.setvariable]``), or can print a verdict the gate did not reach.

:func:`terminal_text` writes every such character out as a visible escape (``\\x1b``,
``\\u2028``), so model text stays on the line it was printed on and is shown, never obeyed.
"""

from __future__ import annotations

import re

from threatforge.text.lines import BIDI_CONTROLS, codepoint

__all__ = ["quoted_terminal_text", "terminal_text"]

# C0 and C1 controls (tab, line feed, CR, ESC, NEL, CSI ...), DEL, the other line breaks
# (U+2028, U+2029) and bidi controls.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS | {"\u2028", "\u2029"})) + "]"
)
# A workflow command at the start of the text (CI runners skip leading blanks), and Azure's
# ``##vso[`` anywhere in a line.
_COMMAND_START = re.compile(r"^([ \t]*)([:#])(?=[:#])")
_VSO = re.compile(r"##vso\[", re.IGNORECASE)


def terminal_text(text: str) -> str:
    """One line for a terminal or CI log: controls, line breaks and bidi controls written out
    (``\\x1b``, ``\\u2028``); a leading ``::`` or ``##`` and any ``##vso[`` made inert."""
    if not text.isprintable():  # fast: controls, line breaks and bidi controls are not
        text = _UNSAFE.sub(lambda m: codepoint(m[0]), text)
    if text.startswith((":", "#", " ")):
        text = _COMMAND_START.sub(lambda m: m[1] + codepoint(m[2]), text)
    if "##" in text:
        text = _VSO.sub(lambda m: m[0][:-1] + "\\x5b", text)
    return text


def quoted_terminal_text(text: str) -> str:
    """Model text in double quotes inside a line of threatforge's own (a verdict): a ``"`` or
    ``\\`` in it is escaped first, so the text cannot close the quotes and go on as if it were
    threatforge's; then :func:`terminal_text`."""
    return '"' + terminal_text(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'
