"""Read a model as it was at a git ref (``GIT_REF:PATH``), for diffs and ``check --base``.

The repository is resolved once, from the invocation directory or an explicit ``--repo``, never
from the model's folder, and a model that lies in a repository nested in the checkout (a
``.git`` entry, or a planted bare repository, between it and the root) is refused. Files are
read by object id from the resolved commit (``git ls-tree``/``git cat-file`` through
:class:`~threatforge.model.sources.GitTree`), with replace refs ignored, the environment's
repository overrides dropped and the ref checked against a strict pattern; ``include:`` is read
from the same commit. git runs with an argument list, never a shell.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from threatforge.model import Model, load_source
from threatforge.model.sources import GitError, GitRepository, GitTree

__all__ = [
    "REF_PATTERN",
    "GitSource",
    "GitSourceError",
    "load_at_ref",
    "load_base",
    "open_repository",
    "parse_source",
    "resolve_spec",
]

REF_PATTERN = re.compile(r"^[A-Za-z0-9._/~^@{}-]+$")
"""Branch, tag, sha, ``HEAD~1``, ``origin/main``, ``main@{1}``: nothing a shell or git could
read as an option or a range."""
MAX_REF_CHARS = 200

GitSourceError = GitError
"""A git repository, ref or the path at it could not be used (one error type for both)."""


@dataclass(frozen=True, slots=True)
class GitSource:
    """A file at a git ref. ``path`` is relative to the repository root, or to the working
    directory when it starts with ``./`` or ``../`` (as ``git show`` reads it)."""

    ref: str
    path: str

    def __str__(self) -> str:
        return f"{self.ref}:{self.path}"


def validate_ref(ref: str) -> str:
    """The ref, or :class:`GitSourceError` when it is not a plain ref name or revision."""
    if not ref or len(ref) > MAX_REF_CHARS or ref.startswith("-") or ".." in ref:
        raise GitSourceError(
            f"'{ref[:MAX_REF_CHARS]}' is not a usable git ref: use a branch, tag, commit or "
            "revision such as HEAD~1 or origin/main (no ranges, not starting with '-')"
        )
    if not REF_PATTERN.match(ref):
        raise GitSourceError(
            f"git ref '{ref}' has characters outside A-Z a-z 0-9 . _ / ~ ^ @ {{ }} -"
        )
    return ref


def parse_source(spec: str) -> GitSource | None:
    """``GIT_REF:PATH`` as a :class:`GitSource`; None when ``spec`` is a file path.

    A spec that names an existing file is a path even when it contains a colon.
    """
    if os.path.exists(spec) or ":" not in spec:
        return None
    ref, _, path = spec.partition(":")
    validate_ref(ref)
    _validate_path(path, spec)
    return GitSource(ref, path)


def _validate_path(path: str, spec: str) -> None:
    if not path or path.startswith("/") or any(c in path for c in "\0\n\r"):
        raise GitSourceError(
            f"'{spec}': after 'GIT_REF:' give the model's path inside the repository, e.g. "
            "HEAD~1:threatmodel.yaml"
        )


def open_repository(repo: Path | None = None) -> GitRepository:
    """The repository of ``repo`` (``--repo``) or else of the current directory."""
    return GitRepository.discover(repo if repo is not None else Path.cwd())


def resolve_spec(spec: str, repository: GitRepository | None = None) -> GitSource | None:
    """``OLD``/``NEW`` of ``diff``: a git object first, a file otherwise (#14.6).

    ``REF:PATH`` is a git source when REF names a commit in the repository; a file of that very
    name is then refused, since a change could commit a file called ``<sha>:threatmodel.yaml``
    to stand in for the real base. ``./NAME`` always names a file.
    """
    if spec.startswith(("./", "../", "/")) or ":" not in spec:
        return None
    ref, _, path = spec.partition(":")
    if not REF_PATTERN.match(ref) or ref.startswith("-") or ".." in ref:
        if os.path.lexists(spec):
            return None
        return parse_source(spec)  # raises the message for a malformed ref
    repo = repository
    if repo is None:
        try:
            repo = open_repository()
        except GitError:
            if os.path.lexists(spec):
                return None
            raise
    if repo.commit(ref) is None:
        if os.path.lexists(spec):
            return None
        return parse_source(spec)
    if os.path.lexists(spec):
        raise GitSourceError(
            f"'{spec}' names both a file in this folder and '{path}' at the git commit '{ref}'; "
            f"refusing to guess: rename the file, or write './{spec}' for the file"
        )
    _validate_path(path, spec)
    return GitSource(ref, path)


def _repository_path(source: GitSource, repository: GitRepository, cwd: Path) -> str:
    """The source's path relative to the repository root (``./`` and ``../``: to ``cwd``)."""
    path = source.path
    if path.startswith(("./", "../")) or path in (".", ".."):
        return repository.path_of(cwd / path)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise GitSourceError(f"'{source}': the path may not contain '..' after the ref")
    return "/".join(parts)


def load_at_ref(
    source: GitSource,
    cwd: Path | None = None,
    *,
    repository: GitRepository | None = None,
    display: str | None = None,
) -> Model | None:
    """The model at the ref, its includes read from the same commit (None when the file did
    not exist there). Raises :class:`~threatforge.model.ModelError` for an invalid model and
    :class:`GitSourceError` when the repository, ref or path cannot be used."""
    ref = validate_ref(source.ref)
    _validate_path(source.path, str(source))
    here = cwd if cwd is not None else Path.cwd()
    repo = repository if repository is not None else open_repository(here)
    path = _repository_path(source, repo, here)
    commit = repo.commit(ref)
    if commit is None:
        raise GitSourceError(
            f"unknown git ref '{ref}' (in a shallow CI checkout, fetch the history first, "
            "e.g. actions/checkout with fetch-depth: 0)"
        )
    tree = GitTree(repo, commit, ref)
    if not tree.exists(path):
        return None
    return load_source(tree, path, display=display or str(source))


def load_base(model: Path, ref: str, repository: GitRepository) -> tuple[Model | None, str]:
    """``check --base``: the same model file at ``ref``, and how it is named (``REF:PATH``).

    The file's place in the repository comes from its real path, checked by
    :meth:`GitRepository.path_of` (inside the working tree, no nested repository on the way).
    """
    validate_ref(ref)
    path = repository.path_of(model)
    source = GitSource(ref, path)
    return load_at_ref(source, repository=repository), str(source)
