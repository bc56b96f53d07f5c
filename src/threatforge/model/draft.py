"""Validation of a draft model and its source map: the duplicate, reference and gap checks.

A :class:`Draft` is a model not yet checked: its elements in the order they were found, each
with its id, duplicates and dangling references allowed. A :class:`SourceMap` says where each
element came from: a ``file:line:column`` of a YAML file, the ``file:line`` of a Terraform
resource, a database row (any label). :func:`validate_draft` checks the draft and returns the
:class:`Model`, or raises :class:`ModelError` with every error at its origin; the YAML loader runs
the same checks (:class:`DraftChecks`) on the draft it reads from its files, so a model built in
code gets the errors and gaps a YAML author gets, word for word.

:func:`model_problems` is the cheap check of a :class:`Model` built directly (no draft): its
mapping keys are its elements' ids and every reference resolves. ``threatforge.analyze`` runs it
first, so a dangling reference is one clear error, not a failure of every rule that meets it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, TypeVar

from threatforge.model._model import Element, Model
from threatforge.model.diagnostics import Diagnostic, Level, Location, ModelError
from threatforge.model.id_clashes import IdRename, plan_id_renames
from threatforge.model.schema import (
    ELEMENT_ID_PATTERN,
    EVERY_ELEMENT,
    Assumption,
    Boundary,
    Component,
    Control,
    DataAsset,
    Flow,
    PropertyValue,
    System,
    ThreatStatement,
    TrackingEntry,
    _Element,
)
from threatforge.model.vocabulary import (
    KindGroup,
    kind_group,
    property_problem,
    protocol_problem,
    technology_problem,
)
from threatforge.text.hints import did_you_mean

__all__ = [
    "HINT_BUDGET",
    "MAX_ERRORS",
    "MAX_NESTING",
    "Collector",
    "Draft",
    "DraftChecks",
    "DraftResult",
    "SourceMap",
    "check_draft",
    "model_problems",
    "require_consistent",
    "validate_draft",
]

MAX_ERRORS = 1_000
"""Errors listed per load; more are counted, not kept (a 3 MB file can hold a million)."""
HINT_BUDGET = 100_000
"""Candidate ids compared for "did you mean" hints per load: a file with thousands of unknown
references among thousands of ids would otherwise take hours (difflib is O(candidates))."""
MAX_NESTING = 64
"""How deep boundaries may sit inside each other (``inside:`` chains), top level included."""

Path = tuple[str | int, ...]
"""Keys and list indexes below an element (``("stores", 0)``), as in its YAML form."""

KEYED_SECTIONS = (
    "data",
    "boundaries",
    "components",
    "controls",
    "assumptions",
    "threats",
    "tracking",
)
"""The sections whose elements are keyed by id (flows are a list)."""
_SINGULAR = {
    "data": "data asset",
    "boundaries": "boundary",
    "components": "component",
    "controls": "control",
    "assumptions": "assumption",
    "threats": "team threat",
    "tracking": "tracking entry",
    "flows": "flow",
}
_VOCABULARY_HINT_COST = 400
"""Hint budget one "did you mean" against a catalogue takes (it has a few hundred names)."""
_E = TypeVar("_E", bound=_Element)
_ID_SHAPED = re.compile(ELEMENT_ID_PATTERN)
"""A team threat's mitigation written as an id: it must name a declared control."""
_UNLOCATED = "model"
"""Where an element the source map does not know is said to be."""


@dataclass(frozen=True)
class Draft:
    """A model before validation: elements in the order found, each carrying its ``id``.

    The same id twice in a section, and references to ids that do not exist, are allowed here:
    finding them is what :func:`validate_draft` is for. ``tracking`` entries carry their
    finding's fingerprint as their ``id``.
    """

    system: System
    data: Sequence[DataAsset] = ()
    boundaries: Sequence[Boundary] = ()
    components: Sequence[Component] = ()
    flows: Sequence[Flow] = ()
    controls: Sequence[Control] = ()
    assumptions: Sequence[Assumption] = ()
    threats: Sequence[ThreatStatement] = ()
    tracking: Sequence[TrackingEntry] = ()
    files: tuple[str, ...] = ()

    @classmethod
    def from_model(cls, model: Model) -> Draft:
        """The draft of a model (its elements in model order), e.g. to check one built in code.

        Each element gets its mapping key as its id where the two differ (a tracking entry
        built without one; :func:`model_problems` reports it for the other sections)."""
        return cls(
            system=model.system,
            data=_keyed(model.data),
            boundaries=_keyed(model.boundaries),
            components=_keyed(model.components),
            flows=model.flows,
            controls=_keyed(model.controls),
            assumptions=_keyed(model.assumptions),
            threats=_keyed(model.threats),
            tracking=_keyed(model.tracking),
            files=model.files,
        )


