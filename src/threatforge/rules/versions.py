"""The versions of the built-in rule set: what each version added, and what changed in it.

The changelog is data (``rules/versions.yaml``, read once): per version the rules it added,
the rules that began to ask questions (report applicable threats) in it, the rules that were
warn-only before it and gate from it, the fingerprint changes (an old fingerprint pattern and
the new one) and the rules whose results it regrouped. ``threatforge check --rules-version V``
(or ``rules_version:`` in the gate's policy file) counts only what version V counted
(:meth:`RulesChangelog.gates_at`); ``threatforge fmt --fix`` moves a ``tracking:`` key or a
control's ``mitigates:`` entry of an old fingerprint to the new one
(:meth:`RulesChangelog.moved`). A test checks that every built-in rule is listed
(docs/rule-versions.md).

A fingerprint pattern is a fingerprint with ``{name}`` placeholders, each standing for one
element id (no comma): ``old: "unencrypted-store@{store}"``, ``new:
"store-unencrypted-at-rest@{store}"``. The new pattern uses only names of the old one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from threatforge.errors import RuleError

__all__ = [
    "CHANGELOG_FILE",
    "REGROUPED_WHY",
    "Counted",
    "FingerprintChange",
    "ModelMoves",
    "Regrouped",
    "RuleVersion",
    "RulesChangelog",
    "RulesVersionError",
    "builtin_changelog",
    "model_moves",
    "parse_changelog",
]

CHANGELOG_FILE = "threatforge/rules/versions.yaml"
"""Where the built-in rule set's changelog is, as messages name it."""

Counted = Literal["gates", "newer", "warn-only"]
"""How a result counts for a pinned gate (see :meth:`RulesChangelog.gates_at`)."""

_RULE_ID = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class RulesVersionError(RuleError):
    """An unknown rules version was asked for, or the changelog is not valid."""


class _Strict(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")


class FingerprintChange(_Strict):
    """Results of ``rule`` once reported as ``old`` are reported as ``new`` from this version."""

    rule: _RULE_ID
    old: Annotated[str, Field(min_length=3, max_length=300)]
    new: Annotated[str, Field(min_length=3, max_length=300)]
    why: Annotated[str, Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _patterns(self) -> FingerprintChange:
        names = _PLACEHOLDER.findall(self.old)
        if len(set(names)) != len(names):
            raise ValueError(f"'{self.old}' names a placeholder twice")
        unknown = sorted(set(_PLACEHOLDER.findall(self.new)) - set(names))
        if unknown:
            raise ValueError(
                f"'{self.new}' uses {{{unknown[0]}}}, which '{self.old}' does not name"
            )
        if not self.new.startswith(self.rule + "@"):
            raise ValueError(
                f"'{self.new}' is not a fingerprint of {self.rule} ('{self.rule}@...')"
            )
        if self.old == self.new:
            raise ValueError(f"'{self.old}' does not change")
        return self

    def apply(self, fingerprint: str) -> str | None:
        """The new fingerprint of ``fingerprint`` when it has the old form, else None."""
        found = _compiled(self.old).fullmatch(fingerprint)
        if found is None:
            return None
        return _PLACEHOLDER.sub(lambda m: found.group(m.group(1)), self.new)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(pattern)
    # split alternates literal text and placeholder names
    return re.compile("".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^,]+)"
        for index, part in enumerate(parts)
    ))


class Regrouped(_Strict):
    """A rule whose results this version grouped differently (the rule names, on each new
    result, the fingerprints it stands for: ``Fire.replaces``)."""

    rule: _RULE_ID
    why: Annotated[str, Field(min_length=1, max_length=500)]


class RuleVersion(_Strict):
    """One version of the built-in rule set."""

    version: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)*$")]
    date: date
    summary: Annotated[str, Field(min_length=1, max_length=1000)]
    added: list[_RULE_ID] = Field(default_factory=list)
    """Rules new in this version: their results do not fail a gate pinned to an older one."""
    asking: list[_RULE_ID] = Field(default_factory=list)
    """Rules that ask questions (report applicable threats) from this version: new rules that
    ask and existing rules that began to."""
    gating: list[_RULE_ID] = Field(default_factory=list)
    """Rules that were warn-only before this version and fail the gate from it."""
    fingerprints: list[FingerprintChange] = Field(default_factory=list)
    regrouped: list[Regrouped] = Field(default_factory=list)


