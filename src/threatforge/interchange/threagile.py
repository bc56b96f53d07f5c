"""The vocabulary of Threagile models that the importer and the exporter share: its value
words and what they are in threatforge, the technology and protocol table (data), and the id
schemes of links and risks. Below both (``importers`` and ``exporters`` are independent)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from threatforge.errors import ImporterError
from threatforge.model import ComponentKind, parse_yaml_text
from threatforge.model.vocabulary import protocol_problem, technology_catalogue

__all__ = [
    "ASSET_FLAGS",
    "AUTHENTICATION",
    "CHECKED",
    "CLASSIFICATION",
    "CRITICALITY",
    "ENCRYPTION",
    "GENERATED_CATEGORY_PREFIX",
    "IMPACT",
    "LIKELIHOOD",
    "LINK_FLAGS",
    "STATUS",
    "TEAM_CATEGORY_PREFIX",
    "ZONE_KINDS",
    "ThreagileProtocol",
    "ThreagileTechnology",
    "ThreagileVocabulary",
    "link_id",
    "matches_risk",
    "slug",
    "synthetic_id",
    "team_threat_id",
    "threagile_vocabulary",
]

TEAM_CATEGORY_PREFIX = "threatforge-team-"
"""The risk category ``export threagile`` writes a team threat without a ``type`` under."""
GENERATED_CATEGORY_PREFIX = "threatforge-"
"""Risk categories ``export threagile`` writes the engine's threats under (``threatforge-<rule>``);
they are not imported as team threats."""

CRITICALITY = {
    "archive": "low",
    "operational": "low",
    "important": "medium",
    "critical": "high",
    "mission-critical": "critical",
}
CLASSIFICATION = {
    "public": "public",
    "internal": "internal",
    "restricted": "confidential",
    "confidential": "confidential",
    "strictly-confidential": "restricted",
}
ZONE_KINDS = {
    "network-on-prem": "on-premises",
    "network-dedicated-hoster": "network",
    "network-virtual-lan": "network",
    "network-cloud-provider": "account",
    "network-cloud-security-group": "subnet",
    "network-policy-namespace-isolation": "namespace",
    "execution-environment": "other",
}
AUTHENTICATION = {
    "none": "none",
    "credentials": "password",
    "session-id": "session",
    "token": "jwt",
    "client-certificate": "mtls",
    "two-factor": "password",
    "externalized": "oidc",
}
ENCRYPTION = {
    "none": "none",
    "transparent": "provider",
    "data-with-symmetric-shared-key": "application",
    "data-with-asymmetric-shared-key": "application",
    "data-with-end-user-individual-key": "application",
    "data-with-enduser-individual-key": "application",
}
STATUS = {
    "unchecked": "open",
    "in-discussion": "in-discussion",
    "accepted": "accepted",
    "in-progress": "in-progress",
    "mitigated": "mitigated",
    "false-positive": "false-positive",
}
LIKELIHOOD = {"unlikely": 2, "likely": 3, "very-likely": 4, "frequent": 5}
IMPACT = {"low": 2, "medium": 3, "high": 4, "very-high": 5}
ASSET_FLAGS = (
    "multi_tenant",
    "redundant",
    "custom_developed_parts",
    "used_as_client_by_human",
    "out_of_scope",
)
LINK_FLAGS = ("vpn", "ip_filtered", "readonly")
CHECKED = re.compile(r"^(?P<text>.*?)\s*\(checked (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})\)$", re.S)
"""A justification that carries the date of Threagile's check: ``... (checked 2020-01-04)``."""

class _Frozen(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")


class ThreagileTechnology(_Frozen):
    kind: ComponentKind
    tech: str | None = None
    export: bool = False


class ThreagileProtocol(_Frozen):
    protocol: str | None = None
    tls: bool | None = None


class ThreagileVocabulary(_Frozen):
    """The data table ``mappings/threagile-vocabulary.yaml``."""

    technologies: dict[str, ThreagileTechnology]
    protocols: dict[str, ThreagileProtocol]

    def export_name(self, kind: ComponentKind) -> str:
        """The Threagile technology written for a component of ``kind`` that has none."""
        for name, entry in self.technologies.items():
            if entry.kind == kind and entry.export:
                return name
        return "client-system" if kind == ComponentKind.ACTOR else "unknown-technology"


@cache
def threagile_vocabulary() -> ThreagileVocabulary:
    """The built-in table (validated: every technology and protocol in our catalogues)."""
    name = "threagile-vocabulary.yaml"
    text = resources.files("threatforge.interchange").joinpath(name).read_text(encoding="utf-8")
    table = ThreagileVocabulary.model_validate(parse_yaml_text(text, name).value)
    known = technology_catalogue().technologies
    wrong = [t.tech for t in table.technologies.values() if t.tech and t.tech not in known]
    wrong += [
        p.protocol for p in table.protocols.values() if p.protocol and protocol_problem(p.protocol)
    ]
    if wrong:
        problem = f"unknown technologies or protocols {sorted(wrong)}"
        raise ImporterError(f"interchange/{name}: {problem}")
    return table


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("- ")


def link_id(source: str, title: str) -> str:
    """Threagile's id of a communication link: ``source>title-slug``."""
    return f"{source}>{slug(title)}"


def synthetic_id(category: str, risk: Mapping[str, Any]) -> str:
    """Threagile's id of an identified risk: its category, then ``@`` and each most relevant
    element (technical asset, link, boundary, runtime, data asset) it names."""
    parts = [category]
    for key in (
        "most_relevant_technical_asset",
        "most_relevant_communication_link",
        "most_relevant_trust_boundary",
        "most_relevant_shared_runtime",
        "most_relevant_data_asset",
    ):
        value = _text(risk.get(key))
        if value:
            parts.append(value)
    return "@".join(parts)


def team_threat_id(synthetic: str) -> str:
    """The team threat id of a Threagile risk id (``@`` and ``>`` are not id characters)."""
    return synthetic.replace("@", ".").replace(">", "/")


def matches_risk(pattern: str, risk_id: str) -> bool:
    """Whether a ``risk_tracking`` key matches a risk id (``*`` stands for one ``@`` part)."""
    wanted, actual = pattern.split("@"), risk_id.split("@")
    return len(wanted) == len(actual) and all(
        w in ("*", a) for w, a in zip(wanted, actual, strict=True)
    )


def _text(value: Any) -> str | None:
    """A scalar as one-line text (None for nothing or a collection)."""
    if value is None or isinstance(value, dict | list):
        return None
    return " ".join(str(value).split())[:300] or None
