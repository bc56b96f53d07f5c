"""The line reader reads exactly what the libyaml event reader reads, or leaves the text to it.

``_yaml.parse_text`` first tries a line reader (:class:`_yaml._LineReader`, no libyaml) and
falls back to the event reader for anything it does not handle. These tests hold it to the event
reader on every model file in the repository, on generated models and on generated near-YAML
text: when the line reader accepts a text, the values (with their types and key order) and every
position (recorded or found later) are the event reader's; when the event reader refuses a text,
the line reader must not accept it. The whole loader is also compared with and without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_models import generated_text
from threatforge.model import Flow, Limits, load, load_with_diagnostics
from threatforge.model import _yaml as yaml_reader
from threatforge.model._yaml import (
    Document,
    Path_,
    ReadError,
    _pos,
    _read_events,
    _read_lines,
    read_file,
)
from threatforge.model.loader import LoadResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))
FIXTURES = sorted((ROOT / "tests" / "rules" / "fixtures").glob("*/*.yaml"))
CORPUS = sorted(p for p in (ROOT / "tests" / "corpus" / "model").rglob("*") if p.is_file())


def _text(path: Path) -> str:
    """The file as text; '' when it is not UTF-8 (refused before either reader runs)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""


MODEL_FILES = [
    path
    for path in sorted(
        [
            *EXAMPLES,
            *FIXTURES,
            *CORPUS,
            *(p for p in (ROOT / "tests" / "corpus" / "packs").rglob("*") if p.is_file()),
            *(ROOT / "src" / "threatforge").rglob("*.yaml"),
        ]
    )
    if _text(path).strip()  # empty text is refused before either reader runs
]
DEFAULT = Limits()
SMALL = Limits(max_depth=4, max_nodes=150, max_scalar_chars=30, max_collections=20)


