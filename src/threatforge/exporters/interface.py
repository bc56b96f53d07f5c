"""What an exporter is: an :class:`~threatforge.assessment.Assessment` (and its model) in, text
or bytes out. Exporters never write files; the caller (the CLI, the server) does.

Two kinds: an :class:`AssessmentExporter` renders the results (JSON, SARIF, JUnit, CSV,
Markdown); a :class:`ModelExporter` writes the model itself in another tool's format, with the
results when it can carry them (OTM, Threat Composer, Threat Dragon).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from threatforge.assessment import Assessment
    from threatforge.model import Model

__all__ = ["AssessmentExporter", "Exporter", "ModelExporter"]


class Exporter(ABC):
    """Common metadata of both kinds of exporter."""

    name: ClassVar[str]
    """The format's name on the command line, e.g. ``sarif``."""
    description: ClassVar[str]
    """One line: what the format is for."""
    suffix: ClassVar[str]
    """The usual file name suffix, e.g. ``.sarif``."""
    media_type: ClassVar[str] = "text/plain"


class AssessmentExporter(Exporter):
    """Renders an assessment of a model."""

    @abstractmethod
    def export(self, assessment: Assessment, model: Model) -> str | bytes:
        """The assessment in this format."""


class ModelExporter(Exporter):
    """Writes the model in another tool's format (with the assessment, when given and the
    format can carry it)."""

    @abstractmethod
    def export(self, model: Model, assessment: Assessment | None = None) -> str | bytes:
        """The model (and results) in this format; what it cannot carry is reported by
        :meth:`dropped`."""

    def dropped(self, model: Model) -> tuple[str, ...]:
        """What of ``model`` this format cannot carry, in words (empty: nothing is lost)."""
        return ()
