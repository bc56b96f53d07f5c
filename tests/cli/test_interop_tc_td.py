"""``threatforge import threat-composer|threat-dragon`` and ``threatforge export
threat-composer|threat-dragon`` through the command line: import, analyze, export back with the
engine's threats next to the team's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.exporters.threat_list import GENERATED_TAG
from threatforge.model import load

FIXTURES = Path(__file__).parents[1] / "importers" / "fixtures"
TC = FIXTURES / "threat-composer"
TD = FIXTURES / "threat-dragon"
TC_SCHEMA = jsonschema.Draft202012Validator(
    json.loads((TC / "threat-composer-v1.schema.json").read_text(encoding="utf-8"))
)
TD_SCHEMA = jsonschema.Draft7Validator(
    json.loads((TD / "threat-dragon-v2.schema.json").read_text(encoding="utf-8"))
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_threat_dragon_import_analyze_export_hands_the_engines_threats_back(here: Path) -> None:
    code, out = run(
        "import", "threat-dragon", str(TD / "v2-three-tier-web-app.json"), "-o", "model.yaml"
    )
    assert code == 0, out
    assert out.splitlines() == [
        "note: Threat Dragon boundaries state no trust level; set from their names (review "
        "them): internet (untrusted), public-cloud (trusted)",
        "note: Threat Dragon threat fields not carried: score",
        "note: 1 text cells skipped: they carry no element of a model",
        "note: read 1 Threat Dragon v2 file: 3 components, 3 flows, 2 zones, 2 threats",
        "imported: 3 components, 3 flows, 2 zones, 0 data assets (3 warnings: see 'threatforge "
        "validate')",
        "wrote the imported model to model.yaml",
    ]
    model = load("model.yaml")
    assert list(model.threats) == ["postgressql.threat-1", "postgressql.threat-2"]

    code, out = run(
        "analyze",
        "model.yaml",
        "--format",
        "json",
        "-o",
        "assessment.json",
        "--today",
        "2026-12-07",
    )
    assert code in (0, 1), out
    engine = json.loads(Path("assessment.json").read_text(encoding="utf-8"))
    keys = [f"{f['rule']}:{f['fingerprint']}" for f in engine["findings"]] + [
        f"{t['rule']}:{t['fingerprint']}" for t in engine.get("applicable_threats", [])
    ]
    assert keys

    code, out = run(
        "export", "threat-dragon", "model.yaml", "-o", "back.json", "--today", "2026-12-07"
    )
    assert code == 0, out
    assert out.splitlines()[-1] == "wrote the threat-dragon export to back.json"
    document: dict[str, Any] = json.loads(Path("back.json").read_text(encoding="utf-8"))
    assert sorted(TD_SCHEMA.iter_errors(document), key=str) == []
    on_cells = [
        t["id"]
        for cell in document["detail"]["diagrams"][0]["cells"]
        for t in cell.get("data", {}).get("threats", [])
    ]
    # the team's two threats, then every engine threat that sits on a component or a flow
    team = [k for k in on_cells if "@" not in k]
    assert team == ["postgressql.threat-1", "postgressql.threat-2"]
    assert [k for k in on_cells if "@" in k] == [
        k
        for k in keys
        if k.split(":", 1)[1].split("@", 1)[1].split(",")[0]
        in {
            "web-ui",
            "web-service",
            "postgressql",
            "web-ui->web-service",
            "web-service->web-ui",
            "web-service->postgressql",
        }
    ]

    # the file goes back in: the same model, the engine's threats not taken for the team's
    code, out = run("import", "threat-dragon", "back.json", "-o", "again.yaml")
    assert code == 0, out
    assert load("again.yaml").threats.keys() == model.threats.keys()
    generated = len([k for k in on_cells if "@" in k])
    assert (
        f"note: {generated} threats with a rule:fingerprint id are threatforge's own findings "
        "and applicable threats: not read back as the team's (the engine finds them again)"
    ) in out.splitlines()


def test_threat_composer_with_drawn_elements_gets_the_engines_threats(here: Path) -> None:
    """Threat Composer has no diagram: the team's threats join the components of another
    import (Compose here), then export back with the engine's threats tagged generated."""
    shutil.copy(FIXTURES / "compose" / "shop" / "compose.yaml", here / "compose.yaml")
    code, out = run(
        "import",
        "threat-composer",
        str(TC / "chatbot-threats.tc.json"),
        "compose",
        "compose.yaml",
        "-o",
        "model.yaml",
    )
    assert code == 0, out
    model = load("model.yaml")
    assert list(model.threats) == ["T-1", "T-2", "T-3"]
    assert list(model.controls) == ["M-1", "M-2"]
    assert len(model.components) == 6

    code, out = run(
        "export", "threat-composer", "model.yaml", "-o", "back.tc.json", "--today", "2026-12-07"
    )
    assert code == 0, out
    assert [line for line in out.splitlines() if not line.startswith("model.yaml:")] == [
        "warning: threat-composer cannot carry 6 components, 5 flows, 3 zones: Threat Composer "
        "has no diagram elements (its architecture and data-flow descriptions are text; "
        "threats keep their element ids as custom:elements)",
        "warning: threat-composer cannot carry the classification and categories of 2 data "
        "assets (impacted assets are names there)",
        "wrote the threat-composer export to back.tc.json",
    ]
    document = json.loads(Path("back.tc.json").read_text(encoding="utf-8"))
    assert sorted(TC_SCHEMA.iter_errors(document), key=str) == []
    team = [
        t["threatAction"]
        for t in document["threats"]
        if not t.get("tags") or GENERATED_TAG not in t["tags"]
    ]
    assert team == [
        "inject instructions into a prompt",
        "flood the chatbot with requests",
        "read the model's system prompt",
    ]
    generated = [t for t in document["threats"] if GENERATED_TAG in t.get("tags", [])]
    assert len(generated) == 7


