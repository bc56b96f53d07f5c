"""The typed, immutable model of a system, as written in ``threatmodel.yaml``.

Every class here is a frozen pydantic model. The file-level classes (:class:`ModelFile`) are what
one YAML/JSON file holds; the loader merges one or more files (``include:``) into a
:class:`threatforge.model.Model`. Element ids are the mapping keys in the file; the loader injects
them, with the place each element came from, so nothing downstream sees raw dicts.

Absent security facts are ``None`` ("not stated"), never a default that would let a rule pass:
rules report ``unknown`` for them and the assessment lists them as model gaps.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SkipValidation,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from threatforge.model.diagnostics import Location
from threatforge.model.vocabulary import KindGroup, kind_group, protocol_encryption
from threatforge.text.hints import did_you_mean

__all__ = [
    "DATA_CATEGORIES",
    "ELEMENT_ID_PATTERN",
    "EVERY_ELEMENT",
    "FLOW_ARROW",
    "ORIGIN_PATTERN",
    "Assumption",
    "Authn",
    "Authz",
    "Boundary",
    "BoundaryKind",
    "Classification",
    "Component",
    "ComponentKind",
    "Control",
    "ControlStatus",
    "Criticality",
    "DataAsset",
    "EncryptionAtRest",
    "EncryptionSpec",
    "Exposure",
    "Flow",
    "Initiator",
    "LoggingSpec",
    "ModelFile",
    "PropertyValue",
    "StrideCategory",
    "System",
    "ThreatPriority",
    "ThreatSeverity",
    "ThreatStatement",
    "TrackingEntry",
    "TrackingStatus",
    "TrustLevel",
]

ELEMENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/\[\]%-]{0,127}$"
"""Ids are ASCII (no look-alike Unicode), start with a letter or digit, at most 128 characters.

``[``, ``]`` and ``%`` are allowed for imported resource addresses (``aws_instance.web[0]``,
``aws_s3_bucket.logs[audit]``: :mod:`threatforge.importers.ids` maps an address to an id and
back); never ``,`` ``@`` ``*`` or spaces, which fingerprints (``rule@a,b``) and ``applies_to``
give a meaning."""
ORIGIN_PATTERN = re.compile(
    r"^(?P<file>[^\n]+?):(?P<line>[1-9][0-9]*)(?: \((?P<address>[^()\n]*)\))?$"
)
"""An imported element's ``origin``: ``file:line``, then its resource address in brackets
(``main.tf:12 (aws_db_instance.default)``)."""

FLOW_ARROW = re.compile(r"^\s*([^\s]+)\s*->\s*([^\s]+)\s*$")
"""A flow written as ``source -> target``."""

ElementId = Annotated[str, StringConstraints(pattern=ELEMENT_ID_PATTERN)]
_ID = ELEMENT_ID_PATTERN.strip("^$")
ElementRef = Annotated[str, StringConstraints(pattern=f"^{_ID}(->{_ID})?$")]
"""A reference to any element, flows included (a flow's default id is ``source->target``)."""
EVERY_ELEMENT = "*"
"""In a control's ``applies_to``: the control applies to every element (as an empty list did)."""
ControlTarget = Annotated[str, StringConstraints(pattern=f"^({_ID}(->{_ID})?|\\*)$")]
"""What ``applies_to`` names: an element, or ``"*"`` for every element."""
Text = Annotated[str, StringConstraints(max_length=20_000)]
ShortText = Annotated[str, StringConstraints(max_length=300)]
Tech = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.+_-]{0,99}$")]


def _origin(value: str) -> str:
    if ORIGIN_PATTERN.match(value) is None:
        raise ValueError(
            "an origin is written 'file:line' or 'file:line (address)', e.g. "
            "'compose.yaml:5 (services.web)'"
        )
    return value


Origin = Annotated[str, StringConstraints(max_length=600), AfterValidator(_origin)]
Scalar = str | int | float | bool
PropertyValue = Scalar | list[Scalar]
"""Technology-specific facts (``properties:``) are scalars or lists of scalars, nothing deeper."""


class _Strict(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, use_enum_values=False, defer_build=True
    )


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


class Classification(StrEnum):
    """Data classification, in increasing order of sensitivity."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return _CLASSIFICATION_RANK[self]


_CLASSIFICATION_RANK = {c: i for i, c in enumerate(Classification)}


class Criticality(StrEnum):
    """Business criticality of the system."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class TrustLevel(StrEnum):
    """How far a zone is trusted, in increasing order."""

    UNTRUSTED = "untrusted"
    SEMI_TRUSTED = "semi-trusted"
    TRUSTED = "trusted"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return _TRUST_RANK[self]


