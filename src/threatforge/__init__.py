"""threatforge: threat modeling and security design review as code.

>>> import threatforge
>>> model = threatforge.load("threatmodel.yaml")
>>> assessment = threatforge.analyze(model)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threatforge.errors import (
    ExportError,
    ImporterError,
    RuleError,
    ServerError,
    ThreatforgeError,
)
from threatforge.model import Model, ModelError, load, load_source, load_text

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence
    from datetime import date

    from threatforge.assessment import AnalysisKind, Assessment, Evidence
    from threatforge.rules import Rule

__version__ = "0.1.0"

__all__ = [
    "ExportError",
    "ImporterError",
    "Model",
    "ModelError",
    "RuleError",
    "ServerError",
    "ThreatforgeError",
    "__version__",
    "analyze",
    "load",
    "load_source",
    "load_text",
]


def analyze(
    model: Model,
    rules: Sequence[Rule] | None = None,
    *,
    today: date | None = None,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    evidence: Sequence[Evidence] = (),
    analyses: Collection[AnalysisKind] | None = None,
) -> Assessment:
    """Run the rules (default: the built-in ones) over a model; pure, see
    :func:`threatforge.rules.analyze`. The rule engine is imported on first use.
    ``analyses``: the graph analyses to carry (default: all of them).

    A model built in code is checked first (linear time): a mapping key that is not its
    element's id, or a reference to an element that does not exist, raises :class:`ModelError`
    naming each one, instead of failing every rule that meets it. Build a model from a
    :class:`~threatforge.model.draft.Draft` to have the errors placed at their origins.
    """
    from threatforge.model.draft import require_consistent
    from threatforge.rules import analyze as run
    from threatforge.rules.analyses import ALL_ANALYSES

    require_consistent(model)
    wanted = ALL_ANALYSES if analyses is None else analyses
    return run(
        model, rules, today=today, only=only, skip=skip, evidence=evidence, analyses=wanted
    )