def _paths(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def same_reading(text: str, limits: Limits = DEFAULT) -> bool:
    """Assert the line reader agrees with the event reader on ``text``; True if it read it."""
    lines = _read_lines(text, "m.yaml", limits)
    try:
        events = _read_events(text, "m.yaml", limits, full=False)
    except ReadError:
        assert lines is None, "the line reader accepted text the event reader refuses"
        return False
    if lines is None:
        return False
    assert repr(lines.value) == repr(events.value)  # types (1, 1.0, True) and key order too
    _assert_recorded_positions(lines, events)
    paths = list(_paths(events.value))
    paths += [(*p, "missing") for p in paths[:50]]
    for path in paths:  # what callers see, recorded or found again
        assert lines.position(path) == events.position(path), path
        assert lines.key_position(path) == events.key_position(path), path
    return True


def _assert_recorded_positions(lines: Document, events: Document) -> None:
    """Every position the line reader records is the event reader's for the same path."""
    for path, stored in lines.positions.items():
        assert path in events.positions, path
        assert _pos(stored) == _pos(events.positions[path]), path
        # Document.key_position relies on this: a mapping value's key is recorded with it
        assert (path in lines.key_positions) == (path in events.key_positions), path
    for path, stored in lines.key_positions.items():
        assert _pos(stored) == _pos(events.key_positions[path]), path


# --- the files we have --------------------------------------------------------------------


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_model_file_reads_the_same(path: Path) -> None:
    text = _text(path)
    same_reading(text)
    same_reading(text, SMALL)


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_models_take_the_line_reader(seed: int) -> None:
    text = generated_text(200, seed)
    assert same_reading(text) is True
    assert same_reading(text, SMALL) is False  # bounds exceeded: the event reader reports


def test_the_rule_fixtures_written_one_value_per_line_take_the_line_reader() -> None:
    # (that they read the same is checked file by file above)
    read = [p for p in FIXTURES if _read_lines(_text(p), "m.yaml", DEFAULT) is not None]
    assert len(read) >= len(FIXTURES) // 3  # the others write '{...}' over several lines


# --- what the line reader handles, and where it hands over ---------------------------------

LINE_READER_TEXTS = {
    "block mapping": "system:\n  name: Shop\n  owner: team\n",
    "flow mapping": "system: {name: Shop, owner: 'team a', criticality: \"high\"}\n",
    "nested flow": "a: {b: [1, {c: [x, y]}, []], d: {}}\n",
    "spacing in flow": "a: { b: 1 ,c: [ x , y ] }\n",
    "comments": "# top\na: 1 # one\n  # indented comment\nb: {c: 2} # two\n\n",
    "types": "a: [true, false, yes, no, on, off, null, ~, 1, -1, +1, 0x1F, 017, 1_000]\n",
    "floats": "a: [1.5, -0.5, .inf, -.inf, 1e3, 1.0e+3, 6.8523015e+5]\n",
    "dates stay text": "a: 2030-01-31\nb: [2030-01-31]\n",
    "empty values": "a:\nb: # nothing\nc:\n",
    "indented list": "a:\n  - x\n  - {y: 1}\n  - [z]\n",
    "list at the key's indentation": "a:\n- x\n- y\nb: 1\n",
    "mappings in a list": "f:\n  - a -> b: {p: 1}\n  - from: a\n    to: b\n  - c:\n      d: 1\n",
    "list in a list item's mapping": "a:\n- b:\n  - x\n  c: 1\n- d\n",
    "more spaces after a dash": "a:\n  -   b: 1\n      c: 2\n",
    "quotes inside plain text": 'a: it\'s "x"\n',
    "punctuation in plain text": "a: x!y&z*%@|>=<~$()+.^/;\n",
    "non-ASCII quoted": 'a: "café — ✓ 😀"\nb: {c: \'é\', d: ["ü"]}\n',
    "longest key": "k" * 1024 + ": 1\n",
    "longest quoted key": '"' + "é" * 1022 + '": 1\na: {"' + "é" * 1022 + '": 1}\n',
    "comment after a key": "a: # c\n  b: 1\n",
    "trailing spaces": "a: b   \nc: 'd'  \ne: [f]  \n",
    "dash-led plain text": "a: -x\nb: [-1, --, ->]\n",
}

EVENT_READER_TEXTS = {
    "anchors and aliases": "a: &x {b: 1}\nc: *x\n",
    "merge keys": "a: &x {b: 1}\nc: {<<: *x}\n",
    "tags": "a: !!str 1\n",
    "escapes": 'a: "x\\ty"\n',
    "doubled single quote": "a: 'it''s'\n",
    "multi-line flow": "a: {b: 1,\n    c: 2}\n",
    "multi-line plain": "a: one\n  two\n",
    "block scalar": "a: |\n  text\n",
    "explicit key": "? a\n: 1\n",
    "document marker": "---\na: 1\n",
    "document end": "a: 1\n...\n",
    "dashes at the start of a line": "---a: 1\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "tab": "a:\t1\n",
    "carriage return": "a: 1\r\nb: 2\r\n",
    "no-break space": "a: x\u00a0y\n",
    "non-ASCII plain": "a: café\n",
    "colon in plain": "a: b:c\n",
    "comma in block plain": "a: b, c\n",
    "hash without a space": "a: b#c\n",
    "json": '{"a": 1, "b": [true]}\n',
    "top-level list": "- a\n",
    "indented top level": "  a: 1\n",
    "integer key": "1: a\n",
    "boolean key": "on: push\n",
    "null key": "~: x\n",
    "equals": "a: =\n",
    "key too long": "k" * 1025 + ": 1\n",
    "quoted key too long": '"' + "é" * 1023 + '": 1\n',
    "flow key too long": "a: {" + "k" * 1025 + ": 1}\n",
    "space before colon": "a : 1\n",
    "trailing comma": "a: [1, 2, ]\n",
    "empty flow value": "a: {b: }\n",
    "dash alone": "a:\n  -\n    b: 1\n",
    "nested dash": "a:\n  - - x\n",
    "int too long": "a: " + "1" * 5000 + "\n",
}

ERROR_TEXTS = {
    "duplicate key": "a: 1\na: 2\n",
    "duplicate flow key": "a: {b: 1, b: 2}\n",
    "duplicate after an empty value": "a:\na: 1\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "list then key": "a:\n  - x\n  b: 1\n",
    "value after flow": "a: {b: 1} c\n",
    "unclosed flow": "a: [1, 2\n",
    "mapping after a value": "a: b\n  c: d\n",
    "key and list": "a: 1\n- b\n",
}


@pytest.mark.parametrize("text", LINE_READER_TEXTS.values(), ids=list(LINE_READER_TEXTS))
def test_the_line_reader_reads(text: str) -> None:
    assert same_reading(text) is True


@pytest.mark.parametrize("text", EVENT_READER_TEXTS.values(), ids=list(EVENT_READER_TEXTS))
def test_the_event_reader_reads(text: str) -> None:
    assert _read_lines(text, "m.yaml", Limits()) is None
    same_reading(text)


@pytest.mark.parametrize("text", ERROR_TEXTS.values(), ids=list(ERROR_TEXTS))
def test_errors_are_left_to_the_event_reader(text: str) -> None:
    assert _read_lines(text, "m.yaml", Limits()) is None
    with pytest.raises(ReadError):
        _read_events(text, "m.yaml", Limits(), full=False)


def test_line_reader_values_and_positions() -> None:
    text = "# c\nsystem: {name: Shop}\nflows:\n- a -> b: {data: [x]}\n  # c\n- c -> d:\n"
    document = _read_lines(text, "m.yaml", Limits())
    assert document is not None
    assert document.value == {
        "system": {"name": "Shop"},
        "flows": [{"a -> b": {"data": ["x"]}}, {"c -> d": None}],
    }
    assert {path: _pos(at) for path, at in document.positions.items()} == {
        (): (2, 1),
        ("system",): (2, 9),
        ("flows",): (4, 1),
        ("flows", 0): (4, 3),
        ("flows", 0, "a -> b"): (4, 11),
        ("flows", 1): (6, 3),
    }
    assert {path: _pos(at) for path, at in document.key_positions.items()} == {
        ("system",): (2, 1),
        ("flows",): (3, 1),
        ("flows", 0, "a -> b"): (4, 3),
    }
    assert document.text == text  # kept: other positions are found by reading again
    assert document.position(("flows", 0, "a -> b", "data", 0)) == (4, 19)
    assert document.text is None


@pytest.mark.parametrize(
    ("limits", "text"),
    [
        (Limits(max_depth=2), "a: {b: {c: 1}}\n"),
        (Limits(max_depth=2), "a:\n  b:\n    c: 1\n"),
        (Limits(max_nodes=4), "a: [1, 2]\n"),
        (Limits(max_collections=2), "a: [1]\nb: {}\n"),
        (Limits(max_scalar_chars=3), "a: abcd\n"),
    ],
)
def test_bounds_are_left_to_the_event_reader(limits: Limits, text: str) -> None:
    assert _read_lines(text, "m.yaml", limits) is None
    with pytest.raises(ReadError):
        _read_events(text, "m.yaml", limits, full=False)


def test_bounds_that_are_just_met_are_read() -> None:
    # the top mapping, 'a', the list, '1' and '2': five values, two collections, two levels
    # (a line longer than max_scalar_chars is left to libyaml: it may hold a longer scalar)
    limits = Limits(max_depth=2, max_nodes=5, max_collections=2, max_scalar_chars=9)
    assert same_reading("a: [1, 2]\n", limits) is True


# --- the same '{...}' or '[...]' on many lines (read once, then copied) -------------------


def _containers(value: Any) -> Iterator[Any]:
    """Every mapping and list in ``value``, itself included, depth first."""
    if isinstance(value, dict | list):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from _containers(item)


def test_a_repeated_flow_value_is_read_once_and_each_line_gets_its_own_copy() -> None:
    value = "{p: https, port: 443, data: [x, y], log: {audit: true}, deep: [[1], {k: [2]}], e: []}"
    text = f"a: {value}\nb: {value}\nc:\n  - {value}\n  - {value}\n"
    document = _read_lines(text, "m.yaml", Limits())
    assert document is not None
    expected = {
        "p": "https",
        "port": 443,
        "data": ["x", "y"],
        "log": {"audit": True},
        "deep": [[1], {"k": [2]}],
        "e": [],
    }
    assert document.value == {"a": expected, "b": expected, "c": [expected, expected]}
    held = [id(container) for container in _containers(document.value)]
    assert len(held) == len(set(held)) == 1 + 4 * 8 + 1  # nothing shared: 8 in each value
    assert {path: _pos(at) for path, at in document.positions.items()} == {
        (): (1, 1),
        ("a",): (1, 4),
        ("b",): (2, 4),
        ("c",): (4, 3),
        ("c", 0): (4, 5),
        ("c", 1): (5, 5),
    }
    assert same_reading(text) is True


@pytest.mark.parametrize(
    ("limits", "text"),
    [
        # each line alone is within the bounds; the repeats, counted as read, are not
        (Limits(max_collections=4), "a: {b: [1]}\nc: {b: [1]}\n"),
        (Limits(max_nodes=10), "a: {b: [1]}\nc: {b: [1]}\n"),
        (Limits(max_collections=3), "a:\n- [1]\n- [1]\n- [1]\n"),
        # the same text one level deeper is too deep
        (Limits(max_depth=2), "a: [1]\nb:\n  c: [1]\n"),
        (Limits(max_depth=3), "a: {b: [1]}\nc:\n  d: {b: [1]}\n"),
    ],
)
def test_repeated_flow_values_are_bounded_as_when_read(limits: Limits, text: str) -> None:
    assert _read_lines(text, "m.yaml", limits) is None
    with pytest.raises(ReadError):
        _read_events(text, "m.yaml", limits, full=False)


def test_repeated_flow_values_that_just_meet_the_bounds_are_read() -> None:
    # the top mapping, then 'a'/'c', '{', 'b', '[' and '1' twice: eleven values, five collections
    limits = Limits(max_depth=3, max_nodes=11, max_collections=5)
    assert same_reading("a: {b: [1]}\nc: {b: [1]}\n", limits) is True


# --- generated near-YAML ------------------------------------------------------------------

PLAIN_TOKENS = [
    "a", "b c", "name", "x-y", "a -> b", "true", "yes", "on", "No", "null", "~", "1", "-1", "+1",
    "0x1F", "017", "1_0", "1.5", ".inf", ".nan", "2030-01-31", '"q"', "'s'", '"a, b: c"', "'#x'",
    '""', "''", "a'b", 'a"b', '"é"', "--", "-x", "x!y", "a  b", "k" * 1024, "x" * 40,
]  # fmt: skip
TRICKY_TOKENS = [
    "'it''s'", '"e\\n"', "a#b", "a #b", "a:b", "1:30", "-", "- a", "<<", "=", "&a x", "*a",
    "!t x", "? x", "é", "%x", "@x", "`x", "|", ">", "...", "k" * 1025, "a,b", "x\ty", "a: b",
]  # fmt: skip
ALPHABET = "ab1 -:,#[]{}'\"&*!|>%@?~.é\t\\"


def _pairs(
    key: st.SearchStrategy[str], value: st.SearchStrategy[Any], least: int
) -> st.SearchStrategy[list[tuple[str, Any]]]:
    """Mapping entries; keys repeat only by mutation (a copied line) or when spelt differently."""
    pairs = st.lists(st.tuples(key, value), min_size=least, max_size=3)
    return pairs.map(lambda entries: list(dict(entries).items()))


def _tree(scalar: st.SearchStrategy[str]) -> st.SearchStrategy[list[tuple[str, Any]]]:
    """Top-level entries over ``scalar``: mappings are lists of pairs, lists are lists."""
    keys = st.sampled_from(["a", "b", "k-1", '"q k"', "'s'", "a b", "a -> b", "x.y"])
    key = st.one_of(*[keys] * 6, scalar)
    tree = st.recursive(
        scalar,
        lambda inner: st.lists(inner, max_size=3) | _pairs(key, inner, 0),
        max_leaves=10,
    )
    return _pairs(key, tree, 1)


CLEAN = _tree(st.sampled_from(PLAIN_TOKENS))
DIRTY = _tree(
    st.one_of(
        *[st.sampled_from(PLAIN_TOKENS)] * 6,
        st.sampled_from(TRICKY_TOKENS) | st.text(ALPHABET, min_size=1, max_size=4),
    )
)


@st.composite
def near_yaml(draw: st.DrawFn) -> str:
    """YAML-like text: block and flow collections of tricky scalars, then perhaps a mutation."""
    lines = _block_mapping(draw, draw(DIRTY if draw(st.booleans()) else CLEAN), 0)
    if draw(st.integers(0, 2)) == 0:
        index = draw(st.integers(0, len(lines) - 1))
        mutation = draw(st.sampled_from(["indent", "dedent", "comment", "char", "drop", "copy"]))
        line = lines[index]
        if mutation == "indent":
            lines[index] = " " + line
        elif mutation == "dedent":
            lines[index] = line[1:]
        elif mutation == "comment":
            lines.insert(index, " " * draw(st.integers(0, 4)) + "# note")
        elif mutation == "char" and line:
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(ALPHABET)) + line[at:]
        elif mutation == "drop" and line:
            at = draw(st.integers(0, len(line) - 1))
            lines[index] = line[:at] + line[at + 1 :]
        elif mutation == "copy":
            lines.insert(index, line)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


