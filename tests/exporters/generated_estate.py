"""A synthetic model from ``bench/generate.py``, for tests that need a large, varied one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate_model(path: Path, components: int, seed: int = 1) -> Path:
    """Write the generated estate (every kind of weakness, ~3 flows per component) to ``path``."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.main(["--components", str(components), "--seed", str(seed), "-o", str(path)]) == 0
    return path
