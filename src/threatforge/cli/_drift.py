"""``threatforge drift``: where the declared model and the infrastructure code disagree in a
way that weakens security (docs/drift.md)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from threatforge.cli._output import Exit, output
from threatforge.cli._table import Column, print_table

if TYPE_CHECKING:
    from threatforge.assessment.drift import DriftReport
    from threatforge.importers import ImportedModel, ImporterSet
    from threatforge.model import Location, Model

__all__ = ["DriftFormat", "register"]


class DriftFormat(StrEnum):
    """What ``drift --format`` prints."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"


_SOURCES = (
    ("terraform", "--terraform"),
    ("cloudformation", "--cloudformation"),
    ("kubernetes", "--kubernetes"),
    ("compose", "--compose"),
)
"""(importer in the registry, option) for each kind of code ``drift`` reads."""


def drift(
    model_path: Path = typer.Argument(
        ..., metavar="MODEL", help="The declared model (threatmodel.yaml)."
    ),
    terraform: list[Path] = typer.Option(
        [], "--terraform", metavar="PATH", help="A Terraform folder or plan file (repeatable)."
    ),
    cloudformation: list[Path] = typer.Option(
        [],
        "--cloudformation",
        metavar="PATH",
        help="A CloudFormation template or folder (repeatable).",
    ),
    kubernetes: list[Path] = typer.Option(
        [],
        "--kubernetes",
        metavar="PATH",
        help="A folder or file of Kubernetes manifests (repeatable).",
    ),
    compose: list[Path] = typer.Option(
        [], "--compose", metavar="PATH", help="A Docker Compose file or folder (repeatable)."
    ),
    mappings: list[Path] = typer.Option(
        [],
        "--mapping",
        metavar="FILE",
        help="An organisation's mapping file for one of the importers (repeatable).",
    ),
    output_format: DriftFormat = typer.Option(
        DriftFormat.TABLE, "--format", "-f", help="A readable list, or a file format."
    ),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the result to this file."),
) -> None:
    """Compare the declared model with the code: exit 1 when the code weakens what the model
    declares (encryption, exposure, ingress, flows or components missing from the model),
    0 when it does not, 2 when a file cannot be read."""
    from threatforge.assessment.drift import compare
    from threatforge.cli._common import load_model
    from threatforge.errors import ImporterError
    from threatforge.importers import load_importers
    from threatforge.importers.overlay import merge_imports

    wanted = [
        (kind, option, paths)
        for (kind, option), paths in zip(
            _SOURCES, (terraform, cloudformation, kubernetes, compose), strict=True
        )
        if paths
    ]
    if not wanted:
        output.fail(
            "name the code to compare with: "
            + ", ".join(f"{option} PATH" for _, option in _SOURCES)
        )
    if out is not None and output_format is DriftFormat.TABLE:
        output.fail("--output needs a file format: use --format json, sarif or markdown")
    importers = load_importers()
    for problem in importers.problems:
        output.problem(f"warning: {problem}", style="yellow")
    for kind, option, _ in wanted:
        if kind not in importers.names:
            output.fail(
                f"{option} needs the '{kind}' importer, which this installation of threatforge "
                f"does not have (importers: {', '.join(importers.names)})"
            )
    declared = load_model(model_path)
    try:
        imported = _import(importers, wanted, mappings)
        code = merge_imports(imported)
    except ImporterError as exc:
        first, *rest = str(exc).split("\n")
        output.fail(first, details=rest)
    for note in code.notes:
        output.info(f"note: {note}")
    report = compare(declared, code.model)
    if output_format is DriftFormat.TABLE:
        _print(report)
    else:
        output.write_or_print(_render(report, declared, output_format), out, "the drift report")
    if report.weakens_security:
        raise typer.Exit(int(Exit.GATE_FAILED))


def _import(
    importers: ImporterSet,
    wanted: list[tuple[str, str, list[Path]]],
    mappings: list[Path],
) -> list[ImportedModel]:
    """The code as models, one per kind (the same readers as ``threatforge import``)."""
    from threatforge.cli._import import _Group, _read, _route_mappings

    routed = _route_mappings(mappings, {kind for kind, _, _ in wanted})
    return [
        _read(importers, _Group(kind, list(paths)), routed.get(kind, []))
        for kind, _, paths in wanted
    ]


def _render(report: DriftReport, declared: Model, output_format: DriftFormat) -> str:
    from threatforge.exporters.drift import drift_json, drift_markdown, drift_sarif

    if output_format is DriftFormat.JSON:
        return drift_json(report)
    if output_format is DriftFormat.SARIF:
        return drift_sarif(report, declared, as_of=date.today().isoformat())
    return drift_markdown(report)


def _place(location: Location | None) -> str:
    if location is None:
        return "-"
    return f"{location.file}:{location.line}" if location.line else location.file


def _print(report: DriftReport) -> None:
    """The readable list: the drift with its fix, the information, the matching."""
    console = output.out
    if report.drift:
        print_table(
            console,
            "Drift that weakens security",
            [
                Column("id", whole=True),
                Column("declared"),
                Column("code"),
                Column("model says"),
                Column("code says"),
            ],
            [
                (
                    item.fingerprint,
                    f"{item.declared} at {_place(item.declared_location)}"
                    if item.declared
                    else "-",
                    f"{item.code} at {_place(item.code_location)}",
                    item.model_says,
                    item.code_says,
                )
                for item in report.drift
            ],
        )
        for item in report.drift:
            output.line(f"fix {item.fingerprint}: {item.fix}")
    for info in report.info:
        output.line(
            f"info {info.id}: the model says {info.model_says}; the code says {info.code_says}"
        )
    rows = [(m.declared, m.code, m.by.value) for m in report.matches]
    rows += [("-", cid, "missing from the model") for cid in report.unmatched_code]
    rows += [(did, "-", "absent from the code") for did in report.unmatched_declared]
    print_table(
        console, "Matching", [Column("declared"), Column("code"), Column("matched by")], rows
    )
    for note in report.notes:
        output.info(f"note: {note}")
    if report.drift:
        count = len(report.drift)
        items = "1 item weakens" if count == 1 else f"{count} items weaken"
        output.line(f"drift: {items} security ({len(report.info)} information)")
    else:
        output.line(f"no drift that weakens security ({len(report.info)} information)")


def register(app: typer.Typer) -> None:
    """Add ``drift`` to the CLI."""
    app.command("drift")(drift)
