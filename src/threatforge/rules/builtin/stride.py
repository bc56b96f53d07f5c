"""Generic STRIDE rules per element and per interaction (the engine's first rule set).

Where a domain rule reports the same stated fact with more to say (a third party's callback, a
Kubernetes API server, card data), that rule declares it supersedes the generic one
(``RuleMeta.supersedes``) and the engine keeps one finding per weakness; skipping the owner lets
the generic rule fire (``docs/rules/one-finding-per-weakness.md``).
"""

from __future__ import annotations

from threatforge.model import (
    Authn,
    Authz,
    Classification,
    Component,
    ComponentKind,
    DataAsset,
    EncryptionAtRest,
    Exposure,
    Flow,
    Model,
)
from threatforge.rules.builtin._facts import (
    ADMINISTRATIVE,
    BROKER_KINDS,
    EDGE_KINDS,
    EXPOSED,
    FROM_UNTRUSTED_PARTIES,
    INFO,
    NOT_ENCRYPTED_OR_TLS_STATED,
    NOT_PEOPLE_KINDS,
    PROCESS_KINDS,
    RDS_TECH,
    RESTRICTED_DATA,
    SECRET_CATEGORIES,
    SENSITIVE_DATA,
    STORE_KINDS,
    STORED_RESTRICTED,
    STORED_SENSITIVE,
    D,
    E,
    R,
    S,
    T,
    actions_to_attribute,
    assets,
    at_least,
    authn_words,
    cloudfront_waf_fronts,
    exposed,
    exposure_words,
    flow_prop,
    flow_sensitive,
    ids,
    inbound_crossing,
    is_kube_api_server,
    mutual_tls,
    names,
    observable_path,
    rate_limited_edge_in_front,
    sensitive_data,
    tech_is,
    untrusted_party,
    with_category,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    Crosses,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Supersedes,
    SupersedesWhere,
    Target,
    Unknown,
    Verdict,
    rule,
)

# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_NOT_ADMIN_INTERFACE = Skip("not an administrative interface")
_NO_SENSITIVE_DATA = Skip("carries no confidential or restricted data")
_NO_RESTRICTED_DATA = Skip("carries no restricted data")

# --- spoofing -------------------------------------------------------------------------------


@rule(RuleMeta(
    id="unauthenticated-boundary-crossing",
    title="Unauthenticated flow into a more trusted zone: {element}",
    description="A flow enters a more trusted zone without authenticating its source, so anyone "
    "who can reach the target from the less trusted side can act as a legitimate caller.",
    target=Target.FLOW, likelihood=4, impact=3, stride=(S, E), cwe=(306,), capec=(151,),
    target_kinds=NOT_PEOPLE_KINDS,
    asvs=("V2.1", "V4.1.1"), attack=("T1190",), confidence=Confidence.HIGH,
    crosses=Crosses.INTO_MORE_TRUSTED,
    mitigations=(
        "Authenticate the caller on this flow (OAuth2/OIDC tokens validated at the gateway, mTLS "
        "between services, SigV4/IAM for AWS APIs).",
        "If the target is meant to be public, say so (exposure: public) and rate-limit it.",
    ),
    detection="Flow crosses from a zone of lower trust into one of higher trust and its `authn` is "
    "`none` or `network` (unknown when `authn` is not stated). Flows into actors, and signed "
    "third-party callbacks, are ignored. Where a more specific rule reports the same flow it "
    "supersedes this one: unsigned-inbound-callback (third-party callbacks into a process), "
    "untrusted-direct-store-access (an untrusted party straight to a store), "
    "unauthenticated-cache-or-broker (a cache or broker that does not authenticate) and "
    "network-location-trust (`authn: network`). It supersedes missing-authorization on the "
    "component the flow goes into.",
    false_positives="Deliberately anonymous endpoints (a public product catalogue); mark the flow "
    "`authn: none` and accept the finding with a justification.",
    references=("https://cwe.mitre.org/data/definitions/306.html",),
    supersedes=(Supersedes("missing-authorization", SupersedesWhere.FLOW_TARGET),),
))
def unauthenticated_boundary_crossing(flow: Flow, model: Model) -> Verdict:
    """A flow into a more trusted zone that does not authenticate its source."""
    if not inbound_crossing(model, flow):
        return PASS
    if _signed_callback(flow, model):
        return PASS
    authn = flow.effective_authn
    if authn is None:
        return Unknown(("authn",))
    if authn.authenticates:
        return PASS
    crossing = model.graph.crossing(flow)
    assert crossing is not None  # noqa: S101 - inbound implies a crossing
    return Fire((f"crosses {crossing.describe()}", f"authn: {authn.value}"))


def _signed_callback(flow: Flow, model: Model) -> bool:
    """A third party's callback into a process that is signed: the signature, not the
    connection, authenticates the sender (unsigned-inbound-callback judges the others)."""
    return bool(flow.signed) and (
        model.components[flow.source].kind is ComponentKind.EXTERNAL_SERVICE
        and model.components[flow.target].kind in PROCESS_KINDS
    )


def _presigned(flow: Flow) -> bool:
    """The flow uses a URL the system pre-signed for one object (``authn: presigned-url``)."""
    return flow.effective_authn is Authn.PRESIGNED_URL


def _untrusted_store_access(flow: Flow, model: Model) -> bool:
    """A flow from an untrusted party straight into one of the system's stores."""
    return (model.components[flow.target].kind in STORE_KINDS
            and untrusted_party(model, flow.source) and not untrusted_party(model, flow.target))