def _keyed(elements: Mapping[str, _E]) -> tuple[_E, ...]:
    return tuple(
        element if element.id == key else element.model_copy(update={"id": key})
        for key, element in elements.items()
    )


class SourceMap:
    """Where the elements of a draft came from.

    ``origins`` maps an element id (``"db"``), or a section and id (``("components", "db")``),
    optionally followed by a path below the element (``("components", "db", "zone")``), to a
    :class:`Location` or a label (a database row: ``"row 7 of components"``). The most precise
    key wins; an element it does not name is placed at its own ``location`` if it has one, else
    at ``default``. A :class:`Location` with ``line`` 0 reads as its file (or label) alone, one
    with ``column`` 0 as ``file:line``.
    """

    def __init__(
        self,
        origins: Mapping[Any, Location | str] | None = None,
        *,
        default: Location | str = _UNLOCATED,
    ) -> None:
        # keys typed Any: a dict of str keys or of tuple keys is not a Mapping of their union
        self.origins: dict[str | tuple[str | int, ...], Location] = {}
        for key, value in (origins or {}).items():
            if not isinstance(key, str | tuple):
                raise TypeError(f"an origin's key is an id or a tuple, not {key!r}")
            self.origins[key] = Location(value) if isinstance(value, str) else value
        self.default = Location(default) if isinstance(default, str) else default

    def locate(
        self, section: str, index: int, element: Element, path: Path = (), *, key: bool = False
    ) -> Location:
        """Where ``path`` below ``element`` (the ``index``-th of ``section`` in the draft) came
        from; ``key``: the place of the key that ends ``path`` rather than of its value."""
        if self.origins:
            for end in range(len(path), -1, -1):
                found = self.origins.get((section, element.id, *path[:end]))
                if found is not None:
                    return found
            found = self.origins.get(element.id)
            if found is not None:
                return found
        return element.location or self.default

    def system_at(self, path: Path = (), *, key: bool = False) -> Location:
        """Where ``path`` below the system came from (``"system"`` or ``("system", ...)`` keys)."""
        for end in range(len(path), -1, -1):
            found = self.origins.get(("system", *path[:end]))
            if found is not None:
                return found
        return self.origins.get("system") or self.default

    def flow_number(self, index: int) -> int:
        """How messages number the ``index``-th flow of the draft (from 1)."""
        return index + 1

    def flow_reference(self, index: int, flow: Flow) -> tuple[str, Path]:
        """The file and path of a flow, as :func:`plan_id_renames` names places to rewrite."""
        return (flow.location.file if flow.location else "", ("flows", index))


class Collector:
    """Errors and warnings as they are found: at most :data:`MAX_ERRORS` errors are kept (the
    rest counted), and "did you mean" hints stop when :data:`HINT_BUDGET` is spent."""

    def __init__(self, display: str = "") -> None:
        self.diagnostics: list[Diagnostic] = []
        self.error_count = 0
        self.hint_budget = HINT_BUDGET
        self.display = display
        """Where a summary of errors not listed is placed (the root file)."""

    def error(self, location: Location, message: str, code: str = "") -> None:
        self.error_count += 1
        if self.error_count <= MAX_ERRORS:
            self.diagnostics.append(Diagnostic(Level.ERROR, location, message, code))

    def warn(self, location: Location, message: str, code: str = "") -> None:
        self.diagnostics.append(Diagnostic(Level.WARNING, location, message, code))

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def did_you_mean(self, value: str, known: Collection[str], *, cutoff: float = 0.6) -> str:
        """`` — did you mean 'x'?`` for a close id, while the hint budget lasts; else ""."""
        if len(known) > self.hint_budget:
            return ""
        self.hint_budget -= len(known)
        return did_you_mean(value, known, cutoff=cutoff)

    def ordered(self) -> list[Diagnostic]:
        """Errors, then warnings, each in file order; a count of the errors not listed."""
        ordered = sorted(self.diagnostics, key=lambda d: (not d.is_error, d.sort_key()))
        if self.error_count > MAX_ERRORS:
            more = self.error_count - MAX_ERRORS
            message = (
                f"{more:,} more errors not listed (only the first {MAX_ERRORS:,} are); "
                "fix these first"
            )
            summary = Diagnostic(Level.ERROR, Location(self.display), message, "limit")
            ordered.insert(MAX_ERRORS, summary)  # after the errors listed, before any warning
        return ordered


