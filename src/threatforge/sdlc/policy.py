"""The organisation's policy for the gate: the bounds on decisions a change may make.

A policy file is named by the CI configuration (``check --policy PATH`` or the environment
variable ``THREATFORGE_POLICY``), never found in the checkout the gate is judging: a pull
request must not be able to loosen the rules it is judged by. It is a small, versioned YAML
mapping, read with the model's bounded reader and checked against a schema::

    version: 1
    rules_version: "1"           # optional: gate on what this rules version counted
    decisions:
      horizon_days: 180          # a decision that hides a finding expires within 180 days
      accept:                    # who may hide a finding of this severity (any decision)
        critical: []             # nobody: a critical finding is fixed, not decided away
        high: [alice, bob]
      never_accept: [pci-sad-stored]   # no decision may hide a result of these rules
    guardrails:
      mandatory:                 # these rules must run, their results at least this severe
        - {rule: pci-pan-stored-readable, min_severity: high}

The gate prints the file's SHA-256 digest beside its verdict, so a reader of the CI log knows
which policy judged the change.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from threatforge.assessment import AppliedPolicy
from threatforge.errors import ThreatforgeError
from threatforge.rules.interface import Severity

if TYPE_CHECKING:
    from threatforge.model import Document

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "POLICY_ENV",
    "DecisionRules",
    "GatePolicy",
    "Guardrails",
    "LoadedPolicy",
    "MandatoryRule",
    "PolicyError",
    "default_policy",
    "load_policy",
]

POLICY_ENV = "THREATFORGE_POLICY"
"""The environment variable that names the policy file when ``--policy`` is not given."""
DEFAULT_HORIZON_DAYS = 365
MAX_POLICY_BYTES = 256 * 1024

_Owner = Annotated[str, StringConstraints(min_length=1, max_length=300)]
_RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
_RulesVersion = Annotated[
    str,
    BeforeValidator(lambda v: str(v) if type(v) is int else v),  # `rules_version: 1` as written
    StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)*$"),
]


class _Strict(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")


class DecisionRules(_Strict):
    """Bounds on the decisions that hide a finding (accepted, mitigated, false-positive)."""

    horizon_days: int = Field(default=DEFAULT_HORIZON_DAYS, ge=1, le=3650)
    """A decision must expire at most this many days after the day it is judged."""
    accept: dict[Severity, list[_Owner]] = Field(default_factory=dict)
    """Per severity, the owners who may decide a finding of that severity away. A severity not
    listed: any owner; an empty list: nobody."""
    never_accept: list[_RuleId] = Field(default_factory=list)
    """Rules whose findings and threats no decision may hide, whatever its status: they are
    fixed, not decided away."""


class MandatoryRule(_Strict):
    """A rule the organisation requires on every change, with a severity floor."""

    rule: _RuleId
    min_severity: Severity | None = None
    """Its findings count at least this severe (the gate raises lower ones, and says so)."""


class Guardrails(_Strict):
    """What every model the gate judges must satisfy, whatever the change says."""

    mandatory: list[MandatoryRule] = Field(default_factory=list)
    """Rules that must run (no ``--skip``, ``--only`` or pack may leave them out)."""


class GatePolicy(_Strict):
    """Version 1 of the policy file. New sections (guardrails) will be added beside
    ``decisions``; an unknown key is an error, so a typo never loosens the policy silently."""

    version: Literal[1]
    decisions: DecisionRules = Field(default_factory=DecisionRules)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    rules_version: _RulesVersion | None = None
    """The built-in rule set's version the gate counts as (``check --rules-version`` wins over
    it): results of newer rules are reported, not gated (docs/rule-versions.md)."""


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy and where it came from."""

    policy: GatePolicy
    source: str | None
    """The file it was read from; None for the built-in defaults."""
    digest: str | None
    """``sha256:<hex>`` of the file's bytes; None for the built-in defaults."""
    document: Document | None = field(default=None, compare=False, repr=False)
    """The file as read, for the line of each key (:meth:`cite`)."""

    @property
    def decisions(self) -> DecisionRules:
        return self.policy.decisions

    @property
    def guardrails(self) -> Guardrails:
        return self.policy.guardrails

    def cite(self, *path: str | int) -> str:
        """Where in the policy file the key at ``path`` sits (``policy.yaml:12``), so a
        violation names the line it breaks; ``policy`` for the built-in defaults."""
        if self.document is None or self.source is None:
            return "policy"
        return f"{self.source}:{self.document.location(tuple(path)).line}"

    def describe(self) -> str:
        """One line for the verdict: which policy judged the decisions."""
        rules = self.decisions
        bounds = f"decisions expire within {rules.horizon_days} days"
        if rules.accept:
            limited = ", ".join(
                f"{s.value}: {', '.join(rules.accept[s]) or 'nobody'}"
                for s in reversed(Severity)
                if s in rules.accept
            )
            bounds += f"; who may decide: {limited}"
        if rules.never_accept:
            bounds += f"; never decided away: {', '.join(rules.never_accept)}"
        if self.policy.rules_version is not None:
            bounds += f"; rules version {self.policy.rules_version}"
        if self.guardrails.mandatory:
            bounds += "; mandatory rules: " + ", ".join(
                m.rule + (f" (at least {m.min_severity.value})" if m.min_severity else "")
                for m in self.guardrails.mandatory
            )
        if self.source is None:
            return f"policy: built-in defaults ({bounds})"
        return f"policy: {self.source} {self.digest} ({bounds})"

    def applied(self) -> AppliedPolicy:
        """The policy as a gate verdict reports it (:attr:`GateResult.policy`)."""
        return AppliedPolicy(self.source, self.digest, self.decisions.horizon_days, self.describe())


class PolicyError(ThreatforgeError):
    """The policy file is missing, unreadable or invalid."""


def default_policy() -> LoadedPolicy:
    """The bounds that apply when CI names no policy file."""
    return LoadedPolicy(GatePolicy(version=1), None, None)


def load_policy(path: str, display: str | None = None) -> LoadedPolicy:
    """Read and check the policy file at ``path`` (shown as ``display``)."""
    from threatforge.model import Limits, ReadError, read_yaml_file

    shown = display or path
    limits = Limits(max_bytes=MAX_POLICY_BYTES, max_depth=8, max_nodes=10_000)
    try:
        document = read_yaml_file(path, shown, limits)
    except ReadError as exc:
        raise PolicyError(f"policy {exc}") from None
    digest = _digest(path, shown)
    try:
        policy = GatePolicy.model_validate(document.value)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "(top level)"
            problems.append(f"{where}: {error['msg']}")
        raise PolicyError(f"policy {shown} is not valid: " + "; ".join(problems)) from None
    return LoadedPolicy(policy, shown, digest, document)


def _digest(path: str, shown: str) -> str:
    """The SHA-256 of the file's bytes (read again, within the same bound, regular files only)."""
    try:
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise PolicyError(f"policy {shown}: is not a regular file")
            raw = handle.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise PolicyError(f"policy {shown}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError(f"policy {shown}: is larger than {MAX_POLICY_BYTES} bytes")
    return "sha256:" + hashlib.sha256(raw).hexdigest()
