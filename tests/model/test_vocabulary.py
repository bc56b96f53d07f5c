"""The vocabulary catalogue (threatforge.model.vocabulary): one source of kind groups, known
technologies, properties and protocols, and what the loader says about names it does not know."""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest

from threatforge.model import ComponentKind, Flow, load_with_diagnostics
from threatforge.model.json_schema import model_json_schema
from threatforge.model.vocabulary import (
    KindGroup,
    kind_group,
    property_catalogue,
    protocol_encryption,
    technology_catalogue,
)
from threatforge.model.vocabulary._catalogue import kind_catalogue
from threatforge.model.vocabulary.docs import main as docs_main
from threatforge.model.vocabulary.docs import update_page
from threatforge.rules import builtin_rules

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "threatforge"
VOCABULARY = SRC / "model" / "vocabulary"


# --- kind groups: one definition --------------------------------------------------------------


def test_the_kind_group_enum_names_exactly_the_groups_of_kinds_yaml() -> None:
    assert [g.value for g in KindGroup] == list(kind_catalogue().groups)


def test_each_kind_group_has_exactly_its_kinds() -> None:
    groups = {g.value: sorted(k.value for k in kind_group(g)) for g in KindGroup}
    assert groups == {
        "runs-code": ["function", "gateway", "service"],
        "own-processes": ["ci-pipeline", "function", "gateway", "service"],
        "workloads": ["function", "service"],
        "stores-data": ["cache", "datastore", "queue", "secrets-store", "stream"],
        "holds-data": [
            "artifact-registry", "cache", "datastore", "queue", "secrets-store", "stream"
        ],
        "brokers": ["cache", "queue", "stream"],
        "messaging": ["queue", "stream"],
        "edge": ["cdn", "gateway", "load-balancer"],
        "people": ["actor", "client"],
        "external": ["actor", "client", "external-service"],
        "security-impacting": [
            "artifact-registry", "ci-pipeline", "identity-provider", "key-management",
            "monitoring", "secrets-store",
        ],
        "crown-jewels": ["identity-provider", "key-management", "secrets-store"],
    }


def test_component_kind_groups_are_read_from_the_vocabulary() -> None:
    assert {k for k in ComponentKind if k.stores_data} == kind_group(KindGroup.HOLDS_DATA)
    assert {k for k in ComponentKind if k.is_process} == kind_group(KindGroup.OWN_PROCESSES)


def test_a_group_that_includes_itself_is_refused() -> None:
    from threatforge.model.vocabulary._catalogue import KindCatalogue

    looped = KindCatalogue.model_validate(
        {"groups": {"a": {"description": "a", "kinds": ["+b"]},
                    "b": {"description": "b", "kinds": ["service", "+a"]}}}
    )
    with pytest.raises(ValueError, match=r"^kind group 'a' includes itself: a -> b -> a$"):
        looped.expanded("a")


def _kind_literals(tree: ast.AST) -> list[tuple[int, frozenset[str]]]:
    """Every set, tuple or list literal naming two or more component kinds (as
    ``ComponentKind.X`` or as the kind's string), with its line."""
    values = {k.value: k.name for k in ComponentKind}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Set | ast.Tuple | ast.List):
            continue
        names = [
            e.attr for e in node.elts
            if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name)
            and e.value.id == "ComponentKind"
        ]
        strings = [
            values[e.value] for e in node.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in values
        ]
        if len(strings) == len(node.elts) >= 2:
            names = strings
        if len(names) >= 2:
            found.append((node.lineno, frozenset(names)))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if VOCABULARY not in p.parents)


def test_no_module_copies_a_kind_group() -> None:
    """A set of kinds equal to a group of kinds.yaml, written out again anywhere in src, is a
    copy that can drift (today's loader, schema, rules and analyses each had one)."""
    groups = {frozenset(k.name for k in kind_group(g)): g.value for g in KindGroup}
    copies = [
        f"{path.relative_to(SRC)}:{line}: {groups[names]}"
        for path in _modules()
        for line, names in _kind_literals(ast.parse(path.read_text(encoding="utf-8")))
        if names in groups
    ]
    assert copies == []


