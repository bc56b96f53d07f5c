"""The gate against the pull request it gates (issue 14, items 7, 8, 23 and 24).

Each test is written as the attack: the model (or the change, in a git repository built in a
temporary folder) an author would write to get a weakness past ``threatforge check``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sdlc_models import Invoke, git

from threatforge.model import Component, ComponentKind, Flow, Model, System
from threatforge.rules import (
    ENTRY_POINT_GROUP,
    Rule,
    RuleFailure,
    RuleMeta,
    Severity,
    Stride,
    Target,
    Verdict,
    analyze,
    builtin_rules,
    registry,
    rule,
)
from threatforge.sdlc.gate import evaluate_gate, render_gate_text
from threatforge.sdlc.policy import PolicyError, load_policy

DEFAULTS = "policy: built-in defaults (decisions expire within 365 days)"
BACKDOOR = "unauthenticated-boundary-crossing@customer->orders"
BACKDOOR_TITLE = "Unauthenticated flow into a more trusted zone: customer->orders"

ORDERS = """\
system: {name: Orders, criticality: high}
data:
  order: {classification: confidential, categories: [pii]}
boundaries:
  internet: {trust: untrusted, kind: internet}
  vpc: {trust: trusted, kind: vpc}
components:
  customer: {kind: actor, zone: internet}
  orders:
    kind: service
    zone: vpc
    authn: jwt
    authz: object-level
    rate_limit: true
    input_validation: true
    logging: {enabled: true, audit: true, centralised: true}
    processes: [order]
flows:
  - customer -> orders: {protocol: https, authn: none, data: [order]}
"""
"""One high finding: the unauthenticated flow from the internet (line 19)."""

CARDS = """\
system: {name: Cards, criticality: high}
data:
  card: {classification: restricted, categories: [pci.pan]}
boundaries:
  vpc: {trust: trusted, kind: vpc}
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
  card-store:
    kind: datastore
    tech: aws.rds.postgres
    zone: vpc
    stores: [card]
    encryption: {at_rest: none}
    logging: {enabled: true, audit: true, centralised: true}
flows:
  - api -> card-store: {protocol: postgres, tls: true, authn: iam, data: [card]}
