"""Commands about the model file itself: validate, schema, init."""

from __future__ import annotations

import json
from enum import StrEnum
from importlib import resources
from pathlib import Path

import typer

from threatforge.cli._output import Exit, output

__all__ = ["register"]


class ValidateFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def validate(
    models: list[Path] = typer.Argument(..., help="Model files to validate.", metavar="MODEL..."),
    output_format: ValidateFormat = typer.Option(
        ValidateFormat.TEXT, "--format", "-f", help="text, or json for editors and scripts."
    ),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings (model gaps) as errors."),
    changed: bool = typer.Option(
        False,
        "--changed",
        help="The arguments are changed files (pre-commit): validate every threatmodel.yaml "
        "that is one of them or includes one (searched in their folders and above, up to the "
        "current folder).",
    ),
) -> None:
    """Check model files: schema, references, includes. Exit 2 on any error."""
    from threatforge.model import load_with_diagnostics

    if changed:
        from threatforge.cli._common import affected_models

        models = affected_models(models)
        if not models:
            output.info("no threat model is or includes the changed files")
            return
    failed = False
    report: list[dict[str, object]] = []
    for path in models:
        result = load_with_diagnostics(path)
        bad = bool(result.errors) or (strict and bool(result.warnings))
        failed = failed or bad
        if output_format is ValidateFormat.JSON:
            report.append(
                {
                    "file": str(path),
                    "valid": not bad,
                    "diagnostics": [
                        {
                            "level": d.level.value,
                            "file": d.location.file,
                            "line": d.location.line,
                            "column": d.location.column,
                            "message": d.message,
                            "code": d.code,
                        }
                        for d in result.diagnostics
                    ],
                }
            )
            continue
        output.diagnostics(result.diagnostics)
        if result.model is not None and not bad:
            m = result.model
            output.info(
                f"ok: {path} ({len(m.components)} components, {len(m.flows)} flows, "
                f"{len(m.data)} data assets, {len(m.boundaries)} boundaries, "
                f"{len(result.warnings)} warnings)"
            )
        else:
            output.info(
                f"invalid: {path} ({len(result.errors)} errors, {len(result.warnings)} warnings)"
            )
    if output_format is ValidateFormat.JSON:
        output.write_or_print(json.dumps({"files": report}, indent=2), None, "validation")
    if failed:
        raise typer.Exit(int(Exit.BAD_INPUT))


def schema(
    assessment: bool = typer.Option(
        False, "--assessment", help="Print the schema of the JSON assessment instead."
    ),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Print the JSON Schema (Draft 2020-12) of the model file, for editors and CI."""
    if assessment:
        from threatforge.exporters.assessment_schema import assessment_json_schema

        document = assessment_json_schema()
    else:
        from threatforge.model.json_schema import model_json_schema

        document = model_json_schema()
    output.write_or_print(json.dumps(document, indent=2, sort_keys=False), out, "the JSON Schema")


def init(
    directory: Path = typer.Argument(Path("."), help="Where to write threatmodel.yaml."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing threatmodel.yaml."),
) -> None:
    """Write a commented starter threatmodel.yaml that validates."""
    target = directory / "threatmodel.yaml"
    if target.exists() and not force:
        output.fail(f"{target} already exists; use --force to overwrite it")
    text = resources.files("threatforge.model").joinpath("starter.yaml").read_text("utf-8")
    output.write_or_print(text, target, "a starter model")
    output.info(f"next: edit it, then run 'threatforge validate {target}'")


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(validate)
    app.command()(schema)
    app.command()(init)
