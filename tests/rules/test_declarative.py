"""YAML rule packs: every word of the vocabulary, three-valued logic, located errors, the CLI."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.errors import RuleError
from threatforge.model import ComponentKind, Model, load_text
from threatforge.model._yaml import parse_text
from threatforge.rules import Rule, analyze, load_rule_set
from threatforge.rules.declarative import load_pack, parse_pack
from threatforge.rules.interface import Crosses

TODAY = date(2026, 1, 1)

MODEL = """\
system: {name: Vocabulary}
data:
  pan: {classification: restricted, categories: [pci.pan]}
  profile: {classification: confidential, categories: [pii]}
  logs: {classification: internal, categories: [telemetry]}
boundaries:
  internet: {trust: untrusted}
  dmz: {trust: semi-trusted}
  core: {trust: trusted}
  vault: {trust: restricted}
components:
  shopper: {kind: actor, zone: internet}
  edge: {kind: gateway, tech: aws.apigateway, zone: dmz, authn: oauth2, waf: true,
         tags: [public-api]}
  orders: {kind: service, tech: aws.lambda, zone: core, authn: iam, authz: rbac,
           processes: [profile], properties: {runtime: python3.12, debug: false}}
  reports: {kind: service, tech: k8s.deployment, zone: core, authn: none,
            properties: {debug: true, replicas: 1}}
  card-db: {kind: datastore, tech: aws.rds.postgres, zone: vault, stores: [pan],
            encryption: {at_rest: kms-cmk}}
  cache: {kind: cache, tech: aws.elasticache.redis, zone: core}
  drifter: {kind: service}
flows:
  - shopper -> edge: {protocol: https, authn: none, data: [profile]}
  - edge -> orders: {protocol: https, authn: iam, data: [profile]}
  - orders -> card-db: {protocol: postgres, tls: true, data: [pan]}
  - reports -> cache: {protocol: redis}
  - orders -> reports: {protocol: http, data: [logs]}
  - drifter -> orders: {protocol: https}
