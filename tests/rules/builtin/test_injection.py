"""Injection rules: naming, documentation, and edge cases the fire/pass fixtures do not pin down."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from property_docs import documented_keys, property_keys

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import injection
from threatforge.rules.interface import Confidence

ROOT = Path(__file__).resolve().parents[3]
RULES = {r.id: r for r in injection.RULES}
TODAY = date(2026, 1, 1)


def _run(rule_id: str, components: str, flows: str = "", data: str = "") -> Assessment:
    text = (
        "version: 1\nsystem: {name: t}\n"
        + (f"data:\n{data}" if data else "")
        + "boundaries:\n  internet: {kind: internet, trust: untrusted}\n"
        + "  cloud: {kind: vpc, trust: trusted}\n"
        + f"components:\n  user: {{kind: actor, zone: internet}}\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )
    assessment = analyze(load_text(text), [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def test_rule_ids_domain_and_metadata() -> None:
    assert sorted(RULES) == [
        "csrf-missing-protection",
        "hardcoded-secrets",
        "http-request-smuggling",
        "injection-insecure-deserialization",
        "injection-ldap",
        "injection-nosql",
        "injection-os-command",
        "injection-server-side-template",
        "injection-sql",
        "injection-xss",
        "injection-xxe",
        "open-redirect",
        "path-traversal-user-file-paths",
        "session-cookie-insecure-flags",
        "session-excessive-lifetime",
        "session-not-rotated-on-login",
        "ssrf-cloud-metadata-reachable",
        "unrestricted-file-upload",
    ]
    for item in injection.RULES:
        meta = item.meta
        assert meta.domain == "generic", item.id
        assert meta.cwe and meta.mitigations and meta.references, item.id
        assert meta.detection and meta.false_positives, item.id
        assert meta.likelihood in range(1, 6) and meta.impact in range(1, 6), item.id
        assert item.check.__doc__, item.id


def test_every_property_key_read_is_documented_and_every_documented_key_is_read() -> None:
    assert property_keys(injection.__file__) == documented_keys("injection-properties.md")


def test_flow_fact_overrides_the_source_component() -> None:
    # the service concatenates SQL in general, but this connection binds its parameters
    result = _run(
        "injection-sql",
        "  api: {kind: service, zone: cloud, properties: {query_builder: raw}}\n"
        "  db: {kind: datastore, tech: aws.aurora.mysql, zone: cloud}\n",
        "  - api -> db: {protocol: mysql, properties: {query_builder: parameterized}}\n",
    )
    assert result.findings == ()


def test_sql_injection_puts_the_stored_data_at_stake() -> None:
    result = _run(
        "injection-sql",
        "  api: {kind: service, zone: cloud, exposure: public, properties: {query_builder: raw}}\n"
        "  db: {kind: datastore, tech: aws.rds.postgres, zone: cloud, stores: [cards, orders]}\n",
        "  - user -> api: {protocol: https}\n  - api -> db: {protocol: postgres, data: [orders]}\n",
        "  cards: {classification: restricted, categories: [pci.pan]}\n"
        "  orders: {classification: confidential}\n",
    )
    (finding,) = result.findings
    assert finding.fingerprint == "injection-sql@api->db"
    assert finding.data == ("cards", "orders")
    assert finding.evidence == ("'api' properties.query_builder: raw",
                                "'db' is an SQL database (aws.rds.postgres)")


def test_xxe_confidence_depends_on_what_the_model_states() -> None:
    result = _run(
        "injection-xxe",
        "  stated: {kind: service, zone: cloud, exposure: public,"
        " properties: {parses_xml: true, xml_external_entities: true}}\n"
        "  silent: {kind: service, zone: cloud, exposure: public,"
        " properties: {parses_xml: true}}\n",
        "  - user -> stated: {protocol: https}\n  - user -> silent: {protocol: https}\n",
    )
    confidence = {f.fingerprint: f.confidence for f in result.findings}
    assert confidence == {"injection-xxe@stated": Confidence.HIGH,
                          "injection-xxe@silent": Confidence.LOW}


def test_deserialization_names_the_formats_and_rates_confidence_by_reach() -> None:
    result = _run(
        "injection-insecure-deserialization",
        "  edge: {kind: service, zone: cloud, exposure: public,"
        " properties: {deserializes: [json, BinaryFormatter]}}\n"
        "  worker: {kind: function, zone: cloud, exposure: private,"
        " properties: {deserializes: yaml-unsafe}}\n",
        "  - user -> edge: {protocol: https}\n",
    )
    found = {f.fingerprint: (f.title, f.confidence) for f in result.findings}
    assert found == {
        "injection-insecure-deserialization@edge":
            ("Insecure deserialization: edge deserializes binaryformatter", Confidence.HIGH),
        "injection-insecure-deserialization@worker":
            ("Insecure deserialization: worker deserializes yaml-unsafe", Confidence.MEDIUM),
    }


def test_desync_mitigation_written_as_unquoted_off_is_understood() -> None:
    result = _run(
        "http-request-smuggling",
        "  alb: {kind: load-balancer, zone: cloud, properties: {http_desync_mitigation: off}}\n"
        "  app: {kind: service, zone: cloud}\n",
        "  - alb -> app: {protocol: http}\n",
    )
    assert [f.evidence for f in result.findings] == [
        ("properties.http_desync_mitigation: false", "forwards HTTP to app")
    ]


def test_csrf_is_skipped_without_cookie_sessions() -> None:
    result = _run(
        "csrf-missing-protection",
        "  api: {kind: service, zone: cloud, authn: jwt, properties: {csrf_protection: false}}\n",
    )
    (summary,) = result.summaries
    assert summary.skipped == (("api", "does not authenticate with a session cookie"),)
