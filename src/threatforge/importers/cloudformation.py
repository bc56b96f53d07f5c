"""AWS CloudFormation templates in, a model out (issue 16 item 2).

- templates in YAML (``!Ref``, ``!GetAtt``, ``!Sub``, ``!Join`` and the other short tags) and
  JSON are decoded with cfn-lint's decoder, which keeps the line of every key; the file is read
  with the project's bounded reader first (a regular file of at most 4 MiB), and the decoder is
  built on PyYAML's safe loader with a guard against alias bombs;
- each resource is a component (id its logical id, origin its line) whose kind, technology,
  protocol, port and facts come from the mapping by ``Type`` (``mappings/cloudformation.yaml``);
  ``AWS::EC2::VPC`` and ``AWS::EC2::Subnet`` are zones, a resource naming one sits in it;
- a ``Ref``, ``Fn::GetAtt`` or ``${Name}`` in ``Fn::Sub`` naming another component in a
  resource's ``Properties`` is a flow to it (a Lambda's environment naming a table, a
  distribution's origin naming a bucket); an ``AWS::Lambda::EventSourceMapping`` is a flow from
  the event source to the function;
- security groups are not components: their ingress rules become ``ingress_cidrs`` and
  ``ingress_ports`` of the resources in the group, and a rule admitting another group a flow
  from each resource of that group;
- IAM roles are components with their grants (``iam_actions``, ``iam_wildcard_resource_actions``,
  ``iam_managed_policies``); a function or an instance (through its instance profile) running as
  a role states the same grants;
- an instance answers IMDSv1 unless the launch template or launch configuration it names sets
  ``HttpTokens: required``;
- a parameter whose literal ``Default`` looks like a secret, and a literal secret in a
  property, are recorded on each resource they reach as kind and place, never the value
  (:mod:`threatforge.importers.secrets`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from threatforge.errors import ImporterError
from threatforge.importers.builder import ModelBuilder
from threatforge.importers.interface import ImportedModel, MappedImporter
from threatforge.importers.mapping import SourceMapping, TypeMapping
from threatforge.importers.walk import find_files
from threatforge.model import Location, ReadError, read_cloudformation, read_regular_file

__all__ = ["CloudFormationImporter", "references"]

MAX_TEMPLATE_BYTES = 4 * 1024 * 1024
"""CloudFormation itself accepts 1 MB; a larger file is refused before it is decoded."""

_HEAD = re.compile(
    r"^(AWSTemplateFormatVersion|Resources)\s*:|\"(AWSTemplateFormatVersion|Resources)\"\s*:", re.M
)
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
_WORLD = frozenset({"0.0.0.0/0", "::/0"})
_ROLE_ARGUMENTS = frozenset({"Role", "RoleArn", "ExecutionRoleArn", "TaskRoleArn"})
_SECURITY_GROUP = "AWS::EC2::SecurityGroup"
_PROFILE = "AWS::IAM::InstanceProfile"
_ROLE = "AWS::IAM::Role"
_POLICIES = frozenset({"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"})
_LAUNCH = frozenset({"AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration"})
_INSTANCES = frozenset({"AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup"})
_WAF_ASSOCIATIONS = frozenset(
    {"AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation"}
)
_NOT_SECRETS = frozenset({"GenerateSecretString"})
"""Arguments that describe a secret to generate, not a secret."""


def references(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(logical id, argument path, node) of each ``Ref``, ``Fn::GetAtt`` and ``${Name}`` of
    ``Fn::Sub`` in ``value`` (pseudo parameters such as ``AWS::Region`` are left out)."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Ref" and isinstance(inner, str):
                if not inner.startswith("AWS::"):
                    yield inner, path, value
                return
            if key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(target, str):
                    yield target.split(".", 1)[0], path, value
                return
            if key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) and inner else inner
                named = inner[1] if isinstance(inner, list) and len(inner) > 1 else {}
                if isinstance(text, str):
                    for name in _SUB_NAME.findall(text):
                        if not isinstance(named, Mapping) or name not in named:
                            yield name, path, value
                if isinstance(named, Mapping):
                    yield from references(named, path)
                return
        for key, inner in value.items():
            if str(key).startswith("Fn::"):  # Fn::Base64, Fn::Join, Fn::If: not a step of the path
                yield from references(inner, path)
            else:
                yield from references(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from references(inner, f"{path}[{index}]")


def _line(node: Any, default: int) -> int:
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else default


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclass
class _Resource:
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    body: Mapping[str, Any]
    location: Location
    file: str
    entry: TypeMapping | None = None
    cid: str | None = None
    refs: list[tuple[str, str, Any]] = field(default_factory=list)


@dataclass
class _Parameter:
    name: str
    location: Location
    default: Any
    secret: Any = None


class CloudFormationImporter(MappedImporter):
    """AWS CloudFormation templates (YAML or JSON): resources, references, security groups, IAM."""

    name = "cloudformation"
    description = "AWS CloudFormation templates, YAML or JSON (resources, references, IAM, SGs)"
    patterns = ()
    """None: a template is recognised by its content (``AWSTemplateFormatVersion`` or
    ``Resources`` at the top), whatever its name; ``import auto`` hands over such files."""
    _CANDIDATES = ("*.yaml", "*.yml", "*.json", "*.template")

    def read(self, paths: Sequence[Path]) -> ImportedModel:
        """Build a model from templates (given files as they are; in folders, the YAML, JSON and
        ``.template`` files whose top-level keys say CloudFormation)."""
        given = [p for p in paths if p.is_file()]
        files, notes = find_files(paths, self._CANDIDATES, what="CloudFormation templates")
        chosen = [f for f in files if f in given or looks_like_template(f)]
        if not chosen:
            shown = ", ".join(str(p) for p in paths)
            raise ImporterError(
                f"{shown}: no CloudFormation templates found (a template has 'Resources:')"
            )
        return _TemplateRead(self.mapping(), chosen, notes).run()


def looks_like_template(path: Path) -> bool:
    """Whether the first 4 KiB of ``path`` have a CloudFormation template's top-level keys."""
    try:
        raw = read_regular_file(str(path), str(path), MAX_TEMPLATE_BYTES, kind="a template")
    except ReadError:
        return False
    return bool(_HEAD.search(raw[:4096].decode("utf-8", errors="replace")))


