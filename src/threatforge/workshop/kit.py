"""The workshop kit, from a team's own model: the agenda a facilitator walks, the card deck,
the exercises with their answer key, and a quiz.

Everything is built from the model and its assessment, deterministically (the same model gives
the same kit), and nothing here renders: :mod:`threatforge.workshop.render` writes Markdown,
HTML and PDF. The server's threat modeling sessions use the same agenda
(:func:`build_agenda`).

- **Agenda**: the flows that cross a trust boundary and the components, most pressing first:
  open findings weigh three, open questions one, a crossing two (six into a more trusted zone),
  an entry point three, and the most sensitive data held or carried twice its rank. Each item
  carries its STRIDE prompts (STRIDE per element), LINDDUN prompts where personal data is held
  or carried, and the engine's findings and applicable threats on it as suggestions. Each item
  gets 5 minutes plus one per open result (at most 12); items past the session's length are
  listed for a follow-up session.
- **Deck**: one suit per STRIDE category (and a privacy suit when the model holds personal
  data), six cards each plus an Ace; each card names the element of this model to try it on
  (the elements of the right kind, the ones with the most open results first).
- **Exercises**: "what can go wrong on this flow?" for up to five flows with findings (boundary
  crossings first), then flows with open applicable threats; the answer key is exactly the
  engine's findings on those flows (a finding is on the flow it names first), with the open
  applicable threats there as "also ask".
- **Quiz**: questions with one right answer each, drawn from the model and its findings.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from threatforge.assessment import ApplicableThreat, Assessment, Finding, Severity
from threatforge.model import Component, Flow, Model, parse_yaml_text
from threatforge.model.labels import element_labels
from threatforge.model.vocabulary import KindGroup, kind_group

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

SESSION_MINUTES = 120
"""The length of the session the agenda plans (intro and wrap-up included)."""
INTRO_MINUTES = 10
WRAP_UP_MINUTES = 10
MAX_EXERCISES = 5
_PERSONAL = "pii"


@dataclass(frozen=True, slots=True)
class Prompt:
    """One question to ask of an element: its method, category and words."""

    method: str
    """``STRIDE`` or ``LINDDUN``."""
    category: str
    """The category's name (``Spoofing``, ``Linking``)."""
    text: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A finding or applicable threat the engine puts on an element: a threat to discuss."""

    fingerprint: str
    title: str
    severity: Severity
    kind: str
    """``finding`` or ``threat`` (an applicable threat, with its question)."""
    question: str = ""


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One stop of the session: a boundary crossing or a component."""

    element: str
    label: str
    kind: str
    """``crossing`` (a flow across a trust boundary) or ``component``."""
    why: str
    """Why it is on the agenda, in words."""
    minutes: int
    prompts: tuple[Prompt, ...]
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True, slots=True)
class Card:
    """A card of the deck."""

    suit: str
    rank: str
    text: str
    element: str
    """The element of the model to try it on (its label)."""


@dataclass(frozen=True, slots=True)
class Exercise:
    """A flow to ask "what can go wrong?" about, and the answers the engine gives."""

    flow: str
    label: str
    context: str
    findings: tuple[Finding, ...]
    """The answer key: the engine's findings on this flow."""
    threats: tuple[ApplicableThreat, ...]
    """Open applicable threats on it: questions to ask as well."""


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    """A question, its options and the right one."""

    text: str
    options: tuple[str, ...]
    answer: int
    """The index of the right option."""
    explanation: str


@dataclass(frozen=True)
class WorkshopKit:
    """Everything the kit's files show."""

    system: str
    description: str
    agenda: tuple[AgendaItem, ...]
    later: tuple[AgendaItem, ...]
    """Items that do not fit the session: for a follow-up."""
    deck: tuple[Card, ...]
    exercises: tuple[Exercise, ...]
    quiz: tuple[QuizQuestion, ...]
    minutes: Mapping[str, int] = field(default_factory=dict)
    """The session's blocks: intro, agenda, wrap-up."""
    suits: Mapping[str, str] = field(default_factory=dict)
    """The deck's suits, in order: what each one attacks."""


