"""The engine: run rules over a model and build an :class:`Assessment`. Pure: no I/O."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import graphlib
import hashlib
import itertools
import operator
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from threatforge.analysis.implied import implied_elements
from threatforge.assessment import (
    AnalysisKind,
    ApplicableThreat,
    Assessment,
    Question,
    QuestionFact,
    RuledOut,
    TeamThreat,
)
from threatforge.model import ComponentKind, DataAsset, Element, Flow, Model, TrackingStatus
from threatforge.rules._implied_threats import with_threats
from threatforge.rules.analyses import ALL_ANALYSES, compute_analyses
from threatforge.rules.interface import (
    PASS,
    Ask,
    Crosses,
    DataScope,
    Decision,
    Evidence,
    Finding,
    Fire,
    ModelGap,
    Rule,
    RuleFailure,
    RuleMeta,
    RuleSummary,
    Severity,
    Skip,
    StaleDecision,
    Supersedes,
    SupersedesWhere,
    Target,
    Unknown,
    Verdict,
    members,
)
from threatforge.rules.interface import RuledOut as RuledOutVerdict
from threatforge.rules.scoring import Score, data_at_stake, score
from threatforge.rules.team_threats import team_threats
from threatforge.rules.unread_facts import unread_warnings
from threatforge.rules.versions import REGROUPED_WHY, model_moves
from threatforge.text.hints import did_you_mean

__all__ = ["MAX_FINDINGS_PER_RULE", "analyze", "render_title"]

MAX_FINDINGS_PER_RULE = 1_000
"""Findings listed per rule; the rest become one summary finding with their count.

