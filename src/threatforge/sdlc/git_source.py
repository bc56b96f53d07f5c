"""Read a model as it was at a git ref (``GIT_REF:PATH``), for diffs and ``check --base``.

git runs with an argument list (never a shell), after the ref has been checked against a strict
pattern, and its output is bounded: the blob's size is asked first. Models read this way cannot
use ``include:`` (the included files would have to be read from the same ref).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from threatforge.errors import ModelError, ThreatforgeError
from threatforge.model import Model, load_text
from threatforge.model._yaml import Limits

__all__ = [
    "REF_PATTERN",
    "GitSource",
    "GitSourceError",
    "load_at_ref",
    "parse_source",
    "read_at_ref",
]

REF_PATTERN = re.compile(r"^[A-Za-z0-9._/~^@{}-]+$")
"""Branch, tag, sha, ``HEAD~1``, ``origin/main``, ``main@{1}``: nothing a shell or git could
read as an option or a range."""
MAX_REF_CHARS = 200
GIT_TIMEOUT_SECONDS = 60


class GitSourceError(ThreatforgeError):
    """A git ref or the path at it could not be read."""


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


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitSourceError(
            "git is not installed or not on PATH; it is needed to read GIT_REF:PATH"
        )
    return found


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
    try:
        return subprocess.run(  # noqa: S603 - fixed program, argument list, validated ref
            [_git(), "--no-pager", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitSourceError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS}s") from None
    except OSError as exc:
        raise GitSourceError(f"cannot run git: {exc.strerror or exc}") from None


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else f"git exited with {result.returncode}"


def read_at_ref(source: GitSource, cwd: Path, *, max_bytes: int | None = None) -> str | None:
    """The file's text at the ref; None when the ref exists but the file does not."""
    limit = max_bytes if max_bytes is not None else Limits().max_bytes
    ref = validate_ref(source.ref)
    _validate_path(source.path, str(source))
    verified = _run(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd
    )
    if verified.returncode != 0:
        repository = _run(["rev-parse", "--git-dir"], cwd)
        if repository.returncode != 0:
            raise GitSourceError(f"cannot read '{source}' in {cwd}: {_stderr(repository)}")
        raise GitSourceError(
            f"unknown git ref '{ref}' (in a shallow CI checkout, fetch the history first, "
            "e.g. actions/checkout with fetch-depth: 0)"
        )
    kind = _run(["cat-file", "-t", "--end-of-options", str(source)], cwd)
    if kind.returncode != 0:
        return None
    if kind.stdout.strip() != b"blob":
        raise GitSourceError(f"'{source}' is not a file at that ref")
    size = _run(["cat-file", "-s", "--end-of-options", str(source)], cwd)
    try:
        blob_bytes = int(size.stdout.decode("ascii").strip())
    except ValueError:
        raise GitSourceError(f"'{source}' is not a file at that ref") from None
    if blob_bytes > limit:
        raise GitSourceError(f"'{source}' is larger than {limit // (1024 * 1024)} MB")
    shown = _run(["show", "--no-textconv", "--end-of-options", str(source)], cwd)
    if shown.returncode != 0:
        raise GitSourceError(f"cannot read '{source}': {_stderr(shown)}")
    try:
        return shown.stdout[: limit + 1].decode("utf-8")
    except UnicodeDecodeError:
        raise GitSourceError(f"'{source}' is not UTF-8 text") from None


def load_at_ref(source: GitSource, cwd: Path) -> Model | None:
    """The model at the ref (None when the file did not exist there).

    Raises :class:`ModelError` for an invalid model and :class:`GitSourceError` when the model
    uses ``include:``, which is not supported for models read from git.
    """
    text = read_at_ref(source, cwd)
    if text is None:
        return None
    try:
        return load_text(text, str(source))
    except ModelError as exc:
        if any(d.is_error and d.message.startswith("'include:'") for d in exc.diagnostics):
            raise GitSourceError(
                f"'{source}' uses 'include:'; models read from a git ref cannot include other "
                "files (not supported yet). Compare two checked-out files instead, e.g. "
                "'git worktree add ../base REF' then 'threatforge diff "
                "../base/threatmodel.yaml threatmodel.yaml'"
            ) from None
        raise
