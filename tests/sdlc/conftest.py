"""Fixtures for the SDLC tests: the CLI runner, a working folder and a git repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from sdlc_models import ORDERS, ORDERS_WITH_BACKDOOR, Invoke, git
from typer.testing import CliRunner, Result

from threatforge.cli import app


@pytest.fixture
def invoke() -> Invoke:
    """``invoke("check", "m.yaml", ...)`` runs the CLI in-process and returns the result."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args))

    return run


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory (paths in output stay short and exact)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def repo(folder: Path) -> Path:
    """A git repository with two commits: the secure model, then the backdoor flow added."""
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "commit.gpgsign", "false")
    (folder / "threatmodel.yaml").write_text(ORDERS, encoding="utf-8")
    git(folder, "add", "threatmodel.yaml")
    git(folder, "commit", "-q", "-m", "secure model")
    (folder / "threatmodel.yaml").write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    git(folder, "commit", "-q", "-am", "add a direct flow")
    return folder
