"""The fuzz harnesses work: each one's ``TestOneInput`` runs over its seed corpus without a crash.

This is not fuzzing (``make fuzz`` is); it keeps the harnesses importable and correct, and
replays every seed (the bad-input corpus included) through exactly the checks the fuzzer makes.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "fuzz"
HARNESSES = ("loader", "rule_pack", "sarif_evidence")


def _import(name: str) -> ModuleType:
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    return importlib.import_module(name)


def _seeds(harness: str) -> list[Path]:
    found: list[Path] = _import("_fuzzing").seeds(harness)
    return found


def _harness(harness: str) -> Callable[[bytes], None]:
    function: Callable[[bytes], None] = _import(f"fuzz_{harness}").TestOneInput
    return function


def test_every_harness_has_seeds_from_the_corpus() -> None:
    counts = {h: len(_seeds(h)) for h in HARNESSES}
    assert counts["loader"] >= 70
    assert counts["rule_pack"] >= 12
    assert counts["sarif_evidence"] >= 14
    for harness in HARNESSES:
        assert any("tests/corpus" in str(p) for p in _seeds(harness))
        assert any("fuzz/seeds" in str(p) for p in _seeds(harness))


@pytest.mark.parametrize("harness", HARNESSES)
def test_the_harness_survives_its_seed_corpus(harness: str) -> None:
    one_input = _harness(harness)
    for seed in _seeds(harness):
        one_input(seed.read_bytes())  # raises on a crash, naming what went wrong


def test_known_crashes_still_crash_the_harness_until_fixed() -> None:
    """A corpus case marked ``known_bug`` must still crash: fixing it means unmarking it."""
    harness_of = {"sarif": "sarif_evidence", "packs": "rule_pack", "model": "loader"}
    still_crashing = []
    for path, _reason in sorted(_import("_fuzzing").known_bugs().items()):
        try:
            _harness(harness_of[path.parent.name])(path.read_bytes())
        except Exception:
            still_crashing.append(path.name)
        else:
            raise AssertionError(f"{path.name} no longer crashes: remove its known_bug mark")
    assert still_crashing == sorted(p.name for p in _import("_fuzzing").known_bugs())


@pytest.mark.parametrize("harness", HARNESSES)
def test_the_harness_survives_trivial_inputs(harness: str) -> None:
    one_input = _harness(harness)
    for data in (b"", b"\x00", b"{", b"[]", b"null", b"\xff\xfe", b"a: b", b"- -", b"*a", b"&a"):
        one_input(data)


def test_the_loader_harness_reports_a_crashing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _import("fuzz_loader")
    from threatforge.rules import Rule, RuleMeta, Stride, Target

    def boom(element: object, model: object) -> None:
        raise ZeroDivisionError("boom")

    meta = RuleMeta(
        id="fuzz-boom",
        title="{element} explodes",
        description="A rule that always raises.",
        target=Target.COMPONENT,
        likelihood=1,
        impact=1,
        mitigations=("Do not raise.",),
        detection="Always raises.",
        cwe=(703,),
        stride=(Stride.DENIAL_OF_SERVICE,),
    )
    monkeypatch.setattr(module, "RULES", (Rule(meta, boom),))
    seed = (ROOT / "fuzz" / "seeds" / "model-rich.yaml").read_bytes()
    with pytest.raises(module.RuleCrash, match=r"^fuzz-boom on "):
        module.TestOneInput(seed)
