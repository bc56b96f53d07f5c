"""What an importer is: files of another format in, a threatforge :class:`~threatforge.model.Model`
out, with where each element came from and notes on what could not be carried.

This is the seam the model importers (Terraform, CloudFormation, Kubernetes, Compose, OpenAPI:
issue 16; Threat Composer, Threat Dragon, OTM, Threagile: issue 17) plug into: the built-in
ones are listed in :mod:`threatforge.importers.registry` (``compose``, ``cloudformation``,
``kubernetes``, ``openapi``, ``threat-composer``, ``threat-dragon``, ``otm`` and ``threagile``
today), plugins register
through the ``threatforge.importers`` entry point, and ``threatforge import KIND PATH...`` runs
them. A :class:`MappedImporter` reads what each resource type becomes from mapping data
(docs/importers.md). Importers never write files and never print: their caller writes the model
and shows the notes. A failure to read the input is an
:class:`~threatforge.errors.ImporterError` naming the file and what was wrong, never a silently
empty model.

An importer builds a :class:`~threatforge.model.draft.Draft` and the origin of each element, and
returns :meth:`ImportedModel.from_draft`: the draft is checked as a YAML author's model is
(duplicate ids, dangling references, then gaps), each problem placed at its origin in the input
(``main.tf:12: error: flow 1 (web -> db): unknown component 'db'``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from threatforge.model import Location, Model
from threatforge.model.draft import Draft, SourceMap, validate_draft

if TYPE_CHECKING:
    from threatforge.importers.mapping import SourceMapping

__all__ = ["ImportedModel", "Importer", "MappedImporter"]


@dataclass(frozen=True)
class ImportedModel:
    """What an importer built."""

    model: Model
    origins: Mapping[str, Location] = field(default_factory=dict)
    """Element id -> where in the input it came from (``main.tf:12``), for errors and comments."""
    notes: tuple[str, ...] = ()
    """What was read, skipped or could not be carried, in words a person can act on."""

    @classmethod
    def from_draft(
        cls,
        draft: Draft,
        origins: Mapping[str, Location],
        notes: Sequence[str] = (),
        *,
        default: Location | str = "model",
    ) -> ImportedModel:
        """The validated model of ``draft`` (its gaps as the model's warnings); a
        :class:`~threatforge.model.ModelError` listing every error at its origin (element id ->
        place in the input; ``default`` for an element without one) otherwise."""
        model = validate_draft(draft, SourceMap(origins, default=default))
        return cls(model, dict(origins), tuple(notes))


class Importer(ABC):
    """Reads one kind of file (Terraform, OpenAPI, OTM, ...) into a model."""

    name: ClassVar[str]
    """The kind's name on the command line, e.g. ``terraform``."""
    description: ClassVar[str]
    """One line: what the importer reads."""
    patterns: ClassVar[tuple[str, ...]] = ()
    """File name globs it reads when given a folder (``*.tf``); empty: files only."""

    def claims(self, path: Path) -> bool:
        """Whether a file its :attr:`patterns` match in a folder is one it reads (``*.yaml``
        matches more than Kubernetes manifests); every matched file by default."""
        return True

    @abstractmethod
    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from ``paths`` (files, or folders searched with :attr:`patterns`)."""


class MappedImporter(Importer):
    """An importer whose resource types are mapped by data: the built-in mapping file
    ``threatforge/importers/mappings/<name>.yaml`` and the organisation's ``--mapping`` files
    (:mod:`threatforge.importers.mapping`)."""

    def __init__(self, mappings: Sequence[Path] = ()) -> None:
        self.mapping_files = tuple(mappings)

    def with_mappings(self, mappings: Sequence[Path]) -> MappedImporter:
        """The same importer with the organisation's mapping files over the built-in one."""
        return type(self)(mappings)

    def mapping(self) -> SourceMapping:
        """The mapping this importer reads with (:class:`ImporterError` when one is invalid)."""
        from threatforge.importers.mapping import load_mapping

        return load_mapping(self.name, self.mapping_files)
