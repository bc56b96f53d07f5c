"""Implied surfaces: elements a model rarely draws that its components bring with them.

A payment provider comes with a merchant dashboard (admin accounts, API keys); a public entry
point with a domain, DNS records and a certificate; staff with laptops and a corporate network;
a pipeline with build runners and secrets. Which component implies which surface is data: the
``surfaces:`` section of the technology catalogue (``model/vocabulary/technologies.yaml``), each
with the conditions over the component's kind, technology, exposure, zone and data that imply it.
"""

from __future__ import annotations

from dataclasses import dataclass

from threatforge.model import Component, Model
from threatforge.model.labels import element_labels
from threatforge.model.vocabulary import SurfaceCondition, technology_catalogue

__all__ = ["IMPLIED_SEPARATOR", "ImpliedElement", "implied_elements", "implying"]

IMPLIED_SEPARATOR = "~"
"""Between the implying component's id and the surface in an implied element's id: not a
character of model ids, so an implied element never takes a drawn element's id."""


@dataclass(frozen=True, slots=True)
class ImpliedElement:
    """An element the model does not draw that a component implies."""

    id: str
    """``<component>~<surface>``, e.g. ``psp~merchant-dashboard``."""
    surface: str
    """The catalogue's name of the surface (``merchant-dashboard``)."""
    name: str
    kind: str
    """What it is, in words (``third-party account``)."""
    implied_by: str
    """The id of the component that implies it."""
    why: str
    holds: tuple[str, ...]
    """What is at stake there, in words."""
    threats: tuple[str, ...] = ()
    """The fingerprints of the findings and applicable threats of what can go wrong there (the
    surface's ``threats`` rules on the implying component or a flow into or out of it), in
    report order; filled in by the engine once the rules ran."""


def implied_elements(model: Model) -> tuple[ImpliedElement, ...]:
    """Every surface each component implies, components in model order, surfaces in catalogue
    order."""
    surfaces = technology_catalogue().surfaces
    if not surfaces:
        return ()
    labels = element_labels(model)
    found: list[ImpliedElement] = []
    for component_id, component in model.components.items():
        for name, spec in surfaces.items():
            if any(_holds(model, component, condition) for condition in spec.when):
                label = labels.get(component_id, component_id)
                found.append(ImpliedElement(
                    id=f"{component_id}{IMPLIED_SEPARATOR}{name}",
                    surface=name,
                    name=spec.name.replace("{element}", label),
                    kind=spec.kind,
                    implied_by=component_id,
                    why=spec.why,
                    holds=spec.holds,
                ))
    return tuple(found)


def implying(model: Model, surface: str) -> frozenset[str]:
    """The ids of the components that imply ``surface`` (found once per model)."""
    return model.graph.memo(("implying", surface), lambda: frozenset(
        item.implied_by for item in implied_elements(model) if item.surface == surface
    ))


def _holds(model: Model, component: Component, condition: SurfaceCondition) -> bool:
    """Whether every test the condition writes holds of the component."""
    kind = component.kind.value
    if (condition.kinds and kind not in condition.kinds) or kind in condition.not_kinds:
        return False
    if condition.exposure is not None and (
        component.exposure is None or component.exposure.value != condition.exposure
    ):
        return False
    if condition.implies:
        spec = technology_catalogue().technologies.get(component.tech or "")
        if spec is None or not set(condition.implies) <= set(spec.implies):
            return False
    if condition.zone_kinds and not _in_zone_of_kind(model, component, condition.zone_kinds):
        return False
    return not condition.receives or _receives(model, component, condition.receives)


def _in_zone_of_kind(model: Model, component: Component, kinds: tuple[str, ...]) -> bool:
    """The component's zone, or a zone it sits inside, is of one of ``kinds``."""
    seen: set[str] = set()
    zone_id = component.zone
    while zone_id is not None and zone_id not in seen:
        seen.add(zone_id)
        zone = model.boundaries.get(zone_id)
        if zone is None:
            return False
        if zone.kind is not None and zone.kind.value in kinds:
            return True
        zone_id = zone.inside
    return False


def _receives(model: Model, component: Component, categories: tuple[str, ...]) -> bool:
    """A flow into the component carries data of one of ``categories`` (or one below it)."""
    for flow in model.flows:
        if flow.target != component.id:
            continue
        for data_id in flow.data:
            asset = model.data.get(data_id)
            if asset is not None and any(
                c == p or c.startswith(p + ".") for c in asset.categories for p in categories
            ):
                return True
    return False
