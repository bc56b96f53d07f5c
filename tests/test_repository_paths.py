"""No absolute path of a build machine appears in the repository.

Docs, code and fixtures cite public sources (a repository and commit), never a folder of the
machine they were written on: such a path means nothing to a reader and leaks the build layout.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Folders of this build machine and its package mirrors. A CI runner's checkout path inside a
# SARIF sample (file:///home/runner/work/...) is data a real scanner writes, so it is not listed.
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|opt|root|srv)/[\w.-]+|/tmp/bash_jobs")


def _tracked_text_files() -> list[Path]:
    done = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False, timeout=60
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout")  # an sdist has no .git; the CI clone has one
    paths = [ROOT / name for name in done.stdout.decode().split("\0") if name]
    return [path for path in paths if path.is_file() and not path.is_symlink()]


def machine_paths(text: str) -> list[str]:
    return [match.group(0) for match in MACHINE_PATH.finditer(text)]


def test_the_pattern_finds_machine_paths_and_not_runner_urls() -> None:
    assert machine_paths("as listed in `/work/shared/formats/coverage/`.") == ["/work/shared"]
    assert machine_paths("pip --find-links /opt/wheels") == ["/opt/wheels"]
    assert machine_paths("file:///home/runner/work/shop/shop/requirements.txt") == []
    assert machine_paths("see src/threatforge/work/x.py and docs/opt/") == []


def test_no_tracked_file_cites_a_build_machine_path() -> None:
    found: list[str] = []
    for path in _tracked_text_files():
        if path == Path(__file__).resolve():
            continue  # the examples above
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary (fonts, images)
        text = data.decode("utf-8", errors="replace")
        for line_number, line in enumerate(text.splitlines(), start=1):
            for hit in machine_paths(line):
                found.append(f"{path.relative_to(ROOT)}:{line_number}: {hit}")
    assert found == []
