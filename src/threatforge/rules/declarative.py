"""Declarative rules in YAML: a small, fixed vocabulary combined with all / any / not.

No expression language, nothing evaluated: a pack is parsed into condition objects whose
evaluation is three-valued (true, false, or unknown when the model lacks a fact), so a pack rule
reports model gaps exactly as a Python rule does. See ``docs/rule-packs.md`` for the format.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from threatforge.errors import RuleError
from threatforge.model import (
    Classification,
    Component,
    ComponentKind,
    Flow,
    Model,
    TrustLevel,
)
from threatforge.model._yaml import Document, ReadError, read_file
from threatforge.model.schema import EncryptionSpec, LoggingSpec
from threatforge.rules.interface import (
    PASS,
    Confidence,
    Fire,
    Linddun,
    Rule,
    RuleMeta,
    Stride,
    Target,
    Unknown,
    Verdict,
)

__all__ = ["compile_rule", "load_pack", "parse_pack"]

_Tri = bool | tuple[str, ...]  # True, False, or the facts that are missing


class _Strict(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


Scalar = str | int | float | bool


class AttributeTest(_Strict):
    attribute: str
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    exists: bool | None = None
    missing: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> AttributeTest:
        tests = [
            name
            for name in ("equals", "not_equals", "in_", "exists", "missing")
            if getattr(self, name) is not None
        ]
        if len(tests) != 1:
            raise ValueError(
                f"attribute '{self.attribute}' needs exactly one test of: equals, not_equals, in, "
                "exists, missing"
            )
        _check_attribute_path(self.attribute)
        return self


class DataTest(_Strict):
    classification_at_least: Classification | None = None
    category: str | None = None


class CrossingTest(_Strict):
    from_: TrustLevel | None = Field(default=None, alias="from")
    to: TrustLevel | None = None


class Condition(_Strict):
    """One node of a condition tree; exactly one key is set."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    kind: ComponentKind | list[ComponentKind] | None = None
    tech: str | list[str] | None = None
    attribute: str | None = None
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    exists: bool | None = None
    missing: bool | None = None
    data: DataTest | None = None
    source: Condition | None = None
    target: Condition | None = None
    crosses: CrossingTest | None = None
    reachable_from_untrusted: bool | None = None

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        heads = [
            name
            for name in ("all", "any", "not_", "kind", "tech", "attribute", "data", "source",
                         "target", "crosses", "reachable_from_untrusted")
            if getattr(self, name) is not None
        ]
        if len(heads) != 1:
            raise ValueError(
                "each condition needs exactly one of: all, any, not, kind, tech, attribute, data, "
                f"source, target, crosses, reachable_from_untrusted (found: {', '.join(heads) or 'none'})"
            )
        if self.attribute is not None:
            AttributeTest.model_validate(
                {k: v for k, v in self.model_dump(by_alias=True).items() if v is not None}
                | {"attribute": self.attribute}
            )
        elif any(
            getattr(self, n) is not None for n in ("equals", "not_equals", "in_", "exists", "missing")
        ):
            raise ValueError("equals / not_equals / in / exists / missing go with 'attribute'")
        return self


class PackRule(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,79}$")]
    title: str
    description: str
    target: Literal["component", "flow"]
    when: Condition
    likelihood: Annotated[int, Field(ge=1, le=5)]
    impact: Annotated[int, Field(ge=1, le=5)]
    mitigations: Annotated[list[str], Field(min_length=1)]
    cwe: Annotated[list[int], Field(min_length=1)]
    stride: list[Stride] = Field(default_factory=list)
    linddun: list[Linddun] = Field(default_factory=list)
    capec: list[int] = Field(default_factory=list)
    asvs: list[str] = Field(default_factory=list)
    api_top10: list[str] = Field(default_factory=list)
    attack: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    confidence: Confidence = Confidence.MEDIUM
    detection: str | None = None
    false_positives: str = ""
    compliance: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _categories(self) -> PackRule:
        if not self.stride and not self.linddun:
            raise ValueError(f"rule '{self.id}' needs 'stride' or 'linddun' categories")
        return self


class Pack(_Strict):
    pack: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    description: str | None = None
    rules: list[PackRule]


# --- attribute paths ------------------------------------------------------------------------

_COMPUTED = {"encrypted", "effective_authn", "label"}
_NESTED: dict[str, type[BaseModel]] = {"encryption": EncryptionSpec, "logging": LoggingSpec}


def _check_attribute_path(path: str) -> None:
    head, _, rest = path.partition(".")
    fields = set(Component.model_fields) | set(Flow.model_fields) | _COMPUTED
    fields -= {"location"}
    if head not in fields:
        close = difflib.get_close_matches(head, sorted(fields), n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"unknown attribute '{head}'{hint}")
    if rest and head in _NESTED:
        nested = set(_NESTED[head].model_fields)
        if rest not in nested:
            close = difflib.get_close_matches(rest, sorted(nested), n=1)
            hint = f" — did you mean '{head}.{close[0]}'?" if close else ""
            raise ValueError(f"unknown attribute '{path}'{hint}")
    elif rest and head != "properties":
        raise ValueError(f"'{head}' has no parts; only encryption.*, logging.* and properties.* do")


