"""``threatforge drift`` output: the drift report as JSON, SARIF and Markdown (docs/drift.md).

SARIF is the one SARIF writer's (:func:`threatforge.exporters.sarif.sarif_document`) over the
drift items as findings of the ``drift-*`` rules, located at the code resource; each result
also names the declared element's line as a related location, with what the model says, what
the code says and the fix. Its ``automationDetails.id`` is ``threatforge-drift/<system>/``, so
code scanning keeps drift apart from ``analyze``'s results. Information (differences that do
not weaken security) is in JSON and Markdown only: it is no alert.

Every piece of model or code text in Markdown goes through :mod:`threatforge.text.markdown`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from threatforge.assessment.drift import (
    DriftItem,
    DriftReport,
    InfoItem,
    drift_assessment,
)
from threatforge.exporters.sarif import sarif_document
from threatforge.model import Location, Model
from threatforge.text.json import json_text
from threatforge.text.markdown import markdown_cell, markdown_code, markdown_text

__all__ = ["DRIFT_SCHEMA_VERSION", "drift_document", "drift_json", "drift_markdown", "drift_sarif"]

DRIFT_SCHEMA_VERSION = 1
"""The version of the JSON drift document (docs/drift.md)."""


def _place(location: Location | None) -> str | None:
    if location is None:
        return None
    return f"{location.file}:{location.line}" if location.line else location.file


def _item(item: DriftItem) -> dict[str, Any]:
    return {
        "id": item.fingerprint,
        "rule": item.kind.value,
        "title": item.title,
        "severity": item.severity.value,
        "declared": (
            {"id": item.declared, "location": _place(item.declared_location)}
            if item.declared is not None
            else None
        ),
        "code": {
            "id": item.code,
            "address": item.code_address,
            "location": _place(item.code_location),
        },
        "model_says": item.model_says,
        "code_says": item.code_says,
        "fix": item.fix,
        "cwe": list(item.rule.cwe),
    }


def _info(item: InfoItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind.value,
        "declared": (
            {"id": item.declared, "location": _place(item.declared_location)}
            if item.declared is not None
            else None
        ),
        "code": (
            {"id": item.code, "location": _place(item.code_location)}
            if item.code is not None
            else None
        ),
        "model_says": item.model_says,
        "code_says": item.code_says,
    }


def drift_document(report: DriftReport) -> dict[str, Any]:
    """The drift report as plain JSON data."""
    return {
        "drift_schema_version": DRIFT_SCHEMA_VERSION,
        "system": report.system,
        "model_files": list(report.model_files),
        "code_files": list(report.code_files),
        "weakens_security": report.weakens_security,
        "summary": {
            "drift": len(report.drift),
            "info": len(report.info),
            "matched": len({m.code for m in report.matches}),
            "missing_from_model": len(report.unmatched_code),
            "absent_from_code": len(report.unmatched_declared),
        },
        "drift": [_item(item) for item in report.drift],
        "info": [_info(item) for item in report.info],
        "matches": [
            {"declared": m.declared, "code": m.code, "by": m.by.value} for m in report.matches
        ],
        "unmatched": {
            "declared": list(report.unmatched_declared),
            "code": list(report.unmatched_code),
        },
        "notes": list(report.notes),
    }


def drift_json(report: DriftReport) -> str:
    """The drift report as JSON text."""
    return json_text(drift_document(report)) + "\n"


def drift_sarif(report: DriftReport, model: Model, *, as_of: str, root: Path | None = None) -> str:
    """The drift items as SARIF 2.1.0 (see the module docstring)."""
    assessment = drift_assessment(report, as_of)
    document = sarif_document(assessment, model, root=root)
    run = document["runs"][0]
    run["automationDetails"] = {"id": f"threatforge-drift/{_slug(report.system)}/"}
    run["properties"] = {
        "system": report.system,
        "drift": len(report.drift),
        "info": len(report.info),
        "modelFiles": list(report.model_files),
        "codeFiles": list(report.code_files),
    }
    for result, item in zip(run["results"], report.drift, strict=True):
        result["properties"] |= {
            "modelSays": item.model_says,
            "codeSays": item.code_says,
            "fix": item.fix,
            "codeAddress": item.code_address,
        }
        if item.declared_location is not None:
            result["relatedLocations"] = [
                {
                    "id": 1,
                    "physicalLocation": _related(item.declared_location, root),
                    "message": {"text": f"declared as {item.declared} in the model"},
                }
            ]
    return json_text(document) + "\n"


def _related(location: Location, root: Path | None) -> dict[str, Any]:
    """The declared element's place, its file named as the SARIF writer names files."""
    from threatforge.exporters.sarif import _artifact  # the one way SARIF names a file here

    physical: dict[str, Any] = {"artifactLocation": _artifact(location.file, root)}
    if location.line > 0:
        physical["region"] = {"startLine": location.line, "startColumn": max(location.column, 1)}
    return physical


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "model"


def _md_place(location: Location | None) -> str:
    shown = _place(location)
    return markdown_code(shown) if shown else "-"


def drift_markdown(report: DriftReport) -> str:
    """The drift report as Markdown (a pull-request comment, a CI summary)."""
    lines = [f"# Drift: {markdown_text(report.system)}", ""]
    if report.drift:
        count = len(report.drift)
        items = "1 drift item weakens" if count == 1 else f"{count} drift items weaken"
        lines.append(f"**{items} security**: the code is weaker than the model declares.")
    else:
        lines.append("**No drift that weakens security.**")
    files = ", ".join(markdown_code(f) for f in report.model_files) or "-"
    code = ", ".join(markdown_code(f) for f in report.code_files) or "-"
    lines += ["", f"Model: {files}. Code: {code}.", ""]
    if report.drift:
        lines += [
            "| id | declared | code | model says | code says | fix |",
            "|---|---|---|---|---|---|",
        ]
        for item in report.drift:
            declared = (
                f"{markdown_code(item.declared)} at {_md_place(item.declared_location)}"
                if item.declared
                else "-"
            )
            lines.append(
                f"| {markdown_code(item.fingerprint)} | {declared} | "
                f"{markdown_code(item.code_address)} at {_md_place(item.code_location)} | "
                f"{markdown_cell(item.model_says)} | {markdown_cell(item.code_says)} | "
                f"{markdown_cell(item.fix)} |"
            )
        lines.append("")
    if report.info:
        lines += ["## Not drift (information)", ""]
        for info in report.info:
            lines.append(
                f"- {markdown_code(info.id)}: the model says {markdown_text(info.model_says)}; "
                f"the code says {markdown_text(info.code_says)}"
            )
        lines.append("")
    lines += ["## Matching", "", "| declared | code | matched by |", "|---|---|---|"]
    for match in report.matches:
        lines.append(
            f"| {markdown_code(match.declared)} | {markdown_code(match.code)} | {match.by.value} |"
        )
    for cid in report.unmatched_code:
        lines.append(f"| - | {markdown_code(cid)} | missing from the model |")
    for did in report.unmatched_declared:
        lines.append(f"| {markdown_code(did)} | - | absent from the code |")
    for note in report.notes:
        lines += ["", f"Note: {markdown_text(note)}"]
    return "\n".join(lines) + "\n"