def _decode(path: Path, shown: str) -> Mapping[str, Any]:
    """The template at ``path`` with every node's line (cfn-lint's decoder, through the model's
    one YAML module)."""
    try:
        template = read_cloudformation(str(path), shown, MAX_TEMPLATE_BYTES)
    except ReadError as exc:
        raise ImporterError(f"{exc.location}: {exc.message}") from None
    if not isinstance(template, Mapping):
        raise ImporterError(f"{shown}: a template must be a mapping with 'Resources:'")
    return template


class _TemplateRead:
    def __init__(self, mapping: SourceMapping, files: Sequence[Path], notes: list[str]) -> None:
        self.mapping = mapping
        self.files = files
        self.builder = ModelBuilder("cloudformation", system_name="")
        self.builder.notes.extend(notes)
        self.resources: dict[str, _Resource] = {}
        self.parameters: dict[str, _Parameter] = {}
        self.unknown: dict[str, list[str]] = {}
        self.used: set[str] = set()
        """Parameters some component names."""

    def run(self) -> ImportedModel:
        builder = self.builder
        for path in self.files:
            self.read_file(path)
        if not self.resources:
            shown = ", ".join(builder.shown(str(p)) for p in self.files)
            raise ImporterError(
                f"{shown}: no resources found (a template lists them under 'Resources:')"
            )
        builder.system_name = builder.system_name or Path(self.files[0]).resolve().parent.name
        for resource in self.resources.values():
            self.classify(resource)
        for resource in self.resources.values():
            if resource.type in _INSTANCES:  # the launch template's groups and profile are its own
                for name, _, _ in list(resource.refs):
                    launch = self.resources.get(name)
                    if launch is not None and launch.type in _LAUNCH:
                        resource.refs.extend(launch.refs)
        for resource in self.resources.values():
            if resource.entry is not None and resource.entry.becomes == "zone":
                resource.cid = builder.zone(
                    resource.logical_id,
                    resource.location,
                    kind=resource.entry.zone_kind or "network",
                    trust=resource.entry.trust,
                    name=f"{resource.type} {resource.logical_id}",
                )
                builder.boundaries[resource.cid].address = f"Resources.{resource.logical_id}"
        for resource in self.resources.values():
            if resource.entry is not None and resource.entry.becomes == "component":
                self.component(resource)
        for resource in self.resources.values():
            if resource.cid is not None and resource.cid in builder.components:
                self.links(resource)
        self.security_groups()
        self.event_sources()
        self.web_acls()
        self.load_balancer_targets()
        for parameter in self.parameters.values():
            if parameter.secret is not None and parameter.name not in self.used:
                builder.note(
                    f"{parameter.location}: parameter {parameter.name} has a literal default "
                    f"that looks like a {parameter.secret.kind.value}; no resource uses it"
                )
        for types, names in self.unknown.items():
            builder.note(
                f"type {types} is not in the mapping: {', '.join(names)} kept as "
                f"{self.mapping.default.kind.value if self.mapping.default.kind else 'service'} "
                "components (add it with --mapping FILE)"
            )
        builder.note_read("CloudFormation template")
        return builder.build()

    # --- reading ---------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        builder = self.builder
        shown = builder.shown(str(path))
        template = _decode(path, shown)
        resources = template.get("Resources")
        if not isinstance(resources, Mapping) or not resources:
            builder.note(f"skipped {shown}: no 'Resources:' (not a CloudFormation template)")
            return
        builder.files.append(shown)
        description = template.get("Description")
        if isinstance(description, str) and description.strip() and not builder.system_name:
            builder.system_name = description.strip().splitlines()[0][:120]
        parameters = template.get("Parameters")
        if isinstance(parameters, Mapping):
            for name, body in parameters.items():
                where = Location(shown, _line(name, 1))
                default = body.get("Default") if isinstance(body, Mapping) else None
                parameter = _Parameter(str(name), where, default)
                if isinstance(default, str | int | float) and not isinstance(default, bool):
                    parameter.secret = builder.secrets.check(
                        "", f"Parameters.{name}", default, where
                    )
                self.parameters[str(name)] = parameter
        for logical_id, body in resources.items():
            where = Location(shown, _line(logical_id, 1))
            if not isinstance(body, Mapping) or not isinstance(body.get("Type"), str):
                raise ImporterError(f"{where}: resource '{logical_id}' needs a 'Type:'")
            found = self.resources.get(str(logical_id))
            if found is not None:
                raise ImporterError(
                    f"{where}: resource '{logical_id}' is also defined at {found.location} "
                    "(import the templates separately)"
                )
            properties = body.get("Properties")
            self.resources[str(logical_id)] = _Resource(
                str(logical_id),
                str(body["Type"]),
                properties if isinstance(properties, Mapping) else {},
                body,
                where,
                shown,
            )

    def classify(self, resource: _Resource) -> None:
        found = self.mapping.lookup(resource.type)
        if found is None:
            resource.entry = self.mapping.default
            self.unknown.setdefault(resource.type, []).append(resource.logical_id)
        else:
            resource.entry = found[1]
        resource.refs = [r for r in references(resource.properties) if r[0] != resource.logical_id]

    # --- one resource ----------------------------------------------------------------------

    def component(self, resource: _Resource) -> None:
        builder = self.builder
        entry = resource.entry
        assert entry is not None  # noqa: S101 - classified before
        fields: dict[str, Any] = {}
        if entry.tech:
            fields["tech"] = entry.tech
        zone = self.zone_of(resource)
        if zone:
            fields["zone"] = zone
        kind = entry.kind or self.mapping.default.kind
        cid = builder.component(resource.logical_id, resource.location, kind, **fields)
        builder.components[cid].address = f"Resources.{resource.logical_id}"
        resource.cid = cid
        builder.apply_type(cid, entry)
        builder.apply_facts(cid, self.mapping.facts_of(entry), self.resolved(resource.properties))
        self.bucket_facts(resource)
        if resource.type == _ROLE:
            self.grant(cid, [resource])
        self.secrets(resource)

    def resolved(self, value: Any) -> Any:
        """``value`` with each ``Ref`` to a parameter that has a literal default replaced by it
        (what the stack gets when the parameter is not given)."""
        if isinstance(value, Mapping):
            if len(value) == 1 and "Ref" in value:
                parameter = self.parameters.get(str(value["Ref"]))
                if parameter is not None and parameter.default is not None:
                    return parameter.default
            return {key: self.resolved(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [self.resolved(inner) for inner in value]
        return value

    def zone_of(self, resource: _Resource) -> str | None:
        """The subnet (else the VPC) a resource names."""
        zones = [
            self.resources[name]
            for name, _, _ in resource.refs
            if name in self.resources and self.resources[name].cid in self.builder.boundaries
        ]
        zones.sort(key=lambda r: r.type != "AWS::EC2::Subnet")
        return zones[0].cid if zones else None

    def bucket_facts(self, resource: _Resource) -> None:
        """S3 encryption and Block Public Access: the argument shapes a fact mapping cannot read."""
        if resource.type != "AWS::S3::Bucket" or resource.cid is None:
            return
        builder, cid, props = self.builder, resource.cid, self.resolved(resource.properties)
        rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        algorithms = [
            r.get("ServerSideEncryptionByDefault", {})
            for r in _as_list(rules)
            if isinstance(r, Mapping)
        ]
        if any(a.get("KMSMasterKeyID") for a in algorithms):
            builder.set_fact(cid, "encryption.at_rest", "kms-cmk")
        elif any(str(a.get("SSEAlgorithm", "")).startswith("aws:kms") for a in algorithms):
            builder.set_fact(cid, "encryption.at_rest", "kms")
        else:
            # no BucketEncryption: S3 encrypts every new object with SSE-S3 (since January 2023)
            builder.set_fact(cid, "encryption.at_rest", "provider")
        block = props.get("PublicAccessBlockConfiguration")
        if isinstance(block, Mapping):
            keys = (
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            )
            builder.set_fact(
                cid, "properties.block_public_access", all(block.get(k) is True for k in keys)
            )

    def grant(self, cid: str, roles: Sequence[_Resource]) -> None:
        """The IAM grants of ``roles`` (inline policies, policies attached to them, managed
        policies) as facts of ``cid``."""
        actions: list[str] = []
        wildcard: list[str] = []
        managed: list[str] = []
        for role in roles:
            documents = [
                p.get("PolicyDocument")
                for p in _as_list(role.properties.get("Policies"))
                if isinstance(p, Mapping)
            ]
            for other in self.resources.values():
                attached = [n for n, _, _ in references(other.properties.get("Roles"))]
                if other.type in _POLICIES and role.logical_id in attached:
                    documents.append(other.properties.get("PolicyDocument"))
            for document in documents:
                if not isinstance(document, Mapping):
                    continue
                for statement in _as_list(document.get("Statement")):
                    if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
                        continue
                    granted = [a for a in _as_list(statement.get("Action")) if isinstance(a, str)]
                    actions.extend(granted)
                    if "*" in _as_list(statement.get("Resource")):
                        wildcard.extend(granted)
            for arn in _as_list(role.properties.get("ManagedPolicyArns")):
                if isinstance(arn, Mapping):
                    arn = arn.get("Fn::Sub", "")
                text = arn if isinstance(arn, str) else ""
                name = text.rsplit("/", 1)[-1]
                if name:
                    managed.append(name[:200])
        builder = self.builder
        if actions:
            builder.set_fact(cid, "properties.iam_actions", list(dict.fromkeys(actions)))
        if wildcard:
            builder.set_fact(
                cid, "properties.iam_wildcard_resource_actions", list(dict.fromkeys(wildcard))
            )
        if managed:
            builder.set_fact(cid, "properties.iam_managed_policies", list(dict.fromkeys(managed)))

    def secrets(self, resource: _Resource) -> None:
        """Literal secrets in the properties, and parameters' secret defaults they name."""
        builder = self.builder
        cid = resource.cid
        assert cid is not None  # noqa: S101 - a component by now
        in_env: list[str] = []
        for key, value, node, path in _leaves(resource.properties):
            if isinstance(value, str):
                where = Location(resource.file, _line(node, resource.location.line))
                found = builder.secrets.check(cid, key, value, where)
                builder.record_secret(found)
                if found is not None and path.startswith("Environment.Variables."):
                    in_env.append(key)
        for name, path, _node in resource.refs:
            parameter = self.parameters.get(name)
            if parameter is None or parameter.secret is None:
                continue
            self.used.add(name)
            shown = f"Parameters.{name} default, used in {path or 'Properties'}"
            builder.record_secret(replace(parameter.secret, name=shown, element=cid))
            if path.startswith("Environment.Variables."):
                in_env.append(path.removeprefix("Environment.Variables.").split(".")[0])
        if in_env and resource.type in {"AWS::Lambda::Function", "AWS::Serverless::Function"}:
            builder.set_fact(cid, "properties.secrets_in_env", list(dict.fromkeys(in_env)))

    # --- between resources -----------------------------------------------------------------

    def links(self, resource: _Resource) -> None:
        """Flows to the components a resource names; its role's grants; its IMDS version."""
        builder = self.builder
        cid = resource.cid
        assert cid is not None  # noqa: S101 - a component by now
        roles: list[_Resource] = []
        launch: list[_Resource] = []
        for name, path, node in resource.refs:
            other = self.resources.get(name)
            if other is None:
                if name not in self.parameters:
                    builder.note(
                        f"{resource.location}: {resource.logical_id} names unknown '{name}'"
                    )
                continue
            top = path.split(".", 1)[0].split("[", 1)[0]
            if other.type == _PROFILE:
                roles.extend(
                    self.resources[n]
                    for n, _, _ in references(other.properties.get("Roles"))
                    if n in self.resources
                )
            elif other.type == _ROLE and top in _ROLE_ARGUMENTS:
                roles.append(other)
            if other.type in _LAUNCH:
                launch.append(other)
            if other.cid is None or other.cid not in builder.components:
                continue
            entry = other.entry
            builder.flow(
                cid,
                other.cid,
                Location(resource.file, _line(node, resource.location.line)),
                f"Resources.{resource.logical_id}.Properties.{path}",
                protocol=entry.protocol if entry else None,
                port=entry.port if entry else None,
            )
        if roles:
            self.grant(cid, roles)
        if resource.type in _INSTANCES:
            tokens = []
            for template in launch:
                body = self.resolved(template.properties)
                if template.type == "AWS::EC2::LaunchTemplate":
                    body = body.get("LaunchTemplateData", {})
                tokens.append(body.get("MetadataOptions", {}).get("HttpTokens"))
            builder.set_fact(cid, "properties.imds_v1", "required" not in tokens)

    def security_groups(self) -> None:
        """Ingress rules as facts of the resources in each group, and flows between groups."""
        groups = {r.logical_id: r for r in self.resources.values() if r.type == _SECURITY_GROUP}
        if not groups:
            return
        members: dict[str, list[_Resource]] = {g: [] for g in groups}
        for resource in self.resources.values():
            if resource.cid is None or resource.cid not in self.builder.components:
                continue
            for name, _, _ in resource.refs:
                if name in groups and resource not in members[name]:
                    members[name].append(resource)
        rules: list[tuple[str, Mapping[str, Any], Location]] = []
        for group in groups.values():
            for rule in _as_list(group.properties.get("SecurityGroupIngress")):
                if isinstance(rule, Mapping):
                    where = Location(group.file, _line(rule, group.location.line))
                    rules.append((group.logical_id, rule, where))
        for resource in self.resources.values():
            if resource.type == "AWS::EC2::SecurityGroupIngress":
                for name, _, _ in references(resource.properties.get("GroupId")):
                    if name in groups:
                        rules.append((name, resource.properties, resource.location))
        cidrs: dict[str, list[str]] = {}
        ports: dict[str, list[str | int]] = {}
        world_ports: dict[str, list[str | int]] = {}
        for group_id, rule, where in rules:
            body = self.resolved(rule)  # CidrIp: !Ref SSHLocation, its default 0.0.0.0/0
            port = _ports(body)
            sources = [str(body[k]) for k in ("CidrIp", "CidrIpv6") if isinstance(body.get(k), str)]
            for member in members[group_id]:
                cid = member.cid
                assert cid is not None  # noqa: S101 - members are components
                for cidr in sources:
                    cidrs.setdefault(cid, []).append(cidr)
                    ports.setdefault(cid, []).append(port)
                    if cidr in _WORLD:
                        world_ports.setdefault(cid, []).append(port)
                for name, _, _ in references(rule.get("SourceSecurityGroupId")):
                    for source in members.get(name, []):
                        if source.cid is not None and source.cid != cid:
                            self.builder.flow(
                                source.cid,
                                cid,
                                where,
                                f"Resources.{group_id}.SecurityGroupIngress",
                                protocol=member.entry.protocol if member.entry else None,
                                port=port if isinstance(port, int) else None,
                                description=f"allowed by security group {group_id}",
                            )
        for cid, found in cidrs.items():
            self.builder.set_fact(cid, "properties.ingress_cidrs", list(dict.fromkeys(found)))
            # with a rule open to the world, the ports it opens (the rules read them together)
            chosen = world_ports.get(cid) or ports[cid]
            self.builder.set_fact(cid, "properties.ingress_ports", list(dict.fromkeys(chosen)))

    def event_sources(self) -> None:
        """``AWS::Lambda::EventSourceMapping``: a flow from the event source to the function."""
        for resource in self.resources.values():
            if resource.type != "AWS::Lambda::EventSourceMapping":
                continue
            function = [n for n, _, _ in references(resource.properties.get("FunctionName"))]
            source = [n for n, _, _ in references(resource.properties.get("EventSourceArn"))]
            for target in function:
                for origin in source:
                    a, b = self.resources.get(origin), self.resources.get(target)
                    components = self.builder.components
                    if a and b and a.cid and b.cid and a.cid in components and b.cid in components:
                        self.builder.flow(
                            a.cid,
                            b.cid,
                            resource.location,
                            f"Resources.{resource.logical_id}",
                            protocol="aws-invoke",
                            description="event source mapping",
                        )

    def web_acls(self) -> None:
        """A WAF web ACL association: ``waf: true`` on the resource it protects."""
        for resource in self.resources.values():
            if resource.type not in _WAF_ASSOCIATIONS:
                continue
            for name, _, _ in references(resource.properties.get("ResourceArn")):
                target = self.resources.get(name)
                if target is not None and target.cid in self.builder.components:
                    self.builder.set_fact(str(target.cid), "waf", True)

    def load_balancer_targets(self) -> None:
        """A flow from each load balancer whose listener forwards to a target group, to each
        resource in the group (the group's ``Targets``, or an Auto Scaling group naming it)."""
        components = self.builder.components
        for group in self.resources.values():
            if group.type != "AWS::ElasticLoadBalancingV2::TargetGroup":
                continue
            balancers = [
                self.resources[n]
                for listener in self.resources.values()
                if listener.type == "AWS::ElasticLoadBalancingV2::Listener"
                and group.logical_id in {r[0] for r in listener.refs}
                for n, _, _ in references(listener.properties.get("LoadBalancerArn"))
                if n in self.resources
            ]
            targets = [
                r
                for r in self.resources.values()
                if group.logical_id in {n for n, _, _ in r.refs} and r.cid in components
            ]
            targets += [
                self.resources[n]
                for n, _, _ in references(group.properties.get("Targets"))
                if n in self.resources and self.resources[n].cid in components
            ]
            body = self.resolved(group.properties)
            port = body.get("Port")
            protocol = str(body.get("Protocol", "")).lower()
            for balancer in balancers:
                for target in targets:
                    if balancer.cid in components and target.cid and balancer.cid != target.cid:
                        self.builder.flow(
                            str(balancer.cid),
                            target.cid,
                            group.location,
                            f"Resources.{group.logical_id}",
                            protocol=protocol if protocol in {"http", "https", "tcp"} else None,
                            port=port if isinstance(port, int) else None,
                            description=f"target group {group.logical_id}",
                        )


def _ports(rule: Mapping[str, Any]) -> str | int:
    """The ports a rule admits: ``22``, ``"8000-8100"``, or ``"all"``."""
    protocol = str(rule.get("IpProtocol", "")).lower()
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if protocol in {"-1", "all"} or low in (None, -1):
        return "all"
    try:
        first, last = int(low), int(high if high is not None else low)
    except (TypeError, ValueError):
        return "all"
    return first if first == last else f"{first}-{last}"


def _leaves(
    value: Any, path: str = "", key: str = "", node: Any = None
) -> Iterator[tuple[str, Any, Any, str]]:
    """(name, value, node placing it, path) of each scalar in ``value`` outside intrinsic
    functions' names (``Fn::Sub`` text is read: a literal may sit in it)."""
    if isinstance(value, Mapping):
        for inner_key, inner in value.items():
            if str(inner_key) in _NOT_SECRETS or inner_key in ("Ref", "Fn::GetAtt"):
                continue  # names of resources and parameters, not literals
            name = key if str(inner_key).startswith(("Fn::", "Ref")) else str(inner_key)
            below = f"{path}.{inner_key}" if path else str(inner_key)
            yield from _leaves(inner, below, name, inner_key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            placed = inner if hasattr(inner, "start_mark") else node
            yield from _leaves(inner, f"{path}[{index}]", key, placed)
    elif key:
        yield key, value, value if hasattr(value, "start_mark") else node, path
