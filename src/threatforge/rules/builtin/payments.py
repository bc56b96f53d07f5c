"""Payments and PCI DSS 4.0 rules: PAN, SAD, tokenization, keys, CDE segmentation, payment abuse."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
