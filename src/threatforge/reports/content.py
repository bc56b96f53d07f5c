"""What a report says, computed once from the model and its assessment; templates only lay it out.

Everything here is pure: :func:`build_content` takes a model, an assessment and optionally a
baseline assessment, and returns frozen data that the HTML, PDF and Markdown builders render.
The executive parts speak about the business (what could happen, where, what to do) without
security jargon; the engineering parts keep every detail of every finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from threatforge.analysis.implied import ImpliedElement
from threatforge.assessment import (
    ApplicableThreat,
    TeamThreat,
    parse_assessment,
    read_assessment,
)
from threatforge.assessment.compliance import ComplianceReport, compute_compliance
from threatforge.assessment.coverage import Coverage, ScopedRule, compute_coverage
from threatforge.assessment.references import Link, attack_url, reference_links
from threatforge.errors import ExportError
from threatforge.model import Model, ReadError, TrackingStatus
from threatforge.model.labels import element_labels
from threatforge.reports.analysis_view import (
    AttackPath,
    BlastRadiusView,
    PciScopeView,
    analysis_notes,
    attack_paths,
    blast_radius,
    pci_scope,
)
from threatforge.reports.choices import Audience
from threatforge.rules import Assessment, Finding, Severity, Stride
from threatforge.rules.scoring import severity_of

__all__ = [
    "MAX_COVERAGE_ROWS",
    "MAX_REPORT_FINDINGS",
    "AcceptedRisk",
    "Baseline",
    "HeatCell",
    "ImpliedThreat",
    "ImpliedView",
    "Link",
    "Posture",
    "ReportContent",
    "ThreatGroup",
    "TopRisk",
    "Trend",
    "attack_url",
    "build_content",
    "business_impact",
    "parse_baseline",
    "reference_links",
]

TOP_RISKS = 5
SEVERITIES_DESCENDING: tuple[Severity, ...] = tuple(reversed(Severity))


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One cell of the likelihood x impact heat map: how many open findings score there."""

    likelihood: int
    impact: int
    count: int
    severity: Severity


@dataclass(frozen=True, slots=True)
class TopRisk:
    """A top risk in business terms."""

    finding: Finding
    headline: str
    business_impact: str
    where: str
    action: str


@dataclass(frozen=True, slots=True)
class AcceptedRisk:
    """A risk the team decided to accept (or whose acceptance has expired)."""

    finding: Finding
    where: str
    owner: str
    justification: str
    expires: date | None
    days_left: int | None
    expired: bool


@dataclass(frozen=True, slots=True)
class Posture:
    """The overall risk posture in one word and two sentences."""

    level: str
    """critical, high, elevated, low, or undecided (no finding, but open applicable threats)."""
    headline: str
    summary: str


@dataclass(frozen=True)
class Baseline:
    """A previous assessment (the JSON of ``analyze --format json``) to compare against."""

    label: str
    system: str
    open_by_severity: Mapping[Severity, int]
    open_fingerprints: frozenset[str]


@dataclass(frozen=True)
class Trend:
    """How the open findings changed since the baseline."""

    baseline: str
    before: Mapping[Severity, int]
    after: Mapping[Severity, int]
    new: tuple[Finding, ...]
    resolved: tuple[str, ...]
    direction: str
    summary: str


@dataclass(frozen=True, slots=True)
class ThreatGroup:
    """The applicable threats on one element (its first element), most severe first."""

    element: str
    label: str
    threats: tuple[ApplicableThreat, ...]


@dataclass(frozen=True, slots=True)
class ImpliedThreat:
    """One threat of an implied element: a finding or an applicable threat, by fingerprint."""

    fingerprint: str
    title: str
    severity: Severity
    state: str
    """``finding`` or ``applicable threat``, with what people decided (``open``, ...)."""


@dataclass(frozen=True, slots=True)
class ImpliedView:
    """An element the model does not draw that a component implies, with its threats."""

    element: ImpliedElement
    label: str
    """The implying component's label."""
    threats: tuple[ImpliedThreat, ...]


