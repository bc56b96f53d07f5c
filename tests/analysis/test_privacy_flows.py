"""Privacy flows: transfers, third parties, minimisation and retention, as exact data."""

from __future__ import annotations

from analysis_models import card_checkout, model_of

from threatforge.analysis import (
    Minimisation,
    RetentionGap,
    ThirdPartyFlow,
    Transfer,
    privacy_flows,
)
from threatforge.analysis.privacy_flows import jurisdiction_of

MODEL = """\
system: {name: Clinic}
data:
  patient: {classification: confidential, categories: [pii]}
  diagnosis: {classification: restricted, categories: [pii.special, health], retention_days: 3650}
  stats: {classification: internal}
boundaries:
  internet: {trust: untrusted}
  eu: {trust: trusted, region: eu-west-1}
  eu-app: {trust: trusted, inside: eu}
  london: {trust: trusted, region: eu-west-2}
  us: {trust: trusted, region: us-east-1}
  vendor: {kind: third-party, trust: semi-trusted, region: ap-south-1,
           properties: {jurisdiction: IN}}
  nowhere: {trust: trusted}
components:
  patient-app: {kind: client, zone: internet}
  api: {kind: service, zone: eu-app, processes: [patient, diagnosis]}
  records: {kind: datastore, zone: eu, stores: [patient, diagnosis]}
  replica: {kind: datastore, zone: london, stores: [patient], retention_days: 30}
  analytics: {kind: service, zone: us, processes: [patient]}
  cache: {kind: cache, zone: nowhere, stores: [patient]}
  transcriber: {kind: external-service, zone: vendor}
flows:
  - patient-app -> api: {protocol: https, data: [patient, diagnosis]}
  - api -> records: {protocol: postgres, data: [patient, diagnosis]}
  - records -> replica: {protocol: postgres, data: [patient]}
  - api -> analytics: {protocol: https, data: [patient, stats]}
  - api -> cache: {protocol: rediss, data: [patient]}
  - api -> transcriber: {protocol: https, data: [diagnosis]}
"""


def test_privacy_view() -> None:
    report = privacy_flows(model_of(MODEL))
    assert report.personal_data == ("diagnosis", "patient")
    assert report.transfers == (
        Transfer("api->analytics", "api", "analytics", ("patient",), "eu-west-1", "us-east-1",
                 "EU", "US"),
        Transfer("api->transcriber", "api", "transcriber", ("diagnosis",), "eu-west-1",
                 "ap-south-1", "EU", "IN"),
        Transfer("records->replica", "records", "replica", ("patient",), "eu-west-1",
                 "eu-west-2", "EU", "UK"),
    )
    assert [t.cross_jurisdiction for t in report.transfers] == [True, True, True]
    assert report.unplaced == ("api->cache",)
    assert report.third_parties == (
        ThirdPartyFlow("api->transcriber", "api", "transcriber", ("diagnosis",), special=True,
                       region="ap-south-1", jurisdiction="IN"),
    )
    assert report.minimisation == (
        Minimisation("api->analytics", "analytics", ("patient",), ("patient",)),
        Minimisation("api->transcriber", "transcriber", ("diagnosis",), ()),
    )
    assert report.retention_gaps == (
        RetentionGap("cache", ("patient",)),
        RetentionGap("records", ("patient",)),
    )


def test_jurisdictions_from_regions() -> None:
    model = model_of(MODEL)
    assert [jurisdiction_of(model, c) for c in ("api", "replica", "analytics", "cache")] == [
        "EU", "UK", "US", None
    ]
    assert Transfer("f", "a", "b", (), "x-1", "y-1", None, "EU").cross_jurisdiction is None


def test_card_checkout_sends_profiles_to_the_us_fraud_vendor() -> None:
    report = privacy_flows(card_checkout())
    assert report.personal_data == ("customer-profile", "fraud-signals", "receipts")
    assert [(t.flow, t.data, t.source_jurisdiction, t.target_jurisdiction)
            for t in report.transfers] == [
        ("checkout-fn->fraud-scoring", ("customer-profile", "fraud-signals"), "EU", "US")
    ]
    assert [t.flow for t in report.third_parties] == ["checkout-fn->fraud-scoring"]
    assert report.retention_gaps == ()
