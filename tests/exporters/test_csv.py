"""The CSV of findings: exact columns and values, formula injection neutralised."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from threatforge.exporters.csv_findings import COLUMNS, render_csv
from threatforge.exporters.registry import render
from threatforge.model import load_text
from threatforge.rules import analyze
from threatforge.text.csv import neutralise

MODEL = """
version: 1
system: {name: Shop}
data:
  cards: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
  prod: {trust: trusted}
components:
  user: {kind: actor, name: "@SUM(1+1)", zone: internet}
  db:
    kind: datastore
    name: "=HYPERLINK(\\"x\\",\\"y\\")"
    zone: prod
    exposure: private
    authn: iam
    encryption: {at_rest: none}
    stores: [cards]
flows:
  - user -> db: {protocol: https, authn: iam, data: [cards]}
tracking:
  "store-unencrypted-at-rest@db":
    {status: accepted, justification: "-1 day to fix", owner: "+alice", ticket: SEC-1,
     expires: 2026-03-31}
"""


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =1", "'  =1"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_render_csv_rows() -> None:
    model = load_text(MODEL)
    assessment = analyze(model, only=["store-unencrypted-at-rest"], today=date(2026, 1, 1))
    text = render_csv(assessment, model)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["fingerprint"] for r in rows] == ["store-unencrypted-at-rest@db"]
    row = rows[0]
    assert row["rule"] == "store-unencrypted-at-rest"
    assert row["status"] == "accepted"
    assert row["elements"] == "db"
    assert row["element_names"] == "'=HYPERLINK(\"x\",\"y\")"
    assert row["data"] == "cards"
    assert row["decision_owner"] == "'+alice"
    assert row["decision_ticket"] == "SEC-1"
    assert row["decision_expires"] == "2026-03-31"
    assert row["decision_justification"] == "'-1 day to fix"
    assert row["location"] == "threatmodel.yaml:11"
    assert row["severity"] == assessment.findings[0].severity.value
    assert row["cwe"] == "; ".join(f"CWE-{c}" for c in assessment.findings[0].cwe)


def test_registry_dispatches_csv() -> None:
    model = load_text(MODEL)
    assessment = analyze(model, today=date(2026, 1, 1))
    assert render("csv", assessment, model) == render_csv(assessment, model)
