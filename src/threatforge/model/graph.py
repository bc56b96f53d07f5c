"""Graph queries over a model: the questions rules and analyses ask, answered from indexes.

Everything is computed once per model (lazily) and in time linear in the model's size, so a rule
that asks "which flows enter this component?" never scans the whole model.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from threatforge.model.schema import (
    Boundary,
    Classification,
    Component,
    ComponentKind,
    DataAsset,
    Exposure,
    Flow,
    TrustLevel,
)

if TYPE_CHECKING:
    from threatforge.model._model import Model

__all__ = ["Crossing", "ModelGraph", "Reach"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Crossing:
    """A flow that leaves one zone for another."""

    flow: Flow
    source_zone: Boundary | None
    target_zone: Boundary | None
    source_trust: TrustLevel | None
    target_trust: TrustLevel | None
    boundaries: tuple[str, ...]
    """The ids of every boundary the flow leaves or enters (innermost first)."""

    @property
    def inbound(self) -> bool:
        """From a less trusted zone into a more trusted one (unknown trust counts as untrusted)."""
        src = self.source_trust.rank if self.source_trust else 0
        dst = self.target_trust.rank if self.target_trust else 0
        return dst > src

    def describe(self) -> str:
        def name(zone: Boundary | None, trust: TrustLevel | None) -> str:
            if zone is None:
                return "no zone"
            return f"{zone.id} ({trust.value if trust else 'unknown trust'})"

        return (
            f"{name(self.source_zone, self.source_trust)} -> "
            f"{name(self.target_zone, self.target_trust)}"
        )


@dataclass(frozen=True, slots=True)
class Reach:
    """How an attacker in an untrusted place can reach a component along flows."""

    hops: int | None
    """Fewest flows from an entry point; 0 for an entry point; None when unreachable."""
    unauthenticated_hops: int | None
    """Fewest flows from an entry point when only flows with no authentication are used."""
    entry: str | None
    """The entry point of a shortest path (the smallest id among equals)."""

    @property
    def reachable(self) -> bool:
        return self.hops is not None


class ModelGraph:
    """Indexes over one model. Build it with ``model.graph``."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._memo: dict[Hashable, Any] = {}
        self._data_of: dict[str, tuple[DataAsset, ...]] = {}
        self._flow_data: dict[str, tuple[DataAsset, ...]] = {}
        outgoing: dict[str, list[Flow]] = {cid: [] for cid in model.components}
        incoming: dict[str, list[Flow]] = {cid: [] for cid in model.components}
        for flow in model.flows:
            outgoing[flow.source].append(flow)
            incoming[flow.target].append(flow)
        self._out: Mapping[str, list[Flow]] = outgoing
        self._in: Mapping[str, list[Flow]] = incoming

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """A fact derived from the whole model, computed once per model and shared by rules.

        Rules that need a model-wide index (e.g. which zones form the CDE) use this instead of
        scanning the model for every element they look at.
        """
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    # --- flows ---------------------------------------------------------------------------

    def flows_out(self, component_id: str) -> list[Flow]:
        """Flows whose source is this component."""
        return self._out.get(component_id, [])

    def flows_in(self, component_id: str) -> list[Flow]:
        """Flows whose target is this component."""
        return self._in.get(component_id, [])

    def peers(self, component_id: str) -> set[str]:
        """Components this one exchanges data with, either way."""
        return {f.target for f in self.flows_out(component_id)} | {
            f.source for f in self.flows_in(component_id)
        }

    # --- zones ---------------------------------------------------------------------------

    @cached_property
    def _zone_chains(self) -> Mapping[str, tuple[Boundary, ...]]:
        chains: dict[str, tuple[Boundary, ...]] = {}
        boundaries = self.model.boundaries
        for bid in boundaries:
            chain: list[Boundary] = []
            seen: set[str] = set()
            current: str | None = bid
            while current is not None and current not in seen and current in boundaries:
                seen.add(current)
                zone = boundaries[current]
                chain.append(zone)
                current = zone.inside
            chains[bid] = tuple(chain)
        return chains

    def zone_chain(self, boundary_id: str) -> tuple[Boundary, ...]:
        """The boundary and every boundary it sits inside, innermost first."""
        return self._zone_chains.get(boundary_id, ())

    @cached_property
    def zone_children(self) -> Mapping[str, tuple[str, ...]]:
        """Boundary id -> ids of the boundaries directly inside it."""
        children: dict[str, list[str]] = {bid: [] for bid in self.model.boundaries}
        for boundary in self.model.boundaries.values():
            if boundary.inside in children:
                children[boundary.inside].append(boundary.id)
        return {k: tuple(v) for k, v in children.items()}

    def zone_of(self, component_id: str) -> Boundary | None:
        """The boundary the component is placed in (None without a zone)."""
        return self._zones.get(component_id)

    @cached_property
    def _zones(self) -> Mapping[str, Boundary]:
        boundaries = self.model.boundaries
        return {
            cid: boundaries[c.zone]
            for cid, c in self.model.components.items()
            if c.zone is not None and c.zone in boundaries
        }

    def trust_of(self, component_id: str) -> TrustLevel | None:
        """The trust level of the component's zone; None when it has no zone."""
        zone = self.zone_of(component_id)
        return zone.trust if zone else None

    def region_of(self, component_id: str) -> str | None:
        """The region of the component's zone or of the nearest enclosing zone that has one."""
        zone = self.zone_of(component_id)
        if zone is None:
            return None
        for boundary in self.zone_chain(zone.id):
            if boundary.region:
                return boundary.region
        return None

    def in_zone(self, component_id: str, boundary_id: str) -> bool:
        """Whether the component sits in this boundary or anywhere inside it."""
        zone = self.zone_of(component_id)
        return zone is not None and any(b.id == boundary_id for b in self.zone_chain(zone.id))

    def crossing(self, flow: Flow) -> Crossing | None:
        """How the flow crosses trust boundaries, or None when both ends share a zone."""
        return self._crossings.get(flow.id)

    @cached_property
    def _crossings(self) -> Mapping[str, Crossing]:
        found: dict[str, Crossing] = {}
        for flow in self.model.flows:
            source_zone = self.zone_of(flow.source)
            target_zone = self.zone_of(flow.target)
            if source_zone is target_zone:
                continue
            source_chain = [b.id for b in self.zone_chain(source_zone.id)] if source_zone else []
            target_chain = [b.id for b in self.zone_chain(target_zone.id)] if target_zone else []
            shared = set(source_chain) & set(target_chain)
            crossed = tuple(
                [b for b in source_chain if b not in shared]
                + [b for b in target_chain if b not in shared]
            )
            found[flow.id] = Crossing(
                flow,
                source_zone,
                target_zone,
                source_zone.trust if source_zone else None,
                target_zone.trust if target_zone else None,
                crossed,
            )
        return found

    # --- exposure and reachability -----------------------------------------------------

    def is_entry_point(self, component_id: str) -> bool:
        """Where an outside attacker starts: an untrusted zone or a public interface."""
        component = self.model.components[component_id]
        if component.exposure is Exposure.PUBLIC:
            return True
        trust = self.trust_of(component_id)
        return trust is TrustLevel.UNTRUSTED

    @cached_property
    def entry_points(self) -> tuple[str, ...]:
        """Entry points in id order."""
        return tuple(sorted(cid for cid in self.model.components if self.is_entry_point(cid)))

    @cached_property
    def _reach(self) -> Mapping[str, Reach]:
        hops, entries = self._bfs(self.entry_points, lambda flow: True)
        open_hops, _ = self._bfs(self.entry_points, _unauthenticated)
        return {
            cid: Reach(hops.get(cid), open_hops.get(cid), entries.get(cid))
            for cid in self.model.components
        }

    def reach(self, component_id: str) -> Reach:
        """Fewest hops from an entry point to the component, with and without authentication."""
        return self._reach.get(component_id, Reach(None, None, None))

    def _bfs(
        self, sources: Iterable[str], usable: _FlowFilter
    ) -> tuple[dict[str, int], dict[str, str]]:
        distance: dict[str, int] = {}
        entry: dict[str, str] = {}
        queue: deque[str] = deque()
        for source in sources:
            distance[source] = 0
            entry[source] = source
            queue.append(source)
        while queue:
            current = queue.popleft()
            for flow in self._out.get(current, ()):
                if flow.target not in distance and usable(flow):
                    distance[flow.target] = distance[current] + 1
                    entry[flow.target] = entry[current]
                    queue.append(flow.target)
        return distance, entry

    def reachable_from(self, component_id: str) -> set[str]:
        """Every component reachable along flows from this one (not including itself)."""
        distance, _ = self._bfs([component_id], lambda flow: True)
        distance.pop(component_id, None)
        return set(distance)

    # --- data --------------------------------------------------------------------------

    def data_of(self, component_id: str) -> list[DataAsset]:
        """Data the component stores, processes, sends or receives, most sensitive first."""
        cached = self._data_of.get(component_id)
        if cached is None:
            component = self.model.components[component_id]
            ids = dict.fromkeys(component.data_ids)
            for flow in (*self.flows_out(component_id), *self.flows_in(component_id)):
                ids.update(dict.fromkeys(flow.data))
            cached = self._data_of[component_id] = self._ranked(ids)
        return list(cached)

    def flow_data(self, flow: Flow) -> list[DataAsset]:
        """Data the flow carries, most sensitive first."""
        cached = self._flow_data.get(flow.id)
        if cached is None:
            cached = self._flow_data[flow.id] = self._ranked(flow.data)
        return list(cached)

    def _ranked(self, ids: Iterable[str]) -> tuple[DataAsset, ...]:
        assets = [self.model.data[d] for d in ids if d in self.model.data]
        return tuple(sorted(assets, key=lambda a: (-a.classification.rank, a.id)))

    def max_classification(self, assets: Iterable[DataAsset]) -> Classification | None:
        ranked = [a.classification for a in assets]
        return max(ranked, key=lambda c: c.rank) if ranked else None

    def has_category(self, assets: Iterable[DataAsset], prefix: str) -> list[DataAsset]:
        """The assets with a category equal to ``prefix`` or below it (``pci`` -> ``pci.pan``)."""
        return [
            a
            for a in assets
            if any(c == prefix or c.startswith(prefix + ".") for c in a.categories)
        ]

    def components_of_kind(self, *kinds: ComponentKind) -> list[Component]:
        """Components of these kinds, in model order."""
        wanted = set(kinds)
        return [c for c in self.model.components.values() if c.kind in wanted]


def _unauthenticated(flow: Flow) -> bool:
    authn = flow.effective_authn
    return authn is None or not authn.authenticates


_FlowFilter = Callable[[Flow], bool]
