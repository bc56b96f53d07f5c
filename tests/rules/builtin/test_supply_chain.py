"""Supply-chain rules: naming, documentation, and edge cases the fire/pass fixtures miss."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from property_docs import documented_keys, property_keys

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze, builtin_rules
from threatforge.rules.builtin import supply_chain

ROOT = Path(__file__).resolve().parents[3]
RULES = {r.id: r for r in supply_chain.RULES}
ALL_RULES = {r.id: r for r in builtin_rules()}
TODAY = date(2026, 1, 1)


def _run(rule_id: str, components: str, flows: str = "") -> Assessment:
    text = (
        "version: 1\nsystem: {name: t}\n"
        "boundaries:\n  ci-cd: {kind: ci-cd, trust: semi-trusted}\n"
        "  prod: {kind: account, trust: trusted}\n"
        + f"components:\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )
    assessment = analyze(load_text(text), [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def test_rule_ids_domain_and_metadata() -> None:
    assert sorted(RULES) == [
        "cicd-branch-protection-disabled",
        "cicd-oidc-trust-too-broad",
        "cicd-overprivileged-deploy-role",
        "cicd-plaintext-secrets",
        "cicd-shared-runners",
        "cicd-static-deploy-credentials",
        "cicd-unpinned-third-party-actions",
        "cicd-untrusted-pr-code-with-secrets",
        "supply-artifact-pulled-without-verification",
        "supply-dependency-confusion",
        "supply-mutable-artifact-tags",
        "supply-no-provenance",
        "supply-no-sbom",
        "supply-no-vulnerability-scanning",
        "supply-registry-public-write",
        "supply-unsigned-artifacts",
    ]
    for item in supply_chain.RULES:
        meta = item.meta
        assert meta.domain == "supply-chain", item.id
        assert meta.cwe and meta.mitigations and meta.references, item.id
        assert meta.detection and meta.false_positives, item.id
        assert meta.likelihood in range(1, 6) and meta.impact in range(1, 6), item.id
        assert item.check.__doc__, item.id


def test_every_property_key_read_is_documented_and_every_documented_key_is_read() -> None:
    assert property_keys(supply_chain.__file__) == documented_keys(
        "supply-chain-properties.md"
    )


def test_static_deploy_credentials_name_the_deployment_targets() -> None:
    result = _run(
        "cicd-static-deploy-credentials",
        "  ci: {kind: ci-pipeline, zone: ci-cd, properties: {deploy_auth: Static-Key}}\n"
        "  registry: {kind: artifact-registry, zone: prod}\n"
        "  api: {kind: service, zone: prod}\n  fn: {kind: function, zone: prod}\n"
        "  logs: {kind: monitoring, zone: prod}\n",
        "  - ci -> registry: {protocol: https}\n  - ci -> fn: {protocol: aws-api}\n"
        "  - ci -> api: {protocol: aws-api}\n  - ci -> logs: {protocol: https}\n",
    )
    (finding,) = result.findings
    assert finding.title == "ci deploys with long-lived credentials (Static-Key)"
    assert finding.evidence == ("properties.deploy_auth: static-key", "deploys to api, fn")


CLUSTER_AND_VM = (
    "  cluster-ci: {kind: ci-pipeline, zone: ci-cd,"
    " properties: {deploy_auth: static-token, deploy_role: Cluster-Admin}}\n"
    "  vm-ci: {kind: ci-pipeline, zone: ci-cd,"
    " properties: {deploy_auth: static-token, deploy_role: cluster-admin}}\n"
    "  eks: {kind: gateway, tech: aws.eks, zone: prod}\n"
    "  billing: {kind: service, zone: prod}\n"
)
CLUSTER_AND_VM_FLOWS = (
    "  - cluster-ci -> eks: {protocol: https}\n  - vm-ci -> billing: {protocol: ssh}\n"
)


def test_kubernetes_deployments_are_superseded_by_the_kubernetes_rules() -> None:
    model = load_text(
        "version: 1\nsystem: {name: t}\n"
        "boundaries:\n  ci-cd: {kind: ci-cd, trust: semi-trusted}\n"
        "  prod: {kind: account, trust: trusted}\n"
        f"components:\n{CLUSTER_AND_VM}flows:\n{CLUSTER_AND_VM_FLOWS}"
    )
    pairs = {"cicd-static-deploy-credentials": "k8s-long-lived-sa-token",
             "cicd-overprivileged-deploy-role": "k8s-cluster-admin-binding"}
    for cicd, k8s in pairs.items():
        both = analyze(model, [RULES[cicd], ALL_RULES[k8s]], today=TODAY)
        assert both.rule_errors == ()
        assert sorted(f.fingerprint for f in both.findings) == [
            f"{cicd}@vm-ci", f"{k8s}@cluster-ci",
        ]
        summary = both.summary_of(cicd)
        assert summary is not None
        assert summary.skipped == (("cluster-ci", f"superseded by {k8s}"),)
        # without the Kubernetes rule (--skip), the pipeline's finding is reported here
        alone = analyze(model, [RULES[cicd]], today=TODAY)
        assert sorted(f.fingerprint for f in alone.findings) == [
            f"{cicd}@cluster-ci", f"{cicd}@vm-ci",
        ]


def test_unstated_signing_on_a_registry_push_is_a_question_not_a_finding() -> None:
    result = _run(
        "supply-unsigned-artifacts",
        "  ci: {kind: ci-pipeline, zone: ci-cd}\n"
        "  registry: {kind: artifact-registry, zone: prod}\n",
        "  - ci -> registry: {protocol: https}\n",
    )
    assert result.findings == ()
    (threat,) = result.applicable_threats
    assert threat.fingerprint == "supply-unsigned-artifacts@ci"
    assert threat.why == ("publishes to 'registry'",)
    assert threat.question.describe() == (
        "Does ci sign every image and package it publishes? (state `properties.image_signing` "
        "on `ci`: true rules it out; false confirms it)"
    )
    assert [(g.element, g.fact) for g in result.gaps] == [("ci", "properties.image_signing")]


def test_a_pull_that_does_not_state_signed_is_a_model_gap() -> None:
    result = _run(
        "supply-artifact-pulled-without-verification",
        "  registry: {kind: artifact-registry, zone: prod}\n"
        "  task: {kind: service, tech: aws.ecs, zone: prod}\n",
        "  - registry -> task: {protocol: https, initiated_by: target}\n",
    )
    assert result.findings == ()
    assert [(g.element, g.fact, g.rules) for g in result.gaps] == [
        ("registry->task", "signed", ("supply-artifact-pulled-without-verification",))
    ]
