"""PCI DSS scope: which components are in the cardholder data environment, which are connected
to it or can affect its security, which are out of scope, and where segmentation fails.

The categories follow PCI DSS v4.0 ("Scope of PCI DSS Requirements") and the PCI SSC guidance
for PCI DSS scoping and network segmentation:

- **CDE**: a system of the entity (not a third party) that stores, processes or transmits
  account data (categories ``pci.pan`` or ``pci.sad``; transmitting = sending or receiving a
  flow that carries it), or sits in a zone the model declares the CDE
  (``properties: {pci_scope: cde}``);
- **security-impacting**: identity providers, key management, secrets stores, monitoring, CI
  pipelines and artifact registries with a flow to or from a CDE component;
- **connected-to**: any other component with a flow to or from a CDE component;
- **third-party**: an external service that handles account data or is connected to the CDE
  (a third-party service provider, managed under requirement 12.8);
- **out-of-scope**: the rest, including cardholders and the public (actors and clients in an
  untrusted zone), who are not systems of the entity.

A segmentation violation is an out-of-scope system of the entity from which a path leads into the
CDE along flows that are each *open*: not authenticated, or not filtered by a network policy
(see :func:`threatforge.analysis._steps.filtered`). One authenticated and filtered hop on every
such path restores the segmentation.

The scope is computed once per model and shared (by the rule, the ``scope`` command and the
reports), from a few passes over the components and the flows. The rule needs only the
violations (:func:`pci_segmentation`): those are found without putting the whole table in words.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter

from threatforge.analysis._steps import step_facts, step_table
from threatforge.model import Authn, Boundary, Component, ComponentKind, Flow, Model, TrustLevel
from threatforge.model.vocabulary import KindGroup, kind_group

__all__ = [
    "ACCOUNT_DATA_CATEGORIES",
    "CDE_CATEGORIES",
    "PciScope",
    "PciSegmentation",
    "ScopeCategory",
    "ScopedComponent",
    "SegmentationHop",
    "SegmentationViolation",
    "cde_marked_explicitly",
    "cde_marking",
    "cde_zone_of",
    "declared_cde",
    "pci_scope",
    "pci_segmentation",
]

CDE_CATEGORIES = ("pci.pan", "pci.sad")
"""Data categories that make a component part of the CDE."""
ACCOUNT_DATA_CATEGORIES = ("pci.pan", "pci.sad", "pci.cardholder")
"""Data categories shown in the scope table's "PCI data" column."""
CDE_ZONE_PROPERTY = "pci_scope"


# --- the declared CDE: one definition, shared with the payment rules --------------------------


def cde_marking(zone: Boundary) -> bool | None:
    """True/False when the zone itself says whether it is in the CDE, None when silent.

    ``properties.pci_scope`` (``cde`` is in, any other word out) wins over ``properties.cde``
    (a boolean).
    """
    scope = zone.properties.get(CDE_ZONE_PROPERTY)
    if isinstance(scope, str):
        return scope.lower() == "cde"
    flag = zone.properties.get("cde")
    if isinstance(flag, bool):
        return flag
    return None


def cde_marked_explicitly(model: Model) -> bool:
    """Whether some zone states ``pci_scope`` or ``cde``."""
    return model.graph.memo(
        ("cde-marked",),
        lambda: any(cde_marking(b) is not None for b in model.boundaries.values()),
    )


def cde_zone_of(model: Model, component_id: str) -> Boundary | None:
    """The zone that puts the component in the declared CDE, or None.

    The nearest zone around the component (its own first) that states ``pci_scope`` or ``cde``
    decides; when no zone of the model states either and the system handles PAN or SAD
    (without account data there is no CDE), the nearest ``trust: restricted`` zone is the CDE.
    """
    zone = model.graph.zone_of(component_id)
    if zone is None:
        return None
    chain = model.graph.zone_chain(zone.id)
    if cde_marked_explicitly(model):
        for boundary in chain:
            marking = cde_marking(boundary)
            if marking is not None:
                return boundary if marking else None
        return None
    if not _pci_applies(model):
        return None
    return next((b for b in chain if b.trust is TrustLevel.RESTRICTED), None)


