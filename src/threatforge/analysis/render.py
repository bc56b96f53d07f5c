"""The analyses as plain JSON data and as Markdown. Pure: they return data or text; the CLI
prints or writes it. Keys are stable; lists keep the order of the analysis results.
"""

from __future__ import annotations

from typing import Any

from threatforge.analysis.attack_paths import AttackPath, Hop, PathSearch
from threatforge.analysis.blast_radius import BlastRadius
from threatforge.analysis.pci_scope import PciScope, ScopeCategory
from threatforge.analysis.privacy_flows import PrivacyReport
from threatforge.text.markdown import markdown_cell as _cell
from threatforge.text.markdown import markdown_code

__all__ = [
    "blast_radius_to_dict",
    "paths_to_dict",
    "privacy_to_dict",
    "scope_markdown",
    "scope_to_dict",
]


def _hop(hop: Hop) -> dict[str, Any]:
    return {
        "flow": hop.flow,
        "from": hop.source,
        "to": hop.target,
        "pulled": hop.pulled,
        "effort": hop.effort,
        "authn": hop.authn,
        "strength": hop.strength.value,
        "into_more_trusted_zone": hop.inbound,
        "boundaries": list(hop.boundaries),
        "why": hop.why,
    }


def path_to_dict(path: AttackPath) -> dict[str, Any]:
    """One attack path as JSON data."""
    weakest = path.weakest
    return {
        "entry": path.entry,
        "target": path.target,
        "score": path.effort,
        "weak": path.weak,
        "components": list(path.components),
        "flows": list(path.flows),
        "hops": [_hop(h) for h in path.hops],
        "boundaries": list(path.boundaries),
        "weakest_hop": {"flow": weakest.flow, "effort": weakest.effort, "why": weakest.why},
        "entry_effort": path.entry_effort,
        "entry_why": path.entry_why,
        "target_why": path.target_why,
    }


def paths_to_dict(search: PathSearch) -> dict[str, Any]:
    """A path search as JSON data: ``paths``, the bounds, and whether they cut it short."""
    return {"paths": [path_to_dict(p) for p in search.paths], **_search_fields(search)}


def _search_fields(search: PathSearch) -> dict[str, Any]:
    return {
        "capped": search.capped,
        "depth_capped": search.depth_capped,
        "budget_exhausted": search.budget_exhausted,
        "expanded": search.expanded,
        "k": search.k,
        "max_depth": search.max_depth,
        "entries": list(search.entries),
        "targets": list(search.targets),
        "unreached": list(search.unreached),
        "score_meaning": "attacker effort: entry effort plus every hop's; lower is more plausible",
    }


def blast_radius_to_dict(radius: BlastRadius) -> dict[str, Any]:
    """A blast radius as JSON data, its data grouped by classification."""
    return {
        "origin": radius.origin,
        "reached": [
            {"component": r.component, "hops": r.hops, "via": r.via, "zone": r.zone}
            for r in radius.reached
        ],
        "data": {
            level.value: [
                {"data": d.data, "categories": list(d.categories), "held_by": list(d.held_by)}
                for d in items
            ]
            for level, items in radius.by_classification().items()
        },
    }


def scope_to_dict(scope: PciScope) -> dict[str, Any]:
    """The PCI DSS scope as JSON data."""
    return {
        "account_data": list(scope.account_data),
        "components": [
            {
                "component": row.component,
                "zone": row.zone,
                "category": row.category.value,
                "in_scope": row.category.in_scope,
                "reasons": list(row.reasons),
                "pci_data": list(row.pci_data),
            }
            for row in scope.components
        ],
        "summary": {c.value: list(scope.of(c)) for c in ScopeCategory},
        "segmentation_violations": [
            {
                "component": v.component,
                "cde_component": v.cde_component,
                "path": [
                    {"flow": h.flow, "from": h.source, "to": h.target, "gaps": list(h.gaps)}
                    for h in v.hops
                ],
            }
            for v in scope.violations
        ],
    }


def scope_markdown(scope: PciScope, system: str) -> str:
    """The PCI DSS scope as a Markdown document a QSA would recognise."""
    lines = [f"# PCI DSS scope: {_cell(system)}", ""]
    if not scope.account_data:
        lines += [
            "No data asset has category `pci.pan` or `pci.sad`: the model has no cardholder "
            "data environment.",
            "",
        ]
    else:
        lines += [f"Account data: {', '.join(markdown_code(d) for d in scope.account_data)}.", ""]
    lines += [
        "| Component | Zone | Scope category | Reason | PCI data |",
        "|---|---|---|---|---|",
    ]
    for row in scope.components:
        lines.append(
            f"| {_cell(row.component)} | {_cell(row.zone or '—')} | {row.category.label} "
            f"| {_cell(row.reason)} | {_cell(', '.join(row.pci_data) or '—')} |"
        )
    lines += ["", "## Segmentation", ""]
    if not scope.violations:
        lines.append(
            "No out-of-scope component reaches the CDE along unauthenticated or unfiltered flows."
        )
    else:
        lines += [
            "Out-of-scope components that reach the CDE along flows that are not authenticated "
            "or not filtered by a network policy:",
            "",
            "| Component | Reaches | Path | Open because |",
            "|---|---|---|---|",
        ]
        for v in scope.violations:
            gaps = "; ".join(f"{h.flow}: {', '.join(h.gaps)}" for h in v.hops)
            lines.append(
                f"| {_cell(v.component)} | {_cell(v.cde_component)} | {_cell(v.describe())} "
                f"| {_cell(gaps)} |"
            )
    return "\n".join(lines) + "\n"


def privacy_to_dict(report: PrivacyReport) -> dict[str, Any]:
    """The privacy view as JSON data."""
    return {
        "personal_data": list(report.personal_data),
        "transfers": [
            {
                "flow": t.flow,
                "from": t.source,
                "to": t.target,
                "data": list(t.data),
                "from_region": t.source_region,
                "to_region": t.target_region,
                "from_jurisdiction": t.source_jurisdiction,
                "to_jurisdiction": t.target_jurisdiction,
                "cross_jurisdiction": t.cross_jurisdiction,
            }
            for t in report.transfers
        ],
        "unplaced": list(report.unplaced),
        "third_parties": [
            {
                "flow": t.flow,
                "from": t.source,
                "to": t.target,
                "data": list(t.data),
                "special_category": t.special,
                "region": t.region,
                "jurisdiction": t.jurisdiction,
            }
            for t in report.third_parties
        ],
        "minimisation": [
            {"flow": m.flow, "to": m.target, "data": list(m.data), "declared": list(m.declared)}
            for m in report.minimisation
        ],
        "retention_gaps": [
            {"component": g.component, "data": list(g.data)} for g in report.retention_gaps
        ],
    }
