"""``threatforge analyze`` and ``threatforge rules list | show | docs``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.rules import builtin_rules
from threatforge.rules.metadata import docs_pages, rule_markdown

ROOT = Path(__file__).resolve().parents[2]
CARD_CHECKOUT = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"
RULES = builtin_rules()

MODEL = """\
system: {name: Shop}
data:
  profile: {classification: confidential, categories: [pii]}
boundaries:
  internet: {trust: untrusted}
  cloud: {trust: trusted}
components:
  user: {kind: actor, zone: internet}
  api: {kind: service, zone: cloud, exposure: public, authn: none, rate_limit: false,
        processes: [profile]}
flows:
  - user -> api: {protocol: http, authn: none, data: [profile]}
"""
ONLY = ["--only", "unauthenticated-exposed-service", "--only", "missing-rate-limit",
        "--only", "cleartext-sensitive-flow"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(MODEL, encoding="utf-8")
    return path


# --- analyze ----------------------------------------------------------------------------------


def test_analyze_json_lists_the_findings(runner: CliRunner, model_path: Path) -> None:
    result = runner.invoke(
        app, ["-q", "analyze", str(model_path), "-f", "json", "--today", "2026-01-01", *ONLY]
    )
    assert (result.exit_code, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert [(f["fingerprint"], f["severity"]) for f in document["findings"]] == [
        ("cleartext-sensitive-flow@user->api", "high"),
        ("unauthenticated-exposed-service@api", "high"),
        ("missing-rate-limit@api", "elevated"),
    ]
    assert document["as_of"] == "2026-01-01"
    assert document["summary"]["rules_run"] == 3


def test_analyze_json_is_byte_identical_between_runs(runner: CliRunner, tmp_path: Path) -> None:
    outputs = []
    for name in ("first.json", "second.json"):
        destination = tmp_path / name
        result = runner.invoke(
            app,
            ["analyze", str(CARD_CHECKOUT), "-f", "json", "-o", str(destination),
             "--today", "2026-01-01"],
        )
        assert result.exit_code == 0, result.stderr
        assert f"wrote the json assessment to {destination}" in result.stderr
        outputs.append(destination.read_bytes())
    assert outputs[0] == outputs[1]
    printed = runner.invoke(
        app, ["-q", "analyze", str(CARD_CHECKOUT), "-f", "json", "--today", "2026-01-01"]
    )
    assert printed.stdout.encode("utf-8") == outputs[0]


def test_analyze_json_validates_against_the_published_schema(
    runner: CliRunner, tmp_path: Path
) -> None:
    schema = runner.invoke(app, ["schema", "--assessment"])
    assert schema.exit_code == 0
    validator = jsonschema.Draft202012Validator(
        json.loads(schema.stdout), format_checker=jsonschema.FormatChecker()
    )
    for path in sorted((ROOT / "examples").glob("*/threatmodel.yaml")):
        result = runner.invoke(app, ["-q", "analyze", str(path), "-f", "json"])
        assert result.exit_code == 0, result.stderr
        validator.validate(json.loads(result.stdout))


def test_analyze_table(runner: CliRunner, model_path: Path) -> None:
    result = runner.invoke(app, ["--no-color", "analyze", str(model_path), *ONLY])
    assert result.exit_code == 0, result.stderr
    assert "Shop: 3 findings" in result.stdout
    assert result.stdout.splitlines()[-1] == "open: 2 high, 1 elevated"


def test_analyze_min_severity_filters(runner: CliRunner, model_path: Path) -> None:
    result = runner.invoke(
        app, ["-q", "analyze", str(model_path), "-f", "json", "--min-severity", "high", *ONLY]
    )
    assert result.exit_code == 0
    findings = json.loads(result.stdout)["findings"]
    assert [f["fingerprint"] for f in findings] == [
        "cleartext-sensitive-flow@user->api",
        "unauthenticated-exposed-service@api",
    ]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["-o", "out.json"], "error: --output needs a file format: use --format json, sarif, "
         "junit, csv or markdown"),
        (["--only", "missing-rate-limt"], "error: unknown rule 'missing-rate-limt' — did you mean "
         "'missing-rate-limit'? (see 'threatforge rules list')"),
        (["--skip", "nope-nothing"], "error: unknown rule 'nope-nothing' (see 'threatforge rules "
         "list')"),
        (["--today", "2026-13-01"], "error: --today '2026-13-01' is not a date (YYYY-MM-DD)"),
    ],
)
def test_analyze_usage_errors_exit_2(
    runner: CliRunner, model_path: Path, arguments: list[str], error: str
) -> None:
    result = runner.invoke(app, ["-q", "analyze", str(model_path), *arguments])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [error]


def test_analyze_invalid_model_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text("system: {name: S}\ncomponents:\n  a: {kind: servise}\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"error: {path} is not a valid model (1 errors)"


def test_analyze_prints_warnings_for_expired_and_stale_tracking(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(
        MODEL
        + "tracking:\n"
        + '  "missing-rate-limit@api": {status: accepted, justification: x, expires: 2025-06-30}\n'
        + '  "missing-rate-limit@gone": {status: mitigated}\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["analyze", str(path), "-f", "json", "--today", "2026-01-01", *ONLY]
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: accepted risk 'missing-rate-limit@api' expired on 2025-06-30: it is open "
        "again; renew the decision or fix it",
        "warning: tracking entry 'missing-rate-limit@gone' matches no finding: the threat is gone "
        "or the element was renamed; remove or update the entry",
    ]


# --- rules list / show ------------------------------------------------------------------------


def test_rules_list_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "list", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [r["id"] for r in listed] == [r.id for r in RULES]
    for entry in listed:
        assert {"id", "title", "stride", "linddun", "cwe", "capec", "owasp", "likelihood",
                "impact"} <= set(entry)
        assert set(entry["owasp"]) == {"asvs", "api_top10"}
    rate = next(r for r in listed if r["id"] == "missing-rate-limit")
    assert {k: rate[k] for k in ("title", "stride", "cwe", "likelihood", "impact")} == {
        "title": "{element} is exposed without rate limiting",
        "stride": ["denial-of-service"],
        "cwe": [770],
        "likelihood": 3,
        "impact": 3,
    }


def test_rules_list_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--no-color", "rules", "list"])
    assert result.exit_code == 0
    assert result.stdout.lstrip().startswith(f"{len(RULES)} rules")


def test_rules_show(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "show", "missing-rate-limit"])
    assert result.exit_code == 0
    assert result.stdout == rule_markdown(next(r for r in RULES if r.id == "missing-rate-limit"))


def test_rules_show_unknown_rule(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "show", "missing-rate-limt"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown rule 'missing-rate-limt' — did you mean 'missing-rate-limit'?\n"
    )


# --- rules docs -------------------------------------------------------------------------------


def test_rules_docs_writes_one_page_per_rule_an_index_and_a_coverage_page(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "site" / "rules-docs"
    result = runner.invoke(app, ["rules", "docs", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"wrote {len(RULES) + 2} pages ({len(RULES)} rules, index.md, coverage.md) to {out}\n"
    )
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.md"))
    assert written == sorted(["index.md", "coverage.md", *(f"rules/{r.id}.md" for r in RULES)])
    expected = docs_pages(RULES)
    for relative, text in expected.items():
        assert (out / relative).read_text(encoding="utf-8") == text
    coverage = (out / "coverage.md").read_text(encoding="utf-8")
    for heading in ("## STRIDE x element kind", "## OWASP API Security Top 10 2023",
                    "## OWASP ASVS 4.0 chapters", "## LINDDUN"):
        assert heading in coverage


def test_rules_docs_refuses_a_file_as_folder(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "docs"
    target.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["rules", "docs", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {target} exists and is not a folder\n"


def test_rules_docs_needs_an_output_folder(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "docs"])
    assert result.exit_code == 2
    assert "Missing option '--output'" in result.stderr


def test_analyze_json_carries_the_analyses_and_the_golden_file_is_it(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(
        app, ["-q", "analyze", "examples/card-checkout/threatmodel.yaml", "-f", "json",
              "--today", "2026-01-01"]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {name: part["status"] for name, part in document["analyses"].items()} == {
        "attack_paths": "computed", "pci_scope": "computed", "blast_radius": "computed"
    }
    golden = ROOT / "tests" / "exporters" / "golden" / "card-checkout.json"
    assert document["analyses"] == json.loads(golden.read_text(encoding="utf-8"))["analyses"]


def test_a_command_that_does_not_show_the_analyses_does_not_compute_them(
    runner: CliRunner, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threatforge.analysis

    calls: list[str] = []  # (an analysis that raises would be recorded as failed, not seen)

    def never(*_: object, **__: object) -> None:
        calls.append("called")
        raise AssertionError("computed an analysis nobody shows")

    monkeypatch.setattr(threatforge.analysis, "find_paths", never)
    monkeypatch.setattr(threatforge.analysis, "pci_scope", never)
    monkeypatch.setattr(threatforge.analysis, "pci_segmentation", never)
    for arguments in (["analyze", str(model_path), *ONLY],
                      ["analyze", str(model_path), "-f", "sarif", *ONLY],
                      ["check", str(model_path), "--fail-on", "critical"]):
        result = runner.invoke(app, ["-q", *arguments])
        assert (result.exit_code, calls) == (0, []), (arguments, result.stderr)
    # the JSON assessment carries them: the same patch is seen there
    result = runner.invoke(app, ["-q", "analyze", str(model_path), "-f", "json", *ONLY])
    assert (result.exit_code, calls) == (0, ["called", "called"])
    assert json.loads(result.stdout)["analyses"]["pci_scope"]["status"] == "failed"
