"""Hints ("did you mean") stop when the load's budget of comparisons is spent (SECURITY.md).

Written as the attack: a model of 3,000 components and 500 flows, each naming a misspelt end.
Every hint compares the name with all 3,000 ids; without a budget a larger file of such typos
makes a load quadratic. With the budget of 100,000 comparisons the first 33 errors get a hint
and the others are still reported, without one.
"""

from __future__ import annotations

from pathlib import Path

from threatforge.model import load_with_diagnostics

COMPONENTS = 3_000
FLOWS = 500


def test_hints_stop_when_the_budget_is_spent(tmp_path: Path) -> None:
    lines = ["system: {name: Shop}", "components:"]
    lines += [f"  svc{i:04d}: {{kind: service}}" for i in range(COMPONENTS)]
    lines += ["flows:"]
    lines += [f"  - svc{i:04d}x -> svc{i:04d}: {{protocol: https}}" for i in range(FLOWS)]
    path = tmp_path / "threatmodel.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = [d.format() for d in load_with_diagnostics(path).diagnostics if d.is_error]
    assert len(errors) == FLOWS
    hinted = 100_000 // COMPONENTS
    assert hinted == 33
    shown = str(path)
    assert errors[0] == (
        f"{shown}:3004:5: error: flow 1 (svc0000x -> svc0000): unknown component 'svc0000x'"
        " — did you mean 'svc0000'?"
    )
    assert errors[hinted - 1].endswith("unknown component 'svc0032x' — did you mean 'svc0032'?")
    assert errors[hinted] == (
        f"{shown}:{3004 + hinted}:5: error: flow 34 (svc0033x -> svc0033): "
        "unknown component 'svc0033x'"
    )
    assert [e for e in errors if "did you mean" in e] == errors[:hinted]
