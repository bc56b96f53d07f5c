"""Applicable threats in SARIF: results of level note, the question in the message."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema

from threatforge.exporters.sarif import render_sarif
from threatforge.model import load_text
from threatforge.rules import analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(
    (ROOT / "tests" / "sdlc" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
TODAY = date(2026, 1, 1)
RULES = [r for r in builtin_rules() if r.id == "pay-refund-without-dual-approval"]
MODEL = """\
system: {name: Refunds}
boundaries:
  app: {kind: subnet, trust: trusted}
  corp: {kind: corporate, trust: semi-trusted}
components:
  clerk: {kind: actor, zone: corp}
  refund-fn: {kind: function, zone: app}
  payout-fn: {kind: function, zone: app, properties: {refunds: true}}
flows:
  - clerk -> refund-fn: {protocol: https}
  - clerk -> payout-fn: {protocol: https}
tracking:
  pay-refund-without-dual-approval@payout-fn:
    {status: not-applicable, justification: payouts are refunded by the PSP only,
     owner: alice, expires: 2026-06-30}
"""


def _sarif() -> dict[str, Any]:
    model = load_text(MODEL)
    document: dict[str, Any] = json.loads(
        render_sarif(analyze(model, RULES, today=TODAY), model, root=ROOT)
    )
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft4Validator)
    return document


def test_an_applicable_threat_is_a_note_with_its_question() -> None:
    run = _sarif()["runs"][0]
    first = run["results"][1]
    assert first["level"] == "note"
    assert first["ruleId"] == "pay-refund-without-dual-approval"
    assert first["partialFingerprints"] == {
        "threatforgeFingerprint/v1": "pay-refund-without-dual-approval@refund-fn"
    }
    assert first["message"]["text"] == (
        "Applicable threat (not confirmed): One person (an insider or a stolen account) may "
        "issue refunds through refund-fn alone. Question: Do refunds through refund-fn need a "
        "second person's approval (maker-checker)? (state `properties.dual_approval` on "
        "`refund-fn`: true rules it out; false confirms it)"
    )
    assert first["properties"]["kind"] == "applicable-threat"
    assert first["properties"]["confidence"] == "not-confirmed"
    assert "suppressions" not in first
    assert run["properties"]["openApplicableThreats"] == 1


def test_a_not_applicable_decision_suppresses_the_threat() -> None:
    second = _sarif()["runs"][0]["results"][0]
    assert second["partialFingerprints"]["threatforgeFingerprint/v1"] == (
        "pay-refund-without-dual-approval@payout-fn"
    )
    assert second["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "payouts are refunded by the PSP only",
            "properties": {
                "decision": "not-applicable", "owner": "alice", "expires": "2026-06-30",
            },
        }
    ]
