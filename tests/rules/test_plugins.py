"""Rule plugins (entry point group ``threatforge.rules``): loaded, reported when broken."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import Component, Model, load_text
from threatforge.rules import (
    ENTRY_POINT_GROUP,
    PASS,
    Fire,
    Rule,
    RuleFailure,
    RuleMeta,
    Stride,
    Target,
    Verdict,
    analyze,
    builtin_rules,
    load_rule_set,
    registry,
    rule,
)

TODAY = date(2026, 1, 1)


def _meta(rule_id: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="{element} is not approved by ACME",
        description="An organisation rule shipped as a plugin.",
        target=Target.COMPONENT,
        likelihood=2,
        impact=2,
        mitigations=("Get an architecture review.",),
        detection="Components tagged 'unapproved'.",
        cwe=(1059,),
        stride=(Stride.TAMPERING,),
    )


@rule(_meta("acme-unapproved"))
def acme_unapproved(component: Component, model: Model) -> Verdict:
    """Fires on components tagged 'unapproved'."""
    return Fire(("tagged unapproved",)) if "unapproved" in component.tags else PASS


@rule(_meta("acme-crashes"))
def acme_crashes(component: Component, model: Model) -> Verdict:
    """A plugin rule with a bug."""
    raise ValueError(f"cannot parse {component.id}")


@dataclass(frozen=True)
class FakeEntryPoint:
    """Stands for an importlib.metadata.EntryPoint."""

    name: str
    value: str
    loader: Callable[[], object]

    def load(self) -> object:
        return self.loader()


def _missing_module() -> object:
    raise ModuleNotFoundError("No module named 'acme_missing'")


GOOD = FakeEntryPoint("acme", "acme_rules:rules", lambda: lambda: [acme_unapproved])
SINGLE = FakeEntryPoint("acme-single", "acme_rules:acme_unapproved", lambda: acme_unapproved)
BROKEN = FakeEntryPoint("broken", "acme_missing:rules", _missing_module)
CRASHING = FakeEntryPoint("crashing", "acme_rules:crashing", lambda: (acme_crashes,))


def install(monkeypatch: pytest.MonkeyPatch, *entries: FakeEntryPoint) -> None:
    def fake_entry_points(*, group: str, untrusted: object = ()) -> list[FakeEntryPoint]:
        assert group == ENTRY_POINT_GROUP
        return list(entries)

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)


MODEL = """\
system: {name: Plugins}
components:
  legacy-app: {kind: service, tags: [unapproved]}
  new-app: {kind: service}
"""

BUILTIN_COUNT = len(builtin_rules())


def test_a_good_plugin_adds_its_rules_after_the_builtin_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install(monkeypatch, GOOD)
    rule_set = load_rule_set()
    assert rule_set.problems == ()
    assert [r.id for r in rule_set.rules[BUILTIN_COUNT:]] == ["acme-unapproved"]
    assert rule_set.rules[-1].meta.source == "plugin acme"
    assessment = analyze(load_text(MODEL), rule_set.rules, today=TODAY, only=["acme-unapproved"])
    assert [f.fingerprint for f in assessment.findings] == ["acme-unapproved@legacy-app"]


def test_a_plugin_may_name_a_single_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, SINGLE)
    rule_set = load_rule_set()
    assert [r.id for r in rule_set.rules[BUILTIN_COUNT:]] == ["acme-unapproved"]


def test_a_plugin_that_fails_to_import_is_reported_and_the_others_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install(monkeypatch, GOOD, BROKEN)
    rule_set = load_rule_set()
    assert rule_set.problems == (
        "plugin 'broken' (acme_missing:rules) failed to load: ModuleNotFoundError: No module "
        "named 'acme_missing'",
    )
    assert [r.id for r in rule_set.rules[BUILTIN_COUNT:]] == ["acme-unapproved"]


@pytest.mark.parametrize(
    ("provided", "problem"),
    [
        (lambda: ["not a rule"], "plugin 'odd' provided str, not a Rule"),
        (lambda: 42, "plugin 'odd' (acme:odd) failed to load: TypeError: 'int' object is not "
         "iterable"),
        (
            lambda: [Rule(_meta("debug-mode-enabled"), acme_unapproved.check)],
            "plugin 'odd' provides rule 'debug-mode-enabled', whose id is already taken; the "
            "plugin's rule was left out",
        ),
    ],
    ids=["not-a-rule", "not-iterable", "taken-id"],
)
def test_a_plugin_providing_something_wrong_is_reported(
    monkeypatch: pytest.MonkeyPatch, provided: Callable[[], object], problem: str
) -> None:
    install(monkeypatch, FakeEntryPoint("odd", "acme:odd", lambda: provided), GOOD)
    rule_set = load_rule_set()
    assert rule_set.problems == (problem,)
    assert [r.id for r in rule_set.rules].count("debug-mode-enabled") == 1
    assert rule_set.rules[-1].id == "acme-unapproved"


def test_plugins_can_be_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, BROKEN)
    rule_set = load_rule_set(include_plugins=False)
    assert (len(rule_set.rules), rule_set.problems) == (BUILTIN_COUNT, ())


def test_a_plugin_rule_that_raises_is_a_rule_error(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, GOOD, CRASHING)
    rules = load_rule_set().rules
    assessment = analyze(
        load_text(MODEL), rules, today=TODAY, only=["acme-crashes", "acme-unapproved"]
    )
    assert assessment.rule_errors == (
        RuleFailure("acme-crashes", "legacy-app", "ValueError: cannot parse legacy-app"),
        RuleFailure("acme-crashes", "new-app", "ValueError: cannot parse new-app"),
    )
    assert [f.fingerprint for f in assessment.findings] == ["acme-unapproved@legacy-app"]


def test_cli_reports_broken_plugins_as_rule_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(monkeypatch, GOOD, BROKEN, CRASHING)
    model_path = tmp_path / "threatmodel.yaml"
    model_path.write_text(MODEL, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "-q", "analyze", str(model_path), "--format", "json", "--today", "2026-01-01",
            "--only", "acme-unapproved", "--only", "acme-crashes",
        ],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["rule_errors"] == [
        {
            "rule": "plugin",
            "element": None,
            "error": "plugin 'broken' (acme_missing:rules) failed to load: ModuleNotFoundError: "
            "No module named 'acme_missing'",
        },
        {"rule": "acme-crashes", "element": "legacy-app", "error": "ValueError: cannot parse "
         "legacy-app"},
        {"rule": "acme-crashes", "element": "new-app", "error": "ValueError: cannot parse new-app"},
    ]
    assert [f["fingerprint"] for f in document["findings"]] == ["acme-unapproved@legacy-app"]
    assert result.stderr.splitlines() == [
        "rule error: plugin: plugin 'broken' (acme_missing:rules) failed to load: "
        "ModuleNotFoundError: No module named 'acme_missing'",
        "rule error: acme-crashes on legacy-app: ValueError: cannot parse legacy-app",
        "rule error: acme-crashes on new-app: ValueError: cannot parse new-app",
    ]
