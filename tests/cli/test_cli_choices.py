"""The CLI's choices are the library's enums, not copies of them (issue #13 item 9).

Each option whose values a library enum defines offers exactly that enum's values, and no module
of the CLI defines an enum whose values are a subset of a library enum's.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

import threatforge
from threatforge.assessment import DecisionStatus, Severity
from threatforge.cli import app
from threatforge.reports.choices import (
    DIAGRAM_EXTENSIONS,
    REPORT_EXTENSIONS,
    Audience,
    DiagramFormat,
    DiagramView,
    LayoutEngine,
    ReportFormat,
)

CLI = Path(threatforge.__file__).parent / "cli"

# no copy is left: `decide --status` offers the one decision vocabulary (assessment/)
KNOWN_COPIES: set[str] = set()


def _option_enums() -> dict[tuple[str, str], object]:
    """The enum each CLI option's values come from, by (command, option)."""
    command: Any = typer.main.get_command(app)
    found: dict[tuple[str, str], object] = {}
    for name, sub in command.commands.items():
        for param in sub.params:
            annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            if isinstance(annotation, type) and issubclass(annotation, StrEnum):
                found[(name, param.name)] = annotation
    return found


def test_each_option_offers_its_library_enum_itself() -> None:
    enums = _option_enums()
    expected: dict[tuple[str, str], type[StrEnum]] = {
        ("analyze", "min_severity"): Severity,
        ("check", "fail_on"): Severity,
        ("check", "fail_on_unreviewed"): Severity,
        ("requirements", "min_severity"): Severity,
        ("report", "audience"): Audience,
        ("report", "layout"): LayoutEngine,
        ("diagram", "view"): DiagramView,
        ("diagram", "layout"): LayoutEngine,
        ("decide", "status"): DecisionStatus,
    }
    for key, enum in expected.items():
        assert enums[key] is enum, key
    # the rest are the CLI's own (output formats of one command), checked below not to be copies
    own = {key: value for key, value in enums.items() if key not in expected}
    modules = {getattr(value, "__module__", "") for value in own.values()}
    assert all(module.startswith("threatforge.cli.") for module in modules), modules


def test_file_extensions_choose_only_formats_the_builders_know() -> None:
    assert set(REPORT_EXTENSIONS.values()) == set(ReportFormat)
    assert set(DIAGRAM_EXTENSIONS.values()) == set(DiagramFormat)


def _library_enums() -> dict[str, frozenset[str]]:
    enums: dict[str, frozenset[str]] = {}
    for info in pkgutil.walk_packages(threatforge.__path__, "threatforge."):
        if info.name.startswith("threatforge.cli") or info.name.endswith("__main__"):
            continue
        if info.name.startswith("threatforge.server"):
            continue  # optional extra, not installed in every environment
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
                enums[f"{value.__module__}.{value.__qualname__}"] = frozenset(
                    member.value for member in value
                )
    return enums


def _cli_enums() -> dict[str, frozenset[str]]:
    found: dict[str, frozenset[str]] = {}
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            if not any(isinstance(base, ast.Name) and base.id == "StrEnum" for base in node.bases):
                continue
            values = {
                statement.value.value
                for statement in node.body
                if isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            }
            found[node.name] = frozenset(values)
    return found


def test_no_cli_enum_copies_a_library_enum() -> None:
    library = _library_enums()
    assert "threatforge.reports.choices.Audience" in library  # the scan sees the library
    copies = {
        name: sorted(owner for owner, values in library.items() if len(cli) > 1 and cli <= values)
        for name, cli in _cli_enums().items()
    }
    assert {name: owners for name, owners in copies.items() if owners} == {
        name: owners for name, owners in copies.items() if name in KNOWN_COPIES
    }
    assert all(copies[name] for name in KNOWN_COPIES)  # a known copy that is gone: drop it above
