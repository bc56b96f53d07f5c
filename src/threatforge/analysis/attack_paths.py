"""Attack paths: the most plausible ways from an entry point to a crown jewel.

Entry points are where an outside attacker starts (``model.graph.entry_points``: components in an
untrusted zone or with ``exposure: public``). Crown jewels are what they are after: components
that store or process restricted data, secrets stores, key management, identity providers and
administrative interfaces (``admin: true``).

Each step along a flow costs the attacker *effort*, from the controls on it (see
:func:`step_effort`): authentication on the flow (strong, shared-secret, none, not stated),
authorisation and a WAF on the component it reaches, a network policy, and whether it enters a
more trusted zone (cheap without authentication). A path's effort is the sum; lower is more
plausible.

The search is a bounded best-first search over simple paths: every component is expanded at most
``k`` times (its ``k`` cheapest arrivals), paths stop at ``max_depth`` hops, and the number of
partial paths is capped by ``budget``. That keeps it at O(k·(V+E)·log) for V components and E flows,
and the result says when a cap cut the search short.

The search runs over integers: every step's effort is computed once per model (see
:func:`_step_costs`), partial paths are labels in flat lists, and a hop is put into words only
when a path that contains it is reported.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from threatforge.analysis._steps import (
    Step,
    StepFacts,
    StepTable,
    Strength,
    authn_words,
    crossed_between,
    filtered,
    hop_authn,
    is_inbound,
    step_facts,
    step_table,
    strength_of,
)
from threatforge.model import (
    Authn,
    Authz,
    Boundary,
    BoundaryKind,
    Classification,
    Component,
    Exposure,
    Model,
    TrustLevel,
)
from threatforge.model.vocabulary import KindGroup, kind_group

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_K",
    "DEFAULT_MAX_DEPTH",
    "AttackPath",
    "Hop",
    "PathSearch",
    "cheapest_paths",
    "crown_jewels",
    "find_paths",
    "insider_entries",
    "step_effort",
]

DEFAULT_K = 3
DEFAULT_MAX_DEPTH = 8
DEFAULT_BUDGET = 1_000_000
"""Partial paths the search may create before it stops and reports itself capped."""

# Effort an attacker spends on one step. Authentication dominates; the rest adds a little.
HOP_EFFORT = 1
AUTHN_EFFORT = {Strength.NONE: 0, Strength.UNKNOWN: 2, Strength.WEAK: 3, Strength.STRONG: 6}
CLEARTEXT_SECRET_DISCOUNT = 2
"""A shared secret sent in clear text can be sniffed: it costs less to get past."""
AUTHZ_EFFORT_STATED = 2
AUTHZ_EFFORT_UNKNOWN = 1
WAF_EFFORT = 1
FILTER_EFFORT = 1
GUARDED_CROSSING_EFFORT = 1
"""Entering a more trusted zone costs extra only when the step is authenticated."""

_NOT_TARGETS = kind_group(KindGroup.EXTERNAL)
_JEWEL_KINDS = {kind: kind.value.replace("-", " ") for kind in kind_group(KindGroup.CROWN_JEWELS)}


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path, with what it cost the attacker and why."""

    flow: str
    source: str
    target: str
    pulled: bool
    """The attacker moves against the flow: ``source`` pulls from ``target``."""
    effort: int
    authn: str
    """The authentication method, or ``not stated``."""
    strength: Strength
    inbound: bool
    """The step enters a more trusted zone."""
    boundaries: tuple[str, ...]
    why: str

    @property
    def weak(self) -> bool:
        """Unauthenticated or shared-secret authenticated, into a more trusted zone."""
        return self.inbound and self.strength in (Strength.NONE, Strength.WEAK)


