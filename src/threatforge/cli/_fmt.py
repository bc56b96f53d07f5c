"""``threatforge fmt``: put model files (and the files they include) in canonical form."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from threatforge.cli._output import Exit, output
from threatforge.text.terminal import terminal_text

if TYPE_CHECKING:
    from threatforge.model import Model
    from threatforge.model.edit import Fix

__all__ = ["register"]


def fmt(
    models: list[Path] = typer.Argument(..., help="Model files to format.", metavar="MODEL..."),
    check: bool = typer.Option(
        False, "--check", help="Change nothing; exit 1 if a file would change, naming it."
    ),
    fix: bool = typer.Option(
        False, "--fix", help="Also apply the named rewrites (docs/fmt.md), e.g. control defaults."
    ),
    diff: bool = typer.Option(False, "--diff", help="Print what would change as a unified diff."),
) -> None:
    """Format model files canonically, comments kept (docs/fmt.md). Exit 2 on an invalid model."""
    from threatforge.model import ModelError, load_with_diagnostics
    from threatforge.model.edit import find_fixes, format_text, read_model_text
    from threatforge.model.writer import replace_file

    write = not (check or diff)
    failed = False
    changed: list[str] = []
    done: set[str] = set()
    skipped: list[str] = []
    for path in models:
        result = load_with_diagnostics(path)
        if result.model is None:
            output.diagnostics(result.errors)
            failed = True
            continue
        fixes = find_fixes(result.model)
        moves, notes = _tracking_moves(result.model)
        fixes += moves
        for note in notes:
            output.info(f"note: {path}: {note}")
        if fixes and not fix:
            names = sorted({f.rewrite for f in fixes})
            output.info(
                f"note: {path}: {len(fixes)} fixes available ({', '.join(names)}): "
                "run 'threatforge fmt --fix'"
            )
        for file in result.model.files:
            if file in done:
                continue
            done.add(file)
            if file.lower().endswith(".json"):
                # JSON is written by programs; fmt's layout (block YAML, comments) is not JSON
                skipped.append(file)
                output.info(f"left as written: {file} (JSON; fmt formats YAML model files)")
                continue
            mine = [f for f in fixes if f.file == file] if fix else []
            try:
                before = read_model_text(file)
                after = format_text(before, file, mine)
            except (ModelError, OSError) as exc:
                if isinstance(exc, ModelError):
                    output.diagnostics(exc.diagnostics)
                else:
                    output.problem(f"error: {file}: {exc}", style="bold red")
                failed = True
                continue
            verb = "fixed" if write else "would fix"
            for item in mine:
                output.info(f"{item.location}: {verb} ({item.rewrite}): {item.message}")
            if after == before:
                continue
            changed.append(file)
            if diff:
                lines = difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    f"{file} (before)",
                    f"{file} (formatted)",
                )
                output.out.print(_shown(lines), end="", markup=False, highlight=False, emoji=False)
            if check:
                output.line(f"would reformat: {file}")
            if write:
                try:
                    replace_file(file, after)
                except ModelError as exc:
                    output.diagnostics(exc.diagnostics)
                    failed = True
                    continue
                output.info(f"reformatted: {file}")
    if failed:
        raise typer.Exit(int(Exit.BAD_INPUT))
    unchanged = len(done) - len(changed) - len(skipped)
    json_files = f", {len(skipped)} JSON files left as written" if skipped else ""
    if write:
        output.info(f"{len(changed)} files reformatted, {unchanged} unchanged{json_files}")
    else:
        output.info(
            f"{len(changed)} files would be reformatted, {unchanged} already formatted{json_files}"
        )
    if check and changed:
        raise typer.Exit(int(Exit.GATE_FAILED))


def _tracking_moves(model: Model) -> tuple[list[Fix], list[str]]:
    """The tracking keys and controls' ``mitigates:`` entries to move to their results' new
    fingerprints (docs/fmt.md), and the moves a person must make.

    Only the rules the fingerprints name (and the rules the changelog's fingerprint changes
    lead them to) are run: what moved is what their results say they stand for (a rule that
    regrouped its results names their former fingerprints) or what the rules changelog
    records (docs/rule-versions.md).
    """
    named = {*model.tracking, *(
        entry for control in model.controls.values() for entry in control.mitigates
        if "@" in entry
    )}
    if not named:
        return [], []
    from threatforge.model.edit import mitigates_fixes, tracking_key_fixes
    from threatforge.rules import analyze
    from threatforge.rules.registry import builtin_rules
    from threatforge.rules.versions import builtin_changelog

    changelog = builtin_changelog()
    wanted = {fingerprint.partition("@")[0] for fingerprint in named} | {
        new.partition("@")[0] for fingerprint in named for new, _ in changelog.moved(fingerprint)
    }
    rules = [r for r in builtin_rules() if r.id in wanted]
    if not rules:
        return [], []
    moved = dict(analyze(model, rules, analyses=()).moved)
    fixes, notes = tracking_key_fixes(model, moved)
    more_fixes, more_notes = mitigates_fixes(model, moved)
    return fixes + more_fixes, notes + more_notes


def _shown(lines: Iterable[str]) -> str:
    """The diff for a terminal or CI log: each line escaped by itself (:func:`terminal_text`).

    The lines are the model file's own, and the reader lets bidi controls and tabs stand in
    quoted scalars and comments: printed raw, they reorder what a reviewer sees in the log
    ("Trojan Source"). Escaped, they show as ``\\u202e`` and ``\\x09``, and every line of the
    file stays one line of the diff.
    """
    return "".join(
        terminal_text(line.removesuffix("\n").removesuffix("\r")) + "\n" for line in lines
    )


def register(app: typer.Typer) -> None:
    """Add the command to the CLI."""
    app.command()(fmt)
