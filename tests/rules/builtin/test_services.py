"""Service-to-service rules: edge cases the fixtures do not pin down."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import services

ROOT = Path(__file__).resolve().parents[3]
RULES = {r.id: r for r in services.RULES}
TODAY = date(2026, 1, 1)
DATA = "  transfers: {classification: restricted, categories: [financial]}\n"


def _run(rule_id: str, components: str, flows: str = "", boundaries: str = "",
         data: str = DATA) -> Assessment:
    text = (
        "version: 1\nsystem: {name: t}\n"
        + f"data:\n{data}"
        + (f"boundaries:\n{boundaries}" if boundaries else "")
        + f"components:\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )
    assessment = analyze(load_text(text), [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def _threats(assessment: Assessment) -> list[str]:
    return [t.fingerprint for t in assessment.applicable_threats]


def _skipped(assessment: Assessment) -> dict[str, str]:
    return dict(assessment.summaries[0].skipped)


def test_library_size_and_naming() -> None:
    assert [r.id for r in services.RULES] == [
        "svc-cross-zone-call-unauthenticated",
        "svc-internal-service-unauthenticated",
        "svc-flat-network-lateral-movement",
        "svc-queue-publish-unrestricted",
        "svc-security-check-fails-open",
        "svc-waf-monitor-only",
    ]
    for item in services.RULES:
        assert item.meta.domain == "services", item.id
        assert item.meta.asks, item.id
        assert item.meta.references and item.meta.false_positives, item.id
        assert item.check.__doc__, item.id


def test_every_property_the_rules_read_is_documented() -> None:
    source = (ROOT / "src/threatforge/rules/builtin/services.py").read_text(encoding="utf-8")
    read = set(re.findall(r'\.prop\("([a-z0-9_]+)"\)', source))
    read |= set(re.findall(r'\bflow_prop\(\w+, "([a-z0-9_]+)"\)', source))
    read |= set(re.findall(r'\bcluster_says\(model, \w+, "([a-z0-9_]+)"\)', source))
    assert read == {"ingress_restricted", "default_deny", "network_policies",
                    "policy_principals", "security_decision", "fails_closed", "waf_mode",
                    "access"}
    pages = "".join((ROOT / "docs/rules" / name).read_text(encoding="utf-8") for name in
                    ("services-properties.md", "k8s-properties.md", "aws-properties.md"))
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", pages, flags=re.M))
    assert sorted(read - documented) == []


ZONES = (
    "  dmz: {kind: vpc, trust: semi-trusted}\n"
    "  core: {kind: vpc, trust: trusted}\n"
    "  other: {kind: vpc, trust: trusted}\n"
)


def test_a_call_into_a_more_trusted_zone_is_not_asked_twice() -> None:
    # unauthenticated-boundary-crossing asks about calls into more trust; this rule asks about
    # calls between peers only
    components = (
        "  web: {kind: service, zone: dmz}\n"
        "  ledger: {kind: service, zone: core, processes: [transfers]}\n"
        "  reports: {kind: service, zone: other, processes: [transfers]}\n"
    )
    flows = ("  - web -> ledger: {protocol: https, data: [transfers]}\n"
             "  - ledger -> reports: {protocol: https, data: [transfers]}\n"
             "  - {from: ledger, to: reports, id: by-address, protocol: https, authn: network}\n")
    assessment = _run("svc-cross-zone-call-unauthenticated", components, flows, ZONES)
    assert _threats(assessment) == ["svc-cross-zone-call-unauthenticated@ledger->reports"]
    assert _skipped(assessment) == {
        "web->ledger": "enters a more trusted zone: a crossing into more trust, not between peers",
        "by-address": "authn: network: the caller is trusted for its address",
    }
    threat = assessment.applicable_threats[0]
    assert threat.why == ("'ledger' calls 'reports' across core (trusted) -> other (trusted)",
                          "'reports' handles 'transfers' (restricted)")


def test_an_internal_service_called_by_people_or_other_zones_is_left_alone() -> None:
    components = (
        "  clerk: {kind: actor, zone: core}\n"
        "  api: {kind: service, zone: core}\n"
        "  desk: {kind: service, zone: core, processes: [transfers]}\n"
        "  ledger: {kind: service, zone: core, processes: [transfers]}\n"
        "  remote: {kind: service, zone: other}\n"
        "  archive: {kind: service, zone: core, processes: [transfers]}\n"
    )
    flows = ("  - clerk -> desk: {protocol: https}\n"
             "  - api -> desk: {protocol: https}\n"
             "  - api -> ledger: {protocol: https}\n"
             "  - remote -> archive: {protocol: https}\n")
    assessment = _run("svc-internal-service-unauthenticated", components, flows, ZONES)
    assert _threats(assessment) == ["svc-internal-service-unauthenticated@ledger"]
    assert assessment.applicable_threats[0].why == (
        "called by api in its own zone", "handles 'transfers' (restricted)",
        "nothing states how it authenticates them",
    )


CLUSTER = (
    "  cluster: {kind: cluster, trust: trusted}\n"
    "  ns-pay: {kind: namespace, trust: trusted, inside: cluster}\n"
)
PODS = (
    "  payroll: {kind: service, tech: k8s.deployment, zone: ns-pay, processes: [transfers]}\n"
    "  batch: {kind: service, tech: k8s.deployment, zone: cluster}\n"
)


def test_a_namespace_default_deny_rules_lateral_movement_out_and_a_stated_gap_is_the_namespaces(
) -> None:
    deny = CLUSTER.replace("inside: cluster}", "inside: cluster, properties: {default_deny: true}}")
    ruled = _run("svc-flat-network-lateral-movement", PODS, boundaries=deny)
    assert (_threats(ruled), [r.evidence for r in ruled.ruled_out]) == (
        [], [("default-deny NetworkPolicy on its namespace or cluster",)]
    )
    off = CLUSTER.replace("inside: cluster}", "inside: cluster, properties: {default_deny: false}}")
    left = _run("svc-flat-network-lateral-movement", PODS, boundaries=off)
    assert (_threats(left), [f.fingerprint for f in left.findings]) == ([], [])
    assert _skipped(left) == {
        "payroll": "its namespace or cluster states it has no default-deny NetworkPolicy"
    }
    asked = _run("svc-flat-network-lateral-movement", PODS, boundaries=CLUSTER)
    assert _threats(asked) == ["svc-flat-network-lateral-movement@payroll"]


def test_kafka_and_stated_resource_policies_are_not_asked_who_may_publish() -> None:
    components = (
        "  api: {kind: service}\n"
        "  worker: {kind: function}\n"
        "  topic: {kind: stream, tech: aws.msk, encryption: {at_rest: kms}}\n"
        "  sqs: {kind: queue, tech: aws.sqs, encryption: {at_rest: kms},"
        " properties: {policy_principals: [\"arn:aws:iam::111122223333:role/api\"]}}\n"
        "  sns: {kind: queue, tech: aws.sns, encryption: {at_rest: kms}}\n"
    )
    flows = "".join(f"  - api -> {q}: {{protocol: aws-api}}\n"
                    f"  - {q} -> worker: {{protocol: aws-api}}\n" for q in ("topic", "sqs", "sns"))
    assessment = _run("svc-queue-publish-unrestricted", components, flows)
    assert _threats(assessment) == ["svc-queue-publish-unrestricted@sns"]
    assert _skipped(assessment) == {
        "topic": "a Kafka cluster, whose topic ACLs are asked about on their own",
        "sqs": "its resource policy states who may call it",
    }


def test_a_security_decision_service_is_known_by_its_name_or_a_stated_fact() -> None:
    components = (
        "  pay: {kind: service}\n"
        "  scorer: {kind: service, name: Risk scoring engine}\n"
        "  reports: {kind: service, name: Risk reports}\n"
        "  kyc-check: {kind: external-service}\n"
        "  limits: {kind: service, properties: {security_decision: true}}\n"
    )
    flows = "".join(f"  - pay -> {t}: {{protocol: https}}\n"
                    for t in ("scorer", "reports", "kyc-check", "limits"))
    assessment = _run("svc-security-check-fails-open", components, flows)
    why = {t.fingerprint: t.why[1] for t in assessment.applicable_threats}
    assert why == {
        "svc-security-check-fails-open@pay->scorer":
            "a fraud, risk or authorisation check (by its name: risk scoring)",
        "svc-security-check-fails-open@pay->kyc-check":
            "a fraud, risk or authorisation check (by its name: kyc)",
        "svc-security-check-fails-open@pay->limits": "properties.security_decision: true",
    }
    assert _skipped(assessment) == {"pay->reports": "not a call to a security decision service"}


def test_a_waf_in_detect_mode_behind_nothing_exposed_is_no_finding() -> None:
    components = (
        "  visitor: {kind: actor, zone: dmz}\n"
        "  edge: {kind: gateway, zone: core, exposure: public, waf: true,"
        " properties: {waf_mode: detect}}\n"
        "  office: {kind: service, zone: core, exposure: private, waf: true,"
        " properties: {waf_mode: detect}}\n"
    )
    assessment = _run("svc-waf-monitor-only", components,
                      "  - visitor -> edge: {protocol: https}\n", ZONES)
    assert [(f.fingerprint, f.evidence) for f in assessment.findings] == [
        ("svc-waf-monitor-only@edge",
         ("waf: true", "properties.waf_mode: detect", "exposure: public")),
    ]


def test_a_child_process_or_a_file_is_no_network_neighbour() -> None:
    # `cli -> git: {protocol: exec}` starts a program; nothing else on the network can call it
    components = (
        "  cli: {kind: service, zone: core}\n"
        "  git: {kind: service, zone: core, authn: none, processes: [transfers]}\n"
    )
    assessment = _run("svc-internal-service-unauthenticated", components,
                      "  - cli -> git: {protocol: exec, data: [transfers]}\n", ZONES)
    assert (assessment.findings, assessment.applicable_threats) == ((), ())
    assert assessment.summaries[0].passed == ("cli", "git")
