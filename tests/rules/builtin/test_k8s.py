"""Microservice and Kubernetes rules: edge cases the fire/pass fixtures do not pin down."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import k8s

ROOT = Path(__file__).resolve().parents[3]
RULES = {r.id: r for r in k8s.RULES}
TODAY = date(2026, 1, 1)
CLUSTER = (
    "  cluster: {kind: cluster, trust: trusted}\n"
    "  ns-apps: {kind: namespace, trust: trusted, inside: cluster}\n"
)


def _run(rule_id: str, components: str, flows: str = "", boundaries: str = CLUSTER,
         data: str = "") -> Assessment:
    text = (
        "version: 1\nsystem: {name: t}\n"
        + (f"data:\n{data}" if data else "")
        + f"boundaries:\n{boundaries}"
        + f"components:\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )
    assessment = analyze(load_text(text), [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def _fingerprints(assessment: Assessment) -> set[str]:
    return {f.fingerprint for f in assessment.findings}


def _gaps(assessment: Assessment) -> set[tuple[str, str]]:
    return {(g.element, g.fact) for g in assessment.gaps}


def _properties_read(source: str) -> set[str]:
    """The ``properties:`` keys a rule module reads, found in its source."""
    keys: set[str] = set()
    for pattern in (r'\.prop\("([a-z0-9_]+)"\)', r'\bflow_prop\(\w+, "([a-z0-9_]+)"\)',
                    r'properties\.get\("([a-z0-9_]+)"\)',
                    r'\bcluster_says\(model, \w+, "([a-z0-9_]+)"\)'):
        keys.update(re.findall(pattern, source))
    for group in re.findall(r"for key in\s*\(([^)]*)\)", source):
        keys.update(re.findall(r'"([a-z0-9_]+)"', group))
    return keys


def test_library_size_and_naming() -> None:
    assert len(k8s.RULES) >= 16
    assert len(RULES) == len(k8s.RULES)
    for item in k8s.RULES:
        assert item.id.startswith(("k8s-", "svc-")), item.id
        assert item.meta.domain == "k8s", item.id
        assert item.meta.references, item.id
        assert item.meta.false_positives, item.id
        assert item.check.__doc__, item.id


def test_every_property_the_rules_read_is_documented() -> None:
    source = (ROOT / "src/threatforge/rules/builtin/k8s.py").read_text(encoding="utf-8")
    read = _properties_read(source)
    page = (ROOT / "docs/rules/k8s-properties.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)`(?:, `[a-z0-9_]+`)* \|", page, flags=re.M))
    documented |= {k for row in re.findall(r"^\| (`[a-z0-9_]+`(?:, `[a-z0-9_]+`)+) \|", page,
                                           flags=re.M)
                   for k in re.findall(r"`([a-z0-9_]+)`", row)}
    assert {"peer_authentication", "image_signature_verification", "propagates_identity",
            "kubelet_read_only_port", "host_ipc"} <= read
    assert sorted(read - documented) == []


def test_strict_mesh_inherited_from_the_cluster_authenticates_service_calls() -> None:
    boundaries = (
        "  cluster: {kind: cluster, trust: trusted, properties: {peer_authentication: STRICT}}\n"
        "  ns-apps: {kind: namespace, trust: trusted, inside: cluster}\n"
        "  ns-legacy: {kind: namespace, trust: trusted, inside: cluster,"
        " properties: {peer_authentication: PERMISSIVE}}\n"
    )
    components = (
        "  a: {kind: service, tech: k8s.deployment, zone: ns-apps}\n"
        "  b: {kind: service, tech: k8s.deployment, zone: ns-apps}\n"
        "  c: {kind: service, tech: k8s.deployment, zone: ns-legacy}\n"
    )
    flows = ("  - a -> b: {protocol: http, authn: none, data: [orders]}\n"
             "  - a -> c: {protocol: http, data: [orders]}\n")
    data = "  orders: {classification: confidential}\n"
    assessment = _run("svc-unauthenticated-service-call", components, flows, boundaries, data)
    assert _fingerprints(assessment) == set()
    assert _gaps(assessment) == {("a->c", "authn")}
    assert [t.fingerprint for t in assessment.applicable_threats] == [
        "svc-unauthenticated-service-call@a->c"
    ]


def test_an_unauthenticated_call_with_nothing_confidential_behind_it_is_no_threat() -> None:
    # a call that carries nothing confidential to a service that holds nothing confidential:
    # the rule passes silently instead of asking how it is authenticated
    components = (
        "  a: {kind: service, tech: k8s.deployment, zone: ns-apps}\n"
        "  b: {kind: service, tech: k8s.deployment, zone: ns-apps}\n"
    )
    assessment = _run("svc-unauthenticated-service-call", components,
                      "  - a -> b: {protocol: http}\n")
    summary = assessment.summaries[0]
    assert (summary.passed, assessment.applicable_threats, _gaps(assessment)) == (
        ("a->b",), (), set()
    )


def test_service_calls_into_a_more_trusted_zone_are_left_to_the_generic_rule() -> None:
    boundaries = CLUSTER + (
        "  ns-data: {kind: namespace, trust: restricted, inside: cluster}\n"
    )
    components = (
        "  a: {kind: service, tech: k8s.deployment, zone: ns-apps}\n"
        "  b: {kind: service, tech: k8s.deployment, zone: ns-data}\n"
        "  outside: {kind: service, tech: aws.ecs}\n"
    )
    flows = ("  - a -> b: {protocol: http, authn: none}\n"
             "  - outside -> a: {protocol: http, authn: none}\n")
    summary = _run("svc-unauthenticated-service-call", components, flows, boundaries).summaries[0]
    assert (summary.fired, dict(summary.skipped)) == ((), {
        "a->b": "enters a more trusted zone: a boundary crossing, not a call within one trust "
        "level",
    })
    # outside runs in no cluster: the flow is outside the rule's scope (among: within-clusters)
    assert summary.outcome_of("outside->a") is None


def test_a_permissive_cluster_is_reported_once_not_per_namespace() -> None:
    boundaries = (
        "  cluster: {kind: cluster, trust: trusted,"
        " properties: {peer_authentication: permissive}}\n"
        "  ns-a: {kind: namespace, trust: trusted, inside: cluster}\n"
        "  ns-b: {kind: namespace, trust: trusted, inside: cluster}\n"
    )
    components = "  a: {kind: service, zone: ns-a}\n"
    assessment = _run("k8s-mesh-permissive-mtls", components, boundaries=boundaries)
    assert [(f.fingerprint, f.title) for f in assessment.findings] == [
        ("k8s-mesh-permissive-mtls@cluster",
         "Service mesh in cluster accepts plaintext traffic (PERMISSIVE mTLS)"),
    ]


def test_unstated_settings_never_fire() -> None:
    components = (
        "  api: {kind: gateway, tech: k8s.apiserver, zone: cluster}\n"
        "  web: {kind: service, tech: k8s.deployment, zone: ns-apps}\n"
    )
    for rule_id in ("k8s-secrets-not-encrypted-in-etcd", "k8s-namespace-no-default-deny",
                    "k8s-namespace-privileged-pod-security", "k8s-mutable-image-tag",
                    "k8s-container-runs-as-root"):
        assessment = _run(rule_id, components)
        assert (_fingerprints(assessment), _gaps(assessment)) == (set(), set()), rule_id

    # an API server that states neither its exposure nor its endpoint access is asked about
    assessment = _run("k8s-api-server-public", components)
    assert (_fingerprints(assessment), _gaps(assessment)) == (
        set(), {("api", "properties.endpoint_public_access")}
    )
    assert [t.fingerprint for t in assessment.applicable_threats] == ["k8s-api-server-public@api"]


def test_image_references_with_registry_ports_and_digests() -> None:
    images = {
        "a": "registry.example.com:5000/team/app",
        "b": "registry.example.com:5000/team/app:latest",
        "c": "registry.example.com:5000/team/app:1.2.3",
        "d": "team/app:latest@sha256:" + "4f53cda18c2baa0c" * 4,
    }
    components = "".join(f"  {name}: {{kind: service, tech: k8s.deployment, zone: ns-apps,"
                         f" properties: {{image: '{image}'}}}}\n" for name, image in images.items())
    titles = {f.elements[0]: f.title for f in _run("k8s-mutable-image-tag", components).findings}
    assert titles == {"a": "a runs a mutable image tag (no tag)",
                      "b": "b runs a mutable image tag (latest)"}


def test_shared_database_counts_distinct_writing_services() -> None:
    components = (
        "  db: {kind: datastore, tech: postgresql, zone: ns-apps, encryption: {at_rest: kms}}\n"
        "  a: {kind: service, zone: ns-apps}\n"
        "  b: {kind: service, zone: ns-apps}\n"
        "  c: {kind: service, zone: ns-apps}\n"
    )
    flows = (
        "  - {from: a, to: db, id: a-writes, protocol: postgres}\n"
        "  - {from: a, to: db, id: a-reads, protocol: postgres, properties: {access: read}}\n"
        "  - b -> db: {protocol: postgres}\n"
        "  - c -> db: {protocol: postgres, properties: {access: read-only}}\n"
        "  - db -> c: {protocol: postgres, initiated_by: target}\n"
    )
    assert _fingerprints(_run("svc-shared-database", components, flows)) == set()
    more = components + "  d: {kind: service, zone: ns-apps}\n"
    found = _run("svc-shared-database", more, flows + "  - d -> db: {protocol: postgres}\n")
    assert [(f.fingerprint, f.title) for f in found.findings] == [
        ("svc-shared-database@db", "db is written directly by 3 services"),
    ]


def test_kafka_without_stated_authz_is_a_gap_not_a_finding() -> None:
    components = (
        "  kafka: {kind: stream, tech: kafka, zone: ns-apps, authn: mtls,"
        " encryption: {at_rest: kms}}\n"
        "  redis: {kind: cache, tech: redis, zone: ns-apps, encryption: {at_rest: kms}}\n"
    )
    flows = "  - web -> kafka: {protocol: kafka, authn: mtls}\n"
    web = "  web: {kind: service, tech: k8s.deployment, zone: ns-apps}\n"
    assessment = _run("svc-kafka-topic-no-acl", components + web, flows)
    assert (_fingerprints(assessment), _gaps(assessment)) == (set(), {("kafka", "authz")})
    threats = [t.fingerprint for t in assessment.applicable_threats]
    assert threats == ["svc-kafka-topic-no-acl@kafka"]
    # a Kafka cluster no client of the model uses: nobody to ask about, no gap
    alone = _run("svc-kafka-topic-no-acl", components)
    assert (_fingerprints(alone), _gaps(alone), alone.applicable_threats) == (set(), set(), ())


def test_message_consumers_need_stated_input_validation() -> None:
    components = (
        "  q: {kind: queue, tech: aws.sqs, encryption: {at_rest: kms}}\n"
        "  worker: {kind: function, tech: aws.lambda}\n"
        "  archive: {kind: datastore, tech: aws.s3, encryption: {at_rest: kms}}\n"
    )
    flows = ("  - q -> worker: {protocol: aws-api, initiated_by: target}\n"
             "  - q -> archive: {protocol: aws-api}\n")
    assessment = _run("svc-consumer-trusts-messages", components, flows)
    assert (_fingerprints(assessment), _gaps(assessment)) == (set(), {("q->worker",
                                                                        "input_validation")})


def test_eks_endpoints_are_left_to_the_aws_rule() -> None:
    components = (
        "  eks: {kind: gateway, tech: aws.eks, exposure: public,"
        " properties: {endpoint_public_access: true}}\n"
        "  aks: {kind: gateway, tech: azure.aks, exposure: internal,"
        " properties: {endpoint_public_access: true, public_access_cidrs: '::/0'}}\n"
    )
    assert _fingerprints(_run("k8s-api-server-public", components)) == {
        "k8s-api-server-public@aks"
    }
