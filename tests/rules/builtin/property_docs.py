"""Which ``properties:`` keys a rule module reads, and which its docs page lists.

A plain module with a unique name (not a conftest) shared by the domain rule tests.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
READERS = frozenset({"prop", "get", "said", "_stated", "_stated_false", "_deploy_fact"})
"""Functions whose string arguments are property keys."""


def documented_keys(doc: str) -> set[str]:
    """The keys in the first column of a ``docs/rules/<doc>`` table."""
    text = (ROOT / "docs" / "rules" / doc).read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.MULTILINE))


def property_keys(module_file: str) -> set[str]:
    """The property keys a rule module reads: snake_case constants, and words passed to readers."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(Path(module_file).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(
            r"[a-z0-9]+(_[a-z0-9]+)+", node.value
        ):
            keys.add(node.value)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in READERS:
                keys.update(a.value for a in node.args if isinstance(a, ast.Constant)
                            and isinstance(a.value, str) and re.fullmatch(r"[a-z_]+", a.value))
    return keys
