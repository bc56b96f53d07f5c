"""Rule metadata as data (``rules list --format json``) and as documentation pages.

:func:`docs_pages` builds the whole rule documentation (``threatforge rules docs -o DIR``): one
page per rule, an index, and a coverage matrix (STRIDE x element kind, OWASP API Security Top 10
2023, OWASP ASVS chapters, LINDDUN). Everything here is pure: text in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from threatforge.assessment.references import capec_url, cwe_url
from threatforge.model import ComponentKind
from threatforge.rules.interface import (
    Crosses,
    Linddun,
    Rule,
    RuleMeta,
    Stride,
    Supersedes,
    SupersedesWhere,
    Target,
)
from threatforge.text.markdown import markdown_cell as _cell
from threatforge.text.markdown import markdown_code, markdown_text
from threatforge.text.markdown import markdown_code as _code

__all__ = [
    "API_TOP10_2023",
    "ASVS_CHAPTERS",
    "asvs_chapter",
    "capec_url",
    "coverage_markdown",
    "cwe_url",
    "docs_pages",
    "https_url",
    "index_markdown",
    "rule_markdown",
    "rule_page_path",
    "rule_to_dict",
    "rule_versions",
    "scope_to_dict",
    "stride_matrix",
]

_HTTPS_URL = re.compile(
    r"https://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
    r"(?:/[A-Za-z0-9\-._~!$&()*+,;=:@%/?#\[\]]*)?"
)
"""A plain https URL: the only kind of link a rule pack's reference becomes (a page link, a
SARIF ``helpUri``)."""

API_TOP10_2023: Mapping[str, str] = {
    "API1:2023": "Broken Object Level Authorization",
    "API2:2023": "Broken Authentication",
    "API3:2023": "Broken Object Property Level Authorization",
    "API4:2023": "Unrestricted Resource Consumption",
    "API5:2023": "Broken Function Level Authorization",
    "API6:2023": "Unrestricted Access to Sensitive Business Flows",
    "API7:2023": "Server Side Request Forgery",
    "API8:2023": "Security Misconfiguration",
    "API9:2023": "Improper Inventory Management",
    "API10:2023": "Unsafe Consumption of APIs",
}
"""The OWASP API Security Top 10 2023, id -> name."""

ASVS_CHAPTERS: Mapping[str, str] = {
    "V1": "Architecture, Design and Threat Modeling",
    "V2": "Authentication",
    "V3": "Session Management",
    "V4": "Access Control",
    "V5": "Validation, Sanitization and Encoding",
    "V6": "Stored Cryptography",
    "V7": "Error Handling and Logging",
    "V8": "Data Protection",
    "V9": "Communication",
    "V10": "Malicious Code",
    "V11": "Business Logic",
    "V12": "Files and Resources",
    "V13": "API and Web Service",
    "V14": "Configuration",
}
"""The chapters of OWASP ASVS 4.0.3, id -> name."""

_ASVS_REF = re.compile(r"^(V(?:[1-9]|1[0-4]))(?:\.\d+){0,2}$")


def asvs_chapter(reference: str) -> str | None:
    """The ASVS chapter of a requirement reference (``V4.1.1`` -> ``V4``), None if malformed."""
    match = _ASVS_REF.match(reference)
    return match.group(1) if match else None


def rule_to_dict(item: Rule) -> dict[str, Any]:
    """Every metadata field of a rule as plain JSON data."""
    meta = item.meta
    return {
        "id": meta.id,
        "title": meta.title,
        "description": meta.description,
        "target": meta.target.value,
        "domain": meta.domain,
        "stride": [s.value for s in meta.stride],
        "linddun": [c.value for c in meta.linddun],
        "cwe": list(meta.cwe),
        "capec": list(meta.capec),
        "owasp": {"asvs": list(meta.asvs), "api_top10": list(meta.api_top10)},
        "attack": list(meta.attack),
        "likelihood": meta.likelihood,
        "impact": meta.impact,
        "confidence": meta.confidence.value,
        "kinds": sorted(k.value for k in meta.kinds),
        "tech": list(meta.tech),
        "source_kinds": sorted(k.value for k in meta.source_kinds),
        "target_kinds": sorted(k.value for k in meta.target_kinds),
        "scope": scope_to_dict(meta),
        "mitigations": list(meta.mitigations),
        "detection": meta.detection,
        "false_positives": meta.false_positives,
        "references": list(meta.references),
        "compliance": list(meta.compliance),
        "broad": meta.broad,
        "source": meta.source,
        "supersedes": [{"rule": d.rule, "where": d.where.value} for d in meta.supersedes],
        "warn_only": meta.warn_only,
        "rules_version": rule_versions(item),
    }


def rule_versions(item: Rule) -> dict[str, str | None] | None:
    """The built-in rule set's versions in which the rule was added, began to ask questions and
    turned from warn-only into gating (rules/versions.yaml); None for a pack's or plugin's."""
    if item.meta.source != "builtin":
        return None
    from threatforge.rules.versions import builtin_changelog

    changelog = builtin_changelog()
    return {
        "added": changelog.added_in(item.id),
        "asking": changelog.asking_since(item.id),
        "gating": changelog.gating_since(item.id),
    }


def scope_to_dict(meta: RuleMeta) -> dict[str, Any]:
    """The elements a rule is evaluated on besides kinds and technologies, as JSON data.

    ``properties``: elements that state one of these keys; ``data``: elements holding such data;
    ``crosses``: flows that cross a boundary so; ``among``: a named set of elements. Empty or
    null when the rule does not narrow its scope that way.
    """
    data = meta.data
    return {
        "properties": sorted(meta.properties),
        "data": None
        if data is None
        else {
            "categories": list(data.categories),
            "classification_at_least": data.at_least.value if data.at_least else None,
            "stored": data.stored,
        },
        "crosses": meta.crosses.value if meta.crosses else None,
        "among": None
        if meta.among is None
        else {"name": meta.among.name, "description": meta.among.description},
    }


# --- one page per rule ----------------------------------------------------------------------


def rule_page_path(rule_id: str) -> str:
    """Where a rule's page goes inside the documentation folder."""
    return f"rules/{rule_id}.md"


