"""The attack-path and pci-segmentation-violation rules, through the engine."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from analysis_models import ROOT, model_of

from threatforge.model import load
from threatforge.rules import analyze, builtin_rules
from threatforge.rules.builtin.graph_rules import attack_path, pci_segmentation_violation

FIXTURES = ROOT / "tests" / "rules" / "fixtures"
TODAY = date(2026, 1, 1)


def _expected(path: Path) -> set[str]:
    """The fixture's ``# expect:`` line; fingerprints may name two elements (``a@x,y``)."""
    line = path.read_text(encoding="utf-8").splitlines()[0]
    items = re.split(r",\s*(?=[\w.-]+@)", line.removeprefix("# expect:").strip())
    return {item.strip() for item in items}


def test_rules_are_built_in() -> None:
    ids = [r.id for r in builtin_rules()]
    assert ids.count("attack-path") == 1
    assert ids.count("pci-segmentation-violation") == 1


def test_attack_path_fixtures() -> None:
    folder = FIXTURES / "attack-path"
    fired = analyze(load(folder / "fires.yaml"), [attack_path], today=TODAY)
    assert {f.fingerprint for f in fired.findings} == _expected(folder / "fires.yaml") == {
        "attack-path@attacker->orders-api"
    }
    assert analyze(load(folder / "passes.yaml"), [attack_path], today=TODAY).findings == ()


def test_attack_path_finding_carries_the_path() -> None:
    (finding,) = analyze(
        load(FIXTURES / "attack-path" / "fires.yaml"), [attack_path], today=TODAY
    ).findings
    assert finding.title == (
        "Weak hop attacker->orders-api into a more trusted zone opens attack paths to card-db"
    )
    assert finding.elements == ("attacker->orders-api",)
    assert finding.evidence == (
        "weak hop 'attacker->orders-api': no authentication (authn: none); enters a more "
        "trusted zone: internet (untrusted) -> app (trusted); 'orders-api' authorises "
        "(authz: rbac)",
        "opens 1 crown jewel: card-db",
        "boundaries crossed: internet, app",
        "path to 'card-db': attacker -> orders-api -> card-db (attacker effort 12; lower is "
        "easier)",
        "'attacker': starts in untrusted zone 'internet'",
        "'card-db' is a crown jewel: stores restricted data 'card-number'",
    )
    assert finding.data == ("card-number",)
    assert finding.cwe == (284, 306, 1390)
    # base 3 +1 entry point; base 4 +1 restricted data
    assert (finding.likelihood, finding.impact, finding.severity.value) == (4, 5, "critical")


def test_attack_path_ignores_crown_jewels_that_are_entry_points() -> None:
    model = model_of(
        """\
        system: {name: Exposed}
        data:
          creds: {classification: restricted}
        boundaries:
          internet: {trust: untrusted}
          app: {trust: trusted}
        components:
          user: {kind: actor, zone: internet}
          idp: {kind: identity-provider, zone: app, exposure: public, stores: [creds]}
        flows:
          - user -> idp: {protocol: https, authn: password}
        """
    )
    assert analyze(model, [attack_path], today=TODAY).findings == ()


def test_segmentation_fixtures() -> None:
    folder = FIXTURES / "pci-segmentation-violation"
    fired = analyze(load(folder / "fires.yaml"), [pci_segmentation_violation], today=TODAY)
    assert {f.fingerprint for f in fired.findings} == {
        "pci-segmentation-violation@intranet-wiki"
    }
    (finding,) = fired.findings
    assert finding.evidence == (
        "'intranet-wiki' is out of PCI DSS scope",
        "path into the CDE: intranet-wiki -> ops-admin -> card-db",
        "open hop 'intranet-wiki->ops-admin': authn: none, no network policy stated",
        "open hop 'ops-admin->card-db': authn: none, no network policy stated",
        "'card-db' is in the CDE: handles card-number",
    )
    assert finding.title == (
        "Out-of-scope intranet-wiki reaches the cardholder data environment (card-db) along "
        "open flows"
    )
    assert finding.compliance == ("pci-dss-4.0:1.3.1", "pci-dss-4.0:11.4.5")
    passes = analyze(load(folder / "passes.yaml"), [pci_segmentation_violation], today=TODAY)
    assert passes.findings == ()


def test_segmentation_is_skipped_without_cardholder_data() -> None:
    model = model_of(
        """\
        system: {name: No cards}
        components:
          a: {kind: service}
        """
    )
    assessment = analyze(model, [pci_segmentation_violation], today=TODAY)
    (summary,) = assessment.summaries
    assert summary.skipped == (("model", "the model has no data with category pci.pan or pci.sad"),)


def test_examples_have_no_graph_findings() -> None:
    """The bundled examples' weaknesses are for other rules: no weak path, no open segment."""
    for name in ("card-checkout", "k8s-platform", "partner-api"):
        model = load(ROOT / "examples" / name / "threatmodel.yaml")
        found = analyze(model, [attack_path, pci_segmentation_violation], today=TODAY)
        assert (name, found.findings, found.rule_errors) == (name, (), ())
