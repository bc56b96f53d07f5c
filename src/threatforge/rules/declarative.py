"""Declarative rules in YAML: a small, fixed vocabulary combined with all / any / not.

No expression language, nothing evaluated: a pack is parsed into condition objects whose
evaluation is three-valued (true, false, or unknown when the model lacks a fact), so a pack rule
reports model gaps exactly as a Python rule does. See ``docs/rule-packs.md`` for the format.

Every mistake in a pack is a :class:`~threatforge.errors.RuleError` that lists each problem at
``file:line:column``, with a "did you mean" for misspelt names.
"""

from __future__ import annotations

import fnmatch
import string
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from threatforge.errors import RuleError
from threatforge.model import (
    Classification,
    Component,
    ComponentKind,
    Document,
    Flow,
    Model,
    ReadError,
    TrustLevel,
    read_yaml_file,
)
from threatforge.model.schema import DATA_CATEGORIES, EncryptionSpec, LoggingSpec
from threatforge.rules.interface import (
    PASS,
    Confidence,
    Crosses,
    Fire,
    Linddun,
    Rule,
    RuleMeta,
    Stride,
    Supersedes,
    Target,
    Unknown,
    Verdict,
)
from threatforge.text.hints import did_you_mean
from threatforge.text.lines import single_line

__all__ = ["CONDITION_HEADS", "compile_rule", "load_pack", "parse_pack"]

_Tri = bool | tuple[str, ...]  # True, False, or the facts that are missing

CONDITION_HEADS = (
    "all", "any", "not", "kind", "tech", "attribute", "data", "source", "target", "crosses",
    "reachable_from_untrusted",
)
"""The keys that start a condition; each condition has exactly one."""

_TESTS = ("equals", "not_equals", "in", "exists", "missing")


class _Strict(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True
    )


Scalar = str | int | float | bool


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class AttributeTest(_Strict):
    """``attribute`` with exactly one test; validated on its own for precise messages."""

    attribute: str
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    exists: bool | None = None
    missing: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> AttributeTest:
        tests = [
            name.rstrip("_")
            for name in ("equals", "not_equals", "in_", "exists", "missing")
            if getattr(self, name) is not None
        ]
        if len(tests) != 1:
            found = f" (found: {', '.join(tests)})" if tests else ""
            raise ValueError(
                f"attribute '{self.attribute}' needs exactly one test of: equals, not_equals, in, "
                f"exists, missing{found}"
            )
        _check_attribute_path(self.attribute, compares=tests[0] in ("equals", "not_equals", "in"))
        return self


class DataTest(_Strict):
    """The data an element handles: at least this classification, and/or of this category."""

    classification_at_least: Classification | None = None
    category: str | None = None

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is None:
            return value
        prefixes = set(DATA_CATEGORIES) | {c.split(".")[0] for c in DATA_CATEGORIES}
        if value not in prefixes:
            raise ValueError(f"unknown data category '{value}'{did_you_mean(value, prefixes)}")
        return value


class CrossingTest(_Strict):
    """A flow crossing a trust boundary, from trust at most ``from`` to trust at least ``to``."""

    from_: TrustLevel | None = Field(default=None, alias="from")
    to: TrustLevel | None = None


