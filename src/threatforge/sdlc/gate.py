"""The CI gate: which open findings fail a build, and the summary a person reads in the log.

The gate fails closed: a rule that raised (or a plugin that did not load) leaves the verdict
undecided (:attr:`GateResult.errored`, exit 2), never passed. A tracking decision hides its
finding only when it is complete and within the policy (:mod:`threatforge.sdlc.decisions`);
the verdict says how many findings decisions hid, and under ``--base`` what the change did
that hides a finding.

Pure: the caller loads the model, runs the engine, reads the baseline, prints and exits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from threatforge.assessment import (
    ApplicableThreat,
    Assessment,
    BaseComparison,
    Decision,
    Finding,
    GateMode,
    GateResult,
    InvalidDecision,
    PolicyViolation,
    RaisedSeverity,
    RuleFailure,
    Severity,
    TeamThreat,
)
from threatforge.rules import versions
from threatforge.sdlc.decisions import check_decision
from threatforge.sdlc.policy import LoadedPolicy, default_policy
from threatforge.text.terminal import quoted_terminal_text, terminal_text
from threatforge.text.terminal import terminal_text as _t

if TYPE_CHECKING:
    from threatforge.model import Model

__all__ = [
    "VERDICT_PREFIXES",
    "evaluate_gate",
    "gate_to_dict",
    "render_gate_text",
]


def evaluate_gate(
    assessment: Assessment,
    threshold: Severity,
    known: Mapping[str, Severity | None] | None = None,
    *,
    mode: GateMode | None = None,
    reference: str = "",
    model: Model | None = None,
    policy: LoadedPolicy | None = None,
    comparison: BaseComparison | None = None,
    fail_on_new_decisions: bool = False,
    failures: Sequence[RuleFailure] = (),
    unreviewed: Severity | None = None,
    known_threats: Collection[str] = (),
    rules_version: str | None = None,
) -> GateResult:
    """Open findings at or above ``threshold`` fail the gate.

    ``known`` maps the fingerprints that already existed to their severity then (None: ignore
    whatever the severity). A known finding fails only when its severity rose from below the
    threshold to at or above it.

    A finding a decision hides counts all the same when the decision is incomplete or outside
    ``policy`` (the built-in defaults when None); ``model`` gives the tracking entries' places
    and the declared controls a ``mitigated`` decision names. The assessment's rule errors and
    ``failures`` (say, of the base's analysis) make the result :attr:`~GateResult.errored`.

    ``unreviewed`` (``--fail-on-unreviewed``): open applicable threats at or above it fail the
    gate too, except those in ``known_threats`` (open at the base). A decision that takes a
    threat out (not-applicable, accepted, ...) counts only when it is valid, as for findings.

    A result of a warn-only rule never fails the gate; with ``rules_version``
    (``--rules-version``) neither does one of a rule the built-in rule set's version did not
    have yet, or an applicable threat of a rule that did not ask then
    (:meth:`threatforge.rules.versions.RulesChangelog.gates_at`): both are listed, not counted.
    An unknown version raises :class:`threatforge.rules.versions.RulesVersionError`.
    """
    chosen_policy = policy or default_policy()
    not_gated = _NotGated(rules_version, [m.rule for m in chosen_policy.guardrails.mandatory])
    today = date.fromisoformat(assessment.as_of)
    assessment, raised = _severity_floors(assessment, chosen_policy)
    violations = _guardrail_violations(assessment, chosen_policy)
    counted, hidden, invalid = _apply_decisions(assessment, chosen_policy, today, model)
    failing: list[Finding] = []
    tolerated: list[Finding] = []
    for finding in counted:
        if finding.severity.rank < threshold.rank:
            continue
        if known is not None and finding.fingerprint in known:
            before = known[finding.fingerprint]
            if before is None or before.rank >= threshold.rank:
                tolerated.append(finding)
                continue
        if not_gated.keeps_out(finding, threat=False):
            continue
        failing.append(finding)
    chosen = mode or (GateMode.ALL if known is None else GateMode.BASELINE)
    by_severity = Counter(f.severity for f in counted)
    open_threats, hidden_threats, invalid_threats = _apply_threat_decisions(
        assessment.applicable_threats, chosen_policy, today, model
    )
    invalid += invalid_threats
    open_team, closed_team, invalid_team = _apply_threat_decisions(
        assessment.team_threats, chosen_policy, today, model
    )
    invalid += invalid_team
    failing_team: list[TeamThreat] = []
    tolerated_team: list[TeamThreat] = []
    for team_threat in open_team:
        if team_threat.severity.rank < threshold.rank:
            continue
        if known is not None and team_threat.fingerprint in known:
            before = known[team_threat.fingerprint]
            if before is None or before.rank >= threshold.rank:
                tolerated_team.append(team_threat)
                continue
        failing_team.append(team_threat)
    counted_threats: list[ApplicableThreat] = []
    if unreviewed is not None:
        counted_threats = [
            t for t in open_threats
            if t.severity.rank >= unreviewed.rank and t.fingerprint not in known_threats
            and not not_gated.keeps_out(t, threat=True)
        ]
    return GateResult(
        system=assessment.system,
        threshold=threshold,
        mode=chosen,
        open_by_severity={s: by_severity.get(s, 0) for s in Severity},
        failing=tuple(failing),
        tolerated=tuple(tolerated),
        reference=reference,
        failures=tuple(assessment.rule_errors) + tuple(failures),
        hidden=tuple(hidden),
        invalid=tuple(invalid),
        policy=chosen_policy.applied(),
        comparison=comparison,
        fail_on_new_decisions=fail_on_new_decisions,
        unreviewed_threshold=unreviewed,
        unreviewed=tuple(counted_threats),
        open_threats=len(open_threats),
        closed_threats=tuple(hidden_threats),
        failing_team=tuple(failing_team),
        tolerated_team=tuple(tolerated_team),
        open_team_threats=len(open_team),
        closed_team=tuple(closed_team),
        team_threats=len(assessment.team_threats),
        rules_version=rules_version,
        latest_rules_version=not_gated.latest,
        newer=tuple(not_gated.newer),
        warn_only=tuple(not_gated.warn_only),
        violations=violations,
        raised=raised,
    )


def _severity_floors(
    assessment: Assessment, policy: LoadedPolicy
) -> tuple[Assessment, tuple[RaisedSeverity, ...]]:
    """Findings and applicable threats of mandatory rules raised to their severity floor."""
    floors = {
        m.rule: (m.min_severity, policy.cite("guardrails", "mandatory", i, "min_severity"))
        for i, m in enumerate(policy.guardrails.mandatory)
        if m.min_severity is not None
    }
    if not floors:
        return assessment, ()
    raised: list[RaisedSeverity] = []

    def lift(result: _R) -> _R:
        floor = floors.get(result.rule)
        if floor is None or result.severity.rank >= floor[0].rank:
            return result
        raised.append(RaisedSeverity(result.fingerprint, result.severity, floor[0], floor[1]))
        return replace(result, severity=floor[0])

    findings = tuple(lift(f) for f in assessment.findings)
    threats = tuple(lift(t) for t in assessment.applicable_threats)
    if not raised:
        return assessment, ()
    findings = tuple(sorted(findings, key=lambda f: -f.severity.rank))  # most severe first
    return replace(assessment, findings=findings, applicable_threats=threats), tuple(raised)


def _guardrail_violations(
    assessment: Assessment, policy: LoadedPolicy
) -> tuple[PolicyViolation, ...]:
    """The guardrails this run breaks: a mandatory rule that did not run, or that a rule
    which is not built in (a pack's, a plugin's) superseded on an element."""
    from threatforge.rules.registry import builtin_rules

    mandatory = policy.guardrails.mandatory
    if not mandatory:
        return ()
    ran = set(assessment.rules_run)
    builtin = {r.id for r in builtin_rules()}
    summaries = {s.rule: s for s in assessment.summaries}
    violations = []
    for index, rule in enumerate(m.rule for m in mandatory):
        where = policy.cite("guardrails", "mandatory", index, "rule")
        if rule not in ran:
            violations.append(PolicyViolation(
                where,
                f"mandatory rule {rule} did not run (not a rule of this threatforge, or a "
                "plugin that did not load): the gate cannot pass without it",
            ))
            continue
        summary = summaries.get(rule)
        for element, reason in summary.skipped if summary is not None else ():
            by = reason.removeprefix("superseded by ")
            if by != reason and by not in builtin:
                violations.append(PolicyViolation(
                    where,
                    f"mandatory rule {rule} was superseded by {by}, which is not a built-in "
                    "rule: its results must stand",
                    element,
                ))
    return tuple(violations)


class _NotGated:
    """The results a warn-only rule or a pinned rules version keeps out of the gate."""

    def __init__(self, rules_version: str | None, mandatory: Collection[str] = ()) -> None:
        self.rules_version = rules_version
        self.mandatory = frozenset(mandatory)
        self.changelog: versions.RulesChangelog | None = None
        self.latest: str | None = None
        if rules_version is not None:
            self.changelog = versions.builtin_changelog()
            self.changelog.index(rules_version)  # an unknown version is an error, listing them
            self.latest = self.changelog.latest
        self.newer: list[Finding | ApplicableThreat] = []
        self.warn_only: list[Finding | ApplicableThreat] = []

    def keeps_out(self, result: Finding | ApplicableThreat, *, threat: bool) -> bool:
        """Whether ``result`` (one that would fail the gate) is reported but not gated. A
        mandatory rule's results are always gated (the policy's guardrails)."""
        if result.rule in self.mandatory:
            return False
        if self.changelog is None or self.rules_version is None:
            counted = "warn-only" if result.warn_only else "gates"
        else:
            counted = self.changelog.gates_at(
                result.rule, self.rules_version, threat=threat, warn_only=result.warn_only
            )
        if counted == "newer":
            self.newer.append(result)
        elif counted == "warn-only":
            self.warn_only.append(result)
        return counted != "gates"


_Result = TypeVar("_Result", Finding, ApplicableThreat, TeamThreat)
_R = TypeVar("_R", Finding, ApplicableThreat)


def _apply_threat_decisions(
    threats: Sequence[_Result], policy: LoadedPolicy, today: date, model: Model | None
) -> tuple[list[_Result], list[_Result], list[InvalidDecision]]:
    """The results (findings, applicable or team threats) still open, those valid decisions
    close, and the decisions that may not (their result stays open and counts)."""
    open_threats: list[_Result] = []
    hidden: list[_Result] = []
    invalid: list[InvalidDecision] = []
    controls = None if model is None else model.controls
    for threat in threats:
        if threat.is_open:
            open_threats.append(threat)
            continue
        decision = threat.decision or Decision(threat.status, None, None, None, None)
        entry = None if model is None else model.tracking.get(threat.fingerprint)
        location = None if entry is None else entry.location
        problem = check_decision(
            threat, decision, policy.decisions, today, controls, location, cite=policy.cite
        )
        if problem is None:
            hidden.append(threat)
        else:
            invalid.append(problem)
            open_threats.append(threat)
    return open_threats, hidden, invalid


def _apply_decisions(
    assessment: Assessment, policy: LoadedPolicy, today: date, model: Model | None
) -> tuple[list[Finding], list[Finding], list[InvalidDecision]]:
    """The findings that count, those valid decisions hide, and the decisions that may not."""
    return _apply_threat_decisions(assessment.findings, policy, today, model)


def _counts(result: GateResult) -> str:
    return ", ".join(f"{result.open_by_severity[s]} {s.value}" for s in reversed(Severity))


MAX_FAILURES_SHOWN = 20
"""Rule failures listed in the verdict (every one is also reported on stderr)."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


