"""How an attacker moves through a model: the steps, and the controls on each one.

One step per flow, from its source to its target (requests and data travel that way). A flow the
target pulls (``initiated_by: target``, e.g. a consumer polling a queue) gives a second step, from
the target back to the source: whoever opens the connection can also act on the other end.

Every query here is answered from the step lists in time linear in the model's size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from threatforge.model import Authn, Flow, Model
from threatforge.model.schema import Initiator, PropertyValue

__all__ = [
    "NETWORK_POLICY",
    "Step",
    "Steps",
    "Strength",
    "authn_words",
    "build_steps",
    "crossed_boundaries",
    "filtered",
    "hop_authn",
    "is_inbound",
    "strength_of",
]

NETWORK_POLICY = "network_policy"
"""The ``properties:`` key that says a network control filters traffic to a component."""
_NETWORK_POLICY_KEYS = (NETWORK_POLICY, "network_policies")
_FILTERING_VALUES = frozenset({"default-deny", "enforced", "true", "yes"})
_OPEN_VALUES = frozenset({"false", "no", "none", "disabled", "default-allow", "allow-all"})


@dataclass(frozen=True, slots=True)
class Step:
    """One move from ``source`` to ``target`` along ``flow`` (against it when ``pulled``)."""

    index: int
    flow: Flow
    source: str
    target: str
    pulled: bool


@dataclass(frozen=True)
class Steps:
    """Every step of a model, indexed by where it starts and where it ends."""

    all: tuple[Step, ...]
    out: Mapping[str, Sequence[Step]]
    into: Mapping[str, Sequence[Step]]

    def steps_out(self, component_id: str) -> Sequence[Step]:
        """Steps that leave this component."""
        return self.out.get(component_id, ())

    def steps_in(self, component_id: str) -> Sequence[Step]:
        """Steps that arrive at this component."""
        return self.into.get(component_id, ())


def build_steps(model: Model) -> Steps:
    """The steps of ``model``, in flow order (built once per model and shared)."""
    return model.graph.memo(("attack-steps",), lambda: _build_steps(model))


def _build_steps(model: Model) -> Steps:
    steps: list[Step] = []
    for flow in model.flows:
        steps.append(Step(len(steps), flow, flow.source, flow.target, False))
        if flow.initiated_by is Initiator.TARGET and flow.source != flow.target:
            steps.append(Step(len(steps), flow, flow.target, flow.source, True))
    out: dict[str, list[Step]] = {}
    into: dict[str, list[Step]] = {}
    for step in steps:
        out.setdefault(step.source, []).append(step)
        into.setdefault(step.target, []).append(step)
    return Steps(tuple(steps), out, into)


class Strength(StrEnum):
    """How much the authentication on a step costs an attacker."""

    NONE = "none"
    WEAK = "weak"
    STRONG = "strong"
    UNKNOWN = "unknown"


def hop_authn(model: Model, step: Step) -> Authn | None:
    """The flow's authentication, else that of the interface the step arrives at."""
    return step.flow.effective_authn or model.components[step.target].authn


def strength_of(authn: Authn | None) -> Strength:
    """Classify an authentication method (None: not stated)."""
    if authn is None:
        return Strength.UNKNOWN
    if not authn.authenticates:
        return Strength.NONE
    return Strength.STRONG if authn.is_strong else Strength.WEAK


def authn_words(authn: Authn | None) -> str:
    """The authentication of a step, in words."""
    if authn is None:
        return "authentication not stated"
    if authn is Authn.NETWORK:
        return "trusts the network location only (authn: network)"
    if authn is Authn.NONE:
        return "no authentication (authn: none)"
    kind = "strong" if authn.is_strong else "shared-secret"
    return f"{kind} authentication (authn: {authn.value})"


def is_inbound(model: Model, step: Step) -> bool:
    """The step enters a zone of higher trust (no zone or unknown trust counts as untrusted)."""
    graph = model.graph
    before = graph.zone_of(step.source)
    after = graph.zone_of(step.target)
    if before is after:
        return False
    return (after.trust.rank if after else 0) > (before.trust.rank if before else 0)


def crossed_boundaries(model: Model, step: Step) -> tuple[str, ...]:
    """Boundaries the step leaves (innermost first), then those it enters (outermost first)."""
    graph = model.graph
    source_zone = graph.zone_of(step.source)
    target_zone = graph.zone_of(step.target)
    if source_zone is target_zone:
        return ()
    left = [b.id for b in graph.zone_chain(source_zone.id)] if source_zone else []
    entered = [b.id for b in graph.zone_chain(target_zone.id)] if target_zone else []
    shared = set(left) & set(entered)
    return tuple(
        [b for b in left if b not in shared] + [b for b in reversed(entered) if b not in shared]
    )


def _filtering(value: PropertyValue | None) -> bool | None:
    if value is None or isinstance(value, list):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _FILTERING_VALUES:
            return True
        if word in _OPEN_VALUES:
            return False
    return None


def filtered(
    model: Model, step: Step, zone_cache: dict[str, bool | None] | None = None
) -> bool | None:
    """Whether a network control (security group, NACL, NetworkPolicy) filters this step.

    Stated on the flow (``properties: {network_policy: true}``), else on the component the step
    arrives at, else on its zone or an enclosing zone (``network_policy: default-deny``). The
    nearest statement wins; None when nothing says. ``zone_cache`` remembers zones' answers
    across calls.
    """
    for properties in (step.flow.properties, model.components[step.target].properties):
        for key in _NETWORK_POLICY_KEYS:
            stated = _filtering(properties.get(key))
            if stated is not None:
                return stated
    zone = model.graph.zone_of(step.target)
    if zone is None:
        return None
    if zone_cache is not None and zone.id in zone_cache:
        return zone_cache[zone.id]
    answer = _zone_filtering(model, zone.id)
    if zone_cache is not None:
        zone_cache[zone.id] = answer
    return answer


def _zone_filtering(model: Model, zone_id: str) -> bool | None:
    for boundary in model.graph.zone_chain(zone_id):
        for key in _NETWORK_POLICY_KEYS:
            stated = _filtering(boundary.properties.get(key))
            if stated is not None:
                return stated
    return None
