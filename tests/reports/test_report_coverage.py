"""The reports' "Coverage" section: a matrix of elements x STRIDE with a legend, escaped (#15.7)."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from threatforge.model import load_text
from threatforge.reports import Audience, ReportFormat, render_report
from threatforge.reports.content import MAX_COVERAGE_ROWS, build_content
from threatforge.rules import analyze, builtin_rules

FIXTURE = Path(__file__).resolve().parents[1] / "assessment" / "fixtures" / "coverage.yaml"
TODAY = date(2026, 12, 1)
SMALL = (
    "pay-refund-without-dual-approval",
    "public-datastore",
    "store-unencrypted-at-rest",
    "missing-audit-logging",
    "cleartext-sensitive-flow",
    "privacy-no-data-subject-rights",
)
SCRIPT = "<script>alert(1)</script> | `x`"


def _report(fmt: ReportFormat, audience: Audience = Audience.ENGINEERING) -> str:
    text = FIXTURE.read_text().replace(
        "  orders-db:\n", f"  orders-db:\n    name: '{SCRIPT}'\n"
    )
    model = load_text(text, "coverage.yaml")
    rules = builtin_rules()
    assessment = analyze(model, rules, only=SMALL, today=TODAY)
    document = render_report(
        model, assessment, fmt, audience=audience, rules=[r.meta for r in rules]
    )
    assert isinstance(document, str)
    return document


def test_the_markdown_report_has_the_matrix_escaped() -> None:
    text = _report(ReportFormat.MARKDOWN)
    section = text[text.index("## Coverage"):text.index("## The system")]
    assert "<script>" not in section
    assert (
        r"| &lt;script&gt;alert(1)&lt;/script&gt; \| \`x\` (`orders-db`) | datastore "
        "| - | M | F | M | - | - |"
    ) in section.splitlines()
    assert "| refund-fn (`refund-fn`) | function | - | - | ! | - | - | ! |" in section
    assert "| customer (`customer`) | actor | - | - | - | - | - | F | F |" in section
    assert "STRIDE cells: 2 finding, 2 threat, 1 unknown, 1 accepted, 6 mitigated, 1 checked, " \
        "83 not-considered." in section


def test_the_html_report_has_the_matrix_escaped() -> None:
    html = _report(ReportFormat.HTML)
    section = html[html.index('<section class="chapter" id="coverage">'):]
    section = section[:section.index("</section>")]
    assert "<script>alert" not in section
    row = next(r for r in section.split("<tr>") if "<code>orders-db</code>" in r)
    assert row.startswith(
        "<td>&lt;script&gt;alert(1)&lt;/script&gt; | `x` <span class=\"small muted\">"
        "<code>orders-db</code></span></td><td>datastore</td>"
    )
    assert re.findall(r'class="cov cov-([a-z-]+)" title="\1">(.)</td>', row) == [
        ("not-considered", "-"), ("mitigated", "M"), ("finding", "F"), ("mitigated", "M"),
        ("not-considered", "-"), ("not-considered", "-"),
    ]
    assert '<code class="cov cov-threat">!</code> open applicable threat;' in section
    assert '<li><a href="#coverage">Coverage</a></li>' in html


def test_the_executive_report_has_no_coverage() -> None:
    text = FIXTURE.read_text()
    model = load_text(text, "coverage.yaml")
    assessment = analyze(model, builtin_rules(), only=SMALL, today=TODAY)
    assert build_content(model, assessment, Audience.EXECUTIVE).coverage is None
    assert 'id="coverage"' not in _report(ReportFormat.HTML, Audience.EXECUTIVE)
    assert "## Coverage" not in _report(ReportFormat.MARKDOWN, Audience.EXECUTIVE)


def test_without_rules_the_report_reads_the_builtin_ones() -> None:
    model = load_text(FIXTURE.read_text(), "coverage.yaml")
    assessment = analyze(model, builtin_rules(), only=SMALL, today=TODAY)
    content = build_content(model, assessment)
    assert content.coverage is not None
    element = content.coverage.element("payouts-svc")
    assert element is not None
    assert [c.state.value for c in element.stride] == [
        "not-considered", "not-considered", "mitigated", "not-considered", "not-considered",
        "mitigated",
    ]


def test_the_matrix_stops_at_the_row_cap() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench_models import generated_text

    model = load_text(generated_text(400), "big.yaml")
    assessment = analyze(model, builtin_rules(), only=SMALL, today=TODAY, analyses=())
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    section = text[text.index("## Coverage"):text.index("## The system")]
    stride = section.split("### Privacy (LINDDUN)")[0].splitlines()
    rows = [line for line in stride if line.startswith("| ") and "(`" in line]
    elements = len(model.components) + len(model.flows) + len(model.data) + len(
        model.boundaries
    )
    assert len(rows) == MAX_COVERAGE_ROWS
    hidden = elements - MAX_COVERAGE_ROWS
    assert f"_{hidden:,} more elements: `threatforge coverage --format json`._" in (
        section.splitlines()
    )
