"""The bounded YAML reader: what it refuses, where it says so, and the positions it records."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from threatforge import ModelError
from threatforge.model import Limits, load_text, load_with_diagnostics
from threatforge.model._yaml import Document, ReadError, parse_bytes, parse_text

DEFAULT_LIMITS = Limits()


def read_error(raw: bytes | str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The ``file:line:col: message`` of the error reading ``raw`` as ``threatmodel.yaml``."""
    with pytest.raises(ReadError) as caught:
        if isinstance(raw, bytes):
            parse_bytes(raw, "threatmodel.yaml", limits)
        else:
            parse_text(raw, "threatmodel.yaml", limits)
    return str(caught.value)


def file_errors(path: str, limits: Limits | None = None) -> list[str]:
    result = load_with_diagnostics(path, limits=limits)
    assert result.model is None
    return [d.format() for d in result.diagnostics]


# --- refused input ------------------------------------------------------------------------


def test_duplicate_key_names_the_first(diagnose):
    text = "system: {name: Shop}\ncomponents:\n  web: {kind: service}\n  web: {kind: actor}\n"
    assert diagnose(text) == [
        "threatmodel.yaml:4:3: error: repeats the key 'web' (first at line 3, column 3)"
    ]


def test_duplicate_key_in_a_flow_mapping(diagnose):
    assert diagnose("system: {name: Shop, name: Other}\n") == [
        "threatmodel.yaml:1:22: error: repeats the key 'name' (first at line 1, column 10)"
    ]


def test_multiple_documents(diagnose):
    text = "system: {name: A}\n---\nsystem: {name: B}\n"
    assert diagnose(text) == [
        "threatmodel.yaml:2:1: error: holds more than one YAML document ('---'); use one per file"
    ]


def test_one_document_with_explicit_markers_is_fine():
    model = load_text("---\nsystem: {name: Shop}\n...\n")
    assert model.system.name == "Shop"


@pytest.mark.parametrize("text", ["", "  \n\n\t\n"], ids=["empty", "blank"])
def test_empty_file(diagnose, text):
    assert diagnose(text) == [
        "threatmodel.yaml:1:1: error: is empty: a model needs at least 'system:'"
    ]


def test_comment_only_file(diagnose):
    assert diagnose("# nothing yet\n") == [
        "threatmodel.yaml:1:1: error: must be a mapping of sections (system:, components:, ...),"
        " not empty"
    ]


def test_top_level_list(diagnose):
    assert diagnose("- system\n- components\n") == [
        "threatmodel.yaml:1:1: error: must be a mapping of sections (system:, components:, ...),"
        " not list"
    ]


def test_empty_file_on_disk(write_tree):
    write_tree({"threatmodel.yaml": b""})
    assert file_errors("threatmodel.yaml") == [
        "threatmodel.yaml:1:1: error: is empty: a model needs at least 'system:'"
    ]


def test_nul_byte_on_disk(write_tree):
    write_tree({"threatmodel.yaml": b"system: {name: Shop}\ncomponents:\x00 {}\n"})
    assert file_errors("threatmodel.yaml") == [
        "threatmodel.yaml:2:1: error: contains a NUL byte: this looks like a binary file, not YAML"
    ]


def test_control_character_in_text_is_located():
    assert read_error("system: {name: Shop}\nowner: caf\u00e9 \x07\n") == (
        "threatmodel.yaml:2:13: invalid YAML: unacceptable character #x0007:"
        " control characters are not allowed"
    )


