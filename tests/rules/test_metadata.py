"""Every built-in rule's metadata is complete and well formed, and its documentation renders.

This iterates over :func:`builtin_rules`, so it checks rules as they are added.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from threatforge.model import ComponentKind
from threatforge.rules import Rule, Target, builtin_rules
from threatforge.rules.engine import render_title
from threatforge.rules.metadata import (
    API_TOP10_2023,
    ASVS_CHAPTERS,
    asvs_chapter,
    coverage_markdown,
    docs_pages,
    index_markdown,
    rule_markdown,
    rule_to_dict,
    stride_matrix,
)

RULES = builtin_rules()
BY_ID = {r.id: r for r in RULES}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
API_ID = re.compile(r"^API([1-9]|10):2023$")


def _problems(item: Rule) -> list[str]:
    meta = item.meta
    problems: list[str] = []
    if not KEBAB.match(meta.id):
        problems.append("id is not kebab-case")
    if not meta.cwe:
        problems.append("no CWE")
    if any(type(c) is not int or c <= 0 for c in meta.cwe):
        problems.append(f"CWE ids must be positive ints (CWE-89 as 89): {meta.cwe!r}")
    if any(type(c) is not int or c <= 0 for c in meta.capec):
        problems.append(f"CAPEC ids must be positive ints: {meta.capec!r}")
    if not meta.stride and not meta.linddun:
        problems.append("neither STRIDE nor LINDDUN categories")
    if not meta.mitigations or any(not m.strip() for m in meta.mitigations):
        problems.append("needs at least one non-empty mitigation")
    for name in ("likelihood", "impact"):
        value = getattr(meta, name)
        if type(value) is not int or not 1 <= value <= 5:
            problems.append(f"{name} {value!r} is not in 1..5")
    for name in ("detection", "description", "title"):
        if not getattr(meta, name).strip():
            problems.append(f"no {name} text")
    if "{element}" not in meta.title and meta.target is not Target.MODEL:
        problems.append("title does not name the element with {element}")
    rendered = render_title(meta.title, "THE-ELEMENT", "THE-DETAIL")
    named = "THE-ELEMENT" in rendered or meta.target is Target.MODEL
    if not named or "{" in rendered or "}" in rendered:
        problems.append(f"title does not render: {rendered!r}")
    problems += [f"malformed API Top 10 id {a!r}" for a in meta.api_top10 if not API_ID.match(a)]
    problems += [f"malformed ASVS reference {a!r}" for a in meta.asvs if asvs_chapter(a) is None]
    problems += [f"reference is not an https URL: {r!r}" for r in meta.references
                 if not r.startswith("https://")]
    if meta.kinds and meta.target is not Target.COMPONENT:
        problems.append("'kinds' only applies to component rules")
    if any(not isinstance(k, ComponentKind) for k in meta.kinds):
        problems.append("kinds must be ComponentKind values")
    return problems


@pytest.mark.parametrize("rule_id", sorted(BY_ID))
def test_rule_metadata_is_complete(rule_id: str) -> None:
    assert _problems(BY_ID[rule_id]) == []


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


@pytest.mark.parametrize("rule_id", sorted(BY_ID))
def test_rule_documentation_page_renders(rule_id: str) -> None:
    item = BY_ID[rule_id]
    page = rule_markdown(item)
    assert page.startswith(f"# {rule_id}\n\nFinding title: `")
    assert "## Detection\n\n" + item.meta.detection in page
    for mitigation in item.meta.mitigations:
        assert f"- {mitigation}" in page
    for cwe in item.meta.cwe:
        assert f"[CWE-{cwe}](https://cwe.mitre.org/data/definitions/{cwe}.html)" in page


def test_every_owasp_api_top10_risk_has_a_rule() -> None:
    covered = {a for r in RULES for a in r.meta.api_top10}
    missing = [a for a in API_TOP10_2023 if a not in covered]
    assert missing == [], (
        f"no built-in rule covers {', '.join(missing)} yet; the API rules "
        "(src/threatforge/rules/builtin/api.py) should map each OWASP API Top 10 2023 risk"
    )


def test_catalogues() -> None:
    assert list(API_TOP10_2023) == [f"API{i}:2023" for i in range(1, 11)]
    assert list(ASVS_CHAPTERS) == [f"V{i}" for i in range(1, 15)]
    assert [asvs_chapter(r) for r in ("V4", "V4.1", "V4.1.1", "V14.3.3", "V15.1", "4.1")] == [
        "V4",
        "V4",
        "V4",
        "V14",
        None,
        None,
    ]


def test_rule_to_dict_has_the_listed_fields() -> None:
    data = rule_to_dict(BY_ID["missing-rate-limit"])
    assert {k: data[k] for k in ("id", "stride", "linddun", "cwe", "capec", "owasp")} == {
        "id": "missing-rate-limit",
        "stride": ["denial-of-service"],
        "linddun": [],
        "cwe": [770],
        "capec": [125],
        "owasp": {"asvs": ["V11.1.4", "V13.2.6"], "api_top10": ["API4:2023", "API6:2023"]},
    }
    assert (data["likelihood"], data["impact"], data["target"]) == (3, 3, "component")
    assert data["kinds"] == ["function", "gateway", "service"]


def test_rule_to_dict_shows_the_scope_the_engine_uses() -> None:
    assert rule_to_dict(BY_ID["missing-rate-limit"])["scope"] == {
        "properties": [], "data": None, "crosses": None,
        "among": {"name": "exposed",
                  "description": "components that are public or one flow from an entry point "
                  "(see exposed)"},
    }
    debug = rule_to_dict(BY_ID["pci-pan-debug-logging"])
    assert debug["scope"] == {
        "properties": ["log_level", "log_request_body"],
        "data": {"categories": ["pci.pan", "pci.sad"], "classification_at_least": None,
                 "stored": False},
        "crosses": None,
        "among": None,
    }
    crossing = rule_to_dict(BY_ID["unauthenticated-boundary-crossing"])
    assert (crossing["scope"]["crosses"], crossing["source_kinds"]) == ("into-more-trusted", [])
    assert "monitoring" in crossing["target_kinds"]
    stored = rule_to_dict(BY_ID["store-unencrypted-at-rest"])["scope"]["data"]
    assert stored == {"categories": [], "classification_at_least": "confidential", "stored": True}


def test_rule_pages_say_which_elements_a_rule_looks_at() -> None:
    def applies(rule_id: str) -> str:
        page = rule_markdown(BY_ID[rule_id])
        return next(line for line in page.splitlines() if line.startswith("- Applies to: "))

    assert applies("pci-pan-debug-logging") == (
        "- Applies to: components of kind function, gateway, service that state "
        "`properties.log_level` or `properties.log_request_body` and hold data of category "
        "pci.pan or pci.sad"
    )
    assert applies("store-unencrypted-at-rest") == (
        "- Applies to: components of kind cache, datastore, queue, secrets-store, stream that "
        "store data classified confidential or above"
    )
    assert applies("unsigned-inbound-callback") == (
        "- Applies to: flows from external-service to function, gateway, service"
    )
    assert applies("network-location-trust") == "- Applies to: flows that cross a trust boundary"
    assert applies("k8s-public-registry-pull").endswith(
        " among `in-cluster`: components that run in a Kubernetes cluster (see in_cluster)"
    )


def test_docs_pages_have_an_index_a_coverage_page_and_one_page_per_rule() -> None:
    pages = docs_pages(RULES)
    assert sorted(pages) == sorted(
        ["index.md", "coverage.md", *(f"rules/{r.id}.md" for r in RULES)]
    )
    for item in RULES:
        assert f"[{item.id}](rules/{item.id}.md)" in pages["index.md"]


def test_stride_matrix_places_rules_by_kind() -> None:
    chosen = [BY_ID[i] for i in ("missing-rate-limit", "cleartext-sensitive-flow",
                                 "store-unencrypted-at-rest")]
    matrix = stride_matrix(chosen)
    assert matrix[next(iter(BY_ID["missing-rate-limit"].meta.stride))] == {
        "service": ["missing-rate-limit"],
        "function": ["missing-rate-limit"],
        "gateway": ["missing-rate-limit"],
    }
    info = BY_ID["cleartext-sensitive-flow"].meta.stride[0]
    assert matrix[info]["flow"] == ["cleartext-sensitive-flow"]
    assert matrix[info]["datastore"] == ["store-unencrypted-at-rest"]
    assert "actor" not in matrix[info]


def test_coverage_page_lists_frameworks() -> None:
    chosen = [BY_ID[i] for i in ("missing-rate-limit", "cleartext-sensitive-flow")]
    page = coverage_markdown(chosen)
    assert (
        "| API4:2023 | Unrestricted Resource Consumption | "
        "[missing-rate-limit](rules/missing-rate-limit.md) |"
    ) in page
    assert "| API1:2023 | Broken Object Level Authorization | not covered |" in page
    assert (
        "| V9 | Communication | [cleartext-sensitive-flow](rules/cleartext-sensitive-flow.md) |"
    ) in page
    assert "| linking | not covered |" in page
    assert "| denial-of-service | 0 | 0 | 1 | 1 | 1 | 0 |" in page
    header = page.split("## STRIDE x element kind\n\n")[1].splitlines()[0]
    assert header.endswith("| monitoring | flow |")


def test_index_escapes_table_cells() -> None:
    item = BY_ID["missing-rate-limit"]
    odd = replace(item, meta=replace(item.meta, title="{element} a|b <script>"))
    assert "{element} a\\|b &lt;script&gt; |" in index_markdown([odd])


def test_rule_ids_named_in_the_coverage_document_exist() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "coverage.md").read_text("utf-8")
    named = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", text))
    assert named, "docs/coverage.md names no rule"
    assert sorted(named - set(BY_ID)) == []


# --- a rule pack's text is escaped in the docs (issue #14 item 21) ---------------------------

HOSTILE_PACK = """\
pack: org
rules:
  - id: org-no-owner
    title: '{element} <img src=x onerror=alert(1)> has no owner'
    description: "Nobody answers. <script>alert(1)</script> ![](https://beacon.example/p.gif)"
    target: component
    when: {attribute: owner, missing: true}
    likelihood: 2
    impact: 2
    cwe: [1059]
    stride: [repudiation]
    mitigations: ["[Read this](javascript:alert(1)) @security-team", "Set owner.\\n# Fake"]
    false_positives: "<!-- everything below is hidden"
    references:
      - "javascript:alert(1)"
      - "http://plain.example/owners"
      - "https://wiki.example.com/owners"
