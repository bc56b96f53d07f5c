"""The merged, validated model of one system (one root file and what it includes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from threatforge.model.diagnostics import Diagnostic
from threatforge.model.schema import (
    Assumption,
    Boundary,
    Component,
    Control,
    DataAsset,
    Flow,
    System,
    ThreatStatement,
    TrackingEntry,
)

if TYPE_CHECKING:
    from threatforge.model.graph import ModelGraph

__all__ = ["Element", "Model"]

Element = DataAsset | Boundary | Component | Flow | Control | Assumption
"""Anything with an id that a finding can name."""


@dataclass(frozen=True, eq=False)
class Model:
    """A validated system model. Treat every mapping as read-only.

    Elements keep the order of the files they came from (for display); nothing that identifies
    a finding depends on that order.
    """

    system: System
    data: Mapping[str, DataAsset] = field(default_factory=dict)
    boundaries: Mapping[str, Boundary] = field(default_factory=dict)
    components: Mapping[str, Component] = field(default_factory=dict)
    flows: tuple[Flow, ...] = ()
    controls: Mapping[str, Control] = field(default_factory=dict)
    assumptions: Mapping[str, Assumption] = field(default_factory=dict)
    threats: Mapping[str, ThreatStatement] = field(default_factory=dict)
    """The team's own threats (``threats:``), keyed by id; not elements a finding names."""
    tracking: Mapping[str, TrackingEntry] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()

    @cached_property
    def flows_by_id(self) -> Mapping[str, Flow]:
        return {flow.id: flow for flow in self.flows}

    @cached_property
    def graph(self) -> ModelGraph:
        """Indexes and graph queries over this model, built once on first use."""
        from threatforge.model.graph import ModelGraph

        return ModelGraph(self)

    def element(self, element_id: str) -> Element | None:
        """The component, flow, data asset, boundary, control or assumption with this id."""
        for section in (
            self.components,
            self.flows_by_id,
            self.data,
            self.boundaries,
            self.controls,
            self.assumptions,
        ):
            found = section.get(element_id)
            if found is not None:
                return found
        return None

    @property
    def element_count(self) -> int:
        """Components, flows, data assets and boundaries: the size people talk about."""
        return len(self.components) + len(self.flows) + len(self.data) + len(self.boundaries)
