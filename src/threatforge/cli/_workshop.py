"""``threatforge workshop``: the workshop kit for a team's own model; ``threatforge training``:
the generic training module."""

from __future__ import annotations

from pathlib import Path

import typer

from threatforge.cli._common import (
    analyse_model,
    load_model,
    parse_today,
    plugins_wanted,
)
from threatforge.cli._output import output

__all__ = ["register"]


def workshop(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml to read."),
    out: Path = typer.Option(..., "--output", "-o", help="The folder to write the kit to."),
    minutes: int = typer.Option(
        120, "--minutes", min=30, max=480, help="The session's length the agenda plans."
    ),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Write the deck as HTML only."),
    packs: list[Path] = typer.Option([], "--rules", help="A YAML rule pack to add (repeatable)."),
    today: str | None = typer.Option(None, "--today", help="Judge expiry dates as of this date."),
    no_plugins: bool = typer.Option(
        False, "--no-plugins", help="Load no rule plugins (also THREATFORGE_NO_PLUGINS=1)."
    ),
) -> None:
    """Write a workshop kit from the model: facilitator guide (agenda with timings, STRIDE and
    LINDDUN prompts per boundary crossing and component), card deck (HTML and PDF), exercises
    with an answer key drawn from the engine's findings, and a quiz with answers."""
    from threatforge.errors import ExportError
    from threatforge.reports.pdf import html_to_pdf
    from threatforge.workshop import build_kit
    from threatforge.workshop.render import (
        render_answer_key,
        render_deck_html,
        render_exercises,
        render_guide,
        render_quiz,
        render_quiz_answers,
    )

    if out.is_symlink() or (out.exists() and not out.is_dir()):
        output.fail(f"{out} exists and is not a folder")
    model = load_model(model_path)
    assessment = analyse_model(
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
    kit = build_kit(model, assessment, minutes)
    deck = render_deck_html(kit)
    files: dict[str, str | bytes] = {
        "facilitator-guide.md": render_guide(kit),
        "deck.html": deck,
        "exercises.md": render_exercises(kit),
        "answer-key.md": render_answer_key(kit),
        "quiz.md": render_quiz(kit),
        "quiz-answers.md": render_quiz_answers(kit),
    }
    if not no_pdf:
        try:
            files["deck.pdf"] = html_to_pdf(deck)
        except ExportError as exc:
            output.problem(f"warning: deck.pdf not written: {exc}", style="yellow")
    for name, data in files.items():
        output.write(Path(name), data, inside=out)
    output.info(
        f"wrote the workshop kit to {out}: {len(kit.agenda)} agenda items "
        f"({sum(kit.minutes.values())} min, {len(kit.later)} for a follow-up), "
        f"{len(kit.deck)} cards, {len(kit.exercises)} exercises, {len(kit.quiz)} quiz questions "
        f"({', '.join(files)})"
    )


def training(
    out: Path = typer.Option(..., "--output", "-o", help="The folder to write the module to."),
) -> None:
    """Write a training module: secure design principles and threat modeling methods (STRIDE,
    LINDDUN, attack trees, PASTA in outline), with exercises on the bundled examples and an
    answer key drawn from the engine's findings."""
    from threatforge.workshop.training import (
        render_training_answer_key,
        render_training_exercises,
        render_training_module,
        training_examples,
    )

    if out.is_symlink() or (out.exists() and not out.is_dir()):
        output.fail(f"{out} exists and is not a folder")
    examples = training_examples()
    files = {
        "module.md": render_training_module(),
        "exercises.md": render_training_exercises(examples),
        "answer-key.md": render_training_answer_key(examples),
    }
    for name, text in files.items():
        output.write(Path(name), text, inside=out)
    count = sum(len(example.exercises) for example in examples)
    output.info(
        f"wrote the training module to {out}: {count} exercises on {len(examples)} examples "
        f"({', '.join(files)})"
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the CLI."""
    app.command()(workshop)
    app.command()(training)
