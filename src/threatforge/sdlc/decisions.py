"""What hides a finding from the gate, and whether it may.

Two things can make a weakness stop counting: a **decision** in ``tracking:`` (accepted,
mitigated, false-positive) and a **change to the model** (a fact deleted or made unknown, a
control added, the criticality or a classification lowered). A pull request can write both, so
the gate does not take either on trust:

* a decision hides its finding only when it is complete and within the policy: an owner, a
  reason (``justification``), an expiry no further than the policy's horizon, for ``mitigated``
  the control or evidence that mitigates it, and an owner the policy allows for the finding's
  severity (:func:`check_decision`); otherwise the finding counts and the gate says why, with
  the entry to write;
* under ``--base``, the decisions added or changed by the change, the findings that disappeared
  because of what the change did to facts or scoring inputs, and the scoring inputs it changed
  are listed beside the verdict (:func:`compare_with_base`).

Pure: models and assessments in, data out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta

from threatforge.assessment import (
    ApplicableThreat,
    Assessment,
    BaseComparison,
    DecisionChange,
    HidingChange,
    InvalidDecision,
    TeamThreat,
)
from threatforge.model import Control, ControlStatus, Location, Model, TrackingStatus
from threatforge.rules.interface import Decision, Finding, Outcome, RuleMeta, Severity, Target
from threatforge.sdlc.policy import DecisionRules

__all__ = [
    "HIDING_STATUSES",
    "check_decision",
    "compare_with_base",
    "known_at_base",
    "known_with_counterparts",
]

HIDING_STATUSES = frozenset(
    {
        TrackingStatus.ACCEPTED,
        TrackingStatus.MITIGATED,
        TrackingStatus.FALSE_POSITIVE,
        TrackingStatus.NOT_APPLICABLE,
    }
)
"""Decisions that take a finding (or an applicable threat) out of the gate's count."""


def check_decision(
    finding: Finding | ApplicableThreat | TeamThreat,
    decision: Decision,
    rules: DecisionRules,
    today: date,
    controls: Mapping[str, Control] | None = None,
    location: Location | None = None,
    *,
    cite: Callable[..., str] | None = None,
) -> InvalidDecision | None:
    """None when ``decision`` may hide ``finding`` (or close an applicable threat); else what is
    wrong with it.

    ``controls`` are the model's declared controls (None: a named control is not looked up);
    ``cite`` names the policy file's line of a key path (``LoadedPolicy.cite``), so a problem
    the policy makes says which line it breaks.
    """
    latest = today + timedelta(days=rules.horizon_days)
    problems: list[str] = []
    if not decision.owner:
        problems.append("no owner (who decided)")
    if not decision.justification:
        problems.append("no reason (justification)")
    if decision.expires is None:
        problems.append(f"no expiry (expires: at the latest {latest})")
    elif decision.expires > latest:
        problems.append(
            f"expires {decision.expires}, beyond the {rules.horizon_days}-day horizon "
            f"(at the latest {latest})"
        )
    elif decision.expires < today:
        problems.append(f"expired on {decision.expires}")
    if decision.status is TrackingStatus.MITIGATED:
        problems.extend(_mitigation_problems(decision, controls))
    allowed = rules.accept.get(finding.severity)
    if allowed is not None and decision.owner and decision.owner not in allowed:
        who = ", ".join(allowed) if allowed else "nobody"
        severity = finding.severity.value
        where = f"policy {cite('decisions', 'accept', severity)}" if cite else "policy"
        problems.append(
            f"owner '{decision.owner}' may not decide a {finding.severity.value} finding "
            f"({where}: {who})"
        )
    if finding.rule in rules.never_accept:
        index = rules.never_accept.index(finding.rule)
        where = f"policy {cite('decisions', 'never_accept', index)}" if cite else "policy"
        problems.append(
            f"{finding.rule} may never be decided away ({where}: decisions.never_accept): fix it"
        )
    if not problems:
        return None
    return InvalidDecision(
        finding.fingerprint,
        decision.status,
        finding.severity,
        location,
        tuple(problems),
        _rewrite(finding.fingerprint, decision, latest),
    )


def _mitigation_problems(decision: Decision, controls: Mapping[str, Control] | None) -> list[str]:
    if decision.control is None:
        if decision.evidence:
            return []
        return ["names no control or evidence (control: a declared control id, or evidence:)"]
    if controls is None:
        return []
    control = controls.get(decision.control)
    if control is None:
        return [f"control '{decision.control}' is not declared under 'controls:'"]
    if control.status is not ControlStatus.IMPLEMENTED:
        return [f"control '{decision.control}' is {control.status.value}, not implemented"]
    return []


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)


