"""Shared fixtures for the model tests: load text or files and get diagnostics as text."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from threatforge.model import ModelError, load_text

Diagnose = Callable[..., list[str]]
WriteTree = Callable[[dict[str, str | bytes]], Path]


def _diagnose(text: str, name: str = "threatmodel.yaml") -> list[str]:
    """Every diagnostic of loading ``text``: its errors, or a valid model's warnings."""
    try:
        model = load_text(textwrap.dedent(text), name)
    except ModelError as exc:
        return [d.format() for d in exc.diagnostics]
    return [d.format() for d in model.warnings]


@pytest.fixture
def diagnose() -> Diagnose:
    """``diagnose(text, name="threatmodel.yaml")`` -> ``["file:line:col: level: message"]``."""
    return _diagnose


@pytest.fixture
def write_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WriteTree:
    """Write ``{relative path: text or bytes}`` under a fresh folder and chdir into it.

    Working from inside the folder keeps the displayed paths short and exact
    (``parts/services.yaml:2:3``) whatever the temporary directory is called.
    """

    def write(files: dict[str, str | bytes]) -> Path:
        for name, content in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content), encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return write
