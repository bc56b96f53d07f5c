"""API rules: edge cases the fire/pass fixtures do not pin down."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest

from threatforge.assessment import Assessment
from threatforge.model import ModelError, load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import api
from threatforge.rules.interface import Confidence

ROOT = Path(__file__).resolve().parents[3]
RULES = {r.id: r for r in api.RULES}
TODAY = date(2026, 1, 1)
EDGE = (
    "boundaries:\n  internet: {kind: internet, trust: untrusted}\n"
    "  vpc: {kind: vpc, trust: trusted}\n"
)


def _run(rule_id: str, components: str, flows: str = "", data: str = "") -> Assessment:
    text = (
        "version: 1\nsystem: {name: t}\n"
        + (f"data:\n{data}" if data else "")
        + EDGE
        + f"components:\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )
    assessment = analyze(load_text(text), [RULES[rule_id]], today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def _fingerprints(assessment: Assessment) -> set[str]:
    return {f.fingerprint for f in assessment.findings}


def _gaps(assessment: Assessment) -> set[tuple[str, str]]:
    return {(g.element, g.fact) for g in assessment.gaps}


def test_library_size_and_naming() -> None:
    assert len(api.RULES) >= 16
    assert len(RULES) == len(api.RULES)
    for item in api.RULES:
        assert item.id.startswith("api-"), item.id
        assert item.meta.domain == "api", item.id
        assert item.meta.references, item.id
        assert item.meta.false_positives, item.id
        assert item.check.__doc__, item.id


def test_the_api_rules_alone_cover_every_owasp_api_top10_risk() -> None:
    covered = {a for r in api.RULES for a in r.meta.api_top10}
    assert sorted(covered, key=lambda a: int(a[3:].split(":")[0])) == [
        f"API{i}:2023" for i in range(1, 11)
    ]


def _properties_read(source: str) -> set[str]:
    """The ``properties:`` keys a rule module reads, found in its source."""
    keys: set[str] = set()
    for pattern in (r'\.prop\("([a-z0-9_]+)"\)', r'\bflow_prop\(\w+, "([a-z0-9_]+)"\)',
                    r'properties\.get\("([a-z0-9_]+)"\)'):
        keys.update(re.findall(pattern, source))
    for group in re.findall(r"for key in\s*\(([^)]*)\)", source):
        keys.update(re.findall(r'"([a-z0-9_]+)"', group))
    return keys


def test_every_property_the_rules_read_is_documented() -> None:
    source = (ROOT / "src/threatforge/rules/builtin/api.py").read_text(encoding="utf-8")
    read = _properties_read(source)
    page = (ROOT / "docs/rules/api-properties.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", page, flags=re.M))
    assert {"validates_audience", "egress_proxy", "webhook", "key_in_query_string"} <= read
    assert sorted(read - documented) == []


def test_bola_asks_for_authz_and_skips_gateways() -> None:
    components = (
        "  gw: {kind: gateway, zone: vpc, exposure: public, authz: scopes,"
        " routes: ['/orders/{id}']}\n"
        "  orders: {kind: service, zone: vpc, routes: ['/orders/{id}']}\n"
    )
    assessment = _run("api-bola-coarse-authz", components, "  - gw -> orders: {protocol: https}\n")
    assert _fingerprints(assessment) == set()
    assert _gaps(assessment) == {("orders", "authz")}


def test_bola_recognises_express_and_flask_path_parameters() -> None:
    assert [p for p in ("/a/:accountId", "/a/<int:id>", "/a/{id}/b", "/a/b", "/a:b")
            if api._OBJECT_ID.search(p)] == ["/a/:accountId", "/a/<int:id>", "/a/{id}/b"]


def test_admin_routes_match_whole_segments_only() -> None:
    components = (
        "  gw: {kind: gateway, zone: vpc, exposure: public, authz: acl,"
        " routes: [/orders/internal-notes, /administrators-guide]}\n"
        "  ops: {kind: service, zone: vpc, authz: acl, routes: [/v1/Admin/users]}\n"
    )
    assessment = _run("api-admin-routes-without-function-authz", components,
                      "  - gw -> ops: {protocol: https}\n")
    assert _fingerprints(assessment) == {"api-admin-routes-without-function-authz@ops"}


def test_token_lifetime_is_rendered_in_words_and_booleans_are_not_numbers() -> None:
    ttl = {"day": "86400", "hours": "7200", "odd": "3601"}
    components = "".join(
        f"  {name}: {{kind: identity-provider, zone: vpc,"
        f" properties: {{access_token_ttl_seconds: {value}}}}}\n"
        for name, value in ttl.items()
    )
    assessment = _run("api-long-lived-access-token", components)
    titles = {f.elements[0]: f.title for f in assessment.findings}
    assert titles == {
        "day": "day issues access tokens valid for 1 day",
        "hours": "hours issues access tokens valid for 2 hours",
        "odd": "odd issues access tokens valid for 3601 seconds",
    }
    # A boolean or a quoted number is not a lifetime: the loader refuses it (the property
    # catalogue types the key), and a model built in code without the loader does not fire.
    with pytest.raises(ModelError) as refused:
        _run("api-long-lived-access-token", components.replace("86400", "true"))
    assert [d.message for d in refused.value.diagnostics] == [
        "component 'day': property 'access_token_ttl_seconds' is true (a boolean); "
        "expected a whole number"
    ]
    model = load_text(
        "version: 1\nsystem: {name: t}\n" + EDGE + f"components:\n{components}"
    )
    day = model.components["day"]
    key = "access_token_ttl_seconds"
    typed_wrong = {
        "flag": day.model_copy(update={"id": "flag", "properties": {key: True}}),
        "text": day.model_copy(update={"id": "text", "properties": {key: "99999"}}),
    }
    built = dataclasses.replace(model, components=typed_wrong)
    found = analyze(built, [RULES["api-long-lived-access-token"]], today=TODAY)
    assert (found.findings, found.rule_errors) == ((), ())


def test_graphql_is_recognised_by_tech_style_or_path() -> None:
    components = (
        "  appsync: {kind: service, tech: aws.appsync, zone: vpc, exposure: public,"
        " properties: {introspection: true}}\n"
        "  styled: {kind: function, zone: vpc, exposure: public,"
        " properties: {api_style: GraphQL, introspection: true}}\n"
        "  pathed: {kind: service, zone: vpc, exposure: public, routes: [/api/graphql/],"
        " properties: {introspection: true}}\n"
        "  rest: {kind: service, zone: vpc, exposure: public, routes: [/api/graphs],"
        " properties: {introspection: true}}\n"
    )
    assert _fingerprints(_run("api-graphql-introspection-enabled", components)) == {
        "api-graphql-introspection-enabled@appsync",
        "api-graphql-introspection-enabled@styled",
        "api-graphql-introspection-enabled@pathed",
    }


def test_ssrf_confidence_follows_what_the_model_states() -> None:
    components = (
        "  stated: {kind: service, zone: vpc, properties: {fetches_user_urls: true,"
        " egress_allowlist: false}}\n"
        "  silent: {kind: service, zone: vpc, properties: {fetches_user_urls: true}}\n"
        "  implied: {kind: service, zone: vpc, properties: {blocks_private_ips: false}}\n"
    )
    found = {f.elements[0]: (f.confidence, f.evidence)
             for f in _run("api-ssrf-user-supplied-url", components).findings}
    assert found == {
        "stated": (Confidence.HIGH, ("properties.fetches_user_urls: true",
                                     "properties.egress_allowlist: false")),
        "silent": (Confidence.MEDIUM, ("properties.fetches_user_urls: true",
                                       "no egress allow-list, proxy or private-address block "
                                       "stated")),
        "implied": (Confidence.MEDIUM, ("properties.blocks_private_ips: false",)),
    }


def test_unsigned_webhook_is_a_gap_only_when_nothing_is_stated() -> None:
    components = (
        "  sender: {kind: service, zone: vpc, properties: {webhook_delivery: true}}\n"
        "  a: {kind: external-service, zone: internet}\n"
        "  b: {kind: external-service, zone: internet}\n"
        "  c: {kind: external-service, zone: internet}\n"
    )
    flows = (
        "  - sender -> a: {protocol: https}\n"
        "  - sender -> b: {protocol: https, authn: oauth2}\n"
        "  - sender -> c: {protocol: https, authn: oauth2, signed: false}\n"
    )
    assessment = _run("api-webhook-unsigned-delivery", components, flows)
    assert _fingerprints(assessment) == {"api-webhook-unsigned-delivery@sender->c"}
    assert _gaps(assessment) == {("sender->a", "signed")}


def test_nonprod_api_without_data_or_exposure_passes() -> None:
    components = (
        "  hidden: {kind: service, zone: vpc, exposure: private, processes: [p],"
        " properties: {environment: staging, production_data: true}}\n"
        "  empty: {kind: service, zone: vpc, exposure: public, properties: {environment: QA}}\n"
    )
    data = "  p: {classification: confidential, categories: [pii]}\n"
    assert _fingerprints(_run("api-nonprod-with-production-data", components, data=data)) == set()