def test_no_module_names_a_kind_group_of_its_own() -> None:
    """A module-level constant holding a written-out set of two or more kinds is a kind group
    defined outside the vocabulary: compose it from kind_group() (plus one kind at most) or add
    the group to kinds.yaml. A rule's own scope (``kinds=`` in its decorator) may still list the
    few kinds it looks at."""
    own = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for statement in tree.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                own.extend(
                    f"{path.relative_to(SRC)}:{line}: {sorted(names)}"
                    for line, names in _kind_literals(statement.value)
                )
    assert own == []


def test_the_scan_sees_a_copy_written_either_way() -> None:
    """The two tests above would catch the copies this change removed."""
    loader_copy = '_STORE_WARN_KINDS = ("datastore", "cache", "queue", "stream", "secrets-store")'
    facts_copy = "PEOPLE_KINDS = frozenset({ComponentKind.ACTOR, ComponentKind.CLIENT})"
    assert _kind_literals(ast.parse(loader_copy)) == [
        (1, frozenset({"DATASTORE", "CACHE", "QUEUE", "STREAM", "SECRETS_STORE"}))
    ]
    assert _kind_literals(ast.parse(facts_copy)) == [(1, frozenset({"ACTOR", "CLIENT"}))]


# --- the catalogue covers what the rules read -------------------------------------------------


def test_every_technology_glob_of_a_builtin_rule_matches_a_known_technology() -> None:
    known = [*technology_catalogue().technologies, *technology_catalogue().aliases]
    unmatched = sorted(
        {
            f"{rule.id}: {glob}"
            for rule in builtin_rules()
            for glob in rule.meta.tech
            if not fnmatch.filter(known, glob)
        }
    )
    assert unmatched == []


def test_every_property_a_builtin_rule_scopes_on_is_in_the_catalogue() -> None:
    known = property_catalogue().properties
    missing = sorted(
        {f"{rule.id}: {key}" for rule in builtin_rules() for key in rule.meta.properties
         if key not in known}
    )
    assert missing == []


def test_protocol_encryption_is_the_one_flows_use() -> None:
    encryption = protocol_encryption()
    assert sorted(p for p, e in encryption.items() if e is True) == [
        "amqps", "aws-api", "aws-invoke", "ftps", "grpcs", "h2", "https", "imaps", "kafka-tls",
        "ldaps", "mqtts", "rediss", "sftp", "smtps", "ssh", "tls", "wss",
    ]
    assert sorted(p for p, e in encryption.items() if e is False) == [
        "amqp", "dns", "ftp", "grpc-plaintext", "http", "ldap", "memcached", "mqtt", "nfs",
        "smb", "smtp", "snmp", "syslog", "tcp", "telnet", "udp", "ws",
    ]
    flows = {
        p: Flow(source="a", target="b", protocol=p).encrypted
        for p in ("https", "http", "h2c", "postgres", "made-up")
    }
    assert flows == {
        "https": True, "http": False, "h2c": None, "postgres": None, "made-up": None
    }
    assert Flow(source="a", target="b", protocol="http", tls=True).encrypted is True
    assert Flow(source="a", target="b", protocol="postgres", tls=False).encrypted is False


# --- the loader checks names against it ---------------------------------------------------------

MISSPELT = """\
version: 1
system: {name: t}
boundaries:
  vpc: {kind: network, trust: trusted}
components:
  user: {kind: actor, zone: vpc}
  bucket:
    kind: datastore
    zone: vpc
    tech: s3
    encryption: {at_rest: kms}
    properties: {block_public_acess: true}
  pay: {kind: service, zone: vpc, properties: {dual_aproval: true}}
flows:
  - user -> pay: {protocol: htps}
  - pay -> bucket: {protocol: https}
"""


def _diagnostics(folder: Path, text: str) -> list[str]:
    path = folder / "threatmodel.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_with_diagnostics(path)
    return [d.format().removeprefix(f"{folder}/") for d in result.diagnostics]