@dataclass(frozen=True)
class ReportContent:
    """Everything a report shows, in the order it shows it."""

    system: str
    description: str
    owner: str
    criticality: str
    compliance: tuple[str, ...]
    as_of: str
    audience: Audience
    posture: Posture
    open_counts: Mapping[Severity, int]
    total_findings: int
    open_findings: int
    heat_map: tuple[tuple[HeatCell, ...], ...]
    """Rows from likelihood 5 down to 1; columns impact 1 to 5."""
    top_risks: tuple[TopRisk, ...]
    accepted: tuple[AcceptedRisk, ...]
    trend: Trend | None
    findings: tuple[Finding, ...]
    labels: Mapping[str, str]
    """Element id -> display label (components, flows, data, boundaries)."""
    sensitive_data: tuple[str, ...]
    attack_paths: tuple[AttackPath, ...]
    pci_scope: PciScopeView | None
    next_steps: tuple[str, ...]
    findings_not_shown: int = 0
    """Findings past :data:`MAX_REPORT_FINDINGS` (the least severe), left to the JSON output."""
    blast_radius: tuple[BlastRadiusView, ...] = ()
    analysis_notes: tuple[str, ...] = ()
    """Analyses the report cannot show (failed, naming the error, or not carried), in words."""
    threats: tuple[ThreatGroup, ...] = ()
    """Threats to consider: the applicable threats grouped by element, with their questions."""
    total_threats: int = 0
    open_threats: int = 0
    team_threats: tuple[TeamThreat, ...] = ()
    """The team's own threats (``threats:``), most severe first, each as its statement."""
    implied: tuple[ImpliedView, ...] = ()
    """The implied elements (a merchant dashboard, a domain, staff laptops, build runners), each
    with the findings and applicable threats about it, in the assessment's order."""
    coverage: Coverage | None = None
    """Per element, what the rules and the team say of each STRIDE (and LINDDUN) category;
    the engineering report only."""
    compliance_reports: tuple[ComplianceReport, ...] = ()
    """Per framework the system declares (``system.compliance``) that threatforge maps, its
    controls judged (``threatforge compliance``)."""
    compliance_unmapped: tuple[str, ...] = ()
    """Frameworks the system declares that threatforge has no mapping for."""

    @property
    def not_shown_note(self) -> str:
        """The note a report prints under its findings when some were left out (else "")."""
        if not self.findings_not_shown:
            return ""
        return (
            f"{self.findings_not_shown:,} more findings: use --format json "
            f"(threatforge analyze MODEL --format json) for every finding; a report shows the "
            f"{MAX_REPORT_FINDINGS:,} most severe"
        )


MAX_COVERAGE_ROWS = 300
"""Elements the coverage matrix of a report lists (model order); ``threatforge coverage
--format json`` lists them all."""

MAX_REPORT_FINDINGS = 1_000
"""Findings a report shows in full (most severe first). A finding is about 3 KB of HTML: an
unbounded list made a 352 MB page from a 5.7 MB model, which no browser or PDF renderer opens
and no reader reads. The JSON, SARIF and CSV outputs keep every finding."""


# --- plain language ------------------------------------------------------------------------

_STRIDE_IMPACT: Mapping[Stride, str] = {
    Stride.SPOOFING: "someone could pretend to be a trusted customer, employee or system",
    Stride.TAMPERING: "data or transactions could be changed without anyone noticing",
    Stride.REPUDIATION: "we could not prove who did what in a dispute or an investigation",
    Stride.INFORMATION_DISCLOSURE: "confidential information could leak to outsiders",
    Stride.DENIAL_OF_SERVICE: "the service could be knocked offline, losing sales and trust",
    Stride.ELEVATION_OF_PRIVILEGE: "an attacker could take control beyond what they should have",
}
_STRIDE_HEADLINE: Mapping[Stride, str] = {
    Stride.SPOOFING: "Impersonation",
    Stride.TAMPERING: "Unnoticed changes to data",
    Stride.REPUDIATION: "Actions that cannot be traced",
    Stride.INFORMATION_DISCLOSURE: "Data leak",
    Stride.DENIAL_OF_SERVICE: "Service outage",
    Stride.ELEVATION_OF_PRIVILEGE: "Attacker takes control",
}
_DATA_IMPACT: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("pci.pan", "pci.sad", "pci.cardholder"),
        "card data",
        "card data is at stake: card-scheme penalties, the cost of re-issuing cards, and the "
        "risk of losing the ability to take card payments",
    ),
    (
        ("credentials", "secrets", "crypto-keys", "session-tokens"),
        "keys and passwords",
        "keys or passwords are at stake, which would open the door to a wider breach",
    ),
    (
        ("pii", "pii.special", "health", "biometric", "location"),
        "personal data",
        "personal data is at stake: a breach must be reported to regulators within 72 hours "
        "(GDPR) and can bring fines and lost customer trust",
    ),
    (
        ("financial",),
        "financial data",
        "money is at stake: payments, refunds or balances could be wrong or fraudulent",
    ),
)


