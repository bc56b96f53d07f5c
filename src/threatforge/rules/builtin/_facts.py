"""Small questions built-in rules ask of the model, worded once."""

from __future__ import annotations

from threatforge.model import (
    Authn,
    Classification,
    Component,
    ComponentKind,
    DataAsset,
    Exposure,
    Flow,
    Model,
    TrustLevel,
)

__all__ = [
    "PROCESS_KINDS",
    "STORE_KINDS",
    "at_least",
    "exposed",
    "exposure_words",
    "flow_sensitive",
    "inbound_crossing",
    "names",
    "sensitive_data",
    "untrusted_party",
]

PROCESS_KINDS = frozenset(
    {ComponentKind.SERVICE, ComponentKind.FUNCTION, ComponentKind.GATEWAY}
)
STORE_KINDS = frozenset(
    {
        ComponentKind.DATASTORE,
        ComponentKind.CACHE,
        ComponentKind.QUEUE,
        ComponentKind.STREAM,
        ComponentKind.SECRETS_STORE,
    }
)
EDGE_KINDS = frozenset(
    {ComponentKind.GATEWAY, ComponentKind.LOAD_BALANCER, ComponentKind.CDN}
)


def at_least(assets: list[DataAsset], level: Classification) -> list[DataAsset]:
    """The assets classified ``level`` or above."""
    return [a for a in assets if a.classification.rank >= level.rank]


def sensitive_data(model: Model, component: Component) -> list[DataAsset]:
    """Confidential or restricted data the component touches, most sensitive first."""
    return at_least(model.graph.data_of(component.id), Classification.CONFIDENTIAL)


def flow_sensitive(model: Model, flow: Flow) -> list[DataAsset]:
    """Confidential or restricted data the flow carries, most sensitive first."""
    return at_least(model.graph.flow_data(flow), Classification.CONFIDENTIAL)


def exposed(model: Model, component: Component) -> bool:
    """Public, or one flow from an entry point (an untrusted zone or a public component)."""
    if component.exposure is Exposure.PUBLIC:
        return True
    if component.exposure is Exposure.PRIVATE:
        return False
    hops = model.graph.reach(component.id).hops
    return hops is not None and hops <= 1 and not model.graph.is_entry_point(component.id)


def exposure_words(model: Model, component: Component) -> str:
    """Why the component counts as exposed, in words."""
    if component.exposure is Exposure.PUBLIC:
        return "exposure: public"
    reach = model.graph.reach(component.id)
    return f"receives flows directly from entry point '{reach.entry}'"


def untrusted_party(model: Model, component_id: str) -> bool:
    """Someone outside the system's control: in an untrusted zone, or a public actor/client/vendor.

    A public gateway is an entry point but is the system's own; its calls are not untrusted.
    """
    component = model.components[component_id]
    if model.graph.trust_of(component_id) is TrustLevel.UNTRUSTED:
        return True
    outsiders = (ComponentKind.ACTOR, ComponentKind.CLIENT, ComponentKind.EXTERNAL_SERVICE)
    return component.kind in outsiders and component.exposure is Exposure.PUBLIC


def inbound_crossing(model: Model, flow: Flow) -> bool:
    """The flow crosses into a more trusted zone."""
    crossing = model.graph.crossing(flow)
    return crossing is not None and crossing.inbound


def names(assets: list[DataAsset]) -> str:
    return ", ".join(f"'{a.id}' ({a.classification.value})" for a in assets)


def authn_words(authn: Authn | None) -> str:
    return "not stated" if authn is None else authn.value
