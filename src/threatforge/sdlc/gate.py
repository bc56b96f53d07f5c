"""The CI gate: which open findings fail a build, and the summary a person reads in the log.

Pure: the caller loads the model, runs the engine, reads the baseline, prints and exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from threatforge.rules.assessment import Assessment
from threatforge.rules.interface import Finding, Severity
from threatforge.text.terminal import terminal_text

__all__ = ["GateMode", "GateResult", "evaluate_gate", "gate_to_dict", "render_gate_text"]


class GateMode(StrEnum):
    """What the gate compares against."""

    ALL = "all"
    """Every open finding counts."""
    BASELINE = "baseline"
    """Findings recorded in a baseline file do not count (unless their severity rose)."""
    BASE = "base"
    """Findings already open at a git ref do not count (unless their severity rose)."""


@dataclass(frozen=True)
class GateResult:
    """The verdict of the gate on one assessment."""

    system: str
    threshold: Severity
    mode: GateMode
    open_by_severity: Mapping[Severity, int]
    failing: tuple[Finding, ...]
    """Open findings at or above the threshold that count (new, or raised, in the other modes)."""
    tolerated: tuple[Finding, ...]
    """Open findings at or above the threshold that already existed (baseline or base modes)."""
    reference: str = ""
    """The baseline file or the git ref compared against."""

    @property
    def passed(self) -> bool:
        return not self.failing


def evaluate_gate(
    assessment: Assessment,
    threshold: Severity,
    known: Mapping[str, Severity | None] | None = None,
    *,
    mode: GateMode | None = None,
    reference: str = "",
) -> GateResult:
    """Open findings at or above ``threshold`` fail the gate.

    ``known`` maps the fingerprints that already existed to their severity then (None: ignore
    whatever the severity). A known finding fails only when its severity rose from below the
    threshold to at or above it.
    """
    failing: list[Finding] = []
    tolerated: list[Finding] = []
    for finding in assessment.at_or_above(threshold):
        if known is not None and finding.fingerprint in known:
            before = known[finding.fingerprint]
            if before is None or before.rank >= threshold.rank:
                tolerated.append(finding)
                continue
        failing.append(finding)
    chosen = mode or (GateMode.ALL if known is None else GateMode.BASELINE)
    return GateResult(
        system=assessment.system,
        threshold=threshold,
        mode=chosen,
        open_by_severity=assessment.count_by_severity(),
        failing=tuple(failing),
        tolerated=tuple(tolerated),
        reference=reference,
    )


def _counts(result: GateResult) -> str:
    return ", ".join(f"{result.open_by_severity[s]} {s.value}" for s in reversed(Severity))


def render_gate_text(result: GateResult) -> str:
    """A short, plain-text summary for a CI log (one line per failing finding).

    Model text (the system's name, titles, fingerprints) is escaped for the terminal
    (:func:`terminal_text`): it cannot start a line, so it can neither print a verdict of its
    own nor a CI workflow command.
    """
    verdict = "passed" if result.passed else "FAILED"
    system = terminal_text(result.system)
    lines = [f"{system}: gate {verdict} (fail on {result.threshold.value} or above)"]
    lines.append(f"open findings: {_counts(result)}")
    if result.mode is GateMode.BASELINE:
        lines.append(
            f"baseline {terminal_text(result.reference)}: {len(result.tolerated)} known "
            f"finding(s) at or above {result.threshold.value} not counted"
        )
    elif result.mode is GateMode.BASE:
        lines.append(
            f"compared with {terminal_text(result.reference)}: {len(result.tolerated)} "
            f"finding(s) at or above {result.threshold.value} already open there, not counted"
        )
    if result.failing:
        what = "finding" if len(result.failing) == 1 else "findings"
        qualifier = "" if result.mode is GateMode.ALL else "new or raised "
        lines.append(
            f"{len(result.failing)} {qualifier}{what} at or above {result.threshold.value}:"
        )
        shown = [(f, terminal_text(f.fingerprint)) for f in result.failing]
        width = max(len(fingerprint) for _, fingerprint in shown)
        for finding, fingerprint in shown:
            lines.append(
                f"  {finding.severity.value:<8}  {fingerprint:<{width}}  "
                f"{terminal_text(finding.title)}"
            )
    return "\n".join(lines) + "\n"


def gate_to_dict(result: GateResult) -> dict[str, Any]:
    """The gate's verdict as plain JSON data."""
    return {
        "system": result.system,
        "passed": result.passed,
        "fail_on": result.threshold.value,
        "mode": result.mode.value,
        "reference": result.reference or None,
        "open_by_severity": {s.value: result.open_by_severity[s] for s in reversed(Severity)},
        "failing": [_finding(f) for f in result.failing],
        "tolerated": [f.fingerprint for f in result.tolerated],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    location = finding.location
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "title": finding.title,
        "elements": list(finding.elements),
        "status": finding.status.value,
        "location": None if location is None else str(location),
    }
