"""The workshop kit (issue 19 item 5): a facilitator guide, a card deck, exercises with an
answer key and a quiz, written from a team's own model; and the agenda the server's sessions
walk. See :mod:`threatforge.workshop.kit` and :mod:`threatforge.workshop.render`."""

from __future__ import annotations

from threatforge.workshop.kit import (
    SESSION_MINUTES,
    AgendaItem,
    Card,
    Exercise,
    Prompt,
    QuizQuestion,
    Suggestion,
    WorkshopKit,
    build_agenda,
    build_kit,
)

__all__ = [
    "SESSION_MINUTES",
    "AgendaItem",
    "Card",
    "Exercise",
    "Prompt",
    "QuizQuestion",
    "Suggestion",
    "WorkshopKit",
    "build_agenda",
    "build_kit",
]
