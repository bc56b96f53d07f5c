"""The library's docstrings name only commands that exist, and the importer interface says which
importers are built in (issue 16: ``threatforge import`` runs them)."""

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


def test_the_importer_interface_names_the_built_in_importers_and_the_command() -> None:
    from threatforge.importers import interface
    from threatforge.importers.registry import BUILTIN_IMPORTERS

    assert BUILTIN_IMPORTERS == {
        "compose": "threatforge.importers.compose:ComposeImporter",
        "cloudformation": "threatforge.importers.cloudformation:CloudFormationImporter",
        "kubernetes": "threatforge.importers.kubernetes:KubernetesImporter",
        "openapi": "threatforge.importers.openapi:OpenApiImporter",
        "threat-composer": "threatforge.importers.threat_composer:ThreatComposerImporter",
        "threat-dragon": "threatforge.importers.threat_dragon:ThreatDragonImporter",
        "otm": "threatforge.importers.otm:OtmImporter",
        "threagile": "threatforge.importers.threagile:ThreagileImporter",
    }
    assert interface.__doc__ is not None
    assert (
        "(``compose``, ``cloudformation``, ``kubernetes``, ``openapi``, ``threat-composer``, "
        "``threat-dragon``, ``otm`` and ``threagile`` today)"
        in " ".join(interface.__doc__.split())
    )
    assert "``threatforge import KIND PATH...``" in interface.__doc__
    assert "import" in _commands()
