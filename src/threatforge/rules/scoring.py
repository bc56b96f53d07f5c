"""Risk scoring: likelihood from exposure, impact from data and criticality, severity from both.

Every adjustment is recorded as a short phrase, so each finding explains its own score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from threatforge.model import (
    Classification,
    Component,
    Control,
    ControlStatus,
    Criticality,
    DataAsset,
    Element,
    Flow,
    Model,
)
from threatforge.rules.interface import Evidence, RuleMeta, Severity

__all__ = ["Score", "score", "severity_of"]


@dataclass(frozen=True, slots=True)
class Score:
    likelihood: int
    impact: int
    severity: Severity
    likelihood_factors: tuple[str, ...]
    impact_factors: tuple[str, ...]
    explanation: str


def severity_of(likelihood: int, impact: int) -> Severity:
    """The 5x5 risk matrix: the product of likelihood and impact, in five bands."""
    product = likelihood * impact
    if product >= 20:
        return Severity.CRITICAL
    if product >= 15:
        return Severity.HIGH
    if product >= 9:
        return Severity.ELEVATED
    if product >= 4:
        return Severity.MEDIUM
    return Severity.LOW


_CLASSIFICATION_IMPACT = {
    Classification.RESTRICTED: 1,
    Classification.CONFIDENTIAL: 0,
    Classification.INTERNAL: -1,
    Classification.PUBLIC: -1,
}
_CRITICALITY_IMPACT = {
    Criticality.CRITICAL: 1,
    Criticality.HIGH: 0,
    Criticality.MEDIUM: 0,
    Criticality.LOW: -1,
}


_BASE = {n: f"base {n}" for n in range(1, 6)}
"""The first factor of most scores, e.g. ``base 3``, built once."""


def _classification_rank(asset: DataAsset) -> int:
    return asset.classification.rank


def _clamp(value: int) -> int:
    return max(1, min(5, value))


def _exposure_subject(
    model: Model, elements: Sequence[str], first: Element | None = None
) -> str | None:
    """The component whose exposure drives likelihood: the first component, or a flow's source.

    ``first`` is the element ``elements[0]`` names, when the caller knows it: an id that two
    sections share (a flow and a component both called ``payments``) is then not resolved by
    lookup order.
    """
    for index, element_id in enumerate(elements):
        if index == 0 and first is not None:
            if isinstance(first, Component):
                return first.id
            if isinstance(first, Flow):
                return first.source
            continue
        if element_id in model.components:
            return element_id
        flow = model.flows_by_id.get(element_id)
        if flow is not None:
            return flow.source
    return None


def score(
    meta: RuleMeta,
    model: Model,
    elements: Sequence[str],
    data: Sequence[DataAsset],
    evidence: Sequence[Evidence] = (),
    first: Element | None = None,
) -> Score:
    """Score one finding of ``meta`` on ``elements`` involving ``data`` (``first``: the element
    ``elements[0]`` names, when known; see :func:`_exposure_subject`)."""
    subject = _exposure_subject(model, elements, first)
    controls = _mitigating_controls(meta, model, elements, first)
    matching = [e for e in evidence if set(e.cwe) & set(meta.cwe)] if evidence else []
    top = max(data, key=_classification_rank) if data else None
    if controls or matching:
        return _scored(meta, model, subject, top, controls, matching)
    # the common case: the score depends on the subject, the bases and the top asset only, so
    # findings that share them share one Score (and its explanation)
    known: dict[_ScoreKey, Score] = model.graph.memo(("score",), dict)
    key: _ScoreKey = (
        (subject, meta.likelihood, meta.impact, top.id, top.classification)
        if top is not None
        else (subject, meta.likelihood, meta.impact, None, None)
    )
    found = known.get(key)
    if found is None:
        found = known[key] = _scored(meta, model, subject, top, controls, matching)
    return found


_ScoreKey = tuple[str | None, int, int, str | None, Classification | None]
"""What a score without controls or evidence depends on: (subject, the rule's likelihood and
impact, the top asset's id and classification)."""


def _scored(
    meta: RuleMeta,
    model: Model,
    subject: str | None,
    top: DataAsset | None,
    controls: Sequence[str],
    matching: Sequence[Evidence],
) -> Score:
    """The score of a finding on ``subject`` whose most sensitive data is ``top``."""
    likelihood, l_factors = _exposure(model, subject, meta.likelihood)
    if controls or matching:
        factors = list(l_factors)
        if controls:
            drop = min(2, len(controls))
            likelihood -= drop
            factors.append(
                f"-{drop} declared control{'s' if drop > 1 else ''} {', '.join(controls)}"
            )
        if matching:
            likelihood += 1
            first = matching[0]
            shared = min(set(first.cwe) & set(meta.cwe))
            factors.append(f"+1 {first.tool} reported {first.rule_id} (CWE-{shared})")
        l_factors = tuple(factors)
    likelihood = _clamp(likelihood)
    impact, i_factors = _impact(model, meta.impact, top)
    severity = severity_of(likelihood, impact)
    explanation = (
        f"{severity.value.capitalize()}: likelihood {likelihood}/5 ({'; '.join(l_factors)}), "
        f"impact {impact}/5 ({'; '.join(i_factors)})."
    )
    return Score(likelihood, impact, severity, l_factors, i_factors, explanation)


_Factors = tuple[int, tuple[str, ...]]
"""A score before clamping, and the phrases that explain it."""


def _exposure(model: Model, subject: str | None, base: int) -> _Factors:
    """Likelihood from how exposed the subject is (decided once per subject and base)."""
    known: dict[tuple[str | None, int], _Factors] = model.graph.memo(("score-exposure",), dict)
    found = known.get((subject, base))
    if found is None:
        found = known[(subject, base)] = _exposure_factors(model, subject, base)
    return found


def _exposure_factors(model: Model, subject: str | None, base: int) -> _Factors:
    likelihood = base
    factors: list[str] = [_BASE.get(base) or f"base {base}"]
    if subject is not None:
        reach = model.graph.reach(subject)
        insider = model.graph.insider_reach(subject) if reach.hops is None else None
        if insider is not None and insider.hops is not None:
            # staff-only functions are reachable, by insiders: not discounted as unreachable
            factors.append(
                f"±0 '{subject}' is reachable only by insiders (staff '{insider.entry}')"
            )
        elif reach.hops is None:
            likelihood -= 1
            factors.append(f"-1 '{subject}' is not reachable from any untrusted zone")
        elif reach.hops <= 1:
            likelihood += 1
            where = (
                "is an entry point"
                if reach.hops == 0
                else f"is 1 hop from entry point '{reach.entry}'"
            )
            factors.append(f"+1 '{subject}' {where}")
        elif reach.hops >= 4:
            likelihood -= 1
            factors.append(f"-1 '{subject}' is {reach.hops} hops from the nearest entry point")
        if reach.hops and reach.unauthenticated_hops is None:
            likelihood -= 1
            factors.append("-1 every path from an untrusted zone passes an authenticated hop")
    return likelihood, tuple(factors)


def _impact(model: Model, base: int, top: DataAsset | None) -> _Factors:
    """Impact from the most sensitive data and the system's criticality, clamped (decided once
    per base and asset)."""
    known: dict[tuple[int, str | None, Classification | None], _Factors] = model.graph.memo(
        ("score-impact",), dict
    )
    key = (base, top.id, top.classification) if top is not None else (base, None, None)
    found = known.get(key)
    if found is None:
        found = known[key] = _impact_factors(model, base, top)
    return found


def _impact_factors(model: Model, base: int, top: DataAsset | None) -> _Factors:
    impact = base
    factors: list[str] = [_BASE.get(base) or f"base {base}"]
    if top is not None:
        delta = _CLASSIFICATION_IMPACT[top.classification]
        if delta:
            sign = "+" if delta > 0 else ""
            factors.append(f"{sign}{delta} {top.classification.value} data '{top.id}'")
            impact += delta
    criticality = model.system.criticality
    if criticality is not None and _CRITICALITY_IMPACT[criticality]:
        delta = _CRITICALITY_IMPACT[criticality]
        sign = "+" if delta > 0 else ""
        factors.append(f"{sign}{delta} system criticality {criticality.value}")
        impact += delta
    return _clamp(impact), tuple(factors)


def _mitigating_controls(
    meta: RuleMeta, model: Model, elements: Sequence[str], first: Element | None = None
) -> list[str]:
    """Implemented controls that name this rule (or its finding) and apply to these elements."""
    index = model.graph.memo(("implemented-controls-by-mitigation",), lambda: _controls_by(model))
    if not index:  # the common case: no implemented control names any rule
        return []
    fingerprint = f"{meta.id}@{','.join(elements)}"
    named = {id(c): c for c in (*index.get(meta.id, ()), *index.get(fingerprint, ()))}
    if not named:
        return []
    attached: set[str] = set()
    for position, element_id in enumerate(elements):
        element: Element | None = (
            first
            if position == 0 and first is not None
            else model.components.get(element_id) or model.flows_by_id.get(element_id)
        )
        if isinstance(element, Component | Flow):
            attached.update(element.controls)
    found = []
    for control in named.values():
        applies = control.applies_everywhere or bool(set(control.applies_to) & set(elements))
        if applies or control.id in attached:
            found.append(control.id)
    return sorted(found)


def _controls_by(model: Model) -> dict[str, list[Control]]:
    """Implemented controls by each rule id or fingerprint they say they mitigate."""
    index: dict[str, list[Control]] = {}
    for control in model.controls.values():
        if control.status is ControlStatus.IMPLEMENTED:
            for named in dict.fromkeys(control.mitigates):
                index.setdefault(named, []).append(control)
    return index


def data_at_stake(
    model: Model, elements: Sequence[str], named: Sequence[str], first: Element | None = None
) -> list[DataAsset]:
    """The data assets a finding puts at risk: those the rule named, else the elements' data
    (``first``: the element ``elements[0]`` names, when known)."""
    assets: Mapping[str, DataAsset] = model.data
    if named:
        return [assets[d] for d in named if d in assets]
    graph = model.graph
    found: dict[str, DataAsset] = {}
    for index, element_id in enumerate(elements):
        if index == 0 and first is not None:
            if isinstance(first, Component):
                for asset in graph.assets_of(first.id):
                    found[asset.id] = asset
            elif isinstance(first, Flow):
                for asset in graph.assets_on(first):
                    found[asset.id] = asset
            elif isinstance(first, DataAsset):
                found[first.id] = first
            continue
        if element_id in model.components:
            for asset in graph.assets_of(element_id):
                found[asset.id] = asset
        flow = model.flows_by_id.get(element_id)
        if flow is not None:
            for asset in graph.assets_on(flow):
                found[asset.id] = asset
        if element_id in assets:
            found[element_id] = assets[element_id]
    return list(found.values())