Findings are rules x elements: a 120 KB pack and model made 500,000 findings (13 s, 1.25 GB,
a 410 MB JSON file). No reviewer reads past a thousand instances of one threat: at that point
the rule or the model needs fixing, not listing. The summary keeps the gate closed: it is open,
scored as the most severe finding it stands for, and its fingerprint changes whenever the set
of findings it stands for changes (so a baseline never hides a new one among them)."""


def analyze(
    model: Model,
    rules: Sequence[Rule] | None = None,
    *,
    today: date | None = None,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    evidence: Sequence[Evidence] = (),
    analyses: Collection[AnalysisKind] = ALL_ANALYSES,
) -> Assessment:
    """Evaluate ``rules`` (default: the built-in rules) on ``model``.

    ``today`` decides whether accepted risks have expired (default: the current date; pass it
    for reproducible output). ``only``/``skip`` select rules by id. ``evidence`` (scanner results
    mapped to elements) raises the likelihood of findings with a matching CWE. ``analyses``
    are the graph analyses the assessment carries (default: all; see
    :func:`threatforge.rules.analyses.compute_analyses`), the others are ``not-run``.
    """
    if rules is None:
        from threatforge.rules.registry import builtin_rules

        rules = builtin_rules()
    today = today or date.today()
    wanted = set(only)
    unwanted = set(skip)
    selected = [
        r for r in rules if (not wanted or r.id in wanted) and r.id not in unwanted
    ]
    evidence_by_element: dict[str, list[Evidence]] = {}
    for item in evidence:
        evidence_by_element.setdefault(item.element, []).append(item)

    run = _Run(model, evidence_by_element)
    for current in selected:
        run.evaluate(current)
    kept, summaries, unknowns, cycles, replaced, gone = _supersede(
        model, selected, run.findings, run.summaries, run.unknowns
    )
    threats = [t for t in run.threats if (t.rule, t.element) not in gone]
    ruled_out = [r for r in run.ruled_out if (r.rule, r.elements[0]) not in gone]
    # Decisions about rules that exist but were not selected (--only/--skip) are not stale.
    not_run = {r.id for r in rules} - {r.id for r in selected}
    team = team_threats(model)
    moves = model_moves(  # fingerprints the model names that moved (regrouped, or renamed)
        model.tracking,
        {c.id: c.mitigates for c in model.controls.values() if c.mitigates},
        run.moved,
        {
            *(f.fingerprint for f in kept),
            *(t.fingerprint for t in threats),
            *(t.fingerprint for t in team),
        },
    )
    findings, tracked_threats, stale, warnings, tracked_team = _track(
        model, kept, today, not_run, replaced, threats, moves.tracking, team, moves.why
    )
    warnings = run.warnings + warnings + moves.warnings() + unread_warnings(model, rules)
    findings.sort(key=_report_order)
    tracked_threats.sort(key=_report_order)
    assessment = Assessment(
        system=model.system.name,
        files=model.files,
        findings=tuple(findings),
        summaries=tuple(summaries),
        gaps=_gaps(unknowns),
        rule_errors=(*run.failures, *cycles),
        stale=tuple(stale),
        warnings=tuple(warnings),
        rules_run=tuple(r.id for r in selected),
        as_of=today.isoformat(),
        applicable_threats=tuple(tracked_threats),
        ruled_out=tuple(ruled_out),
        team_threats=tuple(tracked_team),
        implied=with_threats(model, implied_elements(model), findings, tracked_threats),
        moved=moves.pairs,
    )
    # Free the run's indexes now, by reference counting, so the collector does not walk
    # them once it is back on.
    del run, findings, kept
    if analyses:
        assessment = dataclasses.replace(assessment, analyses=compute_analyses(model, analyses))
    return assessment


def _first(finding: Finding) -> str:
    """The element a finding is on; "" for the summary of findings past the cap (no element)."""
    return finding.elements[0] if finding.elements else ""


def _supersede(
    model: Model,
    rules: Sequence[Rule],
    findings: list[Finding],
    summaries: list[RuleSummary],
    unknowns: list[_UnknownFact],
) -> tuple[
    list[Finding],
    list[RuleSummary],
    list[_UnknownFact],
    list[RuleFailure],
    dict[str, str],
    Collection[tuple[str, str]],
]:
    """Apply the rules' ``supersedes`` declarations: one weakness, one finding.

    Where a rule fired and a rule it supersedes fired on the same element (or, for
    :attr:`SupersedesWhere.FLOWS_INTO`, on a flow into it; for
    :attr:`SupersedesWhere.FLOW_TARGET`, on the component its flow goes into), the superseded
    finding is dropped
    and its element is listed as skipped, "superseded by <rule>". So is an unknown of the
    superseded rule there, with the facts it asked for: the weakness is reported already, so
    the answer would change nothing. Only a finding
    that is kept supersedes: in a chain (a supersedes b supersedes c) a finding of a drops b's,
    and c's stays unless a supersedes c too; so rules are resolved superseding ones first.
    A rule from a pack or plugin never replaces a built-in finding by one of lower severity (a
    pack in the change under review cannot turn a high finding into a low one): both are kept.
    Declarations that form a cycle among the rules run are not applied: each is a rule failure
    (so the gate fails closed) rather than two
    findings dropping each other.

    Also returns, for each dropped finding, the fingerprint of the finding that replaced it, so
    a tracking entry left on the dropped one can say where its decision belongs now; and the
    (rule, element) pairs superseded, whose applicable threats are dropped as their unknowns are.
    """
    declared, failures = _acyclic_declarations(rules)
    if not declared:
        return findings, summaries, unknowns, failures, {}, ()
    alive: dict[str, set[str]] = {}  # rule -> the elements its findings are on
    worst: dict[tuple[str, str], int] = {}  # (rule, element) -> its findings' highest severity
    for finding in findings:
        alive.setdefault(finding.rule, set()).add(_first(finding))
        key = (finding.rule, _first(finding))
        worst[key] = max(worst.get(key, -1), finding.severity.rank)
    undecided = {s.rule: set(s.unknown) for s in summaries if s.unknown}
    flows = {flow.id: flow for flow in model.flows} if any(
        d.where is not SupersedesWhere.SAME_ELEMENT for _, d in declared
    ) else {}
    source = {r.id: r.meta.source for r in rules}
    by: dict[tuple[str, str], str] = {}  # (superseded rule, element) -> the superseding rule
    at: dict[tuple[str, str], str] = {}  # (superseded rule, element) -> the owner's element
    for victim, owners in _superseded_in_order(declared):
        found = alive.get(victim, set())
        asked = undecided.get(victim, set())
        for owner, where in owners:
            owned = alive.get(owner)  # final: its own superseders came first
            if not owned:
                continue
            into: dict[str, str] = {}  # FLOW_TARGET: component -> the first owned flow into it
            if where is SupersedesWhere.FLOW_TARGET:
                for flow_id in sorted(owned, reverse=True):
                    if (owned_flow := flows.get(flow_id)) is not None:
                        into[owned_flow.target] = flow_id
            for element in sorted(found | asked):
                if where is SupersedesWhere.FLOWS_INTO:
                    flow = flows.get(element)
                    on = flow.target if flow is not None else None
                elif where is SupersedesWhere.FLOW_TARGET:
                    on = into.get(element)
                else:
                    on = element
                if on is None or on not in owned or (victim, element) in by:
                    continue
                if source[owner] != "builtin" and source[victim] == "builtin" and (
                    worst.get((owner, on), -1) < worst.get((victim, element), -1)
                ):
                    continue  # a pack or plugin never lowers a built-in finding: both stay
                by[(victim, element)] = owner
                at[(victim, element)] = on
        if victim in alive:
            alive[victim] = {e for e in alive[victim] if (victim, e) not in by}
    if not by:
        return findings, summaries, unknowns, failures, {}, ()
    kept = [f for f in findings if (f.rule, _first(f)) not in by]
    owner_finding: dict[tuple[str, str], str] = {}  # (rule, element) -> its first fingerprint
    for f in kept:
        owner_finding.setdefault((f.rule, _first(f)), f.fingerprint)
    replaced = {
        f.fingerprint: owner_finding[(by[key], at[key])]
        for f in findings
        if (key := (f.rule, _first(f))) in by
    }
    dropped: dict[str, dict[str, str]] = {}  # rule -> fired entry ("a" or "a,b") -> its element
    for f in findings:
        if (f.rule, _first(f)) in by:
            dropped.setdefault(f.rule, {})[",".join(f.elements)] = _first(f)
    changed = []
    for summary in summaries:
        gone = dropped.get(summary.rule, {})
        moot = [e for e in summary.unknown if (summary.rule, e) in by]
        if not gone and not moot:
            changed.append(summary)
            continue
        skipped = dict.fromkeys(summary.skipped)
        for element in [*gone.values(), *moot]:
            skipped[(element, f"superseded by {by[(summary.rule, element)]}")] = None
        changed.append(dataclasses.replace(
            summary,
            fired=tuple(e for e in summary.fired if e not in gone),
            unknown=tuple(e for e in summary.unknown if (summary.rule, e) not in by),
            skipped=tuple(skipped),
        ))
    left = [u for u in unknowns if (u[3], u[0]) not in by]
    return kept, changed, left, failures, replaced, by.keys()


def _superseded_in_order(
    declared: Sequence[tuple[str, Supersedes]],
) -> list[tuple[str, list[tuple[str, SupersedesWhere]]]]:
    """Each superseded rule with the rules that supersede it (in the order they were run),
    superseding rules first: a rule comes after every rule that supersedes it."""
    owners: dict[str, list[tuple[str, SupersedesWhere]]] = {}
    for owner, declaration in declared:
        owners.setdefault(declaration.rule, []).append((owner, declaration.where))
    # a rule depends on the rules that supersede it; the graph is acyclic (_acyclic_declarations)
    graph = {victim: [owner for owner, _ in found] for victim, found in owners.items()}
    order = graphlib.TopologicalSorter(graph).static_order()
    return [(rule_id, owners[rule_id]) for rule_id in order if rule_id in owners]


def _acyclic_declarations(
    rules: Sequence[Rule],
) -> tuple[list[tuple[str, Supersedes]], list[RuleFailure]]:
    """The (rule, declaration) pairs among the rules run, without those on a cycle.

    A declaration naming a rule that is not run has nothing to supersede and is left out.
    """
    run = {r.id for r in rules}
    edges = [
        (r.id, d) for r in rules for d in r.meta.supersedes if d.rule in run and d.rule != r.id
    ]
    if not edges:
        return [], []
    graph: dict[str, set[str]] = {}
    for owner, declaration in edges:
        graph.setdefault(owner, set()).add(declaration.rule)

    def reaches(start: str, goal: str) -> bool:
        seen: set[str] = set()
        stack = [start]
        while stack:
            current = stack.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(graph.get(current, ()))
        return False

    declared: list[tuple[str, Supersedes]] = []
    failures: list[RuleFailure] = []
    for owner, declaration in edges:
        if reaches(declaration.rule, owner):
            failures.append(RuleFailure(
                owner, None,
                f"supersedes {declaration.rule}, which supersedes it back (directly or through "
                "other rules): neither is applied; remove one of the declarations",
            ))
        else:
            declared.append((owner, declaration))
    return declared, failures


_SEVERITY_RANK = {severity: severity.rank for severity in Severity}


def _report_order(finding: Finding | ApplicableThreat) -> tuple[int, int, str, str]:
    """Most severe first, then by risk (likelihood x impact), rule and fingerprint."""
    return (
        -_SEVERITY_RANK[finding.severity],
        -finding.likelihood * finding.impact,
        finding.rule,
        finding.fingerprint,
    )


def _verdicts(result: object) -> list[Verdict] | str:
    """The verdicts a check returned, or why what it returned is not a verdict.

    Exceptions raised while iterating (a generator rule) propagate to the caller's handler.
    """
    if isinstance(result, _VERDICT_TYPES):
        return [result]
    if isinstance(result, str | bytes | Mapping) or not isinstance(result, Iterable):
        return (
            f"returned {type(result).__name__}, not a verdict (Fire, PASS, Unknown, Skip or "
            "RuledOut)"
        )
    items = list(result)
    for item in items:
        if not isinstance(item, _VERDICT_TYPES):
            return (
                f"returned {type(item).__name__} among its verdicts, "
                "not Fire, PASS, Unknown, Skip or RuledOut"
            )
    return items


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _elements(model: Model, target: Target) -> Iterable[tuple[str, Any]]:
    if target is Target.COMPONENT:
        return model.components.items()
    if target is Target.FLOW:
        return [(f.id, f) for f in model.flows]
    if target is Target.DATA:
        return model.data.items()
    if target is Target.BOUNDARY:
        return model.boundaries.items()
    return (("model", model),)


_VERDICT_TYPES = (Fire, Unknown, Skip, type(PASS), RuledOutVerdict)
_PassType = type(PASS)
_SINGLE_VERDICT_TYPES = frozenset({Fire, Unknown})

_KIND_NAMES = {
    Target.COMPONENT: "component",
    Target.FLOW: "flow",
    Target.DATA: "data asset",
    Target.BOUNDARY: "boundary",
    Target.MODEL: "model",
}


_Item = tuple[int, str, Any]
"""An element with its position in the model: (position, id, element)."""


def _in_model_order(groups: list[list[_Item]]) -> list[_Item]:
    """The elements of several groups (each in model order), merged back into model order."""
    if len(groups) == 1:
        return groups[0]
    # sorted runs: Timsort merges them in O(n log groups)
    return sorted(itertools.chain.from_iterable(groups), key=_position)


_position = operator.itemgetter(0)
_ComponentGroup = tuple[ComponentKind, str | None]
"""Components grouped by (kind, technology)."""
_FlowGroup = tuple[ComponentKind | None, ComponentKind | None]
"""Flows grouped by the kinds of their (source, target); None for an end not in the model."""


@functools.lru_cache(maxsize=4096)
def _tech_matches(tech: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(tech, pattern) for pattern in patterns)


class _Run:
    def __init__(self, model: Model, evidence: Mapping[str, list[Evidence]]) -> None:
        self.model = model
        self.evidence = evidence
        self.findings: list[Finding] = []
        self.summaries: list[RuleSummary] = []
        self.failures: list[RuleFailure] = []
        self.unknowns: list[_UnknownFact] = []
        self.seen: set[str] = set()
        self.moved: dict[str, str] = {}
        """Fingerprints a rule's regrouped findings stand for -> their new fingerprint."""
        self.scopes: dict[tuple[object, ...], list[_Item]] = {}
        self.by_id: dict[Target, tuple[dict[str, _Item], dict[str, list[_Item]]]] = {}
        self.component_groups: dict[_ComponentGroup, list[_Item]] | None = None
        self.flow_groups: dict[_FlowGroup, list[_Item]] | None = None
        self.stakes: dict[
            tuple[type | None, str], tuple[tuple[DataAsset, ...], tuple[str, ...]]
        ] = {}
        self.warnings: list[str] = []
        self.threats: list[ApplicableThreat] = []
        self.ruled_out: list[RuledOut] = []

    def scope(self, current: Rule) -> Sequence[_Item]:
        """The elements a rule looks at, in model order, computed once per distinct scope.

        Components are scoped by ``kinds`` and ``tech``, flows by the kinds of their ends
        (``source_kinds``, ``target_kinds``) and by ``crosses``; both by ``properties``,
        ``data`` and ``among`` (see :class:`RuleMeta`). Anything else is every element of its
        target. Out of scope means not evaluated: neither passed nor skipped.
        """
        meta = current.meta
        target = meta.target
        if target is Target.COMPONENT:
            key: tuple[object, ...] = (
                target, meta.kinds, meta.tech, meta.properties, meta.data, meta.among,
            )
        elif target is Target.FLOW:
            key = (
                target, meta.source_kinds, meta.target_kinds, meta.properties, meta.data,
                meta.crosses, meta.among,
            )
        else:
            key = (target,)
        found = self.scopes.get(key)
        if found is None:
            found = self.scopes[key] = self.build_scope(meta)
        return found

    def build_scope(self, meta: RuleMeta) -> list[_Item]:
        """The elements in scope of the rule's metadata (see :meth:`scope`), in model order."""
        target = meta.target
        if target not in (Target.COMPONENT, Target.FLOW):
            return self.every(target)
        try:
            wanted = self.narrowing(meta)
        except Exception:  # e.g. a flow to a component that is not in the model breaks the graph
            return self.base(meta)  # evaluate everything, so that the rule reports what is wrong
        if not wanted:
            return self.base(meta)
        wanted.sort(key=len)
        ids = set(wanted[0]).intersection(*wanted[1:])
        if len(ids) * 8 > len(self.every(target)):
            return [item for item in self.base(meta) if item[1] in ids]
        # few elements left: look them up rather than walking the whole scope
        first, more = self.positions(target)
        chosen = [first[i] for i in ids if i in first]
        if more:  # elements that share an id (a hand-built model): every one is in scope
            chosen += [item for i in ids for item in more.get(i, ())]
        if meta.kinds or meta.tech or meta.source_kinds or meta.target_kinds:
            chosen = [item for item in chosen if self.in_ends_scope(meta, item[2])]
        chosen.sort(key=_position)
        return chosen

    def base(self, meta: RuleMeta) -> list[_Item]:
        """The elements of the rule's kinds and technologies (components) or end kinds (flows),
        in model order, computed once per distinct selection."""
        target = meta.target
        if target is Target.COMPONENT and (meta.kinds or meta.tech):
            key: tuple[object, ...] = ("base", target, meta.kinds, meta.tech)
            found = self.scopes.get(key)
            if found is None:
                found = self.scopes[key] = self.components_of(meta.kinds, meta.tech)
            return found
        if target is Target.FLOW and (meta.source_kinds or meta.target_kinds):
            key = ("base", target, meta.source_kinds, meta.target_kinds)
            found = self.scopes.get(key)
            if found is None:
                found = self.scopes[key] = self.flows_between(meta.source_kinds, meta.target_kinds)
            return found
        return self.every(target)

    def narrowing(self, meta: RuleMeta) -> list[Collection[str]]:
        """The sets of element ids the rule's ``properties``, ``data``, ``among`` and ``crosses``
        limit it to (each computed once per model)."""
        target = meta.target
        wanted: list[Collection[str]] = []
        if meta.properties:
            wanted.append(self.stating(target, meta.properties))
        if meta.data is not None:
            wanted.append(self.holding(target, meta.data))
        if meta.among is not None:
            wanted.append(members(meta.among, self.model))
        if target is Target.FLOW and meta.crosses is not None:
            graph = self.model.graph
            wanted.append(
                graph.inbound_flow_ids if meta.crosses is Crosses.INTO_MORE_TRUSTED
                else graph.crossing_flow_ids
            )
        return wanted

    def positions(self, target: Target) -> tuple[dict[str, _Item], dict[str, list[_Item]]]:
        """Every element of the target by id: the first with each id, and any others."""
        found = self.by_id.get(target)
        if found is None:
            first: dict[str, _Item] = {}
            more: dict[str, list[_Item]] = {}
            for item in self.every(target):
                if first.setdefault(item[1], item) is not item:
                    more.setdefault(item[1], []).append(item)
            found = self.by_id[target] = (first, more)
        return found

    def in_ends_scope(self, meta: RuleMeta, element: Any) -> bool:
        """Whether a component is of ``kinds`` and ``tech``, or a flow's ends of
        ``source_kinds``/``target_kinds`` (as :meth:`components_of` and :meth:`flows_between`
        decide it)."""
        if meta.target is Target.COMPONENT:
            return (not meta.kinds or element.kind in meta.kinds) and (
                not meta.tech
                or (element.tech is not None and _tech_matches(element.tech, meta.tech))
            )
        components = self.model.components
        sources, targets = meta.source_kinds, meta.target_kinds
        source = components.get(element.source)
        target = components.get(element.target)
        return (not sources or source is None or source.kind in sources) and (
            not targets or target is None or target.kind in targets
        )

    def every(self, target: Target) -> list[_Item]:
        """Every element of the target, in model order."""
        key = (target,)
        found = self.scopes.get(key)
        if found is None:
            if target is Target.FLOW:
                found = [(index, flow.id, flow) for index, flow in enumerate(self.model.flows)]
            else:
                found = [
                    (index, element_id, element)
                    for index, (element_id, element) in enumerate(_elements(self.model, target))
                ]
            self.scopes[key] = found
        return found

    def stating(self, target: Target, keys: frozenset[str]) -> set[str]:
        """The components or flows that state at least one of these ``properties:`` keys."""
        graph = self.model.graph
        found: set[str] = set()
        for name in keys:
            if target is Target.FLOW:
                found.update(flow.id for flow in graph.flows_stating(name))
            else:
                found.update(graph.components_stating(name))
        return found

    def holding(self, target: Target, scope: DataScope) -> frozenset[str]:
        """The components or flows holding data of the scope's kind (see :class:`DataScope`)."""
        graph = self.model.graph
        if target is Target.FLOW:
            return graph.flows_carrying(scope.matches)
        if scope.stored:
            return graph.components_storing(scope.matches)
        return graph.components_holding(scope.matches)

    def components_of(
        self, kinds: frozenset[ComponentKind], tech: tuple[str, ...]
    ) -> list[_Item]:
        """Components of these kinds (any when empty) whose technology matches one of the globs
        (any, including none, when empty), in model order.

        Components are grouped by (kind, technology) once, so each scope decides per group,
        not per component.
        """
        if self.component_groups is None:
            self.component_groups = {}
            for item in self.every(Target.COMPONENT):
                component = item[2]
                self.component_groups.setdefault((component.kind, component.tech), []).append(item)
        return _in_model_order([
            group
            for (kind, technology), group in self.component_groups.items()
            if (not kinds or kind in kinds)
            and (not tech or (technology is not None and _tech_matches(technology, tech)))
        ])

    def flows_between(
        self, sources: frozenset[ComponentKind], targets: frozenset[ComponentKind]
    ) -> list[_Item]:
        """Flows whose ends are of these kinds (any kind when empty), in model order.

        A flow whose end is not a component of the model stays in scope, so that the rule, not
        the scope, reports the problem. Flows are grouped by the kinds of their ends once.
        """
        if self.flow_groups is None:
            kind_of = {cid: component.kind for cid, component in self.model.components.items()}.get
            self.flow_groups = {}
            for item in self.every(Target.FLOW):
                flow = item[2]
                ends = (kind_of(flow.source), kind_of(flow.target))
                self.flow_groups.setdefault(ends, []).append(item)
        return _in_model_order([
            group
            for (source_kind, target_kind), group in self.flow_groups.items()
            if (not sources or source_kind is None or source_kind in sources)
            and (not targets or target_kind is None or target_kind in targets)
        ])

    def evaluate(self, current: Rule) -> None:
        fired: list[str] = []
        passed: list[str] = []
        unknown: list[str] = []
        skipped: list[tuple[str, str]] = []
        target = current.meta.target
        check = current.check
        model = self.model
        single = _SINGLE_VERDICT_TYPES
        model_level = target is Target.MODEL
        pass_element = passed.append
        skip_element = skipped.append
        made_count = 0
        omitted = _Omitted()
        for _, element_id, element in self.scope(current):
            try:
                result = check(element, model)
                # the common case, one PASS or Skip, without building a list
                kind_of_result = type(result)
                if kind_of_result is _PassType:
                    pass_element(element_id)
                    continue
                if kind_of_result is Skip:
                    skip_element((element_id, result.reason))  # type: ignore[union-attr]
                    continue
                verdicts = [result] if kind_of_result in single else _verdicts(result)
            except Exception as exc:  # a broken rule is reported; the run goes on
                self.failures.append(RuleFailure(
                    current.id, None if model_level else element_id, f"{type(exc).__name__}: {exc}"
                ))
                continue
            where = None if model_level else element_id
            if isinstance(verdicts, str):
                self.failures.append(RuleFailure(current.id, where, verdicts))
                continue
            if target is Target.MODEL and not verdicts:
                passed.append(element_id)
            for verdict in verdicts:
                if isinstance(verdict, Fire):
                    if model_level:
                        subjects = verdict.elements
                    elif verdict.elements:
                        subjects = (element_id, *verdict.elements)
                    else:
                        subjects = (element_id,)  # an element of the model: nothing to check
                    problem = self.check_subjects(subjects) if subjects[1:] or model_level else ""
                    if problem:
                        self.failures.append(RuleFailure(current.id, where, problem))
                        continue
                    # the subject is the element checked, never looked up by id: an id that
                    # two sections share (a flow and a component) must not swap them
                    first = None if model_level else element
                    try:
                        if made_count < MAX_FINDINGS_PER_RULE:
                            made = self.finding(current, subjects, verdict, first) is not None
                            made_count += made
                        else:
                            made = self.omit(current, subjects, verdict, omitted, first)
                    except Exception as exc:  # e.g. a title template that does not render
                        self.failures.append(
                            RuleFailure(current.id, where, f"{type(exc).__name__}: {exc}")
                        )
                        continue
                    if made:
                        fired.append(",".join(subjects))
                elif isinstance(verdict, Unknown):
                    unknown.append(element_id)
                    kind = self.kind_name(target, element)
                    for fact in verdict.facts:
                        self.unknowns.append((element_id, fact, kind, current.id))
                    if current.meta.asks and not model_level:
                        try:
                            self.threat(current, element_id, element, verdict)
                        except Exception as exc:  # e.g. a title template that does not render
                            self.failures.append(
                                RuleFailure(current.id, where, f"{type(exc).__name__}: {exc}")
                            )
                elif isinstance(verdict, Skip):
                    skipped.append((element_id, verdict.reason))
                else:
                    passed.append(element_id)
                    if (
                        isinstance(verdict, RuledOutVerdict)
                        and current.meta.asks
                        and not model_level
                    ):
                        self.ruled_out.append(self.ruled_out_record(current, element_id, element,
                                                                    verdict))
        if omitted.fingerprints:
            self.findings.append(omitted.summary(current.meta))
            self.warnings.append(omitted.warning(current.meta))
        many = target is Target.MODEL  # only model-level rules can name an element twice
        self.summaries.append(
            RuleSummary(
                current.id,
                _unique(fired),
                _unique(passed) if many else tuple(passed),
                _unique(unknown),
                tuple(dict.fromkeys(skipped)) if many else tuple(skipped),
            )
        )

    def check_subjects(self, subjects: Sequence[str]) -> str:
        """Why a Fire cannot become a finding (empty when it can)."""
        if not subjects:
            return "fired without naming any element"
        missing = [s for s in subjects if self.model.element(s) is None]
        if missing:
            return f"fired on '{missing[0]}', which is not an element of the model"
        return ""

    @staticmethod
    def kind_name(target: Target, element: Any) -> str:
        kind = getattr(element, "kind", None)
        if target is Target.COMPONENT and kind is not None:
            return str(kind.value)
        return _KIND_NAMES[target]

    def finding(
        self, current: Rule, subjects: Sequence[str], verdict: Fire, first: Element | None = None
    ) -> Finding | None:
        """The finding for a Fire on ``subjects`` (None when its fingerprint was already found).

        ``first`` is the element ``subjects[0]`` names, when the caller has it at hand.
        """
        meta = current.meta
        joined = ",".join(subjects)
        fingerprint = f"{meta.id}@{joined}"
        if fingerprint in self.seen:
            return None
        self.seen.add(fingerprint)
        for former in verdict.replaces:
            self.moved.setdefault(f"{meta.id}@{','.join(former)}", fingerprint)
        model = self.model
        data, data_ids = self.at_stake(joined, subjects, verdict.data, first)
        evidence = (
            [e for s in subjects for e in self.evidence.get(s, ())] if self.evidence else []
        )
        scored = score(meta, model, subjects, data, evidence, first)
        if first is None:
            first = model.element(subjects[0])
        label = first.label if first is not None else subjects[0]
        title = render_title(meta.title, label, verdict.detail)
        extra_evidence = tuple(
            f"{e.tool}: {e.rule_id} at {e.location} — {e.message}"
            for e in evidence
            if set(e.cwe) & set(meta.cwe)
        ) if evidence else ()
        finding = Finding(
            meta=meta,
            title=title,
            elements=tuple(subjects),
            fingerprint=fingerprint,
            likelihood=scored.likelihood,
            impact=scored.impact,
            severity=scored.severity,
            confidence=verdict.confidence or meta.confidence,
            explanation=scored.explanation,
            evidence=verdict.evidence + extra_evidence,
            data=data_ids,
            location=first.found_at if first is not None else None,
            likelihood_factors=scored.likelihood_factors,
            impact_factors=scored.impact_factors,
        )
        self.findings.append(finding)
        return finding

    def threat(
        self, current: Rule, element_id: str, element: Element, verdict: Unknown
    ) -> ApplicableThreat | None:
        """The applicable threat for an Unknown about a fact the rule asks for (None when the
        rule asks about none of its facts, or the fingerprint was already reported)."""
        meta = current.meta
        chosen = _question_for(meta.asks, verdict.facts)
        if chosen is None:
            return None
        ask, facts = chosen
        fingerprint = f"{meta.id}@{element_id}"
        if fingerprint in self.seen or len(self.threats) >= MAX_THREATS:
            return None
        self.seen.add(fingerprint)
        model = self.model
        subjects = (element_id,)
        data, data_ids = self.at_stake(element_id, subjects, verdict.data, element)
        scored = score(meta, model, subjects, data, [], element)
        label = element.label
        severity, explanation = scored.severity, scored.explanation
        if severity is Severity.CRITICAL:
            # a missing fact is a question, never a critical weakness (issue 15 item 5)
            severity = Severity.HIGH
            explanation = (
                "High (a threat not confirmed is at most high; critical once confirmed): "
                + explanation.partition(": ")[2]
            )
        threat = ApplicableThreat(
            meta=meta,
            title=render_title(ask.threat or meta.title, label),
            elements=subjects,
            fingerprint=fingerprint,
            likelihood=scored.likelihood,
            impact=scored.impact,
            severity=severity,
            explanation=explanation,
            why=verdict.why or (f"in the scope of the rule: {meta.detection}",),
            question=Question(
                render_title(ask.text, label),
                tuple(
                    QuestionFact(_asked_of(element_id, element, f.on), f.path, f.answers)
                    for f in facts
                ),
            ),
            data=data_ids,
            location=element.found_at,
            likelihood_factors=scored.likelihood_factors,
            impact_factors=scored.impact_factors,
        )
        self.threats.append(threat)
        return threat

    def ruled_out_record(
        self, current: Rule, element_id: str, element: Element, verdict: RuledOutVerdict
    ) -> RuledOut:
        """The record of a threat a stated fact rules out."""
        meta = current.meta
        return RuledOut(
            meta.id,
            f"{meta.id}@{element_id}",
            (element_id,),
            render_title(meta.title, element.label),
            verdict.evidence,
        )

    def omit(
        self,
        current: Rule,
        subjects: Sequence[str],
        verdict: Fire,
        omitted: _Omitted,
        first: Element | None = None,
    ) -> bool:
        """Count a Fire past :data:`MAX_FINDINGS_PER_RULE`: scored, not built into a finding
        (False when its fingerprint was already found)."""
        meta = current.meta
        fingerprint = f"{meta.id}@{','.join(subjects)}"
        if fingerprint in self.seen:
            return False
        self.seen.add(fingerprint)
        data = data_at_stake(self.model, subjects, verdict.data, first)
        evidence = (
            [e for s in subjects for e in self.evidence.get(s, ())] if self.evidence else []
        )
        scored = score(meta, self.model, subjects, data, evidence, first)
        omitted.add(fingerprint, subjects, scored)
        return True

    def at_stake(
        self,
        joined: str,
        subjects: Sequence[str],
        named: Sequence[str],
        first: Element | None = None,
    ) -> tuple[Sequence[DataAsset], tuple[str, ...]]:
        """The data a finding on ``subjects`` (``joined`` by commas) puts at risk, with their
        ids (see :func:`data_at_stake`); found once per set of subjects when the rule named none.
        """
        if named:
            data = data_at_stake(self.model, subjects, named, first)
            return data, tuple(a.id for a in data)
        key = (type(first), joined)  # one id may name elements of several sections
        found = self.stakes.get(key)
        if found is None:
            assets = tuple(data_at_stake(self.model, subjects, named, first))
            found = self.stakes[key] = (assets, tuple(a.id for a in assets))
        return found


