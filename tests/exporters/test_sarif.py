"""SARIF 2.1.0 export: schema-valid for every example, rules described, results located and
fingerprinted, decisions as suppressions, paths relative to the repository."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.exporters.sarif import render_sarif
from threatforge.model import load, load_text
from threatforge.model._yaml import parse_text
from threatforge.rules import analyze, builtin_rules
from threatforge.rules.declarative import parse_pack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
SCHEMA = json.loads(
    (ROOT / "tests" / "sdlc" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
TODAY = date(2026, 1, 1)
FLOW = "unauthenticated-boundary-crossing@customer->orders"
EXPOSED = "unauthenticated-exposed-service@orders"

MODEL = """\
system: {name: Orders}
boundaries:
  internet: {trust: untrusted}
  vpc: {trust: trusted}
components:
  customer: {kind: actor, zone: internet}
  orders: {kind: service, zone: vpc, authn: none, authz: rbac, rate_limit: true,
           input_validation: true, logging: {enabled: true, audit: true}}
flows:
  - customer -> orders: {protocol: https, authn: none}
"""


def validate(document: dict[str, Any]) -> None:
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft4Validator)


def sarif_of(text: str, today: date = TODAY, root: Path | None = None) -> dict[str, Any]:
    model = load_text(text)
    document: dict[str, Any] = json.loads(
        render_sarif(analyze(model, today=today), model, root=root)
    )
    return document


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_every_example_is_valid_sarif(path: Path) -> None:
    model = load(path)
    assessment = analyze(model, today=TODAY)
    document = json.loads(render_sarif(assessment, model))
    validate(document)
    run = document["runs"][0]
    team = ["team-threat"] if assessment.team_threats else []  # one rule for the team's threats
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [*assessment.rules_run, *team]
    assert [r["partialFingerprints"]["threatforgeFingerprint/v1"] for r in run["results"]] == [
        *(f.fingerprint for f in assessment.findings),
        *(t.fingerprint for t in assessment.applicable_threats),
        *(t.fingerprint for t in assessment.team_threats),
    ]
    relative = path.relative_to(ROOT).as_posix()
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    } == {relative}


def test_a_rule_descriptor() -> None:
    document = sarif_of(MODEL)
    validate(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(builtin_rules())
    descriptor = next(r for r in rules if r["id"] == "unauthenticated-boundary-crossing")
    assert descriptor["name"] == "UnauthenticatedBoundaryCrossing"
    assert descriptor["shortDescription"] == {
        "text": "Unauthenticated flow into a more trusted zone: …"
    }
    assert descriptor["fullDescription"]["text"].startswith("A flow enters a more trusted zone")
    assert descriptor["helpUri"] == (
        "https://cwe.mitre.org/data/definitions/306.html"
    )
    assert descriptor["help"]["markdown"].startswith("# unauthenticated-boundary-crossing\n")
    assert descriptor["properties"] == {
        "tags": [
            "security",
            "external/cwe/cwe-306",
            "stride/spoofing",
            "stride/elevation-of-privilege",
        ],
        "precision": "high",
        "security-severity": "8.0",
        "problem.severity": "error",
    }
    assert descriptor["defaultConfiguration"] == {"level": "error"}


def test_a_rule_that_did_not_fire_takes_its_base_severity() -> None:
    rules = sarif_of(MODEL)["runs"][0]["tool"]["driver"]["rules"]
    quiet = next(r for r in rules if r["id"] == "store-unencrypted-at-rest")
    assert quiet["properties"]["security-severity"] == "5.0"  # base 2 x 4: medium


def test_a_result(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    model = load(tmp_path / "models" / "threatmodel.yaml")
    document = json.loads(render_sarif(analyze(model, today=TODAY), model, root=tmp_path))
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [
        "unauthenticated-boundary-crossing",
        "unauthenticated-exposed-service",
        # the public entry point's applicable threats (notes, after the findings)
        "domain-registrar-account-takeover",
        "dns-dangling-record",
        "tls-certificate-expiry",
    ]
    assert [r["level"] for r in results[2:]] == ["note", "note", "note"]
    flow = results[0]
    assert flow["level"] == "error"
    assert flow["message"]["text"] == (
        "Unauthenticated flow into a more trusted zone: customer->orders. High: likelihood 5/5 "
        "(base 4; +1 'customer' is an entry point), impact 3/5 (base 3)."
    )
    assert flow["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "models/threatmodel.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 10, "startColumn": 5},
            },
            "logicalLocations": [
                {"name": "customer->orders", "fullyQualifiedName": "customer->orders"}
            ],
        }
    ]
    assert flow["partialFingerprints"] == {"threatforgeFingerprint/v1": FLOW}
    assert flow["properties"]["security-severity"] == "8.0"
    assert "suppressions" not in flow
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[flow["ruleIndex"]]["id"] == flow["ruleId"]


def test_paths_are_relative_to_the_git_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    model = load(tmp_path / "svc" / "threatmodel.yaml")
    document = json.loads(render_sarif(analyze(model, today=TODAY), model))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "svc/threatmodel.yaml", "uriBaseId": "%SRCROOT%"}


def test_decisions_become_suppressions() -> None:
    tracked = MODEL + (
        "tracking:\n"
        f'  "{FLOW}": {{status: accepted, justification: "public webhook", owner: alice, '
        "ticket: SEC-1, expires: 2026-06-30}\n"
        f'  "{EXPOSED}": {{status: false-positive, justification: "auth at the mesh"}}\n'
    )
    document = sarif_of(tracked)
    validate(document)
    results = {
        r["partialFingerprints"]["threatforgeFingerprint/v1"]: r
        for r in document["runs"][0]["results"]
    }
    assert results[FLOW]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "public webhook",
            "properties": {
                "decision": "accepted",
                "owner": "alice",
                "ticket": "SEC-1",
                "expires": "2026-06-30",
            },
        }
    ]
    assert results[EXPOSED]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "auth at the mesh",
            "properties": {"decision": "false-positive"},
        }
    ]
    expired = sarif_of(tracked, today=date(2026, 7, 1))
    by_fp = {
        r["partialFingerprints"]["threatforgeFingerprint/v1"]: r
        for r in expired["runs"][0]["results"]
    }
    assert "suppressions" not in by_fp[FLOW]
    assert by_fp[FLOW]["properties"]["status"] == "open"


def test_pack_rules_are_described_from_their_findings() -> None:
    pack = parse_pack(
        parse_text(
            "pack: org\nrules:\n  - id: org-no-owner\n    title: '{element} has no owner'\n"
            "    description: Nobody answers for it. Assign an owner.\n    target: component\n"
            "    when: {attribute: owner, missing: true}\n    likelihood: 2\n    impact: 2\n"
            "    cwe: [1059]\n    stride: [repudiation]\n    mitigations: [Set owner.]\n"
            "    references: ['https://wiki.example.com/owners']\n",
            "org.yaml",
        )
    )
    model = load_text(MODEL)
    document = json.loads(
        render_sarif(analyze(model, [*builtin_rules(), *pack], today=TODAY), model)
    )
    validate(document)
    descriptor = document["runs"][0]["tool"]["driver"]["rules"][-1]
    assert descriptor == {
        "id": "org-no-owner",
        "name": "OrgNoOwner",
        "shortDescription": {"text": "Nobody answers for it."},
        "fullDescription": {"text": "Nobody answers for it. Assign an owner."},
        "helpUri": "https://wiki.example.com/owners",
        "properties": {
            "tags": ["security", "external/cwe/cwe-1059", "stride/repudiation"],
            "security-severity": "5.0",
            "problem.severity": "warning",
        },
        "defaultConfiguration": {"level": "warning"},
    }


def _pack_descriptor(references: str, *, with_rules: bool) -> dict[str, Any]:
    pack = parse_pack(
        parse_text(
            "pack: org\nrules:\n  - id: org-no-owner\n    title: '{element} has no owner'\n"
            "    description: Nobody answers for it.\n    target: component\n"
            "    when: {attribute: owner, missing: true}\n    likelihood: 2\n    impact: 2\n"
            "    cwe: [1059]\n    stride: [repudiation]\n    mitigations: [Set owner.]\n"
            f"    references: {references}\n",
            "org.yaml",
        )
    )
    model = load_text(MODEL)
    assessment = analyze(model, [*builtin_rules(), *pack], today=TODAY)
    document = json.loads(render_sarif(assessment, model, rules=pack if with_rules else ()))
    validate(document)
    descriptor: dict[str, Any] = document["runs"][0]["tool"]["driver"]["rules"][-1]
    assert descriptor["id"] == "org-no-owner"
    return descriptor


@pytest.mark.parametrize("with_rules", [True, False])
def test_a_packs_help_uri_is_its_first_https_reference(with_rules: bool) -> None:
    # the attack: a pack from the change under review points the SARIF help link anywhere
    descriptor = _pack_descriptor(
        "['javascript:alert(1)', 'http://plain.example/x', 'https://user@evil.example/',"
        " 'https://evil.example/\u202egnp.exe', 'https://wiki.example.com/owners']",
        with_rules=with_rules,
    )
    assert descriptor["helpUri"] == "https://wiki.example.com/owners"


def test_a_pack_without_an_https_reference_links_to_its_cwe() -> None:
    descriptor = _pack_descriptor("['javascript:alert(1)', 'http://x.example/']", with_rules=True)
    assert descriptor["helpUri"] == "https://cwe.mitre.org/data/definitions/1059.html"


def test_built_in_rules_link_to_the_published_pages_when_told_where() -> None:
    model = load_text(MODEL)
    document = json.loads(
        render_sarif(
            analyze(model, today=TODAY), model, docs_url="https://docs.example.com/r/{rule}.html"
        )
    )
    by_id = {r["id"]: r for r in document["runs"][0]["tool"]["driver"]["rules"]}
    assert by_id["unauthenticated-boundary-crossing"]["helpUri"] == (
        "https://docs.example.com/r/unauthenticated-boundary-crossing.html"
    )
    assert all("readthedocs" not in json.dumps(r) for r in by_id.values())


def test_output_is_deterministic() -> None:
    model = load_text(MODEL)
    assessment = analyze(model, today=TODAY)
    assert render_sarif(assessment, model) == render_sarif(assessment, model)


def test_analyze_format_sarif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["analyze", "threatmodel.yaml", "--format", "sarif", "-o", "out.sarif"]
    )
    assert result.exit_code == 0
    document = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    validate(document)
    assert document["runs"][0]["automationDetails"] == {"id": "threatforge/orders/"}
