"""Models written by ``bench/generate.py``, for tests that need a large, varied estate.

``from bench_models import generated_model`` (``tests/`` is on the path, like ``system_deps``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
_NAME = "_threatforge_bench_generate"


def generator() -> ModuleType:
    """bench/generate.py, loaded by path (bench/ is not a package), once."""
    loaded = sys.modules.get(_NAME)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(_NAME, ROOT / "bench" / "generate.py")
    if spec is None or spec.loader is None:
        raise ImportError("cannot load bench/generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def generated_model(path: Path, components: int, seed: int = 1) -> Path:
    """Write a generated model of ``components`` components (about three flows each) to
    ``path`` and return ``path``."""
    argv = ["--components", str(components), "--seed", str(seed), "-o", str(path)]
    if generator().main(argv) != 0:
        raise RuntimeError(f"bench/generate.py {' '.join(argv)} failed")
    return path


def generated_text(components: int, seed: int = 1, *, flows: float = 3.0, zones: int = 8) -> str:
    """The YAML text of a generated model, without writing a file."""
    generate = generator()
    zone_map, parts, flow_list = generate.build(components, flows, zones, seed)
    text: str = generate.to_yaml(components, zone_map, parts, flow_list)
    return text
