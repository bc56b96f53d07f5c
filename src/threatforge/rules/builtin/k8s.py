"""Microservice and Kubernetes rules: service identity, mesh, pods, RBAC, images, message buses.

``svc-`` rules look at how services talk to each other and share state (service-to-service
authentication, identity propagation, Kafka, shared databases); ``k8s-`` rules look at the
cluster that runs them (namespaces, mesh and network policy, pod security, service accounts and
RBAC, secrets, image provenance, the API server and etcd).

Technology facts are read from ``properties:`` of components, flows and boundaries; every key is
documented in ``docs/rules/k8s-properties.md``. An unstated property never makes a rule fire; a
namespace inherits a setting from the cluster (or namespace) it sits in when it does not state it.

A CI pipeline's ``deploy_auth: static-token`` and ``deploy_role: cluster-admin`` are judged here
only when the pipeline has a flow into a Kubernetes API server (a component whose tech is
``aws.eks``, ``k8s.apiserver``, ... or whose id or name is ``kube-apiserver``); a pipeline that
deploys anywhere else is left to the ``cicd-*`` rules. Where both judge a pipeline, the rule here
supersedes the ``cicd-*`` one (one weakness, one finding).
"""

from __future__ import annotations

from threatforge.model import (
    Authz,
    Boundary,
    Component,
    ComponentKind,
    Exposure,
    Flow,
    Model,
    TrustLevel,
)
from threatforge.model.schema import Initiator
from threatforge.rules.builtin._facts import (
    CLUSTER_ZONES,
    IN_CLUSTER,
    INFO,
    INTO_CLUSTER,
    KUBE_API_SERVER_TECH,
    KUBERNETES_DEPLOY_VALUES,
    MESSAGING_KINDS,
    OUTSIDE_KINDS,
    PROCESS_KINDS,
    WITHIN_CLUSTERS,
    D,
    E,
    R,
    S,
    T,
    cluster_chain,
    cluster_says,
    exposed,
    exposure_words,
    flow_prop,
    flow_sensitive,
    ids,
    in_cluster,
    inbound_crossing,
    kube_api_targets,
    kubernetes_deploy_value,
    listed,
    mutual_tls,
    names,
    secrets_of,
    sensitive_data,
    whole_number,
    word,
)
from threatforge.rules.builtin._facts import WORKLOAD_KINDS as APPLICATION_WORKLOADS
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
    SupersedesWhere,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "k8s"
K8S_DOCS = "https://kubernetes.io/docs/"
ISTIO_DOCS = "https://istio.io/latest/docs/"

WORKLOAD_KINDS = frozenset(ComponentKind) - OUTSIDE_KINDS
"""Kinds that can run as pods."""
KAFKA_TECH = ("kafka*", "aws.msk*", "confluent*", "strimzi*", "redpanda*")
API_SERVER_TECH = KUBE_API_SERVER_TECH
SELF_MANAGED_API_SERVER_TECH = tuple(t for t in API_SERVER_TECH if not t.startswith("aws.eks"))
"""API servers other than EKS (aws-eks-public-endpoint-open covers the EKS endpoint)."""
NODE_TECH = ("k8s.node*", "aws.eks.nodegroup*", "aws.eks.node*", "k8s.kubelet*")
WEAK_MESH_MODES = frozenset({"PERMISSIVE", "DISABLE", "DISABLED"})
DANGEROUS_CAPABILITIES = frozenset(
    {"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "BPF",
     "NET_RAW"}
)
OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
SHARED_STORE_WRITERS = 3
"""How many services writing one store make it a shared database."""
MESSAGE_SOURCE_KINDS = MESSAGING_KINDS
"""Where consumers read messages from (a flow scope)."""
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_RUNS_OUTSIDE_CLUSTERS = Skip("does not run in a cluster")
_NOT_BETWEEN_CLUSTER_WORKLOADS = Skip("not between two workloads in a cluster")
_ENTERS_MORE_TRUSTED_ZONE = Skip(
    "enters a more trusted zone: a boundary crossing, not a call within one trust level"
)
_NOT_CLUSTER_PULL = Skip("not an image pull into a cluster")
_APP_KINDS = APPLICATION_WORKLOADS
"""The application workloads asked about their pod security (node agents and gateways are
not: they are judged only on what is stated)."""
_SAFE_POD_SECURITY = frozenset({"baseline", "restricted"})
"""Pod Security levels that refuse privileged pods and privilege escalation."""


# --- facts ------------------------------------------------------------------------------------


def _zone_data(model: Model, boundary: Boundary) -> list[str]:
    """Confidential or restricted data handled by components in this boundary (or inside it)."""
    return model.graph.memo(("zone-data",), lambda: _data_by_zone(model)).get(boundary.id, [])


def _data_by_zone(model: Model) -> dict[str, list[str]]:
    """Boundary id -> sensitive data handled by components in it or in zones inside it."""
    found: dict[str, dict[str, None]] = {}
    for component in model.components.values():
        zone = model.graph.zone_of(component.id)
        if zone is None:
            continue
        handled = dict.fromkeys(a.id for a in sensitive_data(model, component))
        for boundary in model.graph.zone_chain(zone.id):
            found.setdefault(boundary.id, {}).update(handled)
    return {bid: sorted(data) for bid, data in found.items()}


def _is_cluster_zone(boundary: Boundary) -> bool:
    """A cluster or namespace boundary."""
    return boundary.kind in CLUSTER_ZONES


# --- service-to-service authentication and identity -----------------------------------------


