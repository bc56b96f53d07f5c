"""Where a setting points: the endpoint an environment variable (or a resource argument) names.

Compose ``environment``, Kubernetes ``env``, a Lambda's or an ECS task's environment all say
where a service connects in the same two ways: a URL (``postgres://app:pw@db:5432/app``,
``jdbc:mysql://db/app``, ``https://api.example.com``) or a ``*_HOST`` variable holding a host
name (``REDIS_HOST=cache:6380``). :func:`endpoint` reads either into the facts a flow needs,
never keeping a password (:func:`threatforge.importers.secrets.parse_url`); the importer decides
which element the host is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from threatforge.importers.secrets import parse_url
from threatforge.model.vocabulary import protocol_problem

__all__ = ["LOCAL_HOSTS", "Endpoint", "endpoint"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost", "[::1]", "0.0.0.0"})  # noqa: S104
_HOST_VARIABLE = re.compile(r"(_HOST|_HOSTNAME|_ADDR|_ADDRESS|_SERVER)$", re.I)
_SCHEMES = {"postgresql": "postgres", "psql": "postgres", "mongo": "mongodb", "rabbitmq": "amqp"}
_TLS_QUERY = {"require": True, "verify-ca": True, "verify-full": True, "disable": False}


@dataclass(frozen=True)
class Endpoint:
    """What a setting says of a connection. ``protocol`` is None when the scheme is not one the
    vocabulary knows; ``tls`` when the URL does not say (``sslmode=``, ``ssl=``)."""

    host: str
    protocol: str | None = None
    port: int | None = None
    tls: bool | None = None
    authn: str | None = None
    """``password`` when the URL carries one (its value is never kept)."""
    url: bool = True
    """False for a ``*_HOST`` variable (only a host and maybe a port)."""

    @property
    def external(self) -> bool:
        """A host outside the deployment: a dotted name that is not local or a placeholder."""
        return "." in self.host and self.host not in LOCAL_HOSTS and "$" not in self.host


def endpoint(name: str, value: object) -> Endpoint | None:
    """The endpoint the setting ``name = value`` names, or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower().startswith("jdbc:"):
        text = text[5:]
    url = parse_url(text)
    if url.host:
        scheme = _SCHEMES.get(url.scheme, url.scheme)
        protocol = scheme if protocol_problem(scheme, hint=False) is None else None
        return Endpoint(
            url.host,
            protocol,
            url.port,
            _tls(text),
            "password" if url.has_password else None,
        )
    if _HOST_VARIABLE.search(name) and text and " " not in text:
        host, _, port = text.partition(":")
        number = int(port) if port.isdigit() and 0 < int(port) < 65536 else None
        return Endpoint(host.lower(), port=number, url=False)
    return None


def _tls(url: str) -> bool | None:
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    for key in ("sslmode", "ssl-mode", "ssl"):
        for value in query.get(key, []):
            if value.lower() in _TLS_QUERY:
                return _TLS_QUERY[value.lower()]
            if value.lower() in ("true", "1"):
                return True
    return None
