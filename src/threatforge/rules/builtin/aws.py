"""AWS rules: S3, IAM, KMS, RDS/DynamoDB/OpenSearch, networking, Lambda, API Gateway, CloudFront,
Cognito, Secrets Manager, SQS/SNS, ECR, EKS and account-level detection (CloudTrail, GuardDuty).

Every rule reads facts the model states: typed fields where they express the fact, and otherwise
the technology-specific ``properties:`` documented in ``docs/rules/aws-properties.md``. An unstated
property is not a gap (the rule passes), except where the data protection rules ask the
question that decides an applicable threat (``RuleMeta.asks``: object-read logging and Object
Lock of S3 buckets, point-in-time recovery of DynamoDB tables of record, TLS enforcement of
RDS databases reached across zones, OpenSearch VPC placement and transport encryption, Lambda
secrets, CloudTrail log file validation, KMS key policies, SQS/SNS encryption). Generic
threats (authentication, TLS, encryption at rest, logging, WAF, rate limits) are left to
``stride.py``; the rules here name AWS settings and AWS fixes.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping

from threatforge.model import (
    Boundary,
    BoundaryKind,
    Classification,
    Component,
    ComponentKind,
    DataAsset,
    EncryptionAtRest,
    Model,
)
from threatforge.model.schema import PropertyValue
from threatforge.rules.builtin._facts import (
    INFO,
    INGRESS_STATED,
    OUTSIDE_KINDS,
    OWN_PROCESS_KINDS,
    RESTRICTED_DATA,
    SECRET_CATEGORIES,
    SENSITIVE_DATA,
    SERVICE_SECRET_CATEGORIES,
    STORED_RESTRICTED,
    STORED_SENSITIVE,
    D,
    E,
    R,
    S,
    T,
    at_least,
    cloudfront_waf_fronts,
    enclosing_zones,
    exposed,
    exposure_words,
    fetches_secrets,
    ids,
    listed,
    names,
    observable_path,
    records_of,
    secrets_of,
    sensitive_data,
    show,
    tech_ids,
    tech_is,
    whole_number,
    with_category,
    word,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    ElementSet,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Supersedes,
    Target,
    Unknown,
    Verdict,
    rule,
)

DOMAIN = "aws"

_RDS_TECH = ("aws.rds*", "aws.aurora*")
_MYSQL_TECH = ("aws.rds.mysql*", "aws.rds.mariadb*", "aws.aurora.mysql*", "aws.aurora-mysql*")
_S3_TECH = ("aws.s3*",)
_WORKLOAD_KINDS = OWN_PROCESS_KINDS | {ComponentKind.EXTERNAL_SERVICE}
_PERSONAL_CATEGORIES = ("pii", "credentials", "financial", "health", "biometric")
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_NO_SENSITIVE_DATA = Skip("carries no confidential or restricted data")
_STORES_NO_RESTRICTED_DATA = Skip("stores no restricted data")

# --- small readers of stated facts ------------------------------------------------------------


def _enabled(value: PropertyValue | None) -> bool | None:
    """A yes/no setting: True/False, or a word such as ``enabled``/``off``; None if not stated."""
    if isinstance(value, bool):
        return value
    setting = word(value)
    if setting in ("enabled", "on", "true", "yes", "required"):
        return True
    if setting in ("disabled", "off", "false", "no", "none"):
        return False
    return None


def _stated_list(value: PropertyValue | None) -> bool:
    """A property given as a non-empty list or ``true``."""
    return value is True or (isinstance(value, list) and bool(listed(value)))


def _data(model: Model, component: Component) -> list[DataAsset]:
    """Data the component stores, most sensitive first."""
    assets = [model.data[d] for d in component.stores if d in model.data]
    return sorted(assets, key=lambda a: (-a.classification.rank, a.id))


def _restricted_stored(model: Model, component: Component) -> list[DataAsset]:
    """Restricted data the component stores, in id order."""
    return at_least(_data(model, component), Classification.RESTRICTED)



# --- policies: principals, conditions and actions ----------------------------------------------

_ANYONE = frozenset({"*", "aws:*", "{aws:*}", "arn:aws:iam::*:root"})
_LIMITING_CONDITIONS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
        "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths",
        "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp", "aws:ResourceAccount",
        "kms:CallerAccount", "kms:ViaService", "sts:ExternalId",
    )
)


def _anyone(principals: Iterable[str]) -> list[str]:
    """The principals that stand for anyone (``"*"``, ``{"AWS": "*"}``)."""
    return [p for p in principals if p.replace(" ", "").replace('"', "").lower() in _ANYONE]


def _limiting(conditions: Iterable[str]) -> list[str]:
    """Conditions that confine a ``"*"`` principal to an organisation, account, network or key."""
    return [c for c in conditions if c.split("=", 1)[0].strip().lower() in _LIMITING_CONDITIONS]


def _open_policy(component: Component, principals: str, conditions: str) -> tuple[str, ...]:
    """Evidence that a resource or trust policy lets anyone in, or () when it does not."""
    anyone = _anyone(listed(component.prop(principals)))
    if not anyone:
        return ()
    if _limiting(listed(component.prop(conditions))):
        return ()
    return (f"properties.{principals} includes {', '.join(repr(p) for p in anyone)}",
            f"no properties.{conditions} confines it to an organisation, account or network")


def _covers(granted: str, action: str) -> bool:
    """Whether a granted action pattern (``s3:Get*``, ``iam:*``, ``*``) covers ``action``."""
    return fnmatch.fnmatchcase(action.lower(), granted.lower())


def _granted(component: Component) -> tuple[str, ...]:
    """Every IAM action the component's role or user is allowed, as stated."""
    return (*listed(component.prop("iam_actions")),
            *listed(component.prop("iam_wildcard_resource_actions")))


_ADMIN_ACTIONS = frozenset({"*", "*:*"})
_ADMIN_POLICIES = frozenset(
    {"administratoraccess", "arn:aws:iam::aws:policy/administratoraccess"}
)


def _full_admin(component: Component) -> list[str]:
    if not component.properties:  # nothing stated: the common case, answered at once
        return []
    actions = [a for a in _granted(component) if a in _ADMIN_ACTIONS]
    policies = [p for p in listed(component.prop("iam_managed_policies"))
                if p.lower() in _ADMIN_POLICIES]
    return [f"action '{a}'" for a in actions] + [f"managed policy '{p}'" for p in policies]


_ESCALATION_ALONE = (
    "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
    "iam:PutRolePolicy", "iam:AddUserToGroup", "iam:CreateAccessKey", "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile", "iam:UpdateAssumeRolePolicy", "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
)
_ESCALATION_WITH_PASSROLE = (
    ("lambda:CreateFunction", "lambda:InvokeFunction"),
    ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
    ("ec2:RunInstances",),
    ("cloudformation:CreateStack",),
    ("glue:CreateDevEndpoint",),
    ("ecs:RegisterTaskDefinition", "ecs:RunTask"),
    ("codebuild:CreateProject", "codebuild:StartBuild"),
    ("sagemaker:CreateNotebookInstance",),
    ("datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
)


def _escalations(granted: tuple[str, ...]) -> list[str]:
    """The privilege-escalation paths (Rhino Security Labs' catalogue) the actions open."""
    if not granted:
        return []

    def allowed(action: str) -> bool:
        return any(_covers(g, action) for g in granted)

    found = [action for action in _ESCALATION_ALONE if allowed(action)]
    if allowed("iam:PassRole"):
        found += [" + ".join(("iam:PassRole", *combo)) for combo in _ESCALATION_WITH_PASSROLE
                  if all(allowed(a) for a in combo)]
    return found


_DATA_PLANE_ACTIONS = (
    "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "dynamodb:GetItem", "dynamodb:Query",
    "dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem", "kms:Decrypt",
    "kms:GenerateDataKey", "secretsmanager:GetSecretValue", "ssm:GetParameter",
    "ssm:GetParameters", "sqs:ReceiveMessage", "sqs:SendMessage", "sns:Publish",
    "lambda:InvokeFunction", "rds-db:connect", "sts:AssumeRole", "iam:PassRole",
)


# --- networks: CIDRs and ports ----------------------------------------------------------------

_WORLD = frozenset({"0.0.0.0/0", "::/0"})
_ADMIN_PORTS: Mapping[int, str] = {
    22: "SSH", 23: "Telnet", 3389: "RDP", 5985: "WinRM", 5986: "WinRM over TLS",
    5900: "VNC", 2375: "Docker API", 2376: "Docker API over TLS", 6443: "Kubernetes API",
    10250: "kubelet",
}
_DATABASE_PORTS: Mapping[int, str] = {
    1433: "SQL Server", 1521: "Oracle", 3306: "MySQL", 5432: "PostgreSQL", 5439: "Redshift",
    6379: "Redis", 9042: "Cassandra", 9200: "OpenSearch", 9300: "OpenSearch transport",
    11211: "Memcached", 27017: "MongoDB",
}


def _port_ranges(values: Iterable[str]) -> list[tuple[int, int]]:
    """Ports written as ``22``, ``"8000-8100"`` or ``all``/``-1`` (every port)."""
    ranges: list[tuple[int, int]] = []
    for value in values:
        text = value.strip().lower()
        if text in ("all", "any", "*", "-1", "0-65535"):
            ranges.append((0, 65535))
            continue
        low, _, high = text.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            ranges.append((int(low), int(high or low)))
    return ranges


def _listed_ports(ranges: list[tuple[int, int]], wanted: Mapping[int, str]) -> list[str]:
    return [f"{port} ({label})" for port, label in sorted(wanted.items())
            if any(low <= port <= high for low, high in ranges)]


def _flow_ingress_targets(model: Model) -> frozenset[str]:
    """Components with a flow into them that states ``ingress_cidrs`` (found once per model)."""
    return model.graph.memo(("flow-ingress-targets",), lambda: frozenset(
        f.target for f in model.flows if f.properties.get("ingress_cidrs") is not None
    ))


def _world_ingress(model: Model, component: Component, wanted: Mapping[int, str]) -> list[str]:
    """Evidence of ingress from 0.0.0.0/0 or ::/0 to the wanted ports, on the component or flows."""
    evidence: list[str] = []
    cidrs = component.prop("ingress_cidrs")
    if cidrs is None and component.id not in _flow_ingress_targets(model):
        return evidence  # the common case: nothing states an ingress rule
    world = sorted(_WORLD & set(listed(cidrs))) if cidrs is not None else []
    if world:
        ports = _listed_ports(_port_ranges(listed(component.prop("ingress_ports"))), wanted)
        if ports:
            evidence.append(f"ingress from {', '.join(world)} to port(s) {', '.join(ports)}")
    for flow in model.graph.flows_in(component.id):
        cidrs = flow.properties.get("ingress_cidrs")
        if cidrs is None:
            continue
        flow_world = sorted(_WORLD & set(listed(cidrs)))
        if not flow_world:
            continue
        stated = listed(flow.properties.get("ingress_ports"))
        if flow.port is not None:
            stated.append(str(flow.port))
        ports = _listed_ports(_port_ranges(stated), wanted)
        if ports:
            evidence.append(f"flow '{flow.id}' allows {', '.join(flow_world)} "
                            f"to port(s) {', '.join(ports)}")
    return evidence


def _account_boundary(boundary: Boundary) -> bool:
    """An AWS account (a boundary of kind account)."""
    return boundary.kind is BoundaryKind.ACCOUNT


def _account_setting_off(boundary: Boundary, key: str) -> Verdict:
    """Fire when an account boundary states ``properties.<key>: false``."""
    if not _account_boundary(boundary):
        return Skip("not an account boundary")
    return Fire((f"properties.{key}: false",)) if boundary.properties.get(key) is False else PASS


# =============================================================================================
# S3
# =============================================================================================


@rule(RuleMeta(
    id="aws-s3-bucket-policy-public",
    title="Bucket policy of {element} grants access to any principal",
    description="A bucket policy statement with Principal \"*\" and no condition that confines it "
    "to the organisation, an account or a VPC endpoint lets anyone on the internet call the "
    "allowed S3 actions; Block Public Access at the account level is the only thing left between "
    "the data and the world.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(INFO, T), cwe=(732, 284), capec=(180,),
    asvs=("V1.4.1", "V4.1.3"), attack=("T1530",), tech=_S3_TECH, domain=DOMAIN,
    confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.4.1", "pci-dss-4.0:7.2.1", "aws-fsbp:S3.2", "aws-fsbp:S3.3"),
    properties=frozenset({"policy_principals"}),
    mitigations=(
        "Replace Principal \"*\" with the account or role ARNs that need access, or add a "
        "condition on aws:PrincipalOrgID or aws:SourceVpce.",
        "Turn on S3 Block Public Access (BlockPublicPolicy, RestrictPublicBuckets) for the bucket "
        "and the account; serve public files through CloudFront with origin access control.",
        "Let IAM Access Analyzer report every bucket shared outside the organisation.",
    ),
    detection="S3 bucket whose `properties.policy_principals` contains \"*\" while "
    "`properties.policy_conditions` names no limiting key (aws:PrincipalOrgID, aws:SourceVpce, "
    "aws:SourceAccount, aws:SourceArn, aws:SourceIp...).",
    false_positives="Buckets that host deliberately public web assets; accept the finding with a "
    "justification or, better, front them with CloudFront and origin access control.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
    ),
))
def s3_bucket_policy_public(component: Component, model: Model) -> Verdict:
    """Fires when a bucket policy allows Principal "*" without a confining condition."""
    evidence = _open_policy(component, "policy_principals", "policy_conditions")
    if not evidence:
        return PASS
    return Fire(evidence, data=ids(_data(model, component)))


_PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})


