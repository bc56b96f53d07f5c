"""Model text printed on a terminal or in a CI log is shown, never obeyed (issue #14 item 9).

The attack: a pull request names its system (or a zone, a component, ...) with line breaks, bidi
controls and GitHub workflow commands (escape sequences such as OSC 52 or CSI 2J cannot be written
in a model file: the reader refuses them, even escaped; models built in code or by an importer
can carry them, see ``test_terminal_text``), so that the CI log of ``threatforge check`` masks
text, stops command processing, or shows a verdict of the attacker's choosing on a line of its
own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.sdlc.gate import VERDICT_PREFIXES
from threatforge.text.terminal import quoted_terminal_text, terminal_text

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
        f'check "{SHOWN}" (fail on high or above)',
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
        f'gate FAILED for "{SHOWN}" (fail on high or above)',
    ]
    _assert_inert(result.stdout)


def test_a_workflow_command_cannot_start_the_verdict_line(tmp_path: Path) -> None:
    path = _model(tmp_path, "::stop-commands::pwned")
    result = CliRunner().invoke(app, ["--no-color", "check", path, "--today", "2026-01-01"])
    assert result.stdout.splitlines()[0] == (
        'check "\\x3a:stop-commands::pwned" (fail on high or above)'
    )
    assert result.stdout.splitlines()[-1] == (
        'gate FAILED for "\\x3a:stop-commands::pwned" (fail on high or above)'
    )


# --- the verdict line cannot be forged by model text --------------------------------------------

VERDICT = re.compile(r"^(gate (passed|FAILED|ERROR)|✓ PASS|PASS\b)", re.MULTILINE)
"""A line a reader of the CI log (or a script grepping it) takes for the verdict."""

FORGED = {
    "the old verdict line": "Shop: gate passed (fail on high or above)",
    "the new verdict line": 'gate passed for \\"Shop\\" (fail on high or above)',
    "a check mark": "\u2713 PASS: 0 new findings",
    "after a line break": "x\\n\u2713 PASS: 0 new findings\\ngate passed for \\\"x\\\"",
    "closing the quotes": 'x\\" (fail on critical or above)\\ngate passed for \\"x',
}
"""System names (as written in the YAML file) that print a verdict of their own in a naive log."""


@pytest.mark.parametrize("name", FORGED.values(), ids=list(FORGED))
def test_a_system_named_like_a_verdict_prints_no_verdict_line(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(
        app, ["--no-color", "check", _model(tmp_path, name), "--today", "2026-01-01"]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # the real verdict is the last line and the only line that looks like one
    assert [line for line in lines if VERDICT.match(line)] == [lines[-1]]
    assert lines[-1].startswith('gate FAILED for "') and lines[-1].endswith(
        '" (fail on high or above)'
    )
    assert [line for line in lines if line.startswith(VERDICT_PREFIXES)] == [lines[-1]]
    # every line starts with threatforge's words or an indent, never with the model's
    own = ('check "', "open findings: ", "0 findings not counted", "policy: ", "3 findings at")
    assert [line for line in lines[:-1] if not line.startswith((*own, "  "))] == []


def test_the_system_name_in_the_verdict_cannot_close_its_quotes(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--no-color", "check", _model(tmp_path, FORGED["closing the quotes"]),
              "--today", "2026-01-01"],
    )  # fmt: skip
    assert result.stdout.splitlines()[-1] == (
        'gate FAILED for "x\\" (fail on critical or above)\\x0agate passed for \\"x" '
        "(fail on high or above)"
    )


def test_several_models_each_end_with_their_own_verdict(tmp_path: Path) -> None:
    forged = tmp_path / "forged"
    forged.mkdir()
    honest = _model(tmp_path, "Honest")
    result = CliRunner().invoke(
        app, ["--no-color", "check", honest, _model(forged, FORGED["the new verdict line"]),
              "--today", "2026-01-01"],
    )  # fmt: skip
    verdicts = [line for line in result.stdout.splitlines() if VERDICT.match(line)]
    assert verdicts == [
        'gate FAILED for "Honest" (fail on high or above)',
        'gate FAILED for "gate passed for \\"Shop\\" (fail on high or above)" (fail on high or '
        "above)",
    ]


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


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Shop", '"Shop"'),
        ('x" (fail on critical)', '"x\\" (fail on critical)"'),
        ("a\\x0ab", '"a\\\\x0ab"'),  # a literal backslash-x: not the escape of a line break
        ("a\nb", '"a\\x0ab"'),
        ("::stop-commands::x", '"\\x3a:stop-commands::x"'),
        ("", '""'),
    ],
)
def test_quoted_terminal_text(text: str, shown: str) -> None:
    assert quoted_terminal_text(text) == shown


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
