"""Graph queries over a model: the questions rules and analyses ask, answered from indexes.

Everything is computed once per model (lazily) and in time linear in the model's size, so a rule
that asks "which flows enter this component?" never scans the whole model.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
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
from threatforge.model.vocabulary import KindGroup, kind_group

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
        self._ranked_sets: dict[int, tuple[DataAsset, ...]] = {}
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

    def flows_stating(self, key: str) -> Sequence[Flow]:
        """Flows whose ``properties:`` state this key (any value), in model order."""
        return self._flow_properties.get(key, ())

    def components_stating(self, key: str) -> Sequence[str]:
        """Ids of the components whose ``properties:`` state this key (any value)."""
        return self._component_properties.get(key, ())

    def flows_using(self, protocol: str) -> Sequence[Flow]:
        """Flows whose ``protocol`` is this one, in model order."""
        return self._protocols.get(protocol, ())

    @cached_property
    def _flow_properties(self) -> Mapping[str, list[Flow]]:
        index: dict[str, list[Flow]] = {}
        for flow in self.model.flows:
            for key in flow.properties:
                index.setdefault(key, []).append(flow)
        return index

    @cached_property
    def _component_properties(self) -> Mapping[str, list[str]]:
        index: dict[str, list[str]] = {}
        for cid, component in self.model.components.items():
            for key in component.properties:
                index.setdefault(key, []).append(cid)
        return index

    @cached_property
    def _protocols(self) -> Mapping[str | None, list[Flow]]:
        index: dict[str | None, list[Flow]] = {}
        for flow in self.model.flows:
            index.setdefault(flow.protocol, []).append(flow)
        return index

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
        return self._zone_regions[zone.id]

    @cached_property
    def _zone_regions(self) -> Mapping[str, str | None]:
        return {
            bid: next((b.region for b in chain if b.region), None)
            for bid, chain in self._zone_chains.items()
        }

    def in_zone(self, component_id: str, boundary_id: str) -> bool:
        """Whether the component sits in this boundary or anywhere inside it."""
        zone = self.zone_of(component_id)
        return zone is not None and any(b.id == boundary_id for b in self.zone_chain(zone.id))

    def crossing(self, flow: Flow) -> Crossing | None:
        """How the flow crosses trust boundaries, or None when both ends share a zone."""
        found = self._crossing_made.get(flow.id)
        if found is None:
            positions, pairs = self._crossing_index
            pair = pairs.get(flow.id)
            if pair is None:
                return None
            found = self._crossing_made[flow.id] = Crossing(
                self.model.flows[positions[flow.id]], *pair
            )
        return found

    def crosses(self, flow: Flow) -> bool:
        """Whether the flow leaves one zone for another (``crossing(flow)`` is not None)."""
        return flow.id in self._crossing_index[1]

    def enters_more_trusted_zone(self, flow: Flow) -> bool:
        """Whether the flow crosses into a more trusted zone (its crossing is ``inbound``)."""
        return flow.id in self.inbound_flow_ids

    @property
    def crossing_flow_ids(self) -> Collection[str]:
        """The ids of the flows that leave one zone for another."""
        return self._crossing_index[1].keys()

    @cached_property
    def inbound_flow_ids(self) -> frozenset[str]:
        """The ids of the flows that cross into a more trusted zone."""
        inbound: dict[int, bool] = {}
        found: list[str] = []
        for fid, pair in self._crossing_index[1].items():
            into = inbound.get(id(pair))
            if into is None:
                into = inbound[id(pair)] = _inbound(pair)
            if into:
                found.append(fid)
        return frozenset(found)

    @cached_property
    def _crossing_made(self) -> dict[str, Crossing]:
        return {}

    @cached_property
    def _crossing_index(self) -> tuple[Mapping[str, int], Mapping[str, _ZonePair]]:
        """For the flows whose ends are in different zones: flow id -> position in the model,
        and flow id -> what lies between the two zones (one shared tuple per pair of zones).

        A :class:`Crossing` is made from them when asked for, so no object is built per flow.
        """
        positions: dict[str, int] = {}
        pairs_of: dict[str, _ZonePair] = {}
        zones = self._zones
        pairs: dict[tuple[str | None, str | None], _ZonePair] = {}
        for position, flow in enumerate(self.model.flows):
            source_zone = zones.get(flow.source)
            target_zone = zones.get(flow.target)
            if source_zone is target_zone:
                continue
            key = (
                source_zone.id if source_zone else None,
                target_zone.id if target_zone else None,
            )
            pair = pairs.get(key)
            if pair is None:
                pair = pairs[key] = (
                    source_zone,
                    target_zone,
                    source_zone.trust if source_zone else None,
                    target_zone.trust if target_zone else None,
                    self._crossed(source_zone, target_zone),
                )
            positions[flow.id] = position
            pairs_of[flow.id] = pair
        return positions, pairs_of

    def _crossed(
        self, source_zone: Boundary | None, target_zone: Boundary | None
    ) -> tuple[str, ...]:
        """The boundaries left or entered between two zones (innermost first)."""
        source_chain = [b.id for b in self.zone_chain(source_zone.id)] if source_zone else []
        target_chain = [b.id for b in self.zone_chain(target_zone.id)] if target_zone else []
        shared = set(source_chain) & set(target_chain)
        return tuple(
            [b for b in source_chain if b not in shared]
            + [b for b in target_chain if b not in shared]
        )

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

    def owned_side(self, element_id: str) -> str | None:
        """Where a finding on ``element_id`` sits for the team: the element itself when it is
        one of the team's components or a flow (the interaction); for a component the team
        does not own (:attr:`Component.ours`), the first of its own components it has a flow
        with (flows out first, in model order); None when there is none."""
        component = self.model.components.get(element_id)
        if component is None or component.ours:
            return element_id
        components = self.model.components
        for flow in (*self._out.get(element_id, ()), *self._in.get(element_id, ())):
            other = flow.target if flow.source == element_id else flow.source
            if components[other].ours:
                return str(other)
        return None

    @cached_property
    def insiders(self) -> tuple[str, ...]:
        """Staff: people (actors, clients) in a zone that is not untrusted, in id order.

        They are not entry points (an outside attacker does not start there), but a malicious
        or compromised staff account does: attack paths also start from them, and a component
        only they reach is reachable by insiders, not unreachable. People without a zone are
        not counted: nothing says where they are.
        """
        people = kind_group(KindGroup.PEOPLE)
        return tuple(sorted(
            cid for cid, c in self.model.components.items()
            if c.kind in people and self.zone_of(cid) is not None
            and not self.is_entry_point(cid)
        ))

    def insider_reach(self, component_id: str) -> Reach:
        """Fewest hops from an insider (see :attr:`insiders`) to the component."""
        return self._insider_reach.get(component_id, Reach(None, None, None))

    @cached_property
    def _insider_reach(self) -> Mapping[str, Reach]:
        hops, entries = self._bfs(self.insiders, None)
        open_hops, _ = self._bfs(self.insiders, _unauthenticated)
        return {cid: Reach(hops[cid], open_hops.get(cid), entries[cid]) for cid in hops}

    @cached_property
    def _reach(self) -> Mapping[str, Reach]:
        hops, entries = self._bfs(self.entry_points, None)
        open_hops, _ = self._bfs(self.entry_points, _unauthenticated)
        unreachable = Reach(None, None, None)
        return {
            cid: Reach(hops[cid], open_hops.get(cid), entries[cid]) if cid in hops
            else unreachable
            for cid in self.model.components
        }

    def reach(self, component_id: str) -> Reach:
        """Fewest hops from an entry point to the component, with and without authentication."""
        return self._reach.get(component_id, Reach(None, None, None))

    def _bfs(
        self, sources: Iterable[str], usable: _FlowFilter | None
    ) -> tuple[dict[str, int], dict[str, str]]:
        """Breadth first along flows (those ``usable`` accepts; every flow when None)."""
        distance: dict[str, int] = {}
        entry: dict[str, str] = {}
        queue: deque[str] = deque()
        for source in sources:
            distance[source] = 0
            entry[source] = source
            queue.append(source)
        outgoing = self._out
        while queue:
            current = queue.popleft()
            step = distance[current] + 1
            start = entry[current]
            for flow in outgoing.get(current, ()):
                target = flow.target
                if target not in distance and (usable is None or usable(flow)):
                    distance[target] = step
                    entry[target] = start
                    queue.append(target)
        return distance, entry
    def reachable_from(self, component_id: str) -> set[str]:
        """Every component reachable along flows from this one (not including itself)."""
        distance, _ = self._bfs([component_id], None)
        distance.pop(component_id, None)
        return set(distance)

    # --- data --------------------------------------------------------------------------

    def data_of(self, component_id: str) -> list[DataAsset]:
        """Data the component stores, processes, sends or receives, most sensitive first."""
        return list(self.assets_of(component_id))

    def flow_data(self, flow: Flow) -> list[DataAsset]:
        """Data the flow carries, most sensitive first."""
        return list(self.assets_on(flow))

    def assets_of(self, component_id: str) -> tuple[DataAsset, ...]:
        """:meth:`data_of` as a shared tuple (no copy): for rules that ask of every component."""
        return self._unpacked(self._component_masks[component_id])

    def assets_on(self, flow: Flow) -> tuple[DataAsset, ...]:
        """:meth:`flow_data` as a shared tuple (no copy): for rules that ask of every flow."""
        mask = self._flow_masks.get(flow.id)
        return self._unpacked(self._mask(flow.data) if mask is None else mask)

    def data_into(self, component_id: str) -> tuple[DataAsset, ...]:
        """Data the flows into the component carry, most sensitive first (a shared tuple)."""
        carried = self._flow_masks
        mask = 0
        for flow in self.flows_in(component_id):
            mask |= carried[flow.id]
        return self._unpacked(mask)

    def flows_carrying(self, wanted: Callable[[DataAsset], bool]) -> frozenset[str]:
        """The ids of the flows that carry a data asset for which ``wanted`` is true."""
        bits = self._bits_of(wanted)
        return self.memo(("flows-carrying", bits), lambda: _ids_with(self._flows_by_mask, bits))

    def components_holding(self, wanted: Callable[[DataAsset], bool]) -> frozenset[str]:
        """The ids of the components whose :meth:`data_of` has an asset ``wanted`` is true of."""
        bits = self._bits_of(wanted)
        return self.memo(
            ("components-holding", bits), lambda: _ids_with(self._components_by_mask, bits)
        )

    def components_storing(self, wanted: Callable[[DataAsset], bool]) -> frozenset[str]:
        """The ids of the components that ``stores`` a data asset ``wanted`` is true of."""
        bits = self._bits_of(wanted)
        return self.memo(
            ("components-storing", bits), lambda: _ids_with(self._stores_by_mask, bits)
        )

    @cached_property
    def data_in_use(self) -> frozenset[str]:
        """The ids of the data assets some component stores or processes or some flow carries."""
        used = 0
        for mask in self._component_masks.values():
            used |= mask
        for mask in self._carried:
            used |= mask
        return frozenset(key for key, bit in self._bit.items() if used & bit)

    # A set of data assets is an int: bit i is the i-th asset, most sensitive first (then by
    # id), so a set is gathered with | and read back already ranked, and "holds one of these"
    # is a single &. The few distinct sets are unpacked into shared tuples once.

    @cached_property
    def _bit(self) -> Mapping[str, int]:
        """Data asset id -> its bit, in ranked order (most sensitive first, then by id)."""
        ranked = sorted(
            self.model.data.items(), key=lambda item: (-item[1].classification.rank, item[1].id)
        )
        return {key: 1 << index for index, (key, _) in enumerate(ranked)}

    def _mask(self, ids: Iterable[str]) -> int:
        bit = self._bit
        mask = 0
        for key in ids:
            mask |= bit.get(key, 0)
        return mask

    def _bits_of(self, wanted: Callable[[DataAsset], bool]) -> int:
        data = self.model.data
        return self._mask(key for key in self._bit if wanted(data[key]))

    def _unpacked(self, mask: int) -> tuple[DataAsset, ...]:
        found = self._ranked_sets.get(mask)
        if found is None:
            assets = self._ranked_assets
            found = self._ranked_sets[mask] = tuple(
                asset for index, asset in enumerate(assets) if mask >> index & 1
            )
        return found

    @cached_property
    def _ranked_assets(self) -> tuple[DataAsset, ...]:
        data = self.model.data
        return tuple(data[key] for key in self._bit)

    @cached_property
    def _carried(self) -> list[int]:
        """The data each flow carries, in model order."""
        mask = self._mask
        return [mask(flow.data) if flow.data else 0 for flow in self.model.flows]

    @cached_property
    def _flow_masks(self) -> Mapping[str, int]:
        """Flow id -> the data it carries."""
        flows = self.model.flows
        return {flow.id: carried for flow, carried in zip(flows, self._carried, strict=True)}

    # The same few sets of data recur: "which hold one of these" is decided once per distinct
    # set, not once per element, and once per distinct question (the bits asked about).

    @cached_property
    def _flows_by_mask(self) -> Mapping[int, list[str]]:
        """The data a flow carries -> the ids of the flows that carry exactly that."""
        return _by_mask(self._flow_masks)

    @cached_property
    def _components_by_mask(self) -> Mapping[int, list[str]]:
        """:attr:`_component_masks` grouped: the data -> the ids of the components holding it."""
        return _by_mask(self._component_masks)

    @cached_property
    def _stores_by_mask(self) -> Mapping[int, list[str]]:
        """:attr:`_stored_masks` grouped: the data -> the ids of the components storing it."""
        return _by_mask(self._stored_masks)

    @cached_property
    def _stored_masks(self) -> Mapping[str, int]:
        """Component id -> the data it stores."""
        mask = self._mask
        return {cid: mask(c.stores) for cid, c in self.model.components.items() if c.stores}

    @cached_property
    def _component_masks(self) -> Mapping[str, int]:
        """Component id -> the data it stores, processes, sends or receives."""
        mask = self._mask
        held = {
            cid: mask(c.stores) | mask(c.processes) for cid, c in self.model.components.items()
        }
        for flow, carried in zip(self.model.flows, self._carried, strict=True):
            if carried:
                if flow.source in held:
                    held[flow.source] |= carried
                if flow.target in held:
                    held[flow.target] |= carried
        return held

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


_ZonePair = tuple[
    Boundary | None, Boundary | None, TrustLevel | None, TrustLevel | None, tuple[str, ...]
]
"""A crossing's fields but the flow: (source zone, target zone, their trusts, boundaries)."""


def _inbound(pair: _ZonePair) -> bool:
    """As :attr:`Crossing.inbound`: from a less trusted zone into a more trusted one."""
    source_trust, target_trust = pair[2], pair[3]
    return (target_trust.rank if target_trust else 0) > (source_trust.rank if source_trust else 0)


def _by_mask(masks: Mapping[str, int]) -> dict[int, list[str]]:
    """Ids grouped by their set of data (an int, see :attr:`ModelGraph._bit`)."""
    groups: dict[int, list[str]] = {}
    for key, mask in masks.items():
        group = groups.get(mask)
        if group is None:
            groups[mask] = [key]
        else:
            group.append(key)
    return groups


def _ids_with(groups: Mapping[int, list[str]], bits: int) -> frozenset[str]:
    """The ids of the groups whose data shares a bit with ``bits``."""
    return frozenset(
        itertools.chain.from_iterable(ids for mask, ids in groups.items() if mask & bits)
    )


def _unauthenticated(flow: Flow) -> bool:
    authn = flow.effective_authn
    return authn is None or not authn.authenticates


_FlowFilter = Callable[[Flow], bool]
