"""Data protection rules: stored credentials, stores of record, pre-signed URLs, secrets in
configuration and the audit logs that make actions attributable.

Each rule reports an applicable threat where the graph gives a concrete reason (a store that
keeps credentials, a store of financial records that our processes write, a flow that uses a
pre-signed URL, a process that uses secrets it fetches from nowhere, a log store that receives
the records of actions that need attributing) and the deciding fact is unstated; stating the
weak value makes it the finding with the same fingerprint. The facts are documented in
``docs/rules/data-properties.md``. Encryption at rest, cleartext flows, rotation, sensitive
logging and audit trails at the acting component are the generic rules' (``stride.py``); the
AWS settings of S3, RDS, DynamoDB, OpenSearch, Lambda and CloudTrail are ``aws.py``'s.
"""

from __future__ import annotations

from threatforge.model import (
    Authn,
    Classification,
    Component,
    ComponentKind,
    DataAsset,
    Flow,
    Model,
)
from threatforge.rules.builtin._facts import (
    INFO,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    SERVICE_SECRET_CATEGORIES,
    D,
    R,
    S,
    T,
    actions_to_attribute,
    assets,
    at_least,
    fetches_secrets,
    flow_prop,
    ids,
    in_cde,
    in_cluster,
    in_pci_scope,
    names,
    records_of,
    said,
    show,
    tech_is,
    whole_number,
    with_category,
    word,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    DataScope,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "generic"

_STORES_CREDENTIALS = DataScope(categories=("credentials",), stored=True)
_SLOW_HASHES = ("argon2", "bcrypt", "scrypt", "pbkdf2", "yescrypt")
_RECOVERABLE = frozenset({
    "none", "plaintext", "plain", "clear", "cleartext", "encrypted", "reversible", "base64",
    "md5", "sha1", "sha-1", "sha256", "sha-256", "sha512", "sha-512", "unsalted",
})


# --- credential storage -----------------------------------------------------------------------


@rule(RuleMeta(
    id="data-credentials-stored-recoverable",
    title="{element} stores credentials in a recoverable form",
    description="Passwords or API keys kept in clear, encrypted, or under a fast hash are handed "
    "over with the first database dump, backup or SQL injection: an attacker logs in as every "
    "user or partner, and reused passwords open their other accounts too.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO, S), cwe=(256, 916),
    capec=(55,), asvs=("V2.4.1", "V2.4.3"), attack=("T1110.002", "T1552"),
    kinds=frozenset({ComponentKind.DATASTORE, ComponentKind.CACHE}), domain=DOMAIN,
    data=_STORES_CREDENTIALS,
    compliance=("pci-dss-4.0:8.3.2",),
    mitigations=(
        "Store passwords only as salted slow hashes: Argon2id (19 MiB, 2 iterations) or bcrypt "
        "(cost 12+), rehashing old hashes at the next login.",
        "Store API keys and client secrets as an HMAC-SHA-256 (keyed with a secret from the "
        "secrets store) of a random key of 128 bits or more; show the key once at creation and "
        "look it up by a non-secret prefix.",
    ),
    detection="One of our datastores or caches that stores data of category `credentials`, with "
    "`properties.password_hashing` naming a recoverable scheme (none, plaintext, encrypted, "
    "md5, sha1, sha256...) or `properties.api_keys_hashed: false`. An applicable threat (with "
    "the question) while neither is stated; a slow hash (argon2id, bcrypt, scrypt, pbkdf2) "
    "or `api_keys_hashed: true` rules it out.",
    false_positives="Stores that keep only hashes the identity provider computed; state the "
    "scheme.",
    references=("https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",),
    asks=(Ask(
        "How does {element} store the passwords or API keys it keeps (salted slow hash, "
        "keyed hash, or recoverable)?",
        (AskFact("properties.password_hashing", confirms=("none",), rules_out=("argon2id",)),
         AskFact("properties.api_keys_hashed", confirms=("false",), rules_out=("true",))),
        threat="Credentials stored in {element} may be recovered from a dump or backup "
        "(credential storage)",
    ),),
))
def credentials_stored_recoverable(component: Component, model: Model) -> Verdict:
    """A store of credentials that keeps them in a form an attacker can reverse."""
    if not component.ours:
        return Skip("not a system component of ours")
    held = with_category(assets(model, component.stores), "credentials")
    if not held:
        return Skip("stores no credentials")
    scheme = word(component.prop("password_hashing"))
    keys_hashed = component.prop("api_keys_hashed")
    weak = []
    if scheme is not None and scheme in _RECOVERABLE:
        weak.append(f"properties.password_hashing: {scheme}")
    if keys_hashed is False:
        weak.append("properties.api_keys_hashed: false")
    if weak:
        return Fire((f"stores {names(held)}", *weak), data=ids(held))
    if scheme is not None and scheme.startswith(_SLOW_HASHES):
        return RuledOut((f"properties.password_hashing: {scheme}",))
    if keys_hashed is True:
        return RuledOut(("properties.api_keys_hashed: true",))
    if scheme is None and keys_hashed is None:
        return Unknown(("properties.password_hashing",),
                       why=(f"stores {names(held)}", "how they are stored is not stated"),
                       data=ids(held))
    return PASS


# --- stores of record: backups and restore ----------------------------------------------------


_OBJECT_STORES = ("aws.s3*", "gcp.gcs*", "gcs*", "azure.blob*", "minio*")
_PROTECTED_BACKUPS = frozenset({"cross-account", "vault-lock", "immutable", "air-gapped"})
_NO_BACKUPS = frozenset({"none", "no", "false", "disabled", "off"})


@rule(RuleMeta(
    id="data-store-of-record-unrecoverable",
    title="{element} keeps financial records without protected backups",
    description="A store of record (a ledger, balances, orders, invoices) whose backups are "
    "missing, or deletable with the same credentials as the data, is lost for good to a faulty "
    "migration, a compromised role or ransomware: money owed cannot be reconstructed.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T, D), cwe=(693,),
    asvs=("V8.1.5",), attack=("T1485", "T1490"), kinds=frozenset({ComponentKind.DATASTORE}),
    domain=DOMAIN, data=DataScope(categories=("financial",), at_least=Classification.RESTRICTED,
                                  stored=True),
    compliance=("pci-dss-4.0:12.10.1",),
    mitigations=(
        "Enable automated backups with point-in-time recovery (RDS/Aurora backup retention of "
        "7-35 days, deletion protection on the instance or cluster).",
        "Copy backups to a separate backup account with AWS Backup and a vault lock in "
        "compliance mode, so that the workload's roles cannot delete them; test a restore "
        "regularly.",
    ),
    detection="One of our datastores that stores restricted financial data (a ledger, balances) "
    "and is written by "
    "our processes, with `properties.backups: none`. An applicable threat (with the question) "
    "while `properties.backups` is not stated; `cross-account`, `vault-lock`, `immutable` or "
    "`air-gapped` rules it out. Object stores (S3, GCS, Azure Blob) are not databases of "
    "record and are not asked; DynamoDB tables are left to "
    "aws-dynamodb-no-point-in-time-recovery.",
    false_positives="Stores rebuilt from an authoritative source (projections, read replicas, "
    "caches of a ledger kept elsewhere).",
    references=("https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html",),
    asks=(Ask(
        "Is {element} backed up with point-in-time recovery, to copies its own roles cannot "
        "delete (another account, a vault lock)?",
        (AskFact("properties.backups", confirms=("none",), rules_out=("cross-account",)),),
        threat="Financial records in {element} may be lost or corrupted beyond recovery (no "
        "protected backups)",
    ),),
))
def store_of_record_unrecoverable(component: Component, model: Model) -> Verdict:
    """A store of financial records whose backups could not restore it."""
    if not component.ours:
        return Skip("not a system component of ours")
    if tech_is(component, ("aws.dynamodb*",)):
        return Skip("a DynamoDB table, whose recovery is asked as its AWS setting")
    if tech_is(component, _OBJECT_STORES):
        return Skip("an object store: documents, not a database of record")
    records = records_of(model, component)
    if not records:
        return Skip("stores no restricted financial records")
    writers = sorted({f.source for f in model.graph.flows_in(component.id)
                      if model.components[f.source].ours
                      and model.components[f.source].kind in PROCESS_KINDS
                      and flow_prop(f, "access") != "read"})
    if not writers:
        return PASS  # nothing of ours writes it: a replica or an import
    stated = word(component.prop("backups"))
    if stated in _NO_BACKUPS:
        return Fire((f"stores {names(records)}", f"properties.backups: {stated}"),
                    data=ids(records))
    if stated in _PROTECTED_BACKUPS:
        return RuledOut((f"properties.backups: {stated}",))
    if stated is not None:
        return PASS  # described in words: the team considered it
    return Unknown(("properties.backups",),
                   why=(f"stores {names(records)}", f"written by {', '.join(writers)}",
                        "backups are not stated"),
                   data=ids(records))


# --- pre-signed URLs ----------------------------------------------------------------------------

_SHORT_URL_SECONDS = 900
_LONG_URL_SECONDS = 3600


@rule(RuleMeta(
    id="data-presigned-url-long-lived",
    title="Pre-signed URLs on {element} stay valid for too long",
    description="A pre-signed URL is a bearer capability: whoever holds it (a forwarded e-mail, "
    "a browser history, a proxy or CDN log, a referrer header) reads or writes the object until "
    "it expires, without any login. Long lifetimes turn one leaked link into lasting access.",
    target=Target.FLOW, likelihood=3, impact=3, stride=(INFO,), cwe=(613, 598), capec=(60,),
    asvs=("V3.5.3",), attack=("T1530",), domain=DOMAIN,
    mitigations=(
        "Sign URLs for one object and one method with an expiry of minutes (S3 "
        "`ExpiresIn` 300-900 seconds), issued only after the service checked the caller's "
        "access to that object; sign with the short-lived credentials of a role, whose expiry "
        "also ends the URL.",
        "Serve downloads with `Cache-Control: no-store` and `Referrer-Policy: no-referrer`, and "
        "keep URLs out of logs.",
    ),
    detection="Flow with `authn: presigned-url` carrying confidential or restricted data (or "
    "to or from a store of such data) with `properties.url_ttl_seconds` above 3600. An "
    "applicable threat (with the question) while it is not stated; 900 seconds or less rules "
    "it out.",
    false_positives="Links to public objects; they need no signature at all.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html",
    ),
    asks=(Ask(
        "How long are the pre-signed URLs on {element} valid (seconds), and are they issued for "
        "one object after an access check?",
        (AskFact("properties.url_ttl_seconds", confirms=("604800",), rules_out=("300",)),),
        threat="A leaked or forwarded pre-signed URL on {element} may give lasting access to "
        "the object (pre-signed URL leakage)",
    ),),
))
def presigned_url_long_lived(flow: Flow, model: Model) -> Verdict:
    """Pre-signed URLs that keep working long after they were handed out."""
    if flow.effective_authn is not Authn.PRESIGNED_URL:
        return PASS
    data = at_least(model.graph.flow_data(flow), Classification.CONFIDENTIAL)
    for end in (flow.source, flow.target):
        data += at_least(assets(model, model.components[end].stores), Classification.CONFIDENTIAL)
    data = sorted({a.id: a for a in data}.values(), key=lambda a: a.id)
    if not data:
        return Skip("carries no confidential or restricted data")
    stated = flow_prop(flow, "url_ttl_seconds")
    seconds = whole_number(stated)
    if stated is None:
        return Unknown(("properties.url_ttl_seconds",),
                       why=("authn: presigned-url", f"gives access to {names(data)}",
                            "the URLs' lifetime is not stated"), data=ids(data))
    if seconds is None:
        return PASS
    if seconds > _LONG_URL_SECONDS:
        return Fire(("authn: presigned-url", f"properties.url_ttl_seconds: {seconds}",
                     f"gives access to {names(data)}"), data=ids(data))
    if seconds <= _SHORT_URL_SECONDS:
        return RuledOut((f"properties.url_ttl_seconds: {seconds}",))
    return PASS


