"""The Threat Dragon importer: the real v1 and v2 files, the schema's own shape of threats,
geometry (boxes, curves), and hostile files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from threatforge.errors import ImporterError
from threatforge.importers.threat_dragon import ThreatDragonImporter
from threatforge.model import load_text
from threatforge.model.canonical import element_fields
from threatforge.model.writer import write_model

FIXTURES = Path(__file__).parent / "fixtures" / "threat-dragon"


def _read(path: Path) -> Any:
    return ThreatDragonImporter().read([path])


def _fields(model: Any, section: str) -> dict[str, Any]:
    return {k: element_fields(e, section) for k, e in getattr(model, section).items()}


def _write(tmp_path: Path, document: Any, name: str = "td.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _loads_back(model: Any) -> None:
    again = load_text(write_model(model), "imported.yaml")
    assert list(again.components) == list(model.components)
    assert list(again.threats) == list(model.threats)


def test_the_v1_demo_imports_with_every_element_and_threat() -> None:
    imported = _read(FIXTURES / "v1-demo-threat-model.json")
    model = imported.model
    assert (model.system.name, model.system.owner) == ("Demo Threat Model", "Mike Goodwin")
    assert {k: (c.kind.value, c.name) for k, c in model.components.items()} == {
        "worker-config": ("datastore", "Worker Config"),
        "database": ("datastore", "Database"),
        "web-application-config": ("datastore", "Web Application Config"),
        "message-queue": ("datastore", "Message Queue"),
        "background-worker-process": ("service", "Background Worker Process"),
        "web-application": ("service", "Web Application"),
        "browser": ("actor", "Browser"),
    }
    assert model.components["background-worker-process"].properties == {
        "diagram_x": 598.0,
        "diagram_y": 179.0,
        "privilege_level": "executionContext =Limited",
    }
    assert model.components["worker-config"].properties["diagram_flags"] == ["storesCredentials"]
    # four boundary curves: zones with no members; each flow crossing one is tagged
    assert _fields(model, "boundaries") == {
        b: {"trust": "trusted"} for b in ("boundary", "boundary-2", "boundary-3", "boundary-4")
    }
    assert [(f.id, f.tags) for f in model.flows] == [
        ("browser->web-application", ["crosses:boundary"]),
        ("web-application->message-queue", ["crosses:boundary-2"]),
        ("message-queue->background-worker-process", ["crosses:boundary-3"]),
        ("database->background-worker-process", ["crosses:boundary-4"]),
        ("web-application->browser", ["crosses:boundary"]),
        ("web-application-config->web-application", []),
        ("worker-config->background-worker-process", []),
        ("web-application->database", ["crosses:boundary-4"]),
        ("database->web-application", ["crosses:boundary-4"]),
        ("background-worker-process->database", ["crosses:boundary-4"]),
    ]
    request = model.flows_by_id["browser->web-application"]
    assert (request.name, request.protocol, request.tls) == ("Web Request", "https", True)
    assert request.properties == {"diagram_flags": ["isPublicNetwork"]}
    assert model.flows_by_id["web-application-config->web-application"].properties == {
        "diagram_flags": ["outOfScope"],
        "out_of_scope_reason": "This data flow represents a read from the file system",
    }
    assert len(model.threats) == 14
    assert _fields(model, "threats")["worker-config.threat-1"] == {
        "source": "actor",
        "action": "accessing DB credentials",
        "elements": ["worker-config"],
        "stride": ["information-disclosure"],
        "mitigations": [
            "Encrypt the DB credentials in the configuration file.",
            "Expire and replace the DB credentials regularly.",
        ],
        "severity": "high",
        "type": "Information disclosure",
        "description": "The Background Worker configuration stores the credentials used by "
        "the worker to access the DB. An attacker could compromise the Background Worker and "
        "get access to the DB credentials.",
    }
    assert _fields(model, "tracking") == {
        "team-threat@database.threat-1": {"status": "mitigated"},
        "team-threat@message-queue.threat-3": {"status": "mitigated"},
        "team-threat@browser-to-web-application.threat-1": {"status": "mitigated"},
        "team-threat@web-application-to-browser.threat-1": {"status": "mitigated"},
    }
    assert imported.notes == (
        "Threat Dragon boundaries state no trust level; set from their names (review them): "
        "boundary (trusted), boundary-2 (trusted), boundary-3 (trusted), boundary-4 (trusted)",
        "read 1 Threat Dragon v1 file: 7 components, 10 flows, 4 zones, 14 threats",
    )
    _loads_back(model)


def test_the_v2_three_tier_demo_reads_threats_under_cell_data() -> None:
    imported = _read(FIXTURES / "v2-three-tier-web-app.json")
    model = imported.model
    assert model.system.name == "Three Tier Web Application"
    # components fall in the smallest box holding their centre
    assert {k: (c.kind.value, c.zone) for k, c in model.components.items()} == {
        "web-ui": ("service", "internet"),
        "web-service": ("service", "public-cloud"),
        "postgressql": ("service", "public-cloud"),
    }
    assert _fields(model, "boundaries") == {
        "internet": {"name": "Internet", "trust": "untrusted"},
        "public-cloud": {"name": "Public Cloud", "trust": "trusted"},
    }
    assert [f.id for f in model.flows] == [
        "web-ui->web-service",
        "web-service->web-ui",
        "web-service->postgressql",
    ]
    assert model.flows[2].properties == {"diagram_flags": ["isBidirectional"]}
    assert _fields(model, "threats") == {
        "postgressql.threat-1": {
            "source": "actor",
            "action": "store Sensitive Data",
            "elements": ["postgressql"],
            "stride": ["information-disclosure"],
            "mitigations": ["Risk transferred to the infrastructure team"],
            "severity": "high",
            "type": "Information disclosure",
            "description": "Sensitive data is compromised if the host itself is compromised",
        },
        "postgressql.threat-2": {
            "source": "actor",
            "action": "store Sensitive Data",
            "elements": ["postgressql"],
            "stride": ["information-disclosure"],
            "mitigations": [
                "This risk is accepted by the project team, since backup is handled by an "
                "external company"
            ],
            "severity": "medium",
            "type": "Information disclosure",
            "description": "Sensitive data is compromised if a backup of the data is compromised",
        },
    }
    assert _fields(model, "tracking") == {
        "team-threat@postgressql.threat-1": {"status": "mitigated"},
        "team-threat@postgressql.threat-2": {"status": "mitigated"},
    }
    assert imported.notes == (
        "Threat Dragon boundaries state no trust level; set from their names (review them): "
        "internet (untrusted), public-cloud (trusted)",
        "Threat Dragon threat fields not carried: score",
        "1 text cells skipped: they carry no element of a model",
        "read 1 Threat Dragon v2 file: 3 components, 3 flows, 2 zones, 2 threats",
    )
    _loads_back(model)


def test_the_empty_v2_model_imports_as_an_empty_system() -> None:
    imported = _read(FIXTURES / "v2-new-model.json")
    model = imported.model
    assert model.system.name == "New threat model"
    assert (model.system.owner, model.system.description) == (None, None)
    assert (len(model.components), len(model.flows), len(model.boundaries)) == (0, 0, 0)
    assert imported.notes == (
        "read 1 Threat Dragon v2 file: 0 components, 0 flows, 0 zones, 0 threats",
    )
    _loads_back(model)


def _v2(cells: list[dict[str, Any]], title: str = "Shop") -> dict[str, Any]:
    return {
        "version": "2.2.0",
        "summary": {"title": title},
        "detail": {
            "contributors": [],
            "diagrams": [{"id": 0, "title": "d", "diagramType": "STRIDE", "cells": cells}],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": 1,
        },
    }


def _node(cell_id: str, name: str, x: float, y: float, **data: Any) -> dict[str, Any]:
    return {
        "id": cell_id,
        "shape": "process",
        "zIndex": 1,
        "position": {"x": x, "y": y},
        "size": {"width": 100, "height": 100},
        "data": {"type": "tm.Process", "name": name, **data},
    }


def test_threats_in_the_schemas_shape_are_read_too(tmp_path: Path) -> None:
    """The v2 schema puts threats on the cell with a ``threatId``; real files put them under
    ``data`` with an ``id``: both are read."""
    cell = _node("6f1c0a2e-0000-4000-8000-000000000001", "Checkout", 0, 0)
    cell["threats"] = [
        {
            "threatId": "checkout-replay",
            "title": "Replay a payment",
            "status": "NotApplicable",
            "severity": "Critical",
            "type": "Repudiation",
            "description": "",
            "mitigation": "",
        }
    ]
    model = _read(_write(tmp_path, _v2([cell]))).model
    assert _fields(model, "threats") == {
        "checkout-replay": {
            "source": "actor",
            "action": "replay a payment",
            "elements": ["checkout"],
            "stride": ["repudiation"],
            "severity": "critical",
            "type": "Repudiation",
        }
    }
    assert _fields(model, "tracking") == {
        "team-threat@checkout-replay": {
            "status": "not-applicable",
            "justification": "marked not applicable in Threat Dragon",
        }
    }


def test_nested_boxes_make_nested_zones(tmp_path: Path) -> None:
    outer = {
        "id": "aaaaaaaa-0000-4000-8000-000000000001",
        "shape": "trust-boundary-box",
        "zIndex": -1,
        "position": {"x": 0, "y": 0},
        "size": {"width": 1000, "height": 1000},
        "data": {"type": "tm.BoundaryBox", "name": "AWS account"},
    }
    inner = dict(
        outer,
        id="aaaaaaaa-0000-4000-8000-000000000002",
        position={"x": 100, "y": 100},
        size={"width": 300, "height": 300},
        data={"type": "tm.BoundaryBox", "name": "Private subnet"},
    )
    cells = [outer, inner, _node("db", "DB", 150, 150), _node("api", "API", 600, 600)]
    model = _read(_write(tmp_path, _v2(cells))).model
    assert _fields(model, "boundaries") == {
        "aws-account": {"name": "AWS account", "trust": "trusted"},
        "private-subnet": {"name": "Private subnet", "trust": "trusted", "inside": "aws-account"},
    }
    assert {k: c.zone for k, c in model.components.items()} == {
        "db": "private-subnet",
        "api": "aws-account",
    }


def test_windows_line_breaks_and_hidden_characters_are_made_model_text(tmp_path: Path) -> None:
    """The attack: CRLF, a bidi override and a terminal escape in names and descriptions."""
    cell = _node("x1", "Pay\u202ement\x1b[2J", 0, 0, description="line one\r\nline two\u2028three")
    imported = _read(_write(tmp_path, _v2([cell])))
    component = imported.model.components["x1"]
    # a bidi override is text the model holds; every output escapes it (the YAML writer too)
    assert component.name == "Pay\u202ement[2J"
    assert component.description == "line one\nline two\nthree"
    assert 'name: "Pay\\u202Ement[2J"' in write_model(imported.model)
    assert imported.notes[0] == (
        "removed 1 control or invisible characters (terminal escapes, hidden line breaks) from "
        "the file's text: a model holds none"
    )
    _loads_back(imported.model)


def test_ids_from_the_file_go_through_the_id_rules(tmp_path: Path) -> None:
    """The attack: cell ids that are not ids (a fingerprint separator, a path, markup)."""
    cells = [
        _node("a,b@c", "<b>Web</b>", 0, 0),
        _node("../../etc", "Web", 200, 0),
        _node("x", "", 400, 0),
    ]
    model = _read(_write(tmp_path, _v2(cells))).model
    assert {k: c.name for k, c in model.components.items()} == {
        "b-web-b": "<b>Web</b>",
        "web": "Web",
        "x": None,
    }


def test_generated_threats_are_not_read_back_but_their_new_status_is_a_decision(
    tmp_path: Path,
) -> None:
    cell = _node("api", "API", 0, 0)
    cell["data"]["threats"] = [
        {
            "id": "missing-rate-limit:missing-rate-limit@api",
            "title": "No rate limit",
            "status": "NotApplicable",
            "severity": "Medium",
            "type": "Denial of service",
            "description": "",
            "mitigation": "",
            "threatforge": {
                "generated": True,
                "rule": "missing-rate-limit",
                "fingerprint": "missing-rate-limit@api",
                "written": {"status": "Open"},
            },
        },
        {
            "id": "authn-missing:authn-missing@api",
            "title": "No authn",
            "status": "Open",
            "severity": "High",
            "type": "Spoofing",
            "description": "",
            "mitigation": "",
        },
    ]
    imported = _read(_write(tmp_path, _v2([cell])))
    assert dict(imported.model.threats) == {}
    assert _fields(imported.model, "tracking") == {
        "missing-rate-limit@api": {
            "status": "not-applicable",
            "justification": "marked not applicable in Threat Dragon",
        }
    }
    assert imported.notes[-3:-1] == (
        "2 threats with a rule:fingerprint id are threatforge's own findings and applicable "
        "threats: not read back as the team's (the engine finds them again)",
        "statuses set in Threat Dragon on threatforge's threats became decisions under "
        "tracking: (add an owner and an expiry for the gate to accept them): "
        "missing-rate-limit@api",
    )


def test_a_hostile_carried_field_is_refused_with_the_element_named(tmp_path: Path) -> None:
    """The attack: our own ``threatforge`` carry-over with a field the model does not have."""
    cell = _node("api", "API", 0, 0, threatforge={"kind": "service", "shell": "rm -rf /"})
    path = _write(tmp_path, _v2([cell]))
    with pytest.raises(ImporterError) as raised:
        _read(path)
    assert str(raised.value) == (
        f"{path}: could not map:\ncomponent 'api': shell: Extra inputs are not permitted"
    )


def test_a_huge_deep_or_crowded_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"summary": {}, "detail": ' + "[" * 3000 + "]" * 3000 + "}")
    with pytest.raises(ImporterError) as raised:
        _read(deep)
    assert str(raised.value) == f"{deep}: is nested more than 32 levels deep; refusing it"

    from threatforge.importers import threat_interchange

    monkeypatch.setattr(threat_interchange, "MAX_ITEMS", 2)
    crowded = _write(tmp_path, _v2([_node(f"n{i}", f"N{i}", i * 200, 0) for i in range(3)]))
    with pytest.raises(ImporterError) as raised:
        _read(crowded)
    assert str(raised.value) == (
        f"{crowded}: detail.diagrams[0].cells has 3 entries; at most 2 are read"
    )


def test_only_threat_dragon_files_are_claimed_in_a_folder(tmp_path: Path) -> None:
    _write(tmp_path, {"openapi": "3.0.0"}, "api.json")
    _write(tmp_path, _v2([_node("api", "API", 0, 0)]), "model.json")
    importer = ThreatDragonImporter()
    assert importer.claims(tmp_path / "api.json") is False
    assert importer.claims(tmp_path / "model.json") is True
    assert list(importer.read([tmp_path]).model.components) == ["api"]
    not_td = _write(tmp_path, {"openapi": "3.0.0"}, "other.json")
    with pytest.raises(ImporterError) as raised:
        importer.read([not_td])
    assert str(raised.value) == (
        f"{not_td}: not a Threat Dragon model (it needs 'summary' and 'detail')"
    )


def test_a_planted_secret_appears_in_no_output(tmp_path: Path) -> None:
    """The attack: a live-looking key pasted into a threat's mitigation and an element's
    description in the other tool."""
    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    cell = _node("db", "DB", 0, 0, description=f"reached with {key}")
    cell["data"]["threats"] = [
        {
            "id": "t1",
            "title": "Key leak",
            "status": "Open",
            "severity": "High",
            "type": "Information disclosure",
            "description": "",
            "mitigation": f"rotate {key} monthly",
        }
    ]
    imported = _read(_write(tmp_path, _v2([cell])))
    written = write_model(imported.model)
    assert key not in written
    assert imported.model.components["db"].description == "reached with [redacted access-key]"
    assert imported.model.threats["t1"].mitigations == ["rotate [redacted access-key] monthly"]
    assert imported.notes[0] == (
        "replaced 2 secret-shaped values in the file's text by '[redacted KIND]' (access-key): "
        "rotate them, they were written in another tool"
    )


def test_crossing_checks_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack: many flows and long curves; past the bound no crossing is computed."""
    from threatforge.importers import threat_dragon

    monkeypatch.setattr(threat_dragon, "MAX_CROSSING_CHECKS", 10)
    curve = {
        "id": "c1",
        "shape": "trust-boundary-curve",
        "zIndex": 0,
        "source": {"x": 150, "y": -100},
        "target": {"x": 150, "y": 300},
        "vertices": [{"x": 150, "y": y} for y in range(0, 200, 20)],
        "data": {"type": "tm.Boundary", "name": "Edge"},
    }
    flow = {
        "id": "f1",
        "shape": "flow",
        "zIndex": 2,
        "source": {"cell": "a"},
        "target": {"cell": "b"},
        "data": {"type": "tm.Flow", "name": "call"},
    }
    cells = [_node("a", "A", 0, 0), _node("b", "B", 300, 0), curve, flow]
    imported = _read(_write(tmp_path, _v2(cells)))
    assert imported.model.flows[0].tags == []
    assert imported.notes[-2] == (
        "1 flows x 1 boundary curves: too many segments to check which flows cross a curve; "
        "no crossings were tagged"
    )
    monkeypatch.undo()
    assert _read(_write(tmp_path, _v2(cells))).model.flows[0].tags == ["crosses:c1"]
