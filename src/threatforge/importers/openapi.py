"""OpenAPI 3.x and Swagger 2.0 documents in, a model out (issue 16 item 5).

- each document is one API component (kind and facts from the mapping: ``service``,
  ``api_style: rest``), its id the slug of ``info.title``; its operations are its ``routes``
  (``POST /orders/{orderId}``), so the API rules read object-id path parameters and write
  routes from them;
- the security of each operation (the document's ``security``, an operation's own, ``[]`` or
  ``{}``: anonymous) maps to ``authn`` (``apiKey``: api-key, ``http`` basic/bearer/digest:
  basic/jwt/password, ``oauth2``: oauth2, ``openIdConnect``: oidc, ``mutualTLS``: mtls). A
  state-changing operation (POST, PUT, PATCH, DELETE) anyone may call makes the API's
  ``authn: none``; the anonymous operations are listed in ``unauthenticated_routes``. OAuth2 or
  OIDC scopes on operations are ``authz: scopes``;
- servers (``servers[].url``; Swagger's ``host``, ``basePath``, ``schemes``) give the exposure
  (a private or loopback host: ``private``, another host: ``public``) and, with the paths,
  whether the API is ``versioned`` (a ``/v1`` segment); deprecated operations are
  ``deprecated_versions`` (their version segment, or the route);
- request bodies with URL fields (``format: uri``/``url``, names such as ``callback_url``)
  are ``fetches_user_urls: true``; object ids in queries (``orderId``) are
  ``object_ids_in_requests: true``;
- sensitive fields of request and response bodies (passwords, card numbers, CVVs, tokens,
  e-mail addresses, IBANs, national ids) are data assets the API processes, each classified.

Local ``$ref`` s (``#/components/schemas/Order``) are followed with a depth and a count bound;
a reference to another file or a URL is never fetched (a note names it).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from threatforge.errors import ImporterError
from threatforge.importers.builder import ModelBuilder
from threatforge.importers.interface import ImportedModel, MappedImporter
from threatforge.importers.mapping import SourceMapping
from threatforge.importers.walk import find_files
from threatforge.model import Document, Location, ReadError, read_yaml_file

__all__ = ["MAX_REF_DEPTH", "MAX_SCHEMA_NODES", "OpenApiImporter", "sensitive_field"]

MAX_REF_DEPTH = 16
"""How many ``$ref`` s deep a schema is followed (a cycle stops there)."""
MAX_SCHEMA_NODES = 5_000
"""How many schema nodes of one document are read in all (a larger document is read in part,
with a note)."""

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_VERSION = re.compile(r"^v\d+(?:\.\d+)*$", re.IGNORECASE)

_HTTP_SCHEMES = {"basic": "basic", "bearer": "jwt", "digest": "password"}
_SCHEME_TYPES = {
    "apikey": "api-key",
    "basic": "basic",
    "oauth2": "oauth2",
    "openidconnect": "oidc",
    "mutualtls": "mtls",
}

_SENSITIVE: tuple[tuple[re.Pattern[str], str, str, tuple[str, ...], str], ...] = (
    (
        re.compile(r"^(cvv2?|cvc2?|cardverification\w*|securitycode|cardsecuritycode)$"),
        "card-security-code",
        "restricted",
        ("pci.sad",),
        "card security code (CVV)",
    ),
    (
        re.compile(r"^(cardnumber|pan|primaryaccountnumber|ccnumber|creditcardnumber|cardno)$"),
        "card-number",
        "restricted",
        ("pci.pan",),
        "card number (PAN)",
    ),
    (
        re.compile(r"^(password|passwd|passphrase|newpassword|oldpassword|currentpassword|pin)$"),
        "password",
        "restricted",
        ("credentials",),
        "password",
    ),
    (
        re.compile(r"^(apikey|clientsecret|secret|apisecret)$"),
        "api-credentials",
        "restricted",
        ("credentials",),
        "API key or client secret",
    ),
    (
        re.compile(
            r"^(token|accesstoken|refreshtoken|idtoken|sessiontoken|sessionid|bearertoken)$"
        ),
        "tokens",
        "confidential",
        ("session-tokens",),
        "access, refresh or session token",
    ),
    (
        re.compile(
            r"^(ssn|socialsecuritynumber|nationalid|nationalidentifier|taxid|passportnumber)$"
        ),
        "national-id",
        "restricted",
        ("pii",),
        "national identifier (SSN, tax id, passport)",
    ),
    (
        re.compile(r"^(iban|bankaccount|bankaccountnumber|accountnumber|routingnumber|bic|swift)$"),
        "bank-account",
        "confidential",
        ("financial",),
        "bank account (IBAN, account number)",
    ),
    (
        re.compile(
            r"^(email|emailaddress|phone|phonenumber|mobile|dateofbirth|dob|birthdate|"
            r"firstname|lastname|fullname|address|streetaddress|postalcode|zipcode)$"
        ),
        "personal-data",
        "confidential",
        ("pii",),
        "personal data (e-mail, phone, name, address)",
    ),
)
"""Field name (lower case, letters and digits only) -> data asset id, classification,
categories and name."""

_URL_FORMATS = frozenset({"uri", "url", "iri", "uri-reference"})
_URL_NAME = re.compile(r"(^|_)(url|uri)$|(callback|webhook|notify|image|avatar|fetch)(url|uri)$")
_ID_NAME = re.compile(r"(^id$|_id$|[a-z]Id$|^uuid$)")


def sensitive_field(name: str) -> tuple[str, str, tuple[str, ...], str] | None:
    """(data asset id, classification, categories, name) of a field named ``name``
    (``cardNumber``, ``card_number``, ``CVV``), or None for a field that is not sensitive."""
    plain = re.sub(r"[^a-z0-9]", "", name.lower())
    for pattern, asset, classification, categories, title in _SENSITIVE:
        if pattern.match(plain):
            return asset, classification, categories, title
    return None


def _is_url_field(name: str, schema: Mapping[str, Any]) -> bool:
    if str(schema.get("format", "")).lower() in _URL_FORMATS:
        return "redirect" not in name.lower()
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return bool(_URL_NAME.search(snake)) and "redirect" not in snake


class OpenApiImporter(MappedImporter):
    """OpenAPI 3.x and Swagger 2.0 documents: operations, security, servers, body fields."""

    name = "openapi"
    description = "OpenAPI 3.x and Swagger 2.0 documents (operations, security, servers, data)"
    patterns = (
        "openapi.yaml",
        "openapi.yml",
        "openapi.json",
        "swagger.yaml",
        "swagger.yml",
        "swagger.json",
        "*.openapi.yaml",
        "*.openapi.yml",
        "*.openapi.json",
    )

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from OpenAPI documents (folders are searched for :attr:`patterns`)."""
        files, notes = find_files(paths, self.patterns, what="OpenAPI documents")
        return _OpenApiRead(self.mapping(), files, notes).run()