def _lookup(element: Any, path: str) -> Any:
    head, _, rest = path.partition(".")
    value = getattr(element, head, None)
    if rest:
        if head == "properties" and isinstance(value, dict):
            return value.get(rest)
        return getattr(value, rest, None) if value is not None else None
    return value


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


# --- evaluation -----------------------------------------------------------------------------


def _and(results: Sequence[_Tri]) -> _Tri:
    if any(r is False for r in results):
        return False
    facts = tuple(f for r in results if isinstance(r, tuple) for f in r)
    return facts if facts else True


def _or(results: Sequence[_Tri]) -> _Tri:
    if any(r is True for r in results):
        return True
    facts = tuple(f for r in results if isinstance(r, tuple) for f in r)
    return facts if facts else False


def _evaluate(cond: Condition, element: Any, model: Model) -> _Tri:
    if cond.all is not None:
        return _and([_evaluate(c, element, model) for c in cond.all])
    if cond.any is not None:
        return _or([_evaluate(c, element, model) for c in cond.any])
    if cond.not_ is not None:
        inner = _evaluate(cond.not_, element, model)
        return inner if isinstance(inner, tuple) else not inner
    if cond.kind is not None:
        kinds = cond.kind if isinstance(cond.kind, list) else [cond.kind]
        return isinstance(element, Component) and element.kind in kinds
    if cond.tech is not None:
        globs = cond.tech if isinstance(cond.tech, list) else [cond.tech]
        tech = getattr(element, "tech", None)
        if tech is None:
            return False  # no technology stated: a technology-scoped rule does not apply
        return any(fnmatch.fnmatchcase(tech, g) for g in globs)
    if cond.attribute is not None:
        return _attribute(cond, element)
    if cond.data is not None:
        return _data(cond.data, element, model)
    if cond.source is not None or cond.target is not None:
        if not isinstance(element, Flow):
            return False
        end = element.source if cond.source is not None else element.target
        sub = cond.source if cond.source is not None else cond.target
        assert sub is not None  # noqa: S101 - one of them is set
        return _evaluate(sub, model.components[end], model)
    if cond.crosses is not None:
        return _crosses(cond.crosses, element, model)
    if cond.reachable_from_untrusted is not None:
        subject = element.source if isinstance(element, Flow) else element.id
        reachable = model.graph.reach(subject).reachable
        return reachable == cond.reachable_from_untrusted
    raise AssertionError("unreachable: a condition has one head")  # pragma: no cover


def _attribute(cond: Condition, element: Any) -> _Tri:
    path = cond.attribute or ""
    value = _lookup(element, path)
    if cond.missing is not None:
        return (value is None or value == [] or value == {}) == cond.missing
    if cond.exists is not None:
        return (value is not None and value != [] and value != {}) == cond.exists
    if value is None:
        # An unstated typed fact is a model gap; an unstated free-form property is simply not
        # set (most models never mention most properties, and a gap for each would be noise).
        return False if path.startswith("properties.") else (path,)
    value = _plain(value)
    if cond.equals is not None:
        return bool(value == cond.equals)
    if cond.not_equals is not None:
        return bool(value != cond.not_equals)
    if cond.in_ is not None:
        if isinstance(value, list):
            return any(v in cond.in_ for v in value)
        return value in cond.in_
    return False  # pragma: no cover - validated to have one test


def _data(test: DataTest, element: Any, model: Model) -> _Tri:
    if isinstance(element, Flow):
        assets = model.graph.flow_data(element)
    elif isinstance(element, Component):
        assets = model.graph.data_of(element.id)
    else:
        return False
    if not assets:
        return ("data",)
    for asset in assets:
        ok = True
        if test.classification_at_least is not None:
            ok = asset.classification.rank >= test.classification_at_least.rank
        if ok and test.category is not None:
            ok = any(c == test.category or c.startswith(test.category + ".") for c in asset.categories)
        if ok:
            return True
    return False


def _crosses(test: CrossingTest, element: Any, model: Model) -> _Tri:
    if not isinstance(element, Flow):
        return False
    crossing = model.graph.crossing(element)
    if crossing is None:
        return False
    if test.from_ is not None:
        if crossing.source_trust is None:
            return ("zone",)
        if crossing.source_trust.rank > test.from_.rank:
            return False
    if test.to is not None:
        if crossing.target_trust is None:
            return ("zone",)
        if crossing.target_trust.rank < test.to.rank:
            return False
    return True


