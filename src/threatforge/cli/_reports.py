"""``threatforge report`` and ``threatforge diagram``: write reports and diagrams to files.

The output format comes from the file's extension. The reports package (and WeasyPrint, for PDF)
is imported only inside these commands.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from threatforge.assessment import AnalysisKind
from threatforge.cli._common import (
    analyse_model,
    analyse_model_with_rules,
    load_model,
    parse_today,
)
from threatforge.cli._output import output

__all__ = ["register"]


class AudienceChoice(StrEnum):
    EXECUTIVE = "executive"
    ENGINEERING = "engineering"


class ViewChoice(StrEnum):
    DFD = "dfd"
    ATTACK_PATHS = "attack-paths"
    DATA = "data"


class LayoutChoice(StrEnum):
    AUTO = "auto"
    GRAPHVIZ = "graphviz"
    BUILTIN = "builtin"


_REPORT_EXTENSIONS = {
    ".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md", ".markdown": "md"
}
_DIAGRAM_EXTENSIONS = {
    ".svg": "svg", ".dot": "dot", ".gv": "dot", ".mmd": "mmd", ".mermaid": "mmd"
}
_FORMAT_NAMES = {"html": "HTML", "pdf": "PDF", "md": "Markdown"}


def _format_of(path: Path, known: dict[str, str], what: str) -> str:
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
    audience: AudienceChoice = typer.Option(
        AudienceChoice.ENGINEERING,
        "--audience",
        help="executive: a short plain-language summary; engineering: everything.",
    ),
    baseline_path: Path | None = typer.Option(
        None, "--baseline", help="A previous assessment (analyze --format json) to show the trend."
    ),
    packs: list[Path] = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable)."),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
    layout: LayoutChoice = typer.Option(
        LayoutChoice.AUTO, "--layout", help="Diagram layout: Graphviz, the built-in one, or auto."
    ),
) -> None:
    """Write a threat model report (HTML, PDF or Markdown) for engineers or executives."""
    from threatforge.errors import ExportError
    from threatforge.reports import (
        Audience,
        LayoutEngine,
        ReportFormat,
        read_baseline,
        render_report,
    )

    fmt = ReportFormat(_format_of(out, _REPORT_EXTENSIONS, "report"))
    baseline = None
    if baseline_path is not None:
        try:
            baseline = read_baseline(str(baseline_path), baseline_path.name)
        except ExportError as exc:
            output.fail(str(exc))
    model = load_model(model_path)
    assessment, rules = analyse_model_with_rules(
        model, packs, today=parse_today(today), analyses=tuple(AnalysisKind)
    )
    try:
        document = render_report(
            model,
            assessment,
            fmt,
            audience=Audience(audience.value),
            baseline=baseline,
            engine=LayoutEngine(layout.value),
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
    view: ViewChoice = typer.Option(
        ViewChoice.DFD, "--view", help="dfd, attack-paths (highlighted) or data (data assets)."
    ),
    layout: LayoutChoice = typer.Option(
        LayoutChoice.AUTO, "--layout", help="SVG layout: Graphviz, the built-in one, or auto."
    ),
    packs: list[Path] = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable)."),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
) -> None:
    """Draw a data-flow, attack-path or data diagram as SVG, Graphviz DOT or Mermaid."""
    from threatforge.errors import ExportError
    from threatforge.reports import DiagramFormat, DiagramView, LayoutEngine, render_diagram

    fmt = DiagramFormat(_format_of(out, _DIAGRAM_EXTENSIONS, "diagram"))
    model = load_model(model_path)
    # only the attack-path view shows an analysis
    wanted = (AnalysisKind.ATTACK_PATHS,) if view is ViewChoice.ATTACK_PATHS else ()
    assessment = analyse_model(model, packs, today=parse_today(today), analyses=wanted)
    try:
        text = render_diagram(
            model, assessment, DiagramView(view.value), fmt, engine=LayoutEngine(layout.value)
        )
    except ExportError as exc:
        output.fail(str(exc))
    output.write_or_print(text, out, f"the {view.value} diagram")


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(report)
    app.command()(diagram)
