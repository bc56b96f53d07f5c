"""Coverage: per element and category, what the rules run and the team say (#15.7)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from threatforge.assessment import Linddun, Stride
from threatforge.assessment.coverage import (
    Coverage,
    CoverageEntry,
    CoverageState,
    compute_coverage,
    coverage_markdown,
    coverage_to_dict,
)
from threatforge.model import Component, DataAsset, Flow, Model, load, load_text
from threatforge.rules import Rule, Target, analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "coverage.yaml"
TODAY = date(2026, 12, 1)
BUILTIN = builtin_rules()
SMALL = (
    "pay-refund-without-dual-approval",
    "public-datastore",
    "store-unencrypted-at-rest",
    "missing-audit-logging",
    "cleartext-sensitive-flow",
    "privacy-no-data-subject-rights",
)
"""The rules the small model runs: the expected matrix stays the same as rules are added."""

F, T, Q, A, M, C, N = "F!?AM+-"


def _coverage(model: Model, only: tuple[str, ...] = SMALL) -> Coverage:
    assessment = analyze(model, BUILTIN, only=only, today=TODAY, analyses=())
    return compute_coverage(model, assessment, [r.meta for r in BUILTIN])


def _matrix(coverage: Coverage, privacy: bool = False) -> dict[str, str]:
    symbols = {
        CoverageState.FINDING: F, CoverageState.THREAT: T, CoverageState.UNKNOWN: Q,
        CoverageState.ACCEPTED: A, CoverageState.MITIGATED: M, CoverageState.CHECKED: C,
        CoverageState.NOT_CONSIDERED: N,
    }
    return {
        e.element: "".join(symbols[c.state] for c in (e.linddun if privacy else e.stride))
        for e in coverage.elements
        if not privacy or e.linddun
    }


def test_every_state_on_the_small_model() -> None:
    coverage = _coverage(load(FIXTURE))
    #                                   S  T  R  I  D  E
    assert _matrix(coverage) == {
        "customer": "------",
        "agent": "------",  # staff: the refund threat applies because they start refunds
        "refund-fn": "--!--!",  # the refund threat (repudiation, elevation of privilege)
        "payouts-svc": "--M--M",  # ruled out by properties.dual_approval: true
        "reports-fn": "--?---",  # missing-audit-logging lacks `logging.audit` (an admin fn)
        "orders-db": "-MFM--",  # a control names public-datastore; an open audit finding
        "ledger-db": "-+MA--",  # decided mitigated; accepted risk
        "customer->refund-fn": "------",
        "agent->refund-fn": "------",
        "refund-fn->orders-db": "---F--",
        "payouts-svc->ledger-db": "---M--",  # ruled out by tls: true
        "card": "------",
        "profile": "------",
        "internet": "------",
        "cloud": "------",
        "corp": "------",
    }
    #                                            L  I  Nr De Dd U  Nc
    assert _matrix(coverage, privacy=True) == {
        "customer": "-----FF",
        "refund-fn": "-------",
        "orders-db": "-------",
        "customer->refund-fn": "-------",
        "profile": "-------",
    }
    assert coverage.counts() == {
        CoverageState.FINDING: 2, CoverageState.THREAT: 2, CoverageState.UNKNOWN: 1,
        CoverageState.ACCEPTED: 1, CoverageState.MITIGATED: 6, CoverageState.CHECKED: 1,
        CoverageState.NOT_CONSIDERED: 83,
    }
    assert coverage.rules_run == 6


def _cell(coverage: Coverage, element: str, category: Stride | Linddun) -> tuple[object, ...]:
    found = coverage.element(element)
    assert found is not None
    cells = found.stride if isinstance(category, Stride) else found.linddun
    cell = next(c for c in cells if c.category is category)
    return (cell.state, cell.entries)


def test_each_cell_names_what_makes_it() -> None:
    coverage = _coverage(load(FIXTURE))
    assert _cell(coverage, "refund-fn", Stride.REPUDIATION) == (CoverageState.THREAT, (
        CoverageEntry(
            CoverageState.THREAT, "missing-audit-logging", "missing-audit-logging@refund-fn",
            "Actions done through refund-fn may not be attributable (repudiation: no audit "
            "trail of who did what)",
        ),
        CoverageEntry(
            CoverageState.THREAT, "pay-refund-without-dual-approval",
            "pay-refund-without-dual-approval@refund-fn",
            "One person (an insider or a stolen account) may issue refunds through refund-fn "
            "alone",
        ),
    ))
    assert _cell(coverage, "reports-fn", Stride.REPUDIATION) == (CoverageState.UNKNOWN, (
        CoverageEntry(
            CoverageState.UNKNOWN, "missing-audit-logging", detail="facts missing: logging.audit"
        ),
    ))
    assert _cell(coverage, "payouts-svc", Stride.ELEVATION_OF_PRIVILEGE) == (
        CoverageState.MITIGATED,
        (CoverageEntry(
            CoverageState.MITIGATED, "pay-refund-without-dual-approval",
            "pay-refund-without-dual-approval@payouts-svc",
            "ruled out by properties.dual_approval: true",
        ),),
    )
    assert _cell(coverage, "orders-db", Stride.TAMPERING) == (CoverageState.MITIGATED, (
        CoverageEntry(
            CoverageState.MITIGATED, "public-datastore", "",
            "control private-endpoint: Reachable only through a private endpoint",
            "private-endpoint",
        ),
        CoverageEntry(CoverageState.CHECKED, "public-datastore", detail="passed"),
    ))
    assert _cell(coverage, "ledger-db", Stride.REPUDIATION) == (CoverageState.MITIGATED, (
        CoverageEntry(
            CoverageState.MITIGATED, "missing-audit-logging", "missing-audit-logging@ledger-db",
            "decided mitigated: ledger-db handles sensitive data without an audit log",
        ),
    ))
    assert _cell(coverage, "ledger-db", Stride.INFORMATION_DISCLOSURE) == (
        CoverageState.ACCEPTED,
        (
            CoverageEntry(
                CoverageState.ACCEPTED, "store-unencrypted-at-rest",
                "store-unencrypted-at-rest@ledger-db",
                "decided accepted: ledger-db stores sensitive data without encryption at rest",
            ),
            CoverageEntry(CoverageState.CHECKED, "public-datastore", detail="passed"),
        ),
    )
    assert _cell(coverage, "customer", Linddun.UNAWARENESS) == (CoverageState.FINDING, (
        CoverageEntry(
            CoverageState.FINDING, "privacy-no-data-subject-rights",
            "privacy-no-data-subject-rights@customer",
            "Data subject customer has no modelled way to access or erase their data",
        ),
    ))
    assert _cell(coverage, "customer", Stride.SPOOFING) == (CoverageState.NOT_CONSIDERED, ())


def test_a_control_for_every_element_counts_only_where_its_rule_looked() -> None:
    text = FIXTURE.read_text().replace("applies_to: [orders-db]", "applies_to: ['*']")
    coverage = _coverage(load_text(text, "coverage.yaml"))
    matrix = _matrix(coverage)
    # public-datastore looks at the datastores only: the control paints nothing else
    assert (matrix["orders-db"], matrix["ledger-db"], matrix["refund-fn"]) == (
        "-MFM--", "-MMA--", "--!--!"
    )


def test_a_rule_that_is_not_run_considers_nothing() -> None:
    only = ("pay-refund-without-dual-approval",)
    matrix = _matrix(_coverage(load(FIXTURE), only))
    # the datastore rules did not run: only the control the team attached to orders-db speaks
    assert (matrix["orders-db"], matrix["ledger-db"], matrix["refund-fn"]) == (
        "-M-M--", "------", "--!--!"
    )


def _speaks(rule: Rule, element: object, model: Model) -> bool:
    """Whether the rule looks at the element: of its target and in its scope."""
    targets = {
        Component: Target.COMPONENT, Flow: Target.FLOW, DataAsset: Target.DATA,
    }
    target = next((t for kind, t in targets.items() if isinstance(element, kind)),
                  Target.BOUNDARY)
    return rule.meta.target is target and rule.applies_to(element, model)


@pytest.mark.parametrize(
    "path",
    [
        FIXTURE,
        ROOT / "examples/card-checkout/threatmodel.yaml",
        ROOT / "examples/partner-api/threatmodel.yaml",
        ROOT / "examples/k8s-platform/threatmodel.yaml",
    ],
    ids=lambda p: p.parent.name if p != FIXTURE else "fixture",
)
def test_nothing_considered_exactly_when_no_rule_run_could_speak_to_it(path: Path) -> None:
    model = load(path)
    assessment = analyze(model, BUILTIN, today=TODAY, analyses=())
    coverage = compute_coverage(model, assessment, [r.meta for r in BUILTIN])
    sections = {
        "component": model.components, "data": model.data, "boundary": model.boundaries,
        "flow": model.flows_by_id,
    }
    named = {  # (rule, first element) of every result: model-wide rules speak through these
        (r.rule, r.elements[0])
        for r in (*assessment.findings, *assessment.applicable_threats, *assessment.ruled_out)
        if r.elements
    }
    controls = {  # (rule, element) a control names for an element it names
        (m.partition("@")[0], e)
        for c in model.controls.values() for m in c.mitigates for e in c.applies_to
    }
    checked = 0
    for element in coverage.elements:
        subject = sections[element.type][element.element]
        for cell in (*element.stride, *element.linddun):
            could = [
                r.id for r in BUILTIN
                if cell.category in (*r.meta.stride, *r.meta.linddun)
                and (_speaks(r, subject, model) or (r.id, element.element) in named
                     or (r.id, element.element) in controls)
            ]
            assert (cell.state is CoverageState.NOT_CONSIDERED) == (not could), (
                element.element, cell.category, could
            )
            checked += 1
    assert checked == sum(6 + len(e.linddun) for e in coverage.elements)


def test_exact_json_for_two_elements_of_card_checkout() -> None:
    model = load(ROOT / "examples/card-checkout/threatmodel.yaml")
    assessment = analyze(model, BUILTIN, today=TODAY, analyses=())
    document = coverage_to_dict(compute_coverage(model, assessment, [r.meta for r in BUILTIN]))
    by_id = {e["id"]: e for e in document["elements"]}

    def result(rule: str, state: str, fingerprint: str = "", detail: str = "") -> dict[str, str]:
        return {
            "rule": rule, "state": state, "fingerprint": fingerprint, "control": "",
            "detail": detail,
        }

    def cell(state: str, *results: dict[str, str]) -> dict[str, object]:
        return {"state": state, "results": list(results)}

    none = cell("not-considered")
    rotation = result(
        "secrets-without-rotation", "finding", "secrets-without-rotation@kms",
        "Secrets or keys in AWS KMS are not rotated",
    )
    delegation = result(
        "aws-kms-key-policy-delegates-to-iam", "threat", "aws-kms-key-policy-delegates-to-iam@kms",
        "Any IAM role allowed kms:Decrypt may decrypt the restricted data protected by AWS KMS "
        "(no separation of duties at the key)",
    )
    # the KMS protects card numbers: who may handle its keys alone is asked (dual control)
    dual_control = result(
        "pci-key-management-dual-control", "threat", "pci-key-management-dual-control@kms",
        "One administrator may export, re-wrap or delete the keys in AWS KMS that protect card "
        "data",
    )
    assert by_id["kms"] == {
        "id": "kms",
        "type": "component",
        "kind": "key-management",
        "label": "AWS KMS",
        "personal_data": False,
        "stride": {
            "spoofing": cell("finding", rotation),
            "tampering": none,
            "repudiation": none,
            "information-disclosure": cell("finding", rotation, delegation, dual_control),
            "denial-of-service": none,
            "elevation-of-privilege": cell("threat", delegation, dual_control),
        },
        "linddun": {},
    }
    refunds = result(
        "pay-refund-without-dual-approval", "threat",
        "pay-refund-without-dual-approval@refund-fn",
        "One person (an insider or a stolen account) may issue refunds through Refund "
        "function alone",
    )
    idempotency = result(
        "pay-missing-idempotency", "checked",
        detail="does not apply: takes no requests from outside its trust (exposure, a less "
        "trusted caller, staff) and consumes no queue",
    )
    neighbours = {
        "rule": "svc-internal-service-unauthenticated", "state": "mitigated",
        "fingerprint": "svc-internal-service-unauthenticated@refund-fn", "control": "",
        "detail": "ruled out by authn: iam",
    }
    audience = result(
        "api-token-audience-not-validated", "checked",
        detail="does not apply: does not authenticate callers with bearer tokens",
    )
    binding = result("api-mass-assignment", "checked", detail="passed")
    # the function sends refund instructions to the PSP: whether they can be proven is asked
    record = result(
        "pay-transaction-non-repudiation", "threat",
        "pay-transaction-non-repudiation@refund-fn",
        "Repudiation of payments through Refund function: a disputed payment or refund may not "
        "be provable (who, what, how much)",
    )
    assert by_id["refund-fn"] == {
        "id": "refund-fn",
        "type": "component",
        "kind": "function",
        "label": "Refund function",
        "personal_data": False,
        "stride": {
            "spoofing": cell("mitigated", neighbours, audience),
            "tampering": cell("threat", record, binding, idempotency),
            "repudiation": cell(
                "threat",
                refunds,
                record,
                result("missing-audit-logging", "mitigated", "missing-audit-logging@refund-fn",
                       "ruled out by logging.audit: true"),
                idempotency,
            ),
            "information-disclosure": cell(
                "checked",
                result("api-excessive-data-exposure", "checked", detail="passed"),
                result("aws-lambda-secrets-in-environment", "checked", detail="passed"),
                result("data-secrets-in-configuration", "checked",
                       detail="does not apply: a Lambda function, whose environment is asked "
                       "as its AWS setting"),
            ),
            "denial-of-service": none,
            "elevation-of-privilege": cell(
                "threat", refunds, neighbours, binding, audience,
                result("aws-iam-privilege-escalation", "checked", detail="passed"),
                result("missing-authorization", "checked", detail="passed"),
            ),
        },
        "linddun": {},
    }
    assert document["threatforge_coverage"] == 1
    assert document["states"]["not-considered"] == {
        "symbol": "-", "meaning": "nothing considered: no rule looks at it"
    }


HOSTILE = "<script>x</script> | `tick` [l](http://e.x) *b*"


def test_markdown_escapes_hostile_names() -> None:
    text = FIXTURE.read_text().replace(
        "  customer: {kind: actor, zone: internet}",
        f"  customer: {{kind: actor, zone: internet, name: '{HOSTILE}'}}",
    )
    lines = coverage_markdown(_coverage(load_text(text, "coverage.yaml")))
    row = next(line for line in lines if "(`customer`)" in line and line.endswith("- |"))
    assert row == (
        r"| &lt;script&gt;x&lt;/script&gt; \| \`tick\` \[l\](http:" "\u2060" r"//e.x) \*b\* "
        "(`customer`) "
        "| actor | - | - | - | - | - | - |"
    )
    assert "<script>" not in "\n".join(lines)