class _Changelog(_Strict):
    versions: Annotated[list[RuleVersion], Field(min_length=1)]


@dataclass(frozen=True)
class RulesChangelog:
    """The versions of the rule set, oldest first."""

    versions: tuple[RuleVersion, ...]

    def __post_init__(self) -> None:
        names = [v.version for v in self.versions]
        if len(set(names)) != len(names):
            raise RulesVersionError(f"{CHANGELOG_FILE}: a version is listed twice")
        for field in ("added", "asking", "gating"):
            seen: dict[str, str] = {}
            for version in self.versions:
                for rule_id in getattr(version, field):
                    if rule_id in seen:
                        raise RulesVersionError(
                            f"{CHANGELOG_FILE}: '{rule_id}' is in '{field}' of versions "
                            f"{seen[rule_id]} and {version.version}; list it once"
                        )
                    seen[rule_id] = version.version

    @property
    def latest(self) -> str:
        """The newest version: what a gate that pins nothing counts."""
        return self.versions[-1].version

    @property
    def known(self) -> tuple[str, ...]:
        return tuple(v.version for v in self.versions)

    def index(self, version: str) -> int:
        """The position of ``version`` (0 for the first); an unknown one is an error that lists
        the known versions."""
        for position, item in enumerate(self.versions):
            if item.version == version:
                return position
        raise RulesVersionError(
            f"unknown rules version '{version}': the known versions are "
            f"{', '.join(self.known)} (latest {self.latest})"
        )

    def _since(self, field: str) -> dict[str, int]:
        return {
            rule_id: position
            for position, item in enumerate(self.versions)
            for rule_id in getattr(item, field)
        }

    def added_in(self, rule_id: str) -> str | None:
        """The version that added the rule (None: not a listed built-in rule)."""
        position = self._since("added").get(rule_id)
        return None if position is None else self.versions[position].version

    def asking_since(self, rule_id: str) -> str | None:
        """The version from which the rule asks questions (None: it does not)."""
        position = self._since("asking").get(rule_id)
        return None if position is None else self.versions[position].version

    def gating_since(self, rule_id: str) -> str | None:
        """The version that turned the rule from warn-only into gating (None: it never was
        warn-only, or still is)."""
        position = self._since("gating").get(rule_id)
        return None if position is None else self.versions[position].version

    def gates_at(self, rule_id: str, version: str, *, threat: bool, warn_only: bool) -> Counted:
        """How a result of ``rule_id`` counts for a gate pinned to ``version``: ``"gates"``,
        ``"newer"`` (the rule, or its asking, came after that version) or ``"warn-only"``.

        A finding counts when its rule was in that version and gated then; an applicable
        threat (``threat``) also needs the rule to have asked then. A rule the changelog does not
        list (a pack's or a plugin's) counts unless it is warn-only (``warn_only``, today's).
        """
        pinned = self.index(version)
        added = self._since("added").get(rule_id)
        if added is None:
            return "warn-only" if warn_only else "gates"
        if added > pinned:
            return "newer"
        if threat:
            asking = self._since("asking").get(rule_id)
            if asking is None or asking > pinned:
                return "newer"
        gating = self._since("gating").get(rule_id)
        if gating is not None:
            return "gates" if gating <= pinned else "warn-only"
        return "warn-only" if warn_only else "gates"

    def moved(self, fingerprint: str) -> list[tuple[str, str]]:
        """Where a result once fingerprinted ``fingerprint`` went, version by version: each
        step's new fingerprint and why, oldest first (empty: no recorded change applies)."""
        steps: list[tuple[str, str]] = []
        current = fingerprint
        for item in self.versions:
            for change in item.fingerprints:
                new = change.apply(current)
                if new is not None:
                    current = new
                    steps.append((new, f"rules version {item.version}: {change.why}"))
                    break
        return steps

    def moves(self, fingerprints: Iterable[str], present: Mapping[str, Any]) -> dict[str, str]:
        """``fingerprints`` (tracking keys, ``mitigates:`` entries) that a recorded change
        moved to a fingerprint ``present`` holds (a result of this run): old -> new."""
        found: dict[str, str] = {}
        for fingerprint in fingerprints:
            if fingerprint in present:
                continue
            for new, _ in reversed(self.moved(fingerprint)):
                if new in present:
                    found[fingerprint] = new
                    break
        return found

    def why_moved(self, old: str, new: str) -> str:
        """Why ``old`` became ``new``, in the changelog's words."""
        reasons: list[str] = []
        for step, why in self.moved(old):
            reasons.append(why)
            if step == new:
                break
        return "; ".join(reasons)


