"""Payments / PCI DSS rules: edge cases the fire/pass fixtures do not pin down."""

from __future__ import annotations

from datetime import date

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import payments
from threatforge.rules.interface import Confidence, Outcome

RULES = {r.id: r for r in payments.RULES}
TODAY = date(2026, 1, 1)
DATA = (
    "  pan: {classification: restricted, categories: [pci.pan]}\n"
    "  cvv: {classification: restricted, categories: [pci.sad]}\n"
    "  order-data: {classification: confidential, categories: [financial]}\n"
)
ZONES = (
    "  internet: {kind: internet, trust: untrusted}\n"
    "  corporate: {kind: corporate, trust: semi-trusted}\n"
    "  app: {kind: subnet, trust: trusted}\n"
)


def _model_text(components: str, boundaries: str = "", flows: str = "", data: str = DATA,
                compliance: str = "[pci-dss]") -> str:
    return (
        f"version: 1\nsystem: {{name: t, compliance: {compliance}}}\n"
        f"data:\n{data}boundaries:\n{ZONES}{boundaries}components:\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )


def _run(rule_id: str, components: str, boundaries: str = "", flows: str = "",
         data: str = DATA, compliance: str = "[pci-dss]") -> Assessment:
    model = load_text(_model_text(components, boundaries, flows, data, compliance))
    assessment = analyze(model, [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def _fingerprints(assessment: Assessment) -> set[str]:
    return {f.fingerprint for f in assessment.findings}


def _outcome(assessment: Assessment, element: str) -> Outcome | None:
    (summary,) = assessment.summaries
    return summary.outcome_of(element)


def test_library_size_naming_and_references() -> None:
    assert len(payments.RULES) >= 16
    for item in payments.RULES:
        assert item.id.startswith(("pci-", "pay-")), item.id
        assert item.meta.domain == "payments", item.id
        assert item.check.__doc__, f"{item.id} has no docstring"
        assert all(c.startswith("pci-dss-4.0:") for c in item.meta.compliance), item.id
    assert len(RULES) == len(payments.RULES)


def test_restricted_zones_are_the_cde_when_no_zone_is_marked() -> None:
    model = load_text(_model_text(
        "  vault: {kind: datastore, zone: vault-subnet, stores: [pan]}\n"
        "  app-db: {kind: datastore, zone: app, stores: [order-data]}\n",
        boundaries="  vault-subnet: {kind: subnet, trust: restricted}\n",
    ))
    assert [payments.in_cde(model, c) for c in ("vault", "app-db")] == [True, False]


def test_an_explicit_marking_wins_over_trust_and_can_carve_out_a_nested_zone() -> None:
    model = load_text(_model_text(
        "  vault: {kind: datastore, zone: cde, stores: [pan]}\n"
        "  jump: {kind: service, zone: cde-mgmt}\n"
        "  data-db: {kind: datastore, zone: data, stores: [order-data]}\n",
        boundaries=(
            "  cde: {kind: subnet, trust: restricted, properties: {pci_scope: cde}}\n"
            "  cde-mgmt: {kind: subnet, trust: restricted, inside: cde,"
            " properties: {pci_scope: out-of-scope}}\n"
            "  data: {kind: subnet, trust: restricted}\n"
        ),
    ))
    assert [payments.in_cde(model, c) for c in ("vault", "jump", "data-db")] == [
        True, False, False,
    ]


def test_stored_readable_is_unknown_without_encryption_at_rest() -> None:
    assessment = _run("pci-pan-stored-readable",
                      "  vault: {kind: datastore, zone: app, stores: [pan]}\n")
    assert _outcome(assessment, "vault") is Outcome.UNKNOWN
    assert [(g.element, g.fact) for g in assessment.gaps] == [("vault", "encryption.at_rest")]


def test_stored_readable_names_the_key_custody_in_title_and_evidence() -> None:
    assessment = _run(
        "pci-pan-stored-readable",
        "  logs: {kind: monitoring, zone: app, stores: [pan], encryption: {at_rest: kms}}\n",
    )
    (finding,) = assessment.findings
    assert finding.fingerprint == "pci-pan-stored-readable@logs"
    assert finding.evidence == ("stores 'pan' (restricted)", "encryption.at_rest: kms")
    assert finding.data == ("pan",)
    assert finding.compliance == (
        "pci-dss-4.0:3.5.1", "pci-dss-4.0:3.5.1.2", "pci-dss-4.0:3.6.1",
    )


def test_sad_received_by_a_store_fires_with_medium_confidence() -> None:
    assessment = _run(
        "pci-sad-stored",
        "  fn: {kind: function, zone: app, processes: [pan, cvv]}\n"
        "  dlq: {kind: queue, tech: aws.sqs, zone: app}\n",
        flows="  - fn -> dlq: {protocol: aws-api, data: [cvv]}\n",
    )
    (finding,) = assessment.findings
    assert finding.fingerprint == "pci-sad-stored@dlq"
    assert finding.evidence == ("a queue receives 'cvv' (restricted) from fn",)
    assert finding.confidence is Confidence.MEDIUM
    assert finding.title == "dlq stores sensitive authentication data (cvv)"


def test_pan_between_services_without_any_token_fires_with_medium_confidence() -> None:
    assessment = _run(
        "pay-pan-not-tokenized",
        "  a: {kind: service, zone: app, processes: [pan]}\n"
        "  b: {kind: service, zone: app, processes: [pan]}\n",
        flows="  - a -> b: {protocol: https, data: [pan]}\n",
    )
    (finding,) = assessment.findings
    assert finding.fingerprint == "pay-pan-not-tokenized@a->b"
    assert finding.evidence == ("carries 'pan' (restricted) from 'a' to 'b'",
                                "the model has no payment token (pci.token) at all")
    assert finding.confidence is Confidence.MEDIUM


def test_pan_into_a_declared_tokenizer_passes() -> None:
    assessment = _run(
        "pay-pan-not-tokenized",
        "  a: {kind: service, zone: app, processes: [pan]}\n"
        "  tokenizer: {kind: service, zone: app, processes: [pan],"
        " properties: {tokenizes: true}}\n",
        flows="  - a -> tokenizer: {protocol: https, data: [pan]}\n",
    )
    assert _outcome(assessment, "a->tokenizer") is Outcome.PASSED


def test_cde_access_mfa_is_a_gap_when_unstated_and_passes_with_mfa_on_the_staff_flow() -> None:
    components = (
        "  agent: {kind: actor, zone: corporate}\n"
        "  console: {kind: service, zone: app}\n"
        "  vault: {kind: datastore, zone: cde, stores: [pan]}\n"
    )
    boundaries = "  cde: {kind: subnet, trust: restricted}\n"
    into_cde = "  - console -> vault: {protocol: postgres, tls: true, data: [pan]}\n"
    unknown = _run("pci-cde-access-without-mfa", components, boundaries,
                   "  - agent -> console: {protocol: https}\n" + into_cde)
    assert _outcome(unknown, "console") is Outcome.UNKNOWN
    assert [(g.element, g.fact) for g in unknown.gaps] == [("console", "mfa")]
    vpn_mfa = _run("pci-cde-access-without-mfa", components, boundaries,
                   "  - agent -> console: {protocol: https, properties: {mfa: true}}\n" + into_cde)
    assert _outcome(vpn_mfa, "console") is Outcome.PASSED


def test_segmentation_rule_skips_systems_out_of_pci_scope() -> None:
    assessment = _run(
        "pci-cde-segmentation-bypass",
        "  partner: {kind: external-service, zone: internet}\n"
        "  db-svc: {kind: service, zone: data}\n",
        boundaries="  data: {kind: subnet, trust: restricted}\n",
        flows="  - partner -> db-svc: {protocol: https, data: [order-data]}\n",
        data="  order-data: {classification: confidential, categories: [financial]}\n",
        compliance="[soc2]",
    )
    assert assessment.findings == ()
    # out of PCI scope no flow enters the CDE: the rule's scope (among: into-cde) is empty
    assert _outcome(assessment, "partner->db-svc") is None


def test_weak_tls_detail_and_evidence() -> None:
    assessment = _run(
        "pci-pan-weak-tls",
        "  shopper: {kind: actor, zone: internet}\n"
        "  lb: {kind: load-balancer, zone: app, properties: {min_tls_version: TLSv1.1}}\n",
        flows="  - shopper -> lb: {protocol: https, data: [pan]}\n",
    )
    (finding,) = assessment.findings
    assert finding.title == (
        "Card numbers on shopper->lb may be sent with TLS older than 1.2 (TLSv1.1)"
    )
    assert finding.evidence == ("carries 'pan' (restricted)",
                                "properties.min_tls_version: TLSv1.1 on 'lb'")


def test_cde_marked_false_everywhere_means_no_cde() -> None:
    assessment = _run(
        "pci-no-cde-defined",
        "  fn: {kind: function, zone: data, processes: [pan]}\n",
        boundaries="  data: {kind: subnet, trust: restricted, properties: {cde: false}}\n",
    )
    assert _fingerprints(assessment) == {"pci-no-cde-defined@pan"}


def test_scope_rule_names_every_account_data_asset_in_use() -> None:
    assessment = _run(
        "pci-scope-not-declared",
        "  fn: {kind: function, zone: app, processes: [pan, cvv]}\n",
        compliance="[gdpr]",
    )
    (finding,) = assessment.findings
    assert finding.fingerprint == "pci-scope-not-declared@cvv,pan"
    assert finding.evidence == ("handles 'cvv' (restricted), 'pan' (restricted)",
                                "system.compliance: [gdpr]")


def test_refund_endpoints_are_found_by_route_code_path_or_name() -> None:
    components = (
        "  orders-api: {kind: service, zone: app, routes: ['/v1/orders/{id}/refund'],"
        " properties: {dual_approval: false}}\n"
        "  payouts: {kind: service, zone: app, paths: ['services/refunds/**'],"
        " properties: {dual_approval: false}}\n"
        "  catalog: {kind: service, zone: app, routes: ['/v1/products'],"
        " paths: ['services/catalog/**'], properties: {dual_approval: false}}\n"
    )
    result = _run("pay-refund-without-dual-approval", components)
    assert _fingerprints(result) == {
        "pay-refund-without-dual-approval@orders-api",
        "pay-refund-without-dual-approval@payouts",
    }
    assert result.summaries[0].skipped == (("catalog", "not a refund endpoint"),)
