"""``threatforge analyze`` and ``threatforge rules``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from threatforge.assessment import AnalysisKind, Severity
from threatforge.cli._common import (
    analyse_model,
    load_evidence,
    load_model,
    parse_today,
    plugins_wanted,
)
from threatforge.cli._output import output
from threatforge.cli._table import Column, print_table
from threatforge.exporters.registry import assessment_formats
from threatforge.text.hints import did_you_mean

if TYPE_CHECKING:
    from threatforge.exporters.interface import AssessmentExporter

if TYPE_CHECKING:
    from threatforge.rules import Rule

__all__ = ["register"]


_TABLE = "table"
_FORMAT_HELP = (
    f"'{_TABLE}' (printed), or an assessment format: {', '.join(assessment_formats())} "
    "(and any installed exporter plugin's)."
)


_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "elevated": "dark_orange",
    "medium": "yellow",
    "low": "cyan",
}


def analyze(
    model_path: Path = typer.Argument(
        ..., metavar="MODEL", help="The threatmodel.yaml to analyse."
    ),
    output_format: str = typer.Option(_TABLE, "--format", "-f", help=_FORMAT_HELP),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the result to this file."),
    min_severity: Severity = typer.Option(
        Severity.LOW, "--min-severity", help="Show findings at or above this severity."
    ),
    packs: list[Path] = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable)."),
    only: list[str] = typer.Option([], "--only", help="Run only this rule (repeatable)."),
    skip: list[str] = typer.Option([], "--skip", help="Do not run this rule (repeatable)."),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
    evidence_files: list[Path] = typer.Option(
        [], "--evidence", help="Scanner results (SARIF) to map onto components (repeatable)."
    ),
    no_plugins: bool = typer.Option(
        False,
        "--no-plugins",
        help="Load no rule plugins (also THREATFORGE_NO_PLUGINS=1), e.g. for untrusted changes.",
    ),
) -> None:
    """Run the rules over a model and list the findings."""
    from dataclasses import replace

    exporter = None if output_format == _TABLE else _exporter(output_format)
    model = load_model(model_path)
    evidence = load_evidence(evidence_files, model)
    assessment = analyse_model(
        model,
        packs,
        only=only,
        skip=skip,
        today=parse_today(today),
        evidence=evidence,
        plugins=plugins_wanted(no_plugins),
        untrusted=[model_path.absolute().parent],
        analyses=_ANALYSES_IN.get(output_format, ()),
    )
    threshold = min_severity
    if threshold is not Severity.LOW:
        assessment = replace(
            assessment,
            findings=tuple(f for f in assessment.findings if f.severity.rank >= threshold.rank),
        )
    for warning in assessment.warnings:
        output.info(f"warning: {warning}")
    for failure in assessment.rule_errors:
        where = f" on {failure.element}" if failure.element else ""
        output.problem(f"rule error: {failure.rule}{where}: {failure.error}")
    if exporter is not None:
        text = exporter.export(assessment, model)
        output.write_or_print(text, out, f"the {exporter.name} assessment")
        return
    if out is not None:
        output.fail(
            f"--output needs a file format: use --format {_either(assessment_formats())}"
        )
    _print_table(assessment)


_ANALYSES_IN = {"json": tuple(AnalysisKind)}
"""The formats that carry the graph analyses (the JSON assessment); others do not compute them."""


def _either(names: Sequence[str]) -> str:
    """``a, b or c``."""
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def _exporter(name: str) -> AssessmentExporter:
    """The assessment exporter for ``--format NAME`` (plugins included); exit 2 when unknown."""
    from threatforge.errors import ExportError
    from threatforge.exporters.registry import load_exporters

    exporters = load_exporters()
    for problem in exporters.problems:
        output.info(f"warning: {problem}")
    try:
        return exporters.assessment_exporter(name)
    except ExportError as exc:
        output.fail(f"--format: {exc}; or '{_TABLE}'")


_FINDING_COLUMNS = (
    Column("severity", overflow="ellipsis", styles=_STYLE),
    Column("L×I", justify="right", overflow="ellipsis"),
    Column("finding", overflow="ellipsis"),
    Column("fingerprint", whole=True),
    Column("status", overflow="ellipsis"),
)


def _print_table(assessment: object) -> None:
    from threatforge.rules import Assessment

    assert isinstance(assessment, Assessment)  # noqa: S101 - typed for mypy without import cost
    findings = assessment.findings
    print_table(
        output.out,
        f"{assessment.system}: {len(findings)} findings",
        _FINDING_COLUMNS,
        (
            (
                finding.severity.value,
                f"{finding.likelihood}×{finding.impact}",
                finding.title,
                finding.fingerprint,
                finding.status.value,
            )
            for finding in findings
        ),
        total=len(findings),
    )
    counts = assessment.count_by_severity()
    summary = ", ".join(f"{counts[s]} {s.value}" for s in reversed(list(counts)) if counts[s])
    output.line(f"open: {summary or 'none'}")
    threats = assessment.applicable_threats
    if threats:
        output.line(
            f"applicable threats: {len(threats)} ({len(assessment.open_threats)} open), each "
            "with its question (--format json or report):"
        )
        for threat in threats[:5]:
            output.line(f"  - {threat.severity.value} {threat.fingerprint}")
        if len(threats) > 5:
            output.line(f"  ... {len(threats) - 5:,} more")
    team = assessment.team_threats
    if team:
        output.line(
            f"team threats: {len(team)} ({len(assessment.open_team_threats)} open), "
            "from threats: in the model:"
        )
        for team_threat in team[:5]:
            output.line(
                f"  - {team_threat.severity.value} {team_threat.fingerprint} "
                f"{team_threat.status.value}"
            )
        if len(team) > 5:
            output.line(f"  ... {len(team) - 5:,} more")
    if assessment.gaps:
        output.line(f"model gaps ({len(assessment.gaps)}): the first ones:")
        for gap in assessment.gaps[:5]:
            output.line(f"  - {gap.message}")


rules_app = typer.Typer(help="List and explain the rules.", no_args_is_help=True)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@rules_app.command("list")
def rules_list(
    output_format: ListFormat = typer.Option(ListFormat.TABLE, "--format", "-f"),
    packs: list[Path] = typer.Option([], "--rules", help="Also list the rules of this pack."),
) -> None:
    """List every rule with its categories and base scores."""
    from threatforge.cli._common import load_rules

    rules, problems = load_rules(packs)
    for problem in problems:
        output.info(f"warning: {problem}")
    if output_format is ListFormat.JSON:
        from threatforge.rules.metadata import rule_to_dict

        output.write_or_print(json.dumps([rule_to_dict(r) for r in rules], indent=2), None, "rules")
        return
    print_table(
        output.out, f"{len(rules)} rules", _RULE_COLUMNS, map(_rule_row, rules), total=len(rules)
    )


_RULE_COLUMNS = tuple(
    Column(header, overflow="ellipsis")
    for header in ("id", "domain", "target", "STRIDE/LINDDUN", "CWE", "L", "I", "since")
)


def _rule_row(rule: Rule) -> tuple[str, ...]:
    meta = rule.meta
    categories = ", ".join([s.value for s in meta.stride] + [c.value for c in meta.linddun])
    return (
        meta.id, meta.domain, meta.target.value, categories,
        ", ".join(str(c) for c in meta.cwe), str(meta.likelihood), str(meta.impact),
        _since(rule),
    )


def _since(rule: Rule) -> str:
    """The rules version that added the rule (``-``: a pack's or plugin's), ``warn-only``."""
    from threatforge.rules.metadata import rule_versions

    versions = rule_versions(rule)
    added = (versions or {}).get("added") or "-"
    return f"{added} warn-only" if rule.meta.warn_only else added


@rules_app.command("show")
def rules_show(
    rule_id: str = typer.Argument(..., metavar="ID"),
    packs: list[Path] = typer.Option([], "--rules", help="Also look in this pack (repeatable)."),
) -> None:
    """Explain one rule: what it detects, why, and how to fix it."""
    from threatforge.cli._common import load_rules
    from threatforge.rules.metadata import rule_markdown

    rules, _ = load_rules(packs)
    found = {r.id: r for r in rules}
    if rule_id not in found:
        output.fail(f"unknown rule '{rule_id}'{did_you_mean(rule_id, found)}")
    output.write_or_print(rule_markdown(found[rule_id]), None, "the rule")


@rules_app.command("docs")
def rules_docs(
    out: Path = typer.Option(..., "--output", "-o", help="The folder to write the pages to."),
    packs: list[Path] = typer.Option([], "--rules", help="Also document this pack (repeatable)."),
) -> None:
    """Write the rule documentation: a page per rule, an index and a coverage matrix."""
    from threatforge.cli._common import load_rules
    from threatforge.rules.metadata import docs_pages

    rules, problems = load_rules(packs)
    for problem in problems:
        output.info(f"warning: {problem}")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        output.fail(f"{out} exists and is not a folder")
    pages = docs_pages(rules)
    for relative, text in pages.items():
        # no symbolic link below the folder is followed, nor is the folder itself one
        output.write(Path(relative), text, inside=out)
    output.info(f"wrote {len(pages)} pages ({len(rules)} rules, index.md, coverage.md) to {out}")


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(analyze)
    app.add_typer(rules_app, name="rules")
