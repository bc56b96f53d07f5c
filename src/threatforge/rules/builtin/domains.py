"""Domain, DNS and certificate takeover of the system's public entry points.

A *public entry point* is one of the system's own processes or edge components (a service,
function, gateway, load balancer or CDN) that the internet reaches by a name: it states
``exposure: public`` or an untrusted party has a flow to it, it receives HTTP (or has no flow
in at all), and no public component of the system fronts it (the name points at the front).
Its hostname lives in a DNS zone, under a domain held at a registrar, and is served with a
certificate: whoever controls one of them serves the system's name. These rules report
applicable threats with the question that decides each (``properties.*`` keys of
``docs/rules/domain-properties.md``) and fire once the weak value is stated. The registrar
account, the DNS zone and the way certificates are renewed are practices of the domain, not of
one name: each is asked once, on the first public entry point, with the others named in why.
"""

from __future__ import annotations

from threatforge.model import Component, Exposure, Model
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    OUTSIDE_KINDS,
    PROCESS_KINDS,
    D,
    E,
    S,
    T,
    decide_fact,
    untrusted_party,
)
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

__all__ = ["RULES", "public_entry_points"]

DOMAIN = "domains"
ENTRY_KINDS = PROCESS_KINDS | EDGE_KINDS
HTTP = frozenset({"http", "https", "h2", "ws", "wss", "grpc"})
_NOT_ENTRY = Skip("not a public entry point of the system (see the rule's detection)")


def _entry_words(model: Model, component: Component) -> str:
    """Why the component is a public entry point, in words ("" when it is not)."""
    if component.kind not in ENTRY_KINDS:
        return ""
    inbound = model.graph.flows_in(component.id)
    fronted = [
        f.source for f in inbound
        if model.components[f.source].kind not in OUTSIDE_KINDS
        and model.components[f.source].exposure is Exposure.PUBLIC
    ]
    if fronted:
        return ""
    if inbound and not any((f.protocol or "") in HTTP for f in inbound):
        return ""
    callers = sorted({f.source for f in inbound if untrusted_party(model, f.source)})
    if callers:
        return "reached from the internet by " + ", ".join(f"'{c}'" for c in callers)
    if component.exposure is Exposure.PUBLIC:
        return "exposure: public"
    return ""


def _entries(model: Model) -> frozenset[str]:
    return model.graph.memo(("public-entry-points",), lambda: frozenset(
        cid for cid, c in model.components.items() if _entry_words(model, c)
    ))


def public_entry_points(model: Model) -> list[str]:
    """The public entry points of the model, in model order."""
    entries = _entries(model)
    return [cid for cid in model.components if cid in entries]


PUBLIC_ENTRY_POINTS = ElementSet(
    "public-entry-points", "the system's own processes and edge components that the internet "
    "reaches by name, not fronted by another public component (see "
    "threatforge.rules.builtin.domains)",
    _entries,
)


def _once_per_domain(model: Model, component: Component, key: str, what: str) -> Verdict:
    """A practice of the whole domain (its DNS zone, how its certificates are renewed): the
    fact decides on every public entry point that states it, and is asked only on the first
    one, whose question names the others."""
    entry = _entry_words(model, component)
    if not entry:
        return _NOT_ENTRY
    entries = public_entry_points(model)
    if component.prop(key) is None and component.id != entries[0]:
        return Skip(f"{what} are asked once, on the first public entry point '{entries[0]}'")
    why = [entry]
    others = [e for e in entries if e != component.id]
    if component.id == entries[0] and others:
        why.append("the system's other public entry points: "
                   + ", ".join(f"'{o}'" for o in others))
    return decide_fact(component, key, tuple(why))


@rule(RuleMeta(
    id="dns-dangling-record",
    title="{element}'s DNS records may outlive the resources they point at (subdomain takeover)",
    description="A CNAME or alias left pointing at a deleted cloud resource (a bucket, an app, "
    "a CDN distribution, a load balancer) lets anyone who claims that resource name serve "
    "content on the system's hostname, with a valid certificate, reading cookies scoped to the "
    "parent domain and passing CSP, CORS and OAuth redirect allow-lists.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(S, T), cwe=(672,),
    capec=(89,), kinds=ENTRY_KINDS, among=PUBLIC_ENTRY_POINTS, domain=DOMAIN,
    mitigations=(
        "Manage DNS records in the same infrastructure code as the resources they point at, so "
        "deleting the resource deletes the record; prefer alias records to cloud resources over "
        "CNAMEs to provider hostnames.",
        "Scan the zones for dangling records on a schedule (and before deleting any resource), "
        "and scope cookies to the exact host rather than the parent domain.",
    ),
    detection="A public entry point (see the module) stating `properties.dns_records_managed`: "
    "`false` fires, `true` rules the threat out. Where no entry point states it, the first "
    "public entry point of the model is asked (the DNS zone is managed once for the domain; "
    "the question names the other entry points).",
    references=(
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_"
        "Security_Testing/02-Configuration_and_Deployment_Management_Testing/"
        "10-Test_for_Subdomain_Takeover",
        "https://learn.microsoft.com/en-us/azure/security/fundamentals/subdomain-takeover",
    ),
    asks=(Ask(
        "Are the DNS records of {element} (and of the system's other public names) created "
        "and deleted with the resources they point at, and checked for dangling records?",
        (AskFact("properties.dns_records_managed", confirms=("false",), rules_out=("true",)),),
        threat="A dangling DNS record of {element} may let someone else serve its hostname",
    ),),
))
def dns_dangling_record(component: Component, model: Model) -> Verdict:
    """A public entry point whose DNS records are not tied to their resources."""
    return _once_per_domain(model, component, "dns_records_managed", "the domain's DNS records")