@dataclass(frozen=True, slots=True)
class AttackPath:
    """A path from an entry point to a target, cheapest first among its peers."""

    entry: str
    target: str
    hops: tuple[Hop, ...]
    entry_effort: int
    """What reaching the entry point itself costs (its public interface's controls)."""
    entry_why: str
    target_why: str
    effort: int
    """The attacker's effort: ``entry_effort`` plus every hop's; lower is more plausible."""

    @property
    def flows(self) -> tuple[str, ...]:
        """The flow ids of the hops, in order."""
        return tuple(h.flow for h in self.hops)

    @property
    def components(self) -> tuple[str, ...]:
        """The components on the path, entry first."""
        return (self.entry, *(h.target for h in self.hops))

    @property
    def boundaries(self) -> tuple[str, ...]:
        """Every boundary the path crosses, in the order it first crosses them."""
        return tuple(dict.fromkeys(b for h in self.hops for b in h.boundaries))

    @property
    def weakest(self) -> Hop:
        """The cheapest hop; among equals one into a more trusted zone, then the first."""
        return min(self.hops, key=lambda h: (h.effort, not h.inbound))

    @property
    def weak(self) -> bool:
        """At least one hop is unauthenticated or weakly authenticated into a more trusted zone."""
        return any(h.weak for h in self.hops)

    def describe(self) -> str:
        """The components on the path, joined by arrows."""
        return " -> ".join(self.components)


@dataclass(frozen=True)
class PathSearch:
    """The paths found, what was searched, and whether a bound cut the search short."""

    paths: tuple[AttackPath, ...]
    """Up to ``k`` paths per target, cheapest first (then by target, entry and hops)."""
    entries: tuple[str, ...]
    targets: tuple[str, ...]
    unreached: tuple[str, ...]
    """Targets no entry point reaches within ``max_depth`` hops."""
    k: int
    max_depth: int
    depth_capped: int
    """Partial paths that reached ``max_depth`` hops and could have gone on."""
    budget_exhausted: bool
    expanded: int
    """Partial paths the search expanded."""

    @property
    def capped(self) -> bool:
        """The search stopped at a bound: longer paths (or more of them) may exist."""
        return self.depth_capped > 0 or self.budget_exhausted

    def best_per_pair(self) -> tuple[AttackPath, ...]:
        """The cheapest path for each (entry, target) pair, in the order of ``paths``."""
        seen: set[tuple[str, str]] = set()
        best: list[AttackPath] = []
        for path in self.paths:
            pair = (path.entry, path.target)
            if pair not in seen:
                seen.add(pair)
                best.append(path)
        return tuple(best)


# --- crown jewels -----------------------------------------------------------------------------


def crown_jewels(model: Model) -> dict[str, tuple[str, ...]]:
    """Components an attacker is after, in id order, with the reasons in words."""
    jewels = _crown_jewels(model)
    return {cid: jewels.why(cid) for cid in jewels.ids}


@dataclass(frozen=True)
class _Jewels:
    """The crown jewels of a model; their reasons are put into words only when asked for."""

    model: Model
    ids: tuple[str, ...]
    """In id order."""
    members: frozenset[str]
    restricted: frozenset[str]
    """The restricted data assets."""

    def why(self, component_id: str) -> tuple[str, ...]:
        """Why the component is a crown jewel (empty when it is not one)."""
        if component_id not in self.members:
            return ()
        return _jewel_reasons(self.model.components[component_id], self.restricted)


def _crown_jewels(model: Model) -> _Jewels:
    """The crown jewels, found once per model by a cheap test (the reasons come later)."""
    return model.graph.memo(("crown-jewels",), lambda: _find_jewels(model))


def _find_jewels(model: Model) -> _Jewels:
    restricted = frozenset(
        d for d, asset in model.data.items() if asset.classification is Classification.RESTRICTED
    )
    # exactly the components _jewel_reasons finds a reason for
    ids = sorted(
        cid
        for cid, component in model.components.items()
        if component.kind not in _NOT_TARGETS
        and (
            component.admin
            or component.kind in _JEWEL_KINDS
            or not restricted.isdisjoint(component.stores)
            or not restricted.isdisjoint(component.processes)
        )
    )
    return _Jewels(model, tuple(ids), frozenset(ids), restricted)