def _pci_applies(model: Model) -> bool:
    """Some component or flow handles PAN or SAD: without account data there is no CDE."""
    def decide() -> bool:
        return any(
            c == p or c.startswith(p + ".")
            for d in model.graph.data_in_use if d in model.data
            for c in model.data[d].categories for p in CDE_CATEGORIES
        )
    return model.graph.memo(("pci-applies",), decide)


def declared_cde(model: Model) -> frozenset[str]:
    """The components in the CDE by their zone (see :func:`cde_zone_of`), once per model.

    The payment rules read it as "in the CDE" (PAN stored elsewhere is stored outside it);
    :func:`pci_scope` puts these components in its CDE, beside every system of the entity that
    stores, processes or transmits PAN or SAD.
    """
    return model.graph.memo(
        ("declared-cde",),
        lambda: frozenset(cid for cid in model.components if cde_zone_of(model, cid) is not None),
    )


_SECURITY_KINDS = kind_group(KindGroup.SECURITY_IMPACTING)
_PEOPLE_KINDS = kind_group(KindGroup.PEOPLE)
_MAX_LISTED = 3


class ScopeCategory(StrEnum):
    """PCI DSS scoping categories, most in scope first."""

    CDE = "cde"
    SECURITY_IMPACTING = "security-impacting"
    CONNECTED_TO = "connected-to"
    THIRD_PARTY = "third-party"
    OUT_OF_SCOPE = "out-of-scope"

    @property
    def in_scope(self) -> bool:
        """Subject to PCI DSS requirements in the entity's own assessment."""
        return self in (
            ScopeCategory.CDE, ScopeCategory.SECURITY_IMPACTING, ScopeCategory.CONNECTED_TO
        )

    @property
    def label(self) -> str:
        """The category as a QSA writes it."""
        return _LABELS[self]


_LABELS = {
    ScopeCategory.CDE: "CDE",
    ScopeCategory.SECURITY_IMPACTING: "Security-impacting",
    ScopeCategory.CONNECTED_TO: "Connected-to",
    ScopeCategory.THIRD_PARTY: "Third-party service provider",
    ScopeCategory.OUT_OF_SCOPE: "Out of scope",
}


@dataclass(frozen=True, slots=True)
class ScopedComponent:
    """One row of the scope table."""

    component: str
    zone: str | None
    category: ScopeCategory
    reasons: tuple[str, ...]
    pci_data: tuple[str, ...]
    """Account data (PAN, SAD, cardholder data) it stores, processes, sends or receives."""

    @property
    def reason(self) -> str:
        """The reasons in one sentence."""
        return "; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class SegmentationHop:
    """One open hop of a path into the CDE, and what leaves it open."""

    flow: str
    source: str
    target: str
    gaps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SegmentationViolation:
    """An out-of-scope component that reaches the CDE along open flows."""

    component: str
    cde_component: str
    """The CDE component at the end of the shortest open path."""
    hops: tuple[SegmentationHop, ...]

    @property
    def flows(self) -> tuple[str, ...]:
        """The flow ids of the path."""
        return tuple(h.flow for h in self.hops)

    def describe(self) -> str:
        """The path as ``a -> b -> c``."""
        return " -> ".join((self.component, *(h.target for h in self.hops)))


@dataclass(frozen=True)
class PciScope:
    """The PCI DSS scope of a model."""

    components: tuple[ScopedComponent, ...]
    """Every component, by category (CDE first), then by id."""
    violations: tuple[SegmentationViolation, ...]
    """Segmentation violations, by component id."""
    account_data: tuple[str, ...]
    """Data assets with a PAN or SAD category."""

    def of(self, category: ScopeCategory) -> tuple[str, ...]:
        """The ids of the components in ``category``."""
        return tuple(c.component for c in self.components if c.category is category)

    def category_of(self, component_id: str) -> ScopeCategory | None:
        """The category of one component (None if it does not exist)."""
        for row in self.components:
            if row.component == component_id:
                return row.category
        return None


@dataclass(frozen=True, slots=True)
class PciSegmentation:
    """Segmentation violations and the account data (see :class:`PciScope`)."""

    violations: tuple[SegmentationViolation, ...]
    account_data: tuple[str, ...]


def pci_scope(model: Model) -> PciScope:
    """Categorise every component of ``model`` and find segmentation violations.

    Computed once per model and shared (the result is immutable).
    """
    return model.graph.memo(("pci-scope",), lambda: _pci_scope(model))