"""


def _hostile_pack_rule() -> Rule:
    from threatforge.model._yaml import parse_text
    from threatforge.rules.declarative import parse_pack

    (rule,) = parse_pack(parse_text(HOSTILE_PACK, "org.yaml"))
    return rule


def test_a_packs_text_is_escaped_on_its_docs_page() -> None:
    page = rule_markdown(_hostile_pack_rule())
    lines = page.splitlines()
    assert lines[0] == "# org-no-owner"
    assert lines[2] == "Finding title: `{element} <img src=x onerror=alert(1)> has no owner`"
    assert lines[4] == (
        "Nobody answers. &lt;script&gt;alert(1)&lt;/script&gt; "
        "!\\[\\](https:\u2060//beacon.example/p.gif)"
    )
    mitigations = lines[lines.index("## Mitigations") + 2 :][:2]
    assert mitigations == [
        "- \\[Read this\\](javascript:alert(1)) @\u2060security-team",
        "- Set owner. \\# Fake",
    ]
    assert "&lt;!-- everything below is hidden" in lines
    assert lines[-3:] == [
        "- `javascript:alert(1)`",
        "- `http://plain.example/owners`",
        "- <https://wiki.example.com/owners>",
    ]


def test_built_in_rule_pages_keep_their_markdown() -> None:
    page = rule_markdown(BY_ID["injection-ldap"])
    assert "`properties.ldap_filter_escaping: false`" in page


def test_a_rule_page_shows_its_rules_version_and_the_question_it_asks() -> None:
    page = rule_markdown(BY_ID["pay-refund-without-dual-approval"])
    assert "- Rules version: added in 1; asks questions from 1\n" in page
    assert (
        "## Question (applicable threat)\n\n"
        "Threat: `One person (an insider or a stolen account) may issue refunds through "
        "{element} alone`\n\n"
        "Asks: Do refunds through {element} need a second person's approval (maker-checker)?\n\n"
        "- `properties.dual_approval`: `true` rules out; `false` confirms\n"
    ) in page
    newer = rule_markdown(BY_ID["login-credential-stuffing"])
    assert "- Rules version: added in 2; asks questions from 2\n" in newer
    # a rule that asks nothing has no question section
    assert "## Question" not in rule_markdown(BY_ID["attack-path"])
