"""The OpenAPI importer on documents written for this project (an OpenAPI 3.0 file and a Swagger
2.0 file): the API component, its routes, security per operation, servers, versions, body fields
as data and URL inputs, and the API rules firing on the imported model at the document's line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.errors import ImporterError
from threatforge.importers import load_importers
from threatforge.importers.auto import discover
from threatforge.importers.interface import ImportedModel
from threatforge.importers.openapi import OpenApiImporter, sensitive_field
from threatforge.model import load as load_model
from threatforge.rules import analyze, builtin_rules

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Origins are written relative to the current folder: the fixtures' folder."""
    monkeypatch.chdir(FIXTURES)


def read(*names: str) -> ImportedModel:
    return OpenApiImporter().read([Path(name) for name in names])


def test_openapi_is_a_built_in_importer() -> None:
    importer = load_importers(include_plugins=False).importer("openapi")
    assert isinstance(importer, OpenApiImporter)


def test_an_openapi_3_document_is_one_api_component_with_its_operations() -> None:
    imported = read("payments.openapi.yaml")
    api = imported.model.components["payments-api"]
    assert (
        api.kind.value,
        api.name,
        api.origin,
        api.exposure.value if api.exposure else None,
        api.authn.value if api.authn else None,
        api.authz.value if api.authz else None,
    ) == (
        "service",
        "Payments API",
        "payments.openapi.yaml:1 (payments-api)",
        "public",
        "none",
        "scopes",
    )
    assert api.routes == [
        "POST /payments",
        "GET /payments/{paymentId}",
        "POST /signup",
        "GET /health",
        "POST /legacy/refunds",
        "POST /plugins",
    ]
    assert api.properties == {
        "api_style": "rest",
        "unauthenticated_routes": ["POST /signup", "GET /health"],
        "versioned": True,
        "deprecated_versions": ["POST /legacy/refunds"],
        "fetches_user_urls": True,
    }
    assert api.processes == [
        "card-number",
        "card-security-code",
        "bank-account",
        "personal-data",
        "password",
    ]
    assert imported.model.system.name == "Payments API"


def test_sensitive_body_fields_are_classified_data_at_their_path_item() -> None:
    model = read("payments.openapi.yaml").model
    assert {
        did: (d.classification.value, d.categories, d.origin) for did, d in model.data.items()
    } == {
        # NewPayment.card -> Card (two $refs deep) in the request of POST /payments
        "card-number": ("restricted", ["pci.pan"], "payments.openapi.yaml:10 (paths./payments)"),
        "card-security-code": (
            "restricted",
            ["pci.sad"],
            "payments.openapi.yaml:10 (paths./payments)",
        ),
        # Payment's allOf in the response of GET /payments/{paymentId}
        "bank-account": (
            "confidential",
            ["financial"],
            "payments.openapi.yaml:21 (paths./payments/{paymentId})",
        ),
        "personal-data": ("confidential", ["pii"], "payments.openapi.yaml:32 (paths./signup)"),
        "password": ("restricted", ["credentials"], "payments.openapi.yaml:32 (paths./signup)"),
    }


def test_remote_refs_are_never_fetched_and_anonymous_writes_are_noted() -> None:
    notes = read("payments.openapi.yaml").notes
    assert notes == (
        "payments.openapi.yaml:59: $ref https://schemas.example.com/plugin.json not fetched "
        "(only references inside the document are followed)",
        "payments.openapi.yaml:33: POST /signup changes state and anyone may call it",
        "API 'payments-api': requests carry URLs (callback_url): fetches_user_urls: true (set "
        "false in the overlay if it never fetches them)",
        "read 1 OpenAPI document: 1 components, 5 data assets",
    )


def test_the_api_rules_fire_on_the_imported_api_at_the_document_line() -> None:
    """The done-when fixture: an anonymous state-changing operation (POST /signup), an object
    id in a path (/payments/{paymentId}) and a URL in a body (callback_url)."""
    assessment = analyze(read("payments.openapi.yaml").model, builtin_rules())
    found = {f.fingerprint: str(f.location) for f in assessment.findings}
    assert found == {
        "unauthenticated-exposed-service@payments-api": "payments.openapi.yaml:1",
        "api-bola-coarse-authz@payments-api": "payments.openapi.yaml:1",
        "api-ssrf-user-supplied-url@payments-api": "payments.openapi.yaml:1",
        "api-deprecated-version-live@payments-api": "payments.openapi.yaml:1",
        "pci-no-cde-defined@card-number,card-security-code": "payments.openapi.yaml:10",
        "pci-scope-not-declared@card-number,card-security-code": "payments.openapi.yaml:10",
    }
    evidence = {f.fingerprint: f.evidence for f in assessment.findings}
    assert evidence["api-bola-coarse-authz@payments-api"][:2] == (
        "object ids in routes GET /payments/{paymentId}",
        "authz: scopes",
    )
    assert evidence["api-ssrf-user-supplied-url@payments-api"] == (
        "properties.fetches_user_urls: true",
        "no egress allow-list, proxy or private-address block stated",
    )


