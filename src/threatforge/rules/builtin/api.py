"""API rules: the OWASP API Security Top 10 2023, webhooks, OAuth2/OIDC, GraphQL."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
