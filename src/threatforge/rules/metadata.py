"""Rule metadata as data (``rules list --format json``) and as a Markdown page."""

from __future__ import annotations

from typing import Any

from threatforge.rules.interface import Rule

__all__ = ["cwe_url", "rule_markdown", "rule_to_dict"]


def cwe_url(cwe: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{cwe}.html"


def capec_url(capec: int) -> str:
    return f"https://capec.mitre.org/data/definitions/{capec}.html"


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
        "mitigations": list(meta.mitigations),
        "detection": meta.detection,
        "false_positives": meta.false_positives,
        "references": list(meta.references),
        "compliance": list(meta.compliance),
        "source": meta.source,
    }


def rule_markdown(item: Rule) -> str:
    """A documentation page for one rule."""
    meta = item.meta
    lines = [
        f"# {meta.id}",
        "",
        f"**{meta.title.format(element='<element>', detail='').strip()}**",
        "",
        meta.description,
        "",
        f"- Applies to: {meta.target.value}"
        + (f" of kind {', '.join(sorted(k.value for k in meta.kinds))}" if meta.kinds else "")
        + (f", technology {', '.join(meta.tech)}" if meta.tech else ""),
        f"- STRIDE: {', '.join(s.value for s in meta.stride) or '—'}",
        f"- LINDDUN: {', '.join(c.value for c in meta.linddun) or '—'}",
        f"- Base likelihood {meta.likelihood}/5, impact {meta.impact}/5, confidence {meta.confidence.value}",
        "- CWE: " + (", ".join(f"[CWE-{c}]({cwe_url(c)})" for c in meta.cwe) or "—"),
        "- CAPEC: " + (", ".join(f"[CAPEC-{c}]({capec_url(c)})" for c in meta.capec) or "—"),
        f"- OWASP ASVS: {', '.join(meta.asvs) or '—'}",
        f"- OWASP API Security Top 10 2023: {', '.join(meta.api_top10) or '—'}",
        f"- MITRE ATT&CK: {', '.join(meta.attack) or '—'}",
    ]
    if meta.compliance:
        lines.append(f"- Compliance: {', '.join(meta.compliance)}")
    lines += ["", "## Detection", "", meta.detection, "", "## Mitigations", ""]
    lines += [f"- {m}" for m in meta.mitigations]
    if meta.false_positives:
        lines += ["", "## Known false positives", "", meta.false_positives]
    if meta.references:
        lines += ["", "## References", ""] + [f"- <{r}>" for r in meta.references]
    return "\n".join(lines) + "\n"
