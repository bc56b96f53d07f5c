"""Attack paths and PCI scope for reports, from :mod:`threatforge.analysis`.

Reports treat the analyses as optional extras: if the package cannot be imported, or an analysis
raises on an odd model, the report leaves that part out (attack paths then come from findings of
rules whose id starts with ``attack-path``, if any). Nothing here fails a report.
"""

from __future__ import annotations

from dataclasses import dataclass

from threatforge.model import Model
from threatforge.rules import Assessment, Severity

__all__ = [
    "AttackPath",
    "PciScopeView",
    "ScopeRow",
    "attack_paths",
    "pci_scope",
]

ATTACK_PATH_RULE_PREFIX = "attack-path"
MAX_PATHS = 12
"""Paths shown in a report: the cheapest, one per (entry, target) pair."""
PATH_SEARCH_BUDGET = 50_000
"""Partial paths the search may expand for a report (bounds the time on large models)."""


@dataclass(frozen=True, slots=True)
class AttackPath:
    """A route an attacker could take: element ids (components, then flows) and a summary."""

    elements: tuple[str, ...]
    title: str
    detail: str = ""
    severity: Severity | None = None
    weak: bool = False


@dataclass(frozen=True, slots=True)
class ScopeRow:
    """One in-scope (or third-party) component and why it is in scope."""

    component: str
    category: str
    reason: str


@dataclass(frozen=True)
class PciScopeView:
    """The parts of the PCI DSS scope a report shows."""

    rows: tuple[ScopeRow, ...]
    out_of_scope: int
    violations: tuple[str, ...]
    account_data: tuple[str, ...]


def _label(model: Model, element: str) -> str:
    found = model.element(element)
    return found.label if found is not None else element


def attack_paths(model: Model, assessment: Assessment | None) -> list[AttackPath]:
    """The cheapest attack paths (entry point to crown jewel), else ``attack-path*`` findings."""
    found = _analysed_paths(model)
    if found:
        return found
    if assessment is None:
        return []
    return [
        AttackPath(f.elements, f.title, f.explanation, f.severity)
        for f in assessment.findings
        if f.rule.startswith(ATTACK_PATH_RULE_PREFIX) and f.is_open
    ][:MAX_PATHS]


def _analysed_paths(model: Model) -> list[AttackPath]:
    try:
        from threatforge.analysis.attack_paths import find_paths
    except ImportError:
        return []
    try:
        search = find_paths(model, k=1, budget=PATH_SEARCH_BUDGET)
    except Exception:  # an optional analysis must never break a report
        return []
    paths = []
    for path in search.best_per_pair()[:MAX_PATHS]:
        weakest = path.weakest
        title = (
            f"{_label(model, path.entry)} → {_label(model, path.target)} "
            f"in {len(path.hops)} hop{'s' if len(path.hops) != 1 else ''}"
        )
        detail = (
            f"{path.target_why}. Attacker effort {path.effort}; weakest step "
            f"{_label(model, weakest.source)} → {_label(model, weakest.target)}: {weakest.why}."
        )
        paths.append(AttackPath((*path.components, *path.flows), title, detail, weak=path.weak))
    return paths


def pci_scope(model: Model) -> PciScopeView | None:
    """The PCI DSS scope, when the model holds account data and the analysis is available."""
    try:
        from threatforge.analysis.pci_scope import ScopeCategory
        from threatforge.analysis.pci_scope import pci_scope as analyse
    except ImportError:
        return None
    try:
        scope = analyse(model)
    except Exception:  # an optional analysis must never break a report
        return None
    if not scope.account_data:
        return None
    shown = [r for r in scope.components if r.category is not ScopeCategory.OUT_OF_SCOPE]
    rows = tuple(ScopeRow(r.component, r.category.value, r.reason) for r in shown)
    violations = tuple(
        " → ".join(_label(model, c) for c in (v.component, *(h.target for h in v.hops)))
        for v in scope.violations
    )
    return PciScopeView(
        rows, len(scope.components) - len(shown), violations, tuple(scope.account_data)
    )
