"""The library's docstrings name only commands that exist (``threatforge import`` does not yet:
the importer interface is the seam for the model importers of issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from threatforge.cli import app

SRC = Path(__file__).resolve().parents[2] / "src/threatforge"


def _commands() -> set[str]:
    group = typer.main.get_group(app)
    return set(group.commands)


def test_every_command_a_docstring_names_exists() -> None:
    named = {
        (path.relative_to(SRC).as_posix(), match.group(1))
        for path in sorted(SRC.rglob("*.py"))
        for match in re.finditer(r"``threatforge ([a-z][a-z-]+)", path.read_text(encoding="utf-8"))
    }
    assert len(named) > 10
    assert sorted(item for item in named if item[1] not in _commands()) == []


def test_the_importer_interface_says_no_command_runs_an_importer_yet() -> None:
    from threatforge.importers import interface
    from threatforge.importers.registry import BUILTIN_IMPORTERS

    assert BUILTIN_IMPORTERS == {}
    assert interface.__doc__ is not None
    assert "none is built in yet" in interface.__doc__
    assert "threatforge import" not in interface.__doc__
