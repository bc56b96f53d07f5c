"""Model text made safe for Markdown (pull-request comments, requirement lists)."""

from __future__ import annotations

import html
import re

__all__ = ["code", "inert"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!~])")


def inert(text: str) -> str:
    """Text on one line with no HTML, no Markdown markup, no table pipes and no @mentions."""
    flat = " ".join(text.split())
    escaped = _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))
    return escaped.replace("@", "@\u2060")


def code(text: str) -> str:
    """Ids and fingerprints as inline code (backticks removed: ids never contain them)."""
    return f"`{text.replace('`', '')}`"
