"""Entry points of installed plugins, the one way the importer and exporter registries find
them. It imports nothing from threatforge, so it sits in the bottom layer (docs/architecture.md).
This is how threatforge loads plugins, not the interface a plugin implements: that is
:class:`threatforge.importers.interface.Importer`,
:class:`threatforge.exporters.interface.AssessmentExporter` or :class:`threatforge.rules.Rule`."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

__all__ = ["installed_entry_points", "plugin_objects"]


def installed_entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group``, in name order."""
    return sorted(entry_points(group=group), key=lambda e: e.name)


def plugin_objects(group: str, what: str) -> tuple[list[tuple[EntryPoint, Any]], list[str]]:
    """Each plugin of ``group`` loaded (a class is instantiated), and the problems of those
    that failed, naming them as ``what`` ("exporter", "importer"): a broken plugin is
    reported, never fatal."""
    loaded: list[tuple[EntryPoint, Any]] = []
    problems: list[str] = []
    for entry in installed_entry_points(group):
        try:
            found = entry.load()
            loaded.append((entry, found() if isinstance(found, type) else found))
        except Exception as exc:  # anything a plugin raises is its problem, reported
            problems.append(
                f"{what} plugin '{entry.name}' ({entry.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            )
    return loaded, problems
