"""``threatforge check``: the gate's exit codes, summary, JSON, baselines and ``--base``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sdlc_models import BACKDOOR, BACKDOOR_TITLE, ORDERS, ORDERS_WITH_BACKDOOR, Invoke, git

from threatforge.assessment import GateMode, read_assessment
from threatforge.model import JsonLimits, load_text
from threatforge.rules import Severity, analyze
from threatforge.sdlc import baseline
from threatforge.sdlc.baseline import BaselineError, read_baseline
from threatforge.sdlc.gate import evaluate_gate, render_gate_text

ACCEPTED = (
    ORDERS_WITH_BACKDOOR
    + f"""\
tracking:
  "{BACKDOOR}":
    status: accepted
    justification: partner integration, removed in Q3
    owner: alice
    expires: 2025-06-30
"""
)

DEFAULT_POLICY = "policy: built-in defaults (decisions expire within 365 days)\n"
NO_DECISIONS = "0 findings not counted because of decisions\n" + DEFAULT_POLICY
HEADER = 'check "Orders" (fail on high or above)\n'
PASSED = 'gate passed for "Orders" (fail on high or above)\n'
"""The verdict: the last line, the only one that starts with 'gate passed for'."""

FAILED_TEXT = (
    HEADER
    + "open findings: 0 critical, 1 high, 0 elevated, 0 medium, 0 low\n"
    + NO_DECISIONS
    + "1 finding at or above high:\n"
    f"  high      {BACKDOOR}  {BACKDOOR_TITLE}\n"
    'gate FAILED for "Orders" (fail on high or above)\n'
)


def write(folder: Path, text: str, name: str = "threatmodel.yaml") -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


# --- exit codes -------------------------------------------------------------------------------


def test_a_secure_model_passes(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, ORDERS), "--today", "2026-01-01")
    assert result.exit_code == 0
    assert result.stdout == (
        HEADER
        + "open findings: 0 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
        + NO_DECISIONS
        + PASSED
    )


def test_an_open_high_finding_fails_the_gate(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, ORDERS_WITH_BACKDOOR), "--today", "2026-01-01")
    assert result.exit_code == 1
    assert result.stdout == FAILED_TEXT


def test_the_threshold_is_inclusive_and_configurable(invoke: Invoke, folder: Path) -> None:
    name = write(folder, ORDERS_WITH_BACKDOOR)
    assert invoke("check", name, "--fail-on", "critical").exit_code == 0
    assert invoke("check", name, "--fail-on", "high").exit_code == 1
    assert invoke("check", name, "--fail-on", "low").exit_code == 1


def test_an_accepted_risk_does_not_count_until_it_expires(invoke: Invoke, folder: Path) -> None:
    name = write(folder, ACCEPTED)
    before_expiry = invoke("check", name, "--today", "2025-06-30")
    assert before_expiry.exit_code == 0
    assert before_expiry.stdout == (
        HEADER
        + "open findings: 0 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
        "1 finding not counted because of decisions (1 accepted)\n" + DEFAULT_POLICY + PASSED
    )
    expired = invoke("check", name, "--today", "2025-07-01")
    assert expired.exit_code == 1
    assert expired.stdout == FAILED_TEXT
    assert f"warning: accepted risk '{BACKDOOR}' expired on 2025-06-30" in expired.stderr


def test_an_invalid_model_is_bad_input(invoke: Invoke, folder: Path) -> None:
    name = write(folder, ORDERS.replace("gateway -> orders", "gateway -> ordrs"))
    result = invoke("check", name)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "unknown component 'ordrs' — did you mean 'orders'?" in result.stderr


def test_a_missing_model_is_bad_input(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", "nowhere.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "nowhere.yaml: error: no such file" in result.stderr


def test_an_unknown_severity_is_a_usage_error(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, ORDERS), "--fail-on", "severe")
    assert result.exit_code == 2


def test_a_bad_date_is_bad_input(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, ORDERS), "--today", "tomorrow")
    assert result.exit_code == 2
    assert "--today 'tomorrow' is not a date (YYYY-MM-DD)" in result.stderr


def test_an_invalid_rule_pack_is_bad_input(invoke: Invoke, folder: Path) -> None:
    pack = write(folder, "pack: broken\nrules: [{id: x}]\n", "pack.yaml")
    result = invoke("check", write(folder, ORDERS), "--rules", pack)
    assert result.exit_code == 2
    assert "invalid rule pack" in result.stderr


def test_several_models_fail_if_one_fails(invoke: Invoke, folder: Path) -> None:
    good = write(folder, ORDERS, "good.yaml")
    bad = write(folder, ORDERS_WITH_BACKDOOR, "bad.yaml")
    result = invoke("check", good, bad, "--today", "2026-01-01")
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("gate ")] == [
        'gate passed for "Orders" (fail on high or above)',
        'gate FAILED for "Orders" (fail on high or above)',
    ]


# --- JSON -------------------------------------------------------------------------------------


def test_json_verdict(invoke: Invoke, folder: Path) -> None:
    name = write(folder, ORDERS_WITH_BACKDOOR)
    result = invoke("check", name, "--format", "json", "--today", "2026-01-01")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "passed": False,
        "fail_on": "high",
        "models": [
            {
                "model": "threatmodel.yaml",
                "system": "Orders",
                "passed": False,
                "fail_on": "high",
                "mode": "all",
                "reference": None,
                "open_by_severity": {
                    "critical": 0,
                    "high": 1,
                    "elevated": 0,
                    "medium": 0,
                    "low": 0,
                },
                "failing": [
                    {
                        "fingerprint": BACKDOOR,
                        "rule": "unauthenticated-boundary-crossing",
                        "severity": "high",
                        "title": BACKDOOR_TITLE,
                        "elements": ["customer->orders"],
                        "status": "open",
                        "location": "threatmodel.yaml:32:5",
                    }
                ],
                "tolerated": [],
                "errored": False,
                "rule_failures": [],
                "decisions": {
                    "not_counted": [],
                    "invalid": [],
                    "policy": {"source": None, "digest": None, "horizon_days": 365},
                    "fail_on_new_decisions": False,
                },
                "fail_on_unreviewed": None,
                # the gateway's domain, DNS, certificate expiry and mis-issuance and WAF mode;
                # how orders validates the JWTs it accepts, and their audience
                "open_applicable_threats": 7,
                "unreviewed": [],
            }
        ],
    }


# --- baselines --------------------------------------------------------------------------------


def test_write_baseline_then_gate_only_on_new_findings(invoke: Invoke, folder: Path) -> None:
    name = write(folder, ORDERS_WITH_BACKDOOR)
    written = invoke("check", name, "--write-baseline", "baseline.json")
    assert written.exit_code == 0
    assert json.loads((folder / "baseline.json").read_text(encoding="utf-8")) == {
        "threatforge_baseline": 1,
        "system": "Orders",
        "findings": [{"fingerprint": BACKDOOR, "severity": "high", "title": BACKDOOR_TITLE}],
    }
    gated = invoke("check", name, "--baseline", "baseline.json", "--today", "2026-01-01")
    assert gated.exit_code == 0
    assert gated.stdout == (
        HEADER
        + "open findings: 0 critical, 1 high, 0 elevated, 0 medium, 0 low\n"
        "baseline baseline.json: 1 known finding(s) at or above high not counted\n"
        + NO_DECISIONS
        + PASSED
    )


def test_a_json_assessment_from_analyze_is_a_baseline(invoke: Invoke, folder: Path) -> None:
    # the assessment of the model before the backdoor: only the backdoor is new
    before = write(folder, ORDERS)
    assert invoke("-q", "analyze", before, "-f", "json", "-o", "a.json").exit_code == 0
    name = write(folder, ORDERS_WITH_BACKDOOR)
    gated = invoke("check", name, "--baseline", "a.json", "-f", "json", "--today", "2026-01-01")
    assert gated.exit_code == 1, gated.stderr
    (verdict,) = json.loads(gated.stdout)["models"]
    assert (verdict["mode"], verdict["reference"]) == ("baseline", "a.json")
    assert ([f["fingerprint"] for f in verdict["failing"]], verdict["tolerated"]) == (
        [BACKDOOR], []
    )
    # the assessment of the model with it: exactly what --write-baseline records is known
    assert invoke("-q", "analyze", name, "-f", "json", "-o", "b.json").exit_code == 0
    assert invoke("-q", "check", name, "--write-baseline", "baseline.json").exit_code == 0
    assert read_baseline("b.json") == read_baseline("baseline.json") == {BACKDOOR: Severity.HIGH}
    gated = invoke("check", name, "--baseline", "b.json", "--today", "2026-01-01")
    assert gated.exit_code == 0, gated.stderr
    assert gated.stdout == (
        HEADER
        + "open findings: 0 critical, 1 high, 0 elevated, 0 medium, 0 low\n"
        "baseline b.json: 1 known finding(s) at or above high not counted\n"
        + NO_DECISIONS
        + PASSED
    )


def test_every_open_finding_of_an_assessment_is_known_to_the_gate(
    invoke: Invoke, folder: Path
) -> None:
    example = str(Path(__file__).resolve().parents[2] / "examples/card-checkout/threatmodel.yaml")
    assert invoke("-q", "analyze", example, "-f", "json", "-o", "a.json").exit_code == 0
    written = read_assessment("a.json")
    high = sorted(
        f.fingerprint for f in written.open_findings if f.severity.rank >= Severity.HIGH.rank
    )
    assert len(high) == 12  # card-checkout: 6 critical, 6 high (staff-only reach scored)
    gated = invoke("-q", "check", example, "--baseline", "a.json", "-f", "json")
    assert gated.exit_code == 0, gated.stderr
    (verdict,) = json.loads(gated.stdout)["models"]
    assert (verdict["failing"], sorted(verdict["tolerated"])) == ([], high)


def test_an_assessment_past_a_baseline_s_bounds_is_read_within_an_assessment_s(
    invoke: Invoke, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = write(folder, ORDERS_WITH_BACKDOOR)
    assert invoke("-q", "analyze", name, "-f", "json", "-o", "a.json").exit_code == 0
    (folder / "big.json").write_text(json.dumps([BACKDOOR] * 200), encoding="utf-8")
    # a baseline file may be 20 MiB; a 10,000-component estate's assessment is about 45 MB
    monkeypatch.setattr(baseline, "BASELINE_LIMITS", JsonLimits(max_bytes=2000, max_depth=8))
    assert read_baseline("a.json") == {BACKDOOR: Severity.HIGH}
    with pytest.raises(BaselineError) as raised:
        read_baseline("big.json")
    assert str(raised.value) == "baseline big.json: is larger than 2,000 bytes"


def test_an_invalid_assessment_as_a_baseline_names_the_value(invoke: Invoke, folder: Path) -> None:
    name = write(folder, ORDERS_WITH_BACKDOOR)
    assert invoke("-q", "analyze", name, "-f", "json", "-o", "a.json").exit_code == 0
    text = (folder / "a.json").read_text(encoding="utf-8")
    (folder / "a.json").write_text(
        text.replace('"severity": "high"', '"severity": "catastrophic"', 1), encoding="utf-8"
    )
    result = invoke("check", name, "--baseline", "a.json")
    assert result.exit_code == 2
    assert result.stderr == (
        "plugins: none installed\n"
        "error: baseline a.json: findings[0].severity: 'catastrophic' is not one of low, medium, "
        "elevated, high, critical\n"
    )


def test_a_finding_missing_from_the_baseline_fails(invoke: Invoke, folder: Path) -> None:
    (folder / "baseline.json").write_text('["other-rule@orders"]', encoding="utf-8")
    result = invoke("check", write(folder, ORDERS_WITH_BACKDOOR), "--baseline", "baseline.json")
    assert result.exit_code == 1
    assert f"  high      {BACKDOOR}  {BACKDOOR_TITLE}\n" in result.stdout


def test_a_broken_baseline_is_bad_input(invoke: Invoke, folder: Path) -> None:
    name = write(folder, ORDERS)
    (folder / "baseline.json").write_text("{not json", encoding="utf-8")
    result = invoke("check", name, "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert result.stderr == (
        "plugins: none installed\n"
        "error: baseline baseline.json:1:2: is not valid JSON:"
        " Expecting property name enclosed in double quotes\n"
    )
    missing = invoke("check", name, "--baseline", "absent.json")
    assert missing.exit_code == 2
    assert missing.stderr == "plugins: none installed\nerror: baseline absent.json: no such file\n"


def test_baseline_and_base_are_exclusive(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, ORDERS), "--baseline", "b.json", "--base", "HEAD")
    assert result.exit_code == 2
    assert "use either --baseline FILE or --base GIT_REF, not both" in result.stderr


def test_a_raised_severity_fails_even_when_known() -> None:
    assessment = analyze(load_text(ORDERS_WITH_BACKDOOR), today=None)
    known = {BACKDOOR: Severity.MEDIUM}
    result = evaluate_gate(
        assessment, Severity.HIGH, known, mode=GateMode.BASELINE, reference="b.json"
    )
    assert [f.fingerprint for f in result.failing] == [BACKDOOR]
    still_high = evaluate_gate(assessment, Severity.HIGH, {BACKDOOR: Severity.HIGH})
    assert (still_high.passed, [f.fingerprint for f in still_high.tolerated]) == (True, [BACKDOOR])
    assert render_gate_text(result).splitlines()[2:] == [
        "baseline b.json: 0 known finding(s) at or above high not counted",
        "0 findings not counted because of decisions",
        DEFAULT_POLICY.rstrip("\n"),
        "1 new or raised finding at or above high:",
        f"  high      {BACKDOOR}  {BACKDOOR_TITLE}",
        'gate FAILED for "Orders" (fail on high or above)',
    ]


# --- --base -----------------------------------------------------------------------------------


def test_check_against_the_previous_commit_names_exactly_the_new_finding(
    invoke: Invoke, repo: Path
) -> None:
    result = invoke(
        "check",
        "threatmodel.yaml",
        "--base",
        "HEAD~1",
        "--fail-on",
        "high",
        "--today",
        "2026-01-01",
    )
    assert result.exit_code == 1
    assert result.stdout == (
        HEADER
        + "open findings: 0 critical, 1 high, 0 elevated, 0 medium, 0 low\n"
        "compared with HEAD~1: 0 finding(s) at or above high already open there, not counted\n"
        + NO_DECISIONS
        + "1 new or raised finding at or above high:\n"
        f"  high      {BACKDOOR}  {BACKDOOR_TITLE}\n"
        'gate FAILED for "Orders" (fail on high or above)\n'
    )


def test_check_against_the_same_commit_passes(invoke: Invoke, repo: Path) -> None:
    result = invoke("check", "threatmodel.yaml", "--base", "HEAD", "--format", "json")
    assert result.exit_code == 0
    verdict = json.loads(result.stdout)["models"][0]
    assert (verdict["mode"], verdict["reference"], verdict["tolerated"]) == (
        "base",
        "HEAD",
        [BACKDOOR],
    )


def test_a_model_new_at_this_commit_counts_every_finding(invoke: Invoke, repo: Path) -> None:
    (repo / "other.yaml").write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    result = invoke("check", "other.yaml", "--base", "HEAD")
    assert result.exit_code == 1
    assert "other.yaml does not exist at HEAD: every open finding counts as new" in result.stderr


def test_an_unknown_ref_is_bad_input(invoke: Invoke, repo: Path) -> None:
    result = invoke("check", "threatmodel.yaml", "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown git ref 'no-such-branch'" in result.stderr


def test_a_ref_that_looks_like_an_option_is_refused(invoke: Invoke, repo: Path) -> None:
    result = invoke("check", "threatmodel.yaml", "--base=--output=/tmp/x")
    assert result.exit_code == 2
    assert "'--output=/tmp/x' is not a usable git ref" in result.stderr
    ranged = invoke("check", "threatmodel.yaml", "--base", "HEAD~1..HEAD")
    assert ranged.exit_code == 2
    assert "is not a usable git ref" in ranged.stderr


def test_base_finds_a_model_in_a_sub_folder(invoke: Invoke, repo: Path) -> None:
    folder = repo / "services" / "orders"
    folder.mkdir(parents=True)
    (folder / "threatmodel.yaml").write_text(ORDERS, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a second model")
    (folder / "threatmodel.yaml").write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    result = invoke("check", "services/orders/threatmodel.yaml", "--base", "HEAD", "-f", "json")
    assert result.exit_code == 1
    verdict = json.loads(result.stdout)["models"][0]
    assert [f["fingerprint"] for f in verdict["failing"]] == [BACKDOOR]
    assert verdict["failing"][0]["location"] == "services/orders/threatmodel.yaml:32:5"


def test_base_outside_a_git_repository_is_bad_input(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, ORDERS), "--base", "HEAD")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: no git repository at {os.path.realpath(folder)}: fatal: not a git repository"
        " (or any of the parent directories): .git\n"
    )


def test_the_verdict_and_its_results_are_assessment_data() -> None:
    import threatforge.assessment as results
    import threatforge.sdlc as sdlc

    verdict = evaluate_gate(analyze(load_text(ORDERS_WITH_BACKDOOR), today=None), Severity.HIGH)
    assert type(verdict) is results.GateResult
    assert verdict.policy == results.AppliedPolicy(
        None, None, 365, "policy: built-in defaults (decisions expire within 365 days)"
    )
    moved = ["BaseComparison", "DecisionChange", "GateMode", "GateResult", "HidingChange",
             "InvalidDecision"]
    assert [name for name in moved if name in results.__all__] == moved
    assert [name for name in moved if name in sdlc.__all__] == []
    assert results.GateResult.__module__ == "threatforge.assessment.gate"
    assert results.BaseComparison.__module__ == "threatforge.assessment.decisions"
