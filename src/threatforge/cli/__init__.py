"""The ``threatforge`` command line: a thin layer over the library.

Only this package parses arguments, prints and chooses exit codes (0 ok, 1 gate failed,
2 usage or input error). Each ``_*.py`` module registers one group of commands; heavy stacks
(reports, importers, the server) are imported inside the commands that need them.
"""

from __future__ import annotations

import typer

from threatforge import __version__
from threatforge.cli import _analysis, _analyze, _model_commands, _reports, _sdlc
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
    output.color = not no_color
    output.quiet = quiet


_model_commands.register(app)
_analyze.register(app)
_analysis.register(app)
_reports.register(app)
_sdlc.register(app)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        raise SystemExit(130) from None
    except BrokenPipeError:  # pragma: no cover - e.g. `threatforge ... | head`
        raise SystemExit(int(Exit.OK)) from None