def _data_categories(model: Model, data_ids: Sequence[str]) -> set[str]:
    return {c for d in data_ids if d in model.data for c in model.data[d].categories}


def business_impact(finding: Finding, model: Model) -> str:
    """What the finding would mean for the business, in one plain sentence."""
    parts = []
    if finding.stride:
        parts.append(_STRIDE_IMPACT[finding.stride[0]])
    elif finding.linddun:
        parts.append("personal data could be used in ways people did not agree to")
    else:
        parts.append("the system could be attacked through this weakness")
    categories = _data_categories(model, finding.data)
    for wanted, _, sentence in _DATA_IMPACT:
        if categories & set(wanted):
            parts.append(sentence)
            break
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _headline(finding: Finding, model: Model) -> str:
    base = _STRIDE_HEADLINE[finding.stride[0]] if finding.stride else "Privacy risk"
    if not finding.stride and not finding.linddun:
        base = "Security weakness"
    categories = _data_categories(model, finding.data)
    for wanted, noun, _ in _DATA_IMPACT:
        if categories & set(wanted):
            return f"{base} ({noun} at stake)"
    return base


def where(finding: Finding, labels: Mapping[str, str]) -> str:
    """The finding's elements by their display labels."""
    return ", ".join(labels.get(e, e) for e in finding.elements)


def plain_title(finding: Finding, model: Model, labels: Mapping[str, str]) -> str:
    """The finding's title with flow ids (``a->b``) replaced by readable labels."""
    title = finding.title
    for element in finding.elements:
        if element in model.flows_by_id and element in title:
            title = title.replace(element, labels[element])
    return title


# --- baseline and trend --------------------------------------------------------------------


def read_baseline(path: str, label: str) -> Baseline:
    """Read a previous JSON assessment (the one bounded, checked reader) as a report baseline."""
    try:
        previous = read_assessment(path, label)
    except ReadError as exc:
        raise ExportError(f"baseline {exc}") from None
    return baseline_of(previous, label)


def parse_baseline(text: str, label: str) -> Baseline:
    """A previous JSON assessment from text as a report baseline (see :func:`read_baseline`)."""
    try:
        previous = parse_assessment(text, label)
    except ReadError as exc:
        raise ExportError(f"baseline {exc}") from None
    return baseline_of(previous, label)


def baseline_of(previous: Assessment, label: str) -> Baseline:
    """What a report compares with: the previous assessment's open findings."""
    return Baseline(
        label,
        previous.system,
        previous.count_by_severity(),
        frozenset(f.fingerprint for f in previous.open_findings),
    )


def _weighted(counts: Mapping[Severity, int]) -> int:
    return sum(counts[s] * (s.rank + 1) ** 2 for s in Severity)


def _trend(assessment: Assessment, baseline: Baseline) -> Trend:
    after = assessment.count_by_severity()
    current = {f.fingerprint for f in assessment.open_findings}
    new = tuple(
        f for f in assessment.open_findings if f.fingerprint not in baseline.open_fingerprints
    )
    resolved = tuple(sorted(baseline.open_fingerprints - current))
    before_score, after_score = _weighted(baseline.open_by_severity), _weighted(after)
    if after_score < before_score:
        direction = "improved"
    elif after_score > before_score:
        direction = "worse"
    else:
        direction = "unchanged"
    total_before = sum(baseline.open_by_severity.values())
    total_after = sum(after.values())
    level = {"improved": "lower", "worse": "higher", "unchanged": "unchanged"}[direction]
    summary = (
        f"Open issues went from {total_before} to {total_after} since the baseline: "
        f"{len(new)} new, {len(resolved)} resolved. Overall the risk is {level}."
    )
    return Trend(
        baseline.label, baseline.open_by_severity, after, new, resolved, direction, summary
    )


