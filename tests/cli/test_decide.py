"""``threatforge decide``: a decision written into ``tracking:`` (comments kept), or refused.

A decision is refused with the gate's own words whenever the gate would not let it hide its
finding (issue 14 item 7): the command cannot write what ``check`` would then count anyway.
Each refusal leaves the file byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from threatforge.cli import app

MODEL = """\
# Payments service: reviewed with the PCI team
system: {name: Cards, owner: payments, criticality: high}
data:
  card: {classification: restricted, categories: [pci.pan]}
boundaries:
  vpc: {trust: trusted, kind: vpc} # the production VPC
components:
  api:
    kind: service
    zone: vpc
    authn: jwt
    authz: object-level
    rate_limit: true
    input_validation: true
    logging: {enabled: true, audit: true, centralised: true}
    processes: [card]
controls:
  segmentation: {status: planned, applies_to: [api]} # lands in Q3
  waf: {status: implemented, applies_to: [api]}
"""
"""One high finding: ``pci-no-cde-defined@card`` (no zone is marked as the CDE)."""

FINDING = "pci-no-cde-defined@card"
TODAY = ("--today", "2026-01-01")
ACCEPT = ("--status", "accepted", "--owner", "alice", "--reason", "the PCI team, RISK-12")


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "threatmodel.yaml"
    path.write_text(MODEL, encoding="utf-8")
    return path


def decide(*args: str) -> Result:
    return CliRunner().invoke(app, ["decide", "threatmodel.yaml", *args, *TODAY])


def test_writes_the_decision_under_tracking_keeping_every_comment(model: Path) -> None:
    result = decide(FINDING, *ACCEPT, "--expires", "2026-06-30", "--ticket", "RISK-12")
    assert result.exit_code == 0, result.output
    assert model.read_text(encoding="utf-8") == MODEL + (
        "tracking:\n"
        '  "pci-no-cde-defined@card":\n'
        "    status: accepted\n"
        "    justification: the PCI team, RISK-12\n"
        "    owner: alice\n"
        "    ticket: RISK-12\n"
        "    expires: 2026-06-30\n"
    )
    assert result.stderr.splitlines()[-2:] == [
        "threatmodel.yaml: recorded pci-no-cde-defined@card: accepted by alice, expires "
        "2026-06-30",
        "policy: built-in defaults (decisions expire within 365 days)",
    ]
    gate = CliRunner().invoke(app, ["check", "threatmodel.yaml", *TODAY])
    assert gate.exit_code == 0  # the gate accepts what decide wrote
    assert gate.stdout.splitlines()[2] == (
        "1 finding not counted because of decisions (1 accepted)"
    )


def test_replaces_a_decision_in_place_keeping_its_comment_and_ticket(model: Path) -> None:
    model.write_text(
        MODEL + "tracking:\n  # revisit after the audit\n"
        f'  "{FINDING}": {{status: in-discussion, ticket: RISK-12}}\n'
        '  "other@api": {status: open}\n',
        encoding="utf-8",
    )
    result = decide(
        FINDING, "--status", "mitigated", "--owner", "bob", "--reason", "segmented",
        "--expires", "2026-12-31", "--evidence", "pentest-2025-11.pdf",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert model.read_text(encoding="utf-8") == MODEL + (
        "tracking:\n"
        "  # revisit after the audit\n"
        '  "pci-no-cde-defined@card":\n'
        "    status: mitigated\n"
        "    justification: segmented\n"
        "    owner: bob\n"
        "    ticket: RISK-12\n"
        "    expires: 2026-12-31\n"
        "    evidence: pentest-2025-11.pdf\n"
        '  "other@api": {status: open}\n'
    )


def test_a_mitigation_names_a_declared_implemented_control(model: Path) -> None:
    result = decide(
        FINDING, "--status", "mitigated", "--owner", "bob", "--reason", "behind the WAF",
        "--expires", "2026-03-31", "--control", "waf",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert model.read_text(encoding="utf-8").endswith(
        '  "pci-no-cde-defined@card":\n    status: mitigated\n    justification: behind the WAF\n'
        "    owner: bob\n    expires: 2026-03-31\n    control: waf\n"
    )


REFUSED = {
    "bare": (
        (FINDING, "--status", "accepted"),
        "pci-no-cde-defined@card (accepted, high): no owner (who decided); no reason "
        "(justification); no expiry (expires: at the latest 2027-01-01)",
    ),
    "forever": (
        (FINDING, *ACCEPT, "--expires", "9999-12-31"),
        "pci-no-cde-defined@card (accepted, high): expires 9999-12-31, beyond the 365-day "
        "horizon (at the latest 2027-01-01)",
    ),
    "already-expired": (
        (FINDING, *ACCEPT, "--expires", "2025-12-31"),
        "pci-no-cde-defined@card (accepted, high): expired on 2025-12-31",
    ),
    "false-positive-without-reason": (
        (FINDING, "--status", "false-positive", "--owner", "mallory", "--expires", "2026-02-01"),
        "pci-no-cde-defined@card (false-positive, high): no reason (justification)",
    ),
    "bare-mitigation": (
        (FINDING, "--status", "mitigated", "--owner", "bob", "--reason", "done",
         "--expires", "2026-02-01"),
        "pci-no-cde-defined@card (mitigated, high): names no control or evidence (control: a "
        "declared control id, or evidence:)",
    ),
    "undeclared-control": (
        (FINDING, "--status", "mitigated", "--owner", "bob", "--reason", "done",
         "--expires", "2026-02-01", "--control", "firewall"),
        "pci-no-cde-defined@card (mitigated, high): control 'firewall' is not declared under "
        "'controls:'",
    ),
    "planned-control": (
        (FINDING, "--status", "mitigated", "--owner", "bob", "--reason", "done",
         "--expires", "2026-02-01", "--control", "segmentation"),
        "pci-no-cde-defined@card (mitigated, high): control 'segmentation' is planned, not "
        "implemented",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("args", "problems"), REFUSED.values(), ids=list(REFUSED))
def test_refuses_what_the_gate_would_not_accept_writing_nothing(
    model: Path, args: tuple[str, ...], problems: str
) -> None:
    result = decide(*args)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"error: {problems}; nothing was written\n")
    assert model.read_text(encoding="utf-8") == MODEL


def test_refuses_an_owner_the_ci_policy_does_not_allow(model: Path, tmp_path: Path) -> None:
    policy = tmp_path / "ci-policy.yaml"
    policy.write_text(
        "version: 1\ndecisions:\n  horizon_days: 90\n  accept:\n    high: [alice]\n",
        encoding="utf-8",
    )
    args = ("--status", "accepted", "--owner", "mallory", "--reason", "fine")
    result = decide(FINDING, *args, "--expires", "2026-06-30", "--policy", str(policy))
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "error: pci-no-cde-defined@card (accepted, high): expires 2026-06-30, beyond the 90-day "
        "horizon (at the latest 2026-04-01); owner 'mallory' may not decide a high finding "
        f"(policy {policy}:5: alice); nothing was written\n"
    )
    assert model.read_text(encoding="utf-8") == MODEL


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("pci-no-cde-defined@crd", *ACCEPT, "--expires", "2026-06-30"),
            "error: threatmodel.yaml has no finding or applicable threat "
            "'pci-no-cde-defined@crd' — did you mean 'pci-no-cde-defined@card'? (threatforge "
            "analyze lists the findings with their fingerprints)\n",
        ),
        (
            (FINDING, *ACCEPT, "--expires", "2026-06-30", "--control", "waf"),
            "error: --control and --evidence say what mitigates a finding: use them with "
            "--status mitigated\n",
        ),
        (
            (FINDING, "--status", "mitigated", "--control", "waf", "--evidence", "scan"),
            "error: name either --control ID or --evidence REF, not both\n",
        ),
        (
            (FINDING, *ACCEPT, "--expires", "next year"),
            "error: --expires 'next year' is not a date (YYYY-MM-DD)\n",
        ),
    ],
    ids=["unknown-finding", "control-on-acceptance", "control-and-evidence", "bad-date"],
)
def test_refuses_bad_arguments_writing_nothing(
    model: Path, args: tuple[str, ...], message: str
) -> None:
    result = decide(*args)
    assert result.exit_code == 2
    assert result.stderr.endswith(message)
    assert model.read_text(encoding="utf-8") == MODEL


def test_refuses_a_model_whose_comments_it_could_not_keep(model: Path) -> None:
    """ruamel drops a comment inside a flow mapping: set_decision refuses, as fmt does."""
    text = MODEL.replace(
        "  card: {classification: restricted, categories: [pci.pan]}\n",
        "  card: {classification: restricted, # PAN\n    categories: [pci.pan]}\n",
    )
    model.write_text(text, encoding="utf-8")
    result = decide(FINDING, *ACCEPT, "--expires", "2026-06-30")
    assert result.exit_code == 2
    assert result.stderr.endswith("error: threatmodel.yaml: the decision was not written\n")
    assert model.read_text(encoding="utf-8") == text


def test_refuses_a_json_model_it_would_rewrite_as_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        '{"system": {"name": "Cards", "criticality": "high"}, "data": {"card": '
        '{"classification": "restricted", "categories": ["pci.pan"]}}, "components": {"api": '
        '{"kind": "service", "processes": ["card"]}}}'
    )
    (tmp_path / "model.json").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["decide", "model.json", FINDING, *ACCEPT, "--expires", "2026-06-30", *TODAY]
    )
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "error: model.json is JSON (written by a program): decide edits YAML model files; "
        "nothing was written\n"
    )
    assert (tmp_path / "model.json").read_text(encoding="utf-8") == text


def test_replaces_a_decision_in_the_included_file_that_holds_it(model: Path) -> None:
    model.write_text(MODEL.replace("system:", "include: [decisions.yaml]\nsystem:"), "utf-8")
    included = model.parent / "decisions.yaml"
    included.write_text(
        f'# decisions of the payments team\ntracking:\n  "{FINDING}": {{status: in-progress}}\n',
        encoding="utf-8",
    )
    before = model.read_text(encoding="utf-8")
    result = decide(FINDING, *ACCEPT, "--expires", "2026-06-30")
    assert result.exit_code == 0, result.output
    assert model.read_text(encoding="utf-8") == before
    assert included.read_text(encoding="utf-8") == (
        "# decisions of the payments team\n"
        "tracking:\n"
        '  "pci-no-cde-defined@card":\n'
        "    status: accepted\n"
        "    justification: the PCI team, RISK-12\n"
        "    owner: alice\n"
        "    expires: 2026-06-30\n"
    )
    assert result.stderr.splitlines()[-2] == (
        "decisions.yaml: recorded pci-no-cde-defined@card: accepted by alice, expires 2026-06-30"
    )


def test_an_applicable_threat_is_decided_not_applicable_by_its_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        "system: {name: Refunds}\nboundaries:\n  corp: {kind: corporate, trust: semi-trusted}\n"
        "components:\n  clerk: {kind: actor, zone: corp}\n  refund-fn: {kind: function}\n"
        "flows:\n  - clerk -> refund-fn: {protocol: https}\n"
    )
    path = tmp_path / "threatmodel.yaml"
    path.write_text(text, encoding="utf-8")
    threat = "pay-refund-without-dual-approval@refund-fn"
    result = decide(
        threat, "--status", "not-applicable", "--owner", "alice", "--reason",
        "the PSP issues refunds, never staff", "--expires", "2026-06-30",
    )
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == text + (
        "tracking:\n"
        f'  "{threat}":\n'
        "    status: not-applicable\n"
        "    justification: the PSP issues refunds, never staff\n"
        "    owner: alice\n"
        "    expires: 2026-06-30\n"
    )


def test_a_team_threat_is_accepted_by_its_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        "system: {name: Refunds}\ncomponents:\n  refund-fn: {kind: function}\n"
        "threats:\n  refund-replay:\n    source: customer\n    action: replay a refund\n"
        "    elements: [refund-fn]\n    priority: high\n"
    )
    path = tmp_path / "threatmodel.yaml"
    path.write_text(text, encoding="utf-8")
    result = decide(
        "team-threat@refund-replay", "--status", "accepted", "--owner", "alice", "--reason",
        "the PSP refuses a second refund of one charge", "--expires", "2026-06-30",
    )
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == text + (
        "tracking:\n"
        '  "team-threat@refund-replay":\n'
        "    status: accepted\n"
        "    justification: the PSP refuses a second refund of one charge\n"
        "    owner: alice\n"
        "    expires: 2026-06-30\n"
    )
    misspelt = decide(
        "team-threat@refund-replai", "--status", "accepted", "--owner", "alice", "--reason",
        "x", "--expires", "2026-06-30",
    )
    assert misspelt.exit_code != 0
    assert "did you mean 'team-threat@refund-replay'?" in misspelt.output


def test_a_status_that_keeps_the_result_open_needs_only_an_owner(model: Path) -> None:
    """in-progress is the one vocabulary's too: written with its owner, still counted."""
    result = decide(FINDING, "--status", "in-progress", "--owner", "bob", "--ticket", "SEC-7")
    assert result.exit_code == 0, result.output
    assert model.read_text(encoding="utf-8") == MODEL + (
        "tracking:\n"
        '  "pci-no-cde-defined@card":\n'
        "    status: in-progress\n"
        "    owner: bob\n"
        "    ticket: SEC-7\n"
    )
    assert result.stderr.splitlines()[-1] == (
        "threatmodel.yaml: recorded pci-no-cde-defined@card: in-progress, owner bob "
        "(still counted by the gate)"
    )
    gate = CliRunner().invoke(app, ["check", "threatmodel.yaml", *TODAY])
    assert gate.exit_code == 1  # in progress is not decided away


def test_a_status_that_keeps_the_result_open_refuses_no_owner(model: Path) -> None:
    result = decide(FINDING, "--status", "in-discussion")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "error: pci-no-cde-defined@card (in-discussion): no owner (who works on it): name one "
        "with --owner; nothing was written\n"
    )
    assert model.read_text(encoding="utf-8") == MODEL


def test_the_status_choices_are_the_one_decision_vocabulary() -> None:
    from threatforge.assessment import DECISION_STATUSES

    result = CliRunner().invoke(app, ["decide", "threatmodel.yaml", FINDING, "--status", "done"])
    assert result.exit_code == 2
    offered = " ".join(result.output.split()).split("'done' is not one of ")[1]
    assert sorted(offered.rstrip(".").split(", ")) == sorted(f"'{s}'" for s in DECISION_STATUSES)
