"""An element's ``origin`` (where an importer found it): its form is checked, and findings on the
element point there instead of at the model file."""

from __future__ import annotations

import pytest

from threatforge.model import ModelError, load_text
from threatforge.rules import analyze, builtin_rules

MODEL = """\
system: {name: Shop}
boundaries:
  lan: {trust: trusted, origin: "compose.yaml:40 (networks.lan)"}
components:
  api:
    kind: service
    zone: lan
    properties: {secrets_in_code: true}
    origin: "deploy/compose.yaml:12 (services.api)"
  worker:
    kind: service
    zone: lan
    properties: {secrets_in_code: true}
"""


def test_findings_point_at_the_origin_else_at_the_model_file() -> None:
    model = load_text(MODEL, "threatmodel.yaml")
    api, worker = model.components["api"], model.components["worker"]
    assert (str(api.found_at), str(api.location)) == (
        "deploy/compose.yaml:12",
        "threatmodel.yaml:5:3",
    )
    assert str(worker.found_at) == "threatmodel.yaml:10:3"
    found = {
        f.fingerprint: str(f.location)
        for f in analyze(model, builtin_rules()).findings
        if f.fingerprint.startswith("hardcoded-secrets@")
    }
    assert found == {
        "hardcoded-secrets@api": "deploy/compose.yaml:12",
        "hardcoded-secrets@worker": "threatmodel.yaml:10:3",
    }


@pytest.mark.parametrize(
    "origin", ["compose.yaml", "compose.yaml:0", "compose.yaml:3 (a (b))", "compose.yaml:x"]
)
def test_an_origin_not_of_the_form_file_line_is_an_error(origin: str) -> None:
    with pytest.raises(ModelError) as raised:
        load_text(f"system: {{name: S}}\ncomponents:\n  a: {{kind: service, origin: '{origin}'}}\n")
    assert str(raised.value) == (
        "threatmodel.yaml:3:30: error: component 'a': 'origin': an origin is written "
        "'file:line' or 'file:line (address)', e.g. 'compose.yaml:5 (services.web)'"
    )