def test_import_with_a_name_keeps_the_teams_threats_and_decisions(here: Path) -> None:
    code, out = run(
        "import",
        "threat-composer",
        str(TC / "chatbot-threats.tc.json"),
        "--name",
        "Assistant",
        "-o",
        "model.yaml",
    )
    assert code == 0, out
    model = load("model.yaml")
    assert model.system.name == "Assistant"
    assert list(model.threats) == ["T-1", "T-2", "T-3"]
    assert list(model.tracking) == ["team-threat@T-1", "team-threat@T-2"]
    assert list(model.assumptions) == ["A-1"]


def test_export_of_the_round_trip_model_to_both_formats(here: Path) -> None:
    model = FIXTURES / "interop" / "refunds.yaml"
    code, out = run("export", "threat-dragon", str(model), "--no-results", "-o", "r.json")
    assert code == 0, out
    assert out.splitlines() == [
        f"{model}:27:3: warning: datastore 'ledger-db' does not state 'encryption: "
        "{at_rest: ...}' (none, provider, kms, kms-cmk, hsm, application)",
        "warning: threat-dragon cannot carry 1 data assets, 2 controls, 1 assumptions as "
        "elements of the diagram (Threat Dragon has none: kept under detail.threatforge, which "
        "Threat Dragon does not show)",
        "warning: threat-dragon cannot carry team threats on no component or flow "
        "(agent-self-refund, ledger-outage): kept under detail.threatforge, not shown in Threat "
        "Dragon",
        "wrote the threat-dragon export to r.json",
    ]
    code, out = run("import", "threat-dragon", "r.json", "-o", "back.yaml")
    assert code == 0, out
    from threatforge.model.canonical import model_differences

    assert model_differences(load(str(model)), load("back.yaml")) == []


def test_a_hostile_file_exits_2_with_the_reason(here: Path) -> None:
    """The attack: a file nested past the bound."""
    Path("deep.tc.json").write_text('{"schema": 1, "threats": ' + "[" * 100 + "]" * 100 + "}")
    code, out = run("import", "threat-composer", "deep.tc.json", "-o", "model.yaml")
    assert code == 2
    assert out.splitlines() == [
        "error: deep.tc.json: is nested more than 32 levels deep; refusing it"
    ]
    assert not Path("model.yaml").exists()
