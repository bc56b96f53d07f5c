"""Sources of model files: memory, the working tree (no check-then-open race), a git commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from threatforge.model import (
    GitRepository,
    GitTree,
    Location,
    MemorySource,
    ModelError,
    Problem,
    SourceError,
    WorkingTree,
    load,
    load_source,
    load_source_with_diagnostics,
)
from threatforge.model import sources as sources_module

ROOT = (
    b"system: {name: Shop}\ninclude: [parts/services.yaml]\nboundaries: {dmz: {trust: trusted}}\n"
)
SERVICES = b"components:\n  api: {kind: service, zone: dmz}\n"


def errors(source: MemorySource | GitTree, root: str = "threatmodel.yaml") -> list[str]:
    result = load_source_with_diagnostics(source, root)
    assert result.model is None
    return [d.format() for d in result.diagnostics]


# --- memory ---------------------------------------------------------------------------------


def test_includes_are_read_from_memory() -> None:
    source = MemorySource({"threatmodel.yaml": ROOT, "parts/services.yaml": SERVICES})
    model = load_source(source, "threatmodel.yaml")
    assert model.files == ("threatmodel.yaml", "parts/services.yaml")
    assert model.components["api"].location == Location("parts/services.yaml", 2, 3)


def test_a_model_in_a_memory_sub_folder_includes_relative_to_itself() -> None:
    source = MemorySource({"svc/threatmodel.yaml": ROOT, "svc/parts/services.yaml": SERVICES})
    model = load_source(source, "svc/threatmodel.yaml", display="upload:svc/threatmodel.yaml")
    assert model.files == ("upload:svc/threatmodel.yaml", "svc/parts/services.yaml")


def test_memory_includes_keep_every_include_rule() -> None:
    source = MemorySource(
        {
            "m/threatmodel.yaml": b"system: {name: Shop}\n"
            b"include: [../x.yaml, a.yaml, a.yaml, missing.yaml, parts]\n",
            "x.yaml": b"components: {}\n",
            "m/a.yaml": b"include: [threatmodel.yaml]\n",
            "m/parts/b.yaml": b"components: {}\n",
        }
    )
    assert errors(source, "m/threatmodel.yaml") == [
        "m/a.yaml:1:11: error: include 'threatmodel.yaml' makes a loop:"
        " m/threatmodel.yaml -> m/a.yaml -> m/threatmodel.yaml",
        "m/missing.yaml: error: no such file",
        "m/parts: error: is a directory, not a model file",
        "m/threatmodel.yaml:2:11: error: include '../x.yaml' resolves outside the model's folder"
        " (<memory>/m); included files must sit in the root model's folder or below it",
        "m/threatmodel.yaml:2:30: error: include 'a.yaml' is already included (m/a.yaml)",
    ]


def test_a_missing_root_in_memory() -> None:
    assert errors(MemorySource({})) == ["threatmodel.yaml: error: no such file"]


def test_memory_files_over_the_size_limit_are_refused() -> None:
    from threatforge.model import Limits
    from threatforge.model.loader import load_source_with_diagnostics as diagnose

    source = MemorySource({"threatmodel.yaml": b"system: {name: Shop}\n" + b"#" * 100})
    result = diagnose(source, "threatmodel.yaml", limits=Limits(max_bytes=64))
    assert [d.format() for d in result.diagnostics] == [
        "threatmodel.yaml: error: is larger than 64 bytes; split it with 'include:'"
    ]


# --- working tree ---------------------------------------------------------------------------


def test_load_reads_through_the_working_tree_source(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "threatmodel.yaml").write_bytes(ROOT)
    (tmp_path / "parts" / "services.yaml").write_bytes(SERVICES)
    via_source = load_source(WorkingTree(tmp_path), "threatmodel.yaml", display="threatmodel.yaml")
    assert via_source.files == ("threatmodel.yaml", f"{tmp_path}/parts/services.yaml")
    assert load(tmp_path / "threatmodel.yaml").files == (
        f"{tmp_path}/threatmodel.yaml",
        f"{tmp_path}/parts/services.yaml",
    )


def test_a_name_swapped_for_a_link_between_look_and_open_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#14.18, deterministic: the file becomes a link to a secret right before it is opened."""
    model = tmp_path / "model"
    (model / "parts").mkdir(parents=True)
    (model / "threatmodel.yaml").write_bytes(ROOT)
    part = model / "parts" / "services.yaml"
    part.write_bytes(SERVICES)
    secret = tmp_path / "secret.yaml"
    secret.write_bytes(b"components:\n  stolen: {kind: service, zone: dmz}\n")
    real_open = os.open

    def swapping_open(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if path == "services.yaml":  # the attacker wins the race here
            part.unlink()
            part.symlink_to(secret)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sources_module.os, "open", swapping_open)
    monkeypatch.chdir(model)
    result = load_source_with_diagnostics(
        WorkingTree(), f"{str(model).lstrip('/')}/threatmodel.yaml", display="threatmodel.yaml"
    )
    assert result.model is None
    assert [d.format() for d in result.diagnostics] == [
        f"{model}/parts/services.yaml: error: changed while it was being read"
    ]


