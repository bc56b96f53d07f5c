"""The analyses an assessment carries: computed once by analyze, written and read back equal.

What each analysis holds on the bundled examples and a generated model (exact ids and counts),
only what was asked for computed, a failing analysis recorded with its error instead of raising,
files written before assessments carried analyses read as not run, and what the reader refuses
in the ``analyses`` object, as a hand edit or an attacker would write it, each error naming the
JSON path at fault.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import threatforge.analysis
from bench_models import generated_text
from threatforge.analysis import ScopeCategory
from threatforge.assessment import (
    ANALYSES_NOT_RUN,
    AnalysisKind,
    AnalysisStatus,
    Assessment,
    assessment_json,
    assessment_to_dict,
    parse_assessment,
)
from threatforge.model import Model, ReadError, load, load_text
from threatforge.rules import analyze, builtin_rules

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
CARD = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"
TODAY = date(2026, 1, 1)


def _analysed(path: Path = CARD, **options: Any) -> tuple[Model, Assessment]:
    model = load(path)
    return model, analyze(model, builtin_rules(), today=TODAY, **options)


def _round_trip(assessment: Assessment) -> Assessment:
    text = assessment_json(assessment)
    back = parse_assessment(text)
    assert back == assessment
    assert back.analyses == assessment.analyses
    assert assessment_json(back) == text
    return back


def test_the_card_checkout_assessment_carries_every_analysis() -> None:
    _, assessment = _analysed()
    paths, pci, radius = (
        assessment.analyses.attack_paths,
        assessment.analyses.pci_scope,
        assessment.analyses.blast_radius,
    )
    assert (paths.status, paths.k, paths.max_depth, paths.budget, paths.max_paths) == (
        AnalysisStatus.COMPUTED, 1, 8, 50_000, 12
    )
    # the paths start from the entry points and the insider starts (#15.3): the PSP's
    # account, the support agent's staff account
    assert (paths.pairs, paths.capped, paths.expanded) == (10, False, 25)
    assert [(p.entry, p.target, p.effort) for p in paths.paths[:3]] == [
        ("psp", "api-gateway", 3),
        ("shopper", "cognito", 6),
        ("support-agent", "back-office", 7),
    ]
    assert pci.status is AnalysisStatus.COMPUTED and pci.reason == ""
    assert pci.scope is not None
    assert pci.scope.of(ScopeCategory.CDE) == (
        "api-gateway", "back-office", "card-vault-db", "cloudfront", "cloudwatch-logs",
        "payment-fn",
    )
    assert radius.status is AnalysisStatus.COMPUTED
    assert (radius.max_origins, radius.max_listed) == (3, 10)
    assert [(r.origin, r.reached, r.max_hops) for r in radius.radii] == [
        ("psp", 13, 3), ("shopper", 15, 4), ("support-agent", 16, 6)
    ]
    assert [d.data for d in radius.radii[0].data[:3]] == [
        "cardholder-data", "cvv", "encryption-keys"
    ]
    assert len(radius.radii[0].nearest) == 10


def test_the_pci_scope_is_not_applicable_without_account_data() -> None:
    _, assessment = _analysed(ROOT / "examples" / "k8s-platform" / "threatmodel.yaml")
    pci = assessment.analyses.pci_scope
    assert (pci.status, pci.reason, pci.scope) == (
        AnalysisStatus.NOT_APPLICABLE,
        "no data asset has category pci.pan or pci.sad: the model holds no account data",
        None,
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_example_round_trips_with_its_analyses(path: Path) -> None:
    _, assessment = _analysed(path)
    assert not assessment.analyses.absent
    assert assessment.analyses.attack_paths.paths
    _round_trip(assessment)


def test_a_generated_model_round_trips_with_its_analyses() -> None:
    model = load_text(generated_text(300, 1))
    assessment = analyze(model, builtin_rules(), today=TODAY)
    analyses = assessment.analyses
    assert [analyses.attack_paths.status, analyses.pci_scope.status] == [
        AnalysisStatus.COMPUTED, AnalysisStatus.COMPUTED
    ]
    assert analyses.blast_radius.status is AnalysisStatus.COMPUTED
    assert len(analyses.blast_radius.radii) == 3
    assert analyses.pci_scope.scope is not None
    assert analyses.pci_scope.scope.account_data == ("cvv", "pan")
    _round_trip(assessment)


def test_only_the_analyses_asked_for_are_computed() -> None:
    _, none = _analysed(analyses=())
    assert none.analyses == ANALYSES_NOT_RUN and none.analyses.absent
    assert "analyses" not in assessment_to_dict(none)  # as files written before them
    _, paths = _analysed(analyses={AnalysisKind.ATTACK_PATHS})
    assert paths.analyses.attack_paths.status is AnalysisStatus.COMPUTED
    assert paths.analyses.pci_scope.status is AnalysisStatus.NOT_RUN
    assert paths.analyses.blast_radius.status is AnalysisStatus.NOT_RUN
    # the blast radius starts from the attack paths' entry points, which it does not carry
    _, radius = _analysed(analyses={AnalysisKind.BLAST_RADIUS})
    assert radius.analyses.attack_paths.status is AnalysisStatus.NOT_RUN
    assert [r.origin for r in radius.analyses.blast_radius.radii] == [
        "psp", "shopper", "support-agent"
    ]
    _round_trip(radius)
    # and the findings are the same whichever analyses run
    _, every = _analysed()
    assert none.findings == paths.findings == every.findings


def test_a_failing_analysis_is_recorded_with_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(model: Model) -> None:
        raise RuntimeError("scope store unavailable")

    monkeypatch.setattr(threatforge.analysis, "pci_scope", broken)
    _, assessment = _analysed()
    pci = assessment.analyses.pci_scope
    assert (pci.status, pci.reason, pci.scope) == (
        AnalysisStatus.FAILED, "RuntimeError: scope store unavailable", None
    )
    assert assessment.analyses.attack_paths.status is AnalysisStatus.COMPUTED
    assert list(assessment.analyses.failures()) == [
        (AnalysisKind.PCI_SCOPE, "RuntimeError: scope store unavailable")
    ]
    _round_trip(assessment)


def test_a_failing_path_search_fails_the_blast_radius_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(model: Model, **_: Any) -> None:
        raise KeyError("ghost")

    monkeypatch.setattr(threatforge.analysis, "find_paths", broken)
    _, assessment = _analysed()
    assert list(assessment.analyses.failures()) == [
        (AnalysisKind.ATTACK_PATHS, "KeyError: 'ghost'"),
        (
            AnalysisKind.BLAST_RADIUS,
            "its origins are the entry points of the attack paths, which failed: KeyError: 'ghost'",
        ),
    ]
    _round_trip(assessment)


def test_a_file_written_before_the_analyses_reads_with_them_not_run() -> None:
    _, assessment = _analysed()
    document = assessment_to_dict(assessment)
    del document["analyses"]
    back = parse_assessment(json.dumps(document), "old.json")
    assert back.analyses == ANALYSES_NOT_RUN
    assert back.analyses.attack_paths.status is AnalysisStatus.NOT_RUN
    assert back.findings == assessment.findings
    assert back.warnings == assessment.warnings  # not an error, and no warning either


# --- what the reader refuses -------------------------------------------------------------------


def _document() -> dict[str, Any]:
    return assessment_to_dict(_analysed()[1])


def _error(document: Any) -> str:
    with pytest.raises(ReadError) as caught:
        parse_assessment(json.dumps(document), "baseline.json")
    return str(caught.value)


def test_an_unknown_status_is_refused() -> None:
    document = _document()
    document["analyses"]["pci_scope"]["status"] = "skipped"
    assert _error(document) == (
        "baseline.json: analyses.pci_scope.status: 'skipped' is not one of computed, "
        "not-applicable, failed, not-run"
    )


def test_results_of_an_analysis_that_did_not_compute_are_refused() -> None:
    document = _document()
    document["analyses"]["blast_radius"]["status"] = "not-run"
    assert _error(document) == (
        "baseline.json: analyses.blast_radius: an analysis that is not-run has no results"
    )


def test_a_failure_without_its_error_is_refused() -> None:
    document = _document()
    document["analyses"]["pci_scope"] |= {"status": "failed", "reason": "", "scope": None}
    assert _error(document) == (
        "baseline.json: analyses.pci_scope.reason: a failed analysis names its error"
    )


def test_a_computed_scope_must_be_there() -> None:
    document = _document()
    document["analyses"]["pci_scope"]["scope"] = None
    assert _error(document) == (
        "baseline.json: analyses.pci_scope.scope: a computed scope is an object, found null"
    )


def test_a_path_score_that_is_not_its_efforts_is_refused() -> None:
    document = _document()
    document["analyses"]["attack_paths"]["paths"][1]["score"] = 1
    assert _error(document) == (
        "baseline.json: analyses.attack_paths.paths[1].score: is not entry_effort plus every "
        "hop's effort"
    )


def test_a_path_whose_components_are_not_its_hops_is_refused() -> None:
    document = _document()
    document["analyses"]["attack_paths"]["paths"][0]["components"] = ["shopper", "card-vault-db"]
    assert _error(document) == (
        "baseline.json: analyses.attack_paths.paths[0].components: does not match the hops"
    )


def test_a_path_without_hops_is_refused() -> None:
    document = _document()
    document["analyses"]["attack_paths"]["paths"][0]["hops"] = []
    assert _error(document) == (
        "baseline.json: analyses.attack_paths.paths[0].hops: a path has at least one hop"
    )


def test_more_paths_than_the_bound_are_refused() -> None:
    document = _document()
    document["analyses"]["attack_paths"]["max_paths"] = 2
    assert _error(document) == (
        "baseline.json: analyses.attack_paths.paths: holds more paths than max_paths or pairs"
    )


def test_a_wrong_hop_strength_names_its_path() -> None:
    document = _document()
    document["analyses"]["attack_paths"]["paths"][2]["hops"][0]["strength"] = "total"
    assert _error(document) == (
        "baseline.json: analyses.attack_paths.paths[2].hops[0].strength: 'total' is not one of "
        "none, weak, strong, unknown"
    )


def test_a_scope_row_whose_in_scope_contradicts_its_category_is_refused() -> None:
    document = _document()
    document["analyses"]["pci_scope"]["scope"]["components"][0]["in_scope"] = False
    assert _error(document) == (
        "baseline.json: analyses.pci_scope.scope.components[0].in_scope: does not match its "
        "category"
    )


def test_a_scope_summary_that_is_not_its_components_is_refused() -> None:
    document = _document()
    document["analyses"]["pci_scope"]["scope"]["summary"]["cde"] = []
    assert _error(document) == (
        "baseline.json: analyses.pci_scope.scope.summary: does not match the components"
    )


def test_a_blast_radius_listing_more_than_its_bound_is_refused() -> None:
    document = _document()
    document["analyses"]["blast_radius"]["max_listed"] = 4
    assert _error(document) == (
        "baseline.json: analyses.blast_radius.radii[0].nearest: lists more than max_listed or "
        "reached"
    )


def test_a_data_asset_nobody_holds_is_refused() -> None:
    document = _document()
    document["analyses"]["blast_radius"]["radii"][1]["data"][0]["holders"] = 0
    assert _error(document) == (
        "baseline.json: analyses.blast_radius.radii[1].data[0].holders: expected an integer "
        ">= 1, found 0"
    )


def test_a_missing_analysis_is_refused() -> None:
    document = _document()
    del document["analyses"]["blast_radius"]
    assert _error(document) == (
        "baseline.json: analyses: the required key 'blast_radius' is missing"
    )


def test_the_library_entry_point_carries_them_too() -> None:
    import threatforge

    model, assessment = _analysed()
    assert threatforge.analyze(model, today=TODAY).analyses == assessment.analyses
    assert threatforge.analyze(model, today=TODAY, analyses=()).analyses.absent