class Condition(_Strict):
    """One node of a condition tree; exactly one head key is set."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    kind: list[ComponentKind] | None = None
    tech: list[str] | None = None
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

    @field_validator("kind", mode="before")
    @classmethod
    def _kinds(cls, value: Any) -> Any:
        value = _as_list(value)
        if isinstance(value, list):
            kinds = [k.value for k in ComponentKind]
            for item in value:
                if isinstance(item, str) and item not in kinds:
                    raise ValueError(
                        f"unknown component kind '{item}'{did_you_mean(item, kinds)}"
                    )
        return value

    @field_validator("tech", mode="before")
    @classmethod
    def _globs(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("attribute")
    @classmethod
    def _known_attribute(cls, value: str | None) -> str | None:
        if value is not None:
            _check_attribute_path(value)  # here, so the error points at the attribute's name
        return value

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        heads = [name.rstrip("_") for name in _HEAD_FIELDS if getattr(self, name) is not None]
        if len(heads) != 1:
            raise ValueError(
                f"each condition needs exactly one of: {', '.join(CONDITION_HEADS)} "
                f"(found: {', '.join(heads) or 'none'}); combine several with 'all:' or 'any:'"
            )
        if self.attribute is not None:
            AttributeTest.model_validate(
                {
                    name: getattr(self, field)
                    for name, field in zip(_TESTS, _TEST_FIELDS, strict=True)
                    if getattr(self, field) is not None
                }
                | {"attribute": self.attribute}
            )
        elif any(getattr(self, n) is not None for n in _TEST_FIELDS):
            raise ValueError("equals / not_equals / in / exists / missing go with 'attribute'")
        if self.all == [] or self.any == []:
            raise ValueError("'all' and 'any' need at least one condition")
        return self


_HEAD_FIELDS = (
    "all", "any", "not_", "kind", "tech", "attribute", "data", "source", "target", "crosses",
    "reachable_from_untrusted",
)
_TEST_FIELDS = ("equals", "not_equals", "in_", "exists", "missing")


def _placeholders(template: str) -> list[str]:
    """The fields a title names; a format spec or a conversion is an error.

    ``{element:>1500000000}`` would build a 1.5 GB string per finding: titles substitute named
    fields only, as :func:`threatforge.rules.engine.render_title` does.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"title '{template}' is not a valid template: {exc}") from None
    fields = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec or conversion is not None:
            converted = f"!{conversion}" if conversion else ""
            written = "{" + field + converted + (f":{spec}" if spec else "") + "}"
            shown = written if len(written) <= 60 else written[:57] + "..."
            raise ValueError(
                f"title uses '{shown}': only plain {{element}} and {{detail}} are filled in "
                "(no format specs or conversions)"
            )
        fields.append(field)
    return fields


class PackRule(_Strict):
    """One rule of a pack, as written."""

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
    api_top10: list[Annotated[str, Field(pattern=r"^API([1-9]|10):2023$")]] = Field(
        default_factory=list
    )
    attack: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    confidence: Confidence = Confidence.MEDIUM
    detection: str | None = None
    false_positives: str = ""
    compliance: list[str] = Field(default_factory=list)
    broad: str = ""
    supersedes: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,79}$")]] = Field(
        default_factory=list
    )
    """Ids of rules whose finding on the same element this rule's finding replaces."""
    warn_only: bool = False
    """Its findings are reported but never fail the gate, until the key is removed."""

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        fields = _placeholders(value)
        unknown = [f for f in fields if f not in ("element", "detail")]
        if unknown:
            raise ValueError(
                f"title uses '{{{unknown[0]}}}'; only {{element}} and {{detail}} are filled in"
            )
        if "element" not in fields:
            raise ValueError("title must name the element with {element}, e.g. '{element} is ...'")
        return value

    @model_validator(mode="after")
    def _categories(self) -> PackRule:
        if not self.stride and not self.linddun:
            raise ValueError(f"rule '{self.id}' needs 'stride' or 'linddun' categories")
        if self.id in self.supersedes:
            raise ValueError(f"rule '{self.id}' cannot supersede itself")
        return self


class Pack(_Strict):
    """A rule pack file."""

    pack: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    description: str | None = None
    rules: list[PackRule]


# --- attribute paths ------------------------------------------------------------------------

_COMPUTED_FLOW = {"encrypted", "effective_authn", "label"}
_COMPUTED_COMPONENT = {"label"}
_NOT_ATTRIBUTES = {"location"}
_NESTED: dict[str, type[BaseModel]] = {"encryption": EncryptionSpec, "logging": LoggingSpec}
_PARTED = {*_NESTED, "properties"}
COMPONENT_ATTRIBUTES = frozenset(
    set(Component.model_fields) - _NOT_ATTRIBUTES | _COMPUTED_COMPONENT
)
FLOW_ATTRIBUTES = frozenset(set(Flow.model_fields) - _NOT_ATTRIBUTES | _COMPUTED_FLOW)


def _check_attribute_path(path: str, *, compares: bool = False) -> None:
    head, _, rest = path.partition(".")
    fields = COMPONENT_ATTRIBUTES | FLOW_ATTRIBUTES
    if head not in fields:
        raise ValueError(f"unknown attribute '{head}'{did_you_mean(head, fields)}")
    if rest and head in _NESTED:
        nested = set(_NESTED[head].model_fields)
        if rest not in nested:
            hint = did_you_mean(rest, nested, prefix=f"{head}.")
            raise ValueError(f"unknown attribute '{path}'{hint}")
    elif rest and head != "properties":
        raise ValueError(f"'{head}' has no parts; only encryption.*, logging.* and properties.* do")
    elif not rest and head in _PARTED and compares:
        parts = sorted(_NESTED[head].model_fields) if head in _NESTED else ["<name>"]
        raise ValueError(
            f"name the part of '{head}' to compare, e.g. '{head}.{parts[0]}' "
            "(on the whole of it only exists / missing work)"
        )


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


