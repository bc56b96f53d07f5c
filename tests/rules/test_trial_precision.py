"""Precision fixes found in the trial (issue #15 item 5), each written as the trial found it:
the model that showed the problem, and the exact findings, fingerprints and messages expected."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import TrackingStatus, load, load_text
from threatforge.rules import Severity, analyze, builtin_rules
from threatforge.rules.builtin.graph_rules import attack_path

TODAY = date(2026, 1, 1)
RULES = builtin_rules()


def _model_text(text: str) -> str:
    return textwrap.dedent(text)


# --- a. attack paths grouped by root cause --------------------------------------------------

REFUND = _model_text(
    """\
    system: {name: Refund service}
    data:
      card-number: {classification: restricted, categories: [pci.pan]}
      ledger: {classification: restricted, categories: [financial]}
      api-keys: {classification: restricted, categories: [secrets]}
      evidence: {classification: restricted, categories: [pii]}
    boundaries:
      internet: {kind: internet, trust: untrusted}
      app: {kind: vpc, trust: trusted}
    components:
      customer: {kind: actor, zone: internet}
      refund-api: {kind: service, zone: app, exposure: internal, authz: rbac}
      ledger-db: {kind: datastore, zone: app, authz: rbac, stores: [ledger]}
      card-vault: {kind: datastore, zone: app, authz: rbac, stores: [card-number]}
      secrets: {kind: secrets-store, zone: app, authz: iam, stores: [api-keys]}
      evidence-bucket: {kind: datastore, zone: app, authz: iam, stores: [evidence]}
    flows:
      - customer -> refund-api: {protocol: https, authn: none}
      - refund-api -> ledger-db: {protocol: postgres, tls: true, authn: iam}
      - refund-api -> card-vault: {protocol: https, tls: true, authn: iam}
      - refund-api -> secrets: {protocol: https, tls: true, authn: iam}
      - refund-api -> evidence-bucket: {protocol: https, tls: true, authn: iam}
    """
)
"""The trial: one anonymous hop into the application zone, four crown jewels behind it. It
used to give four critical attack-path findings with the same mitigation."""


def test_one_weak_hop_is_one_attack_path_finding_listing_the_targets_it_opens() -> None:
    (finding,) = analyze(load_text(REFUND), [attack_path], today=TODAY).findings
    assert finding.fingerprint == "attack-path@customer->refund-api"
    assert finding.elements == ("customer->refund-api",)
    assert finding.title == (
        "Weak hop customer->refund-api into a more trusted zone opens attack paths to "
        "card-vault, evidence-bucket, ledger-db and secrets"
    )
    assert finding.evidence == (
        "weak hop 'customer->refund-api': no authentication (authn: none); enters a more "
        "trusted zone: internet (untrusted) -> app (trusted); 'refund-api' authorises "
        "(authz: rbac)",
        "opens 4 crown jewels: card-vault, evidence-bucket, ledger-db, secrets",
        "boundaries crossed: internet, app",
        "path to 'card-vault': customer -> refund-api -> card-vault (attacker effort 12; lower "
        "is easier)",
        "path to 'evidence-bucket': customer -> refund-api -> evidence-bucket (attacker effort "
        "12; lower is easier)",
        "path to 'ledger-db': customer -> refund-api -> ledger-db (attacker effort 12; lower "
        "is easier)",
        "path to 'secrets': customer -> refund-api -> secrets (attacker effort 12; lower is "
        "easier)",
        "'customer': starts in untrusted zone 'internet'",
        "'card-vault' is a crown jewel: stores restricted data 'card-number'",
        "'evidence-bucket' is a crown jewel: stores restricted data 'evidence'",
        "'ledger-db' is a crown jewel: stores restricted data 'ledger'",
        "'secrets' is a crown jewel: stores restricted data 'api-keys'; secrets store",
    )
    assert finding.data == ("card-number", "evidence", "ledger", "api-keys")
    assert (finding.likelihood, finding.impact, finding.severity.value) == (4, 5, "critical")


def test_the_weak_hop_finding_replaces_the_boundary_crossing_on_the_same_flow() -> None:
    found = analyze(load_text(REFUND), RULES, today=TODAY)
    on_the_hop = sorted(
        f.fingerprint for f in found.findings if f.elements[0] == "customer->refund-api"
    )
    assert on_the_hop == ["attack-path@customer->refund-api"]
    (summary,) = [s for s in found.summaries if s.rule == "unauthenticated-boundary-crossing"]
    assert ("customer->refund-api", "superseded by attack-path") in summary.skipped


def test_two_weak_hops_are_two_findings_each_with_its_own_targets() -> None:
    text = REFUND.replace(
        "  - refund-api -> secrets: {protocol: https, tls: true, authn: iam}\n", ""
    ).replace(
        "  evidence-bucket: {kind: datastore, zone: app, authz: iam, stores: [evidence]}\n",
        "  evidence-bucket: {kind: datastore, zone: app, authz: iam, stores: [evidence]}\n"
        "  partner: {kind: external-service, zone: internet}\n",
    ) + "  - partner -> secrets: {protocol: https, authn: api-key}\n"
    found = analyze(load_text(text), [attack_path], today=TODAY)
    assert [(f.fingerprint, f.title) for f in found.findings] == [
        (
            "attack-path@customer->refund-api",
            "Weak hop customer->refund-api into a more trusted zone opens attack paths to "
            "card-vault, evidence-bucket and ledger-db",
        ),
        (
            "attack-path@partner->secrets",
            "Weak hop partner->secrets into a more trusted zone opens attack paths to secrets",
        ),
    ]


TRACKED = REFUND + _model_text(
    """\
    tracking:
      # accepted after the 2025-12 review
      "attack-path@customer,ledger-db":
        status: accepted
        justification: "WAF rule 17 blocks it"
        owner: sec
        expires: 2026-06-01
    """
)


def test_a_decision_on_the_old_per_target_fingerprint_is_told_the_exact_new_key() -> None:
    found = analyze(load_text(TRACKED), RULES, today=TODAY)
    (stale,) = found.stale
    assert (stale.fingerprint, stale.moved_to) == (
        "attack-path@customer,ledger-db", "attack-path@customer->refund-api"
    )
    assert (
        "tracking entry 'attack-path@customer,ledger-db' matches no finding: the rule now "
        "reports it as 'attack-path@customer->refund-api' (one finding per root cause); move "
        "the decision to 'attack-path@customer->refund-api' (threatforge fmt --fix rewrites "
        "the key)"
    ) in found.warnings
    assert found.finding("attack-path@customer->refund-api").status is TrackingStatus.OPEN


def test_the_json_assessment_says_where_the_decision_moved(tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(TRACKED, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["analyze", str(path), "--today", "2026-01-01", "--format", "json"]
    )
    assert json.loads(result.stdout)["stale_tracking"] == [{
        "fingerprint": "attack-path@customer,ledger-db",
        "status": "accepted",
        "location": f"{path}:25:3",
        "moved_to": "attack-path@customer->refund-api",
    }]


def test_fmt_fix_moves_the_decision_to_the_new_key_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(TRACKED, encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(app, ["fmt", "--check", str(path)])
    assert plain.exit_code == 0
    assert plain.stderr.splitlines()[0] == (
        f"note: {path}: 1 fixes available (tracking-key): run 'threatforge fmt --fix'"
    )
    fixed = runner.invoke(app, ["fmt", "--fix", str(path)])
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stderr.splitlines() == [
        f"{path}:25:3: fixed (tracking-key): tracking 'attack-path@customer,ledger-db' -> "
        "'attack-path@customer->refund-api' (the finding's new fingerprint)",
        f"reformatted: {path}",
        "1 files reformatted, 0 unchanged",
    ]
    assert path.read_text(encoding="utf-8") == TRACKED.replace(
        '"attack-path@customer,ledger-db"', '"attack-path@customer->refund-api"'
    )
    after = analyze(load(path), RULES, today=TODAY)
    assert after.stale == ()
    moved = after.finding("attack-path@customer->refund-api")
    assert (moved.status, moved.decision.justification) == (
        TrackingStatus.ACCEPTED, "WAF rule 17 blocks it"
    )
    again = runner.invoke(app, ["fmt", "--check", "--fix", str(path)])
    assert (again.exit_code, again.stderr) == (
        0, "0 files would be reformatted, 1 already formatted\n"
    )


def test_fmt_fix_does_not_merge_two_decisions_that_move_to_one_key(tmp_path: Path) -> None:
    text = TRACKED + (
        '  "attack-path@customer,card-vault": {status: mitigated, evidence: "tokenised"}\n'
    )
    path = tmp_path / "threatmodel.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["fmt", "--fix", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"note: {path}: tracking entries 'attack-path@customer,card-vault', "
        "'attack-path@customer,ledger-db' all move to 'attack-path@customer->refund-api': "
        "keep one decision there by hand",
        "0 files reformatted, 1 unchanged",
    ]
    assert path.read_text(encoding="utf-8") == text


# --- f. pre-signed URL uploads ----------------------------------------------------------------

UPLOAD = _model_text(
    """\
    system: {name: Evidence upload}
    data:
      evidence: {classification: restricted, categories: [pii]}
    boundaries:
      internet: {kind: internet, trust: untrusted}
      aws: {kind: account, trust: trusted}
    components:
      browser: {kind: client, zone: internet}
      upload-api: {kind: service, zone: aws, exposure: public, authn: oidc, authz: rbac}
      evidence-bucket:
        kind: datastore
        tech: aws.s3
        zone: aws
        authz: iam
        encryption: {at_rest: kms-cmk}
        stores: [evidence]
    flows:
      - browser -> upload-api: {protocol: https, tls: true, authn: oidc}
      - browser -> evidence-bucket:
          {protocol: https, tls: true, authn: presigned-url, data: [evidence]}
    """
)
"""The trial: a browser uploads evidence straight to S3 with a URL the API pre-signed. It could
only be written `authn: none` (two criticals and an attack path) or `authn: iam` (untrue)."""


def test_a_presigned_url_upload_is_accepted_and_is_not_a_direct_unauthenticated_store() -> None:
    model = load_text(UPLOAD)
    (flow,) = [f for f in model.flows if f.target == "evidence-bucket"]
    assert flow.effective_authn is not None
    assert (flow.effective_authn.value, flow.effective_authn.authenticates) == (
        "presigned-url", True
    )
    assert flow.effective_authn.is_strong is False  # a capability, not an identity
    assert analyze(model, RULES, today=TODAY).findings == ()


def test_the_same_upload_written_authn_none_is_still_reported() -> None:
    found = analyze(load_text(UPLOAD.replace("authn: presigned-url", "authn: none")), RULES,
                    today=TODAY)
    assert sorted(f.fingerprint for f in found.findings) == [
        "public-datastore@evidence-bucket",
        "untrusted-direct-store-access@browser->evidence-bucket",
    ]


def test_a_presigned_url_hop_is_not_a_weak_hop_and_says_what_it_is() -> None:
    from threatforge.analysis.attack_paths import find_paths

    model = load_text(UPLOAD)
    search = find_paths(model, targets=["evidence-bucket"])
    hop = search.paths[0].hops[0]
    assert (hop.flow, hop.authn, hop.strength.value, hop.weak) == (
        "browser->evidence-bucket", "presigned-url", "strong", False
    )
    assert hop.why.startswith(
        "a pre-signed URL the system issued for one object (authn: presigned-url); enters a "
        "more trusted zone"
    )


# --- d. staff-only functions are reachable by insiders ----------------------------------------

BACK_OFFICE = _model_text(
    """\
    system: {name: Refund back office}
    data:
      refunds: {classification: confidential, categories: [financial]}
    boundaries:
      corp: {kind: corporate, trust: semi-trusted}
      app: {kind: vpc, trust: trusted}
    components:
      support-agent: {kind: actor, zone: corp}
      refund-console: {kind: service, zone: app, admin: true, authn: oidc, authz: rbac, mfa: false}
      visitor: {kind: actor}
    flows:
      - support-agent -> refund-console: {protocol: https, tls: true, authn: oidc}
    """
)
"""The trial: the support console only staff reach scored "-1 not reachable from any untrusted
zone", as if nobody could use it; support-staff abuse is the threat."""