VERDICT_PREFIXES = ("gate passed for ", "gate FAILED for ", "gate ERROR for ")
"""How the verdict line starts; no other line of :func:`render_gate_text` starts so."""


def render_gate_text(result: GateResult, unknown_names: int = 0) -> str:
    """A short, plain-text summary for a CI log (one line per failing finding), the verdict last.

    Model text (the system's name, titles, fingerprints, decisions) is escaped for the terminal
    (:func:`terminal_text`), so it stays on its line, and it never starts one: every line starts
    with threatforge's own words or an indent. So model text can print neither a CI workflow
    command nor a verdict of its own: the verdict is the last line, the only one that starts
    with one of :data:`VERDICT_PREFIXES`, and names the system in escaped quotes.

    ``unknown_names``: how many tech, property or protocol names of the model the vocabulary
    does not know (``check`` fails on them unless ``--allow-unknown-names``): they fail the
    verdict, since a misspelt name switches its rules off.
    """
    threshold = f"(fail on {result.threshold.value} or above)"
    system = quoted_terminal_text(result.system)
    lines = [f"check {system} {threshold}"]
    lines.append(f"open findings: {_counts(result)}")
    if result.mode is GateMode.BASELINE:
        lines.append(
            f"baseline {terminal_text(result.reference)}: {len(result.tolerated)} known "
            f"finding(s) at or above {result.threshold.value} not counted"
        )
    elif result.mode is GateMode.BASE:
        lines.append(
            f"compared with {terminal_text(result.reference)}: {len(result.tolerated)} "
            f"finding(s) at or above {result.threshold.value} already open there, not counted"
        )
    lines.extend(_decision_lines(result))
    lines.extend(_guardrail_lines(result))
    if result.comparison is not None:
        lines.extend(_comparison_lines(result.comparison, result.reference))
    if result.blocked_by_decisions and result.comparison is not None:
        found = result.comparison
        lines.append(
            f"--fail-on-new-decisions: this change adds {_plural(len(found.decisions), 'decision')}"
            f" and {_plural(len(found.hiding), 'change')} that hide a finding"
        )
    if result.failing:
        what = "finding" if len(result.failing) == 1 else "findings"
        qualifier = "" if result.mode is GateMode.ALL else "new or raised "
        lines.append(
            f"{len(result.failing)} {qualifier}{what} at or above {result.threshold.value}:"
        )
        shown = [(f, terminal_text(f.fingerprint)) for f in result.failing]
        width = max(len(fingerprint) for _, fingerprint in shown)
        for finding, fingerprint in shown:
            lines.append(
                f"  {finding.severity.value:<8}  {fingerprint:<{width}}  "
                f"{terminal_text(finding.title)}"
            )
    lines.extend(_team_lines(result))
    if result.unreviewed_threshold is not None:
        level = result.unreviewed_threshold.value
        lines.append(
            f"open applicable threats: {result.open_threats} (--fail-on-unreviewed {level})"
        )
    if result.unreviewed and result.unreviewed_threshold is not None:
        what = "threat" if len(result.unreviewed) == 1 else "threats"
        level = result.unreviewed_threshold.value
        lines.append(
            f"{len(result.unreviewed)} unreviewed applicable {what} at or above {level} "
            "(answer the question, or record a decision in tracking:):"
        )
        shown_threats = [(t, terminal_text(t.fingerprint)) for t in result.unreviewed]
        width = max(len(fingerprint) for _, fingerprint in shown_threats)
        for threat, fingerprint in shown_threats:
            lines.append(
                f"  {threat.severity.value:<8}  {fingerprint:<{width}}  "
                f"{terminal_text(threat.title)}"
            )
    lines.extend(_not_gated_lines(result))
    if result.failures:
        lines.append(
            f"{_plural(len(result.failures), 'rule failure')}: the rules could not all run, so "
            "the gate cannot pass (exit 2); fix the model or the rule:"
        )
        for failure in result.failures[:MAX_FAILURES_SHOWN]:
            where = f" on {terminal_text(failure.element)}" if failure.element else ""
            lines.append(f"  {terminal_text(failure.rule)}{where}: {terminal_text(failure.error)}")
        if len(result.failures) > MAX_FAILURES_SHOWN:
            lines.append(f"  ... and {len(result.failures) - MAX_FAILURES_SHOWN} more")
    if unknown_names:
        what = "name" if unknown_names == 1 else "names"
        lines.append(
            f"vocabulary: {unknown_names} unknown tech, property or protocol {what} (rules do "
            "not read them: a misspelling switches its rules off; `threatforge validate` lists "
            "them, --allow-unknown-names lets them pass)"
        )
    if result.errored:
        failures = _plural(len(result.failures), "rule failure")
        lines.append(f"gate ERROR for {system}: {failures}, no verdict {threshold}")
    else:
        passed = result.passed and not unknown_names
        lines.append(f"gate {'passed' if passed else 'FAILED'} for {system} {threshold}")
    return "\n".join(lines) + "\n"


