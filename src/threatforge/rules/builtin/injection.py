"""Injection and input-handling rules by technology (SQL, NoSQL, LDAP, OS command, XXE, SSRF, ...)."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
