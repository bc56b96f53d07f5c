"""One weakness, one finding: where two built-in rules read the same stated fact, one owns it.

Each test states a weakness that two rules could report on the same element, runs every
built-in rule, and asserts the exact findings on that element and why the other rule is skipped
there: "superseded by <owner>" where the owner declares it (``RuleMeta.supersedes``, applied by
the engine), or the reason the rule does not apply.
"""

from __future__ import annotations

from datetime import date

import pytest

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze, builtin_rules

TODAY = date(2026, 1, 1)
RULES = builtin_rules()


def _run(body: str) -> Assessment:
    assessment = analyze(load_text("version: 1\n" + body), RULES, today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def _on(assessment: Assessment, element: str) -> set[str]:
    """The rules that fired on the element."""
    return {f.rule for f in assessment.findings if f.elements[0] == element}


def _skip(assessment: Assessment, rule_id: str, element: str) -> str:
    summary = assessment.summary_of(rule_id)
    assert summary is not None, rule_id
    return dict(summary.skipped)[element]


PIPELINES = """\
system: {name: Pipelines}
boundaries:
  ci-cd: {kind: ci-cd, trust: semi-trusted}
  aws: {kind: account, trust: trusted}
components:
  cluster-ci:
    kind: ci-pipeline
    zone: ci-cd
    properties: {deploy_auth: static-token, deploy_role: cluster-admin}
  functions-ci:
    kind: ci-pipeline
    zone: ci-cd
    properties: {deploy_auth: static-token, deploy_role: cluster-admin}
  keys-ci:
    kind: ci-pipeline
    zone: ci-cd
    properties: {deploy_auth: access-key, aws_access_keys: true, access_key_age_days: 400}
  eks: {kind: gateway, tech: aws.eks, zone: aws, exposure: private}
  orders-fn: {kind: function, tech: aws.lambda, zone: aws, exposure: private}
flows:
  - cluster-ci -> eks: {protocol: https, authn: service-account}
  - functions-ci -> orders-fn: {protocol: aws-api, authn: iam}
  - keys-ci -> orders-fn: {protocol: aws-api, authn: iam, id: keys-deploy}
"""


def test_a_pipeline_deploying_to_a_kubernetes_api_server_is_judged_by_the_k8s_rules() -> None:
    result = _run(PIPELINES)
    assert _on(result, "cluster-ci") == {"k8s-long-lived-sa-token", "k8s-cluster-admin-binding"}
    assert _skip(result, "cicd-static-deploy-credentials", "cluster-ci") == (
        "superseded by k8s-long-lived-sa-token"
    )
    assert _skip(result, "cicd-overprivileged-deploy-role", "cluster-ci") == (
        "superseded by k8s-cluster-admin-binding"
    )
    evidence = {f.rule: f.evidence for f in result.findings if f.elements == ("cluster-ci",)}
    assert evidence["k8s-long-lived-sa-token"] == (
        "properties.deploy_auth: static-token", "deploys to the Kubernetes API server 'eks'"
    )


def test_a_pipeline_deploying_elsewhere_is_judged_by_the_cicd_rules() -> None:
    result = _run(PIPELINES)
    assert _on(result, "functions-ci") == {
        "cicd-static-deploy-credentials", "cicd-overprivileged-deploy-role"
    }
    # not a supersede: the k8s rules do not apply to a pipeline that deploys no cluster
    assert _skip(result, "k8s-long-lived-sa-token", "functions-ci") == (
        "deploy_auth: static-token of a pipeline that deploys to no Kubernetes API server"
    )
    assert _skip(result, "k8s-cluster-admin-binding", "functions-ci") == (
        "deploy_role: cluster-admin of a pipeline that deploys to no Kubernetes API server"
    )


def test_access_keys_that_are_a_pipelines_deploy_credentials_give_one_finding() -> None:
    result = _run(PIPELINES)
    assert _on(result, "keys-ci") == {"cicd-static-deploy-credentials"}
    assert _skip(result, "aws-iam-long-lived-access-keys", "keys-ci") == (
        "superseded by cicd-static-deploy-credentials"
    )


FLOWS = """\
system: {name: Flows}
data:
  uploads: {classification: internal}
boundaries:
  internet: {kind: internet, trust: untrusted}
  partners: {kind: third-party, trust: semi-trusted}
  app: {kind: vpc, trust: trusted}
  data-tier: {kind: subnet, trust: restricted, inside: app}
  cluster: {kind: cluster, trust: trusted}
  ns-a: {kind: namespace, trust: trusted, inside: cluster}
  ns-b: {kind: namespace, trust: trusted, inside: cluster}
components:
  user: {kind: actor, zone: internet}
  psp: {kind: external-service, zone: partners}
  api: {kind: service, zone: app, authn: oauth2, authz: rbac}
  files: {kind: datastore, zone: app, stores: [uploads]}
  cache: {kind: cache, zone: data-tier, authn: none}
  orders: {kind: service, tech: k8s.deployment, zone: ns-a}
  stock: {kind: service, tech: k8s.deployment, zone: ns-b}
flows:
  - psp -> api: {protocol: https, authn: none, signed: false}
  - user -> api: {protocol: https, authn: network}
  - user -> files: {protocol: https, authn: none}
  - api -> cache: {protocol: rediss, authn: none}
  - psp -> api: {protocol: https, authn: network, signed: false, id: psp-allowlisted}
  - orders -> stock: {protocol: https, authn: network}
"""


@pytest.mark.parametrize(
    ("flow", "owner", "skipped"),
    [
        ("psp->api", "unsigned-inbound-callback", "unauthenticated-boundary-crossing"),
        ("user->api", "network-location-trust", "unauthenticated-boundary-crossing"),
        ("user->files", "untrusted-direct-store-access", "unauthenticated-boundary-crossing"),
        ("psp-allowlisted", "unsigned-inbound-callback", "network-location-trust"),
        ("orders->stock", "svc-unauthenticated-service-call", "network-location-trust"),
    ],
)
def test_flow_authentication_is_reported_by_the_most_specific_rule(
    flow: str, owner: str, skipped: str
) -> None:
    result = _run(FLOWS)
    assert owner in _on(result, flow)
    assert skipped not in _on(result, flow)
    assert _skip(result, skipped, flow) == f"superseded by {owner}"


def test_a_cache_without_authentication_is_one_finding_not_one_per_flow() -> None:
    result = _run(FLOWS)
    assert _on(result, "cache") == {"unauthenticated-cache-or-broker"}
    assert _on(result, "api->cache") == set()
    assert _skip(result, "unauthenticated-boundary-crossing", "api->cache") == (
        "superseded by unauthenticated-cache-or-broker"
    )


def test_direct_store_access_names_the_missing_authentication() -> None:
    result = _run(FLOWS)
    (finding,) = [f for f in result.findings if f.fingerprint ==
                  "untrusted-direct-store-access@user->files"]
    assert finding.title == "An untrusted party reaches a data store directly on user->files"
    assert finding.evidence == (
        "'user' is an untrusted party", "'files' is a datastore", "authn: none"
    )


CDE = """\
system: {name: Back office, compliance: [pci-dss]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  office: {kind: corporate, trust: semi-trusted}
  app: {kind: vpc, trust: trusted}
  cde: {kind: subnet, trust: restricted, inside: app}
components:
  agent: {kind: actor, zone: office}
  back-office: {kind: service, zone: app, admin: true, mfa: false, authn: password}
  vault: {kind: datastore, zone: cde, stores: [pan], encryption: {at_rest: kms-cmk}}
flows:
  - agent -> back-office: {protocol: https}
  - back-office -> vault: {protocol: postgres, tls: true, authn: iam, data: [pan]}
"""


def test_an_admin_interface_into_the_cde_without_mfa_is_the_pci_finding() -> None:
    result = _run(CDE)
    assert "admin-without-mfa" not in _on(result, "back-office")
    assert _skip(result, "admin-without-mfa", "back-office") == (
        "superseded by pci-cde-access-without-mfa"
    )
    (finding,) = [f for f in result.findings if f.rule == "pci-cde-access-without-mfa"]
    assert finding.evidence == ("admin: true", "staff (agent) connect from a corporate zone",
                                "it connects into the CDE (vault)", "mfa: false")


def test_mfa_on_every_staff_flow_leaves_a_console_without_mfa_to_the_admin_rule() -> None:
    result = _run(CDE.replace("- agent -> back-office: {protocol: https}",
                              "- agent -> back-office: {protocol: https, properties: {mfa: true}}"))
    assert _on(result, "back-office") & {"admin-without-mfa", "pci-cde-access-without-mfa"} == {
        "admin-without-mfa"
    }


EDGES = """\
system: {name: Edges}
boundaries:
  internet: {kind: internet, trust: untrusted}
  aws: {kind: account, trust: trusted}
components:
  user: {kind: actor, zone: internet}
  cdn: {kind: cdn, tech: aws.cloudfront, zone: aws, exposure: public, waf: true}
  shop-api:
    kind: gateway
    tech: aws.apigateway
    zone: aws
    exposure: public
    waf: false
    properties: {execute_api_endpoint_disabled: false}
  eks:
    kind: gateway
    tech: aws.eks
    zone: aws
    exposure: public
    waf: false
    properties: {endpoint_public_access: true, public_access_cidrs: [0.0.0.0/0]}
flows:
  - user -> cdn: {protocol: https}
  - cdn -> shop-api: {protocol: https}
  - user -> eks: {protocol: https}
"""


@pytest.mark.parametrize(
    ("element", "owner", "reason"),
    [
        # not supersedes: a WAF in front, or no web application, rules the weakness out
        ("shop-api", "aws-apigw-cloudfront-bypass", "behind a CloudFront distribution with a WAF"),
        ("eks", "aws-eks-public-endpoint-open", "a Kubernetes API server, not a web application"),
    ],
)
def test_a_missing_waf_is_left_to_the_rule_that_knows_the_edge(
    element: str, owner: str, reason: str
) -> None:
    result = _run(EDGES)
    assert owner in _on(result, element)
    assert "exposed-edge-without-waf" not in _on(result, element)
    assert _skip(result, "exposed-edge-without-waf", element) == reason


STORES = """\
system: {name: Stores}
data:
  pan: {classification: restricted, categories: [pci.pan]}
  health: {classification: restricted, categories: [health]}
  ledger: {classification: restricted, categories: [financial]}
boundaries:
  app: {kind: vpc, trust: trusted}
components:
  card-cache: {kind: cache, zone: app, stores: [pan], encryption: {at_rest: none}}
  card-db: {kind: datastore, zone: app, stores: [pan], encryption: {at_rest: provider}}
  care-db: {kind: datastore, zone: app, stores: [health], encryption: {at_rest: none}}
  care-files: {kind: datastore, zone: app, stores: [health], encryption: {at_rest: kms}}
  ledger-db: {kind: datastore, zone: app, stores: [ledger], encryption: {at_rest: provider}}
  card-queue:
    kind: queue
    tech: aws.sqs
    zone: app
    stores: [pan]
    encryption: {at_rest: none}
    properties: {sse: false}
"""


@pytest.mark.parametrize(
    ("element", "owner", "skipped"),
    [
        ("card-cache", "store-unencrypted-at-rest", "pci-pan-stored-readable"),
        ("care-db", "store-unencrypted-at-rest", "privacy-special-category-not-app-encrypted"),
        ("card-queue", "store-unencrypted-at-rest", "aws-sqs-sns-unencrypted"),
        ("card-db", "pci-pan-stored-readable", "restricted-data-provider-key"),
        ("care-files", "privacy-special-category-not-app-encrypted",
         "restricted-data-provider-key"),
    ],
)
def test_encryption_at_rest_gives_one_finding_per_store(
    element: str, owner: str, skipped: str
) -> None:
    result = _run(STORES)
    assert owner in _on(result, element)
    assert skipped not in _on(result, element)
    assert _skip(result, skipped, element) == f"superseded by {owner}"


def test_restricted_data_without_a_stricter_rule_keeps_the_generic_finding() -> None:
    assert "restricted-data-provider-key" in _on(_run(STORES), "ledger-db")


ENDPOINTS = """\
system: {name: Endpoints}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  aws: {kind: account, trust: trusted}
components:
  donor: {kind: actor, zone: internet}
  donate-api: {kind: service, zone: aws, exposure: public, authn: none, rate_limit: false}
  export-fn:
    kind: function
    tech: aws.lambda
    zone: aws
    exposure: public
    authn: none
    rate_limit: true
    properties: {function_url_auth: NONE}
flows:
  - donor -> donate-api: {protocol: https, data: [pan]}
  - donor -> export-fn: {protocol: https}
"""


def test_an_anonymous_payment_endpoint_is_one_card_testing_finding() -> None:
    result = _run(ENDPOINTS)
    assert _on(result, "donate-api") & {
        "pay-card-testing", "unauthenticated-exposed-service", "missing-rate-limit"
    } == {"pay-card-testing"}
    reason = "superseded by pay-card-testing"
    assert _skip(result, "unauthenticated-exposed-service", "donate-api") == reason
    assert _skip(result, "missing-rate-limit", "donate-api") == reason


def test_an_open_lambda_function_url_is_the_aws_finding() -> None:
    result = _run(ENDPOINTS)
    assert "aws-lambda-function-url-unauthenticated" in _on(result, "export-fn")
    assert _skip(result, "unauthenticated-exposed-service", "export-fn") == (
        "superseded by aws-lambda-function-url-unauthenticated"
    )