def _guardrail_lines(result: GateResult) -> list[str]:
    """The severity floors applied and the guardrails broken, each with its policy line."""
    lines: list[str] = []
    if result.raised:
        lines.append(
            f"{_plural(len(result.raised), 'result')} counted at a mandatory rule's severity floor:"
        )
        for item in result.raised:
            lines.append(
                f"  {_t(item.fingerprint)}: {item.before.value} -> {item.after.value} "
                f"({_t(item.where)})"
            )
    if result.violations:
        lines.append(f"{_plural(len(result.violations), 'policy guardrail')} broken:")
        for violation in result.violations:
            on = f" ({_t(violation.element)})" if violation.element else ""
            lines.append(f"  {_t(violation.where)}: {_t(violation.message)}{on}")
    return lines


def _not_gated_lines(result: GateResult) -> list[str]:
    """The pinned rules version, and the results it or a warn-only rule keeps out of the gate."""
    lines: list[str] = []
    version = result.rules_version
    if version is not None:
        lines.append(
            f"rules version: {_t(version)} (pinned; latest {_t(result.latest_rules_version or '')}"
            "): only what it counted fails the gate"
        )
    groups = (
        (result.newer, f"from rules newer than {_t(version or '')}"),
        (result.warn_only, "of warn-only rules"),
    )
    for results, what in groups:
        if not results:
            continue
        count = len(results)
        verb = "is" if count == 1 else "are"
        lines.append(f"{_plural(count, 'result')} {what} {verb} reported, not gated:")
        shown = [(r, _t(r.fingerprint)) for r in results]
        width = max(len(fingerprint) for _, fingerprint in shown)
        for item, fingerprint in shown:
            lines.append(f"  {item.severity.value:<8}  {fingerprint:<{width}}  {_t(item.title)}")
    return lines


