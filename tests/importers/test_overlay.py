"""The overlay (issue 16 item 7): facts people write over an import, applied on every import so
they survive re-imports; and several sources merged into one model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.errors import ImporterError
from threatforge.importers.compose import ComposeImporter
from threatforge.importers.overlay import apply_overlay, merge_imports
from threatforge.model import load

FIXTURES = Path(__file__).parent / "fixtures" / "compose"

OVERLAY = """\
# What the Compose file cannot say, written by the team.
system: {name: Shop, owner: shop-team, criticality: high, compliance: [pci-dss]}
data:
  card-number: {classification: restricted, categories: [pci.pan]}
boundaries:
  networks.backend: {trust: restricted}
components:
  shopper: {kind: actor, zone: internet}
  db:
    owner: dba-team
    stores: [card-number]
    encryption: {at_rest: none}
  cache:
    properties: {published_ports: null, protected_mode: true}
flows:
  - shopper -> web: {protocol: https, data: [card-number]}
  - api -> db: {data: [card-number]}
tracking:
  "hardcoded-secrets@api": {status: in-progress, owner: alice}
"""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    (tmp_path / "overlay.yaml").write_text(OVERLAY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _import(*extra: str) -> str:
    result = CliRunner().invoke(
        app, ["import", "compose", "compose.yaml", "--overlay", "overlay.yaml", *extra]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_overlay_adds_and_overrides_facts(shop: Path) -> None:
    model, comments = apply_overlay(
        ComposeImporter().read([Path("compose.yaml")]).model, Path("overlay.yaml")
    )
    assert (model.system.name, model.system.owner, model.system.compliance) == (
        "Shop",
        "shop-team",
        ["pci-dss"],
    )
    db = model.components["db"]
    assert (db.owner, db.stores, db.encryption and db.encryption.at_rest) == (
        "dba-team",
        ["card-number"],
        "none",
    )
    # imported facts the overlay does not name are kept, its origin too
    assert (db.kind.value, db.tech, db.zone, db.origin) == (
        "datastore",
        "postgres",
        "networks.backend",
        "compose.yaml:23 (services.db)",
    )
    assert model.components["cache"].properties == {
        "image": "docker.io/library/redis:7",
        "image_tag": "7",
        "protected_mode": True,
    }
    assert model.boundaries["networks.backend"].trust == "restricted"
    assert model.components["shopper"].origin is None
    api_db = model.flows_by_id["api->db"]
    assert (api_db.data, api_db.protocol, api_db.authn) == (["card-number"], "postgres", "password")
    assert [f.id for f in model.flows][-2:] == ["shopper->web", "api->db"]
    assert model.tracking["hardcoded-secrets@api"].owner == "alice"
    assert comments["db"] == "overlay overlay.yaml:9"
    assert comments["shopper->web"] == "overlay overlay.yaml:16"


def test_the_overlay_survives_a_re_import_after_the_code_changed(shop: Path) -> None:
    _import("-o", "model.yaml")
    first = load("model.yaml")
    assert first.components["db"].stores == ["card-number"]
    written = Path("model.yaml").read_text()
    assert "  db:  # from services.db at compose.yaml:23; overlay overlay.yaml:9\n" in written
    assert "  web:  # from services.web at compose.yaml:5\n" in written
    # the code changes: a service added above the others, the database image upgraded
    compose = Path("compose.yaml").read_text()
    compose = compose.replace("services:\n", "services:\n  docs:\n    image: nginx:1.27\n", 1)
    compose = compose.replace("postgres:16-alpine", "postgres:17")
    Path("compose.yaml").write_text(compose)
    _import("-o", "model.yaml")
    again = load("model.yaml")
    db = again.components["db"]
    assert (db.stores, db.owner, db.properties["image_tag"], db.origin) == (
        ["card-number"],
        "dba-team",
        "17",
        "compose.yaml:25 (services.db)",
    )
    assert again.boundaries["networks.backend"].trust == "restricted"
    assert again.flows_by_id["shopper->web"].data == ["card-number"]
    assert "docs" in again.components
    assert again.tracking["hardcoded-secrets@api"].status == "in-progress"


def test_an_overlay_naming_a_resource_the_import_no_longer_has_is_an_error(shop: Path) -> None:
    compose = Path("compose.yaml").read_text()
    compose = compose.replace("\n  db:\n", "\n  pgdb:\n").replace("      db:\n", "      pgdb:\n")
    Path("compose.yaml").write_text(compose.replace("@db:", "@pgdb:"))
    imported = ComposeImporter().read([Path("compose.yaml")]).model
    with pytest.raises(ImporterError) as raised:
        apply_overlay(imported, Path("overlay.yaml"))
    assert str(raised.value).split("\n") == [
        "the overlay does not apply:",
        "overlay.yaml:9:3: component 'db' is not in the imported model — did you mean "
        "'pgdb'?; to add it, give its 'kind'",
    ]


def test_an_overlay_with_an_unknown_section_or_bad_field_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    (tmp_path / "overlay.yaml").write_text(
        "component:\n  db: {owner: x}\ncomponents:\n  db: {exposure: everywhere}\n"
    )
    monkeypatch.chdir(tmp_path)
    imported = ComposeImporter().read([Path("compose.yaml")]).model
    with pytest.raises(ImporterError) as raised:
        apply_overlay(imported, Path("overlay.yaml"))
    assert str(raised.value).split("\n") == [
        "the overlay does not apply:",
        "overlay.yaml:1:1: unknown section 'component' — did you mean 'components'?",
        "overlay.yaml:4:18: components.db: exposure: Input should be 'public', 'partner', "
        "'internal' or 'private'",
    ]


def test_two_sources_merge_into_one_model_and_a_shared_id_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "b" / "compose.yaml").write_text("services:\n  worker:\n    image: acme/worker\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["import", "compose", "a", "compose", "b", "--name", "Estate", "-o", "m.yaml"]
    )
    assert result.exit_code == 0, result.output
    model = load("m.yaml")
    assert (model.system.name, list(model.components)) == ("Estate", ["web", "worker"])
    importer = ComposeImporter()
    # the same zone from two sources with the same facts is one zone
    assert list(model.boundaries) == ["networks.default"]
    (tmp_path / "b" / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    networks: [edge]\n"
        "networks:\n  default:\n    external: true\n  edge: {}\n"
    )
    (tmp_path / "a" / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n  api:\n    image: acme/api\n"
    )
    with pytest.raises(ImporterError) as raised:
        merge_imports([importer.read([Path("a")]), importer.read([Path("b")])])
    assert str(raised.value).split("\n") == [
        "the sources do not join into one model:",
        "b/compose.yaml:2: error: duplicate component 'web' (first defined at a/compose.yaml:2)",
    ]
