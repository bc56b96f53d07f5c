"""The Docker Compose importer on fixtures written for this project: exact ids, zones, flows and
facts, the rules firing on the imported model with the finding at the Compose file's line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from threatforge.errors import ImporterError
from threatforge.importers import load_importers
from threatforge.importers.compose import ComposeImporter, image_type
from threatforge.importers.interface import ImportedModel
from threatforge.rules import analyze, builtin_rules

FIXTURES = Path(__file__).parent / "fixtures" / "compose"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shop fixture copied to a fresh folder, which is the current folder (origins are
    written relative to it)."""
    shutil.copy(FIXTURES / "shop" / "compose.yaml", tmp_path / "compose.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def read(*paths: Path) -> ImportedModel:
    return ComposeImporter().read(list(paths))


def test_compose_is_a_built_in_importer() -> None:
    importer = load_importers(include_plugins=False).importer("compose")
    assert isinstance(importer, ComposeImporter)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("postgres:16-alpine", "postgres"),
        ("docker.io/library/redis:7", "redis"),
        ("ghcr.io/acme/shop-worker@sha256:0123", "acme/shop-worker"),
        ("localhost:5000/team/api:1.2", "team/api"),
        ("bitnami/postgresql", "bitnami/postgresql"),
        ("registry.example.com:443/Acme/API", "acme/api"),
    ],
)
def test_image_type_drops_registry_library_tag_and_digest(image: str, expected: str) -> None:
    assert image_type(image) == expected


def test_services_become_components_with_kind_tech_zone_and_exposure(shop: Path) -> None:
    model = read(Path(".")).model
    assert {
        cid: (c.kind.value, c.tech, c.zone, c.exposure.value if c.exposure else None, c.origin)
        for cid, c in model.components.items()
    } == {
        "web": ("gateway", None, "networks.frontend", "public", "compose.yaml:5 (services.web)"),
        "api": ("service", None, "networks.frontend", "private", "compose.yaml:11 (services.api)"),
        "db": (
            "datastore",
            "postgres",
            "networks.backend",
            "private",
            "compose.yaml:23 (services.db)",
        ),
        "cache": (
            "cache",
            "redis",
            "networks.backend",
            "private",
            "compose.yaml:32 (services.cache)",
        ),
        "worker": (
            "service",
            None,
            "networks.backend",
            "private",
            "compose.yaml:37 (services.worker)",
        ),
        "api.payments.example.com": (
            "external-service",
            None,
            "internet",
            None,
            "compose.yaml:17 (api.payments.example.com)",
        ),
    }


def test_networks_become_zones(shop: Path) -> None:
    model = read(Path("compose.yaml")).model
    assert {
        bid: (b.kind.value, b.trust.value, b.origin) for bid, b in model.boundaries.items()
    } == {
        "networks.frontend": ("network", "trusted", "compose.yaml:48 (networks.frontend)"),
        "networks.backend": ("network", "trusted", "compose.yaml:49 (networks.backend)"),
        "internet": ("internet", "untrusted", "compose.yaml:17 (internet)"),
    }


def test_depends_on_links_host_variables_and_urls_become_flows(shop: Path) -> None:
    model = read(Path(".")).model
    assert [
        (f.id, f.protocol, f.port, f.tls, f.authn.value if f.authn else None, f.origin)
        for f in model.flows
    ] == [
        ("web->api", None, None, None, None, "compose.yaml:10 (services.web.depends_on)"),
        (
            "api->db",
            "postgres",
            5432,
            False,
            "password",
            "compose.yaml:15 (services.api.environment.DATABASE_URL)",
        ),
        (
            "api->cache",
            "redis",
            6379,
            None,
            None,
            "compose.yaml:16 (services.api.environment.REDIS_HOST)",
        ),
        (
            "api->api.payments.example.com",
            "https",
            None,
            None,
            None,
            "compose.yaml:17 (services.api.environment.PAYMENTS_URL)",
        ),
        ("worker->db", "postgres", 5432, None, None, "compose.yaml:46 (services.worker.links)"),
    ]


def test_arguments_become_facts_and_secrets_are_kind_and_place_only(shop: Path) -> None:
    model = read(Path(".")).model
    props = {cid: c.properties for cid, c in model.components.items()}
    assert props["web"] == {
        "image": "nginx:1.27",
        "image_tag": "1.27",
        "published_ports": ["0.0.0.0:443->8443/tcp"],
    }
    assert props["cache"]["published_ports"] == ["127.0.0.1:6379->6379/tcp"]
    assert props["worker"] == {
        "image": "ghcr.io/acme/shop-worker@sha256:"
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "privileged": True,
        "run_as_non_root": False,
        "host_path": ["/var/run/docker.sock"],
    }
    assert props["api"] == {
        "secrets_in_code": True,
        "literal_secrets": [
            "password-in-url in DATABASE_URL at compose.yaml:15",
            "api-key in STRIPE_API_KEY at compose.yaml:18",
        ],
    }
    # a reference (${DB_PASSWORD}) and a *_FILE-style name are not literal secrets
    assert props["db"]["literal_secrets"] == ["password in POSTGRES_PASSWORD at compose.yaml:28"]


