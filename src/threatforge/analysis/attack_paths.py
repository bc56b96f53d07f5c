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
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from threatforge._gc import collector_paused
from threatforge.analysis._steps import (
    Step,
    Strength,
    authn_words,
    build_steps,
    crossed_boundaries,
    filtered,
    hop_authn,
    is_inbound,
    strength_of,
)
from threatforge.model import (
    Authn,
    Authz,
    Classification,
    Component,
    ComponentKind,
    Exposure,
    Model,
    TrustLevel,
)

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

_NOT_TARGETS = frozenset(
    {ComponentKind.ACTOR, ComponentKind.CLIENT, ComponentKind.EXTERNAL_SERVICE}
)
_JEWEL_KINDS = {
    ComponentKind.SECRETS_STORE: "secrets store",
    ComponentKind.KEY_MANAGEMENT: "key management",
    ComponentKind.IDENTITY_PROVIDER: "identity provider",
}


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
    jewels: dict[str, tuple[str, ...]] = {}
    for cid in sorted(model.components):
        reasons = _jewel_reasons(model, model.components[cid])
        if reasons:
            jewels[cid] = reasons
    return jewels


def _jewel_reasons(model: Model, component: Component) -> tuple[str, ...]:
    if component.kind in _NOT_TARGETS:
        return ()
    reasons: list[str] = []
    for verb, ids in (("stores", component.stores), ("processes", component.processes)):
        restricted = [
            d for d in ids
            if d in model.data and model.data[d].classification is Classification.RESTRICTED
        ]
        if restricted:
            reasons.append(f"{verb} restricted data {', '.join(repr(d) for d in restricted)}")
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


def _facts(
    model: Model, step: Step, zone_cache: dict[str, bool | None] | None = None
) -> _Facts:
    authn = hop_authn(model, step)
    target = model.components[step.target]
    return _Facts(
        authn,
        strength_of(authn),
        is_inbound(model, step),
        step.flow.encrypted is False,
        target.authz,
        bool(target.waf),
        bool(filtered(model, step, zone_cache)),
    )


def _effort(facts: _Facts) -> int:
    effort = HOP_EFFORT + AUTHN_EFFORT[facts.strength]
    if facts.strength is Strength.WEAK and facts.cleartext:
        effort -= CLEARTEXT_SECRET_DISCOUNT
    if facts.authz is None:
        effort += AUTHZ_EFFORT_UNKNOWN
    elif facts.authz is not Authz.NONE:
        effort += AUTHZ_EFFORT_STATED
    if facts.waf:
        effort += WAF_EFFORT
    if facts.filtered:
        effort += FILTER_EFFORT
    if facts.inbound and facts.strength in (Strength.WEAK, Strength.STRONG):
        effort += GUARDED_CROSSING_EFFORT
    return effort


def step_effort(model: Model, step: Step) -> int:
    """The attacker's effort for one step (documented in docs/analysis.md)."""
    return _effort(_facts(model, step))


def _zone_words(model: Model, component_id: str) -> str:
    zone = model.graph.zone_of(component_id)
    if zone is None:
        return "no zone"
    return f"{zone.id} ({zone.trust.value})"


def _hop(model: Model, step: Step, facts: _Facts) -> Hop:
    words: list[str] = []
    if step.pulled:
        words.append(f"'{step.source}' pulls from '{step.target}'")
    auth = authn_words(facts.authn)
    if facts.strength is Strength.WEAK and facts.cleartext:
        auth += " sent in clear text"
    words.append(auth)
    if facts.inbound:
        words.append(
            "enters a more trusted zone: "
            f"{_zone_words(model, step.source)} -> {_zone_words(model, step.target)}"
        )
    if facts.authz is None:
        words.append(f"'{step.target}' states no authorisation")
    elif facts.authz is Authz.NONE:
        words.append(f"'{step.target}' does not authorise callers (authz: none)")
    else:
        words.append(f"'{step.target}' authorises (authz: {facts.authz.value})")
    if facts.waf:
        words.append(f"'{step.target}' has a WAF")
    if facts.filtered:
        words.append("a network policy filters it")
    return Hop(
        flow=step.flow.id,
        source=step.source,
        target=step.target,
        pulled=step.pulled,
        effort=_effort(facts),
        authn=facts.authn.value if facts.authn else "not stated",
        strength=facts.strength,
        inbound=facts.inbound,
        boundaries=crossed_boundaries(model, step),
        why="; ".join(words),
    )