@functools.cache
def _prompts() -> dict[str, Any]:
    text = (resources.files("threatforge.workshop") / "prompts.yaml").read_text("utf-8")
    value: dict[str, Any] = parse_yaml_text(text, "threatforge/workshop/prompts.yaml").value
    return value


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, **values: str) -> str:
    return template.format_map(_Fill(values))


def _role(component: Component) -> str:
    if component.kind in kind_group(KindGroup.PEOPLE):
        return "actor"
    if component.kind in kind_group(KindGroup.STORES_DATA):
        return "store"
    return "process"


def _personal(model: Model) -> frozenset[str]:
    return frozenset(
        asset_id for asset_id, asset in model.data.items()
        if any(c == _PERSONAL or c.startswith(_PERSONAL + ".") for c in asset.categories)
    )


def _data_words(model: Model, ids: Sequence[str]) -> str:
    names = [model.data[i].label if i in model.data else i for i in ids]
    return ", ".join(names) if names else "what it carries"


def _results_by_element(
    assessment: Assessment,
) -> dict[str, list[Finding | ApplicableThreat]]:
    on: dict[str, list[Finding | ApplicableThreat]] = {}
    results: list[Finding | ApplicableThreat] = [
        *assessment.open_findings, *assessment.open_threats
    ]
    for result in results:
        if result.elements:
            on.setdefault(result.elements[0], []).append(result)
    return on


def _suggestion(result: Finding | ApplicableThreat) -> Suggestion:
    if isinstance(result, Finding):
        return Suggestion(result.fingerprint, result.title, result.severity, "finding")
    return Suggestion(
        result.fingerprint, result.title, result.severity, "threat", result.question.text
    )


def _minutes(open_results: int) -> int:
    return min(5 + open_results, 12)


def build_agenda(
    model: Model, assessment: Assessment, session_minutes: int = SESSION_MINUTES
) -> tuple[tuple[AgendaItem, ...], tuple[AgendaItem, ...]]:
    """The items the session walks, and those left for a follow-up (see the module)."""
    prompts = _prompts()
    labels = element_labels(model)
    graph = model.graph
    personal = _personal(model)
    results = _results_by_element(assessment)
    items: list[tuple[tuple[int, ...], AgendaItem]] = []
    for flow in model.flows:
        crossing = graph.crossing(flow)
        if crossing is None:
            continue
        words = crossing.describe()
        data = _data_words(model, flow.data)
        found = results.get(flow.id, [])
        asked = [
            Prompt("STRIDE", prompts["stride"][c]["name"], _fill(
                prompts["stride"][c]["flow"], element=labels.get(flow.id, flow.id),
                source=labels.get(flow.source, flow.source),
                target=labels.get(flow.target, flow.target), crossing=words, data=data,
            ))
            for c in prompts["applies"]["flow"]
        ]
        if not personal.isdisjoint(flow.data):
            asked += _linddun(prompts, labels.get(flow.id, flow.id), data)
        score = _score(found) + 2 + 4 * crossing.inbound + _sensitivity(model, flow.data)
        items.append(((-score, 0, len(items)), AgendaItem(
            flow.id, labels.get(flow.id, flow.id), "crossing",
            f"crosses {words}" + (" into a more trusted zone" if crossing.inbound else ""),
            _minutes(len(found)), tuple(asked), tuple(_suggestion(r) for r in found),
        )))
    for component_id, component in model.components.items():
        role = _role(component)
        found = results.get(component_id, [])
        held = [*component.stores, *component.processes]
        label = labels.get(component_id, component_id)
        data = _data_words(model, held)
        entry = graph.is_entry_point(component_id)
        if role == "actor" and not found:
            continue  # people are discussed at the flows they start
        asked = [
            Prompt("STRIDE", prompts["stride"][c]["name"], _fill(
                prompts["stride"][c][role], element=label, data=data,
            ))
            for c in prompts["applies"][role]
        ]
        holds_personal = not personal.isdisjoint(held)
        if holds_personal:
            asked += _linddun(prompts, label, data)
        why = [f"a {component.kind.value}"]
        if entry:
            why.append("an entry point from an untrusted zone")
        if held:
            why.append(f"holds {data}")
        score = _score(found) + 3 * entry + _sensitivity(model, held)
        items.append(((-score, 1, len(items)), AgendaItem(
            component_id, label, "component", "; ".join(why),
            _minutes(len(found)), tuple(asked), tuple(_suggestion(r) for r in found),
        )))
    ordered = [item for _, item in sorted(items, key=lambda pair: pair[0])]
    budget = session_minutes - INTRO_MINUTES - WRAP_UP_MINUTES
    now: list[AgendaItem] = []
    later: list[AgendaItem] = []
    for item in ordered:
        if item.minutes <= budget:
            now.append(item)
            budget -= item.minutes
        else:
            later.append(item)
            budget = -1  # keep the order: once one item does not fit, the rest wait too
    return tuple(now), tuple(later)


