"""Coverage: for each element and interaction, which STRIDE (and LINDDUN) categories something
speaks to, and what it says.

Computed from an assessment, the model and the metadata of the rules (their categories and
target), so the CLI (``threatforge coverage``), the reports and the server share it. Each
cell (an element x a category) holds one entry per rule that had something to say there and
one per declared control, and shows the most pressing of their states
(:class:`CoverageState`, in that order):

- ``finding``: an open finding of a rule of that category on the element;
- ``threat``: an open applicable threat;
- ``unknown``: a rule of that category lacks a fact to decide (a model gap);
- ``accepted``: a finding or threat the team accepted (``tracking:``);
- ``mitigated``: an implemented control that names the rule (or the finding), a threat ruled
  out by a stated fact (with the fact), or a result decided ``mitigated``;
- ``checked``: rules of that category looked and found nothing (passed, did not apply with
  a reason, or decided a false positive or not applicable);
- ``not-considered``: no rule that ran looks at that category for that element (none of them
  has the element in its scope, see :class:`~threatforge.assessment.RuleSummary`) and no
  control speaks to it.

A result counts for its first element (the one it is on). Model-wide rules (attack paths,
scope declarations) count where their results are. LINDDUN cells are listed for elements that
hold personal data (a data category ``pii`` or below) and for any element a LINDDUN result is
on. The JSON shape is in ``docs/coverage-command.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from threatforge.assessment._assessment import Assessment
from threatforge.assessment._results import Finding, Linddun, Stride
from threatforge.assessment._threats import ApplicableThreat
from threatforge.model import ControlStatus, Model, TrackingStatus
from threatforge.model.labels import element_labels
from threatforge.text.markdown import markdown_cell, markdown_code

__all__ = [
    "COVERAGE_FORMAT_VERSION",
    "LINDDUN_HEADERS",
    "STATE_SYMBOLS",
    "STRIDE_HEADERS",
    "Coverage",
    "CoverageCell",
    "CoverageEntry",
    "CoverageState",
    "ElementCoverage",
    "ScopedRule",
    "compute_coverage",
    "coverage_legend",
    "coverage_markdown",
    "coverage_to_dict",
]

COVERAGE_FORMAT_VERSION = 1
"""The version of the JSON document :func:`coverage_to_dict` writes."""


class CoverageState(StrEnum):
    """What a cell says, most pressing first (a cell shows the first of its entries' states)."""

    FINDING = "finding"
    THREAT = "threat"
    UNKNOWN = "unknown"
    ACCEPTED = "accepted"
    MITIGATED = "mitigated"
    CHECKED = "checked"
    NOT_CONSIDERED = "not-considered"

    @property
    def rank(self) -> int:
        """0 for the most pressing state."""
        return _STATE_RANK[self]


_STATE_RANK = {state: index for index, state in enumerate(CoverageState)}

STATE_SYMBOLS: Mapping[CoverageState, str] = {
    CoverageState.FINDING: "F",
    CoverageState.THREAT: "!",
    CoverageState.UNKNOWN: "?",
    CoverageState.ACCEPTED: "A",
    CoverageState.MITIGATED: "M",
    CoverageState.CHECKED: "+",
    CoverageState.NOT_CONSIDERED: "-",
}
"""The symbol of each state in a matrix (ASCII: the same in a terminal, Markdown and HTML)."""

_STATE_WORDS: Mapping[CoverageState, str] = {
    CoverageState.FINDING: "open finding",
    CoverageState.THREAT: "open applicable threat",
    CoverageState.UNKNOWN: "a fact is missing to decide",
    CoverageState.ACCEPTED: "accepted risk",
    CoverageState.MITIGATED: "mitigated (control, ruled out by a fact, or decided)",
    CoverageState.CHECKED: "rules looked, nothing found",
    CoverageState.NOT_CONSIDERED: "nothing considered: no rule looks at it",
}

STRIDE_HEADERS: Mapping[Stride, str] = {
    Stride.SPOOFING: "S",
    Stride.TAMPERING: "T",
    Stride.REPUDIATION: "R",
    Stride.INFORMATION_DISCLOSURE: "I",
    Stride.DENIAL_OF_SERVICE: "D",
    Stride.ELEVATION_OF_PRIVILEGE: "E",
}
"""The column header of each STRIDE category in a matrix."""

LINDDUN_HEADERS: Mapping[Linddun, str] = {
    Linddun.LINKING: "L",
    Linddun.IDENTIFYING: "I",
    Linddun.NON_REPUDIATION: "Nr",
    Linddun.DETECTING: "De",
    Linddun.DATA_DISCLOSURE: "Dd",
    Linddun.UNAWARENESS: "U",
    Linddun.NON_COMPLIANCE: "Nc",
}
"""The column header of each LINDDUN category (two letters where LINDDUN repeats one)."""

_PERSONAL = "pii"
_TYPES = ("component", "flow", "data", "boundary")
"""Element types, in the order the rows are listed (the values of the rules' ``target``)."""


class ScopedRule(Protocol):
    """What coverage needs of a rule: its id, categories and target
    (:class:`threatforge.rules.RuleMeta` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def stride(self) -> tuple[Stride, ...]: ...

    @property
    def linddun(self) -> tuple[Linddun, ...]: ...


@dataclass(frozen=True, slots=True)
class CoverageEntry:
    """What one rule (or one control) says in a cell."""

    state: CoverageState
    rule: str
    """The rule's id (for a control: the rule it names)."""
    fingerprint: str = ""
    """The finding's, threat's or ruled-out threat's fingerprint, when there is one."""
    detail: str = ""
    """In words: the title, ``ruled out by ...``, ``control ...``, the facts missing, why the
    rule did not apply."""
    control: str = ""
    """The control's id, for an entry a declared control makes."""


@dataclass(frozen=True, slots=True)
class CoverageCell:
    """One element x one category: its state and the entries that make it."""

    category: Stride | Linddun
    state: CoverageState
    entries: tuple[CoverageEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ElementCoverage:
    """The cells of one element: every STRIDE category; LINDDUN when it holds personal data."""

    element: str
    type: str
    """``component``, ``flow``, ``data`` or ``boundary``."""
    kind: str
    """The component's kind (``service``); for the other types the type."""
    label: str
    personal_data: bool
    stride: tuple[CoverageCell, ...]
    linddun: tuple[CoverageCell, ...] = ()


@dataclass(frozen=True, slots=True)
class Coverage:
    """The coverage of a model by an assessment, element by element."""

    system: str
    elements: tuple[ElementCoverage, ...]
    rules_run: int

    def counts(self, privacy: bool = False) -> dict[CoverageState, int]:
        """Cells per state (every state present), STRIDE cells or with ``privacy`` LINDDUN's."""
        counts = dict.fromkeys(CoverageState, 0)
        for element in self.elements:
            for cell in element.linddun if privacy else element.stride:
                counts[cell.state] += 1
        return counts

    def element(self, element_id: str, type_: str | None = None) -> ElementCoverage | None:
        """The coverage of one element (of ``type_`` when ids repeat across sections)."""
        for element in self.elements:
            if element.element == element_id and (type_ is None or element.type == type_):
                return element
        return None


# --- computing --------------------------------------------------------------------------------

_Key = tuple[str, str]
"""(element type, element id)."""


@dataclass(frozen=True, slots=True)
class _Categories:
    target: str | None
    stride: tuple[Stride, ...]
    linddun: tuple[Linddun, ...]


def compute_coverage(
    model: Model, assessment: Assessment, rules: Iterable[ScopedRule] = ()
) -> Coverage:
    """The coverage of ``model`` by ``assessment``; ``rules``: the metadata of the rules (at
    least those run). A rule run with no metadata here counts with the categories its results
    carry (an assessment read back from JSON), or not at all when it has none."""
    categories = _rule_categories(assessment, rules)
    rows = _rows(model)
    by_id: dict[str, list[_Key]] = {}
    for key in rows:
        by_id.setdefault(key[1], []).append(key)
    entries: dict[_Key, dict[str, CoverageEntry]] = {}

    def locate(element_id: str, rule_id: str) -> _Key | None:
        target = categories[rule_id].target if rule_id in categories else None
        if target in _TYPES:
            key = (str(target), element_id)
            return key if key in rows else None
        found = by_id.get(element_id)
        return found[0] if found else None

    def put(
        element_id: str,
        rule_id: str,
        entry: CoverageEntry,
        store: dict[_Key, dict[str, CoverageEntry]] = entries,
    ) -> None:
        """Keep the entry of the rule in the element's cells (the more pressing of two)."""
        key = locate(element_id, rule_id)
        if key is None or rule_id not in categories:
            return
        cell = store.setdefault(key, {})
        known = cell.get(rule_id)
        if known is None or entry.state.rank < known.state.rank:
            cell[rule_id] = entry

    run = set(assessment.rules_run)
    facts = _facts_missing(assessment)
    for summary in assessment.summaries:
        if summary.rule not in run or categories.get(summary.rule, _NONE).target == "model":
            continue
        rule_id = summary.rule
        for fired in summary.fired:
            put(fired.split(",")[0], rule_id, CoverageEntry(CoverageState.FINDING, rule_id))
        for element_id in summary.unknown:
            missing = ", ".join(facts.get((rule_id, element_id), ()))
            detail = f"facts missing: {missing}" if missing else "facts missing"
            put(element_id, rule_id, CoverageEntry(CoverageState.UNKNOWN, rule_id, detail=detail))
        for element_id in summary.passed:
            put(element_id, rule_id, CoverageEntry(CoverageState.CHECKED, rule_id, detail="passed"))
        for element_id, reason in summary.skipped:
            put(element_id, rule_id, CoverageEntry(
                CoverageState.CHECKED, rule_id, detail=f"does not apply: {reason}"
            ))
    # results say more than the outcome: they replace it (a decided finding is not "fired")
    results: dict[_Key, dict[str, CoverageEntry]] = {}
    for item in assessment.ruled_out:
        if item.elements:
            put(item.elements[0], item.rule, CoverageEntry(
                CoverageState.MITIGATED, item.rule, item.fingerprint, item.message
            ), results)
    results_of: list[Finding | ApplicableThreat] = [
        *assessment.findings, *assessment.applicable_threats
    ]
    for result in results_of:
        if result.elements:
            put(result.elements[0], result.rule, _result_entry(result), results)
    outcomes = entries
    for key, cell in results.items():
        outcomes.setdefault(key, {}).update(cell)
    controls = _control_entries(model, categories, outcomes, rows)
    return Coverage(
        system=model.system.name,
        elements=tuple(
            _element(key, rows[key], outcomes.get(key, {}), controls.get(key, ()), categories)
            for key in rows
        ),
        rules_run=len(assessment.rules_run),
    )


_NONE = _Categories(None, (), ())


def _rule_categories(
    assessment: Assessment, rules: Iterable[ScopedRule]
) -> dict[str, _Categories]:
    """The categories and target of every rule known, from the metadata given, else from the
    rule's results."""
    found = {
        r.id: _Categories(str(r.target), tuple(r.stride), tuple(r.linddun)) for r in rules
    }
    results: list[Finding | ApplicableThreat] = [
        *assessment.findings, *assessment.applicable_threats
    ]
    for result in results:
        if result.rule not in found:
            found[result.rule] = _Categories(None, result.stride, result.linddun)
    return found


@dataclass(frozen=True, slots=True)
class _Row:
    kind: str
    label: str
    personal: bool
    controls: tuple[str, ...]


def _rows(model: Model) -> dict[_Key, _Row]:
    """Every element of the model, components first, in model order.

    Personal data is read from what each element names (a component's ``stores`` and
    ``processes`` and the data of its flows; a flow's ``data``), not through the model's graph,
    so that a model built in code with a flow to no component still gets its coverage.
    """
    labels = element_labels(model)
    personal = {
        asset_id for asset_id, asset in model.data.items()
        if any(c == _PERSONAL or c.startswith(_PERSONAL + ".") for c in asset.categories)
    }
    holders: set[str] = set()
    for flow in model.flows:
        if not personal.isdisjoint(flow.data):
            holders.update((flow.source, flow.target))
    rows: dict[_Key, _Row] = {}
    for component_id, component in model.components.items():
        holds = component_id in holders or not personal.isdisjoint(
            (*component.stores, *component.processes)
        )
        rows[("component", component_id)] = _Row(
            component.kind.value, labels.get(component_id, component_id), holds,
            tuple(component.controls),
        )
    for flow in model.flows:
        rows.setdefault(("flow", flow.id), _Row(
            "flow", labels.get(flow.id, flow.id), not personal.isdisjoint(flow.data),
            tuple(flow.controls),
        ))
    for asset_id, asset in model.data.items():
        rows[("data", asset_id)] = _Row("data", asset.label, asset_id in personal, ())
    for boundary_id, boundary in model.boundaries.items():
        rows[("boundary", boundary_id)] = _Row("boundary", boundary.label, False, ())
    return rows


def _facts_missing(assessment: Assessment) -> dict[tuple[str, str], list[str]]:
    """(rule, element) -> the facts its model gaps ask for."""
    missing: dict[tuple[str, str], list[str]] = {}
    for gap in assessment.gaps:
        for rule_id in gap.rules:
            missing.setdefault((rule_id, gap.element), []).append(gap.fact)
    return missing


_DECIDED = {
    TrackingStatus.MITIGATED: CoverageState.MITIGATED,
    TrackingStatus.ACCEPTED: CoverageState.ACCEPTED,
    TrackingStatus.FALSE_POSITIVE: CoverageState.CHECKED,
    TrackingStatus.NOT_APPLICABLE: CoverageState.CHECKED,
}


def _result_entry(result: Finding | ApplicableThreat) -> CoverageEntry:
    """A finding's or threat's entry: open, or what the team decided."""
    if result.is_open:
        state = (
            CoverageState.THREAT if isinstance(result, ApplicableThreat) else CoverageState.FINDING
        )
        return CoverageEntry(state, result.rule, result.fingerprint, result.title)
    state = _DECIDED.get(result.status, CoverageState.CHECKED)
    detail = f"decided {result.status.value}: {result.title}"
    if result.decision is not None and result.decision.control:
        detail += f" (control {result.decision.control})"
    return CoverageEntry(state, result.rule, result.fingerprint, detail)


def _control_entries(
    model: Model,
    categories: Mapping[str, _Categories],
    outcomes: Mapping[_Key, Mapping[str, CoverageEntry]],
    rows: Mapping[_Key, _Row],
) -> dict[_Key, list[CoverageEntry]]:
    """Implemented controls that name a rule (or a finding's fingerprint), on the elements
    they apply to: those ``applies_to`` names or that list the control; a control for every
    element (``*``) counts where the rule looked (else it would paint every element)."""
    found: dict[_Key, list[CoverageEntry]] = {}
    for control in model.controls.values():
        if control.status is not ControlStatus.IMPLEMENTED:
            continue
        named = set(control.applies_to)
        for mitigated in dict.fromkeys(control.mitigates):
            rule_id, _, subjects = mitigated.partition("@")
            if rule_id not in categories:
                continue
            only = subjects.split(",")[0] if subjects else None
            for key, row in rows.items():
                element_id = key[1]
                if only is not None and element_id != only:
                    continue
                target = categories[rule_id].target
                if target in _TYPES and target != key[0]:
                    continue
                looked = rule_id in outcomes.get(key, {})
                attached = element_id in named or control.id in row.controls
                if attached or (control.applies_everywhere and (looked or only is not None)):
                    words = control.name or control.id
                    found.setdefault(key, []).append(CoverageEntry(
                        CoverageState.MITIGATED, rule_id, mitigated if only else "",
                        f"control {control.id}: {words}", control.id,
                    ))
    return found


def _element(
    key: _Key,
    row: _Row,
    outcomes: Mapping[str, CoverageEntry],
    controls: Sequence[CoverageEntry],
    categories: Mapping[str, _Categories],
) -> ElementCoverage:
    entries = [*outcomes.values(), *controls]

    def cell(category: Stride | Linddun) -> CoverageCell:
        mine = tuple(
            sorted(
                (
                    e for e in entries
                    if category in categories[e.rule].stride
                    or category in categories[e.rule].linddun
                ),
                key=lambda e: (e.state.rank, e.rule, e.control, e.fingerprint),
            )
        )
        state = mine[0].state if mine else CoverageState.NOT_CONSIDERED
        return CoverageCell(category, state, mine)

    stride = tuple(cell(c) for c in Stride)
    privacy = tuple(cell(c) for c in Linddun)
    # an element without personal data is listed when a privacy result says more than "looked"
    spoken = any(c.state.rank < CoverageState.CHECKED.rank for c in privacy)
    type_, element_id = key
    return ElementCoverage(
        element=element_id,
        type=type_,
        kind=row.kind,
        label=row.label,
        personal_data=row.personal,
        stride=stride,
        linddun=privacy if row.personal or spoken else (),
    )


# --- rendering --------------------------------------------------------------------------------


def coverage_to_dict(coverage: Coverage) -> dict[str, Any]:
    """The JSON document of ``threatforge coverage --format json`` (docs/coverage-command.md)."""

    def cell(c: CoverageCell) -> dict[str, Any]:
        return {
            "state": c.state.value,
            "results": [
                {
                    "rule": e.rule,
                    "state": e.state.value,
                    "fingerprint": e.fingerprint,
                    "control": e.control,
                    "detail": e.detail,
                }
                for e in c.entries
            ],
        }

    return {
        "threatforge_coverage": COVERAGE_FORMAT_VERSION,
        "system": coverage.system,
        "rules_run": coverage.rules_run,
        "states": {s.value: {"symbol": STATE_SYMBOLS[s], "meaning": _STATE_WORDS[s]}
                   for s in CoverageState},
        "summary": {
            "stride": {s.value: n for s, n in coverage.counts().items()},
            "linddun": {s.value: n for s, n in coverage.counts(privacy=True).items()},
        },
        "elements": [
            {
                "id": e.element,
                "type": e.type,
                "kind": e.kind,
                "label": e.label,
                "personal_data": e.personal_data,
                "stride": {c.category.value: cell(c) for c in e.stride},
                "linddun": {c.category.value: cell(c) for c in e.linddun},
            }
            for e in coverage.elements
        ],
    }


def coverage_legend() -> tuple[tuple[str, str, str], ...]:
    """(symbol, state, meaning) for each state, most pressing first."""
    return tuple((STATE_SYMBOLS[s], s.value, _STATE_WORDS[s]) for s in CoverageState)


def coverage_markdown(coverage: Coverage, *, heading: str = "##") -> list[str]:
    """The coverage as Markdown lines: the legend, the STRIDE matrix of every element and the
    LINDDUN matrix of the elements holding personal data (all model text escaped)."""
    lines = [
        f"{heading} Coverage",
        "",
        f"What the {coverage.rules_run} rules run say per element and STRIDE category "
        "(LINDDUN for elements holding personal data). Legend: "
        + "; ".join(f"`{symbol}` {words}" for symbol, _, words in coverage_legend())
        + ".",
        "",
    ]
    if not coverage.elements:
        return [*lines, "The model has no elements.", ""]
    counts = coverage.counts()
    lines += [
        "STRIDE cells: "
        + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        + ".",
        "",
        "| Element | Type | " + " | ".join(STRIDE_HEADERS[c] for c in Stride) + " |",
        "|---|---|" + "---|" * len(Stride),
    ]
    for element in coverage.elements:
        lines.append(_markdown_row(element, element.stride))
    lines.append("")
    private = [e for e in coverage.elements if e.linddun]
    if private:
        lines += [
            f"{heading}# Privacy (LINDDUN)",
            "",
            "| Element | Type | " + " | ".join(LINDDUN_HEADERS[c] for c in Linddun) + " |",
            "|---|---|" + "---|" * len(Linddun),
        ]
        for element in private:
            lines.append(_markdown_row(element, element.linddun))
        lines.append("")
    return lines


def _markdown_row(element: ElementCoverage, cells: Sequence[CoverageCell]) -> str:
    name = f"{markdown_cell(element.label)} ({markdown_code(element.element)})"
    symbols = " | ".join(STATE_SYMBOLS[c.state] for c in cells)
    return f"| {name} | {markdown_cell(element.kind)} | {symbols} |"
