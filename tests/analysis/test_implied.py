"""Implied surfaces: elements a model rarely draws that its components imply (#15.3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from threatforge.analysis.implied import ImpliedElement, implied_elements
from threatforge.assessment import assessment_from_dict, assessment_to_dict
from threatforge.model import BoundaryKind, ComponentKind, load, load_text
from threatforge.model.vocabulary import technology_catalogue
from threatforge.rules import analyze

ROOT = Path(__file__).resolve().parents[2]

MODEL = """\
system: {name: Implied}
data:
  card: {classification: restricted, categories: [pci.pan]}
  orders: {classification: internal}
boundaries:
  internet: {trust: untrusted, kind: internet}
  office: {trust: semi-trusted, kind: corporate}
  cloud: {trust: trusted, kind: vpc}
components:
  clerk: {kind: actor, zone: office}
  shopper: {kind: actor, zone: internet}
  shop: {kind: service, zone: cloud, exposure: public}
  edge: {kind: cdn, tech: aws.cloudfront, zone: cloud}
  backend: {kind: service, zone: cloud, exposure: private}
  psp: {kind: external-service, zone: internet, exposure: public}
  mailer: {kind: external-service, zone: internet}
  build: {kind: ci-pipeline, tech: github-actions}
flows:
  - shopper -> shop: {protocol: https, data: [card]}
  - shop -> psp: {protocol: https, data: [card]}
  - shop -> mailer: {protocol: https, data: [orders]}
  - clerk -> backend: {protocol: https}
"""


def test_each_surface_is_implied_where_its_condition_holds_and_nowhere_else() -> None:
    found = implied_elements(load_text(MODEL, "implied.yaml"))
    assert [(i.id, i.implied_by, i.surface) for i in found] == [
        ("clerk~staff-devices", "clerk", "staff-devices"),  # a person in a corporate zone
        ("shop~public-domain", "shop", "public-domain"),  # exposure: public
        ("edge~public-domain", "edge", "public-domain"),  # CloudFront: internet-facing web server
        ("psp~merchant-dashboard", "psp", "merchant-dashboard"),  # receives card data
        ("build~pipeline-runners", "build", "pipeline-runners"),
    ]
    # not implied: the shopper (not in a corporate zone), the private backend, the mailer
    # (no payment data), the PSP's own domain (a third party's, not ours)
    assert found[3] == ImpliedElement(
        id="psp~merchant-dashboard",
        surface="merchant-dashboard",
        name="psp merchant dashboard",
        kind="third-party account",
        implied_by="psp",
        why="a payment provider is run from its merchant dashboard: whoever holds its admin "
        "accounts or API keys can refund, pay out and change where money goes",
        holds=("admin accounts", "API keys", "payout and refund settings"),
    )


def test_the_bundled_examples_imply_their_surfaces() -> None:
    ids = {
        name: [i.id for i in implied_elements(load(ROOT / "examples" / name / "threatmodel.yaml"))]
        for name in ("card-checkout", "partner-api", "k8s-platform")
    }
    assert ids == {
        "card-checkout": [
            "support-agent~staff-devices", "cloudfront~public-domain", "api-gateway~public-domain",
            "cognito~public-domain", "receipts-bucket~public-domain", "psp~merchant-dashboard",
        ],
        "partner-api": [
            "ops-engineer~staff-devices", "api-gateway~public-domain",
            "workforce-idp~public-domain",
        ],
        "k8s-platform": [
            "engineer~staff-devices", "ingress-nginx~public-domain",
            "kube-apiserver~public-domain", "keycloak~public-domain",
            "keycloak-admin-console~public-domain", "ci-pipeline~public-domain",
            "ci-pipeline~pipeline-runners",
        ],
    }


def test_the_assessment_lists_them_and_its_json_keeps_them() -> None:
    model = load_text(MODEL, "implied.yaml")
    assessment = analyze(model, [], today=date(2026, 1, 1), analyses=())
    assert assessment.implied == implied_elements(model)
    document = assessment_to_dict(assessment)
    assert document["implied_elements"][0] == {
        "id": "clerk~staff-devices",
        "surface": "staff-devices",
        "name": "clerk laptops and the corporate network",
        "kind": "corporate network and devices",
        "implied_by": "clerk",
        "why": "staff work from laptops on a corporate network: a compromised laptop or "
        "network acts with their access",
        "holds": ["staff laptops", "single sign-on sessions", "the office or VPN network"],
    }
    assert assessment_from_dict(document).implied == assessment.implied
    del document["implied_elements"]  # a file written before assessments listed them
    assert assessment_from_dict(document).implied == ()


def test_the_catalogue_names_only_known_kinds() -> None:
    kinds = {k.value for k in ComponentKind}
    zones = {k.value for k in BoundaryKind}
    for name, spec in technology_catalogue().surfaces.items():
        assert spec.when, name
        for condition in spec.when:
            assert set(condition.kinds) | set(condition.not_kinds) <= kinds, name
            assert set(condition.zone_kinds) <= zones, name
            assert condition.exposure in (None, "public", "partner", "internal", "private"), name
