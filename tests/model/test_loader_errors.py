"""Every kind of model error, each at its exact ``file:line:column`` with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from threatforge import ModelError, load_text
from threatforge.model import Level, Location, load_with_diagnostics

ID_RULE = (
    "is not a valid id: use ASCII letters, digits and . _ : / -, starting with a letter or "
    "digit, at most 128 characters"
)
KINDS = (
    "actor, client, service, function, gateway, load-balancer, cdn, queue, stream, datastore, "
    "cache, secrets-store, key-management, identity-provider, external-service, ci-pipeline, "
    "artifact-registry, monitoring"
)

SHOP_HEAD = """\
system: {name: Shop}
boundaries:
  dmz: {trust: trusted}
data:
  cards: {classification: restricted}
controls:
  waf: {}
components:
  web: {kind: service, zone: dmz, processes: [cards]}
  payments: {kind: service, zone: dmz}
"""
"""Ten lines every reference test starts from; the line under test is line 11 or later."""


# --- references ---------------------------------------------------------------------------


def test_unknown_component_in_arrow_flow_suggests_the_close_id(diagnose):
    text = SHOP_HEAD + "flows:\n  - web -> paymnets: {protocol: https}\n"
    assert diagnose(text) == [
        "threatmodel.yaml:12:5: error: flow 1 (web -> paymnets): unknown component 'paymnets'"
        " — did you mean 'payments'?"
    ]


def test_unknown_component_in_from_to_flow_points_at_the_end(diagnose):
    text = SHOP_HEAD + "flows:\n  - from: web\n    to: paymnets\n    protocol: https\n"
    assert diagnose(text) == [
        "threatmodel.yaml:13:9: error: flow 1 (web -> paymnets): unknown component 'paymnets'"
        " — did you mean 'payments'?"
    ]


def test_unknown_component_far_from_any_id_has_no_suggestion(diagnose):
    text = SHOP_HEAD + "flows:\n  - from: zzz\n    to: web\n    protocol: https\n"
    assert diagnose(text) == [
        "threatmodel.yaml:12:11: error: flow 1 (zzz -> web): unknown component 'zzz'"
    ]


def test_unknown_data_asset_in_component_and_flow(diagnose):
    text = (
        SHOP_HEAD
        + "  db: {kind: datastore, zone: dmz, stores: [cards, cardz], encryption: {at_rest: kms}}\n"
        + "flows:\n  - payments -> db: {protocol: https, data: [cards, crads]}\n"
    )
    assert diagnose(text) == [
        "threatmodel.yaml:11:52: error: component 'db': unknown data asset 'cardz'"
        " — did you mean 'cards'?",
        "threatmodel.yaml:13:53: error: flow 1 (payments -> db): unknown data asset 'crads'"
        " — did you mean 'cards'?",
    ]


def test_unknown_zone_is_an_unknown_boundary(diagnose):
    text = SHOP_HEAD + "  api: {kind: service, zone: dmzz}\n"
    assert diagnose(text) == [
        "threatmodel.yaml:11:30: error: component 'api': unknown boundary 'dmzz'"
        " — did you mean 'dmz'?"
    ]


def test_unknown_boundary_in_inside(diagnose):
    text = SHOP_HEAD.replace(
        "  dmz: {trust: trusted}\n",
        "  dmz: {trust: trusted}\n  vpc: {trust: trusted, inside: dnz}\n",
    )
    assert diagnose(text) == [
        "threatmodel.yaml:4:33: error: boundary 'vpc': unknown boundary 'dnz' — did you mean 'dmz'?"
    ]


def test_unknown_control_on_component_flow_and_applies_to(diagnose):
    text = (
        SHOP_HEAD
        + "  api: {kind: service, zone: dmz, controls: [wafx]}\n"
        + "flows:\n  - web -> api: {protocol: https, controls: [waff]}\n"
        + "assumptions:\n  a1: {description: Only staff use it, elements: [web, wbe]}\n"
    )
    text = text.replace("  waf: {}\n", "  waf: {applies_to: [api, apii]}\n")
    assert diagnose(text) == [
        "threatmodel.yaml:7:27: error: control 'waf': unknown element 'apii' — did you mean 'api'?",
        "threatmodel.yaml:11:46: error: component 'api': unknown control 'wafx'"
        " — did you mean 'waf'?",
        "threatmodel.yaml:13:46: error: flow 1 (web -> api): unknown control 'waff'"
        " — did you mean 'waf'?",
        "threatmodel.yaml:15:56: error: assumption 'a1': unknown element 'wbe'"
        " — did you mean 'web'?",
    ]


def test_boundary_nested_in_itself(diagnose):
    text = SHOP_HEAD.replace("  dmz: {trust: trusted}\n", "  dmz: {trust: trusted, inside: dmz}\n")
    assert diagnose(text) == [
        "threatmodel.yaml:3:33: error: boundary 'dmz' is nested inside itself: dmz -> dmz"
    ]


def test_boundaries_nested_in_each_other_are_reported_once(diagnose):
    text = SHOP_HEAD.replace(
        "  dmz: {trust: trusted}\n",
        "  dmz: {trust: trusted, inside: vpc}\n  vpc: {trust: trusted, inside: dmz}\n",
    )
    assert diagnose(text) == [
        "threatmodel.yaml:3:33: error: boundary 'dmz' is nested inside itself: dmz -> vpc -> dmz"
    ]


@pytest.mark.parametrize(
    "flow",
    [
        "  - web -> web: {protocol: https}\n",
        "  - web -> web:\n",
        "  - from: web\n    to: web\n    protocol: https\n",
    ],
    ids=["arrow", "arrow-without-attributes", "from-to"],
)
def test_flow_to_itself_without_description_is_reported_at_the_flow(diagnose, flow):
    assert diagnose(SHOP_HEAD + "flows:\n" + flow) == [
        "threatmodel.yaml:12:5: error: flow 1 (web -> web): flows from 'web' to itself; add a"
        " 'description' saying why (a retry loop, a self-call) or remove it"
    ]


def test_flow_to_itself_with_description_is_accepted():
    model = load_text(SHOP_HEAD + "flows:\n  - web -> web: {protocol: https, description: retry}\n")
    assert [(f.id, f.description) for f in model.flows] == [("web->web", "retry")]


def test_second_flow_with_the_same_default_id(diagnose):
    text = SHOP_HEAD + (
        "flows:\n  - web -> payments: {protocol: https}\n  - web -> payments: {protocol: grpcs}\n"
    )
    assert diagnose(text) == [
        "threatmodel.yaml:13:5: error: flow 2: a second flow with id 'web->payments' (first at"
        " threatmodel.yaml:12:5); give each flow between the same components its own 'id:'"
    ]


def test_second_flow_with_the_same_explicit_id(diagnose):
    text = SHOP_HEAD + (
        "flows:\n"
        "  - web -> payments: {id: sync, protocol: https}\n"
        "  - from: payments\n    to: web\n    id: sync\n    protocol: https\n"
    )
    assert diagnose(text) == [
        "threatmodel.yaml:13:5: error: flow 2: a second flow with id 'sync' (first at"
        " threatmodel.yaml:12:5); give each flow between the same components its own 'id:'"
    ]


def test_two_flows_between_one_pair_with_their_own_ids_load():
    text = SHOP_HEAD + (
        "flows:\n"
        "  - web -> payments:\n      id: charge\n      protocol: https\n"
        "  - web -> payments: {id: refund, protocol: https}\n"
    )
    model = load_text(text)
    assert [(f.id, f.source, f.target) for f in model.flows] == [
        ("charge", "web", "payments"),
        ("refund", "web", "payments"),
    ]


# --- schema -------------------------------------------------------------------------------


def test_unknown_field_suggests_the_close_field(diagnose):
    text = SHOP_HEAD.replace(
        "  payments: {kind: service, zone: dmz}\n",
        "  payments: {kind: service, zone: dmz, exposre: public}\n",
    )
    assert diagnose(text) == [
        "threatmodel.yaml:10:40: error: component 'payments': unknown field 'exposre'"
        " — did you mean 'exposure'?"
    ]


def test_unknown_fields_in_nested_specs_flows_system_and_top_level(diagnose):
    text = """\
        system: {name: Shop, ownr: me}
        boundaries:
          dmz: {trust: trusted}
        components:
          db: {kind: datastore, zone: dmz, encryption: {at_rst: kms}}
        flows:
          - db -> db: {description: replication, protocl: https}
        includes: [x.yaml]
        """
    assert diagnose(text) == [
        "threatmodel.yaml:1:22: error: system: unknown field 'ownr' — did you mean 'owner'?",
        "threatmodel.yaml:5:49: error: component 'db': unknown field 'at_rst'"
        " — did you mean 'at_rest'?",
        "threatmodel.yaml:7:42: error: flow 1 (db -> db): unknown field 'protocl'"
        " — did you mean 'protocol'?",
        "threatmodel.yaml:8:1: error: unknown field 'includes' — did you mean 'include'?",
    ]


def test_invalid_system_is_not_also_reported_as_missing(diagnose):
    # 'system:' is there but invalid: one error for it, and reference checks still run
    text = SHOP_HEAD.replace("system: {name: Shop}", "system: {name: Shop, critical: high}")
    text += "  api: {kind: service, zone: dnz}\n"
    assert diagnose(text) == [
        "threatmodel.yaml:1:22: error: system: unknown field 'critical'"
        " — did you mean 'criticality'?",
        "threatmodel.yaml:11:30: error: component 'api': unknown boundary 'dnz'"
        " — did you mean 'dmz'?",
    ]


def test_missing_system(diagnose):
    assert diagnose("components: {}\n") == [
        "threatmodel.yaml:1:1: error: the root model must describe the system: add"
        " 'system: {name: ...}'"
    ]


def test_bad_enum_value_suggests_the_close_value(diagnose):
    text = SHOP_HEAD.replace("{kind: service, zone: dmz}", "{kind: servise, zone: dmz}")
    assert diagnose(text) == [
        "threatmodel.yaml:10:20: error: component 'payments': 'kind' is 'servise'"
        f" — did you mean 'service'?; expected one of: {KINDS}"
    ]


def test_bad_enum_value_in_a_flow_and_a_boundary(diagnose):
    text = SHOP_HEAD.replace("{trust: trusted}", "{trust: trustd}") + (
        "flows:\n  - web -> payments: {protocol: https, authn: oauth}\n"
    )
    assert diagnose(text) == [
        "threatmodel.yaml:3:16: error: boundary 'dmz': 'trust' is 'trustd' — did you mean"
        " 'trusted'?; expected one of: untrusted, semi-trusted, trusted, restricted",
        "threatmodel.yaml:12:47: error: flow 1 (web -> payments): 'authn' is 'oauth' — did you mean"
        " 'oauth2'?; expected one of: none, api-key, basic, password, session, oauth2, oidc, jwt,"
        " saml, mtls, iam, sigv4, hmac, certificate, kerberos, ssh-key, service-account,"
        " workload-identity, network, presigned-url",
    ]


def test_unknown_data_category_suggests_the_close_category(diagnose):
    text = SHOP_HEAD.replace(
        "{classification: restricted}", "{classification: restricted, categories: [pci.pam]}"
    )
    assert diagnose(text) == [
        "threatmodel.yaml:5:51: error: data asset 'cards': 'categories': unknown data category"
        " 'pci.pam' — did you mean 'pci.pan'? (one of: biometric, business, credentials,"
        " crypto-keys, financial, health, location, pci.cardholder, pci.pan, pci.sad, pci.token,"
        " pii, pii.special, secrets, session-tokens, source-code, telemetry)"
    ]


def test_missing_required_field(diagnose):
    text = SHOP_HEAD + "  api: {zone: dmz}\n"
    assert diagnose(text) == [
        "threatmodel.yaml:11:8: error: component 'api': missing required field 'kind'"
    ]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ('"web app"', "web app"),
        ("-web", "-web"),
        ("wеb", "w\u0435b"),  # CYRILLIC SMALL LETTER IE, a look-alike of ASCII 'e'
        ("pаyments", "p\u0430yments"),  # CYRILLIC SMALL LETTER A
        ("x" * 129, "x" * 129),
    ],
    ids=["space", "leading-dash", "cyrillic-ie", "cyrillic-a", "too-long"],
)
def test_invalid_id_characters(diagnose, key, shown):
    text = SHOP_HEAD + f"  {key}: {{kind: service, zone: dmz}}\n"
    assert diagnose(text) == [f"threatmodel.yaml:11:3: error: '{shown}' {ID_RULE}"]


def test_cyrillic_lookalike_id_is_not_the_ascii_id():
    # 'pаyments' (Cyrillic а) must never be taken for 'payments'
    with pytest.raises(ModelError) as caught:
        load_text(SHOP_HEAD + "flows:\n  - web -> pаyments: {protocol: https}\n")
    assert [d.format() for d in caught.value.diagnostics] == [
        f"threatmodel.yaml:12:5: error: flow 1 (web -> pаyments): 'to': 'pаyments' {ID_RULE}"
    ]


def test_invalid_id_in_a_reference(diagnose):
    text = (
        SHOP_HEAD
        + "  api: {kind: service, zone: dmz zone}\n"
        + ("flows:\n  - from: web\n    to: wеb\n    description: self\n")
    )
    assert diagnose(text) == [
        f"threatmodel.yaml:11:30: error: component 'api': 'zone': 'dmz zone' {ID_RULE}",
        f"threatmodel.yaml:14:9: error: flow 1: 'to': 'wеb' {ID_RULE}",
    ]


def test_id_and_location_are_not_fields(diagnose):
    text = SHOP_HEAD.replace("{kind: service, zone: dmz}", "{kind: service, zone: dmz, id: pay}")
    assert diagnose(text) == [
        "threatmodel.yaml:10:40: error: component 'payments': 'id' is not a field here"
        " (the component's id is its key, 'payments')"
    ]


@pytest.mark.parametrize("status", ["accepted", "false-positive"])
def test_acceptance_needs_a_justification(diagnose, status):
    text = f"system: {{name: Shop}}\ntracking:\n  'rule@web': {{status: {status}}}\n"
    assert diagnose(text) == [
        f"threatmodel.yaml:3:15: error: tracking entry 'rule@web': a '{status}' decision needs a"
        " 'justification'"
    ]


def test_accepted_with_justification_loads():
    text = (
        "system: {name: Shop}\n"
        "tracking:\n"
        "  'rule@web': {status: accepted, justification: behind the VPN, expires: 2030-01-31}\n"
    )
    entry = load_text(text).tracking["rule@web"]
    assert (entry.status.value, entry.justification, entry.expires.isoformat()) == (
        "accepted",
        "behind the VPN",
        "2030-01-31",
    )


@pytest.mark.parametrize(
    ("flow", "message"),
    [
        (
            "web ->: {}",
            "12:13: error: flow 1 (web ->): flow 'web ->' is not of the form 'source -> target'",
        ),
        (
            "web -> payments: [https]",
            "12:22: error: flow 1 (web -> payments): flow 'web -> payments' must map to its"
            " attributes, e.g. {protocol: https}",
        ),
        (
            "web -> payments: {from: web}",
            "12:22: error: flow 1 (web -> payments): flow 'web -> payments' names its ends twice:"
            " drop 'from'/'to'",
        ),
        (
            "just-a-string",
            "12:5: error: flow 1: Input should be a valid dictionary or instance of Flow",
        ),
    ],
    ids=["no-target", "not-a-mapping", "ends-twice", "not-a-flow"],
)
def test_malformed_flows(diagnose, flow, message):
    assert diagnose(SHOP_HEAD + f"flows:\n  - {flow}\n") == [f"threatmodel.yaml:{message}"]


# --- several errors -----------------------------------------------------------------------


def test_every_error_in_a_file_is_reported_in_file_order(diagnose):
    text = """\
        system: {name: Shop}
        boundaries:
          dmz: {trust: trustd}
        data:
          cards: {classification: restricted}
        components:
          web: {kind: service, zone: dmz, exposre: public}
          api: {kind: service, zone: dnz, processes: [cardz]}
          wеb: {kind: service}
        flows:
          - web -> apii: {protocol: https}
          - api -> api: {protocol: https}
        """
    assert diagnose(text) == [
        "threatmodel.yaml:3:16: error: boundary 'dmz': 'trust' is 'trustd' — did you mean"
        " 'trusted'?; expected one of: untrusted, semi-trusted, trusted, restricted",
        "threatmodel.yaml:7:35: error: component 'web': unknown field 'exposre'"
        " — did you mean 'exposure'?",
        "threatmodel.yaml:8:30: error: component 'api': unknown boundary 'dnz'"
        " — did you mean 'dmz'?",
        "threatmodel.yaml:8:47: error: component 'api': unknown data asset 'cardz'"
        " — did you mean 'cards'?",
        f"threatmodel.yaml:9:3: error: 'wеb' {ID_RULE}",
        "threatmodel.yaml:11:5: error: flow 1 (web -> apii): unknown component 'apii'"
        " — did you mean 'api'?",
        "threatmodel.yaml:12:5: error: flow 2 (api -> api): flows from 'api' to itself; add a"
        " 'description' saying why (a retry loop, a self-call) or remove it",
    ]


def test_model_error_names_the_first_error_and_counts_the_rest():
    with pytest.raises(ModelError) as caught:
        load_text(SHOP_HEAD + "  a: {kind: servce}\n  b: {kind: servce}\n  c: {kind: servce}\n")
    assert str(caught.value) == (
        "threatmodel.yaml:11:13: error: component 'a': 'kind' is 'servce' — did you mean"
        f" 'service'?; expected one of: {KINDS} (and 2 more)"
    )
    assert [(d.level, d.location, d.code) for d in caught.value.diagnostics] == [
        (Level.ERROR, Location("threatmodel.yaml", 11, 13), "schema"),
        (Level.ERROR, Location("threatmodel.yaml", 12, 13), "schema"),
        (Level.ERROR, Location("threatmodel.yaml", 13, 13), "schema"),
    ]


def test_reference_errors_carry_the_reference_code():
    with pytest.raises(ModelError) as caught:
        load_text(SHOP_HEAD + "flows:\n  - web -> paymnets: {protocol: https}\n")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.is_error) == ("reference", True)


def test_load_with_diagnostics_never_raises_for_a_missing_file(tmp_path: Path):
    missing = tmp_path / "nope.yaml"
    result = load_with_diagnostics(missing)
    assert result.model is None
    assert [d.format() for d in result.errors] == [f"{missing}: error: no such file"]
    assert result.warnings == ()