def https_url(reference: str) -> str | None:
    """The reference when it is a plain https URL (no credentials, spaces or markup), else None."""
    return reference if _HTTPS_URL.fullmatch(reference) else None


def _trusted(meta: RuleMeta) -> bool:
    """Whether a rule's text is ours (built-in rules, written as Markdown) rather than a rule
    pack's or a plugin's, which is escaped: a pack may come from the change under review."""
    return meta.source == "builtin"


def _as_written(text: str) -> str:
    return text


def _reference(reference: str, trusted: bool) -> str:
    """A reference as a link when it is a plain https URL (any URL for built-in rules), else as
    inline code: a pack cannot link to ``javascript:``, ``http:`` or a look-alike."""
    if trusted or https_url(reference):
        return f"<{reference}>"
    return markdown_code(reference)


def _applies_to(meta: RuleMeta) -> str:
    prose = _as_written if _trusted(meta) else markdown_text
    words = {
        Target.COMPONENT: "components",
        Target.FLOW: "flows",
        Target.DATA: "data assets",
        Target.BOUNDARY: "boundaries",
        Target.MODEL: "the whole model",
    }[meta.target]
    if meta.kinds:
        words += " of kind " + ", ".join(sorted(k.value for k in meta.kinds))
    if meta.tech:
        words += " with technology " + ", ".join(_code(t) for t in meta.tech)
    if meta.source_kinds:
        words += " from " + ", ".join(sorted(k.value for k in meta.source_kinds))
    if meta.target_kinds:
        words += " to " + ", ".join(sorted(k.value for k in meta.target_kinds))
    conditions = []
    if meta.crosses is Crosses.BOUNDARY:
        conditions.append("cross a trust boundary")
    elif meta.crosses is Crosses.INTO_MORE_TRUSTED:
        conditions.append("cross into a more trusted zone")
    if meta.properties:
        conditions.append(
            "state " + " or ".join(_code(f"properties.{p}") for p in sorted(meta.properties))
        )
    if meta.data is not None:
        conditions.append(prose(meta.data.describe()))
    if conditions:
        words += " that " + " and ".join(conditions)
    if meta.among is not None:
        words += f" among {_code(meta.among.name)}: {prose(meta.among.description)}"
    return words


