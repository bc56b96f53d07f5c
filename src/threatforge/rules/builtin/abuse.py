"""Business-flow abuse: amounts a client sets, staff who misuse their access, third-party keys
that allow more than the service needs.

Each rule here reports a finding when the weak value is stated and, where its graph condition
holds and the deciding fact is not stated, an applicable threat with the question that decides
it (``RuleMeta.asks``, docs/applicable-threats.md).
"""

from __future__ import annotations

from threatforge.model import Classification, Component, ComponentKind, Flow, Model
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    INFO,
    OUTSIDE_KINDS,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    SECRET_CATEGORIES,
    E,
    S,
    T,
    at_least,
    caller_words,
    exposed,
    ids,
    names,
    staff_route,
    staff_users,
    with_category,
)
from threatforge.rules.builtin.payments import payment_partners, refund_words
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

__all__ = ["RULES", "money_moves"]

DOMAIN = "business-logic"
MONEY = ("financial", "pci.token", "pci.pan")
"""Data categories of money movements: payment instructions, refunds, balances."""
ASVS_BUSINESS = "https://owasp.org/www-project-application-security-verification-standard/"
API6 = (
    "https://owasp.org/API-Security/editions/2023/en/"
    "0xa6-unrestricted-access-to-sensitive-business-flows/"
)


def _moves_money(model: Model, component: Component) -> list[str]:
    """The money data a process of ours handles (payment instructions, refunds, balances)."""
    if component.kind not in PROCESS_KINDS:
        return []
    return [a.id for a in with_category(model.graph.data_of(component.id), *MONEY)]


# --- amount tampering -----------------------------------------------------------------------


def _client_money(model: Model, component: Component) -> list[str]:
    """Money data the component receives, not from staff, that a person (an actor or a
    client) sends: amounts a client chose, as opposed to a third party's notifications."""
    def people_send() -> frozenset[str]:
        return frozenset(
            d for f in model.flows
            if f.source in model.components
            and model.components[f.source].kind in PEOPLE_KINDS
            for d in f.data
        )

    sent = model.graph.memo(("data-people-send",), people_send)
    staff = staff_users(model)
    # what staff send (a back office's refunds) is left to the staff rules
    received = {a.id for f in model.graph.flows_in(component.id) if f.source not in staff
                for a in with_category(model.graph.flow_data(f), *MONEY)}
    return sorted(received & sent)


def money_moves(model: Model, component: Component, hops: int = 3) -> str:
    """How the component moves money, in words ("" when it does not): it issues refunds, or
    money data goes from it to a payment partner (a payment provider, scheme or bank: see
    :func:`payment_partners`) or to a payment service of ours (``properties.payment_service:
    true``) within ``hops`` flows."""
    if refund_words(component):
        return refund_words(component)
    providers = payment_partners(model)
    frontier, seen = {component.id}, {component.id}
    for _ in range(hops):
        following: set[str] = set()
        for current in frontier:
            for flow in model.graph.flows_out(current):
                if not with_category(model.graph.flow_data(flow), *MONEY):
                    continue
                if flow.target in providers:
                    return f"money data goes on to payment provider '{flow.target}'"
                if model.components[flow.target].prop("payment_service") is True:
                    return f"money data goes on to payment service '{flow.target}'"
                if flow.target not in seen and (
                    model.components[flow.target].kind not in OUTSIDE_KINDS
                ):
                    following.add(flow.target)
        seen |= following
        frontier = following
    return ""


def _amount_endpoints(model: Model) -> frozenset[str]:
    return model.graph.memo(("amount-endpoints",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS
        and ((exposed(model, c) and _client_money(model, c) and money_moves(model, c))
             or "amount_checked_server_side" in c.properties)
    ))


AMOUNT_ENDPOINTS = ElementSet(
    "amount-endpoints", "services and functions, public or one flow from an entry point, that "
    "receive money data (financial, pci.token, pci.pan) a person sends and move money (issue "
    "refunds, or pass it on to a payment provider)",
    _amount_endpoints,
)


