"""The layers hold (docs/architecture.md): import-linter's contracts in pyproject.toml
(``[tool.importlinter]``) are kept, and no private module or name is imported across packages.

``lint-imports`` checks which package may import which, and its ``private_modules`` contract that
a private module is imported only inside its parent package. That leaves two holes, which the
syntax-tree walk here closes: a private module of the root (``threatforge._x``, whose parent is
every module) and private names (``from threatforge.rules.engine import _helper``). An import of
a dotted name with a private part (``_x``, not a dunder such as ``__version__``) is refused from
outside the top-level package that holds it; the root's private modules may be imported by the
root's own modules only.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "threatforge"
BIN = Path(sys.executable).parent


def _lint_imports(project: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_linter_contracts_are_kept() -> None:
    done = _lint_imports(ROOT, ROOT / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout, done.stdout


def _copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    copy = tmp_path / "src" / "threatforge"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_an_exporter_importing_a_report_breaks_the_layers(tmp_path: Path) -> None:
    package = _copy_of_the_package(tmp_path)
    exporter = package / "exporters" / "csv_findings.py"
    exporter.write_text(
        exporter.read_text(encoding="utf-8") + "\nfrom threatforge.reports.content import Link\n",
        encoding="utf-8",
    )
    line = len(exporter.read_text(encoding="utf-8").splitlines())
    done = _lint_imports(tmp_path, tmp_path / "src")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Contracts: 1 kept, 2 broken." in done.stdout, done.stdout
    assert (
        "threatforge.exporters is not allowed to import threatforge.reports:\n\n"
        f"- threatforge.exporters.csv_findings -> threatforge.reports.content (l.{line})"
    ) in done.stdout, done.stdout


def test_a_model_module_importing_the_rules_or_a_new_unplaced_package_breaks_them(
    tmp_path: Path,
) -> None:
    package = _copy_of_the_package(tmp_path)
    (package / "workbench.py").write_text('"""Not placed in the layers."""\n', encoding="utf-8")
    graph = package / "model" / "graph.py"
    graph.write_text(
        graph.read_text(encoding="utf-8") + "\nfrom threatforge.rules.engine import analyze\n",
        encoding="utf-8",
    )
    done = _lint_imports(tmp_path, tmp_path / "src")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "threatforge.model is not allowed to import threatforge.rules:" in done.stdout
    assert "The following modules are not listed as layers:\n\n- threatforge.workbench" in (
        done.stdout
    ), done.stdout


def _module_name(path: Path, package: Path) -> tuple[str, bool]:
    """The dotted name of a source file, and whether it is a package (``__init__.py``)."""
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _unit(parts: list[str], is_package: bool) -> str:
    """The top-level package a module belongs to: ``model`` for ``threatforge.model.loader``,
    ``""`` (the root) for ``threatforge`` itself and its modules such as ``threatforge._x``."""
    if len(parts) > 2 or (len(parts) == 2 and is_package):
        return parts[1]
    return ""


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """Every dotted name an import statement reads (``a.b`` and ``a.b.c`` for
    ``from a.b import c``), relative imports resolved against ``module``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    return [base] + [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]


def _private_part(parts: list[str]) -> int | None:
    """Where the first private part of a dotted name is (not the root, not a dunder)."""
    for index, part in enumerate(parts[1:], start=1):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            return index
    return None


def private_cross_package_imports(package: Path = PACKAGE) -> list[str]:
    """``file:line: module imports name``, once per import statement that reads a private
    module or name of another top-level package (or of the root, from a package)."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        module, is_package = _module_name(path, package)
        importer = _unit(module.split("."), is_package)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(node, module, is_package):
                parts = name.split(".")
                index = _private_part(parts)
                if parts[0] != package.name or index is None:
                    continue
                owner = parts[1] if index > 1 else ""
                if owner != importer:
                    where = path.relative_to(package.parent).as_posix()
                    found.append(f"{where}:{node.lineno}: {module} imports {name}")
                    break
    return found


def test_no_private_module_or_name_is_imported_across_packages() -> None:
    assert private_cross_package_imports() == []


def test_the_private_import_check_refuses_each_way_across_and_allows_inside(
    tmp_path: Path,
) -> None:
    package = tmp_path / "threatforge"
    files = {
        "__init__.py": "from threatforge._hints import did_you_mean\n",
        "_hints.py": "def did_you_mean() -> None: ...\n",
        "__main__.py": "from threatforge import __version__\n",
        "model/__init__.py": "from threatforge.model._yaml import read_file\n",
        "model/_yaml.py": "def read_file() -> None: ...\n",
        "model/vocabulary/__init__.py": "from .._yaml import read_file\n",
        "rules/__init__.py": "",
        "rules/engine.py": (
            "import threatforge.model._yaml\n"
            "from threatforge.model import _yaml\n"
            "from threatforge._hints import did_you_mean\n"
            "from threatforge.rules.builtin._facts import fact\n"
        ),
        "rules/builtin/__init__.py": "from ._facts import fact\n",
        "rules/builtin/_facts.py": "fact = 1\n",
        "cli/__init__.py": (
            "def main() -> None:\n"
            "    from threatforge.rules.engine import _helper\n"
            "    from ..model._yaml import read_file\n"
        ),
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    assert private_cross_package_imports(package) == [
        "threatforge/cli/__init__.py:2: threatforge.cli imports threatforge.rules.engine._helper",
        "threatforge/cli/__init__.py:3: threatforge.cli imports threatforge.model._yaml",
        "threatforge/rules/engine.py:1: threatforge.rules.engine imports threatforge.model._yaml",
        "threatforge/rules/engine.py:2: threatforge.rules.engine imports threatforge.model._yaml",
        "threatforge/rules/engine.py:3: threatforge.rules.engine imports threatforge._hints",
    ]
