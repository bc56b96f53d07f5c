"""Secrets stay secret: a literal secret found in imported code is recorded as its presence,
its kind and its location, never its value.

Every importer passes each literal it reads from an argument that may hold a secret (an
environment variable, a resource argument, a variable's default) through
:meth:`SecretLedger.check`. A secret is recognised by its value (an AWS access key id, a private
key block, a well-known token prefix, a password in a URL) or by its name (``*PASSWORD*``,
``*TOKEN*``, ``*SECRET*``, ...) holding a literal rather than a reference (``${VAR}``, a
``/run/secrets/`` path, a Secrets Manager ARN). The ledger keeps the values only in memory, so
that :meth:`SecretLedger.require_absent` can refuse a written model that would hold one (a bug
in an importer, never a leaked secret); nothing the ledger returns contains a value.

:func:`parse_url` reads the scheme, host and port of a URL for flows and says whether it
carries a password, without returning the password.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from threatforge.errors import ImporterError
from threatforge.model import Location

__all__ = [
    "LiteralSecret",
    "SecretKind",
    "SecretLedger",
    "Url",
    "parse_url",
    "redact_secrets",
    "secret_kind",
]


class SecretKind(StrEnum):
    """What kind of secret a literal is."""

    PASSWORD = "password"  # noqa: S105 - the name of a kind of secret, not a secret
    ACCESS_KEY = "access-key"
    PRIVATE_KEY = "private-key"
    TOKEN = "token"  # noqa: S105 - the name of a kind of secret, not a secret
    API_KEY = "api-key"
    SECRET = "secret"  # noqa: S105 - the name of a kind of secret, not a secret
    URL_PASSWORD = "password-in-url"  # noqa: S105 - the name of a kind of secret, not a secret


_BY_VALUE: tuple[tuple[re.Pattern[str], SecretKind], ...] = (
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"), SecretKind.ACCESS_KEY),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), SecretKind.PRIVATE_KEY),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"), SecretKind.TOKEN),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), SecretKind.TOKEN),
    (re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}"), SecretKind.API_KEY),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"), SecretKind.TOKEN),
)
_BY_NAME: tuple[tuple[re.Pattern[str], SecretKind], ...] = (
    (re.compile(r"private[_-]?key", re.I), SecretKind.PRIVATE_KEY),
    (
        re.compile(r"(secret|private)[_-]?access[_-]?key|access[_-]?key[_-]?secret", re.I),
        SecretKind.ACCESS_KEY,
    ),
    (re.compile(r"api[_-]?key|apikey", re.I), SecretKind.API_KEY),
    (re.compile(r"passw(or)?d|passwd|(^|[_-])pwd($|[_-])|passphrase", re.I), SecretKind.PASSWORD),
    (re.compile(r"token", re.I), SecretKind.TOKEN),
    (re.compile(r"secret|credential|(^|[_-])auth($|[_-])", re.I), SecretKind.SECRET),
)
_NOT_A_VALUE = re.compile(
    r"(_|-)(file|path|dir|url|uri|endpoint|ttl|expiry|expires|expiration|lifetime|length|"
    r"size|type|enabled|disabled|mode|header|name|arn|id|ref|policy|rotation|count|version)$",
    re.I,
)
"""Names that hold something about a secret (where it is, how long it lives), not the secret."""
_REFERENCE = re.compile(
    r"^\$\{[^}]*\}$|^\$[A-Za-z_][A-Za-z0-9_]*$|^\{\{.*\}\}$|^/run/secrets/|^arn:aws[a-z-]*:"
    r"(secretsmanager|ssm|kms):|^(vault|ssm|secretsmanager|awssm|gcpsm|azkv)://|^<.*>$"
)
"""A value that names where the secret is (``${DB_PASSWORD}``, ``/run/secrets/db``)."""
_EMPTY_LIKE = frozenset({"", "null", "none", "~", "true", "false", "yes", "no", "on", "off"})


def secret_kind(name: str, value: object) -> SecretKind | None:
    """The kind of secret ``value`` (a literal under ``name``) is, or None when it is none."""
    if not isinstance(value, str):
        if isinstance(value, bool) or value is None:
            return None
        value = str(value)
    text = value.strip()
    if text.lower() in _EMPTY_LIKE or _REFERENCE.search(text):
        return None
    for pattern, kind in _BY_VALUE:
        if pattern.search(text):
            return kind
    if "://" in text:
        return SecretKind.URL_PASSWORD if parse_url(text).has_password else None
    if "${" in text:  # an interpolation: the secret is elsewhere
        return None
    if _NOT_A_VALUE.search(name):
        return None
    for pattern, kind in _BY_NAME:
        if pattern.search(name):
            return kind
    return None


@dataclass(frozen=True)
class LiteralSecret:
    """A secret found written in the input: what kind, under which name, where. No value."""

    kind: SecretKind
    name: str
    location: Location
    element: str

    @property
    def description(self) -> str:
        """``password in POSTGRES_PASSWORD at compose.yaml:14``."""
        return f"{self.kind.value} in {self.name} at {self.location}"


@dataclass
class SecretLedger:
    """The literal secrets one import found (and, in memory only, their values)."""

    found: list[LiteralSecret] = field(default_factory=list)
    _values: dict[str, LiteralSecret] = field(default_factory=dict, repr=False)

    def check(
        self, element: str, name: str, value: object, location: Location
    ) -> LiteralSecret | None:
        """Record ``value`` (the literal under ``name`` of ``element``, at ``location``) if it is
        a secret; the record (never the value), or None."""
        kind = secret_kind(name, value)
        if kind is None:
            return None
        text = str(value).strip()
        found = LiteralSecret(kind, name, location, element)
        self._values[text] = found
        if kind is SecretKind.URL_PASSWORD:
            password = urlsplit(text).password
            if password:
                self._values[password] = found
        self.found.append(found)
        return found

    def of(self, element: str) -> list[LiteralSecret]:
        """The secrets found on one element, in the order found."""
        return [s for s in self.found if s.element == element]

    def require_absent(self, texts: Iterable[str], where: str) -> None:
        """Raise :class:`ImporterError` (naming the kinds and places, never a value) when any
        recorded value occurs in ``texts``."""
        values = {v: s for v, s in self._values.items() if len(v) >= 4}
        if not values:
            return
        for text in texts:
            leaked = [s for v, s in values.items() if v in text]
            if leaked:
                places = "; ".join(s.description for s in leaked[:5])
                raise ImporterError(
                    f"{where} would contain a literal secret ({places}); nothing was written "
                    "(please report this)"
                )


@dataclass(frozen=True)
class Url:
    """What a flow needs of a URL: scheme, host, port, and whether it carries a password."""

    scheme: str
    host: str
    port: int | None
    has_password: bool


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s]+$")


def parse_url(text: str) -> Url:
    """The parts of ``text`` a flow needs; an empty host when it is not a URL."""
    if not _URL.match(text.strip()):
        return Url("", "", None, False)
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return Url("", "", None, False)
    return Url(
        parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.password is not None
    )


def redact_secrets(text: str) -> tuple[str, tuple[SecretKind, ...]]:
    """``text`` with every value shaped like a secret (an AWS access key id, a private key block,
    a well-known token) replaced by ``[redacted KIND]``, and the kinds replaced, in order: for
    free text an importer copies (a threat's description), where a name says nothing."""
    found: list[SecretKind] = []
    for pattern, kind in _BY_VALUE:

        def replace(match: re.Match[str], kind: SecretKind = kind) -> str:
            found.append(kind)
            return f"[redacted {kind.value}]"

        text = pattern.sub(replace, text)
    return text, tuple(found)
