"""Every file the CLI writes goes through one function (``write_file``), which never follows a
symbolic link (issue #14 item 4).

The attack: a pull request commits ``threatforge.sarif`` (or ``threatforge-diff.md``, a docs
folder, ...) as a symbolic link to a file outside the workspace; the CI job that judges the
change then runs ``threatforge ... -o threatforge.sarif`` and would write attacker-chosen lines
through the link. Each test plants the link, runs the command, and checks that the command
refused (exit 2, the exact message), that the file outside is untouched and that the link is
still the link that was planted.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.cli._output import UnsafeOutputError, write_file

MODEL = """\
system: {name: Shop, compliance: [pci-dss]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
  cloud: {trust: trusted}
components:
  user: {kind: actor, zone: internet}
  api: {kind: service, zone: cloud, exposure: public, authn: none, processes: [pan]}
flows:
  - user -> api: {protocol: http, authn: none, data: [pan]}
"""
OUTSIDE_TEXT = "the file outside the workspace\n"


def _refusal(shown: str) -> str:
    return (
        f"error: refusing to write {shown}: it is a symbolic link, which could send the output "
        "anywhere (a change under review can commit one); delete the link or choose another path\n"
    )


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CI checkout (the working directory) and, beside it, a file the change must not reach."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "authorized_keys").write_text(OUTSIDE_TEXT, encoding="utf-8")
    monkeypatch.chdir(checkout)
    return checkout


def _plant(link: Path, target: str = "../outside/authorized_keys") -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


def _untouched(workspace: Path, link: Path, target: str = "../outside/authorized_keys") -> None:
    assert (workspace.parent / "outside" / "authorized_keys").read_text("utf-8") == OUTSIDE_TEXT
    assert sorted(p.name for p in (workspace.parent / "outside").iterdir()) == ["authorized_keys"]
    assert link.is_symlink()
    assert os.readlink(link) == target


COMMANDS = {
    "threatforge.sarif": ["analyze", "threatmodel.yaml", "-f", "sarif"],
    "threatforge-diff.md": ["diff", "threatmodel.yaml", "threatmodel.yaml"],
    "report.md": ["report", "threatmodel.yaml"],
    "dfd.svg": ["diagram", "threatmodel.yaml"],
    "scope.md": ["scope", "threatmodel.yaml", "--pci", "-f", "markdown"],
    "paths.json": ["paths", "threatmodel.yaml", "-f", "json"],
    "requirements.md": ["requirements", "threatmodel.yaml"],
    "schema.json": ["schema"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_planted_link_at_the_output_is_refused(workspace: Path, name: str) -> None:
    _plant(workspace / name)
    command = [*COMMANDS[name], "-o", name]
    result = CliRunner().invoke(app, ["--no-color", *command])
    assert (result.exit_code, result.stdout, result.stderr[-len(_refusal(name)) :]) == (
        2,
        "",
        _refusal(name),
    )
    _untouched(workspace, workspace / name)


def test_a_planted_link_at_the_baseline_is_refused(workspace: Path) -> None:
    _plant(workspace / "baseline.json")
    result = CliRunner().invoke(
        app, ["-q", "check", "threatmodel.yaml", "--write-baseline", "baseline.json"]
    )
    assert (result.exit_code, result.stderr) == (2, _refusal("baseline.json"))
    _untouched(workspace, workspace / "baseline.json")


def test_a_dangling_link_is_not_created_through(workspace: Path) -> None:
    # the link points at a file that does not exist yet: following it would create it
    _plant(workspace / "starter" / "threatmodel.yaml", "../../outside/new-file")
    result = CliRunner().invoke(app, ["-q", "init", "starter"])
    assert (result.exit_code, result.stderr) == (2, _refusal("starter/threatmodel.yaml"))
    _untouched(workspace, workspace / "starter" / "threatmodel.yaml", "../../outside/new-file")


def test_a_planted_folder_link_is_refused_for_a_relative_path(workspace: Path) -> None:
    # reports/ is a link to the folder outside: reports/authorized_keys would land there
    (workspace / "reports").symlink_to("../outside", target_is_directory=True)
    result = CliRunner().invoke(
        app, ["-q", "analyze", "threatmodel.yaml", "-f", "sarif", "-o", "reports/authorized_keys"]
    )
    assert (result.exit_code, result.stderr) == (2, _refusal("reports"))
    _untouched(workspace, workspace / "reports", "../outside")


def test_a_planted_folder_link_is_refused_below_the_working_directory(workspace: Path) -> None:
    # an absolute path into the checkout ($GITHUB_WORKSPACE/reports/...) is held the same way
    (workspace / "reports").symlink_to("../outside", target_is_directory=True)
    out = Path.cwd() / "reports" / "authorized_keys"
    result = CliRunner().invoke(
        app, ["-q", "analyze", "threatmodel.yaml", "-f", "sarif", "-o", str(out)]
    )
    assert (result.exit_code, result.stderr) == (2, _refusal("reports"))
    _untouched(workspace, workspace / "reports", "../outside")


def test_rules_docs_refuses_a_folder_link_and_a_link_inside_the_folder(workspace: Path) -> None:
    (workspace / "site").symlink_to("../outside", target_is_directory=True)
    result = CliRunner().invoke(app, ["-q", "rules", "docs", "-o", "site"])
    assert (result.exit_code, result.stderr) == (2, "error: site exists and is not a folder\n")
    _untouched(workspace, workspace / "site", "../outside")
    # the folder is real, but a page in it is a planted link
    _plant(workspace / "docs" / "index.md", "../../outside/authorized_keys")
    result = CliRunner().invoke(app, ["-q", "rules", "docs", "-o", "docs"])
    assert (result.exit_code, result.stderr) == (2, _refusal("docs/index.md"))
    _untouched(workspace, workspace / "docs" / "index.md", "../../outside/authorized_keys")


def test_rules_docs_refuses_a_link_for_a_subfolder_of_pages(workspace: Path) -> None:
    (workspace / "docs").mkdir()
    (workspace / "docs" / "rules").symlink_to("../../outside", target_is_directory=True)
    result = CliRunner().invoke(app, ["-q", "rules", "docs", "-o", "docs"])
    assert (result.exit_code, result.stderr) == (2, _refusal("docs/rules"))
    _untouched(workspace, workspace / "docs" / "rules", "../../outside")


# --- write_file itself ----------------------------------------------------------------------


def test_write_file_replaces_a_file_whole_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out" / "threatforge.sarif"
    write_file(target, "first\n")
    assert target.read_text("utf-8") == "first\n"
    target.chmod(0o640)
    inode = target.stat().st_ino
    write_file(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != inode  # a new file renamed over the old one
    assert sorted(p.name for p in target.parent.iterdir()) == ["threatforge.sarif"]


def test_write_file_writes_a_device_in_place() -> None:
    write_file(Path("/dev/null"), "discarded\n")


def test_write_file_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused = r"^cannot write .*/pipe: it exists and is not a file$"
    with pytest.raises(UnsafeOutputError, match=refused):
        write_file(fifo, "x")


def test_write_file_refuses_a_folder_name(tmp_path: Path) -> None:
    refused = r"^cannot write \.\.: it names a folder, not a file$"
    with pytest.raises(UnsafeOutputError, match=refused):
        write_file(Path(".."), "x")


def test_write_file_leaves_no_temporary_file_when_the_rename_fails(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "child").write_text("x", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match="it exists and is not a file"):
        write_file(tmp_path / "taken", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
