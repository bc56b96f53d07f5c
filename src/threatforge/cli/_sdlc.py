"""``threatforge check``, ``diff`` and ``requirements``: the commands CI pipelines run.

``check`` is the gate (exit 1 when open findings reach the threshold, exit 2 when a rule could
not run), optionally only for findings that are new against a baseline file or a git ref;
``diff`` compares two versions of a model for a pull-request comment; ``requirements`` turns
open threats into tickets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from threatforge.assessment import Severity
from threatforge.cli._common import (
    NO_PLUGINS_OPTION,
    PACKS_OPTION,
    POLICY_OPTION,
    TODAY_OPTION,
    analyse_model,
    load_evidence,
    load_model,
    load_model_with_warnings,
    load_policy_or_fail,
    parse_today,
    plugins_wanted,
)
from threatforge.cli._output import Exit, output

if TYPE_CHECKING:
    from threatforge.assessment import GateResult
    from threatforge.assessment.diff import Snapshot
    from threatforge.model import Model
    from threatforge.model.sources import GitRepository
    from threatforge.rules import Assessment, Evidence
    from threatforge.sdlc.policy import LoadedPolicy

__all__ = ["register"]


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class DiffFormat(StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"


class RequirementsFormat(StrEnum):
    MARKDOWN = "markdown"
    CSV = "csv"


_EVIDENCE = typer.Option(
    [], "--evidence", help="Scanner results (SARIF) to map onto components (repeatable)."
)
_REPO = typer.Option(
    None,
    "--repo",
    metavar="DIR",
    help="The git repository to read GIT_REF from (default: the one the current directory is "
    "in; never one inside the checkout).",
)


def _report_run(assessment: Assessment) -> None:
    """Warnings and rule errors on stderr (the gate's verdict goes to stdout)."""
    for warning in assessment.warnings:
        output.info(f"warning: {warning}")
    for failure in assessment.rule_errors:
        where = f" on {failure.element}" if failure.element else ""
        output.problem(f"rule error: {failure.rule}{where}: {failure.error}")


def _fail_on_errors(error: Exception) -> NoReturn:
    """Print a model's diagnostics (a ModelError) or the message, then exit 2."""
    from threatforge.model import ModelError

    if isinstance(error, ModelError):
        output.diagnostics(error.diagnostics)
        errors = [d for d in error.diagnostics if d.is_error]
        output.fail(f"the model is not valid ({len(errors)} errors)")
    output.fail(str(error))


# --- check ----------------------------------------------------------------------------------------


def check(
    models: list[Path] = typer.Argument(..., metavar="MODEL...", help="Models to gate."),
    fail_on: Severity = typer.Option(
        Severity.HIGH,
        "--fail-on",
        help="Fail when an open finding is at or above this severity.",
    ),
    packs: list[Path] = PACKS_OPTION,
    today: str | None = TODAY_OPTION,
    evidence_files: list[Path] = _EVIDENCE,
    output_format: CheckFormat = typer.Option(CheckFormat.TEXT, "--format", "-f"),
    baseline: Path | None = typer.Option(
        None, "--baseline", help="Count only findings not in this baseline file."
    ),
    base: str | None = typer.Option(
        None,
        "--base",
        metavar="GIT_REF",
        help="Count only findings that are not already open in the model at this git ref.",
    ),
    write_baseline: Path | None = typer.Option(
        None, "--write-baseline", help="Write the open findings to this baseline file and exit 0."
    ),
    repo: Path | None = _REPO,
    no_plugins: bool = typer.Option(
        False,
        "--no-plugins",
        help="Load no rule plugins (also THREATFORGE_NO_PLUGINS=1): for CI on untrusted changes.",
    ),
    changed: bool = typer.Option(
        False,
        "--changed",
        help="The arguments are changed files (pre-commit): gate every threatmodel.yaml that "
        "is one of them or includes one (searched in their folders and above, up to the "
        "current folder).",
    ),
    policy_file: Path | None = POLICY_OPTION,
    fail_on_new_decisions: bool = typer.Option(
        False,
        "--fail-on-new-decisions",
        help="With --base: fail when the change adds a decision or a change that hides a finding.",
    ),
    allow_unknown_names: bool = typer.Option(
        False,
        "--allow-unknown-names",
        help="Do not fail on a tech, property or protocol the vocabulary does not know "
        "(it is still listed).",
    ),
    fail_on_unreviewed: Severity | None = typer.Option(
        None,
        "--fail-on-unreviewed",
        help="Also fail when an open applicable threat (no fact decides it, no decision "
        "closes it) is at or above this severity; with --base, only threats not open there.",
    ),
    rules_version: str | None = typer.Option(
        None,
        "--rules-version",
        metavar="V",
        help="Fail only on what version V of the built-in rule set counted (also "
        "rules_version: in the policy file); newer rules' results are reported, not gated.",
    ),
) -> None:
    """Gate a build: exit 1 when open findings reach --fail-on (valid decisions do not count),
    exit 2 when a rule failed.

    The gate fails too when a model names a technology, property or protocol that the
    vocabulary does not know (a misspelt name switches its rules off), unless
    --allow-unknown-names is given.
    """
    from threatforge.errors import ThreatforgeError
    from threatforge.sdlc.gate import gate_to_dict, render_gate_text

    if baseline is not None and base is not None:
        output.fail("use either --baseline FILE or --base GIT_REF, not both")
    if write_baseline is not None and (baseline is not None or base is not None):
        output.fail(
            "--write-baseline records every open finding: do not combine it with "
            "--baseline or --base"
        )
    if changed:
        from threatforge.cli._common import affected_models

        models = affected_models(models)
        if not models:
            output.info("no threat model is or includes the changed files")
            return
    if len(models) > 1 and (baseline or base or write_baseline):
        output.fail("--baseline, --base and --write-baseline work on one MODEL at a time")
    if fail_on_new_decisions and base is None:
        output.fail("--fail-on-new-decisions needs --base GIT_REF (the change to judge)")
    policy = load_policy_or_fail(policy_file)
    pinned = _pinned_version(rules_version, policy)
    threshold = fail_on
    unreviewed = fail_on_unreviewed
    when = parse_today(today) or date.today()
    repository = None
    if base is not None:
        _validate_ref(base)
        repository = _open_repository(repo)
        try:  # before anything runs: the model must be in this repository, not a nested one
            repository.path_of(models[0])
        except ThreatforgeError as exc:
            output.fail(str(exc))
    results: list[tuple[Path, GateResult]] = []
    plugins = plugins_wanted(no_plugins)
    untrusted = [path.absolute().parent for path in models]
    unknown: dict[Path, list[str]] = {}
    for index, path in enumerate(models):
        model, warnings = load_model_with_warnings(path)
        if not allow_unknown_names:
            unknown[path] = [d.format() for d in warnings if d.code == "vocabulary"]
        evidence = load_evidence(evidence_files, model)
        assessment = analyse_model(
            model,
            packs,
            today=when,
            evidence=evidence,
            plugins=plugins,
            untrusted=untrusted,
            show_plugins=index == 0,
        )
        _report_run(assessment)
        if write_baseline is not None:
            from threatforge.sdlc.baseline import render_baseline

            output.write_or_print(render_baseline(assessment), write_baseline, "the baseline")
            output.info(f"baseline: {len(assessment.open_findings)} open findings recorded")
            raise typer.Exit(int(Exit.OK))
        gate = _Gate(
            threshold,
            policy,
            packs,
            when,
            evidence_files,
            fail_on_new_decisions,
            repository,
            (plugins, untrusted),
            unreviewed,
            pinned,
        )
        results.append((path, gate.run(path, model, assessment, baseline, base)))
    passed = all(result.passed and not unknown.get(path) for path, result in results)
    if output_format is CheckFormat.JSON:
        document = {
            "passed": passed,
            "fail_on": threshold.value,
            "models": [
                {"model": str(path)}
                | gate_to_dict(result)
                | ({"unknown_names": unknown[path]} if unknown.get(path) else {})
                for path, result in results
            ],
        }
        output.write_or_print(json.dumps(document, indent=2, ensure_ascii=False), None, "the gate")
    else:
        text = "\n".join(
            render_gate_text(result, len(unknown.get(path, [])))
            for path, result in results
        )
        output.write_or_print(text, None, "the gate")
    if any(result.errored for _, result in results):
        raise typer.Exit(int(Exit.BAD_INPUT))
    if not passed:
        raise typer.Exit(int(Exit.GATE_FAILED))


def _pinned_version(option: str | None, policy: LoadedPolicy) -> str | None:
    """The rules version the gate counts as: ``--rules-version``, else the policy's; an
    unknown one is exit 2, listing the known versions."""
    from threatforge.rules.versions import RulesVersionError, builtin_changelog

    version = option if option is not None else policy.policy.rules_version
    if version is None:
        return None
    try:
        builtin_changelog().index(version)
    except RulesVersionError as exc:
        where = "" if option is not None else f"policy {policy.source}: "
        output.fail(f"{where}{exc}")
    return version


def _validate_ref(ref: str) -> None:
    from threatforge.sdlc.git_source import GitSourceError, validate_ref

    try:
        validate_ref(ref)
    except GitSourceError as exc:
        output.fail(str(exc))


def _open_repository(repo: Path | None) -> GitRepository:
    """The repository GIT_REF is read from (``--repo``, or the current directory's); exit 2."""
    from threatforge.errors import ThreatforgeError
    from threatforge.sdlc.git_source import open_repository

    try:
        return open_repository(repo)
    except ThreatforgeError as exc:
        output.fail(str(exc))


class _Gate:
    """One gate run's settings, applied to each model in turn."""

    def __init__(
        self,
        threshold: Severity,
        policy: LoadedPolicy,
        packs: Sequence[Path],
        when: date,
        evidence_files: Sequence[Path],
        fail_on_new_decisions: bool,
        repository: GitRepository | None,
        plugins: tuple[bool, Sequence[Path]],
        unreviewed: Severity | None = None,
        rules_version: str | None = None,
    ) -> None:
        self.rules_version = rules_version
        self.unreviewed = unreviewed
        self.repository = repository
        self.plugins = plugins
        self.threshold = threshold
        self.policy = policy
        self.packs = packs
        self.when = when
        self.evidence_files = evidence_files
        self.fail_on_new_decisions = fail_on_new_decisions

    def run(
        self,
        path: Path,
        model: Model,
        assessment: Assessment,
        baseline: Path | None,
        base: str | None,
    ) -> GateResult:
        from threatforge.assessment import GateMode
        from threatforge.rules import RuleFailure
        from threatforge.sdlc.decisions import (
            compare_with_base,
            known_at_base,
            known_with_counterparts,
        )
        from threatforge.sdlc.gate import evaluate_gate

        if baseline is not None:
            return evaluate_gate(
                assessment,
                self.threshold,
                known_with_counterparts(_read_baseline(baseline), assessment),
                mode=GateMode.BASELINE,
                reference=str(baseline),
                model=model,
                policy=self.policy,
                unreviewed=self.unreviewed,
                rules_version=self.rules_version,
            )
        if base is None:
            return evaluate_gate(
                assessment, self.threshold, model=model, policy=self.policy,
                unreviewed=self.unreviewed,
                rules_version=self.rules_version,
            )
        assert self.repository is not None  # noqa: S101 - opened whenever --base is given
        old = _at_ref(
            path, base, self.repository, self.packs, self.when, self.evidence_files, self.plugins
        )
        failures: tuple[RuleFailure, ...] = ()
        comparison = None
        known: Mapping[str, Severity | None] = {}
        known_threats: frozenset[str] = frozenset()
        if old is not None:
            old_model, old_assessment = old
            known = known_at_base(old_assessment, assessment)
            known_threats = frozenset(t.fingerprint for t in old_assessment.open_threats)
            failures = tuple(
                RuleFailure(f.rule, f.element, f"at {base}: {f.error}")
                for f in old_assessment.rule_errors
            )
            comparison = compare_with_base(
                old_model, old_assessment, model, assessment, self.threshold
            )
        return evaluate_gate(
            assessment,
            self.threshold,
            known,
            mode=GateMode.BASE,
            reference=base,
            model=model,
            policy=self.policy,
            comparison=comparison,
            fail_on_new_decisions=self.fail_on_new_decisions,
            failures=failures,
            unreviewed=self.unreviewed,
            rules_version=self.rules_version,
            known_threats=known_threats,
        )


def _read_baseline(path: Path) -> Mapping[str, Severity | None]:
    from threatforge.sdlc.baseline import BaselineError, read_baseline

    try:
        return read_baseline(str(path))
    except BaselineError as exc:
        output.fail(str(exc))


def _at_ref(
    path: Path,
    ref: str,
    repository: GitRepository,
    packs: Sequence[Path],
    when: date,
    evidence_files: Sequence[Path],
    plugins: tuple[bool, Sequence[Path]],
) -> tuple[Model, Assessment] | None:
    """The same model at ``ref`` and its assessment (None when the model is new there)."""
    from threatforge.errors import ThreatforgeError
    from threatforge.sdlc.git_source import load_base

    try:
        old, _ = load_base(path, ref, repository)
    except ThreatforgeError as exc:
        _fail_on_errors(exc)
    if old is None:
        output.info(f"{path} does not exist at {ref}: every open finding counts as new")
        return None
    evidence = _quiet_evidence(evidence_files, old)
    wanted, untrusted = plugins
    return old, analyse_model(
        old, packs, today=when, evidence=evidence, plugins=wanted, untrusted=untrusted
    )


def _quiet_evidence(paths: Sequence[Path], model: Model) -> list[Evidence]:
    """Evidence for the other side of a comparison (already summarised once)."""
    if not paths:
        return []
    from threatforge.errors import ImporterError
    from threatforge.importers.sarif_evidence import load_evidence as read_evidence

    try:
        mapped, _ = read_evidence(paths, model)
    except ImporterError as exc:
        output.fail(str(exc))
    return mapped


# --- diff -----------------------------------------------------------------------------------------


def diff(
    old: str = typer.Argument(..., metavar="OLD", help="A model file, or GIT_REF:PATH."),
    new: str = typer.Argument(..., metavar="NEW", help="A model file, or GIT_REF:PATH."),
    output_format: DiffFormat = typer.Option(DiffFormat.MARKDOWN, "--format", "-f"),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the diff to this file."),
    packs: list[Path] = PACKS_OPTION,
    today: str | None = TODAY_OPTION,
    evidence_files: list[Path] = _EVIDENCE,
    repo: Path | None = _REPO,
    no_plugins: bool = NO_PLUGINS_OPTION,
) -> None:
    """Compare two versions of a model: new, resolved and re-scored findings, model changes."""
    from threatforge.assessment.diff import diff_snapshots
    from threatforge.sdlc.diff_report import render_diff_json, render_diff_markdown

    when = parse_today(today) or date.today()
    repository = _open_repository(repo) if repo is not None else None
    plugins = plugins_wanted(no_plugins)
    before = _snapshot(old, packs, when, evidence_files, repository, quiet=True, plugins=plugins)
    after = _snapshot(new, packs, when, evidence_files, repository, quiet=False, plugins=plugins)
    if after is None:
        output.fail(f"'{new}': the file does not exist at that git ref")
    if before is None:
        output.info(f"'{old}' does not exist at that git ref: the model is new")
    _report_run(after.assessment)
    changes = diff_snapshots(before, after)
    if output_format is DiffFormat.JSON:
        text = render_diff_json(changes)
    else:
        text = render_diff_markdown(changes, old_label=old, new_label=new)
    output.write_or_print(text, out, f"the {output_format.value} diff")


def _snapshot(
    spec: str,
    packs: Sequence[Path],
    when: date,
    evidence_files: Sequence[Path],
    repository: GitRepository | None,
    *,
    quiet: bool,
    plugins: bool = True,
) -> Snapshot | None:
    """The model and its assessment; None when ``spec`` is GIT_REF:PATH and PATH is not there."""
    from threatforge.assessment.diff import Snapshot
    from threatforge.errors import ThreatforgeError
    from threatforge.sdlc.git_source import load_at_ref, resolve_spec

    try:
        source = resolve_spec(spec, repository)
        model: Model | None = None
        if source is None:
            model = load_model(Path(spec))
        else:
            model = load_at_ref(source, Path.cwd(), repository=repository)
    except ThreatforgeError as exc:
        _fail_on_errors(exc)
    if model is None:
        return None
    evidence = (
        _quiet_evidence(evidence_files, model) if quiet else load_evidence(evidence_files, model)
    )
    untrusted = [Path(spec).absolute().parent] if source is None else []
    return Snapshot(
        model,
        analyse_model(
            model, packs, today=when, evidence=evidence, plugins=plugins, untrusted=untrusted
        ),
    )


# --- requirements ---------------------------------------------------------------------------------


def requirements(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml."),
    output_format: RequirementsFormat = typer.Option(
        RequirementsFormat.MARKDOWN, "--format", "-f", help="markdown, or csv to import into Jira."
    ),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    min_severity: Severity = typer.Option(
        Severity.LOW, "--min-severity", help="Only threats at or above this severity."
    ),
    packs: list[Path] = PACKS_OPTION,
    today: str | None = TODAY_OPTION,
    evidence_files: list[Path] = _EVIDENCE,
    no_plugins: bool = NO_PLUGINS_OPTION,
) -> None:
    """Per component: the ASVS controls and tasks its open threats imply (a definition of done)."""
    from dataclasses import replace

    from threatforge.sdlc.requirements import (
        build_requirements,
        render_requirements_csv,
        render_requirements_markdown,
    )

    model = load_model(model_path)
    evidence = load_evidence(evidence_files, model)
    assessment = analyse_model(
        model,
        packs,
        today=parse_today(today),
        evidence=evidence,
        plugins=plugins_wanted(no_plugins),
        untrusted=[model_path.absolute().parent],
    )
    _report_run(assessment)
    threshold = min_severity
    assessment = replace(
        assessment,
        findings=tuple(f for f in assessment.findings if f.severity.rank >= threshold.rank),
    )
    items = build_requirements(assessment, model)
    if output_format is RequirementsFormat.CSV:
        text = render_requirements_csv(items)
    else:
        text = render_requirements_markdown(items, assessment)
    output.write_or_print(text, out, f"the {output_format.value} requirements")


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(check)
    app.command()(diff)
    app.command()(requirements)