@dataclass(frozen=True)
class DraftResult:
    """What checking a draft found: the model (None when there were errors) and every
    diagnostic, errors first."""

    model: Model | None
    diagnostics: tuple[Diagnostic, ...]
    id_renames: tuple[IdRename, ...] = ()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)


def check_draft(draft: Draft, source_map: SourceMap | None = None) -> DraftResult:
    """Check a draft: duplicate ids, references, then (if no error) id clashes and model gaps;
    never raises for a bad draft."""
    places = source_map or SourceMap()
    collector = Collector(places.default.file)
    checks = DraftChecks(collector, draft, places)
    model = checks.merge()
    checks.references(model)
    checks.vocabulary(model, places.system_at)
    if collector.has_errors:
        return DraftResult(None, tuple(collector.ordered()))
    renames = checks.warnings(model)
    return DraftResult(checks.finish(model), tuple(collector.ordered()), renames)


def validate_draft(draft: Draft, source_map: SourceMap | None = None) -> Model:
    """The validated model of a draft; :class:`ModelError` listing every error, each at its
    origin in ``source_map``. The model's ``warnings`` are its gaps, as a YAML load gives."""
    result = check_draft(draft, source_map)
    if result.model is None:
        raise ModelError(result.diagnostics)
    return result.model


def model_problems(model: Model, *, where: str = _UNLOCATED) -> tuple[Diagnostic, ...]:
    """The errors of a :class:`Model` built directly: a mapping key that is not its element's
    id (findings name elements by id), a duplicate flow id, a dangling reference (each at the
    element's ``location``, else at ``where``). Linear in the size of the model; empty for
    every loaded model."""
    collector = Collector(where)
    for section in KEYED_SECTIONS[:-1]:  # a tracking entry is found by its key alone
        mapping: Mapping[str, Element] = getattr(model, section)
        for key, element in mapping.items():
            if key != element.id:
                collector.error(
                    element.location or Location(where),
                    f"{_SINGULAR[section]} '{key}' is stored under a key that is not its id "
                    f"('{element.id}'); key each element by its id",
                    "reference",
                )
    checks = DraftChecks(collector, Draft.from_model(model), SourceMap(default=where))
    checks.references(checks.merge())
    return tuple(d for d in collector.ordered() if d.is_error)


def require_consistent(model: Model) -> None:
    """Raise :class:`ModelError` naming every problem :func:`model_problems` finds."""
    problems = model_problems(model)
    if problems:
        raise ModelError(problems)


