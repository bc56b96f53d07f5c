"""What an importer is: files of another format in, a threatforge :class:`~threatforge.model.Model`
out, with where each element came from and notes on what could not be carried.

Importers never write files and never print; the CLI writes the model (``threatforge import``)
and shows the notes. A failure to read the input is an :class:`~threatforge.errors.ImporterError`
naming the file and what was wrong, never a silently empty model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from threatforge.model import Location, Model

__all__ = ["ImportedModel", "Importer"]


@dataclass(frozen=True)
class ImportedModel:
    """What an importer built."""

    model: Model
    origins: Mapping[str, Location] = field(default_factory=dict)
    """Element id -> where in the input it came from (``main.tf:12``), for errors and comments."""
    notes: tuple[str, ...] = ()
    """What was read, skipped or could not be carried, in words a person can act on."""


class Importer(ABC):
    """Reads one kind of file (Terraform, OpenAPI, OTM, ...) into a model."""

    name: ClassVar[str]
    """The kind's name on the command line, e.g. ``terraform``."""
    description: ClassVar[str]
    """One line: what the importer reads."""
    patterns: ClassVar[tuple[str, ...]] = ()
    """File name globs it reads when given a folder (``*.tf``); empty: files only."""

    @abstractmethod
    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from ``paths`` (files, or folders searched with :attr:`patterns`)."""
