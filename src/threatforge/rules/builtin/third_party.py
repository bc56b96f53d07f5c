"""Third-party account configuration: the dashboards and admin consoles of the system's vendors.

Every external service the system sends sensitive data to (a payment provider, a CRM, an
e-mail or analytics vendor, a model API) has a web console where the team's accounts see that
data, create API keys and change webhook URLs. The rule here reports an applicable threat on
such a service with the question that decides it (``properties.console_mfa``, documented in
``docs/rules/third-party-properties.md``) and fires once ``false`` is stated. The keys those
accounts create are judged by third-party-api-key-scope; identity providers' own
administrators by idp-admin-mfa-not-enforced.
"""

from __future__ import annotations

from threatforge.model import Classification, Component, ComponentKind, Model
from threatforge.rules.builtin._facts import (
    INFO,
    OUTSIDE_KINDS,
    E,
    S,
    assets,
    at_least,
    flow_prop,
)
from threatforge.rules.interface import (
    Ask,
    AskFact,
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

__all__ = ["RULES"]

DOMAIN = "identity"
VENDOR_KINDS = frozenset({ComponentKind.EXTERNAL_SERVICE})


def _exchanged(model: Model, component: Component) -> list[str]:
    """The confidential or restricted data the system's own components send the vendor, by id.

    Only calls count (a flow from one of ours to it): a partner that only calls the system,
    or receives its webhooks (``properties.webhook: true`` or ``authn: hmac``), is a
    counterpart, not a vendor whose console the team signs in to.
    """
    calls = [
        f for f in model.graph.flows_in(component.id)
        if model.components[f.source].kind not in OUTSIDE_KINDS
        and flow_prop(f, "webhook") is not True
        and not (f.authn is not None and f.authn.value == "hmac")
    ]
    found = at_least(assets(model, [d for f in calls for d in f.data]),
                     Classification.CONFIDENTIAL)
    return sorted(a.id for a in found)


def _vendors(model: Model) -> frozenset[str]:
    return model.graph.memo(("sensitive-vendors",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in VENDOR_KINDS and _exchanged(model, c)
    ))


SENSITIVE_VENDORS = ElementSet(
    "sensitive-vendors", "external services the system's own components send confidential or "
    "restricted data to (webhook deliveries excepted)", _vendors,
)


@rule(RuleMeta(
    id="third-party-console-without-mfa",
    title="The team's accounts on {element}'s console sign in without MFA",
    description="A vendor's dashboard (a payment provider's merchant dashboard, a CRM or "
    "analytics console) shows the data the system sends it and can create API keys, refund, "
    "export or redirect webhooks: one phished or reused password of a team member there "
    "bypasses every control of the system itself.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S, E, INFO), cwe=(308,),
    capec=(560,), kinds=VENDOR_KINDS, among=SENSITIVE_VENDORS, domain=DOMAIN,
    mitigations=(
        "Sign in to the vendor's console through the company SSO with phishing-resistant MFA, "
        "or require the vendor's own MFA for every user; remove leavers and shared logins.",
        "Give team members the least console role they need (view-only by default) and review "
        "the console's user list and audit log every quarter.",
    ),
    detection="An external service that one of the system's own components sends confidential "
    "or restricted data to (not as a webhook delivery: `properties.webhook: true` or "
    "`authn: hmac` on the flow). An applicable threat until `properties.console_mfa` is "
    "stated; `false` fires.",
    references=(
        "https://cheatsheetseries.owasp.org/cheatsheets/Multifactor_Authentication_Cheat_Sheet."
        "html",
        "https://docs.stripe.com/get-started/account/teams",
    ),
    asks=(Ask(
        "Do the team's accounts on {element}'s dashboard or admin console require MFA (or "
        "sign in through SSO that does)?",
        (AskFact("properties.console_mfa", confirms=("false",), rules_out=("true",)),),
        threat="A stolen password for {element}'s console may expose the data it holds and "
        "let someone create keys or change its settings",
    ),),
))
def third_party_console_without_mfa(component: Component, model: Model) -> Verdict:
    """A vendor holding sensitive data whose console accounts may lack MFA."""
    data = _exchanged(model, component)
    if not data:
        return Skip("the system sends it no confidential or restricted data")
    value = component.prop("console_mfa")
    why = ("a third party the system sends " + ", ".join(f"'{d}'" for d in data),)
    if value is None:
        return Unknown(("properties.console_mfa",), why=why, data=tuple(data))
    if value is True:
        return RuledOut(("properties.console_mfa: true",))
    return Fire((*why, "properties.console_mfa: false"), data=tuple(data))


RULES: tuple[Rule, ...] = (third_party_console_without_mfa,)
