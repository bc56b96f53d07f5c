"""Exporters: an Assessment (and its Model) in, text or bytes out. The caller writes files."""

from __future__ import annotations

from threatforge.exporters.json_assessment import assessment_to_dict, render_json

__all__ = ["assessment_to_dict", "render_json"]