def _describe(cond: Condition) -> str:
    """The condition in words, for the rule's detection logic and its evidence."""
    if cond.all is not None:
        return " and ".join(f"({_describe(c)})" for c in cond.all)
    if cond.any is not None:
        return " or ".join(f"({_describe(c)})" for c in cond.any)
    if cond.not_ is not None:
        return f"not {_describe(cond.not_)}"
    if cond.kind is not None:
        kinds = cond.kind if isinstance(cond.kind, list) else [cond.kind]
        return "kind is " + " or ".join(k.value for k in kinds)
    if cond.tech is not None:
        globs = cond.tech if isinstance(cond.tech, list) else [cond.tech]
        return "tech matches " + " or ".join(globs)
    if cond.attribute is not None:
        for name, words in (("equals", "is"), ("not_equals", "is not"), ("in_", "is one of")):
            value = getattr(cond, name)
            if value is not None:
                return f"{cond.attribute} {words} {value}"
        if cond.exists is not None:
            return f"{cond.attribute} is {'set' if cond.exists else 'not set'}"
        return f"{cond.attribute} is {'not set' if cond.missing else 'set'}"
    if cond.data is not None:
        parts = []
        if cond.data.classification_at_least:
            parts.append(f"classification at least {cond.data.classification_at_least.value}")
        if cond.data.category:
            parts.append(f"category {cond.data.category}")
        return "handles data with " + " and ".join(parts or ["any classification"])
    if cond.source is not None:
        return f"source: {_describe(cond.source)}"
    if cond.target is not None:
        return f"target: {_describe(cond.target)}"
    if cond.crosses is not None:
        ends = []
        if cond.crosses.from_:
            ends.append(f"from trust at most {cond.crosses.from_.value}")
        if cond.crosses.to:
            ends.append(f"to trust at least {cond.crosses.to.value}")
        return "crosses a trust boundary " + " ".join(ends)
    if cond.reachable_from_untrusted is not None:
        return ("" if cond.reachable_from_untrusted else "not ") + "reachable from an untrusted zone"
    return ""  # pragma: no cover


# --- compiling and loading ------------------------------------------------------------------


def compile_rule(spec: PackRule, source: str) -> Rule:
    """Turn a validated pack rule into a :class:`Rule`."""
    detection = spec.detection or f"Fires when {_describe(spec.when)}."
    meta = RuleMeta(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        target=Target(spec.target),
        likelihood=spec.likelihood,
        impact=spec.impact,
        mitigations=tuple(spec.mitigations),
        detection=detection,
        cwe=tuple(spec.cwe),
        stride=tuple(spec.stride),
        linddun=tuple(spec.linddun),
        capec=tuple(spec.capec),
        asvs=tuple(spec.asvs),
        api_top10=tuple(spec.api_top10),
        attack=tuple(spec.attack),
        references=tuple(spec.references),
        false_positives=spec.false_positives,
        confidence=spec.confidence,
        domain="pack",
        compliance=tuple(spec.compliance),
        source=source,
    )
    condition = spec.when
    description = _describe(condition)

    def check(element: Any, model: Model) -> Verdict:
        result = _evaluate(condition, element, model)
        if result is True:
            return Fire((f"matches pack condition: {description}",))
        if result is False:
            return PASS
        return Unknown(tuple(dict.fromkeys(result)))

    return Rule(meta, check)


def parse_pack(document: Document) -> list[Rule]:
    """Validate a parsed pack document; raise :class:`RuleError` with every located error."""
    try:
        pack = Pack.model_validate(document.value)
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            where = document.location(_pack_path(document, loc), key=error["type"] == "extra_forbidden")
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{where}: {message}")
        raise RuleError("invalid rule pack:\n" + "\n".join(dict.fromkeys(lines))) from None
    ids: dict[str, int] = {}
    for index, item in enumerate(pack.rules):
        if item.id in ids:
            where = document.location(("rules", index, "id"))
            raise RuleError(f"{where}: rule id '{item.id}' appears twice in the pack")
        ids[item.id] = index
    return [compile_rule(item, f"pack {pack.pack} ({document.file})") for item in pack.rules]


def _pack_path(document: Document, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Map a pydantic location onto the document, skipping union-branch labels."""
    path: tuple[str | int, ...] = ()
    node: Any = document.value
    for step in loc:
        if isinstance(node, dict) and step in node:
            path = (*path, step)
            node = node[step]
        elif isinstance(node, dict) and isinstance(step, str) and step.rstrip("_") in node:
            path = (*path, step.rstrip("_"))
            node = node[step.rstrip("_")]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            path = (*path, step)
            node = node[step]
    return path


def load_pack(path: Path | str) -> list[Rule]:
    """Read and compile a YAML rule pack file."""
    try:
        document = read_file(str(path), str(path))
    except ReadError as exc:
        raise RuleError(f"{exc.location}: {exc.message}") from None
    return parse_pack(document)

