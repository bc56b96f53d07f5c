"""The one list of threats every interchange format exports (exporters/threat_list.py)."""

from __future__ import annotations

from pathlib import Path

from threatforge.exporters.threat_list import export_threats, generated_key
from threatforge.model import load
from threatforge.rules import analyze

PARTNER = Path(__file__).resolve().parents[2] / "examples" / "partner-api" / "threatmodel.yaml"


def test_team_threats_come_first_then_findings_then_applicable_threats_marked_generated() -> None:
    assessment = analyze(load(PARTNER), analyses=())
    threats = export_threats(assessment)
    team = [t for t in threats if t.kind == "team"]
    assert [t.key for t in team] == [t.id for t in assessment.team_threats]
    assert team[0].key == "webhook-replay"
    assert team[0].elements == ("webhook-dispatcher", "partner-webhook-receiver")
    assert team[0].stride == ("spoofing", "tampering")
    assert team[0].cwe == (294,)
    assert team[0].mitigations == (
        "webhook-signatures", "Partners reject deliveries older than five minutes",
    )
    assert team[0].description.startswith(
        "An internet-based attacker with a captured webhook delivery can replay it"
    )
    assert not team[0].generated and team[0].team is assessment.team_threats[0]
    kinds = [t.kind for t in threats]
    assert kinds == sorted(kinds, key=("team", "finding", "applicable").index)
    finding = assessment.findings[0]
    exported = threats[len(team)]
    assert exported.key == generated_key(finding.rule, finding.fingerprint)
    assert exported.key == f"{finding.rule}:{finding.fingerprint}"
    assert (exported.generated, exported.rule, exported.severity, exported.status) == (
        True, finding.rule, finding.severity.value, finding.status.value,
    )
    applicable = [t for t in threats if t.kind == "applicable"]
    assert len(applicable) == len(assessment.applicable_threats) > 0
    assert applicable[0].question == assessment.applicable_threats[0].question.describe()
    assert export_threats(None) == ()
