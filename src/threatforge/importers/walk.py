"""Finding an importer's files: the paths given, and in folders the files its patterns match.

Folders are searched below, in sorted order, without following symbolic links (a link in a
repository must not lead the import out of it), skipping hidden folders and the folders that
hold other people's code (``node_modules``, ``vendor``, ``.terraform``). At most
:data:`MAX_FILES` files are read per import: a larger tree is refused, not cut short.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from threatforge.errors import ImporterError

__all__ = ["MAX_FILES", "SKIPPED_FOLDERS", "find_files"]

MAX_FILES = 10_000
SKIPPED_FOLDERS = frozenset({"node_modules", "vendor", ".terraform", "__pycache__", ".venv"})


def find_files(
    paths: Sequence[Path], patterns: Sequence[str], *, what: str, required: bool = True
) -> tuple[list[Path], list[str]]:
    """The files to read (given files as they are; in folders, those matching ``patterns``),
    and notes on what was passed over. :class:`ImporterError` for a path that does not exist
    or (when ``required``) a folder where nothing matches (``what`` names the files wanted:
    "Compose files")."""
    found: list[Path] = []
    notes: list[str] = []
    for path in paths:
        if path.is_symlink() and path.is_dir():
            raise ImporterError(f"{path}: is a symbolic link to a folder; give the folder itself")
        if path.is_file():
            found.append(path)
            continue
        if not path.is_dir():
            raise ImporterError(f"{path}: no such file or folder")
        before = len(found)
        for folder, folders, files in os.walk(path, followlinks=False):
            folders[:] = sorted(
                f for f in folders if not f.startswith(".") and f not in SKIPPED_FOLDERS
            )
            for name in sorted(files):
                if any(fnmatchcase(name, pattern) for pattern in patterns):
                    candidate = Path(folder) / name
                    if candidate.is_symlink():
                        notes.append(f"skipped {candidate}: a symbolic link")
                        continue
                    found.append(candidate)
                    if len(found) > MAX_FILES:
                        raise ImporterError(
                            f"{path}: more than {MAX_FILES:,} {what}; import a smaller folder"
                        )
        if required and len(found) == before:
            raise ImporterError(f"{path}: no {what} found (looked for {', '.join(patterns)})")
    return found, notes
