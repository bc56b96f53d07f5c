"""The importer registry: plugins through the ``threatforge.importers`` entry point group,
broken or clashing plugins reported, unknown names refused with a hint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from threatforge import plugins
from threatforge.errors import ImporterError
from threatforge.importers import ENTRY_POINT_GROUP, ImportedModel, Importer, load_importers
from threatforge.model import Component, ComponentKind, Location, Model, System


class ListImporter(Importer):
    """A plugin importer: one service per line of a text file."""

    name = "lines"
    description = "One service per line."
    patterns = ("*.txt",)

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        components: dict[str, Component] = {}
        origins: dict[str, Location] = {}
        for path in paths:
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                components[line] = Component(id=line, kind=ComponentKind.SERVICE)
                origins[line] = Location(path.name, number, 1)
        model = Model(system=System(name="Listed"), components=components)
        return ImportedModel(model, origins, (f"read {len(components)} services",))


class TakenImporter(ListImporter):
    name = "lines"


@dataclass(frozen=True)
class FakeEntryPoint:
    name: str
    value: str
    loader: Callable[[], object]

    def load(self) -> object:
        return self.loader()


def _broken() -> object:
    raise ModuleNotFoundError("No module named 'acme_importers'")


def install(monkeypatch: pytest.MonkeyPatch, *entries: FakeEntryPoint) -> None:
    def fake(*, group: str) -> list[FakeEntryPoint]:
        assert group == ENTRY_POINT_GROUP
        return list(entries)

    monkeypatch.setattr(plugins, "entry_points", fake)


def test_a_plugin_importer_reads_files_into_a_model_with_origins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(
        monkeypatch,
        FakeEntryPoint("a-broken", "acme_importers:X", _broken),
        FakeEntryPoint("lines", "acme:ListImporter", lambda: ListImporter),
        FakeEntryPoint("lines-again", "acme:TakenImporter", lambda: TakenImporter()),
        FakeEntryPoint("odd", "acme:odd", lambda: "text"),
    )
    importers = load_importers()
    assert importers.problems == (
        "importer plugin 'a-broken' (acme_importers:X) failed to load: ModuleNotFoundError: "
        "No module named 'acme_importers'",
        "importer plugin 'lines-again' provides importer 'lines', which is already taken; the "
        "plugin's importer was left out",
        "importer plugin 'odd' provided str, not an Importer",
    )
    assert importers.names == (
        "compose", "cloudformation", "kubernetes", "openapi", "threat-composer", "threat-dragon",
        "otm", "threagile", "lines",
    )
    listing = tmp_path / "services.txt"
    listing.write_text("orders\npayments\n")
    imported = importers.importer("lines").read([listing])
    assert list(imported.model.components) == ["orders", "payments"]
    assert str(imported.origins["payments"]) == "services.txt:2:1"
    assert imported.notes == ("read 2 services",)


def test_an_unknown_importer_is_refused_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, FakeEntryPoint("lines", "acme:ListImporter", lambda: ListImporter))
    with pytest.raises(ImporterError) as raised:
        load_importers().importer("line")
    assert str(raised.value) == (
        "unknown importer 'line' — did you mean 'lines'? "
        "(known: compose, cloudformation, kubernetes, openapi, threat-composer, threat-dragon, "
        "otm, threagile, lines)"
    )
    assert load_importers(include_plugins=False).names == (
        "compose", "cloudformation", "kubernetes", "openapi", "threat-composer", "threat-dragon",
        "otm", "threagile",
    )
