"""Attack paths, PCI scope and blast radius for reports, from the analyses the assessment carries.

The analyses are computed once, with the assessment (:func:`threatforge.analyze`); a report
renders them and never runs them again. One that failed is not left out silently: the report
says which and why (:func:`analysis_notes`), as it does for one the assessment does not carry
(a file written before assessments carried them). With no analysed attack path, the paths come
from findings of rules whose id starts with ``attack-path``, if any.
"""

from __future__ import annotations

from dataclasses import dataclass

from threatforge.analysis import ScopeCategory
from threatforge.assessment import REPORT_PATHS, AnalysisKind, AnalysisStatus, AttackPathsAnalysis
from threatforge.model import Model
from threatforge.rules import Assessment, Severity

__all__ = [
    "AttackPath",
    "BlastRadiusView",
    "PciScopeView",
    "ScopeRow",
    "analysis_notes",
    "attack_paths",
    "blast_radius",
    "pci_scope",
]

ATTACK_PATH_RULE_PREFIX = "attack-path"


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


@dataclass(frozen=True, slots=True)
class BlastRadiusView:
    """What an attacker holding one entry point reaches, in one sentence."""

    origin: str
    summary: str


_NAMES = {
    AnalysisKind.ATTACK_PATHS: "attack path",
    AnalysisKind.PCI_SCOPE: "PCI DSS scope",
    AnalysisKind.BLAST_RADIUS: "blast radius",
}


def attack_paths(model: Model, assessment: Assessment | None) -> list[AttackPath]:
    """The cheapest attack paths (entry point to crown jewel), else ``attack-path*`` findings."""
    if assessment is None:
        return []
    found = _analysed_paths(model, assessment.analyses.attack_paths)
    if found:
        return found
    return [
        AttackPath(f.elements, f.title, f.explanation, f.severity)
        for f in assessment.findings
        if f.rule.startswith(ATTACK_PATH_RULE_PREFIX) and f.is_open
    ][:REPORT_PATHS]


def _analysed_paths(model: Model, analysed: AttackPathsAnalysis) -> list[AttackPath]:
    paths = []
    for path in analysed.paths:
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


def pci_scope(model: Model, assessment: Assessment) -> PciScopeView | None:
    """The PCI DSS scope, when the assessment carries one (the model holds account data)."""
    scope = assessment.analyses.pci_scope.scope
    if scope is None or not scope.account_data:
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


def blast_radius(model: Model, assessment: Assessment) -> tuple[BlastRadiusView, ...]:
    """Per origin (an entry point of the attack paths): what is in reach, in words."""
    views = []
    for radius in assessment.analyses.blast_radius.radii:
        if radius.reached:
            hops = f"{radius.max_hops} hop{'s' if radius.max_hops != 1 else ''}"
            reach = (
                f"reaches {radius.reached:,} component{'s' if radius.reached != 1 else ''} "
                f"within {hops}"
            )
        else:
            reach = "reaches no other component"
        groups: dict[str, list[str]] = {}
        for item in radius.data:
            groups.setdefault(item.classification.value, []).append(_label(model, item.data))
        data = "; ".join(f"{level}: {', '.join(names)}" for level, names in groups.items())
        summary = f"{reach}; data in reach: {data}." if data else f"{reach}; no data in reach."
        views.append(BlastRadiusView(_label(model, radius.origin), summary))
    return tuple(views)


def analysis_notes(assessment: Assessment) -> tuple[str, ...]:
    """What the report cannot show, in words: analyses that failed (naming the error), and
    those the assessment does not carry."""
    analyses = assessment.analyses
    notes = [
        f"The {_NAMES[kind]} analysis failed, so this report does not show it: {error}"
        for kind, error in analyses.failures()
    ]
    missing = [
        _NAMES[kind]
        for kind, result in (
            (AnalysisKind.ATTACK_PATHS, analyses.attack_paths),
            (AnalysisKind.PCI_SCOPE, analyses.pci_scope),
            (AnalysisKind.BLAST_RADIUS, analyses.blast_radius),
        )
        if result.status is AnalysisStatus.NOT_RUN
    ]
    if missing:
        notes.append(
            f"This assessment does not carry the {', '.join(missing)} "
            f"analys{'es' if len(missing) != 1 else 'is'}, so this report does not show "
            f"{'them' if len(missing) != 1 else 'it'}: it was made without them (or written "
            "before assessments carried them); run 'threatforge report MODEL' to include them."
        )
    return tuple(notes)
