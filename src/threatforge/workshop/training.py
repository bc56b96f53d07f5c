"""``threatforge training``: a generic module on secure design principles and threat modeling
methods (STRIDE, LINDDUN, attack trees, PASTA in outline), with exercises on the bundled
examples.

The module's text is data (``training.yaml``); the examples ship as package data
(``examples/*.yaml``, copies of the repository's ``examples/*/threatmodel.yaml``: a test keeps
them equal). Their exercises and answer key come from the engine, as the workshop kit's do
(:func:`threatforge.workshop.kit.build_kit`): the answer key of a flow is exactly the engine's
findings on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

from threatforge.model import Model, load_text, parse_yaml_text
from threatforge.rules import analyze, builtin_rules
from threatforge.text.markdown import markdown_code, markdown_text
from threatforge.workshop.kit import Exercise, build_kit
from threatforge.workshop.render import answer_key_lines

__all__ = [
    "TrainingExample",
    "bundled_examples",
    "example_models",
    "render_training_answer_key",
    "render_training_exercises",
    "render_training_module",
    "training_examples",
]


@dataclass(frozen=True)
class TrainingExample:
    """One bundled example and its exercises."""

    name: str
    system: str
    description: str
    exercises: tuple[Exercise, ...]


@functools.cache
def _content() -> dict[str, Any]:
    text = (resources.files("threatforge.workshop") / "training.yaml").read_text("utf-8")
    value: dict[str, Any] = parse_yaml_text(text, "threatforge/workshop/training.yaml").value
    return value


def bundled_examples() -> dict[str, str]:
    """The bundled examples' models, by name, as the installed package holds them."""
    folder = resources.files("threatforge.workshop") / "examples"
    return {
        entry.name.removesuffix(".yaml"): entry.read_text("utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def example_models() -> dict[str, Model]:
    """The bundled examples, loaded."""
    return {
        name: load_text(text, f"examples/{name}.yaml") for name, text in bundled_examples().items()
    }


def training_examples() -> tuple[TrainingExample, ...]:
    """Each bundled example with its first exercises (see ``flows_per_example``)."""
    count = int(_content()["exercises"]["flows_per_example"])
    rules = builtin_rules()
    shown = []
    for name, model in example_models().items():
        kit = build_kit(model, analyze(model, rules, analyses=()))
        shown.append(TrainingExample(name, kit.system, kit.description, kit.exercises[:count]))
    return tuple(shown)


def render_training_module() -> str:
    """The module: the four questions, the principles and the methods."""
    content = _content()
    lines = [f"# {content['title']}", "", content["lead"], "", "## The four questions", ""]
    lines += [f"{n}. {q}" for n, q in enumerate(content["questions"], start=1)]
    lines.append("")
    for section in content["sections"]:
        lines += [f"## {section['title']}", "", section["lead"], ""]
        lines += [
            point if point[:1].isdigit() else f"- {point}" for point in section["points"]
        ]
        lines.append("")
    lines += [
        "## Exercises",
        "",
        "`exercises.md` has a flow or two of each example system that ships with threatforge; "
        "`answer-key.md` has what the engine finds on them.",
    ]
    return "\n".join(lines) + "\n"


def render_training_exercises(examples: tuple[TrainingExample, ...]) -> str:
    """The exercises: per example, its summary and its flows to ask "what can go wrong?"."""
    lines = ["# Exercises", "", _content()["exercises"]["lead"], ""]
    number = 0
    for example in examples:
        lines += [f"## {markdown_text(example.system)} ({markdown_code(example.name)})", ""]
        if example.description:
            lines += [markdown_text(example.description), ""]
        for exercise in example.exercises:
            number += 1
            lines += [
                f"### Exercise {number}: what can go wrong on {markdown_text(exercise.label)}?",
                "",
                f"Flow {markdown_code(exercise.flow)}: {markdown_text(exercise.context)}",
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_training_answer_key(examples: tuple[TrainingExample, ...]) -> str:
    """The answer key: per exercise, the engine's findings on its flow."""
    lines = ["# Answer key", ""]
    number = 0
    for example in examples:
        lines += [f"## {markdown_text(example.system)} ({markdown_code(example.name)})", ""]
        for exercise in example.exercises:
            number += 1
            lines += answer_key_lines(number, exercise, level="###")
    return "\n".join(lines).rstrip("\n") + "\n"