@dataclass
class _Operation:
    method: str
    path: str
    location: Location
    address: str
    schemes: list[str] | None
    """Security scheme names of the first requirement; None: anyone may call it."""
    scopes: bool
    deprecated: bool

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class _Api:
    document: Document
    cid: str
    operations: list[_Operation] = field(default_factory=list)
    url_fields: list[str] = field(default_factory=list)
    id_fields: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    nodes: int = 0


class _OpenApiRead:
    def __init__(self, mapping: SourceMapping, files: Sequence[Path], notes: list[str]) -> None:
        self.mapping = mapping
        self.files = files
        self.builder = ModelBuilder("openapi", system_name="")
        self.builder.notes.extend(notes)

    def run(self) -> ImportedModel:
        builder = self.builder
        apis = 0
        for path in self.files:
            apis += self.read_file(path)
        if not apis:
            raise ImporterError(
                f"{', '.join(builder.files) or 'openapi'}: no OpenAPI document found (one starts "
                "with 'openapi: 3.x' or 'swagger: \"2.0\"')"
            )
        builder.note(
            f"read {apis} OpenAPI document{'s' if apis != 1 else ''}: "
            f"{len(builder.components)} components, {len(builder.data)} data assets"
        )
        return builder.build()

    def read_file(self, path: Path) -> int:
        builder = self.builder
        shown = builder.shown(str(path))
        try:
            document = read_yaml_file(str(path), shown)
        except ReadError as exc:
            message = exc.message.replace("a model needs at least 'system:'", "no API")
            raise ImporterError(f"{exc.location}: {message}") from None
        top = document.value
        version_key = "openapi" if "openapi" in top else "swagger" if "swagger" in top else None
        if version_key is None:
            builder.note(f"skipped {shown}: no 'openapi:' or 'swagger:' key (not an OpenAPI file)")
            return 0
        builder.files.append(shown)
        raw_info = top.get("info")
        info: Mapping[str, Any] = raw_info if isinstance(raw_info, dict) else {}
        title = str(info.get("title") or "").strip()
        address = _slug(title) or _slug(path.name.split(".", 1)[0]) or "api"
        builder.system_name = builder.system_name or title[:300] or address
        entry = self.mapping.default
        kind = entry.kind or "service"
        where = document.location((version_key,), key=True)
        fields: dict[str, Any] = {}
        if title:
            fields["name"] = title[:300]
        if entry.tech:
            fields["tech"] = entry.tech
        cid = builder.component(address, Location(where.file, where.line), kind, **fields)
        builder.apply_type(cid, entry)
        api = _Api(document, cid)
        self.operations(api, version_key)
        self.facts(api, version_key)
        return 1

    # --- operations ------------------------------------------------------------------------

    def operations(self, api: _Api, version_key: str) -> None:
        top = api.document.value
        paths = top.get("paths")
        if not isinstance(paths, dict):
            self.builder.note(f"{api.document.file}: no 'paths:' (an API without operations)")
            return
        default_security = top.get("security")
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            if "$ref" in item:
                self.builder.note(
                    f"{self.at(api, ('paths', path))}: path item $ref {item['$ref']} not followed"
                )
            shared = item.get("parameters")
            for method in _METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                trail: tuple[str | int, ...] = ("paths", path, method)
                security = operation.get("security", default_security)
                schemes, scopes = _requirement(security)
                api.operations.append(
                    _Operation(
                        method.upper(),
                        str(path),
                        self.at(api, trail, key=True),
                        f"paths.{path}.{method}",
                        schemes,
                        scopes,
                        operation.get("deprecated") is True,
                    )
                )
                parameters = [
                    *(shared if isinstance(shared, list) else []),
                    *(operation.get("parameters") or []),
                ]
                self.parameters(api, trail, parameters)
                body = operation.get("requestBody")
                if isinstance(body, dict):
                    body = self.resolve(api, body, trail)
                    for schema in _content_schemas(body):
                        self.schema_fields(api, trail, schema, request=True)
                responses = operation.get("responses")
                for response in responses.values() if isinstance(responses, dict) else []:
                    if not isinstance(response, dict):
                        continue
                    response = self.resolve(api, response, trail)
                    schemas = list(_content_schemas(response))
                    if isinstance(response.get("schema"), dict):  # Swagger 2.0
                        schemas.append(response["schema"])
                    for schema in schemas:
                        self.schema_fields(api, trail, schema, request=False)

    def parameters(self, api: _Api, trail: tuple[str | int, ...], items: list[Any]) -> None:
        for raw in items:
            if not isinstance(raw, dict):
                continue
            parameter = self.resolve(api, raw, trail)
            where = parameter.get("in")
            name = str(parameter.get("name", ""))
            if where == "body" and isinstance(parameter.get("schema"), dict):  # Swagger 2.0
                self.schema_fields(api, trail, parameter["schema"], request=True)
            elif where in ("query", "formData", "header", "cookie"):
                self.field(api, trail, name, parameter, request=True)
                if where in ("query", "formData") and _ID_NAME.search(name):
                    api.id_fields.append(name)

    def schema_fields(
        self, api: _Api, trail: tuple[str | int, ...], schema: Any, *, request: bool, depth: int = 0
    ) -> None:
        """Each property of ``schema`` (followed through local ``$ref`` s, ``allOf``/
        ``oneOf``/``anyOf`` and array items), bounded by depth and node count."""
        if not isinstance(schema, dict) or depth > MAX_REF_DEPTH:
            return
        api.nodes += 1
        if api.nodes > MAX_SCHEMA_NODES:
            if api.nodes == MAX_SCHEMA_NODES + 1:
                self.builder.note(
                    f"{api.document.file}: more than {MAX_SCHEMA_NODES:,} schema nodes; the rest "
                    "was not read"
                )
            return
        schema = self.resolve(api, schema, trail)
        for key in ("allOf", "oneOf", "anyOf"):
            for part in schema.get(key) or []:
                self.schema_fields(api, trail, part, request=request, depth=depth + 1)
        if isinstance(schema.get("items"), dict):
            self.schema_fields(api, trail, schema["items"], request=request, depth=depth + 1)
        properties = schema.get("properties")
        for name, body in properties.items() if isinstance(properties, dict) else []:
            if not isinstance(body, dict):
                continue
            body = self.resolve(api, body, trail)
            self.field(api, trail, str(name), body, request=request)
            self.schema_fields(api, trail, body, request=request, depth=depth + 1)

    def field(
        self,
        api: _Api,
        trail: tuple[str | int, ...],
        name: str,
        schema: Mapping[str, Any],
        *,
        request: bool,
    ) -> None:
        if request and _is_url_field(name, schema):
            api.url_fields.append(name)
        for key in ("example", "default"):
            # by its shape only (a live API key, a private key, a JWT): the name of a field
            # says what an example stands for, not that the example is a real secret
            value = schema.get(key)
            if isinstance(value, str):
                where = self.at(api, trail, key=True)
                self.builder.record_secret(self.builder.secrets.check(api.cid, key, value, where))
        found = sensitive_field(name)
        if found is None:
            return
        asset, classification, categories, title = found
        new = asset not in self.builder.data
        did = self.builder.data_asset(
            asset,
            self.at(api, trail[:2], key=True),
            name=title,
            classification=classification,
            categories=list(categories),
        )
        if new:  # its origin names the path item where it was first seen
            self.builder.data[did].address = f"{trail[0]}.{trail[1]}"
        if did not in api.data:
            api.data.append(did)

    def resolve(
        self, api: _Api, node: Mapping[str, Any], trail: tuple[str | int, ...]
    ) -> Mapping[str, Any]:
        """``node`` with its local ``$ref`` followed (bounded); a remote one is noted."""
        seen = 0
        while isinstance(node.get("$ref"), str):
            reference: str = node["$ref"]
            if not reference.startswith("#/"):
                self.builder.note(
                    f"{self.at(api, trail, key=True)}: $ref {reference[:200]} not fetched "
                    "(only references inside the document are followed)"
                )
                return {}
            seen += 1
            target = _pointer(api.document.value, reference) if seen <= MAX_REF_DEPTH else None
            if not isinstance(target, dict):
                if seen > MAX_REF_DEPTH:
                    self.builder.note(f"{self.at(api, trail, key=True)}: $ref chain too deep")
                else:
                    self.builder.note(
                        f"{self.at(api, trail, key=True)}: $ref {reference[:200]} names nothing"
                    )
                return {}
            node = target
        return node

    def at(self, api: _Api, trail: tuple[str | int, ...], *, key: bool = False) -> Location:
        location = api.document.location(trail, key=key)
        return Location(location.file, location.line)

    # --- facts -----------------------------------------------------------------------------

    def facts(self, api: _Api, version_key: str) -> None:
        builder = self.builder
        cid = api.cid
        top = api.document.value
        operations = api.operations
        builder.set_fact(cid, "routes", [op.route for op in operations])
        schemes = _schemes(top)
        anonymous = [op for op in operations if op.schemes is None]
        open_writes = [op for op in anonymous if op.method in _STATE_CHANGING]
        authns: list[str] = []
        for op in operations:
            for scheme in op.schemes or []:
                authn = schemes.get(scheme)
                if authn is None:
                    builder.note(f"{op.location}: {op.route}: unknown security scheme '{scheme}'")
                elif authn not in authns:
                    authns.append(authn)
        if open_writes or not authns:
            builder.set_fact(cid, "authn", "none")
        else:
            builder.set_fact(cid, "authn", authns[0])
            if len(authns) > 1:
                builder.note(
                    f"API '{cid}': operations authenticate with {', '.join(authns)}; "
                    f"authn: {authns[0]} kept"
                )
        for op in open_writes:
            builder.note(f"{op.location}: {op.route} changes state and anyone may call it")
        if anonymous:
            builder.set_fact(cid, "properties.unauthenticated_routes", [o.route for o in anonymous])
        if any(op.scopes for op in operations if op.schemes):
            builder.set_fact(cid, "authz", "scopes")
        servers = _servers(top, version_key)
        for index, server in enumerate(servers):
            where = self.at(api, ("servers", index) if version_key == "openapi" else ("host",))
            builder.record_secret(builder.secrets.check(cid, "servers.url", server, where))
        exposure = _exposure(servers)
        if exposure is not None:
            builder.set_fact(cid, "exposure", exposure)
        elif operations:
            builder.note(
                f"API '{cid}': no server with a host name; its exposure is not stated (say it in "
                "the overlay)"
            )
        server_versioned = any(_has_version(urlsplit(s).path) for s in servers)
        builder.set_fact(
            cid,
            "properties.versioned",
            server_versioned
            or (bool(operations) and all(_has_version(op.path) for op in operations)),
        )
        deprecated = [op for op in operations if op.deprecated]
        if deprecated:
            versions = [_version_of(op.path) or op.route for op in deprecated]
            builder.set_fact(cid, "properties.deprecated_versions", list(dict.fromkeys(versions)))
        if api.url_fields:
            builder.set_fact(cid, "properties.fetches_user_urls", True)
            builder.note(
                f"API '{cid}': requests carry URLs ({', '.join(dict.fromkeys(api.url_fields))}): "
                "fetches_user_urls: true (set false in the overlay if it never fetches them)"
            )
        if api.id_fields:
            builder.set_fact(cid, "properties.object_ids_in_requests", True)
        if api.data:
            builder.set_fact(cid, "processes", api.data)


