"""The built-in rule set's changelog (rules/versions.yaml): every rule is in it, and what a
version counts (issue #15 item 8).

Recording a version after merging new rules: run this file; each failure names the rule ids
that are missing and the exact lines to paste into the newest version of the changelog."""

from __future__ import annotations

from datetime import date

import pytest

from threatforge.rules import builtin_rules
from threatforge.rules.versions import (
    CHANGELOG_FILE,
    FingerprintChange,
    RulesChangelog,
    RulesVersionError,
    RuleVersion,
    builtin_changelog,
    model_moves,
    parse_changelog,
)

RULES = builtin_rules()
CHANGELOG = builtin_changelog()


def _lines(field: str, ids: list[str]) -> str:
    return f"    {field}:\n" + "".join(f"      - {rule_id}\n" for rule_id in ids)


def test_every_built_in_rule_is_listed_as_added_in_a_version() -> None:
    listed = {rule_id for version in CHANGELOG.versions for rule_id in version.added}
    missing = [r.id for r in RULES if r.id not in listed]
    assert not missing, (
        f"{len(missing)} built-in rules are not in {CHANGELOG_FILE}: {', '.join(missing)}.\n"
        "Record them in a new version at the end of the file (or the unreleased newest one):\n"
        f'  - version: "{int(CHANGELOG.latest.split(".")[0]) + 1}"\n'
        f'    date: "{date.today().isoformat()}"\n'
        "    summary: <what changed>\n" + _lines("added", missing)
    )


def test_every_rule_that_asks_is_listed_as_asking_from_a_version() -> None:
    listed = {rule_id for version in CHANGELOG.versions for rule_id in version.asking}
    missing = [r.id for r in RULES if r.meta.asks and r.id not in listed]
    assert not missing, (
        f"{len(missing)} built-in rules ask questions but are not under 'asking:' in "
        f"{CHANGELOG_FILE}: {', '.join(missing)}.\nAdd to the newest version (a gate pinned to "
        "an older one then does not fail on their applicable threats):\n"
        + _lines("asking", missing)
    )


def test_the_changelog_names_only_built_in_rules_and_asking_ones_ask() -> None:
    by_id = {r.id: r for r in RULES}
    unknown = sorted(
        rule_id
        for version in CHANGELOG.versions
        for rule_id in (
            *version.added, *version.asking, *version.gating,
            *(c.rule for c in version.fingerprints), *(g.rule for g in version.regrouped),
        )
        if rule_id not in by_id
    )
    assert unknown == [], f"{CHANGELOG_FILE} names rules that are not built in: {unknown}"
    silent = sorted(
        rule_id for v in CHANGELOG.versions for rule_id in v.asking if not by_id[rule_id].meta.asks
    )
    assert silent == [], f"listed under 'asking:' but ask no question: {silent}"
    still_warn_only = sorted(
        rule_id for v in CHANGELOG.versions for rule_id in v.gating if by_id[rule_id].meta.warn_only
    )
    assert still_warn_only == [], f"listed under 'gating:' but still warn_only: {still_warn_only}"


def test_a_rule_asks_and_gates_no_earlier_than_the_version_that_added_it() -> None:
    order = {name: position for position, name in enumerate(CHANGELOG.known)}
    early = [
        rule_id
        for rule_id in {r.id for r in RULES}
        for since in (CHANGELOG.asking_since(rule_id), CHANGELOG.gating_since(rule_id))
        if since is not None and order[since] < order[CHANGELOG.added_in(rule_id) or since]
    ]
    assert early == []


def test_version_1_is_todays_rule_set_and_its_asking_rules() -> None:
    first = CHANGELOG.versions[0]
    assert (first.version, first.date) == ("1", date(2026, 12, 7))
    assert len(first.added) == 226
    assert len(first.asking) == 32
    assert "pay-refund-without-dual-approval" in first.asking
    assert [g.rule for g in first.regrouped] == ["attack-path"]


# --- what a pinned version counts -----------------------------------------------------------


def _version(name: str, **fields: object) -> RuleVersion:
    return RuleVersion.model_validate(
        {"version": name, "date": "2027-01-04", "summary": "test", **fields}
    )