def test_a_swagger_2_document_with_api_keys_a_private_host_and_form_ids() -> None:
    imported = read("swagger.json")
    api = imported.model.components["legacy-accounts"]
    assert (
        api.origin,
        api.exposure.value if api.exposure else None,
        api.authn.value if api.authn else None,
        api.authz,
        api.routes,
        api.processes,
        api.properties,
    ) == (
        "swagger.json:2 (legacy-accounts)",
        "private",  # accounts.internal
        "api-key",
        None,
        [
            "GET /accounts/{accountId}",
            "DELETE /accounts/{accountId}",
            "GET /accounts",
            "POST /accounts",
        ],
        ["national-id"],
        {
            "api_style": "rest",
            "versioned": False,
            "fetches_user_urls": True,  # webhookUrl in the body of POST /accounts
            "object_ids_in_requests": True,  # ownerId in the query of GET /accounts
        },
    )
    assert (
        imported.model.data["national-id"].origin == "swagger.json:10 (paths./accounts/{accountId})"
    )
    found = {
        f.fingerprint: str(f.location) for f in analyze(imported.model, builtin_rules()).findings
    }
    assert found == {"api-ssrf-user-supplied-url@legacy-accounts": "swagger.json:2"}


def test_two_documents_are_one_model() -> None:
    model = read("payments.openapi.yaml", "swagger.json").model
    assert sorted(model.components) == ["legacy-accounts", "payments-api"]
    assert model.files == ("payments.openapi.yaml", "swagger.json")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cardNumber", ("card-number", "restricted", ("pci.pan",), "card number (PAN)")),
        ("card_number", ("card-number", "restricted", ("pci.pan",), "card number (PAN)")),
        ("CVV", ("card-security-code", "restricted", ("pci.sad",), "card security code (CVV)")),
        (
            "refresh_token",
            ("tokens", "confidential", ("session-tokens",), "access, refresh or session token"),
        ),
        (
            "IBAN",
            ("bank-account", "confidential", ("financial",), "bank account (IBAN, account number)"),
        ),
        ("amount", None),
        ("tokenizedAt", None),
    ],
)
def test_sensitive_field_names(
    name: str, expected: tuple[str, str, tuple[str, ...], str] | None
) -> None:
    assert sensitive_field(name) == expected


def test_a_ref_cycle_and_a_self_reference_are_bounded(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: Loop, version: '1'}\n"
        "paths:\n  /a:\n    post:\n      requestBody:\n        content:\n"
        "          application/json: {schema: {$ref: '#/components/schemas/A'}}\n"
        "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n"
        "    B: {$ref: '#/components/schemas/A'}\n"
    )
    imported = OpenApiImporter().read([tmp_path / "openapi.yaml"])
    assert imported.model.components["loop"].routes == ["POST /a"]
    assert imported.notes[0].endswith("openapi.yaml:5: $ref chain too deep")


def test_a_file_that_is_not_openapi_is_refused(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text("services: {web: {image: nginx}}\n")
    with pytest.raises(ImporterError, match="no OpenAPI document found"):
        OpenApiImporter().read([tmp_path / "openapi.yaml"])


def test_auto_reads_an_openapi_document_whatever_its_name() -> None:
    found = discover(Path("."), {"openapi": OpenApiImporter()})
    assert found.groups == (("openapi", (Path("payments.openapi.yaml"), Path("swagger.json"))),)
    assert found.skipped == ()


PLANTED = ("sk_live_PLANTEDplanted1234567890", "Pl4nted-Server-Pw")


def test_a_planted_secret_in_an_openapi_document_appears_in_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: a live API key pasted as an example and a password in a server URL, imported,
    then analysed and reported. Neither value may appear in any output; the model says where."""
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.0.3\n"
        "info: {title: Keys, version: '1'}\n"
        "servers:\n"
        f"  - url: https://admin:{PLANTED[1]}@api.example.com/v1\n"
        "paths:\n"
        "  /keys:\n"
        "    post:\n"
        "      requestBody:\n"
        "        content:\n"
        "          application/json:\n"
        "            schema:\n"
        "              properties:\n"
        f"                apiKey: {{type: string, example: {PLANTED[0]}}}\n"
        "      responses: {'201': {description: ok}}\n"
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "openapi", "openapi.yaml", "-o", "model.yaml"])
    assert imported.exit_code == 0, imported.output
    outputs = {"import": imported.output, "model.yaml": Path("model.yaml").read_text()}
    keys = load_model("model.yaml").components["keys"]
    assert keys.properties["literal_secrets"] == [
        "api-key in example at openapi.yaml:7",
        "password-in-url in servers.url at openapi.yaml:4",
    ]
    for fmt in ("table", "json", "sarif", "markdown"):
        result = runner.invoke(app, ["analyze", "model.yaml", "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        outputs[f"analyze {fmt}"] = result.output
    result = runner.invoke(app, ["report", "model.yaml", "-o", "report.html"])
    assert result.exit_code == 0, result.output
    outputs["report.html"] = Path("report.html").read_text()
    assert '"ruleId": "hardcoded-secrets"' in outputs["analyze sarif"]
    leaks = [
        (where, value) for where, text in outputs.items() for value in PLANTED if value in text
    ]
    assert leaks == []