_TRUST_RANK = {t: i for i, t in enumerate(TrustLevel)}


class BoundaryKind(StrEnum):
    """What a trust boundary is."""

    INTERNET = "internet"
    DMZ = "dmz"
    NETWORK = "network"
    VPC = "vpc"
    SUBNET = "subnet"
    ACCOUNT = "account"
    REGION = "region"
    CLUSTER = "cluster"
    NAMESPACE = "namespace"
    THIRD_PARTY = "third-party"
    CORPORATE = "corporate"
    ON_PREMISES = "on-premises"
    CI_CD = "ci-cd"
    DEVICE = "device"
    OTHER = "other"


class ComponentKind(StrEnum):
    """What a component is; rules select on it."""

    ACTOR = "actor"
    CLIENT = "client"
    SERVICE = "service"
    FUNCTION = "function"
    GATEWAY = "gateway"
    LOAD_BALANCER = "load-balancer"
    CDN = "cdn"
    QUEUE = "queue"
    STREAM = "stream"
    DATASTORE = "datastore"
    CACHE = "cache"
    SECRETS_STORE = "secrets-store"
    KEY_MANAGEMENT = "key-management"
    IDENTITY_PROVIDER = "identity-provider"
    EXTERNAL_SERVICE = "external-service"
    CI_PIPELINE = "ci-pipeline"
    ARTIFACT_REGISTRY = "artifact-registry"
    MONITORING = "monitoring"

    @property
    def stores_data(self) -> bool:
        """Kinds whose purpose is to hold data at rest (the vocabulary's ``holds-data``)."""
        return self in kind_group(KindGroup.HOLDS_DATA)

    @property
    def is_process(self) -> bool:
        """Kinds that run code of the system's own (the vocabulary's ``own-processes``)."""
        return self in kind_group(KindGroup.OWN_PROCESSES)


class Exposure(StrEnum):
    """Who can reach a component over the network."""

    PUBLIC = "public"  # reachable from the internet
    PARTNER = "partner"  # reachable from named third parties (allow-listed, private link, VPN)
    INTERNAL = "internal"  # reachable inside the organisation's networks
    PRIVATE = "private"  # reachable only from its own zone


class Authn(StrEnum):
    """How a caller proves who it is (on a component's interface or on a flow)."""

    NONE = "none"
    API_KEY = "api-key"
    BASIC = "basic"
    PASSWORD = "password"  # noqa: S105 - the name of an authentication method, not a secret
    SESSION = "session"
    OAUTH2 = "oauth2"
    OIDC = "oidc"
    JWT = "jwt"
    SAML = "saml"
    MTLS = "mtls"
    IAM = "iam"
    SIGV4 = "sigv4"
    HMAC = "hmac"
    CERTIFICATE = "certificate"
    KERBEROS = "kerberos"
    SSH_KEY = "ssh-key"
    SERVICE_ACCOUNT = "service-account"
    WORKLOAD_IDENTITY = "workload-identity"
    NETWORK = "network"  # trusts the caller's network location only
    PRESIGNED_URL = "presigned-url"
    """A pre-signed URL (S3, GCS, Azure SAS): the request carries a signature the system made
    for one object, one method and a short time. It authenticates the request, not the caller:
    a bearer capability, not an identity (``is_strong`` is false)."""

    @property
    def is_strong(self) -> bool:
        """Cryptographically bound, non-shared credentials."""
        return self in _STRONG_AUTHN

    @property
    def authenticates(self) -> bool:
        """Whether this proves anything at all about the caller."""
        return self not in (Authn.NONE, Authn.NETWORK)


_STRONG_AUTHN = frozenset(
    {
        Authn.OAUTH2,
        Authn.OIDC,
        Authn.JWT,
        Authn.SAML,
        Authn.MTLS,
        Authn.IAM,
        Authn.SIGV4,
        Authn.HMAC,
        Authn.CERTIFICATE,
        Authn.KERBEROS,
        Authn.SSH_KEY,
        Authn.WORKLOAD_IDENTITY,
    }
)


class Authz(StrEnum):
    """How access is decided once the caller is known."""

    NONE = "none"
    RBAC = "rbac"
    ABAC = "abac"
    ACL = "acl"
    IAM = "iam"
    SCOPES = "scopes"
    OBJECT_LEVEL = "object-level"  # per-object ownership checks (OWASP API1)
    POLICY = "policy"  # an external policy engine (OPA, Cedar, AVP)


class EncryptionAtRest(StrEnum):
    """Who holds the key for data at rest."""

    NONE = "none"
    PROVIDER = "provider"  # service-managed key (e.g. SSE-S3)
    KMS = "kms"  # a provider-managed KMS key
    KMS_CMK = "kms-cmk"  # a customer-managed KMS key
    HSM = "hsm"  # a dedicated HSM (CloudHSM, payShield)
    APPLICATION = "application"  # field- or envelope-level encryption by the application


class Initiator(StrEnum):
    """Which end opens the connection of a flow (data may move the other way)."""

    SOURCE = "source"
    TARGET = "target"


class TrackingStatus(StrEnum):
    """The team's decision on a finding or an applicable threat (the decision vocabulary).

    Its meaning (which statuses count as open, which need a reason) is defined in
    :mod:`threatforge.assessment` as ``DecisionStatus``; the values sit here, below it, because
    the loader validates ``tracking:`` entries. ``not-applicable`` was added with applicable
    threats; the six earlier values keep their meaning.
    """

    OPEN = "open"
    IN_DISCUSSION = "in-discussion"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in-progress"
    MITIGATED = "mitigated"
    FALSE_POSITIVE = "false-positive"
    NOT_APPLICABLE = "not-applicable"


class ThreatPriority(StrEnum):
    """The priority a team gives one of its threats (Threat Composer's ``Priority``)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ThreatSeverity(StrEnum):
    """A severity stated on a team threat: the assessment's five steps, as findings write them
    (the values are the assessment's ``Severity``; a test keeps them equal)."""

    LOW = "low"
    MEDIUM = "medium"
    ELEVATED = "elevated"
    HIGH = "high"
    CRITICAL = "critical"


class StrideCategory(StrEnum):
    """A STRIDE category as findings write it (the assessment's ``Stride``; a test keeps the two
    equal)."""

    SPOOFING = "spoofing"
    TAMPERING = "tampering"
    REPUDIATION = "repudiation"
    INFORMATION_DISCLOSURE = "information-disclosure"
    DENIAL_OF_SERVICE = "denial-of-service"
    ELEVATION_OF_PRIVILEGE = "elevation-of-privilege"


class ControlStatus(StrEnum):
    """Whether a declared control is in place."""

    IMPLEMENTED = "implemented"
    PLANNED = "planned"


DATA_CATEGORIES: dict[str, str] = {
    "pii": "personal data (GDPR Art. 4)",
    "pii.special": "special category personal data (GDPR Art. 9)",
    "pci.pan": "primary account number (PCI DSS cardholder data)",
    "pci.sad": "sensitive authentication data: CVV2, PIN, full track (PCI DSS)",
    "pci.cardholder": "cardholder name, expiry, service code (with PAN: cardholder data)",
    "pci.token": "a payment token that stands for a PAN",
    "credentials": "passwords, API keys, client secrets",
    "secrets": "other secrets: signing keys, connection strings",
    "crypto-keys": "encryption or signing key material",
    "session-tokens": "session ids, access and refresh tokens",
    "financial": "balances, transactions, bank accounts",
    "health": "health data",
    "biometric": "biometric data",
    "location": "precise location data",
    "business": "business confidential information",
    "telemetry": "logs, metrics, traces",
    "source-code": "source code and build artefacts",
}


# ---------------------------------------------------------------------------------------------
# Elements
# ---------------------------------------------------------------------------------------------


class System(_Strict):
    """The system being modelled."""

    name: ShortText
    description: Text | None = None
    owner: ShortText | None = None
    criticality: Criticality | None = None
    compliance: list[ShortText] = Field(default_factory=list)
    repository: ShortText | None = None
    version: ShortText | None = None
    properties: dict[ShortText, PropertyValue] = Field(default_factory=dict)
    """System-wide facts read by rules (e.g. ``dsar: true`` for a data-subject-rights process)."""


class _Element(_Strict):
    """Fields every identified element carries (set by the loader, not written in the file)."""

    id: SkipJsonSchema[str] = ""
    location: SkipJsonSchema[SkipValidation[Location | None]] = Field(default=None, exclude=True)

    @property
    def found_at(self) -> Location | None:
        """Where a reviewer should look for this element: its ``origin`` in the imported code
        (``compose.yaml:5``) when it has one, else where the model file declares it."""
        origin = getattr(self, "origin", None)
        if origin:
            match = ORIGIN_PATTERN.match(origin)
            if match is not None:
                return Location(match["file"], int(match["line"]))
        return self.location

    @property
    def label(self) -> str:
        """The element's display name: its ``name`` if set, else its id."""
        name = getattr(self, "name", None)
        return name if isinstance(name, str) and name else self.id


class DataAsset(_Element):
    """A kind of data the system handles, with its sensitivity."""

    name: ShortText | None = None
    description: Text | None = None
    classification: Classification
    categories: list[ShortText] = Field(default_factory=list)
    retention_days: Annotated[int, Field(ge=0, le=36500)] | None = None
    owner: ShortText | None = None
    origin: Origin | None = None
    """Where an importer found the element (``compose.yaml:5 (services.web)``): findings on it
    point there (``threatforge import`` writes it; see docs/importers.md)."""

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        for category in value:
            if category not in DATA_CATEGORIES:
                raise ValueError(_unknown_choice("data category", category, DATA_CATEGORIES))
        return value


class Boundary(_Element):
    """A trust boundary (zone); zones nest with ``inside``."""

    name: ShortText | None = None
    description: Text | None = None
    kind: BoundaryKind = BoundaryKind.OTHER
    trust: TrustLevel
    inside: ElementId | None = None
    region: ShortText | None = None
    properties: dict[ShortText, PropertyValue] = Field(default_factory=dict)
    origin: Origin | None = None
    """Where an importer found the element (``compose.yaml:5 (services.web)``): findings on it
    point there (``threatforge import`` writes it; see docs/importers.md)."""


class EncryptionSpec(_Strict):
    """Encryption of a component: at rest, on its listener, and key rotation."""

    at_rest: EncryptionAtRest | None = None
    in_transit: bool | None = None
    key_rotation: bool | None = None


class LoggingSpec(_Strict):
    """What a component logs. ``logging: true`` is short for ``{enabled: true}``."""

    enabled: bool
    audit: bool | None = None
    tamper_evident: bool | None = None
    retention_days: Annotated[int, Field(ge=0, le=36500)] | None = None
    centralised: bool | None = None


def _shorthand_bool(value: Any, key: str) -> Any:
    return {key: value} if isinstance(value, bool) else value


class Component(_Element):
    """A part of the system: a process, store, actor or external service."""

    kind: ComponentKind
    name: ShortText | None = None
    description: Text | None = None
    tech: Tech | None = None
    zone: ElementId | None = None
    owner: ShortText | None = None
    stores: list[ElementId] = Field(default_factory=list)
    processes: list[ElementId] = Field(default_factory=list)
    exposure: Exposure | None = None
    authn: Authn | None = None
    authz: Authz | None = None
    mfa: bool | None = None
    admin: bool = False
    encryption: EncryptionSpec | None = None
    logging: LoggingSpec | None = None
    waf: bool | None = None
    rate_limit: bool | None = None
    input_validation: bool | None = None
    retention_days: Annotated[int, Field(ge=0, le=36500)] | None = None
    paths: list[ShortText] = Field(default_factory=list)
    """Code or infrastructure path globs that belong to the component (maps scanner evidence)."""
    routes: list[ShortText] = Field(default_factory=list)
    """API routes or URL paths the component serves, e.g. ``/v1/orders/{id}``, ``/graphql``."""
    controls: list[ElementId] = Field(default_factory=list)
    tags: list[ShortText] = Field(default_factory=list)
    properties: dict[ShortText, PropertyValue] = Field(default_factory=dict)
    origin: Origin | None = None
    """Where an importer found the element (``compose.yaml:5 (services.web)``): findings on it
    point there (``threatforge import`` writes it; see docs/importers.md)."""

    @field_validator("logging", mode="before")
    @classmethod
    def _logging_shorthand(cls, value: Any) -> Any:
        return _shorthand_bool(value, "enabled")

    @property
    def data_ids(self) -> list[str]:
        """Data the component stores or processes, in that order, without repeats."""
        return list(dict.fromkeys([*self.stores, *self.processes]))

    def prop(self, name: str) -> PropertyValue | None:
        """A technology-specific fact from ``properties``, or None when not stated."""
        return self.properties.get(name)

    @property
    def ours(self) -> bool:
        """Whether the team owns the component: ``properties.owned`` when stated, else every
        kind but people, their devices and third parties (the ``external`` kind group)."""
        stated = self.properties.get("owned")
        if isinstance(stated, bool):
            return stated
        return self.kind not in kind_group(KindGroup.EXTERNAL)


_FLOW_RESERVED = frozenset({"from", "to", "source", "target"})


class Flow(_Element):
    """A directed data flow ``source -> target``.

    Written either as ``- source -> target: {protocol: https}`` or with ``from:`` and ``to:``.
    Its id defaults to ``source->target``; give an ``id`` when two flows join the same pair.
    """

    id: Annotated[str, StringConstraints(pattern=ELEMENT_ID_PATTERN + "|^$")] = ""
    source: ElementId = Field(alias="from")
    target: ElementId = Field(alias="to")
    name: ShortText | None = None
    description: Text | None = None
    protocol: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.+_-]{0,39}$")] | None = (
        None
    )
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    authn: Authn | None = None
    authz: Authz | None = None
    tls: bool | None = None
    mtls: bool | None = None
    signed: bool | None = None
    data: list[ElementId] = Field(default_factory=list)
    initiated_by: Initiator = Initiator.SOURCE
    controls: list[ElementId] = Field(default_factory=list)
    tags: list[ShortText] = Field(default_factory=list)
    properties: dict[ShortText, PropertyValue] = Field(default_factory=dict)
    origin: Origin | None = None
    """Where an importer found the element (``compose.yaml:5 (services.web)``): findings on it
    point there (``threatforge import`` writes it; see docs/importers.md)."""

    @model_validator(mode="before")
    @classmethod
    def _arrow_form(cls, value: Any) -> Any:
        """Turn ``{"a -> b": {...}}`` into ``{"from": "a", "to": "b", ...}``."""
        if isinstance(value, dict) and len(value) == 1:
            ((key, body),) = value.items()
            if isinstance(key, str) and key not in _FLOW_RESERVED and "->" in key:
                match = FLOW_ARROW.match(key)
                if match is None:
                    raise ValueError(f"flow '{key}' is not of the form 'source -> target'")
                if body is None:
                    body = {}
                if not isinstance(body, dict):
                    raise ValueError(
                        f"flow '{key}' must map to its attributes, e.g. {{protocol: https}}"
                    )
                if "from" in body or "to" in body:
                    raise ValueError(f"flow '{key}' names its ends twice: drop 'from'/'to'")
                return {"from": match.group(1), "to": match.group(2), **body}
        return value

    @model_validator(mode="after")
    def _default_id(self) -> Flow:
        if not self.id:
            object.__setattr__(self, "id", f"{self.source}->{self.target}")
        return self

    @property
    def encrypted(self) -> bool | None:
        """Whether the flow is encrypted in transit: stated, or implied by its protocol."""
        if self.tls or self.mtls:
            return True
        # the vocabulary's protocols.yaml: True encrypted by definition, False clear text
        implied = protocol_encryption().get(self.protocol) if self.protocol else None
        if implied is True:
            return True
        if self.tls is False:
            return False
        if implied is False:
            return False
        return None

    @property
    def effective_authn(self) -> Authn | None:
        """The flow's authentication: stated, or mTLS when ``mtls: true``."""
        if self.authn is not None:
            return self.authn
        if self.mtls:
            return Authn.MTLS
        return None




class Control(_Element):
    """A declared mitigation, linkable to rules and elements."""

    name: ShortText | None = None
    description: Text | None = None
    status: ControlStatus = ControlStatus.IMPLEMENTED
    """Not written: implemented, for this release (with a warning); the default becomes planned."""
    mitigates: list[ShortText] = Field(default_factory=list)
    applies_to: list[ControlTarget] = Field(default_factory=list)
    """The elements it covers; ``["*"]`` for every element (so is an empty list, with a warning)."""
    reference: ShortText | None = None
    risk_reduction: Annotated[int, Field(ge=0, le=100)] | None = None
    """How much the control reduces the risk of what it mitigates, in percent, as a team or an
    interchange format states it (OTM's ``riskReduction``); informational: the engine's -1 per
    implemented control does not read it."""

    @property
    def applies_everywhere(self) -> bool:
        """Whether the control covers every element: ``applies_to`` is empty or names ``"*"``."""
        return not self.applies_to or EVERY_ELEMENT in self.applies_to


class Assumption(_Element):
    """Something the model takes as true without proof, for reviewers to check."""

    description: Text
    elements: list[ElementRef] = Field(default_factory=list)
    owner: ShortText | None = None
    verified: bool = False


Score = Annotated[int, Field(ge=1, le=5)]
"""A likelihood or impact on the 1-5 scale findings use."""


