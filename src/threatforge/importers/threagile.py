"""Threagile models in: ``threatforge import threagile threagile.yaml``.

What maps to what (docs/interop.md, "Threagile"):

- ``title``, ``management_summary_comment``, ``business_criticality``, ``author`` -> ``system``;
- ``data_assets`` -> data assets (``confidentiality`` -> classification);
- ``technical_assets`` -> components: ``type`` and ``technology`` / ``technologies`` -> kind and
  technology (the data table ``mappings/threagile-vocabulary.yaml``; Threagile's names kept as
  ``properties.threagile_technologies``, unknown ones noted), ``internet`` -> ``exposure``,
  ``encryption`` -> ``encryption.at_rest``, ``data_assets_processed`` / ``stored`` ->
  ``processes`` / ``stores``, ``machine``, ``size``, ``usage``, the CIA ratings and the switches
  as ``threagile_*`` properties;
- ``communication_links`` -> flows ``source -> target`` (id ``source/link-title``): protocol
  (``-encrypted`` ones with ``tls: true``), ``authentication`` -> ``authn``, ``authorization:
  none`` -> ``authz: none``, ``data_assets_sent`` and ``data_assets_received`` -> ``data`` (the
  received ones also as ``threagile_data_received``);
- ``trust_boundaries`` -> zones (``type`` -> kind, trusted), nested through
  ``trust_boundaries_nested`` (-> ``inside``), ``technical_assets_inside`` -> each asset's zone;
- ``shared_runtimes`` -> ``properties.shared_runtimes`` (``id: title``) on each component that
  runs on one;
- ``individual_risk_categories`` or ``custom_risk_categories`` -> one team threat per identified
  risk (its category's id as the threat's ``type``), and ``risk_tracking`` entries that match a
  risk's id (``category@asset``, ``*`` wildcards) -> its decision in ``tracking:``;
- ``includes`` -> the included files, relative to the including file, never outside the main
  file's folder, each at most once on a chain (a cycle is refused).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threatforge.errors import ImporterError
from threatforge.importers._interchange import (
    THREAT_SOURCE,
    InterchangeDraft,
    as_list,
    as_text,
    cwe_number,
    stride_category,
)
from threatforge.importers.interface import ImportedModel, Importer
from threatforge.interchange.threagile import (
    ASSET_FLAGS,
    AUTHENTICATION,
    CLASSIFICATION,
    CRITICALITY,
    ENCRYPTION,
    GENERATED_CATEGORY_PREFIX,
    IMPACT,
    LIKELIHOOD,
    LINK_FLAGS,
    STATUS,
    TEAM_CATEGORY_PREFIX,
    ZONE_KINDS,
    ThreagileProtocol,
    ThreagileVocabulary,
    link_id,
    matches_risk,
    slug,
    synthetic_id,
    team_threat_id,
    threagile_vocabulary,
)
from threatforge.model import (
    Authn,
    Boundary,
    Component,
    ComponentKind,
    DataAsset,
    Document,
    Flow,
    Location,
    ReadError,
    System,
    ThreatStatement,
    TrackingEntry,
    read_yaml_file,
)
from threatforge.model.vocabulary import KindGroup, kind_group

__all__ = [
    "GENERATED_CATEGORY_PREFIX",
    "MAX_INCLUDES",
    "TEAM_CATEGORY_PREFIX",
    "ThreagileImporter",
    "ThreagileVocabulary",
    "link_id",
    "matches_risk",
    "synthetic_id",
    "team_threat_id",
    "threagile_vocabulary",
]

MAX_INCLUDES = 200
"""Files one Threagile model may be split into (``includes``, counted over the whole tree)."""
MAX_INCLUDE_DEPTH = 16
_NEEDS_REASON = frozenset({"accepted", "false-positive"})
_MARKUP = re.compile(r"<[^>]{0,200}>")
_KEYED = (
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "shared_runtimes",
    "individual_risk_categories",
    "risk_tracking",
    "questions",
    "abuse_cases",
    "security_requirements",
)


def plain(text: str) -> str:
    """Threagile titles carry HTML (``<b>...</b>``): the words alone."""
    return " ".join(_MARKUP.sub("", text).split())


@dataclass
class _Entry:
    value: Any
    document: Document
    path: tuple[str | int, ...]

    @property
    def where(self) -> Location:
        location = self.document.location(self.path, key=True)
        return Location(location.file, location.line, location.column)


@dataclass
class _Merged:
    """The model as Threagile merges its ``includes``: keyed sections joined, lists appended,
    scalars set once."""

    root: str
    keyed: dict[str, dict[str, _Entry]] = field(default_factory=dict)
    lists: dict[str, list[_Entry]] = field(default_factory=dict)
    scalars: dict[str, _Entry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    read: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def add(self, document: Document) -> None:
        for key, value in document.value.items():
            if key == "includes":
                continue
            if key == "custom_risk_categories" and isinstance(value, list):
                for index, item in enumerate(value):
                    self.lists.setdefault(key, []).append(_Entry(item, document, (key, index)))
            elif key in _KEYED or key == "custom_risk_categories":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    raise ImporterError(f"{document.location((key,))}: '{key}' must be a mapping")
                section = self.keyed.setdefault(key, {})
                for name, item in value.items():
                    if name in section:
                        first = section[name].where
                        raise ImporterError(
                            f"{document.location((key, name), key=True)}: {key} '{name}' is "
                            f"declared twice (first at {first})"
                        )
                    section[name] = _Entry(item, document, (key, name))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    self.lists.setdefault(key, []).append(_Entry(item, document, (key, index)))
            elif value is not None:
                found = self.scalars.get(key)
                if found is not None and found.value != value:
                    raise ImporterError(
                        f"{document.location((key,))}: '{key}' is set again (first at "
                        f"{found.where})"
                    )
                self.scalars.setdefault(key, _Entry(value, document, (key,)))


class ThreagileImporter(Importer):
    """Reads a Threagile model (YAML, split with ``includes`` or not)."""

    name = "threagile"
    description = "Threagile models (threagile.yaml and the files it includes)."
    patterns = ("threagile.yaml", "threagile.yml")

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        if len(paths) != 1:
            raise ImporterError(
                f"threagile: one main model file per import (given {len(paths)}); the files it "
                "includes are read from its 'includes:'"
            )
        path = paths[0]
        if path.is_dir():
            found = [path / p for p in self.patterns if (path / p).is_file()]
            if not found:
                raise ImporterError(f"{path}: no threagile.yaml in this folder")
            path = found[0]
        merged = _Merged(os.path.realpath(path.parent))
        _include(merged, path, str(path), ())
        return _ThreagileRead(merged).run()


def _include(merged: _Merged, path: Path, shown: str, chain: tuple[str, ...]) -> None:
    real = os.path.realpath(path)
    if real in chain:
        raise ImporterError(
            f"{shown}: includes itself (an include cycle: "
            f"{' -> '.join([*merged.files[-len(chain) :], shown])})"
        )
    if os.path.commonpath([real, merged.root]) != merged.root:
        raise ImporterError(
            f"{shown}: is outside the model's folder {merged.root}: an include must stay inside it"
        )
    if real in merged.read:
        merged.notes.append(f"{shown}: included again (a diamond of includes): read once")
        return
    if len(merged.files) >= MAX_INCLUDES or len(chain) >= MAX_INCLUDE_DEPTH:
        raise ImporterError(
            f"{shown}: more than {MAX_INCLUDES} files or {MAX_INCLUDE_DEPTH} levels of includes"
        )
    try:
        document = read_yaml_file(str(path), shown)
    except ReadError as exc:
        if exc.message.startswith("is empty") or exc.message.endswith("not empty"):
            # a file of comments only (Threagile's split models have them): nothing to merge
            merged.files.append(shown)
            merged.read.add(real)
            return
        raise ImporterError(f"{exc.location}: {exc.message}") from None
    merged.files.append(shown)
    merged.read.add(real)
    merged.add(document)
    includes = document.value.get("includes")
    for index, name in enumerate(as_list(includes)):
        if not isinstance(name, str) or not name.strip():
            raise ImporterError(
                f"{document.location(('includes', index))}: an include is a file name"
            )
        if os.path.isabs(name):
            raise ImporterError(
                f"{document.location(('includes', index))}: include '{name}' is an absolute path; "
                "write it relative to the including file"
            )
        target = path.parent / name
        _include(
            merged,
            target,
            os.path.normpath(os.path.join(os.path.dirname(shown), name)),
            (*chain, real),
        )


class _ThreagileRead:
    def __init__(self, merged: _Merged) -> None:
        self.merged = merged
        self.draft = InterchangeDraft(
            "threagile", files=list(merged.files), notes=list(merged.notes)
        )
        self.vocabulary = threagile_vocabulary()
        self.assets: dict[str, str] = {}  # Threagile id -> component id
        self.data: dict[str, str] = {}
        self.zones: dict[str, str] = {}
        self.links: dict[str, str] = {}  # Threagile link id -> flow id
        self.runtimes: dict[str, str] = {}
        self.lost: dict[str, int] = {}
        self.risk_ids: dict[str, str] = {}  # synthetic risk id -> team threat id

    def lose(self, what: str, count: int = 1) -> None:
        self.lost[what] = self.lost.get(what, 0) + count

    def section(self, key: str) -> list[tuple[str, _Entry, dict[str, Any]]]:
        entries = self.merged.keyed.get(key, {})
        self.draft.count(list(entries), key, Location(self.draft.files[0]))
        found = []
        for name, entry in entries.items():
            if not isinstance(entry.value, dict):
                raise ImporterError(f"{entry.where}: {key} '{name}' must be a mapping")
            found.append((str(name), entry, entry.value))
        return found

    def run(self) -> ImportedModel:
        scalars = self.merged.scalars
        if "threagile_version" not in scalars and not self.merged.keyed.get("technical_assets"):
            raise ImporterError(
                f"{self.draft.files[0]}: not a Threagile model (no 'threagile_version' or "
                "'technical_assets')"
            )
        self.system()
        for name, entry, body in self.section("data_assets"):
            self.data_asset(name, entry, body)
        for name, entry, body in self.section("technical_assets"):
            cid = self.draft.element_id(body.get("id"), entry.where, f"technical asset '{name}'")
            self.assets[str(body.get("id"))] = cid
        inside = self.boundaries()
        runtimes = self.shared_runtimes()
        for name, entry, body in self.section("technical_assets"):
            self.technical_asset(name, entry, body, inside, runtimes)
        for name, entry, body in self.section("technical_assets"):
            self.communication_links(name, entry, body)
        self.risks()
        for key in ("questions", "abuse_cases", "security_requirements"):
            count = len(self.merged.keyed.get(key, {}))
            if count:
                self.lose(key.replace("_", " "), count)
        for key in self.merged.scalars:
            if key.startswith("diagram_tweak"):
                self.lose("diagram tweaks")
        draft = self.draft
        for what, count in sorted(self.lost.items()):
            draft.notes.append(f"not carried: {what} ({count})")
        draft.notes.append(
            f"read {len(draft.files)} Threagile file{'s' if len(draft.files) != 1 else ''}: "
            f"{len(draft.components)} technical assets, {len(draft.flows)} communication links, "
            f"{len(draft.boundaries)} trust boundaries, {len(draft.data)} data assets, "
            f"{len(draft.threats)} team threats"
        )
        return draft.build()

    # --- system and data ---------------------------------------------------------------------

    def system(self) -> None:
        scalars = self.merged.scalars
        first = Location(self.draft.files[0])
        title = as_text(scalars["title"].value) if "title" in scalars else None
        body: dict[str, Any] = {"name": title or "Threagile model"}
        if "management_summary_comment" in scalars:
            body["description"] = as_text(scalars["management_summary_comment"].value, 20_000)
        criticality = (
            as_text(scalars["business_criticality"].value)
            if "business_criticality" in scalars
            else None
        )
        if criticality:
            if criticality not in CRITICALITY:
                raise ImporterError(
                    f"{scalars['business_criticality'].where}: unknown business_criticality "
                    f"'{criticality}'"
                )
            body["criticality"] = CRITICALITY[criticality]
        author = scalars.get("author")
        if author is not None and isinstance(author.value, dict) and author.value.get("name"):
            body["owner"] = as_text(author.value["name"])
        for key in ("business_overview", "technical_overview", "application_description"):
            if key in scalars:
                self.lose(key.replace("_", " "))
        if "date" in scalars:
            body["version"] = as_text(scalars["date"].value)
        self.draft.system = self.draft.make(System, body, first, "the model")

    def data_asset(self, name: str, entry: _Entry, body: dict[str, Any]) -> None:
        where = entry.where
        did = self.draft.element_id(body.get("id"), where, f"data asset '{name}'")
        rating = as_text(body.get("confidentiality")) or "confidential"
        if rating not in CLASSIFICATION:
            raise ImporterError(f"{where}: data asset '{name}': unknown confidentiality '{rating}'")
        fields: dict[str, Any] = {
            "name": as_text(name),
            "description": as_text(body.get("description"), 20_000),
            "classification": CLASSIFICATION[rating],
            "owner": as_text(body.get("owner")),
        }
        for key in (
            "usage",
            "tags",
            "origin",
            "quantity",
            "integrity",
            "availability",
            "justification_cia_rating",
        ):
            if body.get(key):
                self.lose(f"data assets' {key.replace('_', ' ')}")
        self.draft.add("data", DataAsset, did, _clean(fields), where, f"data asset '{name}'", did)
        self.data[str(body.get("id"))] = did

    def data_refs(self, refs: Any, where: Location, owner: str) -> list[str]:
        found = []
        for ref in as_list(refs):
            did = self.data.get(str(ref))
            if did is None:
                raise ImporterError(f"{where}: {owner}: unknown data asset '{str(ref)[:80]}'")
            if did not in found:
                found.append(did)
        return found

    # --- boundaries and runtimes -------------------------------------------------------------

    def boundaries(self) -> dict[str, str]:
        """Each component's zone: the innermost boundary it is inside."""
        boundaries = self.section("trust_boundaries")
        for name, entry, body in boundaries:
            self.zones[str(body.get("id"))] = self.draft.element_id(
                body.get("id"), entry.where, f"trust boundary '{name}'"
            )
        parents: dict[str, str] = {}
        for name, entry, body in boundaries:
            bid = self.zones[str(body.get("id"))]
            for ref in as_list(body.get("trust_boundaries_nested")):
                child = self.zones.get(str(ref))
                if child is None:
                    raise ImporterError(
                        f"{entry.where}: trust boundary '{name}' nests unknown boundary '{ref}'"
                    )
                if child in parents and parents[child] != bid:
                    raise ImporterError(
                        f"{entry.where}: trust boundary '{ref}' is nested in both "
                        f"'{parents[child]}' and '{bid}'"
                    )
                parents[child] = bid
        depth: dict[str, int] = {}
        for bid in self.zones.values():
            seen, current = [bid], bid
            while current in parents:
                current = parents[current]
                if current in seen:
                    raise ImporterError(
                        f"trust boundaries nest in a cycle: {' -> '.join([*seen, current])}"
                    )
                seen.append(current)
            depth[bid] = len(seen)
        inside: dict[str, str] = {}
        for name, entry, body in boundaries:
            bid = self.zones[str(body.get("id"))]
            kind = as_text(body.get("type")) or "network-on-prem"
            properties: dict[str, Any] = {"threagile_type": kind}
            if body.get("tags"):
                self.lose("trust boundaries' tags")
            fields: dict[str, Any] = {
                "name": as_text(name),
                "description": as_text(body.get("description"), 20_000),
                "kind": ZONE_KINDS.get(kind, "other"),
                "trust": "trusted",
                "inside": parents.get(bid),
                "properties": properties,
            }
            if kind not in ZONE_KINDS:
                self.draft.notes.append(
                    f"{entry.where}: trust boundary type '{kind}' is not Threagile's: read as "
                    "kind other"
                )
            self.draft.add(
                "boundaries",
                Boundary,
                bid,
                _clean(fields),
                entry.where,
                f"trust boundary '{name}'",
                bid,
            )
            for ref in as_list(body.get("technical_assets_inside")):
                cid = self.assets.get(str(ref))
                if cid is None:
                    raise ImporterError(
                        f"{entry.where}: trust boundary '{name}' holds unknown technical asset "
                        f"'{ref}'"
                    )
                held = inside.get(cid)
                if held is None or depth[bid] > depth[held]:
                    if held is not None and not _within(bid, held, parents):
                        raise ImporterError(
                            f"{entry.where}: technical asset '{ref}' is inside both '{held}' and "
                            f"'{bid}'"
                        )
                    inside[cid] = bid
                elif not _within(held, bid, parents):
                    raise ImporterError(
                        f"{entry.where}: technical asset '{ref}' is inside both '{held}' and "
                        f"'{bid}'"
                    )
        return inside

    def shared_runtimes(self) -> dict[str, list[str]]:
        runs: dict[str, list[str]] = {}
        for name, entry, body in self.section("shared_runtimes"):
            rid = self.draft.element_id(body.get("id"), entry.where, f"shared runtime '{name}'")
            self.runtimes[str(body.get("id"))] = rid
            running = as_list(body.get("technical_assets_running"))
            if not running:
                self.lose("shared runtimes that run nothing")
            if body.get("description") or body.get("tags"):
                self.lose("shared runtimes' descriptions and tags")
            for ref in running:
                cid = self.assets.get(str(ref))
                if cid is None:
                    raise ImporterError(
                        f"{entry.where}: shared runtime '{name}' runs unknown technical asset "
                        f"'{ref}'"
                    )
                runs.setdefault(cid, []).append(f"{rid}: {as_text(name)}")
        return runs

    # --- technical assets and links ----------------------------------------------------------

    def technical_asset(
        self,
        name: str,
        entry: _Entry,
        body: dict[str, Any],
        inside: Mapping[str, str],
        runtimes: Mapping[str, list[str]],
    ) -> None:
        where = entry.where
        cid = self.assets[str(body.get("id"))]
        names = [
            str(t)
            for t in [*as_list(body.get("technology")), *as_list(body.get("technologies"))]
            if t
        ]
        names = list(dict.fromkeys(names))
        known = [
            self.vocabulary.technologies[n] for n in names if n in self.vocabulary.technologies
        ]
        unknown = [n for n in names if n not in self.vocabulary.technologies]
        if unknown:
            self.draft.notes.append(
                f"{where}: technical asset '{cid}': technolog{'ies' if len(unknown) > 1 else 'y'} "
                f"{', '.join(unknown)} not in threatforge's table: kept in threagile_technologies"
            )
        asset_type = as_text(body.get("type")) or "process"
        kind = known[0].kind if known else ComponentKind.SERVICE
        if asset_type == "datastore" and not kind.stores_data:
            kind = ComponentKind.DATASTORE
        elif asset_type == "external-entity" and kind not in kind_group(KindGroup.PEOPLE):
            kind = (
                ComponentKind.ACTOR
                if body.get("used_as_client_by_human")
                else ComponentKind.EXTERNAL_SERVICE
            )
        tech = next((t.tech for t in known if t.tech), None)
        properties: dict[str, Any] = {"threagile_type": asset_type}
        if names:
            properties["threagile_technologies"] = names
        for key in ("machine", "size", "usage", "encryption"):
            value = as_text(body.get(key))
            if value:
                properties[f"threagile_{key}"] = value
        cia = [as_text(body.get(k)) or "" for k in ("confidentiality", "integrity", "availability")]
        if any(cia):
            properties["threagile_cia"] = cia
        flags = [flag for flag in ASSET_FLAGS if body.get(flag) is True]
        if flags:
            properties["threagile_flags"] = flags
        formats = [str(f) for f in as_list(body.get("data_formats_accepted")) if f]
        if formats:
            properties["threagile_data_formats"] = formats
        if cid in runtimes:
            properties["shared_runtimes"] = runtimes[cid]
        if body.get("justification_out_of_scope") or body.get("justification_cia_rating"):
            self.lose("technical assets' justifications")
        fields: dict[str, Any] = {
            "kind": kind.value,
            "name": as_text(name),
            "description": as_text(body.get("description"), 20_000),
            "tech": tech,
            "zone": inside.get(cid),
            "owner": as_text(body.get("owner")),
            "processes": self.data_refs(
                body.get("data_assets_processed"), where, f"technical asset '{cid}'"
            ),
            "stores": self.data_refs(
                body.get("data_assets_stored"), where, f"technical asset '{cid}'"
            ),
            "tags": [t for t in (as_text(t) for t in as_list(body.get("tags"))) if t],
            "properties": properties,
        }
        if body.get("internet") is True:
            fields["exposure"] = "public"
        elif body.get("internet") is False and asset_type != "external-entity":
            fields["exposure"] = "internal"
        encryption = as_text(body.get("encryption"))
        if encryption and encryption in ENCRYPTION and (kind.stores_data or fields["stores"]):
            fields["encryption"] = {"at_rest": ENCRYPTION[encryption]}
        self.draft.add(
            "components", Component, cid, _clean(fields), where, f"technical asset '{name}'", cid
        )

    def communication_links(self, name: str, entry: _Entry, body: dict[str, Any]) -> None:
        links = body.get("communication_links")
        if links is None:
            return
        if not isinstance(links, dict):
            raise ImporterError(f"{entry.where}: communication_links of '{name}' must be a mapping")
        source_raw = str(body.get("id"))
        source = self.assets[source_raw]
        for title, link in links.items():
            where = entry.document.location((*entry.path, "communication_links", title), key=True)
            if not isinstance(link, dict):
                raise ImporterError(f"{where}: communication link '{title}' must be a mapping")
            target = self.assets.get(str(link.get("target")))
            if target is None:
                raise ImporterError(
                    f"{where}: communication link '{title}': unknown target "
                    f"'{str(link.get('target'))[:80]}'"
                )
            threagile = link_id(source_raw, str(title))
            fid = self.draft.element_id(
                f"{source}/{slug(str(title))}", where, f"communication link '{title}'"
            )
            properties: dict[str, Any] = {}
            protocol = as_text(link.get("protocol")) or "unknown-protocol"
            mapped = self.vocabulary.protocols.get(protocol)
            if mapped is None:
                self.draft.notes.append(
                    f"{where}: protocol '{protocol}' is not Threagile's: the flow states none"
                )
                mapped = ThreagileProtocol()
            if mapped.protocol != protocol:
                properties["threagile_protocol"] = protocol
            sent = self.data_refs(link.get("data_assets_sent"), where, f"link '{title}'")
            received = self.data_refs(link.get("data_assets_received"), where, f"link '{title}'")
            if received:
                properties["threagile_data_received"] = received
            authentication = as_text(link.get("authentication"))
            authorization = as_text(link.get("authorization"))
            fields: dict[str, Any] = {
                "id": fid,
                "from": source,
                "to": target,
                "name": as_text(title),
                "description": as_text(link.get("description"), 20_000),
                "protocol": mapped.protocol,
                "tls": mapped.tls,
                "data": list(dict.fromkeys([*sent, *received])),
                "tags": [t for t in (as_text(t) for t in as_list(link.get("tags"))) if t],
            }
            if authentication:
                if authentication not in AUTHENTICATION:
                    raise ImporterError(f"{where}: unknown authentication '{authentication}'")
                fields["authn"] = Authn(AUTHENTICATION[authentication]).value
                if AUTHENTICATION[authentication] != authentication:
                    properties["threagile_authentication"] = authentication
            if authorization:
                if authorization == "none":
                    fields["authz"] = "none"
                else:
                    properties["threagile_authorization"] = authorization
            usage = as_text(link.get("usage"))
            if usage:
                properties["threagile_usage"] = usage
            flags = [flag for flag in LINK_FLAGS if link.get(flag) is True]
            if flags:
                properties["threagile_flags"] = flags
            if any(str(k).startswith("diagram_tweak") for k in link):
                self.lose("diagram tweaks")
            fields["properties"] = properties
            self.draft.add(
                "flows",
                Flow,
                fid,
                _clean(fields),
                where,
                f"communication link '{title}'",
                threagile,
            )
            self.links[threagile] = fid

    # --- risks -------------------------------------------------------------------------------

    def categories(self) -> list[tuple[str, _Entry, dict[str, Any]]]:
        found = [
            (str(n), e, e.value)
            for n, e in self.merged.keyed.get("individual_risk_categories", {}).items()
        ]
        found += [
            (str(n), e, e.value)
            for n, e in self.merged.keyed.get("custom_risk_categories", {}).items()
        ]
        for entry in self.merged.lists.get("custom_risk_categories", []):
            value = entry.value
            title = value.get("title") if isinstance(value, dict) else None
            found.append(
                (str(title or (value.get("id") if isinstance(value, dict) else "")), entry, value)
            )
        for title, entry, value in found:
            if not isinstance(value, dict):
                raise ImporterError(f"{entry.where}: risk category '{title}' must be a mapping")
        self.draft.count(found, "risk categories", Location(self.draft.files[0]))
        return found

    def risks(self) -> None:
        generated = 0
        tracking = self.section("risk_tracking")
        for title, entry, category in self.categories():
            cid = as_text(category.get("id"))
            if not cid:
                raise ImporterError(f"{entry.where}: risk category '{title}' has no id")
            risks = category.get("risks_identified") or {}
            if not isinstance(risks, dict):
                raise ImporterError(f"{entry.where}: risks_identified of '{cid}' must be a mapping")
            if cid.startswith(GENERATED_CATEGORY_PREFIX) and not cid.startswith(
                TEAM_CATEGORY_PREFIX
            ):
                generated += len(risks)
                continue
            for key in (
                "asvs",
                "cheat_sheet",
                "action",
                "check",
                "function",
                "detection_logic",
                "risk_assessment",
                "false_positives",
            ):
                if category.get(key):
                    self.lose(f"risk categories' {key.replace('_', ' ')}")
                    break
            for risk_title, risk in risks.items():
                where = entry.document.location(
                    (*entry.path, "risks_identified", risk_title), key=True
                )
                if not isinstance(risk, dict):
                    raise ImporterError(
                        f"{where}: identified risk '{risk_title}' must be a mapping"
                    )
                self.risk(cid, category, str(risk_title), risk, where)
        if generated:
            self.draft.notes.append(
                f"{generated} risks generated by threatforge (categories 'threatforge-<rule>') "
                "were not imported as team threats: the engine finds them again"
            )
        for key, entry, body in tracking:
            self.decision(key, entry, body)

    def risk(
        self,
        category_id: str,
        category: Mapping[str, Any],
        title: str,
        risk: Mapping[str, Any],
        where: Location,
    ) -> None:
        synthetic = synthetic_id(category_id, risk)
        if category_id.startswith(TEAM_CATEGORY_PREFIX):
            tid = self.draft.element_id(
                category_id[len(TEAM_CATEGORY_PREFIX) :], where, f"risk '{title}'"
            )
        else:
            tid = self.draft.element_id(team_threat_id(synthetic), where, f"risk '{title}'")
        if any(t.id == tid for t in self.draft.threats):
            raise ImporterError(f"{where}: two identified risks have the id '{synthetic}'")
        self.risk_ids[synthetic] = tid
        elements: list[str] = []
        for key, table in (
            ("most_relevant_technical_asset", self.assets),
            ("most_relevant_communication_link", self.links),
            ("most_relevant_trust_boundary", self.zones),
            ("most_relevant_data_asset", self.data),
        ):
            ref = as_text(risk.get(key))
            if ref:
                eid = table.get(ref)
                if eid is None:
                    raise ImporterError(f"{where}: {key} '{ref}' is not in the model")
                elements.append(eid)
        runtime = as_text(risk.get("most_relevant_shared_runtime"))
        if runtime:
            if runtime not in self.runtimes:
                raise ImporterError(
                    f"{where}: most_relevant_shared_runtime '{runtime}' is not in the model"
                )
            self.lose("risks' most relevant shared runtime")
        breached = []
        for ref in as_list(risk.get("data_breach_technical_assets")):
            cid = self.assets.get(str(ref))
            if cid is None:
                raise ImporterError(f"{where}: data_breach_technical_assets names unknown '{ref}'")
            breached.append(cid)
        if risk.get("data_breach_probability"):
            self.lose("risks' data breach probability")
        stride = stride_category(str(category.get("stride") or ""))
        cwe = cwe_number(category.get("cwe"))
        mitigation = as_text(category.get("mitigation"), 20_000)
        impact_text = as_text(category.get("impact"), 20_000)
        if (mitigation and len(mitigation) > 300) or (impact_text and len(impact_text) > 300):
            self.lose("risk category texts longer than 300 characters (cut)")
        fields: dict[str, Any] = {
            "source": THREAT_SOURCE,
            "action": plain(title)[:300] or synthetic,
            "impact": impact_text[:300] if impact_text else None,
            "impacted_assets": list(dict.fromkeys(breached)),
            "elements": list(dict.fromkeys(elements)),
            "stride": [stride.value] if stride else [],
            "mitigations": _mitigations(mitigation, category_id),
            "cwe": [cwe] if cwe else [],
            "severity": as_text(risk.get("severity")),
            "type": None if category_id.startswith(TEAM_CATEGORY_PREFIX) else category_id,
            "description": as_text(category.get("description"), 20_000),
        }
        likelihood = LIKELIHOOD.get(str(risk.get("exploitation_likelihood")))
        impact = IMPACT.get(str(risk.get("exploitation_impact")))
        if likelihood is not None and impact is not None:
            fields["likelihood"], fields["impact_score"] = likelihood, impact
        self.draft.add(
            "threats", ThreatStatement, tid, _clean(fields), where, f"risk '{plain(title)[:80]}'"
        )

    def decision(self, key: str, entry: _Entry, body: dict[str, Any]) -> None:
        where = entry.where
        matched = [tid for rid, tid in self.risk_ids.items() if matches_risk(key, rid)]
        status_word = as_text(body.get("status")) or "unchecked"
        if status_word not in STATUS:
            raise ImporterError(
                f"{where}: risk tracking '{key}': unknown status '{status_word}' (one of: "
                f"{', '.join(STATUS)})"
            )
        if not matched:
            rule = key.split("@", 1)[0]
            self.draft.notes.append(
                f"{where}: risk tracking '{key}' ({status_word}) matches no risk of the model's "
                f"own categories (Threagile's built-in rule '{rule}', which threatforge does not "
                "run): not imported"
            )
            return
        status = STATUS[status_word]
        justification = as_text(body.get("justification"), 20_000)
        checked = as_text(body.get("date"))
        if checked:
            justification = f"{justification or ''} (checked {checked})".strip()
        if status in _NEEDS_REASON and not as_text(body.get("justification")):
            self.draft.notes.append(
                f"{where}: risk tracking '{key}' is {status} without a justification: imported as "
                "in-discussion"
            )
            status = "in-discussion"
        fields = {
            "status": status,
            "justification": justification,
            "owner": as_text(body.get("checked_by")),
            "ticket": as_text(body.get("ticket")),
        }
        for tid in matched:
            fingerprint = f"team-threat@{tid}"
            if any(t.id == fingerprint for t in self.draft.tracking):
                self.draft.notes.append(
                    f"{where}: risk tracking '{key}': '{tid}' already has a decision (an earlier "
                    "key matched it): kept that one"
                )
                continue
            self.draft.add(
                "tracking",
                TrackingEntry,
                fingerprint,
                _clean(fields),
                where,
                f"risk tracking '{key}'",
            )


def _mitigations(text: str | None, category_id: str) -> list[str]:
    """A category's mitigation as the threat's mitigations: the ones ``export threagile`` joined
    with "; " for a team threat apart again, else the one text (cut to 300 characters)."""
    if not text:
        return []
    if category_id.startswith(TEAM_CATEGORY_PREFIX):
        return [part.strip()[:300] for part in text.split("; ") if part.strip()]
    return [text[:300]]


def _within(inner: str, outer: str, parents: Mapping[str, str]) -> bool:
    current: str | None = inner
    while current is not None:
        if current == outer:
            return True
        current = parents.get(current)
    return False


def _clean(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None and v != [] and v != {}}
