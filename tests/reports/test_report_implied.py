"""The reports' implied elements (#15.3): each with its threats, model text escaped (written as
the attack: a component named with markup)."""

from __future__ import annotations

from datetime import date

from threatforge.model import load_text
from threatforge.reports import ReportFormat, render_report
from threatforge.rules import analyze, builtin_rules

TODAY = date(2026, 1, 1)
SCRIPT = "<script>alert(1)</script>"
RULES = [r for r in builtin_rules() if r.id == "psp-payout-details-change"]
MODEL = f"""\
system: {{name: Payouts}}
data:
  card: {{classification: restricted, categories: [pci.pan]}}
boundaries:
  internet: {{kind: internet, trust: untrusted}}
  app: {{kind: vpc, trust: trusted}}
components:
  shop: {{kind: service, zone: app}}
  psp: {{kind: external-service, name: "{SCRIPT} | `PSP`", zone: internet}}
flows:
  - shop -> psp: {{protocol: https, data: [card]}}
"""


def test_the_markdown_report_shows_the_implied_element_with_its_threat_escaped() -> None:
    model = load_text(MODEL)
    text = render_report(model, analyze(model, RULES, today=TODAY), ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    section = text[text.index("### Implied elements"):text.index("## Coverage")]
    assert SCRIPT not in section
    assert section.splitlines()[4:7] == [
        "- &lt;script&gt;alert(1)&lt;/script&gt; \\| \\`PSP\\` merchant dashboard "
        "(`psp~merchant-dashboard`, third-party account)",
        "  - Why: a payment provider is run from its merchant dashboard: whoever holds its admin "
        "accounts or API keys can refund, pay out and change where money goes",
        "  - **HIGH** Someone signed in to &lt;script&gt;alert(1)&lt;/script&gt; \\| "
        "\\`PSP\\`'s merchant dashboard may redirect payouts to their own bank account "
        "(`psp-payout-details-change@psp`, applicable threat, open)",
    ]


def test_the_html_report_shows_the_implied_element_escaped() -> None:
    model = load_text(MODEL)
    html = render_report(model, analyze(model, RULES, today=TODAY), ReportFormat.HTML)
    assert isinstance(html, str)
    section = html[html.index('<h3 id="implied">'):html.index("</section>", html.index(
        '<h3 id="implied">'))]
    assert SCRIPT not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | `PSP` merchant dashboard<br>" in section
    assert "<code>psp-payout-details-change@psp</code>, applicable threat, open" in section
