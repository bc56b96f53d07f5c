"""API rules: the OWASP API Security Top 10 2023, webhooks, OAuth2/OIDC, GraphQL.

The generic rules in :mod:`stride` already ask whether an API authenticates, authorises,
validates input and throttles. The rules here ask the API-specific questions a reviewer asks
next: whether object ids in requests are checked against the caller, which object properties
are bound or returned, which tokens are accepted and for how long, what GraphQL lets one request
do, where webhooks go, and what the API trusts from the APIs it calls.

Technology facts are read from ``properties:``; every key is documented in
``docs/rules/api-properties.md``. An unstated property never makes a rule fire.
"""

from __future__ import annotations

import re

from threatforge.model import (
    Authn,
    Authz,
    Component,
    ComponentKind,
    DataAsset,
    Exposure,
    Flow,
    Model,
)
from threatforge.model.schema import Initiator
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    INFO,
    PROCESS_KINDS,
    STORE_KINDS,
    WORKLOAD_KINDS,
    D,
    E,
    S,
    T,
    authn_words,
    flow_prop,
    flow_sensitive,
    ids,
    listed,
    names,
    reach_words,
    reachable,
    sensitive_data,
    tech_ids,
    tech_is,
    whole_number,
    with_category,
    word,
)
from threatforge.rules.builtin._facts import OWASP_CHEATSHEETS as CHEATSHEETS
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    ElementSet,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Supersedes,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "api"
TOP10 = "https://owasp.org/API-Security/editions/2023/en/"
OAUTH_BCP = "https://www.rfc-editor.org/rfc/rfc9700"

API_KINDS = PROCESS_KINDS
"""Components that serve an API."""
BACKEND_KINDS = WORKLOAD_KINDS
"""API components that own objects (gateways route; the backend decides per object)."""
TOKEN_ISSUER_KINDS = PROCESS_KINDS | {ComponentKind.IDENTITY_PROVIDER}
OAUTH_CLIENT_KINDS = TOKEN_ISSUER_KINDS | {ComponentKind.CLIENT}
TOKEN_AUTHN = frozenset({Authn.JWT, Authn.OAUTH2, Authn.OIDC})
"""Caller authentication by bearer tokens, whose claims the API must check."""
COARSE_AUTHZ = frozenset({Authz.RBAC, Authz.SCOPES, Authz.ACL, Authz.IAM})
"""Authorisation models that decide per role or per client, never per object."""
FUNCTION_LEVEL_AUTHZ = frozenset({Authz.RBAC, Authz.ABAC, Authz.POLICY, Authz.SCOPES})
"""Authorisation models that can tell an administrator's function from a user's."""
NON_PRODUCTION = frozenset(
    {"dev", "development", "test", "testing", "qa", "staging", "stage", "uat", "sandbox",
     "preview", "demo"}
)
ADMIN_SEGMENTS = frozenset(
    {"admin", "administration", "internal", "management", "manage", "actuator", "debug",
     "console", "ops", "backoffice", "_admin"}
)
DEPRECATED_GRANTS = frozenset({"implicit", "password"})
MAX_ACCESS_TOKEN_TTL = 3600
"""Seconds; RFC 9700 asks for short-lived access tokens, an hour is the usual upper bound."""
MAX_PAGE_SIZE = 1000

_OBJECT_ID = re.compile(r"\{[^}/]+\}|/:[A-Za-z_]\w*|<[^>/]+>")
"""A path parameter: ``{id}`` (OpenAPI), ``:id`` (Express) or ``<id>`` (Flask)."""


# --- facts ------------------------------------------------------------------------------------


def _untrusted_callers(model: Model, component: Component) -> bool:
    """Public or partner-facing, or reachable along flows from an entry point."""
    if component.exposure in (Exposure.PUBLIC, Exposure.PARTNER):
        return True
    return reachable(model, component)


def _caller_words(model: Model, component: Component) -> str:
    """Who can call the component, in words."""
    if component.exposure in (Exposure.PUBLIC, Exposure.PARTNER):
        return f"exposure: {component.exposure.value}"
    return reach_words(model, component)


GRAPHQL_TECH = ("*graphql*", "aws.appsync*", "apollo*")


def _is_graphql(component: Component) -> bool:
    """A GraphQL API: by technology, by ``api_style``, or by serving a ``/graphql`` route."""
    if tech_is(component, GRAPHQL_TECH):
        return True
    if word(component.prop("api_style")) == "graphql":
        return True
    return any(path.rstrip("/").lower().endswith("/graphql") for path in component.routes)


def _object_id_paths(component: Component) -> list[str]:
    """The routes that take an object id from the caller."""
    return [path for path in component.routes if _OBJECT_ID.search(path)]


def _admin_paths(component: Component) -> list[str]:
    """The routes with an administrative segment (admin, internal, actuator...)."""
    found = []
    for path in component.routes:
        segments = {s.lower() for s in re.split(r"[/.]", path) if s}
        if segments & ADMIN_SEGMENTS:
            found.append(path)
    return found


def _is_webhook_flow(model: Model, flow: Flow) -> bool:
    """An outbound webhook delivery: marked on the flow, or sent by a webhook sender to a third
    party."""
    if flow_prop(flow, "webhook") is True:
        return True
    return (
        flow.source in _webhook_senders(model)
        and model.components[flow.target].kind is ComponentKind.EXTERNAL_SERVICE
        and flow.initiated_by is Initiator.SOURCE
    )


def _webhook_senders(model: Model) -> frozenset[str]:
    """Components that state ``webhook_delivery: true`` (found once per model)."""
    return model.graph.memo(("webhook-senders",), lambda: frozenset(
        cid for cid, c in model.components.items() if c.prop("webhook_delivery") is True
    ))


def _takes_object_ids(component: Component) -> bool:
    return bool(_object_id_paths(component) or _is_graphql(component)
                or component.prop("object_ids_in_requests") is True)


RESOURCE_API_STYLES = frozenset({"rest", "grpc"})
"""API styles whose requests name the resource they act on (``/accounts/{id}``, ``GetCard(id)``)."""


def _identifies_callers(model: Model, component: Component) -> str:
    """How the component tells its callers apart, in words ("" when nothing says it does): its
    own ``authn``, or an authenticating ``authn`` on a flow into it."""
    if component.authn is not None and component.authn.authenticates:
        return f"authn: {component.authn.value}"
    for flow in model.graph.flows_in(component.id):
        authn = flow.effective_authn
        if authn is not None and authn.authenticates:
            return f"callers authenticate ({authn.value} on the flow from '{flow.source}')"
    return ""


def _serves_callers_objects(model: Model, component: Component) -> list[DataAsset]:
    """The confidential data a REST or gRPC API serves to callers it identifies (empty when it
    is not one): such an API names each caller's objects (accounts, orders, invoices) by id in
    its requests, whether or not the model lists its routes."""
    if word(component.prop("api_style")) not in RESOURCE_API_STYLES:
        return []
    if component.prop("object_ids_in_requests") is False:
        return []
    if not _identifies_callers(model, component):
        return []
    return sensitive_data(model, component)


_OBJECT_DATA_CATEGORIES = ("pii", "financial", "credentials", "health", "pci")
"""Data whose fields a caller should see only in part (a profile, an account, a card)."""
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _resource_api(component: Component) -> str:
    """Why the component is an API that takes structured requests, in words ("" when nothing
    says so): its ``api_style``, a GraphQL technology, or routes."""
    style = word(component.prop("api_style"))
    if style is not None:
        return f"{style} API (properties.api_style)"
    if _is_graphql(component):
        return "GraphQL API"
    if component.routes:
        return "serves routes " + ", ".join(component.routes[:3])
    return ""


def _stores_request_data(model: Model, component: Component) -> list[str]:
    """Evidence that the API writes what callers send onto the objects it stores: write routes
    (POST, PUT, PATCH), or data it receives that it also sends on to a store of ours."""
    writes = [r for r in component.routes if r.split(" ", 1)[0].upper() in _WRITE_METHODS]
    if writes:
        return [f"write routes {', '.join(writes[:3])}"]
    graph = model.graph
    received = {a.id for f in graph.flows_in(component.id) for a in graph.flow_data(f)}
    for flow in graph.flows_out(component.id):
        store = model.components[flow.target]
        access = str(flow_prop(flow, "access") or "")
        if store.kind not in STORE_KINDS or access in ("read", "read-only"):
            continue
        kept = sorted(received & {a.id for a in graph.flow_data(flow)})
        if kept:
            return [f"stores {', '.join(kept)} it receives from callers in '{store.id}'"]
    return []


