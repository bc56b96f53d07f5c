"""The vocabulary of Open Threat Model files that the importer and the exporter share: the
attributes threatforge writes into OTM and the component type table (data). Below both
(``importers`` and ``exporters`` are independent)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from threatforge.errors import ImporterError
from threatforge.model import ComponentKind, parse_yaml_text
from threatforge.model.vocabulary import technology_catalogue

__all__ = [
    "GENERATED_ATTRIBUTE",
    "OTM_THREAT_SOURCE",
    "TEAM_ATTRIBUTE",
    "TEXT_MITIGATION",
    "UNZONED_ATTRIBUTE",
    "OtmType",
    "OtmTypeTable",
    "OtmWord",
    "otm_types",
]

OTM_THREAT_SOURCE = "threat actor"  # importers._interchange.THREAT_SOURCE, kept equal by a test
"""The source of a team threat read from an OTM threat, which has no threat grammar."""
GENERATED_ATTRIBUTE = "threatforge-generated"
"""The OTM threat attribute that holds a generated threat's rule and fingerprint."""
TEAM_ATTRIBUTE = "threatforge"
"""The OTM attribute holding what an element has that OTM has no field for."""
TEXT_MITIGATION = "threatforge-text-mitigation"
"""The OTM mitigation attribute that marks a mitigation written as text on a team threat."""
UNZONED_ATTRIBUTE = "threatforge-unzoned"
"""The OTM trust zone attribute of the zone an export puts components without a zone in."""

class _Frozen(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")


class OtmType(_Frozen):
    """What one OTM component type is in threatforge."""

    kind: ComponentKind
    tech: str | None = None


class OtmWord(_Frozen):
    """A word in an unlisted OTM type that says what it is."""

    word: str
    kind: ComponentKind


class OtmTypeTable(_Frozen):
    """The data table ``mappings/otm-types.yaml``."""

    types: dict[str, OtmType]
    words: list[OtmWord] = []

    def lookup(self, otm_type: str) -> OtmType:
        """The kind and technology of ``otm_type`` (listed, else by word, else a service)."""
        found = self.types.get(otm_type) or self.types.get(otm_type.lower())
        if found is not None:
            return found
        lowered = otm_type.lower()
        for entry in self.words:
            if entry.word in lowered:
                return OtmType(kind=entry.kind)
        return OtmType(kind=ComponentKind.SERVICE)


@cache
def otm_types() -> OtmTypeTable:
    """The built-in OTM type table (validated; every technology in the catalogue)."""
    text = resources.files("threatforge.interchange").joinpath("otm-types.yaml")
    document = parse_yaml_text(text.read_text(encoding="utf-8"), "interchange/otm-types.yaml")
    table = OtmTypeTable.model_validate(document.value)
    known = technology_catalogue().technologies
    unknown = sorted(t.tech for t in table.types.values() if t.tech and t.tech not in known)
    if unknown:
        raise ImporterError(f"interchange/otm-types.yaml: unknown technologies {unknown}")
    return table