# --- checks that need to know what a condition looks at -------------------------------------

Subject = Literal["component", "flow"]


def _context_problems(
    cond: Condition, subject: Subject, path: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], bool, str]]:
    """Conditions that can never be true where they stand: (path, at the key?, message)."""
    problems: list[tuple[tuple[str | int, ...], bool, str]] = []
    for head in ("all", "any"):
        items: list[Condition] | None = getattr(cond, head)
        for index, item in enumerate(items or ()):
            problems += _context_problems(item, subject, (*path, head, index))
    if cond.not_ is not None:
        problems += _context_problems(cond.not_, subject, (*path, "not"))
    if subject == "flow" and (cond.kind is not None or cond.tech is not None):
        head = "kind" if cond.kind is not None else "tech"
        problems.append(
            (
                (*path, head),
                True,
                f"'{head}' tests a component; in a flow rule write "
                f"'source: {{{head}: ...}}' or 'target: {{{head}: ...}}'",
            )
        )
    if subject == "component":
        for head in ("source", "target", "crosses"):
            if getattr(cond, head) is not None:
                message = f"'{head}' tests a flow; use it in a rule with target: flow"
                problems.append(((*path, head), True, message))
    for head in ("source", "target"):
        sub: Condition | None = getattr(cond, head)
        if sub is not None and subject == "flow":
            problems += _context_problems(sub, "component", (*path, head))
    if cond.attribute is not None:
        name = cond.attribute.partition(".")[0]
        fields = COMPONENT_ATTRIBUTES if subject == "component" else FLOW_ATTRIBUTES
        if name not in fields:
            problems.append(
                (
                    (*path, "attribute"),
                    False,
                    f"a {subject} has no attribute '{name}'{did_you_mean(name, fields)}",
                )
            )
    return problems


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
        return isinstance(element, Component) and element.kind in cond.kind
    if cond.tech is not None:
        tech = element.tech if isinstance(element, Component) else None
        if tech is None:
            return False  # no technology stated: a technology-scoped rule does not apply
        return any(fnmatch.fnmatchcase(tech, g) for g in cond.tech)
    if cond.attribute is not None:
        return _attribute(cond, element)
    if cond.data is not None:
        return _data(cond.data, element, model)
    if cond.source is not None or cond.target is not None:
        if not isinstance(element, Flow):
            return False
        end, sub, prefix = (
            (element.source, cond.source, "source.")
            if cond.source is not None
            else (element.target, cond.target, "target.")
        )
        assert sub is not None  # noqa: S101 - one of them is set
        result = _evaluate(sub, model.components[end], model)
        # A fact missing on an end is named from the flow: 'source.authn', not 'authn'.
        return tuple(prefix + f for f in result) if isinstance(result, tuple) else result
    if cond.crosses is not None:
        return _crosses(cond.crosses, element, model)
    if cond.reachable_from_untrusted is not None:
        subject = element.source if isinstance(element, Flow) else element.id
        reachable = model.graph.reach(subject).reachable
        return reachable == cond.reachable_from_untrusted
    raise AssertionError("unreachable: a condition has one head")  # pragma: no cover


