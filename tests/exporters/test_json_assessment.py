"""The JSON assessment: exact content, determinism, and validity against its published schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from threatforge.exporters.assessment_schema import assessment_json_schema
from threatforge.exporters.json_assessment import (
    ASSESSMENT_SCHEMA_VERSION,
    assessment_to_dict,
    render_json,
)
from threatforge.model import Component, Model, load, load_text
from threatforge.rules import (
    PASS,
    Confidence,
    Fire,
    RuleMeta,
    Stride,
    Target,
    Unknown,
    Verdict,
    analyze,
    rule,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)
VALIDATOR = jsonschema.Draft202012Validator(
    assessment_json_schema(), format_checker=jsonschema.FormatChecker()
)


@rule(
    RuleMeta(
        id="test-no-throttle",
        title="{element} is not throttled",
        description="Callers can send unlimited requests.",
        target=Target.COMPONENT,
        likelihood=3,
        impact=3,
        mitigations=("Throttle per client.",),
        detection="rate_limit: false.",
        cwe=(770,),
        capec=(125,),
        stride=(Stride.DENIAL_OF_SERVICE,),
        asvs=("V11.1.4",),
        api_top10=("API4:2023",),
        attack=("T1499",),
        references=("https://cwe.mitre.org/data/definitions/770.html",),
        compliance=("pci-dss-4.0:6.4.1",),
        confidence=Confidence.HIGH,
        domain="test",
    )
)
def no_throttle(component: Component, model: Model) -> Verdict:
    """Fires on rate_limit: false, unknown when not stated."""
    if component.rate_limit is None:
        return Unknown(("rate_limit",))
    return PASS if component.rate_limit else Fire(("rate_limit: false",))


MODEL = """\
system: {name: Shop, criticality: high}
data:
  card: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
  cloud: {trust: trusted}
components:
  user: {kind: actor, zone: internet, rate_limit: true}
  api: {kind: service, zone: cloud, exposure: public, rate_limit: false}
  vault: {kind: datastore, zone: cloud, stores: [card]}
  worker: {kind: service, zone: cloud, rate_limit: false}
flows:
  - user -> api: {protocol: https, data: [card]}
tracking:
  "test-no-throttle@api":
    {status: accepted, justification: "CloudFront throttles", owner: alice, expires: 2026-03-31}
  "gone@api": {status: mitigated}