def _score(found: Sequence[Finding | ApplicableThreat]) -> int:
    """Open findings weigh three, open questions one."""
    return sum(3 if isinstance(r, Finding) else 1 for r in found)


def _sensitivity(model: Model, data: Sequence[str]) -> int:
    """Twice the rank of the most sensitive data held or carried (0 for none)."""
    ranks = [model.data[d].classification.rank for d in data if d in model.data]
    return 2 * max(ranks, default=0)


def _linddun(prompts: Mapping[str, Any], label: str, data: str) -> list[Prompt]:
    return [
        Prompt("LINDDUN", spec["name"], _fill(spec["prompt"], element=label, data=data))
        for spec in prompts["linddun"].values()
    ]


_RANKS = ("2", "3", "4", "5", "6", "7")
_SUIT_NAMES = {
    "spoofing": "Spoofing",
    "tampering": "Tampering",
    "repudiation": "Repudiation",
    "information-disclosure": "Information disclosure",
    "denial-of-service": "Denial of service",
    "elevation-of-privilege": "Elevation of privilege",
    "privacy": "Privacy (LINDDUN)",
}


def _pools(model: Model) -> dict[str, list[str]]:
    """The elements each card's ``on:`` may name, in model order."""
    graph = model.graph
    personal = _personal(model)
    pools: dict[str, list[str]] = {
        "actor": [], "process": [], "store": [], "entry": [], "identity": [], "crossing": [],
        "personal": [],
    }
    inbound_targets = {
        f.target for f in model.flows if (c := graph.crossing(f)) is not None and c.inbound
    }
    for component_id, component in model.components.items():
        role = _role(component)
        pools[role].append(component_id)
        if role != "actor" and (graph.is_entry_point(component_id)
                                or component_id in inbound_targets):
            pools["entry"].append(component_id)
        if component.kind.value == "identity-provider":
            pools["identity"].append(component_id)
        if not personal.isdisjoint((*component.stores, *component.processes)):
            pools["personal"].append(component_id)
    for flow in model.flows:
        if graph.crossing(flow) is not None:
            pools["crossing"].append(flow.id)
        if not personal.isdisjoint(flow.data):
            pools["personal"].append(flow.id)
    fallback = {"entry": "process", "identity": "entry", "crossing": "process",
                "personal": "store", "store": "process"}
    for role, other in fallback.items():
        if not pools[role]:
            pools[role] = list(pools[other])
    return pools


