"""``threatforge drift MODEL --cloudformation|--kubernetes|--compose|--terraform PATH``: the drift
that weakens security, exit 1; information only, exit 0; unreadable input or a missing
importer, exit 2 (issue 16 item 8)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.importers.registry import BUILTIN_IMPORTERS
from threatforge.model import load

FIXTURES = Path(__file__).parents[1] / "assessment" / "fixtures" / "drift"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each fixture folder copied into a fresh folder that is the working folder (origins are
    relative to it)."""
    for source in FIXTURES.iterdir():
        shutil.copytree(source, tmp_path / source.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--no-color", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def drift_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("drift", *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def _cfn(here: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(here / "cloudformation")
    return drift_json("threatmodel.yaml", "--cloudformation", "stack.yaml")


def test_a_declared_encrypted_datastore_the_cloudformation_leaves_unencrypted_is_drift(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, document = _cfn(here, monkeypatch)
    assert code == 1
    assert document["weakens_security"] is True
    (item,) = [d for d in document["drift"] if d["rule"] == "drift-encryption-at-rest"]
    assert item == {
        "id": "drift-encryption-at-rest@vault-db",
        "rule": "drift-encryption-at-rest",
        "title": "vault-db: declared encrypted at rest, the code is weaker (kms-cmk declared, "
        "none in the code)",
        "severity": "high",
        "declared": {"id": "vault-db", "location": "threatmodel.yaml:15"},
        "code": {"id": "VaultDb", "address": "Resources.VaultDb", "location": "stack.yaml:31"},
        "model_says": "encryption.at_rest: kms-cmk",
        "code_says": "encryption.at_rest: none",
        "fix": "encrypt Resources.VaultDb at stack.yaml:31 (kms-cmk); or, if the code is right, "
        "change vault-db at threatmodel.yaml:15 to 'encryption: {at_rest: none}'",
        "cwe": [311],
    }


def test_cloudformation_exposure_ingress_missing_flow_and_missing_component(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, document = _cfn(here, monkeypatch)
    assert [(d["id"], d["code"]["location"]) for d in document["drift"]] == [
        ("drift-ingress@api", "stack.yaml:26"),
        ("drift-encryption-at-rest@vault-db", "stack.yaml:31"),
        ("drift-exposure@receipts", "stack.yaml:39"),
        ("drift-missing-flow@Worker->Receipts", "stack.yaml:61"),
        ("drift-missing-component@Exports", "stack.yaml:51"),
    ]
    by_id = {d["id"]: d for d in document["drift"]}
    exposure = by_id["drift-exposure@receipts"]
    assert (exposure["model_says"], exposure["code_says"]) == (
        "exposure: private",
        "properties.acl: public-read",
    )
    assert exposure["fix"] == (
        "make Resources.Receipts at stack.yaml:39 private again (no public address, ACL or "
        "world-open rule); or, if it is meant to be public, change receipts at "
        "threatmodel.yaml:22 to 'exposure: public'"
    )
    ingress = by_id["drift-ingress@api"]
    assert (ingress["title"], ingress["model_says"], ingress["code_says"]) == (
        "api: the code admits wider ingress than declared (port 22 not declared)",
        "flows into it on 443",
        "ingress_cidrs: 0.0.0.0/0; ingress_ports: 443, 22",
    )
    flow = by_id["drift-missing-flow@Worker->Receipts"]
    assert flow["declared"] is None
    assert flow["code"] == {
        "id": "Worker->Receipts",
        "address": "Resources.Worker.Properties.Environment.Variables.RECEIPTS_BUCKET",
        "location": "stack.yaml:61",
    }
    assert (flow["model_says"], flow["code_says"]) == (
        "no flow worker -> receipts",
        "Worker -> Receipts (aws-api 443)",
    )
    assert flow["fix"] == (
        "add '- worker -> receipts: {...}' to the model's flows (threatmodel.yaml) and review "
        "it; or remove the connection at stack.yaml:61"
    )
    component = by_id["drift-missing-component@Exports"]
    assert component["code_says"] == "datastore, tech: aws.s3 at stack.yaml:51"
    assert component["fix"] == (
        "add 'Exports: {kind: datastore, tech: aws.s3}' to the model's components "
        "(threatmodel.yaml), or write 'origin: stack.yaml:51 (Resources.Exports)' on the declared "
        "component that stands for it; or remove the resource from the code"
    )


def test_matching_by_id_origin_and_name_is_shown_with_what_is_unmatched(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, document = _cfn(here, monkeypatch)
    assert document["matches"] == [
        {"declared": "audit-logs", "code": "Audit", "by": "origin"},
        {"declared": "api", "code": "Api", "by": "name"},
        {"declared": "vault-db", "code": "VaultDb", "by": "name"},
        {"declared": "receipts", "code": "Receipts", "by": "name"},
        {"declared": "worker", "code": "Worker", "by": "name"},
    ]
    assert document["unmatched"] == {"declared": ["shopper"], "code": ["Exports"]}
    assert document["summary"] == {
        "drift": 5,
        "info": 2,
        "matched": 5,
        "missing_from_model": 1,
        "absent_from_code": 1,
    }


def test_code_stronger_than_declared_and_declared_but_absent_are_information_not_drift(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the CloudFormation stack encrypts the audit bucket with a customer key; the model says
    # the provider's key: stronger in the code, never drift
    _, document = _cfn(here, monkeypatch)
    assert [(i["id"], i["model_says"], i["code_says"]) for i in document["info"]] == [
        (
            "stronger-in-code@audit-logs",
            "encryption.at_rest: provider",
            "encryption.at_rest: kms-cmk",
        ),
        (
            "absent-from-code@shopper",
            "component shopper (actor)",
            "no resource in the code read matches it (by id, origin or name)",
        ),
    ]
    assert "drift-encryption-at-rest@audit-logs" not in {d["id"] for d in document["drift"]}
    # a model no stronger than its Compose code: information only, exit 0
    monkeypatch.chdir(here / "compose")
    code, lenient = drift_json("lenient.yaml", "--compose", "compose.yaml")
    assert code == 0
    assert lenient["drift"] == []
    assert lenient["weakens_security"] is False
    assert [i["id"] for i in lenient["info"]] == [
        "stronger-in-code@api",
        "absent-from-code@api->web",
        "absent-from-code@backoffice",
    ]
    assert {"declared": "psp", "code": "api.payments.example.com", "by": "origin"} in (
        lenient["matches"]
    )
    code, out, _ = run("drift", "lenient.yaml", "--compose", "compose.yaml")
    assert code == 0
    assert out.splitlines()[-1] == "no drift that weakens security (3 information)"


def test_compose_published_database_port_and_clear_text_connection_are_drift(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(here / "compose")
    code, document = drift_json("threatmodel.yaml", "--compose", "compose.yaml")
    assert code == 1
    assert [(d["id"], d["model_says"], d["code_says"]) for d in document["drift"]] == [
        ("drift-exposure@db", "exposure: private", "exposure: public"),
        (
            "drift-encryption-in-transit@api->db",
            "api -> db: encrypted (protocol postgres, tls: true)",
            "api -> db: clear text (protocol postgres, tls: false)",
        ),
        (
            "drift-missing-component@api.payments.example.com",
            "no component for it (by id, origin or name)",
            "external-service at compose.yaml:14; its flows: api->api.payments.example.com",
        ),
    ]
    transit = document["drift"][1]
    assert transit["declared"] == {"id": "api->db", "location": "threatmodel.yaml:12"}
    assert transit["code"]["location"] == "compose.yaml:13"
    assert transit["fix"] == (
        "use TLS on the connection at compose.yaml:13; or, if the code is right, change the flow "
        "api->db at threatmodel.yaml:12 to 'tls: false'"
    )
    assert [i["id"] for i in document["info"]] == ["stronger-in-code@api"]


def test_kubernetes_ingress_exposure_clear_text_missing_flow_and_workload(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(here / "kubernetes")
    code, document = drift_json("threatmodel.yaml", "--kubernetes", ".")
    assert code == 1
    assert [(d["id"], d["code"]["id"], d["code"]["location"]) for d in document["drift"]] == [
        ("drift-exposure@web", "Deployment/shop/web", "app.yaml:9"),
        (
            "drift-missing-flow@Deployment/shop/web->Deployment/shop/api",
            "Deployment/shop/web->Deployment/shop/api",
            "app.yaml:25",
        ),
        (
            "drift-encryption-in-transit@shopper->edge",
            "internet-clients->Ingress/shop/shop",
            "app.yaml:80",
        ),
        (
            "drift-encryption-in-transit@edge->web",
            "Ingress/shop/shop->Deployment/shop/web",
            "app.yaml:85",
        ),
        ("drift-missing-component@Deployment/shop/worker", "Deployment/shop/worker", "app.yaml:44"),
    ]
    assert document["drift"][1]["model_says"] == "no flow web -> api"
    assert document["drift"][1]["code_says"] == (
        "Deployment/shop/web -> Deployment/shop/api (http 8080)"
    )
    assert document["matches"] == [
        {"declared": "edge", "code": "Ingress/shop/shop", "by": "origin"},
        {"declared": "web", "code": "Deployment/shop/web", "by": "name"},
        {"declared": "api", "code": "Deployment/shop/api", "by": "name"},
        {"declared": "shopper", "code": "internet-clients", "by": "internet"},
    ]


def test_several_sources_build_one_code_model(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(here / "compose" / "compose.yaml", here / "cloudformation" / "compose.yaml")
    monkeypatch.chdir(here / "cloudformation")
    _, document = drift_json(
        "threatmodel.yaml", "--cloudformation", "stack.yaml", "--compose", "compose.yaml"
    )
    assert document["code_files"] == ["stack.yaml", "compose.yaml"]
    # the Compose service 'api' has the declared id: matched by id before the stack's 'Api'
    # could be matched by name, which is then a component the model lacks
    assert {"declared": "api", "code": "api", "by": "id"} in document["matches"]
    assert document["unmatched"]["code"] == [
        "Api",
        "Exports",
        "web",
        "db",
        "api.payments.example.com",
    ]


def test_the_table_lists_each_drift_with_its_fix_and_the_matching(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(here / "compose")
    code, out, _ = run("drift", "threatmodel.yaml", "--compose", "compose.yaml")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Drift that weakens security"
    assert (
        "fix drift-exposure@db: make services.db at compose.yaml:15 private again (no public "
        "address, ACL or world-open rule); or, if it is meant to be public, change db at "
        "threatmodel.yaml:9 to 'exposure: public'"
    ) in lines
    assert (
        "info stronger-in-code@api: the model says exposure: internal; the code says "
        "exposure: private"
    ) in lines
    assert any("│ drift-exposure@db " in line and "db at compose.yaml:15" in line for line in lines)
    assert any(
        "│ -        │ api.payments.example.com │ missing from the model │" in line for line in lines
    )
    assert lines[-1] == "drift: 3 items weaken security (1 information)"


def test_markdown_lists_the_drift_as_a_table(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(here / "compose")
    code, out, _ = run("drift", "threatmodel.yaml", "--compose", "compose.yaml", "-f", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[:3] == [
        "# Drift: Compose shop",
        "",
        "**3 drift items weaken security**: the code is weaker than the model declares.",
    ]
    assert (
        "| `drift-exposure@db` | `db` at `threatmodel.yaml:9` | `services.db` at `compose.yaml:15` "
        "| exposure: private | exposure: public | make services.db at compose.yaml:15 private "
        "again (no public address, ACL or world-open rule); or, if it is meant to be public, "
        "change db at threatmodel.yaml:9 to 'exposure: public' |"
    ) in lines
    assert (
        "- `stronger-in-code@api`: the model says exposure: internal; the code says exposure: "
        "private"
    ) in lines
    assert "| `api` | `api` | id |" in lines


def test_sarif_reuses_the_sarif_writer_at_the_code_line_with_the_model_line_related(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(here / "cloudformation")
    code, out, _ = run(
        "drift", "threatmodel.yaml", "--cloudformation", "stack.yaml", "--format", "sarif"
    )
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    assert run_["automationDetails"] == {"id": "threatforge-drift/card-vault/"}
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == [
        "drift-ingress",
        "drift-encryption-at-rest",
        "drift-exposure",
        "drift-missing-flow",
        "drift-missing-component",
    ]
    result = run_["results"][1]
    assert result["ruleId"] == "drift-encryption-at-rest"
    assert result["level"] == "error"
    assert result["partialFingerprints"] == {
        "threatforgeFingerprint/v1": "drift-encryption-at-rest@vault-db"
    }
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "stack.yaml"
    assert physical["region"] == {"startLine": 31, "startColumn": 1}
    related = result["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "threatmodel.yaml"
    assert related["physicalLocation"]["region"] == {"startLine": 15, "startColumn": 3}
    assert related["message"] == {"text": "declared as vault-db in the model"}
    assert result["properties"]["modelSays"] == "encryption.at_rest: kms-cmk"
    assert result["properties"]["codeSays"] == "encryption.at_rest: none"
    assert result["properties"]["security-severity"] == "8.0"
    missing = run_["results"][4]
    assert missing["ruleId"] == "drift-missing-component"
    assert "relatedLocations" not in missing


def test_output_to_a_file(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(here / "compose")
    code, _, err = run(
        "drift", "threatmodel.yaml", "--compose", "compose.yaml", "-f", "json", "-o", "d.json"
    )
    assert code == 1
    assert "wrote the drift report to d.json" in err
    assert json.loads(Path("d.json").read_text())["summary"]["drift"] == 3


def test_attacker_controlled_names_are_escaped_in_the_terminal_and_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the attack: a Compose service whose name reverses the line (U+202E), forges a link, an
    # image beacon and a table cell, and starts a workflow command
    monkeypatch.chdir(tmp_path)
    name = "evil\u202e[x](https://e.vil/a)|<img src=x>::stop"
    Path("compose.yaml").write_text(
        f'services:\n  "{name}":\n    image: nginx:1\n    ports: ["80:80"]\n', encoding="utf-8"
    )
    Path("m.yaml").write_text(
        "version: 1\nsystem: {name: x}\ncomponents:\n  web: {kind: service, exposure: private}\n"
    )
    code, out, _ = run("drift", "m.yaml", "--compose", "compose.yaml")
    assert code == 1
    assert "\u202e" not in out
    assert (
        "fix drift-missing-component@evil%E2%80%AE[x]%28https://e.vil/a%29%7C%3Cimg%20src%3Dx%3E"
        "::stop: add 'evil%E2%80%AE[x]%28https://e.vil/a%29%7C%3Cimg%20src%3Dx%3E::stop: "
        "{kind: gateway}' to the model's components (m.yaml), or write 'origin: compose.yaml:2 "
        "(services.evil\\u202e[x][https://e.vil/a]|<img src=x>::stop)' on the declared component "
        "that stands for it; or remove the resource from the code"
    ) in out.splitlines()
    code, out, _ = run("drift", "m.yaml", "--compose", "compose.yaml", "-f", "markdown")
    assert code == 1
    assert "\u202e" not in out
    assert "<img" not in out.replace("`services.evil\\u202e[x][https://e.vil/a]\\|<img src=x>", "")
    assert "](https://" not in out
    row = next(line for line in out.splitlines() if line.startswith("| `drift-missing"))
    assert row.count(" | ") == 5  # six cells: the name's pipe is escaped
    assert (
        "(services.evil\\\\u202e\\[x\\]\\[https:\u2060//e.vil/a\\]\\|&lt;img src=x&gt;::stop)"
        in row
    )


def test_terraform_resolves_through_the_registry_and_names_the_missing_importer(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a registry without Terraform (as before imp-terraform lands): a clear error, exit 2
    without = {k: v for k, v in BUILTIN_IMPORTERS.items() if k != "terraform"}
    monkeypatch.setattr("threatforge.importers.registry.BUILTIN_IMPORTERS", without)
    monkeypatch.chdir(here / "terraform")
    code, out, err = run("drift", "threatmodel.yaml", "--terraform", ".")
    assert code == 2
    assert out == ""
    assert err.strip() == (
        "error: --terraform needs the 'terraform' importer, which this installation of "
        f"threatforge does not have (importers: {', '.join(without)})"
    )


# enable when imp-terraform lands: it runs by itself once the registry has 'terraform'
@pytest.mark.skipif(
    "terraform" not in BUILTIN_IMPORTERS,
    reason="the Terraform importer (issue 16 item 1, branch imp-terraform) is not merged yet",
)
def test_a_declared_encrypted_datastore_the_terraform_leaves_unencrypted_is_drift(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(here / "terraform")
    code, document = drift_json("threatmodel.yaml", "--terraform", ".")
    assert code == 1
    (item,) = [d for d in document["drift"] if d["rule"] == "drift-encryption-at-rest"]
    assert item["id"] == "drift-encryption-at-rest@vault-db"
    assert item["code"]["id"] == "aws_db_instance.vault"
    assert item["code"]["location"] == "main.tf:3"
    assert (item["model_says"], item["code_says"]) == (
        "encryption.at_rest: kms-cmk",
        "encryption.at_rest: none",
    )
    assert document["matches"] == [
        {"declared": "vault-db", "code": "aws_db_instance.vault", "by": "origin"}
    ]


def test_usage_and_read_errors_exit_2(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(here / "compose")
    code, _, err = run("drift", "threatmodel.yaml")
    assert code == 2
    assert err.strip() == (
        "error: name the code to compare with: --terraform PATH, --cloudformation PATH, "
        "--kubernetes PATH, --compose PATH"
    )
    code, _, err = run("drift", "threatmodel.yaml", "--compose", "missing.yaml")
    assert code == 2
    assert "missing.yaml" in err
    code, _, err = run("drift", "nothing.yaml", "--compose", "compose.yaml")
    assert code == 2
    assert "nothing.yaml" in err
    code, _, err = run("drift", "threatmodel.yaml", "--compose", "compose.yaml", "-o", "x.txt")
    assert code == 2
    assert (
        err.strip() == "error: --output needs a file format: use --format json, sarif or markdown"
    )


def test_a_planted_secret_in_the_code_appears_in_no_drift_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the attack: code with a planted default password, token and database password, compared
    # with a model; no output of drift may carry a value
    importers = Path(__file__).parents[1] / "importers" / "fixtures"
    shutil.copy(importers / "cloudformation" / "estate.yaml", tmp_path / "estate.yaml")
    shutil.copy(importers / "compose" / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_text(
        "version: 1\nsystem: {name: shop}\ncomponents:\n"
        "  Db: {kind: datastore, exposure: private, encryption: {at_rest: kms}}\n"
        "  api: {kind: service, exposure: private}\n"
    )
    planted = (
        "Sup3rSecretPlanted42",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "S3cr3t-Planted-Value",
        "sk_live_PLANTEDplanted1234567890",
    )
    for output_format in ("table", "json", "sarif", "markdown"):
        result = CliRunner().invoke(
            app,
            [
                "drift",
                "m.yaml",
                "--cloudformation",
                "estate.yaml",
                "--compose",
                "compose.yaml",
                "--format",
                output_format,
            ],
        )
        assert result.exit_code == 1, result.output
        assert "drift-encryption-at-rest@Db" in result.stdout
        for value in planted:
            assert value not in result.stdout + result.stderr, (output_format, value)


def test_a_planted_link_at_the_output_is_refused(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the attack: the change under review commits drift.sarif as a link out of the checkout
    monkeypatch.chdir(here / "compose")
    (here / "outside").write_text("kept\n")
    Path("drift.sarif").symlink_to(here / "outside")
    code, out, err = run(
        "drift", "threatmodel.yaml", "--compose", "compose.yaml", "-f", "sarif", "-o", "drift.sarif"
    )
    assert (code, out) == (2, "")
    assert err.endswith(
        "error: refusing to write drift.sarif: it is a symbolic link, which could send the output "
        "anywhere (a change under review can commit one); delete the link or choose another path\n"
    )
    assert (here / "outside").read_text() == "kept\n"
    assert Path("drift.sarif").is_symlink()


def test_a_model_imported_from_the_same_code_has_no_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    importers = Path(__file__).parents[1] / "importers" / "fixtures"
    shutil.copy(importers / "cloudformation" / "estate.yaml", tmp_path / "estate.yaml")
    shutil.copy(importers / "compose" / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copytree(importers / "kubernetes" / "shop", tmp_path / "k8s")
    monkeypatch.chdir(tmp_path)
    sources = ["estate.yaml", "compose", "compose.yaml", "kubernetes", "k8s"]
    assert run("import", "cloudformation", *sources, "-o", "m.yaml")[0] == 0
    code, document = drift_json(
        "m.yaml",
        "--cloudformation",
        "estate.yaml",
        "--compose",
        "compose.yaml",
        "--kubernetes",
        "k8s",
    )
    assert code == 0
    assert (document["drift"], document["info"], document["unmatched"]) == (
        [],
        [],
        {"declared": [], "code": []},
    )
    components = list(load("m.yaml").components)
    # drift reads its sources in a fixed order (terraform, cloudformation, kubernetes, compose)
    assert sorted(document["matches"], key=lambda m: m["code"]) == [
        {"declared": c, "code": c, "by": "id"} for c in sorted(components)
    ]
    assert components[:3] == ["AdminRole", "Web", "Db"]
    assert "Deployment/shop/api" in components


def test_an_organisations_mapping_is_routed_to_its_importer(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(here / "compose")
    # the organisation's mapping reads the API's image for nothing: the code then has no 'api'
    Path("acme.yaml").write_text(
        "mapping: compose\nversion: 1\ntypes:\n  acme/api:\n    becomes: ignore\n"
    )
    code, document = drift_json(
        "threatmodel.yaml", "--compose", "compose.yaml", "--mapping", "acme.yaml"
    )
    assert code == 1
    assert [d["id"] for d in document["drift"]] == ["drift-exposure@db"]
    assert [i["id"] for i in document["info"]] == ["absent-from-code@api"]
    Path("cfn.yaml").write_text("mapping: cloudformation\nversion: 1\ntypes: {}\n")
    code, _, err = run(
        "drift", "threatmodel.yaml", "--compose", "compose.yaml", "--mapping", "cfn.yaml"
    )
    assert code == 2
    assert err.splitlines()[-1] == (
        "error: cfn.yaml: this mapping is for 'cloudformation', which this import does not run "
        "(it runs compose)"
    )
