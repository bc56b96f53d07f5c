"""The client rules on a desktop app with a local helper and on a mobile app: which elements
each threat lands on, why, and which clients are not the team's apps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from threatforge.model import load, load_text
from threatforge.rules import analyze, builtin_rules
from threatforge.rules.builtin.clients import app_words

FIXTURES = Path(__file__).parents[1] / "fixtures"
DESKTOP = FIXTURES / "client-electron-renderer-not-isolated" / "applicable.yaml"
MOBILE = FIXTURES / "client-side-enforcement" / "applicable.yaml"
TODAY = date(2026, 1, 1)
CLIENTS = [r for r in builtin_rules() if r.meta.domain in ("clients", "local")]


def _why(text: str) -> dict[str, tuple[str, ...]]:
    assessment = analyze(load_text(text), CLIENTS, today=TODAY)
    assert assessment.findings == ()
    return {t.fingerprint: t.why for t in assessment.applicable_threats}


def test_the_desktop_app_and_its_helper_get_the_threats_a_practitioner_lists() -> None:
    why = _why(DESKTOP.read_text(encoding="utf-8"))
    assert sorted(why) == [
        "client-electron-renderer-not-isolated@desktop-app",
        "client-no-certificate-pinning@desktop-app",
        "client-side-enforcement@desktop-app",
        "client-tokens-in-insecure-storage@desktop-app",
        "client-update-not-verified@helper",
        "local-cross-site-request@helper",
        "local-dns-rebinding@helper",
        "local-ipc-spoofing@helper",
        "local-service-runs-elevated@helper",
    ]
    app = "'Desktop app (Electron)' (its name) names a desktop app"
    assert why["client-electron-renderer-not-isolated@desktop-app"] == (
        "'Desktop app (Electron)' (its name) names an Electron app",
    )
    assert why["client-side-enforcement@desktop-app"] == (
        app, "sends requests to 'cloud-api', 'local-cache'"
    )
    assert why["client-tokens-in-insecure-storage@desktop-app"] == (app, "holds 'refresh-token'")
    assert why["client-update-not-verified@helper"] == (
        "runs on the device 'workstation'", "gets 'updates' from 'update-server'"
    )


def test_an_app_writing_its_token_to_an_unencrypted_file_is_not_asked_again() -> None:
    # one weakness, one finding: the stated at_rest: none is the store's finding
    text = DESKTOP.read_text(encoding="utf-8").replace(
        "encryption: {at_rest: kms}", "encryption: {at_rest: none}"
    ).replace(
        "desktop-app -> local-cache: {protocol: file, data: [statements]}",
        "desktop-app -> local-cache: {protocol: file, data: [refresh-token, statements]}",
    )
    rules = [r for r in builtin_rules()
             if r.id in ("client-tokens-in-insecure-storage", "store-unencrypted-at-rest")]
    assessment = analyze(load_text(text), rules, today=TODAY)
    assert [f.fingerprint for f in assessment.findings] == ["store-unencrypted-at-rest@local-cache"]
    assert [t.fingerprint for t in assessment.applicable_threats] == []
    (summary,) = [s for s in assessment.summaries
                  if s.rule == "client-tokens-in-insecure-storage"]
    reason = "writes 'refresh-token' to 'local-cache' (encryption.at_rest: none)"
    assert ("desktop-app", reason) in summary.skipped


def test_the_mobile_app_is_asked_about_pinning_tokens_and_its_sign_in_redirect() -> None:
    why = _why(MOBILE.read_text(encoding="utf-8"))
    assert sorted(why) == [
        "client-deep-link-hijack@mobile-app",
        "client-no-certificate-pinning@mobile-app",
        "client-side-enforcement@mobile-app",
        "client-tokens-in-insecure-storage@mobile-app",
    ]
    assert why["client-deep-link-hijack@mobile-app"] == (
        "an app the team ships (tech: android)", "signs in through 'idp'"
    )
    assert why["client-no-certificate-pinning@mobile-app"] == (
        "an app the team ships (tech: android)", "sends 'orders', 'tokens' to 'api', 'idp'"
    )


def test_a_browser_a_partner_client_and_an_app_the_team_does_not_own_are_not_its_apps() -> None:
    text = MOBILE.read_text(encoding="utf-8")
    model = load_text(text.replace(
        "  api:", "  partner: {kind: client, name: Partner system, zone: internet}\n  api:"
    ))
    assert app_words(model.components["browser"]) == ""
    assert app_words(model.components["partner"]) == ""
    named = load_text(text.replace("tech: android, name: Shop app", "name: Mobile app (iOS)"))
    assert app_words(named.components["mobile-app"]) == (
        "'Mobile app (iOS)' (its name) names a mobile app"
    )
    not_ours = text.replace("name: Shop app,", "name: Shop app, properties: {owned: false},")
    assert app_words(load_text(not_ours).components["mobile-app"]) == ""
    assert _why(not_ours) == {}


def test_a_push_payload_is_asked_on_the_flow_from_the_system_to_the_push_service() -> None:
    path = FIXTURES / "client-push-payload-sensitive" / "applicable.yaml"
    assessment = analyze(load(path), CLIENTS, today=TODAY)
    assert {t.fingerprint: t.why for t in assessment.applicable_threats
            if t.rule == "client-push-payload-sensitive"} == {
        "client-push-payload-sensitive@banking-api->push-provider": (
            "'Firebase Cloud Messaging' (its name) names a push notification service",
            "carries 'notifications'",
        ),
    }


def test_an_update_source_is_named_as_one_not_any_service_that_updates_something() -> None:
    text = DESKTOP.read_text(encoding="utf-8").replace(
        "  - helper -> update-server: {protocol: https, data: [updates]}\n",
        "  - helper -> update-server: {protocol: https}\n"
        "  - helper -> cloud-api: {protocol: https}\n",
    ).replace("cloud-api: {kind: service,", "cloud-api: {kind: service, name: Profile update API,")
    why = _why(text)
    assert why["client-update-not-verified@helper"] == (
        "runs on the device 'workstation'",
        "talks to 'update-server', 'Update server' (its name) names an update source",
    )