def test_a_component_only_staff_reach_is_reachable_by_insiders_not_unreachable() -> None:
    model = load_text(BACK_OFFICE)
    assert model.graph.insiders == ("support-agent",)  # visitor: no zone, nothing says where
    assert model.graph.reach("refund-console").hops is None
    assert model.graph.insider_reach("refund-console").hops == 1
    (finding,) = [
        f for f in analyze(model, RULES, today=TODAY).findings
        if f.fingerprint == "admin-without-mfa@refund-console"
    ]
    assert finding.likelihood_factors == (
        "base 3",
        "±0 'refund-console' is reachable only by insiders (staff 'support-agent')",
    )
    assert finding.likelihood == 3


def test_without_staff_the_console_is_still_unreachable() -> None:
    model = load_text(BACK_OFFICE.replace(
        "  - support-agent -> refund-console: {protocol: https, tls: true, authn: oidc}\n",
        "  - visitor -> refund-console: {protocol: https, tls: true, authn: oidc}\n",
    ))
    (finding,) = [
        f for f in analyze(model, RULES, today=TODAY).findings
        if f.fingerprint == "admin-without-mfa@refund-console"
    ]
    assert finding.likelihood_factors == (
        "base 3", "-1 'refund-console' is not reachable from any untrusted zone"
    )


