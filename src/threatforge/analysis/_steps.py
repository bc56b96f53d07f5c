"""How an attacker moves through a model: the steps, and the controls on each one.

One step per flow, from its source to its target (requests and data travel that way). A flow the
target pulls (``initiated_by: target``, e.g. a consumer polling a queue) gives a second step, from
the target back to the source: whoever opens the connection can also act on the other end.

Every query here is answered from the step lists in time linear in the model's size. The
searches use :func:`step_table` and :func:`step_facts`: the same steps as flat arrays over
component numbers, and the controls on each step computed once per model, so that a search that
expands tens of thousands of partial paths does integer look-ups instead of model queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from threatforge.model import Authn, Boundary, Flow, Model
from threatforge.model.schema import Initiator, PropertyValue

__all__ = [
    "NETWORK_POLICY",
    "Step",
    "StepFacts",
    "StepTable",
    "Steps",
    "Strength",
    "authn_words",
    "build_steps",
    "crossed_between",
    "crossed_boundaries",
    "filtered",
    "hop_authn",
    "is_inbound",
    "step_facts",
    "step_table",
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


@dataclass(frozen=True, slots=True)
class StepTable:
    """Every step of a model as flat arrays over component numbers (built once per model).

    Component number ``c`` is ``components[c]``, in model order. Step ``s`` is the ``s``-th step
    of :func:`build_steps` (``Steps.all[s]``): flow order, a pulled flow's step right after its
    own. ``out[c]`` and ``into[c]`` hold the steps leaving and reaching component ``c``, in step
    order.
    """

    components: tuple[str, ...]
    number: Mapping[str, int]
    flow: tuple[Flow, ...]
    source: tuple[int, ...]
    target: tuple[int, ...]
    pulled: tuple[bool, ...]
    out: tuple[tuple[int, ...], ...]
    into: tuple[tuple[int, ...], ...]


def step_table(model: Model) -> StepTable:
    """The steps of ``model`` as flat arrays (built once per model and shared)."""
    return _tables(model)[0]


def _tables(model: Model) -> tuple[StepTable, StepFacts]:
    return model.graph.memo(("attack-step-tables",), lambda: _build_tables(model))


def _build_tables(model: Model) -> tuple[StepTable, StepFacts]:
    """The step table and the step facts, from one pass over the flows.

    Reading a flow's fields costs a cache miss per flow; one pass that reads every field needed
    is about twice as fast as a pass per field.
    """
    components = tuple(model.components)
    number = {cid: i for i, cid in enumerate(components)}
    flows = model.flows
    fields = [
        (flow.source, flow.target, flow.initiated_by, flow.effective_authn, flow.properties)
        for flow in flows
    ]
    sources = [number[row[0]] for row in fields]
    targets = [number[row[1]] for row in fields]
    flow_authn = [row[3] for row in fields]
    flow_policy = [_stated_filtering(row[4]) if row[4] else None for row in fields]
    pulling = Initiator.TARGET
    if pulling in {row[2] for row in fields}:
        # a pulled flow's second step follows its own: renumber into new lists
        step_flows: list[Flow] = []
        step_sources: list[int] = []
        step_targets: list[int] = []
        pulled: list[bool] = []
        step_authn: list[Authn | None] = []
        step_policy: list[bool | None] = []
        for flow, row, source, target, authn, policy in zip(
            flows, fields, sources, targets, flow_authn, flow_policy, strict=True
        ):
            ends = [(source, target, False)]
            if row[2] is pulling and source != target:
                ends.append((target, source, True))
            for step_source, step_target, against in ends:
                step_flows.append(flow)
                step_sources.append(step_source)
                step_targets.append(step_target)
                pulled.append(against)
                step_authn.append(authn)
                step_policy.append(policy)
        flows, sources, targets = tuple(step_flows), step_sources, step_targets
        flow_authn, flow_policy = step_authn, step_policy
    else:
        pulled = [False] * len(flows)
    out: list[list[int]] = [[] for _ in components]
    into: list[list[int]] = [[] for _ in components]
    for step, source in enumerate(sources):
        out[source].append(step)
    for step, target in enumerate(targets):
        into[target].append(step)
    table = StepTable(
        components, number, flows, tuple(sources), tuple(targets), tuple(pulled),
        tuple(map(tuple, out)), tuple(map(tuple, into)),
    )
    return table, _step_facts(model, table, flow_authn, flow_policy)


def build_steps(model: Model) -> Steps:
    """The steps of ``model``, in flow order (built once per model and shared)."""
    return model.graph.memo(("attack-steps",), lambda: _build_steps(model))


def _build_steps(model: Model) -> Steps:
    table = step_table(model)
    names = table.components
    steps = tuple(
        Step(index, flow, names[source], names[target], pulled)
        for index, (flow, source, target, pulled) in enumerate(
            zip(table.flow, table.source, table.target, table.pulled, strict=True)
        )
    )
    out = {names[c]: [steps[s] for s in ids] for c, ids in enumerate(table.out) if ids}
    into = {names[c]: [steps[s] for s in ids] for c, ids in enumerate(table.into) if ids}
    return Steps(steps, out, into)


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
    if authn is Authn.PRESIGNED_URL:
        # not an identity, but not a secret an outsider can reuse either: only the system mints
        # the URL, signed, for one object and a short time, after its own authentication
        return Strength.STRONG
    return Strength.STRONG if authn.is_strong else Strength.WEAK


def authn_words(authn: Authn | None) -> str:
    """The authentication of a step, in words."""
    if authn is None:
        return "authentication not stated"
    if authn is Authn.NETWORK:
        return "trusts the network location only (authn: network)"
    if authn is Authn.NONE:
        return "no authentication (authn: none)"
    if authn is Authn.PRESIGNED_URL:
        return "a pre-signed URL the system issued for one object (authn: presigned-url)"
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
    return crossed_between(model, graph.zone_of(step.source), graph.zone_of(step.target))


def crossed_between(
    model: Model, source_zone: Boundary | None, target_zone: Boundary | None
) -> tuple[str, ...]:
    """Boundaries left (innermost first), then entered (outermost first), from zone to zone."""
    if source_zone is target_zone:
        return ()
    graph = model.graph
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


# --- every step's controls at once -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepFacts:
    """The controls on every step of a :class:`StepTable`, by step number.

    ``authn[s]`` is :func:`hop_authn`, ``filtered[s]`` is :func:`filtered` and ``inbound[s]`` is
    :func:`is_inbound` of step ``s``; the tests hold the two ways of computing them equal.
    """

    authn: tuple[Authn | None, ...]
    filtered: tuple[bool | None, ...]
    inbound: tuple[bool, ...]
    zones: tuple[Boundary | None, ...]
    """The zone of each component, by component number."""
    zone_ids: tuple[str | None, ...]
    """The id of each component's zone, by component number."""


