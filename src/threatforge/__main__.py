"""``python -m threatforge``: the command line."""

from __future__ import annotations

from threatforge.cli import main

main()
