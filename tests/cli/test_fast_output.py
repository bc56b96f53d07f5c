"""The CLI's fast output paths print exactly what the slow ones print.

Tables are compared with Rich printing the same rows (the fast layout switched off); JSON with
``json.dumps`` of the same data. On the bundled examples and a generated 400-component estate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.analysis import find_paths
from threatforge.analysis.render import paths_to_dict
from threatforge.cli import _table, app
from threatforge.model import load

# tests/exporters is not a package: its model generator is imported from its folder
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exporters"))
from bench_models import generated_model as generate_model

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_model(tmp_path_factory.mktemp("estate") / "threatmodel.yaml", 400)


def _run(args: list[str], *, rich_only: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patch:
        if rich_only:
            patch.setattr(_table, "render_table_text", lambda *args: None)
        result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _commands(model: Path) -> list[list[str]]:
    text = str(model)
    return [
        ["paths", text],
        ["paths", text, "--k", "1", "--max-depth", "3"],
        ["analyze", text, "--today", "2026-01-01"],
        ["scope", "--pci", text],
        ["privacy", text],
    ]


@pytest.mark.parametrize("model", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_example_tables_print_as_rich_prints_them(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in _commands(model):
        fast = _run(args, rich_only=False, monkeypatch=monkeypatch)
        assert fast == _run(args, rich_only=True, monkeypatch=monkeypatch), args
        assert "┏" in fast, args


def test_blast_radius_table_prints_as_rich_prints_it(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["blast-radius", str(EXAMPLES[0]), "payment-fn"]
    fast = _run(args, rich_only=False, monkeypatch=monkeypatch)
    assert fast == _run(args, rich_only=True, monkeypatch=monkeypatch)
    assert "compromising 'payment-fn' reaches" in fast


def test_large_tables_print_as_rich_prints_them(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in (["paths", str(estate)], ["analyze", str(estate), "--today", "2026-01-01"]):
        fast = _run(args, rich_only=False, monkeypatch=monkeypatch)
        assert fast == _run(args, rich_only=True, monkeypatch=monkeypatch), args
        assert fast.count("\n") > 2000


def test_paths_json_is_one_layout_whatever_the_number_of_paths(estate: Path) -> None:
    for model_path in [*EXAMPLES, estate]:
        result = CliRunner().invoke(app, ["-q", "paths", str(model_path), "--format", "json"])
        assert result.exit_code == 0, result.output
        search = find_paths(load(model_path))
        assert result.stdout == json.dumps(paths_to_dict(search), indent=2) + "\n"
    assert len(search.paths) > 500