@rule(RuleMeta(
    id="unauthenticated-exposed-service",
    title="{element} accepts requests from untrusted callers without authentication",
    description="An internet-facing or entry-adjacent process does not authenticate callers, so "
    "every operation it offers is available to anyone who can reach it.",
    target=Target.COMPONENT, likelihood=4, impact=3, stride=(S, E), cwe=(306,), capec=(115,),
    asvs=("V2.1", "V4.1.1"), api_top10=("API2:2023",), attack=("T1190",),
    kinds=PROCESS_KINDS, confidence=Confidence.HIGH,
    among=EXPOSED,
    mitigations=(
        "Require authentication at the edge: an API Gateway authorizer (Cognito, Lambda, IAM) or "
        "an OIDC-validating ingress; reject requests without a valid token before any business "
        "logic.",
        "Keep unauthenticated routes to an explicit allow-list (health checks, public content).",
    ),
    detection="Component of kind service/function/gateway that is public or one flow from an "
    "entry point, with `authn: none`. Facts on the flows count for the call: when the "
    "component states no `authn`, a flow into it from an untrusted party or another zone with "
    "`authn: none` (or `network`) fires, and flows from there that all state an "
    "authenticating `authn` pass (unknown while one of them states none). A Lambda function "
    "whose function URL has AuthType NONE is left to aws-lambda-function-url-unauthenticated, "
    "an anonymous payment endpoint without rate limits to pay-card-testing. Supersedes "
    "missing-authorization on the same component: who may do what cannot be decided for "
    "callers nobody identifies.",
    false_positives="Intentionally anonymous public APIs; accept with justification.",
    supersedes=(Supersedes("missing-authorization"),),
))
def unauthenticated_exposed_service(component: Component, model: Model) -> Verdict:
    """An exposed process that lets every caller in without authentication."""
    if not exposed(model, component):
        return PASS
    if component.authn is None:
        calls = _calls_from_outside(model, component)
        open_calls = [f for f in calls if f.effective_authn is not None
                      and not f.effective_authn.authenticates]
        if open_calls:
            return Fire((exposure_words(model, component),
                         *(f"flow {f.id}: authn: {_authn_of(f)}" for f in open_calls)))
        if calls and all(f.effective_authn is not None for f in calls):
            return PASS  # every call from outside authenticates: the flows say how
        return Unknown(("authn",))
    if component.authn.authenticates:
        return PASS
    return Fire((exposure_words(model, component), f"authn: {component.authn.value}"))


def _calls_from_outside(model: Model, component: Component) -> list[Flow]:
    """The flows into the component from an untrusted party or from another zone: the calls
    whose stated ``authn`` counts for the component when it states none (authentication on a
    flow is authentication of the call). A call from one of the system's own public services in
    the same zone is not one: that service is the one taking outside calls."""
    graph = model.graph
    own = graph.zone_of(component.id)
    found = []
    for flow in graph.flows_in(component.id):
        zone = graph.zone_of(flow.source)
        if untrusted_party(model, flow.source) or (
            zone is not None and (own is None or zone.id != own.id)
        ):
            found.append(flow)
    return found


def _authn_of(flow: Flow) -> str:
    authn = flow.effective_authn
    return authn.value if authn is not None else "not stated"


_SHARED_SECRETS = (Authn.BASIC, Authn.PASSWORD, Authn.API_KEY)


@rule(RuleMeta(
    id="weak-authentication-exposed",
    title="{element} relies on shared-secret authentication ({detail}) from untrusted callers",
    description="Basic auth, passwords or static API keys on an exposed interface are easy to "
    "phish, leak in logs and replay; they identify a key, not a caller.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(S,), cwe=(1390, 287), capec=(560,),
    asvs=("V2.1", "V2.10"), api_top10=("API2:2023",), attack=("T1078",), kinds=PROCESS_KINDS,
    among=EXPOSED,
    mitigations=(
        "Move callers to OAuth2 client credentials or OIDC with short-lived tokens; for machine "
        "clients prefer mTLS or signed requests.",
        "Where API keys must stay, scope them per client, rotate them, and pair them with a "
        "second factor such as an IP allow-list.",
    ),
    detection="Exposed process whose `authn` is basic, password or api-key; when it states no "
    "`authn`, a flow into it from an untrusted party or another zone stating one of them (flows "
    "from there that all state another method pass).",
))
def weak_authentication_exposed(component: Component, model: Model) -> Verdict:
    """An exposed process that accepts shared secrets (basic, password, API key)."""
    if not exposed(model, component):
        return PASS
    if component.authn is None:
        calls = _calls_from_outside(model, component)
        weak = [f for f in calls if f.effective_authn in _SHARED_SECRETS]
        if weak:
            return Fire((exposure_words(model, component),
                         *(f"flow {f.id}: authn: {_authn_of(f)}" for f in weak)),
                        detail=", ".join(sorted({_authn_of(f) for f in weak})))
        if calls and all(f.effective_authn is not None for f in calls):
            return PASS  # every call from outside states how it authenticates
        return Unknown(("authn",))
    if component.authn in _SHARED_SECRETS:
        return Fire((exposure_words(model, component), f"authn: {component.authn.value}"),
                    detail=component.authn.value)
    return PASS


@rule(RuleMeta(
    id="network-location-trust",
    title="{element} trusts its caller because of where it connects from",
    description="Authentication by network location (source IP, 'inside the VPC') fails as soon "
    "as any host in that network is compromised or an SSRF is found.",
    target=Target.FLOW, likelihood=3, impact=3, stride=(S, E), cwe=(290,), capec=(4,),
    asvs=("V4.1.3",), attack=("T1021",), confidence=Confidence.HIGH,
    crosses=Crosses.BOUNDARY,
    mitigations=(
        "Authenticate the workload, not the network: mTLS with a service mesh identity (SPIFFE), "
        "IAM roles, or signed service tokens (token exchange).",
    ),
    detection="Flow that crosses a trust boundary with `authn: network`, without mTLS (`mtls: "
    "true` or a STRICT mesh at the target), and "
    "not a signed third-party callback. Superseded where a more specific rule reports the flow: "
    "unsigned-inbound-callback (third-party callbacks), untrusted-direct-store-access (an "
    "untrusted party straight to a store) and svc-unauthenticated-service-call (service calls "
    "inside a Kubernetes cluster that do not enter a more trusted zone). Supersedes "
    "missing-authorization on the component the flow goes into.",
    supersedes=(Supersedes("unauthenticated-boundary-crossing"),
                Supersedes("missing-authorization", SupersedesWhere.FLOW_TARGET)),
))
def network_location_trust(flow: Flow, model: Model) -> Verdict:
    """A flow across a trust boundary that trusts the caller's network address."""
    if flow.effective_authn is not Authn.NETWORK:
        return PASS
    crossing = model.graph.crossing(flow)
    if crossing is None or mutual_tls(model, flow) or _signed_callback(flow, model):
        return PASS  # mTLS or a signature authenticates the caller, not its address
    return Fire((f"authn: network on a flow crossing {crossing.describe()}",))