def _webhook_deliveries(model: Model) -> frozenset[str]:
    """The flows :func:`_is_webhook_flow` accepts (and those whose ends are missing)."""
    graph = model.graph
    components = model.components
    return frozenset(
        [f.id for f in graph.flows_stating("webhook") if f.properties["webhook"] is True]
        + [f.id for sender in _webhook_senders(model) for f in graph.flows_out(sender)
           if components[f.target].kind is ComponentKind.EXTERNAL_SERVICE
           and f.initiated_by is Initiator.SOURCE]
    )


def _webhook_sender_ids(model: Model) -> frozenset[str]:
    """The components :func:`_sends_webhooks` accepts."""
    graph = model.graph
    components = model.components
    return frozenset(
        [f.source for f in graph.flows_stating("webhook") if f.properties["webhook"] is True]
        + [cid for cid in graph.components_stating("webhook_delivery")
           if components[cid].prop("webhook_delivery") is True]
    )


WEBHOOK_DELIVERIES = ElementSet(
    "webhook-deliveries", "outbound webhook deliveries (see _is_webhook_flow)",
    _webhook_deliveries,
)
WEBHOOK_SENDERS = ElementSet(
    "webhook-senders", "components that deliver webhooks (see _sends_webhooks)",
    _webhook_sender_ids,
)
ADMIN_ROUTES = ElementSet(
    "admin-routes", "components that serve routes with an administrative segment",
    lambda model: frozenset(cid for cid, c in model.components.items() if _admin_paths(c)),
)
GRAPHQL_APIS = ElementSet(
    "graphql-apis", "GraphQL APIs (by technology, api_style or a /graphql route)",
    lambda model: frozenset(
        cid for cid in {
            *(cid for cid, c in model.components.items() if c.routes),
            *tech_ids(model, GRAPHQL_TECH),
            *model.graph.components_stating("api_style"),
        }
        if _is_graphql(model.components[cid])
    ),
)
TAKES_OBJECT_IDS = ElementSet(
    "takes-object-ids", "components whose routes take object ids, GraphQL APIs, and those that "
    "state object_ids_in_requests: true, and REST or gRPC APIs serving confidential data to "
    "callers they identify",
    lambda model: _taking_object_ids(model),
)


def _taking_object_ids(model: Model) -> frozenset[str]:
    # only components with routes, a GraphQL technology or these properties can take object ids
    graph = model.graph
    candidates = {
        *(cid for cid, c in model.components.items() if c.routes),
        *tech_ids(model, GRAPHQL_TECH),
        *graph.components_stating("api_style"),
        *graph.components_stating("object_ids_in_requests"),
    }
    return frozenset(
        cid for cid in candidates
        if _takes_object_ids(model.components[cid])
        or _serves_callers_objects(model, model.components[cid])
    )
THIRD_PARTY_EXCHANGE_KINDS = PROCESS_KINDS | {ComponentKind.EXTERNAL_SERVICE}
"""The ends of an exchange between a process and a third party (a flow scope)."""
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_NOT_GRAPHQL = Skip("not a GraphQL API")
_NOT_PUBLIC_OAUTH_CLIENT = Skip("not a public OAuth client")
_NO_SENSITIVE_BUSINESS_FLOWS = Skip("lists no sensitive business flows")
_FETCHES_NO_CALLER_URLS = Skip("does not fetch caller-supplied URLs")
_NOT_NON_PRODUCTION = Skip("not a non-production environment")
_DELIVERS_NO_WEBHOOKS = Skip("does not deliver webhooks")
_NO_ADMIN_ROUTES = Skip("serves no administrative routes")
_TAKES_NO_OBJECT_IDS = Skip("takes no object ids from callers")
_NO_BEARER_TOKENS = Skip("does not authenticate callers with bearer tokens")
_NOT_THIRD_PARTY_EXCHANGE = Skip("not an exchange between a process and a third party")
_NOT_WEBHOOK_DELIVERY = Skip("not an outbound webhook delivery")
_NOT_WEBHOOK_OR_CALLBACK = Skip("not a webhook or callback")


def _sends_webhooks(model: Model, component: Component) -> bool:
    """Delivers webhooks: says so, or has an outbound flow marked as a webhook."""
    if component.prop("webhook_delivery") is True:
        return True
    return any(flow_prop(f, "webhook") is True for f in model.graph.flows_out(component.id))


def _egress_guard(component: Component) -> list[str]:
    """The outbound-request protections the component states."""
    return [key for key in ("egress_allowlist", "egress_proxy", "blocks_private_ips")
            if component.prop(key) is True]


# --- API1: broken object level authorisation ------------------------------------------------


@rule(RuleMeta(
    id="api-bola-coarse-authz",
    title="{element} takes object ids from callers but authorises only per role or client",
    description="The API reads object identifiers from the request (path parameters, GraphQL "
    "arguments) but its authorisation decides per role, scope or client, never whether this "
    "caller may touch this object. Any authenticated caller can read or change other tenants' "
    "objects by changing an id (broken object level authorisation, the most exploited API flaw).",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(E, INFO, T), cwe=(639, 285),
    capec=(122,), asvs=("V4.2.1",), api_top10=("API1:2023",), attack=("T1190",),
    kinds=BACKEND_KINDS, domain=DOMAIN, compliance=("pci-dss-4.0:6.2.4",),
    among=TAKES_OBJECT_IDS,
    mitigations=(
        "Check ownership of every object id in the handler or data layer: load the object with "
        "the caller's tenant in the query (`WHERE id = :id AND owner_id = :caller`), or ask a "
        "policy engine (OPA, Cedar/Amazon Verified Permissions) with the object as resource; then "
        "declare `authz: object-level`.",
        "For GraphQL, enforce the check in every resolver that loads an object by id (or in the "
        "data loader), not only on the top-level query.",
        "Prefer random, unguessable ids (UUIDv4) as defence in depth, never as the control.",
    ),
    detection="Service or function reachable from an entry point whose `routes` contain an "
    "object id parameter (`{id}`, `:id`, `<id>`) or that serves GraphQL (or states "
    "`properties.object_ids_in_requests: true`), or a REST or gRPC API (`properties.api_style`) "
    "that identifies its callers (its `authn`, or an authenticating flow into it) and serves "
    "them confidential or restricted data (unless `object_ids_in_requests: false`), with "
    "`authz` rbac, scopes, acl, iam or none. "
    "Unknown when `authz` is not stated. Where missing-authorization reports `authz: none` (a "
    "process of sensitive data that authenticates callers), it supersedes this rule.",
    false_positives="APIs whose objects are all public or all shared by every caller; and "
    "designs that filter by tenant in the data layer but model authz as rbac — declare "
    "`authz: object-level` then.",
    references=(
        TOP10 + "0xa1-broken-object-level-authorization/",
        CHEATSHEETS + "Authorization_Cheat_Sheet.html",
    ),
    asks=(Ask(
        "Does {element} check, for every object id a caller sends, that the caller may access "
        "that object (object-level authorisation)?",
        (AskFact("authz", confirms=("rbac", "scopes"),
                 rules_out=("object-level", "abac", "policy")),),
        threat="BOLA: a caller of {element} may read or change another user's objects by "
        "changing an id",
    ),),
))
def api_bola_coarse_authz(component: Component, model: Model) -> Verdict:
    """Object ids from callers, authorisation without an object-level decision."""
    id_paths = _object_id_paths(component)
    graphql = _is_graphql(component)
    stated = component.prop("object_ids_in_requests") is True
    served = [] if (id_paths or graphql or stated) else _serves_callers_objects(model, component)
    if not (id_paths or graphql or stated or served):
        return _TAKES_NO_OBJECT_IDS
    if not _untrusted_callers(model, component):
        return PASS
    if id_paths:
        source = f"object ids in routes {', '.join(id_paths)}"
    elif graphql:
        source = "GraphQL API: queries select objects by id"
    elif stated:
        source = "properties.object_ids_in_requests: true"
    else:
        source = (f"{word(component.prop('api_style'))} API serving {names(served)} to callers "
                  f"it identifies ({_identifies_callers(model, component)})")
    if component.authz is None:
        return Unknown(("authz",), why=(source, _caller_words(model, component)),
                       data=ids(sensitive_data(model, component)))
    if component.authz not in COARSE_AUTHZ and component.authz is not Authz.NONE:
        return RuledOut((f"authz: {component.authz.value}",))
    data = sensitive_data(model, component)
    return Fire((source, f"authz: {component.authz.value}", _caller_words(model, component)),
                data=ids(data))