@rule(RuleMeta(
    id="svc-unauthenticated-service-call",
    title="Service call {element} inside the cluster is not authenticated",
    description="One service calls another inside the cluster without mTLS or a service token: "
    "any compromised pod that can reach the target (there is always one, eventually) can call "
    "it as if it were the legitimate caller and use its APIs and data.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(S, E), cwe=(306,), capec=(115,),
    source_kinds=PROCESS_KINDS, target_kinds=PROCESS_KINDS,
    asvs=("V1.2.2", "V4.1.1"), attack=("T1021", "T1210"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    among=WITHIN_CLUSTERS,
    mitigations=(
        "Enable mesh-wide STRICT mTLS (Istio `PeerAuthentication` mode STRICT, Linkerd default "
        "mTLS) so every call carries a workload identity (SPIFFE ID), and allow callers by "
        "identity with an `AuthorizationPolicy`.",
        "Without a mesh, authenticate service calls with short-lived tokens (projected service "
        "account tokens with an audience, OAuth2 token exchange RFC 8693) validated by the "
        "callee.",
    ),
    detection="Flow between two processes (service, function, gateway) that both run in a "
    "cluster, not `mtls: true`, not in a namespace with STRICT `peer_authentication`, whose "
    "`authn` is none or network. Unknown when `authn` is not stated; skipped for flows into a "
    "more trusted zone, which the boundary rules judge (unauthenticated-boundary-crossing, "
    "network-location-trust). Supersedes network-location-trust on the calls it reports, and "
    "missing-authorization on the service the call goes into.",
    supersedes=(Supersedes("network-location-trust"),
                Supersedes("missing-authorization", SupersedesWhere.FLOW_TARGET)),
    false_positives="Callers that authenticate at the application layer in a way the model does "
    "not show; state the flow's `authn`.",
    references=(ISTIO_DOCS + "concepts/security/",
                K8S_DOCS + "concepts/security/service-accounts/"),
    asks=(Ask(
        "How does the service behind {element} know which workload is calling it (mTLS with a "
        "workload identity, a service token it validates), or does it accept any pod's call?",
        (AskFact("authn", confirms=("none",),
                 rules_out=("mtls", "jwt", "service-account", "workload-identity")),
         AskFact("mtls", rules_out=("true",))),
        threat="Service spoofing on {element}: any compromised pod of the cluster may call "
        "the target as if it were the legitimate caller",
    ),),
))
def svc_unauthenticated_service_call(flow: Flow, model: Model) -> Verdict:
    """Service-to-service call without a workload identity."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    if not (in_cluster(model, source) and in_cluster(model, target)):
        return _NOT_BETWEEN_CLUSTER_WORKLOADS
    if inbound_crossing(model, flow):
        return _ENTERS_MORE_TRUSTED_ZONE
    data = flow_sensitive(model, flow) or sensitive_data(model, target)
    authn = flow.effective_authn
    if mutual_tls(model, flow):
        if not data:
            return PASS
        return RuledOut(("mtls: true" if flow.mtls else
                         f"STRICT peer authentication for '{target.id}'",))
    if authn is None:
        if not data:
            return PASS  # nothing of value behind the call: no threat to ask about
        return Unknown(("authn",),
                       why=(f"'{source.id}' calls '{target.id}' inside the cluster",
                            f"'{target.id}' handles {names(data)}",
                            "every pod of the cluster can open the same connection"),
                       data=ids(data))
    if authn.authenticates:
        return RuledOut((f"authn: {authn.value}",)) if data else PASS
    return Fire((f"authn: {authn.value}", "no mTLS on the flow and no STRICT peer authentication "
                 f"for '{target.id}'"), data=ids(flow_sensitive(model, flow)))


@rule(RuleMeta(
    id="svc-identity-not-propagated",
    title="End-user identity is dropped on {element}",
    description="The downstream service acts on user data but no longer knows which user asked: "
    "it must trust the calling service for every decision (a confused deputy), so one bug or "
    "compromise upstream reaches every user's data, and the audit trail loses the user.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(E, R), cwe=(441, 639), capec=(21,),
    asvs=("V4.1.1", "V7.1.3"), attack=("T1078",), domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"propagates_identity"}),
    mitigations=(
        "Forward the user's context to every hop: exchange the user token for a downstream token "
        "with the user as subject and the calling service as actor (OAuth2 token exchange, RFC "
        "8693), or pass a signed internal identity token (e.g. Istio `RequestAuthentication` "
        "with JWT forwarding) that the callee verifies.",
        "Make the downstream service authorise per user and object, and log the user id.",
    ),
    detection="Flow between two processes with `properties.propagates_identity: false` that "
    "carries confidential or restricted data or whose target handles it.",
    false_positives="System-initiated calls (schedulers, batch jobs) that act for no user; leave "
    "`propagates_identity` unstated for them.",
    references=("https://www.rfc-editor.org/rfc/rfc8693",
                ISTIO_DOCS + "reference/config/security/request_authentication/"),
))
def svc_identity_not_propagated(flow: Flow, model: Model) -> Verdict:
    """The user's identity does not reach the service that acts for them."""
    if flow_prop(flow, "propagates_identity") is not False:
        return PASS
    source = model.components[flow.source]
    target = model.components[flow.target]
    if source.kind not in PROCESS_KINDS or target.kind not in PROCESS_KINDS:
        return Skip("not a call between two services")
    data = flow_sensitive(model, flow) or sensitive_data(model, target)
    if not data:
        return PASS
    return Fire(("properties.propagates_identity: false",
                 f"'{target.id}' acts on {names(data)}"), data=tuple(a.id for a in data))


# --- service mesh and network policy ---------------------------------------------------------


@rule(RuleMeta(
    id="k8s-mesh-permissive-mtls",
    title="Service mesh in {element} accepts plaintext traffic ({detail} mTLS)",
    description="In PERMISSIVE (or DISABLE) peer authentication, sidecars accept plaintext "
    "connections next to mTLS: any pod without a sidecar, or an attacker on the pod network, "
    "can call the services without a workload identity and read or alter the traffic.",
    target=Target.BOUNDARY, likelihood=3, impact=4, stride=(S, INFO, T), cwe=(319, 306),
    capec=(94,), asvs=("V9.2.1", "V1.2.2"), attack=("T1557", "T1040"), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:4.2.1",),
    mitigations=(
        "Set a mesh-wide `PeerAuthentication` with `mtls.mode: STRICT` in the root namespace "
        "(istio-system) and in every application namespace once all workloads have sidecars; "
        "use PERMISSIVE only during migration, with an end date.",
    ),
    detection="Cluster or namespace boundary whose own `properties.peer_authentication` is "
    "PERMISSIVE or DISABLE (namespaces that inherit it are not reported again).",
    false_positives="A namespace in the middle of a documented migration to STRICT; accept the "
    "finding with an expiry date.",
    references=(ISTIO_DOCS + "reference/config/security/peer_authentication/",
                ISTIO_DOCS + "tasks/security/authentication/mtls-migration/"),
))
def k8s_mesh_permissive_mtls(boundary: Boundary, model: Model) -> Verdict:
    """Sidecars that still accept plaintext."""
    if not _is_cluster_zone(boundary):
        return Skip("not a cluster or namespace")
    value = boundary.properties.get("peer_authentication")
    if value is None:
        return PASS  # an inherited mode is reported once, on the boundary that states it
    mode = str(value).upper()
    if mode not in WEAK_MESH_MODES:
        return PASS
    return Fire((f"properties.peer_authentication: {mode}",),
                data=tuple(_zone_data(model, boundary)), detail=mode)


@rule(RuleMeta(
    id="k8s-mesh-no-authorization-policy",
    title="Mesh namespace {element} has no AuthorizationPolicy: every workload may call every "
    "service",
    description="mTLS tells a service who is calling; without an AuthorizationPolicy nothing "
    "decides whether that caller is allowed, so any compromised workload in the mesh can reach "
    "every service in the namespace.",
    target=Target.BOUNDARY, likelihood=3, impact=4, stride=(E,), cwe=(862,), capec=(122,),
    asvs=("V4.1.1", "V4.1.3"), attack=("T1021", "T1210"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    mitigations=(
        "Apply a default-deny `AuthorizationPolicy` (an empty `spec: {}`) in every mesh "
        "namespace and allow each caller explicitly by `source.principals` (its service "
        "account), method and path.",
    ),
    detection="Cluster or namespace boundary with `properties.authorization_policy: false`.",
    false_positives="Namespaces whose services are all deliberately callable by every workload "
    "(shared platform APIs); accept the finding with that justification.",
    references=(ISTIO_DOCS + "reference/config/security/authorization-policy/",
                ISTIO_DOCS + "ops/best-practices/security/"),
))
def k8s_mesh_no_authorization_policy(boundary: Boundary, model: Model) -> Verdict:
    """Mesh identities without any allow-list of callers."""
    if not _is_cluster_zone(boundary):
        return Skip("not a cluster or namespace")
    if boundary.properties.get("authorization_policy") is not False:
        return PASS
    return Fire(("properties.authorization_policy: false",),
                data=tuple(_zone_data(model, boundary)))


@rule(RuleMeta(
    id="k8s-namespace-no-default-deny",
    title="Namespace {element} has no default-deny NetworkPolicy",
    description="Kubernetes lets every pod talk to every pod in every namespace unless a "
    "NetworkPolicy selects it; without default-deny, one compromised pod reaches the databases, "
    "the control plane add-ons and other tenants' services.",
    target=Target.BOUNDARY, likelihood=3, impact=4, stride=(E, INFO), cwe=(923,), capec=(122,),
    attack=("T1046", "T1210"), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.3.1",),
    mitigations=(
        "Apply a default-deny `NetworkPolicy` (podSelector `{}`, both policyTypes) in every "
        "namespace, then allow only the flows in this model by namespace and pod labels; make "
        "sure the CNI enforces policies (EKS VPC CNI network policy agent, Calico, Cilium).",
    ),
    detection="Cluster or namespace boundary with `properties.default_deny: false` or "
    "`properties.network_policies` none or allow-all.",
    false_positives="Namespaces isolated by other means (one namespace per node pool with "
    "security groups for pods); say so with `default_deny: true` and a control.",
    references=(K8S_DOCS + "concepts/services-networking/network-policies/",),
))
def k8s_namespace_no_default_deny(boundary: Boundary, model: Model) -> Verdict:
    """Pods of other namespaces can reach this one freely."""
    if not _is_cluster_zone(boundary):
        return Skip("not a cluster or namespace")
    evidence = []
    if boundary.properties.get("default_deny") is False:
        evidence.append("properties.default_deny: false")
    policies = boundary.properties.get("network_policies")
    if policies is False or (
        isinstance(policies, str) and policies.lower() in ("none", "allow-all")
    ):
        evidence.append(f"properties.network_policies: {policies}")
    if not evidence:
        return PASS
    return Fire(tuple(evidence), data=tuple(_zone_data(model, boundary)))


# --- pod security -----------------------------------------------------------------------------


@rule(RuleMeta(
    id="k8s-privileged-container",
    title="{element} runs a privileged container or one with dangerous capabilities",
    description="A privileged container (or one with CAP_SYS_ADMIN and similar, or allowed to "
    "escalate privileges) is root on the node: a code execution bug in it becomes a node "
    "takeover, and from the node every pod's secrets and the kubelet's credentials.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E,), cwe=(250,), capec=(233,),
    attack=("T1611",), kinds=WORKLOAD_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:2.2.6",), among=IN_CLUSTER,
    mitigations=(
        "Remove `privileged: true` and `allowPrivilegeEscalation`, drop all capabilities and add "
        "back only the one needed (`NET_BIND_SERVICE`), and enforce the `restricted` Pod "
        "Security Standard on the namespace.",
    ),
    detection="Workload in a cluster with `properties.privileged: true`, "
    "`properties.allow_privilege_escalation: true`, or `properties.capabilities_add` containing "
    "ALL, SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, BPF or NET_RAW. An "
    "applicable threat (with the question) when none of them is stated on a service or "
    "function in a cluster that handles confidential or restricted data and is exposed (public, "
    "or one flow from an entry point: where attacker input arrives first), unless its "
    "namespace or cluster enforces the `baseline` or `restricted` Pod Security level "
    "(`pod_security`), which rules privileged pods out.",
    false_positives="Node agents that need privileges by design (CNI plugins, CSI drivers, "
    "security agents); isolate them in a dedicated namespace and accept the finding there.",
    references=(K8S_DOCS + "concepts/security/pod-security-standards/",),
    asks=(Ask(
        "Does {element} run privileged or allow privilege escalation (a container that is root "
        "on its node)?",
        (AskFact("properties.privileged", confirms=("true",), rules_out=("false",)),
         AskFact("properties.allow_privilege_escalation", confirms=("true",))),
        threat="Container escape: code execution in {element} may take over its node and "
        "every pod's secrets on it",
    ),),
))
def k8s_privileged_container(component: Component, model: Model) -> Verdict:
    """Root-equivalent container."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    evidence = [f"properties.{key}: true" for key in ("privileged", "allow_privilege_escalation")
                if component.prop(key) is True]
    caps = sorted({c.upper().removeprefix("CAP_") for c in
                   listed(component.prop("capabilities_add"))} & DANGEROUS_CAPABILITIES)
    if caps:
        evidence.append(f"properties.capabilities_add: {', '.join(caps)}")
    if evidence:
        return Fire(tuple(evidence), data=ids(sensitive_data(model, component)))
    if component.prop("privileged") is False:
        return RuledOut(("properties.privileged: false",))
    if any(component.prop(k) is not None for k in
           ("privileged", "allow_privilege_escalation", "capabilities_add")):
        return PASS
    if component.kind not in _APP_KINDS or not exposed(model, component):
        return PASS
    data = sensitive_data(model, component)
    if not data:
        return PASS
    level = word(cluster_says(model, component, "pod_security"))
    if level in _SAFE_POD_SECURITY:
        return RuledOut((f"pod_security: {level} on its namespace or cluster",))
    return Unknown(("properties.privileged",),
                   why=(f"runs in a cluster and handles {names(data)}",
                        exposure_words(model, component),
                        "nothing states its security context or a Pod Security level"),
                   data=ids(data))


@rule(RuleMeta(
    id="k8s-host-namespace-or-path",
    title="{element} shares the node's network, process namespace or file system",
    description="hostNetwork, hostPID, hostIPC and hostPath mounts break the pod's isolation: "
    "the pod can sniff node traffic and reach node-local services, see and signal other "
    "processes, or read and write node files such as the container runtime socket and kubelet "
    "credentials.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E, INFO), cwe=(250, 668),
    capec=(233,), attack=("T1611",), kinds=WORKLOAD_KINDS, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:2.2.6",),
    properties=frozenset({"host_network", "host_pid", "host_ipc", "host_path"}),
    mitigations=(
        "Remove `hostNetwork`, `hostPID` and `hostIPC`; replace hostPath volumes with "
        "emptyDir, ConfigMaps, CSI volumes or projected volumes; enforce the `baseline` (better "
        "`restricted`) Pod Security Standard, which forbids them.",
    ),
    detection="Workload in a cluster with `properties.host_network`, `host_pid` or `host_ipc` "
    "true, or with `properties.host_path` (true or a list of mounted node paths).",
    false_positives="Log shippers and node exporters that read node files; mount read-only, "
    "narrow paths and accept the finding for them.",
    references=(K8S_DOCS + "concepts/security/pod-security-standards/",
                K8S_DOCS + "concepts/storage/volumes/#hostpath"),
))
def k8s_host_namespace_or_path(component: Component, model: Model) -> Verdict:
    """The pod reaches into the node."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    evidence = [f"properties.{key}: true" for key in ("host_network", "host_pid", "host_ipc")
                if component.prop(key) is True]
    paths = component.prop("host_path")
    if paths is True:
        evidence.append("properties.host_path: true")
    elif listed(paths):
        evidence.append(f"properties.host_path: {', '.join(listed(paths))}")
    if not evidence:
        return PASS
    return Fire(tuple(evidence))


@rule(RuleMeta(
    id="k8s-container-runs-as-root",
    title="{element} runs its container as root",
    description="A container running as UID 0 turns any file-system or kernel escape into root "
    "on the node, and lets an attacker modify the image's binaries at run time.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(E,), cwe=(250,), capec=(233,),
    attack=("T1611",), kinds=WORKLOAD_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:2.2.6",),
    properties=frozenset({"run_as_non_root", "run_as_user"}),
    mitigations=(
        "Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` in the pod spec, "
        "build images with a `USER` directive, and enforce the `restricted` Pod Security "
        "Standard.",
    ),
    detection="Workload in a cluster with `properties.run_as_non_root: false` or "
    "`properties.run_as_user: 0`.",
    false_positives="Images that start as root only to drop privileges immediately (some "
    "proxies); prefer a non-root image, or accept the finding for them.",
    references=(K8S_DOCS + "tasks/configure-pod-container/security-context/",),
))
def k8s_container_runs_as_root(component: Component, model: Model) -> Verdict:
    """UID 0 inside the container."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    evidence = []
    if component.prop("run_as_non_root") is False:
        evidence.append("properties.run_as_non_root: false")
    if whole_number(component.prop("run_as_user")) == 0:
        evidence.append("properties.run_as_user: 0")
    if not evidence:
        return PASS
    return Fire(tuple(evidence))


@rule(RuleMeta(
    id="k8s-namespace-privileged-pod-security",
    title="Namespace {element} admits privileged pods (Pod Security '{detail}')",
    description="With the `privileged` Pod Security level (or none), the namespace admits "
    "privileged containers, host namespaces and hostPath mounts from anyone who can create a "
    "pod there, including a compromised CI job or operator.",
    target=Target.BOUNDARY, likelihood=3, impact=4, stride=(E,), cwe=(250, 1188), capec=(233,),
    attack=("T1610", "T1611"), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:2.2.6",),
    mitigations=(
        "Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or `baseline` "
        "where restricted is impossible), and set a cluster-wide default in the "
        "PodSecurity admission configuration.",
    ),
    detection="Cluster or namespace boundary whose `properties.pod_security` is privileged, "
    "none or disabled.",
    false_positives="System namespaces (kube-system, CNI) that need privileged pods; keep them "
    "separate and accept the finding there.",
    references=(K8S_DOCS + "concepts/security/pod-security-admission/",),
))
def k8s_namespace_privileged_pod_security(boundary: Boundary, model: Model) -> Verdict:
    """No pod security guardrail on the namespace."""
    if not _is_cluster_zone(boundary):
        return Skip("not a cluster or namespace")
    value = boundary.properties.get("pod_security")
    level = str(value).lower() if value is not None else ""
    if value is False or level in ("privileged", "none", "disabled"):
        shown = "none" if value is False else level
        return Fire((f"properties.pod_security: {shown}",), detail=shown)
    return PASS


# --- service accounts and RBAC ----------------------------------------------------------------


def _role_holders(model: Model) -> frozenset[str]:
    """Components that state a cluster role, and CI pipelines of ours that deploy to a
    Kubernetes API server (asked which role they deploy with)."""
    graph = model.graph
    stated = {cid for key in ("cluster_role", "deploy_role", "rbac_wildcard")
              for cid in graph.components_stating(key)}
    pipelines = {cid for cid, c in model.components.items()
                 if c.kind is ComponentKind.CI_PIPELINE and c.ours
                 and kube_api_targets(model, c)}
    return frozenset(stated | pipelines)


ROLE_HOLDERS = ElementSet(
    "cluster-role-holders", "components that state a cluster or deploy role, and CI pipelines "
    "of ours that deploy to a Kubernetes API server", _role_holders,
)


@rule(RuleMeta(
    id="k8s-sa-token-automount",
    title="{element} mounts a service account token it does not need",
    description="Every pod gets a Kubernetes API token by default; a workload that never calls "
    "the API server only keeps it for an attacker, who can use it to list secrets or create pods "
    "wherever its RBAC allows.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(E, INFO), cwe=(250,),
    capec=(233,), attack=("T1528", "T1552.007"), kinds=WORKLOAD_KINDS, domain=DOMAIN,
    properties=frozenset({"automount_service_account_token"}),
    mitigations=(
        "Set `automountServiceAccountToken: false` on the pod spec (and on the ServiceAccount); "
        "mount a projected token with a short lifetime and an audience only where the API is "
        "called.",
    ),
    detection="Workload in a cluster with `properties.automount_service_account_token: true`, "
    "not `properties.kube_api_access: true`, and no flow to a Kubernetes API server component "
    "(tech aws.eks, k8s.apiserver..., or id or name kube-apiserver).",
    false_positives="Workloads that call the API server through a client library the model does "
    "not show; state `kube_api_access: true`.",
    references=(K8S_DOCS + "tasks/configure-pod-container/configure-service-account/",
                K8S_DOCS + "concepts/security/rbac-good-practices/"),
))
def k8s_sa_token_automount(component: Component, model: Model) -> Verdict:
    """An API credential in a pod that never uses it."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    if component.prop("automount_service_account_token") is not True:
        return PASS
    if component.prop("kube_api_access") is True:
        return PASS
    if kube_api_targets(model, component):
        return PASS
    return Fire(("properties.automount_service_account_token: true",
                 "no flow to the Kubernetes API server"))


@rule(RuleMeta(
    id="k8s-cluster-admin-binding",
    title="{element} is bound to cluster-admin",
    description="cluster-admin (or a role with `*` verbs on `*` resources) can read every "
    "secret, run any pod on any node and change RBAC itself: whoever steals this identity's "
    "credentials owns the cluster and everything it can reach.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E,), cwe=(269, 250), capec=(122,),
    asvs=("V4.1.3",), attack=("T1078.004", "T1609"), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:7.2.2", "pci-dss-4.0:7.2.5"),
    among=ROLE_HOLDERS,
    mitigations=(
        "Bind a namespaced Role with only the verbs and resources needed (for a deployer: "
        "get/list/patch on Deployments, Services and ConfigMaps in its namespaces), never "
        "cluster-admin; on EKS use access entries with `AmazonEKSEditPolicy` scoped to "
        "namespaces.",
        "Review ClusterRoleBindings regularly (`kubectl get clusterrolebindings -o wide`) and "
        "alert on new cluster-admin bindings from the audit log.",
    ),
    detection="Component whose `properties.cluster_role` or `properties.deploy_role` is "
    "cluster-admin, or with `properties.rbac_wildcard: true`. A CI pipeline's `deploy_role` "
    "counts only when the pipeline has a flow into a Kubernetes API server; otherwise "
    "cicd-overprivileged-deploy-role reports it. An applicable threat (with the question) on a "
    "CI pipeline of ours that deploys to a Kubernetes API server when none of `cluster_role`, "
    "`deploy_role` and `rbac_wildcard` is stated.",
    false_positives="Break-glass identities used only in incidents, with MFA and alerting; accept "
    "the finding with that justification.",
    references=(K8S_DOCS + "concepts/security/rbac-good-practices/",
                K8S_DOCS + "reference/access-authn-authz/rbac/"),
    supersedes=(Supersedes("cicd-overprivileged-deploy-role"),),
    asks=(Ask(
        "Which role does {element} deploy to the cluster with: cluster-admin, or a namespaced "
        "role with only the verbs and resources a deployment needs?",
        (AskFact("properties.deploy_role", confirms=("cluster-admin",),
                 rules_out=("namespace-deployer",)),),
        threat="Excessive privilege: whoever takes over {element} may own the whole cluster "
        "through its deploy role",
    ),),
))
def k8s_cluster_admin_binding(component: Component, model: Model) -> Verdict:
    """Cluster-wide full control for one identity."""
    evidence = []
    if word(component.prop("cluster_role")) == "cluster-admin":
        evidence.append("properties.cluster_role: cluster-admin")
    deploy = _kubernetes_deploy(model, component, "deploy_role")
    if isinstance(deploy, tuple):
        evidence += deploy
    if component.prop("rbac_wildcard") is True:
        evidence.append("properties.rbac_wildcard: true")
    if evidence:
        return Fire(tuple(evidence))
    if isinstance(deploy, Skip):
        return deploy
    servers = kube_api_targets(model, component)
    if component.kind is not ComponentKind.CI_PIPELINE or not component.ours or not servers:
        return PASS
    role = word(component.prop("deploy_role"))
    if role is not None:
        return RuledOut((f"properties.deploy_role: {role}",))
    if any(component.prop(k) is not None for k in ("cluster_role", "rbac_wildcard")):
        return PASS
    return Unknown(("properties.deploy_role",),
                   why=(f"deploys to the Kubernetes API server {', '.join(servers)}",
                        "nothing states the role it deploys with"))


def _kubernetes_deploy(
    model: Model, component: Component, key: str
) -> tuple[str, ...] | Skip | None:
    """Evidence for a ``deploy_*`` value of a Kubernetes deployment, a Skip when the value is
    stated by a pipeline that deploys to no Kubernetes API server, or None."""
    value = kubernetes_deploy_value(model, component, key)
    if value is not None:
        servers = [f"'{t}'" for t in kube_api_targets(model, component)]
        if component.kind is not ComponentKind.CI_PIPELINE:
            return (f"properties.{key}: {value}",)
        return (f"properties.{key}: {value}",
                f"deploys to the Kubernetes API server {', '.join(servers)}")
    stated = word(component.prop(key))
    if stated == KUBERNETES_DEPLOY_VALUES[key]:
        return Skip(f"{key}: {stated} of a pipeline that deploys to no Kubernetes API server")
    return None


@rule(RuleMeta(
    id="k8s-long-lived-sa-token",
    title="{element} uses a long-lived Kubernetes service account token",
    description="Legacy service account token Secrets never expire and are not bound to a pod: "
    "copied once (from a CI secret store, a laptop, a log) they keep working until someone "
    "notices and deletes the Secret.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(522, 613),
    capec=(560,), asvs=("V2.10.1",), attack=("T1528", "T1550.001"), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:8.6.3",),
    properties=frozenset({"deploy_auth", "service_account_token"}),
    mitigations=(
        "Authenticate CI to the cluster with OIDC federation (GitHub Actions OIDC to an IAM role "
        "mapped by an EKS access entry) or `kubectl create token` with a short `--duration`; "
        "delete `kubernetes.io/service-account-token` Secrets.",
    ),
    detection="Component with `properties.deploy_auth: static-token` or "
    "`properties.service_account_token` long-lived, static or secret. A CI pipeline's "
    "`deploy_auth` counts only when the pipeline has a flow into a Kubernetes API server; "
    "otherwise cicd-static-deploy-credentials reports it.",
    false_positives="Tokens kept in a vault with automatic rotation; state the rotation in "
    "`service_account_token` (e.g. `rotated`) instead of `static`.",
    references=(K8S_DOCS + "concepts/security/service-accounts/",
                K8S_DOCS + "reference/access-authn-authz/service-accounts-admin/"),
    supersedes=(Supersedes("cicd-static-deploy-credentials"),),
))
def k8s_long_lived_sa_token(component: Component, model: Model) -> Verdict:
    """A cluster credential that never expires."""
    deploy = _kubernetes_deploy(model, component, "deploy_auth")
    evidence = list(deploy) if isinstance(deploy, tuple) else []
    token = word(component.prop("service_account_token"))
    if token in ("long-lived", "static", "secret"):
        evidence.append(f"properties.service_account_token: {token}")
    if evidence:
        return Fire(tuple(evidence))
    return deploy if isinstance(deploy, Skip) else PASS


# --- secrets ----------------------------------------------------------------------------------


@rule(RuleMeta(
    id="k8s-secrets-in-env",
    title="{element} receives secrets as plain environment variables",
    description="Environment variables are inherited by child processes, printed by debug "
    "endpoints and crash reports, visible in `kubectl describe` and the pod spec; secrets in "
    "them leak far more widely than mounted files read on demand.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(526,), capec=(37,),
    asvs=("V6.4.1",), attack=("T1552.007",), kinds=WORKLOAD_KINDS, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:8.6.2",),
    properties=frozenset({"secrets_in_env"}),
    mitigations=(
        "Mount secrets as files from a secrets manager (Secrets Store CSI driver with AWS "
        "Secrets Manager or Vault, Vault Agent injector) with short-lived dynamic credentials, "
        "and never put literal values in `env`.",
    ),
    detection="Workload in a cluster with `properties.secrets_in_env: true`.",
    false_positives="Non-secret configuration only; do not mark `secrets_in_env` for feature "
    "flags or URLs.",
    references=(K8S_DOCS + "concepts/security/secrets-good-practices/",
                "https://cwe.mitre.org/data/definitions/526.html"),
))
def k8s_secrets_in_env(component: Component, model: Model) -> Verdict:
    """Secrets handed to the process through its environment."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    if component.prop("secrets_in_env") is not True:
        return PASS
    return Fire(("properties.secrets_in_env: true",), data=ids(secrets_of(model, component)))


@rule(RuleMeta(
    id="k8s-secrets-in-manifests",
    title="Secrets of {element} are written in Kubernetes manifests",
    description="Secret values in manifests, Helm values or ConfigMaps end up in Git history, CI "
    "logs and every clone of the repository; Kubernetes Secrets are only base64, not encrypted.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(798, 312),
    capec=(37,), asvs=("V2.10.4",), attack=("T1552.001",), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:8.6.2",),
    properties=frozenset({"secrets_in_manifests"}),
    mitigations=(
        "Keep only references in manifests: External Secrets Operator or the Secrets Store CSI "
        "driver pulling from AWS Secrets Manager or Vault, or Sealed Secrets/SOPS-encrypted "
        "values; rotate every secret that was ever committed and scan the repository history "
        "(gitleaks, trufflehog).",
    ),
    detection="Component with `properties.secrets_in_manifests: true`.",
    false_positives="Values encrypted with SOPS or Sealed Secrets in the manifests; state "
    "`secrets_in_manifests: false` for those.",
    references=(K8S_DOCS + "concepts/configuration/secret/",
                K8S_DOCS + "concepts/security/secrets-good-practices/"),
))
def k8s_secrets_in_manifests(component: Component, model: Model) -> Verdict:
    """Secret values committed with the deployment."""
    if component.prop("secrets_in_manifests") is not True:
        return PASS
    return Fire(("properties.secrets_in_manifests: true",),
                data=ids(secrets_of(model, component)))


@rule(RuleMeta(
    id="k8s-secrets-not-encrypted-in-etcd",
    title="Kubernetes Secrets of {element} are stored unencrypted in etcd",
    description="Without encryption at rest, every Secret (database passwords, tokens, TLS "
    "keys) is readable from etcd snapshots, backups and the etcd data directory.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO,), cwe=(311, 312),
    capec=(37,), asvs=("V6.4.1",), attack=("T1552.007",), tech=API_SERVER_TECH,
    domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"secrets_encryption", "etcd_encryption"}),
    mitigations=(
        "Enable envelope encryption of Secrets with a KMS provider (EKS `encryptionConfig` with "
        "a customer-managed KMS key; `EncryptionConfiguration` with the kms v2 provider on "
        "self-managed clusters) and re-write existing Secrets so they are encrypted.",
    ),
    detection="Kubernetes API server component whose `properties.secrets_encryption` (or "
    "`properties.etcd_encryption`) is false, none or identity.",
    false_positives="Clusters that keep no Secrets in etcd at all (everything through the Secrets "
    "Store CSI driver); say so in the model and accept the finding.",
    references=(K8S_DOCS + "tasks/administer-cluster/encrypt-data/",
                "https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html"),
))
def k8s_secrets_not_encrypted_in_etcd(component: Component, model: Model) -> Verdict:
    """etcd holds Secrets in clear."""
    for key in ("secrets_encryption", "etcd_encryption"):
        value = component.prop(key)
        if value is False or (
            isinstance(value, str) and value.lower() in ("none", "identity", "disabled")
        ):
            return Fire((f"properties.{key}: {value}",))
    return PASS


# --- images and admission ---------------------------------------------------------------------


def _image_tag(image: str) -> str | None:
    """The tag of an image reference, None when it names no tag (implicitly ``latest``)."""
    name = image.rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else None


@rule(RuleMeta(
    id="k8s-mutable-image-tag",
    title="{element} runs a mutable image tag ({detail})",
    description="`:latest` (or no tag) means whatever was pushed last: a compromised registry "
    "account or CI job changes what runs in production at the next pod restart, and nobody can "
    "say which code is running.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T,), cwe=(494,), capec=(538,),
    asvs=("V10.3.2",), attack=("T1525",), kinds=WORKLOAD_KINDS, domain=DOMAIN,
    confidence=Confidence.HIGH,
    properties=frozenset({"image", "image_tag"}),
    mitigations=(
        "Deploy images by digest (`image: repo/app@sha256:...`, rendered by the CD pipeline), "
        "turn on tag immutability in the registry (ECR `imageTagMutability: IMMUTABLE`), and "
        "reject `:latest` at admission (Kyverno `disallow-latest-tag`).",
    ),
    detection="Workload in a cluster whose `properties.image` has no digest and a `latest` tag "
    "or no tag, or with `properties.image_tag: latest`.",
    false_positives="Tags rewritten to digests by an admission controller at deploy time; state "
    "the pinned digest in `image`.",
    references=(K8S_DOCS + "concepts/containers/images/#image-names",
                "https://kyverno.io/policies/best-practices/disallow-latest-tag/"
                "disallow-latest-tag/"),
))
def k8s_mutable_image_tag(component: Component, model: Model) -> Verdict:
    """The image can change under the same name."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    image = component.prop("image")
    if isinstance(image, str) and "@sha256:" not in image:
        tag = _image_tag(image)
        if tag is None or tag == "latest":
            return Fire((f"properties.image: {image}",), detail=tag or "no tag")
    if str(component.prop("image_tag") or "").lower() == "latest":
        return Fire(("properties.image_tag: latest",), detail="latest")
    return PASS


@rule(RuleMeta(
    id="k8s-unverified-image-pull",
    title="Images on {element} reach the cluster without signature verification",
    description="Nothing proves that the images the cluster runs were built by our pipeline: a "
    "stolen registry credential or a compromised build step can push an image that is run as "
    "is.",
    target=Target.FLOW, likelihood=2, impact=5, stride=(T,), cwe=(494, 347), capec=(185,),
    source_kinds=frozenset({ComponentKind.ARTIFACT_REGISTRY}),
    asvs=("V10.3.2",), attack=("T1525", "T1195.002"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    among=INTO_CLUSTER,
    mitigations=(
        "Sign images in CI (Sigstore cosign keyless, AWS Signer with Notation) with SLSA "
        "provenance attestations, and verify signatures at admission (Sigstore "
        "policy-controller, Kyverno `verifyImages`, Ratify with Gatekeeper) for every namespace.",
    ),
    detection="Flow from an artifact-registry into a workload or node in a cluster with "
    "`signed: false`, unless the target or its cluster states "
    "`properties.image_signature_verification: true`. Unknown when `signed` is not stated.",
    false_positives="Pull-through caches that verify signatures on import; state "
    "`image_signature_verification: true` on the cluster.",
    references=("https://docs.sigstore.dev/policy-controller/overview/",
                "https://kyverno.io/docs/writing-policies/verify-images/"),
    supersedes=(Supersedes("supply-artifact-pulled-without-verification"),),
    asks=(Ask(
        "Are the images pulled on {element} signed by our pipeline and verified before the "
        "cluster runs them?",
        (AskFact("signed", confirms=("false",), rules_out=("true",)),),
        threat="Image tampering on {element}: the cluster may run an image our pipeline did "
        "not build",
    ),),
))
def k8s_unverified_image_pull(flow: Flow, model: Model) -> Verdict:
    """Unsigned images admitted into the cluster."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    if not in_cluster(model, target):
        return _NOT_CLUSTER_PULL
    if cluster_says(model, target, "image_signature_verification") is True:
        return RuledOut(("image_signature_verification: true on its cluster",))
    if flow.signed is None:
        return Unknown(("signed",), why=(f"'{target.id}' runs images pulled from "
                                         f"{source.kind.value} '{source.id}'",
                                         "whoever can push there chooses what the cluster runs"))
    if flow.signed:
        return RuledOut(("signed: true",))
    return Fire((f"'{target.id}' pulls from '{source.id}'", "signed: false",
                 "no properties.image_signature_verification on the cluster"))


@rule(RuleMeta(
    id="k8s-no-admission-policy",
    title="Cluster {element} enforces no admission policy",
    description="Without a policy engine at admission, any identity that may create workloads "
    "can run privileged pods, mount node paths, use unsigned images from any registry or strip "
    "security contexts; every guardrail depends on each team getting every manifest right.",
    target=Target.BOUNDARY, likelihood=3, impact=4, stride=(E, T), cwe=(1188,), capec=(233,),
    attack=("T1610",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:2.2.1",),
    mitigations=(
        "Run an admission policy engine (Kyverno, OPA Gatekeeper, or ValidatingAdmissionPolicy) "
        "in enforce mode with the Pod Security, allowed-registries, image-signature and "
        "required-resources policies, and alert on audit-mode violations.",
    ),
    detection="Cluster or namespace boundary with `properties.admission_policy: false`.",
    false_positives="Clusters guarded only by Pod Security Admission and a GitOps review; accept "
    "the finding with that justification.",
    references=(K8S_DOCS + "reference/access-authn-authz/validating-admission-policy/",
                "https://kyverno.io/docs/introduction/"),
))
def k8s_no_admission_policy(boundary: Boundary, model: Model) -> Verdict:
    """Nothing checks workloads as they are admitted."""
    if not _is_cluster_zone(boundary):
        return Skip("not a cluster or namespace")
    if boundary.properties.get("admission_policy") is not False:
        return PASS
    return Fire(("properties.admission_policy: false",))


@rule(RuleMeta(
    id="k8s-public-registry-pull",
    title="{element} pulls images straight from a public registry",
    description="Images pulled from public registries at deploy time can be typosquatted, "
    "replaced by a compromised maintainer, rate-limited or deleted; the cluster runs whatever "
    "the public name points to that day.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T,), cwe=(829, 494), capec=(538,),
    asvs=("V14.2.4",), attack=("T1195.002",), kinds=WORKLOAD_KINDS, domain=DOMAIN,
    among=IN_CLUSTER,
    mitigations=(
        "Mirror the needed public images into a private registry (ECR pull-through cache, "
        "Harbor proxy cache) after scanning, pin them by digest, and allow only the private "
        "registry at admission (Kyverno `restrict-image-registries`).",
    ),
    detection="Workload or node in a cluster with `properties.pulls_public_images: true`, or "
    "receiving a flow from an artifact-registry or external-service that has "
    "`properties.public_registry: true` or sits in an untrusted zone; unless the workload or "
    "its cluster states `properties.registry_allowlist: true`.",
    false_positives="Public images that are mirrored and pinned by digest; model the mirror as "
    "the source and state `registry_allowlist: true`.",
    references=("https://kyverno.io/policies/best-practices/restrict-image-registries/"
                "restrict-image-registries/",
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html"),
))
def k8s_public_registry_pull(component: Component, model: Model) -> Verdict:
    """Images from registries outside our control."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    evidence = []
    if component.prop("pulls_public_images") is True:
        evidence.append("properties.pulls_public_images: true")
    for flow in model.graph.flows_in(component.id):
        source = model.components[flow.source]
        if source.kind not in (ComponentKind.ARTIFACT_REGISTRY, ComponentKind.EXTERNAL_SERVICE):
            continue
        if source.prop("public_registry") is True:
            evidence.append(f"pulls from '{source.id}' (properties.public_registry: true)")
        elif (source.kind is ComponentKind.ARTIFACT_REGISTRY
              and model.graph.trust_of(source.id) is TrustLevel.UNTRUSTED):
            evidence.append(f"pulls from '{source.id}' in an untrusted zone")
    if not evidence:
        return PASS
    if cluster_says(model, component, "registry_allowlist") is True:
        return PASS
    return Fire(tuple(evidence))


# --- message buses ----------------------------------------------------------------------------


@rule(RuleMeta(
    id="svc-kafka-topic-no-acl",
    title="{element} lets every Kafka client use every topic",
    description="Without topic ACLs (or with `allow.everyone.if.no.acl.found`), any "
    "authenticated client can read every topic (PII in events), write forged events that "
    "downstream services act on, or delete and reset consumer groups.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E, T, INFO), cwe=(862,),
    capec=(122,), asvs=("V4.1.1", "V4.1.3"), attack=("T1565",),
    kinds=MESSAGING_KINDS, tech=KAFKA_TECH,
    domain=DOMAIN, confidence=Confidence.HIGH,
    mitigations=(
        "Enable an authorizer (`authorizer.class.name` StandardAuthorizer/AclAuthorizer, Strimzi "
        "`authorization: simple`, MSK IAM access control), set "
        "`allow.everyone.if.no.acl.found=false`, and grant each service principal only READ or "
        "WRITE on its own topics and consumer groups.",
    ),
    detection="Kafka component with `authz: none`, `properties.topic_acls: false` or "
    "`properties.allow_everyone_if_no_acl_found: true`. Unknown when `authz` is not stated.",
    false_positives="Single-tenant clusters with one client; still restrict who may delete topics "
    "and reset offsets.",
    references=("https://kafka.apache.org/documentation/#security_authz",
                "https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html"),
    asks=(Ask(
        "Who may produce to and consume from {element}'s topics: does an authorizer grant each "
        "client only its own topics (ACLs, MSK IAM access control)?",
        (AskFact("authz", confirms=("none",), rules_out=("acl", "iam", "rbac", "policy")),
         AskFact("properties.topic_acls", confirms=("false",))),
        threat="Message spoofing: any client of {element} may write forged events to topics "
        "other services act on, or read every topic",
    ),),
))
def svc_kafka_topic_no_acl(component: Component, model: Model) -> Verdict:
    """Every client may use every topic."""
    evidence = []
    if component.prop("allow_everyone_if_no_acl_found") is True:
        evidence.append("properties.allow_everyone_if_no_acl_found: true")
    if component.prop("topic_acls") is False:
        evidence.append("properties.topic_acls: false")
    if component.authz is None and not evidence:
        if not model.graph.flows_in(component.id):
            return PASS  # no producer or consumer in the model: nobody to ask about
        return Unknown(("authz",),
                       why=(f"Kafka topics on '{component.id}' with "
                            f"{len(model.graph.flows_in(component.id))} client flow(s)",
                            "an authenticated client may use any topic unless ACLs say otherwise"),
                       data=ids(sensitive_data(model, component)))
    if component.authz is Authz.NONE:
        evidence.insert(0, "authz: none")
    if not evidence:
        assert component.authz is not None  # noqa: S101 - unstated with no evidence is Unknown
        return RuledOut((f"authz: {component.authz.value}",))
    return Fire(tuple(evidence), data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="svc-kafka-plaintext-listener",
    title="{element} still offers a plaintext Kafka listener",
    description="A PLAINTEXT (or SASL_PLAINTEXT) listener next to the TLS one lets clients, and "
    "anyone on the pod network, produce and consume without encryption, and with PLAINTEXT "
    "without any authentication, whatever the TLS listener enforces.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, S, T), cwe=(319, 306),
    capec=(157,), asvs=("V9.2.2",), attack=("T1040",),
    kinds=MESSAGING_KINDS, tech=KAFKA_TECH,
    domain=DOMAIN, confidence=Confidence.HIGH, compliance=("pci-dss-4.0:4.2.1",),
    properties=frozenset({"listeners"}),
    mitigations=(
        "Remove the plaintext listener (Strimzi `listeners` with `tls: true` only; MSK "
        "`ClientBroker: TLS`), move remaining clients to the TLS listener with mTLS or SASL/SCRAM "
        "over TLS, and block the old port with a NetworkPolicy meanwhile.",
    ),
    detection="Kafka component whose `properties.listeners` includes a name containing "
    "`plaintext`.",
    false_positives="A plaintext listener bound to localhost for broker-internal replication "
    "only; rename it so it is not listed as a client listener.",
    references=("https://kafka.apache.org/documentation/#security_overview",
                "https://strimzi.io/docs/operators/latest/configuring.html"),
))
def svc_kafka_plaintext_listener(component: Component, model: Model) -> Verdict:
    """Clear-text access next to TLS."""
    listeners = [name for name in listed(component.prop("listeners"))
                 if "plaintext" in name.lower()]
    if not listeners:
        return PASS
    return Fire((f"properties.listeners includes {', '.join(listeners)}",),
                data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="svc-consumer-trusts-messages",
    title="Consumer on {element} trusts message content without validating it",
    description="Messages on a queue or topic are input like any request: a consumer that acts "
    "on them without validation or signature checks lets anyone who can publish (a compromised "
    "producer, a mis-granted ACL) inject commands, poisoned payloads or deserialisation "
    "exploits.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(T, E), cwe=(20, 345), capec=(153,),
    source_kinds=MESSAGE_SOURCE_KINDS, target_kinds=PROCESS_KINDS,
    asvs=("V5.1.3",), attack=("T1565",), domain=DOMAIN,
    mitigations=(
        "Validate every message against a registered schema (Avro/Protobuf with a schema "
        "registry, JSON Schema), reject unknown types, never deserialise into arbitrary classes, "
        "and make handlers idempotent.",
        "Where producers are less trusted than the consumer, sign messages or re-fetch the "
        "authoritative state from the owning service.",
    ),
    detection="Flow from a queue or stream into a process that is not `signed`, where the "
    "process states `input_validation: false` or the flow states "
    "`properties.trusts_message_content: true`. Unknown when the consumer's `input_validation` "
    "is not stated.",
    false_positives="Consumers that only forward opaque payloads without interpreting them; "
    "accept the finding with that justification.",
    references=("https://owasp.org/www-project-top-ten/2017/A8_2017-Insecure_Deserialization",
                "https://docs.confluent.io/platform/current/schema-registry/index.html"),
    asks=(Ask(
        "Does {element}'s consumer validate every message (schema, allowed values) or verify "
        "that it is signed by its producer?",
        (
            AskFact("signed", rules_out=("true",)),
            AskFact("input_validation", confirms=("false",), rules_out=("true",), on="target"),
        ),
        threat="Queue message spoofing or tampering: the consumer on {element} may act on "
        "messages anyone able to write to the queue sends",
    ),),
))
def svc_consumer_trusts_messages(flow: Flow, model: Model) -> Verdict:
    """Messages acted on as if they were trusted."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    if flow.signed:
        return RuledOut(("signed: true",))
    if flow_prop(flow, "trusts_message_content") is True:
        return Fire((f"'{target.id}' consumes from '{source.id}'",
                     "properties.trusts_message_content: true"),
                    data=ids(flow_sensitive(model, flow)))
    if target.input_validation is None:
        return Unknown(
            ("input_validation",),
            why=(f"'{target.id}' consumes messages from {source.kind.value} '{source.id}'",
                 "whoever can write to it chooses the consumer's input"),
            data=ids(flow_sensitive(model, flow)),
        )
    if target.input_validation:
        return RuledOut(("input_validation: true",))
    return Fire((f"'{target.id}' consumes from '{source.id}'", "input_validation: false"),
                data=ids(flow_sensitive(model, flow)))


# --- shared state -----------------------------------------------------------------------------


@rule(RuleMeta(
    id="svc-shared-database",
    title="{element} is written directly by {detail} services",
    description="Several services write the same data store with their own credentials: the "
    "store has no single owner that enforces its invariants and authorisation, a bug or a "
    "compromise in any of them reaches all the data, and one service's load takes the others "
    "down.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T, INFO, D), cwe=(653,),
    capec=(122,), attack=("T1565.001",),
    kinds=frozenset({ComponentKind.DATASTORE, ComponentKind.CACHE}), domain=DOMAIN,
    mitigations=(
        "Give each service its own database (or at least its own schema and credentials with "
        "grants on its tables only), and let other services reach the data through the owner's "
        "API or its events.",
        "Until then, give every service a distinct database user with least-privilege grants "
        "and audit which user changes what (pgaudit, CloudTrail data events).",
    ),
    detection=f"Datastore or cache receiving flows initiated by at least {SHARED_STORE_WRITERS} "
    "different components of kind service (flows with `properties.access: read` are not "
    "writes), unless it states `properties.database_per_service: true`.",
    false_positives="A shared server that hosts one logical database per service with separate "
    "credentials: state `database_per_service: true` on it.",
    references=("https://microservices.io/patterns/data/shared-database.html",
                "https://microservices.io/patterns/data/database-per-service.html"),
))
def svc_shared_database(component: Component, model: Model) -> Verdict:
    """One store, many writers."""
    writers = sorted({
        f.source for f in model.graph.flows_in(component.id)
        if f.initiated_by is Initiator.SOURCE
        and model.components[f.source].kind is ComponentKind.SERVICE
        and str(flow_prop(f, "access") or "").lower() not in ("read", "read-only")
    })
    if len(writers) < SHARED_STORE_WRITERS:
        return PASS
    if component.prop("database_per_service") is True:
        return PASS
    data = [model.data[d] for d in component.stores if d in model.data]
    return Fire((f"written by {len(writers)} services: {', '.join(writers)}",),
                data=tuple(a.id for a in data), detail=str(len(writers)))


# --- availability -----------------------------------------------------------------------------


@rule(RuleMeta(
    id="k8s-no-resource-limits",
    title="{element} runs without CPU or memory limits",
    description="A pod without limits can take all the CPU and memory of its node: one request "
    "flood, memory leak or cryptominer starves every other pod there (including security "
    "agents) and triggers evictions across the cluster.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(D,), cwe=(770, 400), capec=(130,),
    attack=("T1496", "T1499"), kinds=WORKLOAD_KINDS, domain=DOMAIN,
    confidence=Confidence.HIGH, among=IN_CLUSTER,
    mitigations=(
        "Set CPU and memory requests and a memory limit on every container, a `LimitRange` and "
        "`ResourceQuota` per namespace, and enforce them at admission (Kyverno "
        "`require-requests-limits`).",
    ),
    detection="Workload in a cluster with `properties.resource_limits: false`. An applicable "
    "threat (with the question) when it is not stated on a service or function in a cluster "
    "that shares the cluster with other workloads and does work others set it: it is exposed "
    "(public, or one flow from an entry point), or consumes from a queue or stream.",
    false_positives="Workloads on dedicated nodes with their own autoscaling group; a memory "
    "limit is still recommended.",
    references=(K8S_DOCS + "concepts/configuration/manage-resources-containers/",
                K8S_DOCS + "concepts/policy/limit-range/"),
    asks=(Ask(
        "Do {element}'s containers have CPU and memory requests and a memory limit (and its "
        "namespace a ResourceQuota)?",
        (AskFact("properties.resource_limits", confirms=("false",), rules_out=("true",)),),
        threat="Noisy neighbour: a flood of work on {element} may starve the other workloads "
        "of its nodes",
    ),),
))
def k8s_no_resource_limits(component: Component, model: Model) -> Verdict:
    """No bound on what one pod may consume."""
    if not in_cluster(model, component):
        return _RUNS_OUTSIDE_CLUSTERS
    limits = component.prop("resource_limits")
    if limits is False:
        return Fire(("properties.resource_limits: false",))
    if limits is not None:
        return RuledOut((f"properties.resource_limits: {word(limits)}",))
    if component.kind not in _APP_KINDS:
        return PASS
    work = _work_from_others(model, component)
    neighbours = _cluster_neighbours(model, component)
    if not (work and neighbours):
        return PASS
    return Unknown(("properties.resource_limits",),
                   why=(work, f"shares its cluster with {', '.join(neighbours[:3])}"))


def _work_from_others(model: Model, component: Component) -> str:
    """Why others set the component's load, in words ("" when nothing does)."""
    if exposed(model, component):
        return exposure_words(model, component)
    graph = model.graph
    for flow in (*graph.flows_in(component.id), *graph.flows_out(component.id)):
        other = flow.target if flow.source == component.id else flow.source
        if model.components[other].kind in MESSAGING_KINDS:
            return f"consumes work from {model.components[other].kind.value} '{other}'"
    return ""


