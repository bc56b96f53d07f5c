"""Baseline files: the open findings a team has agreed to live with for now, so that a gate
introduced into an existing project fails only on findings that are new.

The file is JSON, sorted and without timestamps, so it diffs cleanly in a pull request::

    {"threatforge_baseline": 1, "system": "Card checkout",
     "findings": [{"fingerprint": "rule@element", "severity": "high", "title": "..."}]}

A plain JSON list of fingerprints is accepted too (every listed finding is then tolerated
whatever its severity).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from threatforge.assessment import Assessment
from threatforge.errors import ThreatforgeError
from threatforge.model import JsonLimits, ReadError, parse_json_text, read_json_file
from threatforge.rules.interface import Severity

__all__ = [
    "BASELINE_VERSION",
    "BaselineError",
    "parse_baseline",
    "read_baseline",
    "render_baseline",
]

BASELINE_VERSION = 1
MAX_BASELINE_BYTES = 20 * 1024 * 1024
BASELINE_LIMITS = JsonLimits(max_bytes=MAX_BASELINE_BYTES, max_depth=8)
"""A baseline is an object of a list of flat objects: three levels; eight leave room."""


class BaselineError(ThreatforgeError):
    """A baseline file is not valid."""


def render_baseline(assessment: Assessment) -> str:
    """The assessment's open findings as baseline JSON text."""
    findings = sorted(assessment.open_findings, key=lambda f: f.fingerprint)
    document = {
        "threatforge_baseline": BASELINE_VERSION,
        "system": assessment.system,
        "findings": [
            {"fingerprint": f.fingerprint, "severity": f.severity.value, "title": f.title}
            for f in findings
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: str, name: str | None = None) -> Mapping[str, Severity | None]:
    """Read the baseline file ``path`` with the bounded JSON reader (see :func:`parse_baseline`)."""
    try:
        document = read_json_file(path, name or path, BASELINE_LIMITS, kind="a baseline file")
    except ReadError as exc:
        raise BaselineError(f"baseline {exc}") from None
    return baseline_from_json(document, name or path)


def parse_baseline(text: str, name: str = "baseline") -> Mapping[str, Severity | None]:
    """Fingerprint -> severity when recorded (None: tolerate at any severity)."""
    try:
        document = parse_json_text(text, name, BASELINE_LIMITS)
    except ReadError as exc:
        raise BaselineError(f"baseline {exc}") from None
    return baseline_from_json(document, name)


def baseline_from_json(document: Any, name: str) -> Mapping[str, Severity | None]:
    """The baseline in an already parsed JSON value."""
    if isinstance(document, list):
        return {_fingerprint(item, name, index): None for index, item in enumerate(document)}
    if not isinstance(document, dict) or "threatforge_baseline" not in document:
        raise BaselineError(
            f"{name}: not a threatforge baseline (write one with 'threatforge check MODEL "
            "--write-baseline FILE')"
        )
    if document["threatforge_baseline"] != BASELINE_VERSION:
        raise BaselineError(
            f"{name}: baseline version {document['threatforge_baseline']!r} is not supported "
            f"(expected {BASELINE_VERSION})"
        )
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"{name}: 'findings' must be a list")
    known: dict[str, Severity | None] = {}
    for index, item in enumerate(findings):
        if not isinstance(item, dict):
            raise BaselineError(f"{name}: findings[{index}] must be an object with a 'fingerprint'")
        fingerprint = _fingerprint(item.get("fingerprint"), name, index)
        severity = item.get("severity")
        if severity is None:
            known[fingerprint] = None
            continue
        try:
            known[fingerprint] = Severity(severity)
        except ValueError:
            choices = ", ".join(s.value for s in Severity)
            raise BaselineError(
                f"{name}: findings[{index}]: unknown severity {severity!r} (one of: {choices})"
            ) from None
    return known


def _fingerprint(value: Any, name: str, index: int) -> str:
    if not isinstance(value, str) or not value or len(value) > 600:
        raise BaselineError(f"{name}: findings[{index}]: a fingerprint must be a non-empty string")
    return value