def _team_lines(result: GateResult) -> list[str]:
    """The team threats' part of the verdict: nothing when the model has none."""
    if not result.team_threats:
        return []
    level = result.threshold.value
    lines = [
        f"open team threats: {result.open_team_threats} of {result.team_threats} "
        f"({len(result.closed_team)} closed by decisions)"
    ]
    if result.tolerated_team:
        lines.append(
            f"{_plural(len(result.tolerated_team), 'team threat')} at or above {level} already "
            f"open at {terminal_text(result.reference)}, not counted"
        )
    if result.failing_team:
        what = "threat" if len(result.failing_team) == 1 else "threats"
        lines.append(
            f"{len(result.failing_team)} open team {what} at or above {level} (mitigate it, or "
            "record a decision in tracking:):"
        )
        shown = [(t, terminal_text(t.fingerprint)) for t in result.failing_team]
        width = max(len(fingerprint) for _, fingerprint in shown)
        for threat, fingerprint in shown:
            lines.append(
                f"  {threat.severity.value:<8}  {fingerprint:<{width}}  "
                f"{terminal_text(threat.statement)}"
            )
    return lines


def _decision_lines(result: GateResult) -> list[str]:
    statuses = Counter(f.status.value for f in result.hidden)
    detail = ", ".join(f"{statuses[k]} {k}" for k in sorted(statuses))
    hidden = len(result.hidden)
    line = f"{hidden} {'finding' if hidden == 1 else 'findings'} not counted because of decisions"
    lines = [line + (f" ({detail})" if detail else "")]
    if result.policy is not None:
        lines.append(_t(result.policy.description))
    if result.invalid:
        count = len(result.invalid)
        lines.append(
            f"{_plural(count, 'decision')} {'does' if count == 1 else 'do'} not hide "
            f"{'its finding' if count == 1 else 'their findings'} (counted as open):"
        )
        for item in result.invalid:
            where = f"{_t(str(item.location))}: " if item.location is not None else ""
            lines.append(
                f"  {where}{_t(item.fingerprint)} ({item.status.value}, {item.severity.value}): "
                + "; ".join(_t(p) for p in item.problems)
            )
            lines.append(f"    write: {_t(item.rewrite)}")
    return lines


