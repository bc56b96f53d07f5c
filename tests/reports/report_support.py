"""Helpers for report tests: the bundled examples and a hostile model, analysed once.

A plain module (not a conftest) so that test files can import it by name.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from system_deps import require_binary
from threatforge.model import Model, load
from threatforge.rules import Assessment, analyze

TODAY = date(2026, 1, 1)
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_NAMES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/threatmodel.yaml"))
HOSTILE = Path(__file__).parent / "data" / "hostile.yaml"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img onerror=alert(1) src=x>'


@cache
def analysed(path: Path) -> tuple[Model, Assessment]:
    """A model and its assessment as of :data:`TODAY` (cached: analysis is the slow part)."""
    model = load(path)
    return model, analyze(model, today=TODAY)


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "threatmodel.yaml"

__all__ = ["analysed", "example_path", "require_binary"]