def test_invalid_utf8_on_disk(write_tree):
    write_tree({"threatmodel.yaml": b"system:\n  name: caf\xe9\n"})
    assert file_errors("threatmodel.yaml") == [
        "threatmodel.yaml:2:12: error: is not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_utf8_bom_is_accepted():
    document = parse_bytes(b"\xef\xbb\xbfsystem: {name: Shop}\n", "threatmodel.yaml")
    assert document.value == {"system": {"name": "Shop"}}


def test_python_tag_is_refused_and_never_run(tmp_path: Path, diagnose):
    marker = tmp_path / "ran"
    text = f"system: !!python/object/apply:os.system ['touch {marker}']\n"
    assert diagnose(text) == [
        "threatmodel.yaml:1:9: error: uses the YAML tag"
        " 'tag:yaml.org,2002:python/object/apply:os.system', which threatforge does not accept"
    ]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "tag", "column"),
    [
        ("!!python/name:os.system ''", "tag:yaml.org,2002:python/name:os.system", 9),
        ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary", 9),
        ("!!set {a, b}", "tag:yaml.org,2002:set", 9),
        ("!custom {a: 1}", "!custom", 9),
    ],
    ids=["python-name", "binary", "set", "local"],
)
def test_other_tags_are_refused(value, tag, column):
    assert read_error(f"system: {value}\n") == (
        f"threatmodel.yaml:1:{column}: uses the YAML tag '{tag}', which threatforge does not accept"
    )


def test_unknown_alias():
    assert read_error("system: {name: *nope}\n") == "threatmodel.yaml:1:16: unknown alias '*nope'"


def test_invalid_yaml_syntax_is_located():
    assert read_error("system:\n  name: [Shop\ncomponents: {}\n") == (
        "threatmodel.yaml:3:11: invalid YAML: did not find expected ',' or ']'"
    )


def test_mapping_as_key():
    assert read_error("? {a: 1}\n: x\n") == (
        "threatmodel.yaml:1:3: uses a mapping or list as a key; keys must be plain text"
    )


# --- accepted YAML features ---------------------------------------------------------------


def test_anchors_on_plain_values_and_merge_keys():
    text = (
        "system: {name: &team payments, owner: *team}\n"
        "boundaries:\n"
        "  dmz: {trust: trusted}\n"
        "components:\n"
        "  web: &svc {kind: service, zone: dmz, exposure: public}\n"
        "  api:\n"
        "    <<: *svc\n"
        "    exposure: internal\n"
        "flows:\n"
        "  - web -> api: {protocol: &p https}\n"
        "  - api -> web: {protocol: *p}\n"
    )
    model = load_text(text)
    assert model.system.owner == "payments"
    api = model.components["api"]
    assert (api.kind.value, api.zone, api.exposure.value) == ("service", "dmz", "internal")
    assert [(f.id, f.protocol) for f in model.flows] == [
        ("web->api", "https"),
        ("api->web", "https"),
    ]


def test_dates_stay_text_and_yes_keys_stay_keys():
    document = parse_text("expires: 2030-01-31\non: 1\nflag: yes\n", "x.yaml")
    assert document.value == {"expires": "2030-01-31", "on": 1, "flag": True}


def test_positions_of_values_and_keys():
    document = parse_text(
        "system:\n  name: Shop\ncomponents:\n  web: {kind: service, tags: [a, b]}\n", "m.yaml"
    )
    assert isinstance(document, Document)
    assert document.position(("system", "name")) == (2, 9)
    assert document.key_position(("system", "name")) == (2, 3)
    assert document.position(("components", "web")) == (4, 8)
    assert document.key_position(("components", "web")) == (4, 3)
    assert document.position(("components", "web", "tags", 1)) == (4, 34)
    # a path that does not exist falls back to its closest parent
    assert document.position(("components", "web", "nope", 3)) == (4, 8)
    assert str(document.location(("components", "web"), key=True)) == "m.yaml:4:3"


def test_json_model_loads_with_line_numbers(write_tree):
    write_tree(
        {
            "threatmodel.json": """\
            {
              "system": {"name": "Shop"},
              "boundaries": {"dmz": {"trust": "trusted"}},
              "components": {
                "web": {"kind": "service", "zone": "dmz", "logging": true},
                "api": {"kind": "service", "zone": "dmz"}
              },
              "flows": [
                {"from": "web", "to": "api", "protocol": "https"}
              ]
            }
            """
        }
    )
    result = load_with_diagnostics("threatmodel.json")
    assert result.diagnostics == ()
    assert result.model is not None
    assert [(c.id, str(c.location)) for c in result.model.components.values()] == [
        ("web", "threatmodel.json:5:5"),
        ("api", "threatmodel.json:6:5"),
    ]
    assert [(f.id, str(f.location)) for f in result.model.flows] == [
        ("web->api", "threatmodel.json:9:5")
    ]
    assert result.model.components["web"].logging is not None
    assert result.model.components["web"].logging.enabled is True


