"""Compliance mapping: framework data files, the per-control judgement, the command."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.assessment.compliance import ComplianceReport, ControlState, compute_compliance
from threatforge.cli import app
from threatforge.model import load
from threatforge.model.vocabulary.frameworks import (
    FrameworkError,
    find_framework,
    frameworks,
)
from threatforge.rules import analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"


def test_every_framework_the_issue_names_is_there_with_its_source() -> None:
    names = [f.framework for f in frameworks()]
    assert names == [
        "pci-dss-4.0", "gdpr", "dora", "psd2-rts-sca", "iso-27001-2022", "nist-csf-2.0",
        "aws-fsbp",
    ]
    counts = {f.framework: len(f.controls) for f in frameworks()}
    assert counts["iso-27001-2022"] == 93  # Annex A, all of it
    assert counts["nist-csf-2.0"] == 106  # every CSF 2.0 subcategory
    for framework in frameworks():
        assert framework.source and framework.url.startswith("https://")


def test_every_control_a_rule_names_exists_in_its_framework_list() -> None:
    known = {f.framework: f.control_ids for f in frameworks()}
    missing = [
        (rule.id, ref)
        for rule in builtin_rules()
        for ref in rule.meta.compliance
        if ref.partition(":")[2] not in known.get(ref.partition(":")[0], frozenset())
    ]
    assert missing == []
    unknown_framework = {
        ref.partition(":")[0] for rule in builtin_rules() for ref in rule.meta.compliance
    } - set(known)
    assert unknown_framework == set()


def test_every_rule_and_crosswalk_a_framework_file_names_exists() -> None:
    rules = builtin_rules()
    ids = {r.id for r in rules}
    refs = [ref for r in rules for ref in r.meta.compliance]
    bad_rules = [
        (f.framework, c.id, rule) for f in frameworks() for c in f.controls
        for rule in c.rules if rule not in ids
    ]
    assert bad_rules == []
    # a crosswalk glob that matches no rule's ref is a typo
    dead = [
        (f.framework, c.id, glob) for f in frameworks() for c in f.controls for glob in c.via
        if not any(fnmatch.fnmatchcase(ref, glob) for ref in refs)
    ]
    assert dead == []


def test_names_and_aliases_resolve_and_an_unknown_one_lists_the_known() -> None:
    assert find_framework("pci").framework == "pci-dss-4.0"
    assert find_framework("ISO-27001").framework == "iso-27001-2022"
    assert find_framework("psd2").framework == "psd2-rts-sca"
    with pytest.raises(FrameworkError) as raised:
        find_framework("nist-cfs")
    assert str(raised.value) == (
        "unknown framework 'nist-cfs' — did you mean 'nist-csf-2.0'? (known: pci-dss-4.0, "
        "gdpr, dora, psd2-rts-sca, iso-27001-2022, nist-csf-2.0, aws-fsbp)"
    )


def _report(framework: str, path: Path = CARD) -> ComplianceReport:
    rules = builtin_rules()
    assessment = analyze(load(path), rules, analyses=())
    return compute_compliance(find_framework(framework), assessment, [r.meta for r in rules])


def test_card_checkout_pci_controls_say_what_is_open_evidenced_and_never_considered() -> None:
    report = _report("pci-dss-4.0")
    by_id = {c.id: c for c in report.controls}
    assert by_id["1.1"].state is ControlState.NOT_CONSIDERED and by_id["1.1"].rules == ()
    mfa = by_id["8.4.2"]
    assert mfa.state is ControlState.OPEN
    assert mfa.rules == ("aws-cognito-mfa-not-enforced", "pci-cde-access-without-mfa")
    assert mfa.open == ("pci-cde-access-without-mfa on back-office",)
    assert mfa.evidence == ("aws-cognito-mfa-not-enforced: passed on 1 element",)
    stored = by_id["3.5.1"]
    assert "store-unencrypted-at-rest on card-vault-db: ruled out by encryption.at_rest: kms-cmk" \
        in stored.evidence
    # a requirement's results count for its section (8.4 holds 8.4.1-8.4.3)
    assert set(by_id["8.4"].open) >= set(mfa.open)
    # rules of a kind the model does not have: not applicable, not evidence
    assert by_id["2.2.6"].state is ControlState.NOT_APPLICABLE
    counts = report.counts()
    assert sum(counts.values()) == len(report.controls) == 119


def test_a_crosswalk_carries_a_pci_rule_into_iso_and_a_listed_rule_counts_directly() -> None:
    report = _report("iso-27001-2022")
    by_id = {c.id: c for c in report.controls}
    # pci-cde-access-without-mfa names pci-dss-4.0:8.4.2; Annex A 8.5 takes pci-dss-4.0:8.4.*
    assert "pci-cde-access-without-mfa" in by_id["8.5"].rules
    assert "pci-cde-access-without-mfa on back-office" in by_id["8.5"].open
    assert by_id["7.4"].state is ControlState.NOT_CONSIDERED  # physical security monitoring
    assert "injection-sql" in by_id["8.28"].rules


def test_a_decision_moves_a_control_from_open_to_accepted(tmp_path: Path) -> None:
    text = CARD.read_text(encoding="utf-8")
    model = tmp_path / "threatmodel.yaml"
    decision = (
        "  pci-cde-access-without-mfa@back-office:\n"
        "    status: accepted\n    owner: ciso\n    justification: VPN with MFA in front\n"
        "    expires: 2099-01-01\n"
    )
    assert text.endswith("\ntracking: {}\n")
    model.write_text(text.removesuffix("tracking: {}\n") + "tracking:\n" + decision, "utf-8")
    for sibling in CARD.parent.iterdir():
        if sibling.name != CARD.name and sibling.is_file():
            (tmp_path / sibling.name).write_bytes(sibling.read_bytes())
    control = {c.id: c for c in _report("pci", model).controls}["8.4.2"]
    assert control.state is ControlState.ACCEPTED
    assert control.accepted == ("pci-cde-access-without-mfa on back-office",)


def test_the_command_prints_json_and_markdown_and_escapes_what_the_model_names(
    tmp_path: Path,
) -> None:
    done = CliRunner().invoke(app, ["compliance", str(CARD), "--framework", "gdpr", "-f", "json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert (document["framework"], document["format_version"]) == ("gdpr", 1)
    assert [c["id"] for c in document["controls"]][:3] == ["art-1", "art-2", "art-3"]
    hostile = tmp_path / "threatmodel.yaml"
    hostile.write_text(
        "version: '1'\nsystem:\n  name: 'Shop | <script>x</script>'\ncomponents:\n"
        "  web:\n    kind: service\n", "utf-8",
    )
    done = CliRunner().invoke(
        app, ["compliance", str(hostile), "--framework", "dora", "-f", "markdown"]
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0] == "# Compliance of Shop \\| &lt;script&gt;x&lt;/script&gt;"
    assert "<script>" not in done.stdout
    done = CliRunner().invoke(app, ["compliance", str(CARD), "--framework", "soc3"])
    assert done.exit_code == 2
    assert "--framework: unknown framework 'soc3'" in done.output
