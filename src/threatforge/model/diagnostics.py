"""Diagnostics: errors and warnings about a model, located at ``file:line:column``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from threatforge.errors import ThreatforgeError

__all__ = ["Diagnostic", "Level", "Location", "ModelError"]


class Level(StrEnum):
    """How serious a diagnostic is: errors stop the load, warnings are model gaps."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; ``line`` and ``column`` count from 1 (0 means unknown).

    Shown as ``file:line:column``, ``file:line`` (a Terraform resource) or ``file`` alone, which
    may be any label (a database row: ``models/7 components/3``).
    """

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a model, with the place it was found and what to do."""

    level: Level
    location: Location
    message: str
    code: str = ""

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def format(self) -> str:
        """``file:line:column: level: message`` — the form editors and CI logs understand."""
        return f"{self.location}: {self.level.value}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line, self.location.column, self.message)


class ModelError(ThreatforgeError):
    """A model could not be loaded; ``diagnostics`` lists every problem found, in file order."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        first = errors[0].format() if errors else "invalid model"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)
