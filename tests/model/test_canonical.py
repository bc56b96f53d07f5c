"""Equality of models and the digest over their canonical form."""

from __future__ import annotations

from pathlib import Path

import pytest

from threatforge.model import load, load_text
from threatforge.model.canonical import model_differences, model_digest, models_equal
from threatforge.model.writer import canonical_text

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
system: {name: Shop, compliance: [pci-dss, gdpr]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
  profile: {classification: confidential, categories: [pii]}
boundaries:
  internet: {trust: untrusted}
components:
  shopper: {kind: actor, zone: internet}
  api: {kind: gateway, zone: internet, processes: [pan, profile], tags: [edge, public]}
flows:
  - shopper -> api: {protocol: https, data: [pan, profile]}
  - api -> shopper: {protocol: https}
controls:
  waf: {status: implemented, mitigates: [a-rule], applies_to: ["*"]}
"""

# the same model: elements, flows and unordered lists in another order, defaults written out,
# comments, and applies_to empty instead of ["*"]
SAME = """\
# a comment changes nothing
system: {compliance: [gdpr, pci-dss], name: Shop}
boundaries:
  internet: {trust: untrusted, kind: other}
data:
  profile: {categories: [pii], classification: confidential}
  pan: {classification: restricted, categories: [pci.pan]}
components:
  api:
    {kind: gateway, zone: internet, processes: [profile, pan], tags: [public, edge], admin: false}
  shopper: {kind: actor, zone: internet}
flows:
  - api -> shopper: {protocol: https, initiated_by: source}
  - from: shopper
    to: api
    protocol: https
    data: [profile, pan]
controls:
  waf: {mitigates: [a-rule], applies_to: []}
"""


def test_models_that_differ_only_where_order_and_defaults_carry_no_meaning_are_equal() -> None:
    first, second = load_text(BASE), load_text(SAME)
    assert models_equal(first, second)
    assert model_differences(first, second) == []
    assert model_digest(first) == model_digest(second)
    assert canonical_text(first) == canonical_text(second)


@pytest.mark.parametrize(
    ("old", "new", "difference"),
    [
        ("{name: Shop,", "{name: Shop2,", "system: name"),
        ("categories: [pci.pan]}", "categories: [pci.pan, pci.sad]}", "data 'pan': categories"),
        ("{protocol: https, data", "{protocol: http, data", "flows 'shopper->api': protocol"),
        ("{kind: actor, zone", "{kind: client, zone", "components 'shopper': kind"),
        ('applies_to: ["*"]', "applies_to: [api]", "controls 'waf': applies_to"),
        ("status: implemented", "status: planned", "controls 'waf': status"),
        (
            "  - api -> shopper: {protocol: https}\n",
            "",
            "flows 'api->shopper': only in the first model",
        ),
    ],
)
def test_a_change_of_meaning_is_a_difference_and_changes_the_digest(
    old: str, new: str, difference: str
) -> None:
    assert old in BASE
    first, second = load_text(BASE), load_text(BASE.replace(old, new))
    assert not models_equal(first, second)
    assert model_differences(first, second) == [difference]
    assert model_digest(first) != model_digest(second)


def test_a_repeated_list_entry_is_a_difference() -> None:
    first = load_text(BASE)
    second = load_text(BASE.replace("tags: [edge, public]", "tags: [edge, public, edge]"))
    assert model_differences(first, second) == ["components 'api': tags"]


def test_the_order_of_property_values_is_meaningful() -> None:
    first = load_text(BASE.replace("tags: [edge, public]}", "properties: {keys: [a, b]}}"))
    second = load_text(BASE.replace("tags: [edge, public]}", "properties: {keys: [b, a]}}"))
    assert model_differences(first, second) == ["components 'api': properties"]


def test_the_digest_is_the_sha256_of_the_canonical_text() -> None:
    model = load_text("system: {name: Tiny}\n")
    assert canonical_text(model) == "version: 1\nsystem:\n  name: Tiny\n"
    assert model_digest(model) == (
        "35ca9cad8f7ba089cced1f02fbae9f92f4fec99981e13b2f2485e95d250cd0f9"
    )


def test_an_include_split_does_not_change_the_digest(tmp_path: Path) -> None:
    (tmp_path / "whole.yaml").write_text(BASE, encoding="utf-8")
    head, tail = BASE.split("flows:\n")
    (tmp_path / "root.yaml").write_text(head + "include: [flows.yaml]\n", encoding="utf-8")
    (tmp_path / "flows.yaml").write_text("flows:\n" + tail, encoding="utf-8")
    whole, split = load(tmp_path / "whole.yaml"), load(tmp_path / "root.yaml")
    assert split.files != whole.files
    assert model_digest(split) == model_digest(whole)


def test_the_examples_have_stable_digests() -> None:
    path = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"
    assert model_digest(load(path)) == model_digest(load_text(path.read_text("utf-8")))
