"""The CLI's fast JSON output of attack paths is ``json.dumps`` of the same data, on the
bundled examples and a generated 400-component estate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.analysis import find_paths
from threatforge.analysis.render import paths_to_dict
from threatforge.cli import app
from threatforge.model import load

# tests/exporters is not a package: its model generator is imported from its folder
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exporters"))
from bench_models import generated_model as generate_model

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_model(tmp_path_factory.mktemp("estate") / "threatmodel.yaml", 400)


def test_paths_json_is_one_layout_whatever_the_number_of_paths(estate: Path) -> None:
    for model_path in [*EXAMPLES, estate]:
        result = CliRunner().invoke(app, ["-q", "paths", str(model_path), "--format", "json"])
        assert result.exit_code == 0, result.output
        search = find_paths(load(model_path))
        assert result.stdout == json.dumps(paths_to_dict(search), indent=2) + "\n"
    assert len(search.paths) > 500