def _cluster_neighbours(model: Model, component: Component) -> list[str]:
    """The other services and functions in the same cluster (sorted)."""
    own = cluster_chain(model, component)
    if not own:
        return []
    cluster = own[-1].id
    return sorted(
        cid for cid, other in model.components.items()
        if cid != component.id and other.kind in _APP_KINDS
        and any(b.id == cluster for b in cluster_chain(model, other))
    )


# --- control plane ----------------------------------------------------------------------------


@rule(RuleMeta(
    id="k8s-api-server-public",
    title="{element} exposes the Kubernetes API to the whole internet",
    description="A public API server endpoint open to 0.0.0.0/0 is one leaked kubeconfig, "
    "stolen CI token or authentication bug away from full cluster compromise, and is "
    "continuously scanned and brute-forced.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E, S), cwe=(668, 284), capec=(1,),
    attack=("T1133", "T1190"), tech=SELF_MANAGED_API_SERVER_TECH, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:1.4.1",),
    mitigations=(
        "Make the endpoint private (GKE private clusters with `enablePrivateEndpoint`, AKS "
        "private clusters, a self-managed API server behind an internal load balancer) and "
        "reach it over VPN or from CI runners inside the network; if it must stay public, allow "
        "only the few source ranges that need it (GKE master authorized networks, AKS "
        "`apiServerAccessProfile.authorizedIpRanges`).",
    ),
    detection="Kubernetes API server component other than EKS (aws-eks-public-endpoint-open "
    "covers EKS) with `properties.endpoint_public_access: true` or `exposure: public`, whose "
    "`properties.public_access_cidrs` includes 0.0.0.0/0 or is not stated; passes when "
    "`properties.endpoint_public_access: false`.",
    false_positives="Endpoints restricted by a firewall in front of the load balancer; state "
    "`public_access_cidrs` with the allowed ranges.",
    asks=(Ask(
        "Can {element} (the Kubernetes API) be reached from the internet, or only from inside "
        "the network (private endpoint, VPN, in-VPC CI runners)?",
        (AskFact("properties.endpoint_public_access", confirms=("true",), rules_out=("false",)),),
        threat="Exposed control plane: the Kubernetes API {element} may be reachable from the "
        "internet, one stolen kubeconfig or token away from the cluster",
    ),),
    references=(K8S_DOCS + "concepts/security/controlling-access/",
                "https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept",
                "https://learn.microsoft.com/en-us/azure/aks/api-server-authorized-ip-ranges"),
))
def k8s_api_server_public(component: Component, model: Model) -> Verdict:
    """The control plane faces the internet."""
    flag = component.prop("endpoint_public_access")
    if flag is False:
        return RuledOut(("properties.endpoint_public_access: false",))
    if flag is not True and component.exposure is not Exposure.PUBLIC:
        if component.exposure is not None:
            return PASS  # stated private, internal or partner-facing
        return Unknown(("properties.endpoint_public_access",),
                       why=("the cluster's Kubernetes API server",
                            "neither its exposure nor its endpoint access is stated"))
    cidrs = listed(component.prop("public_access_cidrs"))
    if cidrs and not set(cidrs) & OPEN_CIDRS:
        return PASS
    where = ("properties.endpoint_public_access: true" if flag is True else "exposure: public")
    allowed = (f"properties.public_access_cidrs: {', '.join(cidrs)}" if cidrs
               else "no properties.public_access_cidrs restriction stated")
    return Fire((where, allowed),
                confidence=Confidence.HIGH if cidrs else Confidence.MEDIUM)