_FLIPPER = """
import os, sys
parts, secret = sys.argv[1], sys.argv[2]
part = os.path.join(parts, "services.yaml")
regular, link = os.path.join(parts, "r.tmp"), os.path.join(parts, "l.tmp")
while True:
    os.link(os.path.join(parts, "inside.yaml"), regular)
    os.replace(regular, part)
    os.symlink(secret, link)
    os.replace(link, part)
"""


def test_racing_loads_never_read_outside_the_folder(tmp_path: Path) -> None:
    """#14.18 as the attack: another process flips a name between a file and a link to a
    secret outside the folder while the model loads (the old realpath-then-open loader read
    the secret a few times in a thousand)."""
    model = tmp_path / "model"
    (model / "parts").mkdir(parents=True)
    (model / "threatmodel.yaml").write_bytes(ROOT)
    secret = tmp_path / "secret.yaml"
    secret.write_bytes(b"components:\n  stolen: {kind: service, zone: dmz}\n")
    (model / "parts" / "inside.yaml").write_bytes(SERVICES)
    flipper = subprocess.Popen([sys.executable, "-c", _FLIPPER, str(model / "parts"), str(secret)])
    outcomes: Counter[str] = Counter()
    try:
        for _ in range(1500):
            try:
                loaded = load(model / "threatmodel.yaml")
            except ModelError as exc:
                outcomes[exc.diagnostics[0].message.split(" (")[0]] += 1
                continue
            outcomes["stolen" if "stolen" in loaded.components else "loaded"] += 1
    finally:
        flipper.kill()
        flipper.wait()
    assert outcomes["stolen"] == 0
    assert set(outcomes) <= {
        "loaded",
        "include 'parts/services.yaml' resolves outside the model's folder",
        "changed while it was being read",
        "no such file",
    }


def test_a_link_to_a_file_elsewhere_inside_the_folder_is_followed_by_the_walk(
    tmp_path: Path,
) -> None:
    (tmp_path / "parts" / "deep").mkdir(parents=True)
    (tmp_path / "parts" / "deep" / "real.yaml").write_bytes(SERVICES)
    (tmp_path / "parts" / "services.yaml").symlink_to("deep/../deep/real.yaml")
    (tmp_path / "threatmodel.yaml").write_bytes(ROOT)
    source = WorkingTree(tmp_path)
    assert source.read("", "parts/services.yaml", 1000).key == "parts/deep/real.yaml"
    with pytest.raises(SourceError) as raised:
        source.read("parts", "../threatmodel.yaml", 1000)
    assert raised.value.problem is Problem.OUTSIDE


# --- a git commit ---------------------------------------------------------------------------


def _git(folder: Path, *args: str) -> str:
    found = shutil.which("git")
    if found is None:
        pytest.skip("system dependency 'git' is not installed")
    done = subprocess.run(
        [found, "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip()


def test_a_commit_is_read_by_object_id_with_its_includes(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "svc" / "parts").mkdir(parents=True)
    (tmp_path / "svc" / "threatmodel.yaml").write_bytes(ROOT)
    (tmp_path / "svc" / "parts" / "services.yaml").write_bytes(SERVICES)
    (tmp_path / "svc" / "parts" / "link.yaml").symlink_to("services.yaml")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "model")
    commit = _git(tmp_path, "rev-parse", "HEAD")
    # the working tree changes afterwards: the commit is what is read
    (tmp_path / "svc" / "parts" / "services.yaml").write_bytes(b"components: {}\n")
    repository = GitRepository.discover(tmp_path)
    tree = GitTree(repository, commit, "main")
    model = load_source(tree, "svc/threatmodel.yaml")
    assert model.files == ("main:svc/threatmodel.yaml", "main:svc/parts/services.yaml")
    assert list(model.components) == ["api"]
    assert tree.read("svc", "parts/link.yaml", 1000).key == "svc/parts/services.yaml"
    assert tree.exists("svc/threatmodel.yaml")
    assert not tree.exists("svc/nothing.yaml")
    with pytest.raises(SourceError) as raised:
        tree.read("svc", "../x.yaml", 1000)
    assert raised.value.problem is Problem.OUTSIDE
