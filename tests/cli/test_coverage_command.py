"""``threatforge coverage MODEL [--format table|json|markdown] [-o FILE]`` (#15.7)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from threatforge.assessment.coverage import (
    STATE_SYMBOLS,
    compute_coverage,
    coverage_markdown,
    coverage_to_dict,
)
from threatforge.cli import app
from threatforge.model import load
from threatforge.rules import analyze, builtin_rules

FIXTURE = Path(__file__).resolve().parents[1] / "assessment" / "fixtures" / "coverage.yaml"
TODAY = "2026-12-01"


def _library(path: Path) -> dict[str, object]:
    model = load(path)
    rules = builtin_rules()
    assessment = analyze(model, rules, today=date.fromisoformat(TODAY), analyses=())
    return coverage_to_dict(compute_coverage(model, assessment, [r.meta for r in rules]))


def test_json_is_the_library_document(tmp_path: Path) -> None:
    out = tmp_path / "coverage.json"
    result = CliRunner().invoke(
        app, ["coverage", str(FIXTURE), "--format", "json", "-o", str(out), "--today", TODAY]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == _library(FIXTURE)


def test_markdown_is_the_matrix_under_a_title() -> None:
    result = CliRunner().invoke(
        app, ["coverage", str(FIXTURE), "--format", "markdown", "--today", TODAY]
    )
    assert result.exit_code == 0, result.output
    model = load(FIXTURE)
    rules = builtin_rules()
    assessment = analyze(model, rules, today=date.fromisoformat(TODAY), analyses=())
    expected = coverage_markdown(compute_coverage(model, assessment, [r.meta for r in rules]))
    document = "\n".join(["# Coverage of Coverage fixture", "", *expected]).rstrip("\n")
    assert result.stdout == document + "\n"


def test_the_table_has_a_row_per_element_and_the_legend() -> None:
    result = CliRunner().invoke(app, ["coverage", str(FIXTURE), "--today", TODAY])
    assert result.exit_code == 0, result.output
    document = _library(FIXTURE)
    lines = result.stdout.splitlines()
    elements = document["elements"]
    assert isinstance(elements, list)
    for element in elements:
        symbols = [STATE_SYMBOLS_BY_VALUE[c["state"]] for c in element["stride"].values()]
        row = f"│ {element['id']}"
        printed = next(line for line in lines if line.startswith(row + " "))
        cells = [c.strip() for c in printed.strip("│").split("│")]
        assert cells == [element["id"], element["kind"], *symbols]
    assert lines[-2] == (
        "legend: F open finding; ! open applicable threat; ? a fact is missing to decide; "
        "A accepted risk; M mitigated (control, ruled out by a fact, or decided); "
        "+ rules looked, nothing found; - nothing considered: no rule looks at it"
    )
    assert lines[-1] == "details (the rule, fingerprint or control of each cell): --format json"


STATE_SYMBOLS_BY_VALUE = {state.value: symbol for state, symbol in STATE_SYMBOLS.items()}


def test_a_table_cannot_go_to_a_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["coverage", str(FIXTURE), "-o", str(tmp_path / "x.txt")])
    assert result.exit_code == 2
    assert "--output needs a file format: use --format json or markdown" in result.output
    assert not (tmp_path / "x.txt").exists()


def test_a_hostile_system_name_is_escaped_in_the_table(tmp_path: Path) -> None:
    model = tmp_path / "threatmodel.yaml"
    model.write_text(
        FIXTURE.read_text().replace(
            "system: {name: Coverage fixture,", 'system: {name: "::error::[bold]x[/]",'
        )
    )
    result = CliRunner().invoke(app, ["coverage", str(model), "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].strip() == (
        f"\\x3a:error::[bold]x[/]: coverage by {len(builtin_rules())} rules (STRIDE)"
    )
