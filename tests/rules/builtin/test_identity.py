"""Identity rules: naming, documentation, and edge cases the fire/pass fixtures do not pin down."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from property_docs import documented_keys, property_keys

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import identity

ROOT = Path(__file__).resolve().parents[3]
RULES = {r.id: r for r in identity.RULES}
TODAY = date(2026, 1, 1)


def _run(rule_id: str, components: str, boundaries: str = "", flows: str = "",
         data: str = "") -> Assessment:
    text = (
        "version: 1\nsystem: {name: t}\n"
        + (f"data:\n{data}" if data else "")
        + "boundaries:\n  internet: {kind: internet, trust: untrusted}\n"
        + "  cloud: {kind: vpc, trust: trusted}\n" + boundaries
        + f"components:\n  staff: {{kind: actor, zone: internet}}\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )
    assessment = analyze(load_text(text), [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def test_rule_ids_domain_and_metadata() -> None:
    assert sorted(RULES) == [
        "identity-break-glass-unmonitored",
        "identity-no-break-glass",
        "identity-privileged-session-too-long",
        "identity-recovery-bypasses-mfa",
        "identity-service-password-auth",
        "identity-shared-admin-accounts",
        "identity-stale-access",
        "identity-standing-privileged-access",
        "idp-admin-api-reachable-from-workloads",
        "idp-admin-mfa-not-enforced",
        "idp-colocated-with-workloads",
        "idp-federation-confusion",
        "idp-no-brute-force-protection",
        "idp-saml-unsigned-assertions",
        "idp-weak-password-policy",
    ]
    for item in identity.RULES:
        meta = item.meta
        assert meta.domain == "identity", item.id
        assert meta.cwe and meta.mitigations and meta.references, item.id
        assert meta.detection and meta.false_positives, item.id
        assert meta.likelihood in range(1, 6) and meta.impact in range(1, 6), item.id
        assert item.check.__doc__, item.id


def test_every_property_key_read_is_documented_and_every_documented_key_is_read() -> None:
    assert property_keys(identity.__file__) == documented_keys("identity-properties.md")


def test_break_glass_elsewhere_in_the_model_covers_a_provider_without_one() -> None:
    # Okta has no emergency account, but the AWS account keeps IAM break-glass users.
    result = _run(
        "identity-no-break-glass",
        "  okta: {kind: identity-provider, tech: okta, zone: cloud,"
        " properties: {break_glass_account: false}}\n",
        "  prod: {kind: account, trust: trusted, properties: {break_glass_account: true}}\n",
    )
    assert result.findings == ()
    (summary,) = result.summaries
    assert summary.passed == ("model",)


def test_colocation_is_judged_by_the_kind_of_shared_zone() -> None:
    result = _run(
        "idp-colocated-with-workloads",
        "  hydra: {kind: identity-provider, tech: ory-hydra, zone: cloud}\n"
        "  api: {kind: service, zone: cloud}\n"
        "  pool: {kind: identity-provider, tech: aws.cognito, zone: shared}\n"
        "  kc: {kind: identity-provider, tech: keycloak, zone: shared}\n"
        "  fn: {kind: function, tech: aws.lambda, zone: shared}\n",
        "  shared: {kind: account, trust: trusted}\n",
    )
    assert [(f.fingerprint, f.evidence) for f in result.findings] == [
        ("idp-colocated-with-workloads@kc", ("zone 'shared' (account) also runs fn",)),
    ]
    (summary,) = result.summaries
    assert dict(summary.skipped) == {
        "hydra": "a vpc separates workloads by security groups and routes, not by who controls "
                 "them",
        "pool": "a managed identity service shares no hosts with workloads",
    }


def test_user_passwords_forwarded_by_a_gateway_are_not_service_credentials() -> None:
    result = _run(
        "identity-service-password-auth",
        "  gw: {kind: gateway, zone: cloud}\n  console: {kind: service, zone: cloud}\n",
        flows="  - staff -> gw: {protocol: https, authn: password}\n"
        "  - gw -> console: {protocol: https, authn: password}\n",
    )
    assert result.findings == ()
    (summary,) = result.summaries
    # neither flow starts at a service or function: outside the rule's source_kinds, so the
    # engine does not evaluate them at all (scope = not evaluated, as for component kinds)
    assert (summary.fired, summary.passed, summary.unknown, summary.skipped) == ((), (), (), ())


def test_privileged_session_title_names_each_excess() -> None:
    result = _run(
        "identity-privileged-session-too-long",
        "  sso: {kind: identity-provider, admin: true, zone: cloud, properties:"
        " {session_timeout_minutes: 30, admin_max_session_hours: 24}}\n",
    )
    (finding,) = result.findings
    assert finding.title == "Privileged sessions on sso last too long (30 minutes idle, 24 hours " \
        "in total)"
    assert finding.evidence == ("properties.session_timeout_minutes: 30",
                                "properties.admin_max_session_hours: 24")
