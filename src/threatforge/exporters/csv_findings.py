"""Findings as CSV, one row per finding, safe to open in a spreadsheet.

Every cell goes through :func:`threatforge.text.csv.csv_cell`: a cell a spreadsheet would read as a
formula is prefixed with a single quote (OWASP's advice against CSV injection), and line breaks
become spaces, so each finding is one line. Lists are joined with ``; `` inside one cell.
"""

from __future__ import annotations

import csv
import io

from threatforge.exporters.interface import AssessmentExporter
from threatforge.model import Model
from threatforge.rules import Assessment, Finding
from threatforge.text.csv import csv_cell

__all__ = ["COLUMNS", "CsvExporter", "render_csv"]

COLUMNS = (
    "fingerprint",
    "rule",
    "severity",
    "likelihood",
    "impact",
    "confidence",
    "status",
    "title",
    "elements",
    "element_names",
    "data",
    "stride",
    "cwe",
    "capec",
    "owasp",
    "attack",
    "compliance",
    "explanation",
    "evidence",
    "mitigations",
    "decision_owner",
    "decision_ticket",
    "decision_expires",
    "decision_justification",
    "location",
)

def _row(finding: Finding, model: Model) -> list[str]:
    decision = finding.decision
    names = []
    for element_id in finding.elements:
        element = model.element(element_id)
        names.append(element.label if element is not None else element_id)
    location = finding.location
    return [
        finding.fingerprint,
        finding.rule,
        finding.severity.value,
        str(finding.likelihood),
        str(finding.impact),
        finding.confidence.value,
        finding.status.value,
        finding.title,
        "; ".join(finding.elements),
        "; ".join(names),
        "; ".join(finding.data),
        "; ".join(s.value for s in (*finding.stride, *finding.linddun)),
        "; ".join(f"CWE-{c}" for c in finding.cwe),
        "; ".join(f"CAPEC-{c}" for c in finding.capec),
        "; ".join((*finding.asvs, *finding.api_top10)),
        "; ".join(finding.attack),
        "; ".join(finding.compliance),
        finding.explanation,
        "; ".join(finding.evidence),
        "; ".join(finding.mitigations),
        (decision.owner or "") if decision else "",
        (decision.ticket or "") if decision else "",
        decision.expires.isoformat() if decision and decision.expires else "",
        (decision.justification or "") if decision else "",
        f"{location.file}:{location.line}" if location is not None else "",
    ]


def render_csv(assessment: Assessment, model: Model) -> str:
    """Every finding as a CSV row (header first), most severe first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    writer.writerows([csv_cell(cell) for cell in _row(f, model)] for f in assessment.findings)
    return buffer.getvalue()


class CsvExporter(AssessmentExporter):
    """CSV: one row per finding, formula-safe, for spreadsheets and ticket imports."""

    name = "csv"
    description = "CSV: one row per finding, formula-safe, for spreadsheets and ticket imports."
    suffix = ".csv"
    media_type = "text/csv"

    def export(self, assessment: Assessment, model: Model) -> str:
        return render_csv(assessment, model)