def _is_unset(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _attribute(cond: Condition, element: Any) -> _Tri:
    path = cond.attribute or ""
    value = _lookup(element, path)
    if cond.missing is not None:
        return _is_unset(value) == cond.missing
    if cond.exists is not None:
        return (not _is_unset(value)) == cond.exists
    if value is None:
        # An unstated typed fact is a model gap; an unstated free-form property is simply not
        # set (most models never mention most properties, and a gap for each would be noise).
        return False if path.startswith("properties.") else (path,)
    if isinstance(value, list):
        # A list attribute (tags, stores, data, a list property) matches when it contains it.
        items = [_plain(v) for v in value]
        if cond.equals is not None:
            return cond.equals in items
        if cond.not_equals is not None:
            return cond.not_equals not in items
        if cond.in_ is not None:
            return any(v in cond.in_ for v in items)
        return False  # pragma: no cover - validated to have one test
    value = _plain(value)
    if cond.equals is not None:
        return _same(value, cond.equals)
    if cond.not_equals is not None:
        return not _same(value, cond.not_equals)
    if cond.in_ is not None:
        return any(_same(value, v) for v in cond.in_)
    return False  # pragma: no cover - validated to have one test


def _same(value: Any, expected: Scalar) -> bool:
    # true is not 1 and false is not 0 here: a boolean fact only equals a boolean.
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value is expected
    return bool(value == expected)


def _data(test: DataTest, element: Any, model: Model) -> _Tri:
    if isinstance(element, Flow):
        assets = model.graph.flow_data(element)
    elif isinstance(element, Component):
        assets = model.graph.data_of(element.id)
    else:  # pragma: no cover - packs target components and flows only
        return False
    if not assets:
        return ("data",)
    for asset in assets:
        ok = True
        if test.classification_at_least is not None:
            ok = asset.classification.rank >= test.classification_at_least.rank
        if ok and test.category is not None:
            ok = any(
                c == test.category or c.startswith(test.category + ".") for c in asset.categories
            )
        if ok:
            return True
    return False


def _crosses(test: CrossingTest, element: Any, model: Model) -> _Tri:
    if not isinstance(element, Flow):
        return False
    crossing = model.graph.crossing(element)
    if crossing is None:
        return False
    missing: list[str] = []
    if test.from_ is not None:
        if crossing.source_trust is None:
            missing.append("source.zone")
        elif crossing.source_trust.rank > test.from_.rank:
            return False
    if test.to is not None:
        if crossing.target_trust is None:
            missing.append("target.zone")
        elif crossing.target_trust.rank < test.to.rank:
            return False
    return tuple(missing) if missing else True


def _describe(cond: Condition) -> str:
    """The condition in words, for the rule's detection logic and its evidence."""
    if cond.all is not None:
        return " and ".join(f"({_describe(c)})" for c in cond.all)
    if cond.any is not None:
        return " or ".join(f"({_describe(c)})" for c in cond.any)
    if cond.not_ is not None:
        return f"not {_describe(cond.not_)}"
    if cond.kind is not None:
        return "kind is " + " or ".join(k.value for k in cond.kind)
    if cond.tech is not None:
        return "tech matches " + " or ".join(cond.tech)
    if cond.attribute is not None:
        return _describe_attribute(cond)
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
        return " ".join(["crosses a trust boundary", *ends])
    if cond.reachable_from_untrusted is not None:
        prefix = "" if cond.reachable_from_untrusted else "not "
        return prefix + "reachable from an untrusted zone"
    return ""  # pragma: no cover


def _describe_attribute(cond: Condition) -> str:
    for name, words in (("equals", "is"), ("not_equals", "is not"), ("in_", "is one of")):
        value = getattr(cond, name)
        if value is not None:
            shown = ", ".join(_word(v) for v in value) if isinstance(value, list) else _word(value)
            return f"{cond.attribute} {words} {shown}"
    if cond.exists is not None:
        return f"{cond.attribute} is {'set' if cond.exists else 'not set'}"
    return f"{cond.attribute} is {'not set' if cond.missing else 'set'}"


def _facts_named(cond: Condition) -> tuple[str, ...]:
    """The element's own attributes a condition reads (not those of a flow's ends), in order."""
    found: list[str] = []
    if cond.tech is not None:
        found.append("tech")
    if cond.attribute is not None:
        found.append(cond.attribute)
    for child in (*(cond.all or ()), *(cond.any or ()), *((cond.not_,) if cond.not_ else ())):
        found.extend(_facts_named(child))
    return tuple(dict.fromkeys(found))


def _stated(value: Any) -> str:
    """A fact as the model file would state it (``true``, ``none``, ``[a, b]``)."""
    value = _plain(value)
    if isinstance(value, list):
        return "[" + ", ".join(_stated(v) for v in value) + "]"
    return _word(value) if isinstance(value, str | int | float | bool) else str(value)


def _word(value: Scalar) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- compiling and loading ------------------------------------------------------------------


def _scope(condition: Condition) -> tuple[frozenset[ComponentKind], tuple[str, ...]]:
    """Kinds and technology globs a condition requires at its top level (for rule scope)."""
    parts = condition.all if condition.all is not None else [condition]
    kinds: set[ComponentKind] | None = None
    techs = [p.tech for p in parts if p.tech is not None]
    for part in parts:
        if part.kind is not None:
            kinds = set(part.kind) if kinds is None else kinds & set(part.kind)
    tech = tuple(techs[0]) if len(techs) == 1 else ()
    return frozenset(kinds or ()), tech


def _stated_scope(condition: Condition) -> tuple[frozenset[str], Crosses | None]:
    """The ``properties:`` key and the crossing a condition requires at its top level.

    A test on ``properties.<key>`` other than ``missing``/``exists: false`` is false (never
    unknown) when the key is not stated, and ``crosses`` is false for a flow that crosses no
    boundary, so an element without them can only pass: the engine need not evaluate it.
    """
    parts = condition.all if condition.all is not None else [condition]
    keys = [
        part.attribute.partition(".")[2]
        for part in parts
        if part.attribute is not None
        and part.attribute.startswith("properties.")
        and part.attribute != "properties."
        and (
            part.equals is not None
            or part.not_equals is not None
            or part.in_ is not None
            or part.exists is True
            or part.missing is False
        )
    ]
    crosses = Crosses.BOUNDARY if any(p.crosses is not None for p in parts) else None
    return frozenset(keys[:1]), crosses


def compile_rule(spec: PackRule, source: str) -> Rule:
    """Turn a validated pack rule into a :class:`Rule`."""
    detection = spec.detection or f"Fires when {_describe(spec.when)}."
    kinds, tech = _scope(spec.when) if spec.target == "component" else (frozenset(), ())
    properties, crosses = _stated_scope(spec.when)
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
        kinds=kinds,
        tech=tech,
        properties=properties,
        crosses=crosses if spec.target == "flow" else None,
        domain="pack",
        compliance=tuple(spec.compliance),
        broad=spec.broad,
        source=source,
        supersedes=tuple(Supersedes(rule_id) for rule_id in dict.fromkeys(spec.supersedes)),
        warn_only=spec.warn_only,
    )
    condition = spec.when
    description = _describe(condition)

    facts = _facts_named(condition)

    def check(element: Any, model: Model) -> Verdict:
        result = _evaluate(condition, element, model)
        if result is True:
            stated = tuple(
                f"{path}: {_stated(_lookup(element, path))}"
                for path in facts
                if _lookup(element, path) not in (None, [], {})
            )
            return Fire((*stated, f"pack condition: {description}"))
        if result is False:
            return PASS
        return Unknown(tuple(dict.fromkeys(result)))

    return Rule(meta, check)


