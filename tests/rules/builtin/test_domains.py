"""The domain rules ask a practice of the whole domain once, and decide stated facts everywhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from threatforge.model import load, load_text
from threatforge.rules import analyze, builtin_rules

FIXTURE = Path(__file__).parents[1] / "fixtures" / "dns-dangling-record" / "applicable.yaml"
TODAY = date(2026, 1, 1)
DOMAINS = [r for r in builtin_rules() if r.meta.domain == "domains"]


def test_each_domain_practice_is_asked_once_naming_the_other_public_names() -> None:
    assessment = analyze(load(FIXTURE), DOMAINS, today=TODAY)
    assert {t.fingerprint: t.why for t in assessment.applicable_threats} == {
        rule + "@web-cdn": (
            "reached from the internet by 'visitor'",
            "the system's other public entry points: 'status-page'",
        )
        for rule in (
            "dns-dangling-record", "domain-registrar-account-takeover", "tls-certificate-expiry"
        )
    }


def test_a_fact_stated_on_another_entry_point_still_decides_there() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "status-page: {kind: service, zone: cloud, exposure: public}",
        "status-page: {kind: service, zone: cloud, exposure: public, "
        "properties: {certificate_auto_renewal: false}}",
    )
    assessment = analyze(load_text(text), DOMAINS, today=TODAY)
    assert [f.fingerprint for f in assessment.findings] == ["tls-certificate-expiry@status-page"]
    assert sorted(t.fingerprint for t in assessment.applicable_threats) == [
        "dns-dangling-record@web-cdn",
        "domain-registrar-account-takeover@web-cdn",
        "tls-certificate-expiry@web-cdn",
    ]
