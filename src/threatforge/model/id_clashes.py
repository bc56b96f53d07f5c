"""Ids shared by elements of different sections, and the renames that make them unique.

A data asset, a boundary, a component and a flow may all be called ``payments``: then an
``applies_to: [payments]`` means any of them, and an id alone does not say which element a
finding is about. Ids must be unique across sections. Because that changes what existing models
mean, the loader warns for one release (one warning per clash, naming both places and the exact
rewrite) and the run goes on. The renames are data (:attr:`LoadResult.id_renames`, each a
file and a path per place to rewrite) for ``threatforge fmt --fix`` to apply.

The engine does not look the subject of a finding up by id: a flow's findings are scored,
located and titled on the flow even while a component shares its id.

Who keeps the id: the element :meth:`Model.element` finds first (components, then flows, data,
boundaries, controls, assumptions), so that every reference that resolves today keeps resolving
to the same element. The others get a suffix naming their section (``payments-zone``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from threatforge.model._model import Model
from threatforge.model.schema import ELEMENT_ID_PATTERN

__all__ = ["ID_SECTIONS", "IdRename", "Reference", "plan_id_renames"]

ID_SECTIONS = ("components", "flows", "data", "boundaries", "controls", "assumptions")
"""The sections whose ids share one namespace, in the order :meth:`Model.element` looks."""

_SUFFIX = {
    "flows": "flow",
    "data": "data",
    "boundaries": "zone",
    "controls": "control",
    "assumptions": "assumption",
}
_SINGULAR = {
    "components": "component",
    "flows": "flow",
    "data": "data asset",
    "boundaries": "boundary",
    "controls": "control",
    "assumptions": "assumption",
}
_MAX_ID = 128
_ID = re.compile(ELEMENT_ID_PATTERN)

Path = tuple[str | int, ...]
"""Keys and list indexes from the top of a model file down to a value."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One place in a model file: ``path`` from the top of ``file`` to a scalar (``key``: the
    path ends at a mapping key, the element's id itself, rather than at a value)."""

    file: str
    path: Path
    key: bool = False


@dataclass(frozen=True, slots=True)
class IdRename:
    """Rename the element of ``section`` called ``old`` to ``new`` (``kept_by`` keeps ``old``).

    ``definition`` is where the id is written (a mapping key, or a flow's ``id:``);
    ``references`` are the values that name this element and no other (a component's ``zone``
    for a boundary, ``stores`` for a data asset, ...): rewrite each from ``old`` to ``new``.
    ``review`` are the places that may mean either element (``applies_to``, an assumption's
    ``elements``, tracking keys and ``mitigates`` fingerprints): a person decides those.
    """

    section: str
    old: str
    new: str
    kept_by: str
    definition: Reference
    references: tuple[Reference, ...]
    review: tuple[Reference, ...]

    @property
    def message(self) -> str:
        """The loader's warning: both elements, and the exact rewrite."""
        what = _SINGULAR[self.section]
        home = self.definition.file
        where = f" in {_listed(self.references, home)}" if self.references else ""
        review = ""
        if self.review:
            verb = "means" if len(self.review) == 1 else "mean"
            review = f"; check which element {_listed(self.review, home)} {verb}"
        return (
            f"{what} '{self.old}' has the id of {_SINGULAR[self.kept_by]} '{self.old}': ids must "
            "be unique across sections (a warning in this release, an error in the next); "
            f"rename {what} '{self.old}' to '{self.new}' here{' and' if where else ''}{where}"
            f"{review}"
        )


_SHOWN = 5
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _listed(references: Sequence[Reference], home: str) -> str:
    """``a, b and c`` (``and N more`` past five places); a place
    in another file than ``home`` names it (``components.api.zone in parts/services.yaml``)."""
    shown = [_shown(r) + (f" in {r.file}" if r.file != home else "") for r in references[:_SHOWN]]
    if len(references) > _SHOWN:
        return ", ".join(shown) + f" and {len(references) - _SHOWN} more"
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + f" and {shown[-1]}"
    return ", ".join(shown)


def _shown(reference: Reference) -> str:
    """``controls.waf.applies_to[0]``; a key that is not a plain name is quoted
    (``tracking["rule@a"]``, ``flows[2]["a -> b"]``)."""
    text = ""
    for step in reference.path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif not _PLAIN_KEY.match(step):
            text += f'["{step}"]'
        else:
            text += f".{step}" if text else step
    return text


