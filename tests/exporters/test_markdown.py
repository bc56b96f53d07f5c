"""The Markdown findings export: exact table rows and sections, with model text escaped."""

from __future__ import annotations

from datetime import date

from threatforge.exporters.markdown_findings import render_markdown
from threatforge.exporters.registry import render
from threatforge.model import load_text
from threatforge.rules import analyze

MODEL = """
version: 1
system: {name: "Shop | <b>bold</b>"}
data:
  cards: {classification: restricted, categories: [pci.pan]}
boundaries:
  prod: {trust: trusted}
components:
  db:
    kind: datastore
    name: "DB `x` | *y* <script>alert(1)</script>"
    zone: prod
    exposure: private
    authn: iam
    encryption: {at_rest: none}
    stores: [cards]
"""


def _markdown() -> tuple[str, object]:
    model = load_text(MODEL)
    assessment = analyze(model, only=["store-unencrypted-at-rest"], today=date(2026, 1, 1))
    return render_markdown(assessment, model), assessment


def test_markdown_escapes_model_text_in_titles_tables_and_sections() -> None:
    text, _ = _markdown()
    lines = text.splitlines()
    assert lines[0] == "# Threat model findings: Shop \\| &lt;b&gt;bold&lt;/b&gt;"
    assert lines[2].startswith("Assessed on 2026-01-01: 1 findings, 1 open (")
    name = "DB \\`x\\` \\| \\*y\\* &lt;script&gt;alert(1)&lt;/script&gt;"
    row = next(line for line in lines if line.startswith("| 1 |"))
    assert row.count(" | ") == 5  # six cells: no pipe from the model splits the row
    assert f"| {name} |" in row
    assert f"- **Elements:** {name} (`db`)" in lines
    assert "- **Fingerprint:** `store-unencrypted-at-rest@db`" in lines
    assert "<script>" not in text
    assert "<b>" not in text


def test_markdown_links_references() -> None:
    text, assessment = _markdown()
    finding = assessment.findings[0]  # type: ignore[attr-defined]
    for cwe in finding.cwe:
        assert f"[CWE-{cwe}](<https://cwe.mitre.org/data/definitions/{cwe}.html>)" in text


def test_registry_dispatches_markdown() -> None:
    model = load_text(MODEL)
    assessment = analyze(model, today=date(2026, 1, 1))
    assert render("markdown", assessment, model) == render_markdown(assessment, model)
