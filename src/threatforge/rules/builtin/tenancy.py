"""Tenant isolation in multi-tenant systems.

A system is multi-tenant when it states ``system.properties.multi_tenant: true`` or its name or
description says "multi-tenant". Its shared stores then hold every tenant's data side by side,
kept apart only by whatever enforces the separation: when that is the application's queries
alone (``WHERE tenant_id = ?``), one missing filter, one injection or one confused job shows a
tenant another tenant's data. The rule reports an applicable threat on each shared store of
confidential or restricted data with the question that decides it
(``properties.tenant_isolation_enforced``, ``docs/rules/tenancy-properties.md``).
"""

from __future__ import annotations

from threatforge.model import Classification, Component, ComponentKind, Model
from threatforge.rules.builtin._facts import (
    INFO,
    STORE_KINDS,
    STORED_SENSITIVE,
    E,
    assets,
    at_least,
)
from threatforge.rules.interface import (
    Ask,
    AskFact,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["RULES", "multi_tenant_words"]

DOMAIN = "generic"
_WORDS = ("multi-tenant", "multitenant", "multi tenant")
TENANT_STORE_KINDS = STORE_KINDS - {ComponentKind.SECRETS_STORE}
"""Stores of tenants' data (a secrets store holds the system's own secrets)."""


def multi_tenant_words(model: Model) -> str:
    """Why the system counts as multi-tenant, in words ("" when it does not)."""
    system = model.system
    if system.properties.get("multi_tenant") is True:
        return "system.properties.multi_tenant: true"
    for where, text in (("name", system.name), ("description", system.description or "")):
        if any(w in text.lower() for w in _WORDS):
            return f"the system's {where} says it is multi-tenant"
    return ""


@rule(RuleMeta(
    id="tenant-isolation-app-only",
    title="{element} keeps tenants apart only by the application's queries",
    description="In a shared store, one tenant's rows, objects or keys sit next to every other "
    "tenant's: when only the application's filters keep them apart, a missing tenant filter, "
    "an injection or a mis-scoped batch job discloses or changes another tenant's data.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(INFO, E), cwe=(668, 639),
    capec=(122,), kinds=TENANT_STORE_KINDS, data=STORED_SENSITIVE, domain=DOMAIN,
    mitigations=(
        "Enforce the separation in the store itself: PostgreSQL row-level security keyed on a "
        "session tenant id, a schema or database per tenant, per-tenant S3 prefixes with IAM "
        "session tags (`aws:PrincipalTag/tenant`), per-tenant encryption keys.",
        "Test isolation with two tenants in CI (every API call as tenant A on tenant B's ids).",
    ),
    detection="A store (not a secrets store) holding confidential or restricted data in a "
    "multi-tenant system (`system.properties.multi_tenant: true`, or 'multi-tenant' in the "
    "system's name or description). An applicable threat until "
    "`properties.tenant_isolation_enforced` is stated; `false` fires.",
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/saas-architecture-fundamentals/"
        "tenant-isolation.html",
        "https://www.postgresql.org/docs/current/ddl-rowsecurity.html",
    ),
    asks=(Ask(
        "Does {element} itself enforce the separation of tenants (row-level security, a schema, "
        "bucket prefix policy or key per tenant), beyond the application's queries?",
        (AskFact("properties.tenant_isolation_enforced", confirms=("false",),
                 rules_out=("true",)),),
        threat="One tenant may see or change another tenant's data in {element}",
    ),),
))
def tenant_isolation_app_only(component: Component, model: Model) -> Verdict:
    """A shared store of a multi-tenant system."""
    tenancy = multi_tenant_words(model)
    if not tenancy:
        return Skip("the system is not multi-tenant")
    held = at_least(assets(model, component.stores), Classification.CONFIDENTIAL)
    if not held:
        return Skip("stores no confidential or restricted data")
    why = (tenancy, "stores " + ", ".join(f"'{a.id}'" for a in held))
    value = component.prop("tenant_isolation_enforced")
    if value is None:
        return Unknown(("properties.tenant_isolation_enforced",), why=why)
    if value is True:
        return RuledOut(("properties.tenant_isolation_enforced: true",))
    return Fire((*why, "properties.tenant_isolation_enforced: false"))


RULES: tuple[Rule, ...] = (tenant_isolation_app_only,)
