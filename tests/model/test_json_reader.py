"""The bounded JSON reader: what it reads, what it refuses, and where it says so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from threatforge.model import JsonLimits, ReadError, parse_json_text, read_json_file
from threatforge.model._json_reader import parse_json_bytes

DEFAULT = JsonLimits()


def refused(raw: bytes | str, limits: JsonLimits = DEFAULT) -> str:
    with pytest.raises(ReadError) as caught:
        if isinstance(raw, bytes):
            parse_json_bytes(raw, "in.json", limits)
        else:
            parse_json_text(raw, "in.json", limits)
    return str(caught.value)


def test_reads_json_and_a_utf8_bom() -> None:
    assert parse_json_bytes(b'\xef\xbb\xbf{"a": [1, 2.5, true, null, "\\u00e9"]}', "in.json") == {
        "a": [1, 2.5, True, None, "é"]
    }


REFUSED = {
    "syntax": (
        b"{not json",
        "in.json:1:2: is not valid JSON: Expecting property name enclosed in double quotes",
    ),
    "two-values": (b'{"a": 1}\n{"b": 2}', "in.json:2:1: is not valid JSON: Extra data"),
    "empty": (b"", "in.json:1:1: is empty: not valid JSON"),
    "nan": (b'{"a": NaN}', "in.json: is not valid JSON: 'NaN' is not a JSON value"),
    "infinity": (b"[-Infinity]", "in.json: is not valid JSON: '-Infinity' is not a JSON value"),
    "latin-1": (
        b'{"a": "caf\xe9"}',
        "in.json:1:11: is not valid UTF-8 (byte 0xe9); save the file as UTF-8",
    ),
    "utf-16": (
        "[]".encode("utf-16"),
        "in.json:1:1: is UTF-16 text (it starts with a byte-order mark); save the file as UTF-8",
    ),
    "huge-int": (
        b"[" + b"1" * 5000 + b"]",
        "in.json: has a number with more than 4,300 digits; refusing it",
    ),
    "deep": (
        b"[" * 100_000 + b"]" * 100_000,
        "in.json: is nested more than 64 levels deep; refusing it",
    ),
}


@pytest.mark.parametrize(("raw", "message"), REFUSED.values(), ids=list(REFUSED))
def test_refuses(raw: bytes, message: str) -> None:
    assert refused(raw) == message


_ESCAPES = "; escapes are checked as the characters they stand for"
NONCHARACTERS = {
    "fffe": ('{"a": "x\\uFFFE"}', "a: has a string with an unacceptable character #xfffe"),
    "ffff": ('["\\uffff"]', "[0]: has a string with an unacceptable character #xffff"),
    "fdd0": ('{"a": {"b": ["\\ufdd0"]}}', "a.b[0]: has a string with an unacceptable character"
             " #xfdd0"),
    "fdef": ('"\\uFDEF"', "the top-level value: has a string with an unacceptable character"
             " #xfdef"),
    "1fffe": ('{"a": "\\ud83f\\udffe"}', "a: has a string with an unacceptable character"
              " #x1fffe"),
    "10ffff": ('{"a": "\\udbff\\udfff"}', "a: has a string with an unacceptable character"
               " #x10ffff"),
    "raw-fffe": ('{"a": "\ufffe"}', "a: has a string with an unacceptable character #xfffe"),
    "key": ('{"runs": [{"k\\uFFFF": 1}]}', "runs[0]: has a key with an unacceptable character"
            " #xffff"),
    "odd-key-in-path": ('{"a b\\n": {"c": "\\uFFFE"}}', '["a b\\n"].c: has a string with an'
                        " unacceptable character #xfffe"),
}


@pytest.mark.parametrize(("raw", "message"), NONCHARACTERS.values(), ids=list(NONCHARACTERS))
def test_refuses_noncharacters_once_escapes_are_read(raw: str, message: str) -> None:
    assert refused(raw) == (
        f"in.json: {message}: Unicode noncharacters are not allowed{_ESCAPES}"
    )


SURROGATES = {
    "high": ('{"a": "\\ud800"}', "a: has a string with an unacceptable character #xd800"),
    "low": ('{"a": ["x", "\\uDFFF"]}', "a[1]: has a string with an unacceptable character"
            " #xdfff"),
    "reversed-pair": ('["\\udc00\\ud800"]', "[0]: has a string with an unacceptable character"
                      " #xdc00"),
    "key": ('{"\\ud800": 1}', "the top-level value: has a key with an unacceptable character"
            " #xd800"),
}


@pytest.mark.parametrize(("raw", "message"), SURROGATES.values(), ids=list(SURROGATES))
def test_refuses_lone_surrogates_once_escapes_are_read(raw: str, message: str) -> None:
    assert refused(raw) == f"in.json: {message}: surrogates are not allowed{_ESCAPES}"


def test_keeps_pairs_line_breaks_and_controls_in_strings() -> None:
    """A surrogate pair is one character; JSON strings keep line breaks (outputs escape them)."""
    assert parse_json_text(
        '{"a": "\\ud83d\\ude00 \\u00e9\\n\\u001b[31m", "\\ufffd": "\\ufdcf\\ufdf0"}', "in.json"
    ) == {"a": "\U0001f600 \u00e9\n\x1b[31m", "\ufffd": "\ufdcf\ufdf0"}


def test_the_depth_bound_counts_objects_and_arrays() -> None:
    limits = JsonLimits(max_depth=3)
    assert parse_json_text('{"a": [{"b": 1}], "c": [[]]}', "in.json", limits) == {
        "a": [{"b": 1}],
        "c": [[]],
    }
    assert refused('{"a": [{"b": []}]}', limits) == (
        "in.json: is nested more than 3 levels deep; refusing it"
    )


def test_only_regular_files_within_the_size_bound(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "big.json").write_text("[" + "1," * 20 + "1]", encoding="utf-8")
    expected = {
        "pipe.json": "pipe.json: is not a regular file (a pipe, socket or device)",
        "dir.json": "dir.json: is a directory, not a baseline",
        "missing.json": "missing.json: no such file",
        "big.json": "big.json: is larger than 16 bytes",
    }
    for name, message in expected.items():
        with pytest.raises(ReadError) as caught:
            read_json_file(str(tmp_path / name), name, JsonLimits(max_bytes=16), kind="a baseline")
        assert str(caught.value) == message
