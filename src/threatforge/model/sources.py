"""Where model files are read from: the working tree, a git commit, or memory.

The loader reads the root model file and every ``include:`` through one :class:`Source`, so an
include works the same in ``validate``, in ``check --base GIT_REF``, in ``diff REF:PATH`` and for
a model held in memory (the server, importers). A source is asked for a path *relative to the
root model's folder*; it answers with the bytes of a regular file inside that folder, or a
:class:`SourceError` saying why not (missing, a directory, a pipe or device, outside the folder,
too large, unreadable).

Paths are resolved by walking them one name at a time from the folder, never by handing a path
to the operating system or to git to resolve:

- :class:`WorkingTree` opens each name relative to the descriptor of the folder above it, with
  ``O_NOFOLLOW``, and checks (``fstat``) that what it opened is what it looked at. A symbolic
  link is read (``readlink``) and its target resolved by the same walk, so a link may point
  elsewhere inside the folder but never outside it, and swapping a name for a link between the
  check and the open makes the read fail instead of leaving the folder.
- :class:`GitTree` reads trees and blobs by object id (``git ls-tree``, ``git cat-file``) from a
  resolved commit, never through the working tree; replace refs are ignored.
- :class:`MemorySource` serves a mapping of path to bytes.
"""

from __future__ import annotations

import errno
import os
import posixpath
import re
import shutil
import stat
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from threatforge.errors import ThreatforgeError

__all__ = [
    "MAX_SYMLINKS",
    "GitError",
    "GitRepository",
    "GitTree",
    "MemorySource",
    "Problem",
    "Source",
    "SourceError",
    "SourceFile",
    "WorkingTree",
    "git_environment",
    "inside",
]

MAX_SYMLINKS = 40
"""Symbolic links followed while resolving one path (as the kernel's own limit)."""
MAX_LINK_TARGET = 4096
GIT_TIMEOUT_SECONDS = 60

H = TypeVar("H")


class Problem(StrEnum):
    """Why a source could not give a file."""

    MISSING = "missing"
    DIRECTORY = "directory"
    NOT_REGULAR = "not-regular"
    OUTSIDE = "outside"
    TOO_LARGE = "too-large"
    UNREADABLE = "unreadable"


_MESSAGES = {
    Problem.MISSING: "no such file",
    Problem.DIRECTORY: "is a directory, not a model file",
    Problem.NOT_REGULAR: "is not a regular file (a pipe, socket or device)",
}


class SourceError(Exception):
    """A path a source cannot give as a model file; ``message`` is shown after the file name."""

    def __init__(self, problem: Problem, message: str = "") -> None:
        self.problem = problem
        self.message = message or _MESSAGES.get(problem, problem.value)
        super().__init__(self.message)


class GitError(ThreatforgeError):
    """A git repository, ref or object could not be used."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file as read: its canonical path in the source (links resolved) and its bytes."""

    key: str
    data: bytes


class Source(ABC):
    """Model files under one root (a folder, a commit's tree, a mapping)."""

    @abstractmethod
    def read(self, folder: str, path: str, max_bytes: int) -> SourceFile:
        """The regular file at ``path`` (relative to ``folder``, itself relative to the root).

        ``path`` may contain ``.`` and ``..``; it and every link on the way must stay inside
        ``folder`` (else :attr:`Problem.OUTSIDE`). More than ``max_bytes`` is
        :attr:`Problem.TOO_LARGE`.
        """

    @abstractmethod
    def describe(self, folder: str) -> str:
        """``folder`` as named in messages ("resolves outside the model's folder (...)")."""

    def display(self, path: str) -> str:
        """A file (``/``-separated, relative to the root) as named in messages."""
        return path


def inside(folder: str, path: str) -> list[str]:
    """The names of ``path`` (relative to ``folder``) below ``folder``, ``.`` and ``..`` applied.

    Lexical, as the path is written (``../model/x.yaml`` from ``model`` comes back in):
    :attr:`Problem.OUTSIDE` when it is absolute or ends outside ``folder``.
    """
    if path.startswith("/") or "\0" in path:
        raise SourceError(Problem.OUTSIDE)
    base = [name for name in folder.split("/") if name not in ("", ".")]
    names = list(base)
    for name in path.split("/"):
        if name in ("", "."):
            continue
        if name == "..":
            if not names:
                raise SourceError(Problem.OUTSIDE)
            names.pop()
        else:
            names.append(name)
    if names[: len(base)] != base:
        raise SourceError(Problem.OUTSIDE)
    return names[len(base) :]


