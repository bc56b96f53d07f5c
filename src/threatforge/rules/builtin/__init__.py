"""The built-in rules, listed explicitly (no registration by import side effect)."""

from __future__ import annotations

from importlib import resources

from threatforge.model import parse_yaml_text
from threatforge.rules.builtin import (
    abuse,
    ai,
    api,
    aws,
    clients,
    data,
    domains,
    fraud,
    graph_rules,
    identity,
    implied,
    injection,
    k8s,
    local,
    payments,
    privacy,
    services,
    stated_facts,
    stride,
    supply_chain,
    tenancy,
    third_party,
    web,
)
from threatforge.rules.declarative import parse_pack
from threatforge.rules.interface import Rule

__all__ = ["BUILTIN_RULES"]


def _builtin_pack() -> tuple[Rule, ...]:
    text = resources.files("threatforge.rules.packs").joinpath("builtin.yaml").read_text("utf-8")
    document = parse_yaml_text(text, "threatforge/rules/packs/builtin.yaml")
    rules = parse_pack(document)
    return tuple(_as_builtin(r) for r in rules)


def _as_builtin(item: Rule) -> Rule:
    import dataclasses

    return dataclasses.replace(
        item, meta=dataclasses.replace(item.meta, source="builtin", domain="generic")
    )


BUILTIN_RULES: tuple[Rule, ...] = (
    *stride.RULES,
    *_builtin_pack(),
    *injection.RULES,
    *web.RULES,
    *aws.RULES,
    *api.RULES,
    *k8s.RULES,
    *services.RULES,
    *payments.RULES,
    *abuse.RULES,
    *fraud.RULES,
    *privacy.RULES,
    *identity.RULES,
    *supply_chain.RULES,
    *ai.RULES,
    *domains.RULES,
    *local.RULES,
    *clients.RULES,
    *third_party.RULES,
    *data.RULES,
    *tenancy.RULES,
    *implied.RULES,
    *stated_facts.RULES,
    *graph_rules.RULES,
)
