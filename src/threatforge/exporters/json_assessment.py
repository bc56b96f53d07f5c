"""The JSON assessment as an exporter (``analyze --format json``); the format itself, writer and
reader, is :mod:`threatforge.assessment` (docs/assessment.md).
"""

from __future__ import annotations

from threatforge.assessment import (
    ASSESSMENT_SCHEMA_VERSION,
    Assessment,
    assessment_json,
    assessment_to_dict,
    finding_to_dict,
)
from threatforge.exporters.interface import AssessmentExporter
from threatforge.model import Model

__all__ = [
    "ASSESSMENT_SCHEMA_VERSION",
    "JsonExporter",
    "assessment_to_dict",
    "finding_to_dict",
    "render_json",
]


def render_json(assessment: Assessment, model: Model | None = None) -> str:
    """The assessment as JSON text (:func:`threatforge.assessment.assessment_json`)."""
    return assessment_json(assessment, model)


class JsonExporter(AssessmentExporter):
    """The JSON assessment: every finding, gap and outcome (docs/assessment.md)."""

    name = "json"
    description = "The JSON assessment: every finding, gap and outcome (docs/assessment.md)."
    suffix = ".json"
    media_type = "application/json"

    def export(self, assessment: Assessment, model: Model) -> str:
        return render_json(assessment, model)
