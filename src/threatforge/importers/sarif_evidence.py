"""Scanner results (SARIF) mapped onto components as evidence. Filled in by the SDLC issue."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from threatforge.errors import ImporterError
from threatforge.model import Model
from threatforge.rules.interface import Evidence

__all__ = ["load_evidence"]


def load_evidence(paths: Sequence[Path], model: Model) -> tuple[list[Evidence], list[str]]:
    """Read SARIF files; return evidence mapped to components and descriptions of the rest."""
    raise ImporterError("scanner evidence (--evidence) is not implemented yet")
