"""Resource addresses as element ids (issue 16 item 9): kept readably, mapped reversibly, and
usable everywhere an id goes (fingerprints, the writer, outputs)."""

from __future__ import annotations

import json

import pytest

from threatforge.exporters.registry import render
from threatforge.importers.ids import address_of, element_id
from threatforge.model import load_text
from threatforge.model.writer import write_model
from threatforge.rules import analyze, builtin_rules


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("aws_db_instance.default", "aws_db_instance.default"),
        ("module.net.aws_instance.web[0]", "module.net.aws_instance.web[0]"),
        ('aws_s3_bucket.logs["audit"]', "aws_s3_bucket.logs[audit]"),
        (
            'module.app["eu-west-1"].aws_lambda_function.api',
            "module.app[eu-west-1].aws_lambda_function.api",
        ),
        ('aws_iam_user.ops["a,b @c"]', "aws_iam_user.ops[a%2Cb%20%40c]"),
        ('aws_s3_bucket.b["0"]', "aws_s3_bucket.b[%30]"),
        ('aws_s3_bucket.b[""]', "aws_s3_bucket.b[%]"),
        ('aws_s3_bucket.b["100%"]', "aws_s3_bucket.b[100%25]"),
        ('x["say \\"hi\\""]', "x[say%20%22hi%22]"),
        ("services.web", "services.web"),
        ("api.payments.example.com", "api.payments.example.com"),
    ],
)
def test_addresses_map_to_ids_and_back(address: str, expected: str) -> None:
    assert element_id(address) == expected
    assert address_of(expected) == address


def test_an_address_too_long_is_shortened_and_not_reversed() -> None:
    address = "module.a" * 20 + ".aws_instance.web[0]"
    shortened = element_id(address)
    assert len(shortened) == 128
    assert shortened == (address[:118] + "%%eb5ecd6c")
    assert address_of(shortened) is None


def test_an_address_must_start_with_a_letter_or_digit() -> None:
    with pytest.raises(ValueError) as raised:
        element_id("_hidden")
    assert str(raised.value) == "a resource address must start with a letter or digit: '_hidden'"


MODEL = """\
system: {name: Estate}
boundaries:
  module.net.aws_subnet.public[0]: {kind: subnet, trust: semi-trusted}
components:
  module.net.aws_instance.web[0]:
    kind: service
    zone: module.net.aws_subnet.public[0]
    exposure: public
    properties: {secrets_in_code: true}
    origin: main.tf:12 (module.net.aws_instance.web[0])
  aws_s3_bucket.logs[audit]:
    kind: datastore
    tech: aws.s3
    zone: module.net.aws_subnet.public[0]
flows:
  # in a flow-style mapping ({...}) an id with brackets must be quoted, as YAML says
  - module.net.aws_instance.web[0] -> aws_s3_bucket.logs[audit]:
      protocol: https
      data: ["card-data[eu]"]
data:
  card-data[eu]: {classification: restricted, categories: [pci.pan]}
"""


def test_bracketed_ids_load_fingerprint_write_and_render() -> None:
    model = load_text(MODEL)
    assert list(model.components) == ["module.net.aws_instance.web[0]", "aws_s3_bucket.logs[audit]"]
    assert [f.id for f in model.flows] == [
        "module.net.aws_instance.web[0]->aws_s3_bucket.logs[audit]"
    ]
    # the writer quotes what YAML needs and the text reads back as the same model
    text = write_model(model)
    assert "  module.net.aws_instance.web[0]:\n" in text
    assert "  - module.net.aws_instance.web[0] -> aws_s3_bucket.logs[audit]:\n" in text
    assert write_model(load_text(text)) == text
    assessment = analyze(model, builtin_rules())
    finding = next(
        f
        for f in assessment.findings
        if f.fingerprint == "hardcoded-secrets@module.net.aws_instance.web[0]"
    )
    assert str(finding.location) == "main.tf:12"
    sarif = json.loads(render("sarif", assessment, model))
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "hardcoded-secrets")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    markdown = render("markdown", assessment, model)
    assert isinstance(markdown, str)
    assert "hardcoded-secrets@module.net.aws_instance.web[0]" in markdown
