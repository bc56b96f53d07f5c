"""``threatforge report`` and ``threatforge diagram``: write reports and diagrams to files.

The output format comes from the file's extension. The reports package (and WeasyPrint, for PDF)
is imported only inside these commands.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import typer

from threatforge.assessment import AnalysisKind
from threatforge.cli._common import (
    NO_PLUGINS_OPTION,
    analyse_model,
    analyse_model_with_rules,
    load_model,
    parse_today,
    plugins_wanted,
)
from threatforge.cli._output import output
from threatforge.reports.choices import (
    DIAGRAM_EXTENSIONS,
    REPORT_EXTENSIONS,
    Audience,
    DiagramView,
    LayoutEngine,
)

__all__ = ["register"]


_Format = TypeVar("_Format", bound=StrEnum)

_FORMAT_NAMES = {"html": "HTML", "pdf": "PDF", "md": "Markdown"}


def _format_of(path: Path, known: Mapping[str, _Format], what: str) -> _Format:
    fmt = known.get(path.suffix.lower())
    if fmt is None:
        choices = ", ".join(sorted(known))
        output.fail(f"cannot tell the {what} format of '{path.name}': use one of {choices}")
    return fmt


def report(
    model_path: Path = typer.Argument(
        ..., metavar="MODEL", help="The threatmodel.yaml to report on."
    ),
    out: Path = typer.Option(
        ..., "--output", "-o", help="The report file: .html, .pdf or .md (decides the format)."
    ),
    audience: Audience = typer.Option(
        Audience.ENGINEERING,
        "--audience",
        help="executive: a short plain-language summary; engineering: everything.",
    ),
    baseline_path: Path | None = typer.Option(
        None, "--baseline", help="A previous assessment (analyze --format json) to show the trend."
    ),
    packs: list[Path] = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable)."),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
    layout: LayoutEngine = typer.Option(
        LayoutEngine.AUTO, "--layout", help="Diagram layout: Graphviz, the built-in one, or auto."
    ),
    no_plugins: bool = NO_PLUGINS_OPTION,
) -> None:
    """Write a threat model report (HTML, PDF or Markdown) for engineers or executives."""
    from threatforge.errors import ExportError
    from threatforge.reports import read_baseline, render_report

    fmt = _format_of(out, REPORT_EXTENSIONS, "report")
    baseline = None
    if baseline_path is not None:
        try:
            baseline = read_baseline(str(baseline_path), baseline_path.name)
        except ExportError as exc:
            output.fail(str(exc))
    model = load_model(model_path)
    assessment, rules = analyse_model_with_rules(
        model,
        packs,
        today=parse_today(today),
        analyses=tuple(AnalysisKind),
        plugins=plugins_wanted(no_plugins),
        untrusted=[model_path.absolute().parent],
    )
    try:
        document = render_report(
            model,
            assessment,
            fmt,
            audience=audience,
            baseline=baseline,
            engine=layout,
            rules=[r.meta for r in rules],
        )
    except ExportError as exc:
        output.fail(str(exc))
    output.write_or_print(document, out, f"the {audience.value} {_FORMAT_NAMES[fmt.value]} report")


def diagram(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml to draw."),
    out: Path = typer.Option(
        ..., "--output", "-o", help="The diagram file: .svg, .dot or .mmd (decides the format)."
    ),
    view: DiagramView = typer.Option(
        DiagramView.DFD, "--view", help="dfd, attack-paths (highlighted) or data (data assets)."
    ),
    layout: LayoutEngine = typer.Option(
        LayoutEngine.AUTO, "--layout", help="SVG layout: Graphviz, the built-in one, or auto."
    ),
    packs: list[Path] = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable)."),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
    no_plugins: bool = NO_PLUGINS_OPTION,
) -> None:
    """Draw a data-flow, attack-path or data diagram as SVG, Graphviz DOT or Mermaid."""
    from threatforge.errors import ExportError
    from threatforge.reports import render_diagram

    fmt = _format_of(out, DIAGRAM_EXTENSIONS, "diagram")
    model = load_model(model_path)
    # only the attack-path view shows an analysis
    wanted = (AnalysisKind.ATTACK_PATHS,) if view is DiagramView.ATTACK_PATHS else ()
    assessment = analyse_model(
        model,
        packs,
        today=parse_today(today),
        analyses=wanted,
        plugins=plugins_wanted(no_plugins),
        untrusted=[model_path.absolute().parent],
    )
    try:
        text = render_diagram(
            model, assessment, view, fmt, engine=layout
        )
    except ExportError as exc:
        output.fail(str(exc))
    output.write_or_print(text, out, f"the {view.value} diagram")


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(report)
    app.command()(diagram)
