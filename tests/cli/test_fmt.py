"""``threatforge fmt``: --check exit codes, --diff, --fix, included files, refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app

THREATFORGE = str(Path(sys.executable).with_name("threatforge"))
ROOT = Path(__file__).resolve().parents[2]

CANONICAL = """\
system: {name: Shop}
boundaries:
  dmz: {trust: trusted}
components:
  web: {kind: service, zone: dmz}  # the front end
  api: {kind: service, zone: dmz}
flows:
  - web -> api: {protocol: https}
controls:
  tls: {status: implemented, applies_to: ["*"]}
"""

UNFORMATTED = """\
components:
  web: {zone: dmz, kind: service}  # the front end
  api: {kind: service, zone: dmz}
flows:
  - {from: web, to: api, protocol: https}
boundaries:
  dmz: {trust: trusted}
system: {name: Shop}
controls:
  tls: {status: implemented, applies_to: ["*"]}
"""

BOTH_WARNINGS = """\
system: {name: Shop}
components:
  web: {kind: service, zone: dmz}
boundaries:
  dmz: {trust: trusted}
controls:
  # reviewed by the platform team
  tls:
    name: TLS everywhere   # see the ADR
    mitigates: [cleartext-sensitive-flow]
"""

BOTH_FIXED = """\
system: {name: Shop}
boundaries:
  dmz: {trust: trusted}
components:
  web: {kind: service, zone: dmz}
controls:
  # reviewed by the platform team
  tls:
    name: TLS everywhere   # see the ADR
    status: implemented
    mitigates: [cleartext-sensitive-flow]
    applies_to: ["*"]
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_passes_on_a_canonical_file_and_changes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(CANONICAL, encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(path)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "0 files would be reformatted, 1 already formatted\n"
    assert path.read_text(encoding="utf-8") == CANONICAL


def test_check_fails_naming_the_file_and_changes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(UNFORMATTED, encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(path)])
    assert result.exit_code == 1
    assert result.stdout == f"would reformat: {path}\n"
    assert result.stderr == "1 files would be reformatted, 0 already formatted\n"
    assert path.read_text(encoding="utf-8") == UNFORMATTED


