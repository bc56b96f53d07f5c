"""Helpers for report tests: the bundled examples and a hostile model, analysed once.

A plain module (not a conftest) so that test files can import it by name; the root conftest's
``require_binary`` is loaded from its file because several conftest modules share that name.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

from threatforge.model import Model, load
from threatforge.rules import Assessment, analyze

TODAY = date(2026, 1, 1)
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_NAMES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/threatmodel.yaml"))
HOSTILE = Path(__file__).parent / "data" / "hostile.yaml"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img onerror=alert(1) src=x>'


@cache
def analysed(path: Path) -> tuple[Model, Assessment]:
    """A model and its assessment as of :data:`TODAY` (cached: analysis is the slow part)."""
    model = load(path)
    return model, analyze(model, today=TODAY)


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "threatmodel.yaml"


def _root_conftest_helper() -> Callable[[str], str]:
    path = ROOT / "tests" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_tf_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    helper: Callable[[str], str] = module.require_binary
    return helper


require_binary = _root_conftest_helper()
"""``tests/conftest.py``'s helper: the binary's path, or skip (fail when CI=true)."""