def _rewrite(fingerprint: str, decision: Decision, latest: date) -> str:
    """The entry as it should be written: what is there kept, what is missing filled in."""
    expires = decision.expires
    if expires is None or expires > latest:
        expires = latest
    parts = [
        f"status: {decision.status.value}",
        f"justification: {_quote(decision.justification or '<why>')}",
        f"owner: {_quote(decision.owner or '<who decided>')}",
        f"expires: {expires}",
    ]
    if decision.ticket:
        parts.append(f"ticket: {_quote(decision.ticket)}")
    if decision.status is TrackingStatus.MITIGATED:
        if decision.control is not None or not decision.evidence:
            parts.append(f"control: {_quote(decision.control or '<control id>')}")
        if decision.evidence:
            parts.append(f"evidence: {_quote(decision.evidence)}")
    return f"{_quote(fingerprint)}: {{{', '.join(parts)}}}"


# --- what a change did, compared with its base -----------------------------------------------


_DECISION_FIELDS = ("status", "justification", "owner", "ticket", "expires", "control", "evidence")


def compare_with_base(
    base_model: Model,
    base_assessment: Assessment,
    model: Model,
    assessment: Assessment,
    threshold: Severity,
) -> BaseComparison:
    """New decisions, findings hidden by changed facts or scoring inputs, and those inputs."""
    scoring = tuple(_scoring_changes(base_model, model))
    return BaseComparison(
        decisions=tuple(_decision_changes(base_model, model)),
        hiding=tuple(_hidden(base_assessment, model, assessment, threshold, bool(scoring))),
        scoring=scoring,
    )


def known_at_base(base: Assessment, assessment: Assessment) -> dict[str, Severity | None]:
    """The fingerprints of ``assessment`` already open at the base, with their severity then
    (see :func:`known_with_counterparts`)."""
    known: dict[str, Severity | None] = {f.fingerprint: f.severity for f in base.open_findings}
    known.update((t.fingerprint, t.severity) for t in base.open_team_threats)
    return known_with_counterparts(known, assessment)


def known_with_counterparts(
    known: Mapping[str, Severity | None], assessment: Assessment
) -> dict[str, Severity | None]:
    """``known`` (fingerprints at the base or in a baseline, with their severity then), plus the
    findings of ``assessment`` that are one of them under another fingerprint.

    A finding of a model-level rule (one that judges the whole system, such as "no zone is
    marked as the CDE") names the elements that made it fire, so its fingerprint changes when
    the change adds or removes one of them (``pci-no-cde-defined@card`` becomes
    ``pci-no-cde-defined@card,cvv``): it is the same finding, not a new one. Only for a
    model-level rule, and only when one finding's elements include all of the other's: an
    attack path through another weak hop (``attack-path@web->vault`` beside
    ``attack-path@web->db``) is a new finding.

    A fingerprint the rules changelog records as changed (a baseline written before an upgrade)
    is the finding now fingerprinted the new way (docs/rule-versions.md).
    """
    result = dict(known)
    present = {f.fingerprint: f for f in assessment.findings}
    stale = [fingerprint for fingerprint in known if fingerprint not in present]
    if stale:
        from threatforge.rules.versions import builtin_changelog

        for old, new in builtin_changelog().moves(stale, present).items():
            result.setdefault(new, known[old])
    by_rule: dict[str, list[tuple[frozenset[str], Severity | None]]] = {}
    for fingerprint, severity in known.items():
        rule, _, elements = fingerprint.partition("@")
        by_rule.setdefault(rule, []).append((frozenset(elements.split(",")), severity))
    for finding in assessment.findings:
        if finding.fingerprint in known or not _model_level(finding):
            continue
        mine = frozenset(finding.elements)
        for theirs, severity in by_rule.get(finding.rule, ()):
            if theirs <= mine or mine <= theirs:
                result[finding.fingerprint] = severity
                break
    return result


def _model_level(finding: Finding) -> bool:
    meta = finding.meta
    return isinstance(meta, RuleMeta) and meta.target is Target.MODEL


def _counterpart(finding: Finding, others: Iterable[Finding]) -> Finding | None:
    """The finding of ``others`` that is ``finding`` under another fingerprint, if any (the
    same model-level rule, one's elements including all of the other's; see
    :func:`known_with_counterparts`)."""
    if not _model_level(finding):
        return None
    elements = set(finding.elements)
    for other in others:
        if other.rule != finding.rule or other.fingerprint == finding.fingerprint:
            continue
        theirs = set(other.elements)
        if theirs <= elements or elements <= theirs:
            return other
    return None


def _decision_changes(base: Model, model: Model) -> Iterable[DecisionChange]:
    for fingerprint, entry in sorted(model.tracking.items()):
        if entry.status not in HIDING_STATUSES:
            continue
        old = base.tracking.get(fingerprint)
        if old is None:
            yield DecisionChange(fingerprint, entry.status, True, (), entry.location)
            continue
        changes = []
        for name in _DECISION_FIELDS:
            before, after = getattr(old, name, None), getattr(entry, name, None)
            if before != after:
                changes.append(f"{name} {_shown(before)} -> {_shown(after)}")
        if changes:
            yield DecisionChange(fingerprint, entry.status, False, tuple(changes), entry.location)


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, TrackingStatus):
        return value.value
    if isinstance(value, str):
        return _quote(value) if len(value) <= 60 else _quote(value[:57] + "...")
    return str(value)


