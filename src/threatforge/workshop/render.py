"""The workshop kit's files: a facilitator guide, exercises, answer key and quiz in Markdown, and
the card deck as a printable HTML page and PDF.

Every piece of model text is escaped (Markdown through :mod:`threatforge.text.markdown`, HTML by
Jinja2's autoescaping); the deck page loads nothing and allows only its own stylesheet, as the
reports do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from threatforge import __version__
from threatforge.reports.html import content_security_policy
from threatforge.text.lines import drop_controls, visible_bidi
from threatforge.text.markdown import markdown_cell, markdown_code, markdown_text
from threatforge.workshop.kit import AgendaItem, Card, Exercise, WorkshopKit

__all__ = [
    "CARDS_PER_PAGE",
    "answer_key_lines",
    "render_answer_key",
    "render_deck_html",
    "render_exercises",
    "render_guide",
    "render_quiz",
    "render_quiz_answers",
]

CARDS_PER_PAGE = 9
"""Cards on one printed A4 page (three by three)."""


def _t(text: str) -> str:
    return markdown_text(text)


def render_guide(kit: WorkshopKit) -> str:
    """The facilitator guide: the session's plan with timings, then each agenda item with its
    prompts and the engine's suggestions."""
    total = sum(kit.minutes.values())
    lines = [
        f"# Threat modeling workshop: {_t(kit.system)}",
        "",
        f"A facilitator's guide for a {total}-minute session, written by threatforge "
        f"{__version__} from the team's own model. Walk the agenda in order; at each stop ask "
        "the prompts, let the team answer from what they know, and record each decision "
        "(mitigate, accept with an owner and expiry, not applicable) in the model's "
        "`tracking:` section or with `threatforge decide`.",
        "",
    ]
    if kit.description:
        lines += [f"> {_t(kit.description)}", ""]
    lines += [
        "## Plan",
        "",
        "| time | block | minutes |",
        "|---|---|---|",
    ]
    clock = 0
    intro = "Introduction: scope, the data-flow diagram, the rules of the game"
    rows = [(intro, kit.minutes["intro"])]
    rows += [(f"{_kind(item)}: {item.label}", item.minutes) for item in kit.agenda]
    rows.append(("Wrap-up: decisions, owners, due dates, what is left", kit.minutes["wrap-up"]))
    for block, minutes in rows:
        lines.append(f"| {clock // 60}:{clock % 60:02d} | {markdown_cell(block)} | {minutes} |")
        clock += minutes
    lines += ["", "## Agenda", ""]
    for number, item in enumerate(kit.agenda, start=1):
        lines += _item(number, item)
    if kit.later:
        lines += [
            "## For a follow-up session",
            "",
            f"{len(kit.later)} more items did not fit this session:",
            "",
            *(f"- {_kind(item)}: {_t(item.label)} ({_t(item.why)})" for item in kit.later),
            "",
        ]
    lines += [
        "## Facilitating",
        "",
        "- Start at the diagram: ask the team to tell the story of one request end to end.",
        "- Ask one prompt at a time and wait; the team's answer is the finding, not the prompt.",
        "- A suggestion from the engine is a starting point: confirm or rule it out with a fact "
        "(the question under it says which), then record it.",
        "- Park anything that needs an expert outside the room as an action item with an owner.",
        "- Deal cards from the deck when the discussion stalls: a card names a way to attack and "
        "an element of this system to try it on.",
        "",
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _kind(item: AgendaItem) -> str:
    return "Boundary crossing" if item.kind == "crossing" else "Component"


def _item(number: int, item: AgendaItem) -> list[str]:
    lines = [
        f"### {number}. {_t(item.label)} ({item.minutes} min)",
        "",
        f"{_kind(item)} {markdown_code(item.element)}: {_t(item.why)}.",
        "",
        "Ask:",
        "",
    ]
    lines += [f"- **{_t(p.method)} {_t(p.category)}**: {_t(p.text)}" for p in item.prompts]
    lines.append("")
    if item.suggestions:
        lines += ["What the engine suggests (confirm or rule out):", ""]
        for s in item.suggestions:
            line = f"- {s.severity.value}: {_t(s.title)} ({markdown_code(s.fingerprint)})"
            if s.question:
                line += f"; decide it: {_t(s.question)}"
            lines.append(line)
        lines.append("")
    return lines


def render_exercises(kit: WorkshopKit) -> str:
    """The hands-on exercises: one flow each, "what can go wrong on it?"."""
    lines = [
        f"# Exercises: {_t(kit.system)}",
        "",
        "For each flow, take ten minutes in pairs: list what can go wrong on it (STRIDE helps: "
        "spoofing, tampering, repudiation, information disclosure, denial of service, elevation "
        "of privilege), then compare with the answer key.",
        "",
    ]
    if not kit.exercises:
        lines += ["The engine found nothing on any flow of this model: pick a flow from the "
                  "diagram and list what can go wrong on it as a group.", ""]
    for number, exercise in enumerate(kit.exercises, start=1):
        lines += [
            f"## Exercise {number}: what can go wrong on {_t(exercise.label)}?",
            "",
            f"Flow {markdown_code(exercise.flow)}: {_t(exercise.context)}",
            "",
            "Your threats:",
            "",
            "1. ",
            "2. ",
            "3. ",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_answer_key(kit: WorkshopKit) -> str:
    """The answer key: per exercise, the engine's findings on that flow (and the applicable
    threats to ask about)."""
    lines = [f"# Answer key: {_t(kit.system)}", ""]
    if not kit.exercises:
        lines += ["No exercises: the engine finds nothing on any flow of this model.", ""]
    for number, exercise in enumerate(kit.exercises, start=1):
        lines += answer_key_lines(number, exercise)
    return "\n".join(lines).rstrip("\n") + "\n"


def answer_key_lines(number: int, exercise: Exercise, *, level: str = "##") -> list[str]:
    """One exercise of an answer key: its flow, the engine's findings on it (each with its
    fingerprint, STRIDE categories and first mitigation), the open applicable threats."""
    lines = [
        f"{level} Exercise {number}: {_t(exercise.label)}",
        "",
        f"Flow {markdown_code(exercise.flow)}. The engine's findings:",
        "",
    ]
    if not exercise.findings:
        lines.append("- none: no rule finds a threat on this flow as it is modelled")
    for finding in exercise.findings:
        stride = ", ".join(s.value for s in finding.meta.stride)
        fix = finding.meta.mitigations[0] if finding.meta.mitigations else ""
        key = markdown_code(finding.fingerprint)
        lines.append(
            f"- {finding.severity.value}: {_t(finding.title)} ({key}; {_t(stride)}). "
            f"Fix: {_t(fix)}"
        )
    if exercise.threats:
        lines += ["", "Also ask (applicable threats the model does not decide yet):", ""]
        lines += [f"- {_t(t.title)}: {_t(t.question.text)}" for t in exercise.threats]
    lines.append("")
    return lines


def render_quiz(kit: WorkshopKit) -> str:
    """The quiz, without the answers."""
    lines = [f"# Quiz: {_t(kit.system)}", ""]
    for number, question in enumerate(kit.quiz, start=1):
        lines += [f"{number}. {_t(question.text)}", ""]
        lines += [f"   {chr(97 + i)}) {_t(option)}" for i, option in enumerate(question.options)]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_quiz_answers(kit: WorkshopKit) -> str:
    """The quiz's answers, each with why."""
    lines = [f"# Quiz answers: {_t(kit.system)}", ""]
    for number, question in enumerate(kit.quiz, start=1):
        letter = chr(97 + question.answer)
        lines.append(
            f"{number}. {letter}) {_t(question.options[question.answer])}: "
            f"{_t(question.explanation)}"
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def _visible(value: Any) -> Any:
    """Every text printed into the deck, before Jinja2 escapes it: control characters dropped,
    bidi controls written out (``\\u202e``) so that a card reads as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_bidi(drop_controls(value))
    return value


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("threatforge.workshop", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        finalize=_visible,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> str:
    return (resources.files("threatforge.workshop") / "templates" / "deck.css").read_text("utf-8")


def _css_class(suit: str) -> str:
    """``suit-information-disclosure``, ``suit-privacy-linddun``: the class deck.css colours."""
    return "suit-" + "-".join(re.findall(r"[a-z]+", suit.lower()))


def _pages(cards: Sequence[Card]) -> list[list[dict[str, str]]]:
    shown = [
        {"suit": c.suit, "rank": c.rank, "text": c.text, "element": c.element,
         "css": _css_class(c.suit)}
        for c in cards
    ]
    return [shown[i:i + CARDS_PER_PAGE] for i in range(0, len(shown), CARDS_PER_PAGE)]


def render_deck_html(kit: WorkshopKit) -> str:
    """The deck as one self-contained, printable HTML page (nine cards per A4 page)."""
    css = _css()
    template = _environment().get_template("deck.html")
    return template.render(
        system=kit.system,
        pages=_pages(kit.deck),
        suits=[
            {"name": name, "words": words, "css": _css_class(name),
             "count": sum(1 for c in kit.deck if c.suit == name)}
            for name, words in kit.suits.items()
        ],
        count=len(kit.deck),
        version=__version__,
        css=Markup(css),  # noqa: S704 - our stylesheet, hashed into the policy
        csp=Markup(content_security_policy(css, None)),  # noqa: S704 - hashes and keywords only
    )