def test_fmt_rewrites_the_file_and_is_idempotent(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(UNFORMATTED, encoding="utf-8")
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0
    assert result.stderr == f"reformatted: {path}\n1 files reformatted, 0 unchanged\n"
    assert path.read_text(encoding="utf-8") == CANONICAL
    again = runner.invoke(app, ["fmt", "--check", str(path)])
    assert again.exit_code == 0
    assert path.read_text(encoding="utf-8") == CANONICAL


def test_diff_prints_the_change_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(
        CANONICAL.replace("{kind: service, zone: dmz}  #", "{zone: dmz, kind: service}  #")
    )
    result = runner.invoke(app, ["fmt", "--diff", str(path)])
    assert result.exit_code == 0
    assert result.stdout == (
        f"--- {path} (before)\n"
        f"+++ {path} (formatted)\n"
        "@@ -2,7 +2,7 @@\n"
        " boundaries:\n"
        "   dmz: {trust: trusted}\n"
        " components:\n"
        "-  web: {zone: dmz, kind: service}  # the front end\n"
        "+  web: {kind: service, zone: dmz}  # the front end\n"
        "   api: {kind: service, zone: dmz}\n"
        " flows:\n"
        "   - web -> api: {protocol: https}\n"
    )
    assert "zone: dmz, kind: service" in path.read_text(encoding="utf-8")


def test_diff_escapes_what_the_file_would_show_a_terminal(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The attack: a change whose model file hides text from the reviewer of the CI log.

    The reader refuses ESC and the C0/C1 controls (raw or escaped), but lets a bidi override
    (U+202E), an isolate (U+2066) and a tab stand in a quoted scalar or a comment, and a line
    of the file starting ``##[``. Printed raw by ``fmt --diff``, the override reverses what a
    reviewer reads; each is written out instead, and each line of the file stays one line.
    """
    path = tmp_path / "threatmodel.yaml"
    path.write_bytes(
        b"components:\n"
        b'  web: {zone: dmz, kind: service, name: "Web \xe2\x80\xaegnp.exe"}  # \xe2\x81\xa6ok\n'
        b"##[group]collapsed\n"
        b"boundaries:\n"
        b'  dmz: {trust: trusted, description: "a\tb"}\n'
        b"system: {name: Shop}\n"
    )
    before = path.read_bytes()
    result = runner.invoke(app, ["--no-color", "fmt", "--diff", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"--- {path} (before)\n"
        f"+++ {path} (formatted)\n"
        "@@ -1,6 +1,6 @@\n"
        "-components:\n"
        '-  web: {zone: dmz, kind: service, name: "Web \\u202egnp.exe"}  # \\u2066ok\n'
        "+system: {name: Shop}\n"
        " \\x23#[group]collapsed\n"  # a context line: blanks, then an Azure logging command
        " boundaries:\n"
        '-  dmz: {trust: trusted, description: "a\\x09b"}\n'
        "-system: {name: Shop}\n"
        '+  dmz: {description: "a\\tb", trust: trusted}\n'
        "+components:\n"
        '+  web: {kind: service, name: "Web \\u202egnp.exe", zone: dmz}  # \\u2066ok\n'
    )
    assert "\u202e" not in result.stdout and "\u2066" not in result.stdout
    assert "\t" not in result.stdout
    assert path.read_bytes() == before


def test_fix_writes_both_control_rewrites_exactly(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(BOTH_WARNINGS, encoding="utf-8")
    check = runner.invoke(app, ["fmt", "--check", str(path)])
    assert check.exit_code == 1
    assert check.stderr.splitlines()[0] == (
        f"note: {path}: 2 fixes available (control-applies-to, control-status): "
        "run 'threatforge fmt --fix'"
    )
    result = runner.invoke(app, ["fmt", "--fix", str(path)])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{path}:8:3: fixed (control-status): control 'tls': status: implemented",
        f"{path}:8:3: fixed (control-applies-to): control 'tls': applies_to: [\"*\"]",
        f"reformatted: {path}",
        "1 files reformatted, 0 unchanged",
    ]
    assert path.read_text(encoding="utf-8") == BOTH_FIXED
    validate = runner.invoke(app, ["validate", "--strict", str(path)])
    assert validate.exit_code == 0, validate.stderr


def test_included_files_are_formatted_too(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_text(
        "system: {name: Shop}\ninclude: [parts/web.yaml]\nboundaries:\n  dmz: {trust: trusted}\n",
        encoding="utf-8",
    )
    (tmp_path / "parts").mkdir()
    part = tmp_path / "parts" / "web.yaml"
    part.write_text("components:\n  web: {zone: dmz, kind: service}\n", encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(tmp_path / "threatmodel.yaml")])
    assert result.exit_code == 1
    assert result.stdout == f"would reformat: {part}\n"  # the root file is canonical already
    assert runner.invoke(app, ["fmt", str(tmp_path / "threatmodel.yaml")]).exit_code == 0
    assert part.read_text(encoding="utf-8") == "components:\n  web: {kind: service, zone: dmz}\n"
    assert (tmp_path / "threatmodel.yaml").read_text(encoding="utf-8") == (
        "system: {name: Shop}\ninclude: [parts/web.yaml]\nboundaries:\n  dmz: {trust: trusted}\n"
    )


def test_an_invalid_model_is_exit_2_and_untouched(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    text = "system: {name: Shop}\ncomponents:\n  web: {zone: nowhere, kind: service}\n"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (f"{path}:3:15: error: component 'web': unknown boundary 'nowhere'\n")
    assert path.read_text(encoding="utf-8") == text


def test_a_planted_symlink_is_not_written_through(runner: CliRunner, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(UNFORMATTED, encoding="utf-8")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "threatmodel.yaml").symlink_to(outside)
    result = runner.invoke(app, ["fmt", str(workspace / "threatmodel.yaml")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{workspace / 'threatmodel.yaml'}: error: {workspace / 'threatmodel.yaml'} is a "
        "symlink; refusing to write through it\n"
    )
    assert outside.read_text(encoding="utf-8") == UNFORMATTED


def test_check_passes_on_the_bundled_models_in_a_real_process() -> None:
    models = [*sorted(ROOT.glob("examples/*/threatmodel.yaml")), ROOT / "security/threatmodel.yaml"]
    done = subprocess.run(
        [THREATFORGE, "fmt", "--check", *map(str, models)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "0 files would be reformatted, 5 already formatted\n"


def test_a_json_model_is_left_as_written(runner: CliRunner, tmp_path: Path) -> None:
    # fmt's layout is block YAML; rewriting a .json file in it would make it one long line
    path = tmp_path / "threatmodel.json"
    text = (
        '{"system": {"name": "Shop"}, "boundaries": {"dmz": {"trust": "trusted"}},\n'
        ' "components": {"web": {"zone": "dmz", "kind": "service"}}}\n'
    )
    path.write_text(text, encoding="utf-8")
    for options in (["--check"], []):
        result = runner.invoke(app, ["fmt", *options, str(path)])
        assert result.exit_code == 0
        assert result.stdout == ""
        verb = "reformatted, 0 unchanged"
        if options:
            verb = "would be reformatted, 0 already formatted"
        assert result.stderr == (
            f"left as written: {path} (JSON; fmt formats YAML model files)\n"
            f"0 files {verb}, 1 JSON files left as written\n"
        )
    assert path.read_text(encoding="utf-8") == text


def test_a_comment_fmt_cannot_keep_is_exit_2_and_the_file_untouched(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "threatmodel.yaml"
    text = CANONICAL.replace(
        "  api: {kind: service, zone: dmz}\n", "  api: {kind: service,\n    zone: dmz}  # x\n"
    ).replace("{kind: service,\n", "{kind: service,  # why\n")
    path.write_text(text, encoding="utf-8")
    for options in (["--check"], ["--diff"], []):
        result = runner.invoke(app, ["fmt", *options, str(path)])
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            f"{path}:6:25: error: a comment inside a flow collection ({{...}} or [...] over "
            "several lines) cannot be kept when the file is rewritten: move it to its own line "
            "above the collection, or write the collection in block style; nothing was written\n"
        )
    assert path.read_text(encoding="utf-8") == text


def test_check_notes_the_rewrites_and_fails_on_them_only_with_fix(
    runner: CliRunner, tmp_path: Path
) -> None:
    # warn first: a canonical file that relies on the control defaults passes plain --check
    path = tmp_path / "threatmodel.yaml"
    text = BOTH_FIXED.replace("    status: implemented\n", "")
    text = text.replace('    applies_to: ["*"]\n', "")
    path.write_text(text, encoding="utf-8")
    plain = runner.invoke(app, ["fmt", "--check", str(path)])
    assert plain.exit_code == 0
    assert plain.stderr == (
        f"note: {path}: 2 fixes available (control-applies-to, control-status): "
        "run 'threatforge fmt --fix'\n"
        "0 files would be reformatted, 1 already formatted\n"
    )
    fixing = runner.invoke(app, ["fmt", "--check", "--fix", str(path)])
    assert fixing.exit_code == 1
    assert fixing.stdout == f"would reformat: {path}\n"
    assert fixing.stderr.splitlines()[:2] == [
        f"{path}:8:3: would fix (control-status): control 'tls': status: implemented",
        f"{path}:8:3: would fix (control-applies-to): control 'tls': applies_to: [\"*\"]",
    ]
    assert path.read_text(encoding="utf-8") == text
