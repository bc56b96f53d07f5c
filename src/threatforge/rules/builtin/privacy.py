"""Privacy rules: LINDDUN categories and GDPR (transfers, retention, minimisation)."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