def _deck(model: Model, assessment: Assessment) -> tuple[Card, ...]:
    prompts = _prompts()
    labels = element_labels(model)
    open_on = {e: len(found) for e, found in _results_by_element(assessment).items()}
    pools = _pools(model)
    has_personal = bool(_personal(model))
    cards: list[Card] = []
    for suit, specs in prompts["cards"].items():
        if suit == "privacy" and not has_personal:
            continue
        name = _SUIT_NAMES[suit]
        used: set[str] = set()
        for index, spec in enumerate(specs):
            pool = pools[spec["on"]] or pools["process"]
            if not pool:
                continue
            # the most open results first; an element not named yet in this suit before one
            # that was, so a suit does not name the same element six times
            ranked = sorted(pool, key=lambda e: (e in used, -open_on.get(e, 0), pool.index(e)))
            element = ranked[0]
            used.add(element)
            label = labels.get(element, element)
            cards.append(Card(name, _RANKS[index], _fill(spec["text"], element=label), label))
        noun = name[0].lower() + name[1:]  # "privacy (LINDDUN)", not "(linddun)"
        cards.append(Card(
            name, "A", f"Invent a new {noun} threat that none of these cards names, on any "
            "element of the diagram.", "any element",
        ))
    return tuple(cards)


def _exercises(model: Model, assessment: Assessment) -> tuple[Exercise, ...]:
    labels = element_labels(model)
    graph = model.graph
    findings: dict[str, list[Finding]] = {}
    for finding in assessment.findings:
        if finding.elements:
            findings.setdefault(finding.elements[0], []).append(finding)
    threats: dict[str, list[ApplicableThreat]] = {}
    for threat in assessment.open_threats:
        if threat.elements:
            threats.setdefault(threat.elements[0], []).append(threat)
    # flows with findings first (boundary crossings, then the most findings); then, for a
    # model the engine finds nothing on, flows with applicable threats: their questions
    candidates = [f for f in model.flows if f.id in findings or f.id in threats]
    candidates.sort(key=lambda f: (
        f.id not in findings, graph.crossing(f) is None, -len(findings.get(f.id, ())),
        -len(threats.get(f.id, ())),
    ))
    exercises = []
    for flow in candidates[:MAX_EXERCISES]:
        exercises.append(Exercise(
            flow.id, labels.get(flow.id, flow.id), _context(model, flow, labels),
            tuple(findings.get(flow.id, ())), tuple(threats.get(flow.id, ())),
        ))
    return tuple(exercises)


def _context(model: Model, flow: Flow, labels: Mapping[str, str]) -> str:
    parts = [
        f"{labels.get(flow.source, flow.source)} sends to {labels.get(flow.target, flow.target)}"
    ]
    if flow.protocol:
        parts.append(f"over {flow.protocol}")
    if flow.data:
        parts.append(f"carrying {_data_words(model, flow.data)}")
    crossing = model.graph.crossing(flow)
    if crossing is not None:
        parts.append(f"across {crossing.describe()}")
    return " ".join(parts) + "."


_STRIDE_WORDS = (
    "spoofing", "tampering", "repudiation", "information-disclosure", "denial-of-service",
    "elevation-of-privilege",
)


