"""Rules declare what they supersede (``RuleMeta.supersedes``); the engine applies it.

One weakness, one finding: where a superseding rule fires on an element, the superseded rule's
finding there is dropped and its summary says "superseded by <rule>". Skip the superseding rule
(``--skip``) and the superseded one fires again: no owner skip hides a weakness inside a rule.
The table below holds one model for every declaration of the built-in rules, with the exact
fingerprints each way.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from threatforge.assessment import Assessment
from threatforge.cli import app
from threatforge.errors import RuleError
from threatforge.model import Component, Flow, Model, load, load_text
from threatforge.rules import (
    PASS,
    Fire,
    Rule,
    RuleMeta,
    Stride,
    Supersedes,
    SupersedesWhere,
    Target,
    Unknown,
    Verdict,
    analyze,
    builtin_rules,
)
from threatforge.rules.declarative import load_pack
from threatforge.rules.metadata import rule_markdown, rule_to_dict

ROOT = Path(__file__).resolve().parents[2]
OVERLAPS = ROOT / "tests/rules/builtin/test_overlaps.py"
TODAY = date(2026, 1, 1)
BUILTIN = {r.id: r for r in builtin_rules()}


def _declarations() -> set[tuple[str, str]]:
    return {(r.id, d.rule) for r in BUILTIN.values() for d in r.meta.supersedes}


# Models for declarations no fixture or example shows on its own.
COGNITO_ADMIN = """\
system: {name: Staff pool}
boundaries:
  aws: {kind: account, trust: trusted}
components:
  staff-pool: {kind: identity-provider, tech: aws.cognito, zone: aws, admin: true, mfa: false}
