"""``threatforge import``: infrastructure code and other formats in, one model file out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from threatforge.cli._output import output

if TYPE_CHECKING:
    from threatforge.importers import ImportedModel, ImporterSet

__all__ = ["register"]


@dataclass
class _Group:
    kind: str
    paths: list[Path] = field(default_factory=list)


def parse_groups(tokens: list[str], kinds: tuple[str, ...]) -> list[_Group]:
    """``KIND PATH... [KIND PATH...]`` as groups. A token naming an importer starts a group once
    the current group has a path (so ``import compose compose/`` reads the folder
    ``compose/``); write ``./compose`` for a folder named like an importer after a path."""
    groups: list[_Group] = []
    for token in tokens:
        if not groups:
            if token not in kinds:
                from threatforge.text.hints import did_you_mean

                hint = did_you_mean(token, kinds)
                output.fail(
                    f"unknown importer '{token}'{hint} (known: {', '.join(kinds) or 'none'})"
                )
            groups.append(_Group(token))
        elif token in kinds and groups[-1].paths:
            groups.append(_Group(token))
        else:
            groups[-1].paths.append(Path(token))
    for group in groups:
        if not group.paths:
            output.fail(f"'{group.kind}' needs at least one PATH (a file or a folder)")
    return groups


def import_(
    sources: list[str] = typer.Argument(
        ...,
        metavar="KIND PATH... [KIND PATH...]",
        help="An importer (compose) and the files or folders it reads; several groups build "
        "one model. 'auto DIR' runs every importer on what it finds in DIR.",
    ),
    out: Path | None = typer.Option(
        None, "--output", "-o", help="Write the model here (default: print it)."
    ),
    overlay: Path | None = typer.Option(
        None,
        "--overlay",
        help="A model file written by people laid over the import (classification, actors, "
        "owners, zones' trust); applied on every import, so it survives re-imports.",
    ),
    mappings: list[Path] = typer.Option(
        [],
        "--mapping",
        help="An organisation's mapping file adding or overriding resource types (repeatable; "
        "its 'mapping:' names the importer).",
    ),
    name: str | None = typer.Option(None, "--name", help="The system's name in the model."),
) -> None:
    """Build a model from infrastructure code: each element keeps its source as its id,
    its origin (file:line) and a comment. Exit 2 when a source cannot be read."""
    from threatforge.errors import ImporterError
    from threatforge.importers import load_importers
    from threatforge.importers.builder import origin_comments
    from threatforge.importers.overlay import apply_overlay, merge_imports
    from threatforge.model import ModelError, load_text
    from threatforge.model.writer import check_written, write_model

    importers = load_importers()
    for problem in importers.problems:
        output.problem(f"warning: {problem}", style="yellow")
    try:
        if sources[0] == "auto":
            groups = _auto(importers, sources[1:])
        else:
            groups = parse_groups(sources, importers.names)
        routed = _route_mappings(mappings, {g.kind for g in groups})
        imported: list[ImportedModel] = []
        for group in groups:
            imported.append(_read(importers, group, routed.get(group.kind, [])))
        merged = merge_imports(imported, name)
        model = merged.model
        comments = origin_comments(model)
        if overlay is not None:
            model, touched = apply_overlay(model, overlay)
            for eid, note in touched.items():
                comments[eid] = f"{comments[eid]}; {note}" if eid in comments else note
    except ImporterError as exc:
        first, *rest = str(exc).split("\n")
        output.fail(first, details=rest)
    for note in merged.notes:
        output.info(f"note: {note}")
    text = write_model(model, comments)
    target = str(out) if out is not None else "the imported model"
    try:
        check_written(model, load_text(text, target), target)
    except ModelError as exc:
        output.diagnostics(exc.diagnostics)
        output.fail(f"{target}: the written model does not read back (please report this)")
    gaps = len(model.warnings)
    output.info(
        f"imported: {len(model.components)} components, {len(model.flows)} flows, "
        f"{len(model.boundaries)} zones, {len(model.data)} data assets ({gaps} warnings: "
        "see 'threatforge validate')"
    )
    output.write_or_print(text, out, "the imported model")


def _auto(importers: ImporterSet, folders: list[str]) -> list[_Group]:
    """The groups ``auto DIR`` finds, after listing what it read and what it skipped."""
    from threatforge.importers.auto import discover

    if len(folders) != 1 or not Path(folders[0]).is_dir():
        output.fail("'auto' takes one folder: threatforge import auto DIR")
    found = discover(Path(folders[0]), {n: importers.importer(n) for n in importers.names})
    for kind, files in found.groups:
        output.info(f"read: {kind}: {', '.join(str(f) for f in files)}")
    for line in found.skipped[:50]:
        output.info(f"skipped: {line}")
    if len(found.skipped) > 50:
        output.info(f"skipped: ... and {len(found.skipped) - 50} more")
    if not found.groups:
        output.fail(f"{folders[0]}: no source an importer reads ({', '.join(importers.names)})")
    return [_Group(kind, list(files)) for kind, files in found.groups]


def _read(importers: ImporterSet, group: _Group, mappings: list[Path]) -> ImportedModel:
    from threatforge.importers.interface import MappedImporter

    importer = importers.importer(group.kind)
    if isinstance(importer, MappedImporter):
        importer = importer.with_mappings(mappings)
    return importer.read(group.paths)


def _route_mappings(mappings: list[Path], kinds: set[str]) -> dict[str, list[Path]]:
    """Each ``--mapping`` file by the importer its ``mapping:`` names (which must be one of
    this run's)."""
    from threatforge.errors import ImporterError
    from threatforge.importers.mapping import mapping_source

    routed: dict[str, list[Path]] = {}
    for path in mappings:
        source = mapping_source(path)
        if source not in kinds:
            raise ImporterError(
                f"{path}: this mapping is for '{source}', which this import does not run "
                f"(it runs {', '.join(sorted(kinds))})"
            )
        routed.setdefault(source, []).append(path)
    return routed


def register(app: typer.Typer) -> None:
    """Add ``import`` to the CLI."""
    app.command("import")(import_)