"""


def assess() -> tuple[Any, Model]:
    model = load_text(MODEL)
    return analyze(model, [no_throttle], today=TODAY), model


EXPECTED = {
    "threatforge_assessment": 1,
    "system": "Shop",
    "as_of": "2026-01-01",
    "files": ["threatmodel.yaml"],
    "summary": {
        "findings": 2,
        "open": 1,
        "open_by_severity": {"critical": 0, "high": 0, "elevated": 0, "medium": 1, "low": 0},
        "applicable_threats": 0,
        "open_applicable_threats": 0,
        "rules_run": 1,
        "model_gaps": 1,
        "rule_errors": 0,
        "elements": 8,
    },
    "findings": [
        {
            "rule": "test-no-throttle",
            "title": "api is not throttled",
            "fingerprint": "test-no-throttle@api",
            "elements": ["api"],
            "severity": "high",
            "likelihood": 4,
            "impact": 4,
            "confidence": "high",
            "explanation": "High: likelihood 4/5 (base 3; +1 'api' is an entry point), impact 4/5 "
            "(base 3; +1 restricted data 'card').",
            "likelihood_factors": ["base 3", "+1 'api' is an entry point"],
            "impact_factors": ["base 3", "+1 restricted data 'card'"],
            "status": "accepted",
            "decision": {
                "status": "accepted",
                "justification": "CloudFront throttles",
                "owner": "alice",
                "ticket": None,
                "expires": "2026-03-31",
                "expired": False,
                "control": None,
                "evidence": None,
            },
            "description": "Callers can send unlimited requests.",
            "evidence": ["rate_limit: false"],
            "mitigations": ["Throttle per client."],
            "stride": ["denial-of-service"],
            "linddun": [],
            "cwe": [770],
            "capec": [125],
            "owasp": {"asvs": ["V11.1.4"], "api_top10": ["API4:2023"]},
            "attack": ["T1499"],
            "references": ["https://cwe.mitre.org/data/definitions/770.html"],
            "data": ["card"],
            "domain": "test",
            "compliance": ["pci-dss-4.0:6.4.1"],
            "location": {"file": "threatmodel.yaml", "line": 9, "column": 3},
        },
        {
            "rule": "test-no-throttle",
            "title": "worker is not throttled",
            "fingerprint": "test-no-throttle@worker",
            "elements": ["worker"],
            "severity": "medium",
            "likelihood": 2,
            "impact": 3,
            "confidence": "high",
            "explanation": "Medium: likelihood 2/5 (base 3; -1 'worker' is not reachable from any "
            "untrusted zone), impact 3/5 (base 3).",
            "likelihood_factors": [
                "base 3",
                "-1 'worker' is not reachable from any untrusted zone",
            ],
            "impact_factors": ["base 3"],
            "status": "open",
            "decision": None,
            "description": "Callers can send unlimited requests.",
            "evidence": ["rate_limit: false"],
            "mitigations": ["Throttle per client."],
            "stride": ["denial-of-service"],
            "linddun": [],
            "cwe": [770],
            "capec": [125],
            "owasp": {"asvs": ["V11.1.4"], "api_top10": ["API4:2023"]},
            "attack": ["T1499"],
            "references": ["https://cwe.mitre.org/data/definitions/770.html"],
            "data": [],
            "domain": "test",
            "compliance": ["pci-dss-4.0:6.4.1"],
            "location": {"file": "threatmodel.yaml", "line": 11, "column": 3},
        },
    ],
    "applicable_threats": [],
    "ruled_out": [],
    "implied_elements": [
        {
            "id": "api~public-domain",
            "surface": "public-domain",
            "name": "api domain, DNS records and TLS certificate",
            "kind": "DNS and TLS",
            "implied_by": "api",
            "why": "a public entry point is reached through a domain, DNS records and a "
            "certificate: whoever takes over one of them can impersonate it",
            "holds": ["registrar account", "DNS zone", "certificate and its private key"],
            "threats": [],  # the one rule run is none of the surface's
        }
    ],
    "model_gaps": [
        {
            "element": "vault",
            "element_kind": "datastore",
            "fact": "rate_limit",
            "rules": ["test-no-throttle"],
            "message": "state `rate_limit` on datastore `vault` to let 1 rule decide",
        }
    ],
    "rule_errors": [],
    "stale_tracking": [
        {"fingerprint": "gone@api", "status": "mitigated", "location": "threatmodel.yaml:17:3"}
    ],
    "warnings": [
        "tracking entry 'gone@api' matches no finding: the threat is gone or the element was "
        "renamed; remove or update the entry"
    ],
    "rules_run": ["test-no-throttle"],
    "rules": [
        {
            "rule": "test-no-throttle",
            "fired": 2,
            "passed": 1,
            "unknown": 1,
            "skipped": 0,
            "outcomes": {
                "fired": ["api", "worker"],
                "passed": ["user"],
                "unknown": ["vault"],
                "skipped": [],
            },
        }
    ],
    "analyses": {
        "attack_paths": {
            "status": "computed",
            "reason": "",
            "k": 1,
            "max_depth": 8,
            "budget": 50000,
            "max_paths": 12,
            "pairs": 0,
            "capped": False,
            "expanded": 4,  # the insider starts are searched too (#15.3)
            "paths": [],
        },
        "pci_scope": {
            "status": "computed",
            "reason": "",
            "scope": {
                "account_data": ["card"],
                "components": [
                    {
                        "component": "api",
                        "zone": "cloud",
                        "category": "cde",
                        "in_scope": True,
                        "reasons": ["transmits card on user->api"],
                        "pci_data": ["card"],
                    },
                    {
                        "component": "vault",
                        "zone": "cloud",
                        "category": "cde",
                        "in_scope": True,
                        "reasons": ["stores card"],
                        "pci_data": ["card"],
                    },
                    {
                        "component": "user",
                        "zone": "internet",
                        "category": "out-of-scope",
                        "in_scope": False,
                        "reasons": [
                            "cardholder or member of the public, not a system of the entity"
                        ],
                        "pci_data": ["card"],
                    },
                    {
                        "component": "worker",
                        "zone": "cloud",
                        "category": "out-of-scope",
                        "in_scope": False,
                        "reasons": ["no account data and no flow to or from the CDE"],
                        "pci_data": [],
                    },
                ],
                "summary": {
                    "cde": ["api", "vault"],
                    "security-impacting": [],
                    "connected-to": [],
                    "third-party": [],
                    "out-of-scope": ["user", "worker"],
                },
                "segmentation_violations": [],
            },
        },
        "blast_radius": {
            "status": "not-applicable",
            "reason": "no attack path reaches a crown jewel, so there is no entry point to start "
            "from",
            "max_origins": 3,
            "max_listed": 10,
            "radii": [],
        },
    },
}


def test_the_assessment_as_json_data() -> None:
    assessment, model = assess()
    assert assessment_to_dict(assessment, model) == EXPECTED


def test_rendered_text_is_indented_utf8_json_ending_in_a_newline() -> None:
    assessment, model = assess()
    text = render_json(assessment, model)
    assert text == json.dumps(EXPECTED, indent=2, ensure_ascii=False) + "\n"


def test_rendering_is_deterministic() -> None:
    first = render_json(*assess())
    second = render_json(*assess())
    assert first == second


def test_without_a_model_the_element_count_is_null() -> None:
    assessment, _ = assess()
    assert assessment_to_dict(assessment)["summary"]["elements"] is None
    VALIDATOR.validate(assessment_to_dict(assessment))


def test_rule_errors_are_listed() -> None:
    def broken(component: Component, model: Model) -> Verdict:
        raise LookupError("no such thing")

    from threatforge.rules import Rule

    model = load_text(MODEL)
    crashing = Rule(no_throttle.meta, broken)
    document = assessment_to_dict(analyze(model, [crashing], today=TODAY), model)
    assert document["rule_errors"][0] == {
        "rule": "test-no-throttle",
        "element": "user",
        "error": "LookupError: no such thing",
    }
    assert document["summary"]["rule_errors"] == 4
    VALIDATOR.validate(document)


def test_small_assessment_validates_against_the_schema() -> None:
    VALIDATOR.validate(EXPECTED)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_assessments_validate_against_the_schema(path: Path) -> None:
    model = load(path)
    document = json.loads(render_json(analyze(model, today=TODAY), model))
    VALIDATOR.validate(document)
    assert document["threatforge_assessment"] == ASSESSMENT_SCHEMA_VERSION
    for finding in document["findings"]:
        for field in ("rule", "title", "elements", "severity", "likelihood", "impact",
                      "explanation", "fingerprint", "status"):
            assert finding[field] not in (None, "", []), (finding["fingerprint"], field)
        assert finding["fingerprint"] == f"{finding['rule']}@{','.join(finding['elements'])}"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("findings", 0, "severity"), "severe"),
        (("findings", 0, "likelihood"), 6),
        (("findings", 0, "status"), "closed"),
        (("summary", "open"), -1),
        (("as_of",), "01/01/2026"),
    ],
)
def test_the_schema_rejects_bad_values(path: tuple[str | int, ...], value: object) -> None:
    document = json.loads(json.dumps(EXPECTED))
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)


def test_the_schema_requires_every_finding_field() -> None:
    document = json.loads(json.dumps(EXPECTED))
    del document["findings"][0]["explanation"]
    with pytest.raises(jsonschema.ValidationError, match="'explanation' is a required property"):
        VALIDATOR.validate(document)
