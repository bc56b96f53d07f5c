"""The graph analyses an assessment carries, computed once where the assessment is made.

:func:`compute_analyses` runs the analyses asked for (attack paths, PCI DSS scope, blast radius)
with the parameters reports use, and turns an analysis that raises into a ``failed`` result
naming the error, as the engine does with a rule that raises: the assessment is still complete,
and a report says which analysis failed and why instead of leaving its section out.

The cost is bounded: the path search expands at most
:data:`~threatforge.assessment.REPORT_PATH_BUDGET` partial paths, the PCI scope is linear in the
model (and shares the payment rules' work), and the blast radius is taken from at most
:data:`~threatforge.assessment.BLAST_RADIUS_ORIGINS` entry points (linear each).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TypeVar

from threatforge import analysis
from threatforge.assessment import (
    ANALYSES_NOT_RUN,
    BLAST_RADIUS_ORIGINS,
    Analyses,
    AnalysisKind,
    AnalysisStatus,
    AttackPathsAnalysis,
    BlastRadiusAnalysis,
    BlastRadiusSummary,
    DataInReach,
    PciScopeAnalysis,
)
from threatforge.model import Model

__all__ = ["ALL_ANALYSES", "compute_analyses"]

ALL_ANALYSES: frozenset[AnalysisKind] = frozenset(AnalysisKind)

_R = TypeVar("_R", AttackPathsAnalysis, PciScopeAnalysis, BlastRadiusAnalysis)


def compute_analyses(model: Model, wanted: Collection[AnalysisKind] = ALL_ANALYSES) -> Analyses:
    """The analyses in ``wanted`` of ``model``; the others are ``not-run``. Never raises."""
    if not wanted:
        return ANALYSES_NOT_RUN
    paths = ANALYSES_NOT_RUN.attack_paths
    if AnalysisKind.ATTACK_PATHS in wanted or AnalysisKind.BLAST_RADIUS in wanted:
        paths = _guarded(AttackPathsAnalysis, lambda: _attack_paths(model))
    radius = ANALYSES_NOT_RUN.blast_radius
    if AnalysisKind.BLAST_RADIUS in wanted:
        radius = _guarded(BlastRadiusAnalysis, lambda: _blast_radius(model, paths))
    scope = ANALYSES_NOT_RUN.pci_scope
    if AnalysisKind.PCI_SCOPE in wanted:
        scope = _guarded(PciScopeAnalysis, lambda: _pci_scope(model))
    if AnalysisKind.ATTACK_PATHS not in wanted:
        paths = ANALYSES_NOT_RUN.attack_paths
    return Analyses(paths, scope, radius)


def _guarded(kind: type[_R], run: Callable[[], _R]) -> _R:
    try:
        return run()
    except Exception as exc:  # a failing analysis is reported; the assessment goes on
        return kind(AnalysisStatus.FAILED, f"{type(exc).__name__}: {exc}")


def _attack_paths(model: Model) -> AttackPathsAnalysis:
    result = AttackPathsAnalysis(AnalysisStatus.COMPUTED)
    # the paths start from the entry points and from the insider starts too (compromised
    # staff accounts, the corporate network, third-party accounts, neighbour workloads)
    search = analysis.find_paths(
        model, k=result.k, max_depth=result.max_depth, budget=result.budget, insiders=True
    )
    best = search.best_per_pair()
    return AttackPathsAnalysis(
        AnalysisStatus.COMPUTED,
        k=search.k,
        max_depth=search.max_depth,
        budget=result.budget,
        max_paths=result.max_paths,
        paths=best[: result.max_paths],
        pairs=len(best),
        capped=search.capped,
        expanded=search.expanded,
    )


def _pci_scope(model: Model) -> PciScopeAnalysis:
    # the payment rules have found the account data already (shared, see pci_segmentation)
    if not analysis.pci_segmentation(model).account_data:
        return PciScopeAnalysis(
            AnalysisStatus.NOT_APPLICABLE,
            "no data asset has category pci.pan or pci.sad: the model holds no account data",
        )
    return PciScopeAnalysis(AnalysisStatus.COMPUTED, scope=analysis.pci_scope(model))


def _blast_radius(model: Model, paths: AttackPathsAnalysis) -> BlastRadiusAnalysis:
    if paths.status is AnalysisStatus.FAILED:
        return BlastRadiusAnalysis(
            AnalysisStatus.FAILED,
            f"its origins are the entry points of the attack paths, which failed: {paths.reason}",
        )
    origins = list(dict.fromkeys(p.entry for p in paths.paths))[:BLAST_RADIUS_ORIGINS]
    if not origins:
        return BlastRadiusAnalysis(
            AnalysisStatus.NOT_APPLICABLE,
            "no attack path reaches a crown jewel, so there is no entry point to start from",
        )
    result = BlastRadiusAnalysis(AnalysisStatus.COMPUTED)
    radii = (analysis.blast_radius(model, origin) for origin in origins)
    return BlastRadiusAnalysis(
        AnalysisStatus.COMPUTED,
        max_origins=result.max_origins,
        max_listed=result.max_listed,
        radii=tuple(_summary(radius, result.max_listed) for radius in radii),
    )


def _summary(radius: analysis.BlastRadius, listed: int) -> BlastRadiusSummary:
    return BlastRadiusSummary(
        origin=radius.origin,
        reached=len(radius.reached),
        max_hops=radius.reached[-1].hops if radius.reached else 0,
        nearest=radius.reached[:listed],
        data=tuple(
            DataInReach(d.data, d.classification, d.categories, len(d.held_by))
            for d in radius.data
        ),
    )
