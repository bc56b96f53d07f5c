"""``threatforge training`` (issue 19 item 5): the module's sections, exercises on the bundled
examples (shipped as package data) and an answer key that is the engine's findings."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import load
from threatforge.rules import analyze, builtin_rules
from threatforge.workshop.training import bundled_examples

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "threatforge"
EXAMPLES = sorted(
    p.name for p in (ROOT / "examples").iterdir() if (p / "threatmodel.yaml").is_file()
)


def test_the_bundled_examples_are_the_repository_examples() -> None:
    bundled = bundled_examples()
    assert sorted(bundled) == EXAMPLES == [
        "card-checkout", "k8s-platform", "partner-api", "refund-service",
    ]
    for name, text in bundled.items():
        repository = (ROOT / "examples" / name / "threatmodel.yaml").read_text("utf-8")
        assert text == repository, (
            f"src/threatforge/workshop/examples/{name}.yaml differs from "
            f"examples/{name}/threatmodel.yaml: copy the example over"
        )


def test_the_package_data_ships_the_examples_and_the_module_text() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["threatforge"]
    shipped = [
        "workshop/training.yaml", "workshop/prompts.yaml", "workshop/templates/deck.html",
        "workshop/templates/deck.css", *(f"workshop/examples/{n}.yaml" for n in EXAMPLES),
    ]
    for relative in shipped:
        assert (PACKAGE / relative).is_file()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_the_installed_package_finds_the_examples_from_anywhere(tmp_path: Path) -> None:
    # outside the checkout: the examples come from the package, not from ./examples
    done = subprocess.run(
        [sys.executable, "-c",
         "from threatforge.workshop.training import bundled_examples, example_models\n"
         "print(sorted(bundled_examples()))\n"
         "print(example_models()['card-checkout'].system.name)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    assert done.stdout == (
        "['card-checkout', 'k8s-platform', 'partner-api', 'refund-service']\nCard checkout\n"
    )


def test_training_writes_the_module_exercises_and_answer_key(tmp_path: Path) -> None:
    out = tmp_path / "training"
    done = CliRunner().invoke(app, ["training", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert done.output == (
        f"wrote the training module to {out}: 8 exercises on 4 examples "
        "(module.md, exercises.md, answer-key.md)\n"
    )
    module = (out / "module.md").read_text("utf-8")
    assert re.findall(r"^## (.+)$", module, re.MULTILINE) == [
        "The four questions", "Secure design principles", "STRIDE: threats per element",
        "LINDDUN: privacy threats", "Attack trees", "PASTA in outline", "Choosing a method",
        "Exercises",
    ]
    assert "7. **Analyse risk and impact**" in module
    exercises = (out / "exercises.md").read_text("utf-8")
    assert re.findall(r"^## (.+)$", exercises, re.MULTILINE) == [
        "Card checkout (`card-checkout`)", "Shop platform (Kubernetes) (`k8s-platform`)",
        "Partner shipping API (`partner-api`)", "Refund service (`refund-service`)",
    ]
    flows = re.findall(r"^Flow `([^`]+)`", exercises, re.MULTILINE)
    assert flows == [
        "checkout-fn->fraud-scoring", "back-office->card-vault-db",
        "engineer->kafka-ui", "accounts-svc->redis",
        "ops-engineer->rest-api-actuator", "legacy-partner-client->api-gateway",
        "api-gateway->refund-api", "refund-queue->refund-worker",
    ]
    # the answer key, read back per exercise, against the engine run here on each example
    key = (out / "answer-key.md").read_text("utf-8")
    keyed = {}
    for section in key.split("\n### Exercise ")[1:]:
        flow = re.search(r"^Flow `([^`]+)`", section, re.MULTILINE)
        assert flow is not None
        keyed[flow[1]] = set(
            re.findall(r"^- \w+: .* \(`([^`]+)`; ", section.split("Also ask")[0], re.MULTILINE)
        )
    expected: dict[str, set[str]] = {}
    for name in EXAMPLES:
        model = load(ROOT / "examples" / name / "threatmodel.yaml")
        findings = analyze(model, builtin_rules(), analyses=()).findings
        for flow in flows:
            if flow in {f.id for f in model.flows}:
                expected[flow] = {f.fingerprint for f in findings if f.elements[:1] == (flow,)}
    assert keyed == expected
    assert expected["engineer->kafka-ui"] == {
        "cleartext-sensitive-flow@engineer->kafka-ui",
        "unauthenticated-boundary-crossing@engineer->kafka-ui",
    }
    assert expected["api-gateway->refund-api"] == set()


def test_training_refuses_a_planted_symlink(tmp_path: Path) -> None:
    (tmp_path / "training").mkdir()
    outside = tmp_path / "outside.md"
    outside.write_text("keep\n", "utf-8")
    (tmp_path / "training" / "module.md").symlink_to(outside)
    done = CliRunner().invoke(app, ["training", "-o", str(tmp_path / "training")])
    assert done.exit_code == 2
    assert "it is a symbolic link" in done.output
    assert outside.read_text("utf-8") == "keep\n"
