"""A model diff as a pull-request comment (Markdown) or as JSON. Renderers return text.

The comment is written by the tool but shows text from the change it reviews: every model
string (names, titles, tracking keys, field values) goes through :mod:`threatforge.text.markdown`,
so it cannot add HTML, images, links, mentions or a section of its own. Long tables are cut at
:data:`MAX_ROWS`, but never the decisions (tracking entries, findings closed by a decision): a
change cannot hide them behind fifty other rows.
"""

from __future__ import annotations

import json
from typing import Any

from threatforge.assessment import ApplicableThreat, TeamThreat
from threatforge.assessment.diff import AssessmentDiff, ElementChange
from threatforge.rules.interface import Finding
from threatforge.text.markdown import markdown_code as _code
from threatforge.text.markdown import markdown_text as _md

__all__ = ["COMMENT_MARKER", "diff_to_dict", "render_diff_json", "render_diff_markdown"]

COMMENT_MARKER = "<!-- threatforge-diff -->"
"""First line of the comment, so CI can find and update its previous comment."""
MAX_ROWS = 50
"""Rows per table, other than decisions; a pull-request comment is limited to 65,536 characters."""


def _elements(finding: Finding | ApplicableThreat | TeamThreat) -> str:
    return ", ".join(_code(e) for e in finding.elements)


def _change_words(change: ElementChange) -> str:
    return f"{change.singular} {_code(change.element)} {change.kind.value}"


def _rows(rows: list[tuple[str, bool]]) -> list[str]:
    """The table rows: every decision row (``True``), and the others up to :data:`MAX_ROWS`."""
    kept: list[str] = []
    others = 0
    for row, decision in rows:
        if decision:
            kept.append(row)
        else:
            others += 1
            if others <= MAX_ROWS:
                kept.append(row)
    if others > MAX_ROWS:
        kept.append(f"\n…and {others - MAX_ROWS} more (see the JSON output).")
    return kept


def render_diff_markdown(diff: AssessmentDiff, *, old_label: str = "", new_label: str = "") -> str:
    """A pull-request comment: new findings first, then resolved, re-scored and model changes."""
    lines = [COMMENT_MARKER, f"### Threat model review: {_md(diff.new_system)}", ""]
    if old_label or new_label:
        lines += [f"Compared {_code(old_label or 'old')} with {_code(new_label or 'new')}.", ""]
    if diff.old_system is None:
        lines += ["The model is new: every open finding is listed as new.", ""]
    lines.append(
        f"**{len(diff.new)} new** · {len(diff.resolved)} resolved · "
        f"{len(diff.changed)} changed in severity · {len(diff.model_changes)} model changes"
    )
    lines.append("")
    if diff.new_threats or diff.closed_threats:
        lines += [
            f"Threats to consider: **{len(diff.new_threats)} new** · "
            f"{len(diff.closed_threats)} no longer open",
            "",
        ]
    if diff.team_threats:
        counts = {
            kind: sum(c.kind.value == kind for c in diff.team_threats)
            for kind in ("added", "changed", "removed")
        }
        lines += [
            f"Team threats: **{counts['added']} added** · {counts['changed']} changed · "
            f"{counts['removed']} removed",
            "",
        ]
    if diff.empty:
        lines += ["No findings or model elements changed.", ""]
    if diff.new:
        lines += [
            "#### New findings",
            "",
            "| severity | finding | element | model change | fingerprint |",
            "|---|---|---|---|---|",
        ]
        rows = []
        for item in diff.new:
            finding = item.finding
            behind = "; ".join(_change_words(c) for c in diff.changes_behind(finding))
            if item.previous_status is not None:
                was = f"was {item.previous_status.value}"
                if finding.decision is not None and finding.decision.expired:
                    was = f"acceptance expired {finding.decision.expires}"
                behind = f"{behind}; {was}" if behind else was
            rows.append((
                f"| {finding.severity.value} | {_md(finding.title)}{_warn_only(finding)} | "
                f"{_elements(finding)} | {behind or '—'} | {_code(finding.fingerprint)} |",
                False,
            ))
        lines += [*_rows(rows), ""]
    if diff.resolved:
        lines += [
            "#### Resolved",
            "",
            "| severity | finding | element | now |",
            "|---|---|---|---|",
        ]
        rows = [
            (
                f"| {item.finding.severity.value} | {_md(item.finding.title)} | "
                f"{_elements(item.finding)} | {item.status.value if item.status else 'gone'} |",
                item.status is not None,  # closed by a decision
            )
            for item in diff.resolved
        ]
        lines += [*_rows(rows), ""]
    if diff.changed:
        lines += [
            "#### Changed in severity",
            "",
            "| finding | element | before | after |",
            "|---|---|---|---|",
        ]
        rows = [
            (
                f"| {_md(item.finding.title)} | {_elements(item.finding)} | {item.old.value} | "
                f"{'**' + item.new.value + '**' if item.raised else item.new.value} |",
                False,
            )
            for item in diff.changed
        ]
        lines += [*_rows(rows), ""]
    if diff.new_threats:
        lines += [
            "#### New threats to consider",
            "",
            "| severity | threat | element | question | fingerprint |",
            "|---|---|---|---|---|",
        ]
        rows = [
            (
                f"| {threat.severity.value} | {_md(threat.title)} | {_elements(threat)} | "
                f"{_md(threat.question.text)} | {_code(threat.fingerprint)} |",
                False,
            )
            for threat in diff.new_threats
        ]
        lines += [*_rows(rows), ""]
    if diff.closed_threats:
        lines += [
            "#### Threats no longer open",
            "",
            "| severity | threat | element | now |",
            "|---|---|---|---|",
        ]
        rows = [
            (
                f"| {item.threat.severity.value} | {_md(item.threat.title)} | "
                f"{_elements(item.threat)} | {_md(item.now)} |",
                item.now not in ("confirmed", "gone"),  # decided, or ruled out by a fact
            )
            for item in diff.closed_threats
        ]
        lines += [*_rows(rows), ""]
    if diff.team_threats:
        lines += [
            "#### Team threats",
            "",
            "| change | severity | threat | element | details | fingerprint |",
            "|---|---|---|---|---|---|",
        ]
        rows = [
            (
                f"| {item.kind.value} | {item.threat.severity.value} | "
                f"{_md(item.threat.statement)} | {_elements(item.threat) or '—'} | "
                f"{_md('; '.join(item.changes)) or '—'} | {_code(item.threat.fingerprint)} |",
                item.decided,  # a decision changed
            )
            for item in diff.team_threats
        ]
        lines += [*_rows(rows), ""]
    if diff.model_changes:
        lines += ["#### Model changes", "", "| change | element | details |", "|---|---|---|"]
        rows = []
        for change in diff.model_changes:
            details = "; ".join(
                f"{_code(f.field)}: {_md(f.old) or '—'} → {_md(f.new) or '—'}"
                for f in change.fields
            )
            subject = f"{change.singular} {_code(change.element)}"
            rows.append((
                f"| {change.kind.value} | {subject} | {details or '—'} |",
                change.section == "tracking",  # a decision added, changed or removed
            ))
        lines += [*_rows(rows), ""]
    lines.append("<sub>Generated by threatforge. Fingerprints key decisions in `tracking:`.</sub>")
    return "\n".join(lines) + "\n"


