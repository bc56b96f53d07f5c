"""Privacy / LINDDUN / GDPR rules: edge cases the fire/pass fixtures do not pin down."""

from __future__ import annotations

from datetime import date

import pytest

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import privacy
from threatforge.rules.interface import Linddun, Outcome

RULES = {r.id: r for r in privacy.RULES}
TODAY = date(2026, 1, 1)
DATA = (
    "  profile: {classification: confidential, categories: [pii], retention_days: 365}\n"
    "  contacts: {classification: confidential, categories: [pii]}\n"
    "  logs: {classification: internal, categories: [telemetry]}\n"
)
ZONES = (
    "  internet: {kind: internet, trust: untrusted}\n"
    "  eu: {kind: account, trust: trusted, region: eu-central-1}\n"
    "  us: {kind: account, trust: trusted, region: us-east-1}\n"
)


def _run(rule_id: str, components: str, flows: str = "", controls: str = "",
         compliance: str = "[gdpr]") -> Assessment:
    text = (
        f"version: 1\nsystem: {{name: t, compliance: {compliance}}}\n"
        f"data:\n{DATA}boundaries:\n{ZONES}components:\n{components}"
        + (f"flows:\n{flows}" if flows else "")
        + (f"controls:\n{controls}" if controls else "")
    )
    assessment = analyze(load_text(text), [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def _outcome(assessment: Assessment, element: str) -> Outcome | None:
    (summary,) = assessment.summaries
    return summary.outcome_of(element)


def test_library_size_naming_and_linddun_coverage() -> None:
    assert len(privacy.RULES) >= 13
    for item in privacy.RULES:
        assert item.id.startswith("privacy-"), item.id
        assert item.meta.domain == "privacy", item.id
        assert item.meta.linddun, f"{item.id} has no LINDDUN category"
        assert item.check.__doc__, f"{item.id} has no docstring"
        assert all(c.startswith("gdpr:art-") for c in item.meta.compliance), item.id
    covered = {c for item in privacy.RULES for c in item.meta.linddun}
    assert covered == set(Linddun)


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("eu-west-1", "eea"),
        ("europe-west3", "eea"),
        ("westeurope", "eea"),
        ("EU", "eea"),
        ("eu-west-2", "adequate"),
        ("eu-central-2", "adequate"),
        ("ap-northeast-1", "adequate"),
        ("us-east-1", "third-country"),
        ("asia-south1", "third-country"),
        ("eastus", "third-country"),
        ("datacentre-frankfurt", None),
    ],
)
def test_jurisdiction(region: str, expected: str | None) -> None:
    assert privacy.jurisdiction(region) == expected


def test_transfer_is_found_in_either_direction_and_named_in_the_title() -> None:
    assessment = _run(
        "privacy-cross-border-transfer",
        "  us-app: {kind: service, zone: us, processes: [profile]}\n"
        "  eu-db: {kind: datastore, zone: eu, stores: [profile]}\n",
        flows="  - us-app -> eu-db: {protocol: aws-api, data: [profile]}\n",
    )
    (finding,) = assessment.findings
    assert finding.fingerprint == "privacy-cross-border-transfer@us-app->eu-db"
    assert finding.title == (
        "Personal data on us-app->eu-db leaves the EEA without a transfer mechanism "
        "(us-east-1 -> eu-central-1)"
    )
    assert finding.evidence == ("carries 'profile' (confidential)",
                                "us-app in us-east-1 -> eu-db in eu-central-1",
                                "no properties.transfer_mechanism stated")


def test_transfer_mechanism_on_a_zone_and_the_sccs_alias_pass() -> None:
    components = (
        "  us-app: {kind: service, zone: us, processes: [profile]}\n"
        "  eu-db: {kind: datastore, zone: eu, stores: [profile]}\n"
    )
    alias = _run("privacy-cross-border-transfer", components,
                 "  - us-app -> eu-db: {protocol: aws-api, data: [profile],"
                 " properties: {sccs_in_place: true}}\n")
    assert _outcome(alias, "us-app->eu-db") is Outcome.PASSED
    refused = _run("privacy-cross-border-transfer", components,
                   "  - us-app -> eu-db: {protocol: aws-api, data: [profile],"
                   " properties: {transfer_mechanism: none}}\n")
    assert refused.findings[0].evidence[-1] == (
        "properties.transfer_mechanism: none on the flow"
    )


