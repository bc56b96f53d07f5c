"""The exporter registry: built-in formats by name, plugins through the
``threatforge.exporters`` entry point group, broken plugins reported, the CLI's --format choices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge import plugins
from threatforge.assessment import Assessment
from threatforge.cli import app
from threatforge.errors import ExportError
from threatforge.exporters import registry
from threatforge.exporters.interface import AssessmentExporter, ModelExporter
from threatforge.exporters.json_assessment import render_json
from threatforge.model import Model

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "card-checkout" / "threatmodel.yaml"


class CountExporter(AssessmentExporter):
    """A plugin format: the number of findings."""

    name = "count"
    description = "How many findings."
    suffix = ".txt"

    def export(self, assessment: Assessment, model: Model) -> str:
        return f"{len(assessment.findings)} findings in {model.system.name}\n"


class NamesExporter(ModelExporter):
    """A plugin model format: the component ids."""

    name = "names"
    description = "Component ids."
    suffix = ".txt"

    def export(self, model: Model, assessment: Assessment | None = None) -> str:
        return "\n".join(model.components) + "\n"


class TakenExporter(CountExporter):
    name = "json"


@dataclass(frozen=True)
class FakeEntryPoint:
    name: str
    value: str
    loader: Callable[[], object]

    def load(self) -> object:
        return self.loader()


def _broken() -> object:
    raise ModuleNotFoundError("No module named 'acme_formats'")


def install(monkeypatch: pytest.MonkeyPatch, *entries: FakeEntryPoint) -> None:
    def fake(*, group: str) -> list[FakeEntryPoint]:
        assert group == registry.ENTRY_POINT_GROUP
        return list(entries)

    monkeypatch.setattr(plugins, "entry_points", fake)


def test_builtin_formats_resolve_by_name_and_render_as_their_functions(
    card_checkout: tuple[Assessment, Model],
) -> None:
    assessment, model = card_checkout
    exporters = registry.load_exporters(include_plugins=False)
    assert registry.assessment_formats() == ("json", "sarif", "junit", "csv", "markdown")
    json_exporter = exporters.assessment_exporter("json")
    assert (json_exporter.name, json_exporter.suffix, json_exporter.media_type) == (
        "json", ".json", "application/json",
    )
    assert json_exporter.export(assessment, model) == render_json(assessment, model)
    assert registry.render("json", assessment, model) == render_json(assessment, model)


def test_an_unknown_format_names_the_known_ones_with_a_hint() -> None:
    exporters = registry.load_exporters(include_plugins=False)
    with pytest.raises(ExportError) as raised:
        exporters.assessment_exporter("sarf")
    assert str(raised.value) == (
        "unknown assessment format 'sarf' — did you mean 'sarif'? "
        "(known: json, sarif, junit, csv, markdown)"
    )


def test_plugins_add_formats_and_broken_or_clashing_ones_are_reported(
    monkeypatch: pytest.MonkeyPatch, card_checkout: tuple[Assessment, Model]
) -> None:
    assessment, model = card_checkout
    install(
        monkeypatch,
        FakeEntryPoint("count", "acme:CountExporter", lambda: CountExporter),
        FakeEntryPoint("names", "acme:NamesExporter", lambda: NamesExporter()),
        FakeEntryPoint("broken", "acme_formats:X", _broken),
        FakeEntryPoint("taken", "acme:TakenExporter", lambda: TakenExporter),
        FakeEntryPoint("odd", "acme:odd", lambda: 42),
    )
    exporters = registry.load_exporters()
    assert exporters.problems == (
        "exporter plugin 'broken' (acme_formats:X) failed to load: ModuleNotFoundError: "
        "No module named 'acme_formats'",
        "exporter plugin 'odd' provided int, not an AssessmentExporter or ModelExporter",
        "exporter plugin 'taken' provides format 'json', which is already taken; the plugin's "
        "format was left out",
    )
    count = exporters.assessment_exporter("count").export(assessment, model)
    assert count == f"{len(assessment.findings)} findings in Card checkout\n"
    assert exporters.model_exporter("names").export(model).startswith("shopper\n")
    with pytest.raises(ExportError, match=r"^'names' is a model format, not an assessment format$"):
        exporters.assessment_exporter("names")
    with pytest.raises(ExportError, match=r"^'csv' is an assessment format, not a model format$"):
        exporters.model_exporter("csv")
    # the built-in json format is still the built-in one
    assert exporters.assessment_exporter("json").export(assessment, model) == render_json(
        assessment, model
    )


def test_the_cli_format_option_takes_plugin_formats_and_refuses_unknown_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install(monkeypatch, FakeEntryPoint("count", "acme:CountExporter", lambda: CountExporter))
    done = CliRunner().invoke(app, ["analyze", str(EXAMPLE), "--format", "count"])
    assert done.exit_code == 0, done.output
    assert done.stdout.endswith("findings in Card checkout\n")
    done = CliRunner().invoke(app, ["analyze", str(EXAMPLE), "--format", "jsn"])
    assert done.exit_code == 2
    assert "--format: unknown assessment format 'jsn' — did you mean 'json'?" in done.output
