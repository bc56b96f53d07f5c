"""threatforge's own threat model (``security/threatmodel.yaml``) passes threatforge's own gate.

``make test`` runs ``threatforge check security/threatmodel.yaml --fail-on high`` here. The model
must also validate without a warning, and every finding the rules raise on it must carry a
decision (accepted or mitigated, with a justification): a new finding fails this test until it is
designed away or decided. Decisions expire; an expired one fails the gate, on purpose.
"""

from __future__ import annotations

from _bounded import ROOT, assert_clean_exit, run_threatforge

from threatforge.model import TrackingStatus, load
from threatforge.rules import analyze, builtin_rules

MODEL = ROOT / "security" / "threatmodel.yaml"
DECIDED = {TrackingStatus.ACCEPTED, TrackingStatus.MITIGATED, TrackingStatus.FALSE_POSITIVE}


def test_threatforge_check_passes_on_its_own_threat_model() -> None:
    args = ["check", "security/threatmodel.yaml", "--fail-on", "high"]
    run = run_threatforge(args, cwd=ROOT, timeout=60)
    assert_clean_exit(run, 0, args)
    assert "gate passed" in run.stdout


def test_the_model_validates_without_warnings() -> None:
    args = ["validate", "--strict", "security/threatmodel.yaml"]
    run = run_threatforge(args, cwd=ROOT, timeout=60)
    assert_clean_exit(run, 0, args)
    assert load(MODEL).warnings == ()


def test_every_finding_is_decided_with_a_justification() -> None:
    model = load(MODEL)
    assessment = analyze(model, builtin_rules())
    assert assessment.rule_errors == ()
    assert assessment.stale == ()  # every decision is about a finding that exists
    assert {f.fingerprint: f.status for f in assessment.findings} == {
        "missing-audit-logging@cli": TrackingStatus.ACCEPTED,
        "supply-unsigned-artifacts@ci-pipeline": TrackingStatus.ACCEPTED,
        "supply-no-provenance@ci-pipeline": TrackingStatus.ACCEPTED,
        "supply-no-sbom@ci-pipeline": TrackingStatus.ACCEPTED,
    }
    for finding in assessment.findings:
        assert finding.decision is not None
        assert finding.decision.status in DECIDED
        assert len(finding.decision.justification or "") > 80, finding.fingerprint
        assert finding.decision.expires is not None, finding.fingerprint


def test_the_model_covers_what_threatforge_touches() -> None:
    model = load(MODEL)
    assert sorted(model.components) == [
        "ci-pipeline",
        "cli",
        "contributor",
        "developer",
        "git",
        "github",
        "importers",
        "model-reader",
        "output-files",
        "plugins",
        "pypi",
        "report-writer",
        "repository-files",
        "reviewer",
        "rule-engine",
        "server",
        "server-db",
        "ticket-system",
    ]
    planned = sorted(c.id for c in model.components.values() if "planned" in c.tags)
    assert planned == ["server", "server-db"]
    # plugins run in their own zone inside the process: code execution by design, a boundary
    assert model.components["plugins"].zone == "plugins-zone"
    assert model.boundaries["plugins-zone"].inside == "threatforge-process"
    assert model.boundaries["contributors"].trust.value == "untrusted"
