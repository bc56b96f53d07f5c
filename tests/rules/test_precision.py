"""The precision guard: the built-in rules stay quiet enough to be read on real models.

On every bundled example:

- the model gets at most 3 findings per element (components, flows, data assets, boundaries);
- no rule fires on more than half of the elements it applies to (components of its ``kinds`` and
  technologies, or flows for flow rules), unless its metadata ``broad`` says why. A rule that
  applies to fewer than ``MIN_SAMPLE`` elements is not judged: firing on the only RDS instance of
  a model says nothing about noise.

When this fails, the message names the noisy rules: tighten them, or explain in ``broad``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from threatforge.model import Model, load
from threatforge.rules import Assessment, Rule, Target, analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
TODAY = date(2026, 1, 1)
MAX_FINDINGS_PER_ELEMENT = 3.0
MIN_SAMPLE = 3
RULES = builtin_rules()


Example = tuple[Path, Model, Assessment]


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.parent.name)
def example(request: pytest.FixtureRequest) -> Example:
    path: Path = request.param
    model = load(path)
    return path, model, analyze(model, RULES, today=TODAY)


def test_examples_exist() -> None:
    assert [p.parent.name for p in EXAMPLES] == [
        "card-checkout", "k8s-platform", "partner-api", "refund-service"
    ]


def test_findings_per_element(example: Example) -> None:
    path, model, assessment = example
    elements = model.element_count
    per_element = len(assessment.findings) / elements
    assert per_element <= MAX_FINDINGS_PER_ELEMENT, (
        f"{path.parent.name}: {len(assessment.findings)} findings on {elements} elements "
        f"({per_element:.2f} per element, at most {MAX_FINDINGS_PER_ELEMENT})"
    )


def _noise(item: Rule, model: Model, assessment: Assessment) -> str | None:
    """Why the rule is noisy on this model, or None."""
    if item.meta.target is Target.COMPONENT:
        applied = {c.id for c in model.components.values() if item.applies_to(c)}
    elif item.meta.target is Target.FLOW:
        applied = {f.id for f in model.flows if item.applies_to(f)}
    else:
        return None
    fired = {f.elements[0] for f in assessment.findings if f.rule == item.id} & applied
    if len(applied) < MIN_SAMPLE or len(fired) * 2 <= len(applied) or item.meta.broad:
        return None
    return f"{item.id} fires on {len(fired)} of the {len(applied)} elements it applies to"


def test_no_rule_fires_on_most_elements_of_its_kind(example: Example) -> None:
    path, model, assessment = example
    noisy = [n for n in (_noise(r, model, assessment) for r in RULES) if n is not None]
    assert noisy == [], (
        f"{path.parent.name}: noisy rules (tighten them, or say why in RuleMeta.broad): "
        + "; ".join(noisy)
    )


def test_the_examples_analyse_without_rule_errors(example: Example) -> None:
    assert example[2].rule_errors == ()


def test_the_guard_names_a_rule_that_fires_everywhere(example: Example) -> None:
    from dataclasses import replace

    from threatforge.rules import Fire, RuleMeta, Stride

    meta = RuleMeta(
        id="test-everywhere",
        title="{element} exists",
        description="Fires on every flow.",
        target=Target.FLOW,
        likelihood=1,
        impact=1,
        mitigations=("None.",),
        detection="Always.",
        cwe=(1059,),
        stride=(Stride.TAMPERING,),
    )
    everywhere = Rule(meta, lambda flow, model: Fire(("always",)))
    _, model, _ = example
    assessment = analyze(model, [everywhere], today=TODAY)
    flows = len(model.flows)
    assert _noise(everywhere, model, assessment) == (
        f"test-everywhere fires on {flows} of the {flows} elements it applies to"
    )
    explained = replace(everywhere, meta=replace(meta, broad="Demonstrates the guard."))
    assert _noise(explained, model, assessment) is None