# --- API2: broken authentication ------------------------------------------------------------


@rule(RuleMeta(
    id="api-key-in-query-string",
    title="Credential sent in the URL query string on {element}",
    description="API keys or tokens in the query string are written to access logs, proxy and "
    "CDN logs, browser history and Referer headers, so they leak to everyone who can read those "
    "and stay valid long after.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(INFO, S), cwe=(598,),
    asvs=("V8.3.1", "V3.1.1"), api_top10=("API2:2023",), attack=("T1552",),
    domain=DOMAIN, confidence=Confidence.HIGH, compliance=("pci-dss-4.0:8.3.2",),
    properties=frozenset({"key_in_query_string"}),
    mitigations=(
        "Accept credentials only in a header (`Authorization`, or `x-api-key` for API Gateway "
        "usage plans) and reject requests that carry them in the query string.",
        "Rotate every key that was ever sent in a URL, and scrub it from existing access logs "
        "(CloudFront, ALB, API Gateway, Kong) and log archives.",
    ),
    detection="Flow with `properties.key_in_query_string: true`.",
    false_positives="Pre-signed URLs (S3, CloudFront signed URLs) carry a short-lived, "
    "single-object signature in the query by design; do not mark those flows.",
    references=(TOP10 + "0xa2-broken-authentication/",
                CHEATSHEETS + "REST_Security_Cheat_Sheet.html"),
))
def api_key_in_query_string(flow: Flow, model: Model) -> Verdict:
    """API keys or tokens in the URL query string."""
    if flow_prop(flow, "key_in_query_string") is not True:
        return PASS
    secrets = with_category(model.graph.flow_data(flow), "credentials", "secrets", "session-tokens")
    evidence = ["properties.key_in_query_string: true", f"authn: {authn_words(flow.authn)}"]
    if secrets:
        evidence.append(f"carries {names(secrets)}")
    return Fire(tuple(evidence), data=ids(secrets))


@rule(RuleMeta(
    id="api-token-audience-not-validated",
    title="{element} accepts bearer tokens without checking their audience",
    description="A resource server that verifies a token's signature but not its `aud` claim "
    "accepts tokens minted for any other API of the same issuer: a token leaked from, or "
    "legitimately held by, a low-value client works here too (token substitution).",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(287, 863),
    capec=(633,), asvs=("V3.5.3",), api_top10=("API2:2023",), attack=("T1550.001",),
    kinds=API_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    mitigations=(
        "Validate `aud` (and `iss`, `exp`, `nbf`, the algorithm allow-list) on every token: "
        "API Gateway JWT authorizers take an `audience` list, Kong's jwt/openid-connect plugins "
        "`audience_required`, Spring `JwtValidators` an audience validator.",
        "Issue audience-restricted tokens (RFC 8707 resource indicators) so each API gets its own.",
    ),
    detection="API component with `authn` jwt, oauth2 or oidc and "
    "`properties.validates_audience: false`. An applicable threat (with the question) when it "
    "is not stated on such a service or function that takes requests from untrusted callers "
    "(gateways are asked only when nothing behind them checks tokens: they route).",
    false_positives="Gateways that validate the audience before the request reaches the service; "
    "state `validates_audience: true` on the component that actually checks it.",
    references=("https://www.rfc-editor.org/rfc/rfc8725", TOP10 + "0xa2-broken-authentication/"),
    asks=(Ask(
        "Does {element} check that every bearer token it accepts was issued for it (the `aud` "
        "claim, with the issuer, expiry and signature algorithm)?",
        (AskFact("properties.validates_audience", confirms=("false",), rules_out=("true",)),),
        threat="Token substitution: {element} may accept a token issued for another API or "
        "client",
    ),),
))
def api_token_audience_not_validated(component: Component, model: Model) -> Verdict:
    """Bearer tokens accepted whatever API they were issued for."""
    authn = component.authn
    if authn is None or authn not in TOKEN_AUTHN:
        return _NO_BEARER_TOKENS
    checks = component.prop("validates_audience")
    if checks is True:
        return RuledOut(("properties.validates_audience: true",))
    if checks is None:
        if component.kind not in BACKEND_KINDS or not _untrusted_callers(model, component):
            return PASS
        return Unknown(("properties.validates_audience",),
                       why=(f"accepts bearer tokens (authn: {authn.value})",
                            _caller_words(model, component)),
                       data=ids(sensitive_data(model, component)))
    return Fire((f"authn: {authn.value}", "properties.validates_audience: false"))


@rule(RuleMeta(
    id="api-oauth-deprecated-grant",
    title="{element} allows the deprecated OAuth {detail} grant",
    description="The implicit grant returns access tokens in the URL fragment (browser history, "
    "Referer, open redirectors), and the resource owner password grant hands the user's password "
    "to the client and defeats MFA and phishing resistance. OAuth 2.1 and RFC 9700 remove both.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, INFO), cwe=(522,), capec=(593,),
    api_top10=("API2:2023",), attack=("T1528",),
    kinds=TOKEN_ISSUER_KINDS | {ComponentKind.CLIENT}, domain=DOMAIN,
    confidence=Confidence.HIGH,
    properties=frozenset({"oauth_grant_types"}),
    mitigations=(
        "Use the authorization code grant with PKCE for browser and mobile clients, and client "
        "credentials (with private_key_jwt or mTLS) for machines; disable `implicit` and "
        "`password` in the authorization server (Cognito app client `AllowedOAuthFlows`, "
        "Keycloak `implicitFlowEnabled`/`directAccessGrantsEnabled`).",
    ),
    detection="Component whose `properties.oauth_grant_types` includes `implicit` or `password`.",
    false_positives="Grants enabled only on a test client in a non-production realm; model that "
    "realm separately or accept the finding with its scope.",
    references=(OAUTH_BCP, "https://oauth.net/2.1/"),
))
def api_oauth_deprecated_grant(component: Component, model: Model) -> Verdict:
    """The implicit or resource-owner-password grant is enabled."""
    grants = [g.lower() for g in listed(component.prop("oauth_grant_types"))]
    bad = sorted(set(grants) & DEPRECATED_GRANTS)
    if not bad:
        return PASS
    return Fire((f"properties.oauth_grant_types includes {', '.join(bad)}",),
                detail=" and ".join(bad))


@rule(RuleMeta(
    id="api-oauth-public-client-without-pkce",
    title="Public OAuth client {element} uses the authorization code flow without PKCE",
    description="A public client (single-page app, mobile app) cannot keep a secret; without PKCE "
    "an authorization code intercepted through a malicious app, a redirect or a log can be "
    "exchanged for tokens by the attacker.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S,), cwe=(287,), capec=(593,),
    api_top10=("API2:2023",), attack=("T1528",),
    kinds=OAUTH_CLIENT_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"pkce_required", "pkce"}),
    mitigations=(
        "Use PKCE with `S256` on every authorization code request, and make the authorization "
        "server require it for public clients (Keycloak client policy `pkce-enforcer`, Okta "
        "`pkce_required`, Cognito public app clients with PKCE).",
    ),
    detection="Client (kind client, or `properties.oauth_client_type: public`) with "
    "`properties.pkce: false`; or identity provider with `properties.pkce_required: false` that "
    "serves public clients (a flow from a client, or `properties.public_clients: true`).",
    false_positives="Native apps that use a confidential back-end-for-frontend to redeem codes "
    "are not public clients; model the BFF as the OAuth client.",
    references=("https://www.rfc-editor.org/rfc/rfc7636", OAUTH_BCP),
))
def api_oauth_public_client_without_pkce(component: Component, model: Model) -> Verdict:
    """Authorization code flow of a public client without PKCE."""
    if component.kind is ComponentKind.IDENTITY_PROVIDER:
        if component.prop("pkce_required") is not False:
            return PASS
        clients = sorted(f.source for f in model.graph.flows_in(component.id)
                         if model.components[f.source].kind is ComponentKind.CLIENT)
        if clients:
            return Fire(("properties.pkce_required: false",
                         f"serves public clients {', '.join(clients)}"))
        if component.prop("public_clients") is True:
            return Fire(("properties.pkce_required: false", "properties.public_clients: true"))
        return PASS
    public = (component.kind is ComponentKind.CLIENT
              or word(component.prop("oauth_client_type")) == "public")
    if not public:
        return _NOT_PUBLIC_OAUTH_CLIENT
    if component.prop("pkce") is False:
        return Fire(("public OAuth client", "properties.pkce: false"))
    return PASS


