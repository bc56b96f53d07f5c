"""Static guarantees over ``src/``: no code evaluation, no unsafe deserialisation, no shell.

Every module is parsed with :mod:`ast` (imports are resolved, so ``from yaml import load as l``
is caught too) and must not:

- call ``eval``, ``exec``, ``compile`` or ``__import__``;
- load with ``pickle``, ``marshal``, ``shelve``, ``dill`` or ``jsonpickle``;
- use ``yaml.load`` / ``load_all`` / ``unsafe_load`` / ``full_load`` or the non-safe loaders
  (``Loader``, ``UnsafeLoader``, ``FullLoader`` and their C twins);
- pass ``shell=True`` to anything, call ``os.system``, ``os.popen``, the ``os.exec*``/``spawn*``
  shells, ``subprocess.getoutput``/``getstatusoutput`` or ``asyncio.create_subprocess_shell``;
- start a subprocess with a string (or f-string) command instead of an argument list.

The checker itself is tested on snippets, so a blind spot shows up as a failing test here.
Ruff's bandit-derived ``S`` rules run on ``src`` as a second, independent opinion.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

FORBIDDEN_CALLS = {
    "eval": "evaluates code",
    "exec": "executes code",
    "compile": "compiles code",
    "__import__": "imports by name",
    "pickle.load": "unpickles",
    "pickle.loads": "unpickles",
    "pickle.Unpickler": "unpickles",
    "_pickle.load": "unpickles",
    "_pickle.loads": "unpickles",
    "marshal.load": "unmarshals",
    "marshal.loads": "unmarshals",
    "shelve.open": "unpickles (shelve)",
    "dill.load": "unpickles (dill)",
    "dill.loads": "unpickles (dill)",
    "jsonpickle.decode": "unpickles (jsonpickle)",
    "yaml.load": "yaml.load can construct objects",
    "yaml.load_all": "yaml.load_all can construct objects",
    "yaml.unsafe_load": "constructs arbitrary objects",
    "yaml.unsafe_load_all": "constructs arbitrary objects",
    "yaml.full_load": "constructs objects",
    "yaml.full_load_all": "constructs objects",
    "os.system": "runs a shell",
    "os.popen": "runs a shell",
    "os.execl": "replaces the process",
    "os.execlp": "replaces the process",
    "os.execv": "replaces the process",
    "os.execvp": "replaces the process",
    "os.spawnl": "spawns a process",
    "os.spawnlp": "spawns a process",
    "os.spawnv": "spawns a process",
    "os.spawnvp": "spawns a process",
    "os.startfile": "opens with the shell",
    "subprocess.getoutput": "runs a shell",
    "subprocess.getstatusoutput": "runs a shell",
    "asyncio.create_subprocess_shell": "runs a shell",
    "commands.getoutput": "runs a shell",
}
"""Fully qualified callables that must not be called (value: why)."""

FORBIDDEN_NAMES = {
    f"yaml.{loader}": "a YAML loader that constructs objects"
    for loader in (
        "Loader",
        "UnsafeLoader",
        "FullLoader",
        "CLoader",
        "CUnsafeLoader",
        "CFullLoader",
    )
}
"""Fully qualified names that must not even be referenced."""

SUBPROCESS_STARTERS = {
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "asyncio.create_subprocess_exec",
}
"""Calls whose command must be an argument list, never one string."""


@dataclass(frozen=True, order=True)
class Violation:
    """One forbidden use, at ``file:line``."""

    file: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.what}"


class _Checker(ast.NodeVisitor):
    def __init__(self, file: str) -> None:
        self.file = file
        self.aliases: dict[str, str] = {}
        self.violations: list[Violation] = []

    def flag(self, node: ast.AST, what: str) -> None:
        self.violations.append(Violation(self.file, getattr(node, "lineno", 0), what))

    # imports: remember what each local name stands for
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.level == 0:
            for alias in node.names:
                qualified = f"{node.module}.{alias.name}"
                self.aliases[alias.asname or alias.name] = qualified
                if qualified in FORBIDDEN_NAMES:
                    self.flag(node, f"imports {qualified}: {FORBIDDEN_NAMES[qualified]}")
        self.generic_visit(node)

    def qualified(self, node: ast.expr) -> str | None:
        """``yaml.load`` for ``yaml.load`` / ``y.load`` / ``load`` (after the right import)."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base is not None else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = self.qualified(node)
        if name in FORBIDDEN_NAMES:
            self.flag(node, f"uses {name}: {FORBIDDEN_NAMES[name]}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        name = self.aliases.get(node.id)
        if name in FORBIDDEN_NAMES:
            self.flag(node, f"uses {name}: {FORBIDDEN_NAMES[name]}")

    def visit_Call(self, node: ast.Call) -> None:
        name = self.qualified(node.func)
        if name is not None and name.startswith("builtins."):
            name = name.removeprefix("builtins.")
        if name in FORBIDDEN_CALLS:
            self.flag(node, f"calls {name}: {FORBIDDEN_CALLS[name]}")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                self.flag(
                    node, f"calls {name or 'something'} with shell={ast.unparse(keyword.value)}"
                )
        if name in SUBPROCESS_STARTERS:
            command = node.args[0] if node.args else None
            for keyword in node.keywords:
                if keyword.arg in ("args", "program"):
                    command = keyword.value
            if command is not None and _is_text(command):
                self.flag(node, f"calls {name} with a string command: pass an argument list")
        self.generic_visit(node)


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _is_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join") and _is_text(node.func.value)
    return False


def violations_in(source: str, file: str) -> list[Violation]:
    """Every forbidden use in one module's source."""
    checker = _Checker(file)
    checker.visit(ast.parse(source, filename=file))
    return sorted(checker.violations)


SOURCES = sorted(SRC.rglob("*.py"))


def test_the_source_tree_is_found() -> None:
    assert len(SOURCES) >= 50
    assert SRC / "threatforge" / "model" / "_yaml.py" in SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_unsafe_calls(path: Path) -> None:
    found = violations_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert [str(v) for v in found] == []


# --- the checker catches what it must (and only that) ---------------------------------------

CAUGHT = [
    ("eval(text)", "calls eval: evaluates code"),
    ("exec(code, {})", "calls exec: executes code"),
    ("compile(text, 'f', 'exec')", "calls compile: compiles code"),
    ("__import__('os')", "calls __import__: imports by name"),
    ("import builtins\nbuiltins.eval('1')", "calls eval: evaluates code"),
    ("import pickle\npickle.loads(b)", "calls pickle.loads: unpickles"),
    ("from pickle import loads as l\nl(b)", "calls pickle.loads: unpickles"),
    ("import marshal\nmarshal.load(f)", "calls marshal.load: unmarshals"),
    ("import shelve\nshelve.open('db')", "calls shelve.open: unpickles (shelve)"),
    ("import yaml\nyaml.load(t, Loader=yaml.SafeLoader)", "calls yaml.load: yaml.load can"),
    ("import yaml as y\ny.unsafe_load(t)", "calls yaml.unsafe_load: constructs arbitrary"),
    ("from yaml import full_load\nfull_load(t)", "calls yaml.full_load: constructs objects"),
    ("import yaml\nyaml.Loader(t)", "uses yaml.Loader: a YAML loader that constructs"),
    ("from yaml import UnsafeLoader", "imports yaml.UnsafeLoader: a YAML loader"),
    ("import yaml\nx = yaml.FullLoader", "uses yaml.FullLoader: a YAML loader"),
    ("import os\nos.system('ls')", "calls os.system: runs a shell"),
    ("import os\nos.popen('ls')", "calls os.popen: runs a shell"),
    ("import subprocess\nsubprocess.run(['ls'], shell=True)", "with shell=True"),
    ("import subprocess as sp\nsp.Popen(cmd, shell=flag)", "calls subprocess.Popen with shell="),
    ("from subprocess import run\nrun('ls -l')", "calls subprocess.run with a string command"),
    ("import subprocess\nsubprocess.check_output(f'git {ref}')", "with a string command"),
    ("import subprocess\nsubprocess.call('git ' + ref)", "with a string command"),
    ("import subprocess\nsubprocess.run(args='ls')", "with a string command"),
    ("import subprocess\nsubprocess.getoutput('ls')", "calls subprocess.getoutput: runs a shell"),
    ("import asyncio\nasyncio.create_subprocess_shell(c)", "runs a shell"),
]


@pytest.mark.parametrize(("snippet", "expected"), CAUGHT, ids=[c[0] for c in CAUGHT])
def test_the_checker_catches(snippet: str, expected: str) -> None:
    found = violations_in(snippet, "snippet.py")
    assert len(found) == 1, found
    assert found[0].line == snippet.count("\n") + 1
    assert expected in found[0].what


ALLOWED = [
    "import re\nre.compile('a+')",
    "import json\njson.loads(text)",
    "import yaml\nyaml.safe_load(t)",
    "from yaml import CSafeLoader\nCSafeLoader(t).get_event()",
    "import yaml\nyaml.constructor.SafeConstructor()",
    "import subprocess\nsubprocess.run(['git', 'show', ref], shell=False, check=False)",
    "import subprocess\nsubprocess.run(argv, capture_output=True)",
    "import ast\nast.literal_eval('1')",
    "model.eval_condition(x)",
    "def load(x): return x\nload('a')",
]


@pytest.mark.parametrize("snippet", ALLOWED)
def test_the_checker_allows(snippet: str) -> None:
    assert violations_in(snippet, "snippet.py") == []


# --- ruff's bandit rules, independently ------------------------------------------------------


def test_ruff_security_rules_pass_on_src() -> None:
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", "--select", "S", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- one YAML reader (issue #13 item 1) --------------------------------------------------------

# Where YAML libraries may be imported at all, and what for. Every other module reads YAML through
# threatforge.model (parse_yaml_text, read_yaml_file), so there is one parser and one set of bounds.
YAML_MODULES = {
    "threatforge/model/_yaml.py": "the one reader (libyaml events, bounded)",
    "threatforge/model/writer.py": "emits only (yaml.SafeDumper); never parses",
    "threatforge/model/edit.py": "ruamel round-trip edits of text the one reader has read first",
}
_PARSING = {"load", "load_all", "safe_load", "safe_load_all", "parse", "scan", "compose",
            "compose_all", "CSafeLoader", "SafeLoader", "CParser", "Parser", "BaseLoader",
            "CBaseLoader"}


def yaml_uses(source: str) -> tuple[set[str], set[str]]:
    """The YAML libraries a module imports, and the yaml attributes it names."""
    tree = ast.parse(source)
    libraries: set[str] = set()
    attributes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            libraries |= {a.name.split(".")[0] for a in node.names if a.name.split(".")[0] in
                          {"yaml", "ruamel", "_ruamel_yaml"}}
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in {"yaml", "ruamel", "_ruamel_yaml"}:
                libraries.add(root)
                if root == "yaml":
                    attributes |= {a.name for a in node.names}
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "yaml"
        ):
            attributes.add(node.attr)
    return libraries, attributes


def test_yaml_is_parsed_in_one_module_only() -> None:
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        libraries, attributes = yaml_uses(path.read_text(encoding="utf-8"))
        name = path.relative_to(SRC).as_posix()
        if libraries:
            found[name] = libraries
        if name == "threatforge/model/writer.py":
            assert attributes & _PARSING == set(), attributes
    assert found == {
        "threatforge/model/_yaml.py": {"yaml"},
        "threatforge/model/writer.py": {"yaml"},
        "threatforge/model/edit.py": {"ruamel"},
    }
    assert set(found) == set(YAML_MODULES)


def test_the_yaml_check_sees_a_second_parser() -> None:
    assert yaml_uses("import yaml\nyaml.safe_load(t)") == ({"yaml"}, {"safe_load"})
    assert yaml_uses("from ruamel.yaml import YAML") == ({"ruamel"}, set())
    assert yaml_uses("from yaml import CSafeLoader") == ({"yaml"}, {"CSafeLoader"})
