"""Steps several commands share: load a model, assemble rules, analyse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from threatforge._hints import did_you_mean
from threatforge.cli._output import output

if TYPE_CHECKING:
    from threatforge.model import Diagnostic, Model
    from threatforge.rules import Assessment, Evidence, Rule

__all__ = [
    "analyse_model",
    "keep_until_exit",
    "load_model",
    "load_model_with_warnings",
    "load_rules",
    "parse_today",
]


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
    keep_until_exit()
    return result.model, tuple(d for d in result.diagnostics if not d.is_error)


def keep_until_exit() -> None:
    """Keep everything alive now out of every later garbage collection (``gc.freeze()``).

    A command is one short process: the model, then the analysis results, live until it
    exits, and walking them again each time rendering a large output triggers a collection
    costs more than the rendering. Called after loading and after each analysis.
    """
    from threatforge._gc import keep_until_exit as freeze

    freeze()


def load_rules(packs: Sequence[Path]) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Built-in, plugin and pack rules; exit 2 when a pack is invalid."""
    from threatforge.errors import RuleError
    from threatforge.rules import load_rule_set

    try:
        rule_set = load_rule_set(packs)
    except RuleError as exc:
        output.fail(str(exc))
    return rule_set.rules, rule_set.problems


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
) -> Assessment:
    """Run the rules on a loaded model; plugin load problems become rule errors."""
    from dataclasses import replace

    from threatforge.rules import RuleFailure, analyze

    rules, problems = load_rules(packs)
    known = {r.id for r in rules}
    for name in (*only, *skip):
        if name not in known:
            hint = did_you_mean(name, known)
            output.fail(f"unknown rule '{name}'{hint} (see 'threatforge rules list')")
    assessment = analyze(model, rules, today=today, only=only, skip=skip, evidence=evidence)
    if problems:
        failures = tuple(RuleFailure("plugin", None, p) for p in problems)
        assessment = replace(assessment, rule_errors=failures + assessment.rule_errors)
    keep_until_exit()
    return assessment


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
