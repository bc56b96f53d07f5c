"""``threatforge import auto DIR``: every source in a repository that an importer reads, and what
was passed over (issue 16 item 6).

Each importer with file patterns (:attr:`~threatforge.importers.interface.Importer.patterns`)
claims the files they match below ``DIR`` (searched as :mod:`threatforge.importers.walk` does).
Files that look like infrastructure code or an API description but that no importer claims are
listed as skipped with what they seem to be: a ``.tf`` file is Terraform; a YAML or JSON file is
recognised by its top-level keys (``apiVersion``/``kind``: Kubernetes,
``AWSTemplateFormatVersion``/``Resources``: CloudFormation, ``openapi``/``swagger``: OpenAPI),
read from its first 4 KiB without parsing it. A file recognised so is read by the importer for
its kind when there is one (an OpenAPI document by ``openapi``, a template by
``cloudformation``), whatever its name (``api.yaml``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from threatforge.importers.interface import Importer
from threatforge.importers.walk import find_files

__all__ = ["AUTO", "Discovery", "discover", "looks_like"]

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
_READERS: Mapping[str, str] = {"OpenAPI": "openapi", "CloudFormation": "cloudformation"}
"""What a file seems to be -> the importer that reads such a file whatever its name (an API
description is often called ``api.yaml``): ``auto`` gives it the files it recognises."""


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
        mine = tuple(f for f in files if f not in claimed and importer.claims(f))
        if mine:
            groups.append((name, mine))
            claimed.update(mine)
    candidates, notes = find_files([root], _CANDIDATES, what="files", required=False)
    skipped = list(notes)
    recognised: dict[str, list[Path]] = {}
    for path in candidates:
        if path in claimed:
            continue
        kind = looks_like(path)
        reader = _READERS.get(kind or "")
        if reader is not None and reader in importers:
            recognised.setdefault(reader, []).append(path)
        elif kind is not None:
            skipped.append(f"{path}: {kind} (no importer for it yet)")
    for reader, paths in recognised.items():
        index = next((i for i, (name, _) in enumerate(groups) if name == reader), None)
        if index is None:
            groups.append((reader, tuple(paths)))
        else:
            groups[index] = (reader, tuple(sorted((*groups[index][1], *paths))))
    return Discovery(tuple(groups), tuple(skipped))


def looks_like(path: Path) -> str | None:
    """What ``path`` seems to be (``Terraform``, ``Kubernetes``, ...), from its name or its first
    4 KiB; None when it looks like none of them."""
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