@rule(RuleMeta(
    id="pay-amount-tampering",
    title="{element} takes payment, refund or payout amounts from the client without checking "
    "them",
    description="A client that sends the amount (or currency, or the payment a refund goes "
    "against) and a service that moves that much money on its word lets anyone refund more "
    "than was paid, pay less than the price, or refund a payment twice in pieces.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(602, 840),
    capec=(162,), asvs=("V11.1.3", "V11.1.5"), api_top10=("API6:2023",), attack=("T1565",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    among=AMOUNT_ENDPOINTS,
    mitigations=(
        "Recompute the amount server-side from the order or the captured payment; for refunds "
        "check amount + already refunded <= captured, in the same currency, in one transaction "
        "on the ledger row.",
        "Never take prices, totals or refund limits from the client; sign server-issued "
        "amounts if a client must carry them.",
    ),
    detection="Service or function, public or one flow from an entry point, that receives "
    "`financial`, `pci.token` or `pci.pan` data a person (actor or client) sends and moves "
    "money (a refund endpoint, or the money data reaches a payment provider within three "
    "flows), with "
    "`properties.amount_checked_server_side: false`. An applicable threat when not stated.",
    references=(API6, ASVS_BUSINESS),
    asks=(Ask(
        "Does {element} check every amount it is sent (price, refund, payout) server-side "
        "against the order or the captured payment?",
        (AskFact("properties.amount_checked_server_side", confirms=("false",),
                 rules_out=("true",)),),
        threat="Amount tampering through {element}: a client may set the refund, payment or "
        "payout amount",
    ),),
))
def pay_amount_tampering(component: Component, model: Model) -> Verdict:
    """Money moved on the client's word."""
    money = _moves_money(model, component)
    if not money:
        return Skip("handles no money data")
    if component.id not in _amount_endpoints(model):
        return Skip("takes no money data from a client from outside its trust, or moves none")
    checked = component.prop("amount_checked_server_side")
    if checked is True:
        return RuledOut(("properties.amount_checked_server_side: true",))
    callers = caller_words(model, component)
    if checked is None:
        sent = _client_money(model, component)
        return Unknown(("properties.amount_checked_server_side",),
                       why=(f"receives {', '.join(sent)} that a client sends", callers,
                            money_moves(model, component)),
                       data=tuple(money))
    return Fire((f"handles {', '.join(money)}", callers or "stated",
                 "properties.amount_checked_server_side: false"), data=tuple(money))


# --- insiders -------------------------------------------------------------------------------


def _staff_facing(model: Model) -> frozenset[str]:
    def find() -> frozenset[str]:
        graph = model.graph
        return frozenset(
            cid for cid, c in model.components.items()
            if c.kind in PROCESS_KINDS and _staff_users_of(model, c)
        ) | frozenset(graph.components_stating("staff_actions_reviewed"))

    return model.graph.memo(("staff-facing",), find)


def _staff_users_of(model: Model, component: Component) -> tuple[str, ...]:
    """The staff who use the component: they have a flow into it, or reach it through
    gateways, proxies or load balancers only. An edge component that passes staff requests on
    to a process of ours is not where staff act: the process is."""
    if component.kind in EDGE_KINDS and any(
        model.components[f.target].kind in PROCESS_KINDS
        and model.components[f.target].kind not in EDGE_KINDS
        for f in model.graph.flows_out(component.id)
    ):
        return ()
    return staff_route(model, component.id, hops=3, edges_only=True)


STAFF_FACING = ElementSet(
    "staff-facing", "services, functions and gateways of ours that staff (people in a "
    "corporate zone, or that the model calls staff) use, directly or through gateways and "
    "proxies only, or that state properties.staff_actions_reviewed",
    _staff_facing,
)


@rule(RuleMeta(
    id="insider-staff-abuse",
    title="Staff can misuse {element} without per-person limits or review",
    description="Support and operations staff (or whoever holds one of their accounts) use a "
    "back office to issue refunds, change payouts or read customer data. Without per-person "
    "limits, case assignment and a review of what each person did, one insider or one phished "
    "account can refund to their own card or export customers quietly.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(E, INFO), cwe=(269, 778),
    capec=(122,), asvs=("V4.1.3", "V7.1.3"), attack=("T1078",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=STAFF_FACING,
    mitigations=(
        "Give each agent only the cases assigned to them, with per-person limits (refund "
        "amount and count per day) and a second approval above them.",
        "Log every staff action with the person, the case and the before/after values to a "
        "store they cannot change, and review outliers weekly.",
    ),
    detection="Service, function or gateway that staff (actors or clients in a corporate zone, "
    "or people the model calls staff, agents, operators or support, or who use an "
    "`admin: true` component) have a flow into, directly or through gateways and proxies only "
    "(the proxy itself is left out), that handles confidential or restricted data or money, with "
    "`properties.staff_actions_reviewed: false`. An applicable threat when not stated.",
    references=(ASVS_BUSINESS, "https://attack.mitre.org/techniques/T1078/"),
    asks=(Ask(
        "Are staff actions through {element} limited per person (assigned cases, amount "
        "limits) and reviewed afterwards?",
        (AskFact("properties.staff_actions_reviewed", confirms=("false",),
                 rules_out=("true",)),),
        threat="Support-staff abuse: an insider or a stolen staff account may misuse "
        "{element} (refunds, customer data)",
    ),),
))
def insider_staff_abuse(component: Component, model: Model) -> Verdict:
    """Staff access without limits or review."""
    staff = _staff_users_of(model, component)
    held = at_least(model.graph.data_of(component.id), Classification.CONFIDENTIAL)
    if not held:
        return Skip("handles no confidential or restricted data")
    reviewed = component.prop("staff_actions_reviewed")
    if reviewed is True:
        return RuledOut(("properties.staff_actions_reviewed: true",))
    who = f"staff reach it ({', '.join(staff)})" if staff else "staff-facing (stated)"
    if reviewed is None:
        if not staff:
            return Skip("no staff reach it")
        return Unknown(("properties.staff_actions_reviewed",),
                       why=(who, f"handles {names(held)}"), data=ids(held))
    return Fire((who, f"handles {names(held)}", "properties.staff_actions_reviewed: false"),
                data=ids(held))


# --- third-party account keys ---------------------------------------------------------------


def _keyed_third_party_calls(model: Model) -> frozenset[str]:
    def find() -> frozenset[str]:
        found = set()
        for cid, component in model.components.items():
            if component.kind is not ComponentKind.EXTERNAL_SERVICE:
                continue
            for flow in model.graph.flows_in(cid):
                if _third_party_key(model, flow) or "api_key_scope" in flow.properties:
                    found.add(flow.id)
        return frozenset(found)

    return model.graph.memo(("keyed-third-party-calls",), find)


def _third_party_key(model: Model, flow: Flow) -> list[str]:
    """Why the flow's source calls the third party with an account key: it holds credentials,
    or authenticates with an API key, and sends it money data."""
    source = model.components.get(flow.source)
    if source is None or source.kind not in PROCESS_KINDS:
        return []
    sends_money = with_category(model.graph.flow_data(flow), *MONEY)
    if not sends_money:
        return []
    keys = with_category(model.graph.data_of(source.id), *SECRET_CATEGORIES)
    if keys:
        return [f"'{source.id}' holds {names(keys)}", f"sends {names(sends_money)}"]
    if flow.authn is not None and flow.authn.value == "api-key":
        return ["authn: api-key", f"sends {names(sends_money)}"]
    return []


KEYED_THIRD_PARTY_CALLS = ElementSet(
    "keyed-third-party-calls", "flows from our process to an external service that carry money "
    "data, made with an account key (the source holds credentials, or authn: api-key)",
    _keyed_third_party_calls,
)


@rule(RuleMeta(
    id="third-party-api-key-scope",
    title="The account key used on {element} allows more than this call needs",
    description="A payment provider's (or other third party's) unrestricted secret key can do "
    "everything the merchant account can: refunds, payouts to new bank accounts, reading every "
    "customer and card token, changing webhook URLs. Whoever steals it from the service, its "
    "logs or its configuration holds the account.",
    target=Target.FLOW, likelihood=2, impact=4, stride=(E, S), cwe=(250, 272), capec=(560,),
    asvs=("V1.2.3", "V2.10.1"), attack=("T1552", "T1078.004"),
    domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=KEYED_THIRD_PARTY_CALLS,
    mitigations=(
        "Use a restricted key limited to the calls this service makes (Stripe restricted keys, "
        "Adyen API credentials with only the needed roles), one per service, IP-allow-listed "
        "where the provider supports it.",
        "Keep it in a secrets manager, rotate it, and alert on its use from elsewhere; protect "
        "the provider's dashboard accounts with MFA and SSO.",
    ),
    detection="Flow from our process to an external service carrying `financial`, `pci.token` "
    "or `pci.pan` data, where the source holds a credentials/secrets asset or the flow's authn "
    "is api-key, with `properties.api_key_scope: full`. An applicable threat when not stated "
    "and the third party is a payment partner (a payment provider, scheme or bank: an account "
    "that can refund and pay out).",
    references=("https://docs.stripe.com/keys#limit-access",
                "https://docs.adyen.com/development-resources/api-credentials/roles/"),
    asks=(Ask(
        "Is the key {element} uses restricted to the operations this service calls "
        "(`restricted`), or the account's full secret key (`full`)?",
        (AskFact("properties.api_key_scope", confirms=("full",), rules_out=("restricted",)),),
        threat="Third-party account key scope on {element}: a stolen key may allow refunds, "
        "payouts and account changes",
    ),),
))
def third_party_api_key_scope(flow: Flow, model: Model) -> Verdict:
    """An account key broader than the call."""
    if flow.id not in _keyed_third_party_calls(model):
        return Skip("not a keyed call to a third party with money data")
    why = _third_party_key(model, flow)
    scope = flow.properties.get("api_key_scope")
    if scope == "restricted":
        return RuledOut(("properties.api_key_scope: restricted",))
    if scope is None:
        if not why or flow.target not in payment_partners(model):
            # the threat (refunds, payouts with a stolen key) is asked of payment accounts
            return Skip("not a keyed call to a payment partner with money data")
        return Unknown(("properties.api_key_scope",),
                       why=(*why, f"'{flow.target}' is a third party"))
    return Fire((*why, f"properties.api_key_scope: {scope}"))


# --- exposure beyond the internet (issue 15 item 4) -----------------------------------------


def _other_zone_people(model: Model, component: Component) -> list[tuple[str, str]]:
    """(person, their zone) for each actor or client in another zone with a flow into it."""
    graph = model.graph
    own = graph.zone_of(component.id)
    found = []
    for flow in graph.flows_in(component.id):
        source = model.components[flow.source]
        if source.kind not in PEOPLE_KINDS:
            continue
        zone = graph.zone_of(source.id)
        if zone is not None and (own is None or zone.id != own.id):
            found.append((source.id, zone.id))
    return sorted(set(found))


def _reached_by_other_zones(model: Model) -> frozenset[str]:
    return model.graph.memo(("reached-by-other-zones",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS
        and not exposed(model, c) and _other_zone_people(model, c)
    ))


REACHED_BY_OTHER_ZONES = ElementSet(
    "reached-by-other-zones", "services and functions that are not exposed to the internet but "
    "that a person (actor or client) in another zone has a flow into",
    _reached_by_other_zones,
)


@rule(RuleMeta(
    id="unauthenticated-from-another-zone",
    title="{element} lets people from another zone in without authentication",
    description="A service that is private, internal or in the same network as its callers is "
    "still reached by whatever runs in their zone: a compromised laptop on the corporate "
    "network, a browser page making requests to a LAN or localhost address (DNS rebinding, "
    "cross-site requests), a neighbour workload. Without authentication, each of them has "
    "every operation it offers.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(S, E), cwe=(306,), capec=(115,),
    asvs=("V1.4.1", "V4.1.1"), attack=("T1133", "T1078"),
    kinds=PROCESS_KINDS, domain="generic", confidence=Confidence.HIGH,
    among=REACHED_BY_OTHER_ZONES,
    mitigations=(
        "Authenticate every caller (SSO/OIDC for people, mTLS or signed tokens for services), "
        "also on private networks and localhost: the network location is not an identity.",
        "For local helpers and LAN services, check the Host and Origin headers and require a "
        "per-install secret so a web page cannot drive them (DNS rebinding).",
    ),
    detection="A service or function that is not exposed to the internet but that an actor or "
    "client in another zone has a flow into, with `authn: none` (or `network`). Facts on the "
    "flows count for the call: when `authn` is not stated, one such person's flow stating "
    "`authn: none` (or `network`) fires, and every such flow stating an authenticating `authn` "
    "rules it out; otherwise an applicable threat.",
    references=("https://owasp.org/www-community/attacks/CSRF",
                "https://en.wikipedia.org/wiki/DNS_rebinding"),
    asks=(Ask(
        "How does {element} authenticate the people who reach it from other zones?",
        (AskFact("authn", confirms=("none",), rules_out=("oidc", "saml", "mtls")),),
        threat="Reachable beyond the internet: anything in the zone of {element}'s users (a "
        "compromised laptop, a web page, a neighbour) may call it unauthenticated",
    ),),
))
def unauthenticated_from_another_zone(component: Component, model: Model) -> Verdict:
    """No authentication where other zones' people reach a private service."""
    if component.kind in EDGE_KINDS:
        return Skip("a gateway, load balancer or CDN: the service behind it is asked")
    people = _other_zone_people(model, component)
    if exposed(model, component) or not people:
        return Skip("exposed to an untrusted zone, or reached by nobody from another zone")
    who = "reached by " + ", ".join(f"'{p}' (zone {z})" for p, z in people)
    if component.authn is not None:
        if component.authn.authenticates:
            return RuledOut((f"authn: {component.authn.value}",))
        return Fire((who, f"authn: {component.authn.value}"))
    flows = [f for f in model.graph.flows_in(component.id)
             if f.source in {p for p, _ in people}]
    # authentication on a flow is authentication of the call: a flow stating none is the fact
    open_flows = [f for f in flows
                  if f.effective_authn is not None and not f.effective_authn.authenticates]
    if open_flows:
        return Fire((who, *(f"flow {f.id} authn: {f.effective_authn.value}"
                            for f in open_flows if f.effective_authn is not None)))
    if flows and all(f.authn is not None and f.authn.authenticates for f in flows):
        return RuledOut(tuple(f"flow {f.id} authn: {f.authn.value}" for f in flows
                              if f.authn is not None))
    return Unknown(("authn",), why=(who, "not exposed to the internet"))


RULES: tuple[Rule, ...] = (
    pay_amount_tampering,
    insider_staff_abuse,
    third_party_api_key_scope,
    unauthenticated_from_another_zone,
)
"""The business-flow abuse rules, in the order they are documented."""
