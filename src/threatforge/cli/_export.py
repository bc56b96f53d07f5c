"""``threatforge export``: the model (with the engine's results) in another tool's format."""

from __future__ import annotations

from pathlib import Path

import typer

from threatforge.cli._common import (
    analyse_model,
    load_model,
    parse_today,
    plugins_wanted,
)
from threatforge.cli._output import output

__all__ = ["register"]


def export(
    kind: str = typer.Argument(
        ...,
        metavar="KIND",
        help="A model format of another tool (an unknown name lists the known ones).",
    ),
    model_path: Path = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml to export."),
    out: Path | None = typer.Option(
        None, "--output", "-o", help="Write the export here (default: print it)."
    ),
    no_results: bool = typer.Option(
        False,
        "--no-results",
        help="Export the model only: no engine findings or applicable threats as threats.",
    ),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
    no_plugins: bool = typer.Option(
        False,
        "--no-plugins",
        help="Load no rule or exporter plugins (also THREATFORGE_NO_PLUGINS=1).",
    ),
) -> None:
    """Write the model in another tool's format (OTM, Threat Composer, Threat Dragon, ...),
    with the engine's findings and applicable threats as generated threats next to the team's
    own. What the format cannot carry is listed as a warning; exit 2 on an unknown format or
    an unreadable model."""
    from threatforge.errors import ExportError
    from threatforge.exporters.registry import load_exporters

    plugins = plugins_wanted(no_plugins)
    exporters = load_exporters(include_plugins=plugins)
    for problem in exporters.problems:
        output.problem(f"warning: {problem}", style="yellow")
    try:
        exporter = exporters.model_exporter(kind)
    except ExportError as exc:
        hint = (
            f"; for results use 'threatforge analyze MODEL --format {kind}'"
            if kind in exporters.assessment
            else ""
        )
        output.fail(f"{exc}{hint}")
    model = load_model(model_path)
    if no_results:
        from threatforge.rules import analyze

        # no rules: the team's own threats and their decisions only
        assessment = analyze(model, (), today=parse_today(today), analyses=())
    else:
        assessment = analyse_model(
            model,
            today=parse_today(today),
            plugins=plugins,
            untrusted=[model_path.absolute().parent],
        )
        for failure in assessment.rule_errors:
            where = f" on {failure.element}" if failure.element else ""
            output.problem(f"rule error: {failure.rule}{where}: {failure.error}")
    try:
        text = exporter.export(model, assessment)
        dropped = exporter.dropped(model)
    except ExportError as exc:
        output.fail(f"{kind}: {exc}")
    for line in dropped:
        output.problem(f"warning: {kind} cannot carry {line}", style="yellow")
    output.write_or_print(text, out, f"the {exporter.name} export")


def register(app: typer.Typer) -> None:
    """Add ``export`` to the CLI."""
    app.command("export")(export)
