"""Attacks on the gate through the files it reads (issue 14, items 3, 11, 17 and 20).

Each test is written as the attacker's change: a model file, a baseline or a SARIF file that a
pull request can plant, and the command CI runs on it. Every run is a real ``threatforge``
process, bounded in time (10 s) and memory (512 MiB peak, 2 GiB of address space).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from _bounded import assert_clean_exit, run_threatforge

from threatforge.model import load, load_text
from threatforge.model.loader import MAX_NESTING

CARD_MODEL = (
    "system: {name: Shop, owner: team, criticality: high}\n"
    "data:\n"
    "  card: {classification: restricted, categories: [pci.pan]}\n"
    "boundaries:\n"
    "  vpc: {trust: trusted}\n"
    "components:\n"
    "  db: {kind: datastore, tech: aws.rds.postgres, zone: vpc, stores: [card],"
    " encryption: {at_rest: kms}}\n"
)
"""Seven lines; ``check`` fails it on ``pci-no-cde-defined@card`` (high)."""
HIDDEN = (
    "# TODO: decide with the PCI team{br}tracking: {{'pci-no-cde-defined@card': "
    "{{status: accepted, owner: mallory, justification: reviewed, expires: 2027-01-31}}}}\n"
)
"""Line 8: to a reviewer, and in ``git diff``, one comment; to YAML, a comment and a decision."""


# --- item 3: a hidden line break ends a comment --------------------------------------------


@pytest.mark.parametrize(
    ("br", "problem"),
    [
        (
            "\x85",
            "unacceptable character #x0085 (NEL, next line): YAML reads it as a line break that"
            " editors and diffs do not show, so it can end a comment and make the text after it"
            " live; use an ordinary line break (or a space)",
        ),
        (
            "\u2028",
            "unacceptable character #x2028 (LINE SEPARATOR): YAML reads it as a line break that"
            " editors and diffs do not show, so it can end a comment and make the text after it"
            " live; use an ordinary line break (or a space)",
        ),
        (
            "\u2029",
            "unacceptable character #x2029 (PARAGRAPH SEPARATOR): YAML reads it as a line break"
            " that editors and diffs do not show, so it can end a comment and make the text after"
            " it live; use an ordinary line break (or a space)",
        ),
        (
            "\r",
            "a carriage return (#x000d) without a line feed after it: YAML reads it as a line"
            " break that editors and diffs may not show, so it can end a comment and make the"
            " text after it live; save the file with LF or CRLF line endings",
        ),
    ],
    ids=["NEL", "LS", "PS", "lone-CR"],
)
def test_a_decision_hidden_behind_a_line_break_in_a_comment_fails_the_gate(
    tmp_path: Path, br: str, problem: str
) -> None:
    (tmp_path / "threatmodel.yaml").write_text(
        CARD_MODEL + HIDDEN.format(br=br), encoding="utf-8", newline=""
    )
    args = ["check", "threatmodel.yaml"]
    run = run_threatforge(args, cwd=tmp_path)
    assert_clean_exit(run, 2, args)  # was exit 0: the hidden decision accepted the finding
    assert f"threatmodel.yaml:8:33: error: invalid YAML: {problem}\n" in run.stderr
    assert "gate passed" not in run.stdout


def test_the_same_decision_on_its_own_line_is_what_yaml_would_have_read() -> None:
    # what the hidden line break would have made of the comment: a live, accepted decision
    model = load_text(CARD_MODEL + HIDDEN.format(br="\n"))
    assert list(model.tracking) == ["pci-no-cde-defined@card"]
    assert model.tracking["pci-no-cde-defined@card"].owner == "mallory"


def test_crlf_line_endings_keep_working(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_bytes(
        (CARD_MODEL + "# a comment\n").replace("\n", "\r\n").encode()
    )
    args = ["check", "threatmodel.yaml"]
    run = run_threatforge(args, cwd=tmp_path)
    assert_clean_exit(run, 1, args)  # read as the same model: the gate fails on the finding
    assert "  high      pci-no-cde-defined@card  " in run.stdout


# --- item 20: noncharacters written as escapes ----------------------------------------------


def test_an_escaped_noncharacter_in_a_name_is_refused_before_any_svg(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_text(
        'system: {name: Shop}\ncomponents:\n  web: {kind: service, name: "Web \\uFFFE"}\n',
        encoding="utf-8",
    )
    args = ["diagram", "threatmodel.yaml", "-o", "dfd.svg", "--layout", "builtin"]
    run = run_threatforge(args, cwd=tmp_path)
    assert_clean_exit(run, 2, args)
    assert (
        "threatmodel.yaml:3:30: error: has an escape that gives an unacceptable character"
        " #xfffe: Unicode noncharacters are not allowed; escapes are checked as the characters"
        " they stand for\n"
    ) in run.stderr
    assert not (tmp_path / "dfd.svg").exists()


_ANALYSED = '{"threatforge_assessment": 1, "system": "Shop\\uFFFF", "findings": []}'
"""A previous assessment for ``report --baseline``: the noncharacter is found before its shape."""


@pytest.mark.parametrize(
    ("name", "text", "command", "message"),
    [
        (
            "baseline.json",
            '{"threatforge_baseline": 1, "findings": [{"fingerprint": "pci-no-cde-defined@card'
            '\\uFFFE", "severity": "high"}]}',
            ["check", "threatmodel.yaml", "--baseline", "baseline.json"],
            "error: baseline baseline.json: findings[0].fingerprint: has a string with an"
            " unacceptable character #xfffe: Unicode noncharacters are not allowed; escapes are"
            " checked as the characters they stand for\n",
        ),
        (
            "scan.sarif",
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner"}}, "results":'
            ' [{"ruleId": "x", "message": {"text": "\\ud800 lone surrogate"}}]}]}',
            ["check", "threatmodel.yaml", "--evidence", "scan.sarif"],
            "error: scan.sarif: runs[0].results[0].message.text: has a string with an"
            " unacceptable character #xd800: surrogates are not allowed; escapes are checked as"
            " the characters they stand for\n",
        ),
        (
            "scan.sarif",
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner"}}, "results":'
            ' [], "properties": {"\\uFDD0": 1}}]}',
            ["check", "threatmodel.yaml", "--evidence", "scan.sarif"],
            "error: scan.sarif: runs[0].properties: has a key with an unacceptable character"
            " #xfdd0: Unicode noncharacters are not allowed; escapes are checked as the"
            " characters they stand for\n",
        ),
        (
            "previous.json",
            _ANALYSED,
            ["report", "threatmodel.yaml", "-o", "r.html", "--baseline", "previous.json"],
            "error: baseline previous.json: system: has a string with an unacceptable character"
            " #xffff: Unicode noncharacters are not allowed; escapes are checked as the"
            " characters they stand for\n",
        ),
    ],
    ids=["baseline-fffe", "sarif-lone-surrogate", "sarif-key-fdd0", "assessment-ffff"],
)
def test_an_escaped_noncharacter_in_a_json_input_is_refused(
    tmp_path: Path, name: str, text: str, command: list[str], message: str
) -> None:
    (tmp_path / "threatmodel.yaml").write_text(SMALL_MODEL, encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="ascii")  # the escapes only: the file is ASCII
    run = run_threatforge(command, cwd=tmp_path)
    assert_clean_exit(run, 2, command)
    assert run.stderr.endswith(message)
    assert not (tmp_path / "r.html").exists()


# --- item 11: deep boundary nesting ---------------------------------------------------------


def _nested(levels: int) -> str:
    lines = ["system: {name: Deep, owner: team}", "boundaries:", "  z0: {trust: untrusted}"]
    lines += [f"  z{n}: {{trust: trusted, inside: z{n - 1}}}" for n in range(1, levels)]
    lines += [
        "components:",
        "  user: {kind: actor, zone: z0}",
        f"  web: {{kind: service, zone: z{levels - 1}, authn: oidc}}",
        "flows:",
        "  - user -> web: {protocol: https}",
    ]
    return "\n".join(lines) + "\n"


def test_twenty_thousand_nested_boundaries_fail_fast_at_load(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_text(_nested(20_000), encoding="utf-8")
    args = ["analyze", "threatmodel.yaml", "--format", "json", "-o", "out.json"]
    started = time.monotonic()
    run = run_threatforge(args, cwd=tmp_path)  # was 112 s and 1.65 GB
    assert time.monotonic() - started < 10
    assert_clean_exit(run, 2, args)
    assert run.stderr.splitlines()[0] == (
        "threatmodel.yaml:67:33: error: boundary 'z64' is nested more than 64 levels deep:"
        " z64 -> z63 -> z62 -> z61 -> z60 -> z59 -> z58 -> z57 -> z56 -> z55 -> ... (54 more)"
        " -> z0; nest zones at most 64 levels deep"
    )
    assert "RecursionError" not in run.stderr
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["diagram", "threatmodel.yaml", "-o", "out.svg", "--layout", "builtin"],
        ["diagram", "threatmodel.yaml", "-o", "out.dot"],
        ["diagram", "threatmodel.yaml", "-o", "out.mmd"],
        ["report", "threatmodel.yaml", "-o", "out.html"],
        ["report", "threatmodel.yaml", "-o", "out.md"],
    ],
    ids=["svg", "dot", "mermaid", "html", "markdown"],
)
def test_a_model_at_the_nesting_limit_renders(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "threatmodel.yaml").write_text(_nested(MAX_NESTING), encoding="utf-8")
    run = run_threatforge(args, cwd=tmp_path)
    assert_clean_exit(run, 0, args)
    assert "RecursionError" not in run.stderr
    written = (tmp_path / args[3]).read_text(encoding="utf-8")
    assert "z63" in written and "z0" in written


def test_the_zone_chain_at_the_limit_is_whole(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_text(_nested(MAX_NESTING), encoding="utf-8")
    model = load(tmp_path / "threatmodel.yaml")
    chain = model.graph.zone_chain("z63")
    assert [b.id for b in chain] == [f"z{n}" for n in range(63, -1, -1)]


# --- item 17: one bounded reader for every JSON input ---------------------------------------

SMALL_MODEL = "system: {name: Shop}\ncomponents:\n  web: {kind: service, paths: [src/**]}\n"


def _fifo(folder: Path, name: str) -> str:
    os.mkfifo(folder / name)
    return name


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["check", "threatmodel.yaml", "--baseline"],
            "error: baseline baseline.json: is not a regular file (a pipe, socket or device)",
        ),
        (
            ["report", "threatmodel.yaml", "-o", "r.html", "--baseline"],
            "error: baseline baseline.json: is not a regular file (a pipe, socket or device)",
        ),
        (
            ["analyze", "threatmodel.yaml", "--format", "json", "-o", "a.json", "--evidence"],
            "baseline.json: is not a regular file (a pipe, socket or device)",
        ),
    ],
    ids=["check", "report", "evidence"],
)
def test_a_named_pipe_as_a_json_input_is_refused_without_waiting(
    tmp_path: Path, command: list[str], message: str
) -> None:
    (tmp_path / "threatmodel.yaml").write_text(SMALL_MODEL, encoding="utf-8")
    args = [*command, _fifo(tmp_path, "baseline.json")]
    started = time.monotonic()
    run = run_threatforge(args, cwd=tmp_path)  # 'check' and 'report' used to hang here
    assert time.monotonic() - started < 10
    assert_clean_exit(run, 2, args)
    assert message in run.stderr


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["check", "threatmodel.yaml", "--baseline", "deep.json"],
            "error: baseline deep.json: is nested more than 8 levels deep; refusing it\n",
        ),
        (
            ["report", "threatmodel.yaml", "-o", "r.html", "--baseline", "deep.json"],
            "error: baseline deep.json: is nested more than 32 levels deep; refusing it\n",
        ),
    ],
    ids=["check", "report"],
)
def test_a_deeply_nested_baseline_is_a_clean_error(
    tmp_path: Path, command: list[str], message: str
) -> None:
    (tmp_path / "threatmodel.yaml").write_text(SMALL_MODEL, encoding="utf-8")
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    run = run_threatforge(command, cwd=tmp_path)  # 'report' used to crash with a traceback
    assert_clean_exit(run, 2, command)
    assert run.stderr.endswith(message)
    assert "RecursionError" not in run.stderr


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["check", "threatmodel.yaml", "--baseline", "big.json"],
            "error: baseline big.json: is larger than 20 MiB\n",
        ),
        (
            ["report", "threatmodel.yaml", "-o", "r.html", "--baseline", "big.json"],
            "error: baseline big.json: is larger than 64 MiB\n",
        ),
    ],
    ids=["check", "report"],
)
def test_a_hundred_megabyte_baseline_is_refused(
    tmp_path: Path, command: list[str], message: str
) -> None:
    (tmp_path / "threatmodel.yaml").write_text(SMALL_MODEL, encoding="utf-8")
    with (tmp_path / "big.json").open("wb") as handle:  # 100 MB (sparse): refused by size, unread
        handle.truncate(100 * 1024 * 1024)
    run = run_threatforge(command, cwd=tmp_path)  # 'report' read all of it
    assert_clean_exit(run, 2, command)
    assert run.stderr.endswith(message)
