"""Exporters: an Assessment (and its Model) in, text or bytes out. The caller writes files.

The names below load their module on first use, so that importing one exporter does not
import the others.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from threatforge.exporters.json_assessment import assessment_to_dict, render_json

__all__ = ["assessment_to_dict", "render_json"]

_LAZY = {
    "assessment_to_dict": "threatforge.exporters.json_assessment",
    "render_json": "threatforge.exporters.json_assessment",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