def test_notes_say_what_was_read_and_what_was_not_mapped(shop: Path) -> None:
    assert read(Path(".")).notes == (
        "service 'worker': image 'acme/shop-worker' is not in the mapping; kept as a service "
        "(add it with --mapping FILE)",
        "service 'api' joins networks frontend, backend: placed in 'frontend'",
        "read 1 Compose file: 6 components, 3 zones, 5 flows",
    )


def test_rules_fire_on_the_imported_model_at_the_compose_line(shop: Path) -> None:
    assessment = analyze(read(Path(".")).model, builtin_rules())
    found = {f.fingerprint: str(f.location) for f in assessment.findings}
    assert found["hardcoded-secrets@api"] == "compose.yaml:11"
    assert found["unprotected-boundary-crossing@api->db"] == "compose.yaml:15"


def test_an_override_file_adds_to_the_same_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: acme/app:1\n  db:\n    image: mysql:8\n"
    )
    (tmp_path / "compose.override.yaml").write_text(
        "services:\n  app:\n    ports: ['8080:80']\n    environment:\n"
        "      - DB_URL=mysql://db/app\n"
    )
    monkeypatch.chdir(tmp_path)
    imported = read(Path("."))
    app = imported.model.components["app"]
    assert (app.exposure.value if app.exposure else None, app.origin) == (
        "public",
        "compose.yaml:2 (services.app)",
    )
    assert [(f.id, f.protocol, f.port, f.origin) for f in imported.model.flows] == [
        ("app->db", "mysql", 3306, "compose.override.yaml:5 (services.app.environment.DB_URL)")
    ]
    assert imported.model.system.name == tmp_path.name
    assert imported.model.files == ("compose.yaml", "compose.override.yaml")


def test_a_folder_without_compose_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("")
    with pytest.raises(ImporterError) as raised:
        read(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path}: no Compose files found (looked for compose.yaml, compose.yml, "
        "docker-compose.yaml, docker-compose.yml, compose.*.yaml, compose.*.yml, "
        "docker-compose.*.yaml, docker-compose.*.yml)"
    )


def test_a_file_without_services_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text("version: '3'\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImporterError) as raised:
        read(Path("compose.yaml"))
    assert str(raised.value) == (
        "compose.yaml: no services found (a Compose file lists them under 'services:')"
    )


def test_an_alias_bomb_in_a_compose_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\nservices: {}\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImporterError) as raised:
        read(Path("compose.yaml"))
    assert str(raised.value) == (
        "compose.yaml:7:10: expands to more than 2,000,000 values (a YAML alias bomb?); "
        "refusing to read it"
    )


def test_build_arguments_with_literal_secrets_are_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  app:\n"
        "    build:\n"
        "      context: .\n"
        "      args:\n"
        "        - NPM_TOKEN=npm_0123456789abcdefghijkl\n"
        "        - NODE_ENV=production\n"
    )
    monkeypatch.chdir(tmp_path)
    app = read(Path(".")).model.components["app"]
    assert app.properties == {
        "secrets_in_code": True,
        "literal_secrets": ["token in build.args.NPM_TOKEN at compose.yaml:6"],
    }


def test_a_service_name_that_cannot_be_an_id_is_an_error_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  _hidden:\n    image: nginx\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImporterError) as raised:
        read(Path("."))
    assert str(raised.value) == (
        "compose.yaml:2: a resource address must start with a letter or digit: '_hidden'"
    )


ODD_COMPOSE = {
    "odd ports": "services:\n  a:\n    ports: [{target: 80, published: x}, [1], null, '::']\n",
    "odd depends_on": "services:\n  a:\n    depends_on: 5\n    links: {x: 1}\n",
    "environment as text": "services:\n  a:\n    environment: just-a-string\n",
    "odd values": "services:\n  a:\n    environment: {A: [1], B: {c: d}, C: null, D: 'pg://x:y@[::1'}\n",
    "odd networks": "services:\n  a:\n    networks: {n1: null, n2: {aliases: 7}}\nnetworks: [x]\n",
    "odd volumes": "services:\n  a:\n    volumes: [{type: bind, source: 5}, 7, '/x']\n",
    "network_mode loop": (
        "services:\n  a:\n    network_mode: service:b\n  b:\n    network_mode: service:a\n"
    ),
    "port out of range": "services:\n  a:\n    environment: {URL: 'http://b:99999/'}\n  b: {}\n",
    "odd env_file": "services:\n  a:\n    env_file: [{path: x}, 5]\n",
    "depends on itself": "services:\n  a:\n    depends_on: [a]\n",
}


@pytest.mark.parametrize("text", list(ODD_COMPOSE.values()), ids=list(ODD_COMPOSE))
def test_odd_compose_files_import_without_crashing(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    model = read(Path(".")).model
    assert "a" in model.components
    assert [f.id for f in model.flows if f.source == f.target] == []


def test_a_reference_to_an_unknown_service_is_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: acme/app\n    depends_on: [db]\n    links: [app]\n"
    )
    monkeypatch.chdir(tmp_path)
    imported = read(Path("."))
    assert imported.model.flows == ()
    assert imported.notes[-2:] == (
        "compose.yaml:2: service 'app' names unknown service 'db'",
        "read 1 Compose file: 1 components, 1 zones, 0 flows",
    )