def _entry(model: Model, component_id: str) -> tuple[int, str]:
    """What reaching a starting point costs, and why."""
    component = model.components[component_id]
    zone = model.graph.zone_of(component_id)
    if zone is not None and zone.trust is TrustLevel.UNTRUSTED:
        return 0, f"starts in untrusted zone '{zone.id}'"
    if component.exposure is not Exposure.PUBLIC:
        return 0, f"assumed compromised: '{component_id}' is not an entry point"
    strength = strength_of(component.authn)
    effort = AUTHN_EFFORT[strength]
    words = [f"public interface: {authn_words(component.authn)}"]
    if component.authz is None:
        effort += AUTHZ_EFFORT_UNKNOWN
        words.append("states no authorisation")
    elif component.authz is Authz.NONE:
        words.append("does not authorise callers (authz: none)")
    else:
        effort += AUTHZ_EFFORT_STATED
        words.append(f"authorises (authz: {component.authz.value})")
    if component.waf:
        effort += WAF_EFFORT
        words.append("has a WAF")
    return effort, "; ".join(words)


# --- the search -------------------------------------------------------------------------------


def find_paths(
    model: Model,
    *,
    sources: Iterable[str] | None = None,
    targets: Iterable[str] | None = None,
    k: int = DEFAULT_K,
    max_depth: int = DEFAULT_MAX_DEPTH,
    budget: int = DEFAULT_BUDGET,
) -> PathSearch:
    """The ``k`` most plausible paths to each target, each at most ``max_depth`` hops long.

    ``sources`` default to the entry points and ``targets`` to the crown jewels; any component
    may be named as either. Paths of no hops (a source that is itself a target) are not listed.
    Ids must exist in the model (the CLI checks them and suggests close matches).
    """
    with collector_paused():
        search, entries, goals = _searched(model, sources, targets, k, max_depth, budget)
        paths = sorted(
            (search.path(label) for labels in search.found.values() for label in labels),
            key=lambda p: (p.effort, p.target, p.entry, p.flows),
        )
    return PathSearch(
        paths=tuple(paths),
        entries=entries,
        targets=tuple(goals),
        unreached=tuple(t for t in goals if not search.found.get(t)),
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
    with collector_paused():
        search, _, _ = _searched(model, None, None, k, max_depth, budget)
        best: dict[tuple[str, str], tuple[_PathKey, int]] = {}
        for labels in search.found.values():
            for label in labels:
                key = search.sort_key(label)
                pair = (key[2], key[1])
                if pair not in best or key < best[pair][0]:
                    best[pair] = (key, label)
        return tuple(
            search.path(label)
            for _, label in sorted(best.values())
            if not weak_only or search.is_weak(label)
        )


def _searched(
    model: Model,
    sources: Iterable[str] | None,
    targets: Iterable[str] | None,
    k: int,
    max_depth: int,
    budget: int,
) -> tuple[_Search, tuple[str, ...], dict[str, tuple[str, ...]]]:
    """A finished search, its starting points and its goals (with why each is a goal)."""
    if k < 1 or max_depth < 1:
        raise ValueError("k and max_depth must be at least 1")
    entries = tuple(sorted(set(sources))) if sources is not None else model.graph.entry_points
    jewels = crown_jewels(model)
    if targets is None:
        goals = dict(jewels)
    else:
        goals = {t: jewels.get(t, ("chosen target",)) for t in sorted(set(targets))}
    search = _Search(model, k, max_depth, budget, goals)
    search.run(entries)
    return search, entries, goals


_PathKey = tuple[int, str, str, tuple[str, ...]]
"""How paths are ordered: effort, target, entry, flows (the order of ``PathSearch.paths``)."""
_WEAK_STRENGTHS = frozenset({Strength.NONE, Strength.WEAK})


class _Search:
    """Best-first search; partial paths are labels linked to their parent (no copying)."""

    def __init__(
        self, model: Model, k: int, max_depth: int, budget: int, goals: dict[str, tuple[str, ...]]
    ) -> None:
        self.model = model
        self.steps = build_steps(model)
        self.k = k
        self.max_depth = max_depth
        self.budget = budget
        self.goals = goals
        self.facts: dict[int, _Facts] = {}
        self.efforts: dict[int, int] = {}
        self.hops: dict[int, Hop] = {}
        self.zone_cache: dict[str, bool | None] = {}
        self.entries: dict[str, tuple[int, str]] = {}
        # label i: node, parent label (-1 for a start), step index (-1 for a start), depth, effort
        self.node: list[str] = []
        self.parent: list[int] = []
        self.step: list[int] = []
        self.found: dict[str, list[int]] = {}
        self.depth_capped = 0
        self.budget_exhausted = False
        self.expanded = 0

    def step_facts(self, step: Step) -> _Facts:
        facts = self.facts.get(step.index)
        if facts is None:
            facts = self.facts[step.index] = _facts(self.model, step, self.zone_cache)
        return facts

    def step_cost(self, step: Step) -> int:
        cost = self.efforts.get(step.index)
        if cost is None:
            cost = self.efforts[step.index] = _effort(self.step_facts(step))
        return cost

    def hop(self, step: Step) -> Hop:
        hop = self.hops.get(step.index)
        if hop is None:
            hop = self.hops[step.index] = _hop(self.model, step, self.step_facts(step))
        return hop

    def label(self, node: str, parent: int, step: int) -> int:
        self.node.append(node)
        self.parent.append(parent)
        self.step.append(step)
        return len(self.node) - 1

    def entry(self, entry: str) -> tuple[int, str]:
        """What reaching a starting point costs, and why (see :func:`_entry`), once per entry."""
        found = self.entries.get(entry)
        if found is None:
            found = self.entries[entry] = _entry(self.model, entry)
        return found

    def entry_effort(self, entry: str) -> int:
        return self.entry(entry)[0]

    def sort_key(self, label: int) -> _PathKey:
        """The key ``find_paths`` sorts this label's path by, without building the path."""
        target = self.node[label]
        flows: list[str] = []
        effort = 0
        every_step = self.steps.all
        while self.parent[label] >= 0:
            step = every_step[self.step[label]]
            flows.append(step.flow.id)
            effort += self.step_cost(step)
            label = self.parent[label]
        flows.reverse()
        entry = self.node[label]
        return effort + self.entry_effort(entry), target, entry, tuple(flows)

    def is_weak(self, label: int) -> bool:
        """Whether the label's path is ``weak`` (see :attr:`AttackPath.weak`)."""
        every_step = self.steps.all
        while self.parent[label] >= 0:
            facts = self.step_facts(every_step[self.step[label]])
            if facts.inbound and facts.strength in _WEAK_STRENGTHS:
                return True
            label = self.parent[label]
        return False

    def run(self, entries: Collection[str]) -> None:
        heap: list[tuple[int, int, int]] = []  # (effort, depth, label)
        for entry in entries:
            heap.append((self.entry_effort(entry), 0, self.label(entry, -1, -1)))
        heapq.heapify(heap)
        pops: dict[str, int] = {}
        satisfied = 0
        # locals: this loop runs once per partial path (tens of thousands on large models)
        k, max_depth, budget, goals = self.k, self.max_depth, self.budget, self.goals
        nodes, parents, step_of, efforts = self.node, self.parent, self.step, self.efforts
        steps_out = self.steps.out
        heappop, heappush, arrivals = heapq.heappop, heapq.heappush, pops.get
        while heap:
            effort, depth, label = heappop(heap)
            node = nodes[label]
            if depth:
                # A start does not use up one of the k arrivals at its component.
                arrived = arrivals(node, 0)
                if arrived >= k:
                    continue
                pops[node] = arrived + 1
                if node in goals:
                    found = self.found.setdefault(node, [])
                    found.append(label)
                    if len(found) == k:
                        satisfied += 1
                        if satisfied == len(goals):
                            return
            self.expanded += 1
            visited = {node}
            walk = parents[label]
            while walk >= 0:
                visited.add(nodes[walk])
                walk = parents[walk]
            onward = [
                s for s in steps_out.get(node, ())
                if s.target not in visited and arrivals(s.target, 0) < k
            ]
            if depth == max_depth:
                if onward:
                    self.depth_capped += 1
                continue
            for step in onward:
                if len(nodes) >= budget:
                    self.budget_exhausted = True
                    return
                nodes.append(step.target)
                parents.append(label)
                step_of.append(step.index)
                cost = efforts.get(step.index)
                if cost is None:
                    cost = self.step_cost(step)
                heappush(heap, (effort + cost, depth + 1, len(nodes) - 1))

    def path(self, label: int) -> AttackPath:
        steps: list[Step] = []
        while self.parent[label] >= 0:
            steps.append(self.steps.all[self.step[label]])
            label = self.parent[label]
        steps.reverse()
        entry = self.node[label]
        entry_effort, entry_why = self.entry(entry)
        hops = tuple(self.hop(s) for s in steps)
        target = steps[-1].target
        return AttackPath(
            entry=entry,
            target=target,
            hops=hops,
            entry_effort=entry_effort,
            entry_why=entry_why,
            target_why="; ".join(self.goals[target]),
            effort=entry_effort + sum(h.effort for h in hops),
        )
