"""The analyses as they were before the performance work: the reference the fast paths must match.

A verbatim copy of the original step model, attack-path search, PCI DSS scope and blast radius
(they asked the model graph for every fact of every step, on every expansion). The equivalence
tests compare the optimised analyses with these on the examples, the rule fixtures, the corpus
and generated models; the result types are the real ones, so the comparison is plain ``==``.
(Imported by name, like ``analysis_models.py``.)

A frozen oracle for the rewrite, not a second implementation to maintain: when an output is meant
to change, change the real code and its own tests, and delete the reference and these equivalence
tests rather than editing both.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from threatforge._gc import collector_paused
from threatforge.analysis._steps import NETWORK_POLICY, Strength, authn_words, strength_of
from threatforge.analysis.attack_paths import (
    AUTHN_EFFORT,
    AUTHZ_EFFORT_STATED,
    AUTHZ_EFFORT_UNKNOWN,
    CLEARTEXT_SECRET_DISCOUNT,
    DEFAULT_BUDGET,
    DEFAULT_K,
    DEFAULT_MAX_DEPTH,
    FILTER_EFFORT,
    GUARDED_CROSSING_EFFORT,
    HOP_EFFORT,
    WAF_EFFORT,
    AttackPath,
    Hop,
    PathSearch,
)
from threatforge.analysis.blast_radius import BlastRadius, DataExposure, Reached
from threatforge.analysis.pci_scope import (
    ACCOUNT_DATA_CATEGORIES,
    CDE_CATEGORIES,
    CDE_ZONE_PROPERTY,
    PciScope,
    ScopeCategory,
    ScopedComponent,
    SegmentationHop,
    SegmentationViolation,
    cde_zone_of,
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
from threatforge.model.schema import Flow, Initiator, PropertyValue

__all__ = ["blast_radius", "cheapest_paths", "find_paths", "pci_scope", "step_effort"]

# --- steps (was analysis/_steps.py) ------------------------------------------------------------

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
    """The steps of ``model``, in flow order (built afresh: the reference shares nothing)."""
    return _build_steps(model)


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


def hop_authn(model: Model, step: Step) -> Authn | None:
    """The flow's authentication, else that of the interface the step arrives at."""
    return step.flow.effective_authn or model.components[step.target].authn


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


# --- attack paths (was analysis/attack_paths.py) -----------------------------------------------

_NOT_TARGETS = frozenset(
    {ComponentKind.ACTOR, ComponentKind.CLIENT, ComponentKind.EXTERNAL_SERVICE}
)
_JEWEL_KINDS = {
    ComponentKind.SECRETS_STORE: "secrets store",
    ComponentKind.KEY_MANAGEMENT: "key management",
    ComponentKind.IDENTITY_PROVIDER: "identity provider",
}


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


# --- PCI DSS scope (was analysis/pci_scope.py) --------------------------------------------------

_SECURITY_KINDS = frozenset(
    {
        ComponentKind.IDENTITY_PROVIDER,
        ComponentKind.KEY_MANAGEMENT,
        ComponentKind.SECRETS_STORE,
        ComponentKind.MONITORING,
        ComponentKind.CI_PIPELINE,
        ComponentKind.ARTIFACT_REGISTRY,
    }
)
_PEOPLE_KINDS = frozenset({ComponentKind.ACTOR, ComponentKind.CLIENT})
_MAX_LISTED = 3

_ORDER = {c: i for i, c in enumerate(ScopeCategory)}


def pci_scope(model: Model) -> PciScope:
    """Categorise every component of ``model`` and find segmentation violations."""
    cde_data = {
        d for d, asset in model.data.items() if any(c in CDE_CATEGORIES for c in asset.categories)
    }
    account = {
        d for d, asset in model.data.items()
        if any(c in ACCOUNT_DATA_CATEGORIES for c in asset.categories)
    }
    public = {cid for cid, c in model.components.items() if _is_public_party(model, c)}
    cde_reasons = {
        cid: reasons
        for cid, c in model.components.items()
        if cid not in public
        and c.kind is not ComponentKind.EXTERNAL_SERVICE
        and (reasons := _cde_reasons(model, c, cde_data))
    }
    rows = [
        _categorise(model, c, cde_reasons, public, account) for c in model.components.values()
    ]
    rows.sort(key=lambda r: (_ORDER[r.category], r.component))
    out_of_scope = {
        r.component for r in rows
        if r.category is ScopeCategory.OUT_OF_SCOPE and r.component not in public
    }
    violations = _violations(model, set(cde_reasons), out_of_scope)
    return PciScope(tuple(rows), violations, tuple(sorted(cde_data)))


def _is_public_party(model: Model, component: Component) -> bool:
    """Cardholders and the public: people or their devices in an untrusted zone (or none)."""
    if component.kind not in _PEOPLE_KINDS:
        return False
    trust = model.graph.trust_of(component.id)
    return trust is None or trust is TrustLevel.UNTRUSTED


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _cde_reasons(model: Model, component: Component, cde_data: set[str]) -> tuple[str, ...]:
    reasons: list[str] = []
    for verb, ids in (("stores", component.stores), ("processes", component.processes)):
        held = [d for d in ids if d in cde_data]
        if held:
            reasons.append(f"{verb} {', '.join(held)}")
    graph = model.graph
    carried = [
        f for f in (*graph.flows_out(component.id), *graph.flows_in(component.id))
        if any(d in cde_data for d in f.data)
    ]
    if carried:
        data = sorted({d for f in carried for d in f.data if d in cde_data})
        reasons.append(
            f"transmits {', '.join(data)} on {_listed(sorted(f.id for f in carried))}"
        )
    # the declared CDE is one shared definition (cde_zone_of), not part of what this guards
    boundary = cde_zone_of(model, component.id)
    if boundary is not None:
        if isinstance(boundary.properties.get(CDE_ZONE_PROPERTY), str):
            reasons.append(f"in zone '{boundary.id}' declared {CDE_ZONE_PROPERTY}: cde")
        elif boundary.properties.get("cde") is True:
            reasons.append(f"in zone '{boundary.id}' declared cde: true")
        else:
            reasons.append(f"in zone '{boundary.id}' (trust: restricted; no zone of the model "
                           "is marked as the CDE)")
    return tuple(reasons)


