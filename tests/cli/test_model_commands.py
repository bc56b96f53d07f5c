"""``threatforge validate``, ``schema`` and ``init``, through Typer's runner and a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from threatforge import __version__
from threatforge.cli import app
from threatforge.model._yaml import parse_text

THREATFORGE = str(Path(sys.executable).with_name("threatforge"))

GOOD = """\
system: {name: Shop}
boundaries:
  dmz: {trust: trusted}
components:
  web: {kind: service, zone: dmz}
  api: {kind: service, zone: dmz}
flows:
  - web -> api: {protocol: https}
"""

GAPPY = """\
system: {name: Shop}
components:
  web: {kind: service}
"""

BAD = """\
system: {name: Shop}
components:
  web: {kind: service}
flows:
  - web -> apii: {protocol: https}
"""

GAP_WARNING = (
    "threatmodel.yaml:3:3: warning: component 'web' has no 'zone': boundary rules cannot decide"
)
BAD_ERROR = "threatmodel.yaml:5:5: error: flow 1 (web -> apii): unknown component 'apii'"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, text: str, name: str = "threatmodel.yaml") -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"threatforge {__version__}\n")


def test_version_from_the_installed_script():
    done = subprocess.run(
        [THREATFORGE, "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"threatforge {__version__}\n", "")


# --- validate -----------------------------------------------------------------------------


def test_validate_good_model(runner, folder):
    result = runner.invoke(app, ["validate", write(folder, GOOD)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "ok: threatmodel.yaml (2 components, 1 flows, 0 data assets, 1 boundaries, 0 warnings)\n"
    )


def test_validate_bad_model_exits_2_with_the_position(runner, folder):
    result = runner.invoke(app, ["validate", write(folder, BAD)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        BAD_ERROR,
        "invalid: threatmodel.yaml (1 errors, 0 warnings)",
    ]


def test_validate_several_files_fails_if_one_fails(runner, folder):
    good = write(folder, GOOD, "good.yaml")
    bad = write(folder, BAD)
    result = runner.invoke(app, ["validate", good, bad])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "ok: good.yaml (2 components, 1 flows, 0 data assets, 1 boundaries, 0 warnings)",
        BAD_ERROR,
        "invalid: threatmodel.yaml (1 errors, 0 warnings)",
    ]


def test_validate_warnings_pass_unless_strict(runner, folder):
    name = write(folder, GAPPY)
    lenient = runner.invoke(app, ["validate", name])
    assert lenient.exit_code == 0
    assert lenient.stderr.splitlines() == [
        GAP_WARNING,
        "ok: threatmodel.yaml (1 components, 0 flows, 0 data assets, 0 boundaries, 1 warnings)",
    ]
    strict = runner.invoke(app, ["validate", "--strict", name])
    assert strict.exit_code == 2
    assert strict.stderr.splitlines() == [
        GAP_WARNING,
        "invalid: threatmodel.yaml (0 errors, 1 warnings)",
    ]


def test_quiet_hides_warnings_and_summaries_but_not_errors(runner, folder):
    gappy = write(folder, GAPPY, "gappy.yaml")
    quiet = runner.invoke(app, ["--quiet", "validate", gappy])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    bad = runner.invoke(app, ["-q", "validate", write(folder, BAD)])
    assert (bad.exit_code, bad.stderr) == (2, BAD_ERROR + "\n")


def test_validate_json(runner, folder):
    result = runner.invoke(app, ["validate", "--format", "json", write(folder, BAD)])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "files": [
            {
                "file": "threatmodel.yaml",
                "valid": False,
                "diagnostics": [
                    {
                        "level": "error",
                        "file": "threatmodel.yaml",
                        "line": 5,
                        "column": 5,
                        "message": "flow 1 (web -> apii): unknown component 'apii'",
                        "code": "reference",
                    }
                ],
            }
        ]
    }


def test_validate_json_strict_marks_warnings_invalid(runner, folder):
    result = runner.invoke(app, ["validate", "-f", "json", "--strict", write(folder, GAPPY)])
    assert result.exit_code == 2
    [report] = json.loads(result.stdout)["files"]
    assert (
        report["valid"],
        [(d["level"], d["line"], d["column"]) for d in report["diagnostics"]],
    ) == (
        False,
        [("warning", 3, 3)],
    )


def test_validate_missing_file(runner, folder):
    result = runner.invoke(app, ["validate", "nope.yaml"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "nope.yaml: error: no such file",
        "invalid: nope.yaml (1 errors, 0 warnings)",
    ]


def test_validate_needs_a_file(runner):
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument 'MODEL...'" in result.stderr


# --- bounds through a real process --------------------------------------------------------


def run_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [THREATFORGE, "--no-color", "validate", path.name],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
        cwd=path.parent,
    )


def test_billion_laughs_exits_2_quickly(tmp_path):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = tmp_path / "threatmodel.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_validate(path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "threatmodel.yaml:7:8: error: expands to more than 2,000,000 values (a YAML alias bomb?);"
        " refusing to read it",
        "invalid: threatmodel.yaml (1 errors, 0 warnings)",
    ]


def test_deep_nesting_exits_2_quickly(tmp_path):
    path = tmp_path / "threatmodel.yaml"
    path.write_text("system: " + "{a: " * 100 + "x" + "}" * 100 + "\n", encoding="utf-8")
    done = run_validate(path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "threatmodel.yaml:1:197: error: is nested more than 48 levels deep; refusing it",
        "invalid: threatmodel.yaml (1 errors, 0 warnings)",
    ]


# --- schema and init ----------------------------------------------------------------------


def test_schema_is_draft_2020_12_and_validates_the_starter_model(runner, folder):
    printed = runner.invoke(app, ["schema"])
    assert (printed.exit_code, printed.stderr) == (0, "")
    schema = json.loads(printed.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)

    created = runner.invoke(app, ["init", "."])
    assert created.exit_code == 0
    assert created.stderr.splitlines() == [
        "wrote a starter model to threatmodel.yaml",
        "next: edit it, then run 'threatforge validate threatmodel.yaml'",
    ]
    text = (folder / "threatmodel.yaml").read_text(encoding="utf-8")
    document = parse_text(text, "threatmodel.yaml").value  # dates stay text, as in the loader
    validator = jsonschema.Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors(document)] == []

    validated = runner.invoke(app, ["validate", "--strict", "threatmodel.yaml"])
    assert (validated.exit_code, validated.stderr) == (
        0,
        "ok: threatmodel.yaml (3 components, 2 flows, 2 data assets, 3 boundaries, 0 warnings)\n",
    )


def test_schema_to_a_file(runner, folder):
    result = runner.invoke(app, ["schema", "-o", "out/threatmodel.schema.json"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "wrote the JSON Schema to out/threatmodel.schema.json\n"
    written = json.loads((folder / "out" / "threatmodel.schema.json").read_text(encoding="utf-8"))
    assert written["$id"] == "https://threatforge.dev/schema/threatmodel-1.json"


def test_init_refuses_to_overwrite_without_force(runner, folder):
    existing = write(folder, GOOD)
    refused = runner.invoke(app, ["init"])
    assert refused.exit_code == 2
    assert refused.stderr == "error: threatmodel.yaml already exists; use --force to overwrite it\n"
    assert (folder / existing).read_text(encoding="utf-8") == GOOD

    forced = runner.invoke(app, ["init", "--force"])
    assert forced.exit_code == 0
    assert (
        (folder / existing)
        .read_text(encoding="utf-8")
        .startswith("# threatmodel.yaml: a threat model as code.")
    )


def test_init_into_a_new_folder(runner, folder):
    result = runner.invoke(app, ["init", "service"])
    assert result.exit_code == 0
    assert (folder / "service" / "threatmodel.yaml").is_file()
    assert result.stderr.splitlines()[0] == "wrote a starter model to service/threatmodel.yaml"
