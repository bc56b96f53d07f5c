"""The one bounded YAML reader: what it reads, what it refuses, where it says so, and the
positions it records (the first pass, and those found lazily when a message needs them)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_models import generated_text
from threatforge import ModelError
from threatforge.model import Flow, Limits, load, load_text, load_with_diagnostics
from threatforge.model._yaml import (
    Document,
    Path_,
    ReadError,
    _pos,
    parse_bytes,
    parse_text,
    read_file,
)

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


# --- what the one reader reads (cases kept from the line reader's equivalence tests) ------

LONG_KEY = "k" * 1024
LONG_QUOTED_KEY = "é" * 1022

READS: dict[str, tuple[str, dict[str, Any]]] = {
    "block mapping": (
        "system:\n  name: Shop\n  owner: team\n",
        {"system": {"name": "Shop", "owner": "team"}},
    ),
    "flow mapping": (
        "system: {name: Shop, owner: 'team a', criticality: \"high\"}\n",
        {"system": {"name": "Shop", "owner": "team a", "criticality": "high"}},
    ),
    "nested flow": (
        "a: {b: [1, {c: [x, y]}, []], d: {}}\n",
        {"a": {"b": [1, {"c": ["x", "y"]}, []], "d": {}}},
    ),
    "spacing in flow": ("a: { b: 1 ,c: [ x , y ] }\n", {"a": {"b": 1, "c": ["x", "y"]}}),
    "comments": (
        "# top\na: 1 # one\n  # indented comment\nb: {c: 2} # two\n\n",
        {"a": 1, "b": {"c": 2}},
    ),
    "types": (
        "a: [true, false, yes, no, on, off, null, ~, 1, -1, +1, 0x1F, 017, 1_000]\n",
        {"a": [True, False, True, False, True, False, None, None, 1, -1, 1, 31, 15, 1000]},
    ),
    "floats": (
        "a: [1.5, -0.5, .inf, -.inf, 1e3, 1.0e+3, 6.8523015e+5]\n",
        {"a": [1.5, -0.5, float("inf"), float("-inf"), "1e3", 1000.0, 685230.15]},
    ),
    "dates stay text": (
        "a: 2030-01-31\nb: [2030-01-31]\n",
        {"a": "2030-01-31", "b": ["2030-01-31"]},
    ),
    "empty values": ("a:\nb: # nothing\nc:\n", {"a": None, "b": None, "c": None}),
    "indented list": ("a:\n  - x\n  - {y: 1}\n  - [z]\n", {"a": ["x", {"y": 1}, ["z"]]}),
    "list at the key's indentation": ("a:\n- x\n- y\nb: 1\n", {"a": ["x", "y"], "b": 1}),
    "mappings in a list": (
        "f:\n  - a -> b: {p: 1}\n  - from: a\n    to: b\n  - c:\n      d: 1\n",
        {"f": [{"a -> b": {"p": 1}}, {"from": "a", "to": "b"}, {"c": {"d": 1}}]},
    ),
    "list in a list item's mapping": (
        "a:\n- b:\n  - x\n  c: 1\n- d\n",
        {"a": [{"b": ["x"], "c": 1}, "d"]},
    ),
    "more spaces after a dash": ("a:\n  -   b: 1\n      c: 2\n", {"a": [{"b": 1, "c": 2}]}),
    "quotes inside plain text": ('a: it\'s "x"\n', {"a": 'it\'s "x"'}),
    "punctuation in plain text": ("a: x!y&z*%@|>=<~$()+.^/;\n", {"a": "x!y&z*%@|>=<~$()+.^/;"}),
    "non-ASCII quoted": (
        'a: "café — ✓ 😀"\nb: {c: \'é\', d: ["ü"]}\n',
        {"a": "café — ✓ 😀", "b": {"c": "é", "d": ["ü"]}},
    ),
    "longest key": (f"{LONG_KEY}: 1\n", {LONG_KEY: 1}),
    "longest quoted key": (
        f'"{LONG_QUOTED_KEY}": 1\na: {{"{LONG_QUOTED_KEY}": 1}}\n',
        {LONG_QUOTED_KEY: 1, "a": {LONG_QUOTED_KEY: 1}},
    ),
    "comment after a key": ("a: # c\n  b: 1\n", {"a": {"b": 1}}),
    "trailing spaces": ("a: b   \nc: 'd'  \ne: [f]  \n", {"a": "b", "c": "d", "e": ["f"]}),
    "dash-led plain text": ("a: -x\nb: [-1, --, ->]\n", {"a": "-x", "b": [-1, "--", "->"]}),
    "anchors and aliases": ("a: &x {b: 1}\nc: *x\n", {"a": {"b": 1}, "c": {"b": 1}}),
    "merge keys": ("a: &x {b: 1}\nc: {<<: *x}\n", {"a": {"b": 1}, "c": {"b": 1}}),
    "explicit keys win over merged ones": (
        "a: &x {b: 1, c: 2}\nd: &y {c: 3, e: 4}\nf: {<<: [*x, *y], b: 5}\n",
        {"a": {"b": 1, "c": 2}, "d": {"c": 3, "e": 4}, "f": {"b": 5, "c": 2, "e": 4}},
    ),
    "tags": ("a: !!str 1\nb: !!int '3'\n", {"a": "1", "b": 3}),
    "escapes": ('a: "x\\ty\\n\\u00e9\\_z"\n', {"a": "x\ty\né\u00a0z"}),
    "doubled single quote": ("a: 'it''s'\n", {"a": "it's"}),
    "multi-line flow": ("a: {b: 1,\n    c: 2}\n", {"a": {"b": 1, "c": 2}}),
    "multi-line plain": ("a: one\n  two\n", {"a": "one two"}),
    "block scalar": ("a: |\n  text\n", {"a": "text\n"}),
    "explicit key": ("? a\n: 1\n", {"a": 1}),
    "document marker": ("---\na: 1\n", {"a": 1}),
    "document end": ("a: 1\n...\n", {"a": 1}),
    "dashes at the start of a line": ("---a: 1\n", {"---a": 1}),
    "directive": ("%YAML 1.1\n---\na: 1\n", {"a": 1}),
    "tab after a colon": ("a:\t1\n", {"a": 1}),
    "CRLF line endings": ("a: 1\r\nb: |\r\n  x\r\n  y\r\n", {"a": 1, "b": "x\ny\n"}),
    "no-break space": ("a: x\u00a0y\n", {"a": "x\u00a0y"}),
    "non-ASCII plain": ("a: café\n", {"a": "café"}),
    "colon in plain": ("a: b:c\n", {"a": "b:c"}),
    "comma in block plain": ("a: b, c\n", {"a": "b, c"}),
    "hash without a space": ("a: b#c\n", {"a": "b#c"}),
    "json": ('{"a": 1, "b": [true]}\n', {"a": 1, "b": [True]}),
    "indented top level": ("  a: 1\n", {"a": 1}),
    "integer key": ("1: a\n", {"1": "a"}),
    "boolean keys stay as written": ("on: push\nYes: 1\n", {"on": "push", "Yes": 1}),
    "a boolean alias as a key": ("a: &x yes\n*x : 1\n", {"a": True, "true": 1}),
    "space before colon": ("a : 1\n", {"a": 1}),
    "trailing comma": ("a: [1, 2, ]\n", {"a": [1, 2]}),
    "empty flow value": ("a: {b: }\n", {"a": {"b": None}}),
    "dash alone": ("a:\n  -\n    b: 1\n", {"a": [{"b": 1}]}),
    "nested dash": ("a:\n  - - x\n", {"a": [["x"]]}),
}


@pytest.mark.parametrize(("text", "expected"), READS.values(), ids=list(READS))
def test_reads(text: str, expected: dict[str, Any]) -> None:
    document = parse_text(text, "m.yaml")
    assert repr(document.value) == repr(expected)  # types (1, 1.0, True) and key order too
    assert_lazy_positions_are_the_full_ones(text)


REFUSED: dict[str, tuple[str, str]] = {
    "duplicate key": (
        "a: 1\na: 2\n",
        "m.yaml:2:1: repeats the key 'a' (first at line 1, column 1)",
    ),
    "duplicate flow key": (
        "a: {b: 1, b: 2}\n",
        "m.yaml:1:11: repeats the key 'b' (first at line 1, column 5)",
    ),
    "duplicate after an empty value": (
        "a:\na: 1\n",
        "m.yaml:2:1: repeats the key 'a' (first at line 1, column 1)",
    ),
    "duplicate of a merged-in key's mapping": (
        "a: {b: 1}\nb: {c: [x]}\nb: 2\n",
        "m.yaml:3:1: repeats the key 'b' (first at line 2, column 1)",
    ),
    "bad indentation": (
        "a:\n  b: 1\n c: 2\n",
        "m.yaml:3:2: invalid YAML: did not find expected key",
    ),
    "list then key": (
        "a:\n  - x\n  b: 1\n",
        "m.yaml:3:3: invalid YAML: did not find expected '-' indicator",
    ),
    "value after flow": ("a: {b: 1} c\n", "m.yaml:1:11: invalid YAML: did not find expected key"),
    "unclosed flow": ("a: [1, 2\n", "m.yaml:2:1: invalid YAML: did not find expected ',' or ']'"),
    "mapping after a value": (
        "a: b\n  c: d\n",
        "m.yaml:2:4: invalid YAML: mapping values are not allowed in this context",
    ),
    "key and list": ("a: 1\n- b\n", "m.yaml:2:1: invalid YAML: did not find expected key"),
    "null key": ("~: x\n", "m.yaml:1:1: uses a mapping or list as a key; keys must be plain text"),
    "alias of a mapping as a key": (
        "a: &x {b: 1}\n*x : 1\n",
        "m.yaml:2:1: uses a mapping or list as a key; keys must be plain text",
    ),
    "equals": (
        "a: =\n",
        "m.yaml:1:4: uses the YAML tag 'tag:yaml.org,2002:value',"
        " which threatforge does not accept",
    ),
    "key too long": (
        "k" * 1025 + ": 1\n",
        "m.yaml:1:1026: invalid YAML: mapping values are not allowed in this context",
    ),
    "int too long": (
        "a: " + "1" * 5000 + "\n",
        "m.yaml:1:4: has a number with 5,000 digits; at most 4,300 are accepted",
    ),
    "bad explicit int": ("a: !!int x\n", "m.yaml:1:4: 'x' is not a valid int"),
    "tag on a list": (
        "a: !!set [1]\n",
        "m.yaml:1:4: uses the YAML tag 'tag:yaml.org,2002:set', which threatforge does not accept",
    ),
    "merge of a list of scalars": (
        "a: {<<: [1]}\n",
        "m.yaml:1:12: merges ('<<:') something that is not a mapping",
    ),
}


@pytest.mark.parametrize(("text", "message"), REFUSED.values(), ids=list(REFUSED))
def test_refuses(text: str, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        parse_text(text, "m.yaml")
    assert str(caught.value) == message


def test_first_pass_positions_and_lazy_ones() -> None:
    text = "# c\nsystem: {name: Shop}\nflows:\n- a -> b: {data: [x]}\n  # c\n- c -> d:\n"
    document = parse_text(text, "m.yaml")
    assert document.value == {
        "system": {"name": "Shop"},
        "flows": [{"a -> b": {"data": ["x"]}}, {"c -> d": None}],
    }
    # the first pass keeps where mappings and lists are, and the keys that hold them
    assert {path: _pos(at) for path, at in document.positions.items()} == {
        (): (2, 1),
        ("system",): (2, 9),
        ("flows",): (4, 1),
        ("flows", 0): (4, 3),
        ("flows", 0, "a -> b"): (4, 11),
        ("flows", 0, "a -> b", "data"): (4, 18),
        ("flows", 1): (6, 3),
    }
    assert {path: _pos(at) for path, at in document.key_positions.items()} == {
        ("system",): (2, 1),
        ("flows",): (3, 1),
        ("flows", 0, "a -> b"): (4, 3),
        ("flows", 0, "a -> b", "data"): (4, 12),
    }
    assert document.text == text  # kept: other positions are found by reading again
    assert document.position(("flows", 0, "a -> b", "data", 0)) == (4, 19)
    assert document.key_position(("system", "name")) == (2, 10)
    assert document.text is None


def test_each_value_is_its_own_unless_aliased() -> None:
    value = "{p: https, data: [x, y], log: {audit: true}}"
    document = parse_text(f"a: {value}\nb: {value}\nc: &c [1]\nd: *c\n", "m.yaml")
    assert document.value["a"] == document.value["b"]
    assert document.value["a"] is not document.value["b"]
    assert document.value["a"]["data"] is not document.value["b"]["data"]
    assert document.value["c"] is document.value["d"]  # an alias is the anchored value


@pytest.mark.parametrize(
    ("limits", "text", "message"),
    [
        (
            Limits(max_depth=2),
            "a: {b: {c: 1}}\n",
            "m.yaml:1:8: is nested more than 2 levels deep; refusing it",
        ),
        (
            Limits(max_depth=2),
            "a:\n  b:\n    c: 1\n",
            "m.yaml:3:5: is nested more than 2 levels deep; refusing it",
        ),
        (
            Limits(max_nodes=4),
            "a: [1, 2]\n",
            "m.yaml:1:8: expands to more than 4 values (a YAML alias bomb?); refusing to read it",
        ),
        (
            Limits(max_collections=2),
            "a: [1]\nb: {}\n",
            "m.yaml:2:4: has more than 2 mappings and lists; refusing to read it"
            " (split the model with 'include:')",
        ),
        (
            Limits(max_scalar_chars=3),
            "a: abcd\n",
            "m.yaml:1:4: has a value longer than 3 characters",
        ),
        (
            Limits(max_scalar_chars=3),
            "abcd: a\n",
            "m.yaml:1:1: has a value longer than 3 characters",
        ),
        (
            Limits(max_merged_keys=3),
            "a: &a {x: 1, y: 2}\nb: {<<: *a}\nc: {<<: *a}\n",
            "m.yaml:3:11: copies more than 3 keys with merge keys ('<<:'); refusing to read it",
        ),
    ],
)
def test_bounds(limits: Limits, text: str, message: str) -> None:
    assert read_error(text, limits) == message.replace("m.yaml", "threatmodel.yaml")


def test_bounds_that_are_just_met_are_read() -> None:
    # the top mapping, 'a', the list, '1' and '2': five values, two collections, two levels
    limits = Limits(max_depth=2, max_nodes=5, max_collections=2, max_scalar_chars=1)
    assert parse_text("a: [1, 2]\n", "m.yaml", limits).value == {"a": [1, 2]}


# --- hidden line breaks and characters (issue 14, items 3 and 20) -------------------------

HIDDEN_BREAK = (
    "invalid YAML: unacceptable character {code} ({name}): YAML reads it as a line break that"
    " editors and diffs do not show, so it can end a comment and make the text after it live;"
    " use an ordinary line break (or a space)"
)


@pytest.mark.parametrize(
    ("character", "code", "name"),
    [
        ("\x85", "#x0085", "NEL, next line"),
        ("\u2028", "#x2028", "LINE SEPARATOR"),
        ("\u2029", "#x2029", "PARAGRAPH SEPARATOR"),
    ],
)
@pytest.mark.parametrize("where", ["comment", "plain", "single-quoted", "double-quoted"])
def test_hidden_line_breaks_are_refused_everywhere(
    character: str, code: str, name: str, where: str
) -> None:
    line = {
        "comment": f"# TODO{character}tracking: {{}}",
        "plain": f"owner: team{character}x",
        "single-quoted": f"owner: 'team{character}x'",
        "double-quoted": f'owner: "team{character}x"',
    }[where]
    column = line.index(character) + 1
    assert read_error(f"system: {{name: Shop}}\n{line}\n") == (
        f"threatmodel.yaml:2:{column}: " + HIDDEN_BREAK.format(code=code, name=name)
    )


def test_a_lone_carriage_return_is_refused_and_crlf_is_not() -> None:
    assert read_error("system: {name: Shop}\r\n# note\rtracking: {}\r\n") == (
        "threatmodel.yaml:2:7: invalid YAML: a carriage return (#x000d) without a line feed"
        " after it: YAML reads it as a line break that editors and diffs may not show, so it"
        " can end a comment and make the text after it live; save the file with LF or CRLF"
        " line endings"
    )
    model = load_text("system: {name: Shop}\r\n# note\r\ncomponents:\r\n  web: {kind: service}\r\n")
    assert list(model.components) == ["web"]
    assert str(model.components["web"].location) == "threatmodel.yaml:4:3"


@pytest.mark.parametrize(
    ("character", "problem"),
    [
        ("\ufffe", "#xfffe: Unicode noncharacters are not allowed"),
        ("\uffff", "#xffff: Unicode noncharacters are not allowed"),
        ("\ufdd0", "#xfdd0: Unicode noncharacters are not allowed"),
        ("\U0010ffff", "#x10ffff: Unicode noncharacters are not allowed"),
        ("\x1b", "#x001b: control characters are not allowed"),
        ("\x9b", "#x009b: control characters are not allowed"),
        ("\ud800", "#xd800: surrogates are not allowed"),
    ],
)
def test_refused_characters_in_the_text(character: str, problem: str) -> None:
    assert read_error(f"system: {{name: 'Sh{character}op'}}\n") == (
        f"threatmodel.yaml:1:19: invalid YAML: unacceptable character {problem}"
    )


ESCAPE = (
    "has an escape that gives an unacceptable character {};"
    " escapes are checked as the characters they stand for"
)


@pytest.mark.parametrize(
    ("escape", "problem"),
    [
        ("\\uFFFE", "#xfffe: Unicode noncharacters are not allowed"),
        ("\\uffff", "#xffff: Unicode noncharacters are not allowed"),
        ("\\uFDEF", "#xfdef: Unicode noncharacters are not allowed"),
        ("\\U0001FFFF", "#x1ffff: Unicode noncharacters are not allowed"),
        ("\\e]52;c;aGk=\\a", "#x001b: control characters are not allowed"),
        ("\\0", "#x0000: control characters are not allowed"),
        ("\\x9b", "#x009b: control characters are not allowed"),
        ("\\r", "#x000d: a carriage return is not allowed in a value"),
        ("\\N", "#x0085 (NEL, next line): a line break people do not see"),
        ("\\L", "#x2028 (LINE SEPARATOR): a line break people do not see"),
        ("\\u2029", "#x2029 (PARAGRAPH SEPARATOR): a line break people do not see"),
    ],
)
def test_refused_characters_written_as_escapes(escape: str, problem: str) -> None:
    text = f'system:\n  name: "Shop {escape}"\n'
    assert read_error(text) == "threatmodel.yaml:2:9: " + ESCAPE.format(problem)
    # in a key, and under an explicit tag, too
    assert read_error(f'system: {{"k{escape}": x}}\n') == "threatmodel.yaml:1:10: " + ESCAPE.format(
        problem
    )
    assert read_error(f'a: !!str "{escape}"\n') == "threatmodel.yaml:1:4: " + ESCAPE.format(problem)


def test_allowed_escapes_still_read() -> None:
    assert parse_text('a: "tab\\there\\nnext \\u00e9 \\U0001F600"\n', "m.yaml").value == {
        "a": "tab\there\nnext é 😀"
    }


# --- lazy positions are the full ones, on generated near-YAML -----------------------------


def _paths(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def assert_lazy_positions_are_the_full_ones(text: str, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Read ``text`` lazily and fully: the same values and, asked for, the same positions."""
    try:
        full = parse_text(text, "m.yaml", limits, full=True)
    except ReadError as refused:
        with pytest.raises(ReadError) as again:
            parse_text(text, "m.yaml", limits)
        assert str(again.value) == str(refused)
        return False
    lazy = parse_text(text, "m.yaml", limits)
    assert repr(lazy.value) == repr(full.value)
    for path, stored in lazy.positions.items():  # what the first pass records is exact
        assert _pos(stored) == _pos(full.positions[path]), path
    paths = list(_paths(full.value))
    paths += [(*p, "missing") for p in paths[:50]]
    for path in paths:
        assert lazy.position(path) == full.position(path), path
        assert lazy.key_position(path) == full.key_position(path), path
    return True


