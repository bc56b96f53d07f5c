"""Issue #14.8, warn first: controls that rely on today's defaults, and ``applies_to: ["*"]``."""

from __future__ import annotations

from collections.abc import Callable

Diagnose = Callable[..., list[str]]
"""The ``diagnose`` fixture of tests/model/conftest.py."""

HEAD = """\
system: {name: Shop}
boundaries:
  dmz: {trust: trusted}
components:
  api: {kind: gateway, zone: dmz}
controls:
"""


def test_a_control_without_status_or_applies_to_gets_both_rewrites(diagnose: Diagnose) -> None:
    assert diagnose(HEAD + "  waf: {name: Edge WAF}\n") == [
        "threatmodel.yaml:7:3: warning: control 'waf' has no 'applies_to': it applies to every "
        "element for now, but 'applies_to' becomes required; write 'applies_to: [\"*\"]' to keep "
        "today's meaning, or name the elements (threatforge fmt --fix writes the first)",
        "threatmodel.yaml:7:3: warning: control 'waf' has no 'status': it counts as implemented "
        "for now, but the default becomes 'planned'; write 'status: implemented' to keep today's "
        "meaning (threatforge fmt --fix writes it)",
    ]


def test_an_empty_applies_to_is_warned_like_a_missing_one(diagnose: Diagnose) -> None:
    assert diagnose(HEAD + "  waf: {status: planned, applies_to: []}\n") == [
        "threatmodel.yaml:7:3: warning: control 'waf' has no 'applies_to': it applies to every "
        "element for now, but 'applies_to' becomes required; write 'applies_to: [\"*\"]' to keep "
        "today's meaning, or name the elements (threatforge fmt --fix writes the first)",
    ]


def test_a_control_that_states_both_is_quiet(diagnose: Diagnose) -> None:
    assert diagnose(HEAD + '  waf: {status: planned, applies_to: ["*"]}\n') == []
    assert diagnose(HEAD + "  waf: {status: implemented, applies_to: [api]}\n") == []


def test_a_star_beside_an_unknown_element_still_names_the_unknown_one(diagnose: Diagnose) -> None:
    assert diagnose(HEAD + '  waf: {status: planned, applies_to: ["*", apii]}\n') == [
        "threatmodel.yaml:7:44: error: control 'waf': unknown element 'apii' — did you mean 'api'?",
    ]


def test_a_star_is_only_a_whole_entry(diagnose: Diagnose) -> None:
    assert diagnose(HEAD + '  waf: {status: planned, applies_to: ["api*"]}\n') == [
        "threatmodel.yaml:7:39: error: control 'waf': 'api*' is not a valid id: use "
        "ASCII letters, digits and . _ : / -, starting with a letter or digit, at most 128 "
        "characters",
    ]
