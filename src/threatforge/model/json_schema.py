"""The published JSON Schema (Draft 2020-12) of the model file, for editors and CI."""

from __future__ import annotations

import copy
from typing import Any

from threatforge.model.schema import FLOW_ARROW, ModelFile
from threatforge.model.vocabulary.json_schema import add_vocabulary

__all__ = ["SCHEMA_ID", "model_json_schema"]

SCHEMA_ID = "https://threatforge.dev/schema/threatmodel-1.json"


def model_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``threatmodel.yaml`` (both flow forms, ``logging: true`` shorthand)."""
    schema = ModelFile.model_json_schema(by_alias=True, mode="validation")
    defs = schema["$defs"]
    flow = defs["Flow"]
    body = copy.deepcopy(flow)
    for end in ("from", "to"):
        body["properties"].pop(end, None)
    body["required"] = [r for r in body.get("required", []) if r not in ("from", "to")]
    if not body["required"]:
        body.pop("required")
    body["title"] = "FlowAttributes"
    defs["FlowAttributes"] = body
    schema["properties"]["flows"]["items"] = {
        "oneOf": [
            {"$ref": "#/$defs/Flow"},
            {
                "type": "object",
                "description": "A flow written as 'source -> target: {attributes}'.",
                "minProperties": 1,
                "maxProperties": 1,
                "patternProperties": {
                    FLOW_ARROW.pattern: {
                        "anyOf": [{"$ref": "#/$defs/FlowAttributes"}, {"type": "null"}]
                    }
                },
                "additionalProperties": False,
            },
        ]
    }
    component = defs["Component"]["properties"]
    component["logging"] = {
        "anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/LoggingSpec"}, {"type": "null"}],
        "description": "What the component logs; 'true' is short for {enabled: true}.",
    }
    for definition in defs.values():
        for name in ("id", "location"):
            # a flow's id may be written (two flows between one pair); other ids are their keys
            if definition.get("title") not in ("Flow", "FlowAttributes") or name == "location":
                definition.get("properties", {}).pop(name, None)
    add_vocabulary(schema)  # known technologies, protocols and properties, for completion
    for section in schema["properties"].values():
        if "patternProperties" in section:  # a key that is not a valid id is an error
            section["additionalProperties"] = False
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "threatforge model"
    schema["description"] = "A threatforge threat model (threatmodel.yaml)."
    return schema
