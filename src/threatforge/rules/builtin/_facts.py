"""Small questions built-in rules ask of the model, worded once.

Every rule module reads the model through these helpers rather than its own copy:

- the STRIDE letters and the groups of component kinds rules select on;
- readers of ``properties:`` values (``word``, ``listed``, ``number``, ``said`` ...);
- data: classification and category filters, and how assets are named in evidence;
- where a component sits: its zones, Kubernetes clusters, corporate networks, the PCI DSS
  cardholder data environment (CDE), and how far it is from an entry point;
- technologies several domains recognise (Kubernetes API servers, analytics stores, Lambda
  function URLs, CloudFront in front of an API), and TLS version strings;
- **shared predicates** of rules that report the same stated fact (one weakness, one finding:
  the more specific rule declares ``RuleMeta.supersedes`` and the engine drops the other's
  finding; the table is in ``docs/rules/one-finding-per-weakness.md``);
- **scopes**: data scopes (``SENSITIVE_DATA``, ``STORED_PAN`` ...) and named element sets
  (``EXPOSED``, ``IN_CLUSTER``, ``INTO_CDE`` ...) that rules declare in ``RuleMeta.data`` and
  ``RuleMeta.among`` so that the engine skips the elements they could never fire on
  (``docs/rules/scopes.md``). Model-wide answers are memoised on ``model.graph``.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from threatforge.analysis.pci_scope import cde_marked_explicitly, cde_marking, declared_cde
from threatforge.model import (
    Authn,
    Boundary,
    BoundaryKind,
    Classification,
    Component,
    ComponentKind,
    Crossing,
    DataAsset,
    Exposure,
    Flow,
    Model,
    TrustLevel,
)
from threatforge.model.schema import PropertyValue
from threatforge.model.vocabulary import KindGroup, kind_group
from threatforge.rules.interface import (
    DataScope,
    ElementSet,
    Fire,
    RuledOut,
    Skip,
    Stride,
    Unknown,
    Verdict,
    members,
)

__all__ = [
    "ADMINISTRATIVE",
    "BROKER_KINDS",
    "CARD_DATA",
    "CDE_OR_MONITORING",
    "CLUSTER_ZONES",
    "EDGE_KINDS",
    "EXPOSED",
    "FROM_UNTRUSTED_PARTIES",
    "HANDLES_PAN",
    "INFO",
    "INGRESS_STATED",
    "INTO_CDE",
    "INTO_CLUSTER",
    "INTO_TELEMETRY",
    "IN_CLUSTER",
    "KUBERNETES_DEPLOY_VALUES",
    "KUBE_API_SERVER_TECH",
    "MESH_STRICT",
    "MESSAGING_KINDS",
    "NOT_ENCRYPTED",
    "NOT_PEOPLE_KINDS",
    "OUTSIDE_KINDS",
    "OWASP_CHEATSHEETS",
    "OWN_PROCESS_KINDS",
    "PAN",
    "PEOPLE_KINDS",
    "PROCESS_KINDS",
    "RESTRICTED_DATA",
    "SAD",
    "SECRET_CATEGORIES",
    "SENSITIVE_DATA",
    "SPECIAL_CATEGORIES",
    "STAFF_CONNECTS",
    "STATIC_DEPLOY_AUTH",
    "STORED_PAN",
    "STORED_RESTRICTED",
    "STORED_SENSITIVE",
    "STORE_KINDS",
    "TELEMETRY",
    "WITHIN_CLUSTERS",
    "WORKLOAD_KINDS",
    "CdeStaffAccess",
    "D",
    "E",
    "R",
    "S",
    "T",
    "anonymous_card_intake",
    "assets",
    "at_least",
    "authn_words",
    "caller_words",
    "cde_components",
    "cde_marked_explicitly",
    "cde_marking",
    "cde_staff_access",
    "cloudfront_waf_fronts",
    "cluster_chain",
    "cluster_says",
    "corporate_zone",
    "decide_fact",
    "declares",
    "enclosing_zones",
    "exposed",
    "exposure_words",
    "flow_prop",
    "flow_sensitive",
    "handled_account_data",
    "ids",
    "in_cde",
    "in_cluster",
    "in_cluster_call",
    "in_pci_scope",
    "inbound_crossing",
    "is_analytics",
    "is_kube_api_server",
    "is_telemetry",
    "kube_api_targets",
    "kubernetes_deploy_value",
    "less_trusted_callers",
    "listed",
    "mesh_mode",
    "mutual_tls",
    "names",
    "number",
    "open_function_url",
    "rate_limited_edge_in_front",
    "reach_words",
    "reachable",
    "said",
    "secrets_of",
    "sensitive_data",
    "show",
    "staff_of",
    "staff_reach",
    "staff_route",
    "staff_users",
    "tech_ids",
    "tech_is",
    "text_of",
    "tls_version",
    "untrusted_party",
    "whole_number",
    "with_category",
    "word",
    "words",
]

# --- vocabulary -------------------------------------------------------------------------------

S, T, R, INFO, D, E = (
    Stride.SPOOFING,
    Stride.TAMPERING,
    Stride.REPUDIATION,
    Stride.INFORMATION_DISCLOSURE,
    Stride.DENIAL_OF_SERVICE,
    Stride.ELEVATION_OF_PRIVILEGE,
)
"""The STRIDE categories by their letter (``INFO`` for I, which reads as a digit)."""

OWASP_CHEATSHEETS = "https://cheatsheetseries.owasp.org/cheatsheets/"

# The kind groups, as the vocabulary defines them (src/threatforge/model/vocabulary/kinds.yaml).
PROCESS_KINDS = kind_group(KindGroup.RUNS_CODE)
"""Processes of the system's own: services, functions, gateways."""
WORKLOAD_KINDS = kind_group(KindGroup.WORKLOADS)
"""Processes that run application code: services and functions."""
STORE_KINDS = kind_group(KindGroup.STORES_DATA)
BROKER_KINDS = kind_group(KindGroup.BROKERS)
"""Shared state that services connect to directly: caches and message brokers."""
MESSAGING_KINDS = kind_group(KindGroup.MESSAGING)
"""Where consumers read messages from: queues and streams."""
OWN_PROCESS_KINDS = kind_group(KindGroup.OWN_PROCESSES)
"""Processes of the system's own and its CI pipelines."""
EDGE_KINDS = kind_group(KindGroup.EDGE)
PEOPLE_KINDS = kind_group(KindGroup.PEOPLE)
"""People and the devices they use."""
OUTSIDE_KINDS = kind_group(KindGroup.EXTERNAL)
"""Kinds that are not system components of ours: people, their devices, third parties."""
NOT_PEOPLE_KINDS = frozenset(ComponentKind) - PEOPLE_KINDS
"""Every kind but people and their devices (a flow scope: flows into a service, not a person)."""
CLUSTER_ZONES = frozenset({BoundaryKind.CLUSTER, BoundaryKind.NAMESPACE})

