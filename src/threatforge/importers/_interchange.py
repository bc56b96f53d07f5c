"""What the importers of other threat-modeling tools' files share (OTM, Threagile).

Those files hold a whole model, the team's threats and their decisions included, not resources
to map: each importer reads its format into the elements here (each validated where it is read,
so an error names the place in the file), then :meth:`InterchangeDraft.build` checks the whole
as a YAML author's model is checked. Ids from the file go through the project's id rules
(:func:`threatforge.importers.ids.element_id`); text goes through the model's validation (the
readers refuse control characters, every output escapes the rest).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from threatforge.errors import ImporterError
from threatforge.importers.builder import origin_text
from threatforge.importers.ids import element_id
from threatforge.importers.interface import ImportedModel
from threatforge.model import (
    Assumption,
    Boundary,
    Component,
    Control,
    DataAsset,
    Draft,
    Flow,
    Location,
    ModelError,
    StrideCategory,
    System,
    ThreatStatement,
    TrackingEntry,
)

__all__ = [
    "MAX_ELEMENTS",
    "THREAT_SOURCE",
    "InterchangeDraft",
    "as_list",
    "as_text",
    "cwe_number",
    "stride_category",
]

THREAT_SOURCE = "threat actor"
"""The source of a team threat read from a format without Threat Composer's grammar (OTM,
Threagile): its statement reads "A threat actor can <the threat's name>"."""
MAX_ELEMENTS = 20_000
"""Elements of one kind an interchange file may hold (a bigger one is refused, not truncated)."""

_E = TypeVar("_E", bound=BaseModel)
_CWE = re.compile(r"^\s*(?:CWE-?)?\s*([0-9]{1,6})\s*$", re.IGNORECASE)
_STRIDE_WORDS: Mapping[str, StrideCategory] = {
    "spoofing": StrideCategory.SPOOFING,
    "tampering": StrideCategory.TAMPERING,
    "repudiation": StrideCategory.REPUDIATION,
    "informationdisclosure": StrideCategory.INFORMATION_DISCLOSURE,
    "denialofservice": StrideCategory.DENIAL_OF_SERVICE,
    "elevationofprivilege": StrideCategory.ELEVATION_OF_PRIVILEGE,
    "elevationofprivileges": StrideCategory.ELEVATION_OF_PRIVILEGE,
}


def stride_category(word: str) -> StrideCategory | None:
    """A STRIDE category however a tool spells it (``Elevation of Privileges``,
    ``information-disclosure``, ``DenialOfService``); None for anything else (LINDDUN, ...)."""
    return _STRIDE_WORDS.get(re.sub(r"[^a-z]", "", word.lower()))


def cwe_number(value: Any) -> int | None:
    """``CWE-79``, ``79`` or ``"cwe 79"`` as 79; None when it is not a CWE id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 100_000 else None
    match = _CWE.match(str(value)) if isinstance(value, str) else None
    if match is None:
        return None
    number = int(match.group(1))
    return number if 1 <= number <= 100_000 else None


def as_text(value: Any, limit: int = 300) -> str | None:
    """A scalar as one-line text cut to ``limit`` characters (None for nothing or a collection)."""
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(str(value).split()) if limit <= 300 else str(value).strip()
    return text[:limit] or None


def as_list(value: Any) -> list[Any]:
    """A list as is, nothing as an empty list, one scalar as a list of it."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


@dataclass
class InterchangeDraft:
    """The elements one interchange file held, in the order read, each at its place."""

    source: str
    """The format's name (``otm``), for messages."""
    system: System | None = None
    data: list[DataAsset] = field(default_factory=list)
    boundaries: list[Boundary] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)
    threats: list[ThreatStatement] = field(default_factory=list)
    tracking: list[TrackingEntry] = field(default_factory=list)
    origins: dict[Any, Location] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def element_id(self, raw: Any, where: Location, what: str) -> str:
        """The id of ``raw`` (an id from the file) by the project's id rules."""
        text = as_text(raw, 1_000)
        if text is None:
            raise ImporterError(f"{where}: {what} has no id")
        try:
            return element_id(text)
        except ValueError as exc:
            raise ImporterError(f"{where}: {what} '{text[:80]}': {exc}") from None

    def make(self, cls: type[_E], body: Mapping[str, Any], where: Location, what: str) -> _E:
        """``cls`` validated from ``body``; :class:`ImporterError` naming the place and the field
        at fault otherwise."""
        try:
            return cls.model_validate(dict(body))
        except ValidationError as exc:
            problems = []
            for error in exc.errors(include_url=False):
                at = ".".join(str(p) for p in error["loc"])
                problems.append(f"{where}: {what}: {at + ': ' if at else ''}{error['msg']}")
            raise ImporterError(f"{self.source}: could not read:\n" + "\n".join(problems)) from None

    def add(
        self,
        section: str,
        cls: type[_E],
        eid: str,
        body: Mapping[str, Any],
        where: Location,
        what: str,
        address: str = "",
    ) -> _E:
        """Add the element ``eid`` of ``section`` built from ``body`` (with its ``origin`` when the
        kind has one), placed at ``where``."""
        fields = dict(body)
        if section in ("data", "boundaries", "components", "flows"):
            fields["origin"] = origin_text(where, address)
        element = self.make(cls, fields, where, what)
        element = element.model_copy(update={"id": eid, "location": where})
        getattr(self, section).append(element)
        self.origins[(section, eid)] = where
        return element

    def count(self, items: Sequence[Any], what: str, where: Location) -> None:
        """Refuse a file with more than :data:`MAX_ELEMENTS` of one kind."""
        if len(items) > MAX_ELEMENTS:
            raise ImporterError(
                f"{where}: {len(items)} {what}: more than {MAX_ELEMENTS:,} is refused (split "
                "the model)"
            )

    def build(self) -> ImportedModel:
        """The checked model; :class:`ImporterError` listing each problem at its place."""
        if self.system is None:
            raise ImporterError(f"{self.source}: no system")
        draft = Draft(
            system=self.system,
            data=self.data,
            boundaries=self.boundaries,
            components=self.components,
            flows=self.flows,
            controls=self.controls,
            assumptions=self.assumptions,
            threats=self.threats,
            tracking=self.tracking,
            files=tuple(self.files),
        )
        default = self.files[0] if self.files else self.source
        try:
            return ImportedModel.from_draft(draft, self.origins, self.notes, default=default)
        except ModelError as exc:
            lines = [d.format() for d in exc.diagnostics if d.is_error]
            message = f"{default}: the imported model is invalid:\n" + "\n".join(lines)
            raise ImporterError(message) from None