@rule(RuleMeta(
    id="aws-s3-public-acl",
    title="{element} grants a public S3 ACL ({detail})",
    description="A canned ACL such as public-read or authenticated-read makes objects readable "
    "(or writable) by anyone, or by any AWS account in the world; ACL grants are easy to miss in "
    "reviews because they live outside the bucket policy.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(INFO, T), cwe=(732,), capec=(180,),
    asvs=("V1.4.1",), attack=("T1530",), tech=_S3_TECH, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.4.1", "aws-fsbp:S3.2", "aws-fsbp:S3.3"),
    properties=frozenset({"acl"}),
    mitigations=(
        "Set Object Ownership to 'Bucket owner enforced' (disables ACLs) and remove the public "
        "ACL; grant access with bucket policies to named principals.",
        "Enable S3 Block Public Access (IgnorePublicAcls, BlockPublicAcls) on the bucket and the "
        "account; share single objects with short-lived pre-signed URLs.",
    ),
    detection="S3 bucket with `properties.acl` public-read, public-read-write or "
    "authenticated-read, unless `properties.block_public_access` is true (which makes S3 ignore "
    "public ACLs).",
    false_positives="Legacy static website buckets; move them behind CloudFront.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html",
    ),    # a public ACL without Block Public Access: the ACL finding names both settings
    supersedes=(Supersedes("aws-s3-public-access"),),
))
def s3_public_acl(component: Component, model: Model) -> Verdict:
    """Fires on a public canned ACL that Block Public Access does not neutralise."""
    acl = word(component.prop("acl"))
    if acl not in _PUBLIC_ACLS:
        return PASS
    if component.prop("block_public_access") is True:
        return PASS
    return Fire((f"properties.acl: {acl}", "properties.block_public_access is not true"),
                data=ids(_data(model, component)), detail=acl)


@rule(RuleMeta(
    id="aws-s3-sse-kms-not-enforced",
    title="{element} holds restricted data but accepts S3 uploads without its KMS key",
    description="Default bucket encryption only applies when the uploader asks for nothing: a "
    "client can still send x-amz-server-side-encryption: AES256 (SSE-S3) or another key, and "
    "those objects escape the KMS key policy, its audit trail in CloudTrail and crypto-shredding.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO,), cwe=(311,), capec=(37,),
    asvs=("V6.2.1", "V6.4.1"), attack=("T1530",), tech=_S3_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:3.5.1", "pci-dss-4.0:3.6.1"),
    data=STORED_RESTRICTED, properties=frozenset({"enforce_sse_kms"}),
    mitigations=(
        "Add a bucket policy statement that denies s3:PutObject unless "
        "s3:x-amz-server-side-encryption is aws:kms and s3:x-amz-server-side-encryption-aws-kms-"
        "key-id is the bucket's customer-managed key.",
        "Enable S3 Bucket Keys to keep KMS request costs down once every object uses the key.",
    ),
    detection="S3 bucket storing restricted data, encrypted with KMS (`encryption.at_rest` kms "
    "or kms-cmk), whose `properties.enforce_sse_kms` is false. Buckets on provider keys are "
    "reported by restricted-data-provider-key.",
    false_positives="Buckets written only by one service whose SDK configuration pins the key; "
    "the policy still guards against the next writer.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html",
    ),
))
def s3_sse_kms_not_enforced(component: Component, model: Model) -> Verdict:
    """Fires when restricted data sits in a KMS-encrypted bucket that does not enforce the key."""
    data = _restricted_stored(model, component)
    if not data:
        return _STORES_NO_RESTRICTED_DATA
    at_rest = component.encryption.at_rest if component.encryption else None
    if at_rest not in (EncryptionAtRest.KMS, EncryptionAtRest.KMS_CMK):
        return Skip("not encrypted with a KMS key: there is no key to enforce")
    if component.prop("enforce_sse_kms") is not False:
        return PASS
    return Fire((f"stores {names(data)}", f"encryption.at_rest: {at_rest.value}",
                 "properties.enforce_sse_kms: false"), data=ids(data))


def _audit_store(model: Model, component: Component) -> list[str]:
    """Why the bucket is an audit-log store: telemetry data, a log source, or a stated purpose."""
    reasons = [f"stores '{a.id}' (telemetry)"
               for a in with_category(_data(model, component), "telemetry")]
    writers = sorted(f.source for f in model.graph.flows_in(component.id)
                     if tech_is(model.components[f.source], ("aws.cloudtrail*", "aws.config*")))
    reasons += [f"receives logs from '{w}'" for w in writers]
    if word(component.prop("purpose")) in ("audit-logs", "logs", "audit"):
        reasons.append(f"properties.purpose: {word(component.prop('purpose'))}")
    return reasons


@rule(RuleMeta(
    id="aws-s3-audit-bucket-mutable",
    title="Audit logs in {element} can be overwritten or deleted",
    description="Without S3 Object Lock (or at least versioning), anyone who gains write access "
    "to the log bucket — including an attacker with stolen admin credentials — can delete or "
    "rewrite the audit trail that would reveal them.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(R, T), cwe=(693, 778), capec=(268,),
    asvs=("V7.3.3",), attack=("T1070", "T1485"), tech=_S3_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:10.3.2", "pci-dss-4.0:10.3.3", "aws-fsbp:S3.14", "aws-fsbp:S3.15"),
    mitigations=(
        "Create the log archive bucket with S3 Object Lock in compliance mode and a default "
        "retention that matches the log retention policy (one year for PCI DSS 10.5.1).",
        "Keep the bucket in a separate log-archive account whose administrators are not the "
        "workload administrators; deny s3:DeleteObject* and s3:PutBucketPolicy in an SCP.",
    ),
    detection="S3 bucket that stores telemetry data, receives flows from CloudTrail/Config, or has "
    "`properties.purpose: audit-logs`, with `properties.object_lock` false/none — or, when "
    "object_lock is not stated, `properties.versioning: false`. An applicable threat (with the "
    "question) while neither `properties.object_lock` nor `properties.versioning` is stated.",
    false_positives="Buckets of transient logs that are already copied to an immutable archive.",
    asks=(Ask(
        "Is S3 Object Lock on for the audit log bucket {element} (compliance or governance mode "
        "with a default retention)?",
        (AskFact("properties.object_lock", confirms=("none",), rules_out=("compliance",)),),
        threat="Audit logs in {element} may be deleted or rewritten by whoever they should "
        "incriminate (no Object Lock)",
    ),),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    ),
))
def s3_audit_bucket_mutable(component: Component, model: Model) -> Verdict:
    """Fires when a bucket holding audit logs has neither Object Lock nor versioning."""
    reasons = _audit_store(model, component)
    if not reasons:
        return Skip("not an audit log bucket")
    lock = component.prop("object_lock")
    if lock is not None:
        if _enabled(lock) is False:
            return Fire((*reasons, f"properties.object_lock: {word(lock)}"))
        return RuledOut((f"properties.object_lock: {show(lock)}",))
    versioning = component.prop("versioning")
    if versioning is False:
        return Fire((*reasons, "properties.object_lock not stated", "properties.versioning: false"))
    if versioning is None:
        return Unknown(("properties.object_lock",),
                       why=(*reasons, "properties.object_lock is not stated"))
    return PASS


@rule(RuleMeta(
    id="aws-s3-insecure-transport-allowed",
    title="{element} accepts S3 requests over plain HTTP",
    description="Without a bucket policy that denies aws:SecureTransport false, S3 serves objects "
    "over HTTP to any client that asks, so a misconfigured SDK, a script or a proxy can move "
    "sensitive objects in clear text.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(INFO, T), cwe=(319,), capec=(157,),
    asvs=("V9.1.1", "V9.2.2"), attack=("T1040", "T1557"), tech=_S3_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:4.2.1", "aws-fsbp:S3.5"),
    data=STORED_SENSITIVE, properties=frozenset({"deny_insecure_transport"}),
    mitigations=(
        "Add a bucket policy statement denying s3:* for every principal when "
        "aws:SecureTransport is false, and require TLS 1.2+ with s3:TlsVersion.",
    ),
    detection="S3 bucket storing confidential or restricted data with "
    "`properties.deny_insecure_transport: false`.",
    false_positives="None known; the policy costs nothing.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html",
    ),
))
def s3_insecure_transport_allowed(component: Component, model: Model) -> Verdict:
    """Fires when a bucket of sensitive data does not deny non-TLS requests."""
    data = at_least(_data(model, component), Classification.CONFIDENTIAL)
    if not data:
        return Skip("stores no confidential or restricted data")
    if component.prop("deny_insecure_transport") is not False:
        return PASS
    evidence = [f"stores {names(data)}", "properties.deny_insecure_transport: false"]
    evidence += [f"flow '{f.id}' is not encrypted" for f in model.graph.flows_in(component.id)
                 if f.encrypted is False]
    return Fire(tuple(evidence), data=ids(data))


@rule(RuleMeta(
    id="aws-s3-object-access-not-logged",
    title="Reads of restricted data in {element} are not logged",
    description="Without S3 server access logs or CloudTrail data events, nobody can tell who "
    "downloaded which object: an exfiltration of restricted data leaves no trace to investigate "
    "or to prove the scope of a breach.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(R,), cwe=(778,), capec=(268,),
    asvs=("V7.1.3", "V7.2.1"), attack=("T1530",), tech=_S3_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:10.2.1", "pci-dss-4.0:10.2.1.1", "aws-fsbp:S3.9"),
    data=STORED_RESTRICTED,
    mitigations=(
        "Enable CloudTrail data events (GetObject, PutObject, DeleteObject) for the bucket in the "
        "organisation trail, or S3 server access logging to a separate log bucket.",
        "Alert on unusual object reads with GuardDuty S3 Protection.",
    ),
    detection="S3 bucket storing restricted data with `properties.server_access_logging: false` "
    "and `properties.cloudtrail_data_events` not true. An applicable threat (with the question) "
    "while neither is stated.",
    asks=(Ask(
        "Are reads of objects in {element} logged (S3 server access logs, or CloudTrail data "
        "events for the bucket)?",
        (AskFact("properties.server_access_logging", confirms=("false",), rules_out=("true",)),
         AskFact("properties.cloudtrail_data_events", rules_out=("true",))),
        threat="Who downloaded which objects from {element} may never be known (object reads "
        "not logged)",
    ),),
    false_positives="Buckets whose objects are also envelope-encrypted with a KMS key whose "
    "Decrypt calls are logged; the finding then concerns metadata only.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html",
    ),
))
def s3_object_access_not_logged(component: Component, model: Model) -> Verdict:
    """Fires when no server access log or CloudTrail data event covers a restricted bucket."""
    data = _restricted_stored(model, component)
    if not data:
        return _STORES_NO_RESTRICTED_DATA
    access_logs = component.prop("server_access_logging")
    if component.prop("cloudtrail_data_events") is True:
        return RuledOut(("properties.cloudtrail_data_events: true",))
    if access_logs is True:
        return RuledOut(("properties.server_access_logging: true",))
    if access_logs is None:
        return Unknown(("properties.server_access_logging",),
                       why=(f"stores {names(data)}", "no object-level logging is stated"),
                       data=ids(data))
    if access_logs is not False:
        return PASS
    return Fire((f"stores {names(data)}", "properties.server_access_logging: false",
                 "properties.cloudtrail_data_events is not true"), data=ids(data))


# =============================================================================================
# IAM
# =============================================================================================

_AWS_COMPUTE_TECH = (
    "aws.lambda*", "aws.ecs*", "aws.ec2*", "aws.fargate*", "aws.batch*", "aws.glue*",
    "aws.emr*", "aws.codebuild*", "aws.stepfunctions*", "aws.apprunner*", "aws.sagemaker*",
)
"""AWS compute that runs our code under an IAM role."""
_IAM_SCOPE = ElementSet(
    "iam-roles", "components that state IAM grants, and AWS compute (which runs under a role)",
    lambda model: frozenset(
        {cid for key in ("iam_actions", "iam_wildcard_resource_actions", "iam_managed_policies")
         for cid in model.graph.components_stating(key)}
        | tech_ids(model, _AWS_COMPUTE_TECH)
    ),
)


@rule(RuleMeta(
    id="aws-iam-full-admin",
    title="{element} runs with full administrator permissions on AWS",
    description="A role or user allowed Action \"*\" on Resource \"*\" (or AdministratorAccess) "
    "turns any compromise of the component — an injection, a leaked credential, a dependency — "
    "into control of the whole AWS account.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E,), cwe=(250, 269), capec=(122,),
    asvs=("V4.1.3", "V1.2.1"), attack=("T1078.004", "T1098"), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:7.2.2", "aws-fsbp:IAM.1"),
    properties=frozenset({"iam_actions", "iam_wildcard_resource_actions", "iam_managed_policies"}),
    mitigations=(
        "Replace the admin policy with a least-privilege policy generated from the component's "
        "CloudTrail history (IAM Access Analyzer policy generation).",
        "Cap what any role can do with a permissions boundary and organisation SCPs.",
    ),
    detection="Component whose `properties.iam_actions` (or `iam_wildcard_resource_actions`) "
    "contains \"*\" or \"*:*\", or whose `properties.iam_managed_policies` contains "
    "AdministratorAccess.",
    false_positives="Break-glass roles that are not used by workloads; model them as actors and "
    "accept the finding with a justification.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html",
    ),
    supersedes=(
        Supersedes("aws-iam-service-wildcard-action"),
        Supersedes("aws-iam-wildcard-resource"),
        Supersedes("aws-iam-privilege-escalation"),
    ),
))
def iam_full_admin(component: Component, model: Model) -> Verdict:
    """Fires when a component's IAM principal holds administrator access."""
    grants = _full_admin(component)
    if not grants:
        return PASS
    return Fire(tuple(f"IAM {g}" for g in grants), data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-iam-service-wildcard-action",
    title="{element} is allowed every action of an AWS service ({detail})",
    description="Service-wide wildcards such as s3:* or dynamodb:* grant destructive and "
    "administrative actions (DeleteBucket, PutBucketPolicy, DeleteTable) that the component never "
    "needs, so a compromise can destroy or publish data instead of only reading it.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(E, T), cwe=(250,), capec=(122,),
    asvs=("V4.1.3",), attack=("T1078.004", "T1485"), domain=DOMAIN,
    compliance=("pci-dss-4.0:7.2.2",),
    properties=frozenset({"iam_actions", "iam_wildcard_resource_actions"}),
    mitigations=(
        "List the exact actions the code calls (e.g. s3:GetObject, s3:PutObject) and scope them "
        "to the resources it uses; IAM Access Analyzer can generate the policy from CloudTrail.",
    ),
    detection="Component whose `properties.iam_actions` contains an action of the form "
    "`service:*` (iam:* is reported by aws-iam-privilege-escalation, \"*\" by aws-iam-full-admin).",
    false_positives="Roles of infrastructure-as-code pipelines that manage that service; scope "
    "them to the stack's resources and accept.",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",),
))
def iam_service_wildcard_action(component: Component, model: Model) -> Verdict:
    """Fires on ``service:*`` grants (other than iam:*) when the principal is not already admin."""
    wildcards = sorted({a for a in _granted(component)
                        if a.endswith(":*") and a.lower() not in ("iam:*", "*:*")})
    if not wildcards:
        return PASS
    return Fire((f"properties.iam_actions includes {', '.join(wildcards)}",),
                data=ids(sensitive_data(model, component)), detail=", ".join(wildcards))


