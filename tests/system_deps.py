"""System binaries the suite needs: skip where missing, but fail in CI (CI=true).

A plain module with a unique name (several folders have a ``conftest.py``), imported as
``from system_deps import require_binary``.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_binary(name: str) -> str:
    """The path of a system binary, or skip (fail when CI=true) when it is missing."""
    found = shutil.which(name)
    if found is None:
        message = f"system dependency '{name}' is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: .ci/run must install it)")
        pytest.skip(message)
    return found