class _Omitted:
    """The findings of one rule past :data:`MAX_FINDINGS_PER_RULE`, summarised as one."""

    SHOWN = 10
    """Elements named in the summary's evidence."""

    def __init__(self) -> None:
        self.fingerprints: list[str] = []
        self.elements: list[str] = []
        self.worst: Score | None = None
        self.by_severity: dict[Severity, int] = {}

    def add(self, fingerprint: str, subjects: Sequence[str], scored: Score) -> None:
        self.fingerprints.append(fingerprint)
        if len(self.elements) < self.SHOWN:
            self.elements.append(",".join(subjects))
        severity = scored.severity
        self.by_severity[severity] = self.by_severity.get(severity, 0) + 1
        worst = self.worst
        if worst is None or (severity.rank, scored.likelihood * scored.impact) > (
            worst.severity.rank, worst.likelihood * worst.impact
        ):
            self.worst = scored

    def counts(self) -> str:
        counts = self.by_severity
        return ", ".join(f"{counts[s]:,} {s.value}" for s in reversed(Severity) if s in counts)

    def warning(self, meta: RuleMeta) -> str:
        return (
            f"rule {meta.id}: {len(self.fingerprints):,} more findings not listed (at most "
            f"{MAX_FINDINGS_PER_RULE:,} per rule): {self.counts()}; one open finding stands "
            "for them all; narrow the rule or fix the model"
        )

    def summary(self, meta: RuleMeta) -> Finding:
        """One open finding standing for every omitted one, scored as the most severe."""
        worst = self.worst
        assert worst is not None  # noqa: S101 - only called when something was omitted
        count = len(self.fingerprints)
        # the fingerprint names the exact set, in no particular order: a decision or a baseline
        # entry on it never covers a finding added later
        digest = hashlib.sha256("\n".join(sorted(self.fingerprints)).encode()).hexdigest()[:16]
        more = f"; {count - len(self.elements):,} more" if count > len(self.elements) else ""
        return Finding(
            meta=meta,
            title=f"{count:,} more findings of rule {meta.id} not listed "
            f"(at most {MAX_FINDINGS_PER_RULE:,} per rule)",
            elements=(),  # too many to name (the evidence names the first few)
            fingerprint=f"{meta.id}@+{count}-more:{digest}",
            likelihood=worst.likelihood,
            impact=worst.impact,
            severity=worst.severity,
            confidence=meta.confidence,
            explanation=f"scored as the most severe of the {count:,} findings not listed "
            f"({self.counts()}): {worst.explanation}",
            evidence=(f"not listed: {', '.join(self.elements)}{more}",),
            data=(),
            likelihood_factors=worst.likelihood_factors,
            impact_factors=worst.impact_factors,
        )