def plan_id_renames(
    model: Model, flow_paths: Mapping[str, tuple[str, Path]] | None = None
) -> tuple[IdRename, ...]:
    """The renames that make every id unique across sections (empty when they are).

    ``flow_paths`` maps a flow's id to its file and its path there (``("flows", 3)`` or
    ``("flows", 3, "a -> b")`` for the arrow form); by default, flows are numbered in model
    order in the file their location names. One pass over the model finds every reference,
    however many ids clash.
    """
    if flow_paths is None:
        flow_paths = {
            flow.id: (flow.location.file if flow.location else "", ("flows", index))
            for index, flow in enumerate(model.flows)
        }
    owners: dict[str, list[str]] = {}
    for section in ID_SECTIONS:
        for element_id in _ids(model, section):
            owners.setdefault(element_id, []).append(section)
    clashes = {i: sections for i, sections in owners.items() if len(sections) > 1}
    if not clashes:
        return ()
    found, review = _References(model, clashes, flow_paths).collect()
    taken = set(owners)
    renames: list[IdRename] = []
    for old, sections in clashes.items():
        kept_by, *others = sections
        for section in others:
            new = _fresh(old, _SUFFIX[section], taken)
            taken.add(new)
            renames.append(
                IdRename(
                    section=section,
                    old=old,
                    new=new,
                    kept_by=kept_by,
                    definition=_definition(model, section, old, flow_paths),
                    references=tuple(found.get((section, old), ())),
                    review=tuple(review.get(old, ())),
                )
            )
    return tuple(renames)


def _ids(model: Model, section: str) -> Iterable[str]:
    if section == "flows":
        return (flow.id for flow in model.flows)
    mapping: Mapping[str, Any] = getattr(model, section)
    return mapping.keys()


def _fresh(old: str, suffix: str, taken: set[str]) -> str:
    """``old-suffix`` (``-2``, ``-3``, ... when taken), a valid id of at most 128 characters."""
    number = 1
    while True:
        tail = f"-{suffix}" + (f"-{number}" if number > 1 else "")
        candidate = old[: _MAX_ID - len(tail)] + tail
        if candidate not in taken and _ID.match(candidate):
            return candidate
        number += 1


def _file_of(element: Any) -> str:
    location = getattr(element, "location", None)
    return location.file if location is not None else ""


def _definition(
    model: Model, section: str, old: str, flow_paths: Mapping[str, tuple[str, Path]]
) -> Reference:
    if section == "flows":
        file, path = flow_paths[old]
        return Reference(file, (*path, "id"))
    element = getattr(model, section)[old]
    return Reference(_file_of(element), (section, old), key=True)


class _References:
    """The values naming a clashing id: those that can mean only one section's element (a
    component's ``zone`` is a boundary, ``stores`` a data asset, ...), keyed by (section, id),
    and those that may mean any of them (``applies_to``, an assumption's ``elements``,
    ``mitigates`` and tracking fingerprints), keyed by id."""

    def __init__(
        self,
        model: Model,
        clashes: Mapping[str, Sequence[str]],
        flow_paths: Mapping[str, tuple[str, Path]],
    ) -> None:
        self.model = model
        self.clashes = clashes
        self.flow_paths = flow_paths
        self.found: dict[tuple[str, str], list[Reference]] = {}
        self.review: dict[str, list[Reference]] = {}

    def add(self, section: str, value: str | None, file: str, path: Path) -> None:
        """``value`` at ``path`` names an element of ``section``: note it if its id clashes
        and that element is one of those renamed (not the first section, which keeps it)."""
        sections = self.clashes.get(value) if value is not None else None
        if sections is not None and value is not None and section in sections[1:]:
            self.found.setdefault((section, value), []).append(Reference(file, path))

    def either(self, value: str, file: str, path: Path, key: bool = False) -> None:
        if value in self.clashes:
            self.review.setdefault(value, []).append(Reference(file, path, key))

    def fingerprint(self, value: str, file: str, path: Path, key: bool = False) -> None:
        """A ``rule@a,b`` fingerprint naming clashing ids (each place listed once per id)."""
        _, at, elements = value.partition("@")
        if at:
            for element_id in dict.fromkeys(elements.split(",")):
                self.either(element_id, file, path, key)

    def collect(
        self,
    ) -> tuple[dict[tuple[str, str], list[Reference]], dict[str, list[Reference]]]:
        model = self.model
        for boundary in model.boundaries.values():
            self.add(
                "boundaries",
                boundary.inside,
                _file_of(boundary),
                ("boundaries", boundary.id, "inside"),
            )
        for component in model.components.values():
            file = _file_of(component)
            base: Path = ("components", component.id)
            self.add("boundaries", component.zone, file, (*base, "zone"))
            for name, section in (
                ("stores", "data"),
                ("processes", "data"),
                ("controls", "controls"),
            ):
                for index, value in enumerate(getattr(component, name)):
                    self.add(section, value, file, (*base, name, index))
        for flow in model.flows:
            file, at = self.flow_paths[flow.id]
            for name, section in (("data", "data"), ("controls", "controls")):
                for index, value in enumerate(getattr(flow, name)):
                    self.add(section, value, file, (*at, name, index))
        for control in model.controls.values():
            file = _file_of(control)
            base = ("controls", control.id)
            for index, value in enumerate(control.applies_to):
                self.either(value, file, (*base, "applies_to", index))
            for index, value in enumerate(control.mitigates):
                self.fingerprint(value, file, (*base, "mitigates", index))
        for assumption in model.assumptions.values():
            file = _file_of(assumption)
            base = ("assumptions", assumption.id)
            for index, value in enumerate(assumption.elements):
                self.either(value, file, (*base, "elements", index))
        for fingerprint, entry in model.tracking.items():
            self.fingerprint(fingerprint, _file_of(entry), ("tracking", fingerprint), key=True)
        return self.found, self.review