PLAIN_TOKENS = [
    "a", "b c", "name", "x-y", "a -> b", "true", "yes", "on", "No", "null", "~", "1", "-1", "+1",
    "0x1F", "017", "1_0", "1.5", ".inf", ".nan", "2030-01-31", '"q"', "'s'", '"a, b: c"', "'#x'",
    '""', "''", "a'b", 'a"b', '"é"', "--", "-x", "x!y", "a  b", "k" * 1024, "x" * 40,
]  # fmt: skip
TRICKY_TOKENS = [
    "'it''s'", '"e\\n"', "a#b", "a #b", "a:b", "1:30", "-", "- a", "<<", "=", "&a x", "*a",
    "!t x", "? x", "é", "%x", "@x", "`x", "|", ">", "...", "k" * 1025, "a,b", "x\ty", "a: b",
    '"\\uFFFE"', "'\\r'",
]  # fmt: skip
ALPHABET = "ab1 -:,#[]{}'\"&*!|>%@?~.é\t\\\r\x85"


def _pairs(
    key: st.SearchStrategy[str], value: st.SearchStrategy[Any], least: int
) -> st.SearchStrategy[list[tuple[str, Any]]]:
    pairs = st.lists(st.tuples(key, value), min_size=least, max_size=3)
    return pairs.map(lambda entries: list(dict(entries).items()))


