"""``threatforge compliance``: per control of a framework, what the model evidences."""

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
    from threatforge.assessment.compliance import ComplianceReport

__all__ = ["register"]


class ComplianceFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def compliance(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml to read."),
    framework_name: str = typer.Option(
        ...,
        "--framework",
        help="pci-dss-4.0, gdpr, dora, psd2-rts-sca, iso-27001-2022, nist-csf-2.0 or aws-fsbp "
        "(or an alias: pci-dss, iso-27001, nist-csf, psd2).",
    ),
    output_format: ComplianceFormat = typer.Option(ComplianceFormat.TABLE, "--format", "-f"),
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
    """Per control of a compliance framework: what the model evidences, what is open, what is
    a question, and what no rule considers."""
    from threatforge.assessment.compliance import (
        compliance_markdown,
        compliance_to_dict,
        compute_compliance,
    )
    from threatforge.model.vocabulary.frameworks import FrameworkError, find_framework
    from threatforge.text.json import json_text

    if out is not None and output_format is ComplianceFormat.TABLE:
        output.fail("--output needs a file format: use --format json or markdown")
    try:
        framework = find_framework(framework_name)
    except FrameworkError as exc:
        output.fail(f"--framework: {exc}")
    model = load_model(model_path)
    assessment, rules = analyse_model_with_rules(
        model,
        packs,
        today=parse_today(today),
        plugins=plugins_wanted(no_plugins),
        untrusted=[model_path.absolute().parent],
        analyses=(),
    )
    for failure in assessment.rule_errors:
        where = f" on {failure.element}" if failure.element else ""
        output.problem(f"rule error: {failure.rule}{where}: {failure.error}")
    report = compute_compliance(framework, assessment, [r.meta for r in rules])
    if output_format is ComplianceFormat.JSON:
        text = json_text(compliance_to_dict(report), ascii=True)
        output.write_or_print(text, out, "the compliance")
        return
    if output_format is ComplianceFormat.MARKDOWN:
        from threatforge.text.markdown import markdown_text

        title = f"# Compliance of {markdown_text(report.system)}"
        lines = [title, "", *compliance_markdown(report)]
        output.write_or_print("\n".join(lines) + "\n", out, "the compliance")
        return
    _print(report)


def _print(report: ComplianceReport) -> None:
    def detail(control: object) -> str:
        from threatforge.assessment.compliance import ControlResult

        assert isinstance(control, ControlResult)  # noqa: S101 - typed for mypy
        said = [*control.open, *control.questions, *control.accepted, *control.evidence]
        if not said:
            return "" if not control.rules else "nothing of the kind its rules judge"
        more = f" (+{len(said) - 1} more)" if len(said) > 1 else ""
        return said[0] + more

    print_table(
        output.out,
        f"{report.system}: {report.name} ({report.rules_run} rules)",
        (
            Column("control", overflow="fold"),
            Column("title", overflow="ellipsis"),
            Column("state", overflow="ellipsis"),
            Column("what says so", overflow="ellipsis"),
        ),
        ((c.id, c.title, c.state.value, detail(c)) for c in report.controls),
        total=len(report.controls),
    )
    counts = report.counts()
    output.line("controls: " + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n))
    output.line(f"source: {report.source}")
    if report.partial:
        output.line("this framework file lists only the controls threatforge maps")
    output.line("details (every result behind each control): --format json")


def register(app: typer.Typer) -> None:
    """Add the command to the CLI."""
    app.command()(compliance)