@rule(RuleMeta(
    id="aws-iam-wildcard-resource",
    title="{element} may use data actions on every resource in the account",
    description="Data actions granted on Resource \"*\" (s3:GetObject, kms:Decrypt, "
    "secretsmanager:GetSecretValue...) reach every bucket, key and secret of the account, "
    "including those of other systems: one compromised component reads them all.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E, INFO), cwe=(250, 732), capec=(122,),
    asvs=("V4.1.3", "V1.4.1"), attack=("T1078.004", "T1530"), domain=DOMAIN,
    compliance=("pci-dss-4.0:7.2.2",),
    properties=frozenset({"iam_wildcard_resource_actions"}),
    mitigations=(
        "Scope each statement to resource ARNs (the component's bucket, table, key, secret); use "
        "aws:ResourceTag conditions (ABAC) where ARNs are not known in advance.",
        "Add resource policies (key policies, bucket policies) that name the allowed roles, so a "
        "broad identity policy is not enough on its own.",
    ),
    detection="Component whose `properties.iam_wildcard_resource_actions` (the actions it is "
    "allowed on Resource \"*\") cover a data-plane action such as s3:GetObject, kms:Decrypt, "
    "secretsmanager:GetSecretValue, dynamodb:Scan, sqs:ReceiveMessage or iam:PassRole.",
    false_positives="Actions that do not support resource-level permissions (e.g. "
    "xray:PutTraceSegments) need Resource \"*\"; leave them out of the property.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html",
    ),
))
def iam_wildcard_resource(component: Component, model: Model) -> Verdict:
    """Fires when data-plane actions are granted on Resource "*"."""
    granted = listed(component.prop("iam_wildcard_resource_actions"))
    if not granted:
        return PASS
    covered = [a for a in _DATA_PLANE_ACTIONS if any(_covers(g, a) for g in granted)]
    if not covered:
        return PASS
    shown = ", ".join(covered[:6]) + (f" and {len(covered) - 6} more" if len(covered) > 6 else "")
    return Fire((f"allowed on Resource \"*\": {', '.join(granted)}", f"covers {shown}"),
                data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-iam-privilege-escalation",
    title="{element} can grant itself more AWS permissions ({detail})",
    description="Some IAM permissions let a principal raise its own privileges: attach or write "
    "policies, create access keys or login profiles for other users, or pass a more privileged "
    "role to a new Lambda function, EC2 instance or stack that it then controls.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E,), cwe=(269,), capec=(233,),
    asvs=("V4.1.3",), attack=("T1098.003", "T1078.004"), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:7.2.2",), among=_IAM_SCOPE,
    mitigations=(
        "Remove iam:* write actions from workload roles; restrict iam:PassRole to the one role ARN "
        "the component must pass, with an iam:PassedToService condition.",
        "Attach a permissions boundary to every role the component may create, and deny "
        "iam:DeleteRolePermissionsBoundary and policy writes in an SCP.",
    ),
    detection="Component whose `properties.iam_actions` cover a known escalation: "
    "iam:Attach*Policy, iam:Put*Policy, iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, "
    "iam:CreateAccessKey, "
    "iam:CreateLoginProfile, iam:UpdateLoginProfile, iam:UpdateAssumeRolePolicy, "
    "iam:AddUserToGroup, lambda:UpdateFunctionCode, or iam:PassRole with lambda:CreateFunction + "
    "lambda:InvokeFunction, ec2:RunInstances, cloudformation:CreateStack, glue:CreateDevEndpoint, "
    "ecs:RegisterTaskDefinition + ecs:RunTask, codebuild:CreateProject + codebuild:StartBuild. "
    "An applicable threat (with the question) when none of `iam_actions`, "
    "`iam_wildcard_resource_actions` and `iam_managed_policies` is stated on an AWS compute "
    "component of ours (Lambda, ECS, EC2, Fargate, Batch, Glue, EMR, CodeBuild, Step "
    "Functions, App Runner, SageMaker) that is exposed (public, or one flow from an entry "
    "point: where an attacker may first run code as its role) and handles restricted data or "
    "secrets.",
    false_positives="Identity-management pipelines whose job is to manage IAM; constrain them with "
    "permissions boundaries and accept.",
    references=(
        "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    ),
    asks=(Ask(
        "Which AWS actions may {element}'s role use? List them (as in its IAM policy) so they "
        "can be checked for a way to grant itself more.",
        (AskFact("properties.iam_actions", confirms=('["iam:PutRolePolicy"]',),
                 rules_out=('["s3:GetObject", "s3:PutObject"]',)),),
        threat="Privilege escalation: code running as {element}'s role may grant itself more "
        "AWS permissions, up to the whole account",
    ),),
))
def iam_privilege_escalation(component: Component, model: Model) -> Verdict:
    """Fires when the stated actions contain a privilege-escalation path."""
    granted = _granted(component)
    paths = _escalations(granted)
    if not paths:
        if granted or _stated_list(component.prop("iam_managed_policies")):
            return RuledOut(("properties.iam_actions: no privilege-escalation action",))
        return _role_scope_unstated(model, component)
    return Fire(tuple(f"escalation: {p}" for p in paths), detail=paths[0],
                data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-iam-long-lived-access-keys",
    title="{element} authenticates to AWS with long-lived access keys",
    description="IAM user access keys never expire on their own; copied into CI variables, "
    "config files or a vendor's settings they leak through logs, repositories and backups and "
    "stay valid until someone notices. Workloads should use roles with temporary credentials.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(522, 798), capec=(560,),
    asvs=("V2.10.1", "V2.10.4"), attack=("T1078.004", "T1552.001"), domain=DOMAIN,
    kinds=_WORKLOAD_KINDS, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:8.6.2", "pci-dss-4.0:8.6.3"),
    properties=frozenset({"aws_access_keys"}),
    mitigations=(
        "Give AWS workloads an IAM role (Lambda execution role, ECS task role, EKS Pod Identity or "
        "IRSA, EC2 instance profile); give CI an OIDC-federated role (GitHub Actions, GitLab).",
        "For on-premises workloads use IAM Roles Anywhere; for third parties, a cross-account "
        "role with an external id. Then delete the access keys.",
    ),
    detection="Process, CI pipeline or third party with `properties.aws_access_keys: true`; the "
    "evidence adds `properties.access_key_age_days` when stated. A CI pipeline that states a "
    "static `deploy_auth` (static-key, access-key...) is left to cicd-static-deploy-credentials, "
    "which reports the same keys as the pipeline's deployment credentials.",
    false_positives="Systems that cannot assume roles at all (some SaaS products); rotate the key "
    "every 90 days, scope it narrowly and accept.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        "https://docs.aws.amazon.com/rolesanywhere/latest/userguide/introduction.html",
    ),
))
def iam_long_lived_access_keys(component: Component, model: Model) -> Verdict:
    """Fires when a workload uses IAM user access keys."""
    if component.prop("aws_access_keys") is not True:
        return PASS
    evidence = ["properties.aws_access_keys: true"]
    age = whole_number(component.prop("access_key_age_days"))
    if age is not None:
        evidence.append(f"properties.access_key_age_days: {age}"
                        + (" (older than 90 days)" if age > 90 else ""))
    return Fire(tuple(evidence))


def _role_scope_unstated(model: Model, component: Component) -> Verdict:
    """Unknown where AWS compute of ours handles restricted data or secrets and no IAM grant is
    stated; a pass elsewhere."""
    if not tech_is(component, _AWS_COMPUTE_TECH) or component.kind not in OWN_PROCESS_KINDS:
        return PASS
    if not exposed(model, component):
        return PASS  # no caller of the system's outside can run code as its role
    held = [*at_least(model.graph.assets_of(component.id), Classification.RESTRICTED)]
    held += [a for a in secrets_of(model, component) if a not in held]
    if not held:
        return PASS
    return Unknown(("properties.iam_actions",),
                   why=(f"runs on {component.tech} under an IAM role",
                        exposure_words(model, component),
                        f"handles {names(held)}",
                        "nothing states what the role may do"),
                   data=ids(held))


def _account_id(model: Model, component: Component) -> str | None:
    """The ``account_id`` of the account boundary the component sits in, if stated."""
    for boundary in enclosing_zones(model, component.id):
        if _account_boundary(boundary) and boundary.properties.get("account_id") is not None:
            return str(boundary.properties["account_id"])
    return None


def _account_principals(principals: Iterable[str], own: str | None) -> list[str]:
    """Principals that name an AWS account (12 digits) other than the component's own."""
    found = []
    for principal in principals:
        digits = [part for part in principal.replace("/", ":").split(":")
                  if len(part) == 12 and part.isdigit()]
        if digits and digits[0] != own:
            found.append(principal)
    return found


@rule(RuleMeta(
    id="aws-iam-cross-account-trust-without-external-id",
    title="Role {element} trusts another AWS account without an external id",
    description="A role that a third party assumes from its own account, without an sts:ExternalId "
    "condition, can be assumed by the third party on behalf of any of its other customers: the "
    "confused-deputy problem hands our account to whoever configures that vendor.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S, E), cwe=(441,), capec=(1,),
    asvs=("V4.1.3",), attack=("T1199", "T1078.004"), domain=DOMAIN,
    compliance=("pci-dss-4.0:7.2.1",),
    properties=frozenset({"trusted_principals"}),
    mitigations=(
        "Add a Condition StringEquals sts:ExternalId with the unique value the vendor issued for "
        "this customer to the role's trust policy.",
        "For accounts of our own organisation, condition on aws:PrincipalOrgID instead.",
    ),
    detection="Component with `properties.trusted_principals` naming another AWS account (12-digit "
    "id other than the enclosing account boundary's `account_id`) and `properties.external_id: "
    "false`, unless `properties.trust_conditions` confines the trust (aws:PrincipalOrgID...).",
    false_positives="Trusts between accounts of the same organisation that are confined in ways "
    "the model does not state; add trust_conditions.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    ),
))
def iam_cross_account_without_external_id(component: Component, model: Model) -> Verdict:
    """Fires when a role trusted by another account has no external id condition."""
    principals = listed(component.prop("trusted_principals"))
    if not principals:
        return PASS
    others = _account_principals(principals, _account_id(model, component))
    if not others:
        return PASS
    if component.prop("external_id") is not False:
        return PASS
    if _limiting(listed(component.prop("trust_conditions"))):
        return PASS
    return Fire((f"properties.trusted_principals: {', '.join(others)}",
                 "properties.external_id: false"))


@rule(RuleMeta(
    id="aws-iam-role-trusts-anyone",
    title="Role {element} can be assumed by any AWS principal",
    description="A trust policy with Principal \"*\" (or {\"AWS\": \"*\"}) and no confining "
    "condition lets any authenticated AWS identity in the world call sts:AssumeRole and receive "
    "the role's permissions.",
    target=Target.COMPONENT, likelihood=4, impact=5, stride=(S, E), cwe=(284, 732), capec=(1,),
    asvs=("V4.1.3",), attack=("T1078.004",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:7.2.1",),
    properties=frozenset({"trusted_principals"}),
    mitigations=(
        "Name the trusted account or role ARNs in the trust policy, or condition on "
        "aws:PrincipalOrgID; for web identity federation, condition on the token's aud and sub.",
    ),
    detection="Component whose `properties.trusted_principals` contains \"*\" while "
    "`properties.trust_conditions` names no confining key.",
    false_positives="None known.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
    ),
))
def iam_role_trusts_anyone(component: Component, model: Model) -> Verdict:
    """Fires when a role trust policy allows Principal "*" without a confining condition."""
    evidence = _open_policy(component, "trusted_principals", "trust_conditions")
    if not evidence:
        return PASS
    return Fire(evidence, data=ids(sensitive_data(model, component)))


# =============================================================================================
# Account-level detection and the root user (boundaries of kind account / vpc)
# =============================================================================================


@rule(RuleMeta(
    id="aws-root-user-in-use",
    title="The root user of AWS account {element} has access keys or is used for daily work",
    description="The root user cannot be restricted by IAM policies or (in a member account) "
    "fully by SCPs; root access keys or routine root sign-ins turn one leaked secret into "
    "irrevocable control of the account, including closing it.",
    target=Target.BOUNDARY, likelihood=3, impact=5, stride=(E, S), cwe=(250, 522), capec=(560,),
    asvs=("V4.1.3",), attack=("T1078.004",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:7.2.2", "pci-dss-4.0:8.2.2", "aws-fsbp:IAM.4"),
    mitigations=(
        "Delete the root user's access keys; use IAM Identity Center roles for administration.",
        "In AWS Organizations, enable centralised root access management and remove member "
        "accounts' root credentials; alert on every root sign-in (CloudTrail userIdentity.type "
        "Root) through EventBridge.",
    ),
    detection="Boundary of kind account with `properties.root_access_keys: true` or "
    "`properties.root_used: true`.",
    false_positives="None: the few tasks that need root are rare and do not need access keys.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html",
    ),
))
def root_user_in_use(boundary: Boundary, model: Model) -> Verdict:
    """Fires when an account's root user has access keys or is used routinely."""
    if not _account_boundary(boundary):
        return Skip("not an account boundary")
    evidence = tuple(f"properties.{key}: true" for key in ("root_access_keys", "root_used")
                     if boundary.properties.get(key) is True)
    return Fire(evidence) if evidence else PASS