PAN = "pci.pan"
SAD = "pci.sad"
SECRET_CATEGORIES = ("credentials", "secrets", "crypto-keys")
SPECIAL_CATEGORIES = frozenset({"pii.special", "health", "biometric"})
"""Special categories of personal data (GDPR Art. 9)."""

# Data scopes (RuleMeta.data): a rule that passes or skips every element without such data
# declares one, and the engine never calls it on those elements.
SENSITIVE_DATA = DataScope(at_least=Classification.CONFIDENTIAL)
"""Elements holding confidential or restricted data (as :func:`sensitive_data` and
:func:`flow_sensitive` find it)."""
RESTRICTED_DATA = DataScope(at_least=Classification.RESTRICTED)
"""Elements holding restricted data."""
STORED_SENSITIVE = DataScope(at_least=Classification.CONFIDENTIAL, stored=True)
"""Components that store confidential or restricted data."""
STORED_RESTRICTED = DataScope(at_least=Classification.RESTRICTED, stored=True)
"""Components that store restricted data."""
HANDLES_PAN = DataScope(categories=(PAN,))
"""Elements holding card numbers."""
STORED_PAN = DataScope(categories=(PAN,), stored=True)
"""Components that store card numbers."""
CARD_DATA = DataScope(categories=(PAN, SAD))
"""Elements holding card numbers or sensitive authentication data."""

KUBE_API_SERVER_TECH = (
    "aws.eks", "aws.eks.cluster", "aws.eks.control-plane", "k8s.apiserver", "k8s.api-server",
    "k8s.control-plane", "gcp.gke", "azure.aks", "openshift",
)
"""Technologies of a Kubernetes API server (EKS node groups and nodes are not)."""
KUBE_API_SERVER_NAMES = frozenset({"kube-apiserver"})
"""Ids or names that make a component a Kubernetes API server whatever its ``tech``."""

STATIC_DEPLOY_AUTH = frozenset(
    {"static-key", "long-lived-key", "access-key", "static-password", "password", "ssh-key",
     "deploy-key", "pat", "personal-access-token", "static-token"}
)
"""``deploy_auth`` values for credentials that do not expire on their own."""
KUBERNETES_DEPLOY_VALUES = {"deploy_auth": "static-token", "deploy_role": "cluster-admin"}
"""``deploy_*`` values that name a Kubernetes credential or role."""

ANALYTICS_TECH = (
    "aws.redshift*", "aws.athena*", "aws.quicksight*", "aws.emr*", "aws.glue*",
    "snowflake*", "bigquery*", "gcp.bigquery*", "databricks*", "clickhouse*",
)
ANALYTICS_PURPOSES = frozenset({"analytics", "reporting", "data-warehouse", "bi", "data-lake"})
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_NO_STAFF_CONNECTS = Skip("no person from a corporate zone connects to it")
_NOT_OURS = Skip("not a system component of ours")


# --- reading stated properties ----------------------------------------------------------------


