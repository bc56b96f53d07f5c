"""One weakness, one finding: the declarations, the documented exceptions and what rules do agree.

Two built-in rules that fire on the same element and share a CWE are the candidates for one
weakness reported twice. Over every example, every rule fixture and generated estates, each such
pair must be either declared (``RuleMeta.supersedes``: then the engine keeps one finding and
the pair never shows up here) or listed in the table "Different weaknesses on the same element"
of docs/rules/one-finding-per-weakness.md with the reason both are reported. The models: the
examples, the rule fixtures, the models written for overlaps in test_supersedes.py and
test_overlaps.py, and three generated estates. A new overlap fails
this test until it is declared or documented; a documented pair that no model shows any more
fails it too, so the table does not outlive the rules.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

from bench_models import generated_text
from threatforge.model import Model, load, load_text
from threatforge.rules import analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs/rules/one-finding-per-weakness.md"
TODAY = date(2026, 1, 1)
BUILTIN = {r.id: r for r in builtin_rules()}

Pair = tuple[str, str]


# test modules whose top-level model texts were written for overlaps
OVERLAP_TESTS = ("tests/rules/test_supersedes.py", "tests/rules/builtin/test_overlaps.py")


def _model_texts(path: Path) -> Iterator[tuple[str, str]]:
    """The module's top-level string constants that are models, by name."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and "\ncomponents:\n" in node.value.value
        ):
            text = node.value.value
            yield node.targets[0].id, text if text.startswith("version:") else "version: 1\n" + text


def _models() -> Iterator[tuple[str, Model]]:
    for path in sorted(ROOT.glob("examples/*/threatmodel.yaml")):
        yield str(path.relative_to(ROOT)), load(path)
    for path in sorted((ROOT / "tests/rules/fixtures").glob("*/*.yaml")):
        yield str(path.relative_to(ROOT)), load(path)
    for module in OVERLAP_TESTS:
        for name, text in _model_texts(ROOT / module):
            yield f"{module}:{name}", load_text(text)
    for seed in (1, 2, 3):  # as `bench/generate.py --components 600 --seed N` writes them
        yield f"generated:600:{seed}", load_text(generated_text(600, seed, zones=2))


def _shared_cwe(a: str, b: str) -> tuple[int, ...]:
    return tuple(sorted(set(BUILTIN[a].meta.cwe) & set(BUILTIN[b].meta.cwe)))


@cache
def _observed() -> dict[Pair, str]:
    """Each pair of rules that fired on one element with a CWE in common -> where, first seen."""
    rules = builtin_rules()
    seen: dict[Pair, str] = {}
    for name, model in _models():
        on: dict[str, set[str]] = {}
        for finding in analyze(model, rules, today=TODAY).findings:
            on.setdefault(finding.elements[0], set()).add(finding.rule)
        for element, fired in sorted(on.items()):
            ordered = sorted(fired)
            for i, first in enumerate(ordered):
                for second in ordered[i + 1:]:
                    if _shared_cwe(first, second):
                        seen.setdefault((first, second), f"{name}: {element}")
    return seen


def _documented() -> dict[Pair, tuple[tuple[int, ...], str]]:
    """The rows of the table "Different weaknesses on the same element"."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Different weaknesses on the same element", 1)[1].split("\n## ", 1)[0]
    rows: dict[Pair, tuple[tuple[int, ...], str]] = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| ([a-z0-9-]+) \| ([a-z0-9-]+) \| ([0-9, ]+) \| (.+) \|", line)
        if match:
            first, second, cwe, why = match.groups()
            rows[(first, second)] = (tuple(int(c) for c in cwe.split(", ")), why)
    return rows


def _declared() -> set[Pair]:
    return {
        (min(r.id, d.rule), max(r.id, d.rule)) for r in BUILTIN.values() for d in r.meta.supersedes
    }


def test_the_corpus_holds_the_models_written_for_overlaps() -> None:
    names = [name for name, _ in _models()]
    assert "tests/rules/test_supersedes.py:PUBLIC_BUCKET" in names
    assert "tests/rules/builtin/test_overlaps.py:STORES" in names
    assert "generated:600:3" in names


def test_the_documented_table_is_read() -> None:
    rows = _documented()
    assert len(rows) == 12
    assert rows[("pci-pan-stored-readable", "privacy-special-category-not-app-encrypted")] == (
        (311, 312),
        "different data on one store: PCI DSS accepts tokenised or truncated PANs, which leave "
        "the health or biometric records readable",
    )


def test_every_overlap_on_one_element_is_declared_or_documented() -> None:
    observed = _observed()
    documented = _documented()
    undocumented = {pair: where for pair, where in observed.items() if pair not in documented}
    assert undocumented == {}, (
        "these rules fire on the same element with a CWE in common: declare which supersedes "
        "the other (RuleMeta.supersedes) or add a row to the table 'Different weaknesses on the "
        "same element' in docs/rules/one-finding-per-weakness.md saying why both are reported"
    )
    assert sorted(set(documented) - set(observed)) == [], "rows no model shows any more"


def test_the_documented_pairs_are_ordered_share_the_stated_cwe_and_are_not_declared() -> None:
    documented = _documented()
    assert [pair for pair in documented if pair != tuple(sorted(pair))] == []
    assert {pair: cwe for pair, (cwe, _) in documented.items()} == {
        pair: _shared_cwe(*pair) for pair in documented
    }
    assert sorted(set(documented) & _declared()) == []


def test_no_declared_pair_fires_on_one_element() -> None:
    # the engine keeps one finding of a declared pair; the table test above needs this to hold
    assert sorted(set(_observed()) & _declared()) == []
