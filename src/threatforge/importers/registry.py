"""Which importers exist: the built-in list and plugins (entry point group
``threatforge.importers``), resolved lazily so a command imports only the importer it uses.

A plugin's entry point names an :class:`~threatforge.importers.interface.Importer` subclass (or
an instance). A plugin that fails to load, or reuses a taken name, is reported and left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module

from threatforge.errors import ImporterError
from threatforge.importers.interface import Importer
from threatforge.plugins import plugin_objects
from threatforge.text.hints import did_you_mean

__all__ = ["BUILTIN_IMPORTERS", "ENTRY_POINT_GROUP", "ImporterSet", "load_importers"]

ENTRY_POINT_GROUP = "threatforge.importers"

BUILTIN_IMPORTERS: Mapping[str, str] = {
    "compose": "threatforge.importers.compose:ComposeImporter",
    "cloudformation": "threatforge.importers.cloudformation:CloudFormationImporter",
    "kubernetes": "threatforge.importers.kubernetes:KubernetesImporter",
    "openapi": "threatforge.importers.openapi:OpenApiImporter",
    "threat-composer": "threatforge.importers.threat_composer:ThreatComposerImporter",
    "threat-dragon": "threatforge.importers.threat_dragon:ThreatDragonImporter",
    "otm": "threatforge.importers.otm:OtmImporter",
    "threagile": "threatforge.importers.threagile:ThreagileImporter",
}
"""Built-in importers, name -> ``module:class`` (imported on first use)."""


@dataclass(frozen=True)
class ImporterSet:
    """The importers for a run (built-in and plugins), and the plugins that could not load."""

    importers: Mapping[str, str | Importer]
    problems: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.importers)

    def importer(self, name: str) -> Importer:
        """The importer called ``name``; :class:`ImporterError` naming the known ones (with
        "did you mean") otherwise."""
        entry = self.importers.get(name)
        if entry is None:
            hint = did_you_mean(name, list(self.importers))
            known = ", ".join(self.importers) or "none"
            raise ImporterError(f"unknown importer '{name}'{hint} (known: {known})")
        if isinstance(entry, Importer):
            return entry
        module_name, _, class_name = entry.partition(":")
        importer: type[Importer] = getattr(import_module(module_name), class_name)
        return importer()


def load_importers(*, include_plugins: bool = True) -> ImporterSet:
    """Built-in importers, then plugins; plugin problems are listed, never fatal."""
    importers: dict[str, str | Importer] = dict(BUILTIN_IMPORTERS)
    problems: list[str] = []
    if include_plugins:
        loaded, problems = plugin_objects(ENTRY_POINT_GROUP, "importer")
        for entry, importer in loaded:
            if not isinstance(importer, Importer):
                problems.append(
                    f"importer plugin '{entry.name}' provided {type(importer).__name__}, "
                    "not an Importer"
                )
            elif importer.name in importers or importer.name == "auto":
                problems.append(
                    f"importer plugin '{entry.name}' provides importer '{importer.name}', which "
                    "is already taken; the plugin's importer was left out"
                )
            else:
                importers[importer.name] = importer
    return ImporterSet(importers, tuple(problems))