# --- posture -------------------------------------------------------------------------------

_POSTURE = (
    (
        Severity.CRITICAL,
        "critical",
        "Critical risk: act now",
        "should be fixed before the next release",
    ),
    (Severity.HIGH, "high", "High risk: plan fixes now", "should be fixed within weeks"),
    (Severity.ELEVATED, "elevated", "Moderate risk", "should be planned into the roadmap"),
)


def _posture(
    model: Model, assessment: Assessment, counts: Mapping[Severity, int], top: Sequence[TopRisk]
) -> Posture:
    name = model.system.name
    serious = ", ".join(
        f"{counts[s]} {s.value}" for s in SEVERITIES_DESCENDING if counts[s] and s.rank >= 2
    )
    undecided = _undecided(assessment)
    for severity, level, headline, when in _POSTURE:
        if counts[severity]:
            worst = top[0].business_impact if top else ""
            summary = (
                f"{name} has {serious} severity issue{'s' if _plural(counts) else ''} open, "
                f"which {when}. The most serious: {worst[0].lower() + worst[1:] if worst else ''}"
            ).strip()
            if undecided:
                summary += f" Besides, {undecided}."
            return Posture(level, headline, summary)
    open_total = sum(counts.values())
    if open_total:
        summary = (
            f"{name} has {open_total} minor issue{'s' if open_total != 1 else ''} open and "
            "nothing serious. Keep fixing them in the normal course of work."
        )
        if undecided:
            summary += f" Besides, {undecided}."
    elif undecided:
        # no weakness is confirmed, but the model does not say yet whether the threats that
        # apply are handled: that is not a clean bill of health (issue 15)
        return Posture(
            "undecided",
            "No confirmed weakness yet: threats to decide",
            f"{name} has no open finding, but {undecided}; until the questions are answered "
            "the risk is not known.",
        )
    else:
        summary = f"{name} has no open issues: every rule that could decide found nothing."
    return Posture("low", "Low risk", summary)


def _undecided(assessment: Assessment) -> str:
    """The open applicable threats in words ("12 threats to consider are undecided (4 high)"),
    or empty when none is open."""
    threats = assessment.open_threats
    if not threats:
        return ""
    serious = sum(1 for t in threats if t.severity.rank >= Severity.HIGH.rank)
    worst = f" ({serious} high)" if serious else ""
    verb = "are" if len(threats) != 1 else "is"
    return (
        f"{len(threats)} threat{'s' if len(threats) != 1 else ''} to consider {verb} "
        f"undecided{worst}"
    )


def _plural(counts: Mapping[Severity, int]) -> bool:
    return sum(counts[s] for s in Severity if s.rank >= 2) != 1