@rule(RuleMeta(
    id="tls-certificate-expiry",
    title="{element}'s TLS certificate is renewed by hand",
    description="A certificate renewed by hand expires sooner or later: the entry point goes "
    "down for every client, and users and integrations learn to click through or disable "
    "certificate checks, which a later interception relies on.",
    target=Target.COMPONENT, likelihood=2, impact=2, stride=(D, S), cwe=(324,),
    kinds=ENTRY_KINDS, among=PUBLIC_ENTRY_POINTS, domain=DOMAIN,
    mitigations=(
        "Issue the certificate from a managed service that renews it automatically (AWS "
        "Certificate Manager, Let's Encrypt with ACME, the CDN's managed certificates).",
        "Alert on certificates expiring within 30 days, from outside the system.",
    ),
    detection="A public entry point (see the module) stating "
    "`properties.certificate_auto_renewal`: `false` fires, `true` rules the threat out. Where "
    "no entry point states it, the first public entry point of the model is asked (the "
    "question names the other entry points).",
    references=(
        "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
    ),
    asks=(Ask(
        "Is the TLS certificate of {element} (and of the system's other public names) renewed "
        "automatically (ACM, ACME, a managed CDN certificate)?",
        (AskFact("properties.certificate_auto_renewal", confirms=("false",),
                 rules_out=("true",)),),
        threat="An expired certificate may take {element} down or teach users to click "
        "through warnings",
    ),),
))
def tls_certificate_expiry(component: Component, model: Model) -> Verdict:
    """A public entry point whose certificate is renewed by hand."""
    return _once_per_domain(model, component, "certificate_auto_renewal",
                            "the certificates' renewal")


@rule(RuleMeta(
    id="domain-registrar-account-takeover",
    title="The registrar and DNS accounts of {element}'s domain accept a password alone",
    description="Whoever signs in to the registrar or the DNS hosting account can point the "
    "system's names anywhere, obtain certificates for them and read its mail: every public "
    "entry point at once.",
    target=Target.COMPONENT, likelihood=2, impact=5, stride=(S, E), cwe=(308,), capec=(89,),
    kinds=ENTRY_KINDS, among=PUBLIC_ENTRY_POINTS, domain=DOMAIN,
    mitigations=(
        "Require phishing-resistant MFA (hardware keys) on the registrar and DNS hosting "
        "accounts, limit who holds them, and turn on the registry lock for the domain.",
        "Publish CAA records naming the CAs the team uses, and monitor Certificate "
        "Transparency logs for certificates issued for the domain.",
    ),
    detection="The first public entry point of the model (see the module); the registrar "
    "account is one per domain, so the others are not asked. An applicable threat until "
    "`properties.registrar_mfa` is stated; `false` fires.",
    references=(
        "https://www.cisa.gov/news-events/directives/ed-19-01-mitigate-dns-infrastructure-"
        "tampering",
    ),
    asks=(Ask(
        "Do the registrar and DNS hosting accounts of {element}'s domain require MFA, with a "
        "registry lock on the domain?",
        (AskFact("properties.registrar_mfa", confirms=("false",), rules_out=("true",)),),
        threat="A takeover of the registrar or DNS account may redirect {element} and every "
        "other name of the domain",
    ),),
))
def domain_registrar_account_takeover(component: Component, model: Model) -> Verdict:
    """The first public entry point: the domain's registrar and DNS accounts."""
    entries = public_entry_points(model)
    if component.id not in entries:
        return _NOT_ENTRY
    if component.id != entries[0]:
        return Skip(f"the domain's accounts are asked on the first public entry point, "
                    f"'{entries[0]}'")
    others = entries[1:]
    why = [_entry_words(model, component)]
    if others:
        why.append("the system's other public entry points: "
                   + ", ".join(f"'{o}'" for o in others))
    return decide_fact(component, "registrar_mfa", tuple(why))


RULES: tuple[Rule, ...] = (
    dns_dangling_record,
    tls_certificate_expiry,
    domain_registrar_account_takeover,
)