def _requirement(security: Any) -> tuple[list[str] | None, bool]:
    """(scheme names of the first requirement, whether any requirement asks for scopes);
    None when the operation may be called without one (no ``security``, ``[]`` or ``{}``)."""
    if not isinstance(security, list) or not security:
        return None, False
    requirements = [r for r in security if isinstance(r, dict)]
    if not requirements or any(not r for r in requirements):
        return None, False
    scopes = any(isinstance(v, list) and v for r in requirements for v in r.values())
    return [str(name) for name in requirements[0]], scopes


def _schemes(top: Mapping[str, Any]) -> dict[str, str]:
    """Security scheme name -> ``authn`` value (OpenAPI 3's ``components.securitySchemes``,
    Swagger's ``securityDefinitions``)."""
    components = top.get("components")
    found = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(found, dict):
        found = top.get("securityDefinitions")
    schemes: dict[str, str] = {}
    for name, body in found.items() if isinstance(found, dict) else []:
        if not isinstance(body, dict):
            continue
        kind = str(body.get("type", "")).lower()
        if kind == "http":
            scheme = str(body.get("scheme", "")).lower()
            authn = _HTTP_SCHEMES.get(scheme)
        else:
            authn = _SCHEME_TYPES.get(kind)
        if authn is not None:
            schemes[str(name)] = authn
    return schemes


