"""The exception tree of threatforge.

::

    ThreatforgeError            every error threatforge raises on purpose
    ├── ModelError              a model file is invalid (carries every Diagnostic found)
    ├── RuleError               a rule or a rule pack is broken
    ├── ImporterError           an importer could not read its input
    ├── ExportError             an exporter or report could not be produced
    └── ServerError             the server refused or failed a request

Messages say what was wrong, where, and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from threatforge.model.diagnostics import Diagnostic

__all__ = [
    "ExportError",
    "ImporterError",
    "ModelError",
    "RuleError",
    "ServerError",
    "ThreatforgeError",
]


class ThreatforgeError(Exception):
    """Root of every error threatforge raises on purpose."""


class ModelError(ThreatforgeError):
    """A model could not be loaded; ``diagnostics`` lists every problem found, in file order."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        first = errors[0].format() if errors else "invalid model"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class RuleError(ThreatforgeError):
    """A rule or rule pack is malformed or failed to load."""


class ImporterError(ThreatforgeError):
    """An importer could not read its input."""


class ExportError(ThreatforgeError):
    """An exporter or report could not be produced."""


class ServerError(ThreatforgeError):
    """The server refused or failed a request."""
