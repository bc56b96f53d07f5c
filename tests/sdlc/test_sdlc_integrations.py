"""The CI integrations (pre-commit hooks, GitHub action, GitLab template, docs/ci.md) are
well-formed and every ``threatforge`` command they run exists with the options they pass."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from threatforge.cli import app

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
GITLAB = ROOT / "ci" / "gitlab" / "threatforge.gitlab-ci.yml"
DOCS = ROOT / "docs" / "ci.md"

_INVOCATION = re.compile(r"(?<![\w/.-])threatforge((?:[ \t]+[^\s|;&<>]+)+)")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _options(command: Any) -> set[str]:
    """The option names a (Typer-built click) command accepts."""
    names: set[str] = {"--help"}
    for param in command.params:
        if param.param_type_name == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def _commands() -> tuple[Any, dict[str, Any]]:
    root = get_command(app)
    commands: dict[str, Any] = root.commands  # type: ignore[attr-defined]
    return root, commands


def invalid_invocations(text: str) -> list[str]:
    """Every ``threatforge SUBCOMMAND --option`` in ``text`` that the CLI would reject."""
    root, commands = _commands()
    problems = []
    for match in _INVOCATION.finditer(text):
        tokens = match.group(1).split()
        while tokens and tokens[0] in _options(root):
            tokens.pop(0)
        if not tokens or tokens[0] == "--version":
            continue
        name, rest = tokens[0], tokens[1:]
        command = commands.get(name)
        if command is None:
            problems.append(f"unknown command: threatforge {name}")
            continue
        known = _options(command)
        for token in rest:
            option = token.split("=", 1)[0].strip("\"'")
            if option.startswith("-") and option not in known:
                problems.append(f"threatforge {name}: unknown option {option}")
    return problems


def invocations(text: str) -> list[str]:
    return [match.group(0).split()[1] for match in _INVOCATION.finditer(text)]


# --- pre-commit -------------------------------------------------------------------------------


def test_pre_commit_hooks() -> None:
    hooks = load_yaml(HOOKS)
    assert [h["id"] for h in hooks] == ["threatforge-check", "threatforge-validate"]
    for hook in hooks:
        assert {"id", "name", "entry", "language", "files"} <= set(hook)
        assert hook["language"] == "python"
        assert invalid_invocations(hook["entry"]) == []
        pattern = re.compile(hook["files"])
        assert [
            bool(pattern.search(p))
            for p in (
                "threatmodel.yaml",
                "services/pay/threatmodel.yml",
                "threatmodel.yaml.bak",
                "parts/components.yaml",
                "parts/flows.json",
                "README.md",
            )
        ] == [True, True, False, True, True, False]
        assert hook["pass_filenames"] is True
    assert [h["entry"] for h in hooks] == [
        "threatforge check --changed",
        "threatforge validate --changed",
    ]


# --- GitHub action ----------------------------------------------------------------------------


def test_github_action_is_a_composite_action() -> None:
    action = load_yaml(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "model",
        "fail-on",
        "base-ref",
        "rules",
        "evidence",
        "policy",
        "rules-version",
        "fail-on-new-decisions",
        "upload-sarif",
        "comment",
        "python-version",
        "threatforge-spec",
        "github-token",
    }
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action"))
    assert upload["with"]["sarif_file"] == "threatforge.sarif"
    scripts = [s["run"] for s in steps if "run" in s]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach scripts through env only: no expression expands inside a script
            assert "${{" not in step["run"], step["name"]
    commands = invocations("\n".join(scripts))
    assert commands == ["--version", "analyze", "diff", "check"]
    assert invalid_invocations("\n".join(scripts)) == []


def test_options_built_in_shell_arrays_exist() -> None:
    _, commands = _commands()
    for command, options in {
        "analyze": ("--rules", "--evidence"),
        "diff": ("--rules", "--evidence"),
        "check": (
            "--rules",
            "--evidence",
            "--base",
            "--fail-on",
            "--policy",
            "--rules-version",
            "--fail-on-new-decisions",
        ),
    }.items():
        assert set(options) <= _options(commands[command]), command
    text = ACTION.read_text(encoding="utf-8")
    assert set(re.findall(r"args\+=\((--[a-z-]+)", text)) == {
        "--rules",
        "--evidence",
        "--base",
        "--policy",
        "--rules-version",
        "--fail-on-new-decisions",
    }


# --- GitLab -----------------------------------------------------------------------------------


def test_gitlab_template() -> None:
    template = load_yaml(GITLAB)
    job = template["threatforge"]
    assert job["extends"] == ".threatforge"
    assert job["artifacts"]["reports"] == {"junit": "threatforge-junit.xml"}
    assert job["variables"]["GIT_DEPTH"] == "0"
    script = "\n".join([*template[".threatforge"]["before_script"], *job["script"]])
    assert invocations(script) == ["--version", "analyze", "analyze", "diff", "check", "check"]
    assert invalid_invocations(script) == []


# --- docs -------------------------------------------------------------------------------------


def _code(markdown: str) -> str:
    fenced = re.findall(r"```[a-z]*\n(.*?)```", markdown, flags=re.DOTALL)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL))
    return "\n".join([*fenced, *inline])


def test_docs_only_show_real_commands_and_options() -> None:
    code = _code(DOCS.read_text(encoding="utf-8"))
    assert {"check", "diff", "analyze", "requirements"} <= set(invocations(code))
    assert invalid_invocations(code) == []


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("threatforge check m.yaml --fail-on high", []),
        ("threatforge -q check m.yaml", []),
        ("threatforge chekc m.yaml", ["unknown command: threatforge chekc"]),
        ("threatforge check m.yaml --fail high", ["threatforge check: unknown option --fail"]),
    ],
)
def test_the_invocation_checker_itself(text: str, problems: list[str]) -> None:
    assert invalid_invocations(text) == problems