def test_transfer_without_a_known_region_is_skipped() -> None:
    assessment = _run(
        "privacy-cross-border-transfer",
        "  app: {kind: service, zone: eu, processes: [profile]}\n"
        "  vendor: {kind: external-service}\n",
        flows="  - app -> vendor: {protocol: https, data: [profile]}\n",
    )
    assert _outcome(assessment, "app->vendor") is Outcome.SKIPPED


def test_retention_is_a_gap_when_neither_store_nor_data_states_it() -> None:
    # no privacy regulation declared and no store in the EEA: only the missing period is a gap
    assessment = _run("privacy-store-without-retention",
                      "  crm-db: {kind: datastore, zone: us, stores: [contacts]}\n"
                      "  users-db: {kind: datastore, zone: us, stores: [profile]}\n",
                      compliance="[]")
    assert assessment.findings == ()
    assert assessment.applicable_threats == ()
    assert [(g.element, g.fact) for g in assessment.gaps] == [("crm-db", "retention_days")]
    assert _outcome(assessment, "users-db") is Outcome.PASSED


def test_under_gdpr_a_stated_period_is_still_asked_whether_it_is_enforced() -> None:
    assessment = _run("privacy-store-without-retention",
                      "  crm-db: {kind: datastore, zone: eu, stores: [contacts]}\n"
                      "  users-db: {kind: datastore, zone: eu, stores: [profile]}\n"
                      "  sessions: {kind: cache, zone: eu, stores: [profile]}\n")
    assert assessment.findings == ()
    threats = {t.fingerprint: t.why for t in assessment.applicable_threats}
    assert threats == {
        "privacy-store-without-retention@users-db": (
            "stores 'profile' (confidential)",
            "a retention period is stated ('profile' retention_days: 365)",
            "system.compliance: [gdpr]",
        ),
    }
    assert [(g.element, g.fact) for g in assessment.gaps] == [
        ("crm-db", "retention_days"),
        ("users-db", "properties.retention_enforced"),
    ]
    assert _outcome(assessment, "sessions") is Outcome.PASSED


def test_minimisation_skips_components_that_list_nothing() -> None:
    assessment = _run(
        "privacy-data-minimisation",
        "  app: {kind: service, zone: eu, processes: [profile]}\n"
        "  worker: {kind: function, zone: eu}\n",
        flows="  - app -> worker: {protocol: aws-invoke, data: [profile]}\n",
    )
    assert _outcome(assessment, "worker") is Outcome.SKIPPED


def test_data_subject_rights_need_an_implemented_control_not_a_planned_one() -> None:
    components = (
        "  customer: {kind: actor, zone: internet}\n"
        "  app: {kind: service, zone: eu, processes: [profile]}\n"
        "  db: {kind: datastore, zone: eu, stores: [profile]}\n"
    )
    flows = (
        "  - customer -> app: {protocol: https, data: [profile]}\n"
        "  - app -> db: {protocol: postgres, tls: true, data: [profile]}\n"
    )
    control = (
        "  privacy-portal: {{status: {status}, mitigates: [privacy-no-data-subject-rights]}}\n"
    )
    planned = _run("privacy-no-data-subject-rights", components, flows,
                   control.format(status="planned"))
    assert {f.fingerprint for f in planned.findings} == {"privacy-no-data-subject-rights@customer"}
    implemented = _run("privacy-no-data-subject-rights", components, flows,
                       control.format(status="implemented"))
    assert _outcome(implemented, "customer") is Outcome.PASSED


def test_data_subject_rights_skip_systems_without_a_privacy_regime_or_eea_storage() -> None:
    assessment = _run(
        "privacy-no-data-subject-rights",
        "  customer: {kind: actor, zone: internet}\n"
        "  db: {kind: datastore, zone: us, stores: [profile]}\n",
        flows="  - customer -> db: {protocol: https, data: [profile]}\n",
        compliance="[soc2]",
    )
    assert _outcome(assessment, "customer") is Outcome.SKIPPED


def test_dpa_alias_and_evidence() -> None:
    assessment = _run(
        "privacy-third-party-without-dpa",
        "  app: {kind: service, zone: eu, processes: [profile]}\n"
        "  vendor: {kind: external-service, zone: us, properties: {dpa_signed: false}}\n",
        flows="  - app -> vendor: {protocol: https, data: [profile]}\n",
    )
    (finding,) = assessment.findings
    assert finding.evidence == ("receives 'profile' (confidential)",
                                "properties.dpa_signed: false")