def _jewel_reasons(component: Component, restricted: frozenset[str]) -> tuple[str, ...]:
    if component.kind in _NOT_TARGETS:
        return ()
    reasons: list[str] = []
    for verb, ids in (("stores", component.stores), ("processes", component.processes)):
        held = [d for d in ids if d in restricted]
        if held:
            reasons.append(f"{verb} restricted data {', '.join(repr(d) for d in held)}")
    if component.kind in _JEWEL_KINDS:
        reasons.append(_JEWEL_KINDS[component.kind])
    if component.admin:
        reasons.append("administrative interface (admin: true)")
    return tuple(reasons)


# --- the cost of a step -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    authn: Authn | None
    strength: Strength
    inbound: bool
    cleartext: bool
    authz: Authz | None
    waf: bool
    filtered: bool


def _facts(model: Model, step: Step) -> _Facts:
    """The facts of one step, asked of the model (the search uses :func:`_step_costs`)."""
    authn = hop_authn(model, step)
    target = model.components[step.target]
    return _Facts(
        authn,
        strength_of(authn),
        is_inbound(model, step),
        step.flow.encrypted is False,
        target.authz,
        bool(target.waf),
        bool(filtered(model, step)),
    )


# The terms of a step's effort, each spelled out once: step_effort, an entry point's effort
# (_entry) and the per-model table of every step's effort (_costs) are all built from these.


def _authn_effort(strength: Strength, cleartext: bool) -> int:
    """Getting past the authentication; a shared secret sent in clear text is sniffed."""
    discount = CLEARTEXT_SECRET_DISCOUNT if strength is Strength.WEAK and cleartext else 0
    return AUTHN_EFFORT[strength] - discount


def _arrival_effort(authz: Authz | None, waf: bool) -> int:
    """What the component a step arrives at adds: its authorisation, then a WAF."""
    if authz is None:
        effort = AUTHZ_EFFORT_UNKNOWN
    elif authz is not Authz.NONE:
        effort = AUTHZ_EFFORT_STATED
    else:
        effort = 0
    return effort + (WAF_EFFORT if waf else 0)


def _passage_effort(strength: Strength, cleartext: bool, inbound: bool, filtered: bool) -> int:
    """A step's effort before its arrival: the hop, its authentication, a network policy, and
    entering a more trusted zone (dearer only when the step is authenticated)."""
    guarded = inbound and strength in (Strength.WEAK, Strength.STRONG)
    return (
        HOP_EFFORT
        + _authn_effort(strength, cleartext)
        + (FILTER_EFFORT if filtered else 0)
        + (GUARDED_CROSSING_EFFORT if guarded else 0)
    )


def _effort(facts: _Facts) -> int:
    return _passage_effort(
        facts.strength, facts.cleartext, facts.inbound, facts.filtered
    ) + _arrival_effort(facts.authz, facts.waf)


def step_effort(model: Model, step: Step) -> int:
    """The attacker's effort for one step (documented in docs/analysis.md)."""
    return _effort(_facts(model, step))


def _zone_words(zone: Boundary | None) -> str:
    if zone is None:
        return "no zone"
    return f"{zone.id} ({zone.trust.value})"


_PEOPLE = kind_group(KindGroup.PEOPLE)
_WORKLOADS = kind_group(KindGroup.WORKLOADS)
_THIRD_PARTIES = kind_group(KindGroup.EXTERNAL) - _PEOPLE


def insider_entries(model: Model) -> Mapping[str, str]:
    """Where an attacker already inside starts, besides the entry points: id -> why.

    A compromised staff account (a person in a corporate zone), the corporate network (anything
    else in one), a compromised user or device (another person in a zone that is not untrusted,
    e.g. a browser or desktop app on a workstation), a compromised third-party account (a third
    party that calls into the system) and a neighbour workload (a service or function that
    shares a zone with a crown jewel).
    Entry points are left out: an outside attacker starts there already.
    """
    return model.graph.memo(("insider-entries",), lambda: _insider_entries(model))


