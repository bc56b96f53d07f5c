"""Fraud rules: the reasons a threat applies, in the words a user reads (the applicable.yaml
fixtures pin where they apply; these pin why)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from threatforge.model import load
from threatforge.rules import analyze
from threatforge.rules.builtin import fraud

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RULES = {r.id: r for r in fraud.RULES}
TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("rule_id", "fingerprint", "why"),
    [
        ("fraud-balance-race-condition", "fraud-balance-race-condition@wallet-api", (
            "handles 'balance' (confidential)",
            "acts on transfer that customers send",
            "sends payments on to bank",
        )),
        ("fraud-new-payee-without-step-up", "fraud-new-payee-without-step-up@banking-api", (
            "receives flows directly from entry point 'gateway'",
            "customers send it 'transfer' (confidential), which names where money goes "
            "('beneficiaries')",
        )),
        ("fraud-promotion-abuse", "fraud-promotion-abuse@rewards-svc", (
            "grants promotions or credits ('rewards')",
            "customers' requests reach it from an entry point",
        )),
        ("fraud-support-social-engineering",
         "fraud-support-social-engineering@support-console", (
             "staff use it (agent)",
             "changes customers' account security ('reset device')",
         )),
        ("fraud-check-fail-open", "fraud-check-fail-open@payments-svc", (
            "sends payments on to scheme",
            "asks fraud-svc for a fraud or risk decision",
        )),
        ("fraud-staff-money-movement-single-approval",
         "fraud-staff-money-movement-single-approval@ops-tool", (
             "staff use it (ops-staff)",
             "moves money or changes limits ('adjustment' in 'adjustment' (confidential) or "
             "its description)",
         )),
    ],
)
def test_each_threat_says_why_it_applies(
    rule_id: str, fingerprint: str, why: tuple[str, ...]
) -> None:
    assessment = analyze(load(FIXTURES / rule_id / "applicable.yaml"), [RULES[rule_id]],
                         today=TODAY)
    threat = assessment.threat(fingerprint)
    assert threat is not None
    assert threat.why == why


def test_an_impostor_asking_support_for_a_reset_is_asked_about_only_where_staff_reset() -> None:
    """The attack: a caller asks the support desk to reset a victim's device binding. The
    question is asked where staff can do that for customers, not on every staff tool."""
    assessment = analyze(
        load(FIXTURES / "fraud-support-social-engineering" / "applicable.yaml"),
        [RULES["fraud-support-social-engineering"]], today=TODAY,
    )
    assert [t.fingerprint for t in assessment.applicable_threats] == [
        "fraud-support-social-engineering@support-console",
    ]
    (summary,) = assessment.summaries
    # the notes tool staff also use changes nothing about accounts: not even evaluated
    assert (summary.fired, summary.unknown, summary.skipped) == ((), ("support-console",), ())
