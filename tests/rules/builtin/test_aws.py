"""AWS rules: edge cases the fire/pass fixtures do not pin down."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from threatforge.assessment import Assessment
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.rules.builtin import aws
from threatforge.rules.interface import Confidence

ROOT = Path(__file__).resolve().parents[3]
RULES = {r.id: r for r in aws.RULES}
TODAY = date(2026, 1, 1)


def _run(rule_id: str, components: str, boundaries: str = "", flows: str = "",
         data: str = "", also: tuple[str, ...] = ()) -> Assessment:
    """Run one rule (with the rules in ``also`` beside it) on the components."""
    text = (
        "version: 1\nsystem: {name: t}\n"
        + (f"data:\n{data}" if data else "")
        + "boundaries:\n  aws: {kind: account, trust: trusted}\n"
        + "  internet: {kind: internet, trust: untrusted}\n" + boundaries
        + f"components:\n{components}"
        + (f"flows:\n{flows}" if flows else "")
    )
    chosen = [RULES[rule_id], *(RULES[i] for i in also)]
    assessment = analyze(load_text(text), chosen, today=TODAY)
    assert assessment.rule_errors == ()
    return assessment


def _fingerprints(assessment: Assessment) -> set[str]:
    return {f.fingerprint for f in assessment.findings}


def test_library_size_and_naming() -> None:
    assert len(aws.RULES) >= 32
    assert len(RULES) == len(aws.RULES)
    for item in aws.RULES:
        assert item.id.startswith("aws-"), item.id
        assert item.meta.domain == "aws", item.id
        assert item.meta.references, item.id
        assert item.meta.false_positives, item.id
        assert item.check.__doc__, item.id


def test_cognito_unquoted_on_and_off_are_read_as_mfa_settings() -> None:
    # YAML 1.1 turns unquoted ON/OFF into booleans; both spellings must mean the same.
    pools = (
        "  off-pool: {kind: identity-provider, tech: aws.cognito, stores: [p],"
        " properties: {mfa_configuration: OFF}}\n"
        "  quoted-off: {kind: identity-provider, tech: aws.cognito, stores: [p],"
        " properties: {mfa_configuration: 'OFF'}}\n"
        "  on-pool: {kind: identity-provider, tech: aws.cognito, admin: true, stores: [p],"
        " properties: {mfa_configuration: ON}}\n"
    )
    data = "  p: {classification: confidential, categories: [pii]}\n"
    result = _run("aws-cognito-mfa-not-enforced", pools, data=data)
    assert _fingerprints(result) == {
        "aws-cognito-mfa-not-enforced@off-pool",
        "aws-cognito-mfa-not-enforced@quoted-off",
    }
    assert {f.title for f in result.findings} == {
        "off-pool does not enforce MFA for its users (OFF)",
        "quoted-off does not enforce MFA for its users (OFF)",
    }


def test_cognito_pool_with_personal_data_and_no_mfa_fact_is_a_model_gap() -> None:
    pools = "  pool: {kind: identity-provider, tech: aws.cognito, stores: [p]}\n"
    data = "  p: {classification: confidential, categories: [pii]}\n"
    result = _run("aws-cognito-mfa-not-enforced", pools, data=data)
    assert result.findings == ()
    assert [(g.element, g.fact, g.rules) for g in result.gaps] == [
        ("pool", "mfa", ("aws-cognito-mfa-not-enforced",))
    ]


def test_security_group_port_ranges_and_all_ports() -> None:
    hosts = (
        "  all-open: {kind: service, tech: aws.ec2, properties:"
        " {ingress_cidrs: ['::/0'], ingress_ports: [all]}}\n"
        "  range-open: {kind: service, tech: aws.ec2, properties:"
        " {ingress_cidrs: [0.0.0.0/0], ingress_ports: ['3000-3400']}}\n"
        "  range-miss: {kind: service, tech: aws.ec2, properties:"
        " {ingress_cidrs: [0.0.0.0/0], ingress_ports: ['8000-8100', 443]}}\n"
    )
    result = _run("aws-sg-admin-port-open-to-internet", hosts)
    assert _fingerprints(result) == {
        "aws-sg-admin-port-open-to-internet@all-open",
        "aws-sg-admin-port-open-to-internet@range-open",
    }
    by_id = {f.elements[0]: f for f in result.findings}
    assert by_id["range-open"].evidence == (
        "ingress from 0.0.0.0/0 to port(s) 3389 (RDP)",
    )
    assert by_id["range-open"].title == (
        "range-open accepts remote administration from the whole internet (3389 (RDP))"
    )


def test_iam_wildcards_cover_escalation_actions() -> None:
    roles = (
        "  iam-star: {kind: function, tech: aws.lambda, properties: {iam_actions: ['iam:*']}}\n"
        "  put-star: {kind: function, tech: aws.lambda, properties:"
        " {iam_actions: ['iam:Put*']}}\n"
        "  half-combo: {kind: function, tech: aws.lambda, properties:"
        " {iam_actions: ['iam:PassRole', 'lambda:CreateFunction']}}\n"
        "  admin: {kind: function, tech: aws.lambda, properties: {iam_actions: ['*']}}\n"
    )
    result = _run("aws-iam-privilege-escalation", roles)
    # alone, the rule reports the administrator too ('*' contains iam:*)
    assert _fingerprints(result) == {
        "aws-iam-privilege-escalation@admin",
        "aws-iam-privilege-escalation@iam-star",
        "aws-iam-privilege-escalation@put-star",
    }
    result = _run("aws-iam-privilege-escalation", roles, also=("aws-iam-full-admin",))
    assert _fingerprints(result) == {
        "aws-iam-full-admin@admin",
        "aws-iam-privilege-escalation@iam-star",
        "aws-iam-privilege-escalation@put-star",
    }
    put = next(f for f in result.findings if f.elements == ("put-star",))
    assert put.evidence == (
        "escalation: iam:PutUserPolicy",
        "escalation: iam:PutGroupPolicy",
        "escalation: iam:PutRolePolicy",
    )
    summary = next(s for s in result.summaries if s.rule == "aws-iam-privilege-escalation")
    assert summary.skipped == (("admin", "superseded by aws-iam-full-admin"),)
    assert summary.passed == ("half-combo",)


def test_wildcard_resource_prefix_patterns_cover_data_actions() -> None:
    roles = (
        "  reader: {kind: function, tech: aws.lambda, properties:"
        " {iam_wildcard_resource_actions: ['s3:Get*']}}\n"
        "  lister: {kind: function, tech: aws.lambda, properties:"
        " {iam_wildcard_resource_actions: ['s3:ListAllMyBuckets']}}\n"
    )
    result = _run("aws-iam-wildcard-resource", roles)
    assert _fingerprints(result) == {"aws-iam-wildcard-resource@reader"}
    assert result.findings[0].evidence == (
        'allowed on Resource "*": s3:Get*',
        "covers s3:GetObject",
    )


def test_eks_public_endpoint_without_cidrs_fires_with_medium_confidence() -> None:
    clusters = (
        "  default-open: {kind: gateway, tech: aws.eks, properties:"
        " {endpoint_public_access: true}}\n"
        "  private: {kind: gateway, tech: aws.eks, properties: {endpoint_public_access: false}}\n"
    )
    result = _run("aws-eks-public-endpoint-open", clusters)
    assert _fingerprints(result) == {"aws-eks-public-endpoint-open@default-open"}
    assert result.findings[0].confidence is Confidence.MEDIUM
    assert result.findings[0].evidence[1] == (
        "properties.public_access_cidrs not stated (EKS defaults to 0.0.0.0/0)"
    )


def test_opensearch_confidence_rises_with_an_open_access_policy() -> None:
    domains = (
        "  open: {kind: datastore, tech: aws.opensearch, properties:"
        " {in_vpc: false, policy_principals: ['*']}}\n"
        "  iam-only: {kind: datastore, tech: aws.opensearch, properties:"
        " {in_vpc: false, policy_principals: ['arn:aws:iam::111122223333:role/search']}}\n"
    )
    result = _run("aws-opensearch-outside-vpc", domains)
    confidence = {f.elements[0]: f.confidence for f in result.findings}
    assert confidence == {"open": Confidence.HIGH, "iam-only": Confidence.MEDIUM}


def test_unstated_properties_pass_without_gaps() -> None:
    bare = (
        "  bucket: {kind: datastore, tech: aws.s3, stores: [r]}\n"
        "  fn: {kind: function, tech: aws.lambda}\n"
        "  db: {kind: datastore, tech: aws.rds.postgres, stores: [r]}\n"
    )
    data = "  r: {classification: restricted, categories: [financial]}\n"
    for rule_id in ("aws-lambda-secrets-in-environment",
                    "aws-rds-tls-not-enforced", "aws-rds-publicly-accessible",
                    "aws-iam-full-admin"):
        result = _run(rule_id, bare, data=data)
        assert result.findings == (), rule_id
        assert result.gaps == (), rule_id


def test_an_unstated_object_logging_setting_on_a_restricted_bucket_is_a_question() -> None:
    bare = "  bucket: {kind: datastore, tech: aws.s3, stores: [r]}\n"
    data = "  r: {classification: restricted, categories: [financial]}\n"
    result = _run("aws-s3-object-access-not-logged", bare, data=data)
    assert result.findings == ()
    (threat,) = result.applicable_threats
    assert threat.fingerprint == "aws-s3-object-access-not-logged@bucket"
    assert threat.why == ("stores 'r' (restricted)", "no object-level logging is stated")
    assert [(f.path, f.answers) for f in threat.question.facts] == [
        ("properties.server_access_logging", (("true", "rules out"), ("false", "confirms"))),
        ("properties.cloudtrail_data_events", (("true", "rules out"),)),
    ]


def _keys_read(source: str) -> set[str]:
    """Property keys aws.py reads: prop("k"), properties.get("k"), policy helpers, key loops."""
    keys = set(re.findall(r'prop\("([a-z0-9_]+)"\)', source))
    keys |= set(re.findall(r'properties(?:\.get\(|\[)"([a-z0-9_]+)"', source))
    keys |= set(re.findall(r'\bkey = "([a-z0-9_]+)"', source))
    keys |= set(re.findall(r'_account_setting_off\(boundary, "([a-z0-9_]+)"\)', source))
    for first, second in re.findall(r'_open_policy\(component, "([a-z_]+)", "([a-z_]+)"\)', source):
        keys |= {first, second}
    for group in re.findall(r"for key in \(([^)]*)\)", source):
        keys |= set(re.findall(r'"([a-z0-9_]+)"', group))
    return keys


def test_every_property_a_rule_reads_is_documented() -> None:
    source = (ROOT / "src/threatforge/rules/builtin/aws.py").read_text(encoding="utf-8")
    read = _keys_read(source)
    assert {"policy_principals", "root_used", "flow_logs", "account_id", "guardduty"} <= read
    docs = (ROOT / "docs/rules/aws-properties.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)`", docs, flags=re.MULTILINE))
    assert sorted(read - documented) == []
