"""``threatforge coverage``: per element and category, what the rules and the team say."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from threatforge.cli._common import (
    analyse_model_with_rules,
    load_model,
    parse_today,
    plugins_wanted,
)
from threatforge.cli._output import output
from threatforge.cli._table import Column, print_table

if TYPE_CHECKING:
    from threatforge.assessment.coverage import Coverage

__all__ = ["register"]


class CoverageFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def coverage(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml to read."),
    output_format: CoverageFormat = typer.Option(CoverageFormat.TABLE, "--format", "-f"),
    out: Path | None = typer.Option(
        None, "--output", "-o", help="Write the result to this file (json or markdown formats)."
    ),
    packs: list[Path] = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable)."),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
    no_plugins: bool = typer.Option(
        False,
        "--no-plugins",
        help="Load no rule plugins (also THREATFORGE_NO_PLUGINS=1), e.g. for untrusted changes.",
    ),
) -> None:
    """Which STRIDE / LINDDUN categories have a finding, an open threat, a mitigation, or
    nothing considered, per element and flow."""
    from threatforge.assessment.coverage import (
        compute_coverage,
        coverage_markdown,
        coverage_to_dict,
    )
    from threatforge.text.json import json_text

    if out is not None and output_format is CoverageFormat.TABLE:
        output.fail("--output needs a file format: use --format json or markdown")
    model = load_model(model_path)
    assessment, rules = analyse_model_with_rules(
        model,
        packs,
        today=parse_today(today),
        plugins=plugins_wanted(no_plugins),
        untrusted=[model_path.absolute().parent],
    )
    for failure in assessment.rule_errors:
        where = f" on {failure.element}" if failure.element else ""
        output.problem(f"rule error: {failure.rule}{where}: {failure.error}")
    result = compute_coverage(model, assessment, [r.meta for r in rules])
    if output_format is CoverageFormat.JSON:
        output.write_or_print(
            json_text(coverage_to_dict(result), ascii=True), out, "the coverage"
        )
        return
    if output_format is CoverageFormat.MARKDOWN:
        lines = [f"# {_md_title(result.system)}", "", *coverage_markdown(result)]
        text = "\n".join(lines).rstrip("\n") + "\n"
        output.write_or_print(text, out, "the coverage")
        return
    _print_coverage(result)


def _md_title(system: str) -> str:
    from threatforge.text.markdown import markdown_text

    return f"Coverage of {markdown_text(system)}"


def _print_coverage(result: Coverage) -> None:
    from threatforge.assessment import Linddun, Stride
    from threatforge.assessment.coverage import (
        LINDDUN_HEADERS,
        STATE_SYMBOLS,
        STRIDE_HEADERS,
        coverage_legend,
    )

    def columns(headers: list[str]) -> tuple[Column, ...]:
        return (
            Column("element", overflow="fold"),
            Column("type", overflow="ellipsis"),
            *(Column(h, overflow="ellipsis") for h in headers),
        )

    elements = result.elements
    print_table(
        output.out,
        f"{result.system}: coverage by {result.rules_run} rules (STRIDE)",
        columns([STRIDE_HEADERS[c] for c in Stride]),
        (
            (e.element, e.kind, *(STATE_SYMBOLS[c.state] for c in e.stride))
            for e in elements
        ),
        total=len(elements),
    )
    private = [e for e in elements if e.linddun]
    if private:
        print_table(
            output.out,
            "privacy (LINDDUN), elements holding personal data",
            columns([LINDDUN_HEADERS[c] for c in Linddun]),
            (
                (e.element, e.kind, *(STATE_SYMBOLS[c.state] for c in e.linddun))
                for e in private
            ),
            total=len(private),
        )
    counts = result.counts()
    output.line(
        "STRIDE cells: " + (", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "none")
    )
    output.line("legend: " + "; ".join(f"{s} {words}" for s, _, words in coverage_legend()))
    output.line("details (the rule, fingerprint or control of each cell): --format json")


def register(app: typer.Typer) -> None:
    """Add the command to the CLI."""
    app.command()(coverage)
