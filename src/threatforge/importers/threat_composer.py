"""AWS Threat Composer exports (``.tc.json``) in: the application, its architecture and
data-flow descriptions, assumptions, threats in Threat Composer's grammar, mitigations and the
links between them (docs/interop.md, "AWS Threat Composer").

Threat Composer has no diagram elements: the model gets a system (its name, and a description
holding the application, architecture and data-flow texts under their own headings), the
threats under ``threats:`` with their decisions under ``tracking:``, the mitigations as
``controls:``, the assumptions as ``assumptions:``, and one data asset per impacted asset named
in a threat. Diagram images are noted, never decoded. Threats threatforge exported as generated
(tag :data:`~threatforge.exporters.threat_list.GENERATED_TAG`) are not read back as the team's:
the engine finds them again.

The ``custom:`` metadata threatforge writes on export (``custom:threatforge-id``,
``custom:elements``, ``custom:cwe``, ``custom:decision-status`` ...) is read back, so a model
exported and imported again keeps its ids, scores and decisions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from threatforge.errors import ImporterError
from threatforge.importers.interface import ImportedModel, Importer
from threatforge.importers.threat_interchange import (
    SHORT,
    TEXT,
    InterchangeDraft,
    clip,
    items,
    joined_notes,
    read_interchange_file,
    readable_id,
    strings,
    text_of,
    valid_id,
)

__all__ = [
    "ARCHITECTURE_HEADING",
    "DATAFLOW_HEADING",
    "GENERATED_TAG",
    "MITIGATION_STATUS",
    "STRIDE_LETTERS",
    "THREAT_STATUS",
    "ThreatComposerImporter",
]

GENERATED_TAG = "threatforge-generated"
"""The exporters' tag (threatforge.exporters.threat_list.GENERATED_TAG; a test keeps them
equal: importers sit below exporters and cannot import it)."""
ARCHITECTURE_HEADING = "### Architecture (Threat Composer)"
DATAFLOW_HEADING = "### Data flow (Threat Composer)"
"""The headings the architecture and data-flow descriptions sit under in the system's
description (the exporter splits them back out)."""
STRIDE_LETTERS = {
    "S": "spoofing",
    "T": "tampering",
    "R": "repudiation",
    "I": "information-disclosure",
    "D": "denial-of-service",
    "E": "elevation-of-privilege",
}
THREAT_STATUS = {
    "open": "threatIdentified",
    "in-discussion": "threatIdentified",
    "in-progress": "threatIdentified",
    "mitigated": "threatResolved",
    "accepted": "threatResolved",
    "false-positive": "threatResolvedNotUseful",
    "not-applicable": "threatResolvedNotUseful",
}
"""Our decision status -> Threat Composer's threat status (export)."""
_FROM_THREAT_STATUS = {
    "threatResolved": ("mitigated", "resolved in Threat Composer"),
    "threatResolvedNotUseful": ("not-applicable", "resolved as not useful in Threat Composer"),
}
MITIGATION_STATUS = {"implemented": "mitigationResolved", "planned": "mitigationIdentified"}
_FROM_MITIGATION_STATUS = {
    "mitigationResolved": "implemented",
    "mitigationIdentified": "planned",
    "mitigationInProgress": "planned",
    "mitigationResolvedWillNotAction": "planned",
}
_DECISION_FIELDS = ("justification", "owner", "ticket", "expires", "control", "evidence")
_DIGITS = re.compile(r"^[0-9]{1,6}$")


class ThreatComposerImporter(Importer):
    """Reads one AWS Threat Composer export."""

    name: ClassVar[str] = "threat-composer"
    description: ClassVar[str] = (
        "AWS Threat Composer exports (.tc.json): application, threats, mitigations, assumptions"
    )
    patterns: ClassVar[tuple[str, ...]] = ("*.tc.json",)

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from one ``.tc.json`` file (or the one such file in a folder)."""
        files: list[Path] = []
        for path in paths:
            files.extend(sorted(path.glob("*.tc.json")) if path.is_dir() else [path])
        if len(files) != 1:
            shown = ", ".join(str(p) for p in paths)
            raise ImporterError(
                f"{shown}: threat-composer reads one .tc.json file ({len(files)} found)"
            )
        notes: list[str] = []
        document, shown = read_interchange_file(files[0], "Threat Composer", notes)
        return _Read(document, shown, files[0], notes).run()


def _metadata(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's ``metadata`` list as key -> value (the first of a key wins)."""
    found: dict[str, Any] = {}
    raw = entry.get("metadata")
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            found.setdefault(item["key"], item.get("value"))
    return found


