"""Models for the analysis tests: from inline text, the card-checkout example, and a synthetic
layered system. (Imported by name, like tests/sdlc/sdlc_models.py.)
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from threatforge.model import Component, ComponentKind, DataAsset, Flow, Model, System, load
from threatforge.model.schema import Authn, Boundary, Classification, Exposure, TrustLevel

ROOT = Path(__file__).resolve().parents[2]
CARD_CHECKOUT = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"


def model_of(text: str) -> Model:
    """Load a model written inline in a test."""
    from threatforge.model import load_text

    return load_text(textwrap.dedent(text))


def card_checkout() -> Model:
    return load(CARD_CHECKOUT)


def layered_model(layers: int, width: int, fan_out: int = 3) -> Model:
    """A deterministic layered system: an internet actor, ``layers`` layers of ``width`` services
    (each calling ``fan_out`` services of the next layer), and a restricted store at the end of
    every chain. Components: 1 + layers * width + width; flows about width * (1 + fan_out * layers).
    """
    boundaries = {
        "internet": Boundary(id="internet", trust=TrustLevel.UNTRUSTED),
        "app": Boundary(id="app", trust=TrustLevel.TRUSTED),
        "vault": Boundary(id="vault", trust=TrustLevel.RESTRICTED, inside="app"),
    }
    data = {"cards": DataAsset(id="cards", classification=Classification.RESTRICTED)}
    components: dict[str, Component] = {
        "attacker": Component(id="attacker", kind=ComponentKind.ACTOR, zone="internet")
    }
    flows: list[Flow] = []
    authns = (Authn.IAM, Authn.API_KEY, Authn.NONE, None)
    for layer in range(layers):
        for i in range(width):
            cid = f"s{layer}-{i}"
            components[cid] = Component(
                id=cid, kind=ComponentKind.SERVICE, zone="app",
                exposure=Exposure.PUBLIC if layer == 0 and i % 50 == 0 else None,
            )
    for i in range(width):
        components[f"db-{i}"] = Component(
            id=f"db-{i}", kind=ComponentKind.DATASTORE, zone="vault", stores=["cards"]
        )
    for i in range(width):
        flows.append(Flow.model_validate(
            {"from": "attacker", "to": f"s0-{i}", "authn": authns[i % 4]}
        ))
    for layer in range(layers):
        for i in range(width):
            for j in range(fan_out):
                nxt = (i * 7 + j * 13 + layer) % width
                target = f"s{layer + 1}-{nxt}" if layer + 1 < layers else f"db-{nxt}"
                flows.append(Flow.model_validate({
                    "from": f"s{layer}-{i}", "to": target, "authn": authns[(i + j + layer) % 4]
                }))
    unique = {f.id: f for f in flows}
    return Model(
        system=System(name="Layered"),
        data=data,
        boundaries=boundaries,
        components=components,
        flows=tuple(unique.values()),
    )
