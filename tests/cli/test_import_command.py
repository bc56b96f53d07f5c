"""``threatforge import KIND PATH... [KIND PATH...]``: groups, mappings, the written model with a
comment per element, and findings on it that point at the source's line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import load

FIXTURES = Path(__file__).parents[1] / "importers" / "fixtures" / "compose"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_import_writes_a_model_that_validates_with_a_comment_per_element(shop: Path) -> None:
    code, out = run("import", "compose", ".", "-o", "model.yaml")
    assert code == 0, out
    assert out.splitlines()[-2:] == [
        "imported: 6 components, 5 flows, 3 zones, 0 data assets (3 warnings: see 'threatforge "
        "validate')",
        "wrote the imported model to model.yaml",
    ]
    text = Path("model.yaml").read_text()
    assert text.splitlines()[:4] == ["version: 1", "system:", "  name: shop", "boundaries:"]
    assert "  networks.frontend:  # from networks.frontend at compose.yaml:48\n" in text
    assert "  web:  # from services.web at compose.yaml:5\n" in text
    assert (
        "  - api -> db:  # from services.api.environment.DATABASE_URL at compose.yaml:15\n" in text
    )
    assert "    origin: compose.yaml:5 (services.web)\n" in text
    code, out = run("validate", "model.yaml")
    assert code == 0, out
    assert run("fmt", "--check", "model.yaml")[0] == 0  # written in canonical layout
    assert list(load("model.yaml").components) == [
        "web",
        "api",
        "db",
        "cache",
        "worker",
        "api.payments.example.com",
    ]


def test_findings_on_the_written_model_name_the_compose_file_and_line(shop: Path) -> None:
    assert run("import", "compose", "compose.yaml", "-o", "model.yaml")[0] == 0
    result = CliRunner().invoke(app, ["analyze", "model.yaml", "--format", "sarif"])
    assert result.exit_code in (0, 1)
    results = json.loads(result.stdout)["runs"][0]["results"]
    located = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert ("hardcoded-secrets", "compose.yaml", 11) in located
    assert ("unprotected-boundary-crossing", "compose.yaml", 15) in located


def test_without_output_the_model_is_printed(shop: Path) -> None:
    result = CliRunner().invoke(app, ["-q", "import", "compose", "compose.yaml"])
    assert result.exit_code == 0
    assert result.stdout.startswith("version: 1\nsystem:\n  name: shop\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["import", "compse", "."],
            "error: unknown importer 'compse' — did you mean 'compose'? "
            "(known: compose, cloudformation, kubernetes, openapi, threat-composer, threat-dragon, "
            "otm, threagile)",
        ),
        (["import", "compose"], "error: 'compose' needs at least one PATH (a file or a folder)"),
        (["import", "compose", "missing"], "error: missing: no such file or folder"),
        (
            ["import", "compose", ".", "--mapping", "tf.yaml"],
            "error: tf.yaml: this mapping is for 'terraform', which this import does not run (it "
            "runs compose)",
        ),
    ],
)
def test_usage_and_input_errors_exit_2(shop: Path, args: list[str], message: str) -> None:
    Path("tf.yaml").write_text("mapping: terraform\ntypes: {}\n")
    code, out = run(*args)
    assert (code, out.strip().splitlines()[-1]) == (2, message)
    assert not Path("model.yaml").exists()


def test_a_folder_named_like_an_importer_is_a_path_after_its_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose").mkdir()
    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "compose" / "compose.yaml")
    monkeypatch.chdir(tmp_path)
    code, out = run("import", "compose", "compose", "-o", "m.yaml")
    assert code == 0, out
    assert load("m.yaml").components["web"].origin == "compose/compose.yaml:5 (services.web)"


def test_an_organisation_mapping_is_used_by_its_importer(shop: Path) -> None:
    Path("acme.yaml").write_text(
        "mapping: compose\ntypes:\n  acme/shop-worker: {kind: function, tech: python}\n"
    )
    code, out = run("import", "compose", ".", "--mapping", "acme.yaml", "-o", "m.yaml")
    assert code == 0, out
    worker = load("m.yaml").components["worker"]
    assert (worker.kind.value, worker.tech) == ("function", "python")
    assert "image 'acme/shop-worker' is not in the mapping" not in out


def test_import_auto_reads_what_it_can_and_lists_what_it_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("deploy", "infra", "k8s", "api", "node_modules/pkg"):
        (tmp_path / folder).mkdir(parents=True)
    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "deploy" / "compose.yaml")
    (tmp_path / "infra" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / "k8s" / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: job}\nspec: {containers: [{name: j}]}\n"
    )
    (tmp_path / "api" / "shop.yaml").write_text(  # an OpenAPI document by its keys, not its name
        "openapi: 3.0.3\ninfo: {title: Shop API, version: '1'}\n"
        "paths: {/orders: {post: {responses: {'201': {description: ok}}}}}\n"
    )
    (tmp_path / "node_modules" / "pkg" / "compose.yaml").write_text("services: {x: {}}\n")
    (tmp_path / "package.json").write_text("{}\n")
    monkeypatch.chdir(tmp_path)
    code, out = run("import", "auto", ".", "-o", "model.yaml")
    assert code == 0, out
    assert out.splitlines()[:4] == [
        "read: compose: deploy/compose.yaml",
        "read: kubernetes: k8s/svc.yaml",
        "read: openapi: api/shop.yaml",
        "skipped: infra/main.tf: Terraform (no importer for it yet)",
    ]
    model = load("model.yaml")
    assert model.components["web"].origin == "deploy/compose.yaml:5 (services.web)"
    assert model.components["Pod/default/job"].origin == "k8s/svc.yaml:2 (Pod/default/job)"
    assert (model.components["shop-api"].origin, model.components["shop-api"].routes) == (
        "api/shop.yaml:1 (shop-api)",
        ["POST /orders"],
    )


def test_import_auto_with_nothing_to_read_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.tf").write_text("")
    monkeypatch.chdir(tmp_path)
    code, out = run("import", "auto", ".")
    assert code == 2
    assert out.splitlines() == [
        "skipped: main.tf: Terraform (no importer for it yet)",
        "error: .: no source an importer reads (compose, cloudformation, kubernetes, openapi, "
        "threat-composer, threat-dragon, otm, threagile)",
    ]
    assert run("import", "auto")[1].strip() == (
        "error: 'auto' takes one folder: threatforge import auto DIR"
    )