@rule(RuleMeta(
    id="api-long-lived-access-token",
    title="{element} issues access tokens valid for {detail}",
    description="Bearer access tokens cannot be revoked once issued at most resource servers; a "
    "stolen token is usable until it expires, so a long lifetime turns every token leak into a "
    "long-lived breach.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(S, E), cwe=(613,), capec=(593,),
    api_top10=("API2:2023",), attack=("T1550.001",),
    kinds=TOKEN_ISSUER_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"access_token_ttl_seconds"}),
    mitigations=(
        "Keep access tokens short-lived (5 to 15 minutes, at most an hour; Cognito "
        "`AccessTokenValidity`, Keycloak `Access Token Lifespan`) and use refresh tokens with "
        "rotation for long sessions.",
        "Sender-constrain tokens (DPoP or mTLS-bound tokens, RFC 9449 / RFC 8705) where clients "
        "can support it.",
    ),
    detection=f"Component whose `properties.access_token_ttl_seconds` exceeds "
    f"{MAX_ACCESS_TOKEN_TTL}.",
    false_positives="Opaque tokens introspected on every request can be revoked at once; state a "
    "short `access_token_ttl_seconds` for them or accept the finding with that reason.",
    references=(OAUTH_BCP, CHEATSHEETS + "JSON_Web_Token_for_Java_Cheat_Sheet.html"),
))
def api_long_lived_access_token(component: Component, model: Model) -> Verdict:
    """Access token lifetime over an hour."""
    ttl = whole_number(component.prop("access_token_ttl_seconds"))
    if ttl is None or ttl <= MAX_ACCESS_TOKEN_TTL:
        return PASS
    return Fire((f"properties.access_token_ttl_seconds: {ttl} (more than "
                 f"{MAX_ACCESS_TOKEN_TTL})",), detail=_duration(ttl))


def _duration(seconds: int) -> str:
    """A token lifetime in words."""
    if seconds % 86400 == 0:
        return f"{seconds // 86400} day{'s' if seconds != 86400 else ''}"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    return f"{seconds} seconds"


@rule(RuleMeta(
    id="api-refresh-token-no-rotation",
    title="{element} issues refresh tokens that are neither rotated nor sender-constrained",
    description="A refresh token that stays valid after use lets whoever copies it mint access "
    "tokens for as long as the session lives, and the theft is never noticed; rotation makes "
    "reuse of a stolen token detectable and revokes the whole family.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S,), cwe=(613, 294), capec=(60,),
    asvs=("V3.5.1",), api_top10=("API2:2023",), attack=("T1528", "T1550.001"),
    kinds=TOKEN_ISSUER_KINDS, domain=DOMAIN,
    properties=frozenset({"refresh_token_rotation"}),
    mitigations=(
        "Enable refresh token rotation with reuse detection (Okta `Rotate token after every use`, "
        "Keycloak `Revoke Refresh Token` with max reuse 0, Auth0 rotation), or bind refresh "
        "tokens to the client (DPoP, mTLS).",
        "Give refresh tokens an absolute lifetime and revoke them on logout and password change.",
    ),
    detection="Component with `properties.refresh_token_rotation: false` and not "
    "`properties.refresh_token_sender_constrained: true`.",
    false_positives="Confidential clients that authenticate at the token endpoint: RFC 9700 "
    "requires rotation or sender-constraining only for public clients; state "
    "`refresh_token_sender_constrained: true` when the client authenticates with a key.",
    references=(OAUTH_BCP,),
))
def api_refresh_token_no_rotation(component: Component, model: Model) -> Verdict:
    """Refresh tokens reusable forever by whoever holds them."""
    if component.prop("refresh_token_rotation") is not False:
        return PASS
    if component.prop("refresh_token_sender_constrained") is True:
        return PASS
    return Fire(("properties.refresh_token_rotation: false",))


# --- API3: broken object property level authorisation ---------------------------------------


@rule(RuleMeta(
    id="api-mass-assignment",
    title="{element} binds request bodies to data objects without a field allow-list",
    description="Automatic binding of request fields onto internal objects lets a caller set "
    "properties they must not control (`isAdmin`, `price`, `ownerId`, `status`) just by adding "
    "them to the request (mass assignment).",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(915,),
    asvs=("V5.1.2",), api_top10=("API3:2023",), kinds=BACKEND_KINDS, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:6.2.4",),
    mitigations=(
        "Bind requests to dedicated input DTOs that list the writable fields (pydantic models "
        "with `extra='forbid'`, Jackson `@JsonIgnoreProperties`/`FAIL_ON_UNKNOWN_PROPERTIES`, "
        "Rails strong parameters), never to the persistence entity.",
        "Validate request bodies against an OpenAPI schema with `additionalProperties: false` "
        "at the gateway.",
    ),
    detection="API component with `properties.auto_binding: true` and not "
    "`properties.field_allowlist: true`. An applicable threat (with the question) when neither "
    "is stated on a service or function that is an API (`api_style`, GraphQL, `routes`), takes "
    "requests from untrusted callers, and writes what they send (POST, PUT or PATCH routes, or "
    "data it receives that it sends on to a datastore of ours).",
    false_positives="Binding onto read-only projections that are never persisted; state "
    "`field_allowlist: true` when the bound type holds only writable fields.",
    references=(TOP10 + "0xa3-broken-object-property-level-authorization/",
                CHEATSHEETS + "Mass_Assignment_Cheat_Sheet.html"),
    asks=(Ask(
        "Does {element} bind request bodies automatically onto the objects it stores, or only "
        "the fields each operation lets a caller write (a field allow-list, input DTOs)?",
        (AskFact("properties.auto_binding", confirms=("true",), rules_out=("false",)),
         AskFact("properties.field_allowlist", rules_out=("true",))),
        threat="Mass assignment: a caller of {element} may set fields they must not control "
        "(owner, status, price, role) by adding them to a request",
    ),),
))
def api_mass_assignment(component: Component, model: Model) -> Verdict:
    """Request fields bound onto internal objects without an allow-list."""
    binding = component.prop("auto_binding")
    if component.prop("field_allowlist") is True:
        return RuledOut(("properties.field_allowlist: true",))
    if binding is False:
        return RuledOut(("properties.auto_binding: false",))
    if binding is None:
        api = _resource_api(component)
        writes = _stores_request_data(model, component) if api else []
        if not writes or not _untrusted_callers(model, component):
            return PASS
        return Unknown(("properties.auto_binding", "properties.field_allowlist"),
                       why=(api, *writes, _caller_words(model, component)),
                       data=ids(sensitive_data(model, component)))
    if not model.graph.flows_in(component.id):
        return Skip("receives no requests")
    allowlist = component.prop("field_allowlist")
    stated = "false" if allowlist is False else "not stated"
    return Fire(("properties.auto_binding: true", f"properties.field_allowlist: {stated}"),
                confidence=Confidence.HIGH if allowlist is False else Confidence.MEDIUM)


@rule(RuleMeta(
    id="api-excessive-data-exposure",
    title="{element} returns whole objects with sensitive data and leaves filtering to clients",
    description="An API that serialises complete objects and relies on the client to show only "
    "what the user may see discloses every property to anyone who reads the raw response.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(213,), capec=(116,),
    api_top10=("API3:2023",), kinds=BACKEND_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    mitigations=(
        "Return response DTOs with an explicit list of fields per use case and caller role "
        "(e.g. pydantic response models, Jackson views, GraphQL field-level authorisation).",
        "Validate responses against the OpenAPI schema in contract tests so new entity fields "
        "never appear by accident.",
    ),
    detection="API component with `properties.returns_full_objects: true` that handles "
    "confidential or restricted data. An applicable threat (with the question) when it is not "
    "stated on a service or function that is an API (`api_style`, GraphQL, `routes`), takes "
    "requests from untrusted callers and handles personal, financial or credential data.",
    false_positives="Internal APIs whose only callers may see every field; accept the finding "
    "with that justification.",
    references=(TOP10 + "0xa3-broken-object-property-level-authorization/",),
    asks=(Ask(
        "Does {element} return whole stored objects and leave it to the client to show only "
        "what the user may see, or a response shaped per operation and caller?",
        (AskFact("properties.returns_full_objects", confirms=("true",), rules_out=("false",)),),
        threat="Excessive data exposure: {element} may return more of its objects' sensitive "
        "fields than the caller may see",
    ),),
))
def api_excessive_data_exposure(component: Component, model: Model) -> Verdict:
    """Full objects with sensitive fields returned to callers."""
    full = component.prop("returns_full_objects")
    data = sensitive_data(model, component)
    if full is False:
        return RuledOut(("properties.returns_full_objects: false",))
    if full is None:
        personal = with_category(data, *_OBJECT_DATA_CATEGORIES)
        api = _resource_api(component)
        if not (api and personal and _untrusted_callers(model, component)):
            return PASS
        return Unknown(("properties.returns_full_objects",),
                       why=(api, f"handles {names(personal)}", _caller_words(model, component)),
                       data=ids(personal))
    if not data:
        return PASS
    return Fire(("properties.returns_full_objects: true", f"handles {names(data)}"),
                data=ids(data))


