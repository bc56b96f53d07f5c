"""Payments and PCI DSS 4.0 rules: PAN, SAD, tokenization, keys, CDE segmentation, payment abuse.

How the rules see PCI scope (documented in ``docs/rules/payments-properties.md``):

- **Account data** is a data asset with category ``pci.pan`` (the card number) or ``pci.sad``
  (sensitive authentication data: CVV2, PIN, full track). A system is *in PCI scope* when a
  component or flow handles such an asset, or when ``system.compliance`` names ``pci-dss``.
- **The CDE** (cardholder data environment) is marked on zones. A zone whose
  ``properties.pci_scope`` is ``cde`` (or that has ``properties.cde: true``) is in the CDE, and so
  is every zone nested inside it; the nearest explicit marking wins, so ``pci_scope:
  out-of-scope`` or ``cde: false`` carves a zone out. When no zone of the model carries either
  property, every zone of ``trust: restricted`` (and what is nested in it) is the CDE.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from threatforge.model import (
    Component,
    ComponentKind,
    DataAsset,
    EncryptionAtRest,
    Flow,
    Model,
    TrustLevel,
)
from threatforge.rules.builtin._facts import (
    BROKER_KINDS,
    CARD_DATA,
    CDE_OR_MONITORING,
    EDGE_KINDS,
    EXPOSED,
    HANDLES_PAN,
    INFO,
    INTO_CDE,
    OUTSIDE_KINDS,
    PAN,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    SAD,
    STAFF_CONNECTS,
    STORED_PAN,
    TELEMETRY,
    WORKLOAD_KINDS,
    D,
    E,
    R,
    S,
    T,
    anonymous_card_intake,
    assets,
    authn_words,
    cde_components,
    cde_marked_explicitly,
    cde_marking,
    cde_staff_access,
    declares,
    exposed,
    exposure_words,
    flow_prop,
    handled_account_data,
    ids,
    in_cde,
    in_pci_scope,
    is_telemetry,
    names,
    reachable,
    staff_route,
    staff_users,
    text_of,
    tls_version,
    with_category,
    word,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    DataScope,
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
    members,
    rule,
)

__all__ = [
    "RULES",
    "client_money_sent",
    "customers_call",
    "hosted_checkout",
    "payment_partners",
    "payment_providers",
    "refund_words",
]

DOMAIN = "payments"
PCI_DSS = "https://www.pcisecuritystandards.org/document_library/"
SCOPING = (
    "https://www.pcisecuritystandards.org/documents/"
    "Guidance-PCI-DSS-Scoping-and-Segmentation_v1.pdf"
)
TOKENIZATION = (
    "https://www.pcisecuritystandards.org/documents/Tokenization_Guidelines_Info_Supplement.pdf"
)

TOKEN = "pci.token"  # noqa: S105 - a data category, not a secret
PAYMENT_CATEGORIES = frozenset({PAN, TOKEN, "financial"})
PAYMENT_DATA = DataScope(categories=tuple(sorted(PAYMENT_CATEGORIES)))
"""Elements holding card numbers, payment tokens or financial data (a rule scope)."""
OUTSIDE = OUTSIDE_KINDS
"""Kinds that are not system components of ours: cardholders, their devices, third parties."""
STRONG_KEY_CUSTODY = frozenset(
    {EncryptionAtRest.KMS_CMK, EncryptionAtRest.HSM, EncryptionAtRest.APPLICATION}
)
DEBUG_LOG_LEVELS = frozenset({"debug", "trace", "all"})


# --- facts about PCI scope --------------------------------------------------------------------


def _zone_words(model: Model, component: Component) -> str:
    """Why the component's zone is not the CDE, in words."""
    zone = model.graph.zone_of(component.id)
    if zone is None:
        return f"'{component.id}' has no zone"
    return f"zone '{zone.id}' ({zone.trust.value}) is not part of the CDE"


def _stored(model: Model, component: Component, *categories: str) -> list[DataAsset]:
    """Data of these categories the component stores, in the order it lists them."""
    return with_category(assets(model, component.stores), *categories)


def _handled(model: Model, component: Component, *categories: str) -> list[DataAsset]:
    """Data of these categories the component touches, most sensitive first."""
    return with_category(model.graph.data_of(component.id), *categories)


def _flow_assets(model: Model, flow: Flow, *categories: str) -> list[DataAsset]:
    """Data of these categories the flow carries, most sensitive first."""
    return with_category(model.graph.flow_data(flow), *categories)


def _is_telemetry(model: Model, component: Component) -> bool:
    """Monitoring, or an analytics store."""
    return is_telemetry(model, component.id)


PAN_SENDER_KINDS = WORKLOAD_KINDS
"""Where a PAN could be swapped for a token before it travels on (a flow scope)."""
PAN_RECEIVER_KINDS = PROCESS_KINDS | BROKER_KINDS
"""Internal receivers that could work on a token instead of the PAN (a flow scope)."""
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_STORES_NO_PAN = Skip("stores no PAN")
_NOT_TELEMETRY = Skip("not monitoring or analytics")
_NOT_IN_CDE = Skip("not in the CDE")
_HANDLES_NO_PAN = Skip("handles no PAN")
_NOT_OURS = Skip("not a system component of ours")
_NOT_A_REFUND_ENDPOINT = Skip("not a refund endpoint")
_NO_STAFF_START_REFUNDS = Skip(
    "no staff (people in a corporate zone) start refunds here: dual approval is decided where "
    "they do"
)
_NOT_CHANGED_FROM_OUTSIDE = Skip(
    "takes no requests from outside its trust (exposure, a less trusted caller, staff) and "
    "consumes no queue"
)
_SENDS_NO_PAYMENT_INSTRUCTIONS = Skip("sends no payment instructions to a third party")
_RECEIVES_NO_PAYMENT_NOTIFICATIONS = Skip("receives no payment notifications from a third party")
_RECEIVES_NO_CARD_NUMBERS = Skip("receives no card numbers")
_HANDLES_NO_CARD_DATA = Skip("handles no card data")
_NO_PAN = Skip("carries no PAN")
_NO_CARD_DATA = Skip("carries no card data")
_TARGET_NOT_INTERNAL = Skip("the target is a store, third party, person or monitoring")
_NOT_IN_PCI_SCOPE = Skip("the system is not in PCI scope")
_NOT_INTO_CDE = Skip("does not enter the CDE")


# --- cardholder data storage ------------------------------------------------------------------


@rule(RuleMeta(
    id="pci-pan-stored-outside-cde",
    title="{element} stores card numbers outside the cardholder data environment",
    description="A PAN stored in a component outside the segmented CDE pulls that component, its "
    "network and everything connected to it into PCI scope, and puts card numbers where the "
    "CDE's access controls, monitoring and segmentation tests do not reach.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(INFO,), cwe=(653, 312), capec=(37,),
    asvs=("V6.1.3", "V8.3.4"), attack=("T1530", "T1213"), domain=DOMAIN,
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:3.2.1", "pci-dss-4.0:12.5.2"),
    data=STORED_PAN,
    mitigations=(
        "Keep PANs only in the card vault inside the CDE (a dedicated subnet with its own security "
        "groups and NACLs, or a separate AWS account) and store a payment token everywhere else.",
        "If this store must hold card data, move it into the CDE zone and apply all CDE controls "
        "(segmentation testing, MFA, file integrity monitoring, quarterly scans).",
    ),
    detection="Component that `stores` a `pci.pan` data asset and whose zone is not in the CDE "
    "(see the module docstring for how zones are marked). Monitoring and analytics stores are "
    "left to pci-pan-in-telemetry; actors and third parties are out of scope.",
    false_positives="A zone that is in the CDE but not marked as such; mark it with "
    "`properties: {pci_scope: cde}` (or `trust: restricted` when no zone is marked).",
    references=(SCOPING, PCI_DSS),
    supersedes=(Supersedes("pci-pan-processed-outside-cde"),),
))
def pci_pan_stored_outside_cde(component: Component, model: Model) -> Verdict:
    """PAN at rest outside the CDE."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    pan = _stored(model, component, PAN)
    if not pan:
        return _STORES_NO_PAN
    if component.zone is None:
        return Unknown(("zone",))
    if in_cde(model, component.id):
        return PASS
    return Fire((f"stores {names(pan)}", _zone_words(model, component)), data=ids(pan))


@rule(RuleMeta(
    id="pci-pan-stored-readable",
    title="{element} stores card numbers without strong, customer-controlled encryption",
    description="PCI DSS requires a stored PAN to be unreadable wherever it is kept. Without "
    "encryption, or with a key the provider controls on behalf of anyone who can read the "
    "service, a snapshot, a backup or one over-privileged role discloses every card number.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(INFO,), cwe=(311, 312), capec=(37,),
    asvs=("V6.1.3", "V6.4.1"), attack=("T1530",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:3.5.1", "pci-dss-4.0:3.5.1.2", "pci-dss-4.0:3.6.1"),
    data=STORED_PAN,
    mitigations=(
        "Encrypt PANs at the application level (envelope encryption with data keys from a "
        "customer-managed AWS KMS key, or an HSM such as CloudHSM or payShield) so that database "
        "and storage administrators never see clear card numbers.",
        "At minimum use a customer-managed KMS key whose key policy grants kms:Decrypt only to "
        "the vault's role, with key administrators separate from key users.",
    ),
    detection="Component that `stores` a `pci.pan` asset with `encryption.at_rest` none, "
    "provider or kms (anything but kms-cmk, hsm or application). Unknown when "
    "`encryption.at_rest` is not stated. A data store, cache, queue or stream with "
    "`encryption.at_rest: none` is left to store-unencrypted-at-rest (which maps PCI DSS 3.5.1 "
    "too); restricted-data-provider-key leaves provider and kms keys on card data to this rule.",
    false_positives="PANs that are truncated or hashed before storage are not `pci.pan` data: "
    "model them as a separate asset without that category.",
    references=(PCI_DSS, "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html"),
    supersedes=(Supersedes("restricted-data-provider-key"),),
))
def pci_pan_stored_readable(component: Component, model: Model) -> Verdict:
    """PAN at rest without customer-controlled encryption."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    pan = _stored(model, component, PAN)
    if not pan:
        return _STORES_NO_PAN
    at_rest = component.encryption.at_rest if component.encryption else None
    if at_rest is None:
        return Unknown(("encryption.at_rest",))
    if at_rest in STRONG_KEY_CUSTODY:
        return PASS
    return Fire((f"stores {names(pan)}", f"encryption.at_rest: {at_rest.value}"),
                data=ids(pan), detail=at_rest.value)


