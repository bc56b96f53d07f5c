"""Web rules: naming, documentation, and the graph facts the session, CSRF and sign-in rules
share (which component keeps a browser session, which is behind it, who signs in with a
password), with exact threats and their reasons."""

from __future__ import annotations

from datetime import date

from property_docs import documented_keys, property_keys

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze, builtin_rules
from threatforge.rules.builtin import web

RULES = {r.id: r for r in builtin_rules()}
TODAY = date(2026, 1, 1)

STAFF_TOOL = """
version: 1
system: {name: Staff tool}
data:
  staff-identity: {classification: confidential, categories: [credentials]}
  notes: {classification: confidential, categories: [pii]}
boundaries:
  corporate: {kind: corporate, trust: semi-trusted}
  okta-cloud: {kind: third-party, trust: trusted}
  vpc: {kind: vpc, trust: trusted}
components:
  laptop: {kind: client, zone: corporate}
  okta: {kind: identity-provider, tech: okta, zone: okta-cloud}
  auth-proxy: {kind: gateway, zone: vpc, authn: saml, processes: [staff-identity, notes]}
  ops-tool: {kind: service, zone: vpc, processes: [staff-identity, notes]}
flows:
  - laptop -> okta: {protocol: https, data: [staff-identity]}
  - laptop -> auth-proxy: {protocol: https, authn: saml, data: [staff-identity, notes]}
  - auth-proxy -> ops-tool: {protocol: https, data: [staff-identity, notes]}
"""


def _threats(text: str, *rule_ids: str) -> dict[str, tuple[str, ...]]:
    assessment: Assessment = analyze(load_text(text), [RULES[r] for r in rule_ids], today=TODAY)
    assert assessment.rule_errors == ()
    assert assessment.findings == ()
    return {t.fingerprint: t.why for t in assessment.applicable_threats}


def test_rule_ids_domain_and_metadata() -> None:
    assert sorted(r.id for r in web.RULES) == [
        "cdn-caches-authenticated-responses",
        "csv-formula-injection",
        "jwt-validation",
        "login-credential-stuffing",
        "missing-step-up-authentication",
        "password-reset-takeover",
        "shared-cache-cross-user",
        "token-theft-client-storage",
    ]
    for item in web.RULES:
        meta = item.meta
        assert meta.domain == "web", item.id
        assert meta.asks, item.id
        assert meta.cwe and len(meta.cwe) <= 3 and meta.mitigations and meta.references, item.id
        assert meta.detection and meta.false_positives, item.id
        assert item.check.__doc__, item.id


def test_every_property_key_read_is_documented() -> None:
    # payment_service belongs to the payments page; the module's exported names are not keys
    read = property_keys(web.__file__) - {"payment_service"} - set(web.__all__)
    assert read == documented_keys("web-properties.md")


def test_behind_a_saml_proxy_the_app_is_asked_about_csrf_and_the_proxy_about_its_cookie() -> None:
    threats = _threats(STAFF_TOOL, "csrf-missing-protection", "session-cookie-insecure-flags",
                       "session-not-rotated-on-login", "login-credential-stuffing")
    saml = ("'laptop' signs in to it with SAML (browser single sign-on: its session is a "
            "cookie)")
    assert threats == {
        "csrf-missing-protection@ops-tool": (
            f"behind 'auth-proxy', which keeps people's browser sessions ({saml})",
            "changes state (read_only not stated)",
        ),
        "session-cookie-insecure-flags@auth-proxy": (saml,),
        "session-not-rotated-on-login@auth-proxy": (saml,),
    }