def pci_segmentation(model: Model) -> PciSegmentation:
    """The account data and the segmentation violations of ``model``: ``pci_scope(model)``'s,
    without putting every component's category into words (what the rule needs).

    Computed once per model and shared with :func:`pci_scope`.
    """
    return model.graph.memo(("pci-segmentation",), lambda: _segmentation(model))


def _pci_scope(model: Model) -> PciScope:
    basis = _basis(model)
    near = _Neighbourhood.of(model, basis)
    ranked: dict[frozenset[str], tuple[str, ...]] = {}  # components share a few sets of data
    by_category: dict[ScopeCategory, list[ScopedComponent]] = {c: [] for c in ScopeCategory}
    for number, component in enumerate(model.components.values()):
        pci_data = _pci_data(model, number, component, basis, near, ranked)
        row = _categorise(model, number, component, basis, near, pci_data)
        by_category[row.category].append(row)
    rows: list[ScopedComponent] = []
    for category in ScopeCategory:  # CDE first, then by id
        rows += sorted(by_category[category], key=_COMPONENT)
    segmentation = pci_segmentation(model)
    return PciScope(tuple(rows), segmentation.violations, segmentation.account_data)


_COMPONENT = attrgetter("component")


def _segmentation(model: Model) -> PciSegmentation:
    basis = _basis(model)
    return PciSegmentation(_violations(model, basis), tuple(sorted(basis.cde_data)))


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


@dataclass(frozen=True)
class _Basis:
    """The data categories, the public and the CDE: what every category is decided from
    (computed once per model, in one pass over the components and one over the flows)."""

    cde_data: frozenset[str]
    """Data with a PAN or SAD category."""
    account: frozenset[str]
    """Account data: PAN, SAD and cardholder data."""
    public: frozenset[str]
    """Cardholders and the public (see :func:`_is_public_party`)."""
    cde_zones: Mapping[str, Boundary]
    """Component -> the zone that puts it in the declared CDE (see :func:`cde_zone_of`)."""
    cde: frozenset[str]
    """The CDE: systems of the entity that handle PAN or SAD, or sit in a declared CDE zone."""


def _basis(model: Model) -> _Basis:
    return model.graph.memo(("pci-basis",), lambda: _gather(model))


def _gather(model: Model) -> _Basis:
    data = model.data
    cde_data = frozenset(
        d for d, asset in data.items() if any(c in CDE_CATEGORIES for c in asset.categories)
    )
    account = frozenset(
        d for d, asset in data.items()
        if any(c in ACCOUNT_DATA_CATEGORIES for c in asset.categories)
    )
    components = model.components
    public = frozenset(
        cid for cid, c in components.items()
        if c.kind in _PEOPLE_KINDS and _is_public_party(model, c)
    )
    carriers: set[str] = set()  # ends of flows that carry PAN or SAD
    if cde_data:
        for flow in model.flows:
            if not cde_data.isdisjoint(flow.data):
                carriers.add(flow.source)
                carriers.add(flow.target)
    cde_zones = {
        cid: zone for cid in declared_cde(model) if (zone := cde_zone_of(model, cid)) is not None
    }
    external = ComponentKind.EXTERNAL_SERVICE
    cde = frozenset(
        cid
        for cid, c in components.items()
        if cid not in public
        and c.kind is not external
        and (
            cid in carriers
            or not cde_data.isdisjoint(c.stores)
            or not cde_data.isdisjoint(c.processes)
            or cid in cde_zones
        )
    )
    return _Basis(cde_data, account, public, cde_zones, cde)


