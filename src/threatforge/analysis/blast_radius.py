"""Blast radius: what an attacker holding one component can reach next, and the data there.

Reachability follows the flows out of the component (as ``model.graph.reachable_from`` does) and
also the flows it pulls (``initiated_by: target``): whoever opens a connection can act on the
other end. A breadth-first search, linear in the size of the model.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from threatforge.analysis._steps import step_table
from threatforge.model import Classification, Model

__all__ = ["BlastRadius", "DataExposure", "Reached", "blast_radius"]


@dataclass(frozen=True, slots=True)
class Reached:
    """A component the attacker reaches, how far away, and along which flow it arrived first."""

    component: str
    hops: int
    via: str
    """The flow of the last hop of one shortest path."""
    zone: str | None


@dataclass(frozen=True, slots=True)
class DataExposure:
    """A data asset in reach, and the reached components (or the origin) that handle it."""

    data: str
    classification: Classification
    categories: tuple[str, ...]
    held_by: tuple[str, ...]


@dataclass(frozen=True)
class BlastRadius:
    """What compromising ``origin`` puts at risk."""

    origin: str
    reached: tuple[Reached, ...]
    """Reachable components, nearest first (then by id)."""
    data: tuple[DataExposure, ...]
    """Data the origin or a reached component stores, processes, sends or receives; most
    sensitive first (then by id)."""

    def by_classification(self) -> dict[Classification, tuple[DataExposure, ...]]:
        """The data in reach by classification, most sensitive first; no empty groups."""
        groups: dict[Classification, tuple[DataExposure, ...]] = {}
        for level in sorted(Classification, key=lambda c: -c.rank):
            items = tuple(d for d in self.data if d.classification is level)
            if items:
                groups[level] = items
        return groups


def blast_radius(model: Model, origin: str) -> BlastRadius:
    """The blast radius of ``origin`` (a component id; KeyError when it does not exist)."""
    if origin not in model.components:
        raise KeyError(origin)
    table = step_table(model)
    start = table.number[origin]
    distance: dict[int, int] = {start: 0}
    via: dict[int, int] = {}  # component -> the step it was first reached along
    queue: deque[int] = deque([start])
    while queue:
        current = queue.popleft()
        for step in table.out[current]:
            target = table.target[step]
            if target not in distance:
                distance[target] = distance[current] + 1
                via[target] = step
                queue.append(target)
    del distance[start]
    names = table.components
    hops_to = {names[c]: hops for c, hops in distance.items()}
    flow_to = {names[c]: table.flow[step].id for c, step in via.items()}
    graph = model.graph
    reached = tuple(
        Reached(cid, hops, flow_to[cid], zone.id if (zone := graph.zone_of(cid)) else None)
        for cid, hops in sorted(hops_to.items(), key=lambda item: (item[1], item[0]))
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