def _next_steps(
    counts: Mapping[Severity, int], accepted: Sequence[AcceptedRisk], assessment: Assessment
) -> tuple[str, ...]:
    steps = []
    urgent = counts[Severity.CRITICAL] + counts[Severity.HIGH]
    if urgent:
        steps.append(
            f"Fix the {urgent} critical and high issue{'s' if urgent != 1 else ''} first; each "
            "has a named owner area and a concrete fix in the engineering report."
        )
    if counts[Severity.ELEVATED]:
        steps.append(
            f"Plan the {counts[Severity.ELEVATED]} moderate issue"
            f"{'s' if counts[Severity.ELEVATED] != 1 else ''} into the next two quarters."
        )
    expired = [a for a in accepted if a.expired]
    if expired:
        steps.append(
            f"Renew or fix {len(expired)} accepted risk{'s' if len(expired) != 1 else ''} whose "
            "acceptance has expired."
        )
    soon = [a for a in accepted if not a.expired and a.days_left is not None and a.days_left <= 90]
    if soon:
        steps.append(
            f"Review {len(soon)} accepted risk{'s' if len(soon) != 1 else ''} "
            "expiring within 90 days."
        )
    threats = assessment.open_threats
    if threats:
        steps.append(
            f"Answer the question{'s' if len(threats) != 1 else ''} of the {len(threats)} open "
            f"threat{'s' if len(threats) != 1 else ''} to consider: each names the fact that "
            "confirms it (it becomes a finding) or rules it out; or record the team's "
            "decision in the model's tracking section."
        )
    if assessment.gaps:
        steps.append(
            f"Complete the system description: {len(assessment.gaps)} missing fact"
            f"{'s keep' if len(assessment.gaps) != 1 else ' keeps'} some checks from deciding."
        )
    if not steps:
        steps.append("Keep the model current as the system changes and re-run the assessment.")
    return tuple(steps)


# --- assembly ------------------------------------------------------------------------------


def _heat_map(assessment: Assessment) -> tuple[tuple[HeatCell, ...], ...]:
    counts: dict[tuple[int, int], int] = {}
    for finding in assessment.open_findings:
        key = (finding.likelihood, finding.impact)
        counts[key] = counts.get(key, 0) + 1
    return tuple(
        tuple(
            HeatCell(
                likelihood,
                impact,
                counts.get((likelihood, impact), 0),
                severity_of(likelihood, impact),
            )
            for impact in range(1, 6)
        )
        for likelihood in range(5, 0, -1)
    )


def _accepted(
    assessment: Assessment, labels: Mapping[str, str], today: date
) -> tuple[AcceptedRisk, ...]:
    found = []
    for finding in assessment.findings:
        decision = finding.decision
        if decision is None or decision.status is not TrackingStatus.ACCEPTED:
            continue
        days = (decision.expires - today).days if decision.expires else None
        found.append(
            AcceptedRisk(
                finding=finding,
                where=where(finding, labels),
                owner=decision.owner or "no owner named",
                justification=decision.justification or "",
                expires=decision.expires,
                days_left=days,
                expired=decision.expired,
            )
        )
    found.sort(key=lambda a: (not a.expired, a.expires or date.max, a.finding.fingerprint))
    return tuple(found)


def _sensitive_data(model: Model) -> tuple[str, ...]:
    categories = {c for asset in model.data.values() for c in asset.categories}
    return tuple(noun for wanted, noun, _ in _DATA_IMPACT if categories & set(wanted))


def _as_of(assessment: Assessment) -> date:
    try:
        return date.fromisoformat(assessment.as_of)
    except ValueError:
        return date.today()


def threat_groups(
    assessment: Assessment, labels: Mapping[str, str]
) -> tuple[ThreatGroup, ...]:
    """The applicable threats grouped by the element they are on; groups in the order of their
    most severe threat (the assessment's order), threats most severe first."""
    groups: dict[str, list[ApplicableThreat]] = {}
    for threat in assessment.applicable_threats:
        groups.setdefault(threat.element, []).append(threat)
    return tuple(
        ThreatGroup(element, labels.get(element, element), tuple(threats))
        for element, threats in groups.items()
    )


def implied_views(
    assessment: Assessment, labels: Mapping[str, str]
) -> tuple[ImpliedView, ...]:
    """Each implied element with its threats looked up by fingerprint (a fingerprint the
    assessment does not hold, e.g. of a rule not run, is left out)."""
    results: dict[str, ImpliedThreat] = {}
    for finding in assessment.findings:
        results[finding.fingerprint] = ImpliedThreat(
            finding.fingerprint, finding.title, finding.severity,
            f"finding, {finding.status.value}",
        )
    for threat in assessment.applicable_threats:
        results[threat.fingerprint] = ImpliedThreat(
            threat.fingerprint, threat.title, threat.severity,
            f"applicable threat, {threat.status.value}",
        )
    return tuple(
        ImpliedView(
            item, labels.get(item.implied_by, item.implied_by),
            tuple(results[f] for f in item.threats if f in results),
        )
        for item in assessment.implied
    )


