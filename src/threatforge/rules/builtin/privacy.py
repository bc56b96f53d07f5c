"""Privacy rules: LINDDUN categories and GDPR (transfers, retention, minimisation).

*Personal data* here is a data asset with category ``pii``, ``pii.special``, ``health``,
``biometric`` or ``location``; *special-category data* (GDPR Art. 9) is ``pii.special``,
``health`` or ``biometric``. Card data (``pci.*``) is left to the payments rules. Regions come
from the zones (``region:`` on a boundary or the nearest enclosing one) and are sorted into the
EEA, countries with an EU adequacy decision, and third countries (see
``docs/rules/privacy-properties.md``).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from threatforge.model import (
    Authn,
    Component,
    ComponentKind,
    ControlStatus,
    DataAsset,
    EncryptionAtRest,
    Flow,
    Model,
)
from threatforge.model.schema import PropertyValue
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    INFO,
    INTO_TELEMETRY,
    OUTSIDE_KINDS,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    SPECIAL_CATEGORIES,
    STORE_KINDS,
    assets,
    corporate_zone,
    declares,
    enclosing_zones,
    exposed,
    exposure_words,
    flow_prop,
    ids,
    is_telemetry,
    names,
    staff_users,
    with_category,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    DataScope,
    ElementSet,
    Fire,
    Linddun,
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

__all__ = ["RULES", "is_person", "jurisdiction"]

LINKING = Linddun.LINKING
IDENTIFYING = Linddun.IDENTIFYING
NON_REPUDIATION = Linddun.NON_REPUDIATION
DETECTING = Linddun.DETECTING
DISCLOSURE = Linddun.DATA_DISCLOSURE
UNAWARENESS = Linddun.UNAWARENESS
NON_COMPLIANCE = Linddun.NON_COMPLIANCE

DOMAIN = "privacy"
GDPR = "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
LINDDUN_THREATS = "https://linddun.org/threat-types/"
ASVS = "https://owasp.org/www-project-application-security-verification-standard/"

PERSONAL = frozenset({"pii", "pii.special", "health", "biometric", "location"})
SPECIAL = SPECIAL_CATEGORIES
OUTSIDE = OUTSIDE_KINDS
PEOPLE = PEOPLE_KINDS
PRIVACY_REGIMES = ("gdpr", "uk-gdpr", "ccpa", "cpra", "lgpd", "pipeda", "popia", "appi")
PERSONAL_DATA = DataScope(categories=tuple(sorted(PERSONAL)))
"""Elements holding personal data (a rule scope; ``pii`` also covers its sub-categories)."""
STORED_PERSONAL = DataScope(categories=tuple(sorted(PERSONAL)), stored=True)
"""Components that store personal data (a rule scope)."""
STORED_SPECIAL = DataScope(categories=tuple(sorted(SPECIAL)), stored=True)
"""Components that store special-category personal data (a rule scope)."""
NO_VALUES = frozenset({"", "none", "no", "false", "off", "disabled"})
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_STORES_NO_PERSONAL_DATA = Skip("stores no personal data")
_STORES_NO_SPECIAL_CATEGORY_DATA = Skip("stores no special-category data")
_NOT_OURS = Skip("not a system component of ours")
_RECEIVES_NO_PERSONAL_DATA = Skip("receives no personal data")
_COLLECTS_NO_PERSONAL_DATA = Skip("collects no personal data")
_NOT_A_PERSON = Skip("sent by a machine, not a person (properties.machine, or machine credentials "
                     "on every flow it sends): not a data subject")
_CARRIES_NO_PERSONAL_DATA = Skip("carries no personal data")
_NOT_INTO_TELEMETRY = Skip("not a flow into monitoring or analytics")
_REGION_NOT_KNOWN = Skip("the region of an end is not known")

# --- jurisdictions ----------------------------------------------------------------------------

EEA = "eea"
ADEQUATE = "adequate"
THIRD_COUNTRY = "third-country"

_ADEQUATE_REGIONS = frozenset({
    # United Kingdom
    "uk", "gb", "eu-west-2", "europe-west2", "uksouth", "ukwest",
    # Switzerland
    "ch", "eu-central-2", "europe-west6", "switzerlandnorth", "switzerlandwest",
    # Japan
    "jp", "ap-northeast-1", "ap-northeast-3", "asia-northeast1", "asia-northeast2",
    "japaneast", "japanwest",
    # Republic of Korea
    "kr", "ap-northeast-2", "asia-northeast3", "koreacentral", "koreasouth",
    # Canada (commercial organisations)
    "ca", "ca-central-1", "ca-west-1", "northamerica-northeast1", "northamerica-northeast2",
    "canadacentral", "canadaeast",
    # Israel and New Zealand
    "il", "il-central-1", "me-west1", "israelcentral", "nz", "ap-southeast-6",
})
_EEA_REGIONS = frozenset({
    "eu", "eea", "europe", "westeurope", "northeurope", "francecentral", "francesouth",
    "germanywestcentral", "germanynorth", "swedencentral", "swedensouth", "italynorth",
    "polandcentral", "spaincentral", "norwayeast", "norwaywest", "austriaeast",
    "belgiumcentral", "denmarkeast",
})
_THIRD_COUNTRY_REGIONS = frozenset({
    "us", "usa", "cn", "in", "br", "sg", "au", "eastus", "eastus2", "westus", "westus2",
    "westus3", "centralus", "southcentralus", "northcentralus", "westcentralus", "brazilsouth",
    "southeastasia", "eastasia", "australiaeast", "australiasoutheast", "centralindia",
    "southindia", "uaenorth", "southafricanorth", "mexicocentral", "qatarcentral",
})


@functools.lru_cache(maxsize=1024)
def jurisdiction(region: str) -> str | None:
    """``eea``, ``adequate`` (an EU adequacy decision), ``third-country``, or None if unknown.

    Understands AWS (``eu-west-1``), Google Cloud (``europe-west3``) and Azure (``westeurope``)
    region names and ISO-style short names (``eu``, ``us``, ``uk``).
    """
    name = region.strip().lower()
    if name in _ADEQUATE_REGIONS:
        return ADEQUATE
    if name in _EEA_REGIONS or name.startswith(("eu-", "europe-")):
        return EEA
    if name in _THIRD_COUNTRY_REGIONS:
        return THIRD_COUNTRY
    parts = name.split("-")
    if len(parts) >= 2 and parts[-1][-1:].isdigit() and all(p.isalnum() for p in parts):
        return THIRD_COUNTRY  # a cloud region name outside the EEA and adequacy list
    return None


# --- small facts ------------------------------------------------------------------------------


def _personal(found: Iterable[DataAsset]) -> list[DataAsset]:
    """The personal data among the assets."""
    return [a for a in found if _is_personal(tuple(a.categories))]


@functools.lru_cache(maxsize=1024)
def _is_personal(categories: tuple[str, ...]) -> bool:
    # decided once per distinct list of categories: asked of every flow's data
    return not PERSONAL.isdisjoint(categories)


def _special(found: Iterable[DataAsset]) -> list[DataAsset]:
    """The special-category personal data among the assets."""
    return [a for a in found if SPECIAL & set(a.categories)]


def _received(model: Model, component: Component) -> list[DataAsset]:
    """Personal data on flows into the component, in id order."""
    return sorted(_personal(model.graph.data_into(component.id)), key=lambda a: a.id)


def _flows_to_third_parties(model: Model) -> list[Flow]:
    """The flows into external services (found once per model)."""
    def find() -> list[Flow]:
        graph = model.graph
        return [f for cid, c in model.components.items()
                if c.kind is ComponentKind.EXTERNAL_SERVICE for f in graph.flows_in(cid)]

    return model.graph.memo(("flows-to-third-parties",), find)


def _first(*values: PropertyValue | None) -> PropertyValue | None:
    """The first stated value."""
    return next((v for v in values if v is not None), None)


def _in_eea(model: Model, component_id: str) -> bool:
    """Whether the component's zone is in an EEA region."""
    region = model.graph.region_of(component_id)
    return region is not None and jurisdiction(region) == EEA