def _comparison_lines(comparison: BaseComparison, reference: str) -> list[str]:
    reference = _t(reference)
    lines: list[str] = []
    if comparison.scoring:
        lines.append(f"scoring inputs changed since {reference}:")
        lines.extend(f"  {_t(change)}" for change in comparison.scoring)
    if comparison.decisions:
        lines.append(f"decisions added or changed since {reference}:")
        for item in comparison.decisions:
            where = f"{_t(str(item.location))}: " if item.location is not None else ""
            what = "added" if item.added else "; ".join(_t(c) for c in item.changes)
            lines.append(f"  {where}{_t(item.fingerprint)}: {item.status.value} ({what})")
    if comparison.hiding:
        lines.append(f"changes that hide a finding open at {reference}:")
        shown = [(h, _t(h.fingerprint)) for h in comparison.hiding]
        width = max(len(fingerprint) for _, fingerprint in shown)
        for hiding, fingerprint in shown:
            lines.append(
                f"  {hiding.severity.value:<8}  {fingerprint:<{width}}  {_t(hiding.reason)}"
            )
    return lines


def gate_to_dict(result: GateResult) -> dict[str, Any]:
    """The gate's verdict as plain JSON data."""
    return {
        "system": result.system,
        "passed": result.passed,
        "fail_on": result.threshold.value,
        "mode": result.mode.value,
        "reference": result.reference or None,
        "open_by_severity": {s.value: result.open_by_severity[s] for s in reversed(Severity)},
        "failing": [_finding(f) for f in result.failing],
        "tolerated": [f.fingerprint for f in result.tolerated],
        "errored": result.errored,
        "rule_failures": [
            {"rule": f.rule, "element": f.element, "error": f.error} for f in result.failures
        ],
        "decisions": _decisions_to_dict(result),
        # only when the policy has guardrails that acted (other verdicts are unchanged)
        **(
            {
                "policy_violations": [
                    {"where": v.where, "message": v.message, "element": v.element}
                    for v in result.violations
                ],
                "raised_severity": [
                    {
                        "fingerprint": r.fingerprint,
                        "before": r.before.value,
                        "after": r.after.value,
                        "where": r.where,
                    }
                    for r in result.raised
                ],
            }
            if result.violations or result.raised
            else {}
        ),
        "fail_on_unreviewed": (
            None if result.unreviewed_threshold is None else result.unreviewed_threshold.value
        ),
        "open_applicable_threats": result.open_threats,
        "unreviewed": [_finding(t) for t in result.unreviewed],
        # only when a version is pinned or a warn-only rule kept something out
        **(
            {
                "rules_version": result.rules_version,
                "latest_rules_version": result.latest_rules_version,
                "not_gated": [
                    _finding(r) | {"why": why}
                    for results, why in ((result.newer, "newer"), (result.warn_only, "warn-only"))
                    for r in results
                ],
            }
            if result.rules_version is not None or result.newer or result.warn_only
            else {}
        ),
        # only when the model has team threats (the verdict of other models is unchanged)
        **(
            {
                "open_team_threats": result.open_team_threats,
                "failing_team_threats": [_finding(t) for t in result.failing_team],
                "tolerated_team_threats": [t.fingerprint for t in result.tolerated_team],
            }
            if result.team_threats
            else {}
        ),
    }


