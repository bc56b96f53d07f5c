"""Rules that reason over the whole graph: attack paths and segmentation (see threatforge.analysis)."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
