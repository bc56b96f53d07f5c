"""Finding an importer's files: links are not followed out of the folder, other people's code
is skipped, and a search that finds nothing says what it looked for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from threatforge.errors import ImporterError
from threatforge.importers.walk import find_files

PATTERNS = ("compose.yaml",)


def test_links_are_not_followed_and_vendored_folders_are_skipped(tmp_path: Path) -> None:
    """The attack: a repository plants links to files and folders outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "compose.yaml").write_text("services: {}\n")
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "compose.yaml").write_text("services: {}\n")
    os.symlink(outside, repo / "linked-folder")
    (repo / "other").mkdir()
    os.symlink(outside / "compose.yaml", repo / "other" / "compose.yaml")
    for skipped in ("node_modules/x", ".git", "vendor"):
        (repo / skipped).mkdir(parents=True)
        (repo / skipped / "compose.yaml").write_text("services: {}\n")
    files, notes = find_files([repo], PATTERNS, what="Compose files")
    assert files == [repo / "app" / "compose.yaml"]
    assert notes == [f"skipped {repo / 'other' / 'compose.yaml'}: a symbolic link"]
    with pytest.raises(ImporterError) as raised:
        find_files([repo / "linked-folder"], PATTERNS, what="Compose files")
    assert str(raised.value) == (
        f"{repo / 'linked-folder'}: is a symbolic link to a folder; give the folder itself"
    )


def test_a_missing_path_or_an_empty_search_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ImporterError) as raised:
        find_files([tmp_path / "nope"], PATTERNS, what="Compose files")
    assert str(raised.value) == f"{tmp_path / 'nope'}: no such file or folder"
    assert find_files([tmp_path], PATTERNS, what="Compose files", required=False) == ([], [])