# --- API4: unrestricted resource consumption ------------------------------------------------


@rule(RuleMeta(
    id="api-unbounded-page-size",
    title="{element} lets one request return an unbounded number of records",
    description="Without pagination or with a huge maximum page size, one request can make the "
    "API read and serialise whole tables: memory and database exhaustion, high bills, and bulk "
    "scraping in a few calls.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(D, INFO), cwe=(770,), capec=(130,),
    api_top10=("API4:2023",), attack=("T1499.003",),
    kinds=API_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"pagination", "max_page_size"}),
    mitigations=(
        f"Paginate every collection endpoint and cap the page size server-side (at most "
        f"{MAX_PAGE_SIZE}; `limit` parameters clamped, cursor pagination), whatever the client "
        "asks for.",
        "Set request timeouts and maximum response sizes at the gateway.",
    ),
    detection=f"API component reachable from an entry point with `properties.pagination: "
    f"false` or `properties.max_page_size` over {MAX_PAGE_SIZE}.",
    false_positives="Bulk export endpoints reserved to trusted batch clients; move them off the "
    "public API or accept the finding.",
    references=(TOP10 + "0xa4-unrestricted-resource-consumption/",),
))
def api_unbounded_page_size(component: Component, model: Model) -> Verdict:
    """Collections returned without a page-size cap."""
    evidence = []
    if component.prop("pagination") is False:
        evidence.append("properties.pagination: false")
    size = whole_number(component.prop("max_page_size"))
    if size is not None and size > MAX_PAGE_SIZE:
        evidence.append(f"properties.max_page_size: {size}")
    if not evidence:
        return PASS
    if not _untrusted_callers(model, component):
        return PASS
    return Fire((*evidence, _caller_words(model, component)))


@rule(RuleMeta(
    id="api-graphql-no-depth-limit",
    title="{element} runs GraphQL queries of any depth or cost",
    description="GraphQL lets the caller choose how deep and wide a query goes; without depth, "
    "breadth or cost limits one nested query fans out to millions of resolver calls and takes "
    "the API and its databases down.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(D,), cwe=(770, 400), capec=(130,),
    asvs=("V13.4.1",), api_top10=("API4:2023",), attack=("T1499.003",),
    kinds=API_KINDS, domain=DOMAIN, confidence=Confidence.HIGH, among=GRAPHQL_APIS,
    mitigations=(
        "Reject queries above a maximum depth (e.g. 10) and a maximum computed cost before "
        "execution (graphql-depth-limit, graphql-query-complexity, Apollo Router `limits`, "
        "AppSync query depth and resolver limits); cap list arguments (`first` <= 100).",
        "Serve only persisted (allow-listed) queries to third-party clients.",
    ),
    detection="GraphQL API where neither `properties.query_depth_limit` nor "
    "`properties.query_cost_limit` is true and at least one of them is stated false. An "
    "applicable threat (with the question) when neither is stated (nor "
    "`persisted_queries_only: true`) on a GraphQL API that takes requests from untrusted "
    "callers.",
    false_positives="Schemas without recursive relations cannot nest deeply; the cost limit still "
    "matters for wide list queries.",
    references=(CHEATSHEETS + "GraphQL_Cheat_Sheet.html",
                TOP10 + "0xa4-unrestricted-resource-consumption/"),
    asks=(Ask(
        "Does {element} reject GraphQL queries above a maximum depth or computed cost before "
        "running them?",
        (AskFact("properties.query_depth_limit", confirms=("false",), rules_out=("true",)),
         AskFact("properties.query_cost_limit", confirms=("false",), rules_out=("true",)),
         AskFact("properties.persisted_queries_only", rules_out=("true",))),
        threat="Resource exhaustion: one nested GraphQL query may take {element} and its "
        "databases down",
    ),),
))
def api_graphql_no_depth_limit(component: Component, model: Model) -> Verdict:
    """Caller-shaped GraphQL queries without a depth or cost bound."""
    if not _is_graphql(component):
        return _NOT_GRAPHQL
    depth = component.prop("query_depth_limit")
    cost = component.prop("query_cost_limit")
    for key, value in (("query_depth_limit", depth), ("query_cost_limit", cost),
                       ("persisted_queries_only", component.prop("persisted_queries_only"))):
        if value is True:
            return RuledOut((f"properties.{key}: true",))
    if depth is not False and cost is not False:
        if not _untrusted_callers(model, component):
            return PASS
        return Unknown(("properties.query_depth_limit", "properties.query_cost_limit"),
                       why=("GraphQL API: callers choose how deep and wide a query goes",
                            _caller_words(model, component)))
    evidence = [f"properties.{key}: false" for key, value
                in (("query_depth_limit", depth), ("query_cost_limit", cost)) if value is False]
    return Fire(tuple(evidence))


@rule(RuleMeta(
    id="api-graphql-batching-unlimited",
    title="{element} accepts batched GraphQL operations without a limit",
    description="Array batching and aliases let one HTTP request carry hundreds of operations: "
    "rate limits per request are bypassed, and login or OTP mutations can be brute-forced a "
    "thousand guesses at a time.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(D, S), cwe=(770, 307), capec=(112,),
    asvs=("V13.4.1", "V11.1.4"), api_top10=("API4:2023",), attack=("T1110",),
    kinds=API_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"query_batching"}),
    mitigations=(
        "Disable array batching or cap operations per request (Apollo Server "
        "`allowBatchedHttpRequests: false`, a max-aliases rule), and count every operation, "
        "not every HTTP request, against the rate limit.",
        "Never allow sensitive mutations (login, OTP, coupon redemption) inside a batch.",
    ),
    detection="GraphQL API with `properties.query_batching: true` and no positive "
    "`properties.batch_limit`.",
    false_positives="Batching used only by a first-party client behind persisted queries; state "
    "`persisted_queries_only: true` and a `batch_limit`.",
    references=(CHEATSHEETS + "GraphQL_Cheat_Sheet.html",),
))
def api_graphql_batching_unlimited(component: Component, model: Model) -> Verdict:
    """Unbounded operations per GraphQL request."""
    if not _is_graphql(component):
        return _NOT_GRAPHQL
    if component.prop("query_batching") is not True:
        return PASS
    limit = whole_number(component.prop("batch_limit"))
    if limit is not None and limit > 0:
        return PASS
    return Fire(("properties.query_batching: true",
                 f"properties.batch_limit: {limit if limit is not None else 'not stated'}"))


# --- API5: broken function level authorisation ----------------------------------------------