TWO = RulesChangelog((
    _version("1", added=["old-rule", "asks-later", "promoted"]),
    _version(
        "2",
        added=["new-rule"],
        asking=["asks-later", "new-rule"],
        gating=["promoted"],
        fingerprints=[{
            "rule": "renamed", "old": "old-name@{store}", "new": "renamed@{store}",
            "why": "renamed from old-name",
        }],
    ),
))


@pytest.mark.parametrize(
    ("rule_id", "threat", "warn_only", "at_1", "at_2"),
    [
        ("old-rule", False, False, "gates", "gates"),
        ("new-rule", False, False, "newer", "gates"),
        ("new-rule", True, False, "newer", "gates"),
        ("asks-later", False, False, "gates", "gates"),  # its findings counted in 1 already
        ("asks-later", True, False, "newer", "gates"),  # its applicable threats did not
        ("promoted", False, False, "warn-only", "gates"),
        ("acme-pack-rule", False, False, "gates", "gates"),  # not built in: always counts
        ("acme-pack-rule", False, True, "warn-only", "warn-only"),
        ("old-rule", False, True, "warn-only", "warn-only"),
    ],
)
def test_what_a_pinned_version_counts(
    rule_id: str, threat: bool, warn_only: bool, at_1: str, at_2: str
) -> None:
    assert [
        TWO.gates_at(rule_id, v, threat=threat, warn_only=warn_only) for v in ("1", "2")
    ] == [at_1, at_2]


def test_an_unknown_version_lists_the_known_ones() -> None:
    with pytest.raises(RulesVersionError) as caught:
        TWO.index("3")
    assert str(caught.value) == (
        "unknown rules version '3': the known versions are 1, 2 (latest 2)"
    )


def test_a_rule_listed_twice_is_refused() -> None:
    with pytest.raises(RulesVersionError) as caught:
        RulesChangelog((_version("1", added=["a-rule"]), _version("2", added=["a-rule"])))
    assert str(caught.value) == (
        "threatforge/rules/versions.yaml: 'a-rule' is in 'added' of versions 1 and 2; list it once"
    )


def test_a_fingerprint_pattern_must_name_what_it_uses() -> None:
    with pytest.raises(RulesVersionError) as caught:
        parse_changelog({"versions": [{
            "version": "1", "date": "2027-01-04", "summary": "s",
            "fingerprints": [{"rule": "b-rule", "old": "a@{x}", "new": "b-rule@{y}", "why": "w"}],
        }]})
    assert str(caught.value) == (
        "threatforge/rules/versions.yaml is not valid: versions.0.fingerprints.0: Value error, "
        "'b-rule@{y}' uses {y}, which 'a@{x}' does not name"
    )


def test_a_fingerprint_change_rewrites_each_element_id_it_names() -> None:
    change = FingerprintChange(
        rule="flow-rule", old="old-flow@{source},{target}", new="flow-rule@{target}", why="w"
    )
    assert change.apply("old-flow@api,card-db") == "flow-rule@card-db"
    assert change.apply("old-flow@customer->api") is None  # one element, not two
    assert change.apply("other@api,card-db") is None


def test_changes_chain_across_versions_to_a_present_result() -> None:
    chained = RulesChangelog((
        _version("1", fingerprints=[
            {"rule": "bb", "old": "aa@{x}", "new": "bb@{x}", "why": "one"}
        ]),
        _version("2", fingerprints=[
            {"rule": "cc", "old": "bb@{x}", "new": "cc@{x}", "why": "two"}
        ]),
    ))
    moves = model_moves(["aa@db"], {"vault": ["aa@db", "bb-rule"]}, {}, {"cc@db"}, chained)
    assert dict(moves.tracking) == {"aa@db": "cc@db"}
    assert dict(moves.why) == {"aa@db": "rules version 1: one; rules version 2: two"}
    assert moves.mitigates == (("vault", "aa@db", "cc@db"),)
    assert moves.pairs == (("aa@db", "cc@db"),)
    # a move to a fingerprint that is no result of this run is no move
    assert dict(model_moves(["aa@db"], {}, {}, {"cc@other"}, chained).tracking) == {}


def test_the_built_in_changelog_round_trips_through_its_schema() -> None:
    again = parse_changelog({"versions": [v.model_dump(mode="json") for v in CHANGELOG.versions]})
    assert again.versions == CHANGELOG.versions