def _hidden(
    base: Assessment, model: Model, assessment: Assessment, threshold: Severity, scored: bool
) -> Iterable[HidingChange]:
    """Findings open at the base that are gone, or fell below the threshold, without a fix.

    A finding whose rule now *passes* on the same element was fixed by a changed fact (unless a
    scoring input changed too) and one whose element is gone went with it: neither is listed.
    One that a decision now hides is listed with the decisions instead.
    """
    now = {f.fingerprint: f for f in assessment.findings}
    for old in base.open_findings:
        new = now.get(old.fingerprint) or _counterpart(old, assessment.findings)
        if new is not None:
            if not new.is_open:
                continue  # a decision: listed with the decisions
            if old.severity.rank >= threshold.rank > new.severity.rank:
                cause = "scoring inputs changed (see above)" if scored else "a fact changed"
                yield HidingChange(
                    old.fingerprint,
                    old.severity,
                    old.title,
                    f"severity {old.severity.value} -> {new.severity.value}, below the "
                    f"threshold (likelihood {old.likelihood} -> {new.likelihood}, impact "
                    f"{old.impact} -> {new.impact}): {cause}",
                )
            continue
        subject = old.elements[0] if old.elements else ""
        if model.element(subject) is None:
            continue  # the element was removed (or renamed: its findings are new ones)
        summary = assessment.summary_of(old.rule)
        if summary is None:
            yield HidingChange(
                old.fingerprint, old.severity, old.title, f"rule {old.rule} did not run"
            )
            continue
        outcome = summary.outcome_of(subject)
        if outcome is None and model.element(MODEL_SCOPE) is None:
            # a model-level rule looks at the whole model: its pass is recorded under "model"
            outcome = summary.outcome_of(MODEL_SCOPE)
        reason = _disappearance(outcome, scored, summary.skipped, subject)
        if reason is not None:
            yield HidingChange(old.fingerprint, old.severity, old.title, reason)


MODEL_SCOPE = "model"
"""The id the engine records a model-level rule's pass, unknown or skip under."""


def _disappearance(
    outcome: Outcome | None, scored: bool, skipped: Sequence[tuple[str, str]], subject: str
) -> str | None:
    if outcome is Outcome.UNKNOWN:
        return "fired -> unknown: a fact it needs was deleted or is no longer stated"
    if outcome is Outcome.SKIPPED:
        why = next((r for e, r in skipped if e == subject), "")
        return f"fired -> skipped ({why})" if why else "fired -> skipped"
    if outcome is None:
        return "the rule no longer looks at it: a fact that put it in scope was deleted"
    if outcome is Outcome.PASSED and scored:
        return "fired -> passed while scoring inputs changed (see above)"
    return None


def _scoring_changes(base: Model, model: Model) -> Iterable[str]:
    """System criticality, data classification and categories, controls and where they apply."""
    before, after = base.system.criticality, model.system.criticality
    if before != after:
        yield f"system criticality: {_level(before)} -> {_level(after)}"
    for data_id, old in base.data.items():
        new = model.data.get(data_id)
        if new is None:
            yield f"data '{data_id}' removed (was {old.classification.value})"
            continue
        if old.classification != new.classification:
            yield (
                f"data '{data_id}' classification: {old.classification.value} -> "
                f"{new.classification.value}"
            )
        if sorted(old.categories) != sorted(new.categories):
            yield f"data '{data_id}' categories: {_list(old.categories)} -> {_list(new.categories)}"
    for control_id, control in model.controls.items():
        was = base.controls.get(control_id)
        if was is None:
            yield f"control '{control_id}' added ({_control(control)})"
        elif _control(was) != _control(control):
            yield f"control '{control_id}' changed: {_control(was)} -> {_control(control)}"
    for control_id in base.controls:
        if control_id not in model.controls:
            yield f"control '{control_id}' removed"
    yield from _attachments(base, model)


def _attachments(base: Model, model: Model) -> Iterable[str]:
    """Controls attached to a component or flow (``controls: [...]`` on the element)."""
    pairs: list[tuple[str, str, Sequence[str], Sequence[str]]] = []
    for component_id, component in model.components.items():
        old = base.components.get(component_id)
        if old is not None:
            pairs.append(("component", component_id, old.controls, component.controls))
    old_flows = base.flows_by_id
    for flow in model.flows:
        old_flow = old_flows.get(flow.id)
        if old_flow is not None:
            pairs.append(("flow", flow.id, old_flow.controls, flow.controls))
    for kind, element_id, old_controls, new_controls in pairs:
        if sorted(old_controls) != sorted(new_controls):
            yield f"{kind} '{element_id}' controls: {_list(old_controls)} -> {_list(new_controls)}"


def _level(value: object) -> str:
    return "not stated" if value is None else str(getattr(value, "value", value))


def _list(items: Sequence[str]) -> str:
    return "[" + ", ".join(sorted(items)) + "]"


def _control(control: Control) -> str:
    where = "every element" if not control.applies_to else ", ".join(sorted(control.applies_to))
    mitigates = ", ".join(sorted(control.mitigates)) or "nothing named"
    return f"{control.status.value}; mitigates {mitigates}; applies to {where}"