@rule(RuleMeta(
    id="pci-sad-stored",
    title="{element} stores sensitive authentication data ({detail})",
    description="CVV2, PINs and full track data must never be kept after authorisation, not "
    "even encrypted: with them a stolen card number can be used for card-not-present fraud or "
    "cloned onto a card.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(INFO,), cwe=(922, 312), capec=(37,),
    asvs=("V8.3.4", "V6.1.3"), attack=("T1530", "T1005"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:3.3.1", "pci-dss-4.0:3.3.1.2", "pci-dss-4.0:3.3.2"),
    data=DataScope(categories=(SAD,)),
    mitigations=(
        "Keep SAD in memory only for the authorisation call and never write it to a database, "
        "queue, cache, log or dead-letter queue; pass the CVV straight to the PSP (or use the "
        "PSP's hosted fields so it never reaches you).",
        "If an asynchronous step needs it before authorisation, encrypt it with a short-lived "
        "key and delete it as soon as authorisation completes (PCI DSS 3.3.2).",
    ),
    detection="Component that `stores` a `pci.sad` asset, or a store (datastore, cache, queue, "
    "stream, monitoring) that receives a flow carrying one.",
    false_positives="Issuers and issuer processors may store SAD where there is a legitimate "
    "business need (PCI DSS 3.3.3); accept the finding with that justification.",
    references=(PCI_DSS,),
))
def pci_sad_stored(component: Component, model: Model) -> Verdict:
    """Sensitive authentication data at rest."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    stored = _stored(model, component, SAD)
    if stored:
        return Fire((f"stores {names(stored)}",), data=ids(stored),
                    detail=", ".join(a.id for a in stored))
    if not (component.kind.stores_data or component.kind is ComponentKind.MONITORING):
        return PASS
    received = sorted(
        {a.id: a for f in model.graph.flows_in(component.id)
         for a in _flow_assets(model, f, SAD)}.values(),
        key=lambda a: a.id,
    )
    if not received:
        return PASS
    senders = sorted({f.source for f in model.graph.flows_in(component.id)
                      if _flow_assets(model, f, SAD)})
    return Fire((f"a {component.kind.value} receives {names(received)} from "
                 f"{', '.join(senders)}",), data=ids(received),
                detail=", ".join(a.id for a in received), confidence=Confidence.MEDIUM)


@rule(RuleMeta(
    id="pci-key-stored-with-pan",
    title="{element} keeps the keys that protect card numbers next to the card numbers",
    description="Encryption keys stored in the same place as the PANs they protect give anyone "
    "who copies the store both halves: the encryption no longer makes the PAN unreadable.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(INFO,), cwe=(922, 311), capec=(37,),
    asvs=("V6.4.1", "V6.4.2"), attack=("T1552", "T1530"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:3.6.1.2", "pci-dss-4.0:3.6.1.4", "pci-dss-4.0:3.5.1.3"),
    data=STORED_PAN,
    mitigations=(
        "Keep key-encrypting keys in AWS KMS or an HSM and store only wrapped (encrypted) data "
        "keys next to the data; never store clear data keys in the vault database.",
    ),
    detection="Component that `stores` both a `pci.pan` asset and a `crypto-keys` asset.",
    false_positives="Wrapped data keys (encrypted under a KMS key that never leaves KMS) are not "
    "clear key material: model them without the `crypto-keys` category.",
    references=(PCI_DSS, "https://docs.aws.amazon.com/kms/latest/developerguide/"
                "kms-cryptography.html#enveloping"),
))
def pci_key_stored_with_pan(component: Component, model: Model) -> Verdict:
    """Keys at rest beside the PANs they protect."""
    pan = _stored(model, component, PAN)
    if not pan:
        return _STORES_NO_PAN
    keys = _stored(model, component, "crypto-keys")
    if not keys:
        return PASS
    return Fire((f"stores {names(pan)}", f"and key material {names(keys)}"),
                data=ids(pan) + ids(keys))


@rule(RuleMeta(
    id="pci-key-management-dual-control",
    title="Key management {element} lets one person handle card-data keys alone",
    description="Without dual control and split knowledge, a single administrator can export, "
    "import or re-wrap the keys that protect card data, and decrypt every stored PAN unnoticed.",
    target=Target.COMPONENT, likelihood=2, impact=5, stride=(E, INFO), cwe=(654,), capec=(122,),
    asvs=("V6.4.1",), attack=("T1552.004",), domain=DOMAIN, confidence=Confidence.HIGH,
    kinds=frozenset({ComponentKind.KEY_MANAGEMENT}),
    compliance=("pci-dss-4.0:3.6.1.3", "pci-dss-4.0:3.7.6"),
    mitigations=(
        "Require two custodians for every manual clear-text key operation (key ceremonies with "
        "split key components for HSM imports, CloudHSM quorum authentication (M of N) for "
        "crypto-officer actions).",
        "In AWS KMS, keep keys non-exportable, separate key administrators from key users in the "
        "key policy, and require a second approver (e.g. an SCP plus a break-glass workflow) for "
        "kms:PutKeyPolicy, kms:ScheduleKeyDeletion and kms:ImportKeyMaterial.",
    ),
    detection="Key-management component in a system in PCI scope with "
    "`properties.dual_control: false` or `properties.split_knowledge: false`. An applicable "
    "threat (one administrator handles card-data keys alone) when `dual_control` is not stated "
    "on a key-management component in the CDE or used by a component that handles card "
    "numbers.",
    false_positives="Key services where no person can ever see clear key material (non-exportable "
    "KMS keys without imported material) need no split knowledge; state "
    "`split_knowledge: true` or leave it unstated.",
    references=(PCI_DSS, "https://docs.aws.amazon.com/cloudhsm/latest/userguide/quorum-authentication.html"),
    asks=(Ask(
        "Do key operations on {element} that a person performs (import, export, key policy "
        "changes, deletion) need two custodians (dual control, M of N quorum)?",
        (
            AskFact("properties.dual_control", confirms=("false",), rules_out=("true",)),
            AskFact("properties.split_knowledge", confirms=("false",)),
        ),
        threat="One administrator may export, re-wrap or delete the keys in {element} that "
        "protect card data",
    ),),
))
def pci_key_management_dual_control(component: Component, model: Model) -> Verdict:
    """Single-person control over card-data keys."""
    if not in_pci_scope(model):
        return Skip("the system is not in PCI scope")
    evidence = [f"properties.{key}: false" for key in ("dual_control", "split_knowledge")
                if component.prop(key) is False]
    if evidence:
        return Fire(("system handles account data", *evidence))
    if component.prop("dual_control") is True:
        return RuledOut(("properties.dual_control: true",))
    graph = model.graph
    users = sorted({f.source for f in graph.flows_in(component.id)
                    if _handled(model, model.components[f.source], PAN)}
                   | {f.target for f in graph.flows_out(component.id)
                      if _handled(model, model.components[f.target], PAN)})
    if in_cde(model, component.id):
        why = "in the CDE"
    elif users:
        why = f"used by {', '.join(users)}, which handle card numbers"
    else:
        return PASS
    return Unknown(("properties.dual_control",), why=("system handles account data", why))


# --- where card numbers go --------------------------------------------------------------------


@rule(RuleMeta(
    id="pci-pan-processed-outside-cde",
    title="{element} handles card numbers outside the cardholder data environment",
    description="Every system component that processes or transmits a PAN is part of the CDE. "
    "One that sits in a less protected zone extends the CDE to that zone, or leaves card "
    "numbers exposed where segmentation and CDE controls do not apply.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(653,), capec=(116,),
    asvs=("V1.1.4", "V8.3.4"), attack=("T1557", "T1005"), domain=DOMAIN,
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:12.5.2"),
    data=HANDLES_PAN,
    mitigations=(
        "Move the component into the CDE zone and apply CDE controls, or keep the PAN from "
        "reaching it: PSP-hosted payment fields or client-side encryption so the PAN goes "
        "straight to the tokenisation service, and tokens everywhere else.",
        "For edge services that only pass the PAN through (CloudFront, API Gateway), treat them "
        "as CDE system components: harden, log and scan them under PCI DSS.",
    ),
    detection="Component (not an actor, client, third party, monitoring store or edge "
    "gateway, load balancer or CDN) whose processed or carried data includes a `pci.pan` asset, "
    "that stores no PAN itself (see pci-pan-stored-outside-cde), and whose zone is not in the "
    "CDE.",
    false_positives="Intermediaries that only see PAN encrypted end to end with keys they do "
    "not hold: model that data as a separate asset without the `pci.pan` category. Edge "
    "components (CloudFront, API Gateway, load balancers) that pass the PAN through are in PCI "
    "scope but need not sit in the CDE zone; the rule leaves them out.",
    references=(SCOPING,),
))
def pci_pan_processed_outside_cde(component: Component, model: Model) -> Verdict:
    """PAN in memory or transit outside the CDE."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    if component.kind in EDGE_KINDS:
        return Skip("an edge component that passes card data through (in scope, not in the CDE)")
    pan = _handled(model, component, PAN)
    if not pan:
        return _HANDLES_NO_PAN
    if component.zone is None:
        return Unknown(("zone",))
    if in_cde(model, component.id):
        return PASS
    return Fire((f"handles {names(pan)}", _zone_words(model, component)), data=ids(pan))


def _tokenises(model: Model, component: Component) -> bool:
    """The tokenisation service or vault: says so, keeps the PAN-token mapping, or writes it."""
    if component.prop("tokenizes") is True:
        return True
    if _stored(model, component, PAN) and _stored(model, component, TOKEN):
        return True
    return any(_flow_assets(model, f, PAN) and _flow_assets(model, f, TOKEN)
               for f in model.graph.flows_out(component.id))


def _tokenising(model: Model, component: Component) -> bool:
    """:func:`_tokenises`, decided once per component."""
    known: dict[str, bool] = model.graph.memo(("tokenisers",), dict)
    found = known.get(component.id)
    if found is None:
        found = known[component.id] = _tokenises(model, component)
    return found


@rule(RuleMeta(
    id="pay-pan-not-tokenized",
    title="Card numbers travel between internal services on {element} instead of a token",
    description="Once the PAN has reached the tokenisation service, every further copy sent to "
    "another internal service, queue or cache multiplies the places a card number can leak "
    "from and the systems in PCI scope; a payment token would do the same job.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(INFO,), cwe=(212, 653), capec=(116,),
    source_kinds=PAN_SENDER_KINDS, target_kinds=PAN_RECEIVER_KINDS,
    asvs=("V8.3.4",), attack=("T1005",), domain=DOMAIN,
    compliance=("pci-dss-4.0:3.2.1", "pci-dss-4.0:12.5.2"),
    data=HANDLES_PAN,
    mitigations=(
        "Tokenise the PAN in the first service that receives it (or let the PSP tokenise it in "
        "hosted fields) and pass only the token (`pci.token`) to order, fulfilment and refund "
        "services, queues and caches.",
        "Where a service really needs the PAN (e.g. network tokens, account updater), detokenise "
        "inside the CDE just before use.",
    ),
    detection="Flow carrying a `pci.pan` asset from one of our services or functions (not an "
    "edge component) to another service, function, gateway, queue, stream or cache that does "
    "not tokenise it. A tokeniser states `properties.tokenizes: true`, stores both a `pci.pan` "
    "and a `pci.token` asset, or sends both on one flow (writing the mapping to the vault). "
    "Higher confidence when the model already has a `pci.token` asset.",
    false_positives="Flows into a tokenisation service the model does not show as one; state "
    "`tokenizes: true` on it.",
    references=(TOKENIZATION,),
))
def pay_pan_not_tokenized(flow: Flow, model: Model) -> Verdict:
    """PAN passed on where a token would do."""
    pan = _flow_assets(model, flow, PAN)
    if not pan:
        return _NO_PAN
    source = model.components[flow.source]
    target = model.components[flow.target]
    if _is_telemetry(model, target):
        return _TARGET_NOT_INTERNAL
    if _tokenising(model, target):
        return PASS
    tokens = model.graph.memo(("payment-tokens",), lambda: sorted(
        a.id for a in model.data.values() if TOKEN in a.categories
    ))
    if tokens:
        return Fire((f"carries {names(pan)} from '{source.id}' to '{target.id}'",
                     f"a payment token ({', '.join(tokens)}) could stand in for it"),
                    data=ids(pan), confidence=Confidence.HIGH)
    return Fire((f"carries {names(pan)} from '{source.id}' to '{target.id}'",
                 "the model has no payment token (pci.token) at all"), data=ids(pan))


@rule(RuleMeta(
    id="pci-pan-in-telemetry",
    title="Card data ends up in {element}, a log, monitoring or analytics store",
    description="Logs, traces and analytics copies are read by many people, shipped to other "
    "tools and kept for long: a PAN or SAD in them puts the whole observability or analytics "
    "stack into PCI scope and leaks card data to everyone who can query it.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(INFO,), cwe=(532, 359), capec=(150,),
    asvs=("V7.1.1", "V8.3.5"), attack=("T1213", "T1530"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:3.3.1", "pci-dss-4.0:3.4.1", "pci-dss-4.0:3.5.1"),
    data=CARD_DATA,
    among=TELEMETRY,
    mitigations=(
        "Mask card data before it is written: CloudWatch Logs data protection policies with the "
        "CreditCardNumber identifier, redaction processors in the log shipper (Fluent Bit, "
        "OpenTelemetry Collector), and structured logging with an allow-list of fields.",
        "Feed analytics with tokens or truncated PANs (first 6 / last 4) only, and purge the "
        "card data already in the log groups, indexes and exports.",
    ),
    detection="Monitoring component, or analytics store (`properties.purpose: analytics`, tag "
    "`analytics`, or a warehouse technology such as aws.redshift, snowflake, bigquery), that "
    "stores, processes or receives a `pci.pan` or `pci.sad` asset.",
    false_positives="A dedicated log store inside the CDE that is meant to hold encrypted PANs; "
    "accept with justification.",
    references=("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
                "mask-sensitive-log-data.html", PCI_DSS),
    supersedes=(
        Supersedes("pci-pan-stored-outside-cde"),
        Supersedes("pci-pan-processed-outside-cde"),
    ),
))
def pci_pan_in_telemetry(component: Component, model: Model) -> Verdict:
    """Card data in observability or analytics."""
    if not _is_telemetry(model, component):
        return _NOT_TELEMETRY
    card = _handled(model, component, PAN, SAD)
    if not card:
        return PASS
    return Fire((f"{'monitoring' if component.kind is ComponentKind.MONITORING else 'analytics'}"
                 f" component holds {names(card)}",), data=ids(card))


@rule(RuleMeta(
    id="pci-pan-debug-logging",
    title="{element} logs request bodies that contain card numbers",
    description="Debug logging or request-body logging in a component that receives card data "
    "writes the PAN (and often the CVV) into log streams, where it is stored unprotected and "
    "copied to every log consumer.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(INFO,), cwe=(532, 215), capec=(215,),
    asvs=("V7.1.1",), attack=("T1005",), kinds=PROCESS_KINDS, domain=DOMAIN,
    confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:3.3.1", "pci-dss-4.0:3.5.1"),
    data=CARD_DATA, properties=frozenset({"log_request_body", "log_level"}),
    mitigations=(
        "Turn off request-body and debug logging in production (API Gateway: disable 'Log full "
        "requests/responses data'; Lambda: set the log level to INFO via the logging config), "
        "and log a redacted allow-list of fields instead.",
        "Add a CloudWatch Logs data protection policy as a safety net and alarm on its findings.",
    ),
    detection="Service, function or gateway that handles a `pci.pan` or `pci.sad` asset, whose "
    "logging is not disabled, with `properties.log_request_body: true` or "
    "`properties.log_level` DEBUG/TRACE.",
    references=("https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
                "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html"),
))
def pci_pan_debug_logging(component: Component, model: Model) -> Verdict:
    """Request bodies with card data written to logs."""
    card = _handled(model, component, PAN, SAD)
    if not card:
        return _HANDLES_NO_CARD_DATA
    if component.logging is not None and not component.logging.enabled:
        return PASS
    evidence = []
    if component.prop("log_request_body") is True:
        evidence.append("properties.log_request_body: true")
    level = component.prop("log_level")
    if isinstance(level, str) and word(level) in DEBUG_LOG_LEVELS:
        evidence.append(f"properties.log_level: {level}")
    if not evidence:
        return PASS
    return Fire((f"handles {names(card)}", *evidence), data=ids(card))


@rule(RuleMeta(
    id="pci-pan-displayed-in-full",
    title="{element} shows full card numbers to the people who use it",
    description="Support and operations staff rarely need more than the first six and last four "
    "digits; showing the full PAN invites shoulder surfing, screenshots and insider fraud.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(359,), capec=(508,),
    asvs=("V8.3.4",), api_top10=("API3:2023",), attack=("T1213",), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:3.4.1", "pci-dss-4.0:3.4.2"),
    data=HANDLES_PAN,
    mitigations=(
        "Mask the PAN in every screen, export and API response (BIN and last four at most); "
        "give the few roles with a documented need a separate, audited reveal action.",
        "Block copy/paste and download of PANs in remote-access tools (PCI DSS 3.4.2).",
    ),
    detection="Component that handles a `pci.pan` asset with `properties.pan_display: full` or "
    "`properties.pan_masking: false`. An applicable threat (staff see full card numbers) on a "
    "service, function or gateway of ours that handles card numbers and that staff use "
    "(directly or through gateways and proxies), when neither is stated.",
    references=(PCI_DSS,),
    asks=(Ask(
        "Does {element} mask card numbers on every screen and export (first six and last four "
        "at most) for the staff who use it?",
        (
            AskFact("properties.pan_masking", confirms=("false",), rules_out=("true",)),
            AskFact("properties.pan_display", confirms=("full",),
                    rules_out=("masked", "truncated")),
        ),
        threat="Staff may see full card numbers in {element} (shoulder surfing, screenshots, "
        "insider fraud)",
    ),),
))
def pci_pan_displayed_in_full(component: Component, model: Model) -> Verdict:
    """Unmasked PAN on screen."""
    if component.kind in (ComponentKind.ACTOR, ComponentKind.EXTERNAL_SERVICE):
        return _NOT_OURS
    pan = _handled(model, component, PAN)
    if not pan:
        return _HANDLES_NO_PAN
    evidence = []
    display = component.prop("pan_display")
    if isinstance(display, str) and display.lower() in ("full", "unmasked", "clear"):
        evidence.append(f"properties.pan_display: {display}")
    if component.prop("pan_masking") is False:
        evidence.append("properties.pan_masking: false")
    if evidence:
        return Fire((f"handles {names(pan)}", *evidence), data=ids(pan))
    if component.prop("pan_masking") is True:
        return RuledOut(("properties.pan_masking: true",))
    if isinstance(display, str):
        return RuledOut((f"properties.pan_display: {display}",))
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return PASS
    staff = staff_route(model, component.id, hops=3, edges_only=True)
    if not staff:
        return PASS
    return Unknown(("properties.pan_masking",),
                   why=(f"handles {names(pan)}", f"staff use it ({', '.join(staff)})"),
                   data=ids(pan))


@rule(RuleMeta(
    id="pci-pan-weak-tls",
    title="Card numbers on {element} may be sent with TLS older than 1.2 ({detail})",
    description="TLS 1.0 and 1.1 (and SSL) have known weaknesses and no modern cipher suites; a "
    "connection carrying card data that still accepts them can be downgraded and read.",
    target=Target.FLOW, likelihood=2, impact=5, stride=(INFO, T), cwe=(326, 327), capec=(620,),
    asvs=("V9.1.3", "V9.1.2"), api_top10=("API8:2023",), attack=("T1557", "T1040"),
    domain=DOMAIN, confidence=Confidence.HIGH, compliance=("pci-dss-4.0:4.2.1",),
    data=CARD_DATA,
    mitigations=(
        "Require TLS 1.2 or later with strong suites: CloudFront security policy "
        "TLSv1.2_2021, API Gateway TLS_1_2 security policy, ALB "
        "ELBSecurityPolicy-TLS13-1-2-2021-06, `ssl_protocols TLSv1.2 TLSv1.3` on nginx ingress, "
        "`ssl_min_protocol_version` on databases.",
    ),
    detection="Flow carrying a `pci.pan` or `pci.sad` asset where `properties.min_tls` on the "
    "flow, or `properties.min_tls` / `properties.min_tls_version` on its target, is below 1.2 "
    "(TLSv1, TLSv1.1, SSLv3...).",
    references=("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
                "secure-connections-supported-viewer-protocols-ciphers.html", PCI_DSS),
))
def pci_pan_weak_tls(flow: Flow, model: Model) -> Verdict:
    """Card data over outdated TLS."""
    card = _flow_assets(model, flow, PAN, SAD)
    if not card:
        return _NO_CARD_DATA
    target = model.components[flow.target]
    stated = [
        ("properties.min_tls", "the flow", flow_prop(flow, "min_tls")),
        ("properties.min_tls", f"'{target.id}'", target.prop("min_tls")),
        ("properties.min_tls_version", f"'{target.id}'", target.prop("min_tls_version")),
    ]
    weak = [(f"{key}: {value} on {where}", str(value)) for key, where, value in stated
            if (version := tls_version(value)) is not None and version < (1, 2)]
    if not weak:
        return PASS
    return Fire((f"carries {names(card)}", *(words for words, _ in weak)), data=ids(card),
                detail=weak[0][1])


# --- segmentation and access to the CDE -------------------------------------------------------


@rule(RuleMeta(
    id="pci-cde-segmentation-bypass",
    title="Flow {element} enters the CDE straight from a less trusted zone, not via a gateway",
    description="Traffic from untrusted or semi-trusted networks must reach the CDE only through "
    "a controlled entry point; a direct path lets anything in that zone talk to card-data "
    "systems and defeats the segmentation that keeps the rest of the estate out of scope.",
    target=Target.FLOW, likelihood=3, impact=5, stride=(E, INFO), cwe=(653, 284), capec=(554,),
    asvs=("V1.1.4", "V1.4.1"), attack=("T1133", "T1021"), domain=DOMAIN,
    confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:1.4.2", "pci-dss-4.0:1.4.4",
                "pci-dss-4.0:11.4.5"),
    among=INTO_CDE,
    mitigations=(
        "Route the traffic through a gateway, load balancer or proxy in a DMZ (API Gateway with "
        "a VPC link, an ALB with AWS WAF, an egress/ingress proxy) and allow only that hop in "
        "the CDE's security groups and NACLs.",
        "Pen-test the segmentation (PCI DSS 11.4.5) after the change.",
    ),
    detection="In a system in PCI scope: flow whose target is in the CDE and whose source is "
    "outside it, in a zone of trust untrusted or semi-trusted, where neither end is a gateway, "
    "load balancer or CDN.",
    references=(SCOPING,),
))
def pci_cde_segmentation_bypass(flow: Flow, model: Model) -> Verdict:
    """Direct path from a less trusted zone into the CDE."""
    if not in_pci_scope(model):
        return _NOT_IN_PCI_SCOPE
    cde = cde_components(model)
    if flow.target not in cde or flow.source in cde:
        return _NOT_INTO_CDE
    source = model.components[flow.source]
    target = model.components[flow.target]
    trust = model.graph.trust_of(source.id)
    if trust not in (TrustLevel.UNTRUSTED, TrustLevel.SEMI_TRUSTED):
        return PASS
    if source.kind in EDGE_KINDS or target.kind in EDGE_KINDS:
        return PASS
    zone = model.graph.zone_of(source.id)
    assert zone is not None  # noqa: S101 - a trust level implies a zone
    return Fire((f"'{source.id}' sits in zone '{zone.id}' ({trust.value})",
                 f"'{target.id}' is in the CDE",
                 f"neither end is a gateway, load balancer or CDN ({source.kind.value} -> "
                 f"{target.kind.value})"))


@rule(RuleMeta(
    id="pci-cde-access-without-mfa",
    title="Staff reach the cardholder data environment through {element} without MFA",
    description="Every non-console access into the CDE by personnel needs multi-factor "
    "authentication: a phished password of one support or operations user would otherwise "
    "open a path to card data.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(308,), capec=(560,),
    asvs=("V4.3.1",), attack=("T1078", "T1133"), domain=DOMAIN,
    confidence=Confidence.HIGH, compliance=("pci-dss-4.0:8.4.2", "pci-dss-4.0:8.4.3"),
    among=STAFF_CONNECTS,
    mitigations=(
        "Put MFA in front of every access path into the CDE: SSO through the workforce identity "
        "provider with phishing-resistant MFA (IAM Identity Center, Okta, Entra ID), or a "
        "zero-trust access proxy (AWS Verified Access) that enforces it per request.",
        "Remove local username/password logins on tools that reach card-data systems.",
    ),
    detection="In a system in PCI scope: component that a person (actor or client) in a "
    "corporate zone connects to, and that is in the CDE or has a flow into it, with "
    "`mfa: false` (unknown when `mfa` is not stated; a staff flow with `properties.mfa: true` "
    "counts as MFA). It also reports administrative interfaces on such a path, which "
    "admin-without-mfa then leaves to it. An applicable threat (a phished staff password opens "
    "the CDE) when `mfa` is not stated.",
    references=(PCI_DSS, "https://docs.aws.amazon.com/verified-access/latest/ug/"
                "what-is-verified-access.html"),
    supersedes=(
        Supersedes("admin-without-mfa"),
        Supersedes("aws-cognito-mfa-not-enforced"),
    ),
    asks=(Ask(
        "Does every staff sign-in to {element} require multi-factor authentication?",
        (AskFact("mfa", confirms=("false",), rules_out=("true",)),),
        threat="A phished staff password for {element} may open a path into the cardholder "
        "data environment",
    ),),
))
def pci_cde_access_without_mfa(component: Component, model: Model) -> Verdict:
    """Personnel path into the CDE without MFA."""
    access = cde_staff_access(model, component)
    if isinstance(access, Skip):
        return access
    if component.mfa is True:
        return RuledOut(("mfa: true",))
    if access.mfa_on_every_flow:
        return PASS
    if component.mfa is None:
        return Unknown(("mfa",), why=(
            f"staff ({', '.join(access.staff)}) connect from a corporate zone", access.path))
    evidence = [f"staff ({', '.join(access.staff)}) connect from a corporate zone", access.path,
                "mfa: false"]
    if component.admin:
        evidence.insert(0, "admin: true")
    return Fire(tuple(evidence))


# --- payment abuse ----------------------------------------------------------------------------


@rule(RuleMeta(
    id="pay-missing-idempotency",
    title="Payment API {element} does not use idempotency keys",
    description="Without idempotency keys a client retry, a double click or a replayed request "
    "creates a second charge, capture or refund; an attacker who can replay requests can also "
    "repeat refunds and payouts.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, R), cwe=(837,), capec=(60,),
    asvs=("V11.1.1", "V11.1.6"), api_top10=("API6:2023",), attack=("T1565",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:6.2.4",),
    data=PAYMENT_DATA,
    mitigations=(
        "Require an Idempotency-Key header on every state-changing payment call, store the key "
        "with the request hash and the response (e.g. a DynamoDB table with a conditional write "
        "and a TTL), and return the stored response for repeats; pass the key on to the PSP.",
        "Consumers of a queue (SQS, Kafka) get each message at least once: record the message's "
        "business key (refund id) with a conditional write before moving money, and skip "
        "repeats.",
    ),
    detection="Service, function or gateway that handles payment data (`pci.pan`, `pci.token` or "
    "`financial`) with `properties.idempotency_keys: false`. An applicable threat (duplicate "
    "payments or refunds by replay, retry or queue redelivery) when it is not stated and the "
    "component takes requests from outside its trust (public, a less trusted caller, staff) or "
    "consumes a queue or stream.",
    references=("https://docs.stripe.com/api/idempotent_requests",
                "https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/",
                "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
                "standard-queues-at-least-once-delivery.html"),
    asks=(Ask(
        "Does {element} detect repeated requests and redelivered messages (an idempotency key "
        "or business key checked before money moves)?",
        (AskFact("properties.idempotency_keys", confirms=("false",), rules_out=("true",)),),
        threat="Duplicate payments or refunds through {element} by replay, retry or queue "
        "redelivery",
    ),),
))
def pay_missing_idempotency(component: Component, model: Model) -> Verdict:
    """Payment operations that can be repeated."""
    payment = _handled(model, component, *PAYMENT_CATEGORIES)
    if not payment:
        return Skip("handles no payment data")
    stated = component.prop("idempotency_keys")
    if stated is None:
        why = [] if component.kind in EDGE_KINDS else _repeatable_input(model, component)
        if not why:
            return _NOT_CHANGED_FROM_OUTSIDE
        return Unknown(("properties.idempotency_keys",),
                       why=(f"handles {names(payment)}", *why), data=ids(payment))
    if stated is not False:
        return RuledOut(("properties.idempotency_keys: true",))
    return Fire((f"handles {names(payment)}", "properties.idempotency_keys: false"),
                data=ids(payment))


def _repeatable_input(model: Model, component: Component) -> list[str]:
    """Where repeated input can come from, in words: a queue it consumes (at-least-once
    delivery), a third party's notifications (redelivered until acknowledged), or callers from
    an entry point (retries, replays)."""
    why = []
    queues = sorted({f.source for f in model.graph.flows_in(component.id)
                     if model.components[f.source].kind in BROKER_KINDS})
    if queues:
        why.append(f"consumes messages from {', '.join(queues)} (delivered at least once)")
    notifiers = _notifiers_of_same_data(model, component)
    if notifiers:
        why.append(f"receives notifications from {', '.join(notifiers)} (redelivered on "
                   "timeouts)")
    if exposed(model, component):
        why.append(exposure_words(model, component))
    elif (relayed := _relays_client_payments(model, component)):
        why.append(relayed)
    return why


def client_money_sent(model: Model) -> frozenset[str]:
    """Money data (payment categories) that people who are not staff send into the system."""
    def find() -> frozenset[str]:
        staff = staff_users(model)
        return frozenset(
            a.id for f in model.flows
            if f.source in model.components and f.source not in staff
            and model.components[f.source].kind in PEOPLE_KINDS
            for a in _flow_assets(model, f, *PAYMENT_CATEGORIES)
        )

    return model.graph.memo(("client-money-sent",), find)


def _relays_client_payments(model: Model, component: Component) -> str:
    """Why a process behind the entry points still sees a client's retries, in words ("" when
    it does not): it receives money data customers send, reachable from an entry point, and
    sends payments on (to a payment partner) or is the payment service."""
    if not reachable(model, component):
        return ""
    sent = client_money_sent(model)
    got = sorted({d for f in model.graph.flows_in(component.id) for d in f.data if d in sent})
    if not got:
        return ""
    partners = payment_partners(model)
    onward = sorted({f.target for f in model.graph.flows_out(component.id)
                     if f.target in partners and _flow_assets(model, f, *PAYMENT_CATEGORIES)})
    if onward:
        return (f"passes {', '.join(got)} that customers send on to {', '.join(onward)} "
                "(a client's retries reach it)")
    if component.prop("payment_service") is True:
        return (f"executes {', '.join(got)} that customers send (properties.payment_service: "
                "true; a client's retries reach it)")
    return ""


def hosted_checkout(model: Model, component: Component) -> str:
    """How the component starts payments that people complete on a payment provider's own
    page, in words ("" when it does not): an exposed process of ours (not a refund endpoint)
    sends money data to a payment partner that a person (not staff) also has a flow to."""
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ""
    if refund_words(component) or not exposed(model, component):
        return ""
    staff = staff_users(model)
    if not customers_call(model, component, staff):
        return ""
    partners = payment_partners(model)
    for flow in model.graph.flows_out(component.id):
        if flow.target not in partners or not _flow_assets(model, flow, *PAYMENT_CATEGORIES):
            continue
        payers = sorted(f.source for f in model.graph.flows_in(flow.target)
                        if model.components[f.source].kind in PEOPLE_KINDS
                        and f.source not in staff)
        if payers:
            return (f"creates payments at '{flow.target}', whose page {', '.join(payers)} "
                    "pay on")
    return ""


def customers_call(model: Model, component: Component, staff: frozenset[str]) -> bool:
    """Whether people who are not staff send the component requests, directly or through one
    gateway, load balancer or CDN."""
    for flow in model.graph.flows_in(component.id):
        source = model.components[flow.source]
        if source.kind in PEOPLE_KINDS and source.id not in staff:
            return True
        if source.kind in EDGE_KINDS and any(
            model.components[f.source].kind in PEOPLE_KINDS and f.source not in staff
            for f in model.graph.flows_in(source.id)
        ):
            return True
    return False


def _checkouts(model: Model) -> frozenset[str]:
    return model.graph.memo(("hosted-checkouts",), lambda: frozenset(
        cid for cid, c in model.components.items() if hosted_checkout(model, c)
    ))


def _payment_intake(model: Model) -> frozenset[str]:
    """Exposed processes that take card numbers or start payments on a provider's page."""
    return model.graph.memo(("payment-intake",), lambda: _checkouts(model) | frozenset(
        cid for cid in members(EXPOSED, model)
        if model.components[cid].kind in PROCESS_KINDS
        and any(_flow_assets(model, f, PAN) for f in model.graph.flows_in(cid))
    ))


PAYMENT_INTAKE = ElementSet(
    "payment-intake", "exposed services, functions and gateways that receive card numbers, or "
    "that create payments people complete on a payment provider's page (see hosted_checkout)",
    _payment_intake,
)


@rule(RuleMeta(
    id="pay-card-testing",
    title="Anonymous payment endpoint {element} can be used for card testing",
    description="An endpoint that accepts card numbers from anyone, without rate limits or bot "
    "protection, lets fraudsters validate stolen cards in bulk with small authorisations; the "
    "merchant pays the fees, the chargebacks and the scheme fines.",
    target=Target.COMPONENT, likelihood=4, impact=3, stride=(S, D), cwe=(799,), capec=(112,),
    asvs=("V11.1.4", "V11.1.2"), api_top10=("API6:2023", "API4:2023"), attack=("T1657",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:6.2.4",),
    among=PAYMENT_INTAKE,
    mitigations=(
        "Put bot protection in front of the payment step (AWS WAF Bot Control and Fraud Control, "
        "CAPTCHA on risk, device fingerprinting) and rate-limit per IP, per session, per card "
        "BIN and per account (API Gateway usage plans, WAF rate-based rules).",
        "Require a signed-in or verified customer (or at least a server-side checkout session) "
        "before accepting card details or creating a payment session; alert on spikes of "
        "declined authorisations and turn on the PSP's card-testing protections (Stripe Radar "
        "rules, Adyen RevenueProtect velocity rules).",
    ),
    detection="Exposed service, function or gateway that receives a `pci.pan` asset on a flow, "
    "or that creates payments people complete on a payment provider's page (it sends money "
    "data to a payment partner a person also has a flow to), with "
    "`properties.bot_protection: false`, or `authn: none` and `rate_limit: false` (and no "
    "rate-limited edge in front). An applicable threat (card testing) when "
    "`bot_protection` is not stated. "
    "Such an endpoint's missing authentication and rate limit are reported here only "
    "(it supersedes unauthenticated-exposed-service, missing-rate-limit and "
    "missing-authorization there).",
    false_positives="Checkouts whose PSP screens card testing for them (Radar, RevenueProtect): "
    "state `bot_protection: true` and name the control.",
    references=("https://docs.stripe.com/disputes/prevention/card-testing",
                "https://docs.aws.amazon.com/waf/latest/developerguide/waf-bot-control.html"),
    supersedes=(
        Supersedes("unauthenticated-exposed-service"),
        Supersedes("missing-rate-limit"),
        Supersedes("missing-authorization"),
    ),
    asks=(Ask(
        "Is the payment step of {element} protected against automated card testing (bot "
        "protection, velocity limits per card, account and IP, the PSP's card-testing rules)?",
        (AskFact("properties.bot_protection", confirms=("false",), rules_out=("true",)),),
        threat="Card testing through {element}: bots may validate stolen cards with small "
        "payments",
    ),),
))
def pay_card_testing(component: Component, model: Model) -> Verdict:
    """Card numbers accepted, or payments started, for anyone at any rate."""
    takes_pan = any(_flow_assets(model, f, PAN) for f in model.graph.flows_in(component.id))
    checkout = hosted_checkout(model, component)
    if not takes_pan and not checkout:
        return _RECEIVES_NO_CARD_NUMBERS
    if not exposed(model, component):
        return PASS
    bots = component.prop("bot_protection")
    if bots is True:
        return RuledOut(("properties.bot_protection: true",))
    what = checkout or "receives card numbers (pci.pan)"
    if bots is False:
        return Fire((exposure_words(model, component), what,
                     "properties.bot_protection: false"))
    pan = anonymous_card_intake(model, component)
    if pan and component.rate_limit is False:
        return Fire((exposure_words(model, component), f"receives {names(pan)}",
                     f"authn: {authn_words(component.authn)}", "rate_limit: false",
                     "no bot protection stated"), data=ids(pan))
    return Unknown(("properties.bot_protection",),
                   why=(exposure_words(model, component), what))


def _refunds(component: Component) -> bool:
    """A refund endpoint: says so, or 'refund' in its id, name, routes, code paths or tags."""
    return bool(refund_words(component))


def refund_words(component: Component) -> str:
    """Why the component counts as a refund endpoint, in words ("" when it does not)."""
    if component.prop("refunds") is True:
        return "properties.refunds: true"
    for where, values in (
        ("its id", [component.id]),
        ("its name", [component.name or ""]),
        ("a route", list(component.routes)),
        ("a code path", list(component.paths)),
        ("a tag", list(component.tags)),
    ):
        for value in values:
            if "refund" in value.lower():
                return f"issues refunds ('refund' in {where}: {value})"
    return ""


def _refund_endpoints(model: Model) -> frozenset[str]:
    return model.graph.memo(("refund-endpoints",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and (_refunds(c) or "dual_approval" in c.properties)
    ))


REFUND_ENDPOINTS = ElementSet(
    "refund-endpoints", "services, functions and gateways that issue refunds (see _refunds), "
    "or that state properties.dual_approval",
    _refund_endpoints,
)


@rule(RuleMeta(
    id="pay-refund-without-dual-approval",
    title="Refunds through {element} need only one person's approval",
    description="Refunds move money out. If one employee (or one stolen account) can issue them "
    "alone, refunds to the fraudster's own card are an easy insider or account-takeover theft.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E, R), cwe=(654,), capec=(212,),
    asvs=("V11.1.3", "V4.1.3"), api_top10=("API6:2023",), attack=("T1657",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:6.2.4",),
    among=REFUND_ENDPOINTS,
    mitigations=(
        "Require maker-checker approval by a second person for refunds above a small threshold "
        "and for any refund to a card other than the original one; cap per-agent daily totals.",
        "Only refund to the original payment instrument by token, and alert on unusual refund "
        "volumes per agent.",
    ),
    detection="Refund endpoint (id, name, route, code path or tag containing 'refund', or "
    "`properties.refunds: true`) with `properties.dual_approval: false`. An applicable threat "
    "(with the question) when `dual_approval` is not stated and staff (people in a corporate "
    "zone, or that the model calls staff, agents, operators or support, or who use an "
    "`admin: true` component) reach it within two flows, not through another refund "
    "endpoint.",
    references=("https://owasp.org/API-Security/editions/2023/en/"
                "0xa6-unrestricted-access-to-sensitive-business-flows/",),
    asks=(Ask(
        "Do refunds through {element} need a second person's approval (maker-checker)?",
        (AskFact("properties.dual_approval", confirms=("false",), rules_out=("true",)),),
        threat="One person (an insider or a stolen account) may issue refunds through "
        "{element} alone",
    ),),
))
def pay_refund_without_dual_approval(component: Component, model: Model) -> Verdict:
    """Refunds on a single approval."""
    refunds = refund_words(component)
    if not refunds:
        return _NOT_A_REFUND_ENDPOINT
    approval = component.prop("dual_approval")
    if approval is None:
        staff = staff_route(model, component.id, hops=2, stop=_refund_endpoints(model))
        if not staff:
            return _NO_STAFF_START_REFUNDS
        return Unknown(("properties.dual_approval",),
                       why=(refunds, f"staff start refunds here ({', '.join(staff)})"))
    if approval is not False:
        return RuledOut(("properties.dual_approval: true",))
    return Fire(("issues refunds", "properties.dual_approval: false"))


def _psp_recipients(model: Model, component: Component) -> list[str]:
    """Third parties the component sends payment data to."""
    return sorted({
        f.target for f in model.graph.flows_out(component.id)
        if model.components[f.target].kind is ComponentKind.EXTERNAL_SERVICE
        and _flow_assets(model, f, *PAYMENT_CATEGORIES)
    })


def _payment_senders(model: Model) -> frozenset[str]:
    return model.graph.memo(("payment-senders",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and (
            c.prop("payment_service") is not None
            or "transaction_log" in c.properties or "transaction_log_signed" in c.properties
            or _psp_recipients(model, c))
    ))


PAYMENT_SENDERS = ElementSet(
    "payment-senders", "services, functions and gateways that send payment data to a third "
    "party, or that state properties.payment_service, transaction_log or "
    "transaction_log_signed",
    _payment_senders,
)


@rule(RuleMeta(
    id="pay-transaction-non-repudiation",
    title="Payment service {element} keeps no signed record of the transactions it sends",
    description="Without an integrity-protected transaction log, nobody can prove which payment "
    "instructions were sent, by whom and with which amounts: disputes, chargebacks and insider "
    "manipulation cannot be settled or detected.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(R, T), cwe=(353, 778), capec=(93,),
    asvs=("V7.1.3", "V7.1.4"), attack=("T1070", "T1565.001"), kinds=PROCESS_KINDS,
    domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:10.2.1", "pci-dss-4.0:10.2.2", "pci-dss-4.0:10.3.2"),
    among=PAYMENT_SENDERS,
    mitigations=(
        "Write every payment instruction and result (who, what, amount, PSP reference, time) to "
        "an append-only transaction log: S3 with Object Lock in compliance mode, QLDB-style "
        "hash chaining, or records signed with an AWS KMS asymmetric key.",
    ),
    detection="Service, function or gateway that sends payment data (`pci.pan`, `pci.token`, "
    "`financial`) to an external-service (or states `properties.payment_service: true`) with "
    "`properties.transaction_log: false` or `properties.transaction_log_signed: false`. An "
    "applicable threat (a disputed payment nobody can prove) when neither is stated and it "
    "sends money data to a payment partner (a payment provider, scheme or bank) or is the "
    "payment service, unless it only creates payments shoppers complete on the provider's "
    "page (see pay-redirect-result-trusted).",
    references=("https://docs.aws.amazon.com/kms/latest/developerguide/symmetric-asymmetric.html",
                PCI_DSS),
    asks=(Ask(
        "Does {element} keep a tamper-evident record (signed or hash-chained, append-only) of "
        "every payment instruction it sends and its result, with who asked for it?",
        (
            AskFact("properties.transaction_log", confirms=("false",)),
            AskFact("properties.transaction_log_signed", confirms=("false",),
                    rules_out=("true",)),
        ),
        threat="Repudiation of payments through {element}: a disputed payment or refund may "
        "not be provable (who, what, how much)",
    ),),
))
def pay_transaction_non_repudiation(component: Component, model: Model) -> Verdict:
    """Payment instructions without a trustworthy record."""
    recipients = _psp_recipients(model, component)
    if not recipients and component.prop("payment_service") is not True:
        return _SENDS_NO_PAYMENT_INSTRUCTIONS
    evidence = [f"properties.{key}: false"
                for key in ("transaction_log", "transaction_log_signed")
                if component.prop(key) is False]
    sends = (f"sends payment data to {', '.join(recipients)}" if recipients
             else "properties.payment_service: true")
    if evidence:
        return Fire((sends, *evidence))
    if component.prop("transaction_log_signed") is True:
        return RuledOut(("properties.transaction_log_signed: true",))
    partners = payment_partners(model)
    paid = [r for r in recipients if r in partners]
    if not paid and component.prop("payment_service") is not True:
        return PASS
    if hosted_checkout(model, component):
        return PASS  # shoppers give the payment instruction on the PSP's page, which records it
    why = (f"sends payment instructions to {', '.join(paid)}" if paid
           else "properties.payment_service: true")
    return Unknown(("properties.transaction_log_signed",), why=(why,))


@rule(RuleMeta(
    id="pci-cde-audit-log-integrity",
    title="Audit logs of the cardholder data environment in {element} can be altered",
    description="An intruder in the CDE deletes or edits the logs that would show the intrusion; "
    "logs that are not tamper-evident cannot be trusted in an investigation or as PCI evidence.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(R, T), cwe=(353,), capec=(268,),
    asvs=("V7.3.3",), attack=("T1070",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:10.3.2", "pci-dss-4.0:10.3.3", "pci-dss-4.0:10.3.4"),
    among=CDE_OR_MONITORING,
    mitigations=(
        "Ship CDE logs to a central store that the CDE cannot modify: CloudTrail with log file "
        "validation, an S3 log archive with Object Lock (compliance mode) in a separate log "
        "account, and file-integrity or change-detection alerts on the log pipeline.",
    ),
    detection="In a system in PCI scope: a monitoring component that receives flows from CDE "
    "components (or sits in the CDE) with `logging.tamper_evident: false` (unknown when not "
    "stated: an applicable threat, logs of the CDE altered); or a CDE component whose own "
    "`logging.tamper_evident` is false.",
    references=("https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
                "cloudtrail-log-file-validation-intro.html",
                "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html"),
    asks=(Ask(
        "Are the logs in {element} tamper-evident and out of reach of the CDE's own accounts "
        "(log file validation, Object Lock in a separate log account)?",
        (AskFact("logging.tamper_evident", confirms=("false",), rules_out=("true",)),),
        threat="An intruder in the CDE may delete or alter the logs in {element} that would "
        "show the intrusion",
    ),),
))
def pci_cde_audit_log_integrity(component: Component, model: Model) -> Verdict:
    """CDE logs that can be changed."""
    if not in_pci_scope(model):
        return Skip("the system is not in PCI scope")
    tamper = component.logging.tamper_evident if component.logging else None
    if component.kind is ComponentKind.MONITORING:
        sources = sorted({f.source for f in model.graph.flows_in(component.id)
                          if in_cde(model, f.source)})
        if not sources and not in_cde(model, component.id):
            return Skip("holds no logs of the CDE")
        where = (f"receives logs from CDE component(s) {', '.join(sources)}" if sources
                 else "sits in the CDE")
        if tamper is None:
            return Unknown(("logging.tamper_evident",), why=(where,))
        if tamper:
            return RuledOut(("logging.tamper_evident: true",))
        return Fire((where, "logging.tamper_evident: false"))
    if not in_cde(model, component.id):
        return _NOT_IN_CDE
    if tamper is False:
        return Fire(("in the CDE", "logging.tamper_evident: false"))
    return PASS


# --- third-party payment providers ------------------------------------------------------------


def payment_providers(model: Model) -> frozenset[str]:
    """External services we send card numbers or payment tokens to: payment providers."""
    return model.graph.memo(("payment-providers",), lambda: frozenset(
        f.target for f in model.flows
        if f.target in model.components
        and model.components[f.target].kind is ComponentKind.EXTERNAL_SERVICE
        and f.source in model.components
        and model.components[f.source].kind not in OUTSIDE_KINDS
        and _flow_assets(model, f, PAN, TOKEN)
    ))


_PAYMENT_WORDS = re.compile(
    r"\b(payments?|psp|acquir\w*|pay-?outs?|sepa|swift|ach|card schemes?|banks?|banking|"
    r"stripe|adyen|braintree|paypal|worldpay|klarna|checkout\.com)\b"
)


def payment_partners(model: Model) -> frozenset[str]:
    """External services money moves through: the payment providers we send card numbers or
    tokens to (:func:`payment_providers`), and external services we send financial data to
    that the model calls a payment provider, scheme or bank (in their id, name or
    description) or that send financial data back to one of our processes (payment results,
    webhooks). A hosted payment page means the PSP never gets a card number from us."""
    def find() -> frozenset[str]:
        graph = model.graph
        found = set(payment_providers(model))
        for cid, c in model.components.items():
            if c.kind is not ComponentKind.EXTERNAL_SERVICE or cid in found:
                continue
            paid = [f for f in graph.flows_in(cid)
                    if model.components[f.source].kind in PROCESS_KINDS
                    and _flow_assets(model, f, "financial")]
            if not paid:
                continue
            answers = any(model.components[f.target].kind in PROCESS_KINDS
                          and _flow_assets(model, f, "financial")
                          for f in graph.flows_out(cid))
            if answers or _PAYMENT_WORDS.search(text_of(c)):
                found.add(cid)
        return frozenset(found)

    return model.graph.memo(("payment-partners",), find)


def _notifiers_of_same_data(model: Model, component: Component) -> list[str]:
    """Payment providers whose notifications reach the component: directly, or through one
    edge hop that passes on only data they sent. Stricter than :func:`_payment_notifiers`
    (which the finding keeps): the applicable threat is asked only where a provider we pay
    through calls back, not where a client's request shares an edge with it."""
    providers = payment_partners(model)
    if not providers:
        return []
    found: set[str] = set()
    for flow in model.graph.flows_in(component.id):
        if not _flow_assets(model, flow, *PAYMENT_CATEGORIES):
            continue
        if flow.source in providers:
            found.add(flow.source)
            continue
        if model.components[flow.source].kind not in EDGE_KINDS:
            continue
        carried = set(flow.data)
        found.update(
            f.source for f in model.graph.flows_in(flow.source)
            if f.source in providers and carried <= set(f.data)
        )
    return sorted(found)


def _payment_notified(model: Model) -> frozenset[str]:
    return model.graph.memo(("payment-notified",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and _payment_notifiers(model, c)
    ) | frozenset(model.graph.components_stating("verifies_signature")))


def _payment_notifiers(model: Model, component: Component) -> list[str]:
    """Third parties whose payment messages reach the component directly or via one edge hop."""
    found: set[str] = set()
    for flow in model.graph.flows_in(component.id):
        if not _flow_assets(model, flow, *PAYMENT_CATEGORIES):
            continue
        source = model.components[flow.source]
        if source.kind is ComponentKind.EXTERNAL_SERVICE:
            found.add(source.id)
        elif source.kind in EDGE_KINDS:
            found.update(
                f.source for f in model.graph.flows_in(source.id)
                if model.components[f.source].kind is ComponentKind.EXTERNAL_SERVICE
                and _flow_assets(model, f, *PAYMENT_CATEGORIES)
            )
    return sorted(found)


PAYMENT_NOTIFIED = ElementSet(
    "payment-notified", "processes that payment notifications from a third party reach "
    "(see _payment_notifiers), or that state properties.verifies_signature",
    _payment_notified,
)


@rule(RuleMeta(
    id="pay-psp-webhook-not-verified",
    title="{element} changes payment status on PSP notifications it does not verify",
    description="A handler that marks orders paid, settled or refunded on the strength of a PSP "
    "notification it does not authenticate lets anyone who finds the endpoint mark unpaid "
    "orders as paid, or reverse real payments.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(S, T), cwe=(347, 345), capec=(148,),
    api_top10=("API10:2023",), attack=("T1565",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:6.2.4",),
    among=PAYMENT_NOTIFIED,
    mitigations=(
        "Verify the PSP's signature on every notification before acting on it (Adyen HMAC, "
        "Stripe-Signature with the endpoint secret, Checkout.com/Braintree signatures), over "
        "the raw body, and reject old timestamps.",
        "Before fulfilling, confirm the payment status with the PSP's API (by PSP reference) and "
        "check the amount and currency against the order.",
    ),
    detection="Service, function or gateway that receives payment data (`pci.pan`, `pci.token`, "
    "`financial`) from an external-service, directly or through one gateway/load balancer/CDN, "
    "with `properties.verifies_signature: false` and not `properties.confirms_with_psp: true`.",
    false_positives="Handlers that only log notifications and never change state; say so with "
    "`confirms_with_psp: true` if they re-read the status from the PSP.",
    references=("https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures/",
                "https://docs.stripe.com/webhooks#verify-events"),
    asks=(Ask(
        "Does {element} verify the PSP's signature on each notification (or confirm the "
        "status with the PSP's API) before acting on it?",
        (
            AskFact("properties.verifies_signature", confirms=("false",), rules_out=("true",)),
            AskFact("properties.confirms_with_psp", rules_out=("true",)),
        ),
        threat="Webhook forgery: anyone who finds {element} may send it forged payment "
        "notifications",
    ),),
))
def pay_psp_webhook_not_verified(component: Component, model: Model) -> Verdict:
    """Payment status taken from unverified PSP notifications."""
    notifiers = _payment_notifiers(model, component)
    if not notifiers:
        return _RECEIVES_NO_PAYMENT_NOTIFICATIONS
    if component.prop("confirms_with_psp") is True:
        return RuledOut(("properties.confirms_with_psp: true",))
    verifies = component.prop("verifies_signature")
    if verifies is None:
        direct = _notifiers_of_same_data(model, component)
        if component.kind in EDGE_KINDS or not direct:
            return PASS  # the weakness is not stated; the threat is asked where it is decided
        return Unknown(
            ("properties.verifies_signature",),
            why=(f"payment notifications from {', '.join(direct)} reach it",),
        )
    if verifies is not False:
        return RuledOut(("properties.verifies_signature: true",))
    return Fire((f"payment notifications from {', '.join(notifiers)} reach it",
                 "properties.verifies_signature: false"))


@rule(RuleMeta(
    id="pay-redirect-result-trusted",
    title="{element} trusts the payment result carried by the shopper's redirect",
    description="After a hosted payment page or 3-D Secure, the shopper's browser comes back "
    "with a result in the return URL; a shopper can edit it (or skip the payment and craft the "
    "return URL) and get goods marked as paid.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(T, S), cwe=(602, 345), capec=(77,),
    asvs=("V11.1.1", "V5.1.5"), api_top10=("API10:2023",), attack=("T1565",),
    domain=DOMAIN, confidence=Confidence.HIGH, compliance=("pci-dss-4.0:6.2.4",),
    among=ElementSet(
        "redirect-results", "hosted checkouts (see hosted_checkout), or components that state "
        "properties.trusts_redirect_result",
        lambda model: _checkouts(model) | frozenset(
            model.graph.components_stating("trusts_redirect_result")),
    ),
    mitigations=(
        "Treat the return URL only as a signal to look up the result: fetch the payment status "
        "server-to-server from the PSP (or wait for the verified webhook) and check amount, "
        "currency and order reference before fulfilling.",
        "If the PSP signs redirect parameters (e.g. Adyen redirectResult, Worldpay MAC), verify "
        "the signature server-side.",
    ),
    detection="Component with `properties.trusts_redirect_result: true`. An applicable threat "
    "(the payment result trusted from the client) on an exposed process that creates payments "
    "people complete on a payment provider's page (a hosted payment page or redirect), when "
    "neither `trusts_redirect_result` nor `confirms_with_psp` is stated.",
    references=("https://docs.adyen.com/online-payments/build-your-integration/",),
    asks=(Ask(
        "Does {element} mark an order paid from the shopper's return redirect (or a client "
        "callback), or only from the verified webhook or a server-side status query to the "
        "PSP?",
        (
            AskFact("properties.trusts_redirect_result", confirms=("true",),
                    rules_out=("false",)),
            AskFact("properties.confirms_with_psp", rules_out=("true",)),
        ),
        threat="Payment result trust: a shopper may forge the return from the payment page "
        "of {element} and get an unpaid order marked paid",
    ),),
))
def pay_redirect_result_trusted(component: Component, model: Model) -> Verdict:
    """Payment outcome read from a client-controlled redirect."""
    if component.kind in OUTSIDE:
        return _NOT_OURS
    trusts = component.prop("trusts_redirect_result")
    if trusts is True:
        return Fire(("properties.trusts_redirect_result: true",))
    if component.prop("confirms_with_psp") is True:
        return RuledOut(("properties.confirms_with_psp: true",))
    if trusts is False:
        return RuledOut(("properties.trusts_redirect_result: false",))
    checkout = hosted_checkout(model, component)
    if not checkout:
        return PASS
    return Unknown(("properties.trusts_redirect_result",),
                   why=(checkout, "the shopper's browser returns from that page to the shop"))


# --- scope ------------------------------------------------------------------------------------


@rule(RuleMeta(
    id="pci-scope-not-declared",
    title="The system handles card data but does not declare PCI DSS ({detail})",
    description="A system that stores, processes or transmits card data is in PCI DSS scope "
    "whether it says so or not; undeclared, it escapes scoping, assessments and the controls "
    "that card data requires.",
    target=Target.MODEL, likelihood=3, impact=3, stride=(INFO,), cwe=(1059,),
    domain=DOMAIN, confidence=Confidence.HIGH, compliance=("pci-dss-4.0:12.5.2",),
    mitigations=(
        "Add `pci-dss` to `system.compliance`, confirm the scope with the compliance team, and "
        "mark the CDE zones (`properties: {pci_scope: cde}`).",
        "Or take the system out of scope: use PSP-hosted payment pages or fields so card data "
        "never reaches it, and remove the `pci.pan` / `pci.sad` data from the model.",
    ),
    detection="Some component or flow handles a `pci.pan` or `pci.sad` asset and no entry of "
    "`system.compliance` starts with 'pci'.",
    references=(SCOPING,),
))
def pci_scope_not_declared(model: Model, _: Model) -> Sequence[Verdict]:
    """Card data in a system that does not declare PCI DSS."""
    data = handled_account_data(model)
    if not data or declares(model, "pci"):
        return ()
    return (Fire((f"handles {names(data)}",
                  f"system.compliance: [{', '.join(model.system.compliance)}]"),
                 elements=ids(data), data=ids(data), detail=", ".join(ids(data))),)


@rule(RuleMeta(
    id="pci-no-cde-defined",
    title="The system handles card data but no zone is marked as the CDE ({detail})",
    description="Without a defined cardholder data environment there is no segmentation to "
    "test and no boundary to scope: the whole network is in PCI scope, and rules cannot tell "
    "where card data is allowed to be.",
    target=Target.MODEL, likelihood=3, impact=4, stride=(INFO, E), cwe=(653, 1059),
    domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:1.2.3", "pci-dss-4.0:1.2.4", "pci-dss-4.0:12.5.2"),
    mitigations=(
        "Isolate the components that handle card data in their own zone (dedicated subnets or an "
        "AWS account, a Kubernetes namespace with default-deny NetworkPolicies) and mark it "
        "`trust: restricted` with `properties: {pci_scope: cde}`.",
    ),
    detection="Some component or flow handles a `pci.pan` or `pci.sad` asset, no zone has "
    "`properties.pci_scope: cde` or `properties.cde: true`, and no zone is `trust: restricted`.",
    references=(SCOPING,),
))
def pci_no_cde_defined(model: Model, _: Model) -> Sequence[Verdict]:
    """Card data without a cardholder data environment."""
    data = handled_account_data(model)
    if not data:
        return ()
    marked = any(cde_marking(b) for b in model.boundaries.values())
    restricted = any(b.trust is TrustLevel.RESTRICTED for b in model.boundaries.values())
    if marked or (restricted and not cde_marked_explicitly(model)):
        return ()
    return (Fire((f"handles {names(data)}",
                  "no zone has properties.pci_scope: cde (or cde: true) or trust: restricted"),
                 elements=ids(data), data=ids(data), detail=", ".join(ids(data))),)


RULES: tuple[Rule, ...] = (
    pci_pan_stored_outside_cde,
    pci_pan_stored_readable,
    pci_sad_stored,
    pci_key_stored_with_pan,
    pci_key_management_dual_control,
    pci_pan_processed_outside_cde,
    pay_pan_not_tokenized,
    pci_pan_in_telemetry,
    pci_pan_debug_logging,
    pci_pan_displayed_in_full,
    pci_pan_weak_tls,
    pci_cde_segmentation_bypass,
    pci_cde_access_without_mfa,
    pay_missing_idempotency,
    pay_card_testing,
    pay_refund_without_dual_approval,
    pay_transaction_non_repudiation,
    pci_cde_audit_log_integrity,
    pay_psp_webhook_not_verified,
    pay_redirect_result_trusted,
    pci_scope_not_declared,
    pci_no_cde_defined,
)
"""The payments rules, in the order they are documented."""
