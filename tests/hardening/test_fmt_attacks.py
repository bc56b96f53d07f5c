"""``threatforge fmt`` on hostile files, as a CI job runs it on a pull request.

The bounded reader reads every file before the comment-keeping YAML library (ruamel.yaml) sees
it: a file the reader refuses is refused by ``fmt`` with the reader's message, in bounded time,
and nothing is written. A hostile *text* in a valid model is formatted and reads back the same.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import pytest
from _bounded import CORPUS, IN_PROCESS_SECONDS, deadline
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import edit, load_text
from threatforge.model.canonical import models_equal

MANIFEST: dict[str, dict[str, Any]] = json.loads(
    (CORPUS / "manifest.json").read_text(encoding="utf-8")
)
REFUSED = sorted(
    path
    for path, case in MANIFEST.items()
    if path.startswith("model/") and case["outcome"] == "refused" and not case["known_bug"]
)


def _ruamel_must_not_read(text: str) -> NoReturn:
    raise AssertionError("ruamel.yaml was given a file the bounded reader refuses")


@pytest.mark.parametrize("path", REFUSED)
def test_fmt_refuses_a_hostile_model_before_ruamel_reads_it(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)  # paths in messages are then exactly the manifest's
    monkeypatch.setattr(edit, "_load", _ruamel_must_not_read)
    before = (CORPUS / path).read_bytes()
    for options in (["--check"], ["--fix"]):
        with deadline(IN_PROCESS_SECONDS, path):
            result = CliRunner().invoke(app, ["fmt", *options, path])
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert MANIFEST[path]["message"] in result.stderr
        assert result.stdout == ""
    assert (CORPUS / path).read_bytes() == before


def test_hostile_text_in_a_valid_model_is_formatted_verbatim() -> None:
    path = CORPUS / "model" / "loads-html-in-every-text-field.yaml"
    text = path.read_text(encoding="utf-8")
    formatted = edit.format_text(text, str(path))
    assert models_equal(load_text(formatted), load_text(text))
    assert edit.format_text(formatted, str(path)) == formatted