def parse_changelog(value: Any, display: str = CHANGELOG_FILE) -> RulesChangelog:
    """A changelog from its parsed YAML (``versions.yaml``'s shape); invalid: RulesVersionError."""
    try:
        parsed = _Changelog.model_validate(value)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise RulesVersionError(f"{display} is not valid: " + "; ".join(problems)) from None
    return RulesChangelog(tuple(parsed.versions))


@cache
def builtin_changelog() -> RulesChangelog:
    """The built-in rule set's changelog (``rules/versions.yaml``), read once."""
    from threatforge.model import parse_yaml_text

    text = resources.files("threatforge.rules").joinpath("versions.yaml").read_text("utf-8")
    return parse_changelog(parse_yaml_text(text, CHANGELOG_FILE).value)


REGROUPED_WHY = "one finding per root cause"
"""Why a result a rule regrouped (``Fire.replaces``) has a new fingerprint, in the warning."""


@dataclass(frozen=True)
class ModelMoves:
    """The fingerprints a model names (tracking keys, controls' ``mitigates:`` entries) that
    their rule now reports under another fingerprint, and why."""

    tracking: Mapping[str, str]
    """Former fingerprint -> the new one, for the tracking keys (and every regrouped one)."""
    why: Mapping[str, str]
    """Former fingerprint -> why it moved, in words."""
    mitigates: tuple[tuple[str, str, str], ...]
    """(control id, former fingerprint, new fingerprint) for each ``mitigates:`` entry."""
    tracking_keys: frozenset[str] = frozenset()
    """The tracking keys among the former fingerprints."""

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """(former, new) for every fingerprint the model names that moved, sorted."""
        named = {*self.tracking_keys, *(old for _, old, _ in self.mitigates)}
        moved = {**self.tracking, **{old: new for _, old, new in self.mitigates}}
        return tuple(sorted((old, moved[old]) for old in named))

    def warnings(self) -> list[str]:
        """A warning per ``mitigates:`` entry of a former fingerprint, with the rewrite."""
        return [
            f"control '{control}' mitigates '{old}', which matches no result: its rule now "
            f"reports it as '{new}' ({self.why[old]}); write '{new}' under mitigates: "
            "(threatforge fmt --fix rewrites it)"
            for control, old, new in self.mitigates
        ]


def model_moves(
    tracking: Iterable[str],
    mitigates: Mapping[str, Sequence[str]],
    regrouped: Mapping[str, str],
    present: Collection[str],
    changelog: RulesChangelog | None = None,
) -> ModelMoves:
    """Where the fingerprints a model names went: ``regrouped`` (former -> new, from the rules
    that regrouped their results this run) first, else the changelog's recorded fingerprint
    changes, to a fingerprint in ``present`` (the results of this run).

    ``tracking`` are the tracking keys, ``mitigates`` each control's ``mitigates:`` entries.
    """
    keys = frozenset(tracking)
    named = {*keys, *(e for entries in mitigates.values() for e in entries if "@" in e)}
    if not named:  # nothing to move: the changelog is not even read
        return ModelMoves(regrouped, dict.fromkeys(regrouped, REGROUPED_WHY), ())
    recorded = changelog or builtin_changelog()
    lookup = dict(present) if isinstance(present, Mapping) else dict.fromkeys(present)
    from_log = recorded.moves(sorted(n for n in named if n not in regrouped), lookup)
    moved = {**regrouped, **from_log}
    why = {old: REGROUPED_WHY for old in regrouped} | {
        old: recorded.why_moved(old, new) for old, new in from_log.items()
    }
    on_controls = tuple(
        (control, entry, moved[entry])
        for control, entries in sorted(mitigates.items())
        for entry in dict.fromkeys(entries)
        if entry in moved and entry not in lookup
    )
    return ModelMoves(moved, why, on_controls, keys & moved.keys())