# --- secrets in configuration -------------------------------------------------------------------

@rule(RuleMeta(
    id="data-secrets-in-configuration",
    title="{element} keeps secrets in its environment or configuration",
    description="Secret values in environment variables, task definitions or configuration "
    "files are shown in consoles and deployment tools, dumped by crash reports and debug "
    "endpoints, and copied into infrastructure state and images: everyone who can read the "
    "deployment reads the secret.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(526, 522),
    capec=(37,), asvs=("V2.10.4", "V6.4.1"), attack=("T1552.001",), kinds=PROCESS_KINDS,
    domain=DOMAIN, compliance=("pci-dss-4.0:8.3.2", "pci-dss-4.0:8.6.2"),
    mitigations=(
        "Fetch secrets at start-up from a secrets store (AWS Secrets Manager, SSM Parameter "
        "Store SecureString, Vault) with the workload's role, or inject them as references "
        "(ECS `secrets` with `valueFrom`) rather than values.",
        "Keep configuration files free of secret values and scan images and repositories for "
        "them in CI.",
    ),
    detection="One of our processes (not a Lambda function, left to "
    "aws-lambda-secrets-in-environment, nor a Kubernetes workload, left to k8s-secrets-in-env) "
    "that uses data of category `secrets` or `crypto-keys` and has no flow to or from a "
    "secrets store or key management service, with `properties.secrets_in_env: true`. An "
    "applicable threat (with the question) while it is not stated.",
    false_positives="Secrets injected by the platform from a secrets store at start-up (ECS "
    "`valueFrom`); draw the flow to the secrets store, or state `secrets_in_env: false`.",
    references=("https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",),
    asks=(Ask(
        "Where does {element} get the secrets it uses: are any set as plain environment "
        "variables or written in its configuration?",
        (AskFact("properties.secrets_in_env", confirms=("true",), rules_out=("false",)),),
        threat="Secrets used by {element} may be read from its environment or configuration "
        "by anyone who can read the deployment (secret exposure)",
    ),),
))
def secrets_in_configuration(component: Component, model: Model) -> Verdict:
    """A process whose secrets live in its environment or configuration files."""
    if not component.ours:
        return Skip("not a system component of ours")
    if tech_is(component, ("aws.lambda*",)):
        return Skip("a Lambda function, whose environment is asked as its AWS setting")
    if in_cluster(model, component):
        return Skip("a Kubernetes workload, whose secrets are asked in its manifest")
    stated = component.prop("secrets_in_env")
    if stated is True or (isinstance(stated, list) and stated):
        return Fire((said("secrets_in_env", stated),), data=ids(_secrets_used(model, component)))
    if stated is False or stated == []:
        return RuledOut((f"properties.secrets_in_env: {show(stated)}",))
    used = _secrets_used(model, component)
    if not used or fetches_secrets(model, component):
        return PASS
    return Unknown(("properties.secrets_in_env",),
                   why=(f"uses {names(used)}",
                        "has no flow to a secrets store or key management service"),
                   data=ids(used))


