"""``threatforge import otm|threagile FILE -o model.yaml`` then ``export otm|threagile MODEL -o
FILE``: the team's model from another tool in, the engine's threats beside the team's out, and
every loss said as a warning."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import load, parse_yaml_text

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "interop"


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)


def test_import_otm_writes_a_model_and_says_what_it_could_not_carry(tmp_path: Path) -> None:
    target = tmp_path / "threatmodel.yaml"
    done = CliRunner().invoke(app, ["import", "otm", "otm/OTM-EXAMPLE.json", "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert "note: not carried: the project's ownerContact (1)" in done.stderr
    assert (
        "imported: 4 components, 2 flows, 2 zones, 2 data assets (3 warnings: see "
        "'threatforge validate')"
    ) in done.stderr
    model = load(target)
    assert list(model.threats) == ["22724267-be7e-44c0-8b1f-d7d33e9a34ec"]
    assert model.controls["fd6136f4-e2ff-11eb-ba80-0242ac130004"].risk_reduction == 50
    text = target.read_text(encoding="utf-8")
    assert "  web-service:  # from web-service at otm/OTM-EXAMPLE.json:90\n" in text


def test_import_then_export_otm_puts_the_engines_threats_beside_the_teams(
    tmp_path: Path,
) -> None:
    model_path, out = tmp_path / "threatmodel.yaml", tmp_path / "back.otm.json"
    runner = CliRunner()
    done = runner.invoke(app, ["import", "otm", "otm/OTM-EXAMPLE.json", "-o", str(model_path)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["export", "otm", str(model_path), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert (
        "warning: otm cannot carry the integrity and availability of 2 data assets "
        "(threatforge keeps a classification: written as 50)"
    ) in done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((FIXTURES / "otm" / "otm_schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(document)) == []
    ids = [t["id"] for t in document["threats"]]
    assert ids[0] == "22724267-be7e-44c0-8b1f-d7d33e9a34ec"
    assert len(ids) > 1 and all(
        "threatforge-generated" in t["tags"] for t in document["threats"][1:]
    )


def test_import_threagile_reads_the_split_model_through_its_includes(tmp_path: Path) -> None:
    target = tmp_path / "threatmodel.yaml"
    done = CliRunner().invoke(
        app, ["import", "threagile", "threagile/split-model/main.yaml", "-o", str(target)]
    )
    assert done.exit_code == 0, done.output
    assert (
        "note: read 19 Threagile files: 14 technical assets, 20 communication links, 5 trust "
        "boundaries, 12 data assets, 2 team threats"
    ) in done.stderr
    model = load(target)
    assert (len(model.components), len(model.flows), len(model.boundaries), len(model.data)) == (
        14,
        20,
        5,
        12,
    )


def test_export_threagile_writes_what_threagile_reads_and_warns_what_it_loses(
    tmp_path: Path,
) -> None:
    model_path, out = tmp_path / "threatmodel.yaml", tmp_path / "threagile.yaml"
    runner = CliRunner()
    done = runner.invoke(
        app, ["import", "threagile", "threagile/large-model/threagile.yaml", "-o", str(model_path)]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["export", "threagile", str(model_path), "-o", str(out)])
    assert done.exit_code == 0, done.output
    document = parse_yaml_text(out.read_text(encoding="utf-8"), "threagile.yaml").value
    assert document["title"] == "Card Checkout (Threagile)"
    assert len(document["technical_assets"]) == 8
    assert document["risk_tracking"]["card-data-in-logs@legacy-mainframe"]["status"] == (
        "false-positive"
    )
    categories = [c["id"] for c in document["individual_risk_categories"].values()]
    assert categories[:3] == ["refund-replay", "session-fixation", "card-data-in-logs"]
    assert any(c.startswith("threatforge-") for c in categories)
    # a model that never was in Threagile: its losses are warnings
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        "system: {name: Tiny}\n"
        "components:\n  api: {kind: service}\n  db: {kind: datastore}\n"
        "flows:\n  - api -> db: {protocol: postgres}\n"
        "controls:\n  tls: {status: implemented, applies_to: ['*']}\n",
        encoding="utf-8",
    )
    done = runner.invoke(app, ["export", "threagile", str(plain), "--no-results"])
    assert done.exit_code == 0, done.output
    assert (
        "warning: threagile cannot carry 1 controls (Threagile has none: the mitigations of "
        "threats are written as text)"
    ) in done.stderr
    assert (
        "warning: threagile cannot carry the ids of 1 flows (Threagile names a link by its "
        "source and title: 'api->db' returns as 'api/api-to-db')"
    ) in done.stderr


def test_an_include_that_leaves_the_models_folder_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "outside.yaml").write_text("title: x\n", encoding="utf-8")
    (folder / "threagile.yaml").write_text(
        "threagile_version: 1.0.0\ntitle: T\nincludes: [../outside.yaml]\n", encoding="utf-8"
    )
    done = CliRunner().invoke(app, ["import", "threagile", str(folder / "threagile.yaml")])
    assert done.exit_code == 2
    assert "is outside the model's folder" in done.output