class DraftChecks:
    """The checks of a draft, in the order a load runs them: :meth:`merge` (duplicates),
    :meth:`references`, and, when neither found an error, :meth:`warnings` (id clashes, model
    gaps, controls relying on defaults). Problems go to ``report``.

    ``unchecked`` lists, per section, ids of elements left out of the draft because they were
    invalid (already reported): references to them are not reported again.
    """

    def __init__(
        self,
        report: Collector,
        draft: Draft,
        source_map: SourceMap,
        unchecked: Mapping[str, AbstractSet[str]] | None = None,
    ) -> None:
        self.report = report
        self.draft = draft
        self.source_map = source_map
        self.unchecked = unchecked or {}
        self.index: dict[tuple[str, str], int] = {}
        """(section, id) -> the index in the draft of the element kept (the first)."""

    def at(self, section: str, element_id: str, path: Path = (), *, key: bool = False) -> Location:
        """Where ``path`` below the element kept as ``element_id`` of ``section`` came from."""
        index = self.index[(section, element_id)]
        element: Element = getattr(self.draft, section)[index]
        return self.source_map.locate(section, index, element, path, key=key)

    def flow_subject(self, flow: Flow) -> str:
        number = self.source_map.flow_number(self.index[("flows", flow.id)])
        return f"flow {number} ({flow.source} -> {flow.target})"

    # --- duplicates ---------------------------------------------------------------------

    def merge(self) -> Model:
        """The model of the draft, keeping the first element of each id (a later one with the
        same id is an error naming where the first is)."""
        draft, source_map = self.draft, self.source_map
        merged: dict[str, dict[str, Any]] = {}
        for section in KEYED_SECTIONS:
            kept: dict[str, Any] = {}
            for index, element in enumerate(getattr(draft, section)):
                first = self.index.get((section, element.id))
                if first is not None:
                    original = getattr(draft, section)[first]
                    where = source_map.locate(section, first, original, key=True)
                    self.report.error(
                        source_map.locate(section, index, element, key=True),
                        f"duplicate {_SINGULAR[section]} '{element.id}' (first defined at {where})",
                    )
                    continue
                self.index[(section, element.id)] = index
                kept[element.id] = element
            merged[section] = kept
        flows: list[Flow] = []
        for index, flow in enumerate(draft.flows):
            first = self.index.get(("flows", flow.id))
            if first is not None:
                where = source_map.locate("flows", first, draft.flows[first])
                self.report.error(
                    source_map.locate("flows", index, flow),
                    f"flow {source_map.flow_number(index)}: a second flow with id '{flow.id}' "
                    f"(first at {where}); give each flow between the same components its own "
                    "'id:'",
                )
                continue
            self.index[("flows", flow.id)] = index
            flows.append(flow)
        return Model(
            system=draft.system,
            data=merged["data"],
            boundaries=merged["boundaries"],
            components=merged["components"],
            flows=tuple(flows),
            controls=merged["controls"],
            assumptions=merged["assumptions"],
            threats=merged["threats"],
            tracking=merged["tracking"],
            files=draft.files,
        )

    def finish(self, model: Model) -> Model:
        """``model`` carrying the warnings found (in file order)."""
        warnings = tuple(
            sorted((d for d in self.report.diagnostics if not d.is_error), key=Diagnostic.sort_key)
        )
        return Model(
            system=model.system,
            data=model.data,
            boundaries=model.boundaries,
            components=model.components,
            flows=model.flows,
            controls=model.controls,
            assumptions=model.assumptions,
            threats=model.threats,
            tracking=model.tracking,
            files=model.files,
            warnings=warnings,
        )

    # --- references ---------------------------------------------------------------------

    def unknown(
        self,
        where: Location,
        subject: str,
        what: str,
        value: str,
        known: Collection[str],
    ) -> None:
        hint = self.report.did_you_mean(value, known, cutoff=0.6)
        self.report.error(where, f"{subject}: unknown {what} '{value}'{hint}", "reference")

    def known(self, section: str, ids: Mapping[str, Any]) -> set[str]:
        return set(ids) | set(self.unchecked.get(section, ()))

    def check_list(
        self,
        section: str,
        element_id: str,
        field: str,
        subject: str,
        what: str,
        values: Sequence[str],
        known: AbstractSet[str],
    ) -> None:
        for index, value in enumerate(values):
            if value not in known:
                where = self.at(section, element_id, (field, index))
                self.unknown(where, subject, what, value, known)

    def references(self, m: Model) -> None:
        """Every id the model mentions must exist (or be one of ``unchecked``)."""
        boundaries = self.known("boundaries", m.boundaries)
        components = self.known("components", m.components)
        data = self.known("data", m.data)
        controls = self.known("controls", m.controls)
        for boundary in m.boundaries.values():
            if boundary.inside is not None and boundary.inside not in boundaries:
                self.unknown(
                    self.at("boundaries", boundary.id, ("inside",)),
                    f"boundary '{boundary.id}'",
                    "boundary",
                    boundary.inside,
                    boundaries,
                )
        self.nesting(m)
        for component in m.components.values():
            zone = component.zone
            if (
                (zone is None or zone in boundaries)
                and data.issuperset(component.stores)
                and data.issuperset(component.processes)
                and controls.issuperset(component.controls)
            ):
                continue  # nothing to report (the common case: skip building the messages)
            cid = component.id
            subject = f"component '{cid}'"
            if zone is not None and zone not in boundaries:
                where = self.at("components", cid, ("zone",))
                self.unknown(where, subject, "boundary", zone, boundaries)
            for name, values, what, known in (
                ("stores", component.stores, "data asset", data),
                ("processes", component.processes, "data asset", data),
                ("controls", component.controls, "control", controls),
            ):
                self.check_list("components", cid, name, subject, what, values, known)
        for flow in m.flows:
            source, target = flow.source, flow.target
            if (
                source in components
                and target in components
                and (source != target or flow.description)
                and data.issuperset(flow.data)
                and controls.issuperset(flow.controls)
            ):
                continue
            subject = self.flow_subject(flow)
            for end, value in (("from", source), ("to", target)):
                if value not in components:
                    where = self.at("flows", flow.id, (end,))
                    self.unknown(where, subject, "component", value, components)
            if source == target and not flow.description:
                self.report.error(
                    self.at("flows", flow.id),
                    f"{subject}: flows from '{source}' to itself; add a 'description' "
                    "saying why (a retry loop, a self-call) or remove it",
                    "reference",
                )
            self.check_list("flows", flow.id, "data", subject, "data asset", flow.data, data)
            self.check_list(
                "flows", flow.id, "controls", subject, "control", flow.controls, controls
            )
        if m.threats:
            self.threat_references(m, components | set(m.flows_by_id) | data | boundaries)
        if not (m.controls or m.assumptions):
            return
        elements = components | set(m.flows_by_id) | data | boundaries
        for control in m.controls.values():
            self.check_list(
                "controls",
                control.id,
                "applies_to",
                f"control '{control.id}'",
                "element",
                control.applies_to,
                elements | {EVERY_ELEMENT},
            )
        for assumption in m.assumptions.values():
            self.check_list(
                "assumptions",
                assumption.id,
                "elements",
                f"assumption '{assumption.id}'",
                "element",
                assumption.elements,
                elements,
            )

    def threat_references(self, m: Model, elements: AbstractSet[str]) -> None:
        """A team threat's ``elements`` and ``impacted_assets`` name elements or data assets;
        a ``mitigations`` entry written as an id (no spaces or punctuation beyond ``. _ : / -``)
        names a declared control when the model has any."""
        controls = self.known("controls", m.controls)
        for threat in m.threats.values():
            subject = f"team threat '{threat.id}'"
            self.check_list(
                "threats", threat.id, "elements", subject, "element", threat.elements, elements
            )
            self.check_list(
                "threats",
                threat.id,
                "impacted_assets",
                subject,
                "element or data asset",
                threat.impacted_assets,
                elements,
            )
            if not controls:
                continue
            for index, mitigation in enumerate(threat.mitigations):
                if mitigation in controls or not _ID_SHAPED.match(mitigation):
                    continue  # a control, or a mitigation described in words
                hint = self.report.did_you_mean(mitigation, controls, cutoff=0.6)
                self.report.error(
                    self.at("threats", threat.id, ("mitigations", index)),
                    f"{subject}: mitigation '{mitigation}' names no declared control (name one "
                    f"under 'controls:', or describe the mitigation in words){hint}",
                    "reference",
                )

    def nesting(self, m: Model) -> None:
        """Refuse loops of ``inside:`` and chains more than :data:`MAX_NESTING` levels deep.

        Each boundary is walked once (linear even for a 20,000-level chain); a boundary's
        level is one more than that of the boundary it sits inside.
        """
        boundaries = m.boundaries
        levels: dict[str, int] = {}  # boundaries whose 'inside' chain was already followed
        for start in boundaries:
            seen: dict[str, int] = {}  # this walk, in order: linear even for long chains
            current: str | None = start
            looped = False
            while current is not None and current in boundaries and current not in levels:
                if current in seen:
                    looped = True
                    loop = list(seen)[seen[current] :]
                    chain = " -> ".join([*_shortened(loop), current])
                    self.report.error(
                        self.at("boundaries", current, ("inside",)),
                        f"boundary '{current}' is nested inside itself: {chain}",
                        "reference",
                    )
                    break
                seen[current] = len(seen)
                current = boundaries[current].inside
            level = 0 if looped or current is None else levels.get(current, 0)
            for bid in reversed(seen):
                level = 0 if looped else level + 1
                levels[bid] = level
                if level == MAX_NESTING + 1:
                    self.too_deep(m, bid)

    def too_deep(self, m: Model, bid: str) -> None:
        """Report the boundary one level past the limit (those inside it are not repeated)."""
        boundaries = m.boundaries
        chain: list[str] = []
        current: str | None = bid
        while current is not None and current in boundaries and len(chain) <= MAX_NESTING:
            chain.append(current)
            current = boundaries[current].inside
        self.report.error(
            self.at("boundaries", bid, ("inside",)),
            f"boundary '{bid}' is nested more than {MAX_NESTING} levels deep: "
            f"{' -> '.join(_shortened(chain))}; nest zones at most {MAX_NESTING} levels deep",
            "reference",
        )

    # --- warnings -----------------------------------------------------------------------

    # --- vocabulary ---------------------------------------------------------------------

    def vocabulary(self, model: Model, system_at: Callable[..., Location]) -> None:
        """Names checked against the vocabulary: ``tech``, ``properties:`` keys and values,
        protocols.

        An unknown name is a warning with "did you mean" (an error under ``validate --strict``;
        a failure of ``check``), since rules select by these names and a misspelt one switches
        them off; a value of the wrong type, or one the rules do not know, is an error.
        ``system_at(path, key=...)`` places a problem in the system's properties.
        """
        if model.system.properties:
            self._properties(
                lambda path, key: system_at(path, key=key), "system", model.system.properties
            )
        for boundary in model.boundaries.values():
            if boundary.properties:
                self._properties(
                    self._placer("boundaries", boundary.id),
                    f"boundary '{boundary.id}'",
                    boundary.properties,
                )
        for component in model.components.values():
            if component.tech is None and not component.properties:
                continue
            subject = f"component '{component.id}'"
            if component.tech is not None:
                problem = technology_problem(component.tech, hint=self._hint())
                if problem is not None:
                    where = self.at("components", component.id, ("tech",))
                    self.report.warn(where, f"{subject}: {problem}", "vocabulary")
            if component.properties:
                self._properties(
                    self._placer("components", component.id), subject, component.properties
                )
        for flow in model.flows:
            if flow.protocol is None and not flow.properties:
                continue
            subject = self.flow_subject(flow)
            if flow.protocol is not None:
                problem = protocol_problem(flow.protocol, hint=self._hint())
                if problem is not None:
                    where = self.at("flows", flow.id, ("protocol",))
                    self.report.warn(where, f"{subject}: {problem}", "vocabulary")
            if flow.properties:
                self._properties(self._placer("flows", flow.id), subject, flow.properties)

    def _placer(self, section: str, element_id: str) -> Callable[[Path, bool], Location]:
        return lambda path, key: self.at(section, element_id, path, key=key)

    def _properties(
        self,
        place: Callable[[Path, bool], Location],
        subject: str,
        properties: Mapping[str, PropertyValue],
    ) -> None:
        for key, value in properties.items():
            problem = property_problem(key, value, hint=False)
            if problem is None:
                continue
            if self._hint():
                problem = property_problem(key, value) or problem
            if problem.unknown:
                where = place(("properties", key), True)
                self.report.warn(where, f"{subject}: {problem.message}", "vocabulary")
            else:
                where = place(("properties", key), False)
                self.report.error(where, f"{subject}: {problem.message}", "vocabulary")

    def _hint(self) -> bool:
        """Whether the hint budget still allows a "did you mean" (a few hundred names each)."""
        if self.report.hint_budget < _VOCABULARY_HINT_COST:
            return False
        self.report.hint_budget -= _VOCABULARY_HINT_COST
        return True

    # --- warnings -------------------------------------------------------------------------

    def warnings(self, model: Model) -> tuple[IdRename, ...]:
        """Warn about shared ids, model gaps and controls relying on today's defaults; return
        the renames that make ids unique (what ``threatforge fmt --fix`` applies)."""
        renames = self.id_clashes(model)
        self.gaps(model)
        self.unscoped_controls(model)
        return renames

    def id_clashes(self, model: Model) -> tuple[IdRename, ...]:
        """Warn about each id two sections share, with the rename (an error next release)."""
        paths = {
            flow.id: self.source_map.flow_reference(self.index[("flows", flow.id)], flow)
            for flow in model.flows
        }
        renames = plan_id_renames(model, paths)
        for rename in renames:
            where = self.at(rename.section, rename.old, key=rename.section != "flows")
            self.report.warn(where, rename.message, "id-clash")
        return renames

    def gaps(self, model: Model) -> None:
        """Warn about facts the rules will need but the model does not state."""
        stores = kind_group(KindGroup.STORES_DATA)
        used_data: set[str] = set()
        for component in model.components.values():
            used_data.update(component.stores)
            used_data.update(component.processes)
            unstated_zone = component.zone is None
            unstated_encryption = component.kind in stores and (
                component.encryption is None or component.encryption.at_rest is None
            )
            if not (unstated_zone or unstated_encryption):
                continue
            where = self.at("components", component.id, key=True)
            if unstated_zone:
                self.report.warn(
                    where,
                    f"component '{component.id}' has no 'zone': boundary rules cannot decide",
                    "gap",
                )
            if unstated_encryption:
                self.report.warn(
                    where,
                    f"{component.kind.value} '{component.id}' does not state "
                    "'encryption: {at_rest: ...}' (none, provider, kms, kms-cmk, hsm, application)",
                    "gap",
                )
        for flow in model.flows:
            used_data.update(flow.data)
            if flow.protocol is None:
                self.report.warn(
                    self.at("flows", flow.id),
                    f"flow '{flow.id}' has no 'protocol': encryption rules cannot decide",
                    "gap",
                )
        for asset in model.data.values():
            if asset.id not in used_data:
                self.report.warn(
                    self.at("data", asset.id, key=True),
                    f"data asset '{asset.id}' is not stored, processed or carried by anything",
                    "gap",
                )

    def unscoped_controls(self, model: Model) -> None:
        """Warn, for this release, about controls that rely on today's defaults (issue #14.8).

        Not writing ``status`` means implemented, and not writing ``applies_to`` means every
        element; both defaults change later, so each warning gives the rewrite that keeps
        today's meaning (``threatforge fmt --fix`` applies it).
        """
        for control in model.controls.values():
            written = control.model_fields_set
            if "status" in written and "applies_to" in written and control.applies_to:
                continue
            where = self.at("controls", control.id, key=True)
            if "status" not in written:
                self.report.warn(where, missing_status_message(control.id), "control-default")
            if not control.applies_to:
                self.report.warn(where, missing_applies_to_message(control.id), "control-default")


def missing_status_message(control_id: str) -> str:
    """The warning for a control without ``status`` (also used by ``fmt --fix``)."""
    return (
        f"control '{control_id}' has no 'status': it counts as implemented for now, but the "
        "default becomes 'planned'; write 'status: implemented' to keep today's meaning "
        "(threatforge fmt --fix writes it)"
    )


def missing_applies_to_message(control_id: str) -> str:
    """The warning for a control without ``applies_to`` (also used by ``fmt --fix``)."""
    return (
        f"control '{control_id}' has no 'applies_to': it applies to every element for now, "
        "but 'applies_to' becomes required; write 'applies_to: [\"*\"]' to keep today's "
        "meaning, or name the elements (threatforge fmt --fix writes the first)"
    )


def _shortened(chain: list[str]) -> list[str]:
    """A chain of ids as shown in a message: readable even for a hostile 10,000-long one."""
    if len(chain) > 12:
        return [*chain[:10], f"... ({len(chain) - 11} more)", chain[-1]]
    return chain