def rule_markdown(item: Rule) -> str:
    """A documentation page for one rule; a pack's (or plugin's) text is escaped."""
    meta = item.meta
    trusted = _trusted(meta)
    prose = _as_written if trusted else markdown_text
    api = [f"{a} {API_TOP10_2023[a]}" if a in API_TOP10_2023 else a for a in meta.api_top10]
    lines = [
        f"# {prose(meta.id)}",
        "",
        f"Finding title: {_code(meta.title)}",
        "",
        prose(meta.description),
        "",
        f"- Applies to: {_applies_to(meta)}",
        f"- Domain: {prose(meta.domain)}; source: {prose(meta.source)}",
        f"- STRIDE: {', '.join(s.value for s in meta.stride) or '—'}",
        f"- LINDDUN: {', '.join(c.value for c in meta.linddun) or '—'}",
        f"- Base likelihood {meta.likelihood}/5, impact {meta.impact}/5, "
        f"confidence {meta.confidence.value}",
        "- CWE: " + (", ".join(f"[CWE-{c}]({cwe_url(c)})" for c in meta.cwe) or "—"),
        "- CAPEC: " + (", ".join(f"[CAPEC-{c}]({capec_url(c)})" for c in meta.capec) or "—"),
        f"- OWASP ASVS 4.0: {', '.join(prose(a) for a in meta.asvs) or '—'}",
        f"- OWASP API Security Top 10 2023: {', '.join(prose(a) for a in api) or '—'}",
        f"- MITRE ATT&CK: {', '.join(prose(a) for a in meta.attack) or '—'}",
    ]
    if meta.compliance:
        lines.append(f"- Compliance: {', '.join(prose(c) for c in meta.compliance)}")
    lines += _version_lines(item)
    lines += ["", "## Detection", "", prose(meta.detection)]
    lines += _question_lines(meta, prose)
    lines += ["", "## Mitigations", ""]
    lines += [f"- {prose(m)}" for m in meta.mitigations]
    if meta.false_positives:
        lines += ["", "## Known false positives", "", prose(meta.false_positives)]
    if meta.supersedes:
        lines += ["", "## Supersedes", "",
                  "Where this rule fires, it replaces the finding of (one weakness, one finding):",
                  ""]
        lines += [f"- {_link(d.rule, '../')}{_where(d)}" for d in meta.supersedes]
    if meta.broad:
        lines += ["", "## Why it may fire on many elements", "", prose(meta.broad)]
    if meta.references:
        lines += ["", "## References", ""]
        lines += [f"- {_reference(r, trusted)}" for r in meta.references]
    return "\n".join(lines) + "\n"


def _version_lines(item: Rule) -> list[str]:
    """The built-in rules versions of the rule (docs/rule-versions.md), and warn-only."""
    versions = rule_versions(item)
    lines = []
    if versions is not None and versions.get("added"):
        parts = [f"added in {versions['added']}"]
        if versions.get("asking"):
            parts.append(f"asks questions from {versions['asking']}")
        if versions.get("gating"):
            parts.append(f"gates from {versions['gating']}")
        lines.append(f"- Rules version: {'; '.join(parts)}")
    if item.meta.warn_only:
        lines.append("- Warn-only: reported, never fails the gate")
    return lines


def _question_lines(meta: RuleMeta, prose: Callable[[str], str]) -> list[str]:
    """The questions the rule asks where its threat applies and the facts are unstated, with
    the answers each fact takes (docs/applicable-threats.md)."""
    if not meta.asks:
        return []
    lines = ["", "## Question (applicable threat)", ""]
    for ask in meta.asks:
        if ask.threat:
            lines.append(f"Threat: {_code(ask.threat)}")
            lines.append("")
        lines.append(f"Asks: {prose(ask.text)}")
        lines.append("")
        for fact in ask.facts:
            answers = "; ".join(f"{_code(value)} {effect.value}" for value, effect in fact.answers)
            end = f" (of the flow's {fact.on})" if fact.on else ""
            lines.append(f"- {_code(fact.path)}{end}: {answers}")
    return lines


def _where(declaration: Supersedes) -> str:
    if declaration.where is SupersedesWhere.FLOWS_INTO:
        return " on the flows into the element"
    if declaration.where is SupersedesWhere.FLOW_TARGET:
        return " on the component the flow goes into"
    return " on the same element"


# --- index and coverage ---------------------------------------------------------------------


def _categories(meta: RuleMeta) -> str:
    return ", ".join([s.value for s in meta.stride] + [c.value for c in meta.linddun])


def _link(rule_id: str, prefix: str = "") -> str:
    return f"[{rule_id}]({prefix}{rule_page_path(rule_id)})"


