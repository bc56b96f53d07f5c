"""Reports render the analyses the assessment carries; they never run them again.

A failed analysis is a note naming its error, not a section that silently vanishes; an
assessment without analyses (made without them, or read from a file written before them) says
so; a report from an assessment read back from its JSON is the report of the assessment itself.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import pytest
from report_support import EXAMPLE_NAMES, analysed, example_path

import threatforge.analysis
from threatforge.assessment import assessment_json, parse_assessment
from threatforge.model import Model, load
from threatforge.reports import Audience, ReportFormat, render_report
from threatforge.rules import Assessment, analyze

TODAY = date(2026, 1, 1)
CARD = example_path("card-checkout")


def _markdown(model: Model, assessment: Assessment) -> str:
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    return text


def _html(model: Model, assessment: Assessment) -> str:
    text = render_report(model, assessment, ReportFormat.HTML)
    assert isinstance(text, str)
    return text


def _section(markdown: str, title: str) -> list[str]:
    lines = markdown.splitlines()
    start = lines.index(f"## {title}")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
    return lines[start:end]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_report_from_the_json_read_back_is_the_same_report(name: str) -> None:
    model, assessment = analysed(example_path(name))
    back = parse_assessment(assessment_json(assessment, model))
    assert _markdown(model, back) == _markdown(model, assessment)
    assert _html(model, back) == _html(model, assessment)


def test_a_report_does_not_run_the_analyses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    model, assessment = analysed(CARD)
    expected = _markdown(model, assessment), _html(model, assessment)

    def never(*_: object, **__: object) -> None:
        raise AssertionError("a report ran an analysis")

    for name in ("find_paths", "pci_scope", "blast_radius", "pci_segmentation"):
        monkeypatch.setattr(threatforge.analysis, name, never)
    # and in their own modules (the package's names shadow two of them)
    for module, name in (
        ("attack_paths", "find_paths"),
        ("pci_scope", "pci_scope"),
        ("pci_scope", "pci_segmentation"),
        ("blast_radius", "blast_radius"),
    ):
        monkeypatch.setattr(importlib.import_module(f"threatforge.analysis.{module}"), name, never)
    assert (_markdown(model, assessment), _html(model, assessment)) == expected


def test_the_blast_radius_section() -> None:
    model, assessment = analysed(CARD)
    restricted = (
        "restricted: Cardholder name and expiry date, Card verification value (CVV2), "
        "Data encryption keys, Primary account number, Service credentials; confidential: "
        "Customer profile, Fraud signals, Orders and payment status, Payment token, Receipts "
        "and finance exports, Shopper session tokens; internal: Audit and application logs."
    )
    assert _section(_markdown(model, assessment), "Blast radius") == [
        "## Blast radius",
        "",
        "What an attacker who holds an entry point of the attack paths can reach next, and the "
        "data there.",
        "",
        f"- **Payment service provider** reaches 13 components within 3 hops; data in reach: "
        f"{restricted}",
        f"- **Shopper** reaches 15 components within 4 hops; data in reach: {restricted}",
        # an insider start (#15.3): the support agent's staff account also reaches their own
        # credentials' store
        "- **Support agent** reaches 16 components within 6 hops; data in reach: "
        + restricted.replace("Service credentials;", "Service credentials, Support staff "
                             "credentials;"),
        "",
    ]
    html = _html(model, assessment)
    assert '<li><a href="#blast-radius">Blast radius</a></li>' in html
    assert (
        "<li><strong>Shopper</strong> reaches 15 components within 4 hops; data in reach: "
        "restricted: Cardholder name and expiry date," in html
    )


def test_a_failed_pci_analysis_is_a_note_naming_the_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(model: Model) -> None:
        raise RuntimeError("the CDE zone is marked twice")

    monkeypatch.setattr(threatforge.analysis, "pci_scope", broken)
    model = load(CARD)
    assessment = analyze(model, today=TODAY)
    note = (
        "The PCI DSS scope analysis failed, so this report does not show it: "
        "RuntimeError: the CDE zone is marked twice"
    )
    markdown = _markdown(model, assessment)
    assert "## PCI DSS scope" not in markdown
    assert "## Attack paths" in markdown  # the other analyses are still there
    assert f"> **Note:** {note}" in markdown.splitlines()
    html = _html(model, assessment)
    assert 'id="pci-scope"' not in html
    assert '<li><a href="#analysis-notes">Analyses not shown</a></li>' in html
    assert (
        '<li class="analysis-note">The PCI DSS scope analysis failed, so this report does not '
        "show it: RuntimeError: the CDE zone is marked twice</li>"
    ) in html
    # read back from its JSON, the report says the same
    back = parse_assessment(assessment_json(assessment, model))
    assert back.analyses.pci_scope.reason == note.split(": ", 1)[1]
    assert _markdown(model, back) == markdown


def test_the_note_is_escaped_in_html(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(model: Model) -> None:
        raise ValueError("<script>alert(1)</script>")

    monkeypatch.setattr(threatforge.analysis, "pci_scope", broken)
    model = load(CARD)
    html = _html(model, analyze(model, today=TODAY))
    assert "<script>alert(1)" not in html
    assert (
        "show it: ValueError: &lt;script&gt;alert(1)&lt;/script&gt;</li>" in html
    )


def test_an_assessment_without_analyses_says_so() -> None:
    model = load(CARD)
    assessment = analyze(model, today=TODAY, analyses=())
    markdown = _markdown(model, assessment)
    assert "## Attack paths" not in markdown  # no attack-path rule fired on this model either
    assert "## PCI DSS scope" not in markdown
    assert "## Blast radius" not in markdown
    assert markdown.splitlines().count(
        "> **Note:** This assessment does not carry the attack path, PCI DSS scope, blast "
        "radius analyses, so this report does not show them: it was made without them (or "
        "written before assessments carried them); run 'threatforge report MODEL' to include "
        "them."
    ) == 1


def test_the_executive_report_is_unchanged_by_a_failed_analysis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, assessment = analysed(CARD)
    expected = render_report(model, assessment, ReportFormat.MARKDOWN, audience=Audience.EXECUTIVE)

    def broken(model: Model) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(threatforge.analysis, "pci_scope", broken)
    failed = analyze(load(CARD), today=TODAY)
    assert render_report(model, failed, ReportFormat.MARKDOWN, audience=Audience.EXECUTIVE) == (
        expected
    )


def test_the_report_command_carries_the_analyses(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from threatforge.cli import app

    out = tmp_path / "report.md"
    result = CliRunner().invoke(
        app, ["report", str(CARD), "-o", str(out), "--today", "2026-01-01"]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "## PCI DSS scope" in text
    assert "- **Shopper** reaches 15 components within 4 hops;" in text
    assert "**Note:**" not in text


def test_the_attack_path_diagram_uses_the_carried_paths_and_says_when_there_are_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threatforge.reports import DiagramView, build_diagram

    model, assessment = analysed(CARD)
    drawn = build_diagram(model, assessment, DiagramView.ATTACK_PATHS)
    assert drawn.note == "10 attack paths highlighted; every other element is dimmed."
    without = analyze(load(CARD), today=TODAY, analyses=())
    assert build_diagram(model, without, DiagramView.ATTACK_PATHS).note == (
        "This assessment does not carry the attack paths: every element is drawn dimmed."
    )
    assert build_diagram(model, None, DiagramView.ATTACK_PATHS).note == (
        "No assessment, so no attack paths: every element is drawn dimmed."
    )

    def broken(model: Model, **_: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(threatforge.analysis, "find_paths", broken)
    failed = analyze(load(CARD), today=TODAY)
    assert build_diagram(model, failed, DiagramView.ATTACK_PATHS).note == (
        "The attack path analysis failed (RecursionError: maximum recursion depth exceeded): "
        "every element is drawn dimmed."
    )
    notes = [line for line in _markdown(model, failed).splitlines() if "**Note:**" in line]
    assert notes == [
        "> **Note:** The attack path analysis failed, so this report does not show it: "
        "RecursionError: maximum recursion depth exceeded",
        "> **Note:** The blast radius analysis failed, so this report does not show it: its "
        "origins are the entry points of the attack paths, which failed: RecursionError: "
        "maximum recursion depth exceeded",
    ]


def test_a_model_built_in_code_with_a_dangling_flow_gets_notes_not_silence() -> None:
    import dataclasses

    from threatforge.model import Flow

    model = load(CARD)
    ghost = Flow.model_validate({"source": "payment-fn", "target": "ghost"})
    broken = dataclasses.replace(model, flows=(*model.flows, ghost))
    assessment = analyze(broken, today=TODAY)
    assert [(kind.value, error) for kind, error in assessment.analyses.failures()] == [
        ("attack-paths", "KeyError: 'ghost'"),
        ("pci-scope", "KeyError: 'ghost'"),
        (
            "blast-radius",
            "its origins are the entry points of the attack paths, which failed: KeyError: "
            "'ghost'",
        ),
    ]
    html = _html(broken, assessment)
    assert html.count('<li class="analysis-note">') == 3
    assert (
        '<li class="analysis-note">The PCI DSS scope analysis failed, so this report does not '
        "show it: KeyError: &#39;ghost&#39;</li>"
    ) in html
