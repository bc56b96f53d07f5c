"""Microservice and Kubernetes rules: service identity, mesh policy, pods, RBAC, images, message buses."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
