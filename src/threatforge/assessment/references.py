"""A finding's references as links: CWE, CAPEC, OWASP, ATT&CK and the rule's own references,
each with an https URL where a stable page exists. Shared by every output that links them (the
HTML and Markdown reports, the Markdown findings, SARIF, the rule docs); escaping is the
output's job (:mod:`threatforge.text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from threatforge.assessment._results import Finding

__all__ = ["Link", "attack_url", "capec_url", "cwe_url", "reference_links"]


@dataclass(frozen=True, slots=True)
class Link:
    """A reference: its text, and an https URL when it has one."""

    text: str
    url: str | None = None


def cwe_url(cwe: int) -> str:
    """The MITRE page of a CWE."""
    return f"https://cwe.mitre.org/data/definitions/{cwe}.html"


def capec_url(capec: int) -> str:
    """The MITRE page of a CAPEC attack pattern."""
    return f"https://capec.mitre.org/data/definitions/{capec}.html"


_ATTACK_ID = re.compile(r"^T(\d{4})(?:\.(\d{3}))?$")


def attack_url(technique: str) -> str | None:
    """The MITRE ATT&CK page of a technique id such as ``T1190`` or ``T1078.004``."""
    match = _ATTACK_ID.match(technique)
    if match is None:
        return None
    sub = f"/{match.group(2)}" if match.group(2) else ""
    return f"https://attack.mitre.org/techniques/T{match.group(1)}{sub}/"


def reference_links(finding: Finding) -> tuple[Link, ...]:
    """CWE, CAPEC, OWASP, ATT&CK and other references, linked where a stable page exists."""
    links = [Link(f"CWE-{c}", cwe_url(c)) for c in finding.cwe]
    links += [Link(f"CAPEC-{c}", capec_url(c)) for c in finding.capec]
    links += [Link(f"OWASP ASVS {a}") for a in finding.asvs]
    links += [Link(f"OWASP API Top 10 {a}") for a in finding.api_top10]
    links += [Link(f"ATT&CK {t}", attack_url(t)) for t in finding.attack]
    for reference in finding.references:
        safe = reference.startswith("https://") and not set(reference) & set(" <>\"'`\\")
        url = reference if safe else None
        links.append(Link(reference, url))
    return tuple(links)
