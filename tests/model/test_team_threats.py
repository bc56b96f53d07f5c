"""The team's own threats (``threats:``): loading, references, canonical form and the schema."""

from __future__ import annotations

import dataclasses
from typing import Any

import jsonschema
import pytest

from threatforge.assessment import Severity, Stride
from threatforge.model import (
    ModelError,
    StrideCategory,
    ThreatPriority,
    ThreatSeverity,
    load_text,
    load_with_diagnostics,
)
from threatforge.model._yaml import parse_text
from threatforge.model.canonical import SECTION_ORDER, model_differences, model_digest, models_equal
from threatforge.model.edit import format_text
from threatforge.model.json_schema import model_json_schema
from threatforge.model.writer import write_model

MODEL = """\
system: {name: Refunds}
data:
  refund: {classification: confidential, categories: [financial]}
boundaries:
  internet: {trust: untrusted}
  vpc: {trust: trusted}
components:
  customer: {kind: actor, zone: internet}
  refund-api: {kind: service, zone: vpc, processes: [refund]}
flows:
  - customer -> refund-api: {protocol: https, data: [refund]}
controls:
  idempotency-keys: {status: implemented, applies_to: [refund-api]}
threats:
  refund-replay:
    action: replay a captured refund request
    source: internet-based actor
    prerequisites: with a valid customer session
    impact: a second refund for one return
    impacted_goal: [integrity]
    impacted_assets: [refund]
    elements: [refund-api]
    stride: [tampering, repudiation]
    priority: high
    mitigations: [idempotency-keys, Reject a reused request id]
    cwe: [294]
    type: Tampering
"""


def test_a_team_threat_loads_with_its_fields():
    model = load_text(MODEL)
    threat = model.threats["refund-replay"]
    assert threat.id == "refund-replay"
    assert (threat.source, threat.prerequisites, threat.action, threat.impact) == (
        "internet-based actor",
        "with a valid customer session",
        "replay a captured refund request",
        "a second refund for one return",
    )
    assert threat.impacted_goal == ["integrity"]
    assert threat.impacted_assets == ["refund"]
    assert threat.elements == ["refund-api"]
    assert threat.stride == [StrideCategory.TAMPERING, StrideCategory.REPUDIATION]
    assert threat.priority is ThreatPriority.HIGH
    assert threat.mitigations == ["idempotency-keys", "Reject a reused request id"]
    assert threat.cwe == [294]
    assert threat.type == "Tampering"
    assert str(threat.location) == "threatmodel.yaml:15:3"
    assert model.element("refund-replay") is None  # not an element findings name


def test_the_model_enums_are_the_assessments():
    assert [s.value for s in StrideCategory] == [s.value for s in Stride]
    assert [s.value for s in ThreatSeverity] == [s.value for s in Severity]


BAD_REFERENCES = MODEL.replace("impacted_assets: [refund]", "impacted_assets: [refnud]").replace(
    "elements: [refund-api]", "elements: [refund-apii, customer->refund-apx]"
).replace("[idempotency-keys, ", "[idempotency-key, ")


def test_invalid_references_are_positioned_with_did_you_mean():
    result = load_with_diagnostics_text(BAD_REFERENCES)
    assert [d.format() for d in result] == [
        "threatmodel.yaml:21:23: error: team threat 'refund-replay': unknown element or "
        "data asset 'refnud' — did you mean 'refund'?",
        "threatmodel.yaml:22:16: error: team threat 'refund-replay': unknown element "
        "'refund-apii' — did you mean 'refund-api'?",
        "threatmodel.yaml:22:29: error: team threat 'refund-replay': unknown element "
        "'customer->refund-apx' — did you mean 'customer->refund-api'?",
        "threatmodel.yaml:25:19: error: team threat 'refund-replay': mitigation "
        "'idempotency-key' names no declared control (name one under 'controls:', or "
        "describe the mitigation in words) — did you mean 'idempotency-keys'?",
    ]


def load_with_diagnostics_text(text: str) -> list[Any]:
    with pytest.raises(ModelError) as raised:
        load_text(text)
    return list(raised.value.diagnostics)


def test_one_word_mitigations_are_free_text_when_the_model_declares_no_controls():
    declared = "controls:\n  idempotency-keys: {status: implemented, applies_to: [refund-api]}\n"
    text = MODEL.replace(declared, "")
    model = load_text(text)
    assert model.threats["refund-replay"].mitigations == [
        "idempotency-keys",
        "Reject a reused request id",
    ]


