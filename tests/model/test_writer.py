"""The model writer: canonical YAML that reads back as an equal model, written safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_models import generated_model
from threatforge.model import ModelError, load, load_text
from threatforge.model.canonical import model_differences, models_equal
from threatforge.model.edit import format_text
from threatforge.model.writer import replace_file, save_model, write_model, yaml_scalar

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/*/threatmodel.yaml"))
MODEL_FILES = [*EXAMPLES, ROOT / "security" / "threatmodel.yaml"]
FIXTURES = sorted((ROOT / "tests" / "rules" / "fixtures").glob("*/*.yaml"))


def _round_trip(path: Path) -> None:
    model = load(path)
    text = write_model(model)
    again = load_text(text, "written.yaml")
    assert models_equal(model, again), model_differences(model, again)
    # what the writer writes relies on no control default that will change
    assert [w.message for w in again.warnings if w.code == "control-default"] == []
    assert write_model(again) == text  # and writing it again changes nothing
    assert format_text(text, "written.yaml") == text  # fmt leaves what the writer wrote


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_round_trips(path: Path) -> None:
    _round_trip(path)


def test_every_rule_fixture_round_trips() -> None:
    assert len(FIXTURES) > 400  # both fixtures of every rule
    for path in FIXTURES:
        _round_trip(path)


@pytest.mark.parametrize("components", [20, 100])
def test_generated_models_round_trip(tmp_path: Path, components: int) -> None:
    _round_trip(generated_model(tmp_path / "generated.yaml", components, seed=components))


SMALL = """\
system: {name: Shop, criticality: high, compliance: [pci-dss]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
components:
  shopper: {kind: actor, zone: internet}
  db:
    kind: datastore
    tech: aws.rds.postgres
    zone: internet
    stores: [pan]
    encryption: {at_rest: kms-cmk}
    logging: true
    properties: {multi_az: true, engines: [postgres, "15"]}
flows:
  - shopper -> db: {protocol: postgres, port: 5432, data: [pan]}
  - shopper -> db: {id: second, protocol: https, description: "admin: yes"}
controls:
  everywhere: {mitigates: [some-rule]}
tracking:
  "some-rule@db": {status: accepted, justification: "because", owner: alice, expires: 2027-03-31}
"""

SMALL_WRITTEN = """\
version: 1
system:
  name: Shop
  criticality: high
  compliance: [pci-dss]
data:
  pan:  # from aws_kms_key.pan at main.tf:3
    classification: restricted
    categories: [pci.pan]
boundaries:
  internet:
    trust: untrusted
components:
  shopper:
    kind: actor
    zone: internet
  db:  # from aws_db_instance.default at main.tf:12
    kind: datastore
    tech: aws.rds.postgres
    zone: internet
    encryption: {at_rest: kms-cmk}
    logging: {enabled: true}
    stores: [pan]
    properties: {multi_az: true, engines: [postgres, '15']}
flows:
  - shopper -> db:  # the database port
      protocol: postgres
      port: 5432
      data: [pan]
  - shopper -> db:
      id: second
      description: 'admin: yes'
      protocol: https
controls:
  everywhere:
    status: implemented
    mitigates: [some-rule]
    applies_to: ['*']
tracking:
  some-rule@db:
    status: accepted
    justification: because
    owner: alice
    expires: 2027-03-31
"""


def test_the_written_text_is_exact_with_a_comment_per_element() -> None:
    model = load_text(SMALL)
    comments = {
        "db": "from aws_db_instance.default at main.tf:12",
        "pan": "from aws_kms_key.pan at main.tf:3",
        "shopper->db": "the database port",
    }
    text = write_model(model, comments)
    assert text == SMALL_WRITTEN
    assert models_equal(load_text(text), model)


def test_a_comment_cannot_break_out_of_its_line() -> None:
    model = load_text(SMALL)
    text = write_model(model, {"db": "first line\ntracking: {}\u2028x\x85y"})
    assert "  db:  # first line tracking: {} x y\n" in text
    assert models_equal(load_text(text), model)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("yes", "'yes'"),
        ("2.3", "'2.3'"),
        ("2027-03-31", "'2027-03-31'"),
        ("null", "'null'"),
        ("*", "'*'"),
        ("a: b", "'a: b'"),
        ("# not a comment", "'# not a comment'"),
        ("two\nlines", '"two\\nlines"'),
        ("line\u2028separator", '"line\\Lseparator"'),
        ("next\x85line", '"next\\Nline"'),
        ("bidi\u202eoverride", '"bidi\\u202Eoverride"'),
        ("Zürich", "Zürich"),
        ("plain text", "plain text"),
    ],
)
def test_scalars_are_quoted_when_a_reader_would_take_them_for_something_else(
    value: str, written: str
) -> None:
    assert yaml_scalar(value) == written


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(name=_TEXT, description=_TEXT)
def test_any_text_reads_back_as_written(name: str, description: str) -> None:
    base = load_text(
        "system: {name: x}\ncomponents:\n  a: {kind: actor, zone: z}\n"
        "boundaries:\n  z: {trust: untrusted}\n"
    )
    try:
        system = base.system.model_copy(update={"name": name, "description": description})
        model = type(base)(system=system, components=base.components, boundaries=base.boundaries)
        again = load_text(write_model(model))
    except ModelError as exc:  # the reader refuses some characters even escaped (by design)
        assert "character" in str(exc) or "not allowed" in str(exc), str(exc)
        return
    assert (again.system.name, again.system.description) == (name, description)


def test_save_model_writes_and_reads_back(tmp_path: Path) -> None:
    target = tmp_path / "threatmodel.yaml"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o640)
    model = load_text(SMALL)
    text = save_model(model, target, {"db": "from aws_db_instance.default at main.tf:12"})
    assert target.read_text(encoding="utf-8") == text
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert models_equal(load(target), model)
    assert [p.name for p in tmp_path.iterdir()] == ["threatmodel.yaml"]  # no temporary left


def test_save_model_refuses_a_planted_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "threatmodel.yaml").symlink_to(outside)
    with pytest.raises(ModelError, match="is a symlink; refusing to write through it"):
        save_model(load_text(SMALL), workspace / "threatmodel.yaml")
    assert outside.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in workspace.iterdir()) == ["threatmodel.yaml"]


def test_replace_file_refuses_a_folder_and_leaves_no_temporary(tmp_path: Path) -> None:
    (tmp_path / "model.yaml").mkdir()
    with pytest.raises(ModelError, match="is not a regular file"):
        replace_file(str(tmp_path / "model.yaml"), "x: 1\n")
    assert [p.name for p in tmp_path.iterdir()] == ["model.yaml"]


def test_a_text_that_reads_back_differently_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threatforge.model.writer as writer

    target = tmp_path / "threatmodel.yaml"
    target.write_text("unchanged\n", encoding="utf-8")
    real = writer.write_model
    monkeypatch.setattr(
        writer, "write_model", lambda m, c=None: real(m, c).replace("port: 5432", "port: 5433")
    )
    with pytest.raises(ModelError) as caught:
        save_model(load_text(SMALL), target)
    assert str(caught.value) == (
        f"{target}: error: the YAML written for {target} reads back as another model "
        "(flows 'shopper->db': port); nothing was written (please report this)"
    )
    assert target.read_text(encoding="utf-8") == "unchanged\n"
