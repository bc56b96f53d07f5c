"""Privacy flows: where personal data goes, for a GDPR-minded review.

Personal data is data with category ``pii`` or ``pii.special``. The report lists, as data:

- **transfers**: flows carrying personal data between components in different regions (a zone's
  ``region``, inherited through ``inside``), with the jurisdictions when known;
- **unplaced**: flows carrying personal data where one end has a region and the other has none,
  so the transfer cannot be judged;
- **third parties**: flows carrying personal data to an ``external-service``;
- **minimisation**: personal data sent to a component that neither stores nor forwards it;
- **retention gaps**: components that store personal data with no retention period on the
  component or on the data asset.

People (actors) and their devices (clients) are where personal data comes from and goes back to;
flows to or from them are not transfers and not minimisation questions.

A jurisdiction is a zone's ``properties: {jurisdiction: EU}`` (nearest zone first), else derived
from well-known cloud region names (``eu-west-1`` -> EU, ``eu-west-2`` -> UK, ``us-east-1`` -> US).
"""

from __future__ import annotations

from dataclasses import dataclass

from threatforge.model import ComponentKind, DataAsset, Flow, Model
from threatforge.model.vocabulary import KindGroup, kind_group

__all__ = [
    "PERSONAL_CATEGORY",
    "Minimisation",
    "PrivacyReport",
    "RetentionGap",
    "ThirdPartyFlow",
    "Transfer",
    "jurisdiction_of",
    "privacy_flows",
]

PERSONAL_CATEGORY = "pii"
"""Data with this category or one below it (``pii.special``) is personal data."""
SPECIAL_CATEGORY = "pii.special"
JURISDICTION_PROPERTY = "jurisdiction"

_PEOPLE_KINDS = kind_group(KindGroup.PEOPLE)
_REGION_JURISDICTIONS = {
    "eu-west-2": "UK",
    "eu-central-2": "CH",
    "europe-west2": "UK",
    "europe-west6": "CH",
    "uksouth": "UK",
    "ukwest": "UK",
    "switzerlandnorth": "CH",
    "switzerlandwest": "CH",
    "westeurope": "EU",
    "northeurope": "EU",
}
_PREFIX_JURISDICTIONS = (
    ("eu-", "EU"),
    ("europe-", "EU"),
    ("us-", "US"),
    ("eastus", "US"),
    ("westus", "US"),
    ("centralus", "US"),
    ("ca-", "CA"),
    ("northamerica-northeast", "CA"),
    ("sa-east-", "BR"),
    ("southamerica-east", "BR"),
    ("ap-southeast-2", "AU"),
    ("australia-", "AU"),
    ("ap-northeast-1", "JP"),
    ("asia-northeast1", "JP"),
)


@dataclass(frozen=True, slots=True)
class Transfer:
    """A flow carrying personal data from one region to another."""

    flow: str
    source: str
    target: str
    data: tuple[str, ...]
    source_region: str
    target_region: str
    source_jurisdiction: str | None
    target_jurisdiction: str | None

    @property
    def cross_jurisdiction(self) -> bool | None:
        """Whether it leaves a jurisdiction; None when either jurisdiction is unknown."""
        if self.source_jurisdiction is None or self.target_jurisdiction is None:
            return None
        return self.source_jurisdiction != self.target_jurisdiction


@dataclass(frozen=True, slots=True)
class ThirdPartyFlow:
    """A flow carrying personal data to a third party."""

    flow: str
    source: str
    target: str
    data: tuple[str, ...]
    special: bool
    """Special category data (GDPR Art. 9) is among it."""
    region: str | None
    jurisdiction: str | None


@dataclass(frozen=True, slots=True)
class Minimisation:
    """Personal data sent to a component that neither stores nor forwards it."""

    flow: str
    target: str
    data: tuple[str, ...]
    declared: tuple[str, ...]
    """Those of ``data`` the target declares it ``processes`` (a stated purpose to confirm)."""


@dataclass(frozen=True, slots=True)
class RetentionGap:
    """A component that stores personal data without a retention period."""

    component: str
    data: tuple[str, ...]


