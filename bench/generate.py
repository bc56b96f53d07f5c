"""Write a realistic synthetic threatmodel.yaml (and optionally the same topology for OWASP pytm).

    python bench/generate.py --components 1000 [--flows-per-component 3] [--zones 8] [--seed 1]
                             -o model.yaml [--pytm model_pytm.py]

The model mixes kinds and technologies over nested zones (internet, partners, corporate, then per
account a VPC with public, private and data subnets, and one restricted CDE subnet), data assets
of every classification, entry points (actors, public gateways) and crown jewels (card, key and
credential stores). Most elements are well secured; about one in ten has a realistic weakness.
The output is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

DATA = {
    "public-content": ("public", []),
    "telemetry": ("internal", ["telemetry"]),
    "card-token": ("internal", ["pci.token"]),
    "source-artifacts": ("internal", ["source-code"]),
    "order": ("confidential", ["financial"]),
    "customer-profile": ("confidential", ["pii"]),
    "session": ("confidential", ["session-tokens"]),
    "pan": ("restricted", ["pci.pan"]),
    "cvv": ("restricted", ["pci.sad"]),
    "api-credentials": ("restricted", ["credentials"]),
    "signing-keys": ("restricted", ["crypto-keys"]),
    "health-record": ("restricted", ["pii.special"]),
}

# (kind, share, technologies, layer). Layers: 0 outside, 1 edge, 2 compute, 3 data, 4 platform.
KINDS = [
    ("actor", 0.04, [None], 0),
    ("external-service", 0.03, [None], 0),
    ("cdn", 0.01, ["aws.cloudfront"], 1),
    ("gateway", 0.03, ["aws.apigateway", "k8s.ingress-nginx"], 1),
    ("load-balancer", 0.02, ["aws.alb", "aws.nlb"], 1),
    ("service", 0.30, ["aws.ecs", "k8s.deployment", "aws.ec2"], 2),
    ("function", 0.15, ["aws.lambda"], 2),
    ("datastore", 0.12, ["aws.rds.postgres", "aws.dynamodb", "aws.s3", "aws.aurora"], 3),
    ("cache", 0.04, ["redis", "aws.elasticache"], 3),
    ("queue", 0.05, ["aws.sqs"], 3),
    ("stream", 0.03, ["kafka", "aws.kinesis"], 3),
    ("secrets-store", 0.02, ["aws.secretsmanager", "vault"], 4),
    ("key-management", 0.01, ["aws.kms"], 4),
    ("identity-provider", 0.01, ["aws.cognito", "keycloak"], 4),
    ("monitoring", 0.02, ["aws.cloudwatch", "datadog"], 4),
    ("ci-pipeline", 0.01, ["github-actions"], 4),
    ("artifact-registry", 0.01, ["aws.ecr"], 4),
]
STORE_KINDS = {"datastore", "cache", "queue", "stream", "secrets-store"}
PROTOCOL = {
    "datastore": ("postgres", 5432),
    "cache": ("redis", 6379),
    "queue": ("aws-api", 443),
    "stream": ("kafka", 9092),
    "secrets-store": ("aws-api", 443),
    "key-management": ("aws-api", 443),
    "monitoring": ("https", 443),
}


@dataclass
class Component:
    id: str
    kind: str
    tech: str | None
    zone: str
    layer: int
    attrs: dict[str, object] = field(default_factory=dict)


def _zones(count: int) -> dict[str, dict[str, object]]:
    zones: dict[str, dict[str, object]] = {
        "internet": {"kind": "internet", "trust": "untrusted"},
        "partners": {"kind": "third-party", "trust": "semi-trusted", "region": "us-east-1"},
        "corporate": {"kind": "corporate", "trust": "semi-trusted", "region": "eu-west-1"},
    }
    regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"]
    for a in range(max(1, count)):
        account = f"account-{a}"
        zones[account] = {
            "kind": "account",
            "trust": "trusted",
            "region": regions[a % len(regions)],
        }
        zones[f"vpc-{a}"] = {"kind": "vpc", "trust": "trusted", "inside": account}
        for subnet in ("public", "private", "data"):
            zones[f"{subnet}-{a}"] = {"kind": "subnet", "trust": "trusted", "inside": f"vpc-{a}"}
    zones["cde"] = {"kind": "subnet", "trust": "restricted", "inside": "vpc-0"}
    return zones


def _zone_for(kind: str, layer: int, accounts: int, rng: random.Random) -> str:
    a = rng.randrange(accounts)
    if kind == "actor":
        return rng.choice(["internet", "internet", "internet", "corporate"])
    if kind == "external-service":
        return "partners"
    if layer == 1:
        return f"public-{a}"
    if layer == 3:
        return "cde" if rng.random() < 0.05 else f"data-{a}"
    if layer == 2:
        return "cde" if rng.random() < 0.03 else f"private-{a}"
    return f"private-{a}"


def _attrs(c: Component, rng: random.Random) -> dict[str, object]:
    weak = rng.random() < 0.1
    attrs: dict[str, object] = {}
    if c.kind in ("gateway", "cdn", "load-balancer"):
        attrs.update(exposure="public", waf=not weak, rate_limit=True, authn="oauth2")
    elif c.kind in ("service", "function"):
        attrs.update(
            exposure="internal",
            authn="none" if weak else rng.choice(["mtls", "jwt", "iam"]),
            authz=rng.choice(["rbac", "object-level", "scopes"]),
            input_validation=not weak,
            logging={"enabled": True, "audit": not weak},
        )
    elif c.kind in STORE_KINDS:
        attrs.update(
            exposure="private",
            authn="iam",
            encryption={"at_rest": "none" if weak else rng.choice(["kms", "kms-cmk"])},
            logging={"enabled": True, "audit": True},
        )
        if c.kind == "datastore":
            attrs["retention_days"] = rng.choice([30, 365, 2555])
    elif c.kind == "key-management":
        attrs.update(encryption={"key_rotation": not weak})
    elif c.kind == "identity-provider":
        attrs.update(authn="oidc", mfa=True)
    if c.kind == "service" and rng.random() < 0.02:
        attrs.update(admin=True, mfa=not weak)
    return attrs


def _data_for(c: Component, rng: random.Random) -> dict[str, list[str]]:
    names = list(DATA)
    if c.kind in STORE_KINDS:
        pool = ["pan", "card-token", "order", "customer-profile"] if c.zone == "cde" else names
        return {"stores": sorted(set(rng.sample([n for n in pool if n != "cvv"], k=2)))}
    if c.kind in ("service", "function"):
        return {"processes": sorted(set(rng.sample(names, k=2)))}
    return {}


def build(
    n: int, flows_per: float, zone_count: int, seed: int
) -> tuple[dict[str, dict[str, object]], list[Component], list[tuple[str, str, dict[str, object]]]]:
    """The topology: zones, components and flows."""
    rng = random.Random(seed)
    accounts = max(1, zone_count)
    zones = _zones(accounts)
    weights = [k[1] for k in KINDS]
    components: list[Component] = []
    by_layer: dict[int, list[Component]] = {0: [], 1: [], 2: [], 3: [], 4: []}
    for i in range(n):
        kind, _, techs, layer = (
            KINDS[i % len(KINDS)] if i < len(KINDS) else rng.choices(KINDS, weights)[0]
        )
        c = Component(f"{kind}-{i}", kind, rng.choice(techs), "", layer)
        c.zone = _zone_for(kind, layer, accounts, rng)
        c.attrs = _attrs(c, rng)
        c.attrs.update(_data_for(c, rng))
        components.append(c)
        by_layer[layer].append(c)
    flows: list[tuple[str, str, dict[str, object]]] = []
    seen: set[tuple[str, str]] = set()
    targets_for = {0: [1, 1, 1, 2], 1: [2], 2: [2, 3, 3, 4, 0], 3: [2], 4: [2]}
    data_names = list(DATA)
    silent = {"datastore", "cache", "secrets-store", "key-management", "monitoring"}
    emitters = [c for c in components if c.kind not in silent]
    wanted = int(n * flows_per)
    attempts = 0
    while len(flows) < wanted and attempts < wanted * 4 and emitters:
        attempts += 1
        c = (
            emitters[attempts % len(emitters)]
            if attempts <= len(emitters)
            else rng.choice(emitters)
        )
        layer = rng.choice(targets_for[c.layer])
        pool = by_layer.get(layer) or by_layer[2]
        if not pool:
            continue
        t = rng.choice(pool)
        if t.id == c.id or (c.id, t.id) in seen:
            continue
        if c.layer == 2 and layer == 0 and t.kind != "external-service":
            continue
        seen.add((c.id, t.id))
        protocol, port = PROTOCOL.get(t.kind, ("https", 443))
        weak = rng.random() < 0.05
        attrs: dict[str, object] = {"protocol": protocol, "port": port}
        if protocol not in ("https", "aws-api"):
            attrs["tls"] = not weak
        if c.kind != "actor":
            attrs["authn"] = "none" if weak else ("iam" if protocol == "aws-api" else "mtls")
        else:
            attrs["authn"] = "oidc"
        carried = sorted(set(rng.sample(data_names, k=rng.choice([1, 2]))) - {"cvv"})
        attrs["data"] = carried or ["order"]
        flows.append((c.id, t.id, attrs))
    return zones, components, flows


def _yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_yaml(
    n: int,
    zones: dict[str, dict[str, object]],
    components: list[Component],
    flows: list[tuple[str, str, dict[str, object]]],
) -> str:
    """The model as threatmodel.yaml text."""
    lines = [
        "# Synthetic model written by bench/generate.py",
        f'system: {{name: "Synthetic estate ({n} components)", owner: platform, '
        "criticality: high, compliance: [pci-dss, gdpr]}",
        "data:",
    ]
    for name, (classification, categories) in DATA.items():
        lines.append(
            f"  {name}: {{classification: {classification}, categories: {_yaml_value(categories)}}}"
        )
    lines.append("boundaries:")
    for zid, attrs in zones.items():
        lines.append(f"  {zid}: {_yaml_value(attrs)}")
    lines.append("components:")
    for c in components:
        attrs: dict[str, object] = {"kind": c.kind}
        if c.tech:
            attrs["tech"] = c.tech
        attrs["zone"] = c.zone
        attrs.update(c.attrs)
        lines.append(f"  {c.id}: {_yaml_value(attrs)}")
    lines.append("flows:")
    for source, target, attrs in flows:
        lines.append(f"  - {source} -> {target}: {_yaml_value(attrs)}")
    return "\n".join(lines) + "\n"


_PYTM_CLASS = {
    "actor": "Actor",
    "external-service": "ExternalEntity",
    "function": "Lambda",
}


def to_pytm(
    n: int,
    zones: dict[str, dict[str, object]],
    components: list[Component],
    flows: list[tuple[str, str, dict[str, object]]],
) -> str:
    """The same topology as an OWASP pytm model script (prints the number of findings)."""
    out = [
        "# Synthetic model written by bench/generate.py for OWASP pytm",
        "from pytm import TM, Actor, Boundary, Dataflow, Datastore, ExternalEntity, Lambda, Server",
        f"tm = TM('Synthetic estate ({n} components)')",
        "tm.isOrdered = False",
        "z = {}",
    ]
    for zid, attrs in zones.items():
        out.append(f"z[{zid!r}] = Boundary({zid!r})")
        if "inside" in attrs:
            out.append(f"z[{zid!r}].inBoundary = z[{attrs['inside']!r}]")
    out.append("c = {}")
    for comp in components:
        cls = _PYTM_CLASS.get(comp.kind, "Datastore" if comp.kind in STORE_KINDS else "Server")
        out.append(
            f"c[{comp.id!r}] = {cls}({comp.id!r}); c[{comp.id!r}].inBoundary = z[{comp.zone!r}]"
        )
    for source, target, attrs in flows:
        encrypted = attrs.get("protocol") in ("https", "aws-api") or bool(attrs.get("tls"))
        out.append(
            f"f = Dataflow(c[{source!r}], c[{target!r}], {source + ' -> ' + target!r}); "
            f"f.protocol = {attrs['protocol']!r}; f.dstPort = {attrs['port']}; "
            f"f.isEncrypted = {encrypted}"
        )
    out += [
        "if __name__ == '__main__':",
        "    tm.resolve()",
        "    print(len(tm.findings))",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--components", type=int, required=True)
    parser.add_argument("--flows-per-component", type=float, default=3.0)
    parser.add_argument(
        "--zones", type=int, default=0, help="accounts (default: components/500, at least 2)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--pytm", type=Path, help="also write the topology as a pytm model")
    args = parser.parse_args(argv)
    if args.components < 20:
        parser.error("--components must be at least 20")
    accounts = args.zones or max(2, args.components // 500)
    zones, components, flows = build(args.components, args.flows_per_component, accounts, args.seed)
    args.output.write_text(to_yaml(args.components, zones, components, flows), encoding="utf-8")
    if args.pytm:
        args.pytm.write_text(to_pytm(args.components, zones, components, flows), encoding="utf-8")
    print(
        f"wrote {args.output}: {len(components)} components, {len(flows)} flows, "
        f"{len(zones)} zones",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
