"""Properties of the whole pipeline over generated valid models.

The models use the real vocabulary (every component kind, authentication, authorisation,
exposure, encryption, trust level, classification and data category), the technologies and
``properties:`` facts the built-in rules look at (read from the rules' source, so new rules are
covered), nested zones, flows with random protocols and data, controls and tracking decisions.

- the engine never crashes and no rule raises (``rule_errors`` is empty);
- the JSON assessment is deterministic;
- findings do not depend on the order elements are written in;
- a model compared with itself (or with a reordered copy) has no differences.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import threatforge.rules.builtin as builtin_package
from threatforge.assessment.diff import Snapshot, diff_snapshots
from threatforge.exporters.json_assessment import render_json
from threatforge.model import (
    Authn,
    Authz,
    BoundaryKind,
    Classification,
    ComponentKind,
    Criticality,
    EncryptionAtRest,
    Exposure,
    Model,
    TrustLevel,
    load_text,
)
from threatforge.model.schema import DATA_CATEGORIES
from threatforge.model.vocabulary import PropertyType, property_catalogue, protocol_encryption
from threatforge.rules import Assessment, analyze, builtin_rules

TODAY = date(2026, 1, 1)
RULES = tuple(builtin_rules())
RULE_IDS = tuple(sorted(r.id for r in RULES))
_SOURCE = "\n".join(
    p.read_text(encoding="utf-8") for p in Path(builtin_package.__file__).parent.glob("*.py")
)
PROPERTY_NAMES = tuple(
    sorted(set(re.findall(r"""prop\w*\([^()"]*?"([a-z][a-z0-9_]*)\"""", _SOURCE)))
)
TECHS = tuple(
    sorted(
        {
            t.rstrip("*.-")
            for t in re.findall(
                r'"((?:aws|azure|gcp|k8s)\.[a-z0-9.-]*\*?|kafka|mongodb|mysql|postgres|okta)"',
                _SOURCE,
            )
        }
    )
)
PROTOCOLS = tuple(sorted(protocol_encryption()))
COMPONENT_IDS = ("shopper", "web", "api", "worker", "db", "cache", "queue", "idp", "psp", "ci")
DATA_IDS = ("cards", "profile", "logs", "tokens")
ZONE_IDS = ("internet", "edge", "vpc", "data", "partner")

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _enum(values: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([v.value for v in values])


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None and value != []}


_WORDS = st.sampled_from(
    ["", "*", "0.0.0.0/0", "none", "TLSv1", "1.2", "admin", "latest", "public"]
)
_ITEMS = st.sampled_from(["*", "s3:*", "GET", "443", "https://a.example"])
_SCALARS: dict[PropertyType, st.SearchStrategy[Any]] = {
    PropertyType.BOOL: st.booleans(),
    PropertyType.INT: st.integers(min_value=-5, max_value=100_000),
    PropertyType.NUMBER: st.integers(min_value=-5, max_value=100_000),
    PropertyType.STRING: _WORDS,
}


def _typed_value(key: str) -> st.SearchStrategy[Any]:
    """A value of the type the property catalogue gives ``key`` (the loader refuses others)."""
    spec = property_catalogue().properties[key]
    options: list[st.SearchStrategy[Any]] = []
    for kind in spec.types:
        if kind is PropertyType.LIST:
            items = [_ITEMS if t is PropertyType.STRING else _SCALARS[t] for t in spec.items]
            options.append(st.lists(st.one_of(items), max_size=3))
        elif kind is PropertyType.STRING and spec.values:
            options.append(st.sampled_from(spec.values))
        else:
            options.append(_SCALARS[kind])
    return st.one_of(options)


PROPERTIES = st.lists(
    st.sampled_from(PROPERTY_NAMES).flatmap(lambda k: st.tuples(st.just(k), _typed_value(k))),
    max_size=4,
).map(dict)


@dataclass(frozen=True)
class Spec:
    """A generated model, as sections of ``{id: body}`` (flows: a list) in file order."""

    system: dict[str, Any]
    data: tuple[tuple[str, dict[str, Any]], ...]
    boundaries: tuple[tuple[str, dict[str, Any]], ...]
    components: tuple[tuple[str, dict[str, Any]], ...]
    flows: tuple[dict[str, Any], ...]
    controls: tuple[tuple[str, dict[str, Any]], ...]
    tracking: tuple[tuple[str, dict[str, Any]], ...]


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    system = _drop_none(
        {
            "name": "Generated",
            "criticality": draw(_maybe(_enum(Criticality))),
            "compliance": draw(st.lists(st.sampled_from(["pci-dss", "gdpr", "sox"]), unique=True)),
        }
    )
    data_ids = draw(st.lists(st.sampled_from(DATA_IDS), unique=True, max_size=len(DATA_IDS)))
    data = tuple(
        (
            asset,
            _drop_none(
                {
                    "classification": draw(_enum(Classification)),
                    "categories": draw(
                        st.lists(st.sampled_from(sorted(DATA_CATEGORIES)), unique=True, max_size=2)
                    ),
                    "retention_days": draw(_maybe(st.integers(min_value=0, max_value=36500))),
                }
            ),
        )
        for asset in data_ids
    )
    zone_ids = draw(st.lists(st.sampled_from(ZONE_IDS), unique=True, max_size=len(ZONE_IDS)))
    boundaries = tuple(
        (
            zone,
            _drop_none(
                {
                    "trust": draw(_enum(TrustLevel)),
                    "kind": draw(_maybe(_enum(BoundaryKind))),
                    # nesting only inside an earlier zone: no loops
                    "inside": draw(_maybe(st.sampled_from(zone_ids[:index]))) if index else None,
                    # typed as the catalogue says (the loader refuses a boolean pci_scope)
                    "properties": draw(
                        st.fixed_dictionaries(
                            {},
                            optional={
                                "cde": _typed_value("cde"),
                                "pci_scope": _typed_value("pci_scope"),
                            },
                        )
                    ),
                }
            ),
        )
        for index, zone in enumerate(zone_ids)
    )
    names = draw(st.lists(st.sampled_from(COMPONENT_IDS), unique=True, min_size=1, max_size=7))
    components = tuple((name, draw(_component(zone_ids, data_ids))) for name in names)
    pairs = [(a, b) for a in names for b in names if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=10)) if pairs else []
    flows = tuple(draw(_flow(source, target, data_ids)) for source, target in chosen)
    flow_ids = [f"{f['from']}->{f['to']}" for f in flows]
    controls = tuple(
        (
            control,
            {
                "status": draw(st.sampled_from(["implemented", "planned"])),
                "mitigates": draw(st.lists(st.sampled_from(RULE_IDS), unique=True, max_size=2)),
                # components only: a flow's default id ('a->b') is not accepted in applies_to
                "applies_to": draw(st.lists(st.sampled_from(names), unique=True, max_size=2)),
            },
        )
        for control in draw(st.lists(st.sampled_from(["waf", "mtls", "scan"]), unique=True))
    )
    tracking = tuple(
        (
            f"{rule}@{element}",
            {
                "status": draw(st.sampled_from(["accepted", "mitigated", "open", "in-progress"])),
                "justification": "generated",
                "expires": draw(st.sampled_from([None, "2025-06-30", "2027-06-30"])),
            },
        )
        for rule, element in draw(
            st.lists(
                st.tuples(st.sampled_from(RULE_IDS), st.sampled_from([*names, *flow_ids])),
                max_size=3,
            )
        )
    )
    return Spec(
        system,
        data,
        boundaries,
        components,
        flows,
        controls,
        tuple(dict(tracking).items()),  # one decision per fingerprint
    )


def _component(zones: list[str], data: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "kind": _enum(ComponentKind),
            "zone": _maybe(st.sampled_from(zones)) if zones else st.none(),
            "tech": _maybe(st.sampled_from(TECHS)),
            "exposure": _maybe(_enum(Exposure)),
            "authn": _maybe(_enum(Authn)),
            "authz": _maybe(_enum(Authz)),
            "mfa": _maybe(st.booleans()),
            "admin": st.booleans(),
            "waf": _maybe(st.booleans()),
            "rate_limit": _maybe(st.booleans()),
            "input_validation": _maybe(st.booleans()),
            "logging": _maybe(st.booleans()),
            "encryption": _maybe(
                st.fixed_dictionaries(
                    {"at_rest": _enum(EncryptionAtRest), "key_rotation": st.booleans()}
                )
            ),
            "stores": st.lists(st.sampled_from(data), unique=True) if data else st.just([]),
            "processes": st.lists(st.sampled_from(data), unique=True) if data else st.just([]),
            "properties": PROPERTIES,
        }
    ).map(_drop_none)


def _flow(source: str, target: str, data: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "from": st.just(source),
            "to": st.just(target),
            "protocol": _maybe(st.sampled_from(PROTOCOLS)),
            "port": _maybe(st.integers(min_value=1, max_value=65535)),
            "authn": _maybe(_enum(Authn)),
            "tls": _maybe(st.booleans()),
            "mtls": _maybe(st.booleans()),
            "data": st.lists(st.sampled_from(data), unique=True) if data else st.just([]),
            "initiated_by": st.sampled_from(["source", "target"]),
        }
    ).map(_drop_none)


def render(spec: Spec, order: dict[str, list[int]] | None = None) -> str:
    """YAML (in JSON flow style) for ``spec``, each section in ``order`` (default: as drawn)."""

    def ordered(name: str, items: tuple[Any, ...]) -> list[Any]:
        indices = (order or {}).get(name, list(range(len(items))))
        return [items[i] for i in indices]

    lines = [f"system: {json.dumps(spec.system)}"]
    for name in ("data", "boundaries", "components", "controls", "tracking"):
        items = ordered(name, getattr(spec, name))
        lines.append(f"{name}:" if items else f"{name}: {{}}")
        lines += [f"  {json.dumps(key)}: {json.dumps(body)}" for key, body in items]
    flows = ordered("flows", spec.flows)
    lines.append("flows:" if flows else "flows: []")
    lines += [f"  - {json.dumps(body)}" for body in flows]
    return "\n".join(lines) + "\n"


def _run(model: Model) -> Assessment:
    return analyze(model, RULES, today=TODAY)


@st.composite
def shuffled(draw: st.DrawFn) -> tuple[Spec, dict[str, list[int]]]:
    spec = draw(specs())
    order = {
        name: draw(st.permutations(range(len(getattr(spec, name)))))
        for name in ("data", "boundaries", "components", "flows", "controls", "tracking")
    }
    return spec, order


def test_the_generator_covers_the_vocabulary_the_rules_read() -> None:
    assert len(PROPERTY_NAMES) >= 100
    assert {"aws.s3", "aws.lambda", "aws.rds", "k8s"} <= set(TECHS)
    assert {"https", "http", "grpc", "postgres"} <= set(PROTOCOLS)


@PROPERTY_SETTINGS
@given(specs())
def test_generated_models_run_cleanly_and_deterministically(spec: Spec) -> None:
    text = render(spec)
    model = load_text(text)
    assessment = _run(model)
    # no rule raised, and every rule ran (fired, passed, unknown or skipped)
    assert assessment.rule_errors == ()
    assert {s.rule for s in assessment.summaries} == set(RULE_IDS)
    # the same text gives byte-identical JSON
    again = load_text(text)
    assert render_json(_run(again), again) == render_json(assessment, model)
    # and a model compared with itself has no differences
    difference = diff_snapshots(Snapshot(model, assessment), Snapshot(model, assessment))
    assert (difference.new, difference.resolved, difference.changed) == ((), (), ())
    assert difference.model_changes == ()
    assert difference.empty


@settings(PROPERTY_SETTINGS, max_examples=30)
@given(shuffled())
def test_findings_do_not_depend_on_element_order(drawn: tuple[Spec, dict[str, list[int]]]) -> None:
    spec, order = drawn
    written, reordered = load_text(render(spec)), load_text(render(spec, order))
    before, after = _run(written), _run(reordered)
    assert {f.fingerprint: f.severity for f in after.findings} == {
        f.fingerprint: f.severity for f in before.findings
    }
    assert {(g.element, g.fact) for g in after.gaps} == {(g.element, g.fact) for g in before.gaps}
    assert diff_snapshots(Snapshot(written, before), Snapshot(reordered, after)).empty
