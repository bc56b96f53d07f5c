"""Shared fixtures. In CI (CI=true) a missing system dependency fails instead of skipping."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/threatmodel.yaml"))


def require_binary(name: str) -> str:
    """The path of a system binary, or skip (fail in CI) when it is missing."""
    found = shutil.which(name)
    if found is None:
        message = f"system dependency '{name}' is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: .ci/run must install it)")
        pytest.skip(message)
    return found


@pytest.fixture
def root() -> Path:
    return ROOT