def _decisions_to_dict(result: GateResult) -> dict[str, Any]:
    policy = result.policy
    document: dict[str, Any] = {
        "not_counted": [f.fingerprint for f in result.hidden],
        "invalid": [
            {
                "fingerprint": item.fingerprint,
                "status": item.status.value,
                "severity": item.severity.value,
                "location": None if item.location is None else str(item.location),
                "problems": list(item.problems),
                "rewrite": item.rewrite,
            }
            for item in result.invalid
        ],
        "policy": None
        if policy is None
        else {
            "source": policy.source,
            "digest": policy.digest,
            "horizon_days": policy.horizon_days,
        },
        "fail_on_new_decisions": result.fail_on_new_decisions,
    }
    comparison = result.comparison
    if comparison is not None:
        document["changed_in_this_change"] = [
            {
                "fingerprint": item.fingerprint,
                "status": item.status.value,
                "added": item.added,
                "changes": list(item.changes),
                "location": None if item.location is None else str(item.location),
            }
            for item in comparison.decisions
        ]
        document["hiding_changes"] = [
            {
                "fingerprint": h.fingerprint,
                "severity": h.severity.value,
                "title": h.title,
                "reason": h.reason,
            }
            for h in comparison.hiding
        ]
        document["scoring_changes"] = list(comparison.scoring)
    return document


def _finding(finding: Finding | ApplicableThreat | TeamThreat) -> dict[str, Any]:
    location = finding.location
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "title": finding.title,
        "elements": list(finding.elements),
        "status": finding.status.value,
        "location": None if location is None else str(location),
    }
