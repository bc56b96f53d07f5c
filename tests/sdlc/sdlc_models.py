"""Models and helpers shared by the SDLC tests (gate, diff, evidence, requirements)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from typer.testing import Result

Invoke = Callable[..., Result]
"""``invoke("check", "m.yaml", ...)``: the CLI run in-process (see the ``invoke`` fixture)."""

TODAY = date(2026, 1, 1)
DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"

ORDERS = """\
system: {name: Orders, criticality: high}
data:
  order: {classification: confidential, categories: [pii]}
boundaries:
  internet: {trust: untrusted, kind: internet}
  vpc: {trust: trusted, kind: vpc}
components:
  customer: {kind: actor, zone: internet}
  gateway:
    kind: gateway
    zone: vpc
    exposure: public
    authn: oidc
    authz: scopes
    waf: true
    rate_limit: true
    input_validation: true
    logging: {enabled: true, audit: true, centralised: true}
  orders:
    kind: service
    zone: vpc
    authn: jwt
    authz: object-level
    rate_limit: true
    input_validation: true
    logging: {enabled: true, audit: true, centralised: true}
    processes: [order]
    paths: ["services/orders/**"]
flows:
  - customer -> gateway: {protocol: https, authn: oidc, data: [order]}
  - gateway -> orders: {protocol: https, authn: jwt, data: [order]}
"""
"""A well-secured system: no findings."""

BACKDOOR_FLOW = "  - customer -> orders: {protocol: https, authn: none, data: [order]}\n"
ORDERS_WITH_BACKDOOR = ORDERS + BACKDOOR_FLOW
"""The same system with an unauthenticated flow from the internet straight to the service."""
BACKDOOR = "unauthenticated-boundary-crossing@customer->orders"
BACKDOOR_TITLE = "Unauthenticated flow into a more trusted zone: customer->orders"


def git_binary() -> str:
    """The git binary, or skip (fail in CI, where .ci/run must provide it)."""
    found = shutil.which("git")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("system dependency 'git' is not installed (CI=true)")
        pytest.skip("system dependency 'git' is not installed")
    return found


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` with a local identity; return its stdout."""
    done = subprocess.run(
        [git_binary(), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout
