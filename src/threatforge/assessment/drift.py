"""Drift: where the declared model and the infrastructure code disagree in a way that weakens
security (``threatforge drift``, docs/drift.md). Pure functions over two models; no I/O.

The code model is what an importer built from the code (its ids are resource addresses, each
element's ``origin`` its ``file:line``). Its components are matched to the declared model's,
one to one, in three passes: by id; else by a declared component's ``origin`` naming the code
resource (its address, its id, or its ``file:line``); else by name (ids and names compared in
lower case without punctuation, the last segment of an address counting as a name), only when
the name picks exactly one element on each side. A code actor on the internet (the importers'
``internet-clients``) stands for every declared actor on the internet.

On each matched pair, and on the code's flows between matched components, a difference that
weakens security is a drift item (:class:`DriftItem`, a finding of a ``drift-*`` rule): the
declared element is encrypted at rest or in transit and the code is not (or less), it is
private or internal and the code makes it public, the code admits more ingress than declared,
the code has a flow or a component the model lacks. A difference that does not weaken security
(the code is stronger; a declared element or flow the code does not have) is information
(:class:`InfoItem`), never drift.

Fingerprints are stable: a disagreement on a matched element is keyed by the declared element
(``drift-exposure@vault-db``), something the model lacks by the code's id, its resource address
(``drift-missing-component@aws_s3_bucket.logs``, ``drift-missing-flow@Web->Db``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from threatforge.assessment._assessment import Assessment
from threatforge.assessment._results import Confidence, Finding, RuleInfo, Severity, Stride
from threatforge.model import (
    BoundaryKind,
    Component,
    ComponentKind,
    EncryptionAtRest,
    Exposure,
    Flow,
    Location,
    Model,
    TrustLevel,
)
from threatforge.model.schema import ORIGIN_PATTERN, Initiator

__all__ = [
    "DRIFT_RULES",
    "DriftItem",
    "DriftKind",
    "DriftReport",
    "InfoItem",
    "InfoKind",
    "Match",
    "MatchedBy",
    "compare",
    "drift_assessment",
    "drift_findings",
]


class DriftKind(StrEnum):
    """The drift rules: each a way the code weakens what the model declares."""

    ENCRYPTION_AT_REST = "drift-encryption-at-rest"
    ENCRYPTION_IN_TRANSIT = "drift-encryption-in-transit"
    EXPOSURE = "drift-exposure"
    INGRESS = "drift-ingress"
    MISSING_FLOW = "drift-missing-flow"
    MISSING_COMPONENT = "drift-missing-component"


class InfoKind(StrEnum):
    """Differences that do not weaken security."""

    STRONGER_IN_CODE = "stronger-in-code"
    ABSENT_FROM_CODE = "absent-from-code"


class MatchedBy(StrEnum):
    """How a code component was matched to a declared one."""

    ID = "id"
    ORIGIN = "origin"
    NAME = "name"
    INTERNET = "internet"
    """A code actor on the internet, standing for the declared actors on the internet."""


@dataclass(frozen=True, slots=True)
class Match:
    """A declared component and the code component it is."""

    declared: str
    code: str
    by: MatchedBy


@dataclass(frozen=True, slots=True)
class DriftItem:
    """One place where the code weakens what the model declares."""

    kind: DriftKind
    subject: str
    """The element the fingerprint names: the declared element, or the code's id for what the
    model lacks."""
    declared: str | None
    declared_location: Location | None
    code: str
    code_address: str
    code_location: Location | None
    model_says: str
    code_says: str
    fix: str
    detail: str = ""
    """What differs, in a few words (``kms-cmk declared, none in the code``)."""

    @property
    def fingerprint(self) -> str:
        return f"{self.kind.value}@{self.subject}"

    @property
    def rule(self) -> RuleInfo:
        return DRIFT_RULES[self.kind]

    @property
    def severity(self) -> Severity:
        """Its rule's severity (docs/drift.md)."""
        return _SCORES[self.kind][2]

    @property
    def title(self) -> str:
        """The rule's title for this item."""
        element = self.declared or self.code
        return self.rule.title.replace("{element}", element).replace("{detail}", self.detail)


@dataclass(frozen=True, slots=True)
class InfoItem:
    """A difference that does not weaken security."""

    kind: InfoKind
    subject: str
    declared: str | None
    declared_location: Location | None
    code: str | None
    code_location: Location | None
    model_says: str
    code_says: str

    @property
    def id(self) -> str:
        return f"{self.kind.value}@{self.subject}"


@dataclass(frozen=True)
class DriftReport:
    """What :func:`compare` found."""

    system: str
    model_files: tuple[str, ...]
    code_files: tuple[str, ...]
    matches: tuple[Match, ...]
    drift: tuple[DriftItem, ...]
    info: tuple[InfoItem, ...]
    unmatched_declared: tuple[str, ...]
    """Declared components no code resource matched (each also an ``absent-from-code`` item)."""
    unmatched_code: tuple[str, ...]
    """Code components no declared component matched (each a ``drift-missing-component``)."""
    notes: tuple[str, ...] = field(default=())

    @property
    def weakens_security(self) -> bool:
        """There is drift: ``threatforge drift`` exits 1."""
        return bool(self.drift)


def _rule(
    kind: DriftKind,
    title: str,
    description: str,
    mitigations: tuple[str, ...],
    cwe: tuple[int, ...],
    stride: tuple[Stride, ...],
) -> RuleInfo:
    return RuleInfo(
        id=kind.value,
        title=title,
        description=description,
        mitigations=mitigations,
        cwe=cwe,
        stride=stride,
        domain="drift",
    )


DRIFT_RULES: Mapping[DriftKind, RuleInfo] = {
    DriftKind.ENCRYPTION_AT_REST: _rule(
        DriftKind.ENCRYPTION_AT_REST,
        "{element}: declared encrypted at rest, the code is weaker ({detail})",
        "The model declares the element's data encrypted at rest (or with a stronger key) "
        "than the infrastructure code configures: reviews of the model assume a protection "
        "the deployed system lacks.",
        (
            "Encrypt the resource in the code (a KMS key, storage encryption on).",
            "If the code is right, correct the model so that reviews see the real protection.",
        ),
        (311,),
        (Stride.INFORMATION_DISCLOSURE,),
    ),
    DriftKind.ENCRYPTION_IN_TRANSIT: _rule(
        DriftKind.ENCRYPTION_IN_TRANSIT,
        "{element}: declared encrypted in transit, the code is not ({detail})",
        "The model declares the connection encrypted (TLS) and the infrastructure code "
        "configures it in clear text.",
        (
            "Turn TLS on in the code (an https URL, sslmode=require, a TLS listener).",
            "If the code is right, correct the model so that reviews see the clear-text hop.",
        ),
        (319,),
        (Stride.INFORMATION_DISCLOSURE, Stride.TAMPERING),
    ),
    DriftKind.EXPOSURE: _rule(
        DriftKind.EXPOSURE,
        "{element}: more exposed in the code than declared ({detail})",
        "The model declares the element private, internal or partner-only and the "
        "infrastructure code makes it reachable more widely (a public endpoint or address, a "
        "public ACL, a security group open to the internet, an ingress).",
        (
            "Close the resource in the code (no public address or ACL, a narrower security "
            "group, no ingress).",
            "If the exposure is intended, correct the model so that reviews see it.",
        ),
        (668,),
        (Stride.INFORMATION_DISCLOSURE, Stride.ELEVATION_OF_PRIVILEGE),
    ),
    DriftKind.INGRESS: _rule(
        DriftKind.INGRESS,
        "{element}: the code admits wider ingress than declared ({detail})",
        "The infrastructure code admits traffic on ports or from networks that the model "
        "does not declare.",
        (
            "Narrow the security group or firewall rule in the code to what the model declares.",
            "If the wider ingress is intended, declare it in the model.",
        ),
        (284,),
        (Stride.ELEVATION_OF_PRIVILEGE,),
    ),
    DriftKind.MISSING_FLOW: _rule(
        DriftKind.MISSING_FLOW,
        "{element}: a flow in the infrastructure is missing from the model",
        "The infrastructure code connects two components (a security group rule, an "
        "environment URL, a permission, an event source) that the model does not connect: "
        "the review never considered that path.",
        (
            "Add the flow to the model (with its protocol, authentication and data) and review it.",
            "If the connection is not needed, remove it from the code.",
        ),
        (1059,),
        (Stride.ELEVATION_OF_PRIVILEGE,),
    ),
    DriftKind.MISSING_COMPONENT: _rule(
        DriftKind.MISSING_COMPONENT,
        "{element}: a component in the code is missing from the model",
        "The infrastructure code deploys a resource that no element of the model stands for: "
        "the review never considered it.",
        (
            "Add the component to the model, or name the resource in the 'origin:' of the "
            "declared component that stands for it.",
            "If the resource is not needed, remove it from the code.",
        ),
        (1059,),
        (Stride.INFORMATION_DISCLOSURE,),
    ),
}
"""What each drift rule says, for findings and SARIF descriptors."""

_SCORES: Mapping[DriftKind, tuple[int, int, Severity]] = {
    DriftKind.ENCRYPTION_AT_REST: (3, 4, Severity.HIGH),
    DriftKind.ENCRYPTION_IN_TRANSIT: (3, 4, Severity.HIGH),
    DriftKind.EXPOSURE: (4, 4, Severity.HIGH),
    DriftKind.INGRESS: (4, 3, Severity.ELEVATED),
    DriftKind.MISSING_FLOW: (3, 3, Severity.ELEVATED),
    DriftKind.MISSING_COMPONENT: (3, 3, Severity.MEDIUM),
}
"""Likelihood, impact and severity of each drift rule (docs/drift.md)."""

_AT_REST_RANK: Mapping[EncryptionAtRest, int] = {
    EncryptionAtRest.NONE: 0,
    EncryptionAtRest.PROVIDER: 1,
    EncryptionAtRest.KMS: 2,
    EncryptionAtRest.KMS_CMK: 3,
    EncryptionAtRest.HSM: 4,
}
"""Who holds the key, weakest first. ``application`` (field encryption in the application) is
not something infrastructure code says, so it is never compared."""

_EXPOSURE_RANK: Mapping[Exposure, int] = {
    Exposure.PRIVATE: 0,
    Exposure.INTERNAL: 1,
    Exposure.PARTNER: 2,
    Exposure.PUBLIC: 3,
}
_TRANSPORTS = frozenset({"tcp", "udp"})
_PUBLIC_ACLS = frozenset({"public-read", "public-read-write"})
_WORLD = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
_PUNCTUATION = re.compile(r"[^a-z0-9]+")


def compare(declared: Model, code: Model) -> DriftReport:
    """Match ``code``'s components to ``declared``'s and list the drift and the information."""
    return _Comparison(declared, code).run()


def _norm(text: str) -> str:
    return _PUNCTUATION.sub("", text.lower())


def _origin_parts(origin: str | None) -> tuple[str, int, str | None] | None:
    match = ORIGIN_PATTERN.match(origin) if origin else None
    if match is None:
        return None
    return match["file"], int(match["line"]), match["address"]


def _place(location: Location | None) -> str:
    return (
        f"{location.file}:{location.line}"
        if location and location.line
        else (location.file if location else "an unknown place")
    )


class _Comparison:
    def __init__(self, declared: Model, code: Model) -> None:
        self.declared = declared
        self.code = code
        self.to_declared: dict[str, tuple[str, ...]] = {}
        self.to_code: dict[str, str] = {}
        self.matches: list[Match] = []
        self.drift: list[DriftItem] = []
        self.info: list[InfoItem] = []
        self.notes: list[str] = []
        # indexes, so that each check is linear in the model's size
        self.code_into: dict[str, list[Flow]] = {}
        self.code_touching: dict[str, list[str]] = {}
        for flow in code.flows:
            self.code_into.setdefault(flow.target, []).append(flow)
            for end in dict.fromkeys((flow.source, flow.target)):
                self.code_touching.setdefault(end, []).append(flow.id)
        self.declared_ports: dict[str, set[int]] = {}
        for flow in declared.flows:
            if flow.port is not None:
                self.declared_ports.setdefault(_into(flow), set()).add(flow.port)

    # --- matching ---------------------------------------------------------------------------

    def match(self, declared: str, code: str, by: MatchedBy) -> None:
        self.to_declared[code] = (declared,)
        self.to_code[declared] = code
        self.matches.append(Match(declared, code, by))

    def match_components(self) -> None:
        declared, code = self.declared.components, self.code.components
        for cid in code:
            if cid in declared:
                self.match(cid, cid, MatchedBy.ID)
        self.match_by_origin()
        self.match_by_name()
        internet_actors = tuple(
            did
            for did, component in declared.items()
            if component.kind is ComponentKind.ACTOR and self._on_internet(self.declared, component)
        )
        for cid, component in code.items():
            if cid in self.to_declared or component.kind is not ComponentKind.ACTOR:
                continue
            if internet_actors and self._on_internet(self.code, component):
                self.to_declared[cid] = internet_actors
                for did in internet_actors:
                    self.matches.append(Match(did, cid, MatchedBy.INTERNET))

    def match_by_origin(self) -> None:
        """A declared component whose ``origin`` names a code resource: by its address or id
        (in brackets), else by its ``file:line``."""
        by_address: dict[str, list[str]] = {}
        by_place: dict[tuple[str, int], list[str]] = {}
        for cid, component in self.code.components.items():
            if cid in self.to_declared:
                continue
            names = {cid}
            parts = _origin_parts(component.origin)
            if parts is not None:
                by_place.setdefault((parts[0], parts[1]), []).append(cid)
                if parts[2]:
                    names.add(parts[2])
            for name in names:
                by_address.setdefault(name, []).append(cid)
        for did, component in self.declared.components.items():
            wanted = _origin_parts(component.origin)
            if did in self.to_code or wanted is None:
                continue
            file, line, address = wanted
            found = by_address.get(address, []) if address else by_place.get((file, line), [])
            found = [c for c in dict.fromkeys(found) if c not in self.to_declared]
            if len(found) == 1:
                self.match(did, found[0], MatchedBy.ORIGIN)
            elif len(found) > 1:
                self.notes.append(
                    f"{did}: its origin names {len(found)} code resources "
                    f"({', '.join(found)}); matched none"
                )

    def match_by_name(self) -> None:
        by_name: dict[str, list[str]] = {}
        for cid, component in self.code.components.items():
            if cid not in self.to_declared:
                for name in self._code_names(cid, component):
                    by_name.setdefault(name, []).append(cid)
        pairs: list[tuple[str, str]] = []
        for did, component in self.declared.components.items():
            if did in self.to_code:
                continue
            keys = {_norm(did), *([_norm(component.name)] if component.name else [])}
            keys.discard("")
            found = dict.fromkeys(c for key in sorted(keys) for c in by_name.get(key, []))
            pairs += [(did, cid) for cid in found]
        per_declared: dict[str, int] = {}
        per_code: dict[str, int] = {}
        for did, cid in pairs:
            per_declared[did] = per_declared.get(did, 0) + 1
            per_code[cid] = per_code.get(cid, 0) + 1
        for did, cid in pairs:
            if per_declared[did] == 1 and per_code[cid] == 1:
                self.match(did, cid, MatchedBy.NAME)
        for did, count in per_declared.items():
            if count > 1:
                self.notes.append(f"{did}: its name fits several code resources; matched none")
        for cid, count in per_code.items():
            if count > 1:
                self.notes.append(f"{cid}: its name fits several declared components; matched none")

    @staticmethod
    def _code_names(cid: str, component: Component) -> set[str]:
        last = re.split(r"[/.]", re.sub(r"\[[^\]]*\]$", "", cid))[-1]
        names = {_norm(cid), _norm(last)}
        if component.name:
            names.add(_norm(component.name))
        names.discard("")
        return names

    @staticmethod
    def _on_internet(model: Model, component: Component) -> bool:
        zone = model.boundaries.get(component.zone) if component.zone else None
        return zone is not None and (
            zone.kind is BoundaryKind.INTERNET or zone.trust is TrustLevel.UNTRUSTED
        )

    # --- checks -----------------------------------------------------------------------------

    def run(self) -> DriftReport:
        self.match_components()
        for match in self.matches:
            if match.by is not MatchedBy.INTERNET:
                self.check_component(
                    self.declared.components[match.declared], self.code.components[match.code]
                )
        self.check_flows()
        unmatched_code = tuple(c for c in self.code.components if c not in self.to_declared)
        for cid in unmatched_code:
            self.missing_component(self.code.components[cid])
        unmatched_declared = tuple(d for d in self.declared.components if d not in self.to_code)
        internet = {m.declared for m in self.matches if m.by is MatchedBy.INTERNET}
        for did in unmatched_declared:
            if did in internet:
                continue
            component = self.declared.components[did]
            self.info.append(
                InfoItem(
                    InfoKind.ABSENT_FROM_CODE,
                    did,
                    did,
                    component.location,
                    None,
                    None,
                    f"component {did} ({component.kind.value})",
                    "no resource in the code read matches it (by id, origin or name)",
                )
            )
        return DriftReport(
            system=self.declared.system.name,
            model_files=self.declared.files,
            code_files=self.code.files,
            matches=tuple(self.matches),
            drift=tuple(self.drift),
            info=tuple(self.info),
            unmatched_declared=tuple(d for d in unmatched_declared if d not in internet),
            unmatched_code=unmatched_code,
            notes=tuple(self.notes),
        )

    def add(
        self,
        kind: DriftKind,
        subject: str,
        declared: Component | Flow | None,
        code: Component | Flow,
        model_says: str,
        code_says: str,
        fix: str,
        detail: str = "",
    ) -> None:
        self.drift.append(
            DriftItem(
                kind=kind,
                subject=subject,
                declared=declared.id if declared is not None else None,
                declared_location=declared.location if declared is not None else None,
                code=code.id,
                code_address=_address(code),
                code_location=code.location,
                model_says=model_says,
                code_says=code_says,
                fix=fix,
                detail=detail,
            )
        )

    def stronger(
        self,
        subject: str,
        declared: Component | Flow,
        code: Component | Flow,
        model: str,
        says: str,
    ) -> None:
        self.info.append(
            InfoItem(
                InfoKind.STRONGER_IN_CODE,
                subject,
                declared.id,
                declared.location,
                code.id,
                code.location,
                model,
                says,
            )
        )

    def check_component(self, declared: Component, code: Component) -> None:
        self.at_rest(declared, code)
        self.in_transit(declared, code)
        self.exposure(declared, code)
        self.ingress(declared, code)

    def at_rest(self, declared: Component, code: Component) -> None:
        said = declared.encryption.at_rest if declared.encryption else None
        has = code.encryption.at_rest if code.encryption else None
        if said is None or has is None or said not in _AT_REST_RANK or has not in _AT_REST_RANK:
            return
        model, says = f"encryption.at_rest: {said.value}", f"encryption.at_rest: {has.value}"
        if _AT_REST_RANK[has] < _AT_REST_RANK[said]:
            self.add(
                DriftKind.ENCRYPTION_AT_REST,
                declared.id,
                declared,
                code,
                model,
                says,
                f"encrypt {_address(code)} at {_place(code.location)} ({said.value}); or, if the "
                f"code is right, change {declared.id} at {_place(declared.location)} to "
                f"'encryption: {{at_rest: {has.value}}}'",
                f"{said.value} declared, {has.value} in the code",
            )
        elif _AT_REST_RANK[has] > _AT_REST_RANK[said]:
            self.stronger(declared.id, declared, code, model, says)

    def in_transit(self, declared: Component, code: Component) -> None:
        said = declared.encryption.in_transit if declared.encryption else None
        has = code.encryption.in_transit if code.encryption else None
        if said is None or has is None or said == has:
            return
        model, says = (
            f"encryption.in_transit: {_bool(said)}",
            f"encryption.in_transit: {_bool(has)}",
        )
        if said and not has:
            self.add(
                DriftKind.ENCRYPTION_IN_TRANSIT,
                declared.id,
                declared,
                code,
                model,
                says,
                f"require TLS on {_address(code)} at {_place(code.location)}; or, if the code is "
                f"right, change {declared.id} at {_place(declared.location)} to "
                "'encryption: {in_transit: false}'",
                "in_transit declared, clear text in the code",
            )
        else:
            self.stronger(declared.id, declared, code, model, says)

    def public_reasons(self, code: Component) -> list[str]:
        """What in the code makes the component reachable from the internet."""
        reasons: list[str] = []
        if code.exposure is Exposure.PUBLIC:
            reasons.append("exposure: public")
        if code.prop("publicly_accessible") is True:
            reasons.append("properties.publicly_accessible: true")
        acl = code.prop("acl")
        if (
            isinstance(acl, str)
            and acl in _PUBLIC_ACLS
            and code.prop("block_public_access") is not True
        ):
            reasons.append(f"properties.acl: {acl}")
        world = [c for c in _strings(code.prop("ingress_cidrs")) if _is_world(c)]
        if world:
            reasons.append(f"properties.ingress_cidrs: {', '.join(world)}")
        for flow in self.code_into.get(code.id, []):
            source = self.code.components.get(flow.source)
            if source is not None and self._on_internet(self.code, source):
                reasons.append(
                    f"a flow from {source.id} on the internet at {_place(flow.location)}"
                )
        return reasons

    def exposure(self, declared: Component, code: Component) -> None:
        said = declared.exposure
        if said is None:
            return
        reasons = self.public_reasons(code)
        has = Exposure.PUBLIC if reasons else code.exposure
        if has is None or has is said:
            return
        model = f"exposure: {said.value}"
        says = "; ".join(reasons) if reasons else f"exposure: {has.value}"
        if _EXPOSURE_RANK[has] > _EXPOSURE_RANK[said]:
            self.add(
                DriftKind.EXPOSURE,
                declared.id,
                declared,
                code,
                model,
                says,
                f"make {_address(code)} at {_place(code.location)} {said.value} again (no public "
                f"address, ACL or world-open rule); or, if it is meant to be {has.value}, change "
                f"{declared.id} at {_place(declared.location)} to 'exposure: {has.value}'",
                f"{said.value} declared, {has.value} in the code",
            )
        else:
            self.stronger(declared.id, declared, code, model, says)

    def ingress(self, declared: Component, code: Component) -> None:
        wider: list[str] = []
        model_parts: list[str] = []
        code_cidrs = _strings(code.prop("ingress_cidrs"))
        said_cidrs = declared.prop("ingress_cidrs")
        if said_cidrs is not None and code_cidrs:
            allowed = [n for n in (_network(c) for c in _strings(said_cidrs)) if n is not None]
            extra = [c for c in code_cidrs if not _covered(c, allowed)]
            model_parts.append(f"ingress_cidrs: {', '.join(_strings(said_cidrs)) or 'none'}")
            if extra:
                wider.append(f"from {', '.join(extra)}")
        code_ports = _port_ranges(code.prop("ingress_ports"))
        said_ports = self._declared_ports(declared)
        if said_ports is not None and code_ports:
            allowed_ports, described = said_ports
            extra_ports = [
                text
                for text, (low, high) in code_ports
                if not _ports_covered(low, high, allowed_ports)
            ]
            model_parts.append(described)
            if extra_ports:
                plural = "ports" if len(extra_ports) > 1 else "port"
                wider.append(f"{plural} {', '.join(extra_ports)}")
        if not wider:
            return
        says_parts = []
        if code_cidrs:
            says_parts.append(f"ingress_cidrs: {', '.join(code_cidrs)}")
        if code_ports:
            says_parts.append(f"ingress_ports: {', '.join(t for t, _ in code_ports)}")
        self.add(
            DriftKind.INGRESS,
            declared.id,
            declared,
            code,
            "; ".join(model_parts),
            "; ".join(says_parts),
            f"narrow the ingress of {_address(code)} at {_place(code.location)} "
            f"({'; '.join(wider)}: not declared); or declare it on {declared.id} at "
            f"{_place(declared.location)}",
            "; ".join(wider) + " not declared",
        )

    def _declared_ports(self, declared: Component) -> tuple[list[tuple[int, int]], str] | None:
        """The ports the model admits into ``declared``: its ``ingress_ports`` when stated,
        else the ports of the declared flows into it (None when neither says)."""
        stated = declared.prop("ingress_ports")
        if stated is not None:
            ranges = _port_ranges(stated)
            return [
                r for _, r in ranges
            ], f"ingress_ports: {', '.join(t for t, _ in ranges) or 'none'}"
        ports = sorted(self.declared_ports.get(declared.id, ()))
        if not ports:
            return None
        return [(p, p) for p in ports], f"flows into it on {', '.join(str(p) for p in ports)}"

    def check_flows(self) -> None:
        pairs: dict[tuple[str, str], list[Flow]] = {}
        for flow in self.declared.flows:
            pairs.setdefault(_opened(flow), []).append(flow)
        seen: set[tuple[str, str]] = set()
        for flow in self.code.flows:
            sources = self.to_declared.get(flow.source, ())
            targets = self.to_declared.get(flow.target, ())
            if not sources or not targets or set(sources) & set(targets):
                continue  # an end the model lacks: reported as a missing component
            found = [f for s in sources for t in targets for f in pairs.get((s, t), [])]
            for s in sources:
                for t in targets:
                    seen.add((s, t))
            if not found:
                shown = f"{sources[0]} -> {targets[0]}"
                said = (
                    f"no flow {shown}"
                    if len(sources) == 1
                    else f"no flow from an actor on the internet ({', '.join(sources)}) to "
                    f"{targets[0]}"
                )
                self.add(
                    DriftKind.MISSING_FLOW,
                    flow.id,
                    None,
                    flow,
                    said,
                    f"{flow.source} -> {flow.target}{_flow_facts(flow)}",
                    f"add '- {shown}: {{...}}' to the model's flows{_declared_place(self.declared)}"
                    f" and review it; or remove the connection at {_place(flow.location)}",
                )
                continue
            self.flow_transit(found, flow)
        for (source, target), flows in pairs.items():
            if (source, target) in seen or source not in self.to_code or target not in self.to_code:
                continue
            for declared in flows:
                self.info.append(
                    InfoItem(
                        InfoKind.ABSENT_FROM_CODE,
                        declared.id,
                        declared.id,
                        declared.location,
                        None,
                        None,
                        f"flow {declared.source} -> {declared.target}",
                        f"no connection {self.to_code[source]} -> {self.to_code[target]} in the "
                        "code read (the application may make it: the code does not say)",
                    )
                )

    def flow_transit(self, declared_flows: Sequence[Flow], code: Flow) -> None:
        said = [f.encrypted for f in declared_flows]
        has = _code_encrypted(code)
        declared = declared_flows[0]
        if has is None or any(s is None for s in said):
            return
        model = f"{declared.source} -> {declared.target}: encrypted ({_transit(declared)})"
        if all(said) and has is False:
            self.add(
                DriftKind.ENCRYPTION_IN_TRANSIT,
                declared.id,
                declared,
                code,
                model,
                f"{code.source} -> {code.target}: clear text ({_transit(code)})",
                f"use TLS on the connection at {_place(code.location)}; or, if the code is right, "
                f"change the flow {declared.id} at {_place(declared.location)} to 'tls: false'",
                "TLS declared, clear text in the code",
            )
        elif not any(said) and has is True:
            self.stronger(
                declared.id,
                declared,
                code,
                f"{declared.source} -> {declared.target}: clear text ({_transit(declared)})",
                f"{code.source} -> {code.target}: encrypted ({_transit(code)})",
            )

    def missing_component(self, code: Component) -> None:
        flows = self.code_touching.get(code.id, [])
        tech = f", tech: {code.tech}" if code.tech else ""
        also = f"; its flows: {', '.join(flows)}" if flows else ""
        self.add(
            DriftKind.MISSING_COMPONENT,
            code.id,
            None,
            code,
            "no component for it (by id, origin or name)",
            f"{code.kind.value}{tech} at {_place(code.location)}{also}",
            f"add '{code.id}: {{kind: {code.kind.value}{tech}}}' to the model's components"
            f"{_declared_place(self.declared)}, or write 'origin: {code.origin}' on the declared "
            "component that stands for it; or remove the resource from the code",
        )


def _code_encrypted(flow: Flow) -> bool | None:
    """Whether the code's flow is encrypted: as :attr:`Flow.encrypted`, except that a transport
    alone (``tcp`` from a security group rule) says nothing of the TLS that may run over it."""
    if flow.protocol in _TRANSPORTS and flow.tls is None and not flow.mtls:
        return None
    return flow.encrypted


def _address(element: Component | Flow) -> str:
    parts = _origin_parts(element.origin)
    return parts[2] if parts is not None and parts[2] else element.id


def _declared_place(model: Model) -> str:
    return f" ({model.files[0]})" if model.files else ""


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _opened(flow: Flow) -> tuple[str, str]:
    """(who opens the connection, who accepts it)."""
    if flow.initiated_by is Initiator.TARGET:
        return flow.target, flow.source
    return flow.source, flow.target


def _into(flow: Flow) -> str:
    return _opened(flow)[1]


def _transit(flow: Flow) -> str:
    facts = [f"protocol {flow.protocol}" if flow.protocol else ""]
    if flow.tls is not None:
        facts.append(f"tls: {_bool(flow.tls)}")
    if flow.mtls:
        facts.append("mtls: true")
    return ", ".join(f for f in facts if f) or "stated"


def _flow_facts(flow: Flow) -> str:
    facts = [f for f in (flow.protocol, str(flow.port) if flow.port else "") if f]
    return f" ({' '.join(facts)})" if facts else ""


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [str(value)]
    return []


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _is_world(text: str) -> bool:
    return _network(text) in _WORLD


def _covered(text: str, allowed: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """A code CIDR within one the model admits (text that is no CIDR: only by equality)."""
    network = _network(text)
    if network is None:
        return False
    return any(
        network.version == other.version and network.subnet_of(other)  # type: ignore[arg-type]
        for other in allowed
    )


def _port_ranges(value: object) -> list[tuple[str, tuple[int, int]]]:
    """``22``, ``"8000-8100"``, ``"all"`` as (text, (low, high))."""
    ranges: list[tuple[str, tuple[int, int]]] = []
    for text in _strings(value):
        low, _, high = text.partition("-")
        if text.strip().lower() in ("all", "*", "-1"):
            ranges.append((text, (0, 65535)))
        elif low.strip().isdigit() and (not high or high.strip().isdigit()):
            ranges.append((text, (int(low), int(high or low))))
    return ranges


def _ports_covered(low: int, high: int, allowed: Sequence[tuple[int, int]]) -> bool:
    return any(a <= low and high <= b for a, b in allowed)


def drift_findings(report: DriftReport) -> tuple[Finding, ...]:
    """Each drift item as a :class:`Finding` of its ``drift-*`` rule, located at the code."""
    findings: list[Finding] = []
    for item in report.drift:
        likelihood, impact, severity = _SCORES[item.kind]
        findings.append(
            Finding(
                meta=item.rule,
                title=item.title,
                elements=tuple(dict.fromkeys(e for e in (item.declared, item.code) if e)),
                fingerprint=item.fingerprint,
                likelihood=likelihood,
                impact=impact,
                severity=severity,
                confidence=Confidence.HIGH,
                explanation=f"The model says {item.model_says}; the code "
                f"({item.code_address} at {_place(item.code_location)}) says {item.code_says}. "
                f"Fix: {item.fix}.",
                evidence=(f"model: {item.model_says}", f"code: {item.code_says}"),
                data=(),
                location=item.code_location,
            )
        )
    return tuple(findings)


def drift_assessment(report: DriftReport, as_of: str) -> Assessment:
    """The drift as an assessment of findings, for the exporters (SARIF)."""
    findings = drift_findings(report)
    return Assessment(
        system=report.system,
        files=report.model_files,
        findings=findings,
        summaries=(),
        gaps=(),
        rule_errors=(),
        stale=(),
        warnings=(),
        rules_run=tuple(dict.fromkeys(f.rule for f in findings)),
        as_of=as_of,
    )
