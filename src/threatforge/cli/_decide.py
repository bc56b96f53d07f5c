"""``threatforge decide``: record a decision on a finding in the model's ``tracking:`` section.

``--status`` takes the one decision vocabulary (:data:`threatforge.assessment.DecisionStatus`).
A status that closes a result (mitigated, accepted, false-positive, not-applicable) is judged
before it is written, by the rules the gate applies
(:func:`threatforge.sdlc.decisions.check_decision`, with the same ``--policy``): one the gate
would not let hide its finding is refused with the gate's own words, and nothing is written.
A status that keeps it open (open, in-discussion, in-progress) hides nothing, so it needs only
the ``--owner`` working on it.
The file is edited in place through the round-trip writer
(:func:`threatforge.model.edit.set_decision`): comments, layout and every other entry stay.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from threatforge.assessment import DecisionStatus, is_open_status
from threatforge.cli._common import (
    PACKS_OPTION,
    POLICY_OPTION,
    TODAY_OPTION,
    analyse_model,
    load_model,
    load_policy_or_fail,
    parse_today,
    plugins_wanted,
)
from threatforge.cli._output import output

__all__ = ["register"]


def decide(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="The threatmodel.yaml."),
    fingerprint: str = typer.Argument(
        ...,
        metavar="FINDING_KEY",
        help="The finding's fingerprint (rule@element), as check and analyze print it.",
    ),
    status: DecisionStatus = typer.Option(
        ...,
        "--status",
        help="What was decided: mitigated, accepted, false-positive and not-applicable close "
        "the result (checked as the gate checks them); open, in-discussion and in-progress keep "
        "it counted.",
    ),
    owner: str | None = typer.Option(None, "--owner", help="Who decided (required)."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why (written as 'justification'; required)."
    ),
    expires: str | None = typer.Option(
        None,
        "--expires",
        metavar="YYYY-MM-DD",
        help="When the decision must be reviewed again (required, within the policy's horizon).",
    ),
    control: str | None = typer.Option(
        None, "--control", metavar="ID", help="mitigated: the declared control that mitigates it."
    ),
    evidence: str | None = typer.Option(
        None, "--evidence", metavar="REF", help="mitigated: where the mitigation is shown."
    ),
    ticket: str | None = typer.Option(None, "--ticket", help="A ticket that tracks it."),
    policy_file: Path | None = POLICY_OPTION,
    packs: list[Path] = PACKS_OPTION,
    today: str | None = TODAY_OPTION,
    no_plugins: bool = typer.Option(
        False, "--no-plugins", help="Load no rule plugins (also THREATFORGE_NO_PLUGINS=1)."
    ),
) -> None:
    """Record a decision on a finding, applicable threat or team threat in tracking: (comments
    kept); refuse one the gate would not accept (exit 2, nothing written)."""
    from pydantic import ValidationError

    from threatforge.model import ModelError, TrackingEntry, TrackingStatus
    from threatforge.model.edit import set_decision
    from threatforge.rules import Decision
    from threatforge.sdlc.decisions import check_decision

    if control is not None and evidence is not None:
        output.fail("name either --control ID or --evidence REF, not both")
    chosen = TrackingStatus(status.value)
    keeps_open = is_open_status(chosen)
    if (control is not None or evidence is not None) and chosen is not TrackingStatus.MITIGATED:
        output.fail(
            "--control and --evidence say what mitigates a finding: use them with "
            "--status mitigated"
        )
    until = _date(expires)
    when = parse_today(today) or date.today()
    policy = load_policy_or_fail(policy_file)
    model = load_model(model_path)
    assessment = analyse_model(
        model,
        packs,
        today=when,
        plugins=plugins_wanted(no_plugins),
        untrusted=[model_path.absolute().parent],
    )
    finding = (
        assessment.finding(fingerprint)
        or assessment.threat(fingerprint)
        or assessment.team_threat(fingerprint)
    )
    if finding is None:
        from threatforge.text.hints import did_you_mean

        known = {
            *assessment.fingerprints,
            *(t.fingerprint for t in assessment.applicable_threats),
            *(t.fingerprint for t in assessment.team_threats),
        }
        hint = did_you_mean(fingerprint, sorted(known))
        output.fail(
            f"{model_path} has no finding or applicable threat '{fingerprint}'{hint} "
            "(threatforge analyze lists the findings with their fingerprints)"
        )
    existing = model.tracking.get(fingerprint)
    decision = Decision(
        chosen,
        reason,
        owner,
        ticket if ticket is not None else (existing.ticket if existing else None),
        until,
        control=control,
        evidence=evidence,
    )
    if keeps_open:
        problem = None
        if not owner:
            output.fail(
                f"{fingerprint} ({chosen.value}): no owner (who works on it): name one with "
                "--owner; nothing was written"
            )
    else:
        problem = check_decision(
            finding, decision, policy.decisions, when, model.controls, cite=policy.cite
        )
    if problem is not None:
        output.fail(
            f"{fingerprint} ({chosen.value}, {finding.severity.value}): "
            f"{'; '.join(problem.problems)}; nothing was written"
        )
    # the decision goes where the finding's decision is already, else into MODEL
    target = existing.location.file if existing and existing.location else str(model_path)
    if target.lower().endswith(".json"):
        output.fail(
            f"{target} is JSON (written by a program): decide edits YAML model files; "
            "nothing was written"
        )
    try:
        entry = TrackingEntry(
            status=chosen,
            justification=reason,
            owner=owner,
            ticket=decision.ticket,
            expires=until,
            control=control,
            evidence=evidence,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        output.fail(f"{fingerprint}: not a valid tracking entry: {problems}; nothing was written")
    try:
        set_decision(target, fingerprint, entry)
    except ModelError as exc:
        output.diagnostics(exc.diagnostics)
        output.fail(f"{target}: the decision was not written")
    if keeps_open:
        review = f", review by {until}" if until else ""
        output.info(
            f"{target}: recorded {fingerprint}: {chosen.value}, owner {owner}{review} "
            "(still counted by the gate)"
        )
        return
    output.info(f"{target}: recorded {fingerprint}: {chosen.value} by {owner}, expires {until}")
    output.info(policy.describe())


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        output.fail(f"--expires '{value}' is not a date (YYYY-MM-DD)")


def register(app: typer.Typer) -> None:
    """Add the command to the CLI."""
    app.command()(decide)