MAX_THREATS = 10_000
"""Applicable threats listed per run; the rest are model gaps only (a warning says so)."""


def _asked_of(element_id: str, element: Element, on: str) -> str:
    """The element a question's fact is written on: the subject, or an end of a flow."""
    if on in ("source", "target") and isinstance(element, Flow):
        return element.source if on == "source" else element.target
    return element_id


def _question_for(
    asks: Sequence[Ask], unknown: Sequence[str]
) -> tuple[Ask, list[Any]] | None:
    """The first question that asks about one of the ``unknown`` facts, with all its facts
    (each answer decides the threat on its own, so every one is offered)."""
    for ask in asks:
        if any(f.path in unknown for f in ask.facts):
            return ask, list(ask.facts)
    return None


_Tracked = TypeVar("_Tracked", Finding, ApplicableThreat, TeamThreat)

_UnknownFact = tuple[str, str, str, str]
"""A fact a rule could not decide: (element, fact, element kind in words, rule)."""


def _gaps(unknowns: Iterable[_UnknownFact]) -> tuple[ModelGap, ...]:
    """Model gaps: each undecided (element, fact) with every rule that needed it."""
    rules: dict[tuple[str, str], set[str]] = {}
    kinds: dict[tuple[str, str], str] = {}
    for element, fact, kind, rule in unknowns:
        rules.setdefault((element, fact), set()).add(rule)
        kinds[(element, fact)] = kind
    gaps = [
        ModelGap(element, kinds[(element, fact)], fact, tuple(sorted(needed)))
        for (element, fact), needed in rules.items()
    ]
    gaps.sort(key=lambda g: (-len(g.rules), g.element, g.fact))
    return tuple(gaps)