def test_a_browser_sign_in_with_a_password_is_a_cookie_session_and_a_password_login() -> None:
    text = """
version: 1
system: {name: Portal}
boundaries:
  internet: {kind: internet, trust: untrusted}
  vpc: {kind: vpc, trust: trusted}
components:
  partner-admin: {kind: actor, zone: internet}
  partner-portal: {kind: service, zone: vpc, exposure: public, authn: password}
  mobile: {kind: client, zone: internet}
  auth: {kind: service, zone: vpc, exposure: public, authn: oidc}
flows:
  - partner-admin -> partner-portal: {protocol: https, authn: password}
  - mobile -> auth: {protocol: https, authn: oidc}
"""
    threats = _threats(text, "csrf-missing-protection", "login-credential-stuffing")
    assert threats == {
        "csrf-missing-protection@partner-portal": (
            "'partner-admin' signs in to it in a browser (authn: password: a web sign-in keeps "
            "its session in a cookie)",
            "changes state (read_only not stated)",
        ),
        "login-credential-stuffing@partner-portal": (
            "'partner-admin' signs in to it with a password (authn: password)",
        ),
    }


def test_credentials_sent_through_a_cdn_make_a_password_login() -> None:
    text = """
version: 1
system: {name: Shop}
data:
  account: {classification: confidential, categories: [pii, credentials]}
  session: {classification: confidential, categories: [session-tokens]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  vpc: {kind: vpc, trust: trusted}
components:
  shopper: {kind: actor, zone: internet}
  spa: {kind: cdn, zone: vpc, exposure: public}
  api: {kind: service, zone: vpc, exposure: public}
flows:
  - shopper -> spa: {protocol: https, data: [account, session]}
  - spa -> api: {protocol: https, data: [account, session]}
"""
    threats = _threats(text, "login-credential-stuffing", "session-not-rotated-on-login")
    assert threats == {
        "login-credential-stuffing@api": ("'shopper' sends it credentials (account)",),
        "session-not-rotated-on-login@api": (
            "'shopper''s requests carry session tokens (session) without a bearer scheme (a "
            "browser cookie), through 'spa'",
        ),
    }


def test_token_theft_sits_on_the_issuer_not_on_every_api_the_tokens_reach() -> None:
    text = """
version: 1
system: {name: App}
data:
  tokens: {classification: restricted, categories: [session-tokens]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  vpc: {kind: vpc, trust: trusted}
components:
  app: {kind: client, zone: internet}
  auth: {kind: identity-provider, tech: keycloak, zone: vpc, authn: password}
  gateway: {kind: gateway, zone: vpc, authn: jwt}
  desktop: {kind: client, zone: internet}
  cloud-api: {kind: service, zone: vpc, authn: oauth2}
flows:
  - app -> auth: {protocol: https, authn: password, data: [tokens]}
  - app -> gateway: {protocol: https, authn: jwt, data: [tokens]}
  - desktop -> cloud-api: {protocol: https, authn: oauth2}
"""
    threats = _threats(text, "token-theft-client-storage")
    assert threats == {
        "token-theft-client-storage@auth": ("'app' (client app) gets its tokens from it",),
        "token-theft-client-storage@cloud-api": ("'desktop' (client app) sends it bearer tokens",),
    }


def test_no_sign_in_is_stated_as_authn_none_and_oidc_apps_recover_nothing_themselves() -> None:
    # an actuator that returns credentials to an engineer is not a login; an OIDC back office
    # with mfa: true leaves recovery to the identity provider, which is asked instead
    text = """
version: 1
system: {name: Ops}
data:
  service-credentials: {classification: restricted, categories: [credentials]}
boundaries:
  corporate: {kind: corporate, trust: semi-trusted}
  vpc: {kind: vpc, trust: trusted}
  sso: {kind: third-party, trust: trusted}
components:
  engineer: {kind: actor, zone: corporate}
  actuator: {kind: service, zone: vpc}
  back-office: {kind: service, zone: vpc, authn: oidc, mfa: true}
  okta: {kind: identity-provider, tech: okta, zone: sso, mfa: true}
flows:
  - engineer -> actuator: {protocol: http, authn: none, data: [service-credentials]}
  - engineer -> back-office: {protocol: https, authn: oidc}
  - engineer -> okta: {protocol: https, authn: password}
  - back-office -> okta: {protocol: https, authn: oidc}
"""
    threats = _threats(text, "login-credential-stuffing", "identity-recovery-bypasses-mfa",
                       "idp-federation-confusion")
    assert threats == {
        "identity-recovery-bypasses-mfa@okta": (
            "mfa: true", "'engineer' signs in to it with a password (authn: password)",
        ),
    }
