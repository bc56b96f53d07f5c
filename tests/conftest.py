"""Shared fixtures. System binaries: ``from system_deps import require_binary``."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))


@pytest.fixture
def root() -> Path:
    return ROOT
