"""Baseline files: the open findings a team has agreed to live with for now, so that a gate
introduced into an existing project fails only on findings that are new.

The file is JSON, sorted and without timestamps, so it diffs cleanly in a pull request::

    {"threatforge_baseline": 1, "system": "Card checkout",
     "findings": [{"fingerprint": "rule@element", "severity": "high", "title": "..."}]}

A plain JSON list of fingerprints is accepted too (every listed finding is then tolerated
whatever its severity), and so is a JSON assessment written by ``threatforge analyze --format
json``: its open findings, with their severities, are the baseline. The assessment is read by
the one reader of JSON assessments (:func:`threatforge.assessment.assessment_from_dict`, within
its own bounds when it is larger or deeper than a baseline file may be).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from threatforge.assessment import Assessment, assessment_from_dict, read_assessment
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
    """Read the baseline file ``path`` with the bounded JSON reader (see :func:`parse_baseline`).

    A JSON assessment is accepted too. One past a baseline's bounds (a 10,000-component
    estate's assessment is about 45 MB) is read again by the assessment reader within an
    assessment's bounds; when that fails too, the error is the baseline reader's.
    """
    shown = name or path
    try:
        document = read_json_file(path, shown, BASELINE_LIMITS, kind="a baseline file")
    except ReadError as exc:
        try:
            return _known(read_assessment(path, shown))
        except ReadError:
            raise BaselineError(f"baseline {exc}") from None
    return baseline_from_json(document, shown)


def parse_baseline(text: str, name: str = "baseline") -> Mapping[str, Severity | None]:
    """Fingerprint -> severity when recorded (None: tolerate at any severity)."""
    try:
        document = parse_json_text(text, name, BASELINE_LIMITS)
    except ReadError as exc:
        raise BaselineError(f"baseline {exc}") from None
    return baseline_from_json(document, name)


def baseline_from_json(document: Any, name: str) -> Mapping[str, Severity | None]:
    """The baseline in an already parsed JSON value (a baseline or a JSON assessment)."""
    if isinstance(document, list):
        return {_fingerprint(item, name, index): None for index, item in enumerate(document)}
    if isinstance(document, dict) and "threatforge_assessment" in document:
        try:
            return _known(assessment_from_dict(document, name))
        except ReadError as exc:
            raise BaselineError(f"baseline {exc}") from None
    if not isinstance(document, dict) or "threatforge_baseline" not in document:
        raise BaselineError(
            f"{name}: not a threatforge baseline (write one with 'threatforge check MODEL "
            "--write-baseline FILE', or give a JSON assessment from 'threatforge analyze "
            "--format json')"
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


def _known(assessment: Assessment) -> dict[str, Severity | None]:
    """A JSON assessment as a baseline: its open findings, as ``render_baseline`` records them."""
    return {f.fingerprint: f.severity for f in assessment.open_findings}


def _fingerprint(value: Any, name: str, index: int) -> str:
    if not isinstance(value, str) or not value or len(value) > 600:
        raise BaselineError(f"{name}: findings[{index}]: a fingerprint must be a non-empty string")
    return value