# --- g. privacy data-subject rules apply to people, not machine clients ----------------------

TELEMATICS = _model_text(
    """\
    system: {name: Fleet telematics, compliance: [gdpr]}
    data:
      driver-location: {classification: confidential, categories: [pii, location]}
    boundaries:
      internet: {kind: internet, trust: untrusted}
      eu: {kind: vpc, trust: trusted, region: eu-west-1}
    components:
      driver: {kind: actor, zone: internet}
      truck-unit: {kind: client, zone: internet}
      fleet-api: {kind: service, zone: eu, authn: mtls, authz: rbac}
      trips-db: {kind: datastore, zone: eu, stores: [driver-location]}
    flows:
      - driver -> fleet-api: {protocol: https, authn: oidc, data: [driver-location]}
      - truck-unit -> fleet-api: {protocol: mqtt, tls: true, authn: mtls, data: [driver-location]}
      - fleet-api -> trips-db: {protocol: postgres, tls: true, authn: iam, data: [driver-location]}
    """
)
"""The trial: an on-board unit that sends a driver's location with a device certificate was
reported as a data subject ("has no way to access or erase their data"), beside the driver."""


def _privacy(text: str) -> tuple[list[str], dict[str, str]]:
    found = analyze(load_text(text), RULES, today=TODAY,
                    only=["privacy-no-data-subject-rights", "privacy-collection-without-notice"])
    summary = found.summary_of("privacy-no-data-subject-rights")
    assert summary is not None
    return sorted(f.fingerprint for f in found.findings), dict(summary.skipped)


