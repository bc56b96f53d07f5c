"""The benchmark scripts work on a tiny size (figures are checked by hand, never here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from threatforge.model import load

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402  (bench/ is not a package)
import run  # noqa: E402


def test_generated_model_is_valid_and_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (first, second):
        assert generate.main(["--components", "60", "--seed", "7", "-o", str(path)]) == 0
    assert first.read_text() == second.read_text()
    model = load(first)
    assert len(model.components) == 60
    assert len(model.flows) == 180
    kinds = {c.kind.value for c in model.components.values()}
    assert {"actor", "gateway", "service", "function", "datastore", "secrets-store"} <= kinds
    classifications = {d.classification.value for d in model.data.values()}
    assert classifications == {"public", "internal", "confidential", "restricted"}
    assert model.graph.entry_points  # attackers have somewhere to start
    assert any(b.trust.value == "restricted" for b in model.boundaries.values())


def test_other_seed_gives_other_model(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    generate.main(["--components", "40", "--seed", "1", "-o", str(a)])
    generate.main(["--components", "40", "--seed", "2", "-o", str(b)])
    assert a.read_text() != b.read_text()


def test_pytm_script_is_valid_python(tmp_path: Path) -> None:
    model, script = tmp_path / "m.yaml", tmp_path / "m_pytm.py"
    generate.main(["--components", "30", "-o", str(model), "--pytm", str(script)])
    source = script.read_text()
    compile(source, str(script), "exec")
    assert source.count("Dataflow(") == 90


def test_run_measures_a_whole_process() -> None:
    measured = run.run_once([sys.executable, "-c", "x = bytearray(30 * 1024 * 1024)"], timeout=30)
    assert measured.code == 0
    assert measured.rss_mb >= 30
    assert 0 < measured.wall < 30


def test_growth_exponent() -> None:
    assert run.exponent((1000, 1.0), (10000, 10.0)) == 1.0
    assert round(run.exponent((1000, 1.0), (10000, 100.0)), 6) == 2.0


def test_quick_run_on_tiny_sizes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--sizes", "40", "--no-pytm",
         "--no-write"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "analyze + JSON output, 40 components" in done.stdout
    assert "load + validate, 40 components" in done.stdout
