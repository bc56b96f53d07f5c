"""The published JSON Schema agrees with the loader on what a model file may say."""

from __future__ import annotations

from importlib import resources
from typing import Any

import jsonschema
import pytest

from threatforge.model import load_text
from threatforge.model._yaml import parse_text
from threatforge.model.json_schema import SCHEMA_ID, model_json_schema


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(validator: jsonschema.Draft202012Validator, text: str) -> list[str]:
    """Schema errors of a YAML model (read like the loader reads it: dates stay text)."""
    document: dict[str, Any] = parse_text(text, "threatmodel.yaml").value
    return sorted(error.message for error in validator.iter_errors(document))


def test_schema_header():
    schema = model_json_schema()
    assert (schema["$schema"], schema["$id"], schema["title"]) == (
        "https://json-schema.org/draft/2020-12/schema",
        SCHEMA_ID,
        "threatforge model",
    )
    assert schema["additionalProperties"] is False


BOTH_FORMS = """\
system: {name: Shop}
boundaries:
  dmz: {trust: trusted}
components:
  web: {kind: service, zone: dmz, logging: true}
  api: {kind: service, zone: dmz, logging: {enabled: true, audit: true}}
  db: {kind: datastore, zone: dmz, encryption: {at_rest: kms}}
flows:
  - web -> api: {protocol: https}
  - web -> api:
      id: second
      protocol: grpcs
  - api -> db:
  - from: api
    to: web
    protocol: https
tracking:
  'rule@web': {status: accepted, justification: fine, expires: 2030-01-31}
"""


def test_both_flow_forms_and_logging_shorthand_are_valid(validator):
    assert problems(validator, BOTH_FORMS) == []
    # ... and the loader agrees
    model = load_text(BOTH_FORMS)
    assert [f.id for f in model.flows] == ["web->api", "second", "api->db", "api->web"]
    assert model.components["web"].logging is not None
    assert model.components["web"].logging.enabled is True


def test_unknown_top_level_key_is_rejected(validator):
    assert problems(validator, "system: {name: Shop}\nsystems: {}\n") == [
        "Additional properties are not allowed ('systems' was unexpected)"
    ]


def test_invalid_id_key_is_rejected(validator):
    assert problems(validator, "system: {name: Shop}\ncomponents:\n  wеb: {kind: service}\n") == [
        "'wеb' does not match any of the regexes: '^[A-Za-z0-9][A-Za-z0-9._:/\\\\[\\\\]%-]{0,127}$'"
    ]


def test_unknown_component_field_and_enum_are_rejected(validator):
    text = "system: {name: Shop}\ncomponents:\n  web: {kind: servise, exposre: public}\n"
    assert problems(validator, text) == [
        "'servise' is not one of ['actor', 'client', 'service', 'function', 'gateway',"
        " 'load-balancer', 'cdn', 'queue', 'stream', 'datastore', 'cache', 'secrets-store',"
        " 'key-management', 'identity-provider', 'external-service', 'ci-pipeline',"
        " 'artifact-registry', 'monitoring']",
        "Additional properties are not allowed ('exposre' was unexpected)",
    ]


def test_arrow_flow_with_unknown_attribute_is_rejected(validator):
    text = "system: {name: Shop}\nflows:\n  - web -> api: {protocl: https}\n"
    assert problems(validator, text) == [
        "{'web -> api': {'protocl': 'https'}} is not valid under any of the given schemas"
    ]


def test_element_ids_and_locations_are_not_in_the_schema():
    defs = model_json_schema()["$defs"]
    assert "id" not in defs["Component"]["properties"]
    assert "location" not in defs["Component"]["properties"]
    assert "location" not in defs["Flow"]["properties"]
    assert "id" in defs["Flow"]["properties"]
    assert "id" in defs["FlowAttributes"]["properties"]
    assert "from" not in defs["FlowAttributes"]["properties"]


def test_starter_model_is_valid(validator):
    text = resources.files("threatforge.model").joinpath("starter.yaml").read_text("utf-8")
    assert problems(validator, text) == []
    assert load_text(text).warnings == ()
