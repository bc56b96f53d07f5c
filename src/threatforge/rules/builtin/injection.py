"""Injection and input-handling rules by technology (SQL, NoSQL, LDAP, OS command, XXE, SSRF, ...).

The generic rule ``exposed-without-input-validation`` (:mod:`stride`) asks whether a process
validates input at all. The rules here ask the next questions a reviewer asks, per technology:
how SQL and NoSQL queries are built, whether XML parsers resolve external entities, which
deserializers run, whether user input reaches file paths, shell commands, templates or
redirects, and how web sessions and cookies are protected.

Technology facts are read from ``properties:`` (of the component, or of the flow when the fact
belongs to one connection); every key is documented in ``docs/rules/injection-properties.md``.
An unstated property never makes a rule fire, with one exception: a component that states it
parses untrusted XML without stating that external entities are disabled (``injection-xxe``,
low confidence), because XML parsers of the common runtimes resolve them by default. Where the
graph shows that a threat applies (a query flow from a process taking outside input, content
users wrote rendered to others, a browser session: see :mod:`web`), an unstated fact is an
applicable threat with the question that decides it.
"""

from __future__ import annotations

from threatforge.model import Authn, Component, ComponentKind, Flow, Model
from threatforge.model.schema import PropertyValue
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    INFO,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    WORKLOAD_KINDS,
    D,
    E,
    S,
    T,
    caller_words,
    ids,
    names,
    number,
    reach_words,
    reachable,
    said,
    secrets_of,
    sensitive_data,
    show,
    tech_ids,
    word,
    words,
)
from threatforge.rules.builtin._facts import OWASP_CHEATSHEETS as CHEATSHEETS
from threatforge.rules.builtin.web import (
    BROWSER_SESSIONS,
    behind_browser_session,
    browser_session,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    ElementSet,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Target,
    Unknown,
    Verdict,
    members,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "generic"
PCI_SECURE_CODING = "pci-dss-4.0:6.2.4"

WEB_KINDS = WORKLOAD_KINDS | {ComponentKind.CLIENT}
"""Components that render pages: browser or mobile clients, and server-side rendering."""
SESSION_KINDS = PROCESS_KINDS | {ComponentKind.IDENTITY_PROVIDER}
"""Components that hold a user's web session."""

SQL_TECH = (
    "aws.rds*", "aws.aurora*", "aws.redshift*", "postgres*", "mysql*", "mariadb*", "mssql*",
    "sqlserver*", "azure.sql*", "gcp.cloudsql*", "oracle*", "cockroachdb*", "sqlite*",
)
SQL_PROTOCOLS = frozenset({"postgres", "postgresql", "mysql", "tds", "mssql", "oracle-net", "jdbc"})
UNSAFE_QUERY_BUILDERS = frozenset({"raw", "string-concatenation", "concatenation", "dynamic"})
"""``query_builder`` values that put request data into query text."""

NOSQL_TECH = (
    "mongodb*", "aws.documentdb*", "documentdb*", "aws.dynamodb*", "couchdb*", "azure.cosmosdb*",
    "cosmosdb*", "firestore*", "gcp.firestore*",
)
NOSQL_PROTOCOLS = frozenset({"mongodb", "mongodb+srv"})

LDAP_TECH = (
    "active-directory*", "aws.directoryservice*", "azure.adds*", "openldap*", "ldap*", "389ds*",
    "freeipa*",
)
LDAP_PROTOCOLS = frozenset({"ldap", "ldaps"})

UNSAFE_DESERIALIZERS = frozenset(
    {
        "java-native", "java-serialization", "pickle", "yaml-unsafe", "binaryformatter",
        "soapformatter", "netdatacontractserializer", "losformatter", "objectstateformatter",
        "php-unserialize", "marshal", "ruby-marshal", "jackson-default-typing", "xstream",
        "json-net-typenamehandling",
    }
)
"""Formats whose deserializers instantiate attacker-chosen types (gadget chains)."""

SAFE_SAMESITE = frozenset({"strict", "lax"})
WEAK_DESYNC_MODES = frozenset({"off", "monitor", "disabled", "none"})
HTTP_PROTOCOLS = frozenset({"http", "https", "h2", "h2c", "grpc", "grpcs", "ws", "wss"})

MAX_IDLE_MINUTES = 30
"""OWASP ASVS 4.0.3 V3.3.2 (level 2): re-authentication after 30 minutes idle."""
MAX_ABSOLUTE_HOURS = 12
"""OWASP ASVS 4.0.3 V3.3.2 (level 2): re-authentication at least every 12 hours."""


# --- facts ------------------------------------------------------------------------------------


def _stated(
    flow: Flow, source: Component, key: str
) -> tuple[str, PropertyValue] | tuple[None, None]:
    """A fact stated on the flow, else on its source component, with where it was found."""
    if key in flow.properties:
        return f"flow properties.{key}", flow.properties[key]
    value = source.prop(key)
    if value is not None:
        return f"'{source.id}' properties.{key}", value
    return None, None


def _stored_data(model: Model, component: Component, flow: Flow) -> tuple[str, ...]:
    """The data a query flaw exposes: everything the store holds, else what the flow carries."""
    stored = [d for d in component.stores if d in model.data]
    return tuple(stored) if stored else tuple(d for d in flow.data if d in model.data)


def _query_flow(
    flow: Flow, model: Model, tech: tuple[str, ...], protocols: frozenset[str], other: Skip
) -> tuple[Component, Component] | Skip:
    """The (source, target) of a flow (from a process: the rules' scope) to a store of this
    technology, or ``other`` (the Skip for a flow to something else)."""
    target = model.components[flow.target]
    if not (flow.target in tech_ids(model, tech) or flow.protocol in protocols):
        return other
    return model.components[flow.source], target


def _query_flows(
    model: Model, tech: tuple[str, ...], protocols: frozenset[str]
) -> frozenset[str]:
    """The flows :func:`_query_flow` does not skip (and those whose ends are missing)."""
    graph = model.graph
    return frozenset(
        [f.id for store in tech_ids(model, tech) for f in graph.flows_in(store)]
        + [f.id for protocol in protocols for f in graph.flows_using(protocol)]
    )


FLOWS_TO_SQL = ElementSet(
    "flows-to-sql-databases", "flows to an SQL database, by its technology or the protocol",
    lambda model: _query_flows(model, SQL_TECH, SQL_PROTOCOLS),
)
FLOWS_TO_DOCUMENT_STORES = ElementSet(
    "flows-to-document-stores", "flows to a document store, by its technology or the protocol",
    lambda model: _query_flows(model, NOSQL_TECH, NOSQL_PROTOCOLS),
)
FLOWS_TO_DIRECTORIES = ElementSet(
    "flows-to-directories", "flows to an LDAP directory, by its technology or the protocol",
    lambda model: _query_flows(model, LDAP_TECH, LDAP_PROTOCOLS),
)
_NOT_SQL = Skip("not a flow to an SQL database")
_NOT_NOSQL = Skip("not a flow to a document store")
_NOT_LDAP = Skip("not a flow to a directory")


# --- injection into queries -------------------------------------------------------------------


@rule(RuleMeta(
    id="injection-sql",
    title="SQL injection: {element} builds SQL from request data",
    description="A service that builds SQL text by concatenating or formatting request data lets "
    "an attacker change the query: read every table the database user can read (card data, "
    "credentials), modify or delete rows, and on some engines run commands on the host.",
    target=Target.FLOW, likelihood=3, impact=5, stride=(T, INFO, E), cwe=(89,), capec=(66,),
    source_kinds=PROCESS_KINDS,
    asvs=("V5.3.4", "V5.3.5"), attack=("T1190",), confidence=Confidence.HIGH, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    among=FLOWS_TO_SQL,
    mitigations=(
        "Pass every value as a bind parameter (JDBC PreparedStatement, psycopg "
        "`cursor.execute(sql, params)`, SQLAlchemy Core/ORM expressions, Go "
        "`db.Query(sql, args...)`); build dynamic ORDER BY or column names only from an "
        "allow-list, never from input.",
        "Connect with a least-privilege database role per service (no superuser or DDL; on "
        "RDS/Aurora use IAM database authentication with a dedicated user) so an injection "
        "reaches only that service's tables.",
        "Add a SQL-injection detector in front (AWS WAF SQLi managed rule group) and watch "
        "database errors and Database Activity Streams / pgaudit for probing.",
    ),
    detection="Flow from a process to an SQL database (tech aws.rds*, aws.aurora*, postgres*, "
    "mysql*, mssql*, ... or protocol postgres/mysql/tds) where `properties.query_builder` of the "
    "flow (or else of the source) is raw, string-concatenation or dynamic.",
    false_positives="Raw SQL with bind parameters is safe: state `query_builder: parameterized` "
    "for it. Queries whose text never contains caller data (fixed reports) are "
    "not injectable.",
    references=(
        f"{CHEATSHEETS}SQL_Injection_Prevention_Cheat_Sheet.html",
        f"{CHEATSHEETS}Query_Parameterization_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/89.html",
    ),
    asks=(Ask(
        "How does {element}'s source build its SQL: bound parameters (`parameterized`, `orm`, "
        "`query-builder`) or text built from request data (`raw`, `string-concatenation`, "
        "`dynamic`)?",
        (AskFact("properties.query_builder",
                 confirms=("raw", "string-concatenation", "dynamic"),
                 rules_out=("parameterized", "orm", "query-builder")),),
        threat="SQL injection on {element}: input from a less trusted zone may reach the SQL "
        "text",
    ),),
))
def injection_sql(flow: Flow, model: Model) -> Verdict:
    """Fire on flows to SQL databases whose queries are built from strings."""
    ends = _query_flow(flow, model, SQL_TECH, SQL_PROTOCOLS, _NOT_SQL)
    if isinstance(ends, Skip):
        return ends
    source, target = ends
    where, value = _stated(flow, source, "query_builder")
    if where is None or value is None:
        callers = caller_words(model, source)
        if not callers:
            return PASS  # no input from a less trusted zone reaches the source
        return Unknown(("properties.query_builder",),
                       why=(callers, f"'{target.id}' is an SQL database "
                            f"({target.tech or flow.protocol})"),
                       data=_stored_data(model, target, flow))
    if word(value) not in UNSAFE_QUERY_BUILDERS:
        return RuledOut((f"{where}: {show(value)}",))
    return Fire((f"{where}: {show(value)}",
                 f"'{target.id}' is an SQL database ({target.tech or flow.protocol})"),
                data=_stored_data(model, target, flow))


@rule(RuleMeta(
    id="injection-nosql",
    title="NoSQL injection: {element} passes caller-controlled query filters",
    description="When request JSON is used as a MongoDB or DynamoDB filter, an attacker can send "
    "query operators ($ne, $gt, $regex, $where) instead of values: log in without a password, "
    "read other users' documents, or run server-side JavaScript.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(T, INFO, E), cwe=(943,), capec=(676,),
    source_kinds=PROCESS_KINDS,
    asvs=("V5.3.4",), attack=("T1190",), domain=DOMAIN, compliance=(PCI_SECURE_CODING,),
    among=FLOWS_TO_DOCUMENT_STORES,
    mitigations=(
        "Build filters from typed, validated fields (`{\"user\": {\"$eq\": str(user)}}`, "
        "DynamoDB `KeyConditionExpression` with expression attribute values); reject request "
        "keys that start with `$` or contain `.` (express-mongo-sanitize, mongo-sanitize).",
        "Disable server-side JavaScript on MongoDB (`security.javascriptEnabled: false`) and "
        "grant the service's database user only the collections it needs.",
    ),
    detection="Flow from a process to a document store (mongodb*, aws.documentdb*, "
    "aws.dynamodb*, cosmosdb*, ...) with `properties.user_controlled_filters: true` on the flow "
    "or the source, unless `properties.filter_sanitization: true`.",
    false_positives="Filters built only from server-side values; state `user_controlled_filters: "
    "false`.",
    references=(
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_"
        "Security_Testing/07-Input_Validation_Testing/05.6-Testing_for_NoSQL_Injection",
        "https://www.mongodb.com/docs/manual/faq/fundamentals/#how-does-mongodb-address-sql-or-"
        "query-injection-",
        "https://cwe.mitre.org/data/definitions/943.html",
    ),
    asks=(Ask(
        "Does {element}'s source put request values into its query filters as they came "
        "(JSON objects that may hold operators such as `$ne`, or expression text built from "
        "input), or only typed values from a fixed filter shape?",
        (
            AskFact("properties.user_controlled_filters", confirms=("true",),
                    rules_out=("false",)),
            AskFact("properties.filter_sanitization", rules_out=("true",)),
        ),
        threat="NoSQL injection on {element}: input from a less trusted zone may add query "
        "operators to the filter",
    ),),
))
def injection_nosql(flow: Flow, model: Model) -> Verdict:
    """Fire on flows to document stores that take filters from the caller."""
    ends = _query_flow(flow, model, NOSQL_TECH, NOSQL_PROTOCOLS, _NOT_NOSQL)
    if isinstance(ends, Skip):
        return ends
    source, target = ends
    sanitized_at, sanitized = _stated(flow, source, "filter_sanitization")
    where, value = _stated(flow, source, "user_controlled_filters")
    if sanitized is True:
        return RuledOut((f"{sanitized_at}: true",))
    if where is None or value is None:
        callers = caller_words(model, source)
        if not callers:
            return PASS  # no input from a less trusted zone reaches the source
        return Unknown(("properties.user_controlled_filters",),
                       why=(callers, f"'{target.id}' is a document store "
                            f"({target.tech or flow.protocol})"),
                       data=_stored_data(model, target, flow))
    if value is not True:
        return RuledOut((f"{where}: {show(value)}",))
    return Fire((f"{where}: true", f"'{target.id}' is a document store ({target.tech})"),
                data=_stored_data(model, target, flow))


@rule(RuleMeta(
    id="injection-ldap",
    title="LDAP injection: {element} builds directory filters without escaping",
    description="A search filter such as `(uid=` + username + `)` built from request data lets "
    "an attacker add `*)(|(uid=*` and authenticate as someone else, enumerate the directory, or "
    "read attributes the query was never meant to return.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(S, T, INFO), cwe=(90,), capec=(136,),
    source_kinds=PROCESS_KINDS,
    asvs=("V5.3.7",), attack=("T1190", "T1087.002"), domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    among=FLOWS_TO_DIRECTORIES,
    mitigations=(
        "Escape every value put into a filter or DN (RFC 4515 filter escaping: Spring LDAP "
        "`LdapQueryBuilder`, UnboundID `Filter.createEqualityFilter`, ldap3 "
        "`escape_filter_chars`), and validate usernames against a strict pattern first.",
        "Bind with a read-only service account limited to the subtree and attributes needed; "
        "prefer LDAPS or StartTLS.",
    ),
    detection="Flow with protocol ldap/ldaps, or to a directory (active-directory*, "
    "aws.directoryservice*, openldap*, freeipa*), from a process where "
    "`properties.ldap_filter_escaping: false` on the flow or the source.",
    false_positives="Filters built only from server-side values (group names from configuration); "
    "state `ldap_filter_escaping: true` once verified.",
    references=(
        f"{CHEATSHEETS}LDAP_Injection_Prevention_Cheat_Sheet.html",
        "https://www.rfc-editor.org/rfc/rfc4515",
        "https://cwe.mitre.org/data/definitions/90.html",
    ),
))
def injection_ldap(flow: Flow, model: Model) -> Verdict:
    """Fire on directory queries whose filters are not escaped."""
    ends = _query_flow(flow, model, LDAP_TECH, LDAP_PROTOCOLS, _NOT_LDAP)
    if isinstance(ends, Skip):
        return ends
    source, target = ends
    where, value = _stated(flow, source, "ldap_filter_escaping")
    if value is not False:
        return PASS
    return Fire((f"{where}: false",
                 f"queries directory '{target.id}' over {flow.protocol or 'LDAP'}"),
                data=_stored_data(model, target, flow))


# --- injection into the host ------------------------------------------------------------------


@rule(RuleMeta(
    id="injection-os-command",
    title="OS command injection: {element} runs commands with untrusted input",
    description="A process that runs operating-system commands (subprocess, Runtime.exec, a "
    "shell) with arguments derived from requests can be made to run the attacker's commands "
    "with its identity: its cloud role, its secrets, its network position.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(T, E), cwe=(78, 88), capec=(88,),
    asvs=("V5.3.8",), attack=("T1059", "T1190"), kinds=PROCESS_KINDS, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    properties=frozenset({"executes_commands"}),
    mitigations=(
        "Call a library instead of a command where one exists (an image library instead of "
        "ImageMagick's CLI); otherwise pass an argument vector without a shell "
        "(`subprocess.run([...], shell=False)`, `ProcessBuilder`) and end options with `--`.",
        "Allow-list the command and every argument value; run the worker in a sandbox with a "
        "read-only root filesystem, no cloud credentials and egress blocked (a separate Lambda "
        "or Fargate task with a minimal role).",
    ),
    detection="Process with `properties.executes_commands: true` that is reachable along flows "
    "from an entry point, unless `properties.command_arguments_allowlisted: true`.",
    false_positives="Commands whose program and arguments are fixed (no request data): state "
    "`command_arguments_allowlisted: true`.",
    references=(
        f"{CHEATSHEETS}OS_Command_Injection_Defense_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/78.html",
    ),
))
def injection_os_command(component: Component, model: Model) -> Verdict:
    """Fire on reachable processes that run OS commands with unrestricted arguments."""
    if component.prop("executes_commands") is not True:
        return PASS
    if component.prop("command_arguments_allowlisted") is True:
        return PASS
    if not reachable(model, component):
        return Skip("no flow from an entry point reaches it")
    return Fire((said("executes_commands", True), reach_words(model, component)),
                data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="injection-xxe",
    title="XML external entities: {element} parses untrusted XML with entity resolution",
    description="An XML parser that resolves external entities or DTDs lets a document read "
    "local files (`file:///etc/passwd`, mounted secrets), reach internal URLs and the cloud "
    "metadata service (SSRF), or exhaust memory with entity expansion.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, D), cwe=(611, 776),
    capec=(221,), asvs=("V5.5.2",), attack=("T1190",), kinds=PROCESS_KINDS, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    properties=frozenset({"parses_xml"}),
    mitigations=(
        "Disable DTDs and external entities in the parser (Java "
        "`factory.setFeature(\"http://apache.org/xml/features/disallow-doctype-decl\", true)`, "
        ".NET `DtdProcessing.Prohibit`, Python `defusedxml`, libxml2 without `NOENT`/`DTDLOAD`).",
        "Prefer JSON where the interface allows it; validate XML against a schema after parsing "
        "with a hardened parser.",
    ),
    detection="Process with `properties.parses_xml: true` and "
    "`properties.xml_external_entities: true` (high confidence), or reachable from an entry "
    "point with `xml_external_entities` not stated (low confidence: the default parsers of "
    "several runtimes resolve entities). `xml_external_entities: false` passes.",
    false_positives="Parsers that are safe by default (defusedxml, .NET 4.5.2+ XmlReader): state "
    "`xml_external_entities: false`.",
    references=(
        f"{CHEATSHEETS}XML_External_Entity_Prevention_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/611.html",
    ),
))
def injection_xxe(component: Component, model: Model) -> Verdict:
    """Fire on XML parsers that are not stated to refuse external entities."""
    if component.prop("parses_xml") is not True:
        return PASS
    entities = component.prop("xml_external_entities")
    if entities is False:
        return PASS
    if entities is True:
        return Fire((said("parses_xml", True), said("xml_external_entities", True)),
                    confidence=Confidence.HIGH)
    if not reachable(model, component):
        return PASS  # internal XML with the parser default: too weak a signal on its own
    return Fire((said("parses_xml", True), "properties.xml_external_entities not stated as "
                 "false", reach_words(model, component)), confidence=Confidence.LOW)