def _custom(meta: Mapping[str, Any], name: str) -> str:
    return text_of(meta.get(f"custom:{name}")).strip()


def _numeric(entry: Mapping[str, Any]) -> int | None:
    value = entry.get("numericId")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != int(value) or not 0 <= value < 10**9:
        return None
    return int(value)


class _Read:
    def __init__(
        self, document: Mapping[str, Any], shown: str, path: Path, notes: list[str]
    ) -> None:
        self.doc = document
        self.shown = shown
        self.path = path
        self.draft = InterchangeDraft(shown, notes=notes)
        self.notes = self.draft.notes
        self.taken: dict[str, set[str]] = {
            "threats": set(),
            "controls": set(),
            "assumptions": set(),
        }
        self.element_ids: set[str] = set()
        """Ids of the data assets made so far (impacted assets)."""
        self.assets: dict[str, str] = {}
        """Impacted asset text -> data asset id."""
        self.mitigations: dict[str, tuple[str, str] | None] = {}
        """Mitigation UUID -> ("control", id) or ("text", words); None: a generated one."""
        self.assumptions: dict[str, str] = {}
        """Assumption UUID -> assumption id."""
        self.lost: dict[str, list[str]] = {}
        """What is not carried (``threat metadata``) -> the keys or ids, for one note each."""

    def lose(self, what: str, *names: str) -> None:
        if not names:
            return
        found = self.lost.setdefault(what, [])
        found.extend(n for n in names if n not in found)

    def run(self) -> ImportedModel:
        if "schema" not in self.doc:
            raise ImporterError(
                f"{self.shown}: not a Threat Composer export (no 'schema' key at the top)"
            )
        self.system()
        self.read_assumptions()
        self.read_mitigations()
        self.read_threats()
        brainstorm = self.doc.get("brainstorm")
        if isinstance(brainstorm, dict):
            self.lose("brainstorm items", *(k for k, v in brainstorm.items() if v))
        for what, names in self.lost.items():
            self.notes.append(joined_notes(f"not carried: {what}", names))
        counts = {s: len(self.draft.sections[s]) for s in ("threats", "controls", "assumptions")}
        self.notes.append(
            f"read 1 Threat Composer file: {counts['threats']} threats, {counts['controls']} "
            f"mitigations (as controls), {counts['assumptions']} assumptions; Threat Composer "
            "has no diagram elements, so the model has no components or flows: draw them "
            "(threatforge init, or import the infrastructure code) and attach the threats"
        )
        return self.draft.build()

    def system(self) -> None:
        app = self.doc.get("applicationInfo")
        app = app if isinstance(app, dict) else {}
        name = " ".join(text_of(app.get("name")).split())
        if not name:
            name = self.path.name.removesuffix(".json").removesuffix(".tc") or "imported"
            self.notes.append(f"the application has no name: the system is called '{name}'")
        parts = [text_of(app.get("description")).strip()]
        for key, heading, label in (
            ("architecture", ARCHITECTURE_HEADING, "architecture"),
            ("dataflow", DATAFLOW_HEADING, "data-flow"),
        ):
            section = self.doc.get(key)
            if not isinstance(section, dict):
                continue
            text = text_of(section.get("description")).strip()
            if text:
                parts.append(f"{heading}\n\n{text}")
            image = section.get("image")
            if isinstance(image, str) and image:
                what = "an inline data: image" if image.startswith("data:") else "an image URL"
                self.notes.append(
                    f"the {label} diagram ({what}, {len(image):,} characters) is not carried: "
                    "threatforge keeps no images (re-attach it in Threat Composer after export)"
                )
        description = "\n\n".join(p for p in parts if p)
        self.draft.system = {
            "name": clip(name, SHORT, "the application's name", self.notes),
            "description": clip(description, TEXT, "the system's description", self.notes) or None,
        }
        self.draft.system = {k: v for k, v in self.draft.system.items() if v is not None}

    def own_id(
        self, section: str, entry: Mapping[str, Any], meta: Mapping[str, Any], prefix: str
    ) -> str:
        number = _numeric(entry)
        fallback = f"{prefix}-{number}" if number is not None else f"{prefix}-1"
        preferred = valid_id(_custom(meta, "threatforge-id")) or fallback
        return readable_id(preferred, "", fallback, self.taken[section])

    def read_assumptions(self) -> None:
        found = items(self.doc.get("assumptions"), "assumptions", self.shown)
        for index, entry in enumerate(found):
            if not isinstance(entry, dict):
                continue
            meta = _metadata(entry)
            aid = self.own_id("assumptions", entry, meta, "A")
            if isinstance(entry.get("id"), str):
                self.assumptions[entry["id"]] = aid
            content = text_of(entry.get("content")).strip() or f"assumption {index + 1}"
            comments = text_of(meta.get("Comments")).strip()
            if comments:
                content += f"\n\nComments: {comments}"
            if strings(entry.get("tags")):
                self.lose("assumption tags (threatforge has none)", aid)
            self.lose("assumption metadata", *(k for k in meta if k not in _ASSUMPTION_KEYS))
            self.draft.add(
                "assumptions",
                aid,
                {
                    "description": clip(content, TEXT, f"assumption {aid}", self.notes),
                    "owner": _custom(meta, "owner") or None,
                    "verified": _custom(meta, "verified") == "true" or None,
                },
            )

    def read_mitigations(self) -> None:
        generated = 0
        kept_as_planned: list[str] = []
        for entry in items(self.doc.get("mitigations"), "mitigations", self.shown):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            meta = _metadata(entry)
            content = " ".join(text_of(entry.get("content")).split())
            if GENERATED_TAG in strings(entry.get("tags")):
                self.mitigations[entry["id"]] = None
                generated += 1
                continue
            if _custom(meta, "threatforge-text") == "true":
                self.mitigations[entry["id"]] = (
                    "text",
                    clip(content, SHORT, "a mitigation", self.notes),
                )
                continue
            cid = self.own_id("controls", entry, meta, "M")
            status = text_of(entry.get("status"))
            if status in ("mitigationInProgress", "mitigationResolvedWillNotAction"):
                kept_as_planned.append(f"{cid} ({status})")
            ours = bool(_custom(meta, "threatforge-id"))
            name = _custom(meta, "name") if ours else ""
            description = text_of(entry.get("content")).strip()
            if not ours and len(content) <= SHORT:
                name, description = content, ""
            elif description == name:
                description = ""
            comments = text_of(meta.get("Comments")).strip()
            if comments:
                description = "\n\n".join(p for p in (description, f"Comments: {comments}") if p)
            if strings(entry.get("tags")):
                self.lose("mitigation tags (a control has none)", cid)
            self.lose("mitigation metadata", *(k for k in meta if k not in _MITIGATION_KEYS))
            self.draft.add(
                "controls",
                cid,
                {
                    "name": name or None,
                    "description": clip(description, TEXT, f"mitigation {cid}", self.notes) or None,
                    "status": _FROM_MITIGATION_STATUS.get(status, "planned"),
                    "reference": _custom(meta, "reference") or None,
                    "applies_to": ["*"],
                },
            )
            self.mitigations[entry["id"]] = ("control", cid)
        if generated:
            self.notes.append(
                f"{generated} mitigations tagged {GENERATED_TAG} (written by threatforge for "
                "its own threats) were not read back: the engine states them again"
            )
        if kept_as_planned:
            self.notes.append(
                joined_notes(
                    "a control is implemented or planned; these mitigations are kept as planned",
                    kept_as_planned,
                )
            )

    def read_threats(self) -> None:
        links = items(self.doc.get("mitigationLinks"), "mitigationLinks", self.shown)
        by_threat: dict[str, list[str]] = {}
        for link in links:
            if isinstance(link, dict) and isinstance(link.get("linkedId"), str):
                by_threat.setdefault(link["linkedId"], []).append(text_of(link.get("mitigationId")))
        assumption_links = items(self.doc.get("assumptionLinks"), "assumptionLinks", self.shown)
        assumed: dict[str, list[str]] = {}
        mitigation_assumptions = 0
        for link in assumption_links:
            if not isinstance(link, dict):
                continue
            aid = self.assumptions.get(text_of(link.get("assumptionId")))
            if aid is None:
                continue
            if link.get("type") == "Threat":
                assumed.setdefault(text_of(link.get("linkedId")), []).append(aid)
            else:
                mitigation_assumptions += 1
        if mitigation_assumptions:
            self.lose(
                "links from assumptions to mitigations (a control has no assumptions)",
                str(mitigation_assumptions),
            )
        generated = 0
        for index, entry in enumerate(items(self.doc.get("threats"), "threats", self.shown)):
            if not isinstance(entry, dict):
                continue
            meta = _metadata(entry)
            tags = strings(entry.get("tags"))
            if GENERATED_TAG in tags or "@" in _custom(meta, "threatforge-key"):
                generated += 1
                status = text_of(entry.get("status")) or "threatIdentified"
                exported = _custom(meta, "exported-status") or "threatIdentified"
                fingerprint = _custom(meta, "fingerprint") or _custom(meta, "threatforge-key")
                if status != exported:
                    self.lose(
                        "statuses set in Threat Composer on threatforge's threats (decide them "
                        "in the model: threatforge decide MODEL FINGERPRINT)",
                        f"{fingerprint[:200]} ({status[:40]})",
                    )
                continue
            self.lose("threat metadata", *(k for k in meta if k not in _THREAT_KEYS))
            if text_of(entry.get("customTemplate")):
                self.lose("threat statement templates (customTemplate)", text_of(entry.get("id")))
            uuid = text_of(entry.get("id"))
            self.threat(index, entry, meta, tags, by_threat.get(uuid, []), assumed.get(uuid, []))
        if generated:
            self.notes.append(
                f"{generated} threats tagged {GENERATED_TAG} are threatforge's own findings and "
                "applicable threats: not read back as the team's (the engine finds them again)"
            )

    def threat(
        self,
        index: int,
        entry: Mapping[str, Any],
        meta: Mapping[str, Any],
        tags: list[str],
        mitigation_ids: list[str],
        assumption_ids: list[str],
    ) -> None:
        tid = self.own_id("threats", entry, meta, "T")
        what = f"threat {tid}"
        source = " ".join(text_of(entry.get("threatSource")).split())
        action = " ".join(text_of(entry.get("threatAction")).split())
        if not action:
            action = " ".join(text_of(entry.get("statement")).split())
            if not action:
                self.notes.append(f"threat {index + 1} has no action or statement: skipped")
                self.taken["threats"].discard(tid)
                return
            self.notes.append(f"{what} has no threat action: its statement became the action")
        if not source:
            source = "actor"
            self.notes.append(
                f"{what} has no threat source: 'actor' (Threat Composer's default) was written"
            )
        asset_texts = [" ".join(a.split()) for a in strings(entry.get("impactedAssets"))]
        asset_ids = strings(meta.get("custom:impacted-asset-ids"))
        if len(asset_ids) != len(asset_texts):
            asset_ids = [""] * len(asset_texts)
        impacted = [
            self.asset(text, preferred)
            for text, preferred in zip(asset_texts, asset_ids, strict=True)
        ]
        elements = [e for e in strings(meta.get("custom:elements")) if e in self.element_ids]
        missing = [e for e in strings(meta.get("custom:elements")) if e not in self.element_ids]
        if missing:
            self.notes.append(
                joined_notes(
                    f"{what} sat on elements a Threat Composer file does not carry (attach them "
                    "again)",
                    missing,
                )
            )
        mitigations: list[str] = []
        for uuid in mitigation_ids:
            found = self.mitigations.get(uuid)
            if found is not None:
                mitigations.append(found[1])
        stride = [STRIDE_LETTERS[s] for s in strings(meta.get("STRIDE")) if s in STRIDE_LETTERS]
        priority = text_of(meta.get("Priority")).lower() or None
        cwe = [int(c) for c in strings(meta.get("custom:cwe")) if _DIGITS.match(c)]
        scores = [_custom(meta, "likelihood"), _custom(meta, "impact-score")]
        likelihood, impact_score = (
            (int(scores[0]), int(scores[1]))
            if all(_DIGITS.match(s) for s in scores)
            else (None, None)
        )
        kept_tags = [clip(t, SHORT, f"a tag of {what}", self.notes) for t in tags]
        kept_tags += [f"assumption:{a}" for a in assumption_ids]
        self.draft.add(
            "threats",
            tid,
            {
                "source": clip(source, SHORT, f"the source of {what}", self.notes),
                "prerequisites": clip(
                    " ".join(text_of(entry.get("prerequisites")).split()),
                    SHORT,
                    f"the prerequisites of {what}",
                    self.notes,
                )
                or None,
                "action": clip(action, SHORT, f"the action of {what}", self.notes),
                "impact": clip(
                    " ".join(text_of(entry.get("threatImpact")).split()),
                    SHORT,
                    f"the impact of {what}",
                    self.notes,
                )
                or None,
                "impacted_goal": [
                    clip(" ".join(g.split()), SHORT, f"a goal of {what}", self.notes)
                    for g in strings(entry.get("impactedGoal"))
                ],
                "impacted_assets": list(dict.fromkeys(impacted)),
                "elements": elements,
                "stride": list(dict.fromkeys(stride)),
                "priority": priority,
                "mitigations": list(dict.fromkeys(mitigations)),
                "cwe": cwe,
                "likelihood": likelihood,
                "impact_score": impact_score,
                "severity": _custom(meta, "severity") or None,
                "type": _custom(meta, "type") or None,
                "description": text_of(meta.get("Comments")).strip() or None,
                "tags": list(dict.fromkeys(kept_tags)),
            },
        )
        self.decision(tid, entry, meta)

    def asset(self, text: str, preferred: str) -> str:
        """The data asset an impacted asset names (made on first mention)."""
        found = self.assets.get(text)
        if found is not None:
            return found
        did = readable_id(valid_id(preferred) or "", text, "asset", self.element_ids)
        self.assets[text] = did
        self.draft.add(
            "data",
            did,
            {
                "name": clip(text, SHORT, f"impacted asset '{did}'", self.notes),
                "classification": "internal",
            },
        )
        if len(self.assets) == 1:
            self.notes.append(
                "impacted assets became data assets classified 'internal' (Threat Composer "
                "states no classification): set each one's real classification and categories"
            )
        return did

    def decision(self, tid: str, entry: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
        status = text_of(entry.get("status"))
        ours = _custom(meta, "decision-status")
        fields: dict[str, Any]
        if ours in THREAT_STATUS and THREAT_STATUS[ours] == (status or "threatIdentified"):
            fields = {"status": ours}
            for name in _DECISION_FIELDS:
                fields[name] = _custom(meta, f"decision-{name}") or None
        elif status in _FROM_THREAT_STATUS:
            decided, reason = _FROM_THREAT_STATUS[status]
            fields = {"status": decided, "justification": reason}
        else:
            return
        self.draft.add("tracking", f"team-threat@{tid}", fields)


_CUSTOM_READ = frozenset(
    {
        "threatforge-id",
        "threatforge-key",
        "threatforge-text",
        "elements",
        "impacted-asset-ids",
        "cwe",
        "likelihood",
        "impact-score",
        "severity",
        "type",
        "name",
        "reference",
        "owner",
        "verified",
        "decision-status",
        *(f"decision-{name}" for name in _DECISION_FIELDS),
        "fingerprint",
        "exported-status",
    }
)
_THREAT_KEYS = frozenset({"STRIDE", "Priority", "Comments", *(f"custom:{k}" for k in _CUSTOM_READ)})
_MITIGATION_KEYS = frozenset({"Comments", *(f"custom:{k}" for k in _CUSTOM_READ)})
_ASSUMPTION_KEYS = frozenset({"Comments", *(f"custom:{k}" for k in _CUSTOM_READ)})
