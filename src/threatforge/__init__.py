"""threatforge: threat modeling and security design review as code.

>>> import threatforge
>>> model = threatforge.load("threatmodel.yaml")
"""

from __future__ import annotations

from threatforge.errors import (
    ExportError,
    ImporterError,
    ModelError,
    RuleError,
    ServerError,
    ThreatforgeError,
)
from threatforge.model import Model, load, load_source, load_text

__version__ = "0.1.0"

__all__ = [
    "ExportError",
    "ImporterError",
    "Model",
    "ModelError",
    "RuleError",
    "ServerError",
    "ThreatforgeError",
    "__version__",
    "load",
    "load_source",
    "load_text",
]