def _secrets_used(model: Model, component: Component) -> list[DataAsset]:
    """The secrets and keys of the system's own that the component uses."""
    return with_category(model.graph.data_of(component.id), *SERVICE_SECRET_CATEGORIES)


# --- audit log stores ---------------------------------------------------------------------------


@rule(RuleMeta(
    id="data-audit-log-store-mutable",
    title="Audit records in {element} can be altered or deleted",
    description="Audit records are only evidence if the people and services they record cannot "
    "edit or delete them: a log store that its writers (or an administrator of the account) "
    "can change lets an insider or intruder remove the trace of what they did.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(R, T), cwe=(353, 778),
    capec=(268,), asvs=("V7.3.3",), attack=("T1070",),
    kinds=frozenset({ComponentKind.MONITORING}), domain=DOMAIN,
    compliance=("pci-dss-4.0:10.3.2", "pci-dss-4.0:10.3.3"),
    mitigations=(
        "Ship audit records to a store their writers cannot change: a log-archive account "
        "(CloudWatch Logs subscription to S3 with Object Lock in compliance mode), or a SIEM "
        "the workload accounts only append to; deny logs:DeleteLogGroup, DeleteLogStream and "
        "PutRetentionPolicy to workload roles in an SCP.",
        "Chain or sign the records (hash chaining, CloudTrail log file validation) and alert "
        "when the chain breaks or records stop arriving.",
    ),
    detection="One of our monitoring components that receives flows from processes whose "
    "actions need attributing (administrative interfaces, processes staff act through, refund "
    "issuers, partner APIs recording financial data), with `logging.tamper_evident: false`. "
    "An applicable threat (with the question) while `logging` is not stated. S3 buckets and "
    "CloudTrail trails are left to aws-s3-audit-bucket-mutable and aws-cloudtrail-trail-weak, "
    "monitoring of a PCI DSS CDE to pci-cde-audit-log-integrity.",
    false_positives="Operational log stores that hold no audit records; say so in a "
    "`not-applicable` decision.",
    references=("https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html",),
    asks=(Ask(
        "Are the audit records in {element} tamper-evident (append-only for their writers, "
        "chained or signed, in a store the workload cannot delete)?",
        (AskFact("logging", confirms=("{enabled: true, tamper_evident: false}",),
                 rules_out=("{enabled: true, tamper_evident: true}",)),),
        threat="Audit records in {element} may be edited or deleted by those they record "
        "(repudiation)",
    ),),
))
def audit_log_store_mutable(component: Component, model: Model) -> Verdict:
    """A store of audit records that its writers can change."""
    if not component.ours:
        return Skip("not a system component of ours")
    if tech_is(component, ("aws.s3*", "aws.cloudtrail*")):
        return Skip("an S3 bucket or CloudTrail trail, asked as its AWS settings")
    if in_pci_scope(model) and (in_cde(model, component.id) or any(
            in_cde(model, f.source) for f in model.graph.flows_in(component.id))):
        return Skip("holds logs of the PCI DSS cardholder data environment")
    writers = sorted({f.source for f in model.graph.flows_in(component.id)
                      if actions_to_attribute(model, model.components[f.source])})
    if not writers:
        return Skip("receives no records of actions that need attributing")
    tamper = component.logging.tamper_evident if component.logging is not None else None
    if tamper is False:
        return Fire((f"receives the records of {', '.join(writers)}",
                     "logging.tamper_evident: false"))
    if tamper is True:
        return RuledOut(("logging.tamper_evident: true",))
    if component.logging is not None:
        return PASS
    return Unknown(("logging",),
                   why=(f"receives the records of {', '.join(writers)}, whose actions need "
                        "attributing", "tamper evidence is not stated"))