def _regime_words(model: Model, component_id: str) -> str:
    """Why privacy law applies to the component, in words ("" when it does not): the system
    declares a privacy regulation, or the component sits in an EEA region."""
    declared = [c for c in model.system.compliance
                if any(c.lower().startswith(r) for r in PRIVACY_REGIMES)]
    if declared:
        return f"system.compliance: [{', '.join(declared)}]"
    if _in_eea(model, component_id):
        return f"in EEA region {model.graph.region_of(component_id)}"
    return ""


def _said(pattern: re.Pattern[str], texts: Iterable[str]) -> str:
    """The first phrase the pattern finds in the texts, lower-cased ("" when none)."""
    for text in texts:
        found = pattern.search(text.lower())
        if found:
            return found.group(0)
    return ""


def _mitigated_by_control(model: Model, rule_id: str) -> list[str]:
    """Implemented controls that state they mitigate the rule."""
    return sorted(c.id for c in model.controls.values()
                  if c.status is ControlStatus.IMPLEMENTED and rule_id in c.mitigates)


# --- linking and identifying ------------------------------------------------------------------


@rule(RuleMeta(
    id="privacy-analytics-not-pseudonymised",
    title="Personal data reaches analytics or telemetry on {element} without pseudonymisation",
    description="Logs, traces and analytics stores are queried by many people and joined with "
    "other datasets; direct identifiers in them let anyone single out, follow and link a "
    "person's activity across sessions and systems.",
    target=Target.FLOW, likelihood=3, impact=3, linddun=(LINKING, IDENTIFYING), stride=(INFO,),
    cwe=(359, 532), capec=(118,), asvs=("V7.1.2", "V8.3.5"), attack=("T1213",), domain=DOMAIN,
    compliance=("gdpr:art-5-1-c", "gdpr:art-25-1", "gdpr:art-32-1-a"),
    data=PERSONAL_DATA,
    among=INTO_TELEMETRY,
    mitigations=(
        "Replace identifiers with keyed pseudonyms (HMAC-SHA256 with a key kept in AWS KMS or "
        "Secrets Manager, rotated per purpose) before events leave the service, and drop free-text "
        "fields; mask the rest with CloudWatch Logs data protection or an OpenTelemetry "
        "Collector redaction processor.",
        "Keep the re-identification key away from the analytics team and the telemetry store.",
    ),
    detection="Flow into a monitoring component or an analytics store (see payments' "
    "pci-pan-in-telemetry for how analytics is recognised) carrying personal data, where "
    "neither the flow nor the target states `properties.pseudonymised: true`.",
    false_positives="Data already pseudonymised at the source: state `pseudonymised: true` on "
    "the flow, or model the pseudonymised data as its own asset without the `pii` category.",
    references=(LINDDUN_THREATS, "https://www.edpb.europa.eu/our-work-tools/documents/"
                "public-consultations/2025/guidelines-012025-pseudonymisation_en"),
))
def privacy_analytics_not_pseudonymised(flow: Flow, model: Model) -> Verdict:
    """Identifiers shipped to telemetry or analytics."""
    if not is_telemetry(model, flow.target):
        return _NOT_INTO_TELEMETRY
    target = model.components[flow.target]
    data = _personal(model.graph.flow_data(flow))
    if not data:
        return PASS
    if flow_prop(flow, "pseudonymised") is True or target.prop("pseudonymised") is True:
        return PASS
    kind = "monitoring" if target.kind is ComponentKind.MONITORING else "analytics"
    return Fire((f"carries {names(data)} into {kind} '{target.id}'",
                 "pseudonymised: not stated"), data=ids(data))


@rule(RuleMeta(
    id="privacy-identifier-linkable-across-third-parties",
    title="The same personal data {element} goes to several third parties, who can link it",
    description="Sending the same identifiers (e-mail, phone, device id) to several third "
    "parties gives each of them a join key: they can link the person's records across "
    "services, build a profile, and re-identify data that was meant to stay separate.",
    target=Target.DATA, likelihood=2, impact=3, linddun=(LINKING,), stride=(INFO,),
    cwe=(359,), capec=(118,), asvs=("V8.3.4",), domain=DOMAIN,
    compliance=("gdpr:art-5-1-b", "gdpr:art-5-1-c", "gdpr:art-25-2"),
    mitigations=(
        "Give each third party its own pseudonymous identifier (per-recipient HMAC of the "
        "customer id) instead of the shared e-mail or phone number, and send only the fields "
        "each one needs.",
    ),
    detection="Personal data asset carried to two or more different external-services on flows "
    "that do not state `properties.pseudonymised: true`.",
    false_positives="Independent recipients that each legitimately need the real identifier "
    "(e.g. a carrier and an e-mail provider both need the address); accept with justification.",
    references=(LINDDUN_THREATS,),
))
def privacy_identifier_linkable(asset: DataAsset, model: Model) -> Verdict:
    """One identifier, several third parties."""
    if not _personal([asset]):
        return Skip("not personal data")
    recipients = sorted({
        f.target for f in _flows_to_third_parties(model)
        if asset.id in f.data and flow_prop(f, "pseudonymised") is not True
    })
    if len(recipients) < 2:
        return PASS
    return Fire((f"'{asset.id}' is sent as is to {', '.join(recipients)}",), data=(asset.id,))


@rule(RuleMeta(
    id="privacy-personal-data-in-url",
    title="Personal data travels in URLs on {element}",
    description="Query strings and paths are written to access logs, proxies, browser history "
    "and Referer headers; personal data in them is disclosed to every system on the way and "
    "identifies the person in logs that are never meant to hold it.",
    target=Target.FLOW, likelihood=3, impact=3, linddun=(IDENTIFYING, DISCLOSURE),
    stride=(INFO,), cwe=(598,), capec=(37,), asvs=("V8.3.1",), attack=("T1552",),
    domain=DOMAIN, confidence=Confidence.HIGH, compliance=("gdpr:art-5-1-f", "gdpr:art-32-1"),
    data=PERSONAL_DATA, properties=frozenset({"personal_data_in_url"}),
    mitigations=(
        "Send personal data in the request body or headers (POST search endpoints instead of "
        "GET ?email=...), use opaque ids in paths, and set Referrer-Policy: no-referrer.",
        "Strip query strings from CloudFront, ALB and API Gateway access logs.",
    ),
    detection="Flow carrying personal data with `properties.personal_data_in_url: true`.",
    references=(ASVS, "https://cwe.mitre.org/data/definitions/598.html"),
))
def privacy_personal_data_in_url(flow: Flow, model: Model) -> Verdict:
    """Personal data in query strings or paths."""
    data = _personal(model.graph.flow_data(flow))
    if not data:
        return _CARRIES_NO_PERSONAL_DATA
    if flow_prop(flow, "personal_data_in_url") is not True:
        return PASS
    return Fire((f"carries {names(data)}", "properties.personal_data_in_url: true"),
                data=ids(data))


# --- non-repudiation and detecting ------------------------------------------------------------


def _immutable(component: Component) -> list[str]:
    """Evidence that the component's storage cannot be erased (object lock, WORM)."""
    evidence = []
    lock = component.prop("object_lock")
    if lock is True or (isinstance(lock, str) and lock.lower() not in NO_VALUES):
        evidence.append(f"properties.object_lock: {lock}")
    for key in ("immutable", "append_only", "worm"):
        if component.prop(key) is True:
            evidence.append(f"properties.{key}: true")
    return evidence