@rule(RuleMeta(
    id="aws-root-user-without-mfa",
    title="The root user of AWS account {element} has no MFA",
    description="The root user's password alone then controls the account: password resets by "
    "e-mail, phishing or a reused password are enough to take it over.",
    target=Target.BOUNDARY, likelihood=3, impact=5, stride=(S, E), cwe=(308,), capec=(560,),
    asvs=("V2.2.1",), attack=("T1078.004", "T1110"), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:8.4.1", "aws-fsbp:IAM.9"),
    mitigations=(
        "Register a phishing-resistant MFA device (FIDO2 security key) for the root user, kept "
        "under dual control; or remove member accounts' root credentials through centralised "
        "root access management.",
    ),
    detection="Boundary of kind account with `properties.root_mfa: false`.",
    false_positives="None known.",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html",
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html"),
))
def root_user_without_mfa(boundary: Boundary, model: Model) -> Verdict:
    """Fires when an account's root user has no MFA device."""
    return _account_setting_off(boundary, "root_mfa")


@rule(RuleMeta(
    id="aws-cloudtrail-disabled",
    title="AWS account {element} has no CloudTrail trail",
    description="Without CloudTrail there is no record of who called which AWS API: privilege "
    "changes, key use, data exports and logins cannot be detected or investigated.",
    target=Target.BOUNDARY, likelihood=3, impact=4, stride=(R,), cwe=(778,), capec=(268,),
    asvs=("V7.1.3", "V7.2.2"), attack=("T1562.008",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:10.2.1", "aws-fsbp:CloudTrail.1"),
    mitigations=(
        "Create an organisation trail for all regions with management events (and data events "
        "for sensitive buckets and functions), log file validation, KMS encryption, and delivery "
        "to an Object Lock bucket in a log-archive account.",
    ),
    detection="Boundary of kind account with `properties.cloudtrail: false`.",
    false_positives="Accounts covered by an organisation trail created in the management "
    "account; state `cloudtrail: true` for them.",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html",
    ),
))
def cloudtrail_disabled(boundary: Boundary, model: Model) -> Verdict:
    """Fires when an account states it has no CloudTrail."""
    return _account_setting_off(boundary, "cloudtrail")


@rule(RuleMeta(
    id="aws-guardduty-disabled",
    title="AWS account {element} has no GuardDuty threat detection",
    description="Without GuardDuty, credential exfiltration, crypto-mining, calls from known "
    "malicious IPs and anomalous S3 access go unnoticed unless someone builds the same detection "
    "by hand.",
    target=Target.BOUNDARY, likelihood=3, impact=3, stride=(R,), cwe=(778,), capec=(268,),
    asvs=("V7.2.2",), attack=("T1562.001",), domain=DOMAIN,
    compliance=("pci-dss-4.0:11.5.1", "aws-fsbp:GuardDuty.1"),
    mitigations=(
        "Enable GuardDuty in every region through the organisation's delegated administrator, "
        "with S3, EKS, Lambda and RDS protection, and route findings to the on-call channel "
        "through EventBridge or Security Hub.",
    ),
    detection="Boundary of kind account with `properties.guardduty: false`.",
    false_positives="Accounts monitored by an equivalent third-party CSPM/CDR product; state it "
    "and accept.",
    references=("https://docs.aws.amazon.com/guardduty/latest/ug/what-is-guardduty.html",),
))
def guardduty_disabled(boundary: Boundary, model: Model) -> Verdict:
    """Fires when an account states GuardDuty is off."""
    return _account_setting_off(boundary, "guardduty")


@rule(RuleMeta(
    id="aws-vpc-flow-logs-disabled",
    title="Network traffic in {element} is not recorded (no VPC flow logs)",
    description="Without VPC flow logs there is no record of which hosts talked to which "
    "addresses: lateral movement, exfiltration and connections to command-and-control servers "
    "cannot be reconstructed after an incident.",
    target=Target.BOUNDARY, likelihood=3, impact=3, stride=(R,), cwe=(778,), capec=(268,),
    asvs=("V7.1.3",), attack=("T1562.008",), domain=DOMAIN,
    compliance=("pci-dss-4.0:10.2.1", "aws-fsbp:EC2.6"),
    mitigations=(
        "Enable VPC flow logs for every VPC (ALL traffic) to CloudWatch Logs or S3 in the log "
        "archive account, with a retention that matches the logging policy.",
    ),
    detection="Boundary of kind vpc with `properties.flow_logs: false`, or of kind account with "
    "`properties.vpc_flow_logs: false`.",
    false_positives="VPCs without workloads (e.g. default VPCs that are deleted); remove them from "
    "the model.",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",),
))
def vpc_flow_logs_disabled(boundary: Boundary, model: Model) -> Verdict:
    """Fires when a VPC (or an account, for all its VPCs) states flow logs are off."""
    if boundary.kind is BoundaryKind.VPC:
        key = "flow_logs"
    elif _account_boundary(boundary):
        key = "vpc_flow_logs"
    else:
        return Skip("not a VPC or account boundary")
    return Fire((f"properties.{key}: false",)) if boundary.properties.get(key) is False else PASS


@rule(RuleMeta(
    id="aws-cloudtrail-trail-weak",
    title="CloudTrail logs of {element} can be altered unnoticed or miss regions",
    description="A trail without log file validation lets an attacker who reaches the log bucket "
    "edit or delete records undetected; a single-region trail misses activity in every other "
    "region, where attackers like to start instances.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(R, T), cwe=(353, 778), capec=(268,),
    asvs=("V7.3.3",), attack=("T1070", "T1562.008", "T1535"), tech=("aws.cloudtrail*",),
    domain=DOMAIN,
    compliance=("pci-dss-4.0:10.3.2", "pci-dss-4.0:10.3.4", "aws-fsbp:CloudTrail.1",
                "aws-fsbp:CloudTrail.4"),
    mitigations=(
        "Turn on log file validation (EnableLogFileValidation) and make the trail multi-region "
        "(IsMultiRegionTrail), ideally as an organisation trail; verify digests with "
        "`aws cloudtrail validate-logs` in the incident runbook.",
    ),
    detection="CloudTrail component with `properties.log_file_validation: false`, "
    "`logging.tamper_evident: false` or `properties.multi_region: false`. An applicable threat "
    "(with the question) while neither log file validation nor `logging.tamper_evident` is "
    "stated.",
    asks=(Ask(
        "Is log file validation on for the trail {element} (EnableLogFileValidation)?",
        (AskFact("properties.log_file_validation", confirms=("false",), rules_out=("true",)),),
        threat="CloudTrail records of {element} may be edited or deleted unnoticed (no log "
        "file validation)",
    ),),
    false_positives="Regions disabled by an SCP make a single-region trail sufficient; state it "
    "and accept.",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
    ),
))
def cloudtrail_trail_weak(component: Component, model: Model) -> Verdict:
    """Fires when a trail lacks log file validation or covers one region only."""
    evidence = []
    if component.prop("log_file_validation") is False:
        evidence.append("properties.log_file_validation: false")
    elif component.logging is not None and component.logging.tamper_evident is False:
        evidence.append("logging.tamper_evident: false")
    if component.prop("multi_region") is False:
        evidence.append("properties.multi_region: false")
    if evidence:
        return Fire(tuple(evidence))
    validation = component.prop("log_file_validation")
    tamper = component.logging.tamper_evident if component.logging is not None else None
    if validation is True or tamper is True:
        return RuledOut(("properties.log_file_validation: true" if validation is True
                         else "logging.tamper_evident: true",))
    if validation is None and tamper is None:
        return Unknown(("properties.log_file_validation",),
                       why=("a CloudTrail trail", "log file validation is not stated"))
    return PASS


# =============================================================================================
# KMS
# =============================================================================================


@rule(RuleMeta(
    id="aws-kms-key-policy-public",
    title="Key policy of {element} lets any principal use the key",
    description="A KMS key policy statement with Principal \"*\" and no confining condition "
    "(kms:CallerAccount, kms:ViaService, aws:PrincipalOrgID) lets any AWS identity decrypt or "
    "use the key, which defeats the encryption of every resource that depends on it.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(INFO, E), cwe=(732,), capec=(180,),
    asvs=("V6.4.1", "V1.6.2"), attack=("T1552",), tech=("aws.kms*",), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:3.6.1", "pci-dss-4.0:3.6.1.2"),
    properties=frozenset({"policy_principals"}),
    mitigations=(
        "Name the key administrators and key users by role ARN in the key policy; if a \"*\" "
        "principal is needed for a service integration, confine it with kms:CallerAccount and "
        "kms:ViaService conditions.",
    ),
    detection="KMS component whose `properties.policy_principals` contains \"*\" while "
    "`properties.policy_conditions` names no confining key.",
    false_positives="None known: AWS-managed keys use exactly such conditions.",
    references=(
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html",
    ),
))
def kms_key_policy_public(component: Component, model: Model) -> Verdict:
    """Fires when a key policy allows Principal "*" without a confining condition."""
    evidence = _open_policy(component, "policy_principals", "policy_conditions")
    if not evidence:
        return PASS
    return Fire(evidence, data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-kms-key-policy-delegates-to-iam",
    title="Keys for restricted data in {element} are usable by any IAM principal allowed by IAM",
    description="The default key policy grants kms:* to the account root, which delegates access "
    "to IAM: any role or user whose identity policy allows kms:Decrypt on \"*\" can decrypt "
    "restricted data, and key administrators can grant themselves use of the key. There is no "
    "separation of duties at the key.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(E, INFO), cwe=(1220,), capec=(122,),
    asvs=("V6.4.1", "V1.6.2"), attack=("T1078.004",), tech=("aws.kms*",), domain=DOMAIN,
    compliance=("pci-dss-4.0:3.6.1.2", "pci-dss-4.0:3.6.1.3"),
    data=RESTRICTED_DATA,
    mitigations=(
        "Write an explicit key policy: key administrators (no kms:Decrypt) and key users (only the "
        "roles that encrypt or decrypt this data) by ARN; keep the root statement only for "
        "kms:PutKeyPolicy recovery, or deny use with aws:PrincipalArn conditions.",
    ),
    detection="KMS component that handles restricted data with "
    "`properties.key_policy_delegates_to_iam: true` (the key policy allows kms:* to "
    "arn:aws:iam::<account>:root). An applicable threat (with the question) while it is not "
    "stated.",
    false_positives="Accounts where SCPs and permission boundaries already deny kms:Decrypt to "
    "everyone but the named roles; state it and accept.",
    asks=(Ask(
        "Does the key policy of {element} name its key users and administrators, or does it "
        "delegate access to IAM (kms:* for the account root)?",
        (AskFact("properties.key_policy_delegates_to_iam", confirms=("true",),
                 rules_out=("false",)),),
        threat="Any IAM role allowed kms:Decrypt may decrypt the restricted data protected by "
        "{element} (no separation of duties at the key)",
    ),),
    references=(
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
    ),
))
def kms_key_policy_delegates_to_iam(component: Component, model: Model) -> Verdict:
    """Fires when a key protecting restricted data leaves access control to IAM."""
    data = at_least(model.graph.data_of(component.id), Classification.RESTRICTED)
    if not data:
        return Skip("handles no restricted data")
    delegates = component.prop("key_policy_delegates_to_iam")
    if delegates is False:
        return RuledOut(("properties.key_policy_delegates_to_iam: false",))
    if delegates is None:
        return Unknown(("properties.key_policy_delegates_to_iam",),
                       why=(f"handles {names(data)}", "the key policy is not stated"),
                       data=ids(data))
    if delegates is not True:
        return PASS
    return Fire(("properties.key_policy_delegates_to_iam: true", f"handles {names(data)}"),
                data=ids(data))


# =============================================================================================
# RDS / Aurora, DynamoDB, OpenSearch
# =============================================================================================


@rule(RuleMeta(
    id="aws-rds-publicly-accessible",
    title="Database {element} has a public endpoint although the design keeps it private",
    description="With PubliclyAccessible the instance gets a public DNS name and IP address; a "
    "single permissive security group rule (or a later change) then exposes the database port "
    "to the internet, where it meets credential stuffing and database exploits.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, T), cwe=(668,), capec=(122,),
    asvs=("V1.4.1",), attack=("T1190", "T1133"), tech=(*_RDS_TECH, "aws.redshift*"),
    domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:1.4.1", "aws-fsbp:RDS.2"),
    properties=frozenset({"publicly_accessible"}),
    mitigations=(
        "Set PubliclyAccessible to false, place the DB subnet group in private subnets only, and "
        "reach the database through the services that own it or Session Manager port forwarding.",
    ),
    detection="RDS/Aurora/Redshift component with `properties.publicly_accessible: true`; where "
    "it also states `exposure: public`, public-datastore supersedes it.",
    false_positives="None: a database that must be public should say `exposure: public`.",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
    ),
))
def rds_publicly_accessible(component: Component, model: Model) -> Verdict:
    """Fires when a database meant to be private has the PubliclyAccessible flag."""
    if component.prop("publicly_accessible") is not True:
        return PASS
    exposure = component.exposure.value if component.exposure else "not stated"
    return Fire(("properties.publicly_accessible: true", f"exposure: {exposure}"),
                data=ids(_data(model, component)))