def _servers(top: Mapping[str, Any], version_key: str) -> list[str]:
    if version_key == "swagger":
        host = top.get("host")
        if not isinstance(host, str) or not host:
            return []
        schemes = top.get("schemes") or ["https"]
        base = str(top.get("basePath") or "")
        return [f"{scheme}://{host}{base}" for scheme in schemes if isinstance(scheme, str)]
    servers = top.get("servers")
    return (
        [str(s["url"]) for s in servers if isinstance(s, dict) and isinstance(s.get("url"), str)]
        if isinstance(servers, list)
        else []
    )


def _exposure(servers: list[str]) -> str | None:
    """``public`` when a server has a host that is not private, ``private`` when every host
    is private or loopback, None when no server names a host."""
    hosts = [urlsplit(s).hostname for s in servers if "://" in s]
    named = [h for h in hosts if h]
    if not named:
        return None
    return "private" if all(_private_host(h) for h in named) else "public"


def _private_host(host: str) -> bool:
    if host in ("localhost",) or host.endswith((".local", ".internal", ".localhost", ".svc")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host and "{" not in host  # a bare name resolves inside a network
    return address.is_private or address.is_loopback or address.is_link_local


def _has_version(path: str) -> bool:
    return _version_of(path) is not None


def _version_of(path: str) -> str | None:
    for segment in path.split("/"):
        if _VERSION.match(segment):
            return segment.lower()
    return None


def _content_schemas(body: Mapping[str, Any]) -> Iterator[Any]:
    content = body.get("content")
    for media in content.values() if isinstance(content, dict) else []:
        if isinstance(media, dict) and isinstance(media.get("schema"), dict):
            yield media["schema"]


def _pointer(document: Any, reference: str) -> Any:
    """The value a local JSON pointer (``#/components/schemas/Order``) names, or None."""
    node = document
    for raw in reference[2:].split("/"):
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    return node


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100]
