"""Kubernetes manifests in, a model out (issue 16 item 3).

- each workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job, CronJob) is a
  component, its id ``KIND/NAMESPACE/NAME`` (``Deployment/shop/api``); kind and technology from
  the mapping (``mappings/kubernetes.yaml``), pod-spec facts from its arguments, container facts
  (privileged, capabilities, user, image, resource limits, hostPath volumes) read here;
- each namespace is a zone ``Namespace/NAME`` (``kind: namespace``); ``default_deny`` and
  ``network_policies`` say whether a NetworkPolicy selecting every pod denies ingress;
- an environment variable naming a Service (a URL or ``*_HOST``) is a flow to each workload the
  Service's selector picks; an Ingress (and a ``LoadBalancer``/``NodePort`` Service) is a
  public gateway with a flow from ``internet-clients`` and flows to the workloads behind it;
- RBAC: a workload's service account bound to ``cluster-admin`` gives ``cluster_role:
  cluster-admin``, a bound role with ``*`` gives ``rbac_wildcard: true``;
- ``secretKeyRef``/``envFrom.secretRef`` give ``secrets_in_env``, a Secret manifest in the files
  that a workload uses gives ``secrets_in_manifests``, a literal secret in ``env`` is recorded
  through the shared ledger (kind and place, never the value);
- Helm templates (``{{ ... }}``) are skipped with a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threatforge.errors import ImporterError
from threatforge.importers.builder import ModelBuilder
from threatforge.importers.endpoints import endpoint
from threatforge.importers.interface import ImportedModel, MappedImporter
from threatforge.importers.mapping import SourceMapping
from threatforge.importers.walk import find_files
from threatforge.model import Document, Location, ReadError, read_yaml_documents

__all__ = ["KubernetesImporter"]

_POD_SPEC: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Where each workload kind keeps its pod spec (its labels sit beside it, in ``metadata``)."""
_READ_HERE = frozenset(
    {
        "Service",
        "Ingress",
        "NetworkPolicy",
        "ServiceAccount",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "Secret",
        "ConfigMap",
        "Namespace",
    }
)
_CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding"})
_HELM = re.compile(r"\{\{")
_INTERNET_CLIENTS = "internet-clients"


@dataclass
class _Object:
    """One manifest (a document of a file)."""

    document: Document
    body: Mapping[str, Any]
    kind: str
    name: str
    namespace: str
    prefix: tuple[str | int, ...] = ()
    """Where the object sits in its document (an item of a ``kind: List``)."""

    def at(self, *path: str | int, key: bool = False) -> Location:
        location = self.document.location((*self.prefix, *path), key=key)
        return Location(location.file, location.line)


@dataclass
class _Service:
    obj: _Object
    selects: list[str] = field(default_factory=list)
    """Ids of the workloads its selector picks."""


