"""Steps several commands share: load a model, assemble rules, analyse."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from threatforge.cli._output import output
from threatforge.text.hints import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Collection

    from threatforge.assessment import AnalysisKind
    from threatforge.model import Diagnostic, Model
    from threatforge.rules import Assessment, Evidence, Rule
    from threatforge.sdlc.policy import LoadedPolicy

__all__ = [
    "NO_PLUGINS_ENV",
    "NO_PLUGINS_OPTION",
    "PACKS_OPTION",
    "POLICY_OPTION",
    "TODAY_OPTION",
    "affected_models",
    "analyse_model",
    "analyse_model_with_rules",
    "load_model",
    "load_model_with_warnings",
    "load_policy_or_fail",
    "load_rules",
    "parse_today",
    "plugins_wanted",
]

PACKS_OPTION = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable).")
TODAY_OPTION = typer.Option(
    None, "--today", help="Judge expiry dates as of this date (YYYY-MM-DD)."
)
POLICY_OPTION = typer.Option(
    None,
    "--policy",
    envvar="THREATFORGE_POLICY",
    help="The organisation's policy bounding decisions (from CI, never from the checkout).",
)

NO_PLUGINS_ENV = "THREATFORGE_NO_PLUGINS"
"""Set to 1 (or true, yes, on) to load no rule plugins, as ``--no-plugins`` does."""


NO_PLUGINS_OPTION: bool = typer.Option(
    False,
    "--no-plugins",
    help="Load no rule plugins (also THREATFORGE_NO_PLUGINS=1), e.g. for untrusted changes.",
)


def plugins_wanted(no_plugins: bool) -> bool:
    """False under ``--no-plugins`` or ``THREATFORGE_NO_PLUGINS=1``."""
    switched_off = os.environ.get(NO_PLUGINS_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return not (no_plugins or switched_off)


def load_model(path: Path) -> Model:
    """Load a model or exit 2 after printing every error (warnings unless --quiet)."""
    return load_model_with_warnings(path)[0]


def load_model_with_warnings(path: Path) -> tuple[Model, tuple[Diagnostic, ...]]:
    """:func:`load_model`, and the warnings it printed (``check`` counts the vocabulary's)."""
    from threatforge.model import load_with_diagnostics

    result = load_with_diagnostics(path)
    output.diagnostics(result.diagnostics)
    if result.model is None:
        output.fail(f"{path} is not a valid model ({len(result.errors)} errors)")
    return result.model, tuple(d for d in result.diagnostics if not d.is_error)


def load_rules(
    packs: Sequence[Path],
    *,
    plugins: bool = True,
    untrusted: Sequence[Path] = (),
    show_plugins: bool = False,
) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Built-in, plugin and pack rules; exit 2 when a pack is invalid.

    ``untrusted``: the models' folders, never a source of plugins. ``show_plugins`` says on
    stderr which plugins were loaded (name, distribution, version), as the gate does.
    """
    from threatforge.errors import RuleError
    from threatforge.rules import load_rule_set

    plugins = plugins and plugins_wanted(False)  # THREATFORGE_NO_PLUGINS holds for every command
    try:
        rule_set = load_rule_set(packs, include_plugins=plugins, untrusted=untrusted)
    except RuleError as exc:
        # "invalid rule pack:" and one located problem a line: each line escaped by itself
        first, *problems = str(exc).split("\n")
        output.fail(first, details=problems)
    if show_plugins:
        if not plugins:
            output.info(f"plugins: none loaded (--no-plugins or {NO_PLUGINS_ENV}=1)")
        elif not rule_set.plugins:
            output.info("plugins: none installed")
        for plugin in rule_set.plugins:
            output.info(f"plugin: {plugin}")
    return rule_set.rules, rule_set.problems


def load_policy_or_fail(path: Path | None) -> LoadedPolicy:
    """The policy named by --policy (or THREATFORGE_POLICY), else the built-in defaults; exit 2
    when the file is not a valid policy."""
    from threatforge.sdlc.policy import PolicyError, default_policy, load_policy

    if path is None:
        return default_policy()
    try:
        return load_policy(str(path))
    except PolicyError as exc:
        output.fail(str(exc))


def parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        output.fail(f"--today '{value}' is not a date (YYYY-MM-DD)")


def analyse_model(
    model: Model,
    packs: Sequence[Path] = (),
    *,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    today: date | None = None,
    evidence: Sequence[Evidence] = (),
    plugins: bool = True,
    untrusted: Sequence[Path] = (),
    show_plugins: bool = False,
    analyses: Collection[AnalysisKind] = (),
) -> Assessment:
    """Run the rules on a loaded model; plugin load problems become rule errors. ``analyses``:
    the graph analyses the command needs carried in the assessment (default: none)."""
    return analyse_model_with_rules(
        model, packs, only=only, skip=skip, today=today, evidence=evidence, plugins=plugins,
        untrusted=untrusted, show_plugins=show_plugins, analyses=analyses,
    )[0]


def analyse_model_with_rules(
    model: Model,
    packs: Sequence[Path] = (),
    *,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    today: date | None = None,
    evidence: Sequence[Evidence] = (),
    plugins: bool = True,
    untrusted: Sequence[Path] = (),
    show_plugins: bool = False,
    analyses: Collection[AnalysisKind] = (),
) -> tuple[Assessment, tuple[Rule, ...]]:
    """:func:`analyse_model`, and the rules it loaded (``coverage`` reads their scopes)."""
    from dataclasses import replace

    from threatforge.rules import RuleFailure, analyze

    rules, problems = load_rules(
        packs, plugins=plugins, untrusted=untrusted, show_plugins=show_plugins
    )
    known = {r.id for r in rules}
    for name in (*only, *skip):
        if name not in known:
            hint = did_you_mean(name, known)
            output.fail(f"unknown rule '{name}'{hint} (see 'threatforge rules list')")
    assessment = analyze(
        model, rules, today=today, only=only, skip=skip, evidence=evidence, analyses=analyses
    )
    if problems:
        failures = tuple(RuleFailure("plugin", None, p) for p in problems)
        assessment = replace(assessment, rule_errors=failures + assessment.rule_errors)
    return assessment, rules


def load_evidence(paths: Sequence[Path], model: Model) -> list[Evidence]:
    """Scanner SARIF files mapped onto the model's components; unmapped results are listed."""
    if not paths:
        return []
    from threatforge.errors import ImporterError
    from threatforge.importers.sarif_evidence import load_evidence as _load

    try:
        mapped, unmapped = _load(paths, model)
    except ImporterError as exc:
        output.fail(str(exc))
    output.info(
        f"evidence: {len(mapped)} scanner results mapped to components, {len(unmapped)} unmapped"
    )
    for item in unmapped[:20]:
        output.info(f"  unmapped: {item}")
    return mapped


ROOT_MODEL_NAMES = ("threatmodel.yaml", "threatmodel.yml")


def affected_models(changed: Sequence[Path]) -> list[Path]:
    """The root models (files named threatmodel.yaml/.yml) that a change to ``changed`` can
    affect, for pre-commit hooks: a root model that is one of them, or reads one of them
    through ``include:``.

    Included files must sit in the root model's folder or below it, so the only candidates for
    a changed file are the root models in its (real) folder and the folders above it, up to the
    current folder. A candidate counts when the changed file is among the files it reads, or
    when it does not load cleanly (fail closed: a file it could not read, one grown too large
    or turned into a link out of the folder, leaves no trace in what it read).
    """
    from threatforge.model import load_with_diagnostics

    here = os.path.realpath(".")
    wanted: set[str] = set()
    candidates: set[str] = set()
    for path in changed:
        real = os.path.realpath(path)
        wanted.add(real)
        if os.path.basename(path) in ROOT_MODEL_NAMES and os.path.isfile(real):
            candidates.add(real)
        # the folder the name sits in, and the one a link at the name leads to
        for folder in (
            os.path.realpath(os.path.dirname(os.path.abspath(path))),
            os.path.dirname(real),
        ):
            for above in _folders_up(folder, here):
                for name in ROOT_MODEL_NAMES:
                    model = os.path.join(above, name)
                    if os.path.isfile(model):
                        candidates.add(model)
    affected: list[Path] = []
    for real in sorted(candidates):
        shown = Path(os.path.relpath(real, here)) if _inside(real, here) else Path(real)
        result = load_with_diagnostics(shown)
        read = {os.path.realpath(f) for f in result.files}
        if result.errors or not wanted.isdisjoint(read):
            affected.append(shown)
    return affected


def _folders_up(folder: str, top: str) -> list[str]:
    """``folder`` and the folders above it up to ``top`` (real, absolute); none when
    ``folder`` is not ``top`` or below it."""
    found: list[str] = []
    while _inside(folder, top):
        found.append(folder)
        if folder == top:
            break
        folder = os.path.dirname(folder)
    return found


def _inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or below it (both real, absolute)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