@rule(RuleMeta(
    id="aws-rds-tls-not-enforced",
    title="Database {element} accepts unencrypted client connections",
    description="With rds.force_ssl (PostgreSQL, SQL Server) or require_secure_transport (MySQL, "
    "MariaDB) off, any client can connect without TLS, and one misconfigured connection string "
    "sends credentials and sensitive rows in clear text across the network.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, T), cwe=(319,), capec=(157,),
    asvs=("V9.2.2",), attack=("T1040", "T1557"), tech=_RDS_TECH, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:4.2.1",),
    data=STORED_SENSITIVE,
    mitigations=(
        "Set rds.force_ssl = 1 (PostgreSQL/SQL Server) or require_secure_transport = ON "
        "(MySQL/MariaDB) in the DB parameter group, and use sslmode=verify-full with the RDS CA "
        "bundle in clients.",
    ),
    detection="RDS/Aurora component storing confidential or restricted data with "
    "`properties.force_ssl: false` or `properties.require_secure_transport: false`; unencrypted "
    "flows into it are added as evidence. An applicable threat (with the question) while "
    "neither is stated and a client's flow into it does not state TLS (its protocol does not "
    "imply it) and leaves the client's network (it crosses into another zone that is not "
    "nested in the same one, or comes from outside our system); `require_secure_transport` "
    "is asked of MySQL and MariaDB engines, `force_ssl` of the others. Such flows are asked "
    "here, not by cleartext-sensitive-flow.",
    false_positives="None known.",
    asks=(
        Ask(
            "Does {element} refuse unencrypted client connections (rds.force_ssl = 1 in the DB "
            "parameter group)?",
            (AskFact("properties.force_ssl", confirms=("false",), rules_out=("true",)),),
            threat="Clients may connect to {element} without TLS, sending credentials and rows "
            "in clear text",
        ),
        Ask(
            "Does {element} refuse unencrypted client connections (require_secure_transport = "
            "ON in the DB parameter group)?",
            (AskFact("properties.require_secure_transport", confirms=("false",),
                     rules_out=("true",)),),
            threat="Clients may connect to {element} without TLS, sending credentials and rows "
            "in clear text",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.html",
    ),
))
def rds_tls_not_enforced(component: Component, model: Model) -> Verdict:
    """Fires when a sensitive database does not force TLS on client connections."""
    data = at_least(_data(model, component), Classification.CONFIDENTIAL)
    if not data:
        return Skip("stores no confidential or restricted data")
    settings = [f"properties.{key}: false" for key in ("force_ssl", "require_secure_transport")
                if component.prop(key) is False]
    if not settings:
        enforced = [f"properties.{key}: true" for key in ("force_ssl", "require_secure_transport")
                    if component.prop(key) is True]
        if enforced:
            return RuledOut(tuple(enforced))
        unstated = sorted(f.source for f in model.graph.flows_in(component.id)
                          if f.encrypted is None and observable_path(model, f))
        if not unstated:
            return PASS
        key = ("require_secure_transport" if tech_is(component, _MYSQL_TECH) else "force_ssl")
        return Unknown((f"properties.{key}",),
                       why=(f"stores {names(data)}",
                            f"TLS is not stated on the flows from {', '.join(unstated)}"),
                       data=ids(data))
    clear = [f"flow '{f.id}' is unencrypted" for f in model.graph.flows_in(component.id)
             if f.encrypted is False]
    return Fire((*settings, f"stores {names(data)}", *clear), data=ids(data))


@rule(RuleMeta(
    id="aws-rds-snapshot-public",
    title="Snapshots of database {element} are public",
    description="A public DB snapshot can be copied and restored by any AWS account: the whole "
    "database, including credentials tables and personal data, is published.",
    target=Target.COMPONENT, likelihood=4, impact=5, stride=(INFO,), cwe=(732, 668), capec=(180,),
    asvs=("V1.4.1",), attack=("T1537", "T1530"), tech=(*_RDS_TECH, "aws.redshift*"),
    domain=DOMAIN, confidence=Confidence.HIGH, compliance=("pci-dss-4.0:3.5.1", "aws-fsbp:RDS.1"),
    properties=frozenset({"public_snapshots"}),
    mitigations=(
        "Make the snapshots private (remove the 'all' restore attribute); share with named "
        "backup accounts only, encrypted with a customer-managed key whose policy names them.",
    ),
    detection="RDS/Aurora/Redshift component with `properties.public_snapshots: true`.",
    false_positives="Deliberately published sample databases with no real data.",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html",),
))
def rds_snapshot_public(component: Component, model: Model) -> Verdict:
    """Fires when a database's snapshots are shared publicly."""
    if component.prop("public_snapshots") is not True:
        return PASS
    return Fire(("properties.public_snapshots: true",), data=ids(_data(model, component)))


@rule(RuleMeta(
    id="aws-dynamodb-no-point-in-time-recovery",
    title="{element} holds valuable data but cannot be restored to a point in time",
    description="Without point-in-time recovery a faulty deployment, a compromised role or "
    "ransomware-style deletion of items cannot be rolled back: balances, orders and ledgers are "
    "lost or silently corrupted.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T, D), cwe=(693,),
    asvs=("V8.1.5",), attack=("T1485", "T1490"), tech=("aws.dynamodb*",), domain=DOMAIN,
    compliance=("aws-fsbp:DynamoDB.2",),
    mitigations=(
        "Enable point-in-time recovery (35 days) and deletion protection on the table; add AWS "
        "Backup copies to a separate backup account with a vault lock.",
    ),
    detection="DynamoDB component storing financial or restricted data with "
    "`properties.point_in_time_recovery: false`. An applicable threat (with the question) while "
    "it is not stated on a table of record (one that stores restricted financial data).",
    false_positives="Tables that are rebuilt from an authoritative source (caches, projections).",
    asks=(Ask(
        "Is point-in-time recovery on for {element} (and are backups copied where the "
        "workload's roles cannot delete them)?",
        (AskFact("properties.point_in_time_recovery", confirms=("false",), rules_out=("true",)),),
        threat="Items in {element} may be deleted or corrupted beyond recovery (no "
        "point-in-time recovery)",
    ),),
    references=(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",
    ),
))
def dynamodb_no_pitr(component: Component, model: Model) -> Verdict:
    """Fires when a table of valuable data has point-in-time recovery off."""
    stored = _data(model, component)
    financial = {a.id for a in with_category(stored, "financial")}
    data = [a for a in stored
            if a.classification is Classification.RESTRICTED or a.id in financial]
    if not data:
        return Skip("stores no financial or restricted data")
    pitr = component.prop("point_in_time_recovery")
    if pitr is True:
        return RuledOut(("properties.point_in_time_recovery: true",))
    if pitr is None:
        records = records_of(model, component)
        if not records:
            return PASS  # not a store of record: not asked
        data = records
        return Unknown(("properties.point_in_time_recovery",),
                       why=(f"stores {names(data)}", "point-in-time recovery is not stated"),
                       data=ids(data))
    if pitr is not False:
        return PASS
    evidence = [f"stores {names(data)}", "properties.point_in_time_recovery: false"]
    if component.prop("deletion_protection") is False:
        evidence.append("properties.deletion_protection: false")
    return Fire(tuple(evidence), data=ids(data))


_OPENSEARCH_TECH = ("aws.opensearch*", "aws.elasticsearch*")


@rule(RuleMeta(
    id="aws-opensearch-outside-vpc",
    title="{element} has a public OpenSearch endpoint",
    description="A domain outside a VPC has an internet-reachable endpoint; only its access "
    "policy stands between the data and the internet, and open or IP-based policies are a "
    "classic source of leaked indices.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, T), cwe=(668,), capec=(122,),
    asvs=("V1.4.1",), attack=("T1190", "T1530"), tech=_OPENSEARCH_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:1.3.1", "aws-fsbp:Opensearch.2"),
    mitigations=(
        "Create the domain in private VPC subnets with a security group that admits only the "
        "services that query it; enable fine-grained access control and name principals in the "
        "access policy.",
    ),
    detection="OpenSearch/Elasticsearch component with `properties.in_vpc: false`; confidence is "
    "high when `properties.policy_principals` also contains an unconfined \"*\". An applicable "
    "threat (with the question) while `in_vpc` is not stated on a domain that stores "
    "confidential or restricted data.",
    asks=(Ask(
        "Is the OpenSearch domain {element} inside a VPC (no public endpoint)?",
        (AskFact("properties.in_vpc", confirms=("false",), rules_out=("true",)),),
        threat="The indices of {element} may be reachable from the internet (a public "
        "OpenSearch endpoint guarded by its access policy only)",
    ),),
    false_positives="Domains behind a strictly IAM-signed access policy used by public clients "
    "such as mobile apps; accept with that justification.",
    references=("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html",
                "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/fgac.html"),
))
def opensearch_outside_vpc(component: Component, model: Model) -> Verdict:
    """Fires when a domain is not in a VPC (confidence high with an open access policy)."""
    in_vpc = component.prop("in_vpc")
    if in_vpc is True:
        return RuledOut(("properties.in_vpc: true",))
    if in_vpc is None:
        data = at_least(_data(model, component), Classification.CONFIDENTIAL)
        if not data:
            return PASS
        return Unknown(("properties.in_vpc",),
                       why=(f"stores {names(data)}", "whether it is in a VPC is not stated"),
                       data=ids(data))
    if in_vpc is not False:
        return PASS
    open_policy = _open_policy(component, "policy_principals", "policy_conditions")
    evidence = ("properties.in_vpc: false", *open_policy)
    if component.prop("fine_grained_access_control") is False:
        evidence += ("properties.fine_grained_access_control: false",)
    return Fire(evidence, data=ids(_data(model, component)),
                confidence=Confidence.HIGH if open_policy else None)


_OLD_OPENSEARCH_TLS = frozenset({"policy-min-tls-1-0-2019-07"})


@rule(RuleMeta(
    id="aws-opensearch-transport-unencrypted",
    title="{element} moves OpenSearch data without TLS",
    description="Without enforced HTTPS, clients may query the domain in clear text; without "
    "node-to-node encryption, shard replication and queries between nodes travel unencrypted "
    "inside the VPC.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO, T), cwe=(319, 326), capec=(157,),
    asvs=("V9.1.1", "V9.2.2"), attack=("T1040",), tech=_OPENSEARCH_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:4.2.1", "aws-fsbp:Opensearch.3"),
    data=STORED_SENSITIVE,
    mitigations=(
        "Enable EnforceHTTPS with the Policy-Min-TLS-1-2-PFS-2023-10 TLS policy and node-to-node "
        "encryption (requires a blue/green update on older domains).",
    ),
    detection="OpenSearch component storing confidential or restricted data with "
    "`properties.enforce_https: false`, `properties.node_to_node_encryption: false`, or "
    "`properties.tls_security_policy: Policy-Min-TLS-1-0-2019-07`. An applicable threat (with "
    "the question) while none of the three is stated.",
    false_positives="None known.",
    references=("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ntn.html",),
    asks=(Ask(
        "Does the OpenSearch domain {element} enforce HTTPS for clients and encrypt "
        "node-to-node traffic?",
        (AskFact("properties.enforce_https", confirms=("false",), rules_out=("true",)),
         AskFact("properties.node_to_node_encryption", confirms=("false",))),
        threat="Queries and replicated shards of {element} may travel in clear text (OpenSearch "
        "transport not encrypted)",
    ),),
))
def opensearch_transport_unencrypted(component: Component, model: Model) -> Verdict:
    """Fires when a sensitive domain lacks HTTPS enforcement or node-to-node encryption."""
    data = at_least(_data(model, component), Classification.CONFIDENTIAL)
    if not data:
        return Skip("stores no confidential or restricted data")
    evidence = [f"properties.{key}: false" for key in ("enforce_https", "node_to_node_encryption")
                if component.prop(key) is False]
    if word(component.prop("tls_security_policy")) in _OLD_OPENSEARCH_TLS:
        evidence.append(f"properties.tls_security_policy: {component.prop('tls_security_policy')}")
    if not evidence:
        if component.prop("enforce_https") is True:
            return RuledOut(("properties.enforce_https: true",))
        stated = [k for k in ("enforce_https", "node_to_node_encryption", "tls_security_policy")
                  if component.prop(k) is not None]
        if stated:
            return PASS
        return Unknown(("properties.enforce_https",),
                       why=(f"stores {names(data)}", "transport encryption is not stated"),
                       data=ids(data))
    return Fire((*evidence, f"stores {names(data)}"), data=ids(data))


# =============================================================================================
# Networking: security groups, EKS
# =============================================================================================


@rule(RuleMeta(
    id="aws-sg-admin-port-open-to-internet",
    title="{element} accepts remote administration from the whole internet ({detail})",
    description="Security group rules that admit 0.0.0.0/0 or ::/0 to SSH, RDP, WinRM, Docker or "
    "Kubernetes ports expose login services to constant brute force and to every new exploit "
    "against them.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(E, S), cwe=(284, 668), capec=(49,),
    asvs=("V1.4.1",), attack=("T1133", "T1021.004", "T1110"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:1.4.1", "aws-fsbp:EC2.13", "aws-fsbp:EC2.14"),
    among=INGRESS_STATED,
    mitigations=(
        "Remove the 0.0.0.0/0 rule; administer instances through AWS Systems Manager Session "
        "Manager (no inbound port) or EC2 Instance Connect Endpoint, or allow only the VPN's "
        "address range.",
    ),
    detection="Component whose `properties.ingress_cidrs` contains 0.0.0.0/0 or ::/0 with "
    "`properties.ingress_ports` covering an admin port (22, 23, 3389, 5985/5986, 5900, 2375/2376, "
    "6443, 10250), or a flow into it with `properties.ingress_cidrs` open to the world on such a "
    "`port`.",
    false_positives="Bastion hosts with certificate-only SSH that are meant to face the internet; "
    "replace them with Session Manager where possible, otherwise accept.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
    ),
))
def sg_admin_port_open(component: Component, model: Model) -> Verdict:
    """Fires when the world may reach an administration port of the component."""
    evidence = _world_ingress(model, component, _ADMIN_PORTS)
    if not evidence:
        return PASS
    ports = _listed_ports(_port_ranges(listed(component.prop("ingress_ports"))), _ADMIN_PORTS)
    return Fire(tuple(evidence), detail=ports[0] if ports else "admin port")


@rule(RuleMeta(
    id="aws-sg-database-port-open-to-internet",
    title="{element} accepts database connections from the whole internet ({detail})",
    description="A database or cache port open to 0.0.0.0/0 is found by internet-wide scanners "
    "within minutes; from then on only the database password protects the data.",
    target=Target.COMPONENT, likelihood=4, impact=5, stride=(INFO, T), cwe=(284, 668), capec=(122,),
    asvs=("V1.4.1",), attack=("T1190", "T1110"), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:1.4.1", "aws-fsbp:EC2.19"),
    among=INGRESS_STATED,
    mitigations=(
        "Allow the database port only from the security groups of the services that use it "
        "(security-group references, not CIDRs) and keep the database in private subnets.",
    ),
    detection="Component whose `properties.ingress_cidrs` contains 0.0.0.0/0 or ::/0 with "
    "`properties.ingress_ports` covering a database port (1433, 1521, 3306, 5432, 5439, 6379, "
    "9042, 9200, 9300, 11211, 27017), or such a flow into it.",
    false_positives="None known.",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",),
))
def sg_database_port_open(component: Component, model: Model) -> Verdict:
    """Fires when the world may reach a database port of the component."""
    evidence = _world_ingress(model, component, _DATABASE_PORTS)
    if not evidence:
        return PASS
    ports = _listed_ports(_port_ranges(listed(component.prop("ingress_ports"))), _DATABASE_PORTS)
    return Fire(tuple(evidence), detail=ports[0] if ports else "database port",
                data=ids(_data(model, component)))


@rule(RuleMeta(
    id="aws-eks-public-endpoint-open",
    title="{element} exposes its EKS API endpoint to any address",
    description="A public cluster endpoint open to 0.0.0.0/0 lets anyone try stolen kubeconfigs, "
    "tokens and API server vulnerabilities against the control plane of the cluster.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E, S), cwe=(668, 284), capec=(122,),
    asvs=("V1.4.1",), attack=("T1133", "T1078.004"), tech=("aws.eks*",), domain=DOMAIN,
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:1.4.1", "aws-fsbp:EKS.1"),
    mitigations=(
        "Turn on the private endpoint and off the public one (endpointPublicAccess false); if CI "
        "runners must reach it, restrict publicAccessCidrs to their egress addresses or run "
        "self-hosted runners in the VPC.",
    ),
    detection="EKS component with `properties.endpoint_public_access: true` and "
    "`properties.public_access_cidrs` containing 0.0.0.0/0 — or not stated, since EKS then "
    "defaults to 0.0.0.0/0 (medium confidence).",
    false_positives="Clusters whose public endpoint is restricted in ways the model does not "
    "state; add public_access_cidrs.",
    references=("https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",),
    asks=(Ask(
        "Is {element}'s public API endpoint on (EKS turns it on, open to 0.0.0.0/0, unless "
        "told otherwise), or is the cluster reached only through its private endpoint?",
        (AskFact("properties.endpoint_public_access", confirms=("true",), rules_out=("false",)),),
        threat="Exposed control plane: the EKS API of {element} may be reachable from any "
        "address, one stolen kubeconfig or token away from the cluster",
    ),),
))
def eks_public_endpoint_open(component: Component, model: Model) -> Verdict:
    """Fires when the public EKS endpoint is open to every address."""
    public = component.prop("endpoint_public_access")
    if public is False:
        return RuledOut(("properties.endpoint_public_access: false",))
    if public is None:
        if tech_is(component, _EKS_NODE_TECH) or component.kind in OUTSIDE_KINDS:
            return PASS  # node groups and others' clusters have no endpoint of ours to ask about
        return Unknown(("properties.endpoint_public_access",),
                       why=(f"EKS cluster control plane ({component.tech})",
                            "EKS creates a public endpoint open to 0.0.0.0/0 by default"))
    if public is not True:
        return PASS
    cidrs = listed(component.prop("public_access_cidrs"))
    if not cidrs:
        return Fire(("properties.endpoint_public_access: true",
                     "properties.public_access_cidrs not stated (EKS defaults to 0.0.0.0/0)"),
                    confidence=Confidence.MEDIUM)
    world = sorted(_WORLD & set(cidrs))
    if not world:
        return PASS
    return Fire(("properties.endpoint_public_access: true",
                 f"properties.public_access_cidrs: {', '.join(world)}"),
                confidence=Confidence.HIGH)


_EKS_NODE_TECH = ("aws.eks.nodegroup*", "aws.eks.node*", "aws.eks.fargate*")
"""EKS technologies that are not the control plane."""

# =============================================================================================
# ECR
# =============================================================================================


@rule(RuleMeta(
    id="aws-ecr-scan-on-push-disabled",
    title="Images pushed to {element} are not scanned for vulnerabilities",
    description="Without image scanning, images with known-exploitable OS packages and libraries "
    "reach production unnoticed, and nobody learns when a new CVE affects an image already "
    "running.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, E), cwe=(1395, 1104),
    asvs=("V14.2.1",), attack=("T1525", "T1190"), tech=("aws.ecr*",), domain=DOMAIN,
    compliance=("pci-dss-4.0:6.3.1", "pci-dss-4.0:6.3.3", "aws-fsbp:ECR.1"),
    properties=frozenset({"scan_on_push"}),
    mitigations=(
        "Enable Amazon Inspector enhanced scanning (continuous) for the registry, or basic scan "
        "on push; fail deployments on critical findings with an admission policy.",
    ),
    detection="ECR component with `properties.scan_on_push: false` and "
    "`properties.enhanced_scanning` not true.",
    false_positives="Images scanned in the CI pipeline before push with a gate; state it and "
    "accept (continuous rescanning is still lost).",
    references=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",),
    supersedes=(Supersedes("supply-no-vulnerability-scanning"),),
))
def ecr_scan_on_push_disabled(component: Component, model: Model) -> Verdict:
    """Fires when a registry scans neither on push nor continuously."""
    if component.prop("scan_on_push") is not False or component.prop("enhanced_scanning") is True:
        return PASS
    return Fire(("properties.scan_on_push: false", "properties.enhanced_scanning is not true"))


@rule(RuleMeta(
    id="aws-ecr-mutable-tags",
    title="Image tags in {element} can be overwritten",
    description="With mutable tags, whoever can push to the repository can replace the image "
    "behind a tag that deployments already reference; the next pod restart runs the new code "
    "without any review or deployment.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T,), cwe=(494,), capec=(184,),
    asvs=("V10.3.2", "V14.2.4"), attack=("T1525",), tech=("aws.ecr*",), domain=DOMAIN,
    compliance=("aws-fsbp:ECR.2",),
    mitigations=(
        "Set imageTagMutability to IMMUTABLE and deploy by digest; restrict ecr:PutImage to the "
        "CI role.",
    ),
    detection="ECR component with `properties.tag_immutability: false`. An applicable threat "
    "(with the question) when it is not stated on an ECR registry that something pushes "
    "images to or pulls them from (ECR tags are mutable unless configured otherwise).",
    false_positives="Repositories of development images never deployed to production.",
    references=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",),
    supersedes=(Supersedes("supply-mutable-artifact-tags"),),
    asks=(Ask(
        "Are {element}'s image tags immutable (imageTagMutability IMMUTABLE), so that a push "
        "cannot replace the image behind a tag already deployed?",
        (AskFact("properties.tag_immutability", confirms=("false",), rules_out=("true",)),),
        threat="Image tampering: whoever can push to {element} may replace the image behind a "
        "deployed tag",
    ),),
))
def ecr_mutable_tags(component: Component, model: Model) -> Verdict:
    """Fires when a registry allows tags to be overwritten."""
    immutable = component.prop("tag_immutability")
    if immutable is True:
        return RuledOut(("properties.tag_immutability: true",))
    if immutable is None:
        graph = model.graph
        users = sorted({f.source for f in graph.flows_in(component.id)}
                       | {f.target for f in graph.flows_out(component.id)})
        if not users:
            return PASS
        return Unknown(("properties.tag_immutability",),
                       why=(f"images are pushed to or pulled from it by {', '.join(users)}",
                            "ECR tags are mutable unless configured IMMUTABLE"))
    if immutable is not False:
        return PASS
    return Fire(("properties.tag_immutability: false",))


# =============================================================================================
# Lambda
# =============================================================================================

_LAMBDA_TECH = ("aws.lambda*",)


@rule(RuleMeta(
    id="aws-lambda-secrets-in-environment",
    title="{element} keeps secrets in Lambda environment variables",
    description="Environment variables are shown in the console, returned by "
    "lambda:GetFunctionConfiguration to anyone with read access, copied into infrastructure "
    "state files and dumped by debug endpoints; secrets placed there leak far beyond the function.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(526, 798), capec=(37,),
    asvs=("V2.10.4", "V6.4.1"), attack=("T1552.001",), tech=_LAMBDA_TECH, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:8.3.2", "pci-dss-4.0:8.6.2"),
    mitigations=(
        "Store the secret in Secrets Manager (or SSM Parameter Store SecureString) and read it at "
        "cold start with the AWS Parameters and Secrets Lambda Extension; pass only the secret's "
        "ARN in the environment.",
    ),
    detection="Lambda component with `properties.secrets_in_env: true` or a non-empty list of "
    "variable names. An applicable threat (with the question) while it is not stated on a "
    "function that uses secrets, credentials or keys and has no flow to a secrets store or "
    "key management service to fetch them from.",
    asks=(Ask(
        "Where does {element} keep the secrets it uses: are any set as Lambda environment "
        "variables?",
        (AskFact("properties.secrets_in_env", confirms=("true",), rules_out=("false",)),),
        threat="Secrets used by {element} may sit in its environment variables, readable by "
        "anyone who can read the function's configuration",
    ),),
    false_positives="Variables that hold only ARNs or names of secrets, not their values.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
    ),
))
def lambda_secrets_in_environment(component: Component, model: Model) -> Verdict:
    """Fires when a function stores secret values in its environment."""
    value = component.prop("secrets_in_env")
    if value is False or value == []:
        return RuledOut((f"properties.secrets_in_env: {show(value)}",))
    if value is None:
        held = with_category(model.graph.data_of(component.id), *SERVICE_SECRET_CATEGORIES)
        if not held or fetches_secrets(model, component):
            return PASS
        return Unknown(("properties.secrets_in_env",),
                       why=(f"uses {names(held)}",
                            "has no flow to a secrets store or key management service"),
                       data=ids(held))
    if not _stated_list(value):
        return PASS
    shown = "true" if value is True else ", ".join(listed(value))
    return Fire((f"properties.secrets_in_env: {shown}",), data=ids(secrets_of(model, component)))