def index_markdown(rules: Sequence[Rule]) -> str:
    """The list of every rule, by domain, linking to each rule's page."""
    lines = [
        "# threatforge rules",
        "",
        f"{len(rules)} rules. See [coverage.md](coverage.md) for what they cover (STRIDE, OWASP "
        "API Security Top 10, ASVS, LINDDUN).",
        "",
    ]
    domains = sorted({r.meta.domain for r in rules})
    for domain in domains:
        members = sorted((r for r in rules if r.meta.domain == domain), key=lambda r: r.id)
        lines += [
            f"## {domain} ({len(members)})",
            "",
            "| rule | finding | categories | CWE | L | I |",
            "|---|---|---|---|---|---|",
        ]
        for item in members:
            meta = item.meta
            lines.append(
                f"| {_link(meta.id)} | {_cell(meta.title)} | {_cell(_categories(meta))} | "
                f"{', '.join(str(c) for c in meta.cwe)} | {meta.likelihood} | {meta.impact} |"
            )
        lines.append("")
    return "\n".join(lines)


_EXTRA_COLUMNS = {
    Target.FLOW: "flow",
    Target.DATA: "data",
    Target.BOUNDARY: "boundary",
    Target.MODEL: "model",
}


def _columns_of(meta: RuleMeta) -> list[str]:
    if meta.target is Target.COMPONENT:
        kinds = meta.kinds or frozenset(ComponentKind)
        return [k.value for k in ComponentKind if k in kinds]
    return [_EXTRA_COLUMNS[meta.target]]


def stride_matrix(rules: Iterable[Rule]) -> dict[Stride, dict[str, list[str]]]:
    """STRIDE category -> element kind (component kinds, flow, ...) -> rule ids, in id order."""
    matrix: dict[Stride, dict[str, list[str]]] = {s: {} for s in Stride}
    for item in sorted(rules, key=lambda r: r.id):
        for category in item.meta.stride:
            for column in _columns_of(item.meta):
                matrix[category].setdefault(column, []).append(item.id)
    return matrix


def _grouped(
    rules: Iterable[Rule], keys: Callable[[RuleMeta], Iterable[str | None]]
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in sorted(rules, key=lambda r: r.id):
        for key in dict.fromkeys(keys(item.meta)):
            if key is not None:
                found.setdefault(key, []).append(item.id)
    return found


def coverage_markdown(rules: Sequence[Rule]) -> str:
    """What the rules cover: STRIDE x element kind, OWASP API Top 10, ASVS chapters, LINDDUN."""
    matrix = stride_matrix(rules)
    columns = [k.value for k in ComponentKind] + [
        c for t, c in _EXTRA_COLUMNS.items() if any(r.meta.target is t for r in rules)
    ]
    lines = [
        "# Rule coverage",
        "",
        f"What the {len(rules)} rules look for, by framework. Each number is the count of rules "
        "that can raise that STRIDE threat on that kind of element; the lists below name them.",
        "",
        "## STRIDE x element kind",
        "",
        "| STRIDE | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for category in Stride:
        cells = [str(len(matrix[category].get(c, []))) for c in columns]
        lines.append(f"| {category.value} | " + " | ".join(cells) + " |")
    lines.append("")
    for category in Stride:
        ids = sorted({i for v in matrix[category].values() for i in v})
        lines.append(f"- **{category.value}** ({len(ids)}): " + (_links(ids) or "—"))
    api = _grouped(rules, lambda m: m.api_top10)
    lines += [
        "",
        "## OWASP API Security Top 10 2023",
        "",
        "| id | risk | rules |",
        "|---|---|---|",
    ]
    for api_id, name in API_TOP10_2023.items():
        lines.append(f"| {api_id} | {name} | {_links(api.get(api_id, [])) or 'not covered'} |")
    asvs = _grouped(rules, lambda m: [asvs_chapter(a) for a in m.asvs])
    lines += ["", "## OWASP ASVS 4.0 chapters", "", "| chapter | name | rules |", "|---|---|---|"]
    for chapter, name in ASVS_CHAPTERS.items():
        lines.append(f"| {chapter} | {name} | {_links(asvs.get(chapter, [])) or 'not covered'} |")
    linddun = _grouped(rules, lambda m: [c.value for c in m.linddun])
    lines += ["", "## LINDDUN", "", "| category | rules |", "|---|---|"]
    for privacy in Linddun:
        ids = linddun.get(privacy.value, [])
        lines.append(f"| {privacy.value} | {_links(ids) or 'not covered'} |")
    return "\n".join(lines) + "\n"


def _links(ids: Sequence[str]) -> str:
    return ", ".join(_link(i) for i in ids)


def docs_pages(rules: Sequence[Rule]) -> dict[str, str]:
    """The rule documentation: relative path -> Markdown text (the caller writes the files)."""
    pages = {"index.md": index_markdown(rules), "coverage.md": coverage_markdown(rules)}
    for item in rules:
        pages[rule_page_path(item.id)] = rule_markdown(item)
    return pages
