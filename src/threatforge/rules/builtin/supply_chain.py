"""Supply-chain and CI/CD rules: pipeline integrity, signing, deployment credentials, dependencies."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
