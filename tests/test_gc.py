"""The library leaves the process as it found it: only the console script's one-shot entry point
tunes the garbage collector or ends the process early (run in a fresh process each)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "threatforge"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "card-checkout" / "threatmodel.yaml"


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_cli_command_in_process_then_two_analyses_leave_the_collector_as_it_was() -> None:
    out = run(f"""
        import gc
        from typer.testing import CliRunner
        import threatforge
        from threatforge.cli import app
        from threatforge.rules import analyze
        gc.set_threshold(700, 10, 10)
        before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
        result = CliRunner().invoke(app, ["analyze", {str(EXAMPLE)!r}, "--format", "json"])
        assert result.exit_code == 0, result.output
        for _ in range(2):
            analyze(threatforge.load({str(EXAMPLE)!r}))
        after = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
        print(before == after, after)
    """)
    assert out == "True (True, (700, 10, 10), 0)"


def test_only_the_console_entry_point_touches_the_collector_or_exits_early() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Attribute) and node.attr == "_exit":
                names = ["os._exit"]
            for name in names:
                if name in ("gc", "os._exit"):
                    offenders.append(f"{path.relative_to(SRC)}: {name}")
    # by file, not line: the entry point's other lines may move
    assert offenders == ["cli/__init__.py: gc", "cli/__init__.py: os._exit"]
