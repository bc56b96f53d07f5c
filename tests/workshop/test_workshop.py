"""The workshop kit (issue 19 item 5): built from each bundled example, the answer key is the
engine's findings on the exercise flows, the deck prints, and model text is escaped."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from system_deps import require_binary
from threatforge.cli import app
from threatforge.model import load
from threatforge.rules import analyze, builtin_rules
from threatforge.workshop import build_kit
from threatforge.workshop.render import (
    render_answer_key,
    render_deck_html,
    render_guide,
    render_quiz_answers,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "threatmodel.yaml").is_file())
FILES = {
    "facilitator-guide.md", "deck.html", "deck.pdf", "exercises.md", "answer-key.md", "quiz.md",
    "quiz-answers.md",
}


def _kit(path: Path):  # type: ignore[no-untyped-def]
    model = load(path)
    assessment = analyze(model, builtin_rules(), analyses=())
    return model, assessment, build_kit(model, assessment)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_kit_of_each_example_has_every_file_and_a_deck_that_prints(
    name: str, tmp_path: Path
) -> None:
    out = tmp_path / "kit"
    done = CliRunner().invoke(
        app, ["workshop", str(ROOT / "examples" / name / "threatmodel.yaml"), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert {p.name for p in out.iterdir()} == FILES
    _, _, kit = _kit(ROOT / "examples" / name / "threatmodel.yaml")
    require_binary("pdftoppm")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "20", str(out / "deck.pdf"), str(tmp_path / "page")], check=True
    )
    pages = len(list(tmp_path.glob("page-*.png")))
    assert pages == 1 + math.ceil(len(kit.deck) / 9)  # the cover, then nine cards a page
    require_binary("pdftotext")
    text = subprocess.run(
        ["pdftotext", str(out / "deck.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert f"Threat cards: {kit.system}" in text
    assert "Try it on:" in text
    assert len(kit.deck) >= 6 * 7  # every STRIDE suit: six cards and an Ace


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_answer_key_is_exactly_the_engines_findings_on_the_exercise_flows(name: str) -> None:
    model, assessment, kit = _kit(ROOT / "examples" / name / "threatmodel.yaml")
    flows = {exercise.flow for exercise in kit.exercises}
    assert flows <= {flow.id for flow in model.flows}
    expected = {f.fingerprint for f in assessment.findings if f.elements and f.elements[0] in flows}
    keyed = {f.fingerprint for exercise in kit.exercises for f in exercise.findings}
    assert keyed == expected
    key = render_answer_key(kit)
    for fingerprint in expected:
        assert f"`{fingerprint}`" in key
    others = {f.fingerprint for f in assessment.findings} - expected
    assert not any(f"`{fingerprint}`" in key for fingerprint in others)


def test_card_checkout_agenda_fits_the_session_most_pressing_first() -> None:
    model, assessment, kit = _kit(ROOT / "examples" / "card-checkout" / "threatmodel.yaml")
    assert sum(kit.minutes.values()) <= 120
    assert kit.agenda[0].element == "back-office"  # three open findings, an entry point
    crossing = next(i for i in kit.agenda if i.element == "back-office->card-vault-db")
    assert crossing.kind == "crossing"
    assert crossing.why == (
        "crosses private-subnet (trusted) -> cde-subnet (restricted) into a more trusted zone"
    )
    assert [p.category for p in crossing.prompts] == [
        "Tampering", "Information disclosure", "Denial of service",
    ]
    assert {s.fingerprint for s in crossing.suggestions} == {
        "cleartext-sensitive-flow@back-office->card-vault-db",
        "injection-sql@back-office->card-vault-db",
    }
    agenda_ids = [i.element for i in (*kit.agenda, *kit.later)]
    assert len(agenda_ids) == len(set(agenda_ids))
    # an element holding personal data gets the LINDDUN prompts
    private = [i for i in (*kit.agenda, *kit.later) if any(p.method == "LINDDUN" for p in i.prompts)]
    assert private and all(len([p for p in i.prompts if p.method == "LINDDUN"]) == 7 for i in private)
    guide = render_guide(kit)
    assert "| 0:00 | Introduction: scope, the data-flow diagram, the rules of the game | 10 |" in guide
    answers = render_quiz_answers(kit)
    assert "a) Card vault (RDS PostgreSQL): Card vault (RDS PostgreSQL) stores data classified " \
        "restricted." in answers


def test_model_text_is_escaped_in_the_guide_and_the_deck(tmp_path: Path) -> None:
    hostile = tmp_path / "threatmodel.yaml"
    hostile.write_text(
        "version: '1'\n"
        "system:\n  name: '<script>alert(1)</script> | # x'\n"
        "boundaries:\n  internet: {trust: untrusted, kind: internet}\n"
        "  vpc: {trust: trusted, kind: vpc}\n"
        "components:\n"
        "  user: {kind: actor, zone: internet}\n"
        "  api:\n    kind: service\n    zone: vpc\n    name: '<img src=x onerror=alert(1)>'\n"
        "flows:\n  - user -> api: {protocol: https}\n",
        "utf-8",
    )
    _, _, kit = _kit(hostile)
    deck = render_deck_html(kit)
    assert "<script>alert" not in deck and "<img src=x" not in deck
    assert "&lt;img src=x onerror=alert(1)&gt;" in deck
    guide = render_guide(kit)
    assert "<script>" not in guide and "<img" not in guide
    assert guide.splitlines()[0] == (
        "# Threat modeling workshop: &lt;script&gt;alert(1)&lt;/script&gt; \\| \\# x"
    )


def test_the_kit_is_the_same_every_time() -> None:
    path = ROOT / "examples" / "partner-api" / "threatmodel.yaml"
    first, second = _kit(path)[2], _kit(path)[2]
    assert render_guide(first) == render_guide(second)
    assert render_deck_html(first) == render_deck_html(second)