@dataclass(frozen=True, slots=True)
class _Entry(Generic[H]):
    kind: str  # "dir", "file", "link", "other", "missing"
    handle: H | None = None
    target: str = ""


class _WalkedSource(Source, Generic[H]):
    """A source whose paths are walked name by name from the folder's handle."""

    @abstractmethod
    def _open_folder(self, folder: str) -> H: ...

    @abstractmethod
    def _lookup(self, directory: H, name: str) -> _Entry[H]: ...

    @abstractmethod
    def _contents(self, handle: H, max_bytes: int) -> bytes: ...

    def _close(self, handle: H) -> None:
        """Release a handle (a descriptor); nothing for most sources."""

    def _absolute(self, folder: str, target: str) -> str:
        """An absolute link target as a path relative to the source root (OUTSIDE if not)."""
        raise SourceError(Problem.OUTSIDE)

    def read(self, folder: str, path: str, max_bytes: int) -> SourceFile:
        names = inside(folder, path)
        for _ in range(MAX_SYMLINKS + 1):
            handles = [self._open_folder(folder)]
            try:
                walked = self._walk(folder, names, handles, max_bytes)
            finally:
                for handle in handles:
                    self._close(handle)
            if isinstance(walked, SourceFile):
                return walked
            names = walked
        raise SourceError(Problem.UNREADABLE, f"cannot be read: {os.strerror(errno.ELOOP)}")

    def _walk(
        self, folder: str, names: list[str], handles: list[H], max_bytes: int
    ) -> SourceFile | list[str]:
        """The file at ``names``, or the names to walk instead when a link was met."""
        if not names:
            raise SourceError(Problem.DIRECTORY)
        for index, name in enumerate(names):
            last = index == len(names) - 1
            entry = self._lookup(handles[-1], name)
            if entry.kind == "link":
                target = entry.target
                if target.startswith("/"):
                    target = "/" + self._absolute(folder, target)
                    rest = posixpath.join(target, *names[index + 1 :])
                    return inside(folder, posixpath.relpath(rest, posixpath.join("/", folder)))
                return inside(folder, posixpath.join(*names[:index], target, *names[index + 1 :]))
            if entry.kind == "missing":
                raise SourceError(Problem.MISSING)
            if entry.kind == "other" or entry.handle is None:
                raise SourceError(Problem.NOT_REGULAR)
            handles.append(entry.handle)
            if entry.kind == "dir":
                if last:
                    raise SourceError(Problem.DIRECTORY)
                continue
            if not last:
                raise SourceError(
                    Problem.UNREADABLE, f"cannot be read: {os.strerror(errno.ENOTDIR)}"
                )
            data = self._contents(entry.handle, max_bytes)
            if len(data) > max_bytes:
                raise SourceError(Problem.TOO_LARGE)
            return SourceFile(posixpath.join(folder, *names), data)
        raise AssertionError("unreachable")  # pragma: no cover - the last name returns or raises


# --- the working tree -------------------------------------------------------------------------

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a named pipe must not wait for a writer
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_AT_SUPPORTED = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd


@dataclass(frozen=True, slots=True)
class _Dir:
    fd: int
    path: str