@rule(RuleMeta(
    id="unsigned-inbound-callback",
    title="Callback {element} from a third party is neither signed nor authenticated",
    description="A third party pushes data (webhooks, callbacks) into the system; without a "
    "signature or authentication anyone can forge those messages.",
    target=Target.FLOW, likelihood=4, impact=3, stride=(S, T), cwe=(345,), capec=(148,),
    source_kinds=frozenset({ComponentKind.EXTERNAL_SERVICE}), target_kinds=PROCESS_KINDS,
    asvs=("V13.1.5",), api_top10=("API10:2023",), attack=("T1565",),
    mitigations=(
        "Verify the sender's signature (HMAC over the raw body with a per-partner secret, or the "
        "provider's public key) and reject messages older than a few minutes to stop replays.",
        "Re-fetch the authoritative state from the provider's API instead of trusting the payload.",
    ),
    detection="Flow from an external-service into a process where `signed` is not true and "
    "`authn` does not authenticate (unknown when both are not stated). Supersedes "
    "missing-authorization on the process the callback goes into.",
    supersedes=(Supersedes("unauthenticated-boundary-crossing"),
                Supersedes("network-location-trust"),
                Supersedes("missing-authorization", SupersedesWhere.FLOW_TARGET)),
))
def unsigned_inbound_callback(flow: Flow, model: Model) -> Verdict:
    """A third party's callback into a process that nothing authenticates."""
    authn = flow.effective_authn
    if flow.signed or (authn is not None and authn.authenticates):
        return PASS  # weak-but-present authentication is the weak-authentication rules' concern
    if flow.signed is None and authn is None:
        return Unknown(("signed",))
    return Fire((f"third party '{flow.source}' calls '{flow.target}'",
                 f"signed: {_stated(flow.signed)}", f"authn: {authn_words(authn)}"))


@rule(RuleMeta(
    id="admin-without-mfa",
    title="Administrative interface {element} does not require MFA",
    description="Administrators' credentials are the most valuable to phish; without a second "
    "factor one stolen password hands over the system.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(308,), capec=(560,),
    asvs=("V2.2.1", "V2.8"), attack=("T1078", "T1110"), confidence=Confidence.HIGH,
    among=ADMINISTRATIVE,
    mitigations=(
        "Enforce phishing-resistant MFA (WebAuthn/FIDO2) for every administrative login, through "
        "the identity provider (Cognito, Okta, Entra ID) rather than per application.",
    ),
    detection="Component with `admin: true` and `mfa: false` (unknown when `mfa` is not stated). "
    "An interface through which staff reach the PCI DSS cardholder data environment is left to "
    "pci-cde-access-without-mfa.",
    supersedes=(Supersedes("aws-cognito-mfa-not-enforced"),),
))
def admin_without_mfa(component: Component, model: Model) -> Verdict:
    """An administrative interface that accepts a password alone."""
    if not component.admin:
        return _NOT_ADMIN_INTERFACE
    if component.mfa is None:
        return Unknown(("mfa",))
    if component.mfa:
        return PASS
    return Fire(("admin: true", "mfa: false"))


# --- tampering ------------------------------------------------------------------------------


@rule(RuleMeta(
    id="unprotected-boundary-crossing",
    title="Flow {element} crosses a trust boundary without integrity protection",
    description="Data crossing a trust boundary in clear can be read and changed by anyone on the "
    "path (a compromised host, a misrouted network, a malicious intermediary).",
    target=Target.FLOW, likelihood=3, impact=3, stride=(T, INFO), cwe=(319, 345), capec=(94,),
    asvs=("V9.1.1", "V9.2.1"), attack=("T1557",), confidence=Confidence.HIGH,
    crosses=Crosses.BOUNDARY,
    among=NOT_ENCRYPTED_OR_TLS_STATED,
    mitigations=(
        "Use TLS 1.2+ (or mTLS) on this flow; for AWS, enforce `aws:SecureTransport` in resource "
        "policies; for Kubernetes, enable mesh-wide STRICT mTLS.",
        "If TLS terminates on the way, re-encrypt to the target.",
    ),
    detection="Flow that crosses a trust boundary, is not encrypted (`tls: false` or a clear-text "
    "protocol) and not signed. Flows with confidential or restricted data are left to "
    "cleartext-sensitive-flow, so one weakness gives one finding. An applicable threat (with "
    "the question) while the encryption of a flow without sensitive data is unknown (`tls` not "
    "stated, a protocol that does not imply TLS, not signed) and the flow enters a more "
    "trusted zone from another network (not a zone nested in the same one), to one of our "
    "processes: what it carries in can be changed on the way.",
    asks=(Ask(
        "Is {element} encrypted in transit (TLS) or its messages signed, so that what enters "
        "the more trusted zone cannot be changed on the way?",
        (AskFact("tls", confirms=("false",), rules_out=("true",)),),
        threat="What {element} carries into a more trusted zone may be changed on the way (no "
        "integrity protection)",
    ),),
))
def unprotected_boundary_crossing(flow: Flow, model: Model) -> Verdict:
    """A flow across a trust boundary in clear text and unsigned."""
    crossing = model.graph.crossing(flow)
    if crossing is None:
        return PASS
    encrypted = flow.encrypted
    if encrypted is None:
        if flow.signed or flow_sensitive(model, flow) or not crossing.inbound:
            return PASS  # signed; or sensitive (cleartext-sensitive-flow); or not inbound
        target = model.components[flow.target]
        where = observable_path(model, flow)
        if not where or not target.ours or target.kind not in PROCESS_KINDS:
            return PASS
        return Unknown(("tls",), why=(where, f"into our process '{flow.target}'",
                                      f"protocol: {flow.protocol or 'not stated'} does not "
                                      "imply TLS"))
    if encrypted:
        if flow_sensitive(model, flow):
            return PASS  # cleartext-sensitive-flow records what rules it out
        return RuledOut(("mtls: true",) if flow.mtls else ("tls: true",))
    if flow.signed:
        return PASS
    return Fire((f"crosses {crossing.describe()}", _transport_words(flow)))