@rule(RuleMeta(
    id="aws-lambda-function-url-unauthenticated",
    title="Lambda function URL of {element} is open to anyone (AuthType NONE)",
    description="A function URL with AuthType NONE is a public HTTPS endpoint that bypasses API "
    "Gateway, WAF and throttling; unless the code authenticates every request itself, anyone "
    "can invoke the function and run up its cost.",
    target=Target.COMPONENT, likelihood=4, impact=3, stride=(S, E, D), cwe=(306,), capec=(115,),
    asvs=("V4.1.1", "V1.4.1"), api_top10=("API2:2023", "API8:2023"), attack=("T1190", "T1648"),
    tech=_LAMBDA_TECH, domain=DOMAIN,
    properties=frozenset({"function_url_auth"}),
    mitigations=(
        "Use AuthType AWS_IAM and call the URL with SigV4 (CloudFront origin access control for "
        "Lambda URLs signs requests), or put the function behind API Gateway with an authorizer.",
        "If the endpoint must be public (webhooks), verify the caller's signature in code and set "
        "reserved concurrency.",
    ),
    detection="Lambda component with `properties.function_url_auth: NONE`; passes when the "
    "component states an authenticating `authn` (authentication in code), fires with high "
    "confidence when `authn: none`. Supersedes unauthenticated-exposed-service and "
    "missing-authorization on the function.",
    false_positives="Public webhook receivers that verify signatures in code; state `authn: hmac`.",
    references=("https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",),
    supersedes=(Supersedes("unauthenticated-exposed-service"),
                Supersedes("missing-authorization")),
))
def lambda_function_url_unauthenticated(component: Component, model: Model) -> Verdict:
    """Fires when a function URL has AuthType NONE and the code does not authenticate."""
    if word(component.prop("function_url_auth")) != "none":
        return PASS
    if component.authn is not None and component.authn.authenticates:
        return PASS
    authn = component.authn.value if component.authn else "not stated"
    return Fire(("properties.function_url_auth: NONE", f"authn: {authn}"),
                data=ids(sensitive_data(model, component)),
                confidence=Confidence.HIGH if component.authn is not None else None)


def _lambdas_by_role(model: Model) -> dict[str, list[str]]:
    """Execution role -> the Lambda components that use it, in id order."""
    found: dict[str, list[str]] = {}
    for other in sorted(model.components.values(), key=lambda c: c.id):
        role = word(other.prop("execution_role"))
        if role and tech_is(other, _LAMBDA_TECH):
            found.setdefault(role, []).append(other.id)
    return found


@rule(RuleMeta(
    id="aws-lambda-shared-execution-role",
    title="{element} shares its Lambda execution role with other functions",
    description="Functions that share one execution role each hold the union of every function's "
    "permissions: a flaw in the least critical function reaches the data and actions of the "
    "most critical one.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(E,), cwe=(250, 653), capec=(122,),
    asvs=("V4.1.3", "V1.2.1"), attack=("T1078.004",), tech=_LAMBDA_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:7.2.2",),
    properties=frozenset({"execution_role"}),
    mitigations=(
        "Give every function its own execution role with only the actions and resources it uses "
        "(one role per function in SAM/CDK by default).",
    ),
    detection="Lambda component whose `properties.execution_role` is also the execution role of "
    "another Lambda component of the model.",
    false_positives="Functions of one deployable unit that really need the same permissions.",
    references=("https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",),
))
def lambda_shared_execution_role(component: Component, model: Model) -> Verdict:
    """Fires when another function in the model uses the same execution role."""
    role = word(component.prop("execution_role"))
    if not role:
        return PASS
    others = [
        other for other in model.graph.memo(("lambda-roles",), lambda: _lambdas_by_role(model))
        .get(role, []) if other != component.id
    ]
    if not others:
        return PASS
    return Fire((f"properties.execution_role: {component.prop('execution_role')}",
                 f"also used by {', '.join(others)}"),
                data=ids(sensitive_data(model, component)))


