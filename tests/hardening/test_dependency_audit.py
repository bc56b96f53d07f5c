"""The installed dependencies have no known vulnerabilities (pip-audit), when that can be known.

Policy (SECURITY.md, "Code and dependencies"):

- ``pip-audit`` audits the environment the tests run in (threatforge itself, installed editable,
  is skipped: it is what we are building).
- Any known vulnerability fails the test, listing package, version, advisory and fixed versions,
  unless its advisory id is in :data:`ACCEPTED` with a justification (reviewed like code).
- When the vulnerability service cannot be reached (no network, a registry mirror without the
  JSON API, a time-out), nothing can be known: the test passes and prints why. A CI job that must
  audit sets ``THREATFORGE_REQUIRE_AUDIT=1``; then an unreachable service fails the test instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from typing import Any

import pytest

ACCEPTED: dict[str, str] = {}
"""Advisory ids (``GHSA-...``, ``PYSEC-...``) accepted for now: the reason and a review date."""

NETWORK_TROUBLE = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "ProxyError",
    "SSLError",
    "Max retries exceeded",
    "NameResolutionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Connection refused",
    "timed out",
    "HTTPError",
    "503 Server Error",
)
AUDIT_SECONDS = 240


def _required() -> bool:
    return os.environ.get("THREATFORGE_REQUIRE_AUDIT", "") == "1"


def _cannot_audit(reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Pass with a visible message, or fail when an audit is required."""
    message = f"dependency audit not possible: {reason}"
    if _required():
        pytest.fail(message + " (THREATFORGE_REQUIRE_AUDIT=1)")
    with capsys.disabled():
        print(f"\n[pip-audit] {message}; passing without an audit")


def _audit() -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--progress-spinner",
                "off",
                "--skip-editable",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=AUDIT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None


def known_vulnerabilities(report: dict[str, Any]) -> list[str]:
    """``package version: advisory (fixed in ...)`` for each vulnerability not accepted."""
    found = []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            if vuln["id"] in ACCEPTED or set(vuln.get("aliases", [])) & set(ACCEPTED):
                continue
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            found.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} ({fixed})")
    return found


def test_no_known_vulnerabilities_in_the_installed_dependencies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if importlib.util.find_spec("pip_audit") is None:
        if os.environ.get("CI", "").lower() == "true" or _required():
            pytest.fail("pip-audit is not installed: pip install -e '.[dev]'")
        pytest.skip("pip-audit is not installed (pip install -e '.[dev]')")
    done = _audit()
    if done is None:
        _cannot_audit(f"pip-audit did not finish in {AUDIT_SECONDS} s", capsys)
        return
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        trouble = [marker for marker in NETWORK_TROUBLE if marker in done.stderr]
        if trouble:
            _cannot_audit(f"the vulnerability service is unreachable ({trouble[0]})", capsys)
            return
        pytest.fail(f"pip-audit failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        _cannot_audit(
            f"the service knows none of the {len(dependencies)} installed packages "
            "(a registry mirror without vulnerability data?)",
            capsys,
        )
        return
    assert known_vulnerabilities(report) == []


def test_the_policy_reads_pip_audit_reports() -> None:
    report = {
        "dependencies": [
            {
                "name": "pyyaml",
                "version": "5.3",
                "vulns": [
                    {"id": "PYSEC-2021-142", "fix_versions": ["5.4"], "aliases": ["CVE-2020-14343"]}
                ],
            },
            {
                "name": "jinja2",
                "version": "3.1.2",
                "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": [], "aliases": []}],
            },
            {"name": "typer", "version": "0.12.0", "vulns": []},
            {"name": "threatforge", "skip_reason": "distribution marked as editable"},
        ]
    }
    assert known_vulnerabilities(report) == [
        "pyyaml 5.3: PYSEC-2021-142 (5.4)",
        "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (no fix yet)",
    ]