class WorkingTree(_WalkedSource[_Dir]):
    """Files on disk under ``root`` (a folder; made absolute, links in it resolved once).

    The default root is the file system's, so that a folder is named by its real path and an
    include may go out of the model's folder and back in (``../model/parts.yaml``).
    """

    def __init__(self, root: str | os.PathLike[str] = os.sep) -> None:
        self.root = os.path.realpath(os.fspath(root))

    def folder_of(self, path: str | os.PathLike[str]) -> str:
        """The real folder of ``path`` as a ``folder`` argument (``/``-separated, from root)."""
        real = os.path.dirname(os.path.realpath(os.fspath(path)))
        relative = os.path.relpath(real, self.root)
        return "" if relative == os.curdir else relative.replace(os.sep, "/")

    def describe(self, folder: str) -> str:
        return os.path.join(self.root, *folder.split("/")) if folder else self.root

    def display(self, path: str) -> str:
        return self.describe(path)

    def _open_folder(self, folder: str) -> _Dir:
        path = self.describe(folder)
        try:
            fd = os.open(path, os.O_RDONLY | _DIRECTORY | _BINARY)
        except FileNotFoundError:
            raise SourceError(Problem.MISSING) from None
        except OSError as exc:
            raise SourceError(Problem.UNREADABLE, _cannot(exc)) from None
        return _Dir(fd, path)

    def _close(self, handle: _Dir) -> None:
        os.close(handle.fd)

    def _absolute(self, folder: str, target: str) -> str:
        for candidate in (os.path.normpath(target), os.path.realpath(target)):
            relative = os.path.relpath(candidate, self.root)
            if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
                return "" if relative == os.curdir else relative.replace(os.sep, "/")
        raise SourceError(Problem.OUTSIDE)

    def _at(self, directory: _Dir, name: str) -> tuple[str, int | None]:
        """``name`` as given to an ``*at`` call: relative to the descriptor where supported."""
        if _AT_SUPPORTED:
            return name, directory.fd
        return os.path.join(directory.path, name), None  # pragma: no cover - not POSIX

    def _lookup(self, directory: _Dir, name: str) -> _Entry[_Dir]:
        where, dir_fd = self._at(directory, name)
        try:
            seen = os.stat(where, dir_fd=dir_fd, follow_symlinks=False)
            if stat.S_ISLNK(seen.st_mode):
                try:
                    return _Entry("link", target=os.readlink(where, dir_fd=dir_fd))
                except OSError as exc:
                    if exc.errno in (errno.EINVAL, errno.ENOENT):  # no longer a link
                        raise _changed() from None
                    raise
            if stat.S_ISDIR(seen.st_mode):
                flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _BINARY
            elif stat.S_ISREG(seen.st_mode):
                flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY
            else:
                return _Entry("other")  # a pipe, socket or device is never opened
            fd = os.open(where, flags, dir_fd=dir_fd)
        except FileNotFoundError:
            return _Entry("missing")
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # became a link after it was looked at
                raise _changed() from None
            raise SourceError(Problem.UNREADABLE, _cannot(exc)) from None
        opened = os.fstat(fd)
        handle = _Dir(fd, os.path.join(directory.path, name))
        if (opened.st_dev, opened.st_ino, stat.S_IFMT(opened.st_mode)) != (
            seen.st_dev,
            seen.st_ino,
            stat.S_IFMT(seen.st_mode),
        ):
            os.close(fd)
            raise _changed()
        return _Entry("dir" if stat.S_ISDIR(opened.st_mode) else "file", handle)

    def _contents(self, handle: _Dir, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            while size <= max_bytes:
                chunk = os.read(handle.fd, min(1 << 20, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise SourceError(Problem.UNREADABLE, _cannot(exc)) from None
        return b"".join(chunks)


def _changed() -> SourceError:
    return SourceError(Problem.UNREADABLE, "changed while it was being read")


def _cannot(exc: OSError) -> str:
    return f"cannot be read: {exc.strerror or exc}"


# --- memory -------------------------------------------------------------------------------------


class MemorySource(_WalkedSource[str]):
    """Files held in memory: a mapping of ``/``-separated relative path to bytes."""

    def __init__(self, files: Mapping[str, bytes], name: str = "<memory>") -> None:
        self.name = name
        self.files: dict[str, bytes] = {}
        self.folders: set[str] = {""}
        for path, data in files.items():
            key = "/".join(inside("", path))
            self.files[key] = bytes(data)
            parts = key.split("/")
            self.folders.update("/".join(parts[:i]) for i in range(1, len(parts)))

    def describe(self, folder: str) -> str:
        return f"{self.name}/{folder}" if folder else self.name

    def _open_folder(self, folder: str) -> str:
        key = "/".join(inside("", folder)) if folder else ""
        if key not in self.folders:
            raise SourceError(Problem.MISSING)
        return key

    def _lookup(self, directory: str, name: str) -> _Entry[str]:
        key = f"{directory}/{name}" if directory else name
        if key in self.files:
            return _Entry("file", key)
        if key in self.folders:
            return _Entry("dir", key)
        return _Entry("missing")

    def _contents(self, handle: str, max_bytes: int) -> bytes:
        return self.files[handle][: max_bytes + 1]


# --- git ----------------------------------------------------------------------------------------

_KEPT_GIT_ENV = frozenset({"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM"})
"""git variables a CI job may set on purpose (where its own settings live); every other
``GIT_*`` variable (GIT_DIR, GIT_WORK_TREE, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES,
GIT_REPLACE_REF_BASE, GIT_CONFIG_PARAMETERS, GIT_CONFIG_COUNT, ...) is dropped."""
_GIT_OPTIONS = (
    "--no-pager",
    "--no-replace-objects",
    "--literal-pathspecs",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "protocol.allow=never",
)
_OID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def git_environment() -> dict[str, str]:
    """The environment git runs in: no repository overrides, no replace objects, no prompts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_GIT_ENV}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_NO_LAZY_FETCH="1",
        GIT_OPTIONAL_LOCKS="0",
        LC_ALL="C",
    )
    return env


def _git_binary() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitError("git is not installed or not on PATH; it is needed to read GIT_REF:PATH")
    return found


def _run_git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(  # noqa: S603 - fixed program, argument list, checked arguments
            [_git_binary(), *_GIT_OPTIONS, *args],
            cwd=cwd,
            env=git_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS}s") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None


def git_stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    """The last line git printed on stderr (or its exit status)."""
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else f"git exited with {result.returncode}"


def _is_bare_repository(folder: str) -> bool:
    return (
        os.path.isfile(os.path.join(folder, "HEAD"))
        and os.path.isdir(os.path.join(folder, "objects"))
        and os.path.isdir(os.path.join(folder, "refs"))
    )


class GitRepository:
    """One repository, resolved once from the invocation directory (or ``--repo``).

    Every later git command names its ``--git-dir`` and ``--work-tree`` explicitly, so nothing
    inside the checkout (a bare repository planted beside a model, a ``.git`` file) can become
    the repository git reads from.
    """

    def __init__(self, top: str, git_dir: str) -> None:
        self.top = top
        self.git_dir = git_dir

    @classmethod
    def discover(cls, start: str | os.PathLike[str]) -> GitRepository:
        """The repository whose working tree holds ``start``; :class:`GitError` if none."""
        where = os.path.realpath(os.fspath(start))
        if not os.path.isdir(where):
            raise GitError(f"cannot use '{os.fspath(start)}' as the repository: not a folder")
        found = _run_git(["rev-parse", "--show-toplevel", "--absolute-git-dir"], where)
        if found.returncode != 0:
            raise GitError(f"no git repository at {where}: {git_stderr(found)}")
        lines = found.stdout.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) != 2 or not lines[0]:
            raise GitError(f"no git working tree at {where} (a bare repository is not used)")
        top, git_dir = os.path.realpath(lines[0]), os.path.realpath(lines[1])
        repository = cls(top, git_dir)
        repository.check_ownership()
        return repository

    def check_ownership(self) -> None:
        """Refuse a repository owned by another user unless git's ``safe.directory`` allows it."""
        getuid = getattr(os, "geteuid", None)
        if getuid is None:  # pragma: no cover - not POSIX
            return
        me = getuid()
        owners = {os.stat(self.top).st_uid, os.stat(self.git_dir).st_uid}
        if owners <= {me} or me == 0:
            return
        allowed = self.run(["config", "--get-all", "safe.directory"])
        values = allowed.stdout.decode("utf-8", "replace").splitlines()
        if "*" in values or self.top in (os.path.realpath(v) for v in values if v):
            return
        raise GitError(
            f"the repository {self.top} is owned by another user (uid {min(owners - {me})}); "
            "threatforge reads only repositories you own or that git's safe.directory allows"
        )

    def run(self, args: list[str]) -> subprocess.CompletedProcess[bytes]:
        """git ``args`` on this repository (explicit git dir and work tree, safe options)."""
        return _run_git([f"--git-dir={self.git_dir}", f"--work-tree={self.top}", *args], self.top)

    def path_of(self, path: str | os.PathLike[str]) -> str:
        """``path`` (a file on disk) relative to the repository root, ``/``-separated.

        Refused when it lies outside the working tree, or inside a repository nested in it (a
        ``.git`` entry, or a bare repository's ``HEAD`` + ``objects/`` + ``refs/``, in the file's
        folder or any folder between it and the root).
        """
        real = os.path.realpath(os.fspath(path))
        relative = os.path.relpath(real, self.top)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            raise GitError(
                f"'{os.fspath(path)}' is not inside the repository {self.top}; run threatforge "
                "from the repository it belongs to, or name it with --repo"
            )
        parts = relative.split(os.sep)
        for depth in range(len(parts) - 1, 0, -1):
            folder = os.path.join(self.top, *parts[:depth])
            if os.path.lexists(os.path.join(folder, ".git")) or _is_bare_repository(folder):
                raise GitError(
                    f"'{os.fspath(path)}' lies in a git repository nested inside {self.top} "
                    f"({folder}); threatforge reads the base only from the repository it was "
                    "started in (or --repo), never from one inside the checkout"
                )
        return "/".join(parts)

    def commit(self, ref: str) -> str | None:
        """The commit ``ref`` names (its full object id), or None when it names none."""
        verified = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
        )
        oid = verified.stdout.decode("ascii", "replace").strip()
        if verified.returncode != 0 or not _OID.match(oid):
            return None
        return oid

    def tree_entries(self, tree: str) -> dict[str, tuple[str, str, str]]:
        """``name -> (mode, type, object id)`` of one tree object."""
        listed = self.run(["ls-tree", "-z", "--end-of-options", tree])
        if listed.returncode != 0:
            raise GitError(f"cannot read git tree {tree}: {git_stderr(listed)}")
        entries: dict[str, tuple[str, str, str]] = {}
        for record in listed.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_name = record.partition(b"\t")
            mode, kind, oid = meta.decode("ascii").split(" ")
            entries[raw_name.decode("utf-8", "surrogateescape")] = (mode, kind, oid)
        return entries

    def blob(self, oid: str, max_bytes: int) -> bytes:
        """A blob's bytes; :attr:`Problem.TOO_LARGE` (before reading it) when over the limit."""
        size = self.run(["cat-file", "-s", oid])
        try:
            count = int(size.stdout.decode("ascii").strip())
        except ValueError:
            raise SourceError(Problem.UNREADABLE, f"cannot be read: {git_stderr(size)}") from None
        if count > max_bytes:
            raise SourceError(Problem.TOO_LARGE)
        shown = self.run(["cat-file", "blob", oid])
        if shown.returncode != 0:
            raise SourceError(Problem.UNREADABLE, f"cannot be read: {git_stderr(shown)}")
        return shown.stdout[: max_bytes + 1]


class GitTree(_WalkedSource[str]):
    """Files in one commit of a repository, read by object id (never from the working tree)."""

    def __init__(self, repository: GitRepository, commit: str, label: str | None = None) -> None:
        if not _OID.match(commit):
            raise GitError(f"'{commit}' is not a full commit id")
        self.repository = repository
        self.commit = commit
        self.label = label or commit
        self._trees: dict[str, dict[str, tuple[str, str, str]]] = {}

    def describe(self, folder: str) -> str:
        return f"{self.label}:{folder}" if folder else f"{self.label}:"

    def display(self, path: str) -> str:
        return f"{self.label}:{path}"

    def _entries(self, tree: str) -> dict[str, tuple[str, str, str]]:
        if tree not in self._trees:
            self._trees[tree] = self.repository.tree_entries(tree)
        return self._trees[tree]

    def _open_folder(self, folder: str) -> str:
        tree = f"{self.commit}^{{tree}}"
        for name in inside("", folder) if folder else []:
            _mode, kind, oid = self._entries(tree).get(name, ("", "", ""))
            if kind != "tree":
                raise SourceError(Problem.MISSING)
            tree = oid
        return tree

    def _lookup(self, directory: str, name: str) -> _Entry[str]:
        found = self._entries(directory).get(name)
        if found is None:
            return _Entry("missing")
        mode, kind, oid = found
        if kind == "tree":
            return _Entry("dir", oid)
        if kind == "blob" and mode == "120000":
            target = self.repository.blob(oid, MAX_LINK_TARGET)
            return _Entry("link", target=target.decode("utf-8", "surrogateescape"))
        if kind == "blob":
            return _Entry("file", oid)
        return _Entry("other")  # a submodule (commit entry)

    def _contents(self, handle: str, max_bytes: int) -> bytes:
        return self.repository.blob(handle, max_bytes)

    def exists(self, path: str) -> bool:
        """Whether ``path`` (relative to the root) is a file in this commit."""
        try:
            self.read("", path, MAX_LINK_TARGET)
        except SourceError as exc:
            return exc.problem is not Problem.MISSING
        return True