def test_schema_errors_name_the_team_threat():
    text = MODEL.replace("priority: high", "priority: hihg").replace(
        "    type: Tampering\n", "    type: Tampering\n    likelihood: 4\n    sevrity: high\n"
    )
    assert [d.format() for d in load_with_diagnostics_text(text)] == [
        "threatmodel.yaml:24:15: error: team threat 'refund-replay': 'priority' is 'hihg' — "
        "did you mean 'high'?; expected one of: high, medium, low",
        "threatmodel.yaml:29:5: error: team threat 'refund-replay': unknown field 'sevrity' — "
        "did you mean 'severity'?",
    ]


def test_a_likelihood_without_an_impact_score_is_refused():
    text = MODEL.replace("    type: Tampering\n", "    type: Tampering\n    likelihood: 4\n")
    assert [d.format() for d in load_with_diagnostics_text(text)] == [
        "threatmodel.yaml:16:5: error: team threat 'refund-replay': state both 'likelihood' "
        "and 'impact_score' (1-5), or neither",
    ]


def test_a_missing_action_is_an_error_at_the_threat():
    text = MODEL.replace("    action: replay a captured refund request\n", "")
    assert [d.format() for d in load_with_diagnostics_text(text)] == [
        "threatmodel.yaml:16:5: error: team threat 'refund-replay': missing required field "
        "'action'",
    ]


def test_threats_sit_after_assumptions_and_before_tracking():
    assert SECTION_ORDER[-3:] == ("assumptions", "threats", "tracking")


def test_fmt_writes_the_canonical_order_and_round_trips():
    formatted = format_text(MODEL)
    assert formatted.split("threats:\n", 1)[1] == (
        "  refund-replay:\n"
        "    source: internet-based actor\n"
        "    prerequisites: with a valid customer session\n"
        "    action: replay a captured refund request\n"
        "    impact: a second refund for one return\n"
        "    impacted_goal: [integrity]\n"
        "    impacted_assets: [refund]\n"
        "    elements: [refund-api]\n"
        "    stride: [tampering, repudiation]\n"
        "    type: Tampering\n"
        "    priority: high\n"
        "    cwe: [294]\n"
        "    mitigations: [idempotency-keys, Reject a reused request id]\n"
    )
    assert format_text(formatted) == formatted  # fmt --check passes after writing
    assert models_equal(load_text(formatted), load_text(MODEL))


def test_the_writer_round_trips_team_threats():
    model = load_text(MODEL)
    written = write_model(model)
    assert "threats:\n  refund-replay:\n    source: internet-based actor\n" in written
    assert written.index("controls:") < written.index("threats:")
    again = load_text(written)
    assert models_equal(model, again)
    assert model_digest(model) == model_digest(again)


def test_equality_and_digest_see_team_threats():
    model = load_text(MODEL)
    changed = load_text(MODEL.replace("priority: high", "priority: low"))
    assert not models_equal(model, changed)
    assert model_differences(model, changed) == ["threats 'refund-replay': priority"]
    assert model_digest(model) != model_digest(changed)
    # the order of an unordered list carries no meaning
    reordered = load_text(MODEL.replace("[tampering, repudiation]", "[repudiation, tampering]"))
    assert model_digest(model) == model_digest(reordered)
    without = dataclasses.replace(model, threats={})
    assert model_differences(model, without) == [
        "threats 'refund-replay': only in the first model"
    ]


def test_the_json_schema_describes_team_threats():
    schema = model_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    document = parse_text(MODEL, "threatmodel.yaml").value
    assert list(validator.iter_errors(document)) == []
    bad = parse_text(MODEL.replace("priority: high", "priority: urgent"), "t.yaml").value
    assert [e.message for e in validator.iter_errors(bad)] == [
        "'urgent' is not valid under any of the given schemas"
    ]
    threat = schema["$defs"]["ThreatStatement"]
    assert threat["required"] == ["source", "action"]
    assert "id" not in threat["properties"] and "location" not in threat["properties"]


def test_load_with_diagnostics_of_a_file(tmp_path):
    path = tmp_path / "threatmodel.yaml"
    path.write_text(MODEL, encoding="utf-8")
    result = load_with_diagnostics(path)
    assert result.errors == ()
    assert result.model is not None
    assert list(result.model.threats) == ["refund-replay"]