"""
"""A card store that says it is not encrypted at rest (a medium finding without a CDE)."""

UNENCRYPTED = "store-unencrypted-at-rest@card-store"


def write(folder: Path, text: str, name: str = "threatmodel.yaml") -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


def tracked(entry: str) -> str:
    """ORDERS with one tracking entry on the backdoor finding (the entry starts at line 21)."""
    return ORDERS + f'tracking:\n  "{BACKDOOR}":\n{entry}'


def head_of(stdout: str, count: int) -> list[str]:
    return stdout.splitlines()[:count]


# --- 23: the gate fails closed on rule failures ------------------------------------------------


def test_a_model_built_in_code_with_a_dangling_flow_cannot_pass_the_library_gate() -> None:
    api = Component(kind=ComponentKind.SERVICE, id="api")
    flow = Flow.model_validate({"from": "api", "to": "ghost", "id": "api-to-ghost"})
    model = Model(system=System(name="Shop"), components={"api": api}, flows=(flow,))
    assessment = analyze(model, builtin_rules(), today=date(2026, 1, 1))
    assert assessment.findings == ()  # what made the old gate pass
    result = evaluate_gate(assessment, Severity.HIGH, model=model)
    assert (result.passed, result.errored, result.failing) == (False, True, ())
    assert result.failures == assessment.rule_errors
    assert (
        RuleFailure("unauthenticated-boundary-crossing", "api-to-ghost", "KeyError: 'ghost'")
        in result.failures
    )
    text = render_gate_text(result).splitlines()
    count = len(assessment.rule_errors)
    assert text[0] == 'check "Shop" (fail on high or above)'
    assert text[-1] == (
        f'gate ERROR for "Shop": {count} rule failures, no verdict (fail on high or above)'
    )
    assert text[4] == (
        f"{count} rule failures: the rules could not all run, so the gate cannot pass (exit 2); "
        "fix the model or the rule:"
    )
    first = assessment.rule_errors[0]
    assert text[5] == f"  {first.rule} on {first.element}: {first.error}"
    assert text[-2] == f"  ... and {count - 20} more"


def _meta(rule_id: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="{element} is not approved",
        description="An organisation rule shipped as a plugin.",
        target=Target.COMPONENT,
        likelihood=2,
        impact=2,
        mitigations=("Get an architecture review.",),
        detection="Never: it crashes.",
        cwe=(1059,),
        stride=(Stride.TAMPERING,),
    )


@rule(_meta("acme-crashes"))
def acme_crashes(component: Component, model: Model) -> Verdict:
    raise ValueError(f"cannot parse {component.id}")


@dataclass(frozen=True)
class FakeEntryPoint:
    name: str
    value: str
    loader: Callable[[], object]

    def load(self) -> object:
        return self.loader()


def install(monkeypatch: pytest.MonkeyPatch, *rules: Rule) -> None:
    entry = FakeEntryPoint("crashing", "acme:rules", lambda: rules)

    def fake_entry_points(*, group: str, untrusted: object = ()) -> list[FakeEntryPoint]:
        assert group == ENTRY_POINT_GROUP
        return [entry]

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)


def test_a_plugin_rule_that_raises_makes_check_exit_2_naming_it(
    invoke: Invoke, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(monkeypatch, acme_crashes)
    model = "system: {name: Plugins}\ncomponents:\n  app: {kind: service, authn: jwt}\n"
    result = invoke("check", write(folder, model), "--today", "2026-01-01")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-3:] == [
        "1 rule failure: the rules could not all run, so the gate cannot pass (exit 2); fix the "
        "model or the rule:",
        "  acme-crashes on app: ValueError: cannot parse app",
        'gate ERROR for "Plugins": 1 rule failure, no verdict (fail on high or above)',
    ]
    assert "rule error: acme-crashes on app: ValueError: cannot parse app" in result.stderr
    verdict = json.loads(
        invoke("check", "threatmodel.yaml", "--format", "json", "--today", "2026-01-01").stdout
    )
    assert (verdict["passed"], verdict["models"][0]["errored"]) == (False, True)
    assert verdict["models"][0]["rule_failures"] == [
        {"rule": "acme-crashes", "element": "app", "error": "ValueError: cannot parse app"}
    ]


def test_a_rule_that_raises_on_the_base_model_is_a_failure_too(
    invoke: Invoke, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = "system: {name: Plugins}\ncomponents:\n  old-app: {kind: service, authn: jwt}\n"
    repository(folder, base, base.replace("old-app", "new-app"))
    install(monkeypatch, acme_crashes)
    result = invoke("check", "threatmodel.yaml", "--base", "HEAD~1", "--today", "2026-01-01")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-4:] == [
        "2 rule failures: the rules could not all run, so the gate cannot pass (exit 2); fix "
        "the model or the rule:",
        "  acme-crashes on new-app: ValueError: cannot parse new-app",
        "  acme-crashes on old-app: at HEAD~1: ValueError: cannot parse old-app",
        'gate ERROR for "Plugins": 2 rule failures, no verdict (fail on high or above)',
    ]


def test_a_plugin_that_fails_to_load_makes_check_exit_2(
    invoke: Invoke, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> object:
        raise ModuleNotFoundError("No module named 'acme'")

    entry = FakeEntryPoint("broken", "acme:rules", broken)
    monkeypatch.setattr(registry, "entry_points", lambda *, group, untrusted=(): [entry])
    result = invoke("check", write(folder, ORDERS.replace("authn: none", "authn: oidc")))
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-2:] == [
        "  plugin: plugin 'broken' (acme:rules) failed to load: ModuleNotFoundError: "
        "No module named 'acme'",
        'gate ERROR for "Orders": 1 rule failure, no verdict (fail on high or above)',
    ]


# --- 7: a change cannot decide its own findings ------------------------------------------------


def test_an_acceptance_that_never_expires_does_not_hide_the_finding(
    invoke: Invoke, folder: Path
) -> None:
    entry = (
        "    status: accepted\n    justification: the partner needs it\n    owner: mallory\n"
        "    expires: 9999-12-31\n"
    )
    result = invoke("check", write(folder, tracked(entry)), "--today", "2026-01-01")
    assert result.exit_code == 1
    assert result.stdout == (
        'check "Orders" (fail on high or above)\n'
        "open findings: 0 critical, 1 high, 0 elevated, 0 medium, 0 low\n"
        "0 findings not counted because of decisions\n"
        f"{DEFAULTS}\n"
        "1 decision does not hide its finding (counted as open):\n"
        f"  threatmodel.yaml:21:3: {BACKDOOR} (accepted, high): expires 9999-12-31, beyond the "
        "365-day horizon (at the latest 2027-01-01)\n"
        f'    write: "{BACKDOOR}": {{status: accepted, justification: "the partner needs it", '
        'owner: "mallory", expires: 2027-01-01}\n'
        "1 finding at or above high:\n"
        f"  high      {BACKDOOR}  {BACKDOOR_TITLE}\n"
        'gate FAILED for "Orders" (fail on high or above)\n'
    )


def test_a_bare_mitigated_decision_does_not_hide_the_finding(invoke: Invoke, folder: Path) -> None:
    name = write(folder, tracked("    status: mitigated\n"))
    result = invoke("check", name, "--today", "2026-01-01")
    assert result.exit_code == 1
    assert head_of(result.stdout, 7)[4:] == [
        "1 decision does not hide its finding (counted as open):",
        f"  threatmodel.yaml:21:3: {BACKDOOR} (mitigated, high): no owner (who decided); no "
        "reason (justification); no expiry (expires: at the latest 2027-01-01); names no "
        "control or evidence (control: a declared control id, or evidence:)",
        f'    write: "{BACKDOOR}": {{status: mitigated, justification: "<why>", owner: '
        '"<who decided>", expires: 2027-01-01, control: "<control id>"}',
    ]


def test_an_old_false_positive_without_owner_or_expiry_counts_and_says_what_to_add(
    invoke: Invoke, folder: Path
) -> None:
    entry = "    status: false-positive\n    justification: only partners call it\n"
    result = invoke("check", write(folder, tracked(entry)), "--today", "2026-03-01")
    assert result.exit_code == 1
    verdict = json.loads(
        invoke("check", "threatmodel.yaml", "-f", "json", "--today", "2026-03-01").stdout
    )
    assert verdict["models"][0]["decisions"]["invalid"] == [
        {
            "fingerprint": BACKDOOR,
            "status": "false-positive",
            "severity": "high",
            "location": "threatmodel.yaml:21:3",
            "problems": ["no owner (who decided)", "no expiry (expires: at the latest 2027-03-01)"],
            "rewrite": f'"{BACKDOOR}": {{status: false-positive, justification: "only partners '
            'call it", owner: "<who decided>", expires: 2027-03-01}',
        }
    ]
    assert head_of(result.stdout, 7)[4:] == [
        "1 decision does not hide its finding (counted as open):",
        f"  threatmodel.yaml:21:3: {BACKDOOR} (false-positive, high): no owner (who decided); "
        "no expiry (expires: at the latest 2027-03-01)",
        f'    write: "{BACKDOOR}": {{status: false-positive, justification: "only partners call '
        'it", owner: "<who decided>", expires: 2027-03-01}',
    ]


def test_an_expired_mitigation_counts_again(invoke: Invoke, folder: Path) -> None:
    entry = (
        "    status: mitigated\n    justification: fixed in the proxy\n    owner: alice\n"
        "    expires: 2025-12-31\n    evidence: proxy config test\n"
    )
    result = invoke("check", write(folder, tracked(entry)), "--today", "2026-01-01")
    assert result.exit_code == 1
    assert head_of(result.stdout, 6)[5] == (
        f"  threatmodel.yaml:21:3: {BACKDOOR} (mitigated, high): expired on 2025-12-31"
    )


def test_a_mitigation_must_name_a_declared_implemented_control(
    invoke: Invoke, folder: Path
) -> None:
    entry = (
        "    status: mitigated\n    justification: the gateway checks tokens\n"
        "    owner: alice\n    expires: 2026-06-30\n    control: token-check\n"
    )
    undeclared = invoke("check", write(folder, tracked(entry)), "--today", "2026-01-01")
    assert undeclared.exit_code == 1
    assert head_of(undeclared.stdout, 6)[5] == (
        f"  threatmodel.yaml:21:3: {BACKDOOR} (mitigated, high): control 'token-check' is not "
        "declared under 'controls:'"
    )
    planned = ORDERS + "controls:\n  token-check: {status: planned}\n"
    planned += f'tracking:\n  "{BACKDOOR}":\n{entry}'
    result = invoke("check", write(folder, planned), "--today", "2026-01-01")
    assert head_of(result.stdout, 6)[5] == (
        f"  threatmodel.yaml:23:3: {BACKDOOR} (mitigated, high): control 'token-check' is "
        "planned, not implemented"
    )
    implemented = planned.replace("{status: planned}", "{status: implemented}")
    passed = invoke("check", write(folder, implemented), "--today", "2026-01-01")
    assert passed.exit_code == 0
    assert passed.stdout == (
        'check "Orders" (fail on high or above)\n'
        "open findings: 0 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
        "1 finding not counted because of decisions (1 mitigated)\n"
        f"{DEFAULTS}\n"
        'gate passed for "Orders" (fail on high or above)\n'
    )


POLICY = """\
version: 1
decisions:
  horizon_days: 90
  accept:
    critical: []
    high: [alice, bob]
