"""Which exporters exist: the built-in list and plugins (entry point group
``threatforge.exporters``), resolved lazily so a command imports only the format it uses.

A plugin's entry point names an :class:`~threatforge.exporters.interface.Exporter` subclass (or
an instance). A plugin that fails to load, or reuses a built-in name, is reported and left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from threatforge.errors import ExportError
from threatforge.exporters.interface import AssessmentExporter, Exporter, ModelExporter
from threatforge.plugins import plugin_objects
from threatforge.text.hints import did_you_mean

if TYPE_CHECKING:
    from threatforge.assessment import Assessment
    from threatforge.model import Model

__all__ = [
    "BUILTIN_ASSESSMENT_FORMATS",
    "ENTRY_POINT_GROUP",
    "ExporterSet",
    "assessment_formats",
    "load_exporters",
    "render",
]

ENTRY_POINT_GROUP = "threatforge.exporters"

BUILTIN_ASSESSMENT_FORMATS: Mapping[str, str] = {
    "json": "threatforge.exporters.json_assessment:JsonExporter",
    "sarif": "threatforge.exporters.sarif:SarifExporter",
    "junit": "threatforge.exporters.junit:JunitExporter",
    "csv": "threatforge.exporters.csv_findings:CsvExporter",
    "markdown": "threatforge.exporters.markdown_findings:MarkdownExporter",
}
"""Built-in assessment formats, name -> ``module:class`` (imported on first use)."""
BUILTIN_MODEL_FORMATS: Mapping[str, str] = {
    "threat-composer": "threatforge.exporters.threat_composer:ThreatComposerExporter",
    "threat-dragon": "threatforge.exporters.threat_dragon:ThreatDragonExporter",
    "otm": "threatforge.exporters.otm:OtmExporter",
    "threagile": "threatforge.exporters.threagile:ThreagileExporter",
}
"""Built-in model formats (interchange with other tools), name -> ``module:class``."""


def assessment_formats() -> tuple[str, ...]:
    """The names of the built-in assessment formats, in the order they are documented."""
    return tuple(BUILTIN_ASSESSMENT_FORMATS)


def _builtin(target: str) -> Exporter:
    module_name, _, class_name = target.partition(":")
    exporter: type[Exporter] = getattr(import_module(module_name), class_name)
    return exporter()


@dataclass(frozen=True)
class ExporterSet:
    """The exporters for a run (built-in and plugins), and the plugins that could not load."""

    assessment: Mapping[str, str | Exporter]
    model: Mapping[str, str | Exporter]
    problems: tuple[str, ...]

    def assessment_exporter(self, name: str) -> AssessmentExporter:
        """The assessment exporter called ``name``; :class:`ExportError` naming the known ones
        (with "did you mean") otherwise."""
        if name in self.model and name not in self.assessment:
            raise ExportError(f"'{name}' is a model format, not an assessment format")
        found = _get(self.assessment, name, "assessment format")
        if not isinstance(found, AssessmentExporter):  # a table entry naming the wrong class
            raise ExportError(f"assessment format '{name}' is a {type(found).__name__}")
        return found

    def model_exporter(self, name: str) -> ModelExporter:
        """The model exporter called ``name`` (see :meth:`assessment_exporter`)."""
        if name in self.assessment and name not in self.model:
            raise ExportError(f"'{name}' is an assessment format, not a model format")
        found = _get(self.model, name, "model format")
        if not isinstance(found, ModelExporter):  # a table entry naming the wrong class
            raise ExportError(f"model format '{name}' is a {type(found).__name__}")
        return found


def _get(table: Mapping[str, str | Exporter], name: str, what: str) -> Exporter:
    entry = table.get(name)
    if entry is None:
        hint = did_you_mean(name, list(table))
        known = ", ".join(table) or "none"
        raise ExportError(f"unknown {what} '{name}'{hint} (known: {known})")
    return _builtin(entry) if isinstance(entry, str) else entry


def load_exporters(*, include_plugins: bool = True) -> ExporterSet:
    """Built-in exporters, then plugins; plugin problems are listed, never fatal."""
    assessment: dict[str, str | Exporter] = dict(BUILTIN_ASSESSMENT_FORMATS)
    model: dict[str, str | Exporter] = dict(BUILTIN_MODEL_FORMATS)
    problems: list[str] = []
    if include_plugins:
        loaded, problems = plugin_objects(ENTRY_POINT_GROUP, "exporter")
        for entry, exporter in loaded:
            if isinstance(exporter, AssessmentExporter):
                table = assessment
            elif isinstance(exporter, ModelExporter):
                table = model
            else:
                problems.append(
                    f"exporter plugin '{entry.name}' provided {type(exporter).__name__}, "
                    "not an AssessmentExporter or ModelExporter"
                )
                continue
            if exporter.name in table:
                problems.append(
                    f"exporter plugin '{entry.name}' provides format '{exporter.name}', which "
                    "is already taken; the plugin's format was left out"
                )
                continue
            table[exporter.name] = exporter
    return ExporterSet(assessment, model, tuple(problems))


def render(name: str, assessment: Assessment, model: Model) -> str | bytes:
    """The assessment in the built-in format ``name`` (no plugins)."""
    return load_exporters(include_plugins=False).assessment_exporter(name).export(
        assessment, model
    )