@dataclass(frozen=True)
class _Neighbourhood:
    """What each component's flows carry and reach, for the scope table (one pass over the
    flows), by component number (see :class:`~threatforge.analysis._steps.StepTable`)."""

    names: tuple[str, ...]
    cde_flows: Mapping[int, list[Flow]]
    """Flows in or out (a flow to itself twice) that carry PAN or SAD."""
    account_near: Mapping[int, set[str]]
    """Account data on the flows in or out."""
    cde_peers: Mapping[int, set[int]]
    """The CDE components each component has a flow to or from."""

    @classmethod
    def of(cls, model: Model, basis: _Basis) -> _Neighbourhood:
        cde_data, account = basis.cde_data, basis.account
        table = step_table(model)
        in_cde = [cid in basis.cde for cid in table.components]
        cde_flows: defaultdict[int, list[Flow]] = defaultdict(list)
        account_near: defaultdict[int, set[str]] = defaultdict(set)
        cde_peers: defaultdict[int, set[int]] = defaultdict(set)
        for source, target, pulled, flow in zip(
            table.source, table.target, table.pulled, table.flow, strict=True
        ):
            if pulled:
                continue  # the second step of a flow: its ends are those of the first
            if in_cde[target]:
                cde_peers[source].add(target)
            if in_cde[source]:
                cde_peers[target].add(source)
            if account.isdisjoint(flow.data):
                continue  # PAN and SAD are account data
            carried = [d for d in flow.data if d in account]
            account_near[source].update(carried)
            account_near[target].update(carried)
            if not cde_data.isdisjoint(carried):
                cde_flows[source].append(flow)
                cde_flows[target].append(flow)
        return cls(table.components, cde_flows, account_near, cde_peers)


def _category(
    component: Component, basis: _Basis, has_cde_peer: bool, has_account_data: bool
) -> ScopeCategory:
    """The category of a component, given whether it has a flow to or from the CDE and
    whether it handles account data (stores, processes, sends or receives it)."""
    cid = component.id
    if cid in basis.public:
        return ScopeCategory.OUT_OF_SCOPE
    if cid in basis.cde:
        return ScopeCategory.CDE
    if component.kind is ComponentKind.EXTERNAL_SERVICE and (has_cde_peer or has_account_data):
        return ScopeCategory.THIRD_PARTY
    if has_cde_peer:
        if component.kind in _SECURITY_KINDS:
            return ScopeCategory.SECURITY_IMPACTING
        return ScopeCategory.CONNECTED_TO
    return ScopeCategory.OUT_OF_SCOPE


def _cde_reasons(
    model: Model, number: int, component: Component, basis: _Basis, near: _Neighbourhood
) -> tuple[str, ...]:
    reasons: list[str] = []
    cde_data = basis.cde_data
    for verb, ids in (("stores", component.stores), ("processes", component.processes)):
        held = [d for d in ids if d in cde_data]
        if held:
            reasons.append(f"{verb} {', '.join(held)}")
    carried = near.cde_flows.get(number)
    if carried:
        data = sorted({d for f in carried for d in f.data if d in cde_data})
        reasons.append(
            f"transmits {', '.join(data)} on {_listed(sorted(f.id for f in carried))}"
        )
    zone = basis.cde_zones.get(component.id)
    if zone is not None:
        reasons.append(_zone_reason(zone))
    return tuple(reasons)


def _zone_reason(zone: Boundary) -> str:
    """Why a zone is the CDE, as the model says it."""
    scope = zone.properties.get(CDE_ZONE_PROPERTY)
    if isinstance(scope, str):
        return f"in zone '{zone.id}' declared {CDE_ZONE_PROPERTY}: cde"
    if zone.properties.get("cde") is True:
        return f"in zone '{zone.id}' declared cde: true"
    return f"in zone '{zone.id}' (trust: restricted; no zone of the model is marked as the CDE)"


def _pci_data(
    model: Model,
    number: int,
    component: Component,
    basis: _Basis,
    near: _Neighbourhood,
    ranked: dict[frozenset[str], tuple[str, ...]],
) -> tuple[str, ...]:
    """Account data the component stores, processes, sends or receives, most sensitive first
    (the order of ``model.graph.data_of``); ``ranked`` remembers the order of each set."""
    account = basis.account
    held = frozenset(near.account_near.get(number, ())).union(
        d for d in (*component.stores, *component.processes) if d in account
    )
    if not held:
        return ()
    order = ranked.get(held)
    if order is None:
        data = model.data
        order = ranked[held] = tuple(sorted(held, key=lambda d: (-data[d].classification.rank, d)))
    return order


