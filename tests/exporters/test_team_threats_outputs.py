"""The team's threats in the outputs: the JSON assessment (both ways), SARIF, the reports (the
Threat Composer statement, escaped), diff, and the tracking decisions they carry."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import jsonschema
import pytest

from threatforge.assessment import (
    Assessment,
    DecisionStatus,
    Severity,
    Stride,
    assessment_json,
    assessment_to_dict,
    parse_assessment,
    threat_statement,
)
from threatforge.assessment.diff import ChangeKind, Snapshot, diff_snapshots
from threatforge.exporters.assessment_schema import assessment_json_schema
from threatforge.exporters.sarif import sarif_document
from threatforge.model import Model, ReadError, ThreatSeverity, load_text
from threatforge.reports import ReportFormat, render_report
from threatforge.rules import analyze
from threatforge.rules.team_threats import team_threat_severity
from threatforge.sdlc.diff_report import diff_to_dict, render_diff_markdown

TODAY = date(2026, 1, 1)
SCRIPT = "<script>alert(1)</script>"
MODEL = f"""\
system: {{name: Refunds}}
data:
  refund: {{name: "Refund {SCRIPT}", classification: confidential}}
boundaries:
  app: {{kind: subnet, trust: trusted}}
components:
  refund-api: {{kind: service, zone: app, processes: [refund]}}
controls:
  idempotency-keys: {{status: implemented, applies_to: [refund-api]}}
threats:
  refund-replay:
    source: internet-based actor
    prerequisites: "with a captured request | `x` **bold**"
    action: replay a refund request
    impact: "a second refund {SCRIPT}"
    impacted_goal: [integrity]
    impacted_assets: [refund]
    elements: [refund-api]
    stride: [tampering]
    priority: high
    mitigations: [idempotency-keys, "[click](https://evil.example)"]
    cwe: [294]
  staff-abuse:
    source: support agent
    action: issue a refund to their own card
    elements: [refund-api]
    likelihood: 2
    impact_score: 4
    type: Elevation of privilege
"""
STATEMENT = (
    "An internet-based actor with a captured request | `x` **bold** can replay a refund "
    f"request, which leads to a second refund {SCRIPT}, resulting in reduced integrity of "
    f"Refund {SCRIPT}"
)
DECIDED = MODEL + """\
tracking:
  team-threat@staff-abuse:
    status: mitigated
    control: idempotency-keys
    owner: bob
    expires: 2026-06-30