@rule(RuleMeta(
    id="exposed-without-input-validation",
    title="{element} takes untrusted input without declared input validation",
    description="A process reachable from untrusted callers that does not validate input against a "
    "schema is the usual root of injection, deserialization and mass-assignment flaws.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, E), cwe=(20,), capec=(153,),
    asvs=("V5.1.3", "V5.1.4"), api_top10=("API3:2023", "API8:2023"), kinds=PROCESS_KINDS,
    among=EXPOSED,
    mitigations=(
        "Validate every request against a strict schema at the edge (API Gateway request "
        "validators, OpenAPI validation middleware) and again in the service (pydantic, Bean "
        "Validation); reject unknown fields.",
    ),
    detection="Exposed process with `input_validation: false`.",
))
def exposed_without_input_validation(component: Component, model: Model) -> Verdict:
    """An exposed process that does not validate what it receives."""
    if not exposed(model, component):
        return PASS
    if component.input_validation is None:
        return Unknown(("input_validation",))
    if component.input_validation:
        return PASS
    return Fire((exposure_words(model, component), "input_validation: false"))


# --- repudiation ----------------------------------------------------------------------------


@rule(RuleMeta(
    id="missing-audit-logging",
    title="{element} handles sensitive data without an audit log",
    description="Without an audit trail of who did what, misuse cannot be detected, investigated "
    "or proven, and compliance evidence (PCI DSS 10, SOC 2) is missing.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(R,), cwe=(778,), capec=(268,),
    asvs=("V7.1.3", "V7.2.1"), attack=("T1070",), kinds=PROCESS_KINDS | STORE_KINDS,
    compliance=("pci-dss-4.0:10.2.1",),
    data=SENSITIVE_DATA,
    mitigations=(
        "Log security events (authentication, authorisation failures, data access, admin actions) "
        "with actor, action, object and time to a central, append-only store (CloudTrail data "
        "events, CloudWatch Logs with retention, a SIEM).",
        "Write the audit record in the same transaction as the change it records (an outbox or "
        "an audit table the application role can only insert into), so an action cannot happen "
        "without its record.",
    ),
    detection="Process or store touching confidential or restricted data whose `logging` is "
    "disabled or has `audit: false`. An applicable threat (with the question) while `logging` is "
    "not stated on one of our processes where actions need attributing: an administrative "
    "interface (`admin: true`), a process staff (people in a corporate zone) reach within two "
    "flows that changes state, one that states `properties.refunds: true`, or one that records "
    "financial data in a store on the calls of another organisation's system that "
    "authenticates (a partner API). Payment services sending payment instructions are left "
    "to pay-transaction-non-repudiation. There, `logging: true` without `audit` leaves "
    "`logging.audit` as a model gap.",
    false_positives="Read-only processes whose reads are logged by the store they read "
    "(CloudTrail data events, database audit logs); state `logging` on them.",
    asks=(Ask(
        "Does {element} write an audit record (who, what, which object, when) of every action "
        "it performs for a person or partner, to a store they cannot alter?",
        (AskFact("logging", confirms=("false", "{enabled: true, audit: false}"),
                 rules_out=("{enabled: true, audit: true}",)),),
        threat="Actions done through {element} may not be attributable (repudiation: no audit "
        "trail of who did what)",
    ),),
))
def missing_audit_logging(component: Component, model: Model) -> Verdict:
    """A process or store of sensitive data that keeps no audit trail."""
    data = sensitive_data(model, component)
    if not data:
        return Skip("handles no confidential or restricted data")
    logging = component.logging
    if logging is None:
        why = actions_to_attribute(model, component)
        if not why:
            return PASS  # no action to attribute that the graph shows: not asked
        return Unknown(("logging",), why=(*why, f"handles {names(data)}"), data=ids(data))
    if logging.enabled and logging.audit is not False:
        if logging.audit:
            return RuledOut(("logging.audit: true",))
        why = actions_to_attribute(model, component)
        if why:  # logs are kept; whether they are an audit trail is not said (a gap)
            return Unknown(("logging.audit",), why=why, data=ids(data))
        return PASS
    state = "logging.enabled: false" if not logging.enabled else "logging.audit: false"
    return Fire((state, f"handles {names(data)}"), data=ids(data))


# --- information disclosure -----------------------------------------------------------------


@rule(RuleMeta(
    id="cleartext-sensitive-flow",
    title="Sensitive data travels unencrypted on {element}",
    description="Confidential or restricted data sent without TLS can be captured by anyone who "
    "can observe the network between the two ends.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(INFO,), cwe=(319,), capec=(157,),
    asvs=("V9.1.1", "V9.2.2"), attack=("T1040",), confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:4.2.1",),
    data=SENSITIVE_DATA,
    among=NOT_ENCRYPTED_OR_TLS_STATED,
    mitigations=(
        "Enable TLS on this connection (for PostgreSQL `sslmode=verify-full`, for Redis "
        "`rediss://` with in-transit encryption, for Kafka the SSL listener) and refuse plaintext.",
    ),
    detection="Flow carrying confidential or restricted data that is not encrypted (`tls: false` "
    "or a clear-text protocol). An applicable threat (with the question) while its encryption is "
    "unknown (`tls` not stated and a protocol that does not imply TLS, such as postgres, redis "
    "or kafka) on a flow that leaves its network: it crosses into a zone that is not nested "
    "in the same one as its source's (or of another trust), or has a third party or a "
    "person's device at one end. Flows inside one network between our own components, flows "
    "from a person to their device and local protocols (in-process, ipc, exec) are not asked; "
    "flows into an RDS or Aurora database are asked once on the database, by "
    "aws-rds-tls-not-enforced.",
    supersedes=(Supersedes("unprotected-boundary-crossing"),),
    asks=(Ask(
        "Is {element} encrypted in transit (TLS with certificate validation, e.g. "
        "sslmode=verify-full, rediss://, the Kafka SSL listener)?",
        (AskFact("tls", confirms=("false",), rules_out=("true",)),),
        threat="Sensitive data on {element} may be read or changed on the network (cleartext, "
        "man in the middle)",
    ),),
))
def cleartext_sensitive_flow(flow: Flow, model: Model) -> Verdict:
    """Confidential or restricted data on an unencrypted flow."""
    data = flow_sensitive(model, flow)
    if not data:
        return _NO_SENSITIVE_DATA
    encrypted = flow.encrypted
    if encrypted is None:
        where = observable_path(model, flow)
        if not where:
            return PASS  # stays in one network between our components, or no network at all
        if tech_is(model.components[flow.target], RDS_TECH):
            return PASS  # asked once on the database: aws-rds-tls-not-enforced
        return Unknown(("tls",), why=(f"carries {names(data)}", where,
                                      f"protocol: {flow.protocol or 'not stated'} does not "
                                      "imply TLS"), data=ids(data))
    if encrypted:
        return RuledOut(("mtls: true",) if flow.mtls else ("tls: true",))
    return Fire((f"carries {names(data)}", _transport_words(flow)), data=ids(data))



