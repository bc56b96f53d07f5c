"""Service-to-service rules: who may call a service, publish to a queue, or reach a workload.

Each rule here reports an applicable threat where its condition holds over the graph and the
deciding fact is unstated, and the finding once the weak value is stated:

- ``svc-cross-zone-call-unauthenticated``: a service calls another of ours in a different zone
  (not into a more trusted one, not inside one cluster: other rules judge those) and nothing
  says how the callee authenticates the calling service (service spoofing);
- ``svc-internal-service-unauthenticated``: a service only its neighbours in the same zone call,
  holding confidential data, that states no authentication (missing authentication on an
  internal service);
- ``svc-flat-network-lateral-movement``: a workload in a Kubernetes cluster, holding
  confidential data, that neighbour pods with no business there can reach (lateral movement);
- ``svc-queue-publish-unrestricted``: a queue or topic whose consumers act on its messages,
  where nothing says who may publish (message spoofing);
- ``svc-security-check-fails-open``: a call to a fraud, risk, KYC or authorisation decision
  service whose failure handling is unstated (fail-open);
- ``svc-waf-monitor-only``: a WAF in front of an exposed service whose mode is unstated (a WAF
  in count or detect mode blocks nothing).

Technology facts are read from ``properties:``; every key is documented in
``docs/rules/services-properties.md``.
"""

from __future__ import annotations

import re

