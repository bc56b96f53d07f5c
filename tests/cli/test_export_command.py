"""``threatforge export KIND MODEL``: a model format (built-in or plugin) with the results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge import plugins
from threatforge.assessment import Assessment
from threatforge.cli import app
from threatforge.exporters import registry
from threatforge.exporters.interface import ModelExporter
from threatforge.model import Model

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "card-checkout" / "threatmodel.yaml"


class IdsExporter(ModelExporter):
    """A model format: component ids, then how many results came with the model."""

    name = "ids"
    description = "Component ids."
    suffix = ".txt"

    def export(self, model: Model, assessment: Assessment | None = None) -> str:
        assert assessment is not None
        results = (
            f"{len(assessment.findings)} findings, "
            f"{len(assessment.applicable_threats)} applicable threats"
        )
        return ",".join(model.components) + f"\n{results}\n"

    def dropped(self, model: Model) -> tuple[str, ...]:
        return (f"the {len(model.flows)} flows' protocols",)


@dataclass(frozen=True)
class FakeEntryPoint:
    name: str
    value: str
    loader: Callable[[], object]

    def load(self) -> object:
        return self.loader()


@pytest.fixture
def ids_format(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(*, group: str) -> list[FakeEntryPoint]:
        return [FakeEntryPoint("ids", "acme:IdsExporter", lambda: IdsExporter)] if (
            group == registry.ENTRY_POINT_GROUP
        ) else []

    monkeypatch.setattr(plugins, "entry_points", fake)


def _expected_results() -> str:
    from threatforge.cli._common import analyse_model, load_model

    assessment = analyse_model(load_model(EXAMPLE), untrusted=[EXAMPLE.parent])
    return (
        f"{len(assessment.findings)} findings, "
        f"{len(assessment.applicable_threats)} applicable threats"
    )


def test_export_runs_the_engine_and_hands_the_results_to_the_format(ids_format: None) -> None:
    done = CliRunner().invoke(app, ["export", "ids", str(EXAMPLE)])
    assert done.exit_code == 0, done.output
    first, results = done.stdout.splitlines()[:2]
    assert first.startswith("shopper,")
    assert results == _expected_results()
    assert "warning: ids cannot carry the 31 flows' protocols" in done.stderr


def test_no_results_exports_the_model_alone_and_output_writes_the_file(
    ids_format: None, tmp_path: Path
) -> None:
    target = tmp_path / "out.txt"
    done = CliRunner().invoke(
        app, ["export", "ids", str(EXAMPLE), "--no-results", "-o", str(target)]
    )
    assert done.exit_code == 0, done.output
    assert target.read_text(encoding="utf-8").splitlines()[1] == (
        "0 findings, 0 applicable threats"
    )
    assert f"wrote the ids export to {target}" in done.stderr


def test_an_unknown_format_or_an_assessment_format_exits_2_with_the_way_out(
    ids_format: None,
) -> None:
    done = CliRunner().invoke(app, ["export", "idz", str(EXAMPLE)])
    assert done.exit_code == 2
    assert "unknown model format 'idz' — did you mean 'ids'?" in done.output
    done = CliRunner().invoke(app, ["export", "sarif", str(EXAMPLE)])
    assert done.exit_code == 2
    assert (
        "'sarif' is an assessment format, not a model format; for results use "
        "'threatforge analyze MODEL --format sarif'"
    ) in done.output
