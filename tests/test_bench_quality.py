"""The quality benchmark's scorer (bench/quality.py) and its bundled systems.

The scorer is checked on one tiny synthetic system with a hand-made assessment, with exact
recall and noise. The benchmark's own figures are never asserted here (they go to
bench/README.md); only that every bundled system is well formed: its model validates strictly,
its rubric follows the schema and names elements of its model, and its pytm script is the one
the generator writes.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SYSTEMS = ROOT / "bench" / "quality"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "bench" / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_quality"] = module
    spec.loader.exec_module(module)
    return module


quality = _load()

RUBRIC = {
    "system": "tiny",
    "threats": [
        {"id": "T-1", "title": "SQL injection", "elements": ["api", "db"], "kind": "sql-injection",
         "stride": "tampering", "cwe": [89]},
        {"id": "T-2", "title": "Forged webhook", "elements": ["api"], "kind": "webhook-forgery",
         "stride": "spoofing", "cwe": [345], "rules": ["webhook-unsigned"]},
        {"id": "T-3", "title": "BOLA", "elements": ["api"], "kind": "bola",
         "stride": "information-disclosure", "cwe": [639]},
        {"id": "T-4", "title": "Stored XSS", "elements": ["web"], "kind": "xss",
         "stride": "tampering", "cwe": [79]},
    ],
}  # fmt: skip

ASSESSMENT = {
    "findings": [
        # CWE 89 on api: T-1
        {"rule": "sql-raw", "elements": ["api"], "cwe": [89]},
        # the rubric's rule id, no CWE: T-2
        {"rule": "webhook-unsigned", "elements": ["api"], "cwe": []},
        # XSS's CWE, but on the database, not the web front end: noise
        {"rule": "xss-reflected", "elements": ["db"], "cwe": [79]},
        # on the flow user->web, so on web: T-4
        {"rule": "xss-stored", "elements": ["user->web"], "cwe": [79]},
    ],
    "applicable_threats": [
        {"rule": "bola-ids", "elements": ["api"], "cwe": [639]},
        {"rule": "unrelated", "elements": ["api"], "cwe": [1]},
    ],
    "model_gaps": [{"element": "api", "fact": "authz", "rules": [], "message": "m"}],
}

PYTM = {
    "findings": [
        {"target": "api", "threat_id": "INP01",
         "references": "https://capec.mitre.org/data/definitions/66.html, "
                       "http://cwe.mitre.org/data/definitions/89.html"},
        {"target": "user -> web", "threat_id": "INP17", "references": "CWE-79"},
        {"target": "db", "threat_id": "DS01", "references": "http://cwe.mitre.org/data/definitions/639.html"},
    ]
}  # fmt: skip


def _rubric() -> object:
    return quality.parse_rubric(RUBRIC, "tiny/threats.yaml")


def test_findings_are_scored_on_their_own_with_exact_recall_and_noise() -> None:
    row = quality.score_system(_rubric(), ASSESSMENT, PYTM)
    assert row.findings == quality.Score(4, ("T-1", "T-2", "T-4"), 4, 1)
    assert row.findings.recall == 0.75
    assert row.findings.noise_ratio == 0.25
    assert row.gaps == 1


def test_an_applicable_threat_counts_only_in_its_own_column_and_together() -> None:
    row = quality.score_system(_rubric(), ASSESSMENT)
    assert "T-3" not in row.findings.matched
    assert row.applicable == quality.Score(4, ("T-3",), 2, 1)
    assert row.applicable.noise_ratio == 0.5
    assert row.together == quality.Score(4, ("T-1", "T-2", "T-3", "T-4"), 6, 2)
    assert row.together.recall == 1.0
    assert row.pytm is None


def test_without_applicable_threats_the_column_is_empty() -> None:
    row = quality.score_system(_rubric(), {"findings": ASSESSMENT["findings"]})
    assert row.applicable == quality.Score(4, (), 0, 0)
    assert (row.applicable.recall, row.applicable.noise_ratio) == (0.0, 0.0)
    assert row.together == row.findings
    assert quality.kinds_never_named([row]) == [("bola", 1)]


def test_a_result_on_the_wrong_element_does_not_match_even_with_the_right_cwe() -> None:
    threat = _rubric().threats[3]  # T-4, XSS on web
    assert not quality.matches(quality.Result("xss-reflected", ("db",), frozenset({79})), threat)
    assert quality.matches(quality.Result("any", ("web",), frozenset({79, 20})), threat)
    assert not quality.matches(quality.Result("any", ("web",), frozenset({20})), threat)


def test_a_cwe_match_or_a_rubric_rule_id_counts() -> None:
    forged = _rubric().threats[1]  # T-2: CWE 345 or rule webhook-unsigned
    assert quality.matches(quality.Result("other-rule", ("api",), frozenset({345})), forged)
    assert quality.matches(quality.Result("webhook-unsigned", ("api",), frozenset()), forged)
    assert not quality.matches(quality.Result("other-rule", ("api",), frozenset({346})), forged)


def test_pytm_findings_map_by_element_name_flow_ends_and_cwe_links() -> None:
    row = quality.score_system(_rubric(), ASSESSMENT, PYTM)
    assert row.pytm == quality.Score(4, ("T-1", "T-4"), 3, 1)
    assert quality.results_from_pytm(PYTM)[1].elements == ("user -> web", "user", "web")
    assert quality.cwe_ids("CWE-22, http://cwe.mitre.org/data/definitions/23.html") == {22, 23}


def test_totals_sum_threats_matches_and_results_over_systems() -> None:
    row = quality.score_system(_rubric(), ASSESSMENT, PYTM)
    rows = quality.table_rows([row, row])
    assert rows[-1] == ["**all**", "8", "8", "75% (6)", "25%", "4", "25% (2)", "50%",
                        "100% (8)", "33%", "6", "50% (4)", "33%"]  # fmt: skip
    assert row.cwe_ids == (5, 3)
    assert quality.kinds_named([row]) == [
        ("bola", 1, 1), ("sql-injection", 1, 1), ("webhook-forgery", 1, 1), ("xss", 1, 1)
    ]  # fmt: skip


def test_write_readme_replaces_only_the_quality_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# B\n\nbefore\n<!-- QUALITY:START -->\nold\n<!-- QUALITY:END -->\nafter\n", "utf-8"
    )
    quality.write_readme("new figures", readme)
    assert readme.read_text("utf-8") == (
        "# B\n\nbefore\n<!-- QUALITY:START -->\nnew figures\n<!-- QUALITY:END -->\nafter\n"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stride": "spoofed"}, "tiny/threats.yaml: threat 1 (T-1): 'stride' must be one of "
         "spoofing, tampering, repudiation, information-disclosure, denial-of-service, "
         "elevation-of-privilege, not 'spoofed'"),
        ({"cwe": ["CWE-89"]}, "tiny/threats.yaml: threat 1 (T-1): 'cwe' must be a list of CWE "
         "numbers (89, not 'CWE-89')"),
        ({"elements": []}, "tiny/threats.yaml: threat 1 (T-1): 'elements' must be a non-empty "
         "list of element ids"),
        ({"kind": "SQL Injection"}, "tiny/threats.yaml: threat 1 (T-1): 'kind' must be a "
         "lower-case slug such as sql-injection"),
        ({"severity": "high"}, "tiny/threats.yaml: threat 1 (T-1): unknown key(s) ['severity']"),
        ({"id": "T-2"}, "tiny/threats.yaml: threat 2 (T-2): duplicate id 'T-2'"),
    ],
)  # fmt: skip
def test_a_rubric_entry_that_breaks_the_schema_is_named_with_its_file_and_entry(
    change: dict[str, object], message: str
) -> None:
    threats = [dict(t) for t in RUBRIC["threats"]]  # type: ignore[attr-defined]
    threats[0].update(change)
    with pytest.raises(quality.RubricError) as raised:
        quality.parse_rubric({"system": "tiny", "threats": threats}, "tiny/threats.yaml")
    assert str(raised.value) == message


def test_a_missing_field_is_named() -> None:
    threat = {k: v for k, v in RUBRIC["threats"][0].items() if k not in ("kind", "cwe")}  # type: ignore[index]
    with pytest.raises(quality.RubricError) as raised:
        quality.parse_rubric({"system": "tiny", "threats": [threat]}, "x.yaml")
    assert str(raised.value) == "x.yaml: threat 1 (T-1): missing kind, cwe"


# --- the bundled systems -------------------------------------------------------------------------

BUNDLED = sorted(p.name for p in SYSTEMS.iterdir() if (p / "threats.yaml").is_file())


def test_there_are_the_eight_systems_of_the_issue() -> None:
    assert BUNDLED == [
        "data-pipeline-pii",
        "desktop-local-helper",
        "llm-support-assistant",
        "mobile-banking",
        "multitenant-saas-k8s",
        "partner-api-webhooks",
        "staff-tool-sso",
        "webshop-psp",
    ]
    for name in BUNDLED:
        assert (SYSTEMS / name / "description.md").is_file(), name
        assert (SYSTEMS / name / "pytm_model.py").is_file(), name


def test_every_bundled_model_validates_strictly_without_warnings() -> None:
    models = [str(SYSTEMS / name / "threatmodel.yaml") for name in BUNDLED]
    done = subprocess.run(
        [sys.executable, "-m", "threatforge", "validate", "--strict", *models],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr  # the verdicts go to stderr
    lines = [line for line in output.splitlines() if line.startswith("ok: ")]
    assert len(lines) == len(BUNDLED), output
    assert all(line.endswith(" 0 warnings)") for line in lines), output


@pytest.mark.parametrize("name", BUNDLED)
def test_every_rubric_follows_the_schema_and_names_elements_of_its_model(name: str) -> None:
    rubric = quality.load_rubric(SYSTEMS / name / "threats.yaml")
    assert rubric.system == name
    model = yaml.safe_load((SYSTEMS / name / "threatmodel.yaml").read_text("utf-8"))
    unknown = [
        (t.id, e) for t in rubric.threats for e in t.elements if e not in model["components"]
    ]
    assert unknown == []


@pytest.mark.parametrize("name", BUNDLED)
def test_every_pytm_script_is_what_the_generator_writes_from_the_model(name: str) -> None:
    model = yaml.safe_load((SYSTEMS / name / "threatmodel.yaml").read_text("utf-8"))
    expected = quality.pytm_script(model, model["system"]["name"])
    assert (SYSTEMS / name / "pytm_model.py").read_text("utf-8") == expected