@rule(RuleMeta(
    id="api-admin-routes-without-function-authz",
    title="{element} serves administrative routes without function-level authorisation",
    description="Administrative or internal routes are published on the same API as user "
    "functions, and the API has no authorisation model that tells an administrator from a user: "
    "any caller who guesses the path can invoke them (broken function level authorisation).",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(E,), cwe=(285,), capec=(1,),
    asvs=("V4.1.3", "V4.2.1"), api_top10=("API5:2023",), attack=("T1190",),
    kinds=API_KINDS, domain=DOMAIN, compliance=("pci-dss-4.0:7.2.1",),
    among=ADMIN_ROUTES,
    mitigations=(
        "Serve administrative functions on a separate, internal API (its own listener, host or "
        "API Gateway stage behind a private endpoint), not on the public one.",
        "Deny by default and authorise every function by role or policy (RBAC claims checked in "
        "the handler or gateway route policies, OPA), then declare `authz: rbac` or `policy`.",
    ),
    detection="Service, function or gateway that is reachable from an entry point, has `routes` "
    "with an admin-like segment (admin, internal, management, actuator, debug, console, ops), "
    "and whose `authz` is none, acl, iam or object-level. On an exposed `admin: true` console "
    "exposed-admin-interface supersedes it.",
    false_positives="Paths that merely contain such a word but are user functions "
    "(`/orders/internal-notes`); rename them or accept the finding.",
    references=(TOP10 + "0xa5-broken-function-level-authorization/",),
    asks=(Ask(
        "How does {element} decide who may call its administrative routes: by role or policy "
        "per function, or only by authenticating the caller?",
        (AskFact("authz", confirms=("none", "acl", "iam", "object-level"),
                 rules_out=("rbac", "abac", "policy", "scopes")),),
        threat="BFLA: a user of {element} may call its administrative functions",
    ),),
))
def api_admin_routes_without_function_authz(component: Component, model: Model) -> Verdict:
    """Admin routes on a user API with no role or policy decision."""
    routes = _admin_paths(component)
    if not routes:
        return _NO_ADMIN_ROUTES
    if not _untrusted_callers(model, component):
        return PASS
    if component.authz is None:
        return Unknown(("authz",), why=(f"administrative routes {', '.join(routes)} on the "
                                        "same API as its users' routes",
                                        _caller_words(model, component)),
                       data=ids(sensitive_data(model, component)))
    if component.authz in FUNCTION_LEVEL_AUTHZ:
        return RuledOut((f"authz: {component.authz.value}",))
    return Fire((f"administrative routes {', '.join(routes)}",
                 f"authz: {component.authz.value}", _caller_words(model, component)))


# --- API6: sensitive business flows ---------------------------------------------------------


@rule(RuleMeta(
    id="api-business-flow-without-anti-automation",
    title="Sensitive business flows of {element} have no protection against automation",
    description="Flows such as checkout, sign-up, coupon redemption or booking are abused at "
    "scale by bots (scalping, fake accounts, card testing, inventory hoarding) even when each "
    "request is perfectly authorised; per-request rate limits do not see the pattern.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(D, T), cwe=(799,), capec=(212,),
    asvs=("V11.1.4",), api_top10=("API6:2023",), attack=("T1499",),
    kinds=API_KINDS, domain=DOMAIN,
    properties=frozenset({"sensitive_business_flows"}),
    mitigations=(
        "Protect the named flows with bot management (AWS WAF Bot Control and Fraud Control "
        "ATP/ACFP, device fingerprinting, CAPTCHA or proof-of-work on risk), per-account and "
        "per-card velocity limits, and business alerts on unusual volumes.",
    ),
    detection="API component reachable from an entry point that lists "
    "`properties.sensitive_business_flows` and states `properties.anti_automation: false` (and "
    "not `properties.bot_protection: true`).",
    false_positives="Flows protected by a downstream control the model does not show (e.g. the "
    "PSP's fraud screening); state `bot_protection: true` and name the control.",
    references=(TOP10 + "0xa6-unrestricted-access-to-sensitive-business-flows/",
                "https://owasp.org/www-project-automated-threats-to-web-applications/"),
))
def api_business_flow_without_anti_automation(component: Component, model: Model) -> Verdict:
    """Named business flows exposed to bots."""
    flows = listed(component.prop("sensitive_business_flows"))
    if not flows:
        return _NO_SENSITIVE_BUSINESS_FLOWS
    if component.prop("anti_automation") is not False or component.prop("bot_protection") is True:
        return PASS
    if not _untrusted_callers(model, component):
        return PASS
    return Fire((f"sensitive business flows: {', '.join(flows)}",
                 "properties.anti_automation: false", _caller_words(model, component)),
                detail=", ".join(flows))


# --- API7: server side request forgery ------------------------------------------------------


@rule(RuleMeta(
    id="api-ssrf-user-supplied-url",
    title="{element} fetches caller-supplied URLs without an egress allow-list",
    description="A component that downloads from URLs its callers choose (link previews, image "
    "imports, file fetchers) can be pointed at internal services, the cloud metadata endpoint "
    "(169.254.169.254) or localhost admin ports, turning it into the attacker's proxy inside "
    "the network.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(INFO, E), cwe=(918,), capec=(664,),
    asvs=("V12.6.1",), api_top10=("API7:2023",), attack=("T1552.005", "T1190"),
    kinds=PROCESS_KINDS, domain=DOMAIN, compliance=("pci-dss-4.0:6.2.4",),
    properties=frozenset({"fetches_user_urls", "blocks_private_ips"}),
    mitigations=(
        "Send outbound fetches through an egress proxy that allows only the needed destinations "
        "(or an allow-list of hosts), resolves names itself and refuses private, loopback and "
        "link-local addresses, including after redirects.",
        "Require IMDSv2 on EC2 (hop limit 1) and block the metadata address from pods "
        "(NetworkPolicy, EKS Pod Identity) so a missed SSRF cannot steal role credentials.",
    ),
    detection="Process with `properties.fetches_user_urls: true`, or stating "
    "`properties.blocks_private_ips: false` for its outbound requests, and none of "
    "`properties.egress_allowlist`, `egress_proxy` or `blocks_private_ips` true. Webhook senders "
    "are left to api-webhook-internal-targets, which supersedes this rule.",
    false_positives="Fetchers that already run in an isolated network with no route to internal "
    "addresses; state `egress_allowlist: true` for them.",
    references=(TOP10 + "0xa7-server-side-request-forgery/",
                CHEATSHEETS + "Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html"),
))
def api_ssrf_user_supplied_url(component: Component, model: Model) -> Verdict:
    """Caller-chosen URLs fetched with no egress control."""
    fetches = component.prop("fetches_user_urls") is True
    open_private = component.prop("blocks_private_ips") is False
    if not (fetches or open_private):
        return _FETCHES_NO_CALLER_URLS
    if _egress_guard(component):
        return PASS
    evidence = ["properties.fetches_user_urls: true"] if fetches else []
    denied = [f"properties.{key}: false" for key in
              ("egress_allowlist", "egress_proxy", "blocks_private_ips")
              if component.prop(key) is False]
    evidence += denied or ["no egress allow-list, proxy or private-address block stated"]
    if component.prop("follows_redirects") is True:
        evidence.append("properties.follows_redirects: true")
    return Fire(tuple(evidence),
                confidence=Confidence.HIGH if fetches and denied else None)


# --- API8: security misconfiguration --------------------------------------------------------


@rule(RuleMeta(
    id="api-cors-wildcard-credentials",
    title="{element} allows credentialed cross-origin requests from any origin",
    description="A CORS policy that reflects any Origin (or answers `*`) together with "
    "`Access-Control-Allow-Credentials: true` lets any website a user visits call the API with "
    "the user's cookies and read the responses.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, S), cwe=(942,), capec=(111,),
    asvs=("V14.5.3",), api_top10=("API8:2023",), attack=("T1185",),
    kinds=API_KINDS | EDGE_KINDS, domain=DOMAIN,
    confidence=Confidence.HIGH,
    properties=frozenset({"cors_allow_credentials"}),
    mitigations=(
        "Allow an explicit list of trusted origins (API Gateway `AllowOrigins`, Spring "
        "`allowedOrigins`, Kong cors plugin `origins`) and never echo the request's Origin.",
        "Use `SameSite` cookies or bearer tokens in headers for cross-origin calls.",
    ),
    detection="Component with `properties.cors_allow_credentials: true` and "
    "`properties.cors_allowed_origins` containing `*` or `properties.cors_reflect_origin: true`.",
    false_positives="APIs that never use cookies or HTTP authentication; then "
    "`cors_allow_credentials` should be false.",
    references=(TOP10 + "0xa8-security-misconfiguration/",
                "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS"),
))
def api_cors_wildcard_credentials(component: Component, model: Model) -> Verdict:
    """Any origin may make credentialed requests."""
    if component.prop("cors_allow_credentials") is not True:
        return PASS
    origins = listed(component.prop("cors_allowed_origins"))
    if "*" in origins:
        origin = "properties.cors_allowed_origins: *"
    elif component.prop("cors_reflect_origin") is True:
        origin = "properties.cors_reflect_origin: true"
    else:
        return PASS
    return Fire((origin, "properties.cors_allow_credentials: true"))


