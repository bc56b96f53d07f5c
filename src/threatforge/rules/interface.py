"""What a rule is, what it returns, and what an assessment holds.

A rule is metadata (:class:`RuleMeta`) plus one pure function over one element of the model (a
component, a flow, a data asset, a boundary) or over the whole model. The function returns a
:class:`Verdict`: :class:`Fire` (with evidence), :data:`PASS`, :class:`Unknown` (naming the facts
the model lacks) or :class:`Skip` (with a reason). "Could not evaluate" is data, not an exception.

A rule that also reports **applicable threats** declares the questions it asks
(:attr:`RuleMeta.asks`): where its applicability condition holds and a deciding fact is not
stated, its check returns :class:`Unknown` with ``why`` (the facts that made the threat
applicable); the engine turns that into an applicable threat with the question, under the
fingerprint the finding would have. Where a stated fact rules the threat out, the check returns
:class:`RuledOut` (a pass, with the fact as evidence).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from threatforge.assessment import (
    Answer,
    Confidence,
    Decision,
    Evidence,
    Finding,
    Linddun,
    ModelGap,
    Outcome,
    RuleFailure,
    RuleInfo,
    RuleSummary,
    Severity,
    StaleDecision,
    Stride,
)
from threatforge.model import (
    Classification,
    Component,
    ComponentKind,
    DataAsset,
    Flow,
    Model,
)

__all__ = [
    "PASS",
    "Answer",
    "Ask",
    "AskFact",
    "Confidence",
    "Crosses",
    "DataScope",
    "Decision",
    "ElementSet",
    "Evidence",
    "Finding",
    "Fire",
    "Linddun",
    "ModelGap",
    "Outcome",
    "Rule",
    "RuleFailure",
    "RuleMeta",
    "RuleSummary",
    "RuledOut",
    "Severity",
    "Skip",
    "StaleDecision",
    "Stride",
    "Supersedes",
    "SupersedesWhere",
    "Target",
    "Unknown",
    "Verdict",
    "iter_verdicts",
    "members",
    "rule",
]


class Target(StrEnum):
    """What one evaluation of a rule looks at."""

    COMPONENT = "component"
    FLOW = "flow"
    DATA = "data"
    BOUNDARY = "boundary"
    MODEL = "model"


# --- verdicts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fire:
    """The threat applies. ``evidence`` says which facts made it fire, in words.

    ``elements`` (model-level rules, or extra elements) and ``data`` (the data assets at stake,
    for impact) are optional; ``confidence`` overrides the rule's default when set.
    """

    evidence: tuple[str, ...]
    elements: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    confidence: Confidence | None = None
    detail: str = ""
    """Extra words for the title, e.g. the port or the data at stake."""
    replaces: tuple[tuple[str, ...], ...] = ()
    """The elements of the findings of this rule that this one stands for since the rule
    regrouped its results (``attack-path``: one finding per weak hop, formerly one per entry
    point and crown jewel): a tracking entry left on one of their fingerprints is told the new
    fingerprint, and ``threatforge fmt --fix`` moves it there."""


@dataclass(frozen=True, slots=True)
class _Pass:
    pass


PASS = _Pass()
"""The threat does not apply: the model states facts that rule it out."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """The model lacks ``facts`` (e.g. ``encryption.at_rest``) the rule needs to decide.

    ``why``: the threat applies (the facts that made it applicable, in words). With a rule
    that asks a question about one of ``facts`` (:attr:`RuleMeta.asks`) the engine reports an
    applicable threat besides the model gap. ``data`` names the data at stake, as for Fire.
    """

    facts: tuple[str, ...]
    why: tuple[str, ...] = ()
    data: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuledOut:
    """The threat would apply, and a stated fact rules it out: a pass, with the evidence.

    ``evidence`` names the fact (``properties.dual_approval: true``); the assessment keeps it
    as "ruled out by ..." when the rule asks questions (:attr:`RuleMeta.asks`).
    """

    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Skip:
    """The rule does not apply to this element, for ``reason``."""

    reason: str


Verdict = Fire | _Pass | Unknown | Skip | RuledOut


# --- questions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AskFact:
    """A fact a rule's question asks for, on the element the rule looks at.

    ``path`` is written as in the model file under the element (``authn``,
    ``properties.dual_approval``); ``confirms`` and ``rules_out`` are values written as in YAML
    (``"false"``, ``"none"``). Each value must decide the threat on its own: written alone into a
    model where the threat applies, a confirming value makes the rule fire and a ruling-out value
    makes it pass (tested for every built-in question). Every path is in the vocabulary
    catalogue, so the loader accepts the answer without a warning (tested as well).
    """

    path: str
    confirms: tuple[str, ...] = ()
    rules_out: tuple[str, ...] = ()
    on: str = ""
    """For flow rules: ``source`` or ``target`` asks the fact of that end of the flow (a
    component), instead of the flow itself."""

    @property
    def answers(self) -> tuple[tuple[str, Answer], ...]:
        """Each value with what it does, ruling-out values first."""
        return (
            *((v, Answer.RULES_OUT) for v in self.rules_out),
            *((v, Answer.CONFIRMS) for v in self.confirms),
        )


@dataclass(frozen=True, slots=True)
class Ask:
    """A question a rule asks when its threat applies and the deciding facts are unstated.

    ``text`` is worded for a person and may name ``{element}`` (the element's label); the
    engine asks it when the check returned one of its ``facts`` as :class:`Unknown`. ``threat``
    is the title of the applicable threat (``{element}`` filled in), worded as what can go
    wrong rather than as a weakness shown; empty: the rule's title.
    """

    text: str
    facts: tuple[AskFact, ...]
    threat: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.facts)


# --- rules ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ElementSet:
    """A named part of a model that rules may be limited to (see :attr:`RuleMeta.among`).

    ``find`` returns the ids of the components or flows in the set; the engine calls it once per
    model. Sets are compared by identity: define each once, as a module constant.
    """

    name: str
    """A short, stable name shown in rule metadata, e.g. ``in-cluster``."""
    description: str
    """What the set holds, in words, e.g. ``components that run in a Kubernetes cluster``."""
    find: Callable[[Model], Collection[str]]


class Crosses(StrEnum):
    """Flow rules: the boundary crossings a rule looks at (see :attr:`RuleMeta.crosses`)."""

    BOUNDARY = "boundary"
    """The flow leaves one zone for another (``model.graph.crossing(flow)`` is not None)."""
    INTO_MORE_TRUSTED = "into-more-trusted"
    """The flow crosses into a more trusted zone (its crossing is ``inbound``)."""


@dataclass(frozen=True, slots=True)
class DataScope:
    """The data an element must hold for a rule to look at it (see :attr:`RuleMeta.data`).

    An element is in scope when one of its data assets matches everything stated here: one of
    ``categories`` (or a sub-category: ``pii`` covers ``pii.special``) and a classification of at
    least ``at_least``. A flow's data is what it carries; a component's is everything it stores,
    processes, sends or receives (``model.graph.data_of``), or with ``stored`` only what it
    ``stores``.
    """

    categories: tuple[str, ...] = ()
    at_least: Classification | None = None
    stored: bool = False

    def matches(self, asset: DataAsset) -> bool:
        """Whether one data asset is of the kind this scope asks for."""
        if self.at_least is not None and asset.classification.rank < self.at_least.rank:
            return False
        return not self.categories or any(
            c == p or c.startswith(p + ".") for c in asset.categories for p in self.categories
        )

    def describe(self) -> str:
        """The scope in words, e.g. ``store data of category pci.pan``."""
        what = []
        if self.categories:
            what.append("of category " + " or ".join(self.categories))
        if self.at_least is not None:
            what.append(f"classified {self.at_least.value} or above")
        verb = "store" if self.stored else "hold"
        return f"{verb} data " + " and ".join(what or ["of any kind"])


class SupersedesWhere(StrEnum):
    """Which findings of the superseded rule a finding of the superseding rule replaces."""

    SAME_ELEMENT = "same-element"
    """Findings on the same element (the first element of both findings)."""
    FLOWS_INTO = "flows-into"
    """Findings on the flows into the component the superseding rule fired on."""
    FLOW_TARGET = "flow-target"
    """Findings on the component that a flow the superseding rule fired on goes into."""


@dataclass(frozen=True, slots=True)
class Supersedes:
    """A rule this rule replaces where both fire: one weakness, one finding.

    Declared on the rule whose finding says more (the technology-specific mitigation, the
    compliance requirement, the composite threat), so that a pack or plugin can supersede a
    built-in rule without editing it. The engine applies it after every rule ran: the superseded
    rule's finding is dropped and its summary lists the element as skipped, "superseded by
    <rule>". When the superseding rule is not run (``--skip``, ``--only``) the other one fires.
    """

    rule: str
    """The id of the superseded rule."""
    where: SupersedesWhere = SupersedesWhere.SAME_ELEMENT

    def describe(self) -> str:
        """The declaration in words, e.g. ``restricted-data-provider-key (on the same element)``."""
        if self.where is SupersedesWhere.FLOWS_INTO:
            return f"{self.rule} (on the flows into the element)"
        if self.where is SupersedesWhere.FLOW_TARGET:
            return f"{self.rule} (on the component the flow goes into)"
        return f"{self.rule} (on the same element)"


@dataclass(frozen=True, kw_only=True)
class RuleMeta(RuleInfo):
    """Everything a person needs to know about a rule; checked for completeness by the tests.

    The description of the weakness (id, title, description, mitigations, CWE, STRIDE, ...) is
    :class:`threatforge.assessment.RuleInfo`'s, which every finding of the rule refers to; this
    adds how the engine runs the rule: its target, scores and scope.
    """

    target: Target
    likelihood: int
    impact: int
    detection: str
    false_positives: str = ""
    confidence: Confidence = Confidence.MEDIUM
    kinds: frozenset[ComponentKind] = frozenset()
    """Component kinds the rule looks at (empty: every kind)."""
    tech: tuple[str, ...] = ()
    """Technology globs the rule looks at (empty: any technology, including none)."""
    source_kinds: frozenset[ComponentKind] = frozenset()
    """Flow rules: kinds of the flow's source the rule looks at (empty: every kind)."""
    target_kinds: frozenset[ComponentKind] = frozenset()
    """Flow rules: kinds of the flow's target the rule looks at (empty: every kind).

    Like ``kinds`` for components, flows outside ``source_kinds``/``target_kinds`` are not
    evaluated at all: they are neither passed nor skipped in the rule's summary.
    """
    properties: frozenset[str] = frozenset()
    """Components and flows: the rule looks only at elements that state at least one of these
    ``properties:`` keys (empty: every element). Declare it only when the check passes or skips
    every element that states none of them."""
    data: DataScope | None = None
    """Components and flows: the rule looks only at elements holding data of this kind (None:
    every element). Declare it only when the check passes or skips every other element."""
    crosses: Crosses | None = None
    """Flow rules: the rule looks only at flows that cross a boundary this way (None: every
    flow). Declare it only when the check passes or skips every other flow."""
    among: ElementSet | None = None
    """Components and flows: the rule looks only at the elements of this named set (None: every
    element). Declare it only when the check passes or skips every element outside it."""
    broad: str = ""
    """Why the rule may fire on most elements of its kind (the precision guard reads this)."""
    source: str = "builtin"
    supersedes: tuple[Supersedes, ...] = ()
    """The rules whose findings this rule's finding replaces (see :class:`Supersedes`)."""
    asks: tuple[Ask, ...] = ()
    """The questions the rule asks where its threat applies and a deciding fact is unstated:
    the engine reports an applicable threat for each :class:`Unknown` with a fact one of them
    asks about (see :class:`Ask`)."""


CheckFunction = Callable[[Any, Model], Verdict | Sequence[Verdict]]


@dataclass(frozen=True)
class Rule:
    """A rule: metadata and the pure function that evaluates it."""

    meta: RuleMeta
    check: CheckFunction

    @property
    def id(self) -> str:
        return self.meta.id

    def applies_to(self, element: Any, model: Model | None = None) -> bool:
        """Whether the element is in the rule's scope, as the engine decides it.

        Components are judged by ``kinds``, ``tech`` and ``properties``, flows by
        ``properties``; with ``model`` also by what needs the model (the kinds of a flow's ends,
        ``data``, ``crosses``, ``among``). Without it those count as in scope.
        """
        meta = self.meta
        if (
            model is not None
            and meta.among is not None
            and isinstance(element, Component | Flow)
            and element.id not in members(meta.among, model)
        ):
            return False
        if isinstance(element, Flow):
            if meta.properties and meta.properties.isdisjoint(element.properties):
                return False
            return model is None or self.flow_in_scope(element, model)
        if not isinstance(element, Component):
            return True
        if meta.kinds and element.kind not in meta.kinds:
            return False
        if meta.tech and not (
            element.tech is not None
            and any(fnmatch.fnmatchcase(element.tech, pattern) for pattern in meta.tech)
        ):
            return False
        if meta.properties and meta.properties.isdisjoint(element.properties):
            return False
        if model is None or meta.data is None:
            return True
        return _holds(meta.data, element, model)

    def flow_in_scope(self, flow: Flow, model: Model) -> bool:
        """Whether the flow is in scope by what needs the model: the kinds of its ends
        (``source_kinds``/``target_kinds``), ``data`` and ``crosses``.

        A flow whose end is not a component of the model stays in scope of the end kinds, so
        that the rule, not the scope, reports the problem.
        """
        meta = self.meta
        if not (
            _end_in(model, flow.source, meta.source_kinds)
            and _end_in(model, flow.target, meta.target_kinds)
        ):
            return False
        if meta.data is not None and not any(
            meta.data.matches(a) for a in model.graph.flow_data(flow)
        ):
            return False
        if meta.crosses is Crosses.BOUNDARY:
            return model.graph.crossing(flow) is not None
        if meta.crosses is Crosses.INTO_MORE_TRUSTED:
            crossing = model.graph.crossing(flow)
            return crossing is not None and crossing.inbound
        return True


def members(among: ElementSet, model: Model) -> Collection[str]:
    """The ids in a named element set, found once per model."""
    return model.graph.memo(("element-set", among), lambda: frozenset(among.find(model)))


def _holds(scope: DataScope, component: Component, model: Model) -> bool:
    """Whether the component holds data of the scope's kind."""
    if scope.stored:
        held = [model.data[d] for d in component.stores if d in model.data]
    else:
        held = model.graph.data_of(component.id)
    return any(scope.matches(a) for a in held)


def _end_in(model: Model, component_id: str, kinds: frozenset[ComponentKind]) -> bool:
    if not kinds:
        return True
    component = model.components.get(component_id)
    return component is None or component.kind in kinds


def rule(meta: RuleMeta) -> Callable[[CheckFunction], Rule]:
    """Make a :class:`Rule` from a check function. Registration stays explicit (a list)."""

    def wrap(check: CheckFunction) -> Rule:
        return Rule(meta, check)

    return wrap


def iter_verdicts(result: Verdict | Sequence[Verdict]) -> Iterable[Verdict]:
    """A rule may return one verdict or several (model-level rules)."""
    if isinstance(result, Fire | _Pass | Unknown | Skip | RuledOut):
        return (result,)
    return result