def _message(error: Any) -> str:
    """A pydantic error in words a pack author can act on."""
    kind = error["type"]
    loc = tuple(error["loc"])
    name = next((str(s).rstrip("_") for s in reversed(loc) if isinstance(s, str)), "value")
    if kind == "missing":
        return f"missing required field '{name}'"
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc)
        what = "condition key" if "when" in loc else "field"
        return f"unknown {what} '{name}'{did_you_mean(name, allowed)}"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    return f"'{name}': {message[0].lower()}{message[1:]}"


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed where an unknown key ``loc[-1]`` was found."""
    if "when" in loc:
        parent = loc[-2] if len(loc) >= 2 else None
        if parent == "data":
            return list(DataTest.model_fields)
        if parent == "crosses":
            return ["from", "to"]
        return [*CONDITION_HEADS, *_TESTS]
    if loc[:1] == ("rules",) and len(loc) == 3:
        return [f.alias or n for n, f in PackRule.model_fields.items()]
    if len(loc) == 1:
        return list(Pack.model_fields)
    return []


def _problem_lines(problems: list[str]) -> str:
    """The message of an invalid pack: one line per problem, each kept on its line (a line
    break in the pack's text becomes a space), so the CLI can print them a line each."""
    return "invalid rule pack:\n" + "\n".join(dict.fromkeys(single_line(p) for p in problems))


def parse_pack(document: Document) -> list[Rule]:
    """Validate a parsed pack document; raise :class:`RuleError` with every located error."""
    try:
        pack = Pack.model_validate(document.value)
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            key = error["type"] == "extra_forbidden"
            where = document.location(_pack_path(document, loc), key=key)
            lines.append(f"{where}: {_message(error)}")
        raise RuleError(_problem_lines(lines)) from None
    problems: list[str] = []
    ids: dict[str, int] = {}
    for index, item in enumerate(pack.rules):
        if item.id in ids:
            where = document.location(("rules", index, "id"))
            problems.append(f"{where}: rule id '{item.id}' appears twice in the pack")
        ids.setdefault(item.id, index)
        for path, at_key, message in _context_problems(item.when, item.target, ()):
            where = document.location(("rules", index, "when", *path), key=at_key)
            problems.append(f"{where}: {message}")
    if problems:
        raise RuleError(_problem_lines(problems))
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
        document = read_yaml_file(str(path), str(path))
    except ReadError as exc:
        message = exc.message
        if message.startswith("is empty"):
            message = "is empty: a rule pack needs 'pack:' and 'rules:'"
        raise RuleError(f"{exc.location}: {message}") from None
    return parse_pack(document)
