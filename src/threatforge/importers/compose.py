"""Docker Compose files in, a model out (issue 16 item 4).

- each service is a component, its id the service name; what its image is (kind, technology,
  protocol, port) comes from the mapping (``mappings/compose.yaml`` and ``--mapping`` files);
- each network is a zone (``networks.<name>``; ``networks.default`` for services that name
  none), a component sits in the first network it joins;
- published ports are exposure: ``public`` when bound to every address, ``private`` when only
  to the loopback address or not published at all (``published_ports`` lists them);
- ``depends_on``, ``links``, URLs in ``environment`` (``postgres://db:5432/app``) and
  ``*_HOST`` variables naming a service are flows; a URL to a host outside the file is an
  external service in the ``internet`` zone;
- a literal secret in ``environment`` is recorded as its kind and place, never its value
  (:mod:`threatforge.importers.secrets`);
- the same service in several files (``compose.yaml`` and ``compose.override.yaml``) is one
  component, its arguments read from every file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threatforge.errors import ImporterError
from threatforge.importers.builder import ModelBuilder
from threatforge.importers.endpoints import endpoint
from threatforge.importers.ids import element_id
from threatforge.importers.interface import ImportedModel, MappedImporter
from threatforge.importers.mapping import SourceMapping, TypeMapping
from threatforge.importers.walk import find_files
from threatforge.model import Document, Location, ReadError, read_yaml_file

__all__ = ["ComposeImporter", "image_type"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "[::1]"})


def image_type(image: str) -> str:
    """The repository of an image, as the mapping names types: the registry host,
    ``library/``, the tag and the digest dropped (``docker.io/library/postgres:16`` ->
    ``postgres``, ``ghcr.io/acme/api@sha256:...`` -> ``acme/api``)."""
    name = image.strip().split("@", 1)[0]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        name = rest
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: len(name) - len(last[-1]) + last[-1].index(":")]
    return name.removeprefix("library/").lower()


def _image_tag(image: str) -> str | None:
    if "@" in image:
        return None  # pinned by digest
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


@dataclass
class _Layer:
    """One file's definition of a service."""

    document: Document
    body: Mapping[str, Any]

    def at(self, service: str, *path: str | int, key: bool = False) -> Location:
        location = self.document.location(("services", service, *path), key=key)
        return Location(location.file, location.line)


