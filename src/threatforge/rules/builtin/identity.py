"""Identity rules: MFA, identity-provider isolation, break-glass, session management."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
