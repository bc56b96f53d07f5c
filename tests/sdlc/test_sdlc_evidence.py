"""Scanner SARIF as evidence: mapping results onto components, CWE extraction, limits, and the
likelihood raise it causes end to end (``analyze`` and ``check`` with ``--evidence``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sdlc_models import ORDERS, Invoke

from threatforge.errors import ImporterError
from threatforge.importers import sarif_evidence
from threatforge.importers._path_glob import compile_glob
from threatforge.importers.sarif_evidence import load_evidence, map_sarif
from threatforge.model import JsonLimits, load_text
from threatforge.rules.interface import Evidence

PACK = """\
pack: test-injection
rules:
  - id: sql-built-from-input
    title: "{element} may build SQL from request data"
    description: The service talks to a database with queries it assembles itself.
    target: component
    when: {kind: service}
    likelihood: 2
    impact: 3
    cwe: [89]
    stride: [tampering, information-disclosure]
    asvs: [V5.3.4]
    mitigations: [Use parameterised queries or an ORM for every statement.]
"""
FINGERPRINT = "sql-built-from-input@orders"

MODEL = ORDERS.replace(
    "    exposure: public\n", '    exposure: public\n    paths: ["/api/**", infra/gateway.tf]\n'
).replace(
    "  customer: {kind: actor, zone: internet}\n",
    "  customer: {kind: actor, zone: internet}\n"
    '  platform: {kind: service, zone: vpc, paths: ["services/**"]}\n',
)


def sarif(tool: str, rules: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": tool, "rules": rules}}, "results": results}],
    }


def result(rule_id: str, uri: str, line: int = 0, **extra: Any) -> dict[str, Any]:
    region = {"region": {"startLine": line}} if line else {}
    return {
        "ruleId": rule_id,
        "message": {"text": f"{rule_id} here"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, **region}}],
        **extra,
    }


BANDIT = sarif(
    "Bandit",
    [
        {
            "id": "B608",
            "name": "hardcoded_sql_expressions",
            "properties": {"tags": ["security", "external/cwe/cwe-89"]},
        },
        {"id": "B602", "name": "subprocess_popen_with_shell_equals_true"},
    ],
    [
        result("B608", "services/orders/db.py", 42, level="error"),
        result("B602", "services/orders/jobs.py", 7),
        result("B303", "scripts/report.py", 3),
    ],
)


def write_json(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def mapped(document: dict[str, Any], model_text: str = MODEL) -> tuple[list[Evidence], list[str]]:
    return map_sarif(document, load_text(model_text))


# --- mapping ------------------------------------------------------------------------------------


def test_bandit_results_map_to_the_component_that_owns_the_file(folder: Path) -> None:
    path = write_json(folder, "bandit.sarif", BANDIT)
    evidence, unmapped = load_evidence([path], load_text(MODEL))
    assert evidence == [
        Evidence(
            "orders", "Bandit", "B608", (89,), "B608 here", "services/orders/db.py:42", "error"
        ),
        Evidence(
            "orders", "Bandit", "B602", (78,), "B602 here", "services/orders/jobs.py:7", "warning"
        ),
    ]
    assert unmapped == ["Bandit B303 at scripts/report.py:3: matches no component's paths"]


def test_semgrep_cwe_comes_from_tags_or_the_rule_id() -> None:
    document = sarif(
        "Semgrep OSS",
        [
            {
                "id": "python.django.security.injection.sql.sql-injection-using-raw",
                "properties": {
                    "tags": [
                        "CWE-89: Improper Neutralization of Special Elements used in an SQL "
                        "Command ('SQL Injection')",
                        "OWASP-A03:2021 - Injection",
                    ]
                },
            },
        ],
        [
            result(
                "python.django.security.injection.sql.sql-injection-using-raw",
                "services/orders/views.py",
                10,
            ),
            result(
                "python.flask.security.injection.tainted-sql-string.tainted-sql-string",
                "./services/orders/api.py",
                11,
            ),
            result("javascript.browser.security.insecure-document-method", "services/orders/ui.js"),
        ],
    )
    evidence, unmapped = mapped(document)
    assert [(e.element, e.cwe, e.location) for e in evidence] == [
        ("orders", (89,), "services/orders/views.py:10"),
        ("orders", (89,), "./services/orders/api.py:11"),
        ("orders", (), "services/orders/ui.js"),
    ]
    assert unmapped == []


def test_cwe_from_taxa_relationships_and_properties() -> None:
    document = sarif(
        "scanner",
        [
            {
                "id": "R1",
                "relationships": [{"target": {"id": "918", "toolComponent": {"name": "CWE"}}}],
            }
        ],
        [
            result("R1", "services/orders/a.py"),
            result(
                "R2", "services/orders/b.py", taxa=[{"id": "79", "toolComponent": {"name": "CWE"}}]
            ),
            result("R3", "services/orders/c.py", properties={"cwe": ["CWE-22", "CWE-23"]}),
        ],
    )
    assert [e.cwe for e in mapped(document)[0]] == [(918,), (79,), (22, 23)]


def test_the_most_specific_glob_wins() -> None:
    document = sarif("t", [], [result("X", "services/orders/a.py"), result("Y", "services/b/c.py")])
    assert [(e.rule_id, e.element) for e in mapped(document)[0]] == [
        ("X", "orders"),
        ("Y", "platform"),
    ]


def test_dast_urls_match_url_path_globs() -> None:
    document = sarif(
        "ZAP",
        [{"id": "40018", "name": "SQL Injection", "properties": {"tags": ["CWE-89"]}}],
        [
            result("40018", "https://shop.example.com/api/orders?id=1%27"),
            result("40018", "https://shop.example.com/health"),
        ],
    )
    evidence, unmapped = mapped(document)
    assert [(e.element, e.cwe) for e in evidence] == [("gateway", (89,))]
    assert unmapped == [
        "ZAP 40018 at https://shop.example.com/health: matches no component's paths"
    ]


def test_infrastructure_and_absolute_paths() -> None:
    document = sarif(
        "checkov",
        [],
        [
            result("CKV_AWS_20", "infra/gateway.tf", 3),
            result(
                "CVE-2024-1", "file:///home/runner/work/shop/shop/services/orders/requirements.txt"
            ),
        ],
    )
    assert [(e.element, e.rule_id) for e in mapped(document)[0]] == [
        ("gateway", "CKV_AWS_20"),
        ("orders", "CVE-2024-1"),
    ]


def test_suppressed_and_passing_results_are_ignored() -> None:
    document = sarif(
        "t",
        [],
        [
            result("A", "services/orders/a.py", suppressions=[{"kind": "inSource"}]),
            result("B", "services/orders/b.py", kind="pass"),
            result("C", "services/orders/c.py", baselineState="absent"),
            result(
                "D",
                "services/orders/d.py",
                suppressions=[{"kind": "external", "status": "rejected"}],
            ),
        ],
    )
    assert [e.rule_id for e in mapped(document)[0]] == ["D"]


def test_rules_found_by_index_and_results_without_location() -> None:
    document = sarif(
        "t",
        [{"id": "B608", "properties": {"tags": ["CWE-89"]}}],
        [
            {
                "ruleIndex": 0,
                "message": {"text": "m"},
                "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": "services/orders/x.py"}}}
                ],
            },
            {"ruleId": "Z", "message": {"text": "no place"}},
        ],
    )
    evidence, unmapped = mapped(document)
    assert [(e.rule_id, e.cwe) for e in evidence] == [("B608", (89,))]
    assert unmapped == ["t Z at ?: has no file location"]


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("services/orders/**", "services/orders/a/b.py", True),
        ("services/orders/**", "services/ordersx/a.py", False),
        ("services/*.py", "services/a.py", True),
        ("services/*.py", "services/a/b.py", False),
        ("**/Dockerfile", "Dockerfile", True),
        ("**/Dockerfile", "a/b/Dockerfile", True),
        ("infra/orders", "infra/orders/main.tf", True),
        ("infra/orders", "infra/orders2/main.tf", False),
        ("src/?.py", "src/a.py", True),
        ("src/a+b.py", "src/a+b.py", True),
    ],
)
def test_glob_semantics(glob: str, path: str, matches: bool) -> None:
    assert compile_glob(glob).match(path) is matches


# --- reading safely ----------------------------------------------------------------------------


def test_unreadable_inputs_are_importer_errors(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = load_text(MODEL)
    cases = {
        "missing.sarif": None,
        "bad.sarif": "{not json",
        "nan.sarif": '{"runs": [], "x": NaN}',
        "deep.sarif": "[" * 200_000 + "]" * 200_000,
        "plain.sarif": '{"version": "2.1.0"}',
        "binary.sarif": b"\xff\xfe\x00",
    }
    expected = {
        "missing.sarif": "missing.sarif: no such file (--evidence expects a SARIF file)",
        "bad.sarif": (
            "bad.sarif:1:2: is not valid JSON: Expecting property name enclosed in double quotes"
        ),
        "nan.sarif": "nan.sarif: is not valid JSON: 'NaN' is not a JSON value",
        "deep.sarif": "deep.sarif: is nested more than 64 levels deep; refusing it",
        "plain.sarif": "plain.sarif: not a SARIF log (no 'runs' list)",
        "binary.sarif": (
            "binary.sarif:1:1: is UTF-16 text (it starts with a byte-order mark);"
            " save the file as UTF-8"
        ),
    }
    for name, content in cases.items():
        if isinstance(content, str):
            (folder / name).write_text(content, encoding="utf-8")
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        with pytest.raises(ImporterError) as raised:
            load_evidence([Path(name)], model)
        assert str(raised.value) == expected[name], name
    monkeypatch.setattr(sarif_evidence, "SARIF_LIMITS", JsonLimits(max_bytes=10))
    write_json(folder, "big.sarif", BANDIT)
    with pytest.raises(ImporterError) as raised:
        load_evidence([Path("big.sarif")], model)
    assert str(raised.value) == "big.sarif: is larger than 10 bytes"


# --- end to end: evidence raises the likelihood of the matching threat ---------------------------


def finding(invoke: Invoke, *extra: str) -> dict[str, Any]:
    result = invoke(
        "analyze",
        "threatmodel.yaml",
        "--rules",
        "pack.yaml",
        "--only",
        "sql-built-from-input",
        "--format",
        "json",
        "--today",
        "2026-01-01",
        *extra,
    )
    assert result.exit_code == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    by_fingerprint: dict[str, dict[str, Any]] = {f["fingerprint"]: f for f in findings}
    return by_fingerprint[FINGERPRINT]


@pytest.fixture
def project(folder: Path) -> Path:
    (folder / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    write_json(folder, "bandit.sarif", BANDIT)
    return folder


def test_a_matching_cwe_raises_the_likelihood(invoke: Invoke, project: Path) -> None:
    plain = finding(invoke)
    assert (plain["likelihood"], plain["severity"]) == (2, "medium")
    raised = finding(invoke, "--evidence", "bandit.sarif")
    assert (raised["likelihood"], raised["severity"]) == (3, "elevated")
    assert raised["likelihood_factors"][-1] == "+1 Bandit reported B608 (CWE-89)"
    assert raised["evidence"][-1] == "Bandit: B608 at services/orders/db.py:42 — B608 here"


def test_unmapped_results_are_listed(invoke: Invoke, project: Path) -> None:
    result = invoke("analyze", "threatmodel.yaml", "--evidence", "bandit.sarif", "-f", "json")
    assert "evidence: 2 scanner results mapped to components, 1 unmapped" in result.stderr
    assert "  unmapped: Bandit B303 at scripts/report.py:3: matches no component's paths" in (
        result.stderr
    )


def test_check_gates_on_the_raised_severity(invoke: Invoke, project: Path) -> None:
    args = ("check", "threatmodel.yaml", "--rules", "pack.yaml", "--fail-on", "elevated")
    assert invoke(*args).exit_code == 0
    failed = invoke(*args, "--evidence", "bandit.sarif")
    assert failed.exit_code == 1
    assert f"  elevated  {FINGERPRINT}  orders may build SQL from request data\n" in failed.stdout


def test_a_bad_evidence_file_is_bad_input(invoke: Invoke, project: Path) -> None:
    result = invoke("check", "threatmodel.yaml", "--evidence", "nowhere.sarif")
    assert result.exit_code == 2
    assert "nowhere.sarif: no such file" in result.stderr
