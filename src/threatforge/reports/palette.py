"""Colours shared by every drawing and the report stylesheet (one place to change them).

Colour is never the only cue: severities also carry a text badge and a heavier outline, trust
levels a word in the cluster title and a line style.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from threatforge.model import Classification, TrustLevel
from threatforge.rules import Severity

__all__ = ["CLASSIFICATION", "NEUTRAL", "SEVERITY", "TRUST", "Colours"]


@dataclass(frozen=True, slots=True)
class Colours:
    """An outline (and text) colour, a fill, and an outline width in points."""

    line: str
    fill: str
    width: float = 1.0
    dashed: bool = False


NEUTRAL = Colours("#37474f", "#ffffff", 1.0)
DIMMED = Colours("#b0bec5", "#f5f7f8", 1.0)

SEVERITY: Mapping[Severity, Colours] = {
    Severity.CRITICAL: Colours("#7f0000", "#ffcdd2", 3.0),
    Severity.HIGH: Colours("#c62828", "#ffe0dc", 2.5),
    Severity.ELEVATED: Colours("#d84315", "#ffe9d6", 2.0),
    Severity.MEDIUM: Colours("#8d6e00", "#fff4c2", 1.5),
    Severity.LOW: Colours("#1565c0", "#e3f0fb", 1.2),
}

TRUST: Mapping[TrustLevel, Colours] = {
    TrustLevel.UNTRUSTED: Colours("#c62828", "#fdf1f0", 1.2, dashed=True),
    TrustLevel.SEMI_TRUSTED: Colours("#b26a00", "#fff9ec", 1.2, dashed=True),
    TrustLevel.TRUSTED: Colours("#2e7d32", "#f1f8f1", 1.2),
    TrustLevel.RESTRICTED: Colours("#283593", "#eef0fb", 2.0),
}

CLASSIFICATION: Mapping[Classification, Colours] = {
    Classification.RESTRICTED: Colours("#7f0000", "#ffcdd2", 2.0),
    Classification.CONFIDENTIAL: Colours("#d84315", "#ffe9d6", 1.5),
    Classification.INTERNAL: Colours("#1565c0", "#e3f0fb", 1.0),
    Classification.PUBLIC: Colours("#37474f", "#ffffff", 1.0),
}