def _quiz(model: Model, assessment: Assessment, exercises: Sequence[Exercise]) -> tuple[
    QuizQuestion, ...
]:
    labels = element_labels(model)
    questions: list[QuizQuestion] = []
    seen: set[str] = set()
    for exercise in exercises:
        for finding in exercise.findings:
            if not finding.meta.stride or finding.rule in seen or len(questions) >= 3:
                continue
            seen.add(finding.rule)
            right = finding.meta.stride[0].value
            others = [s for s in _STRIDE_WORDS if s not in {x.value for x in finding.meta.stride}]
            options = sorted([right, *others[:3]], key=_STRIDE_WORDS.index)
            questions.append(QuizQuestion(
                f"Which STRIDE category does this threat belong to: \"{finding.title}\"?",
                tuple(o.replace("-", " ") for o in options), options.index(right),
                f"{finding.rule} is classed as "
                f"{', '.join(s.value.replace('-', ' ') for s in finding.meta.stride)}.",
            ))
    graph = model.graph
    inbound = [f for f in model.flows if (c := graph.crossing(f)) is not None and c.inbound]
    inside = [f for f in model.flows if graph.crossing(f) is None]
    if inbound and len(inside) >= 3:
        right_flow = inbound[0]
        options = [labels.get(right_flow.id, right_flow.id)] + [
            labels.get(f.id, f.id) for f in inside[:3]
        ]
        options.sort()
        crossing = graph.crossing(right_flow)
        questions.append(QuizQuestion(
            "Which of these flows enters a more trusted zone (a trust boundary to review first)?",
            tuple(options), options.index(labels.get(right_flow.id, right_flow.id)),
            f"It crosses {crossing.describe() if crossing else ''}; the others stay in one zone.",
        ))
    stores = [
        (max((model.data[d].classification.rank for d in c.stores if d in model.data),
             default=-1), cid)
        for cid, c in model.components.items() if c.stores
    ]
    ranked = sorted(stores, key=lambda pair: (-pair[0], pair[1]))
    if len(ranked) >= 2 and ranked[0][0] > ranked[-1][0]:
        shown = [ranked[0], *[r for r in ranked[1:] if r[0] < ranked[0][0]][:3]]
        options = sorted(labels.get(cid, cid) for _, cid in shown)
        best = labels.get(ranked[0][1], ranked[0][1])
        questions.append(QuizQuestion(
            "Which of these stores holds the most sensitive data (the first place an attacker "
            "aims for)?",
            tuple(options), options.index(best),
            f"{best} stores data classified "
            f"{_classification_of(model, ranked[0][1])}.",
        ))
    questions.append(QuizQuestion(
        "A finding is accepted under tracking: with an owner and a justification but no expiry "
        "date. Does the CI gate count it as open?",
        ("No: it is accepted", "Yes: a decision without an expiry does not hide a finding"),
        1,
        "The gate hides a finding only for a complete decision within the policy: owner, "
        "justification and an expiry within the horizon.",
    ))
    if assessment.open_threats:
        threat = assessment.open_threats[0]
        questions.append(QuizQuestion(
            f"The engine lists \"{threat.title}\" as an applicable threat. What turns it into a "
            "finding or rules it out?",
            ("Nothing: it is always reported", "Deleting the element",
             "Answering its question in the model"),
            2,
            f"Its question: {threat.question.text}",
        ))
    return tuple(questions)


def _classification_of(model: Model, component_id: str) -> str:
    component = model.components[component_id]
    ranked = sorted(
        (model.data[d].classification for d in component.stores if d in model.data),
        key=lambda c: -c.rank,
    )
    return ranked[0].value if ranked else "unknown"


def _suits(deck: Sequence[Card]) -> dict[str, str]:
    """The suits the deck has, in its order, each with what it attacks."""
    words = {_SUIT_NAMES[suit]: text for suit, text in _prompts()["suits"].items()}
    return {card.suit: words[card.suit] for card in deck}


def build_kit(
    model: Model, assessment: Assessment, session_minutes: int = SESSION_MINUTES
) -> WorkshopKit:
    """The workshop kit for ``model`` (see the module)."""
    agenda, later = build_agenda(model, assessment, session_minutes)
    exercises = _exercises(model, assessment)
    deck = _deck(model, assessment)
    return WorkshopKit(
        system=model.system.name,
        description=model.system.description or "",
        agenda=agenda,
        later=later,
        deck=deck,
        exercises=exercises,
        quiz=_quiz(model, assessment, exercises),
        suits=_suits(deck),
        minutes={
            "intro": INTRO_MINUTES,
            "agenda": sum(item.minutes for item in agenda),
            "wrap-up": WRAP_UP_MINUTES,
        },
    )
