"""Applicable threats, the questions that decide them, and the one decision vocabulary.

A **finding** is a weakness the stated facts show. An **applicable threat** is what can go wrong
at an element because of its kind, technology, data, exposure and flows, which no stated fact
rules out yet: it carries the question whose answer decides it. A threat and the finding its
rule would report share the rule and the fingerprint (``rule@element``), so stating the weak
value turns the threat into that finding, and stating the safe value rules it out (kept as a
:class:`RuledOut` record with the fact that did).

What the facts say (applicable, confirmed, ruled out) is kept apart from what people decided:
a :class:`DecisionStatus` from ``tracking:``, one vocabulary for findings and applicable
threats (and later the team's own threats), documented in ``docs/applicable-threats.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from threatforge.assessment._decisions import OPEN_STATUSES, DecisionStatus
from threatforge.assessment._results import Decision, RuleFacts, RuleInfo, Severity
from threatforge.model import Location

__all__ = [
    "NOT_CONFIRMED",
    "Answer",
    "ApplicableThreat",
    "Question",
    "QuestionFact",
    "RuledOut",
]

NOT_CONFIRMED = "not-confirmed"
"""The confidence of every applicable threat: no stated fact shows the weakness."""


class Answer(StrEnum):
    """What writing a value for a question's fact does to the threat."""

    RULES_OUT = "rules out"
    CONFIRMS = "confirms"


@dataclass(frozen=True, slots=True)
class QuestionFact:
    """One fact a question asks for: where to write it and what each value does.

    ``path`` is the dotted path in the model file under the element (``authn``,
    ``properties.dual_approval``, ``logging.tamper_evident``); every path a built-in rule asks
    for is in the vocabulary catalogue, so the loader accepts the answer without a warning.
    ``answers`` are ``(value as written in YAML, what it does)``, each decisive on its own.
    """

    element: str
    path: str
    answers: tuple[tuple[str, Answer], ...]

    def values(self, answer: Answer) -> tuple[str, ...]:
        """The values that have this effect, e.g. every value that rules the threat out."""
        return tuple(value for value, effect in self.answers if effect is answer)


@dataclass(frozen=True, slots=True)
class Question:
    """The question that decides an applicable threat, and the facts that answer it."""

    text: str
    facts: tuple[QuestionFact, ...]

    def describe(self) -> str:
        """The question with its answers in words, e.g. for a report or a SARIF message."""
        parts = []
        for fact in self.facts:
            confirms = ", ".join(fact.values(Answer.CONFIRMS))
            rules_out = ", ".join(fact.values(Answer.RULES_OUT))
            said = [f"`{fact.path}` on `{fact.element}`"]
            if rules_out:
                said.append(f"{rules_out} rules it out")
            if confirms:
                said.append(f"{confirms} confirms it")
            parts.append(": ".join([said[0], "; ".join(said[1:])]) if said[1:] else said[0])
        return f"{self.text} (state {' / '.join(parts)})" if parts else self.text


@dataclass(frozen=True, kw_only=True)
class ApplicableThreat(RuleFacts):
    """A threat that applies to named elements and that no stated fact rules out yet.

    Scored like the finding its rule would report (so a team can sort what to review first),
    with confidence :data:`NOT_CONFIRMED`. ``why`` are the facts that made it applicable; the
    ``question`` says what to state to decide it. ``status`` and ``decision`` are what people
    decided (``tracking:``, keyed by the fingerprint), kept apart from what the facts say.
    """

    meta: RuleInfo = field(compare=False)
    title: str
    elements: tuple[str, ...]
    fingerprint: str
    likelihood: int
    impact: int
    severity: Severity
    explanation: str
    why: tuple[str, ...]
    question: Question
    data: tuple[str, ...] = ()
    status: DecisionStatus = DecisionStatus.OPEN
    decision: Decision | None = None
    location: Location | None = None
    likelihood_factors: tuple[str, ...] = ()
    impact_factors: tuple[str, ...] = ()

    confidence = NOT_CONFIRMED

    @property
    def is_open(self) -> bool:
        """Not decided away yet (see :data:`OPEN_STATUSES`): what ``--fail-on-unreviewed``
        counts."""
        return self.status in OPEN_STATUSES

    @property
    def element(self) -> str:
        """The element the threat is on (its first element)."""
        return self.elements[0] if self.elements else ""


@dataclass(frozen=True, slots=True)
class RuledOut:
    """An applicable threat a stated fact rules out, with the fact as evidence."""

    rule: str
    fingerprint: str
    elements: tuple[str, ...]
    title: str
    evidence: tuple[str, ...]

    @property
    def message(self) -> str:
        """``ruled out by ...`` in words."""
        return "ruled out by " + "; ".join(self.evidence)