@rule(RuleMeta(
    id="injection-insecure-deserialization",
    title="Insecure deserialization: {element} deserializes {detail}",
    description="Native object deserializers (Java serialization, Python pickle, unsafe YAML "
    "loaders, .NET BinaryFormatter) instantiate whatever types the bytes name; a crafted "
    "payload runs code through gadget chains in the classpath before any validation.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(T, E), cwe=(502,), capec=(586,),
    asvs=("V5.5.1", "V5.5.3"), attack=("T1190", "T1059"), kinds=PROCESS_KINDS, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    properties=frozenset({"deserializes"}),
    mitigations=(
        "Exchange data as JSON or Protobuf bound to explicit types; use `yaml.safe_load`, never "
        "pickle or BinaryFormatter for data that crosses a trust boundary.",
        "Where native serialization must stay, install a strict class allow-list (Java "
        "`ObjectInputFilter` / `jdk.serialFilter`, Jackson without default typing) and sign the "
        "payload (HMAC) so only the system's own serialized objects are accepted.",
    ),
    detection="Process whose `properties.deserializes` names java-native, pickle, yaml-unsafe, "
    "binaryformatter, php-unserialize, marshal, jackson-default-typing, xstream, ..., unless "
    "`properties.deserialization_allowlist: true`. High confidence when an entry point reaches it.",
    false_positives="Payloads that are signed by the system and verified before deserializing; "
    "state `deserialization_allowlist: true` when a type allow-list is enforced.",
    references=(
        f"{CHEATSHEETS}Deserialization_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/502.html",
    ),
))
def injection_insecure_deserialization(component: Component, model: Model) -> Verdict:
    """Fire on processes that use gadget-prone deserializers."""
    unsafe = [f for f in words(component.prop("deserializes")) if f in UNSAFE_DESERIALIZERS]
    if not unsafe:
        return PASS
    if component.prop("deserialization_allowlist") is True:
        return PASS
    evidence = [f"properties.deserializes: {', '.join(unsafe)}"]
    reached = reachable(model, component)
    if reached:
        evidence.append(reach_words(model, component))
    return Fire(tuple(evidence), detail=", ".join(unsafe),
                confidence=Confidence.HIGH if reached else Confidence.MEDIUM)


