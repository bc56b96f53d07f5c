"""Console output shared by every command: where to print, colour, quiet mode, exit codes, and
the one way the CLI writes a file (:func:`write_file`).

A CI job runs the CLI inside the checkout of the change it judges, so a path the job writes to
(``threatforge.sarif``, ``threatforge-diff.md``, a docs folder) may already exist there as a
symbolic link the change committed, pointing outside the workspace. :func:`write_file` never
follows one: it refuses a target that is a link, walks the folders of a relative path without
following links, writes a new file created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` beside the
target and renames it over the target (a rename replaces a link, never writes through it).
Everything printed goes through :func:`threatforge.text.terminal.terminal_text` first.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from threatforge.text.terminal import terminal_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from threatforge.model.diagnostics import Diagnostic

__all__ = ["Exit", "Output", "UnsafeOutputError", "output", "write_file"]


class Exit(IntEnum):
    """Process exit codes (DESIGN.md): 0 ok, 1 gate failed, 2 usage or input error."""

    OK = 0
    GATE_FAILED = 1
    BAD_INPUT = 2


@dataclass
class Output:
    """Where and how the CLI prints. Results go to stdout, diagnostics to stderr."""

    color: bool = True
    quiet: bool = False
    _out: Console | None = field(default=None, repr=False)
    _err: Console | None = field(default=None, repr=False)

    def configure(self, *, color: bool, quiet: bool) -> None:
        """Settings for one command; its consoles are made afresh, for the stdout, ``COLUMNS``
        and colour of that command (one process may run several: tests, a notebook)."""
        self.color = color
        self.quiet = quiet
        self._out = self._err = None

    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            self._out = Console(
                no_color=not self.color, highlight=False, soft_wrap=True, width=_width()
            )
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(
                stderr=True, no_color=not self.color, highlight=False, soft_wrap=True
            )
        return self._err

    def line(self, message: str, style: str | None = None) -> None:
        """One line of results on stdout, model text in it escaped (:func:`terminal_text`)."""
        self.out.print(terminal_text(message), style=style, markup=False)

    def problem(self, message: str, style: str = "red") -> None:
        """One line about a problem on stderr (shown even under --quiet), escaped."""
        self.err.print(terminal_text(message), style=style, markup=False)

    def info(self, message: str) -> None:
        """A progress or summary line on stderr, unless --quiet."""
        if not self.quiet:
            self.err.print(terminal_text(message), markup=False)

    def diagnostics(self, diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
        """Print diagnostics on stderr; warnings are hidden by --quiet."""
        for diagnostic in diagnostics:
            if diagnostic.is_error:
                style = "bold red"
            elif self.quiet:
                continue
            else:
                style = "yellow"
            self.err.print(terminal_text(diagnostic.format()), style=style, markup=False)

    def fail(
        self, message: str, code: Exit = Exit.BAD_INPUT, *, details: Sequence[str] = ()
    ) -> NoReturn:
        """Print an error on stderr, then each of ``details`` on a line of its own (each line
        escaped by itself), and exit (2 by default)."""
        lines = [terminal_text(f"error: {message}"), *(terminal_text(d) for d in details)]
        self.err.print("\n".join(lines), style="bold red", markup=False)
        raise typer.Exit(int(code))

    def write_or_print(self, text: str | bytes, destination: Path | None, what: str) -> None:
        """Write ``text`` to ``destination`` (saying where) or print it on stdout."""
        if destination is None:
            if isinstance(text, bytes):
                sys.stdout.buffer.write(text)
            else:
                sys.stdout.write(text)  # not text + "\n": a copy of tens of MB
                if not text.endswith("\n"):
                    sys.stdout.write("\n")
            return
        self.write(destination, text)
        self.info(f"wrote {what} to {destination}")

    def write(self, destination: Path, text: str | bytes, *, inside: Path | None = None) -> None:
        """:func:`write_file`, failing (exit 2) with a clear message when it cannot."""
        shown = destination if inside is None else inside / destination
        try:
            write_file(destination, text, inside=inside)
        except UnsafeOutputError as exc:
            self.fail(str(exc))
        except OSError as exc:
            self.fail(f"cannot write {shown}: {exc.strerror or exc}")


PIPE_WIDTH = 80
"""The width of tables printed to a file, a pipe or a CI log, unless ``COLUMNS`` says."""


def _width() -> int | None:
    """The width to print at: the terminal's when stdout is one (Rich measures it), else
    ``COLUMNS`` or :data:`PIPE_WIDTH`. Off a terminal Rich would take the size of whichever of
    stdin, stdout and stderr is a terminal, so ``threatforge analyze m.yaml > out.txt`` would
    wrap its table to the window it was typed in."""
    stdout = sys.stdout
    if stdout is not None and stdout.isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH


class UnsafeOutputError(Exception):
    """A file the CLI was asked to write is, or lies below, a symbolic link (or is not a file)."""


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NEW_FILE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
)


def _refuse_link(shown: Path | str) -> NoReturn:
    raise UnsafeOutputError(
        f"refusing to write {shown}: it is a symbolic link, which could send the output anywhere "
        "(a change under review can commit one); delete the link or choose another path"
    )


def _enter(folder: int, name: str, shown: Path, *, follow: bool) -> int:
    """Open (creating it if missing) the folder ``name`` inside ``folder``; without ``follow``
    a symbolic link there is refused."""
    flags = _FOLDER if follow else _FOLDER | _NOFOLLOW
    try:
        return os.open(name, flags, dir_fd=folder)
    except FileNotFoundError:
        with contextlib.suppress(FileExistsError):  # made meanwhile: opened (and checked) below
            os.mkdir(name, dir_fd=folder)
        return os.open(name, flags, dir_fd=folder)
    except OSError:
        if not follow and stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
            _refuse_link(shown)
        raise


def _open_parent(destination: Path, inside: Path | None) -> int:
    """A descriptor of the folder ``destination`` goes into. The folders of a relative path
    (from the working directory, or from ``inside``) are never symbolic links, nor are those
    of an absolute path below the working directory (``$GITHUB_WORKSPACE/out/x.sarif``); the
    folders of any other absolute path are used as the user named them (``/tmp`` may be a
    link)."""
    start = inside if inside is not None else destination.parent
    strict_parts: tuple[str, ...] = destination.parent.parts if inside is not None else ()
    if start.is_absolute():
        with contextlib.suppress(ValueError, OSError):  # not below it, or no working directory
            start = start.relative_to(os.getcwd())
    if start.is_absolute():
        folder = os.open(start.anchor, _FOLDER)
        loose_parts, follow = start.parts[1:], True
    else:
        folder = os.open(".", _FOLDER)
        loose_parts, follow = start.parts, False
    try:
        walked = Path(start.anchor)
        for parts, follow_here in ((loose_parts, follow), (strict_parts, False)):
            for part in parts:
                walked /= part
                if part == ".":
                    continue
                inner = _enter(folder, part, walked, follow=follow_here)
                os.close(folder)
                folder = inner
    except BaseException:
        os.close(folder)
        raise
    return folder


def write_file(destination: Path, data: str | bytes, *, inside: Path | None = None) -> None:
    """Write ``data`` (text as UTF-8) to ``destination``, relative to ``inside`` when given,
    without following a symbolic link: a target that is one is refused
    (:class:`UnsafeOutputError`), folders are created as needed.

    The data goes into a new file (``O_CREAT | O_EXCL | O_NOFOLLOW``) in the target's folder,
    which is then renamed over the target, keeping an existing file's permissions. A character
    device (``/dev/null``) is written in place; any other file that is not a regular file is
    refused.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    shown = destination if inside is None else inside / destination
    name = destination.name
    if name in ("", ".", ".."):
        raise UnsafeOutputError(f"cannot write {shown}: it names a folder, not a file")
    folder = _open_parent(destination, inside)
    try:
        try:
            existing: os.stat_result | None = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            existing = None
        mode = None
        if existing is not None:
            kind = existing.st_mode
            if stat.S_ISLNK(kind):
                _refuse_link(shown)
            if stat.S_ISCHR(kind):
                _write_device(folder, name, payload)
                return
            if not stat.S_ISREG(kind):
                raise UnsafeOutputError(f"cannot write {shown}: it exists and is not a file")
            mode = stat.S_IMODE(kind)
        _replace(folder, name, payload, mode)
    finally:
        os.close(folder)


def _write_device(folder: int, name: str, payload: bytes) -> None:
    handle = os.open(name, os.O_WRONLY | _NOFOLLOW, dir_fd=folder)
    try:
        _write_all(handle, payload)
    finally:
        os.close(handle)


def _replace(folder: int, name: str, payload: bytes, mode: int | None) -> None:
    temporary = f".{name}.{secrets.token_hex(8)}.tmp"
    handle = os.open(temporary, _NEW_FILE, 0o666, dir_fd=folder)
    try:
        try:
            _write_all(handle, payload)
            if mode is not None:
                os.fchmod(handle, mode)
        finally:
            os.close(handle)
        # renames over whatever is there now, a link included: never writes through one
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


def _write_all(handle: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(handle, view)
        view = view[written:]


output = Output()
"""The process-wide output settings, set by the top-level options."""
