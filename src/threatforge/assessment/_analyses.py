"""The graph analyses an assessment carries: attack paths, PCI DSS scope, blast radius.

Computed once, by the step that produces the assessment (:func:`threatforge.analyze`), with the
parameters they were computed with, so that reports and the server render them instead of
running them again. Each one says how it ended: computed, not applicable (with why), failed
(with the error, so a report can say so instead of leaving the section out), or not run (not
asked for, or read from a file written before assessments carried their analyses).

The result types are the analysis package's own (:mod:`threatforge.analysis`), which sits below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from threatforge.analysis import AttackPath, PciScope, Reached
from threatforge.analysis.attack_paths import DEFAULT_MAX_DEPTH
from threatforge.model import Classification

__all__ = [
    "ANALYSES_NOT_RUN",
    "BLAST_RADIUS_LISTED",
    "BLAST_RADIUS_ORIGINS",
    "REPORT_PATHS",
    "REPORT_PATH_BUDGET",
    "Analyses",
    "AnalysisKind",
    "AnalysisStatus",
    "AttackPathsAnalysis",
    "BlastRadiusAnalysis",
    "BlastRadiusSummary",
    "DataInReach",
    "PciScopeAnalysis",
]

REPORT_PATHS = 12
"""Attack paths kept: the cheapest, one per (entry, target) pair."""
REPORT_PATH_BUDGET = 50_000
"""Partial paths the search may expand (bounds its time on large models)."""
BLAST_RADIUS_ORIGINS = 3
"""Blast radii kept: those of the first distinct entry points of the kept attack paths."""
BLAST_RADIUS_LISTED = 10
"""Reached components listed per blast radius (the nearest); the rest are counted."""


class AnalysisKind(StrEnum):
    """The analyses an assessment can carry (``analyze(model, analyses=...)`` picks them)."""

    ATTACK_PATHS = "attack-paths"
    PCI_SCOPE = "pci-scope"
    BLAST_RADIUS = "blast-radius"


class AnalysisStatus(StrEnum):
    """How one analysis ended."""

    COMPUTED = "computed"
    NOT_APPLICABLE = "not-applicable"
    """The model has nothing for it to work on (``reason`` says what is missing)."""
    FAILED = "failed"
    """It raised; ``reason`` is the error. The rest of the assessment is complete."""
    NOT_RUN = "not-run"
    """Not asked for, or read from a file written before assessments carried analyses."""


@dataclass(frozen=True)
class AttackPathsAnalysis:
    """The cheapest attack path per (entry point, crown jewel) pair, cheapest first."""

    status: AnalysisStatus
    reason: str = ""
    """The error when failed, what is missing when not applicable; else empty."""
    k: int = 1
    max_depth: int = DEFAULT_MAX_DEPTH
    budget: int = REPORT_PATH_BUDGET
    max_paths: int = REPORT_PATHS
    paths: tuple[AttackPath, ...] = ()
    """At most ``max_paths``, cheapest first."""
    pairs: int = 0
    """(entry, target) pairs the search found a path for (``paths`` keeps ``max_paths``)."""
    capped: bool = False
    """A bound (``max_depth`` or ``budget``) cut the search short: more paths may exist."""
    expanded: int = 0
    """Partial paths the search expanded."""


@dataclass(frozen=True)
class PciScopeAnalysis:
    """The PCI DSS scope (one definition of the CDE, see :mod:`threatforge.analysis.pci_scope`).

    It takes no parameters. Not applicable when no data asset has a PAN or SAD category.
    """

    status: AnalysisStatus
    reason: str = ""
    scope: PciScope | None = None
    """Set exactly when computed."""


@dataclass(frozen=True, slots=True)
class DataInReach:
    """A data asset in a blast radius, and how many of the components there handle it."""

    data: str
    classification: Classification
    categories: tuple[str, ...]
    holders: int


@dataclass(frozen=True)
class BlastRadiusSummary:
    """A blast radius (:class:`threatforge.analysis.BlastRadius`) as an assessment keeps it:
    every reached component counted, the nearest listed, every data asset in reach."""

    origin: str
    reached: int
    """Components in reach."""
    max_hops: int
    """Hops to the farthest of them (0 when none is reached)."""
    nearest: tuple[Reached, ...]
    """The nearest reached components (then by id), at most ``max_listed`` of the analysis."""
    data: tuple[DataInReach, ...]
    """Most sensitive first (then by id)."""


@dataclass(frozen=True)
class BlastRadiusAnalysis:
    """What an attacker holding an entry point reaches: the blast radius of the first
    ``max_origins`` distinct entry points of the attack paths (the most plausible ways in)."""

    status: AnalysisStatus
    reason: str = ""
    max_origins: int = BLAST_RADIUS_ORIGINS
    max_listed: int = BLAST_RADIUS_LISTED
    radii: tuple[BlastRadiusSummary, ...] = ()
    """One per origin, in the order of the attack paths."""


@dataclass(frozen=True)
class Analyses:
    """The analyses of one assessment, each with how it ended."""

    attack_paths: AttackPathsAnalysis
    pci_scope: PciScopeAnalysis
    blast_radius: BlastRadiusAnalysis

    @property
    def absent(self) -> bool:
        """None of them was run (the JSON assessment then has no ``analyses`` key)."""
        return self == ANALYSES_NOT_RUN

    def failures(self) -> Iterable[tuple[AnalysisKind, str]]:
        """The analyses that failed, with their errors, in the order of :class:`AnalysisKind`."""
        for kind, result in (
            (AnalysisKind.ATTACK_PATHS, self.attack_paths),
            (AnalysisKind.PCI_SCOPE, self.pci_scope),
            (AnalysisKind.BLAST_RADIUS, self.blast_radius),
        ):
            if result.status is AnalysisStatus.FAILED:
                yield kind, result.reason


ANALYSES_NOT_RUN = Analyses(
    AttackPathsAnalysis(AnalysisStatus.NOT_RUN),
    PciScopeAnalysis(AnalysisStatus.NOT_RUN),
    BlastRadiusAnalysis(AnalysisStatus.NOT_RUN),
)
"""An assessment without analyses (the default; what a file without ``analyses`` reads as)."""