@rule(RuleMeta(
    id="store-unencrypted-at-rest",
    title="{element} stores sensitive data without encryption at rest",
    description="Unencrypted storage exposes data through snapshots, backups, lost media and "
    "anyone with read access to the underlying volume.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO,), cwe=(311,), capec=(37,),
    asvs=("V6.1.1", "V6.2.1"), attack=("T1530",), kinds=STORE_KINDS, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:3.5.1",),
    data=STORED_SENSITIVE,
    mitigations=(
        "Turn on encryption at rest with a customer-managed KMS key (RDS `StorageEncrypted`, "
        "S3 SSE-KMS, DynamoDB CMK, EBS default encryption); encrypt existing data by restoring "
        "from an encrypted snapshot.",
    ),
    detection="Store of confidential or restricted data with `encryption.at_rest: none`, whatever "
    "the data (pci-pan-stored-readable, privacy-special-category-not-app-encrypted and "
    "aws-sqs-sns-unencrypted leave such stores to this rule). An applicable threat (with the "
    "question) while `encryption.at_rest` is not stated on one of our stores; a secrets store "
    "encrypts what it holds by design and is not asked.",
    asks=(Ask(
        "Is the data in {element} encrypted at rest (and with which key)?",
        (AskFact("encryption.at_rest", confirms=("none",), rules_out=("kms", "kms-cmk")),),
        threat="Sensitive data in {element} may be read from its disks, snapshots or backups "
        "(no encryption at rest)",
    ),),
    supersedes=(
        Supersedes("pci-pan-stored-readable"),
        Supersedes("privacy-special-category-not-app-encrypted"),
        Supersedes("aws-sqs-sns-unencrypted"),
    ),
))
def store_unencrypted_at_rest(component: Component, model: Model) -> Verdict:
    """A store of sensitive data without encryption at rest."""
    return _weak_at_rest(model, component, Classification.CONFIDENTIAL,
                         frozenset({EncryptionAtRest.NONE}), stricter=False, asks=True)


@rule(RuleMeta(
    id="restricted-data-provider-key",
    title="{element} protects restricted data only with a provider-managed key",
    description="With a provider-owned key, anyone with read access to the service reads the data: "
    "there is no separate key policy, no separation of duties and no crypto-shredding.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO,), cwe=(320,), capec=(116,),
    asvs=("V6.4.1",), kinds=STORE_KINDS, compliance=("pci-dss-4.0:3.6.1",),
    data=STORED_RESTRICTED,
    mitigations=(
        "Use a customer-managed KMS key with a key policy that grants decrypt only to the roles "
        "that need it, rotation enabled, and key administrators separate from key users.",
    ),
    detection="Store of restricted data with `encryption.at_rest` provider or kms (not kms-cmk, "
    "hsm or application). Stores of card numbers or special-category personal data are left to "
    "pci-pan-stored-readable and privacy-special-category-not-app-encrypted, whose stricter "
    "requirements cover this one.",
))
def restricted_data_provider_key(component: Component, model: Model) -> Verdict:
    """A store of restricted data encrypted only with a key the provider controls."""
    weak = frozenset({EncryptionAtRest.PROVIDER, EncryptionAtRest.KMS})
    return _weak_at_rest(model, component, Classification.RESTRICTED, weak, stricter=True)


def _weak_at_rest(model: Model, component: Component, level: Classification,
                  weak: frozenset[EncryptionAtRest], *, stricter: bool,
                  asks: bool = False) -> Verdict:
    """Fire when a store of data at ``level`` or above states an ``encryption.at_rest`` in
    ``weak``; with ``stricter``, stores whose data has a stricter key rule are skipped. With
    ``asks`` (the rule asks the question), an unstated value on one of our stores other than
    a secrets store is an applicable threat and a stated safe value rules it out."""
    data = at_least(assets(model, component.stores), level)
    if not data:
        above = "confidential or restricted" if level is Classification.CONFIDENTIAL else level
        return Skip(f"stores no {above} data")
    at_rest = component.encryption.at_rest if component.encryption else None
    if at_rest is None:
        if not asks:
            return Unknown(("encryption.at_rest",))
        if not component.ours or component.kind is ComponentKind.SECRETS_STORE:
            return PASS  # a secrets store encrypts by design; a third party's store is theirs
        return Unknown(("encryption.at_rest",),
                       why=(f"stores {names(data)}", "encryption.at_rest is not stated"),
                       data=ids(data))
    if at_rest not in weak:
        return RuledOut((f"encryption.at_rest: {at_rest.value}",)) if asks else PASS
    return Fire((f"stores {names(data)}", f"encryption.at_rest: {at_rest.value}"), data=ids(data))


@rule(RuleMeta(
    id="public-datastore",
    title="{element} is a data store reachable from the internet",
    description="A data store that accepts connections from the internet is one leaked credential "
    "or one misconfiguration away from a breach.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(INFO, T), cwe=(284,), capec=(122,),
    asvs=("V1.4.1",), attack=("T1530", "T1190"), kinds=STORE_KINDS, confidence=Confidence.HIGH,
    mitigations=(
        "Place the store in private subnets without a public endpoint (RDS `PubliclyAccessible: "
        "false`, S3 Block Public Access, no 0.0.0.0/0 security group rules) and reach it through "
        "the services that own it.",
    ),
    detection="Store whose `exposure` is public, or that receives a flow straight from an "
    "untrusted party (a component in an untrusted zone, or a public actor, client or external "
    "service). A flow with `authn: presigned-url` (an upload or download with a URL the system "
    "signed for one object) is the recommended design, not a direct connection: it does not "
    "count.",
    supersedes=(Supersedes("aws-rds-publicly-accessible"),),
))
def public_datastore(component: Component, model: Model) -> Verdict:
    """A store that accepts connections from the internet."""
    if component.exposure is Exposure.PUBLIC:
        return Fire(("exposure: public",))
    direct = sorted(f.source for f in model.graph.flows_in(component.id)
                    if untrusted_party(model, f.source) and not _presigned(f))
    if direct:
        return Fire((f"receives flows directly from untrusted {', '.join(direct)}",))
    return PASS


