"""The Threagile importer on Threagile's own files (the stub model, the split test model with
``includes``) and on a larger model written for these tests, and on includes that try to leave
the model's folder or loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from threatforge.errors import ImporterError
from threatforge.importers import load_importers
from threatforge.importers.interface import ImportedModel
from threatforge.importers.threagile import (
    ThreagileImporter,
    matches_risk,
    plain,
    synthetic_id,
    threagile_vocabulary,
)
from threatforge.model import load_text
from threatforge.model.vocabulary import protocol_problem, technology_catalogue
from threatforge.model.writer import write_model

FIXTURES = Path(__file__).parent / "fixtures" / "interop" / "threagile"
LARGE = Path("large-model") / "threagile.yaml"  # read from the fixtures folder


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)


def read(path: str | Path) -> ImportedModel:
    return ThreagileImporter().read([Path(path)])


def test_threagile_is_a_built_in_importer() -> None:
    assert isinstance(
        load_importers(include_plugins=False).importer("threagile"), ThreagileImporter
    )


def test_the_stub_model_imports_and_validates() -> None:
    imported = read("threagile-stub-model.yaml")
    model = imported.model
    assert (
        model.system.name,
        model.system.criticality.value if model.system.criticality else None,
    ) == (
        "Model Stub",
        "medium",
    )
    assert list(model.components) == ["some-component", "some-other-component"]
    assert list(model.data) == ["some-data"]
    assert list(model.boundaries) == ["some-network"]
    assert [f.id for f in model.flows] == ["some-component/some-traffic"]
    component = model.components["some-component"]
    assert (
        component.kind.value,
        component.zone,
        component.exposure.value if component.exposure else None,
    ) == (
        "service",
        "some-network",
        "internal",
    )
    assert component.properties["shared_runtimes"] == ["some-runtime: Some Shared Runtime"]
    assert model.components["some-other-component"].zone is None
    assert list(model.threats) == ["something-strange.some-component"]
    assert load_text(write_model(model), "back.yaml").components.keys() == model.components.keys()


def test_the_split_model_reads_every_included_file_once() -> None:
    imported = read("split-model/main.yaml")
    model = imported.model
    assert (len(model.components), len(model.flows), len(model.boundaries), len(model.data)) == (
        14,
        20,
        5,
        12,
    )
    assert len(model.files) == 19
    assert (
        "split-model/technical_assets_clients.yaml: included again (a diamond of includes): read "
        "once" in imported.notes
    )
    assert model.boundaries["web-dmz"].inside == "application-network"
    assert model.boundaries["auth-env"].inside == "application-network"
    assert model.components["apache-webserver"].zone == "web-dmz"
    assert model.components["load-balancer"].zone == "application-network"
    # the custom_risk_categories list form, with its two identified risks
    assert list(model.threats) == [
        "something-strange.sql-database",
        "something-strange.contract-file-server",
    ]
    # risk tracking on Threagile's built-in rules has no risk here to decide: said, not dropped
    assert (
        "split-model/risk_tracking.yaml:12:3: risk tracking 'untrusted-deserialization@erp-system' "
        "(accepted) matches no risk of the model's own categories (Threagile's built-in rule "
        "'untrusted-deserialization', which threatforge does not run): not imported"
    ) in imported.notes


def test_the_large_model_keeps_every_element() -> None:
    imported = read(LARGE)
    model = imported.model
    assert model.files == (
        "large-model/threagile.yaml",
        "large-model/parts/assets.yaml",
        "large-model/parts/backend.yaml",
        "large-model/parts/boundaries.yaml",
        "large-model/risks.yaml",
    )
    assert list(model.components) == [
        "shopper-browser",
        "cdn-edge",
        "web-frontend",
        "checkout-api",
        "payment-db",
        "identity-provider",
        "build-server",
        "legacy-mainframe",
    ]
    assert [f.id for f in model.flows] == [
        "shopper-browser/page-requests",
        "cdn-edge/origin-fetch",
        "web-frontend/api-calls",
        "checkout-api/vault-access",
        "checkout-api/token-check",
        "checkout-api/settlement",
        "build-server/deploy",
    ]
    assert list(model.boundaries) == ["cloud-account", "app-vpc", "data-subnet", "data-centre"]
    assert list(model.data) == ["card-data", "customer-profile", "product-catalogue", "audit-log"]
    system = model.system
    assert (
        system.name,
        system.owner,
        system.criticality.value if system.criticality else None,
        system.version,
    ) == (
        "Card Checkout (Threagile)",
        "Payments Team",
        "high",
        "2026-11-02",
    )


def test_nested_boundaries_put_each_asset_in_its_innermost_zone() -> None:
    model = read(LARGE).model
    assert {b.id: b.inside for b in model.boundaries.values()} == {
        "cloud-account": None,
        "app-vpc": "cloud-account",
        "data-subnet": "app-vpc",
        "data-centre": None,
    }
    assert {b.id: b.kind.value for b in model.boundaries.values()} == {
        "cloud-account": "account",
        "app-vpc": "network",
        "data-subnet": "subnet",
        "data-centre": "on-premises",
    }
    assert {c.id: c.zone for c in model.components.values()} == {
        "shopper-browser": None,
        "cdn-edge": "cloud-account",
        "web-frontend": "app-vpc",
        "checkout-api": "app-vpc",
        "payment-db": "data-subnet",
        "identity-provider": "app-vpc",
        "build-server": "data-centre",
        "legacy-mainframe": "data-centre",
    }


def test_technical_assets_map_both_technology_keys_and_their_facts() -> None:
    imported = read(LARGE)
    model = imported.model
    browser = model.components["shopper-browser"]
    assert (browser.kind.value, browser.exposure.value if browser.exposure else None) == (
        "client",
        "public",
    )
    cdn = model.components["cdn-edge"]  # technologies: [reverse-proxy, waf]
    assert (cdn.kind.value, cdn.tags) == ("gateway", ["pci"])
    assert cdn.properties["threagile_technologies"] == ["reverse-proxy", "waf"]
    assert cdn.properties["threagile_machine"] == "serverless"
    assert cdn.properties["threagile_flags"] == ["multi_tenant", "redundant"]
    db = model.components["payment-db"]  # technology: database
    assert (
        db.kind.value,
        db.encryption.at_rest.value if db.encryption and db.encryption.at_rest else None,
    ) == (
        "datastore",
        "application",
    )
    assert (db.stores, db.processes) == (["card-data", "audit-log"], ["card-data"])
    assert model.components["identity-provider"].kind.value == "identity-provider"
    assert model.components["build-server"].kind.value == "ci-pipeline"
    api = model.components["checkout-api"]
    assert api.properties["threagile_cia"] == [
        "strictly-confidential",
        "mission-critical",
        "critical",
    ]
    assert api.properties["shared_runtimes"] == ["k8s-cluster: Kubernetes Cluster"]
    mainframe = model.components["legacy-mainframe"]
    assert mainframe.properties["shared_runtimes"] == ["mainframe-lpar: Mainframe LPAR"]
    assert mainframe.properties["threagile_technologies"] == ["mainframe", "quantum-ledger"]
    assert (
        "large-model/parts/backend.yaml:132:3: technical asset 'legacy-mainframe': technology "
        "quantum-ledger not in threatforge's table: kept in threagile_technologies"
    ) in imported.notes
    assert {d.id: d.classification.value for d in model.data.values()} == {
        "card-data": "restricted",
        "customer-profile": "confidential",
        "product-catalogue": "public",
        "audit-log": "confidential",
    }


def test_links_become_flows_with_protocol_authentication_and_data() -> None:
    flows = {f.id: f for f in read(LARGE).model.flows}
    page = flows["shopper-browser/page-requests"]
    assert (page.source, page.target, page.protocol, page.authn.value if page.authn else None) == (
        "shopper-browser",
        "cdn-edge",
        "https",
        "none",
    )
    assert page.data == ["card-data", "product-catalogue"]
    assert page.properties["threagile_data_received"] == ["product-catalogue"]
    vault = flows["checkout-api/vault-access"]
    assert (vault.protocol, vault.tls, vault.authn.value if vault.authn else None) == (
        "jdbc",
        True,
        "password",
    )
    assert vault.properties["threagile_protocol"] == "jdbc-encrypted"
    assert vault.properties["threagile_authorization"] == "technical-user"
    origin = flows["cdn-edge/origin-fetch"]
    assert (origin.authn.value if origin.authn else None, origin.properties["threagile_flags"]) == (
        "mtls",
        ["ip_filtered"],
    )
    settlement = flows["checkout-api/settlement"]
    assert (settlement.protocol, settlement.tls) == ("tcp", True)
    assert settlement.properties["threagile_flags"] == ["vpn", "ip_filtered"]
    deploy = flows["build-server/deploy"]
    assert (deploy.protocol, deploy.properties["threagile_usage"]) == ("ssh", "devops")


def test_both_risk_category_keys_become_team_threats_with_their_tracking() -> None:
    model = read(LARGE).model
    assert list(model.threats) == [
        "refund-replay.checkout-api",
        "refund-replay.checkout-api.web-frontend/api-calls",
        "session-fixation.identity-provider",
        "card-data-in-logs.payment-db.audit-log",
        "card-data-in-logs.legacy-mainframe",
        "card-data-in-logs.build-server",
    ]
    replay = model.threats["refund-replay.checkout-api"]
    assert (replay.action, replay.type, replay.severity.value if replay.severity else None) == (
        "Refund Replay at Checkout API",
        "refund-replay",
        "high",
    )
    assert ([s.value for s in replay.stride], replay.cwe, replay.mitigations) == (
        ["tampering"],
        [294],
        ["Reject a reused request id."],
    )
    assert (replay.likelihood, replay.impact_score) == (3, 4)
    over_link = model.threats["refund-replay.checkout-api.web-frontend/api-calls"]
    assert over_link.elements == ["checkout-api", "web-frontend/api-calls"]
    logs = model.threats["card-data-in-logs.payment-db.audit-log"]
    assert (logs.elements, logs.impacted_assets) == (["payment-db", "audit-log"], ["payment-db"])
    statuses = {key: entry.status.value for key, entry in model.tracking.items()}
    assert statuses == {
        "team-threat@refund-replay.checkout-api": "accepted",
        "team-threat@refund-replay.checkout-api.web-frontend/api-calls": "mitigated",
        "team-threat@session-fixation.identity-provider": "open",
        "team-threat@card-data-in-logs.payment-db.audit-log": "in-progress",
        "team-threat@card-data-in-logs.legacy-mainframe": "false-positive",
        "team-threat@card-data-in-logs.build-server": "in-discussion",
    }
    accepted = model.tracking["team-threat@refund-replay.checkout-api"]
    assert (accepted.justification, accepted.owner, accepted.ticket) == (
        "Refunds are capped per order (checked 2026-10-01)",
        "Alice",
        "PAY-101",
    )


def test_risk_ids_and_wildcards_follow_threagile() -> None:
    risk = {"most_relevant_technical_asset": "api", "most_relevant_communication_link": "a>b"}
    assert synthetic_id("cat", risk) == "cat@api@a>b"
    assert matches_risk("cat@*@a>b", "cat@api@a>b")
    assert matches_risk("cat@*@*", "cat@api@a>b")
    assert not matches_risk("cat@*", "cat@api@a>b")
    assert plain("<b>Example</b> at <b>DB</b>") == "Example at DB"


def test_the_vocabulary_table_names_only_known_technologies_and_protocols() -> None:
    table = threagile_vocabulary()
    known = technology_catalogue().technologies
    assert [t.tech for t in table.technologies.values() if t.tech and t.tech not in known] == []
    assert [
        p.protocol for p in table.protocols.values() if p.protocol and protocol_problem(p.protocol)
    ] == []
    kinds = [t.kind for t in table.technologies.values() if t.export]
    assert len(kinds) == len(set(kinds))  # one name written back per kind


# --- includes that try to escape, loop, or hide ------------------------------------------


def _model(folder: Path, text: str, name: str = "threagile.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("threagile_version: 1.0.0\ntitle: T\n" + text, encoding="utf-8")
    return path


def test_an_include_outside_the_models_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("title: stolen\n", encoding="utf-8")
    main = _model(tmp_path / "model", "includes: [../secret.yaml]\n")
    with pytest.raises(ImporterError) as caught:
        read(main)
    assert str(caught.value) == (
        f"{tmp_path}/secret.yaml: is outside the model's folder {tmp_path / 'model'}: an "
        "include must stay inside it"
    )


def test_an_include_through_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("title: stolen\n", encoding="utf-8")
    folder = tmp_path / "model"
    main = _model(folder, "includes: [inner.yaml]\n")
    (folder / "inner.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(ImporterError) as caught:
        read(main)
    assert "inner.yaml: is outside the model's folder" in str(caught.value)


def test_an_absolute_include_and_an_include_cycle_are_refused(tmp_path: Path) -> None:
    main = _model(tmp_path, "includes: [/etc/passwd]\n")
    with pytest.raises(ImporterError) as caught:
        read(main)
    assert str(caught.value).endswith(
        "include '/etc/passwd' is an absolute path; write it relative to the including file"
    )
    main = _model(tmp_path, "includes: [a.yaml]\n")
    (tmp_path / "a.yaml").write_text("includes: [threagile.yaml]\n", encoding="utf-8")
    with pytest.raises(ImporterError) as caught:
        read(main)
    assert "threagile.yaml: includes itself (an include cycle:" in str(caught.value)


def test_an_element_declared_in_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    asset = "data_assets:\n  D:\n    id: d\n    confidentiality: public\n"
    main = _model(tmp_path, "includes: [more.yaml]\n" + asset)
    (tmp_path / "more.yaml").write_text(asset, encoding="utf-8")
    with pytest.raises(ImporterError) as caught:
        read(main)
    assert str(caught.value).endswith(
        f"more.yaml:2:3: data_assets 'D' is declared twice (first at {tmp_path}/threagile.yaml:5:3)"
    )


def test_markup_in_a_risk_title_is_dropped_and_an_ansi_escape_refused(tmp_path: Path) -> None:
    text = (
        "technical_assets:\n  A:\n    id: a\n    type: process\n    technology: web-server\n"
        "individual_risk_categories:\n  X:\n    id: x\n    stride: tampering\n"
        "    risks_identified:\n"
        "      '<script>alert(1)</script><b>Bad</b> at <i>A</i>':\n"
        "        severity: high\n        most_relevant_technical_asset: a\n"
    )
    model = read(_model(tmp_path, text)).model
    assert model.threats["x.a"].action == "alert(1)Bad at A"
    with pytest.raises(ImporterError) as caught:
        read(_model(tmp_path, 'data_assets:\n  "D\\e[31m":\n    id: d\n'))
    assert "unacceptable character" in str(caught.value)


def test_accepted_without_a_justification_is_not_an_acceptance(tmp_path: Path) -> None:
    text = (
        "technical_assets:\n  A:\n    id: a\n    type: process\n"
        "custom_risk_categories:\n  - id: x\n    stride: spoofing\n    risks_identified:\n"
        "      R:\n        severity: low\n        most_relevant_technical_asset: a\n"
        "risk_tracking:\n  x@a:\n    status: accepted\n    checked_by: Mallory\n"
    )
    imported = read(_model(tmp_path, text))
    assert imported.model.tracking["team-threat@x.a"].status.value == "in-discussion"
    assert (
        f"{tmp_path}/threagile.yaml:15:3: risk tracking 'x@a' is accepted without a "
        "justification: imported as in-discussion"
    ) in imported.notes