def word(value: PropertyValue | None) -> str | None:
    """A scalar property as a lower-case word (``true``/``false`` for booleans).

    None when the property is not stated or is a list.
    """
    if value is None or isinstance(value, list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def words(value: PropertyValue | None) -> list[str]:
    """A property as lower-case words: the strings of a list, or a one-word scalar string."""
    if isinstance(value, list):
        return [v.strip().lower() for v in value if isinstance(v, str)]
    return [value.strip().lower()] if isinstance(value, str) and value.strip() else []


def listed(value: PropertyValue | None) -> list[str]:
    """A property as a list of non-empty strings (a scalar is a one-item list).

    Not stated, or ``false``, is the empty list.
    """
    if value is None or value is False:
        return []
    items = value if isinstance(value, list) else [value]
    return [text for text in (show(item).strip() for item in items) if text]


def number(value: PropertyValue | None) -> float | None:
    """A property that is a number (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def whole_number(value: PropertyValue | None) -> int | None:
    """A property that is a whole number (booleans are not numbers here)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def show(value: PropertyValue) -> str:
    """A property value as it would be written in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def said(key: str, value: PropertyValue) -> str:
    """Evidence that names a stated property: ``properties.key: value``."""
    return f"properties.{key}: {show(value)}"


def decide_fact(
    component: Component,
    key: str,
    why: Sequence[str],
    *,
    weak: PropertyValue = False,
    data: tuple[str, ...] = (),
) -> Verdict:
    """The verdict on one asked fact of the component's ``properties``: unstated, the question
    (an applicable threat, with ``why`` it applies); ``weak`` stated, the finding; any other
    value stated, ruled out with it as the evidence. The one implementation for the rules
    whose question is a single ``properties.<key>``."""
    value = component.prop(key)
    if value is None:
        return Unknown((f"properties.{key}",), why=tuple(why), data=data)
    if value == weak and isinstance(value, bool) == isinstance(weak, bool):
        return Fire((*why, said(key, value)), data=data)
    return RuledOut((said(key, value),))


def flow_prop(flow: Flow, key: str) -> PropertyValue | None:
    """A fact from the flow's ``properties``, or None when not stated."""
    return flow.properties.get(key)


def tech_is(component: Component, patterns: Iterable[str]) -> bool:
    """Whether the component's technology matches one of the globs."""
    tech = component.tech
    return tech is not None and _tech_matches(tech, tuple(patterns))


def tech_ids(model: Model, patterns: tuple[str, ...]) -> frozenset[str]:
    """The ids of the components whose technology matches one of the globs (once per model)."""
    def find() -> frozenset[str]:
        components = model.components.items()
        matching = {t for t in {c.tech for _, c in components} if t and _tech_matches(t, patterns)}
        return frozenset(cid for cid, c in components if c.tech in matching)

    return model.graph.memo(("tech-ids", patterns), find)


@functools.lru_cache(maxsize=4096)
def _tech_matches(tech: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(tech, p) for p in patterns)


def authn_words(authn: Authn | None) -> str:
    """An authentication value for evidence (``not stated`` when absent)."""
    return "not stated" if authn is None else authn.value


# --- data -------------------------------------------------------------------------------------


def at_least(assets: Iterable[DataAsset], level: Classification) -> list[DataAsset]:
    """The assets classified ``level`` or above."""
    # a tuple of members, compared by identity: no rank lookups per asset
    allowed = _AT_OR_ABOVE[level]
    return [a for a in assets if a.classification in allowed]


_AT_OR_ABOVE = {
    level: tuple(c for c in Classification if c.rank >= level.rank) for level in Classification
}
"""Each classification -> the classifications at or above it."""


def with_category(assets: Iterable[DataAsset], *categories: str) -> list[DataAsset]:
    """The assets with one of the categories, or a sub-category of one (``pii`` covers
    ``pii.special``)."""
    return [a for a in assets if _in_categories(tuple(a.categories), categories)]


@functools.lru_cache(maxsize=4096)
def _in_categories(have: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    # decided once per distinct pair: rules ask this of every flow and component
    return any(c == p or c.startswith(p + ".") for c in have for p in wanted)


def assets(model: Model, ids: Iterable[str]) -> list[DataAsset]:
    """The data assets with these ids, in the order given, without repeats or unknown ids."""
    return [model.data[d] for d in dict.fromkeys(ids) if d in model.data]


def ids(found: Iterable[DataAsset]) -> tuple[str, ...]:
    """The ids of the assets, in order."""
    return tuple(a.id for a in found)


def names(found: list[DataAsset]) -> str:
    """Assets for evidence: ``'id' (classification), ...``."""
    return ", ".join(f"'{a.id}' ({a.classification.value})" for a in found)


def sensitive_data(model: Model, component: Component) -> list[DataAsset]:
    """Confidential or restricted data the component touches, most sensitive first."""
    return at_least(model.graph.assets_of(component.id), Classification.CONFIDENTIAL)


def flow_sensitive(model: Model, flow: Flow) -> list[DataAsset]:
    """Confidential or restricted data the flow carries, most sensitive first."""
    return at_least(model.graph.assets_on(flow), Classification.CONFIDENTIAL)


def secrets_of(model: Model, component: Component) -> list[DataAsset]:
    """Credentials, secrets and key material the component touches, most sensitive first."""
    return with_category(model.graph.assets_of(component.id), *SECRET_CATEGORIES)


# --- where a component sits -------------------------------------------------------------------


def enclosing_zones(model: Model, component_id: str) -> tuple[Boundary, ...]:
    """The component's zone and every zone it sits inside, innermost first."""
    zone = model.graph.zone_of(component_id)
    return model.graph.zone_chain(zone.id) if zone is not None else ()


def corporate_zone(model: Model, component_id: str) -> Boundary | None:
    """The corporate network the component sits in (its staff's offices and devices), if any."""
    return next((b for b in enclosing_zones(model, component_id)
                 if b.kind is BoundaryKind.CORPORATE), None)


def cluster_chain(model: Model, component: Component) -> tuple[Boundary, ...]:
    """The cluster and namespace boundaries the component sits in, innermost first."""
    return tuple(b for b in enclosing_zones(model, component.id) if b.kind in CLUSTER_ZONES)


def in_cluster(model: Model, component: Component) -> bool:
    """Runs in a Kubernetes cluster: its zone is a cluster or namespace, or its tech is k8s.*."""
    if component.zone is not None and component.zone in _cluster_zones(model):
        return True
    return tech_is(component, ("k8s.*",))


def _cluster_zones(model: Model) -> frozenset[str]:
    """The zones that are, or sit inside, a cluster or namespace (decided once per model)."""
    return model.graph.memo(("cluster-zones",), lambda: frozenset(
        zone for zone in model.boundaries
        if any(b.kind in CLUSTER_ZONES for b in model.graph.zone_chain(zone))
    ))


def exposed(model: Model, component: Component) -> bool:
    """Public, or one flow from an entry point (an untrusted zone or a public component)."""
    if component.exposure is Exposure.PUBLIC:
        return True
    if component.exposure is Exposure.PRIVATE:
        return False
    return component.id in _next_to_entry_points(model)


def _next_to_entry_points(model: Model) -> frozenset[str]:
    """Components one flow from an entry point that are not entry points (found once per model).
    """
    def find() -> frozenset[str]:
        graph = model.graph
        return frozenset(
            cid for cid in model.components
            if (hops := graph.reach(cid).hops) is not None and hops <= 1
            and not graph.is_entry_point(cid)
        )

    return model.graph.memo(("next-to-entry-points",), find)


def exposure_words(model: Model, component: Component) -> str:
    """Why the component counts as exposed, in words."""
    if component.exposure is Exposure.PUBLIC:
        return "exposure: public"
    reach = model.graph.reach(component.id)
    return f"receives flows directly from entry point '{reach.entry}'"


def reachable(model: Model, component: Component) -> bool:
    """Whether data from an untrusted place can reach the component along flows."""
    return model.graph.reach(component.id).reachable


def reach_words(model: Model, component: Component) -> str:
    """How the component is reached from an entry point, in words."""
    reach = model.graph.reach(component.id)
    if not reach.hops:
        return f"'{component.id}' is an entry point"
    return f"reachable from entry point '{reach.entry}' in {reach.hops} hop" + (
        "s" if reach.hops != 1 else ""
    )


def untrusted_party(model: Model, component_id: str) -> bool:
    """Someone outside the system's control: in an untrusted zone, or a public actor/client/vendor.

    A public gateway is an entry point but is the system's own; its calls are not untrusted.
    """
    if component_id not in model.components:
        raise KeyError(component_id)  # as for any unknown id
    return component_id in _untrusted_parties(model)


def _untrusted_parties(model: Model) -> frozenset[str]:
    """The components that are untrusted parties (decided once per model)."""
    def find() -> frozenset[str]:
        trust_of = model.graph.trust_of
        return frozenset(
            cid for cid, c in model.components.items()
            if trust_of(cid) is TrustLevel.UNTRUSTED
            or (c.kind in OUTSIDE_KINDS and c.exposure is Exposure.PUBLIC)
        )

    return model.graph.memo(("untrusted-parties",), find)


def in_cluster_call(model: Model, flow: Flow) -> bool:
    """A call between two processes (service, function, gateway) that both run in a cluster."""
    ends = (model.components[flow.source], model.components[flow.target])
    return all(c.kind in PROCESS_KINDS and in_cluster(model, c) for c in ends)


def cluster_says(model: Model, component: Component, key: str) -> PropertyValue | None:
    """A setting stated on the component, else on its nearest namespace or cluster."""
    value = component.prop(key)
    if value is not None:
        return value
    for zone in cluster_chain(model, component):
        if zone.properties.get(key) is not None:
            return zone.properties[key]
    return None


MESH_STRICT = "STRICT"


def mesh_mode(model: Model, component: Component) -> str | None:
    """The mesh peer authentication mode in force for the component, upper-case."""
    value = cluster_says(model, component, "peer_authentication")
    return str(value).upper() if value is not None else None


def mutual_tls(model: Model, flow: Flow) -> bool:
    """The flow authenticates its workloads: ``mtls: true``, or its target is in a namespace or
    cluster whose mesh enforces STRICT mTLS (``peer_authentication: STRICT``)."""
    return bool(flow.mtls) or mesh_mode(model, model.components[flow.target]) == MESH_STRICT


def inbound_crossing(model: Model, flow: Flow) -> bool:
    """The flow crosses into a more trusted zone."""
    return model.graph.enters_more_trusted_zone(flow)


def rate_limited_edge_in_front(model: Model, component: Component) -> bool:
    """A gateway, load balancer or CDN that states ``rate_limit: true`` sends flows into it."""
    return any(model.components[f.source].rate_limit for f in model.graph.flows_in(component.id)
               if model.components[f.source].kind in EDGE_KINDS)


# --- PCI DSS scope ----------------------------------------------------------------------------


def declares(model: Model, *prefixes: str) -> bool:
    """Whether an entry of ``system.compliance`` starts with one of the prefixes."""
    return any(c.lower().startswith(prefixes) for c in model.system.compliance)


def handled_account_data(model: Model) -> list[DataAsset]:
    """PAN and SAD assets that some component or flow actually handles, in id order."""
    return model.graph.memo(("handled-account-data",), lambda: _handled_account_data(model))


def _handled_account_data(model: Model) -> list[DataAsset]:
    used = model.graph.data_in_use
    return sorted(with_category(assets(model, used), PAN, SAD), key=lambda a: a.id)


def in_pci_scope(model: Model) -> bool:
    """The system handles PAN or SAD, or declares PCI DSS compliance."""
    return model.graph.memo(
        ("in-pci-scope",), lambda: declares(model, "pci") or bool(handled_account_data(model))
    )


def in_cde(model: Model, component_id: str) -> bool:
    """Whether the component's zone is part of the cardholder data environment.

    One definition, shared with ``scope --pci``
    (:func:`threatforge.analysis.pci_scope.cde_zone_of`): the nearest zone marked with
    ``properties.pci_scope`` (``cde``) or ``properties.cde`` decides; when no zone of the model
    is marked, every ``trust: restricted`` zone is the CDE.
    """
    return component_id in declared_cde(model)


def cde_components(model: Model) -> frozenset[str]:
    """The ids of the components in the CDE (see :func:`in_cde`), decided once per model."""
    return declared_cde(model)


# --- technologies -----------------------------------------------------------------------------


def is_analytics(component: Component) -> bool:
    """An analytics or reporting store: by purpose, tag or warehouse technology."""
    purpose = component.prop("purpose")
    if isinstance(purpose, str) and purpose.lower() in ANALYTICS_PURPOSES:
        return True
    if "analytics" in (t.lower() for t in component.tags):
        return True
    return tech_is(component, ANALYTICS_TECH)


def is_telemetry(model: Model, component_id: str) -> bool:
    """Monitoring, or an analytics store (see :func:`is_analytics`)."""
    return component_id in _telemetry_ids(model)


def _telemetry_ids(model: Model) -> frozenset[str]:
    """The components that are monitoring or analytics stores (found once per model)."""
    return model.graph.memo(("telemetry",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind is ComponentKind.MONITORING or is_analytics(c)
    ))


def is_kube_api_server(component: Component) -> bool:
    """A Kubernetes API server: by technology, or with the id or name ``kube-apiserver``."""
    return (tech_is(component, KUBE_API_SERVER_TECH)
            or component.id.lower() in KUBE_API_SERVER_NAMES
            or (component.name or "").lower() in KUBE_API_SERVER_NAMES)


def kube_api_targets(model: Model, component: Component) -> list[str]:
    """The Kubernetes API servers the component has flows into, by id."""
    return sorted({f.target for f in model.graph.flows_out(component.id)
                   if is_kube_api_server(model.components[f.target])})


def open_function_url(component: Component) -> bool:
    """A Lambda function whose function URL has ``AuthType NONE``."""
    return tech_is(component, ("aws.lambda*",)) and word(
        component.prop("function_url_auth")) == "none"


def cloudfront_waf_fronts(model: Model, component: Component) -> list[Component]:
    """CloudFront distributions with ``waf: true`` that send flows into the component."""
    sources = [model.components[f.source] for f in model.graph.flows_in(component.id)]
    return [c for c in sources if tech_is(c, ("aws.cloudfront*",)) and c.waf]


_TLS_VERSION = re.compile(r"(\d+)(?:[.](\d+))?")


def tls_version(value: PropertyValue | None) -> tuple[int, int] | None:
    """Parse ``1.2``, ``"TLSv1.1"``, ``"TLSv1.2_2021"`` or ``"SSLv3"`` into (major, minor).

    SSL versions come back as ``(0, n)`` so that they sort below every TLS version; anything
    unreadable is None.
    """
    if value is None or isinstance(value, bool | list):
        return None
    text = str(value).strip().lower()
    ssl = text.startswith("ssl")
    for prefix in ("tlsv", "tls", "sslv", "ssl", "v"):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    match = _TLS_VERSION.match(text.strip())
    if match is None:
        return None
    major = int(match.group(1))
    minor = int(match.group(2) or 0)
    return (0, major) if ssl else (major, minor)


# --- shared by rules that report one weakness ---------------------------------------------


def kubernetes_deploy_value(model: Model, component: Component, key: str) -> str | None:
    """The ``deploy_auth: static-token`` or ``deploy_role: cluster-admin`` the k8s rules report.

    ``key`` is ``deploy_auth`` or ``deploy_role``. The Kubernetes rules own these values on a
    deployer that is not a CI pipeline, and on a CI pipeline only when it has a flow into a
    Kubernetes API server (see :func:`is_kube_api_server`); a pipeline that deploys elsewhere is
    judged by the cicd-* rules. None when the value is not stated or is not the k8s rules'.
    """
    value = word(component.prop(key))
    if value is None or value != KUBERNETES_DEPLOY_VALUES[key]:
        return None
    if component.kind is ComponentKind.CI_PIPELINE and not kube_api_targets(model, component):
        return None
    return value


def anonymous_card_intake(model: Model, component: Component) -> list[DataAsset]:
    """The card numbers an exposed endpoint takes from callers it does not authenticate.

    Empty unless the component receives ``pci.pan`` on a flow, is exposed, states an ``authn``
    that does not authenticate, has no ``properties.bot_protection: true`` and no rate-limited
    gateway, load balancer or CDN in front of it.
    """
    pan = {a.id: a for f in model.graph.flows_in(component.id)
           for a in with_category(model.graph.flow_data(f), PAN)}
    if not pan or not exposed(model, component):
        return []
    if component.authn is None or component.authn.authenticates:
        return []
    if component.prop("bot_protection") is True or rate_limited_edge_in_front(model, component):
        return []
    return sorted(pan.values(), key=lambda a: a.id)


@dataclass(frozen=True, slots=True)
class CdeStaffAccess:
    """Personnel in a corporate zone reach the CDE through a component (PCI DSS 8.4.2)."""

    staff: tuple[str, ...]
    """The people (actors or clients in a corporate zone) that connect to it, by id."""
    path: str
    """How the component leads into the CDE, in words."""
    mfa_on_every_flow: bool
    """Every staff flow states ``properties.mfa: true``."""


def _staff(model: Model) -> frozenset[str]:
    """People (actors or clients) in a corporate zone, by id (found once per model)."""
    return model.graph.memo(("staff",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PEOPLE_KINDS and corporate_zone(model, cid) is not None
    ))


def cde_staff_access(model: Model, component: Component) -> CdeStaffAccess | Skip:
    """How staff reach the CDE through the component, or why they do not."""
    if component.kind in OUTSIDE_KINDS:
        return _NOT_OURS
    if not in_pci_scope(model):
        return Skip("the system is not in PCI scope")
    staff = _staff(model)
    staff_flows = [f for f in model.graph.flows_in(component.id) if f.source in staff]
    if not staff_flows:
        return _NO_STAFF_CONNECTS
    if in_cde(model, component.id):
        path = "it is in the CDE"
    else:
        into = sorted({f.target for f in model.graph.flows_out(component.id)
                       if in_cde(model, f.target)})
        if not into:
            return Skip("gives no access into the CDE")
        path = f"it connects into the CDE ({', '.join(into)})"
    return CdeStaffAccess(
        staff=tuple(sorted({f.source for f in staff_flows})),
        path=path,
        mfa_on_every_flow=all(flow_prop(f, "mfa") is True for f in staff_flows),
    )


# --- who starts what: staff, less trusted callers (applicable threats) ----------------------


def staff_of(model: Model) -> frozenset[str]:
    """People (actors or clients) in a corporate zone: the organisation's staff, by id."""
    return _staff(model)


def staff_reach(model: Model, component_id: str, *, hops: int = 1,
                stop: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The staff who reach the component along at most ``hops`` flows through our own
    components (not through a component in ``stop``, which ends a walk), sorted."""
    staff = _staff(model)
    if not staff:
        return ()
    graph = model.graph
    found: set[str] = set()
    frontier = {component_id}
    seen = {component_id}
    for _ in range(hops):
        sources: set[str] = set()
        for current in frontier:
            for flow in graph.flows_in(current):
                if flow.source in staff:
                    found.add(flow.source)
                elif (flow.source not in seen and flow.source not in stop
                      and model.components[flow.source].kind not in OUTSIDE_KINDS):
                    sources.add(flow.source)
        seen |= sources
        frontier = sources
    return tuple(sorted(found))


_STAFF_WORDS = re.compile(
    r"\b(staff|employees?|agents?|operators?|support|back[- ]?office|"
    r"clerks?|tellers?)\b"
)


def text_of(component: Component) -> str:
    """The component's id, name and description, lower-cased: what a careful user writes about
    it in words."""
    return " ".join((component.id, component.name or "", component.description or "")).lower()


def staff_users(model: Model) -> frozenset[str]:
    """The organisation's staff: people (actors or clients) in a corporate zone, and people
    anywhere the model calls staff (``staff``, ``agent``, ``operator``, ``support``
    ... in their id, name or description) or who use an administrative component
    (``admin: true``) of ours. A back office on the internet is still used by staff."""
    def find() -> frozenset[str]:
        graph = model.graph
        found = set(_staff(model))
        for cid, c in model.components.items():
            if c.kind not in PEOPLE_KINDS or cid in found:
                continue
            if _STAFF_WORDS.search(text_of(c)) or any(
                model.components[f.target].admin
                and model.components[f.target].kind not in OUTSIDE_KINDS
                for f in graph.flows_out(cid)
            ):
                found.add(cid)
        return frozenset(found)

    return model.graph.memo(("staff-users",), find)


def staff_route(model: Model, component_id: str, *, hops: int = 1, edges_only: bool = False,
                stop: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The staff (:func:`staff_users`) who reach the component along at most ``hops`` flows
    through our own components (only through gateways, load balancers and CDNs with
    ``edges_only``; never through a component in ``stop``), sorted."""
    staff = staff_users(model)
    if not staff:
        return ()
    graph = model.graph
    found: set[str] = set()
    frontier = {component_id}
    seen = {component_id}
    for _ in range(hops):
        sources: set[str] = set()
        for current in frontier:
            for flow in graph.flows_in(current):
                source = model.components[flow.source]
                if flow.source in staff:
                    found.add(flow.source)
                elif (flow.source not in seen and flow.source not in stop
                      and source.kind not in OUTSIDE_KINDS
                      and (not edges_only or source.kind in EDGE_KINDS)):
                    sources.add(flow.source)
        seen |= sources
        frontier = sources
    return tuple(sorted(found))


def less_trusted_callers(model: Model, component: Component) -> tuple[str, ...]:
    """Components with a flow into ``component`` from a less trusted zone than its own (or from
    an untrusted party), sorted: who can send it input it should not trust."""
    graph = model.graph
    own = graph.trust_of(component.id)
    found = set()
    for flow in graph.flows_in(component.id):
        if untrusted_party(model, flow.source):
            found.add(flow.source)
            continue
        theirs = graph.trust_of(flow.source)
        if own is not None and theirs is not None and theirs.rank < own.rank:
            found.add(flow.source)
    return tuple(sorted(found))


def caller_words(model: Model, component: Component) -> str:
    """Why the component takes input from outside its trust, in words ("" when it does not):
    public exposure, a flow from a less trusted zone or from an entry point."""
    if component.exposure is Exposure.PUBLIC:
        return "exposure: public"
    callers = less_trusted_callers(model, component)
    if callers:
        return f"receives flows from a less trusted zone ({', '.join(callers)})"
    if exposed(model, component):
        return exposure_words(model, component)
    return ""


# --- where secrets come from ------------------------------------------------------------------

SERVICE_SECRET_CATEGORIES = ("secrets", "crypto-keys")
"""The system's own secrets and keys (not the credentials of the people it serves)."""


def fetches_secrets(model: Model, component: Component) -> bool:
    """The component has a flow to or from a secrets store or key management service: it can
    fetch its secrets at run time instead of carrying them in its configuration."""
    graph = model.graph
    ends = [f.target for f in graph.flows_out(component.id)]
    ends += [f.source for f in graph.flows_in(component.id)]
    return any(model.components[end].kind is ComponentKind.SECRETS_STORE
               or model.components[end].kind is ComponentKind.KEY_MANAGEMENT for end in ends)


# --- who can observe a flow, stores of record ------------------------------------------------

RDS_TECH = ("aws.rds*", "aws.aurora*")
"""Amazon RDS and Aurora databases."""
LOCAL_PROTOCOLS = frozenset({"in-process", "ipc", "exec"})
"""Protocols that never touch a network."""


def observable_path(model: Model, flow: Flow) -> str:
    """Why traffic on the flow can be observed or changed by others, in words (empty: it
    stays in one network between our components, or touches no network at all).

    A person's interaction with their own device and local protocols are not network traffic;
    a crossing between a zone and one nested in it of the same trust (a cluster in its VPC)
    stays in one network."""
    source = model.components[flow.source]
    if source.kind is ComponentKind.ACTOR or flow.protocol in LOCAL_PROTOCOLS:
        return ""
    crossing = model.graph.crossing(flow)
    if crossing is not None and not _nested_same_trust(model, crossing):
        return f"crosses {crossing.describe()}"
    outside = [end for end in (flow.source, flow.target) if not model.components[end].ours]
    if outside:
        return f"'{outside[0]}' is not a system component of ours"
    return ""


def _nested_same_trust(model: Model, crossing: Crossing) -> bool:
    """The two zones are one inside the other and equally trusted (one network)."""
    source, target = crossing.source_zone, crossing.target_zone
    if source is None or target is None or crossing.source_trust != crossing.target_trust:
        return False
    graph = model.graph
    return (target.id in {b.id for b in graph.zone_chain(source.id)}
            or source.id in {b.id for b in graph.zone_chain(target.id)})


def records_of(model: Model, component: Component) -> list[DataAsset]:
    """The records of money a store keeps: restricted data of category ``financial`` (a
    ledger, balances), which the business cannot rebuild from elsewhere."""
    stored = [model.data[d] for d in component.stores if d in model.data]
    return with_category(at_least(stored, Classification.RESTRICTED), "financial")


# --- actions that need attributing (repudiation) ------------------------------------------


def actions_to_attribute(model: Model, component: Component) -> tuple[str, ...]:
    """Why actions done through the component need an audit trail, in words (empty: the graph
    shows none): admin functions, staff acting on it, signatures over financial data, refunds,
    or partners' calls recording financial data. A process that sends payment instructions to
    a provider is asked only for the first three: its transaction record is
    pay-transaction-non-repudiation's question."""
    if not component.ours or component.kind not in PROCESS_KINDS:
        return ()
    why: list[str] = []
    if component.admin:
        why.append("admin: true (administrative actions)")
    graph = model.graph
    writes = [f.target for f in graph.flows_out(component.id) if model.components[f.target].ours]
    # staff act on it directly or through a gateway or proxy (which only forwards)
    staff = () if component.kind in EDGE_KINDS else staff_reach(
        model, component.id, hops=2, stop=_not_edges(model))
    if staff and writes:
        why.append(f"staff ({', '.join(staff)}) act through it")
    keys = sorted({f.target for f in graph.flows_out(component.id)
                   if model.components[f.target].kind is ComponentKind.KEY_MANAGEMENT
                   and with_category(graph.flow_data(f), "financial", "pci")})
    if keys:
        why.append(f"signs or decrypts financial data with {', '.join(keys)}")
    if component.prop("payment_service") is True or _sends_payment_data(model, component):
        return tuple(why)
    if component.prop("refunds") is True:
        why.append("properties.refunds: true (it issues refunds)")
    partners = _identified_partners(model, component)
    if partners and _records_financial_data(model, component):
        why.append(f"records financial data on calls of partner system(s) {', '.join(partners)}")
    return tuple(why)


def _not_edges(model: Model) -> frozenset[str]:
    """Our components that are not gateways, load balancers or CDNs (found once per model)."""
    return model.graph.memo(("not-edges",), lambda: frozenset(
        cid for cid, c in model.components.items() if c.kind not in EDGE_KINDS))


def _sends_payment_data(model: Model, component: Component) -> bool:
    """The process sends card or financial data to an external service (a payment provider)."""
    for flow in model.graph.flows_out(component.id):
        if model.components[flow.target].kind is ComponentKind.EXTERNAL_SERVICE and with_category(
            model.graph.flow_data(flow), "pci", "financial"
        ):
            return True
    return False


def _identified_partners(model: Model, component: Component) -> tuple[str, ...]:
    """External services that call the component (directly or through one edge component)
    with a credential of their own: their calls are actions of another organisation."""
    graph = model.graph
    found: set[str] = set()
    for flow in graph.flows_in(component.id):
        sources = [flow]
        if model.components[flow.source].kind in EDGE_KINDS:
            sources = list(graph.flows_in(flow.source))
        for into in sources:
            caller = model.components[into.source]
            authn = into.effective_authn
            if (caller.kind is ComponentKind.EXTERNAL_SERVICE and authn is not None
                    and authn.authenticates and not into.signed):
                found.add(caller.id)
    return tuple(sorted(found))


def _records_financial_data(model: Model, component: Component) -> bool:
    """The process writes financial data into one of our stores."""
    return any(
        model.components[f.target].kind in STORE_KINDS
        and with_category(model.graph.flow_data(f), "financial")
        for f in model.graph.flows_out(component.id)
    )


# --- named element sets (RuleMeta.among): rules that pass or skip everything else ------------


# The sets are built from the graph's indexes (flows into or out of a few components, flows by
# property), not by walking every flow, and only once the graph exists: a model whose flows name
# missing components has none, and the engine then evaluates the rule everywhere instead.


def _flows_into(model: Model, targets: Iterable[str]) -> frozenset[str]:
    graph = model.graph
    return frozenset(f.id for target in targets for f in graph.flows_in(target))


def _in_cluster_ids(model: Model) -> frozenset[str]:
    zones = _cluster_zones(model)
    k8s = tech_ids(model, ("k8s.*",))
    return frozenset(
        cid for cid, c in model.components.items()
        if (c.zone is not None and c.zone in zones) or cid in k8s
    )


def _into_cluster(model: Model) -> frozenset[str]:
    return _flows_into(model, members(IN_CLUSTER, model))


def _within_clusters(model: Model) -> frozenset[str]:
    cluster = members(IN_CLUSTER, model)
    graph = model.graph
    return frozenset(
        f.id for source in cluster for f in graph.flows_out(source) if f.target in cluster
    )


def _into_telemetry(model: Model) -> frozenset[str]:
    return _flows_into(model, _telemetry_ids(model))


def _into_cde(model: Model) -> frozenset[str]:
    if not in_pci_scope(model):
        return frozenset()
    cde = cde_components(model)
    graph = model.graph
    return frozenset(
        f.id for target in cde for f in graph.flows_in(target) if f.source not in cde
    )


def _staff_connects(model: Model) -> frozenset[str]:
    if not in_pci_scope(model):
        return frozenset()
    graph = model.graph
    return frozenset(f.target for source in _staff(model) for f in graph.flows_out(source))


def _cde_or_monitoring(model: Model) -> frozenset[str]:
    if not in_pci_scope(model):
        return frozenset()
    cde = cde_components(model)
    return frozenset(
        cid for cid, c in model.components.items()
        if c.kind is ComponentKind.MONITORING or cid in cde
    )


def _exposed_ids(model: Model) -> frozenset[str]:
    near = _next_to_entry_points(model)
    return frozenset(
        cid for cid, c in model.components.items()
        if c.exposure is Exposure.PUBLIC or (c.exposure is not Exposure.PRIVATE and cid in near)
    )


def _from_untrusted_parties(model: Model) -> frozenset[str]:
    graph = model.graph
    return frozenset(
        f.id for source in _untrusted_parties(model) for f in graph.flows_out(source)
    )


def _not_encrypted(model: Model) -> frozenset[str]:
    return frozenset(f.id for f in model.flows if f.encrypted is not True)


def _not_encrypted_or_tls_stated(model: Model) -> frozenset[str]:
    return frozenset(f.id for f in model.flows
                     if f.encrypted is not True or f.tls is not None or f.mtls)


def _ingress_stated(model: Model) -> frozenset[str]:
    graph = model.graph
    return frozenset(
        [*graph.components_stating("ingress_cidrs")]
        + [f.target for f in graph.flows_stating("ingress_cidrs")]
    )


EXPOSED = ElementSet(
    "exposed", "components that are public or one flow from an entry point (see exposed)",
    _exposed_ids,
)
FROM_UNTRUSTED_PARTIES = ElementSet(
    "from-untrusted-parties", "flows from an untrusted party (see untrusted_party)",
    _from_untrusted_parties,
)
NOT_ENCRYPTED = ElementSet(
    "not-encrypted", "flows not known to be encrypted in transit (encrypted is false or not "
    "stated)",
    _not_encrypted,
)
NOT_ENCRYPTED_OR_TLS_STATED = ElementSet(
    "not-encrypted-or-tls-stated", "flows not known to be encrypted in transit, or that state "
    "`tls` or `mtls` (a stated answer rules a threat out)",
    _not_encrypted_or_tls_stated,
)
INGRESS_STATED = ElementSet(
    "ingress-stated", "components that state ingress_cidrs or receive a flow that states them",
    _ingress_stated,
)
ADMINISTRATIVE = ElementSet(
    "administrative", "components that state admin: true",
    lambda model: frozenset(cid for cid, c in model.components.items() if c.admin),
)
IN_CLUSTER = ElementSet(
    "in-cluster", "components that run in a Kubernetes cluster (see in_cluster)", _in_cluster_ids
)
INTO_CLUSTER = ElementSet(
    "into-cluster", "flows into a component that runs in a Kubernetes cluster", _into_cluster
)
WITHIN_CLUSTERS = ElementSet(
    "within-clusters", "flows between two components that run in Kubernetes clusters",
    _within_clusters,
)
TELEMETRY = ElementSet(
    "telemetry", "monitoring components and analytics stores (see is_telemetry)",
    lambda model: _telemetry_ids(model),
)
INTO_TELEMETRY = ElementSet(
    "into-telemetry", "flows into monitoring components and analytics stores", _into_telemetry
)
INTO_CDE = ElementSet(
    "into-cde", "flows from outside the PCI DSS cardholder data environment into it, in a "
    "system in PCI scope",
    _into_cde,
)
STAFF_CONNECTS = ElementSet(
    "staff-connects", "components that people in a corporate zone have flows into, in a system "
    "in PCI scope (see cde_staff_access)",
    _staff_connects,
)
CDE_OR_MONITORING = ElementSet(
    "cde-or-monitoring", "components in the cardholder data environment, and monitoring "
    "components, in a system in PCI scope",
    _cde_or_monitoring,
)