def test_json_model_errors_have_line_numbers(diagnose):
    text = (
        '{\n  "system": {"name": "Shop"},\n'
        '  "components": {"web": {"kind": "servise"}},\n'
        '  "flows": [{"from": "web", "to": "apii", "protocol": "https"}]\n}\n'
    )
    [kind, flow] = diagnose(text, "threatmodel.json")
    assert kind.startswith(
        "threatmodel.json:3:34: error: component 'web': 'kind' is 'servise'"
        " — did you mean 'service'?"
    )
    assert flow == "threatmodel.json:4:35: error: flow 1 (web -> apii): unknown component 'apii'"


# --- bounds -------------------------------------------------------------------------------


def billion_laughs() -> str:
    """Nine levels of ten aliases each: 10**9 values if anything expanded it."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly(diagnose):
    started = time.monotonic()
    errors = diagnose(billion_laughs())
    elapsed = time.monotonic() - started
    # a..f hold 1.2 million values and each *f adds 1,111,111: the first *f of g passes 2 million
    assert errors == [
        "threatmodel.yaml:7:8: error: expands to more than 2,000,000 values (a YAML alias bomb?);"
        " refusing to read it"
    ]
    assert elapsed < 2.0


def test_alias_count_bound_is_configurable():
    text = "a: &a [x, x, x]\nb: [*a, *a, *a]\n"
    assert read_error(text, Limits(max_nodes=10)) == (
        "threatmodel.yaml:2:5: expands to more than 10 values (a YAML alias bomb?);"
        " refusing to read it"
    )


def test_hundred_levels_of_flow_nesting_are_refused(diagnose):
    started = time.monotonic()
    errors = diagnose("a: " + "[" * 100 + "]" * 100 + "\n")
    assert errors == [
        "threatmodel.yaml:1:51: error: is nested more than 48 levels deep; refusing it"
    ]
    assert time.monotonic() - started < 2.0


def test_hundred_levels_of_block_nesting_are_refused(diagnose):
    text = "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "leaf\n"
    # the 49th mapping starts at the value of k47, written on line 49
    assert diagnose(text) == [
        "threatmodel.yaml:49:97: error: is nested more than 48 levels deep; refusing it"
    ]


def test_depth_bound_is_configurable():
    assert read_error("a: {b: {c: 1}}\n", Limits(max_depth=2)) == (
        "threatmodel.yaml:1:8: is nested more than 2 levels deep; refusing it"
    )


def test_long_scalar_is_refused():
    assert read_error("system: {name: " + "x" * 20 + "}\n", Limits(max_scalar_chars=10)) == (
        "threatmodel.yaml:1:16: has a value longer than 10 characters"
    )


def test_file_over_the_size_limit(write_tree):
    write_tree({"threatmodel.yaml": "system: {name: Shop}\n" + "# padding\n" * 10})
    assert file_errors("threatmodel.yaml", Limits(max_bytes=64)) == [
        "threatmodel.yaml: error: is larger than 64 bytes; split it with 'include:'"
    ]


def test_file_over_a_whole_mib_limit_says_mib(write_tree):
    write_tree({"threatmodel.yaml": "system: {name: Shop}\n" + "#" * (1024 * 1024)})
    assert file_errors("threatmodel.yaml", Limits(max_bytes=1024 * 1024)) == [
        "threatmodel.yaml: error: is larger than 1 MiB; split it with 'include:'"
    ]


def test_included_file_over_the_size_limit(write_tree):
    write_tree(
        {
            "threatmodel.yaml": "system: {name: Shop}\ninclude: [big.yaml]\n",
            "big.yaml": "components: {}\n" + "# padding\n" * 10,
        }
    )
    assert file_errors("threatmodel.yaml", Limits(max_bytes=64)) == [
        "big.yaml: error: is larger than 64 bytes; split it with 'include:'"
    ]


def test_text_over_the_size_limit():
    with pytest.raises(ModelError) as caught:
        load_text("system: {name: Shop}\n" + "#" * 100, limits=Limits(max_bytes=64))
    assert str(caught.value) == "threatmodel.yaml: error: is larger than 64 characters"