@rule(RuleMeta(
    id="privacy-immutable-personal-data",
    title="{element} keeps personal data in storage that cannot be erased",
    description="Write-once storage (Object Lock, append-only ledgers, WORM archives) holding "
    "personal data makes a permanent, undeniable record of what a person did and cannot honour "
    "erasure or rectification requests before the lock expires.",
    target=Target.COMPONENT, likelihood=3, impact=3, linddun=(NON_REPUDIATION, NON_COMPLIANCE),
    cwe=(359,), asvs=("V8.3.2", "V8.3.8"), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("gdpr:art-17", "gdpr:art-16", "gdpr:art-5-1-e"),
    data=STORED_PERSONAL,
    properties=frozenset({"object_lock", "immutable", "append_only", "worm"}),
    mitigations=(
        "Keep only pseudonymous references in immutable stores and the personal data in a "
        "mutable store, or encrypt each person's records with a per-person key (crypto-shredding: "
        "delete the key in KMS to erase them).",
        "Set the Object Lock retention to the legal minimum and document the legal obligation "
        "that requires immutability (GDPR Art. 17(3)(b)).",
    ),
    detection="Component that `stores` personal data with `properties.object_lock` set (not "
    "none/disabled) or `properties.immutable`, `append_only` or `worm` true.",
    false_positives="Audit trails that a law requires to be immutable; accept with the legal "
    "basis as justification.",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html",
                LINDDUN_THREATS),
))
def privacy_immutable_personal_data(component: Component, model: Model) -> Verdict:
    """Personal data in write-once storage."""
    data = _personal(assets(model, component.stores))
    if not data:
        return _STORES_NO_PERSONAL_DATA
    evidence = _immutable(component)
    if not evidence:
        return PASS
    return Fire((f"stores {names(data)}", *evidence), data=ids(data))


def _sign_in_why(model: Model, component: Component) -> tuple[str, ...]:
    """Why the component answers people's sign-in, sign-up or reset requests, in words
    (empty when it does not): exposed, it receives credentials from people who are not staff
    (directly or through one gateway, load balancer or CDN) and handles personal data."""
    if component.kind in EDGE_KINDS or component.kind in OUTSIDE:
        return ()
    if not exposed(model, component) or not _personal(model.graph.data_of(component.id)):
        return ()
    staff = staff_users(model)
    graph = model.graph
    senders: set[str] = set()
    for flow in graph.flows_in(component.id):
        source = model.components[flow.source]
        if source.kind in EDGE_KINDS:
            passed = {a.id for a in with_category(graph.flow_data(flow), "credentials")}
            hops = [f for f in graph.flows_in(source.id)
                    if passed & {a.id for a in with_category(graph.flow_data(f), "credentials")}]
        else:
            hops = [flow] if with_category(graph.flow_data(flow), "credentials") else []
        senders.update(
            f.source for f in hops
            if model.components[f.source].kind in PEOPLE and f.source not in staff
            and is_person(model, model.components[f.source])
        )
    if not senders:
        return ()
    return (exposure_words(model, component),
            f"people ({', '.join(sorted(senders))}) sign in or sign up with credentials")


SIGN_IN_ENDPOINTS = ElementSet(
    "sign-in-endpoints", "exposed services, functions and identity providers that people (not "
    "staff, not machines) send credentials to and that handle personal data, or that state "
    "properties.account_enumeration",
    lambda model: frozenset(
        cid for cid, c in model.components.items() if _sign_in_why(model, c)
    ) | frozenset(model.graph.components_stating("account_enumeration")),
)


@rule(RuleMeta(
    id="privacy-account-enumeration",
    title="{element} reveals whether a person has an account",
    description="Different answers for known and unknown e-mail addresses or phone numbers "
    "(on sign-in, sign-up or password reset) let anyone detect that a person uses the service, "
    "which is itself sensitive for health, dating, finance or political services, and feeds "
    "targeted phishing.",
    target=Target.COMPONENT, likelihood=3, impact=2, linddun=(DETECTING,), stride=(INFO,),
    cwe=(204, 203), capec=(575,), api_top10=("API2:2023",), attack=("T1589", "T1087"),
    kinds=PROCESS_KINDS | {ComponentKind.IDENTITY_PROVIDER}, domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("gdpr:art-5-1-f", "gdpr:art-25-1"),
    among=SIGN_IN_ENDPOINTS,
    mitigations=(
        "Return the same response, status and timing for known and unknown identifiers on "
        "sign-in, sign-up and password reset ('if an account exists, we sent an e-mail'); in "
        "Cognito enable PreventUserExistenceErrors, in Keycloak turn off 'user exists' hints.",
        "Rate-limit and add bot protection to these endpoints.",
    ),
    detection="Service, function, gateway or identity provider with "
    "`properties.account_enumeration: true`. Special-category data handled by it raises the "
    "impact. An applicable threat (account enumeration) on an exposed service, function or "
    "identity provider (not an edge component) that people who are not staff or machines send "
    "credentials to, directly or through one gateway or CDN, and that handles personal data, "
    "when `account_enumeration` is not stated.",
    references=("https://docs.aws.amazon.com/cognito/latest/developerguide/"
                "cognito-user-pool-managing-errors.html", LINDDUN_THREATS),
    asks=(Ask(
        "Do sign-in, sign-up and password reset on {element} answer the same way (message, "
        "status, timing) for known and unknown e-mail addresses or phone numbers?",
        (AskFact("properties.account_enumeration", confirms=("true",), rules_out=("false",)),),
        threat="Account enumeration: anyone may learn from {element} whether a person has an "
        "account",
    ),),
))
def privacy_account_enumeration(component: Component, model: Model) -> Verdict:
    """Observable account existence."""
    stated = component.prop("account_enumeration")
    if stated is False:
        return RuledOut(("properties.account_enumeration: false",))
    if stated is not True:
        why = _sign_in_why(model, component)
        if not why:
            return PASS
        return Unknown(("properties.account_enumeration",), why=why)
    data = _personal(model.graph.data_of(component.id))
    evidence = ["properties.account_enumeration: true"]
    if exposed(model, component):
        evidence.append(exposure_words(model, component))
    special = _special(data)
    if special:
        evidence.append(f"membership reveals special-category data {names(special)}")
    return Fire(tuple(evidence), data=ids(special or data))


# --- data disclosure --------------------------------------------------------------------------


@rule(RuleMeta(
    id="privacy-third-party-without-dpa",
    title="Personal data goes to processor {element} without a data processing agreement",
    description="A processor that receives personal data without a GDPR Art. 28 contract is not "
    "bound to use it only on your instructions, keep it confidential, secure it, help with "
    "data-subject requests, or delete it at the end of the service.",
    target=Target.COMPONENT, likelihood=3, impact=3, linddun=(DISCLOSURE, NON_COMPLIANCE),
    stride=(INFO,), cwe=(359,), asvs=("V8.3.4",), attack=("T1199",),
    kinds=frozenset({ComponentKind.EXTERNAL_SERVICE}), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("gdpr:art-28-3", "gdpr:art-28-1"),
    data=PERSONAL_DATA, properties=frozenset({"dpa", "dpa_signed"}),
    mitigations=(
        "Sign a DPA with the vendor before sending personal data (most SaaS vendors publish "
        "one), record it in the processor register, and review their sub-processors.",
        "Until then, send only data that is not personal (aggregates, keyed pseudonyms).",
    ),
    detection="External-service that receives personal data on a flow, states "
    "`properties.dpa: false` (or the older `dpa_signed: false`), and is not marked as an "
    "independent controller (`properties.gdpr_role: controller`). Unstated DPAs are not "
    "reported.",
    false_positives="Recipients that are controllers in their own right (a partner, a bank, a "
    "carrier): state `gdpr_role: controller`.",
    references=(GDPR, "https://www.edpb.europa.eu/our-work-tools/our-documents/guidelines/"
                "guidelines-072020-concepts-controller-and-processor-gdpr_en"),
))
def privacy_third_party_without_dpa(component: Component, model: Model) -> Verdict:
    """Processor without an Art. 28 contract."""
    data = _received(model, component)
    if not data:
        return _RECEIVES_NO_PERSONAL_DATA
    role = component.prop("gdpr_role")
    if isinstance(role, str) and "controller" in role.lower():
        return Skip("an independent controller, not a processor")
    dpa = _first(component.prop("dpa"), component.prop("dpa_signed"))
    if dpa is not False:
        return PASS
    key = "dpa" if component.prop("dpa") is not None else "dpa_signed"
    return Fire((f"receives {names(data)}", f"properties.{key}: false"), data=ids(data))