def _categorise(
    model: Model,
    component: Component,
    cde: dict[str, tuple[str, ...]],
    public: set[str],
    account: set[str],
) -> ScopedComponent:
    graph = model.graph
    cid = component.id
    zone = component.zone
    pci_data = tuple(a.id for a in graph.data_of(cid) if a.id in account)
    if cid in public:
        return ScopedComponent(
            cid, zone, ScopeCategory.OUT_OF_SCOPE,
            ("cardholder or member of the public, not a system of the entity",), pci_data,
        )
    if cid in cde:
        return ScopedComponent(cid, zone, ScopeCategory.CDE, cde[cid], pci_data)
    cde_peers = sorted(p for p in graph.peers(cid) if p in cde)
    connected = f"flows to or from CDE component{'s' if len(cde_peers) > 1 else ''} " + _listed(
        cde_peers
    )
    if component.kind is ComponentKind.EXTERNAL_SERVICE and (cde_peers or pci_data):
        reasons = ["third party"]
        if pci_data:
            reasons.append(f"handles {', '.join(pci_data)}")
        if cde_peers:
            reasons.append(connected)
        return ScopedComponent(cid, zone, ScopeCategory.THIRD_PARTY, tuple(reasons), pci_data)
    if cde_peers and component.kind in _SECURITY_KINDS:
        return ScopedComponent(
            cid, zone, ScopeCategory.SECURITY_IMPACTING,
            (f"{component.kind.value} serving the CDE", connected), pci_data,
        )
    if cde_peers:
        return ScopedComponent(cid, zone, ScopeCategory.CONNECTED_TO, (connected,), pci_data)
    return ScopedComponent(
        cid, zone, ScopeCategory.OUT_OF_SCOPE,
        ("no account data and no flow to or from the CDE",), pci_data,
    )


def _gaps(model: Model, step: Step) -> tuple[str, ...]:
    """What leaves a step open (empty when it is authenticated and filtered)."""
    gaps: list[str] = []
    authn = hop_authn(model, step)
    if authn is None:
        gaps.append("authentication not stated")
    elif not authn.authenticates:
        gaps.append(f"authn: {authn.value}")
    policy = filtered(model, step)
    if policy is None:
        gaps.append("no network policy stated")
    elif not policy:
        gaps.append("network_policy: false")
    return tuple(gaps)


def _violations(
    model: Model, cde: set[str], out_of_scope: set[str]
) -> tuple[SegmentationViolation, ...]:
    """Breadth-first search backwards from the CDE along open steps."""
    steps = build_steps(model)
    toward: dict[str, tuple[Step, tuple[str, ...]]] = {}
    seen: set[str] = set(cde)
    queue: deque[str] = deque(sorted(cde))
    while queue:
        current = queue.popleft()
        for step in steps.steps_in(current):
            if step.source in seen:
                continue
            gaps = _gaps(model, step)
            if not gaps:
                continue
            seen.add(step.source)
            toward[step.source] = (step, gaps)
            queue.append(step.source)
    found: list[SegmentationViolation] = []
    for cid in sorted(out_of_scope & set(toward)):
        hops: list[SegmentationHop] = []
        current = cid
        while current not in cde:
            step, gaps = toward[current]
            hops.append(SegmentationHop(step.flow.id, step.source, step.target, gaps))
            current = step.target
        found.append(SegmentationViolation(cid, current, tuple(hops)))
    return tuple(found)


# --- blast radius (was analysis/blast_radius.py) ------------------------------------------------


def blast_radius(model: Model, origin: str) -> BlastRadius:
    """The blast radius of ``origin`` (a component id; KeyError when it does not exist)."""
    if origin not in model.components:
        raise KeyError(origin)
    steps = build_steps(model)
    distance: dict[str, int] = {origin: 0}
    via: dict[str, str] = {}
    queue: deque[str] = deque([origin])
    while queue:
        current = queue.popleft()
        for step in steps.steps_out(current):
            if step.target not in distance:
                distance[step.target] = distance[current] + 1
                via[step.target] = step.flow.id
                queue.append(step.target)
    del distance[origin]
    graph = model.graph
    reached = tuple(
        Reached(cid, hops, via[cid], zone.id if (zone := graph.zone_of(cid)) else None)
        for cid, hops in sorted(distance.items(), key=lambda item: (item[1], item[0]))
    )
    holders: dict[str, list[str]] = {}
    for cid in (origin, *(r.component for r in reached)):
        for asset in graph.data_of(cid):
            holders.setdefault(asset.id, []).append(cid)
    data = tuple(
        DataExposure(
            asset.id, asset.classification, tuple(asset.categories), tuple(holders[asset.id])
        )
        for asset in sorted(
            (model.data[d] for d in holders), key=lambda a: (-a.classification.rank, a.id)
        )
    )
    return BlastRadius(origin, reached, data)
