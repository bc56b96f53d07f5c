"""What the harnesses share: optional atheris, the seed corpus, and the run options.

The harnesses import without atheris (the test suite calls their ``TestOneInput`` on the seed
corpus); only ``python fuzz/fuzz_*.py`` (``make fuzz``) needs it (``pip install -e '.[fuzz]'``).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
CORPUS = ROOT / "tests" / "corpus"

try:
    import atheris
except ImportError:  # the test suite runs the harnesses' TestOneInput without the fuzzer
    atheris = None


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """Instrument the code imported in the block for coverage (when atheris is there)."""
    if atheris is None:
        yield
        return
    with atheris.instrument_imports(include=["threatforge"]):
        yield


def fuzz_main(test_one_input: Callable[[bytes], Any]) -> None:
    """Run libFuzzer on ``test_one_input`` with the command-line options (``fuzz/run.py``)."""
    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[fuzz]' (or run 'make fuzz')")
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


def _files(*patterns: str) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found.extend(p for p in sorted(ROOT.glob(pattern)) if p.is_file())
    return found


SEEDS: dict[str, tuple[str, ...]] = {
    "loader": (
        "tests/corpus/model/*",
        "fuzz/seeds/*.yaml",
        "examples/*/threatmodel.yaml",
        "src/threatforge/model/starter.yaml",
        "tests/reports/data/*.yaml",
    ),
    "rule_pack": (
        "tests/corpus/packs/*",
        "fuzz/seeds/pack-*.yml",
        "src/threatforge/rules/packs/*.yaml",
    ),
    "sarif_evidence": ("tests/corpus/sarif/*", "fuzz/seeds/*.sarif"),
}
"""The seed corpus of each harness: the bad-input corpus plus valid inputs to mutate from."""
EXTRA_SEEDS: dict[str, tuple[str, ...]] = {"loader": ("tests/rules/fixtures/*/*.yaml",)}
"""More seeds for real fuzzing runs (every rule's fixtures), left out of the smoke test."""


def known_bugs() -> dict[Path, str]:
    """Corpus files that still crash (``known_bug`` in the manifest), until their bug is fixed."""
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return {
        CORPUS / path: case["known_bug"] for path, case in manifest.items() if case["known_bug"]
    }


def seeds(harness: str, *, extra: bool = False) -> list[Path]:
    """The seed files of ``harness`` (``loader``, ``rule_pack``, ``sarif_evidence``).

    Known, unfixed crashes are left out: the fuzzer would stop at them before looking further.
    """
    patterns = SEEDS[harness] + (EXTRA_SEEDS.get(harness, ()) if extra else ())
    skip = known_bugs()
    return [p for p in _files(*patterns) if p not in skip]
