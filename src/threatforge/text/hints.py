"""The "did you mean" hint every error message about an unknown name uses."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(
    value: str, options: Iterable[str], *, cutoff: float = 0.6, prefix: str = ""
) -> str:
    """`` — did you mean 'x'?`` for the closest option (shown after ``prefix``), else ""."""
    close = difflib.get_close_matches(value, sorted(options), n=1, cutoff=cutoff)
    return f" — did you mean '{prefix}{close[0]}'?" if close else ""