@rule(RuleMeta(
    id="sensitive-data-to-logs",
    title="Sensitive data is sent to monitoring on {element}",
    description="Logs and traces are copied widely and kept long; restricted data or credentials "
    "in them leak to everyone who can read dashboards and log archives.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(INFO,), cwe=(532,), capec=(215,),
    target_kinds=frozenset({ComponentKind.MONITORING}),
    asvs=("V7.1.1", "V7.1.2"), compliance=("pci-dss-4.0:3.3.1",), confidence=Confidence.HIGH,
    mitigations=(
        "Mask or drop these fields before logging (structured logging with an allow-list of "
        "fields, PAN truncation to first 6 / last 4, token redaction in the log shipper).",
    ),
    detection="Flow into a monitoring component carrying restricted data or credentials, secrets "
    "or session tokens, or stating `properties.redacted: false` while its source handles them "
    "or confidential personal data. An applicable threat (with the question) on a flow into "
    "monitoring from one of our processes that handles such data, while the flow states "
    "neither such data nor `properties.redacted`.",
    asks=(Ask(
        "Are card data, tokens, secrets and personal data removed or masked before {element} "
        "ships logs and traces (an allow-list of fields, redaction in the logger or shipper)?",
        (AskFact("properties.redacted", confirms=("false",), rules_out=("true",)),),
        threat="Logs and traces on {element} may carry the sensitive data its source handles "
        "(sensitive logging)",
    ),),
))
def sensitive_data_to_logs(flow: Flow, model: Model) -> Verdict:
    """Restricted data or secrets shipped into logs or traces."""
    bad = _loggable_secrets(model.graph.flow_data(flow))
    if bad:
        return Fire((f"carries {names(bad)} into monitoring component '{flow.target}'",),
                    data=ids(bad))
    source = model.components[flow.source]
    if not source.ours or source.kind not in PROCESS_KINDS:
        return PASS
    handled = _loggable_secrets(model.graph.data_of(source.id), personal=True)
    if not handled:
        return PASS
    redacted = flow_prop(flow, "redacted")
    if redacted is True:
        return RuledOut(("properties.redacted: true",))
    if redacted is False:
        return Fire((f"'{source.id}' handles {names(handled)}", "properties.redacted: false"),
                    data=ids(handled))
    return Unknown(("properties.redacted",),
                   why=(f"'{source.id}' handles {names(handled)}",
                        f"ships logs or traces to monitoring component '{flow.target}'"),
                   data=ids(handled))


def _loggable_secrets(data: list[DataAsset], *, personal: bool = False) -> list[DataAsset]:
    """Restricted data, credentials, secrets and session tokens (and with ``personal``
    confidential personal data) among ``data``: what must not reach logs."""
    secret = {a.id for a in with_category(data, *SECRET_CATEGORIES, "session-tokens")}
    people = ({a.id for a in with_category(at_least(data, Classification.CONFIDENTIAL),
                                           "pii", "health", "biometric")}
              if personal else set())
    return [a for a in data if a.classification is Classification.RESTRICTED
            or a.id in secret or a.id in people]


@rule(RuleMeta(
    id="verbose-errors",
    title="{element} returns internal error details to callers",
    description="Stack traces, SQL errors and internal hostnames in responses map the system for "
    "an attacker and sometimes leak data.",
    target=Target.COMPONENT, likelihood=3, impact=2, stride=(INFO,), cwe=(209,), capec=(54,),
    asvs=("V7.4.1",), api_top10=("API8:2023",), kinds=PROCESS_KINDS,
    properties=frozenset({"verbose_errors"}),
    mitigations=(
        "Return generic error bodies with a correlation id (RFC 9457 problem details without "
        "internals); log the details server-side; disable framework debug modes in production.",
    ),
    detection="Exposed process with `properties.verbose_errors: true`.",
))
def verbose_errors(component: Component, model: Model) -> Verdict:
    """An exposed process that returns stack traces and internals."""
    flag = component.prop("verbose_errors")
    if flag is None:
        return PASS  # not a gap: most designs never state it
    if flag is True and exposed(model, component):
        return Fire((exposure_words(model, component), "properties.verbose_errors: true"))
    return PASS


# --- denial of service ----------------------------------------------------------------------


@rule(RuleMeta(
    id="missing-rate-limit",
    title="{element} is exposed without rate limiting",
    description="Without per-client limits, one caller can exhaust capacity (or the budget of a "
    "pay-per-request backend), brute-force credentials, or scrape data.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(D,), cwe=(770,), capec=(125,),
    asvs=("V11.1.4", "V13.2.6"), api_top10=("API4:2023", "API6:2023"), attack=("T1499",),
    kinds=PROCESS_KINDS,
    among=EXPOSED,
    mitigations=(
        "Set per-client throttling and quotas at the edge (API Gateway usage plans, WAF rate-based "
        "rules, ingress rate limits) and concurrency limits on the backends (Lambda reserved "
        "concurrency).",
    ),
    detection="Exposed process with `rate_limit: false`. An exposed endpoint that takes card "
    "numbers from anyone is left to pay-card-testing. An applicable threat (with the question) "
    "while `rate_limit` is not stated and no rate-limited edge fronts it.",
    asks=(Ask(
        "Does {element} limit how many requests one client can make (per-client throttling "
        "or quotas)?",
        (AskFact("rate_limit", confirms=("false",), rules_out=("true",)),),
        threat="One client may flood {element} (denial of service, brute force, scraping, "
        "cost)",
    ),),
))
def missing_rate_limit(component: Component, model: Model) -> Verdict:
    """An exposed process that any one caller can flood."""
    if not exposed(model, component):
        return PASS
    if component.rate_limit is None:
        if rate_limited_edge_in_front(model, component):
            return PASS
        return Unknown(("rate_limit",), why=(exposure_words(model, component),))
    if component.rate_limit:
        return RuledOut(("rate_limit: true",))
    return Fire((exposure_words(model, component), "rate_limit: false"))


