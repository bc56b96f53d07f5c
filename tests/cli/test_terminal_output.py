"""Model text printed on a terminal or in a CI log is shown, never obeyed (issue #14 item 9).

The attack: a pull request names its system (or a zone, a component, ...) with line breaks, bidi
controls and GitHub workflow commands (escape sequences such as OSC 52 or CSI 2J cannot be written
in a model file: the reader refuses them, even escaped; models built in code or by an importer
can carry them, see ``test_terminal_text``), so that the CI log of ``threatforge check`` masks
text, stops command processing, or shows a verdict of the attacker's choosing on a line of its
own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.text.terminal import terminal_text

HOSTILE_NAME = (
    r"Shop\u202e\u2066\t\n::add-mask::x\nShop: gate passed (fail on high or above)"
)
MODEL = """\
system: {name: "%s"}
data:
  profile: {classification: confidential, categories: [pii]}
boundaries:
  internet: {trust: untrusted}
  cloud: {trust: trusted}
components:
  user: {kind: actor, zone: internet}
  api: {kind: service, zone: cloud, exposure: public, authn: none, rate_limit: false,
        processes: [profile]}
flows:
  - user -> api: {protocol: http, authn: none, data: [profile]}
"""
SHOWN = (
    "Shop\\u202e\\u2066\\x09\\x0a::add-mask::x\\x0a"
    "Shop: gate passed (fail on high or above)"
)


def _model(tmp_path: Path, name: str = HOSTILE_NAME) -> str:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(MODEL % name, encoding="utf-8")
    return str(path)


def _assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert "\u202e" not in text and "\u2066" not in text and "\t" not in text
    assert [line for line in text.splitlines() if line.lstrip().startswith(("::", "##"))] == []


def test_check_prints_a_hostile_system_name_on_the_verdict_line_escaped(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--no-color", "check", _model(tmp_path), "--today", "2026-01-01"]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{SHOWN}: gate FAILED (fail on high or above)",
        "open findings: 0 critical, 3 high, 1 elevated, 0 medium, 0 low",
        "0 findings not counted because of decisions",
        "policy: built-in defaults (decisions expire within 365 days)",
        "3 findings at or above high:",
        "  high      cleartext-sensitive-flow@user->api           "
        "Sensitive data travels unencrypted on user->api",
        "  high      unauthenticated-boundary-crossing@user->api  "
        "Unauthenticated flow into a more trusted zone: user->api",
        "  high      unauthenticated-exposed-service@api          "
        "api accepts requests from untrusted callers without authentication",
    ]
    _assert_inert(result.stdout)


def test_a_workflow_command_cannot_start_the_verdict_line(tmp_path: Path) -> None:
    path = _model(tmp_path, "::stop-commands::pwned")
    result = CliRunner().invoke(app, ["--no-color", "check", path, "--today", "2026-01-01"])
    assert result.stdout.splitlines()[0] == (
        "\\x3a:stop-commands::pwned: gate FAILED (fail on high or above)"
    )


def test_analyze_table_title_is_escaped(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--no-color", "analyze", _model(tmp_path), "--today", "2026-01-01",
         "--only", "missing-rate-limit"],
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"{SHOWN}: 1 findings"
    assert result.stdout.splitlines()[-1] == "open: 1 elevated"
    _assert_inert(result.stdout)


def test_a_diagnostic_quoting_hostile_text_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(
        'system: {name: Shop}\ncomponents:\n  user: {kind: actor, zone: "z\\u202e\\n::x::t"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["--no-color", "validate", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == (
        f"{path}:3:29: error: component 'user': 'zone': 'z\\u202e\\x0a::x::t' is not a valid "
        "id: use ASCII letters, digits and . _ : / -, starting with a letter or digit, "
        "at most 128 characters"
    )
    _assert_inert(result.stderr)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain name -> api", "plain name -> api"),
        ("\x1b]8;;http://e/\x07link\x1b]8;;\x07", "\\x1b]8;;http://e/\\x07link\\x1b]8;;\\x07"),
        ("a\r\nb\u2028c\x85d", "a\\x0d\\x0ab\\u2028c\\x85d"),
        ("::add-mask::x", "\\x3a:add-mask::x"),
        ("  ##[error]forged", "  \\x23#[error]forged"),
        ("a ##vso[task.setvariable variable=x]1", "a ##vso\\x5btask.setvariable variable=x]1"),
        ("\tx", "\\x09x"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("", ""),
    ],
)
def test_terminal_text(text: str, shown: str) -> None:
    assert terminal_text(text) == shown


PACK = """\
pack: hostile
description: A pack from the pull request under review.
rules:
  - id: hostile-rule
    title: "{element} matches"
    description: A rule.
    target: component
    likelihood: 3
    impact: 3
    stride: [tampering]
    cwe: [16]
    mitigations: [Fix it.]
    when: {kind: "servise\\n::add-mask::x\\u202e"}
"""


def test_an_invalid_pack_value_cannot_start_a_line_of_the_error(tmp_path: Path) -> None:
    # the attack: a pack value with a line break, a workflow command and an escape sequence,
    # quoted back by the error that refuses the pack
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["-q", "--no-color", "analyze", _model(tmp_path, "Shop"), "--rules", str(pack)]
    )
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "error: invalid rule pack:",
        f"{pack}:13:18: unknown component kind 'servise ::add-mask::x\\u202e'",
    ]