# =============================================================================================
# API Gateway
# =============================================================================================

_APIGW_TECH = ("aws.apigateway*",)


@rule(RuleMeta(
    id="aws-apigw-route-without-authorizer",
    title="{element} has API Gateway routes without an authorizer ({detail})",
    description="In API Gateway, authorisation is configured per method or route: an API whose "
    "main routes use a Cognito, JWT, Lambda or IAM authorizer can still have individual routes "
    "with AuthorizationType NONE, which anyone can call.",
    target=Target.COMPONENT, likelihood=4, impact=3, stride=(S, E), cwe=(306, 862), capec=(115,),
    asvs=("V4.1.1",), api_top10=("API2:2023", "API5:2023"), attack=("T1190",),
    tech=_APIGW_TECH, domain=DOMAIN, confidence=Confidence.HIGH,
    properties=frozenset({"routes_without_authorizer"}),
    mitigations=(
        "Attach the API's authorizer to every route (a default authorizer on HTTP APIs; "
        "AuthorizationType on each REST method), and list intentionally public routes explicitly.",
        "Add a CI check (e.g. cfn-lint/checkov custom policy) that fails on new NONE routes.",
    ),
    detection="API Gateway component whose `properties.routes_without_authorizer` lists routes "
    "that are not also listed in `properties.public_routes`.",
    false_positives="Public routes (health checks, public catalogue): list them in public_routes.",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
    ),
))
def apigw_route_without_authorizer(component: Component, model: Model) -> Verdict:
    """Fires on API routes with no authorizer that are not declared public."""
    public = {r.lower() for r in listed(component.prop("public_routes"))}
    routes = [r for r in listed(component.prop("routes_without_authorizer"))
              if r.lower() not in public]
    if not routes:
        return PASS
    return Fire((f"properties.routes_without_authorizer: {', '.join(routes)}",),
                detail=routes[0], data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-apigw-api-key-as-authentication",
    title="{element} relies on API Gateway usage-plan keys to authenticate callers",
    description="API Gateway API keys exist for usage plans and throttling, not for "
    "authentication: they are static, shared across a client's users, sent in a header on every "
    "request and not bound to an identity; AWS documents that they must not be used for "
    "authorisation.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(S,), cwe=(287, 1390), capec=(560,),
    asvs=("V2.10.1", "V4.1.1"), api_top10=("API2:2023",), attack=("T1078",), tech=_APIGW_TECH,
    domain=DOMAIN,
    properties=frozenset({"api_key_required"}),
    mitigations=(
        "Add an authorizer (Cognito user pool, JWT authorizer with OAuth2 client credentials, "
        "Lambda authorizer, or IAM/SigV4) and keep API keys only for usage plans.",
    ),
    detection="API Gateway component with `properties.api_key_required: true` and "
    "`properties.authorizer: none`.",
    false_positives="Low-value public data APIs where the key only meters usage; accept.",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html",
    ),
))
def apigw_api_key_as_authentication(component: Component, model: Model) -> Verdict:
    """Fires when API keys are the only thing between callers and the API."""
    if component.prop("api_key_required") is not True:
        return PASS
    if word(component.prop("authorizer")) not in ("none", "false"):
        return PASS
    return Fire(("properties.api_key_required: true", "properties.authorizer: none"),
                data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-apigw-full-request-logging",
    title="{element} writes full request and response bodies to CloudWatch",
    description="With data tracing (dataTraceEnabled) on, API Gateway logs complete request and "
    "response bodies and headers — card numbers, personal data, tokens — into CloudWatch Logs, "
    "where everyone with log access can read them for the whole retention period.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(532,),
    asvs=("V7.1.1", "V7.1.2"), api_top10=("API8:2023",), tech=_APIGW_TECH, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:3.3.1", "pci-dss-4.0:3.5.1"),
    data=SENSITIVE_DATA, properties=frozenset({"data_trace_enabled"}),
    mitigations=(
        "Turn off data tracing on production stages; use access logs with a $context-only format "
        "(request id, caller, route, status, latency).",
    ),
    detection="API Gateway component handling confidential or restricted data with "
    "`properties.data_trace_enabled: true`.",
    false_positives="Non-production stages with synthetic data.",
    references=("https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",),
))
def apigw_full_request_logging(component: Component, model: Model) -> Verdict:
    """Fires when full request logging is on for an API that handles sensitive data."""
    data = sensitive_data(model, component)
    if not data:
        return Skip("handles no confidential or restricted data")
    if component.prop("data_trace_enabled") is not True:
        return PASS
    return Fire(("properties.data_trace_enabled: true", f"handles {names(data)}"),
                data=ids(data))


@rule(RuleMeta(
    id="aws-apigw-cloudfront-bypass",
    title="{element} can be called directly, bypassing CloudFront and its WAF",
    description="An API fronted by CloudFront keeps its default execute-api endpoint unless it is "
    "disabled; attackers who find it (it is in every client-side error and certificate log) skip "
    "the distribution's WAF rules, geo-blocking and rate limits.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, D, E), cwe=(288, 693),
    capec=(554,), asvs=("V1.14.1",), api_top10=("API8:2023",), attack=("T1190",),
    tech=_APIGW_TECH, domain=DOMAIN,
    properties=frozenset({"execute_api_endpoint_disabled"}),
    mitigations=(
        "Disable the default execute-api endpoint (disableExecuteApiEndpoint) and serve the API "
        "only through CloudFront; or have CloudFront add a secret origin header that a WAF rule "
        "on the API stage requires, rotated from Secrets Manager.",
    ),
    detection="API Gateway receiving flows from a CloudFront component that has `waf: true`, "
    "while the API has no WAF of its own, `properties.execute_api_endpoint_disabled: false`, and "
    "the distribution does not state `properties.origin_verify_header: true`.",
    false_positives="Private APIs reachable only through VPC endpoints.",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-disable-default-endpoint.html",
    ),
))
def apigw_cloudfront_bypass(component: Component, model: Model) -> Verdict:
    """Fires when the edge's WAF can be skipped through the API's default endpoint."""
    guarded = cloudfront_waf_fronts(model, component)
    if not guarded:
        return Skip("not fronted by a CloudFront distribution with WAF")
    if component.waf or component.prop("execute_api_endpoint_disabled") is not False:
        return PASS
    if word(component.prop("endpoint_type")) == "private":
        return PASS
    unverified = [c.id for c in guarded if c.prop("origin_verify_header") is not True]
    if not unverified:
        return PASS
    return Fire((f"fronted by WAF-protected '{unverified[0]}'",
                 "properties.execute_api_endpoint_disabled: false",
                 "waf: false" if component.waf is False else "waf: not stated",
                 f"'{unverified[0]}' adds no verified origin header"),
                data=ids(sensitive_data(model, component)))


# =============================================================================================
# CloudFront
# =============================================================================================

_CLOUDFRONT_TECH = ("aws.cloudfront*",)
_WEAK_VIEWER_POLICIES = frozenset({"sslv3", "tlsv1", "tlsv1_2016", "tlsv1.1_2016"})
_WEAK_ORIGIN_PROTOCOLS = frozenset({"sslv3", "tlsv1", "tlsv1.1"})


@rule(RuleMeta(
    id="aws-cloudfront-weak-viewer-tls",
    title="{element} accepts outdated or no TLS from viewers ({detail})",
    description="A security policy that still allows TLS 1.0/1.1 (or SSLv3), or a viewer "
    "protocol policy of allow-all, lets clients be downgraded to broken protocols or plain HTTP, "
    "exposing sessions and sensitive form data to network attackers.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO, T), cwe=(326, 757, 319),
    capec=(620,), asvs=("V9.1.2", "V9.1.3"), api_top10=("API8:2023",), attack=("T1557",),
    tech=_CLOUDFRONT_TECH, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:4.2.1", "aws-fsbp:CloudFront.3"),
    properties=frozenset({"minimum_protocol_version", "min_tls_version", "viewer_protocol_policy"}),
    mitigations=(
        "Use a custom certificate with the TLSv1.2_2021 security policy (or newer) and set the "
        "viewer protocol policy to redirect-to-https or https-only on every cache behaviour.",
    ),
    detection="CloudFront component with `properties.minimum_protocol_version` (alias "
    "`min_tls_version`) SSLv3, TLSv1, TLSv1_2016 or TLSv1.1_2016, or "
    "`properties.viewer_protocol_policy: allow-all`.",
    false_positives="Distributions that must serve very old devices; isolate them on a separate "
    "domain without sensitive data.",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",
    ),
))
def cloudfront_weak_viewer_tls(component: Component, model: Model) -> Verdict:
    """Fires on an outdated minimum TLS policy or a viewer policy that allows HTTP."""
    evidence: list[str] = []
    for key in ("minimum_protocol_version", "min_tls_version"):
        value = component.prop(key)
        if word(value) in _WEAK_VIEWER_POLICIES:
            evidence.append(f"properties.{key}: {value}")
            break
    if word(component.prop("viewer_protocol_policy")) == "allow-all":
        evidence.append("properties.viewer_protocol_policy: allow-all")
    if not evidence:
        return PASS
    return Fire(tuple(evidence), detail=evidence[0].split(": ", 1)[1],
                data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-cloudfront-origin-unencrypted",
    title="{element} fetches from its origin without strong TLS",
    description="With origin protocol policy http-only (or match-viewer while viewers may use "
    "HTTP), or with SSLv3/TLS 1.0/1.1 allowed to the origin, responses and forwarded requests "
    "travel between the edge and the origin unencrypted or weakly encrypted across the internet.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, T), cwe=(319, 757), capec=(157,),
    asvs=("V9.2.2", "V9.1.3"), attack=("T1040", "T1557"), tech=_CLOUDFRONT_TECH, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:4.2.1", "aws-fsbp:CloudFront.9"),
    properties=frozenset({"origin_protocol_policy", "origin_ssl_protocols"}),
    mitigations=(
        "Set the origin protocol policy to https-only with origin SSL protocols TLSv1.2 only; "
        "give the origin a certificate valid for its domain name.",
    ),
    detection="CloudFront component with `properties.origin_protocol_policy: http-only`, "
    "`match-viewer` together with `viewer_protocol_policy: allow-all`, or "
    "`properties.origin_ssl_protocols` including SSLv3, TLSv1 or TLSv1.1.",
    false_positives="S3 website endpoints that only speak HTTP; use a REST S3 origin with origin "
    "access control instead.",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html",
    ),
))
def cloudfront_origin_unencrypted(component: Component, model: Model) -> Verdict:
    """Fires when edge-to-origin traffic can be plain HTTP or use broken TLS versions."""
    evidence: list[str] = []
    policy = word(component.prop("origin_protocol_policy"))
    if policy == "http-only":
        evidence.append("properties.origin_protocol_policy: http-only")
    elif policy == "match-viewer" and word(component.prop("viewer_protocol_policy")) == \
            "allow-all":
        evidence.append("properties.origin_protocol_policy: match-viewer with "
                        "viewer_protocol_policy: allow-all")
    weak = [p for p in listed(component.prop("origin_ssl_protocols"))
            if p.lower() in _WEAK_ORIGIN_PROTOCOLS]
    if weak:
        evidence.append(f"properties.origin_ssl_protocols include {', '.join(weak)}")
    if not evidence:
        return PASS
    return Fire(tuple(evidence), data=ids(sensitive_data(model, component)))


# =============================================================================================
# Resource policies of other services, SQS/SNS encryption, Secrets Manager
# =============================================================================================

_RESOURCE_POLICY_TECH = (
    "aws.sqs*", "aws.sns*", "aws.lambda*", "aws.secretsmanager*", "aws.ecr*", "aws.events*",
    "aws.glacier*", "aws.backup*",
)


@rule(RuleMeta(
    id="aws-resource-policy-public",
    title="Resource policy of {element} grants access to any principal",
    description="A resource policy (SQS queue, SNS topic, Lambda function, secret, ECR "
    "repository...) with Principal \"*\" and no confining condition lets any AWS account read or "
    "inject messages, invoke the function, read the secret or pull the images.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(INFO, T, S), cwe=(732,), capec=(180,),
    asvs=("V1.4.1", "V4.1.3"), attack=("T1530", "T1648"), tech=_RESOURCE_POLICY_TECH,
    domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:7.2.1", "aws-fsbp:Lambda.1"),
    properties=frozenset({"policy_principals"}),
    mitigations=(
        "Name the allowed principals (account or role ARNs, or the service principal with "
        "aws:SourceArn/aws:SourceAccount conditions for S3 or EventBridge notifications), or add "
        "aws:PrincipalOrgID.",
        "Review external access continuously with IAM Access Analyzer.",
    ),
    detection="SQS, SNS, Lambda, Secrets Manager, ECR, EventBridge, Glacier or Backup component "
    "whose `properties.policy_principals` contains \"*\" while `properties.policy_conditions` "
    "names no confining key.",
    false_positives="Public ECR Gallery repositories and deliberately public SNS topics.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html",
    ),
))
def resource_policy_public(component: Component, model: Model) -> Verdict:
    """Fires when a resource policy allows Principal "*" without a confining condition."""
    evidence = _open_policy(component, "policy_principals", "policy_conditions")
    if not evidence:
        return PASS
    return Fire(evidence, data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="aws-sqs-sns-unencrypted",
    title="Messages in {element} are stored without server-side encryption",
    description="SQS queues and SNS topics keep messages on AWS storage until delivered (up to 14 "
    "days in SQS); without SSE, sensitive payloads sit unencrypted and outside any KMS key "
    "policy or key-usage audit.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(INFO,), cwe=(311,), capec=(37,),
    asvs=("V6.1.1",), attack=("T1530",), tech=("aws.sqs*", "aws.sns*"), domain=DOMAIN,
    compliance=("pci-dss-4.0:3.5.1", "aws-fsbp:SQS.1", "aws-fsbp:SNS.1"),
    data=SENSITIVE_DATA,
    mitigations=(
        "Enable SSE with a customer-managed KMS key (KmsMasterKeyId) whose key policy allows the "
        "producers, consumers and publishing services; at least enable SQS-managed SSE.",
    ),
    detection="SQS/SNS component carrying confidential or restricted data with "
    "`properties.sse: false`, or `properties.sqs_managed_sse: false` without "
    "`properties.kms_key_id`. Skipped when `encryption.at_rest: none` is stated (reported by "
    "store-unencrypted-at-rest), unless the queue or topic carries such data without listing "
    "it under `stores` (which store-unencrypted-at-rest does not look at): then "
    "`encryption.at_rest: none` is this rule's finding. An applicable threat (with the "
    "question) on such a queue or topic while neither SSE nor `encryption.at_rest` is stated.",
    false_positives="None known.",
    asks=(Ask(
        "Is server-side encryption on for {element} (SSE with a KMS key, or SQS-managed SSE)?",
        (AskFact("encryption.at_rest", confirms=("none",), rules_out=("kms",)),),
        threat="Messages waiting in {element} may sit unencrypted on AWS storage (no "
        "server-side encryption)",
    ),),
    references=(
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
    ),
))
def sqs_sns_unencrypted(component: Component, model: Model) -> Verdict:
    """Fires when a queue or topic of sensitive messages has SSE off."""
    data = sensitive_data(model, component)
    if not data:
        return _NO_SENSITIVE_DATA
    evidence: list[str] = []
    if component.prop("sse") is False:
        evidence.append("properties.sse: false")
    elif component.prop("sqs_managed_sse") is False and not component.prop("kms_key_id"):
        evidence.append("properties.sqs_managed_sse: false and no properties.kms_key_id")
    if not evidence:
        return _sse_unstated(model, component, data)
    if component.encryption is not None and component.encryption.at_rest is not None:
        evidence.append(f"contradicts encryption.at_rest: {component.encryption.at_rest.value}")
    return Fire((*evidence, f"carries {names(data)}"), data=ids(data))


