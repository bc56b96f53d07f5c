"""The threats of the implied elements: which results of the run are about each of them.

Which rules ask what can go wrong on a surface is data (``threats:`` of each surface in the
technology catalogue); this links their results on the implying component, or on a flow into
or out of it, to the implied element by fingerprint, so a reader of the assessment sees each
implied element with its threats (a link, not a copy: the finding or applicable threat itself
stays where its rule put it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from threatforge.analysis.implied import ImpliedElement
from threatforge.assessment import ApplicableThreat, Finding
from threatforge.model import Flow, Model
from threatforge.model.vocabulary import technology_catalogue

__all__ = ["with_threats"]


def with_threats(
    model: Model,
    implied: Sequence[ImpliedElement],
    findings: Sequence[Finding],
    threats: Sequence[ApplicableThreat],
) -> tuple[ImpliedElement, ...]:
    """Each implied element with the fingerprints of its threats: findings first, then
    applicable threats, each in the order given (the report order). A rule the surface
    shares (asked once for the system) links from any component implying the surface."""
    surfaces = technology_catalogue().surfaces
    flows = {flow.id: flow for flow in model.flows}
    implying: dict[str, set[str]] = {}
    for item in implied:
        implying.setdefault(item.surface, set()).add(item.implied_by)
    results: list[Finding | ApplicableThreat] = [*findings, *threats]
    linked = []
    for item in implied:
        spec = surfaces.get(item.surface)
        rules = frozenset(spec.threats) if spec is not None else frozenset()
        shared = frozenset(spec.shared) if spec is not None else frozenset()
        found = [
            result.fingerprint for result in results
            if result.rule in rules and result.elements and (
                _about(result.elements[0], item.implied_by, flows)
                or (result.rule in shared and result.elements[0] in implying[item.surface])
            )
        ]
        linked.append(dataclasses.replace(item, threats=tuple(dict.fromkeys(found))))
    return tuple(linked)


def _about(element: str, component: str, flows: dict[str, Flow]) -> bool:
    """The result's element is the component, or a flow into or out of it."""
    if element == component:
        return True
    flow = flows.get(element)
    return flow is not None and component in (flow.source, flow.target)
