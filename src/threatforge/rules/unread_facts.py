"""Stated facts no rule reads on the element they are stated on (issue 15 item 4).

A user who writes ``properties: {wallet_encrypted: false}`` on a desktop client states a
weakness; if no rule reads that key on a client, the fact must not vanish. Which rules read a
key comes from data only: the property catalogue's ``read by`` column (rule ids) and, for each
of those rules, its metadata (target, component kinds, technology globs), plus the keys a rule
declares it looks at (``RuleMeta.properties``) and the facts its questions ask. A key is *read*
on a component when one of those rules looks at components of its kind and technology; it is
also taken as read when the catalogue says an analysis (not a rule) reads it, or a rule that
looks at flows or the whole model does (it may read the key on any component at a flow's end).

:func:`unread_facts` lists every other stated key: unknown to the catalogue (the loader warns
already, with "did you mean"), or known and read by no rule there (a warning from the engine).
Keys the catalogue marks ``informational: true`` are facts for reviewers and stay silent. Where
the value states a weakness in a well-known way (``weaknesses.yaml``: ``*_encrypted: false``,
``authn: none`` ...) the fact also gets a finding (stated-weakness-unread).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from threatforge.model import Component, Model
from threatforge.model.vocabulary import (
    PropertySpec,
    WeaknessSpec,
    property_catalogue,
    weakness_catalogue,
)
from threatforge.rules.interface import Rule, Target
from threatforge.text.hints import did_you_mean

__all__ = ["Readers", "UnreadFact", "readers_of", "unread_facts", "unread_warnings"]

_PROPERTY_PATH = re.compile(r"^properties\.([A-Za-z0-9_]+)$")


@dataclass(frozen=True, slots=True)
class UnreadFact:
    """A ``properties:`` key stated on a component that no rule reads there."""

    component: str
    key: str
    value: object
    known: bool
    """In the property catalogue (else the loader warned of an unknown key)."""
    warning: str
    """The engine's warning ("" for an unknown key: the loader's warning says it)."""
    weakness: WeaknessSpec | None
    """The weakness the value states, when it states one."""

    @property
    def shown(self) -> str:
        """The fact as written (``wallet_encrypted: false``)."""
        value = str(self.value).lower() if isinstance(self.value, bool) else str(self.value)
        return f"{self.key}: {value}"

    @property
    def evidence(self) -> str:
        """The fact as a finding shows it."""
        says = f"{self.weakness.says}; " if self.weakness is not None else ""
        reason = "no rule reads it here" if self.known else "unknown to the property catalogue"
        return f"properties.{self.shown} ({says}{reason})"


@dataclass(frozen=True, slots=True)
class Readers:
    """Who reads each catalogue key: the component rules, and the keys read anywhere."""

    component_rules: Mapping[str, tuple[Rule, ...]]
    everywhere: frozenset[str]
    """Keys an analysis, a flow or model rule, or a rule the catalogue does not name reads."""


def readers_of(rules: Sequence[Rule]) -> Readers:
    """The readers of every key, from the catalogue's ``read by`` and the rules' metadata."""
    by_id = {r.id: r for r in rules}
    found: dict[str, list[Rule]] = {}
    everywhere: set[str] = set()
    for key, spec in property_catalogue().properties.items():
        names = _read_by(spec)
        if not names or any(name not in by_id for name in names) or _anywhere(spec):
            everywhere.add(key)  # an analysis, a rule not run here, or on any component
        found.setdefault(key, []).extend(by_id[n] for n in names if n in by_id)
    for item in rules:
        for key in _declared(item):
            found.setdefault(key, []).append(item)
    component_rules: dict[str, tuple[Rule, ...]] = {}
    for key, readers in found.items():
        if any(r.meta.target is not Target.COMPONENT for r in readers):
            everywhere.add(key)
        component_rules[key] = tuple(dict.fromkeys(readers))
    return Readers(component_rules, frozenset(everywhere))


def _anywhere(spec: PropertySpec) -> bool:
    """The catalogue's "on which components" says any component (``any component``, ``any``,
    ``any of our components``): a rule reads it wherever it is stated."""
    return any(doc.where is not None and re.match(r"^any\b(?! flow)", doc.where.strip())
               for doc in spec.docs)


def _read_by(spec: PropertySpec) -> list[str]:
    texts = [spec.read_by or "", *(doc.read_by for doc in spec.docs)]
    return [n.strip() for text in texts for n in text.split(",") if n.strip()]


def _declared(item: Rule) -> Iterable[str]:
    yield from item.meta.properties
    for ask in item.meta.asks:
        for fact in ask.facts:
            match = _PROPERTY_PATH.match(fact.path)
            if match and not fact.on:
                yield match.group(1)


def _reads_on(item: Rule, component: Component) -> bool:
    kinds = item.meta.kinds
    if kinds and component.kind not in kinds:
        return False
    globs = item.meta.tech
    return not globs or any(fnmatch.fnmatchcase(component.tech or "", g) for g in globs)


def _where(component: Component) -> str:
    return f"{component.kind.value} ({component.tech})" if component.tech else \
        component.kind.value


def unread_facts(model: Model, readers: Readers) -> tuple[UnreadFact, ...]:
    """Every stated key no rule reads on its component, components in model order."""
    catalogue = property_catalogue().properties
    weaknesses = weakness_catalogue()
    near: dict[tuple[str, str], frozenset[str]] = {}  # (kind, tech) -> keys read there
    found: list[UnreadFact] = []
    for component_id, component in model.components.items():
        for key, value in component.properties.items():
            spec = catalogue.get(key)
            if spec is not None and (spec.informational or _is_read(key, spec, component,
                                                                       readers)):
                continue
            if spec is None and readers.component_rules.get(key):
                continue  # a pack or plugin rule declares it reads the key
            warning = ""
            if spec is not None:
                where = (component.kind.value, component.tech or "")
                if where not in near:
                    near[where] = frozenset(
                        k for k, s in catalogue.items() if _is_read(k, s, component, readers)
                    )
                warning = (
                    f"component '{component_id}': no rule reads `properties.{key}` on a "
                    f"{_where(component)}"
                )
                close = did_you_mean(key, near[where], cutoff=0.8)
                warning += close if close else "; it is kept for reviewers"
            found.append(UnreadFact(component_id, key, value, spec is not None, warning,
                                    weaknesses.stated(key, value)))
    return tuple(found)


def _is_read(key: str, spec: PropertySpec, component: Component, readers: Readers) -> bool:
    """Some rule (or analysis) reads the catalogue key on this component: the catalogue keeps
    it for the component's technology (a rule on another component may read it there, as the
    API Gateway rule reads its CloudFront distribution's), or a rule that reads it looks at
    components of this kind and technology."""
    if spec.tech and any(fnmatch.fnmatchcase(component.tech or "", g) for g in spec.tech):
        return True
    return key in readers.everywhere or any(
        _reads_on(r, component) for r in readers.component_rules.get(key, ())
    )


def unread_warnings(model: Model, rules: Sequence[Rule]) -> list[str]:
    """The warnings for catalogue keys stated where none of ``rules`` reads them (unknown keys
    are the loader's to warn of)."""
    return [fact.warning for fact in unread_facts(model, readers_of(rules)) if fact.warning]