# --- data leakage through relays -------------------------------------------------------------


def _relayed(model: Model, flow: Flow) -> tuple[list[DataAsset], list[str]]:
    """The confidential data a flow hands a third party that delivers messages on to people's
    devices (a push, SMS or e-mail provider), and those devices."""
    graph = model.graph
    onward = [f.target for f in graph.flows_out(flow.target)
              if model.components[f.target].kind in PEOPLE_KINDS]
    if not onward:
        return [], []
    data = at_least(graph.flow_data(flow), Classification.CONFIDENTIAL)
    return data, sorted(set(onward))


@rule(RuleMeta(
    id="data-sensitive-payload-via-relay",
    title="Sensitive data is sent through relay {element} to people's devices",
    description="Push, SMS and e-mail providers deliver what they are given: content in the "
    "payload is readable by the provider, kept in its logs, and shown on lock screens, "
    "notification centres and shared devices, outside the app's login.",
    target=Target.FLOW, likelihood=3, impact=3, stride=(INFO,), cwe=(200, 359), capec=(117,),
    asvs=("V8.3.1",), domain=DOMAIN,
    source_kinds=PROCESS_KINDS, target_kinds=frozenset({ComponentKind.EXTERNAL_SERVICE}),
    data=DataScope(at_least=Classification.CONFIDENTIAL),
    mitigations=(
        "Send a content-free notification (\"You have a new message\") or an opaque reference, "
        "and let the app fetch the content over its authenticated API.",
        "Where content must travel, encrypt the payload end to end (a key the app holds, "
        "decrypted in a notification service extension) and mark it hidden on lock screens.",
    ),
    detection="Flow from one of our processes to an external service that delivers onward to "
    "people's devices (a flow from it to a client or actor), carrying confidential or "
    "restricted data, with `properties.payload_minimised: false`. An applicable threat (with "
    "the question) while it is not stated.",
    false_positives="Relays under a data processing agreement whose payloads the app "
    "end-to-end encrypts; state `payload_minimised: true`.",
    references=("https://owasp.org/www-project-mobile-top-10/",),
    asks=(Ask(
        "Does {element} hand the relay only content-free notices or references (or payloads "
        "encrypted for the app), never the sensitive data itself?",
        (AskFact("properties.payload_minimised", confirms=("false",), rules_out=("true",)),),
        threat="Sensitive data sent on {element} may be read by the relay or on lock screens "
        "(data leakage through notifications)",
    ),),
))
def sensitive_payload_via_relay(flow: Flow, model: Model) -> Verdict:
    """Sensitive content handed to a provider that delivers it to people's devices."""
    if not model.components[flow.source].ours:
        return Skip("not sent by a system component of ours")
    data, devices = _relayed(model, flow)
    if not devices:
        return Skip("the third party delivers nothing on to people's devices")
    if not data:
        return Skip("carries no confidential or restricted data")
    stated = flow_prop(flow, "payload_minimised")
    if stated is True:
        return RuledOut(("properties.payload_minimised: true",))
    if stated is False:
        return Fire((f"carries {names(data)} to '{flow.target}'",
                     f"'{flow.target}' delivers to {', '.join(devices)}",
                     "properties.payload_minimised: false"), data=ids(data))
    return Unknown(("properties.payload_minimised",),
                   why=(f"carries {names(data)} to '{flow.target}'",
                        f"'{flow.target}' delivers on to {', '.join(devices)}"),
                   data=ids(data))


RULES: tuple[Rule, ...] = (
    credentials_stored_recoverable,
    store_of_record_unrecoverable,
    presigned_url_long_lived,
    secrets_in_configuration,
    audit_log_store_mutable,
    sensitive_payload_via_relay,
)
