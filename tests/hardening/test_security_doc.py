"""SECURITY.md points at tests that exist, and every guarantee points at one (issue #14 item 22).

Each ``tests/<path>.py::name`` (or ``::Class::name``) in the whole document must name a file and
a test function or class in it, found by parsing the file (never importing it): a test renamed
or deleted without updating SECURITY.md fails here. Every bullet and table row of the
"Guarantees" section must carry at least one such reference.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "SECURITY.md"

REFERENCE = re.compile(r"\b(tests/[\w/]+\.py)((?:::[A-Za-z_]\w*)+)")
"""``tests/x/test_y.py::test_z`` or ``tests/x/test_y.py::TestClass::test_z``."""
BARE_NAME = re.compile(r"(?<![\w.])::(test_\w+|Test\w+)")
"""A ``::test_z`` that does not follow a file: the short form, which nothing could check."""
PATH = re.compile(r"\btests/[\w./-]*[\w/]")


@cache
def _names_in(path: Path) -> frozenset[str]:
    """``name`` for each top-level function or class, ``Class::name`` for each method."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return frozenset(names)


def reference_problems(text: str, root: Path = ROOT) -> list[str]:
    """What is wrong with the references in ``text``: each missing file, missing test, path
    that does not exist, and short ``::name`` written without its file."""
    problems: list[str] = []
    for match in REFERENCE.finditer(text):
        file, name = match[1], match[2].removeprefix("::")
        if not (root / file).is_file():
            problems.append(f"no such file: {file}")
        elif name not in _names_in(root / file):
            problems.append(f"no such test: {file}::{name}")
    for match in PATH.finditer(text):
        if not (root / match[0]).exists():
            problems.append(f"no such path: {match[0]}")
    for match in BARE_NAME.finditer(REFERENCE.sub("", text)):
        problems.append(f"name without its file: ::{match[1]}")
    return problems


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


SEPARATOR_ROW = re.compile(r"\|[-| :]+\|")


def guarantee_items(section: str) -> list[str]:
    """Each bullet (with its indented continuation lines) and each table body row."""
    lines = section.splitlines()
    items: list[list[str]] = []
    in_bullet = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.startswith("- "):
            items.append([line])
            in_bullet = True
        elif in_bullet and line.startswith("  ") and line.strip():
            items[-1].append(line)
        else:
            in_bullet = False
            is_row = line.startswith("|") and not SEPARATOR_ROW.fullmatch(line)
            if is_row and not SEPARATOR_ROW.fullmatch(following):  # not a header row
                items.append([line])
    return ["\n".join(item) for item in items]


def test_every_test_security_md_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert len(REFERENCE.findall(text)) > 200
    assert reference_problems(text) == []


def test_every_guarantee_points_at_a_test() -> None:
    section = _section(DOC.read_text(encoding="utf-8"), "Guarantees")
    items = guarantee_items(section)
    assert len(items) > 60
    unreferenced = [item.splitlines()[0] for item in items if not REFERENCE.search(item)]
    assert unreferenced == []


def test_each_group_of_guarantees_has_its_heading() -> None:
    section = _section(DOC.read_text(encoding="utf-8"), "Guarantees")
    assert re.findall(r"^### (.+)$", section, re.MULTILINE) == [
        "Reading input, and bounds on work",
        "The gate's verdict and decisions",
        "`--base`, and changes that hide a finding",
        "Applicable threats (issue 15)",
        "Rules versions and warn-only rules (issue 15 item 8)",
        "Implied elements and stated facts no rule reads (issue 15 items 3 and 4)",
        "Escaping per output format",
        "Output files",
        "Writing model files: `fmt`, `fmt --fix`, `decide`",
        "Models built in code",
        "Importers: secrets stay secret",
        "Importers: OpenAPI documents (issue 16 item 5)",
        "Importers: CloudFormation templates",
        "Drift (issue 16 item 8)",
        "Importers: Threat Composer and Threat Dragon files (issue 17)",
        "Interchange files: OTM and Threagile (issue 17)",
        "Rule packs and plugins",
        "PDF and HTML rendering",
        "Workshop kit and training module (issue 19 item 5)",
        "Code and dependencies",
        "What held, kept holding",
    ]


def test_the_threat_model_names_every_input_the_gate_reads_in_ci() -> None:
    section = _section(DOC.read_text(encoding="utf-8"), "The gate's threat model in CI")
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    first_cells = "\n".join(row.split(" | ")[0] for row in rows)
    for word in (
        "model file",
        "`include:`",
        "`tracking:`",
        "other files in the checkout",
        "`--rules PATH`",
        "`--policy PATH`",
        "`--baseline FILE`",
        "`report --baseline FILE`",
        "`--evidence FILE`",
        "`--base REF`",
        "the base commit",
        "command-line options",
        "environment",
        "output paths",
        "the installed environment",
    ):
        assert word in first_cells, word
    for row in rows[2:]:
        if row.count(" | ") >= 3:  # the input table: input | read by | controlled by | what
            assert row.split(" | ")[2].strip(), row


def test_the_checker_finds_a_renamed_or_missing_test() -> None:
    text = (
        "- **Held.** Yes\n"
        "  (`tests/hardening/test_security_doc.py::test_every_test_security_md_names_exists`).\n"
        "- **Renamed.** (`tests/hardening/test_security_doc.py::test_that_was_renamed`).\n"
        "- **Gone.** (`tests/hardening/test_no_such_file.py::test_x`).\n"
        "- **Short.** (`::test_every_guarantee_points_at_a_test`).\n"
        "- **Case.** `tests/corpus/model/no-such-case.yaml`.\n"
    )
    assert reference_problems(text) == [
        "no such test: tests/hardening/test_security_doc.py::test_that_was_renamed",
        "no such file: tests/hardening/test_no_such_file.py",
        "no such path: tests/hardening/test_no_such_file.py",
        "no such path: tests/corpus/model/no-such-case.yaml",
        "name without its file: ::test_every_guarantee_points_at_a_test",
    ]


def test_the_checker_finds_a_guarantee_without_a_test() -> None:
    section = (
        "### Group\n\n"
        "- **Tested.** It holds\n"
        "  (`tests/hardening/test_security_doc.py::test_every_guarantee_points_at_a_test`).\n"
        "- **Untested.** It holds, we think.\n\n"
        "| bound | test |\n|---|---|\n| size | none |\n"
    )
    items = guarantee_items(section)
    assert [item.splitlines()[0] for item in items if not REFERENCE.search(item)] == [
        "- **Untested.** It holds, we think.",
        "| size | none |",
    ]


def test_sections_other_files_name_exist() -> None:
    """Where the docs, the fuzz notes or a test name a section of SECURITY.md (the file name, a
    comma and the heading in double quotes), the heading exists."""
    headings = {
        " ".join(title.split())
        for title in re.findall(r"^#{2,3} (.+)$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    }
    files = [
        ROOT / "README.md",
        ROOT / "fuzz" / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
    ]
    files += sorted((ROOT / "tests").rglob("*.py"))
    named: list[tuple[str, str]] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'SECURITY\.md,\s+"([^"]+)"', text):
            named.append((path.relative_to(ROOT).as_posix(), " ".join(match[1].split())))
    assert len(named) >= 3  # the checker sees the references it guards
    assert [(file, title) for file, title in named if title not in headings] == []
