"""``check --base`` and ``diff REF:PATH`` against a pull request that attacks them (#14.1, #14.6).

Each test is the attack: a change to a real temporary git repository, then the command CI runs.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sdlc_models import BACKDOOR, ORDERS, ORDERS_WITH_BACKDOOR, Invoke, git

MODEL = "services/orders/threatmodel.yaml"
IDENTITY = ("-c", "user.name=Attacker", "-c", "user.email=a@example.com")


@pytest.fixture
def pull_request(folder: Path) -> tuple[Path, str]:
    """A repository whose ``main`` has the secure model in a sub-folder and whose checked-out
    branch ``pr`` adds the backdoor flow; returns the folder and the base commit's id."""
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "commit.gpgsign", "false")
    (folder / "services" / "orders").mkdir(parents=True)
    (folder / MODEL).write_text(ORDERS, encoding="utf-8")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "secure model")
    base = git(folder, "rev-parse", "HEAD").strip()
    git(folder, "checkout", "-q", "-b", "pr")
    (folder / MODEL).write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    return folder, base


def _fake_commit(scratch: Path) -> tuple[Path, str]:
    """A bare repository holding one commit whose model already has the backdoor."""
    work = scratch / "work"
    work.mkdir(parents=True)
    git(work, "init", "-q", "-b", "fake")
    (work / "threatmodel.yaml").write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    git(work, "add", ".")
    git(work, *IDENTITY, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "fake base")
    fake = git(work, "rev-parse", "HEAD").strip()
    git(scratch, "init", "-q", "--bare", "planted")
    git(work, "push", "-q", str(scratch / "planted"), "fake:refs/heads/fake")
    return scratch / "planted", fake


def _plant_bare_repository(repo: Path, base: str, scratch: Path) -> None:
    """Commit, beside the model, a repository whose replace ref turns the base commit into
    one where the backdoor is already known (what the old code read as the base)."""
    planted, fake = _fake_commit(scratch)
    folder = repo / "services" / "orders"
    for name in ("HEAD", "objects", "refs"):
        source = planted / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy(source, folder / name)
    (folder / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n", "utf-8"
    )
    (folder / "refs" / "replace").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / "replace" / base).write_text(fake + "\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add a direct flow")


def test_a_bare_repository_planted_beside_the_model_is_refused(
    invoke: Invoke, pull_request: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo, base = pull_request
    _plant_bare_repository(repo, base, tmp_path_factory.mktemp("attacker"))
    result = invoke("check", MODEL, "--base", base)
    assert result.exit_code == 2
    folder = os.path.realpath(repo)
    assert result.stderr == (
        f"error: '{MODEL}' lies in a git repository nested inside {folder} "
        f"({folder}/services/orders); threatforge reads the base only from the repository it "
        "was started in (or --repo), never from one inside the checkout\n"
    )


def test_started_inside_the_planted_repository_git_refuses_it(
    invoke: Invoke,
    pull_request: tuple[Path, str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, base = pull_request
    _plant_bare_repository(repo, base, tmp_path_factory.mktemp("attacker"))
    monkeypatch.chdir(repo / "services" / "orders")
    result = invoke("check", "threatmodel.yaml", "--base", base)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: no git repository at {os.path.realpath(repo)}/services/orders: "
        "fatal: cannot use bare repository"
    )


def test_with_repo_named_the_real_base_is_read_and_the_new_finding_fails(
    invoke: Invoke,
    pull_request: tuple[Path, str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, base = pull_request
    (repo / "services" / "orders" / ".git").write_text("gitdir: /nowhere\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    result = invoke("check", str(repo / MODEL), "--base", base, "--repo", str(repo))
    assert result.exit_code == 2
    assert "lies in a git repository nested inside" in result.stderr
    (repo / "services" / "orders" / ".git").unlink()
    result = invoke("check", str(repo / MODEL), "--base", base, "--repo", str(repo), "-f", "json")
    assert result.exit_code == 1
    verdict = json.loads(result.stdout)["models"][0]
    assert [f["fingerprint"] for f in verdict["failing"]] == [BACKDOOR]


def test_replace_refs_in_the_repository_are_ignored(
    invoke: Invoke, pull_request: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo, base = pull_request
    git(repo, "commit", "-q", "-am", "add a direct flow")
    planted, fake = _fake_commit(tmp_path_factory.mktemp("attacker"))
    git(repo, "fetch", "-q", str(planted), "refs/heads/fake:refs/heads/fake")
    git(repo, "update-ref", f"refs/replace/{base}", fake)
    assert git(repo, "rev-parse", f"{base}^{{tree}}") == git(repo, "rev-parse", "fake^{tree}")
    result = invoke("check", MODEL, "--base", base, "-f", "json")
    assert result.exit_code == 1
    verdict = json.loads(result.stdout)["models"][0]
    assert [f["fingerprint"] for f in verdict["failing"]] == [BACKDOOR]
    assert verdict["tolerated"] == []


@pytest.mark.parametrize(
    "variable", ["GIT_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"]
)
def test_git_environment_overrides_are_ignored(
    invoke: Invoke,
    pull_request: tuple[Path, str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    _, base = pull_request
    planted, _ = _fake_commit(tmp_path_factory.mktemp("attacker"))
    target = planted if variable == "GIT_DIR" else planted / "objects"
    monkeypatch.setenv(variable, str(target))
    result = invoke("check", MODEL, "--base", base, "-f", "json")
    assert result.exit_code == 1, result.stderr
    verdict = json.loads(result.stdout)["models"][0]
    assert [f["fingerprint"] for f in verdict["failing"]] == [BACKDOOR]


def test_a_model_outside_the_repository_is_refused(
    invoke: Invoke, pull_request: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo, base = pull_request
    outside = tmp_path_factory.mktemp("outside") / "threatmodel.yaml"
    outside.write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    result = invoke("check", str(outside), "--base", base)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: '{outside}' is not inside the repository {os.path.realpath(repo)}; run "
        "threatforge from the repository it belongs to, or name it with --repo\n"
    )


# --- diff REF:PATH shadowed by a committed file (#14.6) -------------------------------------


def test_a_file_named_like_a_git_object_is_refused(
    invoke: Invoke, pull_request: tuple[Path, str]
) -> None:
    repo, base = pull_request
    shadow = f"{base}:{MODEL}"
    (repo / shadow).parent.mkdir(parents=True)  # the attacker commits a look-alike "base"
    (repo / shadow).write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add a direct flow")
    result = invoke("diff", shadow, MODEL)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: '{shadow}' names both a file in this folder and '{MODEL}' at the git commit "
        f"'{base}'; refusing to guess: rename the file, or write './{shadow}' for the file\n"
    )


def test_the_explicit_file_form_reads_the_file(
    invoke: Invoke, pull_request: tuple[Path, str]
) -> None:
    repo, base = pull_request
    shadow = f"{base}:{MODEL}"
    (repo / shadow).parent.mkdir(parents=True)
    (repo / shadow).write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    result = invoke("diff", f"./{shadow}", MODEL, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == []


def test_the_git_object_is_read_when_no_file_shadows_it(
    invoke: Invoke, pull_request: tuple[Path, str]
) -> None:
    _, base = pull_request
    result = invoke("diff", f"{base}:{MODEL}", MODEL, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [f["fingerprint"] for f in json.loads(result.stdout)["new"]] == [BACKDOOR]
