"""Model diffs: the pure comparison, the pull-request comment, JSON, and ``diff`` over git refs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sdlc_models import (
    BACKDOOR,
    BACKDOOR_FLOW,
    BACKDOOR_TITLE,
    ORDERS,
    ORDERS_WITH_BACKDOOR,
    TODAY,
    Invoke,
    git,
)

from threatforge.assessment.diff import (
    AssessmentDiff,
    ChangeKind,
    ElementChange,
    FieldChange,
    Snapshot,
    diff_snapshots,
)
from threatforge.model import TrackingStatus, load_text
from threatforge.rules import Severity, analyze
from threatforge.sdlc.diff_report import COMMENT_MARKER, diff_to_dict, render_diff_markdown
from threatforge.sdlc.git_source import GitSource, GitSourceError, parse_source, validate_ref

ADDED_FLOW = ElementChange(
    "flows", "customer->orders", ChangeKind.ADDED, (), ("customer", "orders")
)


def snapshot(text: str) -> Snapshot:
    model = load_text(text)
    return Snapshot(model, analyze(model, today=TODAY))


def compare(old: str | None, new: str) -> AssessmentDiff:
    return diff_snapshots(snapshot(old) if old is not None else None, snapshot(new))


# --- the comparison ---------------------------------------------------------------------------


def test_an_added_flow_brings_a_new_finding() -> None:
    diff = compare(ORDERS, ORDERS_WITH_BACKDOOR)
    assert [(n.finding.fingerprint, n.previous_status) for n in diff.new] == [(BACKDOOR, None)]
    assert (diff.resolved, diff.changed) == ((), ())
    assert diff.model_changes == (ADDED_FLOW,)
    assert diff.changes_behind(diff.new[0].finding) == (ADDED_FLOW,)


def test_removing_the_flow_resolves_the_finding() -> None:
    diff = compare(ORDERS_WITH_BACKDOOR, ORDERS)
    assert [(r.finding.fingerprint, r.status) for r in diff.resolved] == [(BACKDOOR, None)]
    assert diff.new == ()
    assert diff.model_changes == (
        ElementChange("flows", "customer->orders", ChangeKind.REMOVED, (), ("customer", "orders")),
    )


def test_accepting_a_finding_resolves_it_and_its_expiry_brings_it_back() -> None:
    accepted = ORDERS_WITH_BACKDOOR + (
        f'tracking:\n  "{BACKDOOR}": {{status: accepted, justification: partner, '
        "expires: 2025-01-31}\n"
    )
    now = analyze(load_text(accepted), today=TODAY.replace(year=2024))
    before = snapshot(ORDERS_WITH_BACKDOOR)
    diff = diff_snapshots(before, Snapshot(load_text(accepted), now))
    assert [(r.finding.fingerprint, r.status) for r in diff.resolved] == [
        (BACKDOOR, TrackingStatus.ACCEPTED)
    ]
    assert [c.section for c in diff.model_changes] == ["tracking"]
    expired = compare(accepted, accepted)  # judged on 2026-01-01: the acceptance has lapsed
    assert (expired.new, expired.resolved) == ((), ())
    reopened = diff_snapshots(Snapshot(load_text(accepted), now), snapshot(accepted))
    assert [(n.finding.fingerprint, n.previous_status) for n in reopened.new] == [
        (BACKDOOR, TrackingStatus.ACCEPTED)
    ]


def test_a_higher_criticality_changes_the_severity() -> None:
    critical = ORDERS_WITH_BACKDOOR.replace("criticality: high", "criticality: critical")
    diff = compare(ORDERS_WITH_BACKDOOR, critical)
    assert [(c.finding.fingerprint, c.old, c.new, c.raised) for c in diff.changed] == [
        (BACKDOOR, Severity.HIGH, Severity.CRITICAL, True)
    ]
    assert diff.model_changes == (
        ElementChange(
            "system",
            "system",
            ChangeKind.CHANGED,
            (FieldChange("criticality", "high", "critical"),),
        ),
    )


def test_edited_attributes_are_listed_field_by_field() -> None:
    edited = ORDERS.replace(
        "  - gateway -> orders: {protocol: https, authn: jwt, data: [order]}",
        "  - gateway -> orders: {protocol: http, authn: jwt, data: [order], port: 8080}",
    )
    diff = compare(ORDERS, edited)
    assert diff.model_changes == (
        ElementChange(
            "flows",
            "gateway->orders",
            ChangeKind.CHANGED,
            (FieldChange("port", "", "8080"), FieldChange("protocol", "https", "http")),
            ("gateway", "orders"),
        ),
    )


def test_a_new_model_has_only_new_findings() -> None:
    diff = compare(None, ORDERS_WITH_BACKDOOR)
    assert diff.old_system is None
    assert [n.finding.fingerprint for n in diff.new] == [BACKDOOR]
    assert [(c.section, c.element) for c in diff.model_changes][:3] == [
        ("data", "order"),
        ("boundaries", "internet"),
        ("boundaries", "vpc"),
    ]


# --- rendering --------------------------------------------------------------------------------


def test_the_pull_request_comment() -> None:
    text = render_diff_markdown(
        compare(ORDERS, ORDERS_WITH_BACKDOOR),
        old_label="HEAD~1:threatmodel.yaml",
        new_label="threatmodel.yaml",
    )
    assert text == (
        f"{COMMENT_MARKER}\n"
        "### Threat model review: Orders\n"
        "\n"
        "Compared `HEAD~1:threatmodel.yaml` with `threatmodel.yaml`.\n"
        "\n"
        "**1 new** · 0 resolved · 0 changed in severity · 1 model changes\n"
        "\n"
        "#### New findings\n"
        "\n"
        "| severity | finding | element | model change | fingerprint |\n"
        "|---|---|---|---|---|\n"
        "| high | Unauthenticated flow into a more trusted zone: customer-&gt;orders "
        f"| `customer->orders` | flow `customer->orders` added | `{BACKDOOR}` |\n"
        "\n"
        "#### Model changes\n"
        "\n"
        "| change | element | details |\n"
        "|---|---|---|\n"
        "| added | flow `customer->orders` | — |\n"
        "\n"
        "<sub>Generated by threatforge. Fingerprints key decisions in `tracking:`.</sub>\n"
    )


def test_model_text_cannot_break_the_comment() -> None:
    hostile = ORDERS_WITH_BACKDOOR.replace(
        "  orders:\n", '  orders:\n    name: "<img src=x> | **@admins** [x](javascript:1)"\n'
    )
    text = render_diff_markdown(compare(ORDERS, hostile))
    row = next(line for line in text.splitlines() if line.startswith("| changed | component"))
    assert row == (
        "| changed | component `orders` | `name`: — → &lt;img src=x&gt; \\| "
        "\\*\\*@\u2060admins\\*\\* \\[x\\](javascript:1) |"
    )


def test_json_diff() -> None:
    document = diff_to_dict(compare(ORDERS, ORDERS_WITH_BACKDOOR))
    assert document == {
        "threatforge_diff": 1,
        "system": "Orders",
        "old_system": "Orders",
        "new": [
            {
                "fingerprint": BACKDOOR,
                "rule": "unauthenticated-boundary-crossing",
                "title": BACKDOOR_TITLE,
                "severity": "high",
                "status": "open",
                "elements": ["customer->orders"],
                "location": "threatmodel.yaml:32:5",
                "previous_status": None,
                "model_changes": [
                    {"section": "flows", "element": "customer->orders", "change": "added"}
                ],
            }
        ],
        "resolved": [],
        "changed": [],
        "model_changes": [
            {"section": "flows", "element": "customer->orders", "change": "added", "fields": []}
        ],
        "new_threats": [],
        "closed_threats": [],
    }


# --- the command, over git ---------------------------------------------------------------------


def test_diff_against_the_previous_commit_shows_the_new_finding(invoke: Invoke, repo: Path) -> None:
    result = invoke("diff", "HEAD~1:threatmodel.yaml", "threatmodel.yaml", "--format", "markdown")
    assert result.exit_code == 0
    assert (
        "| high | Unauthenticated flow into a more trusted zone: customer-&gt;orders "
        f"| `customer->orders` | flow `customer->orders` added | `{BACKDOOR}` |\n"
    ) in result.stdout
    assert "**1 new** · 0 resolved · 0 changed in severity · 1 model changes" in result.stdout


def test_diff_between_two_refs_as_json(invoke: Invoke, repo: Path) -> None:
    result = invoke("diff", "HEAD:threatmodel.yaml", "HEAD~1:threatmodel.yaml", "-f", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert [f["fingerprint"] for f in document["resolved"]] == [BACKDOOR]
    assert (document["new"], document["changed"]) == ([], [])
    assert document["resolved"][0]["location"] == "HEAD:threatmodel.yaml:32:5"


def test_diff_writes_the_comment_to_a_file(invoke: Invoke, repo: Path) -> None:
    result = invoke("diff", "HEAD~1:threatmodel.yaml", "threatmodel.yaml", "-o", "comment.md")
    assert (result.exit_code, result.stdout) == (0, "")
    assert (repo / "comment.md").read_text(encoding="utf-8").startswith(COMMENT_MARKER + "\n")


def test_a_model_missing_at_the_old_ref_is_new(invoke: Invoke, repo: Path) -> None:
    result = invoke("diff", "HEAD~1:nothing.yaml", "threatmodel.yaml")
    assert result.exit_code == 0
    assert "'HEAD~1:nothing.yaml' does not exist at that git ref: the model is new" in (
        result.stderr
    )
    assert "The model is new: every open finding is listed as new." in result.stdout
    assert "**1 new** · 0 resolved" in result.stdout


def test_a_model_missing_at_the_new_ref_is_bad_input(invoke: Invoke, repo: Path) -> None:
    result = invoke("diff", "threatmodel.yaml", "HEAD:nothing.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "'HEAD:nothing.yaml': the file does not exist at that git ref" in result.stderr
    missing_file = invoke("diff", "threatmodel.yaml", "nothing.yaml")
    assert missing_file.exit_code == 2
    assert "nothing.yaml: error: no such file" in missing_file.stderr


def _split_the_model(repo: Path) -> None:
    """Commit the model split in two: the backdoor flow now lives in an included file."""
    (repo / "parts").mkdir()
    (repo / "parts" / "flows.yaml").write_text("flows:\n" + BACKDOOR_FLOW, encoding="utf-8")
    (repo / "threatmodel.yaml").write_text("include: [parts/flows.yaml]\n" + ORDERS, "utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "split the model")


def test_includes_are_read_from_the_same_commit(invoke: Invoke, repo: Path) -> None:
    _split_the_model(repo)
    (repo / "parts" / "flows.yaml").write_text("flows: []\n", encoding="utf-8")
    result = invoke("diff", "HEAD:threatmodel.yaml", "threatmodel.yaml", "-f", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(f["fingerprint"], f["location"]) for f in document["resolved"]] == [
        (BACKDOOR, "HEAD:parts/flows.yaml:2:5")
    ]


def test_check_base_reads_includes_at_the_ref(invoke: Invoke, repo: Path) -> None:
    _split_the_model(repo)
    result = invoke("check", "threatmodel.yaml", "--base", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.stderr
    verdict = json.loads(result.stdout)["models"][0]
    assert (verdict["mode"], verdict["tolerated"]) == ("base", [BACKDOOR])


def test_an_invalid_model_at_a_ref_shows_its_errors(invoke: Invoke, repo: Path) -> None:
    (repo / "threatmodel.yaml").write_text(ORDERS.replace("kind: actor", "kind: actr"), "utf-8")
    git(repo, "commit", "-q", "-am", "typo")
    result = invoke("diff", "HEAD:threatmodel.yaml", "HEAD~1:threatmodel.yaml")
    assert result.exit_code == 2
    assert "HEAD:threatmodel.yaml:8:" in result.stderr


# --- refs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref", ["HEAD", "HEAD~1", "HEAD^2", "origin/main", "v1.2.3", "main@{1}", "a1b2c3d", "feat/x-y"]
)
def test_plain_refs_are_accepted(ref: str) -> None:
    assert validate_ref(ref) == ref


@pytest.mark.parametrize(
    "ref", ["", "-p", "--upload-pack=x", "a..b", "a b", "a;b", "$(id)", "a\nb", "x" * 201, "a:b"]
)
def test_anything_else_is_refused(ref: str) -> None:
    with pytest.raises(GitSourceError):
        validate_ref(ref)


def test_a_spec_is_a_path_unless_it_names_a_ref(folder: Path) -> None:
    assert parse_source("threatmodel.yaml") is None
    assert parse_source("HEAD~1:services/threatmodel.yaml") == GitSource(
        "HEAD~1", "services/threatmodel.yaml"
    )
    (folder / "odd:name.yaml").write_text("", encoding="utf-8")
    assert parse_source("odd:name.yaml") is None
    with pytest.raises(GitSourceError, match="give the model's path inside the repository"):
        parse_source("HEAD:")
    with pytest.raises(GitSourceError, match="is not a usable git ref"):
        parse_source("-x:threatmodel.yaml")


# --- the comment shows the change under review: it cannot be injected (issue #14 item 5) -----

HOSTILE_KEY = "x <!-- y\n## No new findings @admins ![](http://e/x.png)"


def test_a_hostile_tracking_key_stays_inert_code_on_its_row() -> None:
    # the attack: a decision keyed by text that opens an HTML comment (hiding the rest of the
    # comment), forges a heading, mentions a team and loads a tracking image
    hostile = ORDERS + (
        "tracking:\n"
        '  "x <!-- y\\n## No new findings @admins ![](http://e/x.png)":\n'
        "    {status: accepted, owner: bob, justification: fine, expires: 2026-06-01}\n"
    )
    text = render_diff_markdown(compare(ORDERS, hostile))
    assert text.splitlines()[-4:] == [
        "|---|---|---|",
        "| added | tracking entry `x <!-- y ## No new findings @admins ![](http://e/x.png)` | — |",
        "",
        "<sub>Generated by threatforge. Fingerprints key decisions in `tracking:`.</sub>",
    ]


def test_hostile_names_cannot_add_sections_images_mentions_or_links() -> None:
    hostile = ORDERS_WITH_BACKDOOR.replace(
        "  orders:\n",
        "  orders:\n"
        '    name: "svc\\n\\n## None\\n![](http://e/b.png) @admins www.e.co \\u202e<!--"\n',
    )
    text = render_diff_markdown(compare(ORDERS, hostile))
    row = next(line for line in text.splitlines() if line.startswith("| changed | component"))
    assert row == (
        "| changed | component `orders` | `name`: — → svc \\#\\# None "
        "!\\[\\](http:\u2060//e/b.png) @\u2060admins www\u2060.e.co \\\\u202e&lt;!-- |"
    )
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "### Threat model review: Orders",
        "#### New findings",
        "#### Model changes",
    ]


def test_decisions_are_never_cut_from_the_comment() -> None:
    # the attack: sixty unremarkable model changes push the decisions past the 50-row cut
    extra = "".join(f"  c{i:02d}: {{kind: service, zone: vpc}}\n" for i in range(60))
    many = ORDERS.replace("flows:\n", extra + "flows:\n") + (
        "tracking:\n"
        '  "d1": {status: accepted, owner: a, justification: j, expires: 2026-06-01}\n'
        '  "d2": {status: false-positive, owner: a, justification: j, expires: 2026-06-01}\n'
    )
    lines = render_diff_markdown(compare(ORDERS, many)).splitlines()
    rows = [line for line in lines if line.startswith("| added | ")]
    assert len(rows) == 52  # 50 of the 60 components, and both decisions
    assert rows[-2:] == [
        "| added | tracking entry `d1` | — |",
        "| added | tracking entry `d2` | — |",
    ]
    assert "…and 10 more (see the JSON output)." in lines
