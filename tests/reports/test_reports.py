"""HTML, PDF and Markdown reports: sections, diagrams, self-containment, CSP and escaping."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from report_support import (
    EXAMPLE_NAMES,
    HOSTILE,
    IMG,
    SCRIPT,
    analysed,
    example_path,
    require_binary,
)
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.errors import ExportError
from threatforge.exporters.csv_findings import render_csv
from threatforge.exporters.json_assessment import render_json
from threatforge.reports import Audience, ReportFormat, parse_baseline, render_report
from threatforge.reports.content import build_content
from threatforge.reports.pdf import html_to_pdf
from threatforge.rules import Severity

JARGON = ("CWE", "CAPEC", "STRIDE", "OWASP", "ASVS", "fingerprint", "Fingerprint", "ATT&amp;CK")
ENGINEERING_SECTIONS = (
    "summary", "top-risks", "decisions", "findings", "threats", "model", "gaps"
)


def _html(name: str, audience: Audience = Audience.ENGINEERING) -> str:
    model, assessment = analysed(example_path(name))
    text = render_report(model, assessment, ReportFormat.HTML, audience=audience)
    assert isinstance(text, str)
    return text


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _assert_self_contained(html: str) -> None:
    """Nothing is loaded: no resource URLs, no style attributes, one hashed style and script."""
    for tag in re.findall(r"<(?!a\s)[a-z][^>]*>", html):
        assert not re.search(r"\b(src|href|xlink:href|action|srcset|poster)\s*=", tag), tag
    for link in re.findall(r"<a\s[^>]*>", html):
        if "http" in link:
            assert re.fullmatch(r'<a href="https://[^"]+" rel="noopener noreferrer">', link), link
    assert not re.search(r"<(link|img|iframe|object|embed|base)\b", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert "@import" not in html
    assert "url(" not in html
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert policy is not None
    styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert len(styles) == 1
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    script_src = f"'{_hash(scripts[0])}'" if scripts else "'none'"
    assert policy.group(1) == (
        f"default-src 'none'; style-src '{_hash(styles[0])}'; script-src {script_src}; "
        "img-src data:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    assert html.count("<script") == len(scripts) <= 1


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_engineering_html_of_each_example(name: str) -> None:
    html = _html(name)
    for section in ENGINEERING_SECTIONS:
        assert f'<section class="chapter" id="{section}">' in html
    assert '<figure class="diagram" id="diagram-dfd">' in html
    assert '<figure class="diagram" id="diagram-data">' in html
    assert html.count("<svg") >= 2
    assert '<form id="finding-filters" class="filters no-print" hidden>' in html
    _, assessment = analysed(example_path(name))
    for number, finding in enumerate(assessment.findings, start=1):
        assert f'id="finding-{number}" data-severity="{finding.severity.value}"' in html
    _assert_self_contained(html)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_executive_html_is_short_and_free_of_jargon(name: str) -> None:
    html = _html(name, Audience.EXECUTIVE)
    assert 'id="summary"' in html
    assert 'id="top-risks"' in html
    assert 'id="findings"' not in html
    assert "<script" not in html
    visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL)
    for word in JARGON:
        assert word not in visible, word
    _assert_self_contained(html)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_markdown_report_of_each_example(name: str) -> None:
    model, assessment = analysed(example_path(name))
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:9] == [
        "## Summary",
        "## Top risks",
        "## Accepted risks",
        "## Compliance",
        "## Findings",
        "## Threats to consider",
        "## Coverage",
        "## The system",
        headings[8],
    ]
    assert headings[-1] == "## Facts missing from the model"
    assert "```mermaid\nflowchart LR\n" in text
    executive = render_report(model, assessment, ReportFormat.MARKDOWN, audience=Audience.EXECUTIVE)
    assert isinstance(executive, str)
    assert "## Findings" not in executive
    assert "CWE" not in executive


def test_hostile_text_is_escaped_in_html() -> None:
    model, assessment = analysed(HOSTILE)
    for audience in Audience:
        html = render_report(model, assessment, ReportFormat.HTML, audience=audience)
        assert isinstance(html, str)
        assert SCRIPT not in html
        assert "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&#34;&gt;&lt;img onerror=alert(1) src=x&gt;" in html
        assert 'href="javascript' not in html
        _assert_self_contained(html)
    assert "<title>Threat model report: &lt;script&gt;alert(1)&lt;/script&gt; shop</title>" in html


def test_hostile_text_is_escaped_in_markdown() -> None:
    model, assessment = analysed(HOSTILE)
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    assert SCRIPT not in text
    assert IMG not in text
    assert "# Threat model report: &lt;script&gt;alert(1)&lt;/script&gt; shop" in text
    assert '=HYPERLINK("x","y") \\| \\`tick\\` \\[link\\](javascript:alert(1))' in text
    prose = text[: text.index("```mermaid")] + text[text.index("```\n\n### Components") :]
    assert "[link](javascript" not in prose


def test_hostile_text_round_trips_through_csv_with_formulas_neutralised() -> None:
    model, assessment = analysed(HOSTILE)
    rows = list(csv.DictReader(io.StringIO(render_csv(assessment, model))))
    by_fingerprint = {row["fingerprint"]: row for row in rows}
    stored = by_fingerprint["store-unencrypted-at-rest@store"]
    assert stored["element_names"] == ('\'=HYPERLINK("x","y") | `tick` [link](javascript:alert(1))')
    assert stored["title"].startswith("'=HYPERLINK(")
    flow = by_fingerprint["cleartext-sensitive-flow@user->store"]
    assert flow["element_names"] == IMG
    accepted = by_fingerprint["public-datastore@store"]
    assert (accepted["status"], accepted["decision_owner"], accepted["decision_justification"]) == (
        "accepted",
        IMG,
        SCRIPT,
    )
    for row in rows:
        for value in row.values():
            assert not value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_accepted_risk_shows_owner_and_expiry() -> None:
    model, assessment = analysed(HOSTILE)
    content = build_content(model, assessment)
    [accepted] = content.accepted
    assert (accepted.finding.fingerprint, accepted.owner, accepted.justification) == (
        "public-datastore@store",
        IMG,
        SCRIPT,
    )
    assert (str(accepted.expires), accepted.days_left, accepted.expired) == (
        "2026-06-30",
        180,
        False,
    )


def test_trend_against_a_baseline() -> None:
    model, assessment = analysed(HOSTILE)
    dropped = assessment.open_findings[0]
    assert dropped.severity is Severity.CRITICAL
    kept = tuple(f for f in assessment.findings if f is not dropped)
    previous = json.loads(render_json(replace(assessment, findings=kept), model))
    previous["findings"].append(
        {
            **previous["findings"][0],
            "fingerprint": "gone@user",
            "severity": "high",
            "status": "open",
            "decision": None,
        }
    )
    baseline = parse_baseline(json.dumps(previous), "before.json")
    content = build_content(model, assessment, baseline=baseline)
    assert content.trend is not None
    assert [f.fingerprint for f in content.trend.new] == [dropped.fingerprint]
    assert content.trend.resolved == ("gone@user",)
    count = len(assessment.open_findings)
    assert content.trend.summary == (
        f"Open issues went from {count} to {count} since the baseline: 1 new, 1 resolved. "
        "Overall the risk is higher."
    )
    assert content.trend.direction == "worse"


def test_a_baseline_that_is_not_an_assessment_is_refused() -> None:
    with pytest.raises(ExportError) as refused:
        parse_baseline('{"findings": []}', "b.json")
    assert str(refused.value) == (
        "baseline b.json: threatforge_assessment: expected 1, found null: not a JSON assessment "
        "this version of threatforge reads (write one with 'threatforge analyze --format json')"
    )
    with pytest.raises(ExportError) as caught:
        parse_baseline("{", "b.json")
    assert str(caught.value) == (
        "baseline b.json:1:2: is not valid JSON: Expecting property name enclosed in double quotes"
    )


def test_missing_weasyprint_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(ExportError, match=r"pip install 'threatforge\[pdf\]'"):
        html_to_pdf("<p>x</p>")


# --- PDF -----------------------------------------------------------------------------------


def _pages(pdf: Path, tmp_path: Path) -> int:
    require_binary("pdftoppm")
    prefix = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", "20", str(pdf), str(prefix)], check=True)
    return len(list(tmp_path.glob(f"{pdf.stem}-*.png")))


def _text(pdf: Path) -> str:
    require_binary("pdftotext")
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_executive_pdf_of_each_example_fits_four_pages(name: str, tmp_path: Path) -> None:
    model, assessment = analysed(example_path(name))
    data = render_report(model, assessment, ReportFormat.PDF, audience=Audience.EXECUTIVE)
    assert isinstance(data, bytes)
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    pages = _pages(pdf, tmp_path)
    assert 2 <= pages <= 4
    text = _text(pdf)
    assert f"Page 2 of {pages}" in text
    assert "Top risks" in text
    assert "CWE" not in text


def test_engineering_pdf_has_contents_page_numbers_and_escaped_text(tmp_path: Path) -> None:
    # the hostile model keeps this fast; `make run`-sized reports are checked by hand (docs)
    model, assessment = analysed(HOSTILE)
    data = render_report(model, assessment, ReportFormat.PDF)
    assert isinstance(data, bytes)
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(data)
    pages = _pages(pdf, tmp_path)
    text = _text(pdf)
    assert pages >= 6  # cover, contents, summary, top risks, findings, the system, gaps
    assert f"Page {pages} of {pages}" in text
    assert "Page 1 of" not in text  # the cover has no footer
    contents = text[text.index("Contents") : text.index("Page 2 of")]
    for chapter in ("Summary", "Top risks", "Findings", "The system"):
        assert re.search(chapter + r"[ .]+\d+", contents), chapter
    assert text.count("CWE-") >= len(assessment.findings)
    assert "<script>alert(1)</script> shop" in text
    assert IMG in text


# --- CLI -----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".html", ".md", ".pdf"])
def test_cli_report_writes_each_format(suffix: str, tmp_path: Path) -> None:
    out = tmp_path / f"report{suffix}"
    baseline = tmp_path / "baseline.json"
    model, assessment = analysed(HOSTILE)
    baseline.write_text(render_json(assessment, model), encoding="utf-8")
    args = ["report", str(HOSTILE), "-o", str(out), "--audience", "executive"]
    result = CliRunner().invoke(app, [*args, "--baseline", str(baseline), "--today", "2026-01-01"])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    starts = {".html": b"<!DOCTYPE html>", ".md": b"# Executive", ".pdf": b"%PDF"}
    assert data.startswith(starts[suffix])


def test_cli_report_refuses_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(HOSTILE), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 2
    assert "cannot tell the report format of 'r.docx'" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    result = runner.invoke(
        app, ["report", str(HOSTILE), "-o", str(tmp_path / "r.html"), "--baseline", str(bad)]
    )
    assert result.exit_code == 2
    assert result.output == (
        "error: baseline bad.json: the assessment: expected an object, found a list\n"
    )


def test_reports_carry_the_compliance_of_the_frameworks_the_system_declares() -> None:
    from threatforge.assessment.compliance import ControlState

    model, assessment = analysed(example_path("partner-api"))
    content = build_content(model, assessment)
    assert [r.framework for r in content.compliance_reports] == ["gdpr"]
    assert content.compliance_unmapped == ("soc2",)
    gdpr = content.compliance_reports[0]
    counts = ", ".join(f"{n} {s.value}" for s, n in gdpr.counts().items() if n)
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    section = text.split("## Compliance\n", 1)[1].split("\n## ", 1)[0]
    assert f"### General Data Protection Regulation (EU) 2016/679\n\nControls: {counts}." in section
    assert "- soc2: threatforge has no mapping for this framework." in section
    pressing = [c for c in gdpr.controls if c.state in (ControlState.OPEN, ControlState.QUESTION)]
    assert pressing and f"| {pressing[0].id}" in section.replace("\\", "")
    html = render_report(model, assessment, ReportFormat.HTML)
    assert isinstance(html, str)
    assert '<section class="continued" id="compliance">' in html
    assert "General Data Protection Regulation (EU) 2016/679: open and questioned controls" in html
    executive = render_report(model, assessment, ReportFormat.HTML, audience=Audience.EXECUTIVE)
    assert isinstance(executive, str)
    assert 'id="compliance"' in executive and "open and questioned controls" not in executive
