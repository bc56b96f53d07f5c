"""The tables of the docs generated from the catalogue: the property tables of
docs/rules/*.md (from ``properties.yaml``) and the kind groups of docs/vocabulary.md (from
``kinds.yaml``).

Each table sits between two markers in its page; the prose around it is written by hand::

    <!-- properties: aws/s3 (generated from src/threatforge/model/vocabulary/properties.yaml) -->
    | key | on | type | meaning | read by |
    ...
    <!-- end of properties: aws/s3 -->

Run ``python -m threatforge.model.vocabulary.docs docs`` after editing the catalogue
(``--check`` exits 1 when a page is out of date; the test suite runs the same comparison).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from threatforge.model.vocabulary._catalogue import (
    PropertyTable,
    kind_catalogue,
    property_catalogue,
)

__all__ = ["VOCABULARY_PAGE", "render_kind_groups", "render_table", "update_page"]

_SOURCE = "src/threatforge/model/vocabulary/properties.yaml"
_KINDS_START = "<!-- kind groups (generated from src/threatforge/model/vocabulary/kinds.yaml) -->"
_KINDS_END = "<!-- end of kind groups -->"
VOCABULARY_PAGE = "vocabulary.md"
"""The page (in the docs folder) with the kind groups table."""


def _start(table: str) -> str:
    return f"<!-- properties: {table} (generated from {_SOURCE}) -->"


def _end(table: str) -> str:
    return f"<!-- end of properties: {table} -->"


def render_kind_groups() -> str:
    """The Markdown table of the kind groups, in the order of ``kinds.yaml``."""
    catalogue = kind_catalogue()
    lines = ["| group | kinds | includes | meaning |", "|---|---|---|---|"]
    for name, group in catalogue.groups.items():
        kinds = ", ".join(f"`{k}`" for k in sorted(catalogue.expanded(name)))
        included = ", ".join(f"`{k[1:]}`" for k in group.kinds if k.startswith("+"))
        lines.append(f"| `{name}` | {kinds} | {included} | {group.description} |")
    return "\n".join(lines)


def _replace(text: str, start: str, end: str, table: str, where: str) -> str:
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), re.S)
    body = f"{start}\n{table}\n{end}"
    text, found = pattern.subn(body.replace("\\", "\\\\"), text)
    if found != 1:
        raise ValueError(f"{where}: expected one marked table, found {found}")
    return text


def render_table(table: PropertyTable) -> str:
    """The Markdown table of ``table``: one row per documented key, in catalogue order."""
    lines = [
        "| " + " | ".join(table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    properties = property_catalogue().properties
    for key in table.keys:
        for doc in properties[key].docs:
            if doc.table != table.id:
                continue
            cells = {
                "key": ", ".join(f"`{k}`" for k in (key, *doc.with_)),
                "type": doc.type,
                "meaning": doc.meaning,
                "read by": doc.read_by,
            }
            row = [cells.get(column, doc.where or "") for column in table.columns]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def update_page(page: str, text: str) -> str:
    """``text`` (the page ``page``) with each of its generated tables rendered afresh."""
    if page == VOCABULARY_PAGE:
        return _replace(text, _KINDS_START, _KINDS_END, render_kind_groups(), page)
    for table in property_catalogue().tables:
        if table.page != page:
            continue
        start, end = _start(table.id), _end(table.id)
        text = _replace(text, start, end, render_table(table), f"{page} '{table.id}'")
    return text


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, compare) the generated tables of the docs folder."""
    parser = argparse.ArgumentParser(prog="python -m threatforge.model.vocabulary.docs")
    parser.add_argument("folder", type=Path, help="the docs folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if a page would change")
    args = parser.parse_args(argv)
    stale = []
    pages = [f"rules/{p}" for p in sorted({t.page for t in property_catalogue().tables})]
    for page in [VOCABULARY_PAGE, *pages]:
        path = args.folder / page
        text = path.read_text(encoding="utf-8")
        updated = update_page(page.removeprefix("rules/"), text)
        if updated != text:
            stale.append(page)
            if not args.check:
                path.write_text(updated, encoding="utf-8")
    for page in stale:
        print(f"{'out of date' if args.check else 'updated'}: {args.folder / page}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