def build_content(
    model: Model,
    assessment: Assessment,
    audience: Audience = Audience.ENGINEERING,
    baseline: Baseline | None = None,
    rules: Sequence[ScopedRule] | None = None,
) -> ReportContent:
    """Everything a report shows, for ``audience``, compared with ``baseline`` when given.

    ``rules``: the metadata of the rules the assessment ran, for the coverage matrix (default:
    the built-in rules; a pack's rules count by the categories of their results).
    """
    labels = element_labels(model)
    counts = assessment.count_by_severity()
    top = tuple(
        TopRisk(
            finding=f,
            headline=_headline(f, model),
            business_impact=business_impact(f, model),
            where=where(f, labels),
            action=f.mitigations[0] if f.mitigations else "See the engineering report.",
        )
        for f in assessment.open_findings[:TOP_RISKS]
        if f.severity.rank >= Severity.MEDIUM.rank
    )
    accepted = _accepted(assessment, labels, _as_of(assessment))
    system = model.system
    reports, unmapped = _compliance(system.compliance, assessment, rules)
    return ReportContent(
        system=system.name,
        description=system.description or "",
        owner=system.owner or "not stated",
        criticality=system.criticality.value if system.criticality else "not stated",
        compliance=tuple(system.compliance),
        as_of=assessment.as_of,
        audience=audience,
        posture=_posture(model, assessment, counts, top),
        open_counts=counts,
        total_findings=len(assessment.findings),
        open_findings=len(assessment.open_findings),
        heat_map=_heat_map(assessment),
        top_risks=top,
        accepted=accepted,
        trend=_trend(assessment, baseline) if baseline is not None else None,
        findings=assessment.findings[:MAX_REPORT_FINDINGS],
        labels=labels,
        sensitive_data=_sensitive_data(model),
        attack_paths=tuple(attack_paths(model, assessment)),
        pci_scope=pci_scope(model, assessment),
        next_steps=_next_steps(counts, accepted, assessment),
        findings_not_shown=max(len(assessment.findings) - MAX_REPORT_FINDINGS, 0),
        blast_radius=blast_radius(model, assessment),
        analysis_notes=analysis_notes(assessment),
        threats=threat_groups(assessment, labels),
        total_threats=len(assessment.applicable_threats),
        open_threats=len(assessment.open_threats),
        team_threats=tuple(
            sorted(assessment.team_threats, key=lambda t: (-t.severity.rank, t.id))
        ),
        coverage=(
            None if audience is Audience.EXECUTIVE else _coverage(model, assessment, rules)
        ),
        implied=implied_views(assessment, labels),
        compliance_reports=reports,
        compliance_unmapped=unmapped,
    )


def _coverage(
    model: Model, assessment: Assessment, rules: Sequence[ScopedRule] | None
) -> Coverage:
    if rules is None:
        from threatforge.rules.registry import builtin_rules

        rules = [r.meta for r in builtin_rules()]
    return compute_coverage(model, assessment, rules)


@dataclass(frozen=True)
class _RuleRefs:
    id: str
    compliance: tuple[str, ...]


def _compliance(
    declared: Sequence[str], assessment: Assessment, rules: Sequence[ScopedRule] | None
) -> tuple[tuple[ComplianceReport, ...], tuple[str, ...]]:
    """The declared frameworks judged, and the declared names threatforge does not map."""
    from threatforge.model.vocabulary.frameworks import FrameworkError, find_framework

    if not declared:
        return (), ()
    if rules is None:
        from threatforge.rules.registry import builtin_rules

        rules = [r.meta for r in builtin_rules()]
    refs = [_RuleRefs(r.id, tuple(getattr(r, "compliance", ()))) for r in rules]
    reports: list[ComplianceReport] = []
    unmapped: list[str] = []
    seen: set[str] = set()
    for name in declared:
        try:
            framework = find_framework(name)
        except FrameworkError:
            unmapped.append(name)
            continue
        if framework.framework not in seen:
            seen.add(framework.framework)
            reports.append(compute_compliance(framework, assessment, refs))
    return tuple(reports), tuple(unmapped)