class ThreatStatement(_Element):
    """A threat written by the team, in Threat Composer's grammar (docs/team-threats.md).

    "A[n] ``source`` ``prerequisites`` can ``action``, which leads to ``impact``, resulting in
    reduced ``impacted_goal`` of ``impacted_assets``." Its decision lives in ``tracking:``
    under ``team-threat@<id>``, like every other result's; it has no status of its own.
    """

    source: ShortText
    """Threat Composer's ``threatSource``: who acts (``an internet-based actor``)."""
    prerequisites: ShortText | None = None
    """What the source needs first (``with a stolen session token``)."""
    action: ShortText
    """Threat Composer's ``threatAction`` (``replay a refund request``)."""
    impact: ShortText | None = None
    """Threat Composer's ``threatImpact``: the direct result (``a second refund``)."""
    impacted_goal: list[ShortText] = Field(default_factory=list)
    """Threat Composer's ``impactedGoal`` (confidentiality, integrity, availability, ...)."""
    impacted_assets: list[ElementRef] = Field(default_factory=list)
    """Ids of elements or data assets the threat harms (checked as references)."""
    elements: list[ElementRef] = Field(default_factory=list)
    """The elements it sits on, the primary one first (checked as references)."""
    stride: list[StrideCategory] = Field(default_factory=list)
    priority: ThreatPriority | None = None
    mitigations: list[ShortText] = Field(default_factory=list)
    """Free text, or ids of declared controls: when the model declares controls, an entry
    written as an id (``idempotency-keys``: no spaces) must name one."""
    cwe: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(default_factory=list)
    likelihood: Score | None = None
    impact_score: Score | None = None
    severity: ThreatSeverity | None = None
    """Stated severity; else from ``likelihood`` x ``impact_score``, else from ``priority``."""
    type: ShortText | None = None
    """The threat's type as an interchange format carries it (Threat Dragon's ``type``)."""
    description: Text | None = None
    """Comments (Threat Composer's ``Comments`` metadata)."""
    tags: list[ShortText] = Field(default_factory=list)

    @model_validator(mode="after")
    def _scores_in_pairs(self) -> ThreatStatement:
        if (self.likelihood is None) != (self.impact_score is None):
            raise ValueError(
                "state both 'likelihood' and 'impact_score' (1-5), or neither"
            )
        return self