def _flow(draw: st.DrawFn, value: Any) -> str:
    space = draw(st.sampled_from(["", " ", "  "]))
    if isinstance(value, str):
        return value
    if value and isinstance(value[0], tuple):
        pairs = [
            f"{k}:{draw(st.sampled_from([' ', ' ', '  ', '']))}{_flow(draw, v)}" for k, v in value
        ]
        return "{" + space + f"{space},{draw(st.sampled_from(['', ' ']))}".join(pairs) + "}"
    return "[" + space + ", ".join(_flow(draw, v) for v in value) + space + "]"


def _value_lines(draw: st.DrawFn, head: str, value: Any, indent: int) -> list[str]:
    """``head`` ('key:' or '-') followed by ``value``: on its line, or below it."""
    if isinstance(value, str) or not value or draw(st.booleans()):
        return [f"{head} {_flow(draw, value)}"]
    step = draw(st.sampled_from([0, 2, 4])) if isinstance(value[0], tuple) else 2
    if isinstance(value[0], tuple):
        return [head, *_block_mapping(draw, value, indent + max(step, 1))]
    return [head, *_block_list(draw, value, indent + draw(st.sampled_from([0, 2])))]


def _block_mapping(draw: st.DrawFn, pairs: list[tuple[str, Any]], indent: int) -> list[str]:
    lines: list[str] = []
    for key, value in pairs:
        lines += _value_lines(draw, " " * indent + f"{key}:", value, indent)
    return lines