def _warn_only(finding: Finding) -> str:
    """A warn-only rule's new finding says it does not fail the gate."""
    return " (warn-only: reported, not gated)" if finding.warn_only else ""


def _finding(finding: Finding | ApplicableThreat | TeamThreat) -> dict[str, Any]:
    if isinstance(finding, Finding) and finding.warn_only:
        return _finding_fields(finding) | {"warn_only": True}
    return _finding_fields(finding)


def _finding_fields(finding: Finding | ApplicableThreat | TeamThreat) -> dict[str, Any]:
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "title": finding.title,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "elements": list(finding.elements),
        "location": None if finding.location is None else str(finding.location),
    }


def _change(change: ElementChange) -> dict[str, Any]:
    return {
        "section": change.section,
        "element": change.element,
        "change": change.kind.value,
        "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in change.fields],
    }


def diff_to_dict(diff: AssessmentDiff) -> dict[str, Any]:
    """The diff as plain JSON data."""
    return {
        "threatforge_diff": 1,
        "system": diff.new_system,
        "old_system": diff.old_system,
        "new": [
            _finding(item.finding)
            | {
                "previous_status": item.previous_status.value if item.previous_status else None,
                "model_changes": [
                    {"section": c.section, "element": c.element, "change": c.kind.value}
                    for c in diff.changes_behind(item.finding)
                ],
            }
            for item in diff.new
        ],
        "resolved": [
            _finding(item.finding) | {"now": item.status.value if item.status else "gone"}
            for item in diff.resolved
        ],
        "changed": [
            _finding(item.finding)
            | {"old_severity": item.old.value, "new_severity": item.new.value}
            for item in diff.changed
        ],
        "model_changes": [_change(c) for c in diff.model_changes],
        "new_threats": [
            _finding(threat) | {"question": threat.question.text} for threat in diff.new_threats
        ],
        "closed_threats": [
            _finding(item.threat) | {"now": item.now} for item in diff.closed_threats
        ],
        # only when team threats changed (the diff of other models is unchanged)
        **(
            {
                "team_threats": [
                    _finding(item.threat)
                    | {"change": item.kind.value, "changes": list(item.changes)}
                    for item in diff.team_threats
                ]
            }
            if diff.team_threats
            else {}
        ),
    }


def render_diff_json(diff: AssessmentDiff) -> str:
    """The diff as indented JSON text."""
    return json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False) + "\n"