@rule(RuleMeta(
    id="privacy-special-category-not-app-encrypted",
    title="{element} stores special-category personal data without application-level encryption",
    description="Health, biometric and other Art. 9 data need more than storage encryption: with "
    "only disk or service-level encryption, every administrator, backup operator and SQL "
    "injection reads it in clear.",
    target=Target.COMPONENT, likelihood=2, impact=5, linddun=(DISCLOSURE,), stride=(INFO,),
    cwe=(311, 312), capec=(37,), asvs=("V6.1.1", "V6.1.2", "V8.3.7"), attack=("T1530",),
    domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("gdpr:art-9-1", "gdpr:art-32-1-a", "gdpr:art-25-1"),
    data=STORED_SPECIAL,
    mitigations=(
        "Encrypt special-category fields in the application (AWS Encryption SDK or DynamoDB "
        "Encryption Client with a customer-managed KMS key, PostgreSQL pgcrypto with keys held "
        "outside the database), so that the database and its backups hold ciphertext only.",
    ),
    detection="Component (not an actor, client or third party) that `stores` a `pii.special`, "
    "`health` or `biometric` asset with `encryption.at_rest` other than `application`. Unknown "
    "when `encryption.at_rest` is not stated. A data store, cache, queue or stream with "
    "`encryption.at_rest: none` is left to store-unencrypted-at-rest; restricted-data-provider-key "
    "leaves provider and kms keys on such data to this rule.",
    references=(GDPR, "https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/"
                "introduction.html"),
    supersedes=(Supersedes("restricted-data-provider-key"),),
))
def privacy_special_category_not_app_encrypted(component: Component, model: Model) -> Verdict:
    """Art. 9 data protected only by storage encryption."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    data = _special(assets(model, component.stores))
    if not data:
        return _STORES_NO_SPECIAL_CATEGORY_DATA
    at_rest = component.encryption.at_rest if component.encryption else None
    if at_rest is None:
        return Unknown(("encryption.at_rest",))
    if at_rest is EncryptionAtRest.APPLICATION:
        return PASS
    return Fire((f"stores {names(data)}", f"encryption.at_rest: {at_rest.value}"),
                data=ids(data))


@rule(RuleMeta(
    id="privacy-data-minimisation",
    title="{element} receives personal data it does not use",
    description="A component that receives personal data it neither stores, processes nor "
    "passes on does not need it: every extra copy in memory, logs and crash dumps is exposure "
    "without purpose.",
    target=Target.COMPONENT, likelihood=3, impact=3, linddun=(DISCLOSURE, NON_COMPLIANCE),
    stride=(INFO,), cwe=(213, 359), asvs=("V8.1.3", "V8.3.4"), api_top10=("API3:2023",),
    kinds=PROCESS_KINDS, domain=DOMAIN, compliance=("gdpr:art-5-1-c", "gdpr:art-25-2"),
    data=PERSONAL_DATA,
    mitigations=(
        "Send only the fields the component needs: a projection or a dedicated DTO at the "
        "sender, GraphQL field selection, or an API Gateway mapping template that drops the "
        "rest; or document the use by adding the data to the component's `processes`.",
    ),
    detection="Service, function or gateway that lists what it `stores` or `processes`, and "
    "receives on a flow a personal data asset that is in neither list and on none of its "
    "outgoing flows. Components that list nothing are skipped.",
    references=(GDPR,),
))
def privacy_data_minimisation(component: Component, model: Model) -> Verdict:
    """Personal data received without a use."""
    if not component.stores and not component.processes:
        return Skip("the model does not list what it stores or processes")
    received = _received(model, component)
    if not received:
        return _RECEIVES_NO_PERSONAL_DATA
    used = set(component.data_ids)
    for flow in model.graph.flows_out(component.id):
        used.update(flow.data)
    unused = [a for a in received if a.id not in used]
    if not unused:
        return PASS
    senders = sorted({f.source for f in model.graph.flows_in(component.id)
                      if {a.id for a in unused} & set(f.data)})
    return Fire((f"receives {names(unused)} from {', '.join(senders)}",
                 "neither stores, processes nor forwards it"), data=ids(unused))


# --- unawareness ------------------------------------------------------------------------------


@rule(RuleMeta(
    id="privacy-collection-without-notice",
    title="Personal data is collected on {element} without notice or a lawful basis",
    description="Collecting personal data from people without telling them (Art. 13) or "
    "without a lawful basis (consent that was not given, no other basis) leaves them unaware "
    "of what happens to their data and makes the processing unlawful.",
    target=Target.FLOW, likelihood=3, impact=3, linddun=(UNAWARENESS, NON_COMPLIANCE),
    source_kinds=PEOPLE,
    cwe=(359,), capec=(569,), asvs=("V8.3.3",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("gdpr:art-6-1", "gdpr:art-7-1", "gdpr:art-13-1"),
    data=PERSONAL_DATA,
    mitigations=(
        "Show a privacy notice at the point of collection, record the lawful basis per purpose, "
        "and where the basis is consent collect it with a consent management platform and store "
        "the consent record (who, when, which text).",
    ),
    detection="Flow from a person (an actor or client that is not a machine: see "
    "`properties.machine`) carrying personal data where the flow or its "
    "target states `properties.privacy_notice: false`, or `properties.consent: false` with no "
    "other `properties.lawful_basis` stated.",
    references=(GDPR, "https://www.edpb.europa.eu/our-work-tools/our-documents/guidelines/"
                "guidelines-052020-consent-under-regulation-2016679_en"),
))
def privacy_collection_without_notice(flow: Flow, model: Model) -> Verdict:
    """Collection the person is not told about or did not agree to."""
    if not is_person(model, model.components[flow.source]):
        return _NOT_A_PERSON
    data = _personal(model.graph.flow_data(flow))
    if not data:
        return _COLLECTS_NO_PERSONAL_DATA
    target = model.components[flow.target]
    notice = _first(flow_prop(flow, "privacy_notice"), target.prop("privacy_notice"))
    consent = _first(flow_prop(flow, "consent"), target.prop("consent"))
    basis = _first(flow_prop(flow, "lawful_basis"), target.prop("lawful_basis"))
    evidence = []
    if notice is False:
        evidence.append("privacy_notice: false")
    if consent is False and (basis is None or str(basis).lower() == "consent"):
        evidence.append("consent: false, and no other lawful basis stated")
    if not evidence:
        return PASS
    return Fire((f"collects {names(data)} from '{flow.source}'", *evidence), data=ids(data))


_MACHINE_AUTHN = frozenset({
    Authn.MTLS, Authn.IAM, Authn.SIGV4, Authn.CERTIFICATE, Authn.SERVICE_ACCOUNT,
    Authn.WORKLOAD_IDENTITY,
})
"""Credentials only a machine presents: a client that uses nothing else is not a person."""


def is_person(model: Model, component: Component) -> bool:
    """Whether an actor or client is a person (or a person's device), so a data subject.

    ``properties.machine`` decides when stated. Otherwise an actor is a person, and a client
    is one unless every flow it sends authenticates with a machine credential (mTLS, IAM,
    SigV4, a certificate, a service account, a workload identity).
    """
    stated = component.prop("machine")
    if isinstance(stated, bool):
        return not stated
    if component.kind is not ComponentKind.CLIENT:
        return True
    sent = model.graph.flows_out(component.id)
    return not sent or any(f.effective_authn not in _MACHINE_AUTHN for f in sent)


def _data_subject(model: Model, component: Component) -> list[DataAsset]:
    """Personal data a person sends into the system (staff on corporate networks and machine
    clients excluded)."""
    if corporate_zone(model, component.id) is not None or not is_person(model, component):
        return []
    found = {a.id: a for f in model.graph.flows_out(component.id)
             for a in _personal(model.graph.flow_data(f))}
    return [found[k] for k in sorted(found)]


def _stored_by(model: Model) -> dict[str, list[str]]:
    """Data id -> the system's own components that store it."""
    found: dict[str, list[str]] = {}
    for c in model.components.values():
        if c.kind not in OUTSIDE:
            for data_id in c.stores:
                found.setdefault(data_id, []).append(c.id)
    return found


def _holders_of(model: Model, sent: frozenset[str]) -> tuple[list[str], bool]:
    """The components that store any of these data, sorted, and whether a privacy regulation
    applies to them (declared, or one of them is in the EEA); decided once per set of data."""
    known: dict[frozenset[str], tuple[list[str], bool]] = model.graph.memo(
        ("privacy-holders",), dict
    )
    found = known.get(sent)
    if found is None:
        stored_by = model.graph.memo(("privacy-stored-by",), lambda: _stored_by(model))
        holders = sorted({holder for data_id in sent for holder in stored_by.get(data_id, ())})
        regulated = declares(model, *PRIVACY_REGIMES) or any(_in_eea(model, h) for h in holders)
        found = known[sent] = (holders, regulated)
    return found


@rule(RuleMeta(
    id="privacy-no-data-subject-rights",
    title="Data subject {element} has no modelled way to access or erase their data",
    description="People whose data the system keeps have the right to get a copy of it, have it "
    "corrected and have it erased; without a process and a component that finds their data in "
    "every store, requests are missed or answered incompletely.",
    target=Target.COMPONENT, likelihood=1, impact=3, linddun=(UNAWARENESS, NON_COMPLIANCE),
    cwe=(359,), asvs=("V8.3.2",), kinds=frozenset(PEOPLE), domain=DOMAIN,
    confidence=Confidence.LOW,
    compliance=("gdpr:art-15", "gdpr:art-17", "gdpr:art-20", "gdpr:art-12-3"),
    broad="fires on every data subject of a system that models no access/erasure process; one "
    "component with `properties.dsar: true` (or an implemented control that mitigates this "
    "rule) clears it for all of them",
    data=PERSONAL_DATA,
    mitigations=(
        "Build (or buy) a data-subject request workflow: verify the requester, find their data "
        "in every store by subject id (a data map kept with this model), export it in a "
        "machine-readable format, erase or anonymise it including backups on their next "
        "rotation, and answer within one month.",
        "Model it: mark the component that serves requests with `properties.dsar: true`, or "
        "declare an implemented control with `mitigates: [privacy-no-data-subject-rights]`.",
    ),
    detection="Actor or client (a person: not `properties.machine: true`, not a client that "
    "authenticates only with machine credentials) outside corporate zones that sends personal "
    "data which some "
    "component stores, in a system that declares a privacy regulation (gdpr, uk-gdpr, ccpa, "
    "lgpd...) or stores that data in an EEA region, when no component states "
    "`properties.dsar: true` and no implemented control mitigates this rule.",
    false_positives="Requests served by a process outside this system (a central privacy "
    "portal): declare it as a control that mitigates this rule.",
    references=(GDPR, "https://www.edpb.europa.eu/our-work-tools/our-documents/guidelines/"
                "guidelines-012022-data-subject-rights-right-access_en"),
))
def privacy_no_data_subject_rights(component: Component, model: Model) -> Verdict:
    """Data subjects without an access and erasure path."""
    sent = {a.id for a in _data_subject(model, component)}
    if not is_person(model, component):
        return _NOT_A_PERSON
    if not sent:
        return Skip("sends no personal data of their own")
    holders, regulated = _holders_of(model, frozenset(sent))
    if not holders:
        return Skip("the system stores none of their personal data")
    if not regulated:
        return Skip("no privacy regulation applies")
    if model.graph.memo(
        ("privacy-dsar",), lambda: any(c.prop("dsar") is True for c in model.components.values())
    ):
        return PASS
    if _mitigated_by_control(model, "privacy-no-data-subject-rights"):
        return PASS
    return Fire((f"their personal data ({', '.join(sorted(sent))}) is stored in "
                 f"{', '.join(holders)}",
                 "no component states properties.dsar: true and no implemented control "
                 "mitigates this rule"), data=tuple(sorted(sent)))


_DECISION_WORDS = re.compile(
    r"\b(scor(e|es|ing)|credit[- ]risk|credit decisions?|underwrit\w*|eligibility|"
    r"automated decisions?|fraud detection)\b"
)


def _decides_about_people(model: Model, component: Component) -> tuple[str, ...]:
    """Why a process of ours takes decisions about people, in words (empty when it does not):
    its id, name or description says it scores, underwrites or decides, and it handles
    personal data."""
    if component.kind not in PROCESS_KINDS:
        return ()
    said = _said(_DECISION_WORDS, [" ".join((component.id, component.name or "",
                                             component.description or ""))])
    data = _personal(model.graph.data_of(component.id))
    if not said or not data:
        return ()
    return (f"decides about people ('{said}')", f"on {names(data)}")


@rule(RuleMeta(
    id="privacy-automated-decision",
    title="{element} takes automated decisions about people without human review",
    description="Decisions with legal or similarly significant effects taken solely by a model "
    "or rule engine (declining a payment, an account or a loan) need safeguards: the person "
    "must be told, and be able to get human intervention and contest the decision.",
    target=Target.COMPONENT, likelihood=3, impact=3, linddun=(UNAWARENESS, NON_COMPLIANCE),
    cwe=(359,), domain=DOMAIN,
    kinds=PROCESS_KINDS | {ComponentKind.EXTERNAL_SERVICE},
    compliance=("gdpr:art-22-1", "gdpr:art-22-3", "gdpr:art-13-2-f"),
    data=PERSONAL_DATA,
    mitigations=(
        "Route adverse or borderline decisions to a human reviewer (a case queue in the back "
        "office), tell the person that a decision was automated and how to contest it, and log "
        "the inputs and reasons of every decision.",
    ),
    detection="Service, function, gateway or third party that handles personal data with "
    "`properties.automated_decision: true` and without `properties.human_review: true`. An "
    "applicable threat (solely automated decisions about people) on a service, function or "
    "gateway of ours handling personal data whose id, name or description says it scores, "
    "underwrites, decides eligibility or credit risk, when neither is stated.",
    false_positives="Automated decisions without significant effects (product "
    "recommendations): do not mark them `automated_decision: true`, or state "
    "`automated_decision: false`.",
    references=(GDPR, "https://ec.europa.eu/newsroom/article29/items/612053"),
    asks=(Ask(
        "Are the decisions {element} takes about people (declines, scores, limits) reviewed by "
        "a person on request, and are people told and able to contest them?",
        (
            AskFact("properties.human_review", confirms=("false",), rules_out=("true",)),
            AskFact("properties.automated_decision", confirms=("true",), rules_out=("false",)),
        ),
        threat="Automated decisions: {element} may decline or score people with no human "
        "review or way to contest",
    ),),
))
def privacy_automated_decision(component: Component, model: Model) -> Verdict:
    """Solely automated decisions without safeguards."""
    data = _personal(model.graph.data_of(component.id))
    if not data:
        return Skip("handles no personal data")
    automated = component.prop("automated_decision")
    review = component.prop("human_review")
    if automated is False:
        return RuledOut(("properties.automated_decision: false",))
    if review is True:
        return RuledOut(("properties.human_review: true",)) if automated is None else PASS
    if automated is True:
        return Fire((f"decides on {names(data)}", "properties.automated_decision: true",
                     f"human_review: {'false' if review is False else 'not stated'}"),
                    data=ids(data))
    why = _decides_about_people(model, component)
    if not why:
        return PASS
    if review is False:
        return Fire((*why, "properties.human_review: false"), data=ids(data))
    return Unknown(("properties.human_review",), why=why, data=ids(data))


# --- non-compliance ---------------------------------------------------------------------------


def _transfer_mechanism(model: Model, flow: Flow) -> tuple[bool, list[str]]:
    """Whether a transfer mechanism is stated for the flow, and the words that say why not.

    The flow, then its target and the target's zones, then its source and the source's zones
    are read in turn; the first that states a mechanism settles it.
    """
    ok, refused = _transfer_stated([("the flow", flow.properties)])
    if ok:
        return True, []
    found = list(refused)
    for end in (flow.target, flow.source):
        ok, refused = _end_transfer(model, end)
        if ok:
            return True, []
        found += refused
    return False, found


def _end_transfer(model: Model, component_id: str) -> tuple[bool, tuple[str, ...]]:
    """:func:`_transfer_stated` for a component and its zones (decided once per component)."""
    known: dict[str, tuple[bool, tuple[str, ...]]] = model.graph.memo(
        ("privacy-transfer-by-component",), dict
    )
    found = known.get(component_id)
    if found is None:
        end = model.components[component_id]
        holders: list[tuple[str, Mapping[str, PropertyValue]]] = [(f"'{end.id}'", end.properties)]
        holders.extend((f"zone '{b.id}'", b.properties) for b in enclosing_zones(model, end.id))
        found = known[component_id] = _transfer_stated(holders)
    return found


def _transfer_stated(
    holders: Iterable[tuple[str, Mapping[str, PropertyValue]]],
) -> tuple[bool, tuple[str, ...]]:
    """Whether one of the holders states a transfer mechanism, and the statements refusing one
    before it."""
    refused: list[str] = []
    for where, props in holders:
        mechanism = props.get("transfer_mechanism")
        if isinstance(mechanism, str) and mechanism.strip().lower() not in NO_VALUES:
            return True, ()
        if mechanism is not None:
            refused.append(f"properties.transfer_mechanism: {mechanism} on {where}")
        for alias in ("sccs", "sccs_in_place"):
            value = props.get(alias)
            if value is True:
                return True, ()
            if value is False:
                refused.append(f"properties.{alias}: false on {where}")
    return False, tuple(refused)


@rule(RuleMeta(
    id="privacy-cross-border-transfer",
    title="Personal data on {element} leaves the EEA without a transfer mechanism ({detail})",
    description="Personal data sent from the EEA to (or accessed from) a country without an EU "
    "adequacy decision needs a transfer mechanism, such as standard contractual clauses with a "
    "transfer impact assessment; otherwise the transfer is unlawful and the data loses GDPR "
    "protection.",
    target=Target.FLOW, likelihood=3, impact=3, linddun=(NON_COMPLIANCE, DISCLOSURE),
    stride=(INFO,), cwe=(359,), asvs=("V8.3.4",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("gdpr:art-44", "gdpr:art-46-2-c", "gdpr:art-45"),
    data=PERSONAL_DATA,
    mitigations=(
        "Put a transfer mechanism in place before the transfer (standard contractual clauses "
        "plus a transfer impact assessment, the EU-US Data Privacy Framework for certified US "
        "recipients, or binding corporate rules) and record it as "
        "`properties.transfer_mechanism`.",
        "Or keep the data in the EEA: choose the vendor's EU region, or send pseudonymised data "
        "whose key stays in the EEA.",
    ),
    detection="Flow carrying personal data between a component in an EEA region and one in a "
    "third country (neither EEA nor covered by an adequacy decision), in either direction, with "
    "no `properties.transfer_mechanism` (or `sccs: true` / `sccs_in_place: true`) on the flow, "
    "either end, or their zones. Flows whose ends have no known region are skipped.",
    false_positives="Transfers covered by a mechanism recorded elsewhere; state it on the flow.",
    references=("https://commission.europa.eu/law/law-topic/data-protection/"
                "international-dimension-data-protection/standard-contractual-clauses-scc_en",
                "https://commission.europa.eu/law/law-topic/data-protection/"
                "international-dimension-data-protection/adequacy-decisions_en"),
))
def privacy_cross_border_transfer(flow: Flow, model: Model) -> Verdict:
    """Personal data to a third country without SCCs or adequacy."""
    data = _personal(model.graph.flow_data(flow))
    if not data:
        return _CARRIES_NO_PERSONAL_DATA
    regions = [model.graph.region_of(flow.source), model.graph.region_of(flow.target)]
    if regions[0] is None or regions[1] is None:
        return _REGION_NOT_KNOWN
    places = [jurisdiction(r) for r in regions if r is not None]
    if None in places or EEA not in places or THIRD_COUNTRY not in places:
        return PASS
    ok, refused = _transfer_mechanism(model, flow)
    if ok:
        return PASS
    where = f"{flow.source} in {regions[0]} -> {flow.target} in {regions[1]}"
    return Fire((f"carries {names(data)}", where,
                 *(refused or ["no properties.transfer_mechanism stated"])),
                data=ids(data), detail=f"{regions[0]} -> {regions[1]}")


@rule(RuleMeta(
    id="privacy-store-without-retention",
    title="{element} keeps personal data without a retention limit",
    description="Personal data kept longer than needed for its purpose breaks storage "
    "limitation, grows the damage of every breach and makes erasure requests harder to honour.",
    target=Target.COMPONENT, likelihood=2, impact=3, linddun=(NON_COMPLIANCE,), stride=(INFO,),
    cwe=(359,), asvs=("V8.3.8",), domain=DOMAIN,
    compliance=("gdpr:art-5-1-e", "gdpr:art-30-1-f"),
    data=STORED_PERSONAL,
    mitigations=(
        "Set a retention period per data asset (`retention_days`) and enforce it in the store: "
        "DynamoDB TTL, S3 lifecycle expiration, a scheduled purge job for RDS tables, Kafka "
        "retention.ms; make backups expire with the same period.",
    ),
    detection="Component that `stores` personal data and either states "
    "`properties.retention: indefinite` or `properties.retention_enforced: false`, or whose "
    "`retention_days` is longer than the `retention_days` of a personal data asset it stores. "
    "An applicable threat (personal data kept beyond its purpose) on a datastore of a system "
    "under a privacy regulation (declared, or the store is in an EEA region) that states a "
    "retention period (its own or a stored asset's `retention_days`) until "
    "`retention_enforced` is stated: a period written down is not a deletion that happens. "
    "Otherwise unknown (a model gap) when neither the component nor every personal data asset "
    "it stores has `retention_days`.",
    references=(GDPR,),
    asks=(Ask(
        "Does {element} delete personal data automatically at the end of its retention period "
        "(a lifecycle rule, TTL or purge job), backups and replicas included?",
        (AskFact("properties.retention_enforced", confirms=("false",), rules_out=("true",)),),
        threat="Retention: {element} may keep personal data long after its purpose (and every "
        "breach exposes all of it)",
    ),),
))
def privacy_store_without_retention(component: Component, model: Model) -> Verdict:
    """Personal data kept without limit."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    data = _personal(assets(model, component.stores))
    if not data:
        return _STORES_NO_PERSONAL_DATA
    stated = component.prop("retention")
    if isinstance(stated, str) and stated.lower() in ("indefinite", "forever", "unlimited"):
        return Fire((f"stores {names(data)}", f"properties.retention: {stated}"), data=ids(data))
    enforced = component.prop("retention_enforced")
    if enforced is False:
        return Fire((f"stores {names(data)}", "properties.retention_enforced: false"),
                    data=ids(data))
    days = component.retention_days
    longer = [a for a in data if days is not None and a.retention_days is not None
              and days > a.retention_days]
    if longer:
        limits = ", ".join(f"'{a.id}' {a.retention_days} days" for a in longer)
        return Fire((f"keeps data for retention_days: {days}",
                     f"longer than the retention of {limits}"), data=ids(longer))
    regime = _regime_words(model, component.id)
    period = (f"retention_days: {days}" if days is not None else next(
        (f"'{a.id}' retention_days: {a.retention_days}" for a in data
         if a.retention_days is not None), ""))
    if component.kind is ComponentKind.DATASTORE and regime and period:
        # a period is written down: whether anything deletes at its end decides the threat
        if enforced is True:
            return RuledOut(("properties.retention_enforced: true",))
        return Unknown(("properties.retention_enforced",),
                       why=(f"stores {names(data)}", f"a retention period is stated ({period})",
                            regime), data=ids(data))
    if days is not None:
        return PASS
    if any(a.retention_days is None for a in data):
        return Unknown(("retention_days",))
    return PASS


# --- copies, new purposes and pseudonyms (applicable threats) -------------------------------


_REPLICA = re.compile(r"\breplicas?\b")


def _copies(model: Model) -> dict[str, dict[str, str]]:
    """Datastore id -> the other datastores of ours holding copies or derivatives of its
    personal data, each with how (the same asset stored there, or a process that moves
    personal data between them); found once per model."""
    def find() -> dict[str, dict[str, str]]:
        graph = model.graph
        # a read replica follows its primary's deletes: it is not a copy erasure can miss
        stores = {cid for cid, c in model.components.items()
                  if c.kind is ComponentKind.DATASTORE
                  and _personal(assets(model, c.stores))
                  and not _REPLICA.search(" ".join((cid, c.name or "", c.description or ""))
                                          .lower())}
        found: dict[str, dict[str, str]] = {cid: {} for cid in stores}
        holders: dict[str, list[str]] = {}
        for cid in sorted(stores):
            for asset in _personal(assets(model, model.components[cid].stores)):
                holders.setdefault(asset.id, []).append(cid)
        for asset_id, where in holders.items():
            for one in where:
                for other in where:
                    if other != one:
                        found[one].setdefault(other, f"'{asset_id}' is stored there too")
        for pid, process in model.components.items():
            if process.kind not in PROCESS_KINDS:
                continue
            # a process that reads personal data from one store and writes it into another
            # makes a derived copy there (two stores it only writes are not copies)
            read = {f.source for f in graph.flows_in(pid)
                    if f.source in stores and _personal(graph.flow_data(f))} | {
                f.target for f in graph.flows_out(pid)
                if f.target in stores and flow_prop(f, "access") == "read"
                and _personal(graph.flow_data(f))}
            written = {f.target for f in graph.flows_out(pid)
                       if f.target in stores and flow_prop(f, "access") != "read"
                       and _personal(graph.flow_data(f))}
            for one in sorted(read):
                for other in sorted(written - {one}):
                    how = f"'{pid}' copies personal data from '{one}' into '{other}'"
                    found[one].setdefault(other, how)
                    found[other].setdefault(one, how)
        return {cid: links for cid, links in found.items() if links}

    return model.graph.memo(("privacy-copies",), find)


@rule(RuleMeta(
    id="privacy-erasure-not-propagated",
    title="Erasure requests may not reach the copies of personal data in {element}",
    description="Personal data copied from one store into another (a raw and a curated "
    "bucket, a database and an export, training sets, backups) must be erased everywhere when "
    "a person asks: an erasure applied to the first store only leaves the person's data in "
    "the copies, and the request is answered falsely.",
    target=Target.COMPONENT, likelihood=3, impact=3, linddun=(NON_COMPLIANCE, UNAWARENESS),
    cwe=(359,), asvs=("V8.3.2",), domain=DOMAIN, confidence=Confidence.MEDIUM,
    kinds=frozenset({ComponentKind.DATASTORE}),
    compliance=("gdpr:art-17", "gdpr:art-19", "gdpr:art-5-1-e"),
    data=STORED_PERSONAL,
    mitigations=(
        "Keep a data map of every store, copy and derived data set per subject id (this model "
        "is a start) and have the erasure job delete or anonymise in each of them, logging "
        "what it did per store.",
        "Expire backups on a fixed rotation and re-apply pending erasures after a restore; "
        "retrain or rebuild derived data sets on a schedule so erased people leave them.",
    ),
    detection="Datastore (not a read replica) that stores personal data, in a system under a "
    "privacy regulation (declared, or the store is in an EEA region), whose personal data also "
    "lives in another datastore of ours (the same asset stored there, or a process that "
    "reads personal data from one and writes personal data into the other), with "
    "`properties.erasure_propagated: false`. An applicable threat when not stated.",
    references=(GDPR, "https://www.edpb.europa.eu/our-work-tools/our-documents/guidelines/"
                "guidelines-012022-data-subject-rights-right-access_en"),
    asks=(Ask(
        "Do erasure requests reach {element} and the copies of its personal data (derived "
        "data sets, exports, backups), and is each deletion logged?",
        (AskFact("properties.erasure_propagated", confirms=("false",), rules_out=("true",)),),
        threat="Erasure not propagated: a person's data may stay in {element} or its copies "
        "after an erasure request",
    ),),
))
def privacy_erasure_not_propagated(component: Component, model: Model) -> Verdict:
    """Personal data copied across stores that erasure may miss."""
    data = _personal(assets(model, component.stores))
    if not data:
        return _STORES_NO_PERSONAL_DATA
    links = _copies(model).get(component.id, {})
    regime = _regime_words(model, component.id)
    if not links or not regime:
        return Skip("its personal data is in no other store, or no privacy regulation applies")
    where = "; ".join(f"'{other}': {how}" for other, how in sorted(links.items()))
    why = (f"stores {names(data)}", f"copies in other stores ({where})", regime)
    stated = component.prop("erasure_propagated")
    if stated is True:
        return RuledOut(("properties.erasure_propagated: true",))
    if stated is False:
        return Fire((*why, "properties.erasure_propagated: false"), data=ids(data))
    return Unknown(("properties.erasure_propagated",), why=why, data=ids(data))


_NEW_PURPOSE_WORDS = re.compile(
    r"\b(train\w*|machine learning|ml|notebooks?|analytics|data science|profiling|"
    r"recommendations?|marketing|personali[sz]\w*)\b"
)
_NEW_PURPOSE_TECH = (
    "aws.sagemaker*", "aws.athena*", "aws.redshift*", "aws.quicksight*", "aws.emr*",
    "databricks*", "snowflake*", "bigquery*", "gcp.bigquery*", "gcp.vertex*",
)


def _new_purpose(model: Model, component: Component) -> str:
    """How the component reuses personal data for analytics or model training, in words."""
    said = _said(_NEW_PURPOSE_WORDS, [" ".join((component.id, component.name or "",
                                                component.description or ""))])
    if said:
        return f"analyses or trains on it ('{said}')"
    if component.tech and any(fnmatch.fnmatchcase(component.tech, t) for t in _NEW_PURPOSE_TECH):
        return f"an analytics or machine-learning service ({component.tech})"
    return ""


@rule(RuleMeta(
    id="privacy-purpose-limitation",
    title="{element} reuses personal data for analytics or model training",
    description="Personal data collected to run a loan, an order or an account is reused to "
    "train models, profile people or feed analytics. Unless the new purpose is compatible "
    "with the original one (or has its own lawful basis, such as consent), the processing is "
    "unlawful and the people concerned do not expect it.",
    target=Target.COMPONENT, likelihood=3, impact=3, linddun=(UNAWARENESS, NON_COMPLIANCE),
    cwe=(359,), asvs=("V8.3.3",), domain=DOMAIN, confidence=Confidence.MEDIUM,
    kinds=PROCESS_KINDS,
    compliance=("gdpr:art-5-1-b", "gdpr:art-6-4", "gdpr:art-13-3"),
    data=PERSONAL_DATA,
    mitigations=(
        "Record each purpose and its lawful basis in the processing register; run a "
        "compatibility assessment (Art. 6(4)) before reusing data for training or analytics, "
        "and collect consent where the new purpose is not compatible.",
        "Train and analyse on aggregated or properly anonymised data where possible, and tell "
        "people about the new use in the privacy notice.",
    ),
    detection="Service, function or gateway of ours, in a system under a privacy regulation "
    "(declared, or the component is in an EEA region), that handles personal data and whose "
    "id, name or description says it trains models, runs notebooks, analytics, profiling, "
    "recommendations or marketing (or whose technology is an analytics or machine-learning "
    "service), with `properties.purpose_compatible: false`. An applicable threat when not "
    "stated.",
    references=(GDPR, LINDDUN_THREATS),
    asks=(Ask(
        "Is using personal data in {element} compatible with the purpose it was collected for "
        "(or based on its own lawful basis such as consent), and recorded as such?",
        (AskFact("properties.purpose_compatible", confirms=("false",), rules_out=("true",)),),
        threat="Purpose limitation: {element} may reuse personal data for a purpose people "
        "were not told about",
    ),),
))
def privacy_purpose_limitation(component: Component, model: Model) -> Verdict:
    """Personal data reused for a new purpose."""
    data = _personal(model.graph.data_of(component.id))
    if not data:
        return Skip("handles no personal data")
    how = _new_purpose(model, component)
    regime = _regime_words(model, component.id)
    if not how or not regime:
        return Skip("no analytics or model training, or no privacy regulation applies")
    why = (f"handles {names(data)}", how, regime)
    stated = component.prop("purpose_compatible")
    if stated is True:
        return RuledOut(("properties.purpose_compatible: true",))
    if stated is False:
        return Fire((*why, "properties.purpose_compatible: false"), data=ids(data))
    return Unknown(("properties.purpose_compatible",), why=why, data=ids(data))


_PSEUDONYM_WORDS = re.compile(
    r"\b(pseudonymi[sz]\w*|de-?identified|anonymi[sz]\w*|hashed|tokeni[sz]ed)\b"
)


def _pseudonymised_why(model: Model, component: Component) -> str:
    """Why the store holds pseudonymised personal data, in words ("" when it does not)."""
    held = _personal(assets(model, component.stores))
    for asset in held:
        said = _said(_PSEUDONYM_WORDS, [" ".join((asset.id, asset.name or "",
                                                  asset.description or ""))])
        if said:
            return f"stores '{asset.id}' ('{said}'), still personal data"
    if held and component.prop("pseudonymised") is True:
        return f"stores {names(held)} (properties.pseudonymised: true)"
    if held and any(flow_prop(f, "pseudonymised") is True
                    for f in model.graph.flows_in(component.id)):
        return f"stores {names(held)} written by a pseudonymised flow"
    return ""


@rule(RuleMeta(
    id="privacy-reidentification",
    title="Pseudonymised personal data in {element} may be re-identified",
    description="Pseudonymised data is still personal data: a plain or salted hash of a "
    "national id, e-mail address or phone number is reversed by hashing every possible "
    "value, and records can be singled out by joining their remaining attributes (birth "
    "date, postcode, amounts) with other data sets.",
    target=Target.COMPONENT, likelihood=3, impact=3, linddun=(IDENTIFYING, LINKING),
    stride=(INFO,), cwe=(359, 328), asvs=("V8.3.5",), domain=DOMAIN,
    confidence=Confidence.MEDIUM,
    kinds=STORE_KINDS - {ComponentKind.SECRETS_STORE},
    compliance=("gdpr:art-4-5", "gdpr:art-25-1", "gdpr:art-32-1-a"),
    data=STORED_PERSONAL,
    mitigations=(
        "Make pseudonyms with a secret key kept apart from the data (HMAC-SHA256 with a key in "
        "AWS KMS or Secrets Manager, or tokenisation), never a plain or salted hash of "
        "low-entropy identifiers; rotate keys per purpose.",
        "Generalise or drop quasi-identifiers (exact birth dates, full postcodes) and test "
        "data sets for uniqueness (k-anonymity) before they are shared.",
    ),
    detection="Store of ours holding personal data that is pseudonymised (an asset named or "
    "described as pseudonymised, de-identified, anonymised, hashed or tokenised, or "
    "`properties.pseudonymised: true` on the store or a flow into it), with "
    "`properties.pseudonymisation_keyed: false`. An applicable threat when not stated.",
    references=("https://www.edpb.europa.eu/our-work-tools/documents/public-consultations/"
                "2025/guidelines-012025-pseudonymisation_en", LINDDUN_THREATS),
    asks=(Ask(
        "Are the pseudonyms in {element} made with a secret key kept apart from the data "
        "(keyed HMAC or tokenisation, not a plain or salted hash), with quasi-identifiers "
        "generalised?",
        (AskFact("properties.pseudonymisation_keyed", confirms=("false",),
                 rules_out=("true",)),),
        threat="Re-identification: people in the pseudonymised data of {element} may be "
        "identified again",
    ),),
))
def privacy_reidentification(component: Component, model: Model) -> Verdict:
    """Pseudonyms that can be reversed or linked."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    why = _pseudonymised_why(model, component)
    if not why:
        return Skip("holds no pseudonymised personal data")
    stated = component.prop("pseudonymisation_keyed")
    if stated is True:
        return RuledOut(("properties.pseudonymisation_keyed: true",))
    if stated is False:
        return Fire((why, "properties.pseudonymisation_keyed: false"))
    return Unknown(("properties.pseudonymisation_keyed",), why=(why,))


@rule(RuleMeta(
    id="privacy-gdpr-scope-not-declared",
    title="Personal data is processed in the EEA but GDPR is not declared ({detail})",
    description="A system that processes personal data in the EEA is subject to the GDPR whether "
    "it says so or not; undeclared, it escapes records of processing, DPIAs and the privacy "
    "review that the regulation requires.",
    target=Target.MODEL, likelihood=3, impact=3, linddun=(NON_COMPLIANCE, UNAWARENESS),
    cwe=(1059,), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("gdpr:art-3-1", "gdpr:art-30-1", "gdpr:art-35-1"),
    mitigations=(
        "Add `gdpr` to `system.compliance`, record the processing in the Art. 30 register, and "
        "run a DPIA if the processing is high risk.",
    ),
    detection="A component in a zone whose region is in the EEA handles personal data and no "
    "entry of `system.compliance` starts with 'gdpr'.",
    references=(GDPR,),
))
def privacy_gdpr_scope_not_declared(model: Model, _: Model) -> Sequence[Verdict]:
    """Personal data in the EEA without GDPR declared."""
    if declares(model, "gdpr", "uk-gdpr", "eu-gdpr"):
        return ()
    found: dict[str, DataAsset] = {}
    for component in model.components.values():
        if component.kind in OUTSIDE or not _in_eea(model, component.id):
            continue
        found.update((a.id, a) for a in _personal(model.graph.data_of(component.id)))
    if not found:
        return ()
    data = [found[k] for k in sorted(found)]
    return (Fire((f"handles {names(data)} in an EEA region",
                  f"system.compliance: [{', '.join(model.system.compliance)}]"),
                 elements=ids(data), data=ids(data), detail=", ".join(ids(data))),)


RULES: tuple[Rule, ...] = (
    privacy_analytics_not_pseudonymised,
    privacy_identifier_linkable,
    privacy_personal_data_in_url,
    privacy_immutable_personal_data,
    privacy_account_enumeration,
    privacy_third_party_without_dpa,
    privacy_special_category_not_app_encrypted,
    privacy_data_minimisation,
    privacy_collection_without_notice,
    privacy_no_data_subject_rights,
    privacy_automated_decision,
    privacy_cross_border_transfer,
    privacy_store_without_retention,
    privacy_erasure_not_propagated,
    privacy_purpose_limitation,
    privacy_reidentification,
    privacy_gdpr_scope_not_declared,
)
"""The privacy rules, by LINDDUN category, in the order they are documented."""