def test_a_machine_client_is_not_a_data_subject_the_person_is() -> None:
    fired, skipped = _privacy(TELEMATICS)
    assert fired == ["privacy-no-data-subject-rights@driver"]
    assert skipped["truck-unit"] == (
        "sent by a machine, not a person (properties.machine, or machine credentials on every "
        "flow it sends): not a data subject"
    )


def test_machine_false_makes_a_client_a_persons_device_and_machine_true_an_actor_a_machine() -> (
    None
):
    text = TELEMATICS.replace(
        "truck-unit: {kind: client, zone: internet}",
        "truck-unit: {kind: client, zone: internet, properties: {machine: false}}",
    ).replace(
        "driver: {kind: actor, zone: internet}",
        "driver: {kind: actor, zone: internet, properties: {machine: true}}",
    )
    fired, _ = _privacy(text)
    assert fired == ["privacy-no-data-subject-rights@truck-unit"]


def test_collection_without_notice_is_about_people_only() -> None:
    text = TELEMATICS.replace(
        "fleet-api: {kind: service, zone: eu, authn: mtls, authz: rbac}",
        "fleet-api: {kind: service, zone: eu, authn: mtls, authz: rbac,\n"
        "                properties: {privacy_notice: false}}",
    )
    found = analyze(load_text(text), RULES, today=TODAY, only=["privacy-collection-without-notice"])
    assert [f.fingerprint for f in found.findings] == [
        "privacy-collection-without-notice@driver->fleet-api"
    ]


