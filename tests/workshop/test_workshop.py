"""The workshop kit (issue 19 item 5): built from each bundled example, the answer key is the
engine's findings on the exercise flows, the deck prints, and model text is escaped."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from system_deps import require_binary
from threatforge.assessment import Assessment
from threatforge.cli import app
from threatforge.model import Model, load
from threatforge.rules import analyze, builtin_rules
from threatforge.workshop import Card, WorkshopKit, build_kit
from threatforge.workshop.render import (
    render_answer_key,
    render_deck_html,
    render_exercises,
    render_guide,
    render_quiz,
    render_quiz_answers,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    p.name for p in (ROOT / "examples").iterdir() if (p / "threatmodel.yaml").is_file()
)
FILES = {
    "facilitator-guide.md", "deck.html", "deck.pdf", "exercises.md", "answer-key.md", "quiz.md",
    "quiz-answers.md",
}


def _kit(path: Path) -> tuple[Model, Assessment, WorkshopKit]:
    model = load(path)
    assessment = analyze(model, builtin_rules(), analyses=())
    return model, assessment, build_kit(model, assessment)


def _write(model: Path, out: Path, *extra: str) -> str:
    done = CliRunner().invoke(app, ["workshop", str(model), "-o", str(out), *extra])
    assert done.exit_code == 0, done.output
    return done.output


def _gray_pages(pdf: Path, prefix: Path) -> list[bytes]:
    """Each page of ``pdf`` as 8-bit gray pixels (pdftoppm's PGM, read by hand)."""
    require_binary("pdftoppm")
    subprocess.run(["pdftoppm", "-gray", "-r", "20", str(pdf), str(prefix)], check=True)
    pages = []
    for page in sorted(prefix.parent.glob(f"{prefix.name}-*.pgm")):
        raw = page.read_bytes()
        magic, width, height, depth, pixels = raw.split(maxsplit=4)
        assert (magic, depth) == (b"P5", b"255")
        assert len(pixels) == int(width) * int(height)
        pages.append(pixels)
    return pages


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_kit_of_each_example_has_every_file_and_a_deck_that_prints(
    name: str, tmp_path: Path
) -> None:
    out = tmp_path / "kit"
    said = _write(ROOT / "examples" / name / "threatmodel.yaml", out)
    assert {p.name for p in out.iterdir()} == FILES
    _, _, kit = _kit(ROOT / "examples" / name / "threatmodel.yaml")
    assert f"{len(kit.deck)} cards, {len(kit.exercises)} exercises" in said
    pages = _gray_pages(out / "deck.pdf", tmp_path / "page")
    assert len(pages) == 1 + math.ceil(len(kit.deck) / 9)  # the cover, then nine cards a page
    for number, pixels in enumerate(pages, start=1):
        ink = sum(1 for value in pixels if value < 160)
        assert ink > len(pixels) // 100, f"page {number} of {len(pages)} is blank"
    require_binary("pdftotext")
    text = subprocess.run(
        ["pdftotext", str(out / "deck.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert f"Threat cards: {kit.system}" in text
    assert text.count("Try it on:") == len(kit.deck)
    assert len(kit.deck) >= 6 * 7  # every STRIDE suit: six cards and an Ace
    guide = (out / "facilitator-guide.md").read_text("utf-8")
    assert guide == render_guide(kit)
    assert (out / "deck.html").read_text("utf-8") == render_deck_html(kit)
    assert (out / "quiz.md").read_text("utf-8") == render_quiz(kit)
    assert (out / "quiz-answers.md").read_text("utf-8") == render_quiz_answers(kit)


_FLOW = re.compile(r"^Flow `([^`]+)`", re.MULTILINE)
_KEYED = re.compile(r"^- \w+: .* \(`([^`]+)`; ", re.MULTILINE)


def _answer_key(text: str) -> dict[str, set[str]]:
    """The fingerprints the answer key lists, per exercise flow (read back from the file)."""
    key: dict[str, set[str]] = {}
    for section in text.split("\n## Exercise ")[1:]:
        flow = _FLOW.search(section)
        assert flow is not None, section
        key[flow[1]] = set(_KEYED.findall(section.split("Also ask")[0]))
    return key


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_answer_key_is_exactly_the_engines_findings_on_the_exercise_flows(
    name: str, tmp_path: Path
) -> None:
    path = ROOT / "examples" / name / "threatmodel.yaml"
    _write(path, tmp_path / "kit", "--no-pdf")
    exercises = (tmp_path / "kit" / "exercises.md").read_text("utf-8")
    key = _answer_key((tmp_path / "kit" / "answer-key.md").read_text("utf-8"))
    flows = _FLOW.findall(exercises)
    assert len(flows) == 5  # each bundled example has more flows than the kit's five exercises
    assert list(key) == flows
    # through the engine, here: the findings on each exercise flow (the flow they name first)
    model = load(path)
    assessment = analyze(model, builtin_rules(), analyses=())
    assert set(flows) <= {flow.id for flow in model.flows}
    expected = {
        flow: {f.fingerprint for f in assessment.findings if f.elements[:1] == (flow,)}
        for flow in flows
    }
    assert key == expected
    # flows with findings come first; no flow with findings is left out for one without
    with_findings = {f.elements[0] for f in assessment.findings if f.elements} & {
        flow.id for flow in model.flows
    }
    assert [bool(expected[flow]) for flow in flows] == sorted(
        (bool(expected[flow]) for flow in flows), reverse=True
    )
    if len(flows) < 5:
        assert with_findings <= set(flows)


def test_the_answer_keys_of_two_examples_name_these_rules() -> None:
    _, _, kit = _kit(ROOT / "examples" / "card-checkout" / "threatmodel.yaml")
    assert [(e.flow, [f.fingerprint for f in e.findings]) for e in kit.exercises] == [
        ("checkout-fn->fraud-scoring", [
            "privacy-cross-border-transfer@checkout-fn->fraud-scoring",
        ]),
        ("back-office->card-vault-db", ["cleartext-sensitive-flow@back-office->card-vault-db"]),
        ("psp-webhook", ["unsigned-inbound-callback@psp-webhook"]),
        ("payment-fn->cloudwatch-logs", ["sensitive-data-to-logs@payment-fn->cloudwatch-logs"]),
        ("shopper->receipts-bucket", ["untrusted-direct-store-access@shopper->receipts-bucket"]),
    ]
    key = render_answer_key(kit)
    assert "(`unsigned-inbound-callback@psp-webhook`; spoofing, tampering)" in key
    # refund-service: the engine finds nothing; its exercises ask the applicable threats
    _, assessment, kit = _kit(ROOT / "examples" / "refund-service" / "threatmodel.yaml")
    assert assessment.findings == ()
    assert [e.flow for e in kit.exercises][:2] == [
        "api-gateway->refund-api", "refund-queue->refund-worker",
    ]
    key = render_answer_key(kit)
    assert "- none: no rule finds a threat on this flow as it is modelled" in key


def test_card_checkout_agenda_fits_the_session_most_pressing_first() -> None:
    _, _, kit = _kit(ROOT / "examples" / "card-checkout" / "threatmodel.yaml")
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
    everything = (*kit.agenda, *kit.later)
    private = [i for i in everything if any(p.method == "LINDDUN" for p in i.prompts)]
    assert private
    assert all(len([p for p in i.prompts if p.method == "LINDDUN"]) == 7 for i in private)
    guide = render_guide(kit)
    intro = "Introduction: scope, the data-flow diagram, the rules of the game"
    assert f"| 0:00 | {intro} | 10 |" in guide
    answers = render_quiz_answers(kit)
    assert "a) Card vault (RDS PostgreSQL): Card vault (RDS PostgreSQL) stores data classified " \
        "restricted." in answers


HOSTILE = (
    "version: '1'\n"
    "system:\n"
    "  name: '<script>alert(1)</script> | # x'\n"
    "  description: \"first line\\n# Forged heading\\n<img src=x onerror=alert(2)>\"\n"
    "boundaries:\n  internet: {trust: untrusted, kind: internet}\n"
    "  vpc: {trust: trusted, kind: vpc}\n"
    "components:\n"
    "  user: {kind: actor, zone: internet}\n"
    "  api:\n    kind: service\n    zone: vpc\n"
    "    name: \"<img src=x onerror=alert(1)> *bold* [link](javascript:alert(3)) \\u202eevil\"\n"
    "flows:\n  - user -> api: {protocol: http, name: '`code` @team https://x.example'}\n"
)


def test_model_text_is_escaped_in_every_file_of_the_kit(tmp_path: Path) -> None:
    hostile = tmp_path / "threatmodel.yaml"
    hostile.write_text(HOSTILE, "utf-8")
    _write(hostile, tmp_path / "kit", "--no-pdf")
    written = {p.name: p.read_text("utf-8") for p in (tmp_path / "kit").iterdir()}
    assert set(written) == FILES - {"deck.pdf"}
    for name, text in written.items():
        assert "<script" not in text and "<img" not in text, name
        assert "\u202e" not in text, name  # written out, never applied
        assert "\n# Forged heading" not in text, name
        if name.endswith(".md"):
            assert "[link](" not in text, name  # written \[link\](: not a link
    deck = written["deck.html"]
    assert "&lt;img src=x onerror=alert(1)&gt; *bold* [link](javascript:alert(3)) \\u202eevil" \
        in deck
    guide = written["facilitator-guide.md"]
    assert guide.splitlines()[0] == (
        "# Threat modeling workshop: &lt;script&gt;alert(1)&lt;/script&gt; \\| \\# x"
    )
    assert "> first line \\# Forged heading &lt;img src=x onerror=alert(2)&gt;" in guide
    assert (
        "&lt;img src=x onerror=alert(1)&gt; \\*bold\\* \\[link\\](javascript:alert(3)) "
        "\\\\u202eevil" in guide
    )
    assert "\\`code\\` @\u2060team https:\u2060//x.example" in written["exercises.md"]


def test_control_characters_never_reach_the_deck() -> None:
    # the loader refuses them in a model; the deck drops them whatever it is given
    _, _, kit = _kit(ROOT / "examples" / "partner-api" / "threatmodel.yaml")
    card = Card("Spoofing", "2", "a \x1b[31mred\x07 card \u2066x", "api\x1b]0;title\x07")
    deck = render_deck_html(WorkshopKit(
        "sys\x1b[2J", "", kit.agenda, kit.later, (card,), kit.exercises, kit.quiz, kit.minutes,
    ))
    assert "\x1b" not in deck and "\x07" not in deck
    assert "<p class=\"threat\">a [31mred card \\u2066x</p>" in deck
    assert "<title>Threat cards: sys[2J</title>" in deck


def test_a_planted_symlink_in_the_output_folder_is_not_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "repo"
    (workspace / "kit").mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n", "utf-8")
    (workspace / "kit" / "facilitator-guide.md").symlink_to(outside)
    monkeypatch.chdir(workspace)
    done = CliRunner().invoke(app, [
        "workshop", str(ROOT / "examples" / "partner-api" / "threatmodel.yaml"), "-o", "kit",
        "--no-pdf",
    ])
    assert done.exit_code == 2
    assert done.output.startswith(
        "error: refusing to write kit/facilitator-guide.md: it is a symbolic link"
    )
    assert outside.read_text("utf-8") == "keep\n"
    assert (workspace / "kit" / "facilitator-guide.md").is_symlink()


def test_an_output_folder_that_is_a_symlink_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "repo"
    workspace.mkdir()
    (tmp_path / "outside").mkdir()
    (workspace / "kit").symlink_to("../outside", target_is_directory=True)
    monkeypatch.chdir(workspace)
    done = CliRunner().invoke(app, [
        "workshop", str(ROOT / "examples" / "partner-api" / "threatmodel.yaml"), "-o", "kit",
        "--no-pdf",
    ])
    assert done.exit_code == 2
    assert done.output == "error: kit exists and is not a folder\n"
    assert list((tmp_path / "outside").iterdir()) == []


def test_the_kit_is_the_same_every_time() -> None:
    path = ROOT / "examples" / "partner-api" / "threatmodel.yaml"
    first, second = _kit(path)[2], _kit(path)[2]
    assert render_guide(first) == render_guide(second)
    assert render_deck_html(first) == render_deck_html(second)
    assert render_exercises(first) == render_exercises(second)
    assert render_answer_key(first) == render_answer_key(second)


def test_the_deck_loads_nothing_and_allows_only_its_own_stylesheet() -> None:
    _, _, kit = _kit(ROOT / "examples" / "card-checkout" / "threatmodel.yaml")
    deck = render_deck_html(kit)
    assert re.search(r"\b(src|href|srcset)\s*=|url\(|@import|<script|<link", deck) is None
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', deck)
    assert policy is not None
    assert policy[1].startswith("default-src 'none'; style-src 'sha256-")
    assert deck.count("<style>") == 1


def test_the_quiz_of_k8s_platform_and_its_answers() -> None:
    _, _, kit = _kit(ROOT / "examples" / "k8s-platform" / "threatmodel.yaml")
    answers = render_quiz_answers(kit).splitlines()
    assert answers[:3] == [
        "# Quiz answers: Shop platform (Kubernetes)",
        "",
        "1. d) information disclosure: cleartext-sensitive-flow is classed as information "
        "disclosure.",
    ]
    assert answers[5] == (
        "4. b) Keycloak (customer realm): Keycloak (customer realm) stores data classified "
        "restricted."
    )
    assert answers[6].startswith("5. b) Yes: a decision without an expiry does not hide")
    assert answers[7].startswith("6. c) Answering its question in the model: Its question: ")
    quiz = render_quiz(kit)
    assert "   d) information disclosure\n" in quiz
    assert "Keycloak (customer realm) stores" not in quiz  # the answers are not in the quiz