class TrackingEntry(_Element):
    """The team's decision on one finding or applicable threat, keyed by its fingerprint."""

    status: TrackingStatus
    justification: Text | None = None
    owner: ShortText | None = None
    ticket: ShortText | None = None
    expires: date | None = None
    control: ElementId | None = None
    """For ``mitigated``: the declared control (an id under ``controls:``) that mitigates it."""
    evidence: ShortText | None = None
    """For ``mitigated``: where the mitigation is shown (a test, a scan, a document)."""

    @model_validator(mode="after")
    def _acceptance_needs_reason(self) -> TrackingEntry:
        if self.status in (
            TrackingStatus.ACCEPTED, TrackingStatus.FALSE_POSITIVE, TrackingStatus.NOT_APPLICABLE
        ) and not self.justification:
            raise ValueError(f"a '{self.status.value}' decision needs a 'justification'")
        return self


class ModelFile(_Strict):
    """One model file. The root file sets ``system``; included files add elements."""

    version: int = Field(default=1, ge=1, le=1)
    system: System | None = None
    include: list[ShortText] = Field(default_factory=list)
    data: dict[ElementId, DataAsset] = Field(default_factory=dict)
    boundaries: dict[ElementId, Boundary] = Field(default_factory=dict)
    components: dict[ElementId, Component] = Field(default_factory=dict)
    flows: list[Flow] = Field(default_factory=list)
    controls: dict[ElementId, Control] = Field(default_factory=dict)
    assumptions: dict[ElementId, Assumption] = Field(default_factory=dict)
    threats: dict[ElementId, ThreatStatement] = Field(default_factory=dict)
    """The team's own threats (docs/team-threats.md)."""
    tracking: dict[Annotated[str, StringConstraints(max_length=600)], TrackingEntry] = Field(
        default_factory=dict
    )


def _unknown_choice(what: str, value: str, choices: Any) -> str:
    options = sorted(choices)
    return f"unknown {what} '{value}'{did_you_mean(value, options)} (one of: {', '.join(options)})"
