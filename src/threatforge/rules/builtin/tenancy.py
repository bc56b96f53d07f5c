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
    EDGE_KINDS,
    INFO,
    PROCESS_KINDS,
    STORE_KINDS,
    STORED_SENSITIVE,
    E,
    S,
    assets,
    at_least,
    exposed,
    exposure_words,
)
from threatforge.rules.interface import (
    Ask,
    AskFact,
    Confidence,
    ElementSet,
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


def _tenant_entry_why(model: Model, component: Component) -> tuple[str, ...]:
    """Why the component decides which tenant a request is for, in words (empty when it does
    not): in a multi-tenant system, an exposed service or function of ours (not an edge
    component) that handles confidential or restricted data."""
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    tenancy = multi_tenant_words(model)
    if not tenancy or not exposed(model, component):
        return ()
    held = at_least(model.graph.data_of(component.id), Classification.CONFIDENTIAL)
    if not held:
        return ()
    return (tenancy, exposure_words(model, component),
            "handles " + ", ".join(f"'{a.id}'" for a in held))


@rule(RuleMeta(
    id="tenant-context-from-request",
    title="{element} may take the tenant of a request from what the caller sends",
    description="A multi-tenant API must know which tenant each request is for. Taken from "
    "the subdomain, a header, a path or a body parameter instead of the verified token (or "
    "not checked against the token's tenant), a user of one tenant calls the API as another "
    "tenant with their own valid session.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(639,),
    capec=(122,), kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=ElementSet(
        "tenant-entry-points", "exposed services and functions of a multi-tenant system that "
        "handle confidential or restricted data (or that state properties.tenant_from_token)",
        lambda model: frozenset(
            cid for cid, c in model.components.items() if _tenant_entry_why(model, c)
        ) | frozenset(model.graph.components_stating("tenant_from_token")),
    ),
    mitigations=(
        "Take the tenant from a claim of the verified token (or the session bound to it) and "
        "reject requests whose subdomain, header or path names another tenant.",
        "Propagate the tenant from the token to every downstream call and query (a request "
        "context, PostgreSQL `SET app.tenant_id` for row-level security), never from input.",
    ),
    detection="In a multi-tenant system (see tenant-isolation-app-only), an exposed service "
    "or function (not an edge component) that handles confidential or restricted data, with "
    "`properties.tenant_from_token: false`. An applicable threat when not stated.",
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/saas-architecture-fundamentals/"
        "tenant-isolation.html",
        "https://cwe.mitre.org/data/definitions/639.html",
    ),
    asks=(Ask(
        "Does {element} take each request's tenant from the verified token (and reject a "
        "subdomain, header or path naming another tenant)?",
        (AskFact("properties.tenant_from_token", confirms=("false",), rules_out=("true",)),),
        threat="Tenant confusion: a user of one tenant may call {element} as another tenant",
    ),),
))
def tenant_context_from_request(component: Component, model: Model) -> Verdict:
    """The tenant of a request taken from caller input."""
    why = _tenant_entry_why(model, component)
    value = component.prop("tenant_from_token")
    if value is True:
        return RuledOut(("properties.tenant_from_token: true",))
    if value is False:
        return Fire((*why, "properties.tenant_from_token: false"))
    if not why:
        return Skip("not an exposed service of a multi-tenant system")
    return Unknown(("properties.tenant_from_token",), why=why)


RULES: tuple[Rule, ...] = (tenant_isolation_app_only, tenant_context_from_request)