def test_the_four_misspellings_of_a_new_user_are_warnings_naming_the_intended_word(
    tmp_path: Path,
) -> None:
    assert _diagnostics(tmp_path, MISSPELT) == [
        "threatmodel.yaml:10:11: warning: component 'bucket': unknown technology 's3' — did you "
        "mean 'aws.s3'? (rules match technologies by these names: another name switches them "
        "off)",
        "threatmodel.yaml:12:18: warning: component 'bucket': unknown property "
        "'block_public_acess' — did you mean 'block_public_access'? (no rule reads it; a misspelt "
        "key switches its rules off)",
        "threatmodel.yaml:13:48: warning: component 'pay': unknown property 'dual_aproval' — did "
        "you mean 'dual_approval'? (no rule reads it; a misspelt key switches its rules off)",
        "threatmodel.yaml:15:29: warning: flow 1 (user -> pay): unknown protocol 'htps' — did you "
        "mean 'https'? (rules cannot tell whether it is encrypted or what it carries)",
    ]


def test_the_correct_words_give_no_warning(tmp_path: Path) -> None:
    fixed = (
        MISSPELT.replace("tech: s3", "tech: aws.s3")
        .replace("acess", "access")
        .replace("aproval", "approval")
        .replace("htps", "https")
    )
    assert _diagnostics(tmp_path, fixed) == []


def test_a_value_of_the_wrong_type_or_outside_the_allowed_values_is_an_error(
    tmp_path: Path,
) -> None:
    wrong = MISSPELT.replace("block_public_acess: true", 'block_public_access: "yes"').replace(
        "dual_aproval: true", "deserializes: true, dual_approval: true"
    )
    assert _diagnostics(tmp_path, wrong)[:2] == [
        "threatmodel.yaml:12:39: error: component 'bucket': property 'block_public_access' is "
        "'yes' (a string); expected a boolean (true or false); write true or false without "
        "quotes",
        "threatmodel.yaml:13:62: error: component 'pay': property 'deserializes' is true (a "
        "boolean); expected a string or a list of strings; YAML reads unquoted on/off/yes/no as "
        "booleans: quote the word",
    ]
    outside = MISSPELT.replace("dual_aproval: true", "api_style: graphq")
    assert _diagnostics(tmp_path, outside)[0] == (
        "threatmodel.yaml:13:59: error: component 'pay': property 'api_style' is 'graphq' — did "
        "you mean 'graphql'?; expected one of: rest, graphql, grpc"  # as the loader's enums say
    )


# --- the catalogue in the JSON Schema and the docs ------------------------------------------------


def test_the_json_schema_offers_known_technologies_and_properties_per_technology() -> None:
    schema = model_json_schema()
    component = schema["$defs"]["Component"]
    assert component["properties"]["tech"]["anyOf"][0]["enum"][:3] == [
        "389ds", "active-directory", "android"
    ]
    s3 = next(
        branch["then"]["properties"]["properties"]["properties"]
        for branch in component["allOf"]
        if branch["if"]["properties"]["tech"]["pattern"] == "^(?:aws\\.s3.*)$"
    )
    assert s3["block_public_access"]["type"] == "boolean"
    flow = schema["$defs"]["Flow"]["properties"]
    assert "https" in flow["protocol"]["anyOf"][0]["enum"]


def test_the_property_pages_and_kind_groups_are_generated_from_the_catalogue() -> None:
    assert docs_main([str(ROOT / "docs"), "--check"]) == 0
    page = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    assert (
        "| `external` | `actor`, `client`, `external-service` | `people` | What is not a system "
        "component of ours: people, their devices, third parties. Attack paths start here and "
        "never end here. |\n"
    ) in page


def test_a_stale_property_table_is_rewritten(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "rules" / "aws-properties.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if line.startswith("| `block_public_access`"))
    stale = page.replace(row, "| `block_public_access` | old | text | text | text |")
    assert update_page("aws-properties.md", stale) == page
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "aws-properties.md").write_text(stale, encoding="utf-8")
    for other in {t.page for t in property_catalogue().tables} - {"aws-properties.md"}:
        text = (ROOT / "docs" / "rules" / other).read_text(encoding="utf-8")
        (tmp_path / "rules" / other).write_text(text, encoding="utf-8")
    vocabulary = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    (tmp_path / "vocabulary.md").write_text(vocabulary, encoding="utf-8")
    assert docs_main([str(tmp_path), "--check"]) == 1
    assert docs_main([str(tmp_path)]) == 0
    assert (tmp_path / "rules" / "aws-properties.md").read_text(encoding="utf-8") == page
    assert (tmp_path / "vocabulary.md").read_text(encoding="utf-8") == vocabulary
