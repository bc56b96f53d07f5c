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
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from threatforge.analysis._steps import Step, build_steps, filtered, hop_authn
from threatforge.model import Component, ComponentKind, Model, TrustLevel

__all__ = [
    "ACCOUNT_DATA_CATEGORIES",
    "CDE_CATEGORIES",
    "PciScope",
    "ScopeCategory",
    "ScopedComponent",
    "SegmentationHop",
    "SegmentationViolation",
    "pci_scope",
]

CDE_CATEGORIES = ("pci.pan", "pci.sad")
"""Data categories that make a component part of the CDE."""
ACCOUNT_DATA_CATEGORIES = ("pci.pan", "pci.sad", "pci.cardholder")
"""Data categories shown in the scope table's "PCI data" column."""
CDE_ZONE_PROPERTY = "pci_scope"

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
_ORDER = {c: i for i, c in enumerate(ScopeCategory)}


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
    zone = graph.zone_of(component.id)
    if zone is not None:
        for boundary in graph.zone_chain(zone.id):
            if str(boundary.properties.get(CDE_ZONE_PROPERTY, "")).lower() == "cde":
                reasons.append(f"in zone '{boundary.id}' declared {CDE_ZONE_PROPERTY}: cde")
                break
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