@rule(RuleMeta(
    id="api-graphql-introspection-enabled",
    title="GraphQL introspection is enabled on {element}, reachable from untrusted callers",
    description="Introspection hands every caller the full schema: every type, field, mutation "
    "and deprecated or internal operation, which maps the attack surface for BOLA, injection "
    "and mass-assignment probing in seconds.",
    target=Target.COMPONENT, likelihood=3, impact=2, stride=(INFO,), cwe=(200,), capec=(169,),
    api_top10=("API8:2023",), attack=("T1595",),
    kinds=API_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"introspection"}),
    mitigations=(
        "Disable introspection in production (Apollo `introspection: false`, graphql-java "
        "`NoIntrospectionGraphqlFieldVisibility`, AppSync `IntrospectionConfig: DISABLED`) and "
        "turn off field suggestions; publish the schema to partners through documentation.",
    ),
    detection="GraphQL API with `properties.introspection: true`, reachable from an entry "
    "point, whose `properties.environment` is not a non-production one.",
    false_positives="Public GraphQL APIs whose schema is published on purpose; accept the "
    "finding with that justification.",
    references=(CHEATSHEETS + "GraphQL_Cheat_Sheet.html",
                TOP10 + "0xa8-security-misconfiguration/"),
))
def api_graphql_introspection_enabled(component: Component, model: Model) -> Verdict:
    """The whole GraphQL schema handed to untrusted callers."""
    if not _is_graphql(component):
        return _NOT_GRAPHQL
    if component.prop("introspection") is not True:
        return PASS
    if word(component.prop("environment")) in NON_PRODUCTION:
        return PASS
    if not _untrusted_callers(model, component):
        return PASS
    return Fire(("properties.introspection: true", _caller_words(model, component)))


# --- API9: improper inventory management ----------------------------------------------------


@rule(RuleMeta(
    id="api-deprecated-version-live",
    title="{element} still serves deprecated API version(s) {detail}",
    description="Old API versions keep running without the fixes and controls of the current "
    "one (newer authorisation checks, rate limits, validation) but reach the same data; "
    "attackers look for `/v1` precisely because it is forgotten.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(E, INFO), cwe=(1059,),
    api_top10=("API9:2023",), attack=("T1190",),
    kinds=API_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:6.3.2",),
    properties=frozenset({"deprecated_versions"}),
    mitigations=(
        "Publish a sunset date (RFC 8594 `Sunset` header), migrate the remaining clients, and "
        "remove the routes and their integrations; until then apply the current version's "
        "authorisation, validation and rate limits to the old one.",
        "Keep every version in the API inventory with an owner and a retirement plan.",
    ),
    detection="API component reachable from an entry point that lists "
    "`properties.deprecated_versions`.",
    false_positives="Versions that only answer with a redirect or 410 Gone; remove them from "
    "`deprecated_versions`.",
    references=(TOP10 + "0xa9-improper-inventory-management/",
                "https://www.rfc-editor.org/rfc/rfc8594"),
))
def api_deprecated_version_live(component: Component, model: Model) -> Verdict:
    """Deprecated versions still reachable."""
    versions = listed(component.prop("deprecated_versions"))
    if not versions:
        return PASS
    if not _untrusted_callers(model, component):
        return PASS
    return Fire((f"properties.deprecated_versions: {', '.join(versions)}",
                 _caller_words(model, component)), detail=", ".join(versions))


@rule(RuleMeta(
    id="api-shadow-or-unversioned",
    title="{element} is missing from the API inventory or is unversioned",
    description="An API that is not in the inventory (no OpenAPI definition, no owner) is not "
    "tested, monitored or retired; one without versioning cannot change its security contract "
    "without breaking clients, so fixes are postponed.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(INFO, E), cwe=(1059,),
    api_top10=("API9:2023",), attack=("T1190",),
    kinds=API_KINDS, domain=DOMAIN, compliance=("pci-dss-4.0:6.3.2",),
    properties=frozenset({"in_api_inventory", "versioned"}),
    mitigations=(
        "Register the API in the inventory with its OpenAPI/GraphQL schema, owner, environment, "
        "data classification and exposure (API Gateway exports, Kong decK, Backstage catalogue), "
        "and let only catalogued routes through the gateway.",
        "Version the API in the path or a header and run one security baseline on every "
        "version.",
    ),
    detection="API component reachable from an entry point with "
    "`properties.in_api_inventory: false` or `properties.versioned: false`.",
    false_positives="Internal health or metadata endpoints that are versioned by the platform; "
    "mark them `versioned: true`.",
    references=(TOP10 + "0xa9-improper-inventory-management/",),
))
def api_shadow_or_unversioned(component: Component, model: Model) -> Verdict:
    """Uncatalogued or unversioned API reachable from outside."""
    evidence = [f"properties.{key}: false" for key in ("in_api_inventory", "versioned")
                if component.prop(key) is False]
    if not evidence:
        return PASS
    if not _untrusted_callers(model, component):
        return PASS
    return Fire((*evidence, _caller_words(model, component)))


@rule(RuleMeta(
    id="api-nonprod-with-production-data",
    title="Non-production API {element} is exposed and holds production data",
    description="Staging, test and sandbox APIs get weaker controls (debug on, shared accounts, "
    "no WAF, stale builds); when they are reachable from outside and hold real customer data "
    "they become the easiest way to it.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(1059, 668),
    api_top10=("API9:2023",), attack=("T1190",),
    kinds=API_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:6.5.5",),
    properties=frozenset({"environment"}),
    mitigations=(
        "Use synthetic or irreversibly masked data outside production (PCI DSS forbids live "
        "PANs in pre-production), and keep non-production APIs behind the corporate network or "
        "an allow-list.",
        "Give non-production environments their own accounts and identity pools so their "
        "credentials do not work in production.",
    ),
    detection="API component with `properties.environment` dev, test, qa, staging, uat, sandbox "
    "(and similar), reachable from an entry point, with `properties.production_data: true` or "
    "confidential/restricted data (unless `properties.production_data: false`).",
    false_positives="Non-production copies whose data is irreversibly masked; state "
    "`production_data: false`.",
    references=(TOP10 + "0xa9-improper-inventory-management/",),
))
def api_nonprod_with_production_data(component: Component, model: Model) -> Verdict:
    """A staging or test API exposed with real data."""
    environment = word(component.prop("environment")) or ""
    if environment not in NON_PRODUCTION:
        return _NOT_NON_PRODUCTION
    production = component.prop("production_data")
    if production is False:
        return PASS
    data = sensitive_data(model, component)
    if production is not True and not data:
        return PASS
    if not _untrusted_callers(model, component):
        return PASS
    evidence = [f"properties.environment: {environment}", _caller_words(model, component)]
    if production is True:
        evidence.append("properties.production_data: true")
    if data:
        evidence.append(f"handles {names(data)}")
    return Fire(tuple(evidence), data=ids(data))


# --- API10: unsafe consumption of APIs ------------------------------------------------------