"""
COGNITO_CDE = """\
system: {name: Back office, compliance: [pci-dss]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  office: {kind: corporate, trust: semi-trusted}
  app: {kind: vpc, trust: trusted}
  cde: {kind: subnet, trust: restricted, inside: app, properties: {pci_scope: cde}}
components:
  agent: {kind: actor, zone: office}
  staff-pool: {kind: identity-provider, tech: aws.cognito, zone: app, admin: true, mfa: false}
  vault: {kind: datastore, zone: cde, stores: [pan], encryption: {at_rest: kms-cmk}}
flows:
  - agent -> staff-pool: {protocol: https}
  - staff-pool -> vault: {protocol: postgres, tls: true, authn: iam, data: [pan]}
"""
STORE_BY_NETWORK = """\
system: {name: Uploads}
data:
  uploads: {classification: internal}
boundaries:
  internet: {kind: internet, trust: untrusted}
  app: {kind: vpc, trust: trusted}
components:
  user: {kind: actor, zone: internet}
  files: {kind: datastore, zone: app, stores: [uploads]}
flows:
  - user -> files: {protocol: https, authn: network}
"""
SECRETS = """\
system: {name: Secrets}
data:
  psp-key: {classification: restricted, categories: [credentials]}
boundaries:
  aws: {kind: account, trust: trusted}
components:
  psp-secrets:
    kind: secrets-store
    tech: aws.secretsmanager
    zone: aws
    stores: [psp-key]
    encryption: {key_rotation: false}
    properties: {automatic_rotation: false}
"""
ADMIN_ROLE = """\
system: {name: Roles}
boundaries:
  aws: {kind: account, trust: trusted}
components:
  ops-fn:
    kind: function
    tech: aws.lambda
    zone: aws
    properties:
      iam_actions: ["*", "s3:*"]
      iam_wildcard_resource_actions: ["s3:GetObject"]
"""

PUBLIC_BUCKET = """\
system: {name: Exports}
data:
  exports: {classification: confidential}
boundaries:
  aws: {kind: account, trust: trusted}
components:
  exports-bucket:
    kind: datastore
    tech: aws.s3
    zone: aws
    stores: [exports]
    encryption: {at_rest: kms}
    properties: {acl: public-read, block_public_access: false}
"""
DIRECT_UPLOAD = """\
system: {name: Evidence upload}
data:
  evidence: {classification: restricted, categories: [pii]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  aws: {kind: account, trust: trusted}
components:
  browser: {kind: client, zone: internet}
  evidence-bucket: {kind: datastore, tech: aws.s3, zone: aws, authz: iam, stores: [evidence]}
flows:
  - browser -> evidence-bucket: {protocol: https, tls: true, authn: none}
"""
ORDERS_NO_AUTHZ = """\
system: {name: Orders}
data:
  orders: {classification: confidential, categories: [pii, financial]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  vpc: {kind: vpc, trust: trusted}
components:
  customer: {kind: actor, zone: internet}
  orders-api: {kind: service, zone: vpc, exposure: public, authn: jwt, authz: none,
               routes: ["/orders/{orderId}"], processes: [orders]}
flows:
  - customer -> orders-api: {protocol: https, authn: jwt, data: [orders]}
"""
PUBLIC_ANONYMOUS = """\
system: {name: Profiles}
data:
  profile: {classification: restricted, categories: [pii]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  vpc: {kind: vpc, trust: trusted}
components:
  visitor: {kind: actor, zone: internet}
  profile-api: {kind: service, zone: vpc, exposure: public, authn: none, authz: none,
                processes: [profile]}
flows:
  - visitor -> profile-api: {protocol: https, authn: none, data: [profile]}
"""
ADMIN_CONSOLE = """\
system: {name: Back office}
boundaries:
  internet: {kind: internet, trust: untrusted}
  vpc: {kind: vpc, trust: trusted}
components:
  operator: {kind: actor, zone: internet}
  admin-console: {kind: service, zone: vpc, exposure: public, admin: true, authn: oidc,
                  mfa: true, authz: none, routes: ["/admin/users", "/admin/users/{userId}"]}
flows:
  - operator -> admin-console: {protocol: https, authn: oidc}
"""

CARD_TESTING = """\
system: {name: Donations, compliance: [pci-dss]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  cde: {kind: subnet, trust: restricted, properties: {pci_scope: cde}}
components:
  donor: {kind: actor, zone: internet}
  donate-api: {kind: service, zone: cde, exposure: public, authn: none, authz: none,
               rate_limit: false, processes: [pan]}
flows:
  - donor -> donate-api: {protocol: https, authn: none, data: [pan]}
"""
FUNCTION_URL = """\
system: {name: Exports}
data:
  exports: {classification: confidential, categories: [pii]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  aws: {kind: account, trust: trusted}
components:
  client: {kind: actor, zone: internet}
  export-fn: {kind: function, tech: aws.lambda, zone: aws, exposure: public, authn: none,
              authz: none, processes: [exports], properties: {function_url_auth: NONE}}
flows:
  - client -> export-fn: {protocol: https, data: [exports]}
"""
LEDGER_BY_NETWORK = """\
system: {name: Ledger}
data:
  entries: {classification: restricted, categories: [financial]}
boundaries:
  partner: {kind: third-party, trust: semi-trusted}
  app: {kind: vpc, trust: trusted}
components:
  partner-app: {kind: service, zone: partner}
  ledger: {kind: service, zone: app, authn: none, authz: none, processes: [entries]}
flows:
  - partner-app -> ledger: {protocol: https, tls: true, authn: network, data: [entries]}
"""
OPEN_CALLBACK = """\
system: {name: Payments}
data:
  payment-status: {classification: confidential, categories: [financial]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  app: {kind: vpc, trust: trusted}
components:
  psp: {kind: external-service, zone: internet}
  webhook: {kind: function, zone: app, authn: none, authz: none, processes: [payment-status]}
flows:
  - psp -> webhook: {protocol: https, signed: false, authn: none, data: [payment-status]}
"""
CLUSTER_CALL = """\
system: {name: Cluster}
data:
  payment-requests: {classification: restricted, categories: [financial]}
boundaries:
  cluster: {kind: cluster, trust: trusted}
  ns-apps: {kind: namespace, trust: trusted, inside: cluster}
components:
  orders-svc: {kind: service, tech: k8s.deployment, zone: ns-apps, authn: jwt, authz: rbac}
  payments-svc: {kind: service, tech: k8s.deployment, zone: ns-apps, authn: none, authz: none,
                 processes: [payment-requests]}
flows:
  - orders-svc -> payments-svc: {protocol: http, authn: none, data: [payment-requests]}
"""


def _overlap_model(name: str) -> str:
    """A model of tests/rules/builtin/test_overlaps.py, by its constant's name."""
    import ast

    for node in ast.parse(OVERLAPS.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == name:
            assert isinstance(node.value, ast.Constant)
            return str(node.value.value)
    raise AssertionError(name)


def _model(source: str) -> Model:
    if source.startswith("overlaps:"):
        return load_text("version: 1\n" + _overlap_model(source.removeprefix("overlaps:")))
    if source.startswith("system:"):
        return load_text("version: 1\n" + source)
    return load(ROOT / source)


# (superseding rule, superseded rule, model, element the superseded rule fires on,
#  findings of both rules on it (and on the flow's target for flows-into, on the flows into it
#  for flow-target), then the same with the superseding rule skipped)
TABLE = [
    (
        "unauthenticated-exposed-service",
        "missing-authorization",
        PUBLIC_ANONYMOUS,
        "profile-api",
        ["unauthenticated-exposed-service@profile-api"],
        ["missing-authorization@profile-api"],
    ),
    (
        "unauthenticated-boundary-crossing",
        "missing-authorization",
        "examples/k8s-platform/threatmodel.yaml",
        "kafka-ui",
        ["unauthenticated-boundary-crossing@engineer->kafka-ui"],
        ["missing-authorization@kafka-ui"],
    ),
    (
        "unauthenticated-boundary-crossing",
        "missing-authorization",
        "examples/partner-api/threatmodel.yaml",
        "rest-api-actuator",
        ["unauthenticated-boundary-crossing@ops-engineer->rest-api-actuator"],
        ["missing-authorization@rest-api-actuator"],
    ),
    (
        "pay-card-testing",
        "missing-authorization",
        CARD_TESTING,
        "donate-api",
        ["pay-card-testing@donate-api"],
        ["missing-authorization@donate-api"],
    ),
    (
        "aws-lambda-function-url-unauthenticated",
        "missing-authorization",
        FUNCTION_URL,
        "export-fn",
        ["aws-lambda-function-url-unauthenticated@export-fn"],
        ["missing-authorization@export-fn"],
    ),
    (
        "network-location-trust",
        "missing-authorization",
        LEDGER_BY_NETWORK,
        "ledger",
        ["network-location-trust@partner-app->ledger"],
        ["missing-authorization@ledger"],
    ),
    (
        "unsigned-inbound-callback",
        "missing-authorization",
        OPEN_CALLBACK,
        "webhook",
        ["unsigned-inbound-callback@psp->webhook"],
        ["missing-authorization@webhook"],
    ),
    (
        "svc-unauthenticated-service-call",
        "missing-authorization",
        CLUSTER_CALL,
        "payments-svc",
        ["svc-unauthenticated-service-call@orders-svc->payments-svc"],
        ["missing-authorization@payments-svc"],
    ),
    (
        "exposed-admin-interface",
        "api-admin-routes-without-function-authz",
        ADMIN_CONSOLE,
        "admin-console",
        ["exposed-admin-interface@admin-console"],
        ["api-admin-routes-without-function-authz@admin-console"],
    ),
    (
        "network-location-trust",
        "unauthenticated-boundary-crossing",
        "tests/rules/fixtures/network-location-trust/fires.yaml",
        "edge->ledger",
        ["network-location-trust@edge->ledger"],
        ["unauthenticated-boundary-crossing@edge->ledger"],
    ),
    (
        "unsigned-inbound-callback",
        "unauthenticated-boundary-crossing",
        "tests/rules/fixtures/unsigned-inbound-callback/fires.yaml",
        "psp->webhook",
        ["unsigned-inbound-callback@psp->webhook"],
        ["unauthenticated-boundary-crossing@psp->webhook"],
    ),
    (
        "unsigned-inbound-callback",
        "network-location-trust",
        "overlaps:FLOWS",
        "psp-allowlisted",
        ["unsigned-inbound-callback@psp-allowlisted"],
        ["network-location-trust@psp-allowlisted"],
    ),
    (
        "admin-without-mfa",
        "aws-cognito-mfa-not-enforced",
        COGNITO_ADMIN,
        "staff-pool",
        ["admin-without-mfa@staff-pool"],
        ["aws-cognito-mfa-not-enforced@staff-pool"],
    ),
    (
        "cleartext-sensitive-flow",
        "unprotected-boundary-crossing",
        "examples/card-checkout/threatmodel.yaml",
        "back-office->card-vault-db",
        ["cleartext-sensitive-flow@back-office->card-vault-db"],
        ["unprotected-boundary-crossing@back-office->card-vault-db"],
    ),
    (
        "store-unencrypted-at-rest",
        "pci-pan-stored-readable",
        "overlaps:STORES",
        "card-cache",
        ["store-unencrypted-at-rest@card-cache"],
        ["pci-pan-stored-readable@card-cache"],
    ),
    (
        "store-unencrypted-at-rest",
        "privacy-special-category-not-app-encrypted",
        "tests/rules/fixtures/store-unencrypted-at-rest/fires.yaml",
        "care-db",
        ["store-unencrypted-at-rest@care-db"],
        ["privacy-special-category-not-app-encrypted@care-db"],
    ),
    (
        "store-unencrypted-at-rest",
        "aws-sqs-sns-unencrypted",
        "examples/partner-api/threatmodel.yaml",
        "webhook-queue",
        ["store-unencrypted-at-rest@webhook-queue"],
        ["aws-sqs-sns-unencrypted@webhook-queue"],
    ),
    (
        "public-datastore",
        "aws-rds-publicly-accessible",
        "tests/rules/fixtures/aws-rds-publicly-accessible/fires.yaml",
        "legacy-db",
        ["public-datastore@legacy-db"],
        ["aws-rds-publicly-accessible@legacy-db"],
    ),
    (
        "untrusted-direct-store-access",
        "unauthenticated-boundary-crossing",
        "tests/rules/fixtures/untrusted-direct-store-access/fires.yaml",
        "browser->documents",
        ["untrusted-direct-store-access@browser->documents"],
        ["unauthenticated-boundary-crossing@browser->documents"],
    ),
    (
        "untrusted-direct-store-access",
        "network-location-trust",
        STORE_BY_NETWORK,
        "user->files",
        ["untrusted-direct-store-access@user->files"],
        ["network-location-trust@user->files"],
    ),
    (
        "unauthenticated-cache-or-broker",
        "unauthenticated-boundary-crossing",
        "examples/k8s-platform/threatmodel.yaml",
        "accounts-svc->redis",
        ["unauthenticated-cache-or-broker@redis"],
        ["unauthenticated-boundary-crossing@accounts-svc->redis"],
    ),
    (
        "secrets-without-rotation",
        "aws-secretsmanager-rotation",
        SECRETS,
        "psp-secrets",
        ["secrets-without-rotation@psp-secrets"],
        ["aws-secretsmanager-rotation@psp-secrets"],
    ),
    (
        "aws-iam-full-admin",
        "aws-iam-service-wildcard-action",
        ADMIN_ROLE,
        "ops-fn",
        ["aws-iam-full-admin@ops-fn"],
        ["aws-iam-service-wildcard-action@ops-fn"],
    ),
    (
        "aws-iam-full-admin",
        "aws-iam-wildcard-resource",
        ADMIN_ROLE,
        "ops-fn",
        ["aws-iam-full-admin@ops-fn"],
        ["aws-iam-wildcard-resource@ops-fn"],
    ),
    (
        "aws-iam-full-admin",
        "aws-iam-privilege-escalation",
        "tests/rules/fixtures/aws-iam-full-admin/fires.yaml",
        "ops-fn",
        ["aws-iam-full-admin@ops-fn"],
        ["aws-iam-privilege-escalation@ops-fn"],
    ),
    (
        "aws-ecr-scan-on-push-disabled",
        "supply-no-vulnerability-scanning",
        "tests/rules/fixtures/aws-ecr-scan-on-push-disabled/fires.yaml",
        "app-images",
        ["aws-ecr-scan-on-push-disabled@app-images"],
        ["supply-no-vulnerability-scanning@app-images"],
    ),
    (
        "aws-ecr-mutable-tags",
        "supply-mutable-artifact-tags",
        "tests/rules/fixtures/aws-ecr-mutable-tags/fires.yaml",
        "app-images",
        ["aws-ecr-mutable-tags@app-images"],
        ["supply-mutable-artifact-tags@app-images"],
    ),
    (
        "aws-lambda-function-url-unauthenticated",
        "unauthenticated-exposed-service",
        "overlaps:ENDPOINTS",
        "export-fn",
        ["aws-lambda-function-url-unauthenticated@export-fn"],
        ["unauthenticated-exposed-service@export-fn"],
    ),
    (
        "svc-unauthenticated-service-call",
        "network-location-trust",
        "overlaps:FLOWS",
        "orders->stock",
        ["svc-unauthenticated-service-call@orders->stock"],
        ["network-location-trust@orders->stock"],
    ),
    (
        "k8s-cluster-admin-binding",
        "cicd-overprivileged-deploy-role",
        "tests/rules/fixtures/k8s-cluster-admin-binding/fires.yaml",
        "ci-pipeline",
        ["k8s-cluster-admin-binding@ci-pipeline"],
        ["cicd-overprivileged-deploy-role@ci-pipeline"],
    ),
    (
        "k8s-long-lived-sa-token",
        "cicd-static-deploy-credentials",
        "tests/rules/fixtures/k8s-long-lived-sa-token/fires.yaml",
        "ci-pipeline",
        ["k8s-long-lived-sa-token@ci-pipeline"],
        ["cicd-static-deploy-credentials@ci-pipeline"],
    ),
    (
        "k8s-unverified-image-pull",
        "supply-artifact-pulled-without-verification",
        "tests/rules/fixtures/k8s-unverified-image-pull/fires.yaml",
        "registry->nodes",
        ["k8s-unverified-image-pull@registry->nodes"],
        ["supply-artifact-pulled-without-verification@registry->nodes"],
    ),
    (
        "pci-pan-stored-outside-cde",
        "pci-pan-processed-outside-cde",
        "tests/rules/fixtures/pci-pan-stored-outside-cde/fires.yaml",
        "reporting-db",
        ["pci-pan-stored-outside-cde@reporting-db"],
        ["pci-pan-processed-outside-cde@reporting-db"],
    ),
    (
        "pci-pan-stored-readable",
        "restricted-data-provider-key",
        "tests/rules/fixtures/pci-pan-stored-readable/fires.yaml",
        "legacy-db",
        ["pci-pan-stored-readable@legacy-db"],
        ["restricted-data-provider-key@legacy-db"],
    ),
    (
        "pci-pan-in-telemetry",
        "pci-pan-stored-outside-cde",
        "tests/rules/fixtures/pci-pan-in-telemetry/fires.yaml",
        "warehouse",
        ["pci-pan-in-telemetry@warehouse"],
        ["pci-pan-stored-outside-cde@warehouse"],
    ),
    (
        "pci-pan-in-telemetry",
        "pci-pan-processed-outside-cde",
        "tests/rules/fixtures/pci-pan-in-telemetry/fires.yaml",
        "app-logs",
        ["pci-pan-in-telemetry@app-logs"],
        ["pci-pan-processed-outside-cde@app-logs"],
    ),
    (
        "pci-cde-access-without-mfa",
        "admin-without-mfa",
        "examples/card-checkout/threatmodel.yaml",
        "back-office",
        ["pci-cde-access-without-mfa@back-office"],
        ["admin-without-mfa@back-office"],
    ),
    (
        "pci-cde-access-without-mfa",
        "aws-cognito-mfa-not-enforced",
        COGNITO_CDE,
        "staff-pool",
        ["pci-cde-access-without-mfa@staff-pool"],
        ["aws-cognito-mfa-not-enforced@staff-pool"],
    ),
    (
        "pay-card-testing",
        "unauthenticated-exposed-service",
        "tests/rules/fixtures/pay-card-testing/fires.yaml",
        "donate-api",
        ["pay-card-testing@donate-api"],
        ["unauthenticated-exposed-service@donate-api"],
    ),
    (
        "pay-card-testing",
        "missing-rate-limit",
        "tests/rules/fixtures/pay-card-testing/fires.yaml",
        "donate-api",
        ["pay-card-testing@donate-api"],
        ["missing-rate-limit@donate-api"],
    ),
    (
        "privacy-special-category-not-app-encrypted",
        "restricted-data-provider-key",
        "overlaps:STORES",
        "care-files",
        ["privacy-special-category-not-app-encrypted@care-files"],
        ["restricted-data-provider-key@care-files"],
    ),
    (
        "identity-privileged-session-too-long",
        "session-excessive-lifetime",
        "tests/rules/fixtures/session-excessive-lifetime/fires.yaml",
        "admin-tool",
        ["identity-privileged-session-too-long@admin-tool"],
        ["session-excessive-lifetime@admin-tool"],
    ),
    (
        "cicd-static-deploy-credentials",
        "aws-iam-long-lived-access-keys",
        "tests/rules/fixtures/cicd-static-deploy-credentials/fires.yaml",
        "app-ci",
        ["cicd-static-deploy-credentials@app-ci"],
        ["aws-iam-long-lived-access-keys@app-ci"],
    ),
    (
        "missing-authorization",
        "api-bola-coarse-authz",
        ORDERS_NO_AUTHZ,
        "orders-api",
        ["missing-authorization@orders-api"],
        ["api-bola-coarse-authz@orders-api"],
    ),
    (
        "aws-s3-public-acl",
        "aws-s3-public-access",
        PUBLIC_BUCKET,
        "exports-bucket",
        ["aws-s3-public-acl@exports-bucket"],
        ["aws-s3-public-access@exports-bucket"],
    ),
    (
        "api-webhook-internal-targets",
        "api-ssrf-user-supplied-url",
        "tests/rules/fixtures/api-webhook-internal-targets/fires.yaml",
        "dispatcher",
        ["api-webhook-internal-targets@dispatcher"],
        ["api-ssrf-user-supplied-url@dispatcher"],
    ),
    (
        "attack-path",
        "unauthenticated-boundary-crossing",
        "tests/rules/fixtures/attack-path/fires.yaml",
        "attacker->orders-api",
        ["attack-path@attacker->orders-api"],
        ["unauthenticated-boundary-crossing@attacker->orders-api"],
    ),
    (
        "untrusted-direct-store-access",
        "attack-path",
        DIRECT_UPLOAD,
        "browser->evidence-bucket",
        ["untrusted-direct-store-access@browser->evidence-bucket"],
        ["attack-path@browser->evidence-bucket"],
    ),
]


def test_the_table_has_one_case_per_declaration() -> None:
    assert {(owner, victim) for owner, victim, *_ in TABLE} == _declarations()
    # one case per declaration, and both examples of the one the old owner skip hid
    assert len(TABLE) == len(_declarations()) + 1


def test_every_declaration_names_another_built_in_rule() -> None:
    named = {victim for _, victim in _declarations()}
    assert sorted(named - set(BUILTIN)) == []
    assert [(o, v) for o, v in _declarations() if o == v] == []


@pytest.mark.parametrize(
    ("owner", "victim", "source", "element", "kept", "unleashed"),
    TABLE,
    ids=[f"{owner}>{victim}@{element}" for owner, victim, _, element, *_ in TABLE],
)
def test_superseding_rule_replaces_the_superseded_finding_and_skipping_it_lets_it_fire(
    owner: str, victim: str, source: str, element: str, kept: list[str], unleashed: list[str]
) -> None:
    model = _model(source)
    pair = [BUILTIN[owner], BUILTIN[victim]]
    where = next(d.where for d in BUILTIN[owner].meta.supersedes if d.rule == victim)
    subjects = {element}
    if where is SupersedesWhere.FLOWS_INTO:
        subjects.add(next(f.target for f in model.flows if f.id == element))
    if where is SupersedesWhere.FLOW_TARGET:
        subjects.update(f.id for f in model.flows if f.target == element)

    both = analyze(model, pair, today=TODAY)
    assert both.rule_errors == ()
    assert sorted(f.fingerprint for f in both.findings if f.elements[0] in subjects) == kept
    summary = both.summary_of(victim)
    assert summary is not None
    assert (element, f"superseded by {owner}") in summary.skipped
    assert element not in summary.fired

    alone = analyze(model, pair, today=TODAY, skip=[owner])
    assert alone.rules_run == (victim,)
    assert sorted(f.fingerprint for f in alone.findings if f.elements[0] == element) == unleashed


# --- the engine ------------------------------------------------------------------------------


def _meta(rule_id: str, target: Target = Target.COMPONENT, **extra: Any) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="{element} test finding",
        description="A rule for the tests.",
        target=target,
        likelihood=3,
        impact=3,
        mitigations=("Fix it.",),
        detection="Test detection.",
        cwe=(20,),
        stride=(Stride.TAMPERING,),
        **extra,
    )


def _fires_on(*ids: str) -> Any:
    def check(element: Component | Flow, model: Model) -> Verdict:
        return Fire(("stated",)) if element.id in ids else PASS

    return check


def _rule(
    rule_id: str,
    fires_on: tuple[str, ...],
    *supersedes: Supersedes,
    target: Target = Target.COMPONENT,
) -> Rule:
    return Rule(_meta(rule_id, target, supersedes=supersedes), _fires_on(*fires_on))


SHOP = load_text("""\
version: 1
system: {name: Shop}
components:
  api: {kind: service}
  db: {kind: datastore}
  cache: {kind: cache}
flows:
  - api -> db: {protocol: postgres}
  - api -> cache: {protocol: redis}
""")


def _fingerprints(assessment: Assessment) -> list[str]:
    return sorted(f.fingerprint for f in assessment.findings)


def test_only_a_finding_that_is_kept_supersedes() -> None:
    # a supersedes b, b supersedes c: a's finding on db drops b's there, so c's on db stays (a
    # does not supersede c); b's finding on api (a does not fire on api) drops c's there
    a = _rule("rule-a", ("db",), Supersedes("rule-b"))
    b = _rule("rule-b", ("db", "api"), Supersedes("rule-c"))
    c = _rule("rule-c", ("db", "api"))
    result = analyze(SHOP, [c, b, a], today=TODAY)
    assert _fingerprints(result) == ["rule-a@db", "rule-b@api", "rule-c@db"]
    assert [(s.rule, s.fired, s.skipped) for s in result.summaries] == [
        ("rule-c", ("db",), (("api", "superseded by rule-b"),)),
        ("rule-b", ("api",), (("db", "superseded by rule-a"),)),
        ("rule-a", ("db",), ()),
    ]


def test_flows_into_supersedes_the_findings_on_the_flows_into_the_component() -> None:
    broker = _rule("broker-open", ("cache",), Supersedes("flow-open", SupersedesWhere.FLOWS_INTO))
    flow = _rule("flow-open", ("api->cache", "api->db"), target=Target.FLOW)
    result = analyze(SHOP, [flow, broker], today=TODAY)
    assert _fingerprints(result) == ["broker-open@cache", "flow-open@api->db"]
    summary = result.summary_of("flow-open")
    assert summary is not None
    assert summary.skipped == (("api->cache", "superseded by broker-open"),)


def test_flow_target_supersedes_the_finding_on_the_component_a_flow_goes_into() -> None:
    # the owner fires on the flow api->db only: db's finding goes, cache's and api's stay
    crossing = _rule(
        "flow-open",
        ("api->db",),
        Supersedes("store-open", SupersedesWhere.FLOW_TARGET),
        target=Target.FLOW,
    )
    store = _rule("store-open", ("db", "cache", "api"))
    result = analyze(SHOP, [store, crossing], today=TODAY)
    assert _fingerprints(result) == ["flow-open@api->db", "store-open@api", "store-open@cache"]
    summary = result.summary_of("store-open")
    assert summary is not None
    assert (summary.fired, summary.skipped) == (
        ("api", "cache"),
        (("db", "superseded by flow-open"),),
    )
    assert _fingerprints(analyze(SHOP, [store, crossing], today=TODAY, skip=["flow-open"])) == [
        "store-open@api",
        "store-open@cache",
        "store-open@db",
    ]


def test_a_decision_left_on_a_component_names_the_flow_finding_that_replaced_it() -> None:
    crossing = _rule(
        "flow-open",
        ("api->db",),
        Supersedes("store-open", SupersedesWhere.FLOW_TARGET),
        target=Target.FLOW,
    )
    store = _rule("store-open", ("db",))
    model = load_text(
        "version: 1\n"
        "system: {name: Shop}\n"
        "components:\n"
        "  api: {kind: service}\n"
        "  db: {kind: datastore}\n"
        "flows:\n"
        "  - api -> db: {protocol: postgres}\n"
        "tracking:\n"
        "  store-open@db: {status: mitigated, justification: private subnet}\n"
    )
    result = analyze(model, [store, crossing], today=TODAY)
    assert result.warnings == (
        "tracking entry 'store-open@db' matches no finding: flow-open@api->db supersedes it "
        "(one weakness, one finding); move the decision to 'flow-open@api->db' or remove the "
        "entry",
    )


def test_an_unknown_of_the_superseded_rule_gives_way_to_the_finding() -> None:
    def asks(component: Component, model: Model) -> Verdict:
        return Unknown(("encryption.at_rest",))

    owner = _rule("owner-rule", ("db",), Supersedes("asking-rule"))
    asking = Rule(_meta("asking-rule"), asks)
    result = analyze(SHOP, [asking, owner], today=TODAY)
    # db's question is moot (the weakness is reported); api and cache still ask
    assert [(g.element, g.fact, g.rules) for g in result.gaps] == [
        ("api", "encryption.at_rest", ("asking-rule",)),
        ("cache", "encryption.at_rest", ("asking-rule",)),
    ]
    summary = result.summary_of("asking-rule")
    assert summary is not None
    assert (summary.unknown, summary.skipped) == (
        ("api", "cache"),
        (("db", "superseded by owner-rule"),),
    )


def test_declarations_that_form_a_cycle_are_rule_failures_and_drop_nothing() -> None:
    a = _rule("rule-a", ("db",), Supersedes("rule-b"))
    b = _rule("rule-b", ("db",), Supersedes("rule-a"))
    result = analyze(SHOP, [a, b], today=TODAY)
    assert _fingerprints(result) == ["rule-a@db", "rule-b@db"]
    assert [(e.rule, e.element, e.error) for e in result.rule_errors] == [
        (
            "rule-a",
            None,
            "supersedes rule-b, which supersedes it back (directly or through "
            "other rules): neither is applied; remove one of the declarations",
        ),
        (
            "rule-b",
            None,
            "supersedes rule-a, which supersedes it back (directly or through "
            "other rules): neither is applied; remove one of the declarations",
        ),
    ]


def test_a_declaration_about_a_rule_that_is_not_run_changes_nothing() -> None:
    a = _rule("rule-a", ("db",), Supersedes("no-such-rule"), Supersedes("rule-a"))
    result = analyze(SHOP, [a], today=TODAY)
    assert (_fingerprints(result), result.rule_errors) == (["rule-a@db"], ())


# --- rule packs and documentation -------------------------------------------------------------

PACK = """\
pack: org
rules:
  - id: org-card-store-unencrypted
    title: "{element} keeps card numbers unencrypted"
    description: Our own wording of the weakness, with the internal standard's mitigation.
    target: component
    when: {attribute: encryption.at_rest, equals: none}
    likelihood: 3
    impact: 5
    mitigations: ["Use the payments KMS key (standard SEC-12)."]
    cwe: [311]
    stride: [information-disclosure]
    supersedes: [store-unencrypted-at-rest]
"""
CARD_STORE = """\
version: 1
system: {name: Cards}
data:
  pan: {classification: restricted, categories: [pci.pan]}
components:
  card-db: {kind: datastore, stores: [pan], encryption: {at_rest: none}}
"""


def _pack(tmp_path: Path, text: str) -> list[Rule]:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return load_pack(path)


def test_a_pack_rule_supersedes_a_built_in_rule(tmp_path: Path) -> None:
    (org,) = _pack(tmp_path, PACK)
    assert org.meta.supersedes == (Supersedes("store-unencrypted-at-rest"),)
    model = load_text(CARD_STORE)
    chosen = [BUILTIN["store-unencrypted-at-rest"], org]
    assert _fingerprints(analyze(model, chosen, today=TODAY)) == [
        "org-card-store-unencrypted@card-db"
    ]
    assert _fingerprints(
        analyze(model, chosen, today=TODAY, skip=["org-card-store-unencrypted"])
    ) == ["store-unencrypted-at-rest@card-db"]


LOWERING_PACK = PACK.replace("likelihood: 3\n    impact: 5", "likelihood: 1\n    impact: 1")


def test_a_pack_in_the_change_cannot_lower_a_built_in_finding_by_superseding_it(
    tmp_path: Path,
) -> None:
    # The attack (found by the SECURITY.md review): the pull request adds a pack rule that
    # "supersedes" store-unencrypted-at-rest with likelihood 1 and impact 1, so the medium
    # finding the gate counts would become a low one it does not. Both findings stay.
    (tmp_path / "threatmodel.yaml").write_text(CARD_STORE, encoding="utf-8")
    (tmp_path / "org.yaml").write_text(LOWERING_PACK, encoding="utf-8")
    runner = CliRunner()
    args = ["-q", "analyze", str(tmp_path / "threatmodel.yaml"), "-f", "json"]
    args += ["--today", "2026-01-01", "--rules", str(tmp_path / "org.yaml")]
    args += ["--only", "store-unencrypted-at-rest", "--only", "org-card-store-unencrypted"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.stderr
    assert [(f["fingerprint"], f["severity"]) for f in json.loads(done.stdout)["findings"]] == [
        ("store-unencrypted-at-rest@card-db", "medium"),
        ("org-card-store-unencrypted@card-db", "low"),
    ]
    # at the same severity or above, the pack's own wording replaces the built-in finding
    (org,) = _pack(tmp_path, PACK)
    chosen = [BUILTIN["store-unencrypted-at-rest"], org]
    result = analyze(load_text(CARD_STORE), chosen, today=TODAY)
    assert _fingerprints(result) == ["org-card-store-unencrypted@card-db"]


def test_a_decision_left_on_a_superseded_finding_names_the_finding_that_replaced_it(
    tmp_path: Path,
) -> None:
    # The upgrade case: a team accepted the built-in finding, then adopts a pack rule that
    # supersedes it. The decision is not applied to the new finding silently; the entry is stale
    # (a warning, not a gate failure) and the warning names the exact key to move it to.
    (org,) = _pack(tmp_path, PACK)
    model = load_text(
        CARD_STORE
        + "tracking:\n"
        + "  store-unencrypted-at-rest@card-db:\n"
        + "    {status: accepted, justification: legacy store, expires: 2026-06-30}\n"
    )
    chosen = [BUILTIN["store-unencrypted-at-rest"], org]
    result = analyze(model, chosen, today=TODAY)
    assert [(f.fingerprint, f.status.value) for f in result.findings] == [
        ("org-card-store-unencrypted@card-db", "open")
    ]
    assert [s.fingerprint for s in result.stale] == ["store-unencrypted-at-rest@card-db"]
    assert result.warnings == (
        "tracking entry 'store-unencrypted-at-rest@card-db' matches no finding: "
        "org-card-store-unencrypted@card-db supersedes it (one weakness, one finding); move the "
        "decision to 'org-card-store-unencrypted@card-db' or remove the entry",
    )
    # without the pack rule the decision applies as before, and nothing is stale
    before = analyze(model, chosen, today=TODAY, skip=["org-card-store-unencrypted"])
    assert [(f.fingerprint, f.status.value) for f in before.findings] == [
        ("store-unencrypted-at-rest@card-db", "accepted")
    ]
    assert (before.stale, before.warnings) == ((), ())


def test_a_decision_left_on_a_flow_names_the_component_finding_that_replaced_it() -> None:
    broker = _rule("broker-open", ("cache",), Supersedes("flow-open", SupersedesWhere.FLOWS_INTO))
    flow = _rule("flow-open", ("api->cache",), target=Target.FLOW)
    model = load_text(
        "version: 1\n"
        "system: {name: Shop}\n"
        "components:\n"
        "  api: {kind: service}\n"
        "  cache: {kind: cache}\n"
        "flows:\n"
        "  - api -> cache: {protocol: redis}\n"
        "tracking:\n"
        "  flow-open@api->cache: {status: mitigated, justification: network policy}\n"
        "  gone-rule@api: {status: mitigated, justification: removed}\n"
    )
    result = analyze(model, [flow, broker], today=TODAY)
    assert _fingerprints(result) == ["broker-open@cache"]
    assert result.warnings == (
        "tracking entry 'flow-open@api->cache' matches no finding: broker-open@cache supersedes "
        "it (one weakness, one finding); move the decision to 'broker-open@cache' or remove the "
        "entry",
        "tracking entry 'gone-rule@api' matches no finding: the threat is gone or the element "
        "was renamed; remove or update the entry",
    )


def test_a_pack_rule_cannot_supersede_itself(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as raised:
        _pack(
            tmp_path,
            PACK.replace(
                "supersedes: [store-unencrypted-at-rest]",
                "supersedes: [org-card-store-unencrypted]",
            ),
        )
    assert str(raised.value).endswith(
        "rule 'org-card-store-unencrypted' cannot supersede itself"
    ), str(raised.value)


def test_rules_show_and_the_rule_page_list_what_a_rule_supersedes() -> None:
    rule = BUILTIN["pay-card-testing"]
    assert rule_to_dict(rule)["supersedes"] == [
        {"rule": "unauthenticated-exposed-service", "where": "same-element"},
        {"rule": "missing-rate-limit", "where": "same-element"},
        {"rule": "missing-authorization", "where": "same-element"},
    ]
    page = rule_markdown(rule)
    assert (
        "## Supersedes\n\n"
        "Where this rule fires, it replaces the finding of (one weakness, one finding):\n\n"
        "- [unauthenticated-exposed-service](../rules/unauthenticated-exposed-service.md) on the "
        "same element\n"
        "- [missing-rate-limit](../rules/missing-rate-limit.md) on the same element\n"
        "- [missing-authorization](../rules/missing-authorization.md) on the same element\n"
    ) in page
    assert "## Supersedes" not in rule_markdown(BUILTIN["missing-rate-limit"])


def test_rules_show_json_lists_supersedes() -> None:
    result = CliRunner().invoke(app, ["-q", "rules", "show", "store-unencrypted-at-rest"])
    assert result.exit_code == 0, result.stderr
    assert "## Supersedes" in result.stdout
    assert (
        "- [pci-pan-stored-readable](../rules/pci-pan-stored-readable.md) on the same element"
        in (result.stdout)
    )


# --- the attack: skipping the owner used to silence the weakness -----------------------------


def test_skipping_store_unencrypted_at_rest_no_longer_silences_a_card_number_store(
    tmp_path: Path,
) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(CARD_STORE, encoding="utf-8")
    runner = CliRunner()
    args = ["-q", "analyze", str(path), "-f", "json", "--today", "2026-01-01"]
    full = runner.invoke(app, args)
    skipped = runner.invoke(app, [*args, "--skip", "store-unencrypted-at-rest"])
    assert (full.exit_code, skipped.exit_code) == (0, 0), (full.stderr, skipped.stderr)
    card_db = [
        f["fingerprint"]
        for f in json.loads(full.stdout)["findings"]
        if f["elements"][0] == "card-db"
    ]
    assert "store-unencrypted-at-rest@card-db" in card_db
    assert "pci-pan-stored-readable@card-db" not in card_db
    card_db = [
        f["fingerprint"]
        for f in json.loads(skipped.stdout)["findings"]
        if f["elements"][0] == "card-db"
    ]
    assert "pci-pan-stored-readable@card-db" in card_db
    assert "store-unencrypted-at-rest@card-db" not in card_db


def _cli_findings(path: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(
        app, ["-q", "analyze", str(path), "-f", "json", "--today", "2026-01-01", *args]
    )
    assert result.exit_code == 0, result.stderr
    return sorted(f["fingerprint"] for f in json.loads(result.stdout)["findings"])


def test_skipping_the_unauthenticated_rules_no_longer_silences_missing_authorization(
    tmp_path: Path,
) -> None:
    # missing-authorization used to skip `authn: none` ("the unauthenticated-* rules cover
    # it"), so skipping those rules left a public service that lets anyone do anything to
    # restricted PII with no finding at all.
    path = tmp_path / "threatmodel.yaml"
    path.write_text("version: 1\n" + PUBLIC_ANONYMOUS, encoding="utf-8")
    assert _cli_findings(path) == [
        "unauthenticated-boundary-crossing@visitor->profile-api",
        "unauthenticated-exposed-service@profile-api",
    ]
    assert _cli_findings(path, "--skip", "unauthenticated-exposed-service") == [
        "unauthenticated-boundary-crossing@visitor->profile-api"
    ]
    assert _cli_findings(
        path,
        "--skip",
        "unauthenticated-exposed-service",
        "--skip",
        "unauthenticated-boundary-crossing",
    ) == ["missing-authorization@profile-api"]


def test_skipping_exposed_admin_interface_no_longer_silences_admin_routes(
    tmp_path: Path,
) -> None:
    # api-admin-routes-without-function-authz used to skip `admin: true` ("the admin rules
    # cover it"): with exposed-admin-interface skipped, a public admin console serving
    # /admin/users to every signed-in caller had no finding.
    path = tmp_path / "threatmodel.yaml"
    path.write_text("version: 1\n" + ADMIN_CONSOLE, encoding="utf-8")
    assert _cli_findings(path) == [
        "api-bola-coarse-authz@admin-console",
        "exposed-admin-interface@admin-console",
    ]
    assert _cli_findings(path, "--skip", "exposed-admin-interface") == [
        "api-admin-routes-without-function-authz@admin-console",
        "api-bola-coarse-authz@admin-console",
    ]


def test_missing_authorization_without_authentication_says_so_in_its_evidence() -> None:
    model = _model(PUBLIC_ANONYMOUS)
    rules = [BUILTIN["missing-authorization"]]
    (finding,) = analyze(model, rules, today=TODAY).findings
    assert finding.evidence == ("authz: none", "authn: none", "handles 'profile' (restricted)")


def test_no_built_in_skip_reason_names_another_rule_as_covering_the_element() -> None:
    # owner skips belong in supersedes declarations; a precondition skip says why the rule
    # does not apply, not which other rule reports the element
    import re

    sources = sorted((ROOT / "src/threatforge/rules/builtin").glob("*.py"))
    reasons = [
        (path.name, m.group(1))
        for path in sources
        for m in re.finditer(r'Skip\(\s*f?"([^"]*)"', path.read_text(encoding="utf-8"))
    ]
    assert len(reasons) > 100
    owners = [
        (name, r)
        for name, r in reasons
        if re.search(
            r"\bcover|\brules? (?:decide|judge|report)|\bleft to\b|[a-z]+-[a-z]+-[a-z]+", r
        )
    ]
    assert owners == []


# --- upgrade: what a full run reports differently (docs/rules/one-finding-per-weakness.md) ----


def test_a_public_acl_in_capitals_is_one_finding_not_two() -> None:
    # The pack's own `not: {attribute: properties.acl, in: [public-read, ...]}` compared case
    # by case, so `Public-Read` gave both findings; the declaration keys on aws-s3-public-acl's
    # finding, which reads the ACL as a lower-case word. aws-s3-public-access@upper disappears:
    # a listed upgrade change.
    model = load_text(
        "version: 1\n"
        + PUBLIC_BUCKET.replace("exports-bucket:", "upper:").replace("public-read", "Public-Read")
    )
    rules = [BUILTIN["aws-s3-public-acl"], BUILTIN["aws-s3-public-access"]]
    assert _fingerprints(analyze(model, rules, today=TODAY)) == ["aws-s3-public-acl@upper"]
    assert _fingerprints(analyze(model, rules, today=TODAY, skip=["aws-s3-public-acl"])) == [
        "aws-s3-public-access@upper"
    ]