def _insider_entries(model: Model) -> dict[str, str]:
    graph = model.graph
    jewels = set(_crown_jewels(model).ids)
    jewel_zones = {c.zone for cid, c in model.components.items() if cid in jewels and c.zone}
    found: dict[str, str] = {}
    for component_id, component in model.components.items():
        if graph.is_entry_point(component_id):
            continue
        corporate = next(
            (z for z in _zones_of(model, component) if z.kind is BoundaryKind.CORPORATE), None
        )
        if corporate is not None and component.kind in _PEOPLE:
            found[component_id] = f"compromised staff account (in corporate zone '{corporate.id}')"
        elif corporate is not None:
            found[component_id] = f"the corporate network '{corporate.id}'"
        elif component_id in graph.insiders:
            # a person or their device in a zone that is not untrusted (a workstation, a LAN):
            # malware or a web page there acts as they do
            zone = graph.zone_of(component_id)
            where = f" in zone '{zone.id}'" if zone is not None else ""
            found[component_id] = f"compromised user or device{where}"
        elif component.kind in _THIRD_PARTIES and graph.flows_out(component_id):
            found[component_id] = "compromised third-party account (it calls into the system)"
        elif (
            component.kind in _WORKLOADS
            and component_id not in jewels
            and component.zone in jewel_zones
        ):
            found[component_id] = (
                f"compromised neighbour workload (shares zone '{component.zone}' with a crown "
                "jewel)"
            )
    return found


def _zones_of(model: Model, component: Component) -> tuple[Boundary, ...]:
    zone = model.graph.zone_of(component.id)
    return model.graph.zone_chain(zone.id) if zone is not None else ()


def _entry(model: Model, component_id: str, insiders: bool = False) -> tuple[int, str]:
    """What reaching a starting point costs, and why (with ``insiders``, an insider start
    says which insider it is)."""
    component = model.components[component_id]
    zone = model.graph.zone_of(component_id)
    if zone is not None and zone.trust is TrustLevel.UNTRUSTED:
        return 0, f"starts in untrusted zone '{zone.id}'"
    if component.exposure is not Exposure.PUBLIC:
        inside = insider_entries(model).get(component_id) if insiders else None
        if inside is not None:
            return 0, f"assumed compromised: {inside}"
        return 0, f"assumed compromised: '{component_id}' is not an entry point"
    effort = _authn_effort(strength_of(component.authn), cleartext=False) + _arrival_effort(
        component.authz, bool(component.waf)
    )
    words = [f"public interface: {authn_words(component.authn)}"]
    if component.authz is None:
        words.append("states no authorisation")
    elif component.authz is Authz.NONE:
        words.append("does not authorise callers (authz: none)")
    else:
        words.append(f"authorises (authz: {component.authz.value})")
    if component.waf:
        words.append("has a WAF")
    return effort, "; ".join(words)


# --- every step's effort, once per model ------------------------------------------------------


_Move = tuple[int, int, int, int]
"""A step out of a component: (target component, step, effort, 1 if weak else 0)."""


@dataclass(frozen=True, slots=True)
class _Costs:
    """Every step's effort and weakness, and the moves out of each component, by number."""

    effort: tuple[int, ...]
    weak: tuple[bool, ...]
    """Unauthenticated or shared-secret authenticated, into a more trusted zone."""
    moves: tuple[tuple[_Move, ...], ...]
    """Per component, the steps leaving it in step order."""
    strength: Mapping[Authn | None, Strength]
    """The strength of each authentication method the steps use."""
    most: int
    """The effort of the dearest step (0 without steps)."""


def _step_costs(model: Model) -> _Costs:
    """The effort of every step (as :func:`step_effort`), computed once per model and shared."""
    return model.graph.memo(("attack-step-costs",), lambda: _costs(model))


