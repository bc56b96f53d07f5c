"""Properties of loading, over generated small valid models."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threatforge.model import ComponentKind, Model, load_text

NAMES = ("web", "api", "db", "queue", "auth", "cdn", "worker", "cache")
ZONES = {"internet": "untrusted", "dmz": "semi-trusted", "app": "trusted", "data": "restricted"}
PROTOCOLS = ("https", "grpcs", "postgres", "http", None)
ASSETS = {"orders": "confidential", "cards": "restricted", "logs": "internal"}


@dataclass(frozen=True)
class Spec:
    """A generated model: components in file order, and flows over them."""

    components: tuple[tuple[str, ComponentKind, str | None], ...]
    flows: tuple[tuple[str, str, str | None, bool, tuple[str, ...]], ...]
    """(source, target, protocol, written as 'a -> b', data)."""


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=len(NAMES), unique=True))
    components = tuple(
        (
            name,
            draw(st.sampled_from(list(ComponentKind))),
            draw(st.sampled_from([*ZONES, None])),
        )
        for name in names
    )
    pairs = list(itertools.permutations(names, 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=10)) if pairs else []
    flows = tuple(
        (
            source,
            target,
            draw(st.sampled_from(PROTOCOLS)),
            draw(st.booleans()),
            tuple(draw(st.lists(st.sampled_from(sorted(ASSETS)), unique=True, max_size=2))),
        )
        for source, target in chosen
    )
    return Spec(components, flows)


def render(spec: Spec, order: list[int]) -> str:
    """YAML for ``spec`` with its components written in ``order``."""
    lines = ["system: {name: Generated}", "data:"]
    lines += [f"  {name}: {{classification: {level}}}" for name, level in ASSETS.items()]
    lines.append("boundaries:")
    lines += [f"  {zone}: {{trust: {trust}}}" for zone, trust in ZONES.items()]
    lines.append("components:")
    for index in order:
        name, kind, zone = spec.components[index]
        zone_text = f", zone: {zone}" if zone else ""
        lines.append(f"  {name}: {{kind: {kind.value}{zone_text}}}")
    lines.append("flows: []" if not spec.flows else "flows:")
    for source, target, protocol, arrow, data in spec.flows:
        attributes = {"data": list(data)} | ({"protocol": protocol} if protocol else {})
        if arrow:
            lines.append(f"  - {source} -> {target}: {json.dumps(attributes)}")
        else:
            lines.append(f"  - from: {source}")
            lines.append(f"    to: {target}")
            lines += [f"    {key}: {json.dumps(value)}" for key, value in attributes.items()]
    return "\n".join(lines) + "\n"


def facts(model: Model) -> dict[str, object]:
    """What a model says, without the order or place it was written in."""
    return {
        "components": {cid: c.model_dump() for cid, c in sorted(model.components.items())},
        "flows": [f.model_dump() for f in model.flows],
        "warnings": sorted(w.message for w in model.warnings),
        "entry_points": model.graph.entry_points,
        "reach": {cid: model.graph.reach(cid) for cid in sorted(model.components)},
    }


PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(specs())
def test_generated_models_load(spec: Spec):
    model = load_text(render(spec, list(range(len(spec.components)))))
    assert [(c.id, c.kind, c.zone) for c in model.components.values()] == list(spec.components)
    assert [(f.source, f.target, f.protocol, tuple(f.data)) for f in model.flows] == [
        (source, target, protocol, data) for source, target, protocol, _, data in spec.flows
    ]
    assert [f.id for f in model.flows] == [f"{s}->{t}" for s, t, *_ in spec.flows]


@PROPERTY_SETTINGS
@given(st.data())
def test_loading_does_not_depend_on_component_order(data: st.DataObject):
    spec = data.draw(specs())
    order = data.draw(st.permutations(range(len(spec.components))))
    written = load_text(render(spec, list(range(len(spec.components)))))
    shuffled = load_text(render(spec, list(order)))
    assert list(shuffled.components) == [spec.components[i][0] for i in order]
    assert facts(shuffled) == facts(written)
