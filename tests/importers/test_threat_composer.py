"""The Threat Composer importer: the real workshop export, a file with threats as the app
writes it, the generated threats left out, and hostile files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from threatforge.errors import ImporterError
from threatforge.exporters.threat_list import GENERATED_TAG
from threatforge.importers import threat_composer
from threatforge.importers.threat_composer import ThreatComposerImporter
from threatforge.model import load_text
from threatforge.model.canonical import element_fields
from threatforge.model.writer import write_model

FIXTURES = Path(__file__).parent / "fixtures" / "threat-composer"
WORKSHOP = FIXTURES / "genai-workshop-ex1.tc.json"
CHATBOT = FIXTURES / "chatbot-threats.tc.json"


def _read(path: Path) -> Any:
    return ThreatComposerImporter().read([path])


def _write(tmp_path: Path, document: Any, name: str = "x.tc.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_generated_tag_is_the_exporters() -> None:
    assert threat_composer.GENERATED_TAG == GENERATED_TAG


def test_the_real_workshop_export_imports_into_a_model_that_validates() -> None:
    imported = _read(WORKSHOP)
    model = imported.model
    assert model.system.name == "Sample Generative AI Chatbot Application"
    description = model.system.description or ""
    assert description.startswith("### Disclaimers\n\n_**1. Motivation for externalizing")
    assert "\n\n### Architecture (Threat Composer)\n\nThis document outlines a sample " in (
        description
    )
    assert "\n\n### Data flow (Threat Composer)\n\nThe data flows provide an in-depth look" in (
        description
    )
    assert "data:image" not in description
    assert (len(model.components), len(model.flows), len(model.boundaries)) == (0, 0, 0)
    assert (len(model.data), len(model.threats), len(model.controls)) == (0, 0, 0)
    assert {k: element_fields(a, "assumptions") for k, a in model.assumptions.items()} == {
        "A-1": {
            "description": "We are using TLS 1.2 for encryption in transit, and it is "
            "sufficiently secure to protect our data in transit from information disclosure "
            "or tampering"
        }
    }
    assert imported.notes == (
        "the architecture diagram (an inline data: image, 153,822 characters) is not carried: "
        "threatforge keeps no images (re-attach it in Threat Composer after export)",
        "the data-flow diagram (an inline data: image, 81,338 characters) is not carried: "
        "threatforge keeps no images (re-attach it in Threat Composer after export)",
        "read 1 Threat Composer file: 0 threats, 0 mitigations (as controls), 1 assumptions; "
        "Threat Composer has no diagram elements, so the model has no components or flows: "
        "draw them (threatforge init, or import the infrastructure code) and attach the threats",
    )
    # a model with no components loads: the written file reads back as the same model
    again = load_text(write_model(model), "imported.yaml")
    assert again.system == model.system
    assert list(again.assumptions) == ["A-1"]
    assert [w.message for w in model.warnings] == []


def test_threats_mitigations_assumptions_and_links_as_the_app_writes_them() -> None:
    imported = _read(CHATBOT)
    model = imported.model
    threats = {k: element_fields(t, "threats") for k, t in model.threats.items()}
    assert threats == {
        "T-1": {
            "source": "internal actor",
            "prerequisites": "with access to the chat UI",
            "action": "inject instructions into a prompt",
            "impact": "disclosure of other users' documents",
            "impacted_goal": ["confidentiality"],
            "impacted_assets": ["user-documents", "chat-history"],
            "stride": ["information-disclosure", "tampering"],
            "priority": "high",
            "mitigations": ["M-1", "M-2"],
            "description": "Seen in the pen test",
            "tags": ["genai", "OWASP-LLM01", "assumption:A-1"],
        },
        "T-2": {
            "source": "an internet-based actor",
            "action": "flood the chatbot with requests",
            "impacted_assets": ["chat-history"],
            "stride": ["denial-of-service"],
            "priority": "low",
            "mitigations": ["M-2"],
        },
        "T-3": {"source": "actor", "action": "read the model's system prompt"},
    }
    assert {k: element_fields(t, "tracking") for k, t in model.tracking.items()} == {
        "team-threat@T-1": {"status": "mitigated", "justification": "resolved in Threat Composer"},
        "team-threat@T-2": {
            "status": "not-applicable",
            "justification": "resolved as not useful in Threat Composer",
        },
    }
    assert {k: element_fields(c, "controls") for k, c in model.controls.items()} == {
        "M-1": {
            "name": "Bedrock guardrails filter prompts",
            "status": "implemented",
            "applies_to": ["*"],
        },
        "M-2": {
            "name": "Rate limit per user",
            "description": "Comments: Q3",
            "status": "planned",
            "applies_to": ["*"],
        },
    }
    assert {k: (d.name, d.classification.value) for k, d in model.data.items()} == {
        "user-documents": ("user documents", "internal"),
        "chat-history": ("chat history", "internal"),
    }
    assert model.assumptions["A-1"].description == (
        "Only employees reach the chatbot\n\nComments: Checked with IT"
    )
    assert model.system.description == (
        "A RAG chatbot.\n\n### Architecture (Threat Composer)\n\nBedrock behind API Gateway."
    )
    assert imported.notes == (
        "the architecture diagram (an image URL, 25 characters) is not carried: threatforge "
        "keeps no images (re-attach it in Threat Composer after export)",
        "a control is implemented or planned; these mitigations are kept as planned: M-2 "
        "(mitigationInProgress)",
        "impacted assets became data assets classified 'internal' (Threat Composer states no "
        "classification): set each one's real classification and categories",
        "threat T-3 has no threat source: 'actor' (Threat Composer's default) was written",
        "not carried: assumption tags (threatforge has none): A-1",
        "not carried: links from assumptions to mitigations (a control has no assumptions): 1",
        "not carried: threat metadata: custom:jira",
        "read 1 Threat Composer file: 3 threats, 2 mitigations (as controls), 1 assumptions; "
        "Threat Composer has no diagram elements, so the model has no components or flows: "
        "draw them (threatforge init, or import the infrastructure code) and attach the threats",
    )


def _one_threat(**fields: Any) -> dict[str, Any]:
    threat = {
        "id": "0c3b0a3e-3a55-4f0f-9a6b-0a0000000099",
        "numericId": 7,
        "threatSource": "actor",
        "threatAction": "do harm",
    }
    threat.update(fields)
    return {"schema": 1, "applicationInfo": {"name": "App"}, "threats": [threat]}


def test_threats_threatforge_generated_are_not_read_back_as_the_teams(tmp_path: Path) -> None:
    document = _one_threat(tags=[GENERATED_TAG])
    document["threats"].append(
        {
            "id": "0c3b0a3e-3a55-4f0f-9a6b-0a0000000098",
            "numericId": 8,
            "threatSource": "actor",
            "threatAction": "x",
            "metadata": [{"key": "custom:threatforge-key", "value": "authn-missing:authn@api"}],
        }
    )
    document["mitigations"] = [
        {
            "id": "0c3b0a3e-3a55-4f0f-9a6b-0a0000000097",
            "numericId": 1,
            "content": "Add authn",
            "tags": [GENERATED_TAG],
        }
    ]
    imported = _read(_write(tmp_path, document))
    assert dict(imported.model.threats) == {}
    assert dict(imported.model.controls) == {}
    assert imported.notes[:2] == (
        f"1 mitigations tagged {GENERATED_TAG} (written by threatforge for its own threats) "
        "were not read back: the engine states them again",
        f"2 threats tagged {GENERATED_TAG} are threatforge's own findings and applicable "
        "threats: not read back as the team's (the engine finds them again)",
    )


def test_an_id_from_the_file_goes_through_the_id_rules(tmp_path: Path) -> None:
    """The attack: ids that would escape a fingerprint or a path."""
    document = _one_threat(
        metadata=[{"key": "custom:threatforge-id", "value": "a,b@team-threat@x"}]
    )
    document["threats"].append(
        {
            "id": "0c3b0a3e-3a55-4f0f-9a6b-0a0000000098",
            "numericId": 1.5,
            "threatSource": "actor",
            "threatAction": "x",
            "metadata": [{"key": "custom:threatforge-id", "value": "../../etc/passwd"}],
        }
    )
    model = _read(_write(tmp_path, document)).model
    assert list(model.threats) == ["T-7", "T-1"]


def test_markup_ansi_and_line_breaks_stay_text(tmp_path: Path) -> None:
    """The attack: a name and a threat with markup, a terminal escape and line breaks."""
    hostile = "<script>alert(1)</script>\x1b[31m\nEvil [bold]x[/bold]"
    document = _one_threat(threatAction=hostile)
    document["applicationInfo"]["name"] = hostile
    imported = _read(_write(tmp_path, document))
    model = imported.model
    assert model.system.name == "<script>alert(1)</script>[31m Evil [bold]x[/bold]"
    assert model.threats["T-7"].action == "<script>alert(1)</script>[31m Evil [bold]x[/bold]"
    assert imported.notes[0] == (
        "removed 2 control or invisible characters (terminal escapes, hidden line breaks) from "
        "the file's text: a model holds none"
    )
    written = write_model(model)
    assert "\x1b" not in written
    assert load_text(written, "m.yaml").system.name == model.system.name


def test_a_huge_deep_or_crowded_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attacks: nesting past the reader's depth, a file past the size bound, a list past the
    count bound: each a clean error naming the file."""
    deep = tmp_path / "deep.tc.json"
    deep.write_text('{"schema": 1, "threats": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(ImporterError) as raised:
        _read(deep)
    assert str(raised.value) == f"{deep}: is nested more than 32 levels deep; refusing it"

    from threatforge.importers import threat_interchange

    monkeypatch.setattr(threat_interchange, "LIMITS", threat_interchange.JsonLimits(max_bytes=100))
    big = _write(tmp_path, {"schema": 1, "applicationInfo": {"name": "x" * 200}}, "big.tc.json")
    with pytest.raises(ImporterError) as raised:
        _read(big)
    assert str(raised.value) == f"{big}: is larger than 100 bytes"
    monkeypatch.undo()

    monkeypatch.setattr(threat_interchange, "MAX_ITEMS", 3)
    crowded = _write(tmp_path, {"schema": 1, "assumptions": [{}] * 4}, "crowded.tc.json")
    with pytest.raises(ImporterError) as raised:
        _read(crowded)
    assert str(raised.value) == f"{crowded}: assumptions has 4 entries; at most 3 are read"


def test_a_file_that_is_not_a_threat_composer_export_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"summary": {}, "detail": {}})
    with pytest.raises(ImporterError) as raised:
        _read(path)
    assert str(raised.value) == (
        f"{path}: not a Threat Composer export (no 'schema' key at the top)"
    )
    listed = _write(tmp_path, [1, 2], "list.tc.json")
    with pytest.raises(ImporterError) as raised:
        _read(listed)
    assert str(raised.value) == f"{listed}: a Threat Composer file is a JSON object, not list"


def test_a_value_the_model_refuses_names_the_element(tmp_path: Path) -> None:
    document = _one_threat(metadata=[{"key": "custom:severity", "value": "catastrophic"}])
    with pytest.raises(ImporterError) as raised:
        _read(_write(tmp_path, document))
    assert str(raised.value) == (
        f"{tmp_path / 'x.tc.json'}: could not map:\n"
        "team threat 'T-7': severity: Input should be 'low', 'medium', 'elevated', 'high' or "
        "'critical'"
    )