def _tree(scalar: st.SearchStrategy[str]) -> st.SearchStrategy[list[tuple[str, Any]]]:
    keys = st.sampled_from(["a", "b", "k-1", '"q k"', "'s'", "a b", "a -> b", "x.y"])
    key = st.one_of(*[keys] * 6, scalar)
    tree = st.recursive(
        scalar, lambda inner: st.lists(inner, max_size=3) | _pairs(key, inner, 0), max_leaves=10
    )
    return _pairs(key, tree, 1)


TOKENS = _tree(
    st.one_of(
        *[st.sampled_from(PLAIN_TOKENS)] * 6,
        st.sampled_from(TRICKY_TOKENS) | st.text(ALPHABET, min_size=1, max_size=4),
    )
)


def _flow(draw: st.DrawFn, value: Any) -> str:
    if isinstance(value, str):
        return value
    if value and isinstance(value[0], tuple):
        return "{" + ", ".join(f"{k}: {_flow(draw, v)}" for k, v in value) + "}"
    return "[" + ", ".join(_flow(draw, v) for v in value) + "]"


def _block(draw: st.DrawFn, pairs: list[tuple[str, Any]], indent: int) -> list[str]:
    lines: list[str] = []
    for key, value in pairs:
        head = " " * indent + f"{key}:"
        if isinstance(value, str) or not value or draw(st.booleans()):
            lines.append(f"{head} {_flow(draw, value)}")
        elif isinstance(value[0], tuple):
            lines += [head, *_block(draw, value, indent + 2)]
        else:
            lines += [head, *(" " * indent + f"- {_flow(draw, v)}" for v in value)]
    return lines


