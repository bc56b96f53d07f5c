"""SECURITY.md's "Escaping and output files" points at tests that exist (issue #14 item 22)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _section(title: str) -> str:
    text = (ROOT / "SECURITY.md").read_text("utf-8")
    start = text.index(f"### {title}\n")
    end = text.index("\n### ", start + 1)
    return text[start:end]


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_test_the_escaping_section_names_exists() -> None:
    section = _section("Escaping and output files")
    named: list[tuple[str, str]] = []
    current = ""
    # `tests/x.py::test_y`, then `::test_z` (same file), or `test_w` after a bare `tests/x.py`
    for match in re.finditer(r"`(tests/[\w/]+\.py)?(?:::)?(test_\w+)?`", section):
        file, test = match[1], match[2]
        if file:
            current = file
            assert (ROOT / file).exists(), file
        if test:
            named.append((current, test))
    assert {file for file, _ in named} == {
        "tests/cli/test_output_files.py",
        "tests/cli/test_table.py",
        "tests/exporters/test_sarif.py",
        "tests/reports/test_reports.py",
        "tests/rules/test_metadata.py",
        "tests/sdlc/test_sdlc_diff.py",
        "tests/text/test_output_attacks.py",
    }
    for file, test in named:
        assert test in _tests_in(ROOT / file), f"{file}::{test}"


def _named(section: str) -> list[tuple[str, str]]:
    named: list[tuple[str, str]] = []
    current = ""
    for match in re.finditer(r"`(tests/[\w/]+\.py)?(?:::)?(test_\w+)?`", section):
        file, test = match[1], match[2]
        if file:
            current = file
            assert (ROOT / file).exists(), file
        if test:
            named.append((current, test))
    return named


def test_every_test_the_verdict_and_decide_section_names_exists() -> None:
    section = _section(
        "The verdict line, JSON strings, model-level findings, `decide` and `fmt --diff`"
    )
    named = _named(section)
    assert len(named) == 18
    assert {file for file, _ in named} == {
        "tests/cli/test_decide.py",
        "tests/cli/test_fmt.py",
        "tests/cli/test_terminal_output.py",
        "tests/hardening/test_reader_attacks.py",
        "tests/model/test_json_reader.py",
        "tests/sdlc/test_gate_decisions.py",
        "tests/text/test_output_attacks.py",
    }
    for file, test in named:
        assert test in _tests_in(ROOT / file), f"{file}::{test}"
    for case in re.findall(r"`((?:baseline|sarif|model)/[\w.-]+)`", section):
        assert (ROOT / "tests" / "corpus" / case).exists(), case
