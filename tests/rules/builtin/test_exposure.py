"""Flow facts count for the exposure rules (issue 15 item 5c) and exposure beyond the internet
(item 4): authentication stated on a flow is authentication of the call, for the component at
its end."""

from __future__ import annotations

from datetime import date

from threatforge.model import load_text
from threatforge.rules import analyze, builtin_rules

RULES = {r.id: r for r in builtin_rules()}
TODAY = date(2026, 1, 1)

EXPOSED = """\
system: {name: Exposure}
boundaries:
  internet: {kind: internet, trust: untrusted}
  corp: {kind: corporate, trust: semi-trusted}
  vpc: {kind: vpc, trust: trusted}
components:
  shopper: {kind: actor, zone: internet}
  partner: {kind: external-service, zone: internet}
  engineer: {kind: actor, zone: corp}
  signed-in: {kind: service, zone: vpc, exposure: public}
  keyed: {kind: service, zone: vpc, exposure: public}
  open: {kind: service, zone: vpc, exposure: public}
  mixed: {kind: service, zone: vpc, exposure: public}
  silent: {kind: service, zone: vpc, exposure: public}
  console: {kind: service, zone: vpc, exposure: private}
  console-sso: {kind: service, zone: vpc, exposure: private}
  console-unsaid: {kind: service, zone: vpc, exposure: private}
  worker: {kind: function, zone: vpc}
flows:
  - shopper -> signed-in: {protocol: https, authn: oidc}
  - partner -> signed-in: {protocol: https, mtls: true}
  - worker -> signed-in: {protocol: https, authn: none}
  - partner -> keyed: {protocol: https, authn: api-key}
  - shopper -> open: {protocol: https, authn: none}
  - shopper -> mixed: {protocol: https, authn: oidc}
  - partner -> mixed: {protocol: https}
  - shopper -> silent: {protocol: https}
  - engineer -> console: {protocol: http, authn: none}
  - engineer -> console-sso: {protocol: https, authn: oidc}
  - engineer -> console-unsaid: {protocol: https}
"""


def _run(*rule_ids: str) -> tuple[dict[str, tuple[str, ...]], set[str], set[str]]:
    assessment = analyze(
        load_text(EXPOSED, "exposure.yaml"), [RULES[r] for r in rule_ids], today=TODAY
    )
    assert assessment.rule_errors == ()
    findings = {f.fingerprint: f.evidence for f in assessment.findings}
    threats = {t.fingerprint for t in assessment.applicable_threats}
    unknown = {
        f"{s.rule}@{element}" for s in assessment.summaries for element in s.unknown
    }
    return findings, threats, unknown


def test_a_component_reached_only_by_authenticated_flows_is_not_unauthenticated() -> None:
    findings, _, unknown = _run("unauthenticated-exposed-service")
    # signed-in: the shopper's OIDC and the partner's mTLS authenticate every call from
    # outside (the worker's call is from its own zone, not a call from outside)
    assert findings == {
        "unauthenticated-exposed-service@open": (
            "exposure: public", "flow shopper->open: authn: none",
        ),
    }
    # keyed authenticates (weakly: the next rule's business); mixed has one call that states
    # nothing, silent states nothing at all
    assert unknown == {
        "unauthenticated-exposed-service@mixed", "unauthenticated-exposed-service@silent",
    }


def test_shared_secrets_stated_on_the_flow_are_weak_authentication_of_the_component() -> None:
    findings, _, unknown = _run("weak-authentication-exposed")
    assert findings == {
        "weak-authentication-exposed@keyed": (
            "exposure: public", "flow partner->keyed: authn: api-key",
        ),
    }
    assert unknown == {
        "weak-authentication-exposed@mixed", "weak-authentication-exposed@silent",
    }
    # the title names the method the flow states
    assessment = analyze(
        load_text(EXPOSED, "exposure.yaml"), [RULES["weak-authentication-exposed"]], today=TODAY
    )
    assert [f.title for f in assessment.findings] == [
        "keyed relies on shared-secret authentication (api-key) from untrusted callers"
    ]


def test_authn_none_on_a_flow_from_another_zone_into_a_private_service_is_a_finding() -> None:
    findings, threats, _ = _run("unauthenticated-from-another-zone")
    assert findings == {
        "unauthenticated-from-another-zone@console": (
            "reached by 'engineer' (zone corp)", "flow engineer->console authn: none",
        ),
    }
    # the SSO flow rules console-sso out; the unstated flow leaves a question
    assert threats == {"unauthenticated-from-another-zone@console-unsaid"}


def test_a_service_stating_authn_none_is_still_a_finding_whatever_its_flows_say() -> None:
    model = EXPOSED.replace(
        "signed-in: {kind: service, zone: vpc, exposure: public}",
        "signed-in: {kind: service, zone: vpc, exposure: public, authn: none}",
    )
    assessment = analyze(
        load_text(model, "exposure.yaml"), [RULES["unauthenticated-exposed-service"]], today=TODAY
    )
    assert {f.fingerprint for f in assessment.findings} == {
        "unauthenticated-exposed-service@open", "unauthenticated-exposed-service@signed-in",
    }
