"""Compliance frameworks as data: their controls, sources and threatforge's mapping of rules to
them (``compliance/*.yaml`` beside this module).

A rule names the controls it evidences in its own metadata (``compliance=("pci-dss-4.0:3.5.1",)``,
written with the rule); a framework file adds, per control, ``rules:`` (rule ids) and ``via:``
(a crosswalk: every rule mapped to those controls of another framework, as globs such as
``pci-dss-4.0:8.3.*``). A control's descendants (``3.5.1.2`` of ``3.5.1``, ``art-5-1-b`` of
``art-5``, by the framework's ``separator``) count for it too. The files are package data, read
with the model's bounded YAML reader and validated; an invalid file is a bug of threatforge.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

__all__ = [
    "ControlSpec",
    "Framework",
    "FrameworkError",
    "find_framework",
    "frameworks",
    "mapped_rules",
]

_FrameworkId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{0,39}$")]
_ControlId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,39}$")]
_Ref = Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+:[A-Za-z0-9.*?-]+$")]
_RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]


class FrameworkError(ValueError):
    """An unknown framework name (with the known ones)."""


class _Frozen(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")


class ControlSpec(_Frozen):
    """One control (requirement, article, subcategory) and the rules mapped to it here."""

    id: _ControlId
    title: str
    rules: tuple[_RuleId, ...] = ()
    via: tuple[_Ref, ...] = ()
    """Globs over other frameworks' control refs (``pci-dss-4.0:8.3.*``): their rules count."""


class Framework(_Frozen):
    """A framework file: what it is, where its text comes from, its controls in order."""

    framework: _FrameworkId
    name: str
    aliases: tuple[_FrameworkId, ...] = ()
    separator: str = "."
    """What joins a control id to its children's (``.`` for 3.5 -> 3.5.1, ``-`` for art-5)."""
    source: str
    url: str
    mapping: str
    """Whose mapping the ``rules:``/``via:`` and the rules' own ids are, in words."""
    partial: bool = False
    """The file lists only the controls threatforge maps, not the whole framework."""
    controls: tuple[ControlSpec, ...]

    @model_validator(mode="after")
    def _unique(self) -> Framework:
        seen: set[str] = set()
        for control in self.controls:
            if control.id in seen:
                raise ValueError(f"{self.framework}: control {control.id} is listed twice")
            seen.add(control.id)
        return self

    @property
    def control_ids(self) -> frozenset[str]:
        """The ids of its controls."""
        return frozenset(c.id for c in self.controls)

    def ref(self, control_id: str) -> str:
        """``framework:control``, as rules write it."""
        return f"{self.framework}:{control_id}"

    def covers(self, control_id: str, ref: str) -> bool:
        """``ref`` (``framework:id``) names the control or one of its descendants."""
        prefix, _, other = ref.partition(":")
        if prefix != self.framework:
            return False
        return other == control_id or other.startswith(control_id + self.separator)


_FILES = (
    "pci-dss-4.0.yaml",
    "gdpr.yaml",
    "dora.yaml",
    "psd2-rts-sca.yaml",
    "iso-27001-2022.yaml",
    "nist-csf-2.0.yaml",
    "aws-fsbp.yaml",
)


@functools.cache
def frameworks() -> tuple[Framework, ...]:
    """Every built-in framework, read and validated on first use, in the documented order."""
    from threatforge.model._yaml import parse_text

    folder = resources.files(__package__ or "").joinpath("compliance")
    loaded = []
    for name in _FILES:
        text = folder.joinpath(name).read_text("utf-8")
        value = parse_text(text, f"threatforge/model/vocabulary/compliance/{name}").value
        loaded.append(Framework.model_validate(value))
    return tuple(loaded)


def find_framework(name: str) -> Framework:
    """The framework called ``name`` or one of its aliases; :class:`FrameworkError` otherwise."""
    from threatforge.text.hints import did_you_mean

    wanted = name.strip().lower()
    names: list[str] = []
    for framework in frameworks():
        if wanted == framework.framework or wanted in framework.aliases:
            return framework
        names.append(framework.framework)
    hint = did_you_mean(wanted, names)
    raise FrameworkError(f"unknown framework '{name}'{hint} (known: {', '.join(names)})")


def mapped_rules(
    framework: Framework, control: ControlSpec, rule_refs: Mapping[str, Iterable[str]]
) -> tuple[str, ...]:
    """The rules mapped to ``control``: those whose own refs name it (or a descendant), those
    the file lists, and those whose refs match a ``via:`` glob; ``rule_refs`` is each rule's
    compliance refs by rule id. Sorted, each once; rules not in ``rule_refs`` (not loaded) are
    left out."""
    found: set[str] = set()
    for rule, refs in rule_refs.items():
        listed = tuple(refs)
        named = rule in control.rules
        covered = any(framework.covers(control.id, ref) for ref in listed)
        crossed = any(fnmatch.fnmatchcase(ref, glob) for ref in listed for glob in control.via)
        if named or covered or crossed:
            found.add(rule)
    return tuple(sorted(found))