@rule(RuleMeta(
    id="k8s-kubelet-anonymous-auth",
    title="Kubelet on {element} answers unauthenticated requests",
    description="With anonymous authentication or the read-only port (10255) on, anyone who "
    "reaches a node can list its pods and their environment, and with anonymous auth and "
    "AlwaysAllow authorisation run commands in any container on it.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E, INFO), cwe=(306,),
    capec=(115,), attack=("T1609", "T1613"), tech=NODE_TECH, domain=DOMAIN,
    confidence=Confidence.HIGH,
    properties=frozenset({"kubelet_anonymous_auth", "kubelet_read_only_port"}),
    mitigations=(
        "Set `authentication.anonymous.enabled: false`, `authorization.mode: Webhook` and "
        "`readOnlyPort: 0` in the kubelet configuration (EKS-optimised and Bottlerocket AMIs do "
        "by default), and allow port 10250 only from the control plane.",
    ),
    detection="Node component with `properties.kubelet_anonymous_auth: true` or "
    "`properties.kubelet_read_only_port: true`.",
    false_positives="Nodes unreachable from anything but the control plane; still disable "
    "anonymous access, it is a default-deny setting.",
    references=(K8S_DOCS + "reference/access-authn-authz/kubelet-authn-authz/",),
))
def k8s_kubelet_anonymous_auth(component: Component, model: Model) -> Verdict:
    """The kubelet serves anyone."""
    evidence = [f"properties.{key}: true" for key in
                ("kubelet_anonymous_auth", "kubelet_read_only_port")
                if component.prop(key) is True]
    if not evidence:
        return PASS
    return Fire(tuple(evidence))


RULES: tuple[Rule, ...] = (
    svc_unauthenticated_service_call,
    svc_identity_not_propagated,
    k8s_mesh_permissive_mtls,
    k8s_mesh_no_authorization_policy,
    k8s_namespace_no_default_deny,
    k8s_privileged_container,
    k8s_host_namespace_or_path,
    k8s_container_runs_as_root,
    k8s_namespace_privileged_pod_security,
    k8s_sa_token_automount,
    k8s_cluster_admin_binding,
    k8s_long_lived_sa_token,
    k8s_secrets_in_env,
    k8s_secrets_in_manifests,
    k8s_secrets_not_encrypted_in_etcd,
    k8s_mutable_image_tag,
    k8s_unverified_image_pull,
    k8s_no_admission_policy,
    k8s_public_registry_pull,
    svc_kafka_topic_no_acl,
    svc_kafka_plaintext_listener,
    svc_consumer_trusts_messages,
    svc_shared_database,
    k8s_no_resource_limits,
    k8s_api_server_public,
    k8s_kubelet_anonymous_auth,
)
"""The microservice and Kubernetes rules, from service identity out to the control plane."""
