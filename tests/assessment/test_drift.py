"""The drift comparison itself (threatforge.assessment.drift): matching, each check's edges,
and the findings it hands the exporters. The command and the importers:
tests/cli/test_drift_command.py."""

from __future__ import annotations

from threatforge.assessment import Confidence, Severity
from threatforge.assessment.drift import MatchedBy, compare, drift_assessment, drift_findings
from threatforge.model import Location, load_text


def _declared(components: str, flows: str = "") -> str:
    return (
        "version: 1\nsystem: {name: declared}\n"
        "boundaries:\n  internet: {trust: untrusted, kind: internet}\n"
        f"components:\n{components}" + (f"flows:\n{flows}" if flows else "")
    )


def _code(components: str, flows: str = "") -> str:
    return (
        "version: 1\nsystem: {name: code}\n"
        "boundaries:\n  internet: {trust: untrusted, kind: internet}\n"
        f"components:\n{components}" + (f"flows:\n{flows}" if flows else "")
    )


def _compare(declared: str, code: str) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    report = compare(load_text(declared, "threatmodel.yaml"), load_text(code, "code.yaml"))
    return (
        [d.fingerprint for d in report.drift],
        [i.id for i in report.info],
        [(m.declared, m.code, m.by.value) for m in report.matches],
    )


def test_an_origin_without_an_address_matches_the_resource_at_that_file_and_line() -> None:
    declared = _declared(
        "  ledger: {kind: datastore, encryption: {at_rest: kms}, origin: 'stack.yaml:7'}\n"
    )
    code = _code(
        "  Table1: {kind: datastore, encryption: {at_rest: none},\n"
        "           origin: 'stack.yaml:7 (Resources.Table1)'}\n"
        "  Table2: {kind: datastore, encryption: {at_rest: none},\n"
        "           origin: 'stack.yaml:9 (Resources.Table2)'}\n"
    )
    drift, _, matches = _compare(declared, code)
    assert matches == [("ledger", "Table1", "origin")]
    assert drift == ["drift-encryption-at-rest@ledger", "drift-missing-component@Table2"]


def test_a_name_that_fits_two_resources_matches_neither_and_says_so() -> None:
    declared = _declared("  web: {kind: service}\n")
    code = _code("  Deployment/a/web: {kind: service}\n  Deployment/b/web: {kind: service}\n")
    report = compare(load_text(declared), load_text(code, "code.yaml"))
    assert report.matches == ()
    assert report.notes == ("web: its name fits several code resources; matched none",)
    assert report.unmatched_code == ("Deployment/a/web", "Deployment/b/web")


def test_ingress_within_the_declared_networks_and_ports_is_no_drift() -> None:
    declared = _declared(
        "  api:\n    kind: service\n"
        "    properties: {ingress_cidrs: [10.0.0.0/8], ingress_ports: ['8000-9000']}\n"
    )
    narrow = _code(
        "  api:\n    kind: service\n"
        "    properties: {ingress_cidrs: [10.1.0.0/16], ingress_ports: ['8000-8100', 8443]}\n"
    )
    assert _compare(declared, narrow)[0] == []
    wide = _code(
        "  api:\n    kind: service\n"
        "    properties: {ingress_cidrs: [10.1.0.0/16, 0.0.0.0/0], ingress_ports: [all]}\n"
    )
    report = compare(load_text(declared), load_text(wide, "code.yaml"))
    (item,) = report.drift
    assert item.fingerprint == "drift-ingress@api"
    assert item.title == (
        "api: the code admits wider ingress than declared (from 0.0.0.0/0; port all not declared)"
    )
    assert item.model_says == "ingress_cidrs: 10.0.0.0/8; ingress_ports: 8000-9000"
    assert item.code_says == "ingress_cidrs: 10.1.0.0/16, 0.0.0.0/0; ingress_ports: all"


def test_a_public_acl_behind_a_full_public_access_block_is_not_public() -> None:
    declared = _declared("  bucket: {kind: datastore, tech: aws.s3, exposure: private}\n")
    blocked = _code(
        "  bucket:\n    kind: datastore\n    tech: aws.s3\n"
        "    properties: {acl: public-read, block_public_access: true}\n"
    )
    assert _compare(declared, blocked)[0] == []
    open_ = _code(
        "  bucket:\n    kind: datastore\n    tech: aws.s3\n    properties: {acl: public-read}\n"
    )
    assert _compare(declared, open_)[0] == ["drift-exposure@bucket"]


def test_a_declared_flow_opened_by_its_target_covers_the_code_connection() -> None:
    declared = _declared(
        "  api: {kind: service}\n  db: {kind: datastore}\n",
        "  - db -> api: {protocol: postgres, initiated_by: target}\n",
    )
    code = _code(
        "  api: {kind: service}\n  db: {kind: datastore}\n",
        "  - api -> db: {protocol: postgres}\n",
    )
    drift, info, _ = _compare(declared, code)
    assert drift == []
    assert info == []