def _block_list(draw: st.DrawFn, items: list[Any], indent: int) -> list[str]:
    lines: list[str] = []
    for item in items:
        if item and not isinstance(item, str) and isinstance(item[0], tuple):
            inner = _block_mapping(draw, item, indent + 2)
            lines.append(" " * indent + "- " + inner[0][indent + 2 :])
            lines += inner[1:]
        else:
            lines += _value_lines(draw, " " * indent + "-", item, indent)
    return lines


LIMITS = st.sampled_from(
    [
        Limits(),
        Limits(),
        Limits(),
        Limits(max_depth=2),
        Limits(max_depth=3, max_nodes=12),
        Limits(max_nodes=8, max_collections=3),
        Limits(max_scalar_chars=4),
    ]
)


GENERATED = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@GENERATED
@given(text=near_yaml(), limits=LIMITS)
def test_generated_text_reads_the_same(text: str, limits: Limits) -> None:
    same_reading(text, limits)


@st.composite
def clean_yaml(draw: st.DrawFn) -> str:
    """Valid YAML of plain and quoted tokens, laid out every way the line reader handles."""
    return "\n".join(_block_mapping(draw, draw(CLEAN), 0)) + "\n"


@GENERATED
@given(text=clean_yaml())
def test_generated_clean_text_reads_the_same(text: str) -> None:
    same_reading(text)


