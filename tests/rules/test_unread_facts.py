"""A stated fact no rule reads on that kind still gets a warning or a finding, never silence
(issue 15 item 4): the readers come from the property catalogue's `read by` and the rules'
metadata, the weak values from weaknesses.yaml."""

from __future__ import annotations

from datetime import date

from threatforge.model import MemorySource, load_text
from threatforge.model.loader import load_source_with_diagnostics
from threatforge.model.vocabulary import weakness_catalogue
from threatforge.rules import analyze, builtin_rules
from threatforge.rules.unread_facts import readers_of, unread_facts

TODAY = date(2026, 1, 1)

WALLET = """\
system: {name: Wallet}
boundaries:
  laptop: {kind: device, trust: semi-trusted}
components:
  wallet-app:
    kind: client
    zone: laptop
    properties: {wallet_encrypted: false, secrets_in_env: true, access_path: usb}
  helper:
    kind: service
    zone: laptop
    properties: {phishing_resistant_mfa: false, sbom: false}
  vendor: {kind: external-service, properties: {console_mfa: false}}
"""


def test_an_unencrypted_wallet_file_on_a_desktop_client_is_a_finding_not_silence() -> None:
    model = load_text(WALLET, "wallet.yaml")
    assessment = analyze(model, today=TODAY, analyses=())
    stated = {f.fingerprint: (f.title, f.evidence) for f in assessment.findings
              if f.rule == "stated-weakness-unread"}
    assert stated == {
        # unknown to the catalogue (the loader warns of the key)
        "stated-weakness-unread@wallet-app": (
            "wallet-app states a missing protection that no rule judges there "
            "(wallet_encrypted: false)",
            ("properties.wallet_encrypted: false (not encrypted; unknown to the property "
             "catalogue)",),
        ),
        # known, but read on people only (staff-account-phishing)
        "stated-weakness-unread@helper": (
            "helper states a missing protection that no rule judges there "
            "(phishing_resistant_mfa: false)",
            ("properties.phishing_resistant_mfa: false (no MFA; no rule reads it here)",),
        ),
    }
    # console_mfa: false on the vendor is read there: its own rule fires, nothing generic
    assert "third-party-console-without-mfa@vendor" not in stated


def test_the_engine_warns_of_known_keys_no_rule_reads_there_with_did_you_mean() -> None:
    assessment = analyze(load_text(WALLET, "wallet.yaml"), today=TODAY, analyses=())
    assert [w for w in assessment.warnings if "no rule reads" in w] == [
        "component 'wallet-app': no rule reads `properties.secrets_in_env` on a client — did "
        "you mean 'secrets_in_code'?",
        "component 'helper': no rule reads `properties.phishing_resistant_mfa` on a service; "
        "it is kept for reviewers",
        "component 'helper': no rule reads `properties.sbom` on a service; it is kept for "
        "reviewers",
    ]
    # access_path is informational (kept for reviewers by design): no warning, no finding


def test_the_loader_warns_of_an_unknown_key_with_did_you_mean() -> None:
    result = load_source_with_diagnostics(
        MemorySource({"wallet.yaml": WALLET.encode()}), "wallet.yaml"
    )
    assert [d.message for d in result.diagnostics if "wallet_encrypted" in d.message] == [
        "component 'wallet-app': unknown property 'wallet_encrypted' — did you mean "
        "'etcd_encryption'? (no rule reads it; a misspelt key switches its rules off)"
    ]


def test_a_key_read_on_the_kind_or_technology_is_silent() -> None:
    model = load_text("""\
system: {name: Read}
components:
  table: {kind: datastore, tech: aws.dynamodb, properties: {deletion_protection: false}}
  db: {kind: datastore, tech: aws.rds.postgres, properties: {deletion_protection: false}}
  cdn: {kind: cdn, tech: aws.cloudfront, properties: {origin_verify_header: false}}
""", "read.yaml")
    facts = unread_facts(model, readers_of(builtin_rules()))
    # DynamoDB's deletion protection is read there; CloudFront's origin header is a key of its
    # technology (an API Gateway rule reads it on the distribution); RDS's is read by no rule
    assert [(f.component, f.key, f.warning) for f in facts] == [
        ("db", "deletion_protection",
         "component 'db': no rule reads `properties.deletion_protection` on a datastore "
         "(aws.rds.postgres); it is kept for reviewers"),
    ]
    assert facts[0].weakness is not None and facts[0].weakness.says == "not protected"


def test_with_only_some_rules_run_the_others_keys_count_as_read() -> None:
    # the readers are the rules given: a run of one rule does not warn of every other key
    one = [r for r in builtin_rules() if r.id == "stated-weakness-unread"]
    assert [f.key for f in unread_facts(load_text(WALLET, "wallet.yaml"), readers_of(one))] == [
        "wallet_encrypted",
    ]


def test_weak_values_are_data() -> None:
    stated = weakness_catalogue().stated
    assert stated("wallet_encrypted", False) is not None
    assert stated("authn", "None") is not None
    assert stated("wallet_encrypted", True) is None
    assert stated("sbom", False) is None
    assert [(w.keys[0], w.says) for w in weakness_catalogue().weaknesses] == [
        ("encrypted", "not encrypted"),
        ("authn", "no authentication"),
        ("authz", "no authorisation"),
        ("mfa", "no MFA"),
        ("tls", "no TLS"),
        ("signed", "not verified"),
        ("protected", "not protected"),
        ("logging", "not logged or monitored"),
    ]
