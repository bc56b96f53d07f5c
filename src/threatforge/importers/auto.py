"""``threatforge import auto DIR``: every source in a repository that an importer reads, and what
was passed over (issue 16 item 6).

Each importer with file patterns (:attr:`~threatforge.importers.interface.Importer.patterns`)
claims the files they match below ``DIR`` (searched as :mod:`threatforge.importers.walk` does).
Files that look like infrastructure code or an API description but that no importer claims are
listed as skipped with what they seem to be: a ``.tf`` file is Terraform; a YAML or JSON file is
recognised by its top-level keys (``apiVersion``/``kind``: Kubernetes,
``AWSTemplateFormatVersion``/``Resources``: CloudFormation, ``openapi``/``swagger``: OpenAPI),
read from its first 4 KiB without parsing it. A file recognised so is read by the importer for
its kind when there is one (``cloudformation``), whatever its name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from threatforge.importers.interface import Importer
from threatforge.importers.walk import find_files

__all__ = ["AUTO", "Discovery", "discover"]

AUTO = "auto"
"""Not an importer: the word that asks for every importer (no importer may take the name)."""

_CANDIDATES = ("*.tf", "*.tf.json", "*.yaml", "*.yml", "*.json", "*.template")
_PEEK = 4096
_KINDS: tuple[tuple[tuple[re.Pattern[str], ...], str], ...] = (
    (
        (
            re.compile(
                r"^(AWSTemplateFormatVersion|Resources)\s*:|\"AWSTemplateFormatVersion\"", re.M
            ),
        ),
        "CloudFormation",
    ),
    ((re.compile(r"^(openapi|swagger)\s*:|\"(openapi|swagger)\"\s*:", re.M),), "OpenAPI"),
    ((re.compile(r"^apiVersion\s*:", re.M), re.compile(r"^kind\s*:", re.M)), "Kubernetes"),
    ((re.compile(r"^services\s*:", re.M),), "Compose"),
)
"""What a file seems to be: every pattern of an entry found in its first 4 KiB."""
_READERS = {"CloudFormation": "cloudformation"}
"""The importer that reads a file recognised by its content, whatever its name."""


@dataclass(frozen=True)
class Discovery:
    """What ``auto`` found: the files each importer reads, and what it passed over."""

    groups: tuple[tuple[str, tuple[Path, ...]], ...]
    skipped: tuple[str, ...]


def discover(root: Path, importers: Mapping[str, Importer]) -> Discovery:
    """The files below ``root`` each importer claims (first importer first), and the others
    that look like sources, each as ``path: what it seems to be (why it was not read)``."""
    claimed: set[Path] = set()
    groups: list[tuple[str, tuple[Path, ...]]] = []
    for name, importer in importers.items():
        if not importer.patterns:
            continue
        files, _ = find_files([root], importer.patterns, what="files", required=False)
        mine = tuple(f for f in files if f not in claimed)
        if mine:
            groups.append((name, mine))
            claimed.update(mine)
    candidates, notes = find_files([root], _CANDIDATES, what="files", required=False)
    skipped = list(notes)
    by_content: dict[str, list[Path]] = {}
    for path in candidates:
        if path in claimed:
            continue
        kind = _looks_like(path)
        reader = _READERS.get(kind or "")
        if reader is not None and reader in importers:
            by_content.setdefault(reader, []).append(path)  # recognised by its content
        elif kind is not None:
            skipped.append(f"{path}: {kind} (no importer for it yet)")
    for reader, files in by_content.items():
        found = dict(groups)
        if reader in found:
            groups = [(n, (*f, *files) if n == reader else f) for n, f in groups]
        else:
            groups.append((reader, tuple(files)))
    return Discovery(tuple(groups), tuple(skipped))


def _looks_like(path: Path) -> str | None:
    if path.name.endswith((".tf", ".tf.json")):
        return "Terraform"
    if not path.is_file():  # a pipe or a device is not opened (it could block)
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as handle:
            head = handle.read(_PEEK).decode("utf-8", errors="replace")
    except OSError:
        return None
    for patterns, kind in _KINDS:
        if all(p.search(head) for p in patterns):
            return kind
    return None
