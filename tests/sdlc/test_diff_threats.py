"""``diff`` lists applicable threats that are new, and those no longer open with what became of
them (confirmed, ruled out, decided, gone)."""

from __future__ import annotations

from datetime import date

from threatforge.assessment.diff import AssessmentDiff, Snapshot, diff_snapshots
from threatforge.model import load_text
from threatforge.rules import analyze, builtin_rules
from threatforge.sdlc.diff_report import diff_to_dict, render_diff_markdown

TODAY = date(2026, 1, 1)
RULES = [r for r in builtin_rules() if r.id == "pay-refund-without-dual-approval"]
BASE = """\
system: {name: Refunds}
boundaries:
  app: {kind: subnet, trust: trusted}
  corp: {kind: corporate, trust: semi-trusted}
components:
  clerk: {kind: actor, zone: corp}
  refund-fn: {kind: function, zone: app%s}
  payout-fn: {kind: function, zone: app, properties: {refunds: true%s}}
flows:
  - clerk -> refund-fn: {protocol: https}
  - clerk -> payout-fn: {protocol: https}
"""
THREAT = "pay-refund-without-dual-approval@%s"


def _diff(old: str, new: str) -> AssessmentDiff:
    def snap(text: str) -> Snapshot:
        model = load_text(text)
        return Snapshot(model, analyze(model, RULES, today=TODAY))

    return diff_snapshots(snap(old), snap(new))


def test_answering_questions_closes_threats_with_what_became_of_them() -> None:
    old = BASE % ("", "")
    new = BASE % (", properties: {dual_approval: true}", ", dual_approval: false")
    diff = _diff(old, new)
    assert diff.new_threats == ()
    assert [(c.threat.fingerprint, c.now) for c in diff.closed_threats] == [
        (THREAT % "payout-fn", "confirmed"),
        (THREAT % "refund-fn", "ruled out by properties.dual_approval: true"),
    ]
    assert [n.finding.fingerprint for n in diff.new] == [THREAT % "payout-fn"]
    text = render_diff_markdown(diff)
    assert "Threats to consider: **0 new** · 2 no longer open\n" in text
    assert (
        "| elevated | One person (an insider or a stolen account) may issue refunds through "
        "refund-fn alone | `refund-fn` | ruled out by properties.dual\\_approval: true |"
    ) in text


def test_a_new_refund_endpoint_is_a_new_threat_to_consider() -> None:
    old = "system: {name: Refunds}\ncomponents:\n  api: {kind: service}\n"
    diff = _diff(old, BASE % ("", ""))
    assert [t.fingerprint for t in diff.new_threats] == [
        THREAT % "payout-fn", THREAT % "refund-fn",
    ]
    document = diff_to_dict(diff)
    assert document["new_threats"][1] == {
        "fingerprint": THREAT % "refund-fn",
        "rule": "pay-refund-without-dual-approval",
        "title": "One person (an insider or a stolen account) may issue refunds through "
        "refund-fn alone",
        "severity": "elevated",
        "status": "open",
        "elements": ["refund-fn"],
        "location": "threatmodel.yaml:7:3",
        "question": "Do refunds through refund-fn need a second person's approval "
        "(maker-checker)?",
    }
    assert "#### New threats to consider" in render_diff_markdown(diff)
