"""Display labels of a model's elements, as every output shows them."""

from __future__ import annotations

from threatforge.model._model import Model

__all__ = ["element_labels"]


def element_labels(model: Model) -> dict[str, str]:
    """A display label for every element id (flows as 'Source → Target' unless named)."""
    labels: dict[str, str] = {}
    for section in (model.data, model.boundaries, model.components, model.controls):
        for element_id, element in section.items():
            labels[element_id] = element.label
    for flow in model.flows:
        if flow.name:
            labels[flow.id] = flow.name
        else:
            source = labels.get(flow.source, flow.source)
            target = labels.get(flow.target, flow.target)
            labels[flow.id] = f"{source} → {target}"
    return labels