@rule(RuleMeta(
    id="api-unsafe-third-party-consumption",
    title="Responses of third party on {element} are trusted without validation",
    description="Data returned by a third-party API is used as if it were trusted: a compromised "
    "or spoofed provider (or one that follows redirects to an attacker) can inject payloads, "
    "oversized responses or forged results straight into the system.",
    target=Target.FLOW, likelihood=3, impact=3, stride=(T, S), cwe=(20, 1357), capec=(153,),
    source_kinds=THIRD_PARTY_EXCHANGE_KINDS, target_kinds=THIRD_PARTY_EXCHANGE_KINDS,
    asvs=("V5.1.3",), api_top10=("API10:2023",), attack=("T1199",),
    domain=DOMAIN,
    properties=frozenset({"response_validation", "follows_redirects"}),
    mitigations=(
        "Validate third-party responses against a strict schema and size limit, treat them as "
        "untrusted input (parameterised queries, output encoding), and set timeouts.",
        "Do not follow redirects from third-party APIs blindly; pin the provider's host names and "
        "use TLS with certificate validation.",
    ),
    detection="Flow between a process and an external-service with "
    "`properties.response_validation: false` or `properties.follows_redirects: true`.",
    false_positives="Providers whose responses are signed and verified (e.g. signed JWT "
    "assertions); state `response_validation: true`.",
    references=(TOP10 + "0xaa-unsafe-consumption-of-apis/",),
))
def api_unsafe_third_party_consumption(flow: Flow, model: Model) -> Verdict:
    """Third-party API data consumed as trusted."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    kinds = {source.kind, target.kind}
    if ComponentKind.EXTERNAL_SERVICE not in kinds or not kinds & PROCESS_KINDS:
        return _NOT_THIRD_PARTY_EXCHANGE
    evidence = []
    if flow_prop(flow, "response_validation") is False:
        evidence.append("properties.response_validation: false")
    if flow_prop(flow, "follows_redirects") is True:
        evidence.append("properties.follows_redirects: true")
    if not evidence:
        return PASS
    third = source if source.kind is ComponentKind.EXTERNAL_SERVICE else target
    return Fire((f"third party '{third.id}'", *evidence))


# --- webhooks -------------------------------------------------------------------------------


@rule(RuleMeta(
    id="api-webhook-unsigned-delivery",
    title="Webhook delivery {element} is not signed",
    description="Receivers of unsigned webhooks cannot tell our events from forged ones: anyone "
    "who learns a receiver's URL can post fake 'shipment delivered' or 'payment settled' events "
    "to it in our name.",
    target=Target.FLOW, likelihood=3, impact=3, stride=(S, T), cwe=(345,), capec=(148,),
    api_top10=("API10:2023",), attack=("T1565",),
    domain=DOMAIN, confidence=Confidence.HIGH,
    among=WEBHOOK_DELIVERIES,
    mitigations=(
        "Sign every delivery with a per-receiver secret (HMAC-SHA256 over a timestamp and the raw "
        "body, as in the Standard Webhooks specification) or an asymmetric key, and publish how "
        "receivers verify it.",
        "Rotate signing secrets without downtime by sending two signatures during the rollover.",
    ),
    detection="Outbound webhook flow (`properties.webhook: true`, or a flow to an external-service "
    "from a component with `properties.webhook_delivery: true`) with `signed: false` and no "
    "hmac/mtls authentication. Unknown when neither `signed` nor `authn` is stated.",
    false_positives="Webhooks delivered over mTLS to a fixed partner endpoint authenticate the "
    "sender at the transport layer; state `authn: mtls`.",
    references=("https://www.standardwebhooks.com/",
                "https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/"
                "standard-webhooks.md"),
    asks=(Ask(
        "Is every webhook {element} delivers signed (HMAC over a timestamp and the body, or an "
        "asymmetric signature) so that receivers can tell it from a forged one?",
        (AskFact("signed", confirms=("false",), rules_out=("true",)),),
        threat="Webhook spoofing on {element}: the receiver may act on forged events sent in "
        "our name",
    ),),
))
def api_webhook_unsigned_delivery(flow: Flow, model: Model) -> Verdict:
    """Webhooks that receivers cannot authenticate."""
    if not _is_webhook_flow(model, flow):
        return _NOT_WEBHOOK_DELIVERY
    authn = flow.effective_authn
    if flow.signed:
        return RuledOut(("signed: true",))
    if authn in (Authn.HMAC, Authn.MTLS, Authn.CERTIFICATE):
        return RuledOut((f"authn: {authn.value}",))
    if flow.signed is None and authn is None:
        if not model.components[flow.source].ours:
            return PASS  # an inbound callback: unsigned-inbound-callback and the PSP rules ask
        return Unknown(("signed",), why=(f"delivers webhooks to '{flow.target}'",
                                         "the receiver acts on what the webhook says"),
                       data=ids(flow_sensitive(model, flow)))
    if flow.signed is None:
        return PASS
    return Fire(("outbound webhook", "signed: false",
                 f"authn: {authn_words(authn)}"))


@rule(RuleMeta(
    id="api-webhook-replayable",
    title="Signed webhook {element} carries no timestamp or nonce, so it can be replayed",
    description="A signature proves who sent a message, not when: without a signed timestamp or "
    "a nonce, a captured webhook (from a log, a proxy, a compromised receiver) can be replayed "
    "forever, repeating refunds, status changes or credits.",
    target=Target.FLOW, likelihood=2, impact=3, stride=(S, T), cwe=(294,), capec=(60,),
    api_top10=("API10:2023",), attack=("T1565",),
    domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"timestamped"}),
    mitigations=(
        "Include a timestamp (and a unique message id) in the signed content; receivers reject "
        "messages older than a few minutes and ids they have already processed.",
    ),
    detection="Signed webhook flow, outbound (see api-webhook-unsigned-delivery) or inbound "
    "(from an external-service into a process), with `properties.timestamped: false` and not "
    "`properties.nonce: true`.",
    false_positives="Idempotent events that carry a unique id receivers deduplicate on; state "
    "`nonce: true`.",
    references=("https://www.standardwebhooks.com/",),
))
def api_webhook_replayable(flow: Flow, model: Model) -> Verdict:
    """Webhook signatures without freshness."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    inbound = source.kind is ComponentKind.EXTERNAL_SERVICE and target.kind in PROCESS_KINDS
    if not (inbound or _is_webhook_flow(model, flow)):
        return _NOT_WEBHOOK_OR_CALLBACK
    if not flow.signed:
        return Skip("not signed: no signed content to carry a timestamp or nonce")
    if flow_prop(flow, "timestamped") is not False or flow_prop(flow, "nonce") is True:
        return PASS
    direction = "inbound callback" if inbound else "outbound webhook"
    return Fire((f"{direction}, signed: true", "properties.timestamped: false"))


@rule(RuleMeta(
    id="api-webhook-internal-targets",
    title="Webhook sender {element} may deliver to internal addresses",
    description="Webhook URLs are chosen by customers or partners; a sender that does not refuse "
    "private, loopback and link-local destinations (also after redirects and DNS rebinding) is "
    "an SSRF that lets them reach internal services and the cloud metadata endpoint.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, E), cwe=(918,), capec=(664,),
    asvs=("V12.6.1",), api_top10=("API7:2023",), attack=("T1552.005",),
    kinds=PROCESS_KINDS, domain=DOMAIN,
    among=WEBHOOK_SENDERS,
    mitigations=(
        "Deliver webhooks through an egress proxy (e.g. Smokescreen) in an isolated subnet with "
        "no route to internal networks, which resolves names itself and refuses private, "
        "loopback and link-local addresses on every hop.",
        "Validate URLs at subscription time (https only, public DNS names) and re-check at "
        "delivery; do not follow redirects.",
    ),
    detection="Webhook sender (`properties.webhook_delivery: true`, or an outbound flow with "
    "`properties.webhook: true`) with none of `properties.egress_allowlist`, `egress_proxy` or "
    "`blocks_private_ips` true (high confidence when `blocks_private_ips: false` is stated).",
    false_positives="Senders that only deliver to a fixed, allow-listed set of partner hosts; "
    "state `egress_allowlist: true`.",
    references=(CHEATSHEETS + "Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
                TOP10 + "0xa7-server-side-request-forgery/"),
    supersedes=(Supersedes("api-ssrf-user-supplied-url"),),
))
def api_webhook_internal_targets(component: Component, model: Model) -> Verdict:
    """Webhook sender without an internal-address guard."""
    if not _sends_webhooks(model, component):
        return _DELIVERS_NO_WEBHOOKS
    if _egress_guard(component):
        return PASS
    evidence = ["delivers webhooks to caller-registered URLs"]
    blocked = component.prop("blocks_private_ips")
    if blocked is False:
        evidence.append("properties.blocks_private_ips: false")
    else:
        evidence.append("no egress allow-list, proxy or private-address block stated")
    if component.prop("follows_redirects") is True:
        evidence.append("properties.follows_redirects: true")
    return Fire(tuple(evidence), confidence=Confidence.HIGH if blocked is False else None)


RULES: tuple[Rule, ...] = (
    api_bola_coarse_authz,
    api_key_in_query_string,
    api_token_audience_not_validated,
    api_oauth_deprecated_grant,
    api_oauth_public_client_without_pkce,
    api_long_lived_access_token,
    api_refresh_token_no_rotation,
    api_mass_assignment,
    api_excessive_data_exposure,
    api_unbounded_page_size,
    api_graphql_no_depth_limit,
    api_graphql_batching_unlimited,
    api_admin_routes_without_function_authz,
    api_business_flow_without_anti_automation,
    api_ssrf_user_supplied_url,
    api_cors_wildcard_credentials,
    api_graphql_introspection_enabled,
    api_deprecated_version_live,
    api_shadow_or_unversioned,
    api_nonprod_with_production_data,
    api_unsafe_third_party_consumption,
    api_webhook_unsigned_delivery,
    api_webhook_replayable,
    api_webhook_internal_targets,
)
"""The API rules, in the order of the OWASP API Security Top 10 2023 where they map to it."""
