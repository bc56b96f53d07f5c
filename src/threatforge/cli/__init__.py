"""The ``threatforge`` command line: a thin layer over the library.

Only this package parses arguments, prints and chooses exit codes (0 ok, 1 gate failed,
2 usage or input error). Each ``_*.py`` module registers one group of commands; heavy stacks
(reports, importers, the server) are imported inside the commands that need them.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import NoReturn

import typer

from threatforge import __version__
from threatforge.cli import (
    _analysis,
    _analyze,
    _compliance,
    _coverage,
    _decide,
    _drift,
    _export,
    _fmt,
    _import,
    _model_commands,
    _reports,
    _sdlc,
    _workshop,
)
from threatforge.cli._output import Exit, output

__all__ = ["app", "main"]

app = typer.Typer(
    name="threatforge",
    help="Threat modeling and security design review as code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"threatforge {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    no_color: bool = typer.Option(False, "--no-color", help="Print without colours."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only results and errors."),
) -> None:
    """Threat modeling and security design review as code."""
    output.configure(color=not no_color, quiet=quiet)


_model_commands.register(app)
_fmt.register(app)
_analyze.register(app)
_analysis.register(app)
_reports.register(app)
_sdlc.register(app)
_decide.register(app)
_coverage.register(app)
_compliance.register(app)
_import.register(app)
_export.register(app)
_drift.register(app)
_workshop.register(app)


def main() -> None:
    """Console-script entry point: run the command, flush its output, end the process.

    A command on a large model leaves hundreds of thousands of objects (the model, the
    assessment) that the interpreter would free one by one at exit: half a second on 10,000
    components, for nothing. Once the command has returned, its files are written and closed;
    this runs the ``atexit`` handlers, flushes stdout and stderr, and ends the process with
    the command's exit code without that teardown.

    The cyclic garbage collector is off for the whole command: loading, the rules and the
    renderers allocate millions of short-lived, acyclic objects that reference counting frees,
    and every allocation burst would make the collector walk the whole model again (a fifth to a
    third of a run on 10,000 components). A one-shot process ends before uncollected cycles
    matter. Only here: ``app`` itself (the library, Typer's ``CliRunner`` in tests, a server, a
    notebook) leaves the collector and the process as it found them.
    """
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        code = _exit_status(exc.code)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        code = 130
    except BrokenPipeError:  # pragma: no cover - e.g. `threatforge ... | head`
        code = int(Exit.OK)
    else:  # pragma: no cover - Typer's standalone mode always raises SystemExit
        code = int(Exit.OK)
    _end_process(code)


def _exit_status(code: object) -> int:
    """The status ``SystemExit(code)`` gives a process (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _end_process(code: int) -> NoReturn:
    """Run ``atexit`` handlers, flush what was printed, and exit without teardown."""
    atexit._run_exitfuncs()  # first: a handler may still print
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # pragma: no cover - the reader went away: nothing to tell it
            pass
        except (OSError, ValueError):  # pragma: no cover - a closed or failing stream
            code = code or 1
    os._exit(code)
