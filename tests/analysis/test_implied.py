"""Implied surfaces: elements a model rarely draws that its components imply (#15.3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from threatforge.analysis.implied import ImpliedElement, implied_elements
from threatforge.assessment import assessment_from_dict, assessment_to_dict
from threatforge.model import BoundaryKind, ComponentKind, load, load_text
from threatforge.model.vocabulary import technology_catalogue
from threatforge.rules import analyze, builtin_rules

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
        "threats": [],  # no rule ran
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


def test_every_rule_a_surface_names_is_a_built_in_rule() -> None:
    ids = {r.id for r in builtin_rules()}
    named = {r for spec in technology_catalogue().surfaces.values() for r in spec.threats}
    assert named - ids == set()
    for spec in technology_catalogue().surfaces.values():
        assert set(spec.shared) <= set(spec.threats)
    assert {name: spec.threats for name, spec in technology_catalogue().surfaces.items()} == {
        "merchant-dashboard": (
            "third-party-console-without-mfa", "third-party-api-key-scope",
            "psp-payout-details-change",
        ),
        "public-domain": (
            "domain-registrar-account-takeover", "dns-dangling-record",
            "certificate-misissuance", "tls-certificate-expiry",
        ),
        "staff-devices": ("staff-account-phishing", "staff-laptop-malware"),
        "pipeline-runners": (
            "cicd-shared-runners", "cicd-untrusted-pr-code-with-secrets",
            "cicd-plaintext-secrets", "cicd-static-deploy-credentials",
            "cicd-overprivileged-deploy-role",
        ),
    }


def test_each_implied_element_carries_its_threats_linked_by_fingerprint() -> None:
    model = load_text(MODEL.replace(
        "  - shop -> psp: {protocol: https, data: [card]}",
        "  - shop -> psp: {protocol: https, authn: api-key, data: [card]}",
    ).replace(
        "build: {kind: ci-pipeline, tech: github-actions}",
        "build: {kind: ci-pipeline, tech: github-actions, "
        "properties: {runners_shared_across_trust_levels: true}}",
    ), "implied.yaml")
    assessment = analyze(model, today=date(2026, 1, 1), analyses=())
    assert {i.id: i.threats for i in assessment.implied} == {
        # asked by the implied rules (rules/builtin/implied.py), on the person
        "clerk~staff-devices": (
            "staff-account-phishing@clerk", "staff-laptop-malware@clerk",
        ),
        # linked: the domain rules ask on the public entry point; the registrar account and
        # the certificate issuance are asked once (on shop) and shared by every domain element
        "shop~public-domain": (
            "domain-registrar-account-takeover@shop", "dns-dangling-record@shop",
            "certificate-misissuance@shop", "tls-certificate-expiry@shop",
        ),
        "edge~public-domain": (
            "domain-registrar-account-takeover@shop", "certificate-misissuance@shop",
        ),
        # linked: the console's MFA on the provider and the key's scope on the flow to it
        "psp~merchant-dashboard": (
            "psp-payout-details-change@psp", "third-party-api-key-scope@shop->psp",
            "third-party-console-without-mfa@psp",
        ),
        # a finding (shared_runners: true) is linked as an applicable threat is
        "build~pipeline-runners": ("cicd-shared-runners@build",),
    }
    assert {f.fingerprint for f in assessment.findings if f.rule == "cicd-shared-runners"} == {
        "cicd-shared-runners@build"
    }
    psp = assessment.threat("psp-payout-details-change@psp")
    assert psp is not None and psp.why == ("implies 'psp~merchant-dashboard'",)
    clerk = assessment.threat("staff-laptop-malware@clerk")
    assert clerk is not None and clerk.why == (
        "implies 'clerk~staff-devices'", "they reach 'backend'",
    )
    document = assessment_to_dict(assessment)
    assert document["implied_elements"][0]["threats"] == [
        "staff-account-phishing@clerk", "staff-laptop-malware@clerk",
    ]
    assert assessment_from_dict(document).implied == assessment.implied


def test_the_reports_show_each_implied_element_with_its_threats() -> None:
    from threatforge.reports.content import build_content
    from threatforge.reports.markdown import render_markdown_report

    model = load_text(MODEL, "implied.yaml")
    assessment = analyze(model, today=date(2026, 1, 1), analyses=())
    content = build_content(model, assessment)
    assert [(v.element.id, [t.fingerprint for t in v.threats]) for v in content.implied][:1] == [
        ("clerk~staff-devices", ["staff-account-phishing@clerk", "staff-laptop-malware@clerk"])
    ]
    text = render_markdown_report(model, assessment)
    start = text.index("### Implied elements")
    assert text[start:].splitlines()[:8] == [
        "### Implied elements",
        "",
        "5 elements the model does not draw that its components imply, each with what can go "
        "wrong there.",
        "",
        "- clerk laptops and the corporate network (`clerk~staff-devices`, corporate network "
        "and devices)",
        "  - Why: staff work from laptops on a corporate network: a compromised laptop or "
        "network acts with their access",
        "  - **ELEVATED** Staff account phishing: whoever phishes clerk may act with their "
        "access (`staff-account-phishing@clerk`, applicable threat, open)",
        "  - **MEDIUM** Malware on a staff laptop of clerk may reach whatever they reach "
        "(`staff-laptop-malware@clerk`, applicable threat, open)",
    ]