@rule(RuleMeta(
    id="exposed-edge-without-waf",
    title="{element} is a public HTTP entry point without a web application firewall",
    description="Internet-facing HTTP entry points without a WAF take every automated attack "
    "(injection probes, credential stuffing, bad bots) straight to the application.",
    target=Target.COMPONENT, likelihood=3, impact=2, stride=(T, D), cwe=(693,), capec=(66,),
    asvs=("V1.14.1",), kinds=EDGE_KINDS,
    among=EXPOSED,
    mitigations=(
        "Attach AWS WAF (or the CDN's WAF) with the managed core rule set, known-bad-inputs and a "
        "rate-based rule; log blocked requests.",
    ),
    detection="Public gateway, load balancer or CDN receiving HTTP(S) with `waf: false`. "
    "Kubernetes API servers are not web applications (aws-eks-public-endpoint-open and "
    "k8s-api-server-public judge their exposure), and an API Gateway behind a CloudFront "
    "distribution with a WAF is left to aws-apigw-cloudfront-bypass.",
))
def exposed_edge_without_waf(component: Component, model: Model) -> Verdict:
    """A public HTTP entry point that takes every request straight to the application."""
    if not exposed(model, component):
        return PASS
    if is_kube_api_server(component):
        return Skip("a Kubernetes API server, not a web application")
    http = any(f.protocol in ("http", "https", "h2", "wss", "ws")
               for f in model.graph.flows_in(component.id))
    if not http:
        return Skip("receives no HTTP traffic")
    if component.waf is None:
        fronted = any(model.components[f.source].waf for f in model.graph.flows_in(component.id))
        return PASS if fronted else Unknown(("waf",))
    if component.waf:
        return PASS
    if tech_is(component, ("aws.apigateway*",)) and cloudfront_waf_fronts(model, component):
        return Skip("behind a CloudFront distribution with a WAF")
    return Fire((exposure_words(model, component), "waf: false"))


# --- elevation of privilege -----------------------------------------------------------------


@rule(RuleMeta(
    id="missing-authorization",
    title="{element} authenticates callers but does not authorise them",
    description="Knowing who calls is not deciding what they may do: without authorisation every "
    "authenticated caller can reach every object and function (BOLA/BFLA).",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E,), cwe=(862,), capec=(122,),
    asvs=("V4.1.1", "V4.2.1"), api_top10=("API1:2023", "API5:2023"), kinds=PROCESS_KINDS,
    data=SENSITIVE_DATA,
    mitigations=(
        "Enforce authorisation on every operation: object-level ownership checks for every id in a "
        "request, function-level checks for admin operations, ideally through one policy engine "
        "(OPA, Cedar/Amazon Verified Permissions).",
    ),
    detection="Process that handles confidential or restricted data, receives flows, and has "
    "`authz: none`. A process that does not authenticate its callers either is reported by "
    "unauthenticated-exposed-service, or by unauthenticated-boundary-crossing on the flows into "
    "it, which supersede this rule there.",
    supersedes=(Supersedes("api-bola-coarse-authz"),),
))
def missing_authorization(component: Component, model: Model) -> Verdict:
    """A process that lets every authenticated caller do everything."""
    if not model.graph.flows_in(component.id):
        return Skip("receives no flows")
    data = sensitive_data(model, component)
    if not data:
        return Skip("handles no confidential or restricted data")
    if component.authz is None:
        return Unknown(("authz",))
    if component.authz is Authz.NONE:
        anonymous = ("authn: none",) if component.authn is Authn.NONE else ()
        return Fire(("authz: none", *anonymous, f"handles {names(data)}"), data=ids(data))
    return PASS


@rule(RuleMeta(
    id="untrusted-direct-store-access",
    title="An untrusted party reaches a data store directly on {element}",
    description="A data store accessed directly from an untrusted zone bypasses the services that "
    "should enforce validation and authorisation on every read and write.",
    target=Target.FLOW, likelihood=4, impact=4, stride=(E, T), cwe=(284,), capec=(122,),
    target_kinds=STORE_KINDS,
    asvs=("V1.4.1",), attack=("T1530",), confidence=Confidence.HIGH,
    among=FROM_UNTRUSTED_PARTIES,
    mitigations=(
        "Put a service with authentication and authorisation in front of the store; for browser "
        "uploads use short-lived pre-signed URLs scoped to one object.",
    ),
    detection="Flow from an untrusted party (a component in an untrusted zone, or a public actor, "
    "client or external service) to a store. The flow's `authn` is added to the evidence: this "
    "rule, not unauthenticated-boundary-crossing, network-location-trust or attack-path (a "
    "weak hop straight into a store), reports the missing authentication of such flows. A "
    "flow with `authn: presigned-url` is this rule's mitigation (a URL the system signed for "
    "one object, method and a short time) and passes.",
    supersedes=(Supersedes("unauthenticated-boundary-crossing"),
                Supersedes("network-location-trust"),
                Supersedes("attack-path")),
))
def untrusted_direct_store_access(flow: Flow, model: Model) -> Verdict:
    """An untrusted party reads or writes one of the system's stores without a service between."""
    if not _untrusted_store_access(flow, model) or _presigned(flow):
        return PASS
    target = model.components[flow.target]
    evidence = [f"'{flow.source}' is an untrusted party",
                f"'{flow.target}' is a {target.kind.value}"]
    authn = flow.effective_authn
    if authn is not None:
        evidence.append(f"authn: {authn.value}")
    return Fire(tuple(evidence))


@rule(RuleMeta(
    id="unauthenticated-cache-or-broker",
    title="{element} accepts connections without authentication",
    description="Caches and message brokers without authentication let any workload on the network "
    "read, poison or delete shared state and messages.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(S, T, INFO), cwe=(306,), capec=(115,),
    asvs=("V4.1.1",), attack=("T1565",),
    kinds=BROKER_KINDS,
    mitigations=(
        "Enable authentication on the broker or cache (Redis AUTH/ACLs, Kafka SASL/mTLS with "
        "ACLs, IAM policies on SQS/Kinesis) and restrict it with network policies.",
    ),
    detection="Cache, queue or stream with `authn: none`. Its finding replaces those of "
    "unauthenticated-boundary-crossing on the flows into it.",
    supersedes=(Supersedes("unauthenticated-boundary-crossing", SupersedesWhere.FLOWS_INTO),),
))
def unauthenticated_cache_or_broker(component: Component, model: Model) -> Verdict:
    """A cache or message broker that any workload on the network can use."""
    if component.authn is None:
        return Unknown(("authn",))
    if component.authn.authenticates:
        return PASS
    return Fire((f"{component.kind.value} with authn: {component.authn.value}",))