"""


def _analysed(text: str = MODEL) -> tuple[Model, Assessment]:
    model = load_text(text)
    return model, analyze(model, [], today=TODAY)


def test_the_statement_follows_threat_composers_permutations() -> None:
    assert threat_statement("actor", "do x") == "An actor can do x"
    assert threat_statement("user", "do x", impact="y") == "A user can do x, which leads to y"
    assert (
        threat_statement("user", "do x", goals=["confidentiality", "integrity"])
        == "A user can do x, resulting in reduced confidentiality and integrity"
    )
    assert (
        threat_statement("user", "do x", assets=["a", "b", "c"])
        == "A user can do x, negatively impacting a, b and c"
    )
    assert (
        threat_statement("an insider", "do  x", prerequisites="with  access", goals=["g"],
                         assets=["a"])
        == "An insider with access can do x, resulting in reduced g of a"
    )


def test_severity_comes_from_stated_severity_scores_or_priority_with_a_reason() -> None:
    model, assessment = _analysed()
    threats = {t.id: t for t in assessment.team_threats}
    assert (threats["refund-replay"].severity, threats["refund-replay"].severity_reason) == (
        Severity.HIGH,
        "priority high: high",
    )
    assert (threats["staff-abuse"].severity, threats["staff-abuse"].severity_reason) == (
        Severity.MEDIUM,
        "likelihood 2 x impact 4 = 8: medium",
    )
    stated = model.threats["staff-abuse"].model_copy(update={"severity": ThreatSeverity.CRITICAL})
    assert team_threat_severity(stated) == (Severity.CRITICAL, "severity stated: critical")
    bare = model.threats["staff-abuse"].model_copy(
        update={"likelihood": None, "impact_score": None}
    )
    assert team_threat_severity(bare) == (
        Severity.MEDIUM,
        "no priority, severity or scores stated: medium until the team sets one",
    )


def test_the_assessment_carries_them_with_fingerprint_and_statement() -> None:
    _, assessment = _analysed()
    replay = assessment.team_threat("team-threat@refund-replay")
    assert replay is not None
    assert replay.statement == STATEMENT
    assert (replay.rule, replay.element, replay.stride, replay.cwe) == (
        "team-threat",
        "refund-api",
        (Stride.TAMPERING,),
        (294,),
    )
    assert replay.controls == ("idempotency-keys",)
    assert [t.fingerprint for t in assessment.open_team_threats] == [
        "team-threat@refund-replay",
        "team-threat@staff-abuse",
    ]


def test_tracking_decides_a_team_threat_in_the_one_vocabulary() -> None:
    _, assessment = _analysed(DECIDED)
    staff = assessment.team_threat("team-threat@staff-abuse")
    assert staff is not None
    assert staff.status is DecisionStatus.MITIGATED
    assert staff.decision is not None
    assert (staff.decision.owner, staff.decision.control) == ("bob", "idempotency-keys")
    assert [t.id for t in assessment.open_team_threats] == ["refund-replay"]
    assert assessment.stale == ()


def test_a_tracking_entry_for_a_removed_team_threat_is_stale() -> None:
    text = DECIDED.replace("team-threat@staff-abuse", "team-threat@staff-abuze")
    _, assessment = _analysed(text)
    assert [s.fingerprint for s in assessment.stale] == ["team-threat@staff-abuze"]


def test_the_json_assessment_round_trips_and_validates() -> None:
    model, assessment = _analysed(DECIDED)
    text = assessment_json(assessment, model)
    data = json.loads(text)
    assert (data["summary"]["team_threats"], data["summary"]["open_team_threats"]) == (2, 1)
    first = data["team_threats"][0]
    assert {k: first[k] for k in ("rule", "id", "fingerprint", "severity", "confidence")} == {
        "rule": "team-threat",
        "id": "refund-replay",
        "fingerprint": "team-threat@refund-replay",
        "severity": "high",
        "confidence": "stated-by-team",
    }
    assert first["statement"] == STATEMENT
    assert first["location"] == {"file": "threatmodel.yaml", "line": 11, "column": 3}
    assert list(jsonschema.Draft202012Validator(assessment_json_schema()).iter_errors(data)) == []
    again = parse_assessment(text)
    assert again.team_threats == assessment.team_threats
    assert assessment_json(again, model) == text


def test_files_without_team_threats_are_read_and_written_as_before() -> None:
    model, assessment = _analysed()
    data = assessment_to_dict(replace(assessment, team_threats=()), model)
    assert "team_threats" not in data and "team_threats" not in data["summary"]
    assert parse_assessment(json.dumps(data)).team_threats == ()


def test_a_forged_team_threat_fingerprint_is_refused() -> None:
    _, assessment = _analysed()
    data = assessment_to_dict(assessment)
    data["team_threats"][0]["fingerprint"] = "db-public@vault"
    with pytest.raises(ReadError) as raised:
        parse_assessment(json.dumps(data), "base.json")
    assert raised.value.message == (
        "team_threats[0].fingerprint: expected rule 'team-threat' and fingerprint "
        "'team-threat@refund-replay'"
    )


def test_sarif_reports_them_under_the_team_threat_rule() -> None:
    model, assessment = _analysed(DECIDED)
    run = sarif_document(assessment, model)["runs"][0]
    descriptor = run["tool"]["driver"]["rules"][-1]
    assert (descriptor["id"], descriptor["defaultConfiguration"]) == (
        "team-threat",
        {"level": "error"},
    )
    results = [r for r in run["results"] if r["ruleId"] == "team-threat"]
    key = "threatforgeFingerprint/v1"
    assert [(r["level"], r["partialFingerprints"][key]) for r in results] == [
        ("error", "team-threat@refund-replay"),
        ("warning", "team-threat@staff-abuse"),
    ]
    assert results[0]["message"]["text"] == f"Team threat 'refund-replay': {STATEMENT}."
    assert results[0]["ruleIndex"] == len(run["tool"]["driver"]["rules"]) - 1
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 11,
        "startColumn": 3,
    }
    assert results[1]["suppressions"][0]["justification"] == "mitigated: mitigated"
    assert run["properties"]["openTeamThreats"] == 1


def test_the_markdown_report_renders_the_statement_escaped() -> None:
    model, assessment = _analysed()
    text = render_report(model, assessment, ReportFormat.MARKDOWN)
    assert isinstance(text, str)
    section = text.split("### The team's threats\n", 1)[1].split("\n## ", 1)[0]
    assert SCRIPT not in section
    assert "[click](https" not in section
    assert section.splitlines()[3] == (
        "- **HIGH** An internet-based actor with a captured request \\| \\`x\\` \\*\\*bold\\*\\* "
        "can replay a refund request, which leads to a second refund &lt;script&gt;alert(1)"
        "&lt;/script&gt;, resulting in reduced integrity of Refund &lt;script&gt;alert(1)"
        "&lt;/script&gt; (`team-threat@refund-replay`, open)"
    )
    assert section.splitlines()[4:8] == [
        "  - On: `refund-api`",
        "  - Severity: priority high: high",
        "  - STRIDE: tampering",
        "  - Mitigations: idempotency-keys; \\[click\\](https:\u2060//evil.example)",
    ]


def test_the_html_report_renders_the_statement_escaped() -> None:
    model, assessment = _analysed()
    html = render_report(model, assessment, ReportFormat.HTML)
    assert isinstance(html, str)
    assert SCRIPT not in html
    section = html.split('<h3 id="team-threats">', 1)[1].split("</table>", 1)[0]
    assert (
        "<td>An internet-based actor with a captured request | `x` **bold** can replay a "
        "refund request, which leads to a second refund &lt;script&gt;alert(1)&lt;/script&gt;"
    ) in section
    assert "<code>team-threat@refund-replay</code>; priority high: high; STRIDE: tampering" in (
        section
    )


def test_diff_lists_team_threats_added_removed_and_changed() -> None:
    def snap(text: str) -> Snapshot:
        model = load_text(text)
        return Snapshot(model, analyze(model, [], today=TODAY))

    new_text = DECIDED.replace("priority: high", "priority: low").replace(
        "  staff-abuse:", "  ledger-edit:\n    source: support agent\n    action: edit a ledger "
        "row\n    elements: [refund-api]\n  staff-abuse:"
    )
    old_text = MODEL.replace("  staff-abuse:", "  gone-threat:\n    source: x\n    action: y\n"
                             "  staff-abuse:")
    diff = diff_snapshots(snap(old_text), snap(new_text))
    assert [(c.kind, c.threat.id, c.changes) for c in diff.team_threats] == [
        (ChangeKind.ADDED, "ledger-edit", ()),
        (ChangeKind.CHANGED, "staff-abuse", ("status open -> mitigated",)),
        (ChangeKind.CHANGED, "refund-replay", ("severity high -> low", "priority")),
        (ChangeKind.REMOVED, "gone-threat", ()),
    ]
    data = diff_to_dict(diff)
    assert [(t["fingerprint"], t["change"]) for t in data["team_threats"]] == [
        ("team-threat@ledger-edit", "added"),
        ("team-threat@staff-abuse", "changed"),
        ("team-threat@refund-replay", "changed"),
        ("team-threat@gone-threat", "removed"),
    ]
    markdown = render_diff_markdown(diff)
    assert "Team threats: **1 added** · 2 changed · 1 removed" in markdown
    assert (
        "| changed | low | An internet-based actor with a captured request \\| \\`x\\` "
        "\\*\\*bold\\*\\* can replay"
    ) in markdown
    assert SCRIPT not in markdown


def test_line_breaks_in_any_part_become_one_space() -> None:
    assert threat_statement("user", "do\nx", impact="a\n\nleak", assets=["a\u2028b"]) == (
        "A user can do x, which leads to a leak, negatively impacting a b"
    )