def test_application_encryption_and_unstated_facts_are_never_compared() -> None:
    declared = _declared(
        "  vault: {kind: datastore, encryption: {at_rest: application}}\n"
        "  cache: {kind: cache, encryption: {at_rest: kms}}\n"
    )
    code = _code(
        "  vault: {kind: datastore, encryption: {at_rest: none}}\n  cache: {kind: cache}\n"
    )
    assert _compare(declared, code)[:2] == ([], [])


def test_a_transport_alone_says_nothing_of_tls_but_a_stated_tls_false_does() -> None:
    declared = _declared(
        "  api: {kind: service}\n  db: {kind: datastore}\n",
        "  - api -> db: {protocol: postgres, tls: true}\n",
    )
    tcp = _code(
        "  api: {kind: service}\n  db: {kind: datastore}\n",
        "  - api -> db: {protocol: tcp, port: 5432}\n",
    )
    assert _compare(declared, tcp)[0] == []
    clear = _code(
        "  api: {kind: service}\n  db: {kind: datastore}\n",
        "  - api -> db: {protocol: tcp, port: 5432, tls: false}\n",
    )
    assert _compare(declared, clear)[0] == ["drift-encryption-in-transit@api->db"]


def test_the_code_actor_on_the_internet_stands_for_the_declared_ones() -> None:
    declared = _declared(
        "  shopper: {kind: actor, zone: internet}\n  partner: {kind: actor, zone: internet}\n"
        "  edge: {kind: gateway, exposure: public}\n",
        "  - partner -> edge: {protocol: https}\n",
    )
    code = _code(
        "  internet-clients: {kind: actor, zone: internet}\n  edge: {kind: gateway}\n",
        "  - internet-clients -> edge: {protocol: https}\n",
    )
    drift, info, matches = _compare(declared, code)
    assert matches == [
        ("edge", "edge", "id"),
        ("shopper", "internet-clients", "internet"),
        ("partner", "internet-clients", "internet"),
    ]
    assert drift == []
    assert info == []


def test_drift_items_are_findings_located_at_the_code() -> None:
    declared = _declared("  db: {kind: datastore, encryption: {at_rest: kms-cmk}}\n")
    code = _code("  db: {kind: datastore, encryption: {at_rest: provider}}\n")
    report = compare(load_text(declared), load_text(code, "code.yaml"))
    assert report.matches[0].by is MatchedBy.ID
    (finding,) = drift_findings(report)
    assert finding.fingerprint == "drift-encryption-at-rest@db"
    assert finding.rule == "drift-encryption-at-rest"
    assert finding.title == (
        "db: declared encrypted at rest, the code is weaker "
        "(kms-cmk declared, provider in the code)"
    )
    assert finding.elements == ("db",)
    assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
    assert finding.cwe == (311,)
    assert finding.location == Location("code.yaml", 6, 3)
    assert finding.evidence == (
        "model: encryption.at_rest: kms-cmk",
        "code: encryption.at_rest: provider",
    )
    assert finding.explanation == (
        "The model says encryption.at_rest: kms-cmk; the code (db at code.yaml:6) says "
        "encryption.at_rest: provider. Fix: encrypt db at code.yaml:6 (kms-cmk); or, if the code "
        "is right, change db at threatmodel.yaml:6 to 'encryption: {at_rest: provider}'."
    )
    assessment = drift_assessment(report, "2026-12-07")
    assert assessment.rules_run == ("drift-encryption-at-rest",)
    assert [f.fingerprint for f in assessment.open_findings] == ["drift-encryption-at-rest@db"]


def test_a_flow_from_the_internet_the_model_lacks_names_the_declared_actors() -> None:
    declared = _declared(
        "  shopper: {kind: actor, zone: internet}\n  partner: {kind: actor, zone: internet}\n"
        "  admin: {kind: service, exposure: public}\n",
    )
    code = _code(
        "  internet-clients: {kind: actor, zone: internet}\n  admin: {kind: service}\n",
        "  - internet-clients -> admin: {protocol: https, port: 443}\n",
    )
    report = compare(load_text(declared), load_text(code, "code.yaml"))
    (item,) = report.drift
    assert item.fingerprint == "drift-missing-flow@internet-clients->admin"
    assert item.model_says == "no flow from an actor on the internet (shopper, partner) to admin"
    assert item.code_says == "internet-clients -> admin (https 443)"
    assert item.fix == (
        "add '- shopper -> admin: {...}' to the model's flows (threatmodel.yaml) and review it; "
        "or remove the connection at code.yaml:9"
    )
