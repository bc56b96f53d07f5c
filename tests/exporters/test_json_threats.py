"""Applicable threats in the JSON assessment: the contract's fields, round trip, old files."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

from threatforge.assessment import (
    Assessment,
    assessment_json,
    assessment_to_dict,
    parse_assessment,
)
from threatforge.exporters.assessment_schema import assessment_json_schema
from threatforge.model import Model, ReadError, load_text
from threatforge.rules import analyze, builtin_rules

TODAY = date(2026, 1, 1)
MODEL = """\
system: {name: Refunds}
boundaries:
  app: {kind: subnet, trust: trusted}
  corp: {kind: corporate, trust: semi-trusted}
components:
  clerk: {kind: actor, zone: corp}
  refund-fn: {kind: function, zone: app}
  payout-fn: {kind: function, zone: app, properties: {refunds: true, dual_approval: true}}
flows:
  - clerk -> refund-fn: {protocol: https}
  - clerk -> payout-fn: {protocol: https}
tracking:
  pay-refund-without-dual-approval@refund-fn:
    {status: in-discussion, owner: alice}
"""
RULES = [r for r in builtin_rules() if r.id == "pay-refund-without-dual-approval"]
VALIDATOR = jsonschema.Draft202012Validator(assessment_json_schema())


def _assessment() -> tuple[Assessment, Model]:
    model = load_text(MODEL)
    return analyze(model, RULES, today=TODAY), model


def test_an_applicable_threat_is_written_with_the_contract_fields() -> None:
    assessment, model = _assessment()
    document = assessment_to_dict(assessment, model)
    VALIDATOR.validate(document)
    assert document["summary"]["applicable_threats"] == 1
    assert document["summary"]["open_applicable_threats"] == 1
    (threat,) = document["applicable_threats"]
    assert {k: threat[k] for k in (
        "rule", "fingerprint", "title", "elements", "stride", "linddun", "cwe", "capec", "why",
        "question", "severity", "likelihood", "impact", "confidence", "status",
    )} == {
        "rule": "pay-refund-without-dual-approval",
        "fingerprint": "pay-refund-without-dual-approval@refund-fn",
        "title": "One person (an insider or a stolen account) may issue refunds through "
        "refund-fn alone",
        "elements": ["refund-fn"],
        "stride": ["elevation-of-privilege", "repudiation"],
        "linddun": [],
        "cwe": [654],
        "capec": [212],
        "why": [
            "issues refunds ('refund' in its id: refund-fn)", "staff start refunds here (clerk)"
        ],
        "question": {
            "text": "Do refunds through refund-fn need a second person's approval "
            "(maker-checker)?",
            "facts": [
                {
                    "element": "refund-fn",
                    "path": "properties.dual_approval",
                    "answers": {"true": "rules out", "false": "confirms"},
                }
            ],
        },
        "severity": "elevated",  # staff-only reach is not discounted (#15.5d)
        "likelihood": 3,
        "impact": 4,
        "confidence": "not-confirmed",
        "status": "in-discussion",
    }
    assert threat["decision"]["owner"] == "alice"
    assert "evidence" not in threat
    assert document["ruled_out"] == [
        {
            "rule": "pay-refund-without-dual-approval",
            "fingerprint": "pay-refund-without-dual-approval@payout-fn",
            "elements": ["payout-fn"],
            "title": "Refunds through payout-fn need only one person's approval",
            "evidence": ["properties.dual_approval: true"],
            "message": "ruled out by properties.dual_approval: true",
        }
    ]


def test_threats_and_ruled_out_records_round_trip() -> None:
    assessment, model = _assessment()
    text = assessment_json(assessment, model)
    again = parse_assessment(text)
    assert again.applicable_threats == assessment.applicable_threats
    assert again.ruled_out == assessment.ruled_out
    assert assessment_json(again, model) == text


def test_a_file_written_before_applicable_threats_reads_as_none() -> None:
    assessment, model = _assessment()
    document = assessment_to_dict(assessment, model)
    del document["applicable_threats"], document["ruled_out"]
    del document["summary"]["applicable_threats"], document["summary"]["open_applicable_threats"]
    VALIDATOR.validate(document)
    old = parse_assessment(json.dumps(document))
    assert old.applicable_threats == ()
    assert old.ruled_out == ()
    assert old.findings == assessment.findings


def test_a_threat_claiming_to_be_confirmed_is_refused() -> None:
    assessment, model = _assessment()
    document = assessment_to_dict(assessment, model)
    document["applicable_threats"][0]["confidence"] = "high"
    with pytest.raises(ReadError, match=r"applicable_threats\[0\]\.confidence"):
        parse_assessment(json.dumps(document))


def test_an_answer_with_an_unknown_effect_is_refused() -> None:
    assessment, model = _assessment()
    document = assessment_to_dict(assessment, model)
    document["applicable_threats"][0]["question"]["facts"][0]["answers"]["true"] = "maybe"
    with pytest.raises(ReadError, match=r"answers\.true"):
        parse_assessment(json.dumps(document))