def _categorise(
    model: Model,
    number: int,
    component: Component,
    basis: _Basis,
    near: _Neighbourhood,
    pci_data: tuple[str, ...],
) -> ScopedComponent:
    cid = component.id
    zone = component.zone
    peers = near.cde_peers.get(number, ())
    category = _category(component, basis, bool(peers), bool(pci_data))
    if cid in basis.public:
        return ScopedComponent(
            cid, zone, category,
            ("cardholder or member of the public, not a system of the entity",), pci_data,
        )
    if category is ScopeCategory.CDE:
        reasons = _cde_reasons(model, number, component, basis, near)
        return ScopedComponent(cid, zone, category, reasons, pci_data)
    if category is ScopeCategory.OUT_OF_SCOPE:
        return ScopedComponent(
            cid, zone, category, ("no account data and no flow to or from the CDE",), pci_data
        )
    cde_peers = sorted(near.names[p] for p in peers)
    connected = f"flows to or from CDE component{'s' if len(cde_peers) > 1 else ''} " + _listed(
        cde_peers
    )
    if category is ScopeCategory.THIRD_PARTY:
        third = ["third party"]
        if pci_data:
            third.append(f"handles {', '.join(pci_data)}")
        if cde_peers:
            third.append(connected)
        return ScopedComponent(cid, zone, category, tuple(third), pci_data)
    if category is ScopeCategory.SECURITY_IMPACTING:
        return ScopedComponent(
            cid, zone, category, (f"{component.kind.value} serving the CDE", connected), pci_data
        )
    return ScopedComponent(cid, zone, category, (connected,), pci_data)


def _gaps(authn: Authn | None, policy: bool | None) -> tuple[str, ...]:
    """What leaves a step open (empty when it is authenticated and filtered)."""
    gaps: list[str] = []
    if authn is None:
        gaps.append("authentication not stated")
    elif not authn.authenticates:
        gaps.append(f"authn: {authn.value}")
    if policy is None:
        gaps.append("no network policy stated")
    elif not policy:
        gaps.append("network_policy: false")
    return tuple(gaps)


def _violations(model: Model, basis: _Basis) -> tuple[SegmentationViolation, ...]:
    """Breadth-first search backwards from the CDE along open steps; the out-of-scope
    components it reaches are the violations."""
    table = step_table(model)
    facts = step_facts(model)
    names, number, sources, targets = table.components, table.number, table.source, table.target
    authns, policies = facts.authn, facts.filtered
    toward: dict[int, int] = {}  # component -> the open step it takes toward the CDE
    in_cde = [False] * len(names)
    starts = sorted(basis.cde)
    for cid in starts:
        in_cde[number[cid]] = True
    seen = list(in_cde)
    queue: deque[int] = deque(number[cid] for cid in starts)
    while queue:
        for step in table.into[queue.popleft()]:
            source = sources[step]
            if seen[source]:
                continue
            authn = authns[step]
            if policies[step] and authn is not None and authn.authenticates:
                continue  # authenticated and filtered (no _gaps): this hop holds
            seen[source] = True
            toward[source] = step
            queue.append(source)
    found: list[SegmentationViolation] = []
    for cid in sorted(names[c] for c in toward):
        current = number[cid]
        if not _out_of_scope(model, basis, current, in_cde):
            continue
        hops: list[SegmentationHop] = []
        while not in_cde[current]:
            step = toward[current]
            hops.append(SegmentationHop(
                table.flow[step].id, names[sources[step]], names[targets[step]],
                _gaps(authns[step], policies[step]),
            ))
            current = targets[step]
        found.append(SegmentationViolation(cid, names[current], tuple(hops)))
    return tuple(found)


def _out_of_scope(model: Model, basis: _Basis, number: int, in_cde: list[bool]) -> bool:
    """Whether a component is out of scope and not a cardholder or the public (its category
    decided from its own flows, as the scope table decides it from all of them)."""
    table = step_table(model)
    cid = table.components[number]
    if cid in basis.public or cid in basis.cde:
        return False
    # a pulled flow's step runs the other way: the peers along steps are those along flows
    has_cde_peer = any(in_cde[table.target[s]] for s in table.out[number]) or any(
        in_cde[table.source[s]] for s in table.into[number]
    )
    component = model.components[cid]
    # only a third party's category depends on the account data it handles
    has_account_data = component.kind is ComponentKind.EXTERNAL_SERVICE and (
        not basis.account.isdisjoint(component.stores)
        or not basis.account.isdisjoint(component.processes)
        or any(
            not basis.account.isdisjoint(table.flow[s].data)
            for s in (*table.out[number], *table.into[number])
        )
    )
    category = _category(component, basis, has_cde_peer, has_account_data)
    return category is ScopeCategory.OUT_OF_SCOPE