"""

COMPONENTS = {"shopper", "edge", "orders", "reports", "card-db", "cache", "drifter"}
FLOWS = {
    "shopper->edge",
    "edge->orders",
    "orders->card-db",
    "reports->cache",
    "orders->reports",
    "drifter->orders",
}

HEADER = """\
pack: test-pack
description: Rules written by the declarative tests.
rules:
"""


def rule_text(when: str, target: str = "component", rule_id: str = "test-rule") -> str:
    """One rule; a one-line condition is written in flow style, on line 14 from column 7."""
    when = textwrap.dedent(when).strip()
    if "\n" not in when:
        when = "{" + when + "}"
    return f"""\
  - id: {rule_id}
    title: "{{element}} matches"
    description: A rule for the tests.
    target: {target}
    likelihood: 3
    impact: 3
    stride: [tampering]
    cwe: [20]
    mitigations: [Fix it.]
    when:
{textwrap.indent(when, "      ")}
"""


def compile_one(when: str, target: str = "component") -> Rule:
    (compiled,) = parse_pack(parse_text(HEADER + rule_text(when, target), "pack.yaml"))
    return compiled


def model() -> Model:
    return load_text(MODEL)


def fired(when: str, target: str = "component") -> set[str]:
    assessment = analyze(model(), [compile_one(when, target)], today=TODAY)
    assert assessment.rule_errors == ()
    return {f.elements[0] for f in assessment.findings}


def unknown(when: str, target: str = "component") -> tuple[str, ...]:
    summary = analyze(model(), [compile_one(when, target)], today=TODAY).summaries[0]
    return summary.unknown


# --- element kind and technology --------------------------------------------------------------


def test_kind() -> None:
    assert fired("kind: service") == {"orders", "reports", "drifter"}
    assert fired("kind: [datastore, cache]") == {"card-db", "cache"}


def test_tech_glob() -> None:
    assert fired('tech: "aws.*"') == {"edge", "orders", "card-db", "cache"}
    assert fired('tech: ["k8s.*", "aws.rds.*"]') == {"reports", "card-db"}
    assert fired("tech: aws.lambda") == {"orders"}


def test_top_level_kind_and_tech_become_the_rule_scope() -> None:
    scoped = compile_one(
        """
        all:
          - kind: service
          - tech: "aws.*"
        """
    )
    assert scoped.meta.kinds == frozenset({ComponentKind.SERVICE})
    assert scoped.meta.tech == ("aws.*",)
    summary = analyze(model(), [scoped], today=TODAY).summaries[0]
    assert (summary.fired, summary.passed) == (("orders",), ())
    unscoped = compile_one("any: [{kind: service}, {kind: cache}]")
    assert (unscoped.meta.kinds, unscoped.meta.tech) == (frozenset(), ())


def test_a_top_level_property_test_and_crossing_become_the_rule_scope() -> None:
    # A test of properties.<key> is false (never unknown) when the key is not stated, and
    # `crosses` is false on a flow that stays in its zone: the engine skips those elements.
    debug = compile_one("all: [{kind: service}, {attribute: properties.debug, equals: true}]")
    assert debug.meta.properties == frozenset({"debug"})
    summary = analyze(model(), [debug], today=TODAY).summaries[0]
    assert (summary.fired, summary.passed) == (("reports",), ("orders",))  # drifter: no debug
    assert compile_one("attribute: properties.debug, exists: true").meta.properties == {"debug"}
    assert compile_one("attribute: properties.debug, missing: false").meta.properties == {
        "debug"
    }
    crossing = compile_one("crosses: {}", target="flow")
    assert (crossing.meta.crosses, crossing.meta.properties) == (Crosses.BOUNDARY, frozenset())
    flows = analyze(model(), [crossing], today=TODAY).summaries[0]
    assert set(flows.fired) == {"shopper->edge", "edge->orders", "orders->card-db",
                                "drifter->orders"}  # drifter has no zone
    assert flows.passed == ()  # orders->reports and reports->cache stay in core: not evaluated


@pytest.mark.parametrize(
    "when",
    [
        "attribute: properties.debug, missing: true",  # true where the key is absent
        "attribute: properties.debug, exists: false",
        "not: {attribute: properties.debug, equals: true}",
        "any: [{attribute: properties.debug, equals: true}, {kind: cache}]",
        "attribute: authn, equals: none",  # a typed fact: unknown when not stated
    ],
)
def test_conditions_that_hold_without_the_property_keep_every_element(when: str) -> None:
    assert compile_one(when).meta.properties == frozenset()


def test_pack_scopes_change_no_verdict() -> None:
    conditions = [
        ("all: [{kind: service}, {attribute: properties.debug, equals: true}]", "component"),
        ("attribute: properties.replicas, in: [1, 2]", "component"),
        ("attribute: properties.debug, not_equals: true", "component"),
        ("all: [{crosses: {to: trusted}}, {attribute: authn, equals: none}]", "flow"),
    ]
    for when, target in conditions:
        scoped = compile_one(when, target)
        assert scoped.meta.properties or scoped.meta.crosses
        every = Rule(
            dataclasses.replace(scoped.meta, properties=frozenset(), crosses=None), scoped.check
        )
        narrow, wide = (analyze(model(), [r], today=TODAY) for r in (scoped, every))
        assert narrow.findings == wide.findings
        assert narrow.gaps == wide.gaps
        assert narrow.summaries[0].fired == wide.summaries[0].fired
        assert narrow.summaries[0].unknown == wide.summaries[0].unknown


# --- attributes -------------------------------------------------------------------------------


def test_attribute_equals() -> None:
    assert fired("all: [{kind: service}, {attribute: authn, equals: none}]") == {"reports"}
    assert fired("attribute: waf, equals: true") == {"edge"}
    assert fired("attribute: encryption.at_rest, equals: kms-cmk") == {"card-db"}


def test_attribute_not_equals() -> None:
    assert fired("all: [{kind: service}, {attribute: authn, not_equals: none}]") == {"orders"}


def test_attribute_in() -> None:
    assert fired("attribute: authn, in: [oauth2, iam]") == {"edge", "orders"}


def test_list_attributes_match_when_they_contain_the_value() -> None:
    assert fired("attribute: tags, equals: public-api") == {"edge"}
    assert fired("attribute: stores, in: [pan, profile]") == {"card-db"}
    assert fired("all: [{kind: gateway}, {attribute: tags, not_equals: public-api}]") == set()


def test_attribute_exists_and_missing() -> None:
    assert fired("attribute: tech, exists: true") == COMPONENTS - {"shopper", "drifter"}
    assert fired("attribute: tech, exists: false") == {"shopper", "drifter"}
    assert fired("attribute: zone, missing: true") == {"drifter"}
    assert fired("attribute: encryption.at_rest, exists: true") == {"card-db"}
    assert fired("attribute: stores, missing: false") == {"card-db"}


def test_properties_are_free_form_and_never_a_gap() -> None:
    assert fired("attribute: properties.debug, equals: true") == {"reports"}
    assert unknown("attribute: properties.debug, equals: true") == ()
    assert fired("attribute: properties.runtime, in: [python3.11, python3.12]") == {"orders"}
    assert fired("attribute: properties.replicas, equals: 1") == {"reports"}


def test_booleans_only_equal_booleans() -> None:
    assert fired("attribute: properties.debug, equals: 1") == set()
    assert fired("attribute: properties.replicas, equals: true") == set()


def test_flow_attributes_including_computed_ones() -> None:
    assert fired("attribute: encrypted, equals: false", "flow") == {"orders->reports"}
    assert fired("attribute: protocol, equals: postgres", "flow") == {"orders->card-db"}
    assert fired("attribute: data, equals: pan", "flow") == {"orders->card-db"}


# --- data -------------------------------------------------------------------------------------


def test_data_classification_at_least() -> None:
    rule = "data: {classification_at_least: restricted}"
    assert fired(rule, "flow") == {"orders->card-db"}
    assert fired(rule) == {"orders", "card-db"}
    assert fired("data: {classification_at_least: confidential}", "flow") == {
        "shopper->edge",
        "edge->orders",
        "orders->card-db",
    }


def test_data_category_matches_the_category_and_below_it() -> None:
    assert fired("data: {category: pci}", "flow") == {"orders->card-db"}
    assert fired("data: {category: pci.pan}", "flow") == {"orders->card-db"}
    assert fired("data: {category: pii}", "flow") == {"shopper->edge", "edge->orders"}
    assert fired("data: {category: pii, classification_at_least: restricted}", "flow") == set()


def test_data_on_an_element_without_data_is_unknown() -> None:
    assert unknown("data: {category: pii}", "flow") == ("reports->cache", "drifter->orders")


# --- flows: ends, crossings, reachability -----------------------------------------------------


def test_source_and_target() -> None:
    assert fired("source: {kind: actor}", "flow") == {"shopper->edge"}
    assert fired('target: {tech: "aws.rds.*"}', "flow") == {"orders->card-db"}
    assert fired(
        "all: [{source: {kind: service}}, {target: {kind: service}}]", "flow"
    ) == {"orders->reports", "drifter->orders"}


def test_crosses_any_boundary() -> None:
    assert fired("crosses: {}", "flow") == {
        "shopper->edge",
        "edge->orders",
        "orders->card-db",
        "drifter->orders",
    }


def test_crosses_from_and_to_trust_levels() -> None:
    assert fired("crosses: {from: untrusted}", "flow") == {"shopper->edge"}
    assert fired("crosses: {to: restricted}", "flow") == {"orders->card-db"}
    assert fired("crosses: {from: semi-trusted, to: trusted}", "flow") == {"edge->orders"}


def test_crossing_from_an_element_without_zone_is_unknown() -> None:
    assert unknown("crosses: {from: untrusted}", "flow") == ("drifter->orders",)
    gaps = analyze(model(), [compile_one("crosses: {from: untrusted}", "flow")]).gaps
    assert [g.message for g in gaps] == [
        "state `source.zone` on flow `drifter->orders` to let 1 rule decide"
    ]


def test_reachable_from_untrusted() -> None:
    assert fired("reachable_from_untrusted: true") == COMPONENTS - {"drifter"}
    assert fired("reachable_from_untrusted: false") == {"drifter"}
    assert fired("reachable_from_untrusted: false", "flow") == {"drifter->orders"}


# --- all / any / not and unknown propagation --------------------------------------------------


def test_all_any_not() -> None:
    assert fired("any: [{kind: cache}, {kind: datastore}]") == {"card-db", "cache"}
    assert fired("not: {kind: service}") == COMPONENTS - {"orders", "reports", "drifter"}
    assert fired('all: [{kind: service}, {not: {tech: "aws.*"}}]') == {"reports", "drifter"}


def test_unknown_facts_propagate_and_become_model_gaps() -> None:
    when = "all: [{kind: service}, {attribute: authn, equals: none}]"
    assessment = analyze(model(), [compile_one(when)], today=TODAY)
    summary = assessment.summaries[0]
    assert (summary.fired, summary.passed, summary.unknown) == (
        ("reports",),
        ("orders",),
        ("drifter",),
    )
    assert [g.message for g in assessment.gaps] == [
        "state `authn` on service `drifter` to let 1 rule decide"
    ]


def test_three_valued_logic() -> None:
    # any: true wins over unknown; all: false wins over unknown; not keeps unknown unknown.
    either = "any: [{attribute: authn, equals: none}, {kind: actor}]"
    assert fired(either) == {"shopper", "reports"}
    assert unknown(either) == ("card-db", "cache", "drifter")
    assert unknown("all: [{kind: cache}, {attribute: authn, equals: none}]") == ("cache",)
    assert unknown("not: {attribute: authn, equals: none}") == (
        "shopper",
        "card-db",
        "cache",
        "drifter",
    )


def test_facts_missing_on_a_flow_end_are_named_from_the_flow() -> None:
    when = "source: {attribute: authn, equals: none}"
    assessment = analyze(model(), [compile_one(when, "flow")], today=TODAY)
    assert {f.elements[0] for f in assessment.findings} == {"reports->cache"}
    assert [g.message for g in assessment.gaps] == [
        "state `source.authn` on flow `drifter->orders` to let 1 rule decide",
        "state `source.authn` on flow `shopper->edge` to let 1 rule decide",
    ]


# --- compiled metadata ------------------------------------------------------------------------


def test_compiled_rule_explains_its_condition() -> None:
    compiled = compile_one(
        """
        all:
          - kind: [service, function]
          - attribute: authn
            in: [none, api-key]
          - not: {attribute: tags, equals: public-api}
        """
    )
    expected = (
        "(kind is service or function) and (authn is one of none, api-key) and "
        "(not tags is public-api)"
    )
    assert compiled.meta.detection == f"Fires when {expected}."
    assert compiled.meta.source == "pack test-pack (pack.yaml)"
    assert compiled.meta.domain == "pack"
    finding = analyze(model(), [compiled], today=TODAY).findings[0]
    assert (finding.fingerprint, finding.title, finding.evidence) == (
        "test-rule@reports",
        "reports matches",
        ("authn: none", f"pack condition: {expected}"),  # stated facts first; empty tags omitted
    )


# --- invalid packs ----------------------------------------------------------------------------


def pack_error(text: str) -> list[str]:
    with pytest.raises(RuleError) as caught:
        parse_pack(parse_text(text, "pack.yaml"))
    first, *rest = str(caught.value).splitlines()
    assert first == "invalid rule pack:"
    return rest


def test_unknown_attribute_is_located_with_a_suggestion() -> None:
    when = "all: [{kind: service}, {attribute: encrypton.at_rest, exists: true}]"
    text = HEADER + rule_text(when)
    assert pack_error(text) == [
        "pack.yaml:14:43: unknown attribute 'encrypton' — did you mean 'encryption'?"
    ]
    nested = HEADER + rule_text("attribute: logging.adit, equals: false")
    assert pack_error(nested) == [
        "pack.yaml:14:19: unknown attribute 'logging.adit' — did you mean 'logging.audit'?"
    ]


def test_two_heads_in_one_condition() -> None:
    text = HEADER + rule_text(
        """
        all:
          - kind: service
            tech: aws.lambda
        """
    )
    assert pack_error(text) == [
        "pack.yaml:15:11: each condition needs exactly one of: all, any, not, kind, tech, "
        "attribute, data, source, target, crosses, reachable_from_untrusted (found: kind, tech); "
        "combine several with 'all:' or 'any:'"
    ]


def test_missing_cwe_and_other_required_fields() -> None:
    text = HEADER + rule_text("kind: service").replace("    cwe: [20]\n", "")
    assert pack_error(text) == ["pack.yaml:4:5: missing required field 'cwe'"]
    no_categories = HEADER + rule_text("kind: service").replace("    stride: [tampering]\n", "")
    assert pack_error(no_categories) == [
        "pack.yaml:4:5: rule 'test-rule' needs 'stride' or 'linddun' categories"
    ]


@pytest.mark.parametrize(
    ("when", "target", "error"),
    [
        ("kind: servise", "component", "pack.yaml:14:14: unknown component kind 'servise' — did "
         "you mean 'service'?"),
        ("atribute: authn", "component", "pack.yaml:14:8: unknown condition key 'atribute' — did "
         "you mean 'attribute'?"),
        ("attribute: authn", "component", "pack.yaml:14:7: attribute 'authn' needs exactly one "
         "test of: equals, not_equals, in, exists, missing"),
        ("attribute: authn, equals: none, exists: true", "component", "pack.yaml:14:7: attribute "
         "'authn' needs exactly one test of: equals, not_equals, in, exists, missing (found: "
         "equals, exists)"),
        ("attribute: encryption, equals: none", "component", "pack.yaml:14:7: name the part of "
         "'encryption' to compare, e.g. 'encryption.at_rest' (on the whole of it only exists / "
         "missing work)"),
        ("attribute: waf, equals: true", "flow", "pack.yaml:14:19: a flow has no attribute 'waf'"),
        ("attribute: protocol, equals: http", "component", "pack.yaml:14:19: a component has no "
         "attribute 'protocol'"),
        ("kind: service", "flow", "pack.yaml:14:8: 'kind' tests a component; in a flow rule write "
         "'source: {kind: ...}' or 'target: {kind: ...}'"),
        ("source: {kind: actor}", "component", "pack.yaml:14:8: 'source' tests a flow; use it in "
         "a rule with target: flow"),
        ("crosses: {form: untrusted}", "flow", "pack.yaml:14:18: unknown condition key 'form' — "
         "did you mean 'from'?"),
        ("data: {category: pci.pam}", "flow", "pack.yaml:14:25: unknown data category 'pci.pam' "
         "— did you mean 'pci.pan'?"),
        ("all: []", "component", "pack.yaml:14:7: 'all' and 'any' need at least one condition"),
        ("equals: none", "component", "pack.yaml:14:7: each condition needs exactly one of: all, "
         "any, not, kind, tech, attribute, data, source, target, crosses, "
         "reachable_from_untrusted (found: none); combine several with 'all:' or 'any:'"),
    ],
)
def test_condition_errors(when: str, target: str, error: str) -> None:
    assert pack_error(HEADER + rule_text(when, target)) == [error]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("title", '"Weak {thing}"', "pack.yaml:5:12: title uses '{thing}'; only {element} and "
         "{detail} are filled in"),
        ("title", '"Weak service"', "pack.yaml:5:12: title must name the element with {element}, "
         "e.g. '{element} is ...'"),
        ("likelihood", "7", "pack.yaml:8:17: 'likelihood': input should be less than or equal "
         "to 5"),
        ("target", "boundary", "pack.yaml:7:13: 'target': input should be 'component' or 'flow'"),
        ("cwe", "[]", "pack.yaml:11:10: 'cwe': list should have at least 1 item after "
         "validation, not 0"),
    ],
)
def test_rule_field_errors(field: str, value: str, error: str) -> None:
    lines = rule_text("kind: service").splitlines(keepends=True)
    text = "".join(
        f"    {field}: {value}\n" if line.startswith(f"    {field}:") else line for line in lines
    )
    assert pack_error(HEADER + text) == [error]


def test_unknown_rule_field_is_located_at_its_key() -> None:
    text = HEADER + rule_text("kind: service") + "    severity: high\n"
    assert pack_error(text) == ["pack.yaml:15:5: unknown field 'severity'"]


def test_every_problem_is_reported_at_once() -> None:
    text = HEADER + rule_text("kind: servise") + rule_text("kind: service", rule_id="x")
    assert pack_error(text) == [
        "pack.yaml:14:14: unknown component kind 'servise' — did you mean 'service'?",
        "pack.yaml:15:9: 'id': string should match pattern '^[a-z0-9][a-z0-9-]{2,79}$'",
    ]


def test_duplicate_ids_in_one_pack() -> None:
    text = HEADER + rule_text("kind: service") + rule_text("kind: cache")
    assert pack_error(text) == ["pack.yaml:15:9: rule id 'test-rule' appears twice in the pack"]


def test_unreadable_packs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n", encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: x\nrules: [\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"empty\.yaml:1:1: is empty: a rule pack needs 'pack:'"):
        load_pack(empty)
    with pytest.raises(RuleError, match=r"broken\.yaml:3:1: "):
        load_pack(broken)
    with pytest.raises(RuleError, match=r"missing\.yaml: no such file"):
        load_pack(tmp_path / "missing.yaml")


# --- packs next to the other rules ------------------------------------------------------------


def write_pack(folder: Path, text: str) -> Path:
    path = folder / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_pack_rule_cannot_reuse_a_builtin_id(tmp_path: Path) -> None:
    path = write_pack(tmp_path, HEADER + rule_text("kind: service", rule_id="debug-mode-enabled"))
    with pytest.raises(RuleError) as caught:
        load_rule_set([path], include_plugins=False)
    assert str(caught.value) == (
        f"two rules have the id 'debug-mode-enabled' (builtin and pack test-pack ({path})); rule "
        "ids must be unique — rename the one in your pack"
    )


def test_a_pack_loads_after_the_builtin_rules(tmp_path: Path) -> None:
    path = write_pack(tmp_path, HEADER + rule_text("kind: service", rule_id="acme-services"))
    rule_set = load_rule_set([path], include_plugins=False)
    assert rule_set.rules[-1].id == "acme-services"
    assert rule_set.problems == ()


ACME_PACK = HEADER + rule_text(
    """
    all:
      - kind: service
      - attribute: properties.debug
        equals: true
    """,
    rule_id="acme-debug-service",
)


def test_cli_analyze_with_a_pack(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, ACME_PACK)
    model_path = tmp_path / "threatmodel.yaml"
    model_path.write_text(MODEL, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "analyze", str(model_path), "--rules", str(pack), "--only", "acme-debug-service",
            "--format", "json", "--today", "2026-01-01",
        ],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [f["fingerprint"] for f in document["findings"]] == ["acme-debug-service@reports"]
    assert document["findings"][0]["domain"] == "pack"


def test_cli_refuses_an_invalid_pack_with_its_location(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, HEADER + rule_text("kind: servise"))
    model_path = tmp_path / "threatmodel.yaml"
    model_path.write_text(MODEL, encoding="utf-8")
    result = CliRunner().invoke(app, ["-q", "analyze", str(model_path), "--rules", str(pack)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: invalid rule pack:",
        f"{pack}:14:14: unknown component kind 'servise' — did you mean 'service'?",
    ]


def test_cli_lists_pack_rules(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, ACME_PACK)
    result = CliRunner().invoke(app, ["rules", "list", "--format", "json", "--rules", str(pack)])
    assert result.exit_code == 0, result.stderr
    listed = {r["id"]: r for r in json.loads(result.stdout)}
    assert listed["acme-debug-service"]["source"] == f"pack test-pack ({pack})"
    assert listed["acme-debug-service"]["kinds"] == ["service"]


def test_the_builtin_pack_is_valid_and_scoped() -> None:
    rules = {r.id: r for r in load_rule_set(include_plugins=False).rules}
    assert rules["aws-s3-public-access"].meta.tech == ("aws.s3",)
    assert rules["aws-ec2-imdsv1"].meta.tech == ("aws.ec2*", "aws.eks.nodegroup", "aws.ecs.ec2")
    assert rules["debug-mode-enabled"].meta.source == "builtin"
    assert rules["debug-mode-enabled"].meta.properties == frozenset({"debug"})
    assert rules["aws-ec2-imdsv1"].meta.properties == frozenset({"imds_v1"})
    assert rules["aws-s3-public-access"].meta.properties == frozenset({"block_public_access"})


# --- titles substitute named fields only (issue #14 item 12) ------------------------------------


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("{element:>1500000000} is weak", "{element:>1500000000}"),
        ("{element!r} is weak", "{element!r}"),
        ("{element} {detail:{element}}", "{detail:{element}}"),
        ("{element!s:^" + "9" * 59 + "} x", "{element!s:^" + "9" * 45 + "..."),
    ],
)
def test_a_title_with_a_format_spec_or_conversion_is_a_load_error(
    tmp_path: Path, title: str, shown: str
) -> None:
    lines = rule_text("kind: service").splitlines(keepends=True)
    text = HEADER + "".join(
        f"    title: '{title}'\n" if line.startswith("    title:") else line for line in lines
    )
    path = write_pack(tmp_path, text)
    with pytest.raises(RuleError) as raised:
        load_pack(path)
    assert str(raised.value) == (
        f"invalid rule pack:\n{path}:5:12: title uses '{shown}': only plain {{element}} and "
        "{detail} are filled in (no format specs or conversions)"
    )


@pytest.mark.parametrize("title", ["{element.__class__} is weak", "{element[0]} is weak"])
def test_a_title_with_attribute_or_index_access_is_a_load_error(title: str) -> None:
    lines = rule_text("kind: service").splitlines(keepends=True)
    text = HEADER + "".join(
        f"    title: '{title}'\n" if line.startswith("    title:") else line for line in lines
    )
    field = title.split("}")[0] + "}"
    assert pack_error(text) == [
        f"pack.yaml:5:12: title uses '{field}'; only {{element}} and {{detail}} are filled in"
    ]
