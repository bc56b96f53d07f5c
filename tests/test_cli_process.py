"""The console script as a whole process: exit codes, complete output, then a fast exit.

``threatforge.cli.main`` ends the process with ``os._exit`` once the command has returned and
its output is flushed (no interpreter teardown). These runs check that nothing is lost on the
way: the exit code, everything written to stdout, stderr and files, and ``atexit`` handlers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from threatforge.analysis import find_paths
from threatforge.model import load

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"
SCRIPT = Path(sys.executable).parent / "threatforge"
TIMEOUT = 120


def _run(*args: str, script: bool = True) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "threatforge"]
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
    )


@pytest.fixture(autouse=True)
def _needs_the_console_script() -> None:
    if not SCRIPT.exists():
        pytest.skip("the threatforge console script is not installed next to this Python")


@pytest.mark.parametrize("script", [True, False], ids=["console-script", "python-m"])
def test_a_passing_command_exits_0_with_its_output(script: bool) -> None:
    result = _run("validate", str(EXAMPLE), "--format", "json", script=script)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["files"][0]["valid"] is True


def test_a_failed_gate_exits_1_with_its_verdict() -> None:
    result = _run("-q", "check", str(EXAMPLE), "--fail-on", "low", "--today", "2026-01-01",
                  "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert (document["passed"], document["fail_on"]) == (False, "low")


def test_bad_input_exits_2_with_the_error_on_stderr(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = _run("-q", "analyze", str(missing))
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"error: {missing} is not a valid model (1 errors)" in result.stderr


def test_usage_errors_exit_2() -> None:
    result = _run("analyze", "--format", "pdf", str(EXAMPLE))
    assert result.returncode == 2
    assert "--format: unknown assessment format 'pdf'" in result.stderr
    assert "known: json, sarif" in result.stderr


def test_version_exits_0() -> None:
    result = _run("--version")
    assert (result.returncode, result.stdout) == (0, "threatforge 0.1.0\n")


def test_large_outputs_are_complete_on_stdout_and_in_files(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "exporters"))
    from bench_models import generated_model as generate_model

    model = generate_model(tmp_path / "threatmodel.yaml", 250)
    out = tmp_path / "assessment.json"
    written = _run("-q", "analyze", str(model), "--format", "json", "-o", str(out),
                   "--today", "2026-01-01")
    assert (written.returncode, written.stdout, written.stderr) == (0, "", "")
    printed = _run("-q", "analyze", str(model), "--format", "json", "--today", "2026-01-01")
    assert printed.returncode == 0
    assert printed.stdout == out.read_text(encoding="utf-8")
    document = json.loads(printed.stdout)
    assert len(document["findings"]) == document["summary"]["findings"] > 200
    paths = _run("-q", "paths", str(model), "--format", "json")
    assert paths.returncode == 0
    assert len(json.loads(paths.stdout)["paths"]) == len(find_paths(load(model)).paths) > 300
    table = _run("-q", "paths", str(model))
    assert table.returncode == 0
    assert table.stdout.rstrip("\n").splitlines()[-1].startswith("not reached from any entry")


def test_atexit_handlers_still_run() -> None:
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('atexit ran', file=sys.stderr))\n"
        "sys.argv = ['threatforge', '-q', 'validate', sys.argv[1]]\n"
        "from threatforge.cli import main\n"
        "main()\n"
        "print('not reached')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLE)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "not reached" not in result.stdout
    assert result.stderr == "atexit ran\n"


def test_what_an_atexit_handler_prints_on_buffered_stdout_is_not_lost() -> None:
    code = (
        "import atexit\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "import sys\n"
        "sys.argv = ['threatforge', '-q', 'validate', sys.argv[1]]\n"
        "from threatforge.cli import main\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a piped stdout
    result = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLE)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "atexit ran\n"
