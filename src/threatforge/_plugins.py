"""Entry points of installed plugins, the one way every registry (rules, importers, exporters)
finds them."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

__all__ = ["installed_entry_points"]


def installed_entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group``, in name order."""
    return sorted(entry_points(group=group), key=lambda e: e.name)
