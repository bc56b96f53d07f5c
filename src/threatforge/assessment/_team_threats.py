"""The team's own threats as results: the third result kind, beside findings and applicable
threats (docs/team-threats.md).

A threat written under ``threats:`` in the model is carried into the assessment as a
:class:`TeamThreat`: the Threat Composer statement, the elements it sits on, a severity with the
reason it has that severity, and what people decided (``tracking:`` under its fingerprint
``team-threat@<id>``, in the one decision vocabulary of :mod:`._decisions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from threatforge.assessment._decisions import OPEN_STATUSES, DecisionStatus
from threatforge.assessment._results import Decision, Severity, Stride
from threatforge.model import Location

__all__ = [
    "STATED_BY_TEAM",
    "TEAM_THREAT_RULE",
    "TeamThreat",
    "team_threat_fingerprint",
    "threat_statement",
]

TEAM_THREAT_RULE = "team-threat"
"""The rule id team threats are reported under (SARIF ``ruleId``, the fingerprint's prefix)."""
STATED_BY_TEAM = "stated-by-team"
"""The confidence of a team threat: people wrote it, no rule derived it."""


def team_threat_fingerprint(threat_id: str) -> str:
    """``team-threat@<id>``: the key of its decision in ``tracking:``, stable while the id is."""
    return f"{TEAM_THREAT_RULE}@{threat_id}"


_CONSONANT_U = ("uni", "use", "usu", "uti", "ura", "uro", "eu", "one")
_SILENT_H = ("hour", "honest", "honou", "heir")


def _article(word: str) -> str:
    """``A`` or ``An`` as the word sounds (``an actor``, ``a user``, ``an hour``)."""
    lower = word.lower()
    if lower.startswith(_SILENT_H):
        return "An"
    if lower.startswith(_CONSONANT_U):
        return "A"
    return "An" if lower[:1] in ("a", "e", "i", "o", "u") else "A"


def _joined(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def threat_statement(
    source: str,
    action: str,
    *,
    prerequisites: str | None = None,
    impact: str | None = None,
    goals: Sequence[str] = (),
    assets: Sequence[str] = (),
) -> str:
    """The Threat Composer sentence, in plain text (outputs escape it):

    "A[n] [source] [prerequisites] can [action], which leads to [impact], resulting in reduced
    [goals] of [assets]", each optional part left out when not stated (Threat Composer's eight
    permutations; assets without a goal read "negatively impacting [assets]"). A source that
    already starts with an article (``an insider``, ``the``) keeps it. White space runs, line
    breaks included, become one space.
    """
    first = source.split(" ", 1)[0].lower() if source else ""
    head = source[:1].upper() + source[1:] if first in ("a", "an", "the") else source
    if first not in ("a", "an", "the"):
        head = f"{_article(source)} {source}"
    parts = [head]
    if prerequisites:
        parts.append(prerequisites)
    parts.append(f"can {action}")
    text = " ".join(parts)
    if impact:
        text += f", which leads to {impact}"
    if goals:
        text += f", resulting in reduced {_joined(goals)}"
        if assets:
            text += f" of {_joined(assets)}"
    elif assets:
        text += f", negatively impacting {_joined(assets)}"
    return " ".join(text.split())  # Threat Composer: repeated white space (line breaks) as one


@dataclass(frozen=True, kw_only=True)
class TeamThreat:
    """A threat the team wrote in the model, as the assessment reports it.

    ``severity`` is stated, or follows from ``likelihood`` x ``impact_score``, or from
    ``priority`` (high, medium, low); ``severity_reason`` says which, in words. ``status`` and
    ``decision`` come from ``tracking:`` (default open).
    """

    id: str
    fingerprint: str
    statement: str
    """The Threat Composer sentence (plain text, assets by label)."""
    source: str
    action: str
    severity: Severity
    severity_reason: str
    prerequisites: str | None = None
    impact: str | None = None
    impacted_goal: tuple[str, ...] = ()
    impacted_assets: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    stride: tuple[Stride, ...] = ()
    priority: str | None = None
    mitigations: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    """The ``mitigations`` that name declared controls."""
    cwe: tuple[int, ...] = ()
    likelihood: int | None = None
    impact_score: int | None = None
    type: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    status: DecisionStatus = DecisionStatus.OPEN
    decision: Decision | None = None
    location: Location | None = None

    confidence = STATED_BY_TEAM

    @property
    def rule(self) -> str:
        """:data:`TEAM_THREAT_RULE`: team threats share one rule id."""
        return TEAM_THREAT_RULE

    @property
    def title(self) -> str:
        """A short title: the statement (Threat Composer threats have no separate title)."""
        return self.statement

    @property
    def is_open(self) -> bool:
        """Not decided away yet (see :data:`OPEN_STATUSES`)."""
        return self.status in OPEN_STATUSES

    @property
    def element(self) -> str:
        """The element it sits on (its first), or "" when it names none."""
        return self.elements[0] if self.elements else ""