class KubernetesImporter(MappedImporter):
    """Kubernetes manifests: workloads, namespaces, Services, Ingresses, NetworkPolicies, RBAC,
    Secrets."""

    name = "kubernetes"
    description = "Kubernetes manifests (workloads, Services, Ingresses, NetworkPolicies, RBAC)"
    patterns = ("*.yaml", "*.yml")

    def claims(self, path: Path) -> bool:
        """A YAML file whose first 4 KiB have top-level ``apiVersion:`` and ``kind:``."""
        from threatforge.importers.auto import looks_like

        return looks_like(path) == "Kubernetes"

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from manifests (folders: the YAML files that look like manifests)."""
        files, notes = find_files(paths, self.patterns, what="Kubernetes manifests")
        given = {p for p in paths if p.is_file()}
        files = [f for f in files if f in given or self.claims(f)]
        if not files:
            raise ImporterError(
                f"{', '.join(map(str, paths))}: no Kubernetes manifests found (YAML files with "
                "top-level 'apiVersion:' and 'kind:')"
            )
        return _KubernetesRead(self.mapping(), files, notes).run()


class _KubernetesRead:
    def __init__(self, mapping: SourceMapping, files: Sequence[Path], notes: list[str]) -> None:
        self.mapping = mapping
        self.files = files
        self.builder = ModelBuilder("kubernetes", system_name="")
        self.builder.notes.extend(notes)
        self.objects: list[_Object] = []
        self.workloads: dict[str, tuple[_Object, Mapping[str, Any]]] = {}
        """Component id -> the workload and its pod spec."""
        self.services: dict[tuple[str, str], _Service] = {}
        self.namespaces: dict[str, Location] = {}

    def run(self) -> ImportedModel:
        builder = self.builder
        for path in self.files:
            self.read_file(path)
        if not self.objects:
            raise ImporterError(f"{', '.join(builder.files) or 'input'}: no Kubernetes objects")
        builder.system_name = Path(self.files[0]).resolve().parent.name
        self.zones()
        for obj in self.objects:
            if obj.kind in _POD_SPEC:
                self.workload(obj)
            elif obj.kind not in _READ_HERE:
                builder.note(f"{obj.at('kind')}: {obj.kind} '{obj.name}' not read")
        self.rbac()
        self.secret_manifests()
        for obj in self.objects:
            if obj.kind == "Service":
                self.service(obj)
        for cid, (obj, spec) in self.workloads.items():
            self.environment(cid, obj, spec)
        for obj in self.objects:
            if obj.kind == "Ingress":
                self.ingress(obj)
        for service in self.services.values():
            if _dig(service.obj.body, ("spec", "type")) in ("LoadBalancer", "NodePort"):
                port = _service_port(service.obj)
                targets = [(target, port) for target in service.selects]
                self.public_entry(service.obj, targets, "spec", None)
        builder.note_read("Kubernetes file")
        return builder.build()

    # --- reading ---------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        builder = self.builder
        shown = builder.shown(str(path))
        chart = path.parent.name == "templates" and (path.parent.parent / "Chart.yaml").exists()
        try:
            documents = [] if chart else read_yaml_documents(str(path), shown)
        except ReadError as exc:
            if _is_template(path):
                chart = True
            else:
                raise ImporterError(f"{exc.location}: {exc.message}") from None
        if chart:
            builder.note(
                f"skipped {shown}: a Helm template ('{{{{ ... }}}}'); render it with "
                "'helm template' and import the output"
            )
            return
        builder.files.append(shown)
        for document in documents:
            top = document.value
            if top.get("kind") == "List" and isinstance(top.get("items"), list):
                for index, item in enumerate(top["items"]):
                    if isinstance(item, dict):
                        self.add(document, item, ("items", index))
                continue
            self.add(document, top, ())

    def add(self, document: Document, body: Mapping[str, Any], at: tuple[str | int, ...]) -> None:
        kind, metadata = body.get("kind"), body.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(kind, str) or not isinstance(name, str) or "apiVersion" not in body:
            where = document.location(at)
            self.builder.note(
                f"skipped the document at {where.file}:{where.line}: not a "
                "Kubernetes object (apiVersion, kind, metadata.name)"
            )
            return
        namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
        if kind == "Namespace":
            namespace = name
        obj = _Object(document, body, kind, name, str(namespace or "default"), at)
        self.objects.append(obj)

    # --- zones -----------------------------------------------------------------------------

    def zone(self, namespace: str, where: Location) -> str:
        return self.builder.zone(
            f"Namespace/{namespace}",
            where,
            kind="namespace",
            trust="trusted",
            name=f"Kubernetes namespace {namespace}",
        )

    def zones(self) -> None:
        """Every namespace used; ``default_deny`` from the NetworkPolicies in it."""
        places: dict[str, Location] = {}
        for obj in self.objects:
            if obj.kind == "Namespace":
                places[obj.namespace] = obj.at("kind", key=True)
        for obj in self.objects:
            if obj.kind not in _CLUSTER_SCOPED:
                places.setdefault(obj.namespace, obj.at("kind", key=True))
        for namespace, where in places.items():
            policies = [
                o for o in self.objects if o.kind == "NetworkPolicy" and o.namespace == namespace
            ]
            deny = any(_denies_ingress(p.body.get("spec")) for p in policies)
            zid = self.zone(namespace, where)
            properties: dict[str, Any] = {"default_deny": deny}
            if not policies:
                properties["network_policies"] = "none"
            elif deny:
                properties["network_policies"] = "default-deny"
            self.builder.boundaries[zid].fields["properties"] = properties

    # --- workloads -------------------------------------------------------------------------

    def workload(self, obj: _Object) -> None:
        builder = self.builder
        found = self.mapping.lookup(obj.kind)
        entry = found[1] if found else self.mapping.default
        spec = _dig(obj.body, _POD_SPEC[obj.kind])
        if not isinstance(spec, dict):
            builder.note(f"{obj.at('kind')}: {obj.kind} '{obj.name}' has no pod spec; skipped")
            return
        fields: dict[str, Any] = {"zone": self.zone(obj.namespace, obj.at("kind", key=True))}
        if entry.tech:
            fields["tech"] = entry.tech
        address = f"{obj.kind}/{obj.namespace}/{obj.name}"
        cid = builder.component(
            address, obj.at("kind", key=True), entry.kind or "service", **fields
        )
        builder.apply_type(cid, entry)
        builder.apply_facts(cid, self.mapping.facts_of(entry), spec)
        builder.set_fact(cid, "exposure", "private")
        replicas = _dig(obj.body, ("spec", "replicas"))
        if isinstance(replicas, int) and not isinstance(replicas, bool):
            builder.set_fact(cid, "properties.replicas", replicas)
        account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        builder.set_fact(cid, "properties.service_account", str(account)[:300])
        self.containers(cid, obj, spec)
        self.workloads[cid] = (obj, spec)

    def containers(self, cid: str, obj: _Object, spec: Mapping[str, Any]) -> None:
        builder = self.builder
        containers = [
            c
            for key in ("initContainers", "containers")
            for c in _list(spec.get(key))
            if isinstance(c, dict)
        ]
        found_context = spec.get("securityContext")
        pod_context: Mapping[str, Any] = found_context if isinstance(found_context, dict) else {}
        privileged: list[bool] = []
        escalation: list[bool] = []
        read_only: list[bool] = []
        non_root: list[bool | None] = []
        caps: list[str] = []
        limited: list[bool] = []
        for container in containers:
            stated = container.get("securityContext")
            context: Mapping[str, Any] = stated if isinstance(stated, dict) else {}
            privileged.append(context.get("privileged") is True)
            escalation.append(context.get("allowPrivilegeEscalation") is True)
            read_only.append(context.get("readOnlyRootFilesystem") is True)
            nr = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
            user = context.get("runAsUser", pod_context.get("runAsUser"))
            # None: the manifest leaves it to the image's USER (unknown, not stated)
            non_root.append(False if nr is False or user == 0 else nr if nr is True else None)
            if user == 0:
                builder.set_fact(cid, "properties.run_as_user", 0)
            added = _dig(context, ("capabilities", "add"))
            caps.extend(str(c).upper().removeprefix("CAP_") for c in _list(added))
            limits = _dig(container, ("resources", "limits"))
            limited.append(isinstance(limits, dict) and bool(limits))
        if not containers:
            return
        builder.set_fact(cid, "properties.privileged", any(privileged))
        if any(escalation):
            builder.set_fact(cid, "properties.allow_privilege_escalation", True)
        builder.set_fact(cid, "properties.read_only_root_fs", all(read_only))
        if False in non_root or all(non_root):
            builder.set_fact(cid, "properties.run_as_non_root", False not in non_root)
        else:
            builder.components[cid].fields.get("properties", {}).pop("run_as_non_root", None)
        if caps:
            builder.set_fact(cid, "properties.capabilities_add", list(dict.fromkeys(caps)))
        builder.set_fact(cid, "properties.resource_limits", all(limited))
        # the first app container's image (a note names the others: one image per component)
        images = [
            str(c["image"]).strip()[:300]
            for c in _list(spec.get("containers"))
            if isinstance(c, dict) and isinstance(c.get("image"), str) and c["image"].strip()
        ]
        if images:
            builder.set_fact(cid, "properties.image", images[0])
            tag = _image_tag(images[0])
            if tag:
                builder.set_fact(cid, "properties.image_tag", tag[:300])
            if len(images) > 1:
                builder.note(
                    f"{obj.kind} '{obj.name}': image {images[0]} kept; other "
                    f"containers run {', '.join(images[1:])}"
                )
        paths = [
            str(v["hostPath"].get("path"))[:300]
            for v in _list(spec.get("volumes"))
            if isinstance(v, dict) and isinstance(v.get("hostPath"), dict)
        ]
        if paths:
            builder.set_fact(cid, "properties.host_path", list(dict.fromkeys(paths)))
        properties = builder.components[cid].fields["properties"]
        if "automount_service_account_token" not in properties:
            account = self.find("ServiceAccount", obj.namespace, properties["service_account"])
            said = account.body.get("automountServiceAccountToken") if account else None
            # Kubernetes mounts the token unless the pod or its service account says not to
            builder.set_fact(
                cid,
                "properties.automount_service_account_token",
                said if isinstance(said, bool) else True,
            )

    def find(self, kind: str, namespace: str, name: str) -> _Object | None:
        for obj in self.objects:
            if (
                obj.kind == kind
                and obj.name == name
                and (obj.namespace == namespace or kind.startswith("Cluster"))
            ):
                return obj
        return None

    # --- RBAC ------------------------------------------------------------------------------

    def rbac(self) -> None:
        """Service accounts bound to ``cluster-admin`` or to a role granting ``*``."""
        builder = self.builder
        for binding in self.objects:
            if binding.kind not in ("RoleBinding", "ClusterRoleBinding"):
                continue
            ref = binding.body.get("roleRef")
            if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
                continue
            role_name, role_kind = ref["name"], str(ref.get("kind", "ClusterRole"))
            role = self.find(role_kind, binding.namespace, role_name)
            wildcard = role is not None and _grants_wildcard(role.body.get("rules"))
            for index, subject in enumerate(_list(binding.body.get("subjects"))):
                if not isinstance(subject, dict) or subject.get("kind") != "ServiceAccount":
                    if isinstance(subject, dict):
                        builder.note(
                            f"{binding.at('subjects', index)}: {binding.kind} "
                            f"'{binding.name}' binds {subject.get('kind')} "
                            f"'{subject.get('name')}' (not a workload): not modelled"
                        )
                    continue
                namespace = str(subject.get("namespace") or binding.namespace)
                users = [
                    cid
                    for cid, (obj, _) in self.workloads.items()
                    if obj.namespace == namespace
                    and builder.components[cid].fields["properties"].get("service_account")
                    == subject.get("name")
                ]
                if not users:
                    builder.note(
                        f"{binding.at('subjects', index)}: service account "
                        f"'{namespace}/{subject.get('name')}' is bound to {role_kind} "
                        f"'{role_name}' but no workload in the files uses it"
                    )
                for cid in users:
                    builder.set_fact(cid, "properties.kube_api_access", True)
                    if role_name == "cluster-admin" and role_kind == "ClusterRole":
                        builder.set_fact(cid, "properties.cluster_role", "cluster-admin")
                    if wildcard:
                        builder.set_fact(cid, "properties.rbac_wildcard", True)

    def secret_manifests(self) -> None:
        """Workloads using a Secret whose manifest (with its data) is in the files."""
        stored = {
            (o.namespace, o.name)
            for o in self.objects
            if o.kind == "Secret" and (o.body.get("data") or o.body.get("stringData"))
        }
        for obj in self.objects:
            if (obj.namespace, obj.name) in stored and obj.kind == "Secret":
                self.builder.note(
                    f"{obj.at('kind')}: Secret '{obj.name}' is stored in the files; its values "
                    "were not read"
                )
        for cid, (obj, spec) in self.workloads.items():
            used = _secret_names(spec)
            if _in_env(spec):
                self.builder.set_fact(cid, "properties.secrets_in_env", True)
            if any((obj.namespace, name) in stored for name in used):
                self.builder.set_fact(cid, "properties.secrets_in_manifests", True)

    # --- flows -----------------------------------------------------------------------------

    def service(self, obj: _Object) -> None:
        selector = _dig(obj.body, ("spec", "selector"))
        service = _Service(obj)
        if isinstance(selector, dict) and selector:
            for cid, (workload, _spec) in self.workloads.items():
                labels = _labels(workload)
                if workload.namespace == obj.namespace and all(
                    labels.get(k) == v for k, v in selector.items()
                ):
                    service.selects.append(cid)
        if not service.selects:
            self.builder.note(
                f"{obj.at('kind')}: Service '{obj.name}' selects no workload of the files"
            )
        self.services[(obj.namespace, obj.name)] = service

    def resolve(self, host: str, namespace: str) -> _Service | None:
        """The Service a host name reaches: ``name``, ``name.ns``, ``name.ns.svc[.cluster...]``."""
        parts = host.lower().split(".")
        if len(parts) == 1:
            return self.services.get((namespace, parts[0]))
        if len(parts) == 2 or parts[2] == "svc":
            return self.services.get((parts[1], parts[0]))
        return None

    def environment(self, cid: str, obj: _Object, spec: Mapping[str, Any]) -> None:
        builder = self.builder
        for ci, key_path, container in _containers_with_path(spec):
            for index, item in enumerate(_list(container.get("env"))):
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    continue
                value = item.get("value")
                if value is None:
                    continue
                where = obj.at(*_POD_SPEC[obj.kind], key_path, ci, "env", index, "value")
                builder.record_secret(builder.secrets.check(cid, item["name"], value, where))
                found = endpoint(item["name"], value)
                if found is None:
                    continue
                service = self.resolve(found.host, obj.namespace)
                if service is None:
                    continue
                port = _service_port(service.obj)
                for target in service.selects:
                    if target != cid:
                        builder.flow(
                            cid,
                            target,
                            where,
                            f"{obj.kind}/{obj.namespace}/{obj.name}.env.{item['name']}",
                            protocol=found.protocol,
                            port=found.port or port,
                            tls=found.tls,
                            authn=found.authn,
                        )

    def ingress(self, obj: _Object) -> None:
        names: list[str] = []
        found = obj.body.get("spec")
        spec: Mapping[str, Any] = found if isinstance(found, dict) else {}
        default = _backend_service(spec.get("defaultBackend") or spec.get("backend"))
        if default:
            names.append(default)
        for rule in _list(spec.get("rules")):
            for path in _list(_dig(rule, ("http", "paths"))):
                name = _backend_service(path.get("backend") if isinstance(path, dict) else None)
                if name:
                    names.append(name)
        targets: list[tuple[str, int | None]] = []
        for name in dict.fromkeys(names):
            service = self.services.get((obj.namespace, name))
            if service is None:
                self.builder.note(
                    f"{obj.at('spec')}: Ingress '{obj.name}' routes to Service "
                    f"'{name}', which is not in the files"
                )
                continue
            port = _service_port(service.obj)
            targets.extend((target, port) for target in service.selects)
        self.public_entry(obj, targets, "spec", bool(spec.get("tls")))

    def public_entry(
        self, obj: _Object, targets: list[tuple[str, int | None]], at: str, tls: bool | None
    ) -> None:
        """A public gateway for an Ingress or an exposed Service: a flow from the internet's
        clients to it, flows from it to the workloads behind it (public too)."""
        builder = self.builder
        where = obj.at("kind", key=True)
        internet = builder.zone(
            "internet", where, kind="internet", trust="untrusted", name="the internet"
        )
        clients = builder.component(
            _INTERNET_CLIENTS, where, "actor", zone=internet, name="clients on the internet"
        )
        address = f"{obj.kind}/{obj.namespace}/{obj.name}"
        gateway = builder.component(
            address, where, "gateway", zone=self.zone(obj.namespace, where), exposure="public"
        )
        builder.flow(
            clients,
            gateway,
            where,
            address,
            protocol="https" if tls else "http",
            port=443 if tls else 80,
        )
        for target, port in dict.fromkeys(targets):
            builder.set_fact(target, "exposure", "public")
            builder.flow(gateway, target, obj.at(at), f"{address}.{at}", protocol="http", port=port)


def _is_template(path: Path) -> bool:
    """Whether a file that is not YAML holds ``{{`` (a regular file only: a pipe could block)."""
    if not path.is_file():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20).decode("utf-8", errors="replace")
    except OSError:
        return False
    return bool(_HELM.search(head))


def _dig(body: Any, path: Sequence[str]) -> Any:
    for step in path:
        if not isinstance(body, dict):
            return None
        body = body.get(step)
    return body


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _labels(obj: _Object) -> Mapping[str, Any]:
    pod = _POD_SPEC[obj.kind]
    labels = (
        _dig(obj.body, (*pod[:-1], "metadata", "labels"))
        if len(pod) > 1
        else _dig(obj.body, ("metadata", "labels"))
    )
    return labels if isinstance(labels, dict) else {}


def _containers_with_path(spec: Mapping[str, Any]) -> list[tuple[int, str, Mapping[str, Any]]]:
    return [
        (i, key, c)
        for key in ("initContainers", "containers")
        for i, c in enumerate(_list(spec.get(key)))
        if isinstance(c, dict)
    ]


def _secret_names(spec: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for _, _, container in _containers_with_path(spec):
        for item in _list(container.get("env")):
            ref = _dig(item, ("valueFrom", "secretKeyRef", "name"))
            if isinstance(ref, str):
                names.append(ref)
        for item in _list(container.get("envFrom")):
            ref = _dig(item, ("secretRef", "name"))
            if isinstance(ref, str):
                names.append(ref)
    for volume in _list(spec.get("volumes")):
        ref = _dig(volume, ("secret", "secretName"))
        if isinstance(ref, str):
            names.append(ref)
    return names


def _in_env(spec: Mapping[str, Any]) -> bool:
    return any(
        _dig(item, ("valueFrom", "secretKeyRef")) is not None
        for _, _, c in _containers_with_path(spec)
        for item in _list(c.get("env"))
    ) or any(
        _dig(item, ("secretRef",)) is not None
        for _, _, c in _containers_with_path(spec)
        for item in _list(c.get("envFrom"))
    )


def _denies_ingress(spec: Any) -> bool:
    """A policy selecting every pod (``podSelector: {}``) for Ingress with no ``ingress`` rule."""
    if not isinstance(spec, dict) or _dig(spec, ("podSelector",)) not in ({}, None):
        return False
    types = spec.get("policyTypes") or ["Ingress"]
    return "Ingress" in types and not spec.get("ingress")


def _grants_wildcard(rules: Any) -> bool:
    return any(
        isinstance(rule, dict) and any("*" in _list(rule.get(k)) for k in ("verbs", "resources"))
        for rule in _list(rules)
    )


def _backend_service(backend: Any) -> str | None:
    name = _dig(backend, ("service", "name")) or _dig(backend, ("serviceName",))
    return name if isinstance(name, str) else None


def _service_port(obj: _Object) -> int | None:
    for port in _list(_dig(obj.body, ("spec", "ports"))):
        value = port.get("port") if isinstance(port, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
            return value
    return None


def _image_tag(image: str) -> str | None:
    if "@" in image:
        return None  # pinned by digest
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"
