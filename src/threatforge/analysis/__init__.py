"""Analyses over the whole model graph: attack paths, blast radius, PCI DSS scope, privacy flows.

Every function here is pure (a model in, frozen dataclasses out); :mod:`threatforge.analysis.render`
turns the results into JSON data or Markdown, and the CLI prints them.
"""

from __future__ import annotations

from threatforge.analysis._steps import Strength
from threatforge.analysis.attack_paths import (
    AttackPath,
    Hop,
    PathSearch,
    crown_jewels,
    find_paths,
)
from threatforge.analysis.blast_radius import BlastRadius, DataExposure, Reached, blast_radius
from threatforge.analysis.pci_scope import (
    PciScope,
    PciSegmentation,
    ScopeCategory,
    ScopedComponent,
    SegmentationHop,
    SegmentationViolation,
    pci_scope,
    pci_segmentation,
)
from threatforge.analysis.privacy_flows import (
    Minimisation,
    PrivacyReport,
    RetentionGap,
    ThirdPartyFlow,
    Transfer,
    privacy_flows,
)

__all__ = [
    "AttackPath",
    "BlastRadius",
    "DataExposure",
    "Hop",
    "Minimisation",
    "PathSearch",
    "PciScope",
    "PciSegmentation",
    "PrivacyReport",
    "Reached",
    "RetentionGap",
    "ScopeCategory",
    "ScopedComponent",
    "SegmentationHop",
    "SegmentationViolation",
    "Strength",
    "ThirdPartyFlow",
    "Transfer",
    "blast_radius",
    "crown_jewels",
    "find_paths",
    "pci_scope",
    "pci_segmentation",
    "privacy_flows",
]
