"""The reports' "Threats to consider": grouped by element, with the questions, escaped."""

from __future__ import annotations

from datetime import date

from threatforge.assessment import Assessment
from threatforge.model import Model, load_text
from threatforge.reports import ReportFormat, render_report
from threatforge.reports.content import build_content
from threatforge.rules import analyze, builtin_rules

TODAY = date(2026, 1, 1)
RULES = [r for r in builtin_rules() if r.id == "pay-refund-without-dual-approval"]
SCRIPT = "<script>alert(1)</script>"
MODEL = f"""\
system: {{name: Refunds}}
boundaries:
  app: {{kind: subnet, trust: trusted}}
  corp: {{kind: corporate, trust: semi-trusted}}
components:
  clerk: {{kind: actor, zone: corp}}
  refund-fn: {{kind: function, name: "{SCRIPT} refunds", zone: app}}
  payouts: {{kind: service, zone: app, routes: ["/refund | `x`"]}}
flows:
  - clerk -> refund-fn: {{protocol: https}}
  - clerk -> payouts: {{protocol: https}}
"""


def _analysed() -> tuple[Model, Assessment]:
    model = load_text(MODEL)
    return model, analyze(model, RULES, today=TODAY)


def test_threats_are_grouped_by_element() -> None:
    model, assessment = _analysed()
    content = build_content(model, assessment)
    assert [(g.element, g.label, [t.fingerprint for t in g.threats]) for g in content.threats] == [
        ("payouts", "payouts", ["pay-refund-without-dual-approval@payouts"]),
        ("refund-fn", f"{SCRIPT} refunds", ["pay-refund-without-dual-approval@refund-fn"]),
    ]
    assert (content.total_threats, content.open_threats) == (2, 2)


def test_the_markdown_report_lists_each_threat_with_its_question_escaped() -> None:
    model, assessment = _analysed()
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    section = text[text.index("## Threats to consider"):text.index("## The system")]
    assert SCRIPT not in section
    assert "### &lt;script&gt;alert(1)&lt;/script&gt; refunds (`refund-fn`)" in section
    assert (
        "  - Answer with `properties.dual_approval` on `refund-fn`: `true` rules out; "
        "`false` confirms"
    ) in section
    assert "  - Why: issues refunds ('refund' in a route: /refund \\| \\`x\\`)" in section
    assert "****" not in section  # the severity label carries its own bold markers
    assert "\n- **" in section


def test_the_html_report_lists_each_threat_with_its_question_escaped() -> None:
    model, assessment = _analysed()
    html = render_report(model, assessment, ReportFormat.HTML)
    assert isinstance(html, str)
    section = html[html.index('<section class="chapter" id="threats">'):]
    section = section[:section.index("</section>")]
    assert SCRIPT not in section
    assert "<h3>&lt;script&gt;alert(1)&lt;/script&gt; refunds (<code>refund-fn</code>)</h3>" in (
        section
    )
    assert (
        "state <code>properties.dual_approval</code> on <code>refund-fn</code>: "
        "<code>true</code> rules out; <code>false</code> confirms"
    ) in section
    assert '<a href="#threats">Threats to consider</a>' in html


def test_no_threat_says_so() -> None:
    model = load_text("system: {name: S}\ncomponents:\n  a: {kind: service}\n")
    text = render_report(model, analyze(model, RULES, today=TODAY), ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    none = "None: no threat applies that the stated facts leave open."
    assert f"## Threats to consider\n\n{none}" in text


def test_no_finding_but_open_threats_is_not_called_low_risk() -> None:
    """A model with no finding and open threats is not a clean bill of health: the summary,
    the meta line and the recommendations say the threats are still to be decided."""
    model, assessment = _analysed()
    assert assessment.findings == ()
    content = build_content(model, assessment)
    assert (content.posture.level, content.posture.headline, content.posture.summary) == (
        "undecided",  # neither the green of low risk nor a severity's colour
        "No confirmed weakness yet: threats to decide",
        "Refunds has no open finding, but 2 threats to consider are undecided; until "
        "the questions are answered the risk is not known.",
    )
    assert content.next_steps[0] == (
        "Answer the questions of the 2 open threats to consider: each names the fact that "
        "confirms it (it becomes a finding) or rules it out; or record the team's decision in "
        "the model's tracking section."
    )
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    assert "0 of 0 issues open · 2 of 2 threats to consider open\n" in text
    assert "Low risk" not in text
    html = render_report(model, assessment, ReportFormat.HTML)
    assert isinstance(html, str)
    assert "<li><strong>Threats to consider</strong>2 of 2 open</li>" in html
    assert '<div class="posture posture-undecided">' in html


def test_a_decided_threat_is_not_counted_as_undecided() -> None:
    decided = MODEL + (
        "tracking:\n"
        "  pay-refund-without-dual-approval@payouts:\n"
        "    status: not-applicable\n"
        "    justification: payouts only forwards refunds the PSP approved\n"
        "    owner: alice\n"
        "    expires: 2026-06-30\n"
    )
    model = load_text(decided)
    content = build_content(model, analyze(model, RULES, today=TODAY))
    assert content.posture.summary == (
        "Refunds has no open finding, but 1 threat to consider is undecided; until "
        "the questions are answered the risk is not known."
    )
    assert content.next_steps[0].startswith("Answer the question of the 1 open threat ")
