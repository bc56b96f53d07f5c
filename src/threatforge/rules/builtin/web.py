"""Web front ends, browser sessions and person-facing sign-in: applicable threats.

Where a model shows that people use a component in a browser, or sign in to it with a password,
the threats of that surface apply even when no weakness is written down: credential stuffing on
the login, takeover through password reset, enumeration, tokens kept where a script or a log can
read them, forged JWTs, responses of one user cached for another, formula injection in the
exports staff open. Each rule here reports an applicable threat with the question that decides
it (``properties.*`` keys of ``docs/rules/web-properties.md``) and fires once the weak value is
stated.

The facts this module derives from the graph, shared with the session and CSRF rules of
:mod:`injection` and the identity rules of :mod:`identity`:

- a **browser session holder** (:func:`browser_session`): a service, function or gateway of
  ours that people reach (directly, or through a CDN, load balancer or gateway that does not
  sign them in itself) with a cookie session: ``authn: session``; SAML single sign-on (a
  browser profile); a person drawn without a device (an actor, using a browser) signing in with
  a password or OIDC; or session tokens carried on those requests without a bearer scheme;
- a workload **behind** such a holder (:func:`behind_browser_session`): an authenticating
  proxy passes the browser's requests on to it;
- a **person-facing password login** (:func:`password_login`): people sign in to the component
  with a password (``authn: password`` or ``basic``), or send it their credentials (data of
  category ``credentials``) on a cookie or unauthenticated request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from threatforge.model import Authn, Classification, Component, ComponentKind, Flow, Model
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    INFO,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    WORKLOAD_KINDS,
    E,
    S,
    T,
    at_least,
    caller_words,
    decide_fact,
    exposed,
    said,
    show,
    staff_of,
    with_category,
    word,
)
from threatforge.rules.builtin._facts import OWASP_CHEATSHEETS as CHEATSHEETS
from threatforge.rules.interface import (
    PASS,
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

__all__ = [
    "BROWSER_SESSIONS",
    "PASSWORD_LOGINS",
    "RULES",
    "behind_browser_session",
    "browser_session",
    "components_where",
        "password_login",
    "stated_password_login",
]

DOMAIN = "web"
HOLDER_KINDS = PROCESS_KINDS
"""What keeps a browser session: our services, functions and gateways (a CDN or load balancer
passes the cookie on)."""
COOKIE_SSO = frozenset({Authn.SAML})
"""Sign-in protocols that exist only in browsers: the session they open is a cookie."""
WEB_SIGN_IN = frozenset({Authn.PASSWORD, Authn.BASIC})
"""How a person in a browser signs in to a web application with a form (its session is then a
cookie). OIDC is left out: single-page apps often keep its tokens and send them as bearers."""
PASSWORDS = frozenset({Authn.PASSWORD, Authn.BASIC})
BEARER = frozenset({
    Authn.JWT, Authn.OAUTH2, Authn.API_KEY, Authn.MTLS, Authn.HMAC, Authn.IAM, Authn.SIGV4,
    Authn.CERTIFICATE, Authn.PRESIGNED_URL, Authn.SERVICE_ACCOUNT, Authn.WORKLOAD_IDENTITY,
    Authn.SSH_KEY, Authn.KERBEROS,
})
"""Schemes carried in a header or by the connection: no cookie rides along."""
TOKEN_ISSUER_OR_API = frozenset({Authn.JWT, Authn.OAUTH2, Authn.OIDC})
"""Bearer tokens a client holds and sends."""
CDN = ComponentKind.CDN
CACHE = ComponentKind.CACHE
IDP = ComponentKind.IDENTITY_PROVIDER
SECURE_TOKEN_STORAGE = ("memory", "httponly-cookie", "keychain", "keystore", "credential-manager")
EXPOSED_TOKEN_STORAGE = ("localstorage", "sessionstorage", "url", "plain-file")


# --- facts ------------------------------------------------------------------------------------


def _person_flows(model: Model, component: Component) -> Iterator[tuple[Flow, Flow | None]]:
    """Flows that bring a person's requests to the component: ``(flow, None)`` straight from a
    person, ``(flow, first)`` through an edge (``first`` is the person's flow into it)."""
    components = model.components
    for flow in model.graph.flows_in(component.id):
        source = components[flow.source]
        if source.kind in PEOPLE_KINDS:
            yield flow, None
        elif source.kind in EDGE_KINDS:
            for first in model.graph.flows_in(source.id):
                if components[first.source].kind in PEOPLE_KINDS:
                    yield flow, first


def _tokens_on(model: Model, *flows: Flow | None) -> list[str]:
    return sorted({a.id for f in flows if f is not None
                   for a in with_category(model.graph.flow_data(f), "session-tokens")})


def _direct_session(model: Model, component: Component) -> str:
    """Why the component keeps a browser session of people who reach it directly ("" if not)."""
    if component.kind not in HOLDER_KINDS or not component.ours:
        return ""
    if component.authn is Authn.SESSION:
        return "authn: session (a cookie session)"
    for flow, first in _person_flows(model, component):
        if first is not None:
            continue
        why = _session_words(model, component, flow.source, flow, flow)
        if why:
            return why
    return ""


def _session_words(model: Model, component: Component, person: str, flow: Flow,
                   carrying: Flow) -> str:
    authn = flow.effective_authn
    if authn is Authn.SESSION:
        return f"'{person}' reaches it with authn: session (a cookie session)"
    if authn in COOKIE_SSO:
        return (f"'{person}' signs in to it with SAML (browser single sign-on: its session is "
                "a cookie)")
    if authn in BEARER:
        return ""
    stated = authn or component.authn
    actor = model.components[person].kind is ComponentKind.ACTOR
    if actor and stated in WEB_SIGN_IN:
        assert stated is not None  # noqa: S101 - WEB_SIGN_IN holds no None
        return (f"'{person}' signs in to it in a browser (authn: {stated.value}: a web sign-in "
                "keeps its session in a cookie)")
    tokens = _tokens_on(model, carrying)
    if stated in (None, Authn.SESSION) and tokens and component.kind in WORKLOAD_KINDS:
        return (f"'{person}''s requests carry session tokens ({', '.join(tokens)}) without a "
                "bearer scheme (a browser cookie)")
    return ""


def browser_session(model: Model, component: Component) -> str:
    """Why the component keeps people's browser sessions, in words ("" when nothing shows it).

    A service, function or gateway of ours: ``authn: session``; people signing in to it with
    SAML, or as actors with a password; session tokens on their requests without a
    bearer scheme. Requests through a CDN, load balancer or gateway count, unless that edge keeps
    the session itself (then the component is behind it: :func:`behind_browser_session`).
    """
    return model.graph.memo(("browser-session", component.id),
                            lambda: _browser_session(model, component))


def _browser_session(model: Model, component: Component) -> str:
    direct = _direct_session(model, component)
    if direct or component.kind not in HOLDER_KINDS or not component.ours:
        return direct
    for flow, first in _person_flows(model, component):
        if first is None:
            continue
        edge = model.components[flow.source]
        if _direct_session(model, edge):
            continue
        why = _session_words(model, component, first.source, flow, first)
        if why:
            return f"{why}, through '{edge.id}'"
    return ""


def behind_browser_session(model: Model, component: Component) -> str:
    """Why a workload takes requests that ride on people's browser sessions kept by a gateway or
    proxy in front of it ("" when it does not)."""
    if component.kind not in WORKLOAD_KINDS or not component.ours:
        return ""
    for flow in model.graph.flows_in(component.id):
        front = model.components[flow.source]
        if front.kind in EDGE_KINDS and flow.effective_authn not in BEARER:
            why = browser_session(model, front)
            if why:
                return f"behind '{front.id}', which keeps people's browser sessions ({why})"
    return ""


def components_where(name: str, description: str,
                     holds: Callable[[Model, Component], object]) -> ElementSet:
    """A named set of the components for which ``holds`` is true (truthy), found once per model:
    a rule that skips every other component declares it in ``RuleMeta.among``."""
    def find(model: Model) -> frozenset[str]:
        return frozenset(cid for cid, c in model.components.items() if holds(model, c))
    return ElementSet(name, description, find)


def _sessions(model: Model) -> frozenset[str]:
    return model.graph.memo(("browser-sessions",), lambda: frozenset(
        cid for cid, c in model.components.items() if browser_session(model, c)
    ))


BROWSER_SESSIONS = ElementSet(
    "browser-sessions", "services, functions and gateways that keep people's browser sessions "
    "(see threatforge.rules.builtin.web.browser_session)",
    _sessions,
)


def password_login(model: Model, component: Component) -> str:
    """Why people sign in to the component with a password, in words ("" when nothing shows it).

    People (actors, clients) reach it, directly or through an edge, with ``authn: password`` or
    ``basic`` (on the flow, else the component), or send a service, function or identity
    provider their credentials (data of category ``credentials``) on requests that state no
    authentication scheme (or a session).
    """
    return model.graph.memo(("password-login", component.id),
                            lambda: _password_login(model, component, inferred=True))


def _password_login(model: Model, component: Component, *, inferred: bool) -> str:
    if component.kind not in HOLDER_KINDS | {IDP} or not component.ours:
        return ""
    for flow, first in _person_flows(model, component):
        person = (first or flow).source
        if first is not None and _direct_session(model, model.components[flow.source]):
            continue  # the edge in front signs people in
        authn = (flow.effective_authn or (first.effective_authn if first else None)
                 or component.authn)
        if authn is Authn.NONE:
            continue  # stated: no sign-in at all
        if authn in PASSWORDS:
            assert authn is not None  # noqa: S101 - PASSWORDS holds no None
            return f"'{person}' signs in to it with a password (authn: {authn.value})"
        if (not inferred or authn in BEARER or authn is Authn.SAML or authn is Authn.OIDC
                or component.kind not in WORKLOAD_KINDS | {IDP}):
            continue  # a gateway passes credentials on: the sign-in is behind it
        creds = [a.id for a in with_category(model.graph.flow_data(flow), "credentials")]
        if first is not None:
            sent = {a.id for a in model.graph.flow_data(first)}
            creds = [c for c in creds if c in sent]
        if creds:
            return f"'{person}' sends it credentials ({', '.join(creds)})"
    return ""


def stated_password_login(model: Model, component: Component) -> str:
    """Why people sign in to the component with a password that the model states (``authn:
    password`` or ``basic`` on the component or a person's flow into it), "" otherwise: not
    inferred from the credentials they send."""
    return model.graph.memo(("stated-password-login", component.id),
                            lambda: _password_login(model, component, inferred=False))


def _logins(model: Model) -> frozenset[str]:
    return model.graph.memo(("password-logins",), lambda: frozenset(
        cid for cid, c in model.components.items() if password_login(model, c)
    ))


PASSWORD_LOGINS = ElementSet(
    "password-logins", "services, functions, gateways and identity providers that people sign "
    "in to with a password (see threatforge.rules.builtin.web.password_login)",
    _logins,
)


# --- person-facing sign-in --------------------------------------------------------------------


@rule(RuleMeta(
    id="login-credential-stuffing",
    title="Credential stuffing: {element} lets callers try passwords at machine speed",
    description="A sign-in that accepts unlimited attempts lets attackers replay the billions of "
    "e-mail and password pairs leaked from other sites, and guess common passwords, until "
    "accounts open: the customer's orders, addresses, stored payment methods and balances.",
    target=Target.COMPONENT, likelihood=4, impact=3, stride=(S,), cwe=(307,), capec=(600, 49),
    asvs=("V2.2.1",), api_top10=("API2:2023",), attack=("T1110.004", "T1110.001"),
    kinds=HOLDER_KINDS, domain=DOMAIN, among=PASSWORD_LOGINS,
    mitigations=(
        "Throttle sign-in per account and per source (exponential back-off, temporary lockout "
        "after a handful of failures) and put bot protection on the login path (AWS WAF "
        "account takeover prevention (ATP) rule group, Cloudflare Bot Management, a CAPTCHA "
        "after failures).",
        "Check new and changed passwords against breach corpora (Have I Been Pwned k-anonymity "
        "API), offer passkeys or MFA, and alert on sign-in failure spikes.",
    ),
    detection="A service, function or gateway of ours that people sign in to with a password "
    "(authn password or basic on their flow, or data of category credentials on their "
    "requests). An applicable threat until `properties.brute_force_detection` is stated; "
    "`false` fires. Identity providers are judged by idp-no-brute-force-protection.",
    false_positives="Logins throttled by a component outside the model (a WAF account takeover "
    "rule group): state `brute_force_detection: true` on the login.",
    references=(
        f"{CHEATSHEETS}Credential_Stuffing_Prevention_Cheat_Sheet.html",
        "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-atp.html",
        "https://cwe.mitre.org/data/definitions/307.html",
    ),
    asks=(Ask(
        "Does {element} throttle or lock out repeated failed sign-ins (per account and per "
        "source) and stop automated login attempts?",
        (AskFact("properties.brute_force_detection", confirms=("false",), rules_out=("true",)),),
        threat="Credential stuffing on {element}: leaked passwords may be tried at machine "
        "speed until accounts open",
    ),),
))
def login_credential_stuffing(component: Component, model: Model) -> Verdict:
    """A person-facing password sign-in with no stated throttling."""
    why = password_login(model, component)
    if not why:
        return Skip("nobody signs in to it with a password")
    return decide_fact(component, "brute_force_detection", (why,), weak=False)


@rule(RuleMeta(
    id="password-reset-takeover",
    title="Account takeover through password reset on {element}",
    description="A password reset is a second way to sign in: a guessable, reusable or "
    "long-lived reset token, a reset link built from the request's Host header, or a reset that "
    "signs the user in and keeps old sessions alive hands the account to whoever gets or forges "
    "the link.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(640,), capec=(50,),
    asvs=("V2.5.1", "V2.5.2", "V2.5.4"), attack=("T1098",),
    kinds=HOLDER_KINDS, domain=DOMAIN, among=PASSWORD_LOGINS,
    mitigations=(
        "Send a random token of at least 128 bits that works once, expires within an hour, is "
        "stored hashed and is bound to the account; build the link from a configured base URL, "
        "never from the Host header.",
        "After a reset, end every other session and refresh token, notify the user on the old "
        "address, and require the second factor where one is enrolled.",
    ),
    detection="A service, function or gateway of ours that people sign in to with a password "
    "(see login-credential-stuffing). An applicable threat until "
    "`properties.reset_tokens_single_use` is stated; `false` fires. An identity provider's "
    "recovery is identity-recovery-bypasses-mfa's.",
    false_positives="Sign-ins without a self-service reset (accounts reset by an administrator "
    "only): state `reset_tokens_single_use: true` with that justification in a control.",
    references=(
        f"{CHEATSHEETS}Forgot_Password_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/640.html",
    ),
    asks=(Ask(
        "Are {element}'s password reset links random, single-use tokens that expire within an "
        "hour and end the other sessions once used?",
        (AskFact("properties.reset_tokens_single_use", confirms=("false",),
                 rules_out=("true",)),),
        threat="Account takeover through {element}'s password reset: a guessed, reused or "
        "leaked reset link signs an attacker in",
    ),),
))
def password_reset_takeover(component: Component, model: Model) -> Verdict:
    """A password sign-in (which implies a reset) with no stated safe reset tokens."""
    why = password_login(model, component)
    if not why:
        return Skip("nobody signs in to it with a password")
    return decide_fact(component, "reset_tokens_single_use", (why,), weak=False)


# --- sensitive actions ------------------------------------------------------------------------


def _moves_money(model: Model, component: Component) -> str:
    """Why the component starts payments on people's behalf ("" when nothing shows it)."""
    if component.prop("payment_service") is True:
        return said("payment_service", True)
    for flow in model.graph.flows_out(component.id):
        target = model.components[flow.target]
        if target.kind in WORKLOAD_KINDS and target.prop("payment_service") is True:
            sent = [a.id for a in with_category(model.graph.flow_data(flow), "financial")]
            if sent:
                return (f"sends {', '.join(sent)} to payment service '{target.id}'")
    return ""


def _people_send(model: Model, component: Component) -> str:
    """Who of the public sends the component requests, in words ("" when no one does)."""
    people = sorted({(first or flow).source for flow, first in _person_flows(model, component)})
    outsiders = [p for p in people if p not in staff_of(model)]
    if not outsiders:
        return ""
    return "account holders reach it (" + ", ".join(f"'{p}'" for p in outsiders) + ")"


PAYMENT_STARTERS = components_where(
    "payment-starters", "services and functions that state payment_service: true or send "
    "financial data to one that does", lambda model, c: _moves_money(model, c),
)


@rule(RuleMeta(
    id="missing-step-up-authentication",
    title="No step-up authentication for payments on {element}",
    description="A session or token is enough to move money: whoever takes over a session (a "
    "stolen token, a phished password, a device left unlocked) adds a beneficiary and pays it "
    "at once, and a second factor at login protects nothing after it.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E, S), cwe=(308,), capec=(593,),
    asvs=("V2.2.1", "V4.3.1"), attack=("T1078",), kinds=WORKLOAD_KINDS, domain=DOMAIN,
    among=PAYMENT_STARTERS,
    mitigations=(
        "Ask for a fresh second factor bound to the transaction (PSD2 strong customer "
        "authentication with dynamic linking: amount and payee shown and signed on the device) "
        "before a payment, a new beneficiary, a limit increase or a change of e-mail, phone or "
        "password.",
        "Hold first payments to new beneficiaries (cooling-off period), notify the customer out "
        "of band, and score them for fraud.",
    ),
    detection="A service or function (not administrative) that people outside the organisation "
    "reach, directly or through an edge, and that states `payment_service: true` or sends "
    "financial data to a service stating it. An applicable threat until "
    "`properties.step_up_authentication` is stated; `false` fires.",
    false_positives="Payments authorised elsewhere with the customer's own factor (a hosted PSP "
    "page with 3-D Secure): state `step_up_authentication: true`.",
    references=(
        f"{CHEATSHEETS}Transaction_Authorization_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/308.html",
    ),
    asks=(Ask(
        "Does {element} require a fresh second factor, bound to the payment, before payments, "
        "new beneficiaries and changes of the account's credentials or contact details?",
        (AskFact("properties.step_up_authentication", confirms=("false",),
                 rules_out=("true",)),),
        threat="A taken-over session on {element} may add a beneficiary and move money without "
        "a second factor",
    ),),
))
def missing_step_up_authentication(component: Component, model: Model) -> Verdict:
    """A customer-facing workload that starts payments, without stated step-up."""
    if component.admin or not component.ours:
        return Skip("an administrative or foreign component")
    money = _moves_money(model, component)
    if not money:
        return Skip("starts no payments")
    people = _people_send(model, component)
    if not people:
        return Skip("no account holder reaches it")
    return decide_fact(component, "step_up_authentication", (people, money), weak=False)


# --- tokens -----------------------------------------------------------------------------------


def _bearer_clients(model: Model, component: Component) -> tuple[str, ...]:
    """Client apps that hold bearer tokens for the component: clients whose flow into it carries
    session tokens, or authenticates with a bearer token (JWT, OAuth2, OIDC)."""
    found = set()
    for flow in model.graph.flows_in(component.id):
        source = model.components[flow.source]
        if source.kind is not ComponentKind.CLIENT:
            continue
        if flow.effective_authn in TOKEN_ISSUER_OR_API or _tokens_on(model, flow):
            found.add(source.id)
    return tuple(sorted(found))


def _token_holder(model: Model, component: Component) -> str:
    """Why the component is where a client's bearer tokens come from or go to ("" if not).

    The issuer (an identity provider the client gets tokens from) takes the threat; without one,
    the component the client sends its tokens to."""
    if not component.ours or component.kind not in HOLDER_KINDS | {IDP}:
        return ""
    clients = _bearer_clients(model, component)
    if not clients:
        return ""
    if component.kind is not IDP:
        issuers = {f.target for c in clients for f in model.graph.flows_out(c)
                   if model.components[f.target].kind is IDP and _tokens_on(model, f)}
        if issuers:
            return ""
        verb = "sends it bearer tokens"
    else:
        verb = "gets its tokens from it"
    return ", ".join(f"'{c}'" for c in clients) + f" (client app) {verb}"


TOKEN_HOLDERS = components_where(
    "token-holders", "identity providers client apps get bearer tokens from, else the "
    "processes they send them to", lambda model, c: _token_holder(model, c),
)


@rule(RuleMeta(
    id="token-theft-client-storage",
    title="Bearer tokens for {element} are kept where they can be stolen ({detail})",
    description="Access and refresh tokens are bearer credentials: kept in browser storage that "
    "any script on the page reads (one XSS), put in URLs that land in logs and Referer headers, "
    "or written to a plain file on the device, they are copied and replayed from anywhere "
    "until they expire.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, S), cwe=(522, 922),
    capec=(593,), asvs=("V3.5.2", "V8.2.2"), attack=("T1528", "T1550.001"),
    kinds=HOLDER_KINDS | {IDP}, domain=DOMAIN, among=TOKEN_HOLDERS,
    mitigations=(
        "Keep tokens out of JavaScript-readable storage: a back-end-for-frontend with an "
        "HttpOnly, Secure, SameSite session cookie, or tokens in memory only; on mobile the "
        "Keychain / Android Keystore; on desktop the OS credential manager (DPAPI, Keychain).",
        "Never put tokens in URLs; rotate refresh tokens with reuse detection and bind them to "
        "the client (DPoP, mTLS) so a copied token is useless.",
    ),
    detection="The identity provider a client app gets bearer tokens from (a flow from a "
    "client carrying data of category session-tokens, or with authn jwt, oauth2 or oidc); "
    "without one, the service the client sends them to. An applicable threat until "
    "`properties.client_token_storage` is stated; localstorage, sessionstorage, url or "
    "plain-file fires.",
    false_positives="Tokens that are sender-constrained (DPoP, mTLS-bound) are useless when "
    "copied; state the storage anyway and accept with that justification.",
    references=(
        f"{CHEATSHEETS}HTML5_Security_Cheat_Sheet.html#local-storage",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps",
        "https://cwe.mitre.org/data/definitions/922.html",
    ),
    asks=(Ask(
        "Where do the client apps keep the tokens {element} issues or accepts: in memory, an "
        "HttpOnly cookie or the platform's key store, or in localStorage, sessionStorage, URLs "
        "or a plain file?",
        (AskFact("properties.client_token_storage", confirms=EXPOSED_TOKEN_STORAGE,
                 rules_out=SECURE_TOKEN_STORAGE),),
        threat="Token theft: bearer tokens for {element} may be read from the client's "
        "storage or URLs and replayed",
    ),),
))
def token_theft_client_storage(component: Component, model: Model) -> Verdict:
    """Bearer tokens a client app holds for the component, with no stated safe storage."""
    why = _token_holder(model, component)
    if not why:
        return Skip("no client app holds bearer tokens for it")
    value = component.prop("client_token_storage")
    if value is None:
        return Unknown(("properties.client_token_storage",), why=(why,))
    stored = word(value)
    if stored in EXPOSED_TOKEN_STORAGE:
        return Fire((why, said("client_token_storage", value)), detail=show(value))
    return RuledOut((said("client_token_storage", value),))


def _accepts_jwt(model: Model, component: Component) -> str:
    if component.authn is Authn.JWT:
        return "authn: jwt"
    callers = sorted({f.source for f in model.graph.flows_in(component.id)
                      if f.effective_authn is Authn.JWT})
    if callers:
        return "takes JWTs from " + ", ".join(f"'{c}'" for c in callers)
    return ""


JWT_ACCEPTORS = components_where(
    "jwt-acceptors", "components with authn: jwt or taking flows with authn: jwt",
    lambda model, c: _accepts_jwt(model, c),
)


@rule(RuleMeta(
    id="jwt-validation",
    title="{element} accepts JWTs without verifying signature, algorithm, issuer and expiry",
    description="A JWT is only as trustworthy as its verification: a service that accepts "
    "`alg: none`, lets the token choose the algorithm (an RS256 public key used as an HS256 "
    "secret), fetches keys from the token's own `jku`/`x5u`, or skips `iss` and `exp` accepts "
    "tokens anyone can mint or replay.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(347, 613),
    capec=(196,), asvs=("V3.5.3",), api_top10=("API2:2023",), attack=("T1606", "T1550.001"),
    kinds=HOLDER_KINDS, domain=DOMAIN, among=JWT_ACCEPTORS,
    mitigations=(
        "Verify every token with a library that pins the algorithm (`algorithms=[\"RS256\"]` in "
        "PyJWT, `JwtDecoder` with a fixed JWS algorithm in Spring, API Gateway JWT authorizers), "
        "with keys from the configured issuer's JWKS only, and check `iss`, `exp` and `nbf` "
        "with a small clock skew.",
        "Reject tokens with `alg: none`, unknown `kid`, or `jku`/`x5u` headers; keep access "
        "tokens short-lived.",
    ),
    detection="A service, function or gateway of ours with `authn: jwt`, or taking flows with "
    "`authn: jwt`. An applicable threat until `properties.validates_jwt` is stated; `false` "
    "fires. The audience claim is api-token-audience-not-validated's.",
    false_positives="Services behind a gateway that verifies every token and strips unverified "
    "ones: state `validates_jwt: true` on the service with that reason.",
    references=(
        "https://www.rfc-editor.org/rfc/rfc8725",
        f"{CHEATSHEETS}JSON_Web_Token_for_Java_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/347.html",
    ),
    asks=(Ask(
        "Does {element} verify each JWT's signature with a pinned algorithm and the issuer's "
        "keys only, and check `iss`, `exp` and `nbf`?",
        (AskFact("properties.validates_jwt", confirms=("false",), rules_out=("true",)),),
        threat="Forged or expired JWTs may be accepted by {element} (algorithm confusion, "
        "unchecked issuer or expiry)",
    ),),
))
def jwt_validation(component: Component, model: Model) -> Verdict:
    """A JWT-accepting component with no stated strict validation."""
    if not component.ours:
        return Skip("not a component of ours")
    why = _accepts_jwt(model, component)
    if not why:
        return Skip("accepts no JWTs")
    return decide_fact(component, "validates_jwt", (why,), weak=False)


# --- caches -----------------------------------------------------------------------------------


def _authenticated_origin(model: Model, cdn: Component) -> str:
    """Why the CDN forwards per-user, sensitive responses ("" when nothing shows it)."""
    for flow in model.graph.flows_out(cdn.id):
        origin = model.components[flow.target]
        if origin.kind not in PROCESS_KINDS or not origin.ours:
            continue
        signed_in = browser_session(model, origin) or (
            f"authn: {origin.authn.value}"
            if origin.authn is not None and origin.authn.authenticates else "")
        if not signed_in:
            continue
        sensitive = [a.id for a in at_least(model.graph.flow_data(flow),
                                             Classification.CONFIDENTIAL)]
        if sensitive:
            return (f"fronts '{origin.id}', which answers signed-in users ({signed_in}) with "
                    f"{', '.join(sensitive)}")
    return ""


@rule(RuleMeta(
    id="cdn-caches-authenticated-responses",
    title="{element} may cache one user's authenticated responses for others",
    description="A CDN or shared proxy that caches responses by URL alone serves one signed-in "
    "user's account page, order or token to the next visitor; cache deception (`/account/x.css`) "
    "makes it cache personal pages on purpose.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO,), cwe=(524,), capec=(141,),
    asvs=("V8.2.1",), attack=("T1213",), kinds=frozenset({CDN}), domain=DOMAIN,
    mitigations=(
        "Send `Cache-Control: no-store` (or `private`) on every authenticated response, and "
        "cache at the CDN only paths that are public by construction (CloudFront cache "
        "behaviours for `/static/*` with the origin's Cache-Control honoured, a managed "
        "CachingDisabled policy for the API and account paths).",
        "Never key cached content on the path only when the origin varies it by cookie or "
        "Authorization header; reject path confusion (`/account/x.css`) at the origin.",
    ),
    detection="A CDN whose flow to one of our processes that signs users in (a browser session "
    "or an authn that authenticates) carries confidential or restricted data. An applicable "
    "threat until `properties.caches_authenticated_responses` is stated; `true` fires.",
    false_positives="CDNs that pass authenticated paths through uncached: state "
    "`caches_authenticated_responses: false`.",
    references=(
        "https://portswigger.net/web-security/web-cache-deception",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
        "controlling-the-cache-key.html",
        "https://cwe.mitre.org/data/definitions/524.html",
    ),
    asks=(Ask(
        "Does {element} cache responses of signed-in users (no `Cache-Control: private` or "
        "`no-store` honoured on authenticated paths)?",
        (AskFact("properties.caches_authenticated_responses", confirms=("true",),
                 rules_out=("false",)),),
        threat="{element} may serve one signed-in user's cached responses to another",
    ),),
))
def cdn_caches_authenticated_responses(component: Component, model: Model) -> Verdict:
    """A CDN in front of an authenticated origin, with no stated cache policy."""
    why = _authenticated_origin(model, component)
    if not why:
        return Skip("fronts no origin that answers signed-in users with sensitive data")
    return decide_fact(component, "caches_authenticated_responses", (why,), weak=True)


def _per_user_writers(model: Model, cache: Component) -> str:
    """Why the cache holds data of many users ("" when nothing shows it)."""
    stored = at_least([model.data[d] for d in cache.stores if d in model.data],
                      Classification.CONFIDENTIAL)
    personal = with_category(stored, "pii", "financial", "session-tokens", "health")
    if not personal:
        return ""
    writers = sorted({f.source for f in model.graph.flows_in(cache.id)
                      if model.components[f.source].kind in PROCESS_KINDS
                      and (browser_session(model, model.components[f.source])
                           or caller_words(model, model.components[f.source])
                           or exposed(model, model.components[f.source]))})
    if not writers:
        return ""
    return (f"stores {', '.join(a.id for a in personal)} written by "
            + ", ".join(f"'{w}'" for w in writers) + ", which serve many users")


@rule(RuleMeta(
    id="shared-cache-cross-user",
    title="Shared cache {element} may return one user's data to another",
    description="A cache shared by every user of a service returns whatever entry the key finds: "
    "keys built without the user or tenant (a transaction list cached under the account "
    "number a client sent, a page cached by URL) hand one customer's data to another.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO,), cwe=(524,), capec=(141,),
    kinds=frozenset({CACHE}), domain=DOMAIN,
    mitigations=(
        "Build every cache key from the authenticated user or tenant id taken from the session, "
        "never from a request parameter alone; check ownership again on a cache hit.",
        "Give the cache authentication (Redis AUTH / ACL users, ElastiCache IAM "
        "authentication) and a short TTL for personal entries.",
    ),
    detection="A cache that stores confidential personal, financial or session data written by "
    "a process that people reach (exposed, or taking input from a less trusted zone). An "
    "applicable threat until `properties.cache_keys_scoped_to_user` is stated; `false` fires.",
    false_positives="Caches of public or per-service data only: do not list personal data in "
    "its `stores`.",
    references=(
        f"{CHEATSHEETS}Multi_Tenant_Security_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/524.html",
    ),
    asks=(Ask(
        "Does every key of {element} include the authenticated user or tenant (taken from the "
        "session, not the request)?",
        (AskFact("properties.cache_keys_scoped_to_user", confirms=("false",),
                 rules_out=("true",)),),
        threat="Shared cache {element} may return one user's personal data to another",
    ),),
))
def shared_cache_cross_user(component: Component, model: Model) -> Verdict:
    """A shared cache of per-user data, with no stated key scoping."""
    why = _per_user_writers(model, component)
    if not why:
        return Skip("holds no personal data written by a service that people reach")
    return decide_fact(component, "cache_keys_scoped_to_user", (why,), weak=False)


# --- exports ----------------------------------------------------------------------------------


@rule(RuleMeta(
    id="csv-formula-injection",
    title="CSV exports of {element} may run injected spreadsheet formulas",
    description="A cell that starts with `=`, `+`, `-` or `@` is a formula when the export is "
    "opened in Excel or Google Sheets: a name or note a customer or merchant wrote "
    "(`=HYPERLINK(...)`, DDE payloads) runs on the staff member's machine or sends the sheet's "
    "data to the attacker.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(T,), cwe=(1236,), capec=(248,),
    kinds=PROCESS_KINDS, domain=DOMAIN,
    mitigations=(
        "Prefix every cell that starts with `=`, `+`, `-`, `@`, tab or carriage return with a "
        "single quote and quote every field (OWASP CSV injection guidance); or export XLSX with "
        "cells typed as text.",
    ),
    detection="A process with `properties.exports_csv: true`. An applicable threat until "
    "`properties.csv_formula_escaping` is stated; `false` fires.",
    false_positives="Exports that contain only values the system generates (ids, amounts): "
    "state `csv_formula_escaping: true` with that reason.",
    references=(
        "https://owasp.org/www-community/attacks/CSV_Injection",
        "https://cwe.mitre.org/data/definitions/1236.html",
    ),
    asks=(Ask(
        "Does {element} neutralise cells that start with `=`, `+`, `-` or `@` in its CSV "
        "exports?",
        (AskFact("properties.csv_formula_escaping", confirms=("false",), rules_out=("true",)),),
        threat="Formula injection: CSV exports of {element} may run what users wrote in "
        "the spreadsheet of whoever opens them",
    ),),
    properties=frozenset({"exports_csv"}),
))
def csv_formula_injection(component: Component, model: Model) -> Verdict:
    """A CSV exporter with no stated formula neutralisation."""
    if component.prop("exports_csv") is not True:
        return PASS
    return decide_fact(component, "csv_formula_escaping", (said("exports_csv", True),), weak=False)


RULES: tuple[Rule, ...] = (
    login_credential_stuffing,
    password_reset_takeover,
    missing_step_up_authentication,
    token_theft_client_storage,
    jwt_validation,
    cdn_caches_authenticated_responses,
    shared_cache_cross_user,
    csv_formula_injection,
)
