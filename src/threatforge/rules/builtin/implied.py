"""What can go wrong on the implied surfaces that no other rule asks about.

Components imply elements a model rarely draws (:mod:`threatforge.analysis.implied`, the
``surfaces:`` section of the technology catalogue): a payment provider its merchant dashboard, a
public entry point its domain, DNS records and certificate, staff their laptops and the
corporate network. Where a rule elsewhere already asks about one of them (the vendor console's
MFA, the account key's scope, the registrar account, dangling records, the CI runners) the
implied element links to its threats; the rules here ask the rest. Each sits on the component
that implies the surface, names the surface, and reports an applicable threat with the question
that decides it (``properties.*`` keys of ``docs/rules/implied-properties.md``); stating the
weak value turns it into the finding with the same fingerprint.
"""

from __future__ import annotations

from threatforge.analysis.implied import IMPLIED_SEPARATOR, implying
from threatforge.model import Component, ComponentKind, Model
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    OUTSIDE_KINDS,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    E,
    S,
    T,
    decide_fact,
)
from threatforge.rules.builtin.domains import public_entry_points
from threatforge.rules.interface import (
    Ask,
    AskFact,
    ElementSet,
    Rule,
    RuleMeta,
    Skip,
    Target,
    Verdict,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "implied"

MERCHANT_DASHBOARD = ElementSet(
    "implies-merchant-dashboard", "components that imply a merchant dashboard (a payment "
    "provider the system sends payment data to: the surfaces: section of technologies.yaml)",
    lambda model: implying(model, "merchant-dashboard"),
)
PUBLIC_DOMAIN = ElementSet(
    "implies-public-domain", "components that imply a domain, DNS records and a TLS "
    "certificate (a public entry point: the surfaces: section of technologies.yaml)",
    lambda model: implying(model, "public-domain"),
)
STAFF_DEVICES = ElementSet(
    "implies-staff-devices", "people in a corporate zone, who imply staff laptops and the "
    "corporate network (the surfaces: section of technologies.yaml)",
    lambda model: implying(model, "staff-devices"),
)


def _surface(component: Component, surface: str) -> str:
    """The implied element's id, in the words of a threat's why."""
    return f"implies '{component.id}{IMPLIED_SEPARATOR}{surface}'"


def _not_implying(model: Model, component: Component, surface: str) -> Skip | None:
    """A skip when the component does not imply ``surface`` (the rule's scope, checked again so
    a run without scopes gives the same verdicts)."""
    if component.id in implying(model, surface):
        return None
    return Skip(f"implies no {surface} (see the surfaces: section of technologies.yaml)")


def _reached(model: Model, component: Component) -> list[str]:
    """The system's own processes and edges the person has a flow into, by id."""
    return sorted({
        f.target for f in model.graph.flows_out(component.id)
        if model.components[f.target].kind in PROCESS_KINDS | EDGE_KINDS
        and model.components[f.target].kind not in OUTSIDE_KINDS
    })


@rule(RuleMeta(
    id="psp-payout-details-change",
    title="Payout bank details on {element}'s merchant dashboard change without a second "
    "approval",
    description="Whoever signs in to a payment provider's merchant dashboard (a phished "
    "team member, a leaver's account, a stolen session) can change the bank account payouts go "
    "to: the next settlement goes to them, and nobody notices until the books do not balance.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T, E), cwe=(654,), capec=(560,),
    attack=("T1078",), kinds=frozenset({ComponentKind.EXTERNAL_SERVICE}),
    among=MERCHANT_DASHBOARD, domain=DOMAIN,
    mitigations=(
        "Require a second administrator's approval (or the provider's verified change process) "
        "for changes to payout bank accounts, and a delay before a new account receives funds.",
        "Send every payout-detail change to a shared finance mailbox and reconcile payouts "
        "against the expected account daily.",
    ),
    detection="A component that implies a merchant dashboard (an external service the system "
    "sends payment card or financial data to). An applicable threat until "
    "`properties.payout_change_approval` is stated; `false` fires.",
    references=("https://docs.stripe.com/get-started/account/teams/roles",),
    asks=(Ask(
        "Does changing the payout bank details on {element}'s merchant dashboard need a second "
        "person's approval (and notify finance)?",
        (AskFact("properties.payout_change_approval", confirms=("false",),
                 rules_out=("true",)),),
        threat="Someone signed in to {element}'s merchant dashboard may redirect payouts to "
        "their own bank account",
    ),),
))
def psp_payout_details_change(component: Component, model: Model) -> Verdict:
    """A payment provider whose payout details one dashboard account can change."""
    if (skip := _not_implying(model, component, "merchant-dashboard")) is not None:
        return skip
    return decide_fact(component, "payout_change_approval",
                   (_surface(component, "merchant-dashboard"),))


def _asked_on(model: Model) -> str:
    """Where the domain's certificate issuance is asked: the public entry point (else the
    component implying a domain) first by id, so no reordering of the model moves it."""
    names = implying(model, "public-domain")
    entries = names & frozenset(public_entry_points(model))
    return min(entries or names)


@rule(RuleMeta(
    id="certificate-misissuance",
    title="Anyone who passes a CA's domain check can get a certificate for {element}'s name",
    description="A certificate authority issues a certificate to whoever passes its domain "
    "validation: a hijacked DNS record, a BGP hijack or a careless CA is enough. Without CAA "
    "records naming the CAs the team uses, and without watching Certificate Transparency logs, "
    "a certificate for the system's name goes unnoticed while it is used to intercept clients.",
    target=Target.COMPONENT, likelihood=1, impact=4, stride=(S,), cwe=(295,), capec=(459,),
    attack=("T1587.003",), among=PUBLIC_DOMAIN, domain=DOMAIN,
    mitigations=(
        "Publish CAA records for the domain naming only the CAs the team uses (with the "
        "iodef contact), and sign the zone with DNSSEC where the registrar supports it.",
        "Monitor Certificate Transparency logs for certificates issued for the domain (AWS "
        "Certificate Manager, Cloudflare, crt.sh alerts) and revoke unknown ones.",
    ),
    detection="One component that implies a domain, DNS records and certificate (it states "
    "`exposure: public`, or its technology is an internet-facing web server): the public "
    "entry point first by id, else the first such component by id; CAA records and CT "
    "monitoring are set per domain, so the others are not asked. "
    "An applicable threat until `properties.certificate_issuance_monitored` is stated; "
    "`false` fires.",
    references=(
        "https://www.rfc-editor.org/rfc/rfc8659",
        "https://certificate.transparency.dev/",
    ),
    asks=(Ask(
        "Do CAA records limit which CAs may issue certificates for {element}'s name, and are "
        "Certificate Transparency logs watched for it?",
        (AskFact("properties.certificate_issuance_monitored", confirms=("false",),
                 rules_out=("true",)),),
        threat="A certificate mis-issued for {element}'s name may let someone impersonate it",
    ),),
))
def certificate_misissuance(component: Component, model: Model) -> Verdict:
    """The first component implying a public domain: the domain's CAA records and CT logs."""
    if (skip := _not_implying(model, component, "public-domain")) is not None:
        return skip
    first = _asked_on(model)
    if component.id != first:
        return Skip(f"the domain's certificate issuance is asked on '{first}'")
    why = [_surface(component, "public-domain")]
    others = sorted(implying(model, "public-domain") - {first})
    if others:
        why.append("the system's other public names: " + ", ".join(f"'{n}'" for n in others))
    return decide_fact(component, "certificate_issuance_monitored", tuple(why))


@rule(RuleMeta(
    id="staff-account-phishing",
    title="{element}'s accounts can be phished (no phishing-resistant MFA)",
    description="Staff sign in to the corporate identity provider and, through it, to the "
    "back office and the consoles. Passwords and one-time codes are phished in real time "
    "(adversary-in-the-middle kits, MFA fatigue): the attacker then acts with the person's "
    "access, from the corporate network or anywhere the SSO session works.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(1390, 308),
    capec=(98,), attack=("T1566", "T1078"), kinds=PEOPLE_KINDS, among=STAFF_DEVICES,
    domain=DOMAIN,
    mitigations=(
        "Require phishing-resistant MFA (FIDO2 security keys or passkeys) for staff single "
        "sign-on, and turn off SMS, voice and push approvals.",
        "Bind sessions to managed devices and re-authenticate for sensitive actions.",
    ),
    detection="A person (actor or client) in a corporate zone, who implies staff laptops and "
    "the corporate network. An applicable threat until `properties.phishing_resistant_mfa` is "
    "stated; `false` fires.",
    references=(
        "https://www.cisa.gov/sites/default/files/publications/fact-sheet-implementing-"
        "phishing-resistant-mfa-508c.pdf",
        "https://attack.mitre.org/techniques/T1566/",
    ),
    asks=(Ask(
        "Do {element} sign in with phishing-resistant MFA (security keys or passkeys)?",
        (AskFact("properties.phishing_resistant_mfa", confirms=("false",),
                 rules_out=("true",)),),
        threat="Staff account phishing: whoever phishes {element} may act with their access",
    ),),
))
def staff_account_phishing(component: Component, model: Model) -> Verdict:
    """Staff whose single sign-on can be phished."""
    if (skip := _not_implying(model, component, "staff-devices")) is not None:
        return skip
    why = [_surface(component, "staff-devices")]
    reached = _reached(model, component)
    if reached:
        why.append("they reach " + ", ".join(f"'{r}'" for r in reached))
    return decide_fact(component, "phishing_resistant_mfa", tuple(why))


@rule(RuleMeta(
    id="staff-laptop-malware",
    title="Malware on a laptop of {element} reaches what they reach",
    description="A staff laptop runs mail, a browser and whatever gets installed: malware "
    "there (a poisoned download, a malicious extension, an infostealer) holds the person's "
    "sessions and network access, and reaches the back office from inside the corporate "
    "network without any further login.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S, E, T), cwe=(1188,),
    capec=(549,), attack=("T1204", "T1539"), kinds=PEOPLE_KINDS, among=STAFF_DEVICES,
    domain=DOMAIN,
    mitigations=(
        "Manage every staff device (EDR, full-disk encryption, automatic patching, no local "
        "admin) and let only managed, healthy devices reach internal tools (device trust in "
        "the SSO or an access proxy).",
        "Keep browser extensions to an allow-list and session lifetimes short for back-office "
        "tools.",
    ),
    detection="A person (actor or client) in a corporate zone, who implies staff laptops and "
    "the corporate network. An applicable threat until `properties.managed_devices` is stated; "
    "`false` fires.",
    references=(
        "https://attack.mitre.org/techniques/T1204/",
        "https://www.ncsc.gov.uk/collection/device-security-guidance",
    ),
    asks=(Ask(
        "Do {element} work only from managed devices (EDR, disk encryption, patching) that "
        "internal tools check before they let them in?",
        (AskFact("properties.managed_devices", confirms=("false",), rules_out=("true",)),),
        threat="Malware on a staff laptop of {element} may reach whatever they reach",
    ),),
))
def staff_laptop_malware(component: Component, model: Model) -> Verdict:
    """Staff devices that nothing manages or checks."""
    if (skip := _not_implying(model, component, "staff-devices")) is not None:
        return skip
    why = [_surface(component, "staff-devices")]
    reached = _reached(model, component)
    if reached:
        why.append("they reach " + ", ".join(f"'{r}'" for r in reached))
    return decide_fact(component, "managed_devices", tuple(why))


RULES: tuple[Rule, ...] = (
    psp_payout_details_change,
    certificate_misissuance,
    staff_account_phishing,
    staff_laptop_malware,
)