def _sse_unstated(model: Model, component: Component, data: list[DataAsset]) -> Verdict:
    """No SSE setting says it is off: ruled out by a stated SSE or encryption at rest, asked
    while nothing is stated (unless store-unencrypted-at-rest asks, for a store of the data)."""
    for key in ("sse", "sqs_managed_sse"):
        if component.prop(key) is True:
            return RuledOut((f"properties.{key}: true",))
    if component.prop("kms_key_id"):
        return RuledOut(("properties.kms_key_id is stated",))
    at_rest = component.encryption.at_rest if component.encryption else None
    stores_it = bool(at_least([model.data[d] for d in component.stores if d in model.data],
                              Classification.CONFIDENTIAL))
    if at_rest is EncryptionAtRest.NONE:
        if stores_it:
            return PASS  # store-unencrypted-at-rest reports it
        return Fire(("encryption.at_rest: none", f"carries {names(data)}"), data=ids(data))
    if at_rest is not None:
        return RuledOut((f"encryption.at_rest: {at_rest.value}",))
    if any(p in ("sse", "sqs_managed_sse") for p in component.properties):
        return PASS
    if not component.ours or stores_it:
        return PASS  # a store of the data: store-unencrypted-at-rest asks
    return Unknown(("encryption.at_rest",),
                   why=(f"carries {names(data)}", "server-side encryption is not stated"),
                   data=ids(data))


@rule(RuleMeta(
    id="aws-secretsmanager-rotation",
    title="Secrets in {element} are not rotated automatically or rotate too rarely",
    description="A Secrets Manager secret without a rotation schedule (or with one longer than 90 "
    "days) keeps working for anyone who ever copied it: former staff, a leaked CI log, a "
    "compromised laptop.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S, INFO), cwe=(324, 262), capec=(37,),
    asvs=("V2.10.1", "V6.4.2"), attack=("T1552", "T1078"), tech=("aws.secretsmanager*",),
    domain=DOMAIN,
    compliance=("pci-dss-4.0:8.6.3", "aws-fsbp:SecretsManager.1",
                "aws-fsbp:SecretsManager.4"),
    properties=frozenset({"automatic_rotation", "rotation_days"}),
    mitigations=(
        "Turn on automatic rotation with a rotation Lambda (managed rotation for RDS, Redshift "
        "and DocumentDB credentials) on a schedule of 90 days or less; alert on rotation failures.",
    ),
    detection="Secrets Manager component with `properties.automatic_rotation: false`, or "
    "`properties.rotation_days` above 90. Skipped when `encryption.key_rotation: false` is "
    "stated (reported by secrets-without-rotation).",
    false_positives="Third-party API keys that the vendor cannot rotate through an API; rotate "
    "them by hand on a schedule and accept.",
    references=("https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",),
))
def secretsmanager_rotation(component: Component, model: Model) -> Verdict:
    """Fires when automatic rotation is off or its interval exceeds 90 days."""
    evidence: list[str] = []
    if component.prop("automatic_rotation") is False:
        evidence.append("properties.automatic_rotation: false")
    days = whole_number(component.prop("rotation_days"))
    if days is not None and days > 90:
        evidence.append(f"properties.rotation_days: {days} (more than 90)")
    if not evidence:
        return PASS
    secrets = with_category(_data(model, component), *SECRET_CATEGORIES)
    return Fire(tuple(evidence), data=ids(secrets))


# =============================================================================================
# Cognito
# =============================================================================================

_COGNITO_TECH = ("aws.cognito*",)


def _admin_pool(component: Component) -> bool:
    """A user pool for administrators or staff."""
    return component.admin or word(component.prop("pool_purpose")) in (
        "admin", "workforce", "staff"
    )


@rule(RuleMeta(
    id="aws-cognito-mfa-not-enforced",
    title="{element} does not enforce MFA for its users ({detail})",
    description="A user pool that holds personal or financial data with MFA OFF protects every "
    "account with a password alone, so credential stuffing and phishing take over accounts at "
    "scale; for administrative pools, OPTIONAL MFA is not enough either.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S,), cwe=(308,), capec=(560, 600),
    asvs=("V2.2.1",), api_top10=("API2:2023",), attack=("T1078", "T1110.004"),
    tech=_COGNITO_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:8.4.2",),
    mitigations=(
        "Set the user pool's MFA configuration to ON with TOTP or passkeys (WebAuthn); for "
        "customer pools at least OPTIONAL with adaptive authentication (threat protection) that "
        "requires MFA on risky sign-ins.",
    ),
    detection="Cognito component holding personal, credential, financial or health data with "
    "`properties.mfa_configuration: OFF` (or `mfa: false`); for administrative pools (`admin: "
    "true` or `properties.pool_purpose: admin`) also OPTIONAL. Unknown when neither "
    "mfa_configuration nor `mfa` is stated.",
    false_positives="Pools that federate every user to an external IdP that enforces MFA; state "
    "`mfa: true`.",
    references=("https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html",),
))
def cognito_mfa_not_enforced(component: Component, model: Model) -> Verdict:
    """Fires when a pool with personal data has MFA off, or an admin pool has it optional."""
    data = with_category(model.graph.data_of(component.id), *_PERSONAL_CATEGORIES)
    admin = _admin_pool(component)
    if not data and not admin:
        return Skip("holds no personal, credential or financial data and is not an admin pool")
    stated = component.prop("mfa_configuration")
    # YAML reads an unquoted ON/OFF as a boolean.
    setting = ("on" if stated else "off") if isinstance(stated, bool) else word(stated)
    if not setting:
        if component.mfa is None:
            return Unknown(("mfa",))
        setting = "on" if component.mfa else "off"
    if setting == "on" or (setting == "optional" and not admin):
        return PASS
    why = "an administrative pool" if admin else f"holds {names(data)}"
    return Fire((f"MFA {setting.upper()}", why), detail=setting.upper(), data=ids(data))


@rule(RuleMeta(
    id="aws-cognito-admin-self-signup",
    title="{element} is an administrative user pool that lets anyone sign up",
    description="With self-registration enabled, anyone who finds the app client id (it ships in "
    "the front end) can call SignUp and obtain an account in a pool that grants administrative "
    "access.",
    target=Target.COMPONENT, likelihood=4, impact=5, stride=(E, S), cwe=(284, 269), capec=(1,),
    asvs=("V4.1.1", "V4.3.1"), api_top10=("API5:2023",), attack=("T1136.003", "T1078"),
    tech=_COGNITO_TECH, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:8.2.4",),
    properties=frozenset({"self_signup"}),
    mitigations=(
        "Set AllowAdminCreateUserOnly to true (administrators create users), or federate the pool "
        "to the workforce IdP; check group membership, not just a valid token, in the API.",
    ),
    detection="Cognito component with `admin: true` or `properties.pool_purpose: admin|workforce|"
    "staff` and `properties.self_signup: true`.",
    false_positives="Pools where sign-up lands in a group without privileges and an administrator "
    "must promote the user; state it and accept.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html",
    ),
))
def cognito_admin_self_signup(component: Component, model: Model) -> Verdict:
    """Fires when an administrative pool allows self-registration."""
    if not _admin_pool(component):
        return Skip("not an administrative user pool")
    if component.prop("self_signup") is not True:
        return PASS
    return Fire(("administrative pool", "properties.self_signup: true"))


@rule(RuleMeta(
    id="aws-cognito-weak-password-policy",
    title="{element} accepts short passwords ({detail})",
    description="A minimum length under 12 characters leaves accounts within reach of offline "
    "cracking of leaked hashes elsewhere and of online guessing with common-password lists.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(S,), cwe=(521,), capec=(16, 49),
    asvs=("V2.1.1",), attack=("T1110",), tech=_COGNITO_TECH, domain=DOMAIN,
    compliance=("pci-dss-4.0:8.3.6",),
    properties=frozenset({"password_min_length"}),
    mitigations=(
        "Set the password policy's MinimumLength to 12 or more (15 for administrators), drop "
        "composition rules that push users to predictable patterns, and enable compromised-"
        "credential detection (threat protection).",
    ),
    detection="Cognito component with `properties.password_min_length` below 12.",
    false_positives="Pools where passwords are only a second factor behind passkeys.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html",
    ),
))
def cognito_weak_password_policy(component: Component, model: Model) -> Verdict:
    """Fires when the pool's minimum password length is below 12."""
    length = whole_number(component.prop("password_min_length"))
    if length is None or length >= 12:
        return PASS
    return Fire((f"properties.password_min_length: {length}",), detail=f"minimum {length}")


@rule(RuleMeta(
    id="aws-cognito-unauthenticated-identities",
    title="{element} hands AWS credentials to unauthenticated guests",
    description="With unauthenticated identities enabled, anyone who knows the identity pool id "
    "(public in the front end) receives temporary AWS credentials for the guest role; if that "
    "role can read data or call services, those are public.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E, INFO), cwe=(284, 306), capec=(115,),
    asvs=("V4.1.3",), attack=("T1078.004",), tech=_COGNITO_TECH, domain=DOMAIN,
    properties=frozenset({"allow_unauthenticated_identities"}),
    mitigations=(
        "Disable unauthenticated identities, or give the guest role only the actions a guest "
        "needs (e.g. a single Pinpoint or Location action) scoped to named resources.",
    ),
    detection="Cognito component with `properties.allow_unauthenticated_identities: true`, unless "
    "`properties.unauthenticated_role_actions` is stated and grants no wildcard or data-plane "
    "action.",
    false_positives="Guest roles already limited to harmless actions; state them in "
    "unauthenticated_role_actions.",
    references=("https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools.html",),
))
def cognito_unauthenticated_identities(component: Component, model: Model) -> Verdict:
    """Fires when guests receive AWS credentials through a role that is not known to be harmless."""
    if component.prop("allow_unauthenticated_identities") is not True:
        return PASS
    actions = listed(component.prop("unauthenticated_role_actions"))
    risky = [a for a in actions if "*" in a
             or any(_covers(a, known) for known in _DATA_PLANE_ACTIONS)]
    if actions and not risky:
        return PASS
    evidence = ["properties.allow_unauthenticated_identities: true"]
    evidence.append(f"guest role allows {', '.join(risky)}" if risky
                    else "guest role permissions not stated")
    return Fire(tuple(evidence))


RULES: tuple[Rule, ...] = (
    s3_bucket_policy_public,
    s3_public_acl,
    s3_sse_kms_not_enforced,
    s3_audit_bucket_mutable,
    s3_insecure_transport_allowed,
    s3_object_access_not_logged,
    iam_full_admin,
    iam_service_wildcard_action,
    iam_wildcard_resource,
    iam_privilege_escalation,
    iam_long_lived_access_keys,
    iam_cross_account_without_external_id,
    iam_role_trusts_anyone,
    root_user_in_use,
    root_user_without_mfa,
    cloudtrail_disabled,
    guardduty_disabled,
    vpc_flow_logs_disabled,
    cloudtrail_trail_weak,
    kms_key_policy_public,
    kms_key_policy_delegates_to_iam,
    rds_publicly_accessible,
    rds_tls_not_enforced,
    rds_snapshot_public,
    dynamodb_no_pitr,
    opensearch_outside_vpc,
    opensearch_transport_unencrypted,
    sg_admin_port_open,
    sg_database_port_open,
    eks_public_endpoint_open,
    ecr_scan_on_push_disabled,
    ecr_mutable_tags,
    lambda_secrets_in_environment,
    lambda_function_url_unauthenticated,
    lambda_shared_execution_role,
    apigw_route_without_authorizer,
    apigw_api_key_as_authentication,
    apigw_full_request_logging,
    apigw_cloudfront_bypass,
    cloudfront_weak_viewer_tls,
    cloudfront_origin_unencrypted,
    resource_policy_public,
    sqs_sns_unencrypted,
    secretsmanager_rotation,
    cognito_mfa_not_enforced,
    cognito_admin_self_signup,
    cognito_weak_password_policy,
    cognito_unauthenticated_identities,
)
