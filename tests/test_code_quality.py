"""The code stays lint-clean (ruff, including its security rules) and type-checks (mypy --strict).

These run the project's own configuration from pyproject.toml, so CI enforces what `make lint`
reports; a failure prints the tool's output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_ruff_is_clean_on_src_tests_and_bench() -> None:
    done = _run([str(BIN / "ruff"), "check", "--no-cache", "src", "tests", "bench"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean_on_src() -> None:
    done = _run([str(BIN / "mypy"), "--no-incremental"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout
