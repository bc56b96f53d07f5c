"""Console output shared by every command: where to print, colour, quiet mode, exit codes."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from threatforge.model.diagnostics import Diagnostic

__all__ = ["Exit", "Output", "output"]


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

    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            self._out = Console(no_color=not self.color, highlight=False, soft_wrap=True)
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(
                stderr=True, no_color=not self.color, highlight=False, soft_wrap=True
            )
        return self._err

    def info(self, message: str) -> None:
        """A progress or summary line on stderr, unless --quiet."""
        if not self.quiet:
            self.err.print(message, markup=False)

    def diagnostics(self, diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
        """Print diagnostics on stderr; warnings are hidden by --quiet."""
        for diagnostic in diagnostics:
            if diagnostic.is_error:
                style = "bold red"
            elif self.quiet:
                continue
            else:
                style = "yellow"
            self.err.print(diagnostic.format(), style=style, markup=False)

    def fail(self, message: str, code: Exit = Exit.BAD_INPUT) -> NoReturn:
        """Print an error on stderr and exit (2 by default)."""
        self.err.print(f"error: {message}", style="bold red", markup=False)
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
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                destination.write_bytes(text)
            else:
                destination.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.fail(f"cannot write {destination}: {exc.strerror or exc}")
        self.info(f"wrote {what} to {destination}")


output = Output()
"""The process-wide output settings, set by the top-level options."""