@rule(RuleMeta(
    id="exposed-admin-interface",
    title="Administrative interface {element} is reachable from an untrusted zone",
    description="Admin functions reachable from the internet turn every credential phish or auth "
    "bypass into full control of the system.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E,), cwe=(284,), capec=(1,),
    asvs=("V4.3.1",), api_top10=("API5:2023",), attack=("T1133",), confidence=Confidence.HIGH,
    among=ADMINISTRATIVE,
    mitigations=(
        "Serve admin interfaces only on private networks (VPN, zero-trust access proxy such as "
        "AWS Verified Access or IAP), separate from the public API.",
    ),
    detection="Component with `admin: true` that is public or one flow from an entry point. "
    "Supersedes api-admin-routes-without-function-authz on the same component.",
    supersedes=(Supersedes("api-admin-routes-without-function-authz"),),
))
def exposed_admin_interface(component: Component, model: Model) -> Verdict:
    """An administrative interface reachable from an untrusted zone."""
    if not component.admin:
        return _NOT_ADMIN_INTERFACE
    if exposed(model, component):
        return Fire(("admin: true", exposure_words(model, component)))
    return PASS


@rule(RuleMeta(
    id="secrets-without-rotation",
    title="Secrets or keys in {element} are not rotated",
    description="Secrets and keys that never rotate stay valid for as long as anyone who ever saw "
    "them (a former employee, a leaked log) keeps them.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S, INFO), cwe=(324,), capec=(37,),
    asvs=("V6.4.2",), compliance=("pci-dss-4.0:3.7.4",),
    kinds=frozenset({ComponentKind.SECRETS_STORE, ComponentKind.KEY_MANAGEMENT}),
    mitigations=(
        "Enable automatic rotation (Secrets Manager rotation Lambdas, KMS annual key rotation, "
        "Vault dynamic secrets) and alert on secrets older than the policy allows.",
    ),
    detection="Secrets store or key management with `encryption.key_rotation: false`.",
    supersedes=(Supersedes("aws-secretsmanager-rotation"),),
))
def secrets_without_rotation(component: Component, model: Model) -> Verdict:
    """Secrets or keys that stay valid forever."""
    rotation = component.encryption.key_rotation if component.encryption else None
    if rotation is None:
        return Unknown(("encryption.key_rotation",))
    return PASS if rotation else Fire(("encryption.key_rotation: false",))


@rule(RuleMeta(
    id="restricted-data-to-third-party-weak-auth",
    title="Restricted data leaves for third party {element} without strong mutual authentication",
    description="Sending restricted data to a third party over a channel that does not "
    "authenticate the receiver strongly risks delivering it to an impostor.",
    target=Target.FLOW, likelihood=2, impact=4, stride=(S, INFO), cwe=(295,), capec=(94,),
    target_kinds=frozenset({ComponentKind.EXTERNAL_SERVICE}),
    asvs=("V9.2.1",), compliance=("pci-dss-4.0:4.2.1",),
    data=RESTRICTED_DATA,
    mitigations=(
        "Use mTLS or certificate pinning to the provider's endpoint, and authenticate with "
        "short-lived credentials (OAuth2 client credentials with private_key_jwt).",
    ),
    detection="Flow to an external-service carrying restricted data whose authentication is not "
    "strong (not mTLS, OAuth2, signed requests...). An applicable threat (with the question) "
    "while the flow's `authn` is not stated.",
    asks=(Ask(
        "How does {element} authenticate the third party it sends restricted data to (and is "
        "its certificate validated)?",
        (AskFact("authn", confirms=("api-key", "none"), rules_out=("mtls", "oauth2")),),
        threat="Restricted data sent on {element} may reach an impostor of the third party "
        "(weak mutual authentication, man in the middle)",
    ),),
))
def restricted_data_to_third_party(flow: Flow, model: Model) -> Verdict:
    """Restricted data sent to a third party whose identity is not strongly checked."""
    data = at_least(model.graph.flow_data(flow), Classification.RESTRICTED)
    if not data:
        return _NO_RESTRICTED_DATA
    authn = flow.effective_authn
    if authn is None:
        if not model.components[flow.source].ours:
            return PASS  # a third party's own traffic: not ours to secure
        return Unknown(("authn",), why=(f"carries {names(data)} to third party '{flow.target}'",
                                        "authn is not stated"), data=ids(data))
    if authn.is_strong:
        return RuledOut((f"authn: {authn.value}",))
    return Fire((f"carries {names(data)} to '{flow.target}'", f"authn: {authn.value}"),
                data=ids(data))


def _stated(value: bool | None) -> str:
    """A yes/no field for evidence, as written in YAML."""
    return "not stated" if value is None else ("true" if value else "false")


def _transport_words(flow: Flow) -> str:
    """The flow's protocol and TLS setting, for evidence."""
    return f"protocol: {flow.protocol or 'not stated'}, tls: {_stated(flow.tls)}"


RULES: tuple[Rule, ...] = (
    unauthenticated_boundary_crossing,
    unauthenticated_exposed_service,
    weak_authentication_exposed,
    network_location_trust,
    unsigned_inbound_callback,
    admin_without_mfa,
    unprotected_boundary_crossing,
    exposed_without_input_validation,
    missing_audit_logging,
    cleartext_sensitive_flow,
    store_unencrypted_at_rest,
    restricted_data_provider_key,
    public_datastore,
    sensitive_data_to_logs,
    verbose_errors,
    missing_rate_limit,
    exposed_edge_without_waf,
    missing_authorization,
    untrusted_direct_store_access,
    unauthenticated_cache_or_broker,
    exposed_admin_interface,
    secrets_without_rotation,
    restricted_data_to_third_party,
)
