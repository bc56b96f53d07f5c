"""``threatforge paths``, ``blast-radius``, ``scope`` and ``privacy``: the graph analyses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from threatforge.cli._common import load_model
from threatforge.cli._output import output
from threatforge.cli._table import Column, print_table
from threatforge.text.hints import did_you_mean
from threatforge.text.json import json_text

if TYPE_CHECKING:
    from threatforge.analysis import BlastRadius, PathSearch, PciScope, PrivacyReport
    from threatforge.model import Model

__all__ = ["register"]


class TableOrJson(StrEnum):
    TABLE = "table"
    JSON = "json"


class ScopeFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


_MODEL = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml to analyse.")
_OUT_HELP = "Write the result to this file (json or markdown formats)."


def _component(model: Model, component_id: str, what: str) -> str:
    """The id if it names a component, else exit 2 with a suggestion."""
    if component_id not in model.components:
        hint = did_you_mean(component_id, model.components)
        output.fail(f"{what}: unknown component '{component_id}'{hint}")
    return component_id




def _emit(
    document: dict[str, Any] | str, out: Path | None, what: str
) -> None:
    text = document if isinstance(document, str) else json_text(document, ascii=True)
    output.write_or_print(text, out, what)


def _no_table_file(out: Path | None) -> None:
    if out is not None:
        output.fail("--output needs a file format: use --format json")


def _columns(*headers: str) -> tuple[Column, ...]:
    return tuple(Column(header, overflow="fold") for header in headers)


def _print(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    total: int | None = None,
) -> None:
    """Print a table of plain text (model text is never read as Rich markup), at most
    :data:`~threatforge.cli._table.ROW_CAP` rows of it."""
    print_table(output.out, title, columns, rows, total=total)


def _show(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    total: int | None = None,
) -> None:
    """Print a table (of ``total`` rows, when ``rows`` is a generator), or one line saying it
    is empty."""
    if total is None:
        rows = list(rows)
        total = len(rows)
    if total:
        _print(title, columns, rows, total=total)
    else:
        output.line(f"{title}: none")


# --- paths ------------------------------------------------------------------------------------


def paths(
    model_path: Path = _MODEL,
    source: str | None = typer.Option(
        None, "--from", help="Start here instead of at every entry point."
    ),
    target: str | None = typer.Option(
        None, "--to", help="Search paths to this component instead of to every crown jewel."
    ),
    k: int = typer.Option(3, "--k", min=1, max=100, help="Paths to list per target."),
    max_depth: int = typer.Option(
        8, "--max-depth", min=1, max=64, help="The longest path, in hops."
    ),
    output_format: TableOrJson = typer.Option(TableOrJson.TABLE, "--format", "-f"),
    out: Path | None = typer.Option(None, "--output", "-o", help=_OUT_HELP),
    insiders: bool = typer.Option(
        False,
        "--insiders",
        help="Also start from compromised staff accounts, the corporate network, third-party "
        "accounts and neighbour workloads.",
    ),
) -> None:
    """Attack paths from entry points to crown jewels, most plausible first."""
    from threatforge.analysis import find_paths

    model = load_model(model_path)
    sources = None if source is None else [_component(model, source, "--from")]
    targets = None if target is None else [_component(model, target, "--to")]
    search = find_paths(
        model, sources=sources, targets=targets, k=k, max_depth=max_depth, insiders=insiders
    )
    if output_format is TableOrJson.JSON:
        from threatforge.analysis.render import paths_to_dict

        text = json_text(paths_to_dict(search), ascii=True)
        output.write_or_print(text, out, "the attack paths")
        return
    _no_table_file(out)
    _print_paths(search)


def _print_paths(search: PathSearch) -> None:
    count = f"{len(search.paths)} " if search.paths else ""
    _show(
        f"{count}attack paths (up to {search.k} per target, at most {search.max_depth} hops)",
        _columns("effort", "entry", "target", "path", "weakest hop", "boundaries crossed"),
        (
            (
                str(path.effort),
                path.entry,
                path.target,
                path.describe(),
                f"{path.weakest.flow}: {path.weakest.why}",
                ", ".join(path.boundaries) or "—",
            )
            for path in search.paths
        ),
        total=len(search.paths),
    )
    write = output.line
    if search.paths:
        weak = sum(1 for p in search.paths if p.weak)
        write(
            f"{weak} of {len(search.paths)} paths have an unauthenticated or shared-secret hop "
            "into a more trusted zone. Effort: lower is easier for the attacker.",
        )
    if search.unreached:
        write(f"not reached from any entry point: {', '.join(search.unreached)}")
    if search.capped:
        reasons = []
        if search.depth_capped:
            reasons.append(
                f"{search.depth_capped} partial paths reached the depth cap of {search.max_depth}"
            )
        if search.budget_exhausted:
            reasons.append("the search budget ran out")
        write(f"capped: {'; '.join(reasons)}; longer paths were not explored")


# --- blast radius -----------------------------------------------------------------------------


def blast_radius(
    model_path: Path = _MODEL,
    component: str = typer.Argument(..., metavar="ID", help="The component assumed compromised."),
    output_format: TableOrJson = typer.Option(TableOrJson.TABLE, "--format", "-f"),
    out: Path | None = typer.Option(None, "--output", "-o", help=_OUT_HELP),
) -> None:
    """What an attacker holding one component reaches next, and the data there."""
    from threatforge.analysis import blast_radius as compute

    model = load_model(model_path)
    radius = compute(model, _component(model, component, "blast-radius"))
    if output_format is TableOrJson.JSON:
        from threatforge.analysis.render import blast_radius_to_dict

        _emit(blast_radius_to_dict(radius), out, "the blast radius")
        return
    _no_table_file(out)
    _print_blast_radius(radius)


def _print_blast_radius(radius: BlastRadius) -> None:
    _show(
        f"compromising '{radius.origin}' reaches {len(radius.reached)} components",
        _columns("hops", "component", "zone", "via flow"),
        [(str(r.hops), r.component, r.zone or "—", r.via) for r in radius.reached],
    )
    _show(
        "data in reach, by classification",
        _columns("classification", "data", "held by"),
        [
            (level.value, item.data, ", ".join(item.held_by))
            for level, items in radius.by_classification().items()
            for item in items
        ],
    )


# --- scope ------------------------------------------------------------------------------------


def scope(
    model_path: Path = _MODEL,
    pci: bool = typer.Option(False, "--pci", help="The PCI DSS scope (the only one so far)."),
    output_format: ScopeFormat = typer.Option(ScopeFormat.TABLE, "--format", "-f"),
    out: Path | None = typer.Option(None, "--output", "-o", help=_OUT_HELP),
) -> None:
    """Compliance scope: the PCI DSS CDE, connected systems and segmentation violations."""
    if not pci:
        output.fail("choose the scope to compute: --pci")
    from threatforge.analysis import pci_scope

    model = load_model(model_path)
    result = pci_scope(model)
    if output_format is ScopeFormat.JSON:
        from threatforge.analysis.render import scope_to_dict

        _emit(scope_to_dict(result), out, "the PCI DSS scope")
        return
    if output_format is ScopeFormat.MARKDOWN:
        from threatforge.analysis.render import scope_markdown

        _emit(scope_markdown(result, model.system.name), out, "the PCI DSS scope")
        return
    _no_table_file(out)
    _print_scope(result)


def _print_scope(result: PciScope) -> None:
    write = output.line
    if not result.account_data:
        write(
            "no data asset has category pci.pan or pci.sad: the model has no cardholder data "
            "environment",
        )
    _print(
        "PCI DSS scope",
        _columns("component", "zone", "scope category", "reason", "PCI data"),
        [
            (
                row.component, row.zone or "—", row.category.label, row.reason,
                ", ".join(row.pci_data) or "—",
            )
            for row in result.components
        ],
    )
    if not result.violations:
        write(
            "segmentation: no out-of-scope component reaches the CDE along unauthenticated or "
            "unfiltered flows",
        )
        return
    rows = []
    for v in result.violations:
        gaps = "; ".join(f"{h.flow}: {', '.join(h.gaps)}" for h in v.hops)
        rows.append((v.component, v.cde_component, v.describe(), gaps))
    _print(
        f"{len(result.violations)} segmentation violations",
        _columns("out-of-scope component", "reaches", "path", "open because"),
        rows,
    )


# --- privacy ----------------------------------------------------------------------------------


def privacy(
    model_path: Path = _MODEL,
    output_format: TableOrJson = typer.Option(TableOrJson.TABLE, "--format", "-f"),
    out: Path | None = typer.Option(None, "--output", "-o", help=_OUT_HELP),
) -> None:
    """Where personal data goes: transfers, third parties, minimisation, retention."""
    from threatforge.analysis import privacy_flows

    model = load_model(model_path)
    report = privacy_flows(model)
    if output_format is TableOrJson.JSON:
        from threatforge.analysis.render import privacy_to_dict

        _emit(privacy_to_dict(report), out, "the privacy flows")
        return
    _no_table_file(out)
    _print_privacy(report)


def _print_privacy(report: PrivacyReport) -> None:
    write = output.line
    write(f"personal data: {', '.join(report.personal_data) or 'none'}")
    transfers = []
    for t in report.transfers:
        crossing = {True: "crosses", False: "same", None: "unknown"}[t.cross_jurisdiction]
        transfers.append(
            (
                t.flow, ", ".join(t.data), t.source_region, t.target_region,
                f"{t.source_jurisdiction or '?'} -> {t.target_jurisdiction or '?'} ({crossing})",
            )
        )
    _show(
        "transfers between regions", _columns("flow", "data", "from", "to", "jurisdictions"),
        transfers,
    )
    if report.unplaced:
        write(
            "region unknown at one end (state the zone's region): " + ", ".join(report.unplaced),
        )
    _show(
        "personal data to third parties",
        _columns("flow", "data", "region", "special"),
        [
            (
                item.flow, ", ".join(item.data), item.region or "unknown",
                "yes" if item.special else "no",
            )
            for item in report.third_parties
        ],
    )
    minimisation = []
    for m in report.minimisation:
        declared = (
            f"processes {', '.join(m.declared)}: confirm it is needed" if m.declared
            else "none: likely not needed"
        )
        minimisation.append((m.flow, m.target, ", ".join(m.data), declared))
    _show(
        "data minimisation: received but neither stored nor forwarded",
        _columns("flow", "to", "data", "declared purpose"),
        minimisation,
    )
    _show(
        "stores of personal data without retention",
        _columns("component", "data"),
        [(gap.component, ", ".join(gap.data)) for gap in report.retention_gaps],
    )


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(paths)
    app.command("blast-radius")(blast_radius)
    app.command()(scope)
    app.command()(privacy)