def _costs(model: Model) -> _Costs:
    table = step_table(model)
    facts = step_facts(model)
    components = model.components
    arrival = [
        _arrival_effort(c.authz, bool(c.waf))
        for c in (components[cid] for cid in table.components)
    ]
    strengths = {authn: strength_of(authn) for authn in set(facts.authn)}
    # a few authentication methods and three yes/no facts: each combination's passage effort
    # is asked of _passage_effort once, and every step looks its own up (a bool indexes as 0/1)
    passage = [
        [
            [
                {a: _passage_effort(s, cleartext, inbound, policy) for a, s in strengths.items()}
                for policy in (False, True)
            ]
            for inbound in (False, True)
        ]
        for cleartext in (False, True)
    ]
    # Flow.encrypted is a property that reads the protocol table: ask it only where it counts
    sniffable = {
        authn for authn, strength in strengths.items()
        if _authn_effort(strength, True) != _authn_effort(strength, False)
    }
    weakly = {authn for authn, strength in strengths.items() if strength in _WEAK_STRENGTHS}
    efforts = [
        passage[authn in sniffable and flow.encrypted is False][inbound][policy is True][authn]
        + arrival[target]
        for flow, target, authn, policy, inbound in zip(
            table.flow, table.target, facts.authn, facts.filtered, facts.inbound, strict=True
        )
    ]
    weak = [
        inbound and authn in weakly
        for authn, inbound in zip(facts.authn, facts.inbound, strict=True)
    ]
    targets = table.target
    moves = tuple([
        tuple([(targets[s], s, efforts[s], int(weak[s])) for s in leaving]) for leaving in table.out
    ])
    if efforts and min(efforts) < 0:  # the search's buckets rely on it (see _Search.run)
        raise ValueError("the effort constants make a step cost less than nothing")
    return _Costs(tuple(efforts), tuple(weak), moves, strengths, max(efforts, default=0))


# --- the search -------------------------------------------------------------------------------


def find_paths(
    model: Model,
    *,
    sources: Iterable[str] | None = None,
    targets: Iterable[str] | None = None,
    k: int = DEFAULT_K,
    max_depth: int = DEFAULT_MAX_DEPTH,
    budget: int = DEFAULT_BUDGET,
    insiders: bool = False,
) -> PathSearch:
    """The ``k`` most plausible paths to each target, each at most ``max_depth`` hops long.

    ``sources`` default to the entry points (with ``insiders``, also the
    :func:`insider_entries`: staff accounts, the corporate network, third-party accounts and
    neighbour workloads) and ``targets`` to the crown jewels; any component may be named as
    either. Paths of no hops (a source that is itself a target) are not listed. Ids must exist
    in the model (the CLI checks them and suggests close matches).
    """
    if sources is None and insiders:
        sources = (*model.graph.entry_points, *insider_entries(model))
    search, entries, goals = _searched(
        model, sources, targets, k, max_depth, budget, insiders=insiders
    )
    paths = search.paths(
        search.ordered([label for labels in search.found.values() for label in labels])
    )
    reached = {search.table.components[node] for node in search.found}
    return PathSearch(
        paths=tuple(paths),
        entries=entries,
        targets=tuple(goals),
        unreached=tuple(t for t in goals if t not in reached),
        k=k,
        max_depth=max_depth,
        depth_capped=search.depth_capped,
        budget_exhausted=search.budget_exhausted,
        expanded=search.expanded,
    )


def cheapest_paths(
    model: Model,
    *,
    weak_only: bool = False,
    k: int = DEFAULT_K,
    max_depth: int = DEFAULT_MAX_DEPTH,
    budget: int = DEFAULT_BUDGET,
) -> tuple[AttackPath, ...]:
    """The cheapest path for each (entry point, crown jewel) pair, cheapest first.

    The same paths as ``find_paths(model, k=k, ...).best_per_pair()`` (only those that are
    ``weak`` when ``weak_only``), without building the paths that would be dropped: a search
    finds about one path per pair it reports, and the rules need only the weak ones.
    """
    search, _, _ = _searched(model, None, None, k, max_depth, budget)
    best: dict[tuple[int, int], int] = {}  # (start label, target) -> cheapest label
    tag = search.tag
    for node, labels in search.found.items():
        for label in labels:
            pair = (tag[label] >> 1, node)
            held = best.get(pair)
            if held is None or search.cheaper(label, held):
                best[pair] = label
    chosen = [label for label in best.values() if not weak_only or search.is_weak(label)]
    # one path per pair: effort, target and entry tell any two apart
    chosen.sort(key=search.rank)
    return tuple(search.paths(chosen))