@st.composite
def repeated_flows(draw: st.DrawFn) -> str:
    """One generated ``{...}`` or ``[...]`` written under several keys, items and depths."""
    tree = draw(DIRTY if draw(st.booleans()) else CLEAN)
    value = _flow(draw, tree if draw(st.booleans()) else [tree[0][1]])
    keys, items = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    lines = [f"k{n}: {value}" for n in range(keys)] + ["top:"]
    lines += [f"  - {value}"] * items + ["  - k:", f"      deep: {value}", f"      k: {value}"]
    return "\n".join(lines) + "\n"


@GENERATED
@given(text=repeated_flows(), limits=LIMITS)
def test_generated_repeated_flow_values_read_the_same(text: str, limits: Limits) -> None:
    if same_reading(text, limits):
        document = _read_lines(text, "m.yaml", limits)
        assert document is not None
        held = [id(container) for container in _containers(document.value)]
        assert len(held) == len(set(held))  # no mapping or list is shared


# --- the whole loader ---------------------------------------------------------------------


def _result(result: LoadResult) -> Any:
    model = result.model
    described = [d.format() for d in result.diagnostics]
    if model is None:
        return described
    elements = [
        (section, key, repr(element.model_dump()), str(element.location))
        for section in ("data", "boundaries", "components", "controls", "assumptions", "tracking")
        for key, element in getattr(model, section).items()
    ]
    flows = [(f.id, repr(f.model_dump()), str(f.location)) for f in model.flows]
    return described, repr(model.system.model_dump()), elements, flows, model.files


@pytest.mark.parametrize(
    "path", [*EXAMPLES, *FIXTURES[::7], *CORPUS[::3]], ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_loader_gives_the_same_result_without_the_line_reader(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_lines = _result(load_with_diagnostics(path))
    monkeypatch.setattr(yaml_reader, "_read_lines", lambda text, display, limits: None)
    assert _result(load_with_diagnostics(path)) == with_lines


def test_a_generated_model_loads_the_same_without_the_line_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "threatmodel.yaml"
    text = generated_text(300, 5)
    # one broken line among valid ones: errors are located the same way too
    broken = text.replace('authn: "mtls"', 'authn: "mtsl"', 1).replace("zone: ", "zone: x", 1)
    for content in (text, broken):
        path.write_text(content, encoding="utf-8")
        with_lines = _result(load_with_diagnostics(path))
        with monkeypatch.context() as patch:
            patch.setattr(yaml_reader, "_read_lines", lambda text, display, limits: None)
            assert _result(load_with_diagnostics(path)) == with_lines


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