@dataclass(frozen=True)
class PrivacyReport:
    """Where personal data goes. Every list is sorted by flow or component id."""

    personal_data: tuple[str, ...]
    transfers: tuple[Transfer, ...]
    unplaced: tuple[str, ...]
    """Flow ids: personal data between a component with a region and one without."""
    third_parties: tuple[ThirdPartyFlow, ...]
    minimisation: tuple[Minimisation, ...]
    retention_gaps: tuple[RetentionGap, ...]


def jurisdiction_of(model: Model, component_id: str) -> str | None:
    """The stated or derived jurisdiction of the component's zone, or None."""
    graph = model.graph
    zone = graph.zone_of(component_id)
    if zone is not None:
        for boundary in graph.zone_chain(zone.id):
            stated = boundary.properties.get(JURISDICTION_PROPERTY)
            if isinstance(stated, str) and stated:
                return stated
    region = graph.region_of(component_id)
    if region is None:
        return None
    name = region.lower()
    if name in _REGION_JURISDICTIONS:
        return _REGION_JURISDICTIONS[name]
    for prefix, jurisdiction in _PREFIX_JURISDICTIONS:
        if name.startswith(prefix):
            return jurisdiction
    return None


def privacy_flows(model: Model) -> PrivacyReport:
    """The privacy view of ``model``."""
    graph = model.graph
    personal = {
        a.id for a in graph.has_category(model.data.values(), PERSONAL_CATEGORY)
    }
    transfers: list[Transfer] = []
    unplaced: list[str] = []
    third: list[ThirdPartyFlow] = []
    minimisation: list[Minimisation] = []
    for flow in sorted(model.flows, key=lambda f: f.id):
        data = tuple(sorted(d for d in dict.fromkeys(flow.data) if d in personal))
        if not data:
            continue
        source = model.components[flow.source]
        target = model.components[flow.target]
        if source.kind in _PEOPLE_KINDS or target.kind in _PEOPLE_KINDS:
            continue
        _place(model, flow, data, transfers, unplaced)
        if target.kind is ComponentKind.EXTERNAL_SERVICE:
            assets = [model.data[d] for d in data]
            third.append(
                ThirdPartyFlow(
                    flow.id, flow.source, flow.target, data,
                    special=bool(graph.has_category(assets, SPECIAL_CATEGORY)),
                    region=graph.region_of(flow.target),
                    jurisdiction=jurisdiction_of(model, flow.target),
                )
            )
        unused = _unused(model, flow, data)
        if unused:
            declared = tuple(d for d in unused if d in target.processes)
            minimisation.append(Minimisation(flow.id, flow.target, unused, declared))
    return PrivacyReport(
        personal_data=tuple(sorted(personal)),
        transfers=tuple(transfers),
        unplaced=tuple(unplaced),
        third_parties=tuple(third),
        minimisation=tuple(minimisation),
        retention_gaps=_retention_gaps(model, personal),
    )


def _place(
    model: Model,
    flow: Flow,
    data: tuple[str, ...],
    transfers: list[Transfer],
    unplaced: list[str],
) -> None:
    graph = model.graph
    source_region = graph.region_of(flow.source)
    target_region = graph.region_of(flow.target)
    if source_region is None and target_region is None:
        return
    if source_region is None or target_region is None:
        unplaced.append(flow.id)
        return
    if source_region != target_region:
        transfers.append(
            Transfer(
                flow.id, flow.source, flow.target, data, source_region, target_region,
                jurisdiction_of(model, flow.source), jurisdiction_of(model, flow.target),
            )
        )


def _unused(model: Model, flow: Flow, data: tuple[str, ...]) -> tuple[str, ...]:
    """The data of ``flow`` its target neither stores nor sends on."""
    target = model.components[flow.target]
    forwarded = {d for out in model.graph.flows_out(flow.target) for d in out.data}
    return tuple(d for d in data if d not in target.stores and d not in forwarded)


def _retention_gaps(model: Model, personal: set[str]) -> tuple[RetentionGap, ...]:
    gaps: list[RetentionGap] = []
    for cid in sorted(model.components):
        component = model.components[cid]
        if component.retention_days is not None:
            continue
        missing = tuple(
            d for d in component.stores
            if d in personal and _retention(model.data[d]) is None
        )
        if missing:
            gaps.append(RetentionGap(cid, missing))
    return tuple(gaps)


def _retention(asset: DataAsset) -> int | None:
    return asset.retention_days