"""


def test_the_policy_bounds_who_decides_and_how_long_and_prints_its_digest(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ci = tmp_path / "ci"
    checkout = tmp_path / "checkout"
    ci.mkdir()
    checkout.mkdir()
    (ci / "policy.yaml").write_text(POLICY, encoding="utf-8")
    digest = "sha256:" + hashlib.sha256(POLICY.encode()).hexdigest()
    monkeypatch.chdir(checkout)
    entry = (
        "    status: accepted\n    justification: the partner needs it\n    owner: mallory\n"
        "    expires: 2026-06-30\n"
    )
    model = write(checkout, tracked(entry))
    shown = f"policy: {ci / 'policy.yaml'} {digest} (decisions expire within 90 days; who may "
    shown += "decide: critical: nobody, high: alice, bob)"
    problems = (
        f"  threatmodel.yaml:21:3: {BACKDOOR} (accepted, high): expires 2026-06-30, beyond the "
        "90-day horizon (at the latest 2026-04-01); owner 'mallory' may not decide a high "
        f"finding (policy {ci / 'policy.yaml'}:6: alice, bob)"
    )
    for args in (("--policy", str(ci / "policy.yaml")), ()):
        if not args:
            monkeypatch.setenv("THREATFORGE_POLICY", str(ci / "policy.yaml"))
        result = invoke("check", model, "--today", "2026-01-01", *args)
        assert result.exit_code == 1
        assert head_of(result.stdout, 6)[3:] == [
            shown,
            "1 decision does not hide its finding (counted as open):",
            problems,
        ]
    alice = entry.replace("mallory", "alice").replace("2026-06-30", "2026-03-31")
    write(checkout, tracked(alice))
    passed = invoke("check", model, "--today", "2026-01-01", "--policy", str(ci / "policy.yaml"))
    assert passed.exit_code == 0
    assert head_of(passed.stdout, 4)[2:] == [
        "1 finding not counted because of decisions (1 accepted)",
        shown,
    ]


def test_a_policy_committed_in_the_checkout_is_never_read(invoke: Invoke, folder: Path) -> None:
    loose = "version: 1\ndecisions: {horizon_days: 3650}\n"
    for name in ("policy.yaml", ".threatforge-policy.yaml", "threatforge-policy.yaml"):
        write(folder, loose, name)
    entry = (
        "    status: accepted\n    justification: the partner needs it\n    owner: mallory\n"
        "    expires: 2030-01-01\n"
    )
    result = invoke("check", write(folder, tracked(entry)), "--today", "2026-01-01")
    assert result.exit_code == 1
    assert head_of(result.stdout, 4)[3] == DEFAULTS


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("version: 2\n", "version: Input should be 1"),
        (
            "version: 1\ndecisions: {horizon: 10}\n",
            "decisions.horizon: Extra inputs are not permitted",
        ),
        (
            "version: 1\ndecisions: {horizon_days: 100000}\n",
            "decisions.horizon_days: Input should be less than or equal to 3650",
        ),
        (
            "version: 1\ndecisions: {accept: {severe: [alice]}}\n",
            "decisions.accept.severe.[key]: Input should be 'low', 'medium', 'elevated', 'high' "
            "or 'critical'",
        ),
    ],
)
def test_an_invalid_policy_is_bad_input(
    invoke: Invoke, folder: Path, text: str, problem: str
) -> None:
    write(folder, text, "policy.yaml")
    result = invoke("check", write(folder, ORDERS), "--policy", "policy.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"error: policy policy.yaml is not valid: {problem}\n"


def test_a_policy_that_is_not_a_file_is_bad_input(folder: Path) -> None:
    (folder / "policy.yaml").mkdir()
    with pytest.raises(PolicyError, match=r"^policy policy.yaml: is a directory"):
        load_policy("policy.yaml")
    with pytest.raises(PolicyError, match=r"^policy absent.yaml: no such file$"):
        load_policy("absent.yaml")


# --- under --base: what the change decided and what it hid (7, 8, 24) -------------------------


def repository(folder: Path, *versions: str) -> None:
    """A git repository where each version of threatmodel.yaml is one commit."""
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "commit.gpgsign", "false")
    for number, text in enumerate(versions):
        write(folder, text)
        git(folder, "add", "threatmodel.yaml")
        git(folder, "commit", "-q", "-m", f"version {number}")


def test_deleting_the_unencrypted_fact_is_listed_as_a_change_that_hides_a_finding(
    invoke: Invoke, folder: Path
) -> None:
    repository(folder, CARDS, CARDS.replace("    encryption: {at_rest: none}\n", ""))
    args = ("check", "threatmodel.yaml", "--base", "HEAD~1", "--fail-on", "medium")
    result = invoke(*args, "--today", "2026-01-01")
    assert result.exit_code == 0  # the finding is not new; the gate says what hid it
    hiding = [
        "changes that hide a finding open at HEAD~1:",
        f"  medium    {UNENCRYPTED}  fired -> unknown: a fact it needs was deleted or is no "
        "longer stated",
    ]
    assert result.stdout.splitlines()[5:] == [
        *hiding,
        'gate passed for "Cards" (fail on medium or above)',
    ]
    blocked = invoke(*args, "--today", "2026-01-01", "--fail-on-new-decisions")
    assert blocked.exit_code == 1
    assert blocked.stdout.splitlines()[5:] == [
        *hiding,
        "--fail-on-new-decisions: this change adds 0 decisions and 1 change that hide a finding",
        'gate FAILED for "Cards" (fail on medium or above)',
    ]
    document = json.loads(invoke(*args, "--format", "json", "--fail-on-new-decisions").stdout)
    assert document["models"][0]["decisions"]["hiding_changes"] == [
        {
            "fingerprint": UNENCRYPTED,
            "severity": "medium",
            "title": "card-store stores sensitive data without encryption at rest",
            "reason": "fired -> unknown: a fact it needs was deleted or is no longer stated",
        }
    ]


@pytest.mark.parametrize(
    ("before", "after", "resolved"),
    [
        ("at_rest: none", "at_rest: kms-cmk", 1),  # a component rule now passes
        ("kind: vpc}", "kind: vpc, properties: {cde: true}}", 3),  # a model-level one too
    ],
)
def test_a_real_fix_is_not_a_change_that_hides_a_finding(
    invoke: Invoke, folder: Path, before: str, after: str, resolved: int
) -> None:
    repository(folder, CARDS, CARDS.replace(before, after))
    result = invoke(
        "check", "threatmodel.yaml", "--base", "HEAD~1", "--fail-on-new-decisions",
        "--fail-on", "low", "--today", "2026-01-01", "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0
    verdict = json.loads(result.stdout)["models"][0]
    assert sum(verdict["open_by_severity"].values()) == 5 - resolved
    assert (verdict["decisions"]["hiding_changes"], verdict["passed"]) == ([], True)


def test_a_decision_added_by_the_change_is_listed_and_can_fail_the_gate(
    invoke: Invoke, folder: Path
) -> None:
    entry = (
        "    status: accepted\n    justification: the partner needs it\n    owner: alice\n"
        "    expires: 2026-03-31\n"
    )
    renewed = entry.replace("2026-03-31", "2026-06-30")
    repository(folder, ORDERS, tracked(entry), tracked(renewed))
    args = ("check", "threatmodel.yaml", "--today", "2026-01-01")
    added = invoke(*args, "--base", "HEAD~2")
    assert added.exit_code == 0
    assert added.stdout.splitlines()[2:] == [
        "compared with HEAD~2: 0 finding(s) at or above high already open there, not counted",
        "1 finding not counted because of decisions (1 accepted)",
        DEFAULTS,
        "decisions added or changed since HEAD~2:",
        f"  threatmodel.yaml:21:3: {BACKDOOR}: accepted (added)",
        'gate passed for "Orders" (fail on high or above)',
    ]
    changed = invoke(*args, "--base", "HEAD~1", "--fail-on-new-decisions")
    assert changed.exit_code == 1
    assert changed.stdout.splitlines()[5:] == [
        "decisions added or changed since HEAD~1:",
        f"  threatmodel.yaml:21:3: {BACKDOOR}: accepted (expires 2026-03-31 -> 2026-06-30)",
        "--fail-on-new-decisions: this change adds 1 decision and 0 changes that hide a finding",
        'gate FAILED for "Orders" (fail on high or above)',
    ]
    unchanged = invoke(*args, "--base", "HEAD", "--fail-on-new-decisions")
    assert unchanged.exit_code == 0


def test_fail_on_new_decisions_needs_a_base(invoke: Invoke, folder: Path) -> None:
    result = invoke("check", write(folder, ORDERS), "--fail-on-new-decisions")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --fail-on-new-decisions needs --base GIT_REF (the change to judge)\n"
    )


def test_lowered_criticality_and_a_global_control_are_shown_beside_the_verdict(
    invoke: Invoke, folder: Path
) -> None:
    lowered = ORDERS.replace("criticality: high", "criticality: low").replace(
        "classification: confidential", "classification: internal"
    )
    lowered += "controls:\n  waf: {mitigates: [unauthenticated-boundary-crossing]}\n"
    repository(folder, ORDERS, lowered)
    args = ("check", "threatmodel.yaml", "--base", "HEAD~1", "--today", "2026-01-01")
    result = invoke(*args)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0:2] == [
        'check "Orders" (fail on high or above)',
        "open findings: 0 critical, 0 high, 0 elevated, 1 medium, 0 low",
    ]
    assert result.stdout.splitlines()[5:] == [
        "scoring inputs changed since HEAD~1:",
        "  system criticality: high -> low",
        "  data 'order' classification: confidential -> internal",
        "  control 'waf' added (implemented; mitigates unauthenticated-boundary-crossing; "
        "applies to every element)",
        "changes that hide a finding open at HEAD~1:",
        f"  high      {BACKDOOR}  severity high -> medium, below the threshold (likelihood 5 -> "
        "4, impact 3 -> 1): scoring inputs changed (see above)",
        'gate passed for "Orders" (fail on high or above)',
    ]
    assert invoke(*args, "--fail-on-new-decisions").exit_code == 1


# --- a model-level finding keeps its identity when the elements it names change ----------------

CVV = "  cvv: {classification: restricted, categories: [pci.sad]}\n"
"""A second account-data asset: the model-level PCI findings name it beside ``card``."""


def with_cvv(text: str) -> str:
    """CARDS where the API also processes card security codes."""
    text = text.replace("data:\n", "data:\n" + CVV)
    return text.replace("    processes: [card]\n", "    processes: [card, cvv]\n")


@pytest.mark.parametrize(
    ("before", "after", "scoring"),
    [
        (CARDS, with_cvv(CARDS), []),
        (
            with_cvv(CARDS),
            CARDS,
            ["scoring inputs changed since HEAD~1:", "  data 'cvv' removed (was restricted)"],
        ),
    ],
    ids=["one-more", "one-less"],
)
def test_a_model_level_finding_naming_one_more_or_one_less_asset_is_not_new(
    invoke: Invoke, folder: Path, before: str, after: str, scoring: list[str]
) -> None:
    """``pci-no-cde-defined@card`` becomes ``...@card,cvv`` (or back): the same missing CDE."""
    repository(folder, before, after)
    result = invoke(
        "check", "threatmodel.yaml", "--base", "HEAD~1", "--fail-on", "low",
        "--fail-on-new-decisions", "--today", "2026-01-01",
    )  # fmt: skip
    # both PCI findings were new under their new fingerprint, and hidden under the old one
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [
        'check "Cards" (fail on low or above)',
        "open findings: 0 critical, 1 high, 3 elevated, 1 medium, 0 low",
        "compared with HEAD~1: 5 finding(s) at or above low already open there, not counted",
        "0 findings not counted because of decisions",
        "policy: built-in defaults (decisions expire within 365 days)",
        *scoring,
        'gate passed for "Cards" (fail on low or above)',
    ]


def test_a_model_level_finding_on_other_assets_is_still_new(invoke: Invoke, folder: Path) -> None:
    """Only findings one of whose elements include all of the other's are the same."""
    cvv_only = with_cvv(CARDS).replace("[card, cvv]", "[cvv]").replace("[card]", "[cvv]")
    repository(folder, CARDS, cvv_only)
    result = invoke(
        "check", "threatmodel.yaml", "--base", "HEAD~1", "--fail-on", "low", "--today",
        "2026-01-01",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-5:] == [
        "3 new or raised findings at or above low:",
        "  high      pci-no-cde-defined@cvv      The system handles card data but no zone is "
        "marked as the CDE (cvv)",
        "  elevated  pci-scope-not-declared@cvv  The system handles card data but does not "
        "declare PCI DSS (cvv)",
        "  elevated  pci-sad-stored@card-store   card-store stores sensitive authentication data "
        "(cvv)",
        'gate FAILED for "Cards" (fail on low or above)',
    ]


def test_a_baseline_knows_a_model_level_finding_that_names_one_more_asset(
    invoke: Invoke, folder: Path
) -> None:
    write(folder, CARDS)
    written = invoke("check", "threatmodel.yaml", "--write-baseline", "baseline.json")
    assert written.exit_code == 0
    write(folder, with_cvv(CARDS))
    args = ("check", "threatmodel.yaml", "--baseline", "baseline.json", "--fail-on", "low")
    result = invoke(*args, "--today", "2026-01-01")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[2:3] + result.stdout.splitlines()[-1:] == [
        "baseline baseline.json: 5 known finding(s) at or above low not counted",
        'gate passed for "Cards" (fail on low or above)',
    ]
    cvv_only = with_cvv(CARDS).replace("[card, cvv]", "[cvv]").replace("[card]", "[cvv]")
    write(folder, cvv_only)
    other = invoke(*args, "--today", "2026-01-01")
    assert other.exit_code == 1
    assert [line.split()[1] for line in other.stdout.splitlines() if line.startswith("  ")] == [
        "pci-no-cde-defined@cvv",
        "pci-scope-not-declared@cvv",
        "pci-sad-stored@card-store",
    ]
