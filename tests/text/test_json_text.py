"""threatforge.text.json writes what json.dumps writes, for every value threatforge writes."""

from __future__ import annotations

import json
import random
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from threatforge.text.json import json_text


class _Tag(StrEnum):
    A = "a\u00e9"


class _Number(IntEnum):
    X = 3


PIECES = ["a", '"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "\u2028", "\ufffe", "😀", "</"]


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        kind = rng.choice("sibne")
        if kind == "s":
            return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))
        if kind == "i":
            return rng.randint(-(10**15), 10**15)
        if kind == "b":
            return rng.random() < 0.5
        if kind == "n":
            return None
        return rng.choice([_Tag.A, _Number.X])
    if roll < 0.65:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {
        "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4))): _value(rng, depth + 1)
        for _ in range(rng.randint(0, 4))
    }


@pytest.mark.parametrize("compact", [False, True], ids=["indented", "compact"])
@pytest.mark.parametrize("ascii", [False, True], ids=["utf-8", "ascii"])
def test_json_text_is_json_dumps(compact: bool, ascii: bool) -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    for _ in range(3000):
        value = _value(rng, 0)
        expected = json.dumps(value, ensure_ascii=ascii, **layout)
        assert json_text(value, compact=compact, ascii=ascii) == expected, repr(value)


def test_ascii_escapes_delete_and_astral_characters_as_json_dumps_does() -> None:
    assert json_text(["\x7f", "é", "😀"], compact=True, ascii=True) == (
        '["\\u007f","\\u00e9","\\ud83d\\ude00"]'
    )
    assert json_text(["\x7f", "é", "😀"], compact=True) == '["\x7f","é","😀"]'


def test_a_lone_surrogate_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"^cannot write JSON: str is not valid UTF-8"):
        json_text({"name": "a \ud800 b"})