from threatforge.model import (
    Authn,
    Authz,
    Classification,
    Component,
    ComponentKind,
    Exposure,
    Flow,
    Model,
)
from threatforge.rules.builtin._facts import (
    IN_CLUSTER,
    KUBE_API_SERVER_TECH,
    MESSAGING_KINDS,
    PROCESS_KINDS,
    WORKLOAD_KINDS,
    D,
    E,
    S,
    T,
    at_least,
    cluster_chain,
    cluster_says,
    exposed,
    exposure_words,
    flow_prop,
    flow_sensitive,
    ids,
    in_cluster,
    in_cluster_call,
    listed,
    mutual_tls,
    names,
    sensitive_data,
    tech_is,
    word,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    Crosses,
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

DOMAIN = "services"
K8S_DOCS = "https://kubernetes.io/docs/"
MACHINE_AUTHN = ("mtls", "jwt", "oauth2", "iam", "sigv4", "service-account", "workload-identity")
"""``authn`` values that authenticate a calling service (offered as answers)."""

LOCAL_PROTOCOLS = frozenset({"exec", "file", "in-process", "ipc", "named-pipe", "unix-socket",
                             "xpc"})
"""Protocols of calls that do not cross a network (a child process, a file, a local pipe)."""

_NOT_OURS = Skip("not a system component of ours")
_NOT_A_SERVICE_CALL = Skip("not a call between two services of ours")


# --- service spoofing -------------------------------------------------------------------------


@rule(RuleMeta(
    id="svc-cross-zone-call-unauthenticated",
    title="Service call {element} across zones does not authenticate the calling service",
    description="A service calls another of ours in a different zone (another VPC, account, "
    "data centre or cluster) without a machine identity the callee verifies: anything that "
    "can open a connection from the caller's side (a compromised host, a VPN peer, an SSRF) "
    "can call it as if it were the legitimate service, and the callee cannot tell who did.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(S, E), cwe=(306,), capec=(151,),
    source_kinds=PROCESS_KINDS, target_kinds=PROCESS_KINDS, crosses=Crosses.BOUNDARY,
    asvs=("V1.4.2", "V4.1.1"), attack=("T1021", "T1210"), domain=DOMAIN,
    mitigations=(
        "Authenticate every service-to-service call with a machine identity the callee "
        "verifies: mTLS with per-service certificates (a private CA, SPIFFE/SPIRE, AWS Private "
        "CA), SigV4/IAM for AWS-hosted callees, or short-lived OAuth2 client-credentials tokens "
        "with an audience per callee; then state the flow's `authn`.",
        "Authorise callers by identity at the callee (an allow-list of client certificates or "
        "token subjects per operation), not by their network address.",
    ),
    detection="Flow between two services, functions or gateways of ours in different zones "
    "that does not enter a more trusted zone (unauthenticated-boundary-crossing judges those) "
    "and is not a call inside one Kubernetes cluster (svc-unauthenticated-service-call), "
    "carrying confidential or restricted data or into a service that handles it, with `authn` "
    "none and no mTLS. An applicable threat (with the question) when `authn` is not stated. "
    "`authn: network` is left to network-location-trust.",
    false_positives="Callees that authenticate callers at the application layer in a way the "
    "model does not show; state the flow's `authn`.",
    references=("https://cwe.mitre.org/data/definitions/306.html",
                "https://spiffe.io/docs/latest/spiffe-about/overview/"),
    asks=(Ask(
        "How does the service behind {element} know which service is calling it (mTLS with a "
        "client certificate, a signed token it validates, IAM), or does it accept any caller "
        "that can connect?",
        (AskFact("authn", confirms=("none",), rules_out=MACHINE_AUTHN),
         AskFact("mtls", rules_out=("true",))),
        threat="Service spoofing on {element}: anything that can connect from the caller's "
        "side may call the target as if it were the legitimate service",
    ),),
))
def svc_cross_zone_call_unauthenticated(flow: Flow, model: Model) -> Verdict:
    """A call between our services in two zones, with the caller's identity unstated."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    if not (source.ours and target.ours and source.kind in PROCESS_KINDS
            and target.kind in PROCESS_KINDS):
        return _NOT_A_SERVICE_CALL
    graph = model.graph
    crossing = graph.crossing(flow)
    if crossing is None:
        return Skip("stays in one zone")
    if (flow.protocol or "") in LOCAL_PROTOCOLS:
        return Skip("a local call (no network)")
    if graph.enters_more_trusted_zone(flow):
        return Skip("enters a more trusted zone: a crossing into more trust, not between peers")
    if in_cluster_call(model, flow):
        return Skip("a call between two workloads of one cluster")
    data = flow_sensitive(model, flow) or sensitive_data(model, target)
    if not data:
        return PASS
    if mutual_tls(model, flow):
        return RuledOut(("mtls: true",))
    authn = flow.effective_authn
    where = crossing.describe()
    if authn is None:
        return Unknown(("authn",),
                       why=(f"'{source.id}' calls '{target.id}' across {where}",
                            f"'{target.id}' handles {names(data)}"),
                       data=ids(data))
    if authn is Authn.NETWORK:
        return Skip("authn: network: the caller is trusted for its address")
    if authn.authenticates:
        return RuledOut((f"authn: {authn.value}",))
    return Fire((f"'{source.id}' calls '{target.id}' across {where}", f"authn: {authn.value}",
                 "no mTLS"), data=ids(data))


# --- missing authentication on internal services ----------------------------------------------


@rule(RuleMeta(
    id="svc-internal-service-unauthenticated",
    title="{element} accepts calls from its neighbours without authentication",
    description="A service that only other services in its own zone call, and that does not "
    "authenticate them, trusts whoever can connect from that network: one compromised "
    "neighbour, a debugging tool or an SSRF anywhere in the zone reaches its data and "
    "operations.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(306,), capec=(115,),
    kinds=WORKLOAD_KINDS, asvs=("V1.4.2", "V4.1.1"), attack=("T1210",), domain=DOMAIN,
    mitigations=(
        "Authenticate every caller, also inside the VPC: mTLS with per-service certificates, "
        "IAM/SigV4 (API Gateway private APIs, Lambda function URLs with AWS_IAM, VPC Lattice "
        "auth policies), or OAuth2 client-credentials tokens validated by the service.",
        "Then restrict which callers may use which operation (an allow-list by identity).",
    ),
    detection="Service or function of ours, not public and not next to an entry point (those "
    "are judged by unauthenticated-exposed-service), not in a Kubernetes cluster "
    "(svc-unauthenticated-service-call judges each call there), handling confidential or "
    "restricted data, called over a network (not `exec`, `file`, `in-process` or `ipc`) by "
    "other services of ours all in its own zone, with `authn: none`. An applicable threat "
    "(with the question) when neither its `authn` nor any flow into it states "
    "authentication.",
    false_positives="Services whose callers are authenticated by a sidecar or gateway the model "
    "does not show; state `authn` on the service or its flows.",
    references=("https://cwe.mitre.org/data/definitions/306.html",
                "https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html"),
    asks=(Ask(
        "How does {element} authenticate the services that call it (mTLS, IAM, a token it "
        "validates), or does it accept every connection from its network?",
        (AskFact("authn", confirms=("none",), rules_out=MACHINE_AUTHN),),
        threat="Missing authentication: any neighbour of {element} in its network may call it "
        "as a legitimate service",
    ),),
))
def svc_internal_service_unauthenticated(component: Component, model: Model) -> Verdict:
    """An internal service that trusts every neighbour that connects."""
    if not component.ours:
        return _NOT_OURS
    graph = model.graph
    callers = [f for f in graph.flows_in(component.id)
               if model.components[f.source].kind in PROCESS_KINDS
               and (f.protocol or "") not in LOCAL_PROTOCOLS]
    if not callers or len(callers) != len(graph.flows_in(component.id)):
        return PASS  # nothing calls it over a network, or people and third parties do
    if component.exposure is Exposure.PUBLIC or exposed(model, component):
        return Skip("exposed: public or one flow from an entry point, not an internal service")
    if in_cluster(model, component):
        return Skip("runs in a cluster, where each call into it is asked about")
    if any(graph.crossing(f) is not None for f in callers):
        return PASS  # callers from other zones: the boundary rules judge those calls
    data = sensitive_data(model, component)
    if not data:
        return PASS
    if component.authn is not None and component.authn.authenticates:
        return RuledOut((f"authn: {component.authn.value}",))
    stated = [f for f in callers if f.effective_authn is not None]
    for flow in stated:
        if flow.effective_authn is not None and flow.effective_authn.authenticates:
            return RuledOut((f"authn: {flow.effective_authn.value} on the flow from "
                             f"'{flow.source}'",))
    who = ", ".join(sorted({f.source for f in callers}))
    if component.authn is None and not stated:
        return Unknown(("authn",),
                       why=(f"called by {who} in its own zone", f"handles {names(data)}",
                            "nothing states how it authenticates them"),
                       data=ids(data))
    if component.authn is None:
        return PASS
    return Fire((f"called by {who}", f"authn: {component.authn.value}"), data=ids(data))


# --- lateral movement -------------------------------------------------------------------------


_NO_POLICY = frozenset({"none", "allow-all", "false"})
_NOT_PODS = (*KUBE_API_SERVER_TECH, "k8s.node*", "aws.eks.node*", "k8s.kubelet*")
"""Cluster components that NetworkPolicies do not select: nodes and the API server."""


@rule(RuleMeta(
    id="svc-flat-network-lateral-movement",
    title="Pods with no business there can reach {element} (no network policy)",
    description="Kubernetes lets every pod connect to every pod unless a NetworkPolicy selects "
    "it. A workload holding restricted data that is reachable from neighbours which never "
    "call it turns one compromised pod anywhere in the cluster into access to that data: the "
    "network is flat.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E, S), cwe=(653,), capec=(122,),
    kinds=frozenset({ComponentKind.SERVICE, ComponentKind.FUNCTION, ComponentKind.DATASTORE,
                     ComponentKind.CACHE}), attack=("T1210", "T1046"), domain=DOMAIN,
    compliance=("pci-dss-4.0:1.3.1",), among=IN_CLUSTER,
    mitigations=(
        "Apply a NetworkPolicy that selects the workload and admits only its callers (by "
        "namespace and pod labels) on its ports, on top of a default-deny policy in its "
        "namespace; make sure the CNI enforces policies (EKS VPC CNI network policy agent, "
        "Calico, Cilium).",
        "Then state `properties.ingress_restricted: true` on the workload (or "
        "`default_deny: true` on its namespace).",
    ),
    detection="Service, function, datastore or cache in a cluster, handling restricted data, "
    "with at least one other service or function of the cluster that has no "
    "flow into it, and `properties.ingress_restricted: false`. An applicable threat (with the "
    "question) when neither it states `ingress_restricted` nor its namespace or cluster "
    "states `default_deny` or `network_policies`; where the namespace states they are off, "
    "k8s-namespace-no-default-deny reports the namespace instead.",
    false_positives="Clusters that isolate workloads by other means (one node pool and security "
    "group per workload); state `ingress_restricted: true`.",
    references=(K8S_DOCS + "concepts/services-networking/network-policies/",),
    asks=(Ask(
        "Does a NetworkPolicy (or security group for pods) admit connections to {element} "
        "only from its callers?",
        (AskFact("properties.ingress_restricted", confirms=("false",), rules_out=("true",)),),
        threat="Lateral movement: a compromised pod anywhere in the cluster may reach "
        "{element} and its data",
    ),),
))
def svc_flat_network_lateral_movement(component: Component, model: Model) -> Verdict:
    """A workload with confidential data on a flat cluster network."""
    if not in_cluster(model, component):
        return Skip("does not run in a cluster")
    if tech_is(component, _NOT_PODS):
        return Skip("a node or control plane, not a pod")
    restricted = component.prop("ingress_restricted")
    if restricted is True:
        return RuledOut(("properties.ingress_restricted: true",))
    data = at_least(model.graph.assets_of(component.id), Classification.RESTRICTED)
    if not data:
        return PASS
    strangers = _strangers(model, component)
    if not strangers:
        return PASS
    shown = f"pods with no flow into it: {', '.join(strangers[:4])}"
    if restricted is False:
        return Fire(("properties.ingress_restricted: false", shown), data=ids(data))
    deny = cluster_says(model, component, "default_deny")
    policies = word(cluster_says(model, component, "network_policies"))
    if deny is True or policies == "default-deny":
        return RuledOut(("default-deny NetworkPolicy on its namespace or cluster",))
    if deny is False or policies in _NO_POLICY:
        return Skip("its namespace or cluster states it has no default-deny NetworkPolicy")
    return Unknown(("properties.ingress_restricted",),
                   why=(f"runs in a cluster and handles {names(data)}", shown,
                        "nothing states a NetworkPolicy"),
                   data=ids(data))


def _strangers(model: Model, component: Component) -> list[str]:
    """Services and functions of the same cluster that have no flow into the component."""
    chain = cluster_chain(model, component)
    if not chain:
        return []
    cluster = chain[-1].id
    callers = {f.source for f in model.graph.flows_in(component.id)}
    return sorted(
        cid for cid, other in model.components.items()
        if cid != component.id and cid not in callers and other.kind in WORKLOAD_KINDS
        and any(b.id == cluster for b in cluster_chain(model, other))
    )


# --- message spoofing -------------------------------------------------------------------------


_KAFKA_TECH = ("kafka*", "aws.msk*", "confluent*", "strimzi*", "redpanda*")
"""Kafka clusters: svc-kafka-topic-no-acl asks who may use their topics."""
_CONSUMED = frozenset({"read", "read-only"})


@rule(RuleMeta(
    id="svc-queue-publish-unrestricted",
    title="Anyone who can reach {element} may publish messages its consumers act on",
    description="A queue or topic whose access policy does not say who may publish lets any "
    "identity that reaches it (every role of the account, every pod of the cluster, every "
    "client of the broker) send messages its consumers act on as if our producer had sent "
    "them: forged orders, payouts or jobs.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, T), cwe=(862,), capec=(148,),
    kinds=MESSAGING_KINDS, asvs=("V4.1.3",), attack=("T1565",), domain=DOMAIN,
    mitigations=(
        "Grant publish only to the producers' identities: an SQS queue policy or SNS topic "
        "policy naming the producer roles (with aws:SourceArn / aws:SourceAccount for AWS "
        "services), EventBridge bus resource policies, RabbitMQ per-user write permissions on "
        "the exchange, Redis ACL users with limited commands and keys; then state `authz`.",
        "Have consumers verify what matters (a signature, or the authoritative state from the "
        "owning service) where producers are less trusted than consumers.",
    ),
    detection="Queue or stream of ours (not Kafka: svc-kafka-topic-no-acl) with a producer "
    "(a flow into it that is not a read) and a process that consumes from it, with `authz: "
    "none`. An applicable threat (with the question) when `authz` is not stated (nor "
    "`policy_principals`, which aws-resource-policy-public judges).",
    false_positives="Queues inside a process boundary nothing else can reach; state `authz` "
    "with how that is enforced.",
    references=("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
                "sqs-basic-examples-of-sqs-policies.html",
                "https://www.rabbitmq.com/docs/access-control"),
    asks=(Ask(
        "Who may publish to {element}: does its access policy grant send or publish only to "
        "the producers' identities?",
        (AskFact("authz", confirms=("none",), rules_out=("iam", "acl", "policy", "rbac")),),
        threat="Message spoofing: anyone who can reach {element} may publish messages its "
        "consumers act on",
    ),),
))
def svc_queue_publish_unrestricted(component: Component, model: Model) -> Verdict:
    """A queue or topic whose publishers nothing restricts."""
    if not component.ours:
        return _NOT_OURS
    if tech_is(component, _KAFKA_TECH):
        return Skip("a Kafka cluster, whose topic ACLs are asked about on their own")
    if listed(component.prop("policy_principals")):
        return Skip("its resource policy states who may call it")
    producers, consumers = _producers_and_consumers(model, component)
    if not (producers and consumers):
        return PASS
    if component.authz is not None and component.authz is not Authz.NONE:
        return RuledOut((f"authz: {component.authz.value}",))
    why = (f"published to by {', '.join(producers)}", f"consumed by {', '.join(consumers)}")
    data = sensitive_data(model, component)
    if component.authz is None:
        return Unknown(("authz",), why=(*why, "nothing states who may publish"), data=ids(data))
    return Fire(("authz: none", *why), data=ids(data))


def _producers_and_consumers(model: Model, component: Component) -> tuple[list[str], list[str]]:
    """Who writes to the queue and which processes read from it, sorted."""
    producers: set[str] = set()
    consumers: set[str] = set()
    graph = model.graph
    for flow in graph.flows_in(component.id):
        if str(flow_prop(flow, "access") or "").lower() in _CONSUMED:
            consumers.add(flow.source)
        else:
            producers.add(flow.source)
    consumers |= {f.target for f in graph.flows_out(component.id)}
    consumers = {c for c in consumers if model.components[c].kind in PROCESS_KINDS}
    return sorted(producers), sorted(consumers)


# --- fail-open --------------------------------------------------------------------------------


_DECISION_WORDS = frozenset({"fraud", "antifraud", "kyc", "aml", "sanctions", "authorizer",
                             "authoriser", "authz", "opa", "pdp"})
"""Words in a component's id or name that mark a security decision service."""
_RISK_WORDS = frozenset({"scoring", "score", "engine"})
"""With ``risk``: a risk-scoring service (``risk`` alone names too many other things)."""
_DECISION_TECH = ("opa*", "aws.verifiedpermissions*", "aws.frauddetector*", "cedar*", "sift*",
                  "stripe.radar*", "openfga*", "permit*")


def _decision_service(component: Component) -> str:
    """Why the component decides a security question for its callers ("" when it does not)."""
    stated = component.prop("security_decision")
    if stated is False:
        return ""
    if stated is True:
        return "properties.security_decision: true"
    if tech_is(component, _DECISION_TECH):
        return f"a decision service ({component.tech})"
    tokens = set(re.split(r"[^a-z0-9]+", f"{component.id} {component.name or ''}".lower()))
    found = sorted(tokens & _DECISION_WORDS)
    if not found and "risk" in tokens and tokens & _RISK_WORDS:
        found = ["risk scoring"]
    return f"a fraud, risk or authorisation check (by its name: {found[0]})" if found else ""


@rule(RuleMeta(
    id="svc-security-check-fails-open",
    title="{element} goes ahead when the security check it calls fails",
    description="A service asks another for a security decision (fraud or risk scoring, KYC or "
    "sanctions screening, an authorisation decision) and, when that call times out or errors, "
    "carries on as if the answer were yes: an attacker who can slow or break the check (load, "
    "malformed input, an outage) turns it off.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(E, T), cwe=(636,), capec=(212,),
    source_kinds=PROCESS_KINDS, asvs=("V1.7.2", "V7.4.2"), attack=("T1562",), domain=DOMAIN,
    mitigations=(
        "Fail closed: on a timeout or error of the check, refuse or hold the operation (queue "
        "the payment for review, deny the request), never approve it by default; make the "
        "fallback an explicit, tested decision with an alert.",
        "Give the check its own timeout, circuit breaker and capacity so that load elsewhere "
        "cannot starve it, and monitor how often the fallback is taken.",
    ),
    detection="Flow from a service of ours to a security decision service (by technology: OPA, "
    "Verified Permissions, Fraud Detector, Sift...; by a word of its id or name: fraud, kyc, "
    "aml, sanctions, authorizer, authz, opa, pdp, risk scoring; or "
    "`properties.security_decision: true`) with `properties.fails_closed: false`. An "
    "applicable threat (with the question) when `fails_closed` is not stated.",
    false_positives="Checks that are advisory by design (a score logged for later review); "
    "state `properties.security_decision: false` on the service.",
    references=("https://cwe.mitre.org/data/definitions/636.html",
                "https://owasp.org/www-community/Fail_securely"),
    asks=(Ask(
        "When the check behind {element} times out or fails, does the caller refuse or hold "
        "the operation (fail closed), or carry on as if it passed?",
        (AskFact("properties.fails_closed", confirms=("false",), rules_out=("true",)),),
        threat="Fail-open: an attacker who slows or breaks the check behind {element} may "
        "turn it off",
    ),),
))
def svc_security_check_fails_open(flow: Flow, model: Model) -> Verdict:
    """A security decision whose failure lets the operation through."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    if not source.ours or source.kind not in PROCESS_KINDS:
        return _NOT_OURS
    decides = _decision_service(target)
    if not decides:
        return Skip("not a call to a security decision service")
    closed = flow_prop(flow, "fails_closed")
    if closed is True:
        return RuledOut(("properties.fails_closed: true",))
    why = (f"'{source.id}' asks '{target.id}' for a decision", decides)
    if closed is None:
        return Unknown(("properties.fails_closed",),
                       why=(*why, "nothing states what happens when the check fails"),
                       data=ids(flow_sensitive(model, flow)))
    return Fire((*why, "properties.fails_closed: false"), data=ids(flow_sensitive(model, flow)))


WAF_STATED = ElementSet(
    "waf-stated", "components that state `waf: true`",
    lambda model: frozenset(cid for cid, c in model.components.items() if c.waf is True),
)
_MONITORING = frozenset({"count", "detect"})
"""WAF modes that match requests and let them through."""


@rule(RuleMeta(
    id="svc-waf-monitor-only",
    title="The WAF of {element} only counts or logs what it would block",
    description="A web application firewall in count, detect or monitor mode matches attacks "
    "and lets them through: the protection the design relies on (injection, bad bots, rate "
    "rules) is not there, and nobody notices until the logs are read.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, D), cwe=(636,), capec=(212,),
    kinds=PROCESS_KINDS, asvs=("V1.14.1",), attack=("T1190",), domain=DOMAIN,
    confidence=Confidence.HIGH, among=WAF_STATED,
    mitigations=(
        "Run the WAF in blocking mode (AWS WAF rule actions Block, managed rule groups without "
        "the Count override; ModSecurity `SecRuleEngine On`; Cloudflare rules set to Block or "
        "Managed Challenge) after a short, dated tuning period in count mode.",
        "Alert when a rule group is switched to count, and review counted matches daily during "
        "tuning.",
    ),
    detection="Exposed component with `waf: true` and `properties.waf_mode` count or detect. "
    "An applicable threat (with the question) when `waf_mode` is not stated.",
    false_positives="A WAF deliberately in count mode during a dated tuning period; accept the "
    "finding with that expiry.",
    references=("https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-action.html",
                "https://cwe.mitre.org/data/definitions/636.html"),
    asks=(Ask(
        "Does the WAF of {element} block what its rules match, or only count or log it?",
        (AskFact("properties.waf_mode", confirms=("count", "detect"), rules_out=("block",)),),
        threat="Fail-open WAF: attacks on {element} may be counted, not blocked",
    ),),
))
def svc_waf_monitor_only(component: Component, model: Model) -> Verdict:
    """A WAF that matches attacks and lets them through."""
    if component.waf is not True:
        return Skip("states no WAF")
    mode = word(component.prop("waf_mode"))
    if not exposed(model, component):
        return PASS
    if mode == "block":
        return RuledOut((f"properties.waf_mode: {mode}",))
    where = exposure_words(model, component)
    if mode is None:
        return Unknown(("properties.waf_mode",),
                       why=("waf: true", where, "nothing states whether it blocks"))
    if mode in _MONITORING:
        return Fire(("waf: true", f"properties.waf_mode: {mode}", where))
    return PASS


RULES: tuple[Rule, ...] = (
    svc_cross_zone_call_unauthenticated,
    svc_internal_service_unauthenticated,
    svc_flat_network_lateral_movement,
    svc_queue_publish_unrestricted,
    svc_security_check_fails_open,
    svc_waf_monitor_only,
)
"""The service-to-service rules: callers, neighbours, publishers and the checks they rely on."""