@st.composite
def near_yaml(draw: st.DrawFn) -> str:
    """YAML-like text: block and flow collections of tricky scalars, then perhaps a mutation."""
    lines = _block(draw, draw(TOKENS), 0)
    if draw(st.integers(0, 2)) == 0:
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        lines[index] = line[:at] + draw(st.sampled_from(ALPHABET)) + line[at:]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    text=near_yaml(),
    limits=st.sampled_from(
        [
            Limits(),
            Limits(max_depth=2),
            Limits(max_depth=3, max_nodes=12),
            Limits(max_scalar_chars=4),
        ]
    ),
)
def test_generated_text_reads_lazily_as_fully(text: str, limits: Limits) -> None:
    assert_lazy_positions_are_the_full_ones(text, limits)


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_models_read_lazily_as_fully(seed: int) -> None:
    assert assert_lazy_positions_are_the_full_ones(generated_text(200, seed)) is True


# --- the loader over what the reader reads --------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
FIXTURES = sorted((ROOT / "tests" / "rules" / "fixtures").glob("*/*.yaml"))


@pytest.mark.parametrize(
    "path", [*EXAMPLES, *FIXTURES[::3]], ids=lambda p: str(p.relative_to(ROOT))
)
def test_arrow_flows_load_as_flow_reads_them(path: Path) -> None:
    """The loader turns ``a -> b: {...}`` into ``from``/``to`` itself; ``Flow`` would agree."""
    model = load(path)
    raw_flows = read_file(str(path), str(path)).value.get("flows") or []
    arrows = 0
    for flow, raw in zip(model.flows, raw_flows, strict=True):
        (arrow, body), *rest = raw.items()
        if rest or "->" not in arrow:
            continue
        arrows += 1
        expected = Flow.model_validate({arrow: {**(body or {}), "location": flow.location}})
        assert flow == expected
        assert flow.location == expected.location
    assert arrows or not raw_flows or "from:" in path.read_text(encoding="utf-8")