class ComposeImporter(MappedImporter):
    """Docker Compose files: services, networks, published ports, links and environment URLs."""

    name = "compose"
    description = "Docker Compose files (services, networks, ports, links, environment)"
    patterns = (
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
        "compose.*.yaml",
        "compose.*.yml",
        "docker-compose.*.yaml",
        "docker-compose.*.yml",
    )

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from Compose files (folders are searched for :attr:`patterns`)."""
        files, notes = find_files(paths, self.patterns, what="Compose files")
        # a folder's base file first, then the files that override it (compose.override.yaml)
        files.sort(key=lambda p: (str(p.parent), p.name not in self.patterns[:4], p.name))
        mapping = self.mapping()
        return _ComposeRead(mapping, files, notes).run()


class _ComposeRead:
    def __init__(self, mapping: SourceMapping, files: Sequence[Path], notes: list[str]) -> None:
        self.mapping = mapping
        self.files = files
        self.builder = ModelBuilder("compose", system_name="")
        self.builder.notes.extend(notes)
        self.services: dict[str, list[_Layer]] = {}
        self.networks: dict[str, Location] = {}
        self.external_networks: set[str] = set()
        self.entries: dict[str, TypeMapping] = {}
        self.hosts: dict[str, str] = {}
        """Host names reaching a service (its name, hostname, container name, aliases)."""

    def run(self) -> ImportedModel:
        builder = self.builder
        for path in self.files:
            self.read_file(path)
        if not self.services:
            raise ImporterError(
                f"{', '.join(builder.files)}: no services found (a Compose file lists them under "
                "'services:')"
            )
        builder.system_name = builder.system_name or Path(self.files[0]).resolve().parent.name
        for name, layers in self.services.items():
            self.classify(name, layers)
        for name, layers in self.services.items():
            if name in self.entries:
                self.service(name, layers)
        for name, layers in self.services.items():
            if name in self.entries:
                self.flows(name, layers)
        builder.note_read("Compose file")
        return builder.build()

    # --- reading ---------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        builder = self.builder
        shown = builder.shown(str(path))
        try:
            document = read_yaml_file(str(path), shown)
        except ReadError as exc:
            message = exc.message.replace("a model needs at least 'system:'", "no services")
            raise ImporterError(f"{exc.location}: {message}") from None
        builder.files.append(shown)
        top = document.value
        services = top.get("services")
        if not isinstance(services, dict):
            builder.note(f"skipped {shown}: no 'services:' mapping (not a Compose file)")
            return
        name = top.get("name")
        if isinstance(name, str) and name.strip() and not builder.system_name:
            builder.system_name = name.strip()[:300]
        networks = top.get("networks")
        if isinstance(networks, dict):
            for network, body in networks.items():
                where = document.location(("networks", network), key=True)
                self.networks.setdefault(str(network), Location(where.file, where.line))
                if isinstance(body, dict) and body.get("external"):
                    self.external_networks.add(str(network))
        for service, body in services.items():
            if not isinstance(body, dict):
                where = document.location(("services", service))
                raise ImporterError(f"{where}: service '{service}' must be a mapping")
            self.services.setdefault(str(service), []).append(_Layer(document, body))

    def classify(self, name: str, layers: list[_Layer]) -> None:
        """Which mapping entry a service is, and the host names that reach it."""
        image = _last(layers, "image")
        if isinstance(image, str) and image.strip():
            found = self.mapping.lookup(image_type(image))
            if found is None:
                entry = self.mapping.default
                self.builder.note(
                    f"service '{name}': image '{image_type(image)}' is not in the mapping; kept "
                    f"as a {entry.kind.value if entry.kind else 'service'} (add it with "
                    "--mapping FILE)"
                )
            else:
                entry = found[1]
        else:
            entry = self.mapping.default
        if entry.becomes == "ignore":
            self.builder.note(f"service '{name}': its image is mapped to nothing (ignored)")
            return
        if entry.becomes == "zone":
            self.builder.note(f"service '{name}': a zone mapping cannot apply to a service")
            return
        self.entries[name] = entry
        self.hosts[name.lower()] = name
        for layer in layers:
            for key in ("hostname", "container_name"):
                value = layer.body.get(key)
                if isinstance(value, str):
                    self.hosts.setdefault(value.lower(), name)
            networks = layer.body.get("networks")
            if isinstance(networks, dict):
                for body in networks.values():
                    aliases = body.get("aliases") if isinstance(body, dict) else None
                    for alias in aliases if isinstance(aliases, list) else []:
                        self.hosts.setdefault(str(alias).lower(), name)

    # --- one service -----------------------------------------------------------------------

    def service(self, name: str, layers: list[_Layer]) -> None:
        builder = self.builder
        entry = self.entries[name]
        first = layers[0]
        kind = entry.kind or self.mapping.default.kind
        fields: dict[str, Any] = {}
        if entry.tech:
            fields["tech"] = entry.tech
        zone = self.zone_of(name, layers)
        if zone:
            fields["zone"] = zone
        cid = builder.component(name, first.at(name, key=True), kind, **fields)
        builder.components[cid].address = f"services.{name}"
        builder.apply_type(cid, entry)
        image = _last(layers, "image")
        if isinstance(image, str) and image.strip():
            builder.set_fact(cid, "properties.image", image.strip()[:300])
            tag = _image_tag(image.strip())
            if tag:
                builder.set_fact(cid, "properties.image_tag", tag[:300])
        for layer in layers:
            builder.apply_facts(cid, self.mapping.facts_of(entry), layer.body)
        self.exposure(cid, name, layers)
        self.volumes(cid, layers)
        for layer in layers:
            self.environment_secrets(cid, name, layer)
            env_files = layer.body.get("env_file")
            if env_files:
                listed = env_files if isinstance(env_files, list) else [env_files]
                shown = ", ".join(
                    str(f.get("path", f) if isinstance(f, dict) else f) for f in listed
                )
                builder.note(
                    f"service '{name}': env_file {shown} not read (keep secrets out of the "
                    "repository; state them in the overlay if the rules should know)"
                )

    def zone_of(
        self, name: str, layers: list[_Layer], seen: frozenset[str] = frozenset()
    ) -> str | None:
        builder = self.builder
        mode = _last(layers, "network_mode")
        if isinstance(mode, str) and mode == "host":
            return builder.zone(
                "networks.host",
                layers[0].at(name, "network_mode"),
                kind="network",
                trust="trusted",
                name="the host's network",
            )
        if isinstance(mode, str) and mode.startswith("service:"):
            other = mode.removeprefix("service:")
            if other in self.services and other not in seen | {name}:
                return self.zone_of(other, self.services[other], seen | {name})
        joined: list[str] = []
        for layer in layers:
            networks = layer.body.get("networks")
            if isinstance(networks, list | dict):
                joined.extend(str(n) for n in networks)
        joined = list(dict.fromkeys(joined)) or ["default"]
        if len(joined) > 1:
            builder.note(
                f"service '{name}' joins networks {', '.join(joined)}: placed in '{joined[0]}'"
            )
        network = joined[0]
        where = self.networks.get(network, layers[0].at(name, key=True))
        external = network in self.external_networks
        return builder.zone(
            f"networks.{network}",
            where,
            kind="network",
            trust="semi-trusted" if external else "trusted",
            name=f"Compose network {network}" + (" (external)" if external else ""),
        )

    def exposure(self, cid: str, name: str, layers: list[_Layer]) -> None:
        published: list[str] = []
        public = False
        for layer in layers:
            ports = layer.body.get("ports")
            for item in ports if isinstance(ports, list) else []:
                parsed = _port(item)
                if parsed is None:
                    continue
                host_ip, host_port, target, protocol = parsed
                if host_port is None:
                    host_port = "*"  # Compose picks a free host port: published all the same
                bound = host_ip or "0.0.0.0"  # noqa: S104 - what Compose binds by default
                published.append(f"{bound}:{host_port}->{target}/{protocol}")
                public = public or host_ip.lower() not in _LOOPBACK
        builder = self.builder
        builder.set_fact(cid, "exposure", "public" if public else "private")
        if published:
            builder.set_fact(cid, "properties.published_ports", published)

    def volumes(self, cid: str, layers: list[_Layer]) -> None:
        host_paths: list[str] = []
        for layer in layers:
            volumes = layer.body.get("volumes")
            for item in volumes if isinstance(volumes, list) else []:
                source = None
                if isinstance(item, str):
                    source = item.split(":", 1)[0] if ":" in item else None
                elif isinstance(item, dict) and item.get("type") == "bind":
                    source = item.get("source")
                if isinstance(source, str) and source.startswith("/"):
                    host_paths.append(source[:300])
        if host_paths:
            self.builder.set_fact(cid, "properties.host_path", list(dict.fromkeys(host_paths)))

    def environment_secrets(self, cid: str, name: str, layer: _Layer) -> None:
        """Literal secrets in ``environment`` and in ``build.args`` (baked into the image)."""
        for key, value, path in _environment(layer.body):
            found = self.builder.secrets.check(cid, key, value, layer.at(name, "environment", path))
            self.builder.record_secret(found)
        build = layer.body.get("build")
        if isinstance(build, dict):
            for key, value, path in _environment(build, "args"):
                where = layer.at(name, "build", "args", path)
                self.builder.record_secret(
                    self.builder.secrets.check(cid, f"build.args.{key}", value, where)
                )

    # --- flows -----------------------------------------------------------------------------

    def flows(self, name: str, layers: list[_Layer]) -> None:
        builder = self.builder
        source = element_id(name)
        entry = self.entries[name]
        # URLs first: they say the most about a flow (protocol, port, TLS, credentials)
        for layer in layers:
            for key, value, path in _environment(layer.body):
                if isinstance(value, str):
                    where = layer.at(name, "environment", path)
                    self.environment_flow(source, name, key, value, where)
        for layer in layers:

            def resolve(reference: str, layer: _Layer = layer) -> str | None:
                """The id of the service a ``depends_on``/``links`` entry names."""
                other = reference.split(":", 1)[0]  # links: "service:alias"
                if other in self.entries:
                    return element_id(other)
                if other not in self.services:
                    spot = layer.at(name, key=True)
                    builder.note(f"{spot}: service '{name}' names unknown service '{other}'")
                return None

            def place(argument_path: str, step: str | int, layer: _Layer = layer) -> Location:
                return layer.at(name, *argument_path.split("."), step)

            builder.reference_flows(
                source,
                self.mapping.flows_of(entry),
                layer.body,
                resolve,
                place,
                f"services.{name}",
            )

    def environment_flow(
        self, source: str, name: str, key: str, value: str, where: Location
    ) -> None:
        """The flow a URL or a ``*_HOST`` variable names: to a service of the files, or (a URL
        to a host outside them) to an external service in the ``internet`` zone."""
        found = endpoint(key, value)
        if found is None:
            return
        builder = self.builder
        address = f"services.{name}.environment.{key}"
        other = self.hosts.get(found.host)
        if other is not None:
            entry = self.entries.get(other)
            if entry is None or other == name:
                return
            builder.flow(
                source,
                element_id(other),
                where,
                address,
                protocol=found.protocol or entry.protocol,
                port=found.port or entry.port,
                tls=found.tls,
                authn=found.authn,
            )
            return
        if not (found.url and found.external):
            return
        internet = builder.zone(
            "internet", where, kind="internet", trust="untrusted", name="the internet"
        )
        target = builder.component(found.host, where, "external-service", zone=internet)
        builder.flow(
            source,
            target,
            where,
            address,
            protocol=found.protocol,
            port=found.port,
            tls=found.tls,
            authn=found.authn,
        )


def _last(layers: list[_Layer], key: str) -> Any:
    value = None
    for layer in layers:
        if key in layer.body:
            value = layer.body[key]
    return value


def _environment(
    body: Mapping[str, Any], key: str = "environment"
) -> list[tuple[str, Any, str | int]]:
    """(name, value, path step) of each variable: ``KEY=VALUE`` list items or a mapping."""
    env = body.get(key)
    found: list[tuple[str, Any, str | int]] = []
    if isinstance(env, dict):
        for key, value in env.items():
            found.append((str(key), value, key))
    elif isinstance(env, list):
        for index, item in enumerate(env):
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                found.append((key.strip(), value, index))
    return found


def _port(item: Any) -> tuple[str, str | None, str, str] | None:
    """(host address, host port, container port, protocol) of a ``ports:`` entry; None when it
    publishes nothing it can read."""
    if isinstance(item, dict):
        target = item.get("target")
        if target is None:
            return None
        published = item.get("published")
        return (
            str(item.get("host_ip") or ""),
            str(published) if published is not None else None,
            str(target),
            str(item.get("protocol") or "tcp"),
        )
    if not isinstance(item, str | int):
        return None
    text = str(item)
    text, _, protocol = text.partition("/")
    host_ip = ""
    if text.startswith("["):  # [::1]:8080:80
        close = text.find("]")
        host_ip, text = text[: close + 1], text[close + 2 :]
    parts = text.split(":")
    if len(parts) == 3:
        host_ip, host, target = parts
        return (host_ip, host or None, target, protocol or "tcp")
    if len(parts) == 2:
        return (host_ip, parts[0] or None, parts[1], protocol or "tcp")
    return (host_ip, None, parts[0], protocol or "tcp")
