"""Commands of this group (filled in by the issue that owns them)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