def _searched(
    model: Model,
    sources: Iterable[str] | None,
    targets: Iterable[str] | None,
    k: int,
    max_depth: int,
    budget: int,
    *,
    insiders: bool = False,
) -> tuple[_Search, tuple[str, ...], tuple[str, ...]]:
    """A finished search, its starting points and its goals."""
    if k < 1 or max_depth < 1:
        raise ValueError("k and max_depth must be at least 1")
    entries = tuple(sorted(set(sources))) if sources is not None else model.graph.entry_points
    jewels = _crown_jewels(model)
    goals = jewels.ids if targets is None else tuple(sorted(set(targets)))
    search = _Search(model, goals, jewels)
    search.insiders = insiders
    search.run(entries, k, max_depth, budget)
    return search, entries, goals


_WEAK = Strength.WEAK
_WEAK_STRENGTHS = frozenset({Strength.NONE, Strength.WEAK})


class _Search:
    """Best-first search over component numbers; partial paths are labels linked to their
    parent (no copying): label ``i`` is at component ``node[i]``, came from label ``parent[i]``
    (-1 for a start) along step ``step[i]`` (-1 for a start); ``tag[i]`` is the label it started
    from, shifted left by one, with the lowest bit set when its path is weak (a start is not).
    """

    def __init__(self, model: Model, goals: tuple[str, ...], jewels: _Jewels) -> None:
        self.model = model
        self.table: StepTable = step_table(model)
        self.facts: StepFacts = step_facts(model)
        self.costs = _step_costs(model)
        self.goals = goals
        self.jewels = jewels
        self.node: list[int] = []
        self.parent: list[int] = []
        self.step: list[int] = []
        self.tag: list[int] = []
        self.found: dict[int, list[int]] = {}
        """Goal component -> labels that reached it, cheapest first."""
        self.effort: dict[int, int] = {}
        """The attacker's effort of each found label (entry effort included)."""
        self.depth_capped = 0
        self.budget_exhausted = False
        self.expanded = 0
        self._entries: dict[str, tuple[int, str]] = {}
        self.insiders = False
        """Name insider starts as such (see :func:`insider_entries`)."""
        self._hops: dict[int, Hop] = {}
        """Step -> the step as a hop, explained."""
        self._prefixes: dict[int, tuple[Hop, ...]] = {}
        """Label -> the hops of its path (paths share their prefixes)."""
        # the words of hop explanations, shared between hops
        self._words: dict[tuple[Authn | None, bool], tuple[str, str]] = {}
        """(authentication, a shared secret sent in clear) -> its words, its name."""
        self._crossings: dict[tuple[str | None, str | None], tuple[tuple[str, ...], str]] = {}
        """Pairs of zone ids -> what a step between them crosses, and the words for it."""
        self._arrivals: dict[int, str] = {}

    def entry(self, entry: str) -> tuple[int, str]:
        """What reaching a starting point costs, and why (see :func:`_entry`), once per entry."""
        found = self._entries.get(entry)
        if found is None:
            found = self._entries[entry] = _entry(self.model, entry, self.insiders)
        return found

    def run(self, entries: Collection[str], k: int, max_depth: int, budget: int) -> None:
        """Search from ``entries`` until every goal has ``k`` paths or nothing is left.

        Partial paths are taken cheapest first, then shallowest, then oldest (lowest label).
        Efforts are small integers and no step costs less than nothing, so instead of a heap
        the search keeps a bucket of partial paths per effort and empties them in order, each
        sorted by ``depth << label_bits | label``; a step that costs nothing is slotted into
        the bucket being emptied, in order.
        """
        number = self.table.number
        is_goal = [False] * len(number)
        for goal in self.goals:
            if goal in number:  # a chosen target that is not a component stays unreached
                is_goal[number[goal]] = True
        label_bits = max(budget, len(entries), 1).bit_length()
        label_mask = (1 << label_bits) - 1
        nodes, parents, step_of, tags = self.node, self.parent, self.step, self.tag
        starts: list[tuple[int, int]] = []
        for entry in entries:
            starts.append((self.entry(entry)[0], len(nodes)))  # KeyError for an unknown id
            nodes.append(number[entry])
            parents.append(-1)
            step_of.append(-1)
            tags.append(len(tags) << 1)
        costs = self.costs
        most = max((effort for effort, _ in starts), default=0) + max_depth * costs.most
        buckets: list[list[int]] = [[] for _ in range(most + 1)]
        for effort, label in starts:
            buckets[effort].append(label)
        # locals: this loop runs once per partial path (tens of thousands on large models)
        pops = [0] * len(number)
        routes: dict[int, tuple[int, ...]] = {}
        found, efforts, moves = self.found, self.effort, costs.moves
        satisfied, wanted = 0, len(self.goals)
        expanded = depth_capped = 0
        labels = len(nodes)
        exhausted = finished = False
        for effort, bucket in enumerate(buckets):
            if not bucket:
                continue
            bucket.sort()
            for key in bucket:  # (a list iterator also visits what is inserted ahead of it)
                label = key & label_mask
                depth = key >> label_bits
                node = nodes[label]
                if depth:
                    # A start does not use up one of the k arrivals at its component.
                    arrived = pops[node]
                    if arrived >= k:
                        continue
                    pops[node] = arrived + 1
                    if is_goal[node]:
                        efforts[label] = effort
                        reached = found.setdefault(node, [])
                        reached.append(label)
                        if len(reached) == k:
                            satisfied += 1
                            if satisfied == wanted:
                                finished = True
                                break
                    route = routes[parents[label]] + (node,)
                else:
                    route = (node,)
                expanded += 1
                if depth == max_depth:
                    for target, *_ in moves[node]:
                        if target not in route and pops[target] < k:
                            depth_capped += 1
                            break
                    continue
                routes[label] = route
                child = (depth + 1) << label_bits
                tag = tags[label]
                for target, step, cost, weak in moves[node]:
                    if target in route or pops[target] >= k:
                        continue
                    if labels >= budget:
                        exhausted = finished = True
                        break
                    nodes.append(target)
                    parents.append(label)
                    step_of.append(step)
                    tags.append(tag | weak)
                    if cost:
                        buckets[effort + cost].append(child | labels)
                    else:  # after the current key: deeper, and a newer label
                        insort(bucket, child | labels)
                    labels += 1
                if finished:
                    break
            if finished:
                break
        self.expanded, self.depth_capped, self.budget_exhausted = (
            expanded, depth_capped, exhausted
        )

    def steps_of(self, label: int) -> list[int]:
        """The steps of a label's path, entry first."""
        steps: list[int] = []
        parents, step_of = self.parent, self.step
        while parents[label] >= 0:
            steps.append(step_of[label])
            label = parents[label]
        steps.reverse()
        return steps

    def flows_of(self, label: int) -> tuple[str, ...]:
        """The flow ids of a label's path, entry first."""
        flow = self.table.flow
        return tuple(flow[s].id for s in self.steps_of(label))

    def rank(self, label: int) -> tuple[int, str, str]:
        """Effort, target and entry of a found label: how ``find_paths`` orders paths."""
        names, node = self.table.components, self.node
        return self.effort[label], names[node[label]], names[node[self.tag[label] >> 1]]

    def ordered(self, labels: list[int]) -> list[int]:
        """Found labels in the order of ``PathSearch.paths``: by effort, target, entry, then
        flows (compared only between paths of the same entry, target and effort)."""
        names, node, tag, effort = self.table.components, self.node, self.tag, self.effort
        ranked = sorted([
            (effort[label], names[node[label]], names[node[tag[label] >> 1]], label)
            for label in labels
        ])
        ordered = [row[3] for row in ranked]
        start = 0
        for end in range(1, len(ranked) + 1):
            if end < len(ranked) and ranked[end][:3] == ranked[start][:3]:
                continue
            if end - start > 1:
                ordered[start:end] = sorted(ordered[start:end], key=self.flows_of)
            start = end
        return ordered

    def cheaper(self, label: int, other: int) -> bool:
        """Whether ``label`` sorts before ``other`` (same entry and target): effort, then flows."""
        effort, other_effort = self.effort[label], self.effort[other]
        if effort != other_effort:
            return effort < other_effort
        return self.flows_of(label) < self.flows_of(other)

    def is_weak(self, label: int) -> bool:
        """Whether the label's path is ``weak`` (see :attr:`AttackPath.weak`)."""
        return bool(self.tag[label] & 1)

    def hops_of(self, label: int) -> tuple[Hop, ...]:
        """The hops of a label's path, entry first."""
        known, parents = self._prefixes, self.parent
        chain: list[int] = []  # the label and its ancestors whose hops are not known yet
        while label not in known and parents[label] >= 0:
            chain.append(label)
            label = parents[label]
        hops = known.get(label, ())
        explained, step_of = self._hops, self.step
        for link in reversed(chain):
            step = step_of[link]
            hop = explained.get(step)
            if hop is None:
                hop = explained[step] = self._explain(step)
            hops = known[link] = (*hops, hop)
        return hops

    def paths(self, labels: Iterable[int]) -> list[AttackPath]:
        """The reported paths of found labels."""
        names, node, tag, effort = self.table.components, self.node, self.tag, self.effort
        hops_of, jewels = self.hops_of, self.jewels
        whys: dict[int, str] = {}
        starts: dict[int, tuple[str, int, str]] = {}
        paths: list[AttackPath] = []
        for label in labels:
            target = node[label]
            why = whys.get(target)
            if why is None:
                why = whys[target] = "; ".join(jewels.why(names[target]) or ("chosen target",))
            start = starts.get(tag[label] >> 1)
            if start is None:
                entry = names[node[tag[label] >> 1]]
                start = starts[tag[label] >> 1] = (entry, *self.entry(entry))
            paths.append(AttackPath(
                start[0], names[target], hops_of(label), start[1], start[2], why, effort[label]
            ))
        return paths

    def _explain(self, step: int) -> Hop:
        """Step ``step`` as a hop, with what it cost and why, from the per-model facts."""
        table, facts = self.table, self.facts
        flow = table.flow[step]
        source, target = table.source[step], table.target[step]
        names = table.components
        authn = facts.authn[step]
        strength = self.costs.strength[authn]
        inbound = facts.inbound[step]
        pulled = table.pulled[step]
        cleartext_secret = strength is _WEAK and flow.encrypted is False
        words = self._words.get((authn, cleartext_secret))
        if words is None:
            words = self._words[authn, cleartext_secret] = (
                authn_words(authn) + (" sent in clear text" if cleartext_secret else ""),
                authn.value if authn else "not stated",
            )
        zone_ids = facts.zone_ids
        crossing = self._crossings.get((zone_ids[source], zone_ids[target]))
        if crossing is None:
            crossing = self._crossing(facts.zones[source], facts.zones[target])
        arrival = self._arrivals.get(target)
        if arrival is None:
            arrival = self._arrivals[target] = self._arrival_words(names[target])
        why = (
            (f"'{names[source]}' pulls from '{names[target]}'; " if pulled else "")
            + words[0]
            + (f"; {crossing[1]}" if inbound else "")
            + f"; {arrival}"
            + ("; a network policy filters it" if facts.filtered[step] else "")
        )
        return Hop(
            flow.id,
            names[source],
            names[target],
            pulled,
            self.costs.effort[step],
            words[1],
            strength,
            inbound,
            crossing[0],
            why,
        )

    def _crossing(
        self, source_zone: Boundary | None, target_zone: Boundary | None
    ) -> tuple[tuple[str, ...], str]:
        """The boundaries a step between these zones crosses, and the words for entering;
        once per pair of zones."""
        key = (source_zone.id if source_zone else None, target_zone.id if target_zone else None)
        crossing = self._crossings[key] = (
            crossed_between(self.model, source_zone, target_zone),
            f"enters a more trusted zone: {_zone_words(source_zone)} -> {_zone_words(target_zone)}",
        )
        return crossing

    def _arrival_words(self, target_id: str) -> str:
        """What the component a step arrives at does about callers: authorisation, a WAF."""
        component = self.model.components[target_id]
        if component.authz is None:
            words = f"'{target_id}' states no authorisation"
        elif component.authz is Authz.NONE:
            words = f"'{target_id}' does not authorise callers (authz: none)"
        else:
            words = f"'{target_id}' authorises (authz: {component.authz.value})"
        if component.waf:
            words += f"; '{target_id}' has a WAF"
        return words