def render_title(template: str, label: str, detail: str = "") -> str:
    """A finding title from a rule's template: ``{element}`` and ``{detail}`` filled in.

    Named fields only: a format spec, a conversion, attribute or index access is never applied
    (``{element:>1500000000}`` would build a 1.5 GB string), and such a field, or another
    placeholder, is kept as written. A template that does not parse (a stray brace) is used as
    written, so a typo in a rule pack's title never loses the finding.
    """
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError:
        return " ".join(template.split())
    values = {"element": label, "detail": detail}
    parts: list[str] = []
    for literal, field, spec, conversion in parsed:
        parts.append(literal)
        if field is None:
            continue
        if field == "":  # a positional field: str.format refused the whole template
            return " ".join(template.split())
        value = values.get(field)
        if value is not None and not spec and conversion is None:
            parts.append(value)
        else:
            parts.append(
                "{" + field + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "") + "}"
            )
    return " ".join("".join(parts).split())


_FORMATTER = string.Formatter()

_HINT_CUTOFF = 0.8
"""How close a finding's fingerprint must be to a stale tracking key to be suggested: a typo
(``missing-rate-limt@api``), not another element of the same rule (``no-limit@api`` for
``no-limit@batch``)."""


def _track(
    model: Model,
    findings: list[Finding],
    today: date,
    not_run: Collection[str] = (),
    replaced: Mapping[str, str] | None = None,
    threats: Sequence[ApplicableThreat] = (),
    moved: Mapping[str, str] | None = None,
    team: Sequence[TeamThreat] = (),
    why: Mapping[str, str] | None = None,
) -> tuple[
    list[Finding], list[ApplicableThreat], list[StaleDecision], list[str], list[TeamThreat]
]:
    """Apply the model's tracking decisions to findings and applicable threats (one vocabulary,
    keyed by the fingerprint); re-open expired acceptances; list stale entries.

    An entry is stale when it matches no finding and no applicable threat, unless it is about a
    rule that exists but was not run this time. The warning about a stale entry says where its
    decision belongs: the new fingerprint of a finding its rule regrouped (``moved``: former
    fingerprint -> the new one), the finding that superseded it (``replaced``: dropped
    fingerprint -> the finding that replaced it), or else the closest fingerprint of a finding
    that has no decision ("did you mean"), as a key with a typo most likely meant it.
    """
    replaced = replaced or {}
    moved = moved or {}
    warnings: list[str] = []
    matched: set[str] = set()
    tracked = [_decided(model, f, today, matched, warnings) for f in findings]
    tracked_threats = [_decided(model, t, today, matched, warnings) for t in threats]
    tracked_team = [_decided(model, t, today, matched, warnings) for t in team]
    stale = [
        StaleDecision(fingerprint, entry.status, entry.location, moved.get(fingerprint))
        for fingerprint, entry in sorted(model.tracking.items())
        if fingerprint not in matched and fingerprint.partition("@")[0] not in not_run
    ]
    # a key with a typo most likely meant a result (finding, applicable or team threat) that has
    # no decision yet
    fingerprints = [
        *(f.fingerprint for f in findings),
        *(t.fingerprint for t in threats),
        *(t.fingerprint for t in team),
    ]
    undecided = [f for f in fingerprints if f not in matched] if stale else []
    for item in stale:
        if item.moved_to is not None:
            warnings.append(
                f"tracking entry '{item.fingerprint}' matches no finding: the rule now reports "
                f"it as '{item.moved_to}' ({(why or {}).get(item.fingerprint, REGROUPED_WHY)}); "
                "move the decision to "
                f"'{item.moved_to}' (threatforge fmt --fix rewrites the key)"
            )
            continue
        owner = replaced.get(item.fingerprint)
        if owner is not None:
            warnings.append(
                f"tracking entry '{item.fingerprint}' matches no finding: {owner} supersedes it "
                f"(one weakness, one finding); move the decision to '{owner}' or remove the entry"
            )
            continue
        warnings.append(
            f"tracking entry '{item.fingerprint}' matches no finding: the threat is gone or the "
            "element was renamed; remove or update the entry"
            + did_you_mean(item.fingerprint, undecided, cutoff=_HINT_CUTOFF)
        )
    return tracked, tracked_threats, stale, warnings, tracked_team


def _decided(
    model: Model, result: _Tracked, today: date, matched: set[str], warnings: list[str]
) -> _Tracked:
    """The result with the tracking decision keyed by its fingerprint applied (if any)."""
    entry = model.tracking.get(result.fingerprint)
    if entry is None:
        return result
    matched.add(result.fingerprint)
    status = entry.status
    expired = entry.expires is not None and entry.expires < today
    if expired and status is TrackingStatus.ACCEPTED:
        status = TrackingStatus.OPEN
        warnings.append(
            f"accepted risk '{result.fingerprint}' expired on {entry.expires}: it is open "
            "again; renew the decision or fix it"
        )
    decision = Decision(
        entry.status,
        entry.justification,
        entry.owner,
        entry.ticket,
        entry.expires,
        expired,
        entry.control,
        entry.evidence,
    )
    return dataclasses.replace(result, status=status, decision=decision)
