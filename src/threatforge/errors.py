"""The exception tree of threatforge.

::

    ThreatforgeError            every error threatforge raises on purpose
    ├── ModelError              a model file is invalid (in threatforge.model: its Diagnostics)
    ├── RuleError               a rule or a rule pack is broken
    ├── ImporterError           an importer could not read its input
    ├── ExportError             an exporter or report could not be produced
    └── ServerError             the server refused or failed a request

Messages say what was wrong, where, and what to do about it.
"""

from __future__ import annotations

__all__ = [
    "ExportError",
    "ImporterError",
    "RuleError",
    "ServerError",
    "ThreatforgeError",
]


class ThreatforgeError(Exception):
    """Root of every error threatforge raises on purpose."""


class RuleError(ThreatforgeError):
    """A rule or rule pack is malformed or failed to load."""


class ImporterError(ThreatforgeError):
    """An importer could not read its input."""


class ExportError(ThreatforgeError):
    """An exporter or report could not be produced."""


class ServerError(ThreatforgeError):
    """The server refused or failed a request."""