@rule(RuleMeta(
    id="ssrf-cloud-metadata-reachable",
    title="SSRF to cloud credentials: {element} fetches user URLs and can reach the metadata "
    "endpoint",
    description="A process that fetches URLs supplied by callers and can reach the instance "
    "metadata endpoint (169.254.169.254, fd00:ec2::254, the ECS/EKS credential endpoints) hands "
    "an attacker its cloud role's temporary credentials with one request, as in the Capital One "
    "breach.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(INFO, E), cwe=(918,), capec=(664,),
    asvs=("V12.6.1",), api_top10=("API7:2023",), attack=("T1552.005", "T1190"),
    kinds=PROCESS_KINDS, confidence=Confidence.HIGH, domain=DOMAIN,
    properties=frozenset({"fetches_user_urls"}),
    mitigations=(
        "Block the metadata endpoint from the workload: IMDSv2 with `HttpPutResponseHopLimit: "
        "1` for containers on EC2, a NetworkPolicy or iptables rule denying 169.254.169.254/32 "
        "(and 169.254.170.2 on ECS) from application pods, EKS Pod Identity or IRSA instead of "
        "the node role.",
        "Send user-URL fetches through an egress proxy that resolves names itself and refuses "
        "link-local, private and loopback addresses (including after redirects).",
    ),
    detection="Process with `properties.fetches_user_urls: true` and "
    "`properties.metadata_endpoint_blocked: false`. The generic SSRF weakness (no egress "
    "allow-list) is reported by api-ssrf-user-supplied-url.",
    false_positives="Functions without a metadata service (AWS Lambda) have no such endpoint; do "
    "not state `metadata_endpoint_blocked: false` for them.",
    references=(
        f"{CHEATSHEETS}Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-"
        "service.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    ),
))
def ssrf_cloud_metadata_reachable(component: Component, model: Model) -> Verdict:
    """Fire on URL fetchers that state the metadata endpoint is not blocked."""
    if component.prop("fetches_user_urls") is not True:
        return PASS
    if component.prop("metadata_endpoint_blocked") is not False:
        return PASS
    return Fire((said("fetches_user_urls", True), said("metadata_endpoint_blocked", False)))


@rule(RuleMeta(
    id="path-traversal-user-file-paths",
    title="Path traversal: {element} builds file paths from request data",
    description="File names or paths taken from requests (`../../etc/passwd`, absolute paths, "
    "encoded separators) let an attacker read or overwrite files outside the intended "
    "directory: configuration, keys, other tenants' documents.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, T), cwe=(22,), capec=(126,),
    asvs=("V12.3.1", "V12.3.2"), attack=("T1083", "T1190"), kinds=PROCESS_KINDS, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    properties=frozenset({"user_file_paths"}),
    mitigations=(
        "Never use request data as a path: map it to a server-generated id (a UUID object key), "
        "or canonicalise the joined path and check it stays under the base directory "
        "(`Path.resolve().is_relative_to(base)`, Java `normalize()` + `startsWith`).",
        "Store user files in object storage (S3 keys scoped by tenant prefix in the IAM policy) "
        "instead of the local filesystem.",
    ),
    detection="Process with `properties.user_file_paths: true`, unless "
    "`properties.path_canonicalization: true`.",
    false_positives="Request data used only to choose among fixed, server-side file names; state "
    "`path_canonicalization: true`.",
    references=(
        "https://owasp.org/www-community/attacks/Path_Traversal",
        "https://cwe.mitre.org/data/definitions/22.html",
    ),
))
def path_traversal_user_file_paths(component: Component, model: Model) -> Verdict:
    """Fire on processes that build file paths from request data without canonicalising."""
    if component.prop("user_file_paths") is not True:
        return PASS
    if component.prop("path_canonicalization") is True:
        return PASS
    return Fire((said("user_file_paths", True),
                 "properties.path_canonicalization not true"),
                data=ids(sensitive_data(model, component)))


@rule(RuleMeta(
    id="injection-server-side-template",
    title="Server-side template injection: {element} renders user-supplied templates",
    description="Template engines (Jinja2, Freemarker, Velocity, Thymeleaf, Handlebars) are "
    "programming languages; rendering a template that users wrote or influenced runs their code "
    "on the server unless the engine is sandboxed.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(T, E), cwe=(1336, 94),
    capec=(242,), asvs=("V5.2.5",), attack=("T1190", "T1059"), kinds=PROCESS_KINDS,
    domain=DOMAIN, compliance=(PCI_SECURE_CODING,),
    properties=frozenset({"user_templates"}),
    mitigations=(
        "Let users fill placeholders in templates the system owns, never supply template source; "
        "if they must (e-mail designers), use a logic-less engine (Mustache) or a sandbox "
        "(Jinja2 `SandboxedEnvironment`, Freemarker "
        "`TemplateClassResolver.ALLOWS_NOTHING_RESOLVER`).",
        "Render in an isolated worker without credentials or network access.",
    ),
    detection="Process with `properties.user_templates: true`, unless "
    "`properties.template_sandbox: true`.",
    false_positives="Logic-less engines (Mustache) cannot run code; state `template_sandbox: "
    "true` for them.",
    references=(
        "https://portswigger.net/web-security/server-side-template-injection",
        "https://cwe.mitre.org/data/definitions/1336.html",
    ),
))
def injection_server_side_template(component: Component, model: Model) -> Verdict:
    """Fire on processes that render user-written templates outside a sandbox."""
    if component.prop("user_templates") is not True:
        return PASS
    if component.prop("template_sandbox") is True:
        return PASS
    return Fire((said("user_templates", True), "properties.template_sandbox not true"))


# --- browser-side injection -------------------------------------------------------------------


@rule(RuleMeta(
    id="injection-xss",
    title="Cross-site scripting: {element} renders user content without {detail}",
    description="User-supplied content rendered into pages without context-aware output encoding "
    "runs as script in other users' browsers: it steals their sessions and tokens and acts as "
    "them. A Content-Security-Policy is the safety net when one encoding is missed.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, INFO, S), cwe=(79,), capec=(63,),
    asvs=("V5.3.3", "V14.4.3"), attack=("T1189",), kinds=WEB_KINDS, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    properties=frozenset({"renders_user_content"}),
    mitigations=(
        "Render through an auto-escaping template or framework (React without "
        "`dangerouslySetInnerHTML`, Angular, Jinja2 autoescape); sanitise rich text with "
        "DOMPurify or an HTML allow-list sanitiser.",
        "Send a strict Content-Security-Policy (nonce- or hash-based `script-src`, no "
        "`unsafe-inline`, `object-src 'none'`), e.g. from a CloudFront response headers policy.",
    ),
    detection="Client, service or function with `properties.renders_user_content: true` and "
    "`properties.output_encoding: false`, or `properties.csp: false` without "
    "`output_encoding: true`.",
    false_positives="Content that is rendered as text only (never as HTML) by a framework that "
    "escapes by default: state `output_encoding: true`.",
    references=(
        f"{CHEATSHEETS}Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
        f"{CHEATSHEETS}Content_Security_Policy_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/79.html",
    ),
    asks=(Ask(
        "Does {element} encode everything users wrote for the context it is shown in "
        "(auto-escaping templates, a sanitiser for rich text), with a strict "
        "Content-Security-Policy as the safety net?",
        (
            AskFact("properties.output_encoding", confirms=("false",), rules_out=("true",)),
            AskFact("properties.csp", confirms=("false",)),
        ),
        threat="Stored cross-site scripting through {element}: content one user wrote may run "
        "as script in another user's browser",
    ),),
))
def injection_xss(component: Component, model: Model) -> Verdict:
    """Fire on web front ends that render user content without encoding or a CSP."""
    if component.prop("renders_user_content") is not True:
        return PASS
    encoding = component.prop("output_encoding")
    csp = component.prop("csp")
    missing = []
    if encoding is False:
        missing.append("output encoding")
    if csp is False and encoding is not True:
        missing.append("a Content-Security-Policy")
    if not missing:
        if encoding is True:
            return RuledOut(("properties.output_encoding: true",))
        if not component.ours:
            return PASS
        return Unknown(("properties.output_encoding",), why=(
            said("renders_user_content", True) + " (content users wrote is shown to others)",
        ))
    evidence = [said("renders_user_content", True)]
    evidence += [said(k, v) for k, v in (("output_encoding", encoding), ("csp", csp))
                 if v is False]
    return Fire(tuple(evidence), detail=" or ".join(missing))


def _cookie_session(model: Model, component: Component) -> str:
    """Why requests to the component ride on a browser's session cookie ("" when nothing shows
    it): it keeps people's browser sessions itself, or sits behind a proxy that does."""
    return browser_session(model, component) or behind_browser_session(model, component)


def _cookie_sessions(model: Model) -> frozenset[str]:
    return model.graph.memo(("cookie-sessions",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS
        and ("csrf_protection" in c.properties or _cookie_session(model, c))
    ))


COOKIE_SESSIONS = ElementSet(
    "cookie-sessions", "processes that keep people's browser sessions or sit behind a proxy "
    "that does (see threatforge.rules.builtin.web), or that state properties.csrf_protection",
    _cookie_sessions,
)


@rule(RuleMeta(
    id="csrf-missing-protection",
    title="Cross-site request forgery: {element} accepts cookie sessions without CSRF protection",
    description="A web application that authenticates with a session cookie and changes state "
    "without an anti-CSRF token or SameSite cookies performs any request a malicious page makes "
    "the user's browser send: refunds, payee changes, e-mail or password changes.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, T), cwe=(352,), capec=(62,),
    asvs=("V4.2.2", "V3.4.3"), kinds=PROCESS_KINDS, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    among=COOKIE_SESSIONS,
    mitigations=(
        "Use the framework's synchronizer-token or double-submit protection (Spring Security "
        "CSRF, Django `CsrfViewMiddleware`, ASP.NET antiforgery) on every state-changing route.",
        "Set session cookies `SameSite=Lax` or `Strict` (and `Secure`, `HttpOnly`), and verify "
        "`Origin`/`Sec-Fetch-Site` on state-changing requests.",
    ),
    detection="Process that keeps people's browser sessions (`authn: session` on it or a flow "
    "into it; people signing in with SAML, or as actors with a password or OIDC; session tokens "
    "on their requests without a bearer scheme) or sits behind a gateway that does, with "
    "`properties.csrf_protection: false`, unless `properties.cookie_samesite` is strict or lax "
    "or `properties.read_only: true`. An applicable threat while `csrf_protection` is not "
    "stated. A gateway that signs people in for workloads behind it is left to them.",
    false_positives="APIs that only accept bearer tokens in headers are not exposed to CSRF; do "
    "not model them with `authn: session`.",
    references=(
        f"{CHEATSHEETS}Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/352.html",
    ),
    asks=(Ask(
        "Does {element} reject cross-site requests that ride on its session cookie (CSRF "
        "tokens, or SameSite=Lax/Strict cookies)?",
        (
            AskFact("properties.csrf_protection", confirms=("false",), rules_out=("true",)),
            AskFact("properties.cookie_samesite", rules_out=("strict", "lax")),
        ),
        threat="Cookie-session threats on {element}: another site may make the browser act "
        "with the user's session (CSRF)",
    ),),
))
def csrf_missing_protection(component: Component, model: Model) -> Verdict:
    """Fire on cookie-session web apps that state they have no CSRF protection."""
    stated = component.prop("csrf_protection")
    if stated is True:
        return RuledOut(("properties.csrf_protection: true",))
    if stated is not None and stated is not False:
        return PASS
    session = _cookie_session(model, component)
    if not session:
        return Skip("does not authenticate with a session cookie")
    if component.prop("read_only") is True:
        return Skip("changes no state (read_only: true)")
    samesite = word(component.prop("cookie_samesite"))
    if samesite in SAFE_SAMESITE:
        return RuledOut((f"properties.cookie_samesite: {samesite}",))
    if stated is None:
        if component.kind in EDGE_KINDS and _forwards_to_workloads(model, component):
            return Skip("signs people in for the workloads behind it, which are asked")
        return Unknown(("properties.csrf_protection",), why=(
            session, "changes state (read_only not stated)",
        ))
    evidence = ["authn: session" if component.authn is Authn.SESSION else session,
                said("csrf_protection", False)]
    if samesite is not None:
        evidence.append(f"properties.cookie_samesite: {samesite}")
    return Fire(tuple(evidence))


def _forwards_to_workloads(model: Model, component: Component) -> bool:
    return any(model.components[f.target].kind in WORKLOAD_KINDS
               for f in model.graph.flows_out(component.id))


@rule(RuleMeta(
    id="open-redirect",
    title="Open redirect: {element} redirects to URLs taken from the request",
    description="A redirect target taken from a parameter (`?next=`, `?return_to=`) lets "
    "phishing links start on the real domain and, on login and OAuth flows, leaks codes and "
    "tokens to the attacker's site.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(S, INFO), cwe=(601,),
    asvs=("V5.1.5",), attack=("T1566.002",), kinds=SESSION_KINDS, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    properties=frozenset({"redirects_to_user_urls"}),
    mitigations=(
        "Redirect only to relative paths or to an allow-list of exact URLs; map user choices to "
        "server-side ids instead of accepting URLs.",
        "For OAuth/OIDC, register exact redirect URIs (no wildcards) in Cognito, Keycloak or "
        "Okta and compare them by exact string match.",
    ),
    detection="Process or identity provider with `properties.redirects_to_user_urls: true`, "
    "unless `properties.redirect_allowlist: true`.",
    false_positives="Redirects that only accept relative paths; state `redirect_allowlist: true`.",
    references=(
        f"{CHEATSHEETS}Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/601.html",
    ),
))
def open_redirect(component: Component, model: Model) -> Verdict:
    """Fire on components that redirect to request-supplied URLs without an allow-list."""
    if component.prop("redirects_to_user_urls") is not True:
        return PASS
    if component.prop("redirect_allowlist") is True:
        return PASS
    return Fire((said("redirects_to_user_urls", True), "properties.redirect_allowlist not true"))


# --- files and secrets ------------------------------------------------------------------------


OBJECT_STORE_TECH = ("aws.s3*", "gcp.gcs*", "gcs*", "azure.blob*", "minio*")


def _stores_uploads(model: Model, component: Component) -> tuple[str, ...]:
    """Data a person sends that the component (one of our processes, not an edge) receives and
    writes to an object store: files uploaded through it, in effect."""
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    people = {cid for cid, c in model.components.items() if c.kind in PEOPLE_KINDS}
    sent = {d for f in model.flows if f.source in people for d in f.data}
    if not sent:
        return ()
    received = {d for f in model.graph.flows_in(component.id) for d in f.data}
    stores = tech_ids(model, OBJECT_STORE_TECH)
    return tuple(sorted({
        d for f in model.graph.flows_out(component.id) if f.target in stores
        for d in f.data if d in sent and d in received
    }))


def _upload_receivers(model: Model) -> frozenset[str]:
    return model.graph.memo(("upload-receivers",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if "accepts_uploads" in c.properties or _stores_uploads(model, c)
    ))


UPLOAD_RECEIVERS = ElementSet(
    "upload-receivers", "components that state properties.accepts_uploads, and processes that "
    "write data a person sends to an object store",
    _upload_receivers,
)


@rule(RuleMeta(
    id="unrestricted-file-upload",
    title="Unrestricted file upload: {element} accepts files without {detail}",
    description="Uploaded files that are not checked for type and malware become web shells, "
    "stored XSS (SVG, HTML), parser exploits in image and document libraries, or malware "
    "distributed to staff and other users who open them.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(434,), capec=(650,),
    asvs=("V12.2.1", "V12.4.2"), attack=("T1505.003", "T1204.002"),
    kinds=PROCESS_KINDS | {ComponentKind.DATASTORE}, domain=DOMAIN,
    compliance=(PCI_SECURE_CODING,),
    among=UPLOAD_RECEIVERS,
    mitigations=(
        "Check the type by content (magic bytes) against an allow-list and limit the size; "
        "store uploads under generated names outside the web root, in a separate bucket served "
        "with `Content-Disposition: attachment` from a separate domain.",
        "Scan every object before use (Amazon GuardDuty Malware Protection for S3, ClamAV in a "
        "quarantine bucket) and only then move it to the bucket the application reads.",
    ),
    detection="An applicable threat (with the question) where a component states "
    "`accepts_uploads: true`, or a process writes data a person sends to an object store (S3, "
    "GCS, Azure Blob), and `upload_type_validation` is not stated; a finding for a "
    "component with `properties.accepts_uploads: true` and "
    "`properties.upload_type_validation: false` and/or `properties.malware_scanning: false`.",
    false_positives="Uploads that are never opened, parsed or served (write-only archives); "
    "accept with justification.",
    references=(
        f"{CHEATSHEETS}File_Upload_Cheat_Sheet.html",
        "https://docs.aws.amazon.com/guardduty/latest/ug/gdu-malware-protection-s3.html",
        "https://cwe.mitre.org/data/definitions/434.html",
    ),
    asks=(Ask(
        "Does {element} check the type of each uploaded file (content, not the name) before "
        "storing or serving it?",
        (AskFact("properties.upload_type_validation", confirms=("false",),
                 rules_out=("true",)),),
        threat="Malicious file upload through {element}: files a person sends are stored "
        "and opened later",
    ),),
))
def unrestricted_file_upload(component: Component, model: Model) -> Verdict:
    """Fire on upload receivers that state they skip type checks or malware scanning."""
    stated = component.prop("accepts_uploads")
    implied = _stores_uploads(model, component) if stated is None else ()
    if stated is not True and not implied:
        return PASS
    missing = {"upload_type_validation": "type checks", "malware_scanning": "malware scanning"}
    absent = [key for key in missing if component.prop(key) is False]
    if not absent:
        if component.prop("upload_type_validation") is None:
            why = (said("accepts_uploads", True),) if stated else (
                f"stores {', '.join(implied)}, which a person sends, in an object store",
            )
            return Unknown(("properties.upload_type_validation",), why=why)
        return RuledOut(("properties.upload_type_validation: true",))
    return Fire((said("accepts_uploads", True), *(said(k, False) for k in absent)),
                detail=" or ".join(missing[k] for k in absent))


@rule(RuleMeta(
    id="hardcoded-secrets",
    title="Hard-coded secrets in {element}",
    description="Passwords, API keys and signing keys written into source code or images are "
    "copied to every clone, build log, artefact and laptop, cannot be rotated without a release, "
    "and are found by anyone who scans the repository or the image.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, S), cwe=(798,),
    capec=(191,), asvs=("V2.10.4", "V6.4.1"), attack=("T1552.001",),
    kinds=PROCESS_KINDS | {ComponentKind.CLIENT}, confidence=Confidence.HIGH, domain=DOMAIN,
    compliance=("pci-dss-4.0:8.6.2",),
    properties=frozenset({"secrets_in_code"}),
    mitigations=(
        "Move the secrets to AWS Secrets Manager, SSM Parameter Store (SecureString) or Vault and "
        "read them at start-up with the workload's role; rotate every secret that was in code.",
        "Block new ones with secret scanning (GitHub push protection, gitleaks in pre-commit and "
        "CI) and scan history and images.",
    ),
    detection="Component with `properties.secrets_in_code: true`.",
    false_positives="Public identifiers that look like secrets (OAuth client ids, publishable "
    "keys); do not state `secrets_in_code: true` for them.",
    references=(
        f"{CHEATSHEETS}Secrets_Management_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/798.html",
    ),
))
def hardcoded_secrets(component: Component, model: Model) -> Verdict:
    """Fire on components that state secrets are in their code."""
    if component.prop("secrets_in_code") is not True:
        return PASS
    secrets = secrets_of(model, component)
    evidence = [said("secrets_in_code", True)]
    if secrets:
        evidence.append(f"handles {names(secrets)}")
    return Fire(tuple(evidence), data=ids(secrets))


# --- sessions ---------------------------------------------------------------------------------


_SESSION_FACTS = frozenset({
    "session_idle_timeout", "session_timeout_minutes", "session_absolute_timeout_hours",
    "session_rotation", "cookie_secure", "cookie_httponly",
})


def _session_facts_or_browser_sessions(model: Model) -> frozenset[str]:
    return model.graph.memo(("session-facts-or-browser-sessions",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if not _SESSION_FACTS.isdisjoint(c.properties)
    ) | frozenset(members(BROWSER_SESSIONS, model)))


SESSION_FACTS_OR_BROWSER_SESSIONS = ElementSet(
    "session-facts-or-browser-sessions", "components that state a session or cookie fact "
    "(properties.session_*, cookie_secure, cookie_httponly), and those that keep people's "
    "browser sessions (see threatforge.rules.builtin.web.browser_session)",
    _session_facts_or_browser_sessions,
)


@rule(RuleMeta(
    id="session-excessive-lifetime",
    title="Sessions on {element} stay valid too long ({detail})",
    description="Sessions that survive long idle periods or never expire give a stolen session "
    "cookie, an unlocked shared computer or a session token in a log a long useful life.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(S,), cwe=(613,), capec=(60,),
    asvs=("V3.3.1", "V3.3.2"), attack=("T1550.004", "T1539"), kinds=SESSION_KINDS,
    domain=DOMAIN,
    among=SESSION_FACTS_OR_BROWSER_SESSIONS,
    mitigations=(
        f"Expire sessions after at most {MAX_IDLE_MINUTES} minutes idle and "
        f"{MAX_ABSOLUTE_HOURS} hours in total for applications handling confidential data "
        "(Spring `server.servlet.session.timeout`, Cognito/Keycloak SSO session idle and max "
        "settings), and invalidate them server-side on logout.",
    ),
    detection="Process or identity provider handling confidential or restricted data that is "
    f"not an administrative interface, with `properties.session_timeout_minutes` above "
    f"{MAX_IDLE_MINUTES}, `properties.session_absolute_timeout_hours` above "
    f"{MAX_ABSOLUTE_HOURS}, or `properties.session_idle_timeout: false`. Administrative "
    "interfaces are checked by identity-privileged-session-too-long. On a component that keeps "
    "people's browser sessions (see csrf-missing-protection) and handles such data, an "
    "applicable threat while neither `session_timeout_minutes` nor `session_idle_timeout` is "
    "stated.",
    false_positives="Consumer apps at ASVS level 1 may keep 'remember me' sessions for up to 30 "
    "days; accept the finding with that justification.",
    references=(
        f"{CHEATSHEETS}Session_Management_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/613.html",
    ),
    asks=(Ask(
        f"How long may a session on {{element}} stay idle before the user must sign in again "
        f"(minutes; more than {MAX_IDLE_MINUTES} confirms it), and does it expire at all?",
        (
            AskFact("properties.session_timeout_minutes", confirms=("60",),
                    rules_out=(str(MAX_IDLE_MINUTES),)),
            AskFact("properties.session_idle_timeout", confirms=("false",)),
        ),
        threat="Session hijacking on {element}: a stolen or abandoned browser session may stay "
        "usable for long",
    ),),
))
def session_excessive_lifetime(component: Component, model: Model) -> Verdict:
    """Fire on long-lived sessions of non-administrative apps that handle sensitive data."""
    idle = number(component.prop("session_timeout_minutes"))
    absolute = number(component.prop("session_absolute_timeout_hours"))
    evidence: list[str] = []
    details: list[str] = []
    if component.prop("session_idle_timeout") is False:
        evidence.append(said("session_idle_timeout", False))
        details.append("no idle timeout")
    elif idle is not None and idle > MAX_IDLE_MINUTES:
        evidence.append(said("session_timeout_minutes", idle))
        details.append(f"{show(idle)} minutes idle")
    if absolute is not None and absolute > MAX_ABSOLUTE_HOURS:
        evidence.append(said("session_absolute_timeout_hours", absolute))
        details.append(f"{show(absolute)} hours in total")
    data = sensitive_data(model, component)
    if not evidence:
        session = browser_session(model, component)
        if not session or not data or component.admin:
            return PASS  # administrative sessions: identity-privileged-session-too-long asks
        if idle is not None:
            return RuledOut((said("session_timeout_minutes", idle),))
        return Unknown(("properties.session_timeout_minutes",),
                       why=(session, f"handles {names(data)}"))
    if not data:
        return Skip("handles no confidential or restricted data")
    return Fire((*evidence, f"handles {names(data)}"), detail=", ".join(details))


@rule(RuleMeta(
    id="session-not-rotated-on-login",
    title="Session fixation: {element} keeps the session id across login",
    description="If the session identifier is not replaced when the user authenticates, an "
    "attacker who planted or learned the pre-login id (a shared kiosk, a URL, a subdomain "
    "cookie) is logged in as the victim as soon as the victim signs in.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S,), cwe=(384,), capec=(61,),
    asvs=("V3.2.1",), attack=("T1550.004",), kinds=SESSION_KINDS, domain=DOMAIN,
    among=SESSION_FACTS_OR_BROWSER_SESSIONS,
    mitigations=(
        "Issue a new session id on every authentication and privilege change (Spring Security "
        "`sessionFixation().migrateSession()`, `session_regenerate_id(true)`, Express "
        "`req.session.regenerate`) and invalidate the old one server-side.",
    ),
    detection="Process or identity provider with `properties.session_rotation: false`. On a "
    "component that keeps people's browser sessions (see csrf-missing-protection), an "
    "applicable threat while it is not stated.",
    false_positives="Stateless token sessions that issue a new token at login by construction; do "
    "not state `session_rotation: false` for them.",
    references=(
        f"{CHEATSHEETS}Session_Management_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/384.html",
    ),
    asks=(Ask(
        "Does {element} issue a new session id when a user signs in (and on every privilege "
        "change), invalidating the old one?",
        (AskFact("properties.session_rotation", confirms=("false",), rules_out=("true",)),),
        threat="Session fixation on {element}: a session id planted before sign-in may be "
        "logged in as the victim",
    ),),
))
def session_not_rotated_on_login(component: Component, model: Model) -> Verdict:
    """Fire on components that state they keep the session id across authentication."""
    rotated = component.prop("session_rotation")
    if rotated is False:
        return Fire((said("session_rotation", False),))
    session = browser_session(model, component)
    if not session:
        return PASS
    if rotated is None:
        return Unknown(("properties.session_rotation",), why=(session,))
    return RuledOut((said("session_rotation", rotated),))


@rule(RuleMeta(
    id="session-cookie-insecure-flags",
    title="Session cookies of {element} lack {detail}",
    description="A session cookie without `Secure` is sent over any plain-HTTP request (a "
    "downgrade or a mixed-content link) and captured on the network; without `HttpOnly` one "
    "XSS reads it from JavaScript and hands the session to the attacker.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(INFO, S), cwe=(614, 1004),
    capec=(31,), asvs=("V3.4.1", "V3.4.2"), attack=("T1539",), kinds=SESSION_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN,
    among=SESSION_FACTS_OR_BROWSER_SESSIONS,
    mitigations=(
        "Set `Secure`, `HttpOnly` and `SameSite=Lax` (or `Strict`) on every session cookie, "
        "ideally with the `__Host-` prefix (Spring `server.servlet.session.cookie.*`, Express "
        "`cookie: {secure: true, httpOnly: true}`), and send HSTS.",
    ),
    detection="Process or identity provider with `properties.cookie_secure: false` and/or "
    "`properties.cookie_httponly: false`. On a component that keeps people's browser sessions "
    "(see csrf-missing-protection), an applicable threat until both are stated true.",
    false_positives="Non-session cookies (preferences, A/B tests) do not need HttpOnly; the keys "
    "describe session cookies only.",
    references=(
        f"{CHEATSHEETS}Session_Management_Cheat_Sheet.html#cookies",
        "https://cwe.mitre.org/data/definitions/1004.html",
    ),
    asks=(Ask(
        "Are {element}'s session cookies set `Secure` and `HttpOnly` (state both true to rule "
        "it out)?",
        (
            AskFact("properties.cookie_secure", confirms=("false",)),
            AskFact("properties.cookie_httponly", confirms=("false",)),
        ),
        threat="Session hijacking on {element}: its session cookie may be read by a script or "
        "sent over plain HTTP",
    ),),
))
def session_cookie_insecure_flags(component: Component, model: Model) -> Verdict:
    """Fire on components that state session cookies without Secure or HttpOnly."""
    flags = {"cookie_secure": "Secure", "cookie_httponly": "HttpOnly"}
    missing = [key for key in flags if component.prop(key) is False]
    if missing:
        return Fire(tuple(said(k, False) for k in missing),
                    detail=" and ".join(flags[k] for k in missing))
    session = browser_session(model, component)
    if not session:
        return PASS
    unstated = tuple(f"properties.{k}" for k in flags if component.prop(k) is None)
    if unstated:
        return Unknown(unstated, why=(session,))
    return RuledOut(tuple(said(k, True) for k in flags))


# --- protocol handling ------------------------------------------------------------------------


@rule(RuleMeta(
    id="http-request-smuggling",
    title="HTTP request smuggling: {element} forwards ambiguous requests to its backends",
    description="When a proxy and its backend parse Content-Length and Transfer-Encoding "
    "differently, one request can hide a second one that the backend attributes to the next "
    "user: it bypasses the proxy's access rules and WAF, poisons caches and captures other "
    "users' requests with their cookies.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T, S, INFO), cwe=(444,),
    capec=(33,), attack=("T1190",), domain=DOMAIN,
    kinds=EDGE_KINDS,
    properties=frozenset({"http_desync_mitigation"}),
    mitigations=(
        "Set the AWS Application Load Balancer `routing.http.desync_mitigation_mode` to "
        "`defensive` or `strictest` and `routing.http.drop_invalid_header_fields.enabled` to "
        "true; on nginx/Envoy reject requests with both Content-Length and Transfer-Encoding.",
        "Speak HTTP/2 end to end (ALB to target protocol version HTTP2/gRPC) and do not reuse "
        "backend connections across clients where the backend's parser differs.",
    ),
    detection="Load balancer, gateway or CDN with `properties.http_desync_mitigation` false, "
    "off or monitor that forwards HTTP to at least one backend.",
    false_positives="Proxies that speak HTTP/2 end to end to every backend are not exposed; state "
    "`http_desync_mitigation: strictest` or leave it unstated.",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-"
        "balancers.html#desync-mitigation-mode",
        "https://portswigger.net/web-security/request-smuggling",
        "https://cwe.mitre.org/data/definitions/444.html",
    ),
))
def http_request_smuggling(component: Component, model: Model) -> Verdict:
    """Fire on proxies that state desync mitigation is off and forward HTTP."""
    mode = component.prop("http_desync_mitigation")
    if not (mode is False or word(mode) in WEAK_DESYNC_MODES):
        return PASS
    backends = sorted(
        f.target for f in model.graph.flows_out(component.id)
        if f.protocol in HTTP_PROTOCOLS and model.components[f.target].kind in PROCESS_KINDS
    )
    if not backends:
        return Skip("forwards HTTP to no backend")
    assert mode is not None  # noqa: S101 - checked above
    return Fire((said("http_desync_mitigation", mode),
                 f"forwards HTTP to {', '.join(backends)}"))


RULES: tuple[Rule, ...] = (
    injection_sql,
    injection_nosql,
    injection_ldap,
    injection_os_command,
    injection_xxe,
    injection_insecure_deserialization,
    ssrf_cloud_metadata_reachable,
    path_traversal_user_file_paths,
    injection_server_side_template,
    injection_xss,
    csrf_missing_protection,
    open_redirect,
    unrestricted_file_upload,
    hardcoded_secrets,
    session_excessive_lifetime,
    session_not_rotated_on_login,
    session_cookie_insecure_flags,
    http_request_smuggling,
)