def step_facts(model: Model) -> StepFacts:
    """The controls on every step of ``model`` (computed once per model and shared)."""
    return _tables(model)[1]


def _stated_filtering(properties: Mapping[str, PropertyValue]) -> bool | None:
    """What ``properties`` say about a network policy (None: nothing)."""
    if not properties:
        return None
    for key in _NETWORK_POLICY_KEYS:
        stated = _filtering(properties.get(key))
        if stated is not None:
            return stated
    return None


def _step_facts(
    model: Model,
    table: StepTable,
    flow_authn: Sequence[Authn | None],
    flow_policy: Sequence[bool | None],
) -> StepFacts:
    """The facts of every step, from those its flow states (by step) and its ends'."""
    graph, components = model.graph, model.components
    zone_answers: dict[str, bool | None] = {}
    # Per component: its zone, that zone's trust rank, its interface's authentication and the
    # network policy that applies to steps arriving at it unless the flow says otherwise.
    zones = [graph.zone_of(cid) for cid in table.components]
    ranks = [zone.trust.rank if zone else 0 for zone in zones]
    fields = [(c.authn, c.properties) for c in map(components.__getitem__, table.components)]
    component_authn = [row[0] for row in fields]
    component_filtered: list[bool | None] = []
    for (_, properties), zone in zip(fields, zones, strict=True):
        stated = _stated_filtering(properties) if properties else None
        if stated is None and zone is not None:
            if zone.id not in zone_answers:
                zone_answers[zone.id] = _zone_filtering(model, zone.id)
            stated = zone_answers[zone.id]
        component_filtered.append(stated)
    targets = table.target
    # (list comprehensions, then tuples: several times faster than generators)
    authn = tuple([
        stated or component_authn[target]
        for stated, target in zip(flow_authn, targets, strict=True)
    ])
    policy = tuple([
        component_filtered[target] if stated is None else stated
        for stated, target in zip(flow_policy, targets, strict=True)
    ])
    inbound = tuple([
        zones[source] is not zones[target] and ranks[target] > ranks[source]
        for source, target in zip(table.source, targets, strict=True)
    ])
    zone_ids = tuple([zone.id if zone else None for zone in zones])
    return StepFacts(authn, policy, inbound, tuple(zones), zone_ids)