# --- e. systems the team does not own get no tasks and are not painted --------------------------

CHECKOUT = _model_text(
    """\
    system: {name: Checkout, compliance: [gdpr]}
    data:
      card: {classification: restricted, categories: [pci.pan]}
    boundaries:
      internet: {kind: internet, trust: untrusted}
      app: {kind: vpc, trust: trusted, region: eu-west-1}
      psp-cloud: {kind: third-party, trust: untrusted}
    components:
      checkout-api: {kind: service, zone: app, exposure: public, authn: oidc, authz: rbac}
      psp: {kind: external-service, zone: psp-cloud, processes: [card], properties: {dpa: false}}
      fraud-svc:
        kind: service
        zone: app
        authz: rbac
        processes: [card]
        properties: {owned: false}
    flows:
      - checkout-api -> psp: {protocol: https, tls: true, authn: api-key, data: [card]}
      - checkout-api -> fraud-svc: {protocol: http, tls: false, authn: none, data: [card]}
    """
)
"""The trial: the PSP (a vendor) got a critical box in the diagram and a ticket in
`requirements` for a data processing agreement the merchant must sign."""


def test_a_third_party_gets_no_tasks_the_owned_side_of_the_interaction_does() -> None:
    from threatforge.sdlc.requirements import build_requirements, owner_of

    model = load_text(CHECKOUT)
    assert [(c, model.components[c].ours) for c in model.components] == [
        ("checkout-api", True), ("psp", False), ("fraud-svc", False)
    ]
    found = analyze(model, RULES, today=TODAY)
    assert {f.fingerprint: owner_of(f, model) for f in found.open_findings} == {
        "cleartext-sensitive-flow@checkout-api->fraud-svc": "checkout-api",
        "pay-pan-not-tokenized@checkout-api->fraud-svc": "checkout-api",
        "pci-pan-processed-outside-cde@checkout-api": "checkout-api",
        "pci-pan-processed-outside-cde@fraud-svc": "checkout-api",  # not the other team's
        "pci-no-cde-defined@card": "(system)",
        "restricted-data-to-third-party-weak-auth@checkout-api->psp": "checkout-api",
        "pci-scope-not-declared@card": "(system)",
    }
    assert [r.component for r in build_requirements(found, model)] == [
        "checkout-api", "(system)"
    ]


def test_a_third_party_is_not_painted_its_findings_sit_on_our_side() -> None:
    from threatforge.reports.diagram import build_diagram

    model = load_text(CHECKOUT)
    found = analyze(model, RULES, today=TODAY)
    nodes = {n.element: (n.severity, n.lines) for n in build_diagram(model, found).nodes}
    assert nodes == {
        "checkout-api": (Severity.CRITICAL, ("checkout-api", "service", "[CRITICAL] 2 open")),
        "psp": (None, ("psp", "external-service")),
        "fraud-svc": (None, ("fraud-svc", "service")),
    }


def test_owned_true_keeps_a_component_that_is_ours() -> None:
    model = load_text(CHECKOUT.replace("properties: {owned: false}", "properties: {owned: true}"))
    assert model.components["fraud-svc"].ours is True
    assert model.graph.owned_side("fraud-svc") == "fraud-svc"
    assert model.graph.owned_side("psp") == "checkout-api"
