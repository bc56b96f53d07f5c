"""The CloudFormation importer (issue 16 item 2) on templates written for this project and a
StartLeft sample: exact ids, zones, flows and facts, the AWS rules firing on the imported model
at the template's line, and literal secrets kept as kind and place only.

fixtures/cloudformation/startleft-elb-with-waf.json is StartLeft's elb-with-waf.json sample with
the absolute install folder of cfn-init and cfn-signal dropped from its UserData commands (the
repository's machine-path check); the lines are the sample's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.errors import ImporterError
from threatforge.importers import load_importers
from threatforge.importers.auto import discover
from threatforge.importers.cloudformation import CloudFormationImporter, references
from threatforge.importers.interface import ImportedModel
from threatforge.model import load
from threatforge.rules import analyze, builtin_rules

FIXTURES = Path(__file__).parent / "fixtures" / "cloudformation"
PLANTED = ("Sup3rSecretPlanted42", "ghp_abcdefghijklmnopqrstuvwxyz0123456789")
"""The literal secrets of estate.yaml (a parameter's default, a Lambda environment value)."""


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The estate template copied to a fresh current folder (origins are relative to it)."""
    shutil.copy(FIXTURES / "estate.yaml", tmp_path / "estate.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def read(*paths: Path) -> ImportedModel:
    return CloudFormationImporter().read(list(paths))


def test_cloudformation_is_a_built_in_importer() -> None:
    importers = load_importers(include_plugins=False)
    assert "cloudformation" in importers.names
    assert isinstance(importers.importer("cloudformation"), CloudFormationImporter)


def test_intrinsic_functions_name_the_resources_they_reference() -> None:
    value = {
        "A": {"Ref": "Bucket"},
        "B": {"Fn::GetAtt": ["Table", "Arn"]},
        "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${Fn.Arn}/${!Literal}"},
        "D": {"Fn::Join": ["", [{"Ref": "AWS::Region"}, {"Ref": "Queue"}]]},
        "E": {"Fn::Sub": ["${Own}-${Topic}", {"Own": {"Ref": "Key"}}]},
    }
    assert [(name, path) for name, path, _ in references(value)] == [
        ("Bucket", "A"),
        ("Table", "B"),
        ("Bucket", "C"),
        ("Fn", "C"),
        ("Queue", "D[1][1]"),
        ("Topic", "E"),
        ("Key", "E.Own"),
    ]


def test_resources_become_components_and_zones_at_their_lines(estate: Path) -> None:
    model = read(Path("estate.yaml")).model
    assert {
        cid: (c.kind.value, c.tech, c.zone, c.origin) for cid, c in model.components.items()
    } == {
        "AdminRole": (
            "identity-provider",
            "aws.iam.role",
            None,
            "estate.yaml:42 (Resources.AdminRole)",
        ),
        "Web": ("service", "aws.ec2", "PublicSubnet", "estate.yaml:61 (Resources.Web)"),
        "Db": ("datastore", "aws.rds", None, "estate.yaml:74 (Resources.Db)"),
        "Assets": ("datastore", "aws.s3", None, "estate.yaml:84 (Resources.Assets)"),
        "Orders": ("datastore", "aws.dynamodb", None, "estate.yaml:88 (Resources.Orders)"),
        "OrderQueue": ("queue", "aws.sqs", None, "estate.yaml:94 (Resources.OrderQueue)"),
        "FnRole": ("identity-provider", "aws.iam.role", None, "estate.yaml:98 (Resources.FnRole)"),
        "Worker": ("function", "aws.lambda", None, "estate.yaml:113 (Resources.Worker)"),
        "Alarms": ("service", None, None, "estate.yaml:130 (Resources.Alarms)"),
    }
    assert {bid: (b.kind.value, b.origin) for bid, b in model.boundaries.items()} == {
        "Vpc": ("vpc", "estate.yaml:12 (Resources.Vpc)"),
        "PublicSubnet": ("subnet", "estate.yaml:16 (Resources.PublicSubnet)"),
    }


def test_references_security_groups_and_event_sources_become_flows(estate: Path) -> None:
    flows = read(Path("estate.yaml")).model.flows_by_id
    assert {fid: (f.protocol, f.port, f.description, f.origin) for fid, f in flows.items()} == {
        # UserData names the database, and the database's group admits the web group on 5432
        "Web->Db": (
            "tcp",
            5432,
            "allowed by security group DbSG",
            "estate.yaml:70 (Resources.Web.Properties.UserData)",
        ),
        "FnRole->Orders": (
            "aws-api",
            443,
            None,
            "estate.yaml:112 (Resources.FnRole.Properties.Policies[0].PolicyDocument."
            "Statement[0].Resource)",
        ),
        "Worker->FnRole": (None, None, None, "estate.yaml:118 (Resources.Worker.Properties.Role)"),
        "Worker->Orders": (
            "aws-api",
            443,
            None,
            "estate.yaml:122 (Resources.Worker.Properties.Environment.Variables.TABLE)",
        ),
        "Worker->Assets": (
            "aws-api",
            443,
            None,
            "estate.yaml:123 (Resources.Worker.Properties.Environment.Variables.BUCKET)",
        ),
        "OrderQueue->Worker": (
            "aws-invoke",
            None,
            "event source mapping",
            "estate.yaml:125 (Resources.WorkerQueue)",
        ),
    }


def test_security_facts_become_attributes(estate: Path) -> None:
    components = read(Path("estate.yaml")).model.components
    web, db, assets = components["Web"], components["Db"], components["Assets"]
    assert web.properties == {
        "secrets_in_code": True,
        "literal_secrets": [
            "password in Parameters.DBPassword default, used in UserData at estate.yaml:4"
        ],
        "iam_actions": ["*:*"],
        "iam_wildcard_resource_actions": ["*:*"],
        "imds_v1": True,
        "ingress_cidrs": ["0.0.0.0/0"],
        "ingress_ports": [22],
    }
    assert db.properties == {
        "publicly_accessible": True,
        "secrets_in_code": True,
        "literal_secrets": [
            "password in Parameters.DBPassword default, used in MasterUserPassword at estate.yaml:4"
        ],
    }
    assert db.encryption is not None and db.encryption.at_rest is not None
    assert db.encryption.at_rest.value == "none"
    assert assets.properties == {"acl": "public-read"}
    at_rest = {
        cid: c.encryption.at_rest.value
        for cid, c in components.items()
        if c.encryption is not None and c.encryption.at_rest is not None
    }
    # no BucketEncryption: SSE-S3 (provider); alias/aws/sqs: the AWS-managed KMS key
    assert at_rest == {"Db": "none", "Assets": "provider", "Orders": "kms", "OrderQueue": "kms"}
    assert components["Worker"].properties == {
        "secrets_in_code": True,
        "literal_secrets": ["token in API_TOKEN at estate.yaml:124"],
        "secrets_in_env": ["API_TOKEN"],
        "iam_actions": ["dynamodb:*", "sqs:ReceiveMessage"],
    }


def test_notes_list_unknown_types(estate: Path) -> None:
    assert read(Path("estate.yaml")).notes == (
        "type AWS::CloudWatch::Alarm is not in the mapping: Alarms kept as service components "
        "(add it with --mapping FILE)",
        "read 1 CloudFormation template: 9 components, 2 zones, 6 flows",
    )


def test_the_aws_rules_fire_on_the_imported_model_at_the_template_line(estate: Path) -> None:
    assessment = analyze(read(Path("estate.yaml")).model, builtin_rules())
    assert {f.fingerprint: str(f.location) for f in assessment.findings} == {
        "aws-ec2-imdsv1@Web": "estate.yaml:61",
        "aws-iam-full-admin@AdminRole": "estate.yaml:42",
        "aws-iam-full-admin@Web": "estate.yaml:61",
        "aws-iam-service-wildcard-action@FnRole": "estate.yaml:98",
        "aws-iam-service-wildcard-action@Worker": "estate.yaml:113",
        "aws-lambda-secrets-in-environment@Worker": "estate.yaml:113",
        "aws-rds-publicly-accessible@Db": "estate.yaml:74",
        "aws-s3-public-acl@Assets": "estate.yaml:84",
        "aws-sg-admin-port-open-to-internet@Web": "estate.yaml:61",
        "hardcoded-secrets@Web": "estate.yaml:61",
        "hardcoded-secrets@Worker": "estate.yaml:113",
        "unprotected-boundary-crossing@Web->Db": "estate.yaml:70",
    }


def test_an_unencrypted_database_fires_once_the_overlay_says_what_it_stores(
    estate: Path,
) -> None:
    (estate / "overlay.yaml").write_text(
        "data:\n  orders: {classification: confidential}\ncomponents:\n  Db: {stores: [orders]}\n"
    )
    code, out = run(
        "import", "cloudformation", "estate.yaml", "--overlay", "overlay.yaml", "-o", "m.yaml"
    )
    assert code == 0, out
    found = {
        f.fingerprint: str(f.location) for f in analyze(load("m.yaml"), builtin_rules()).findings
    }
    assert found["store-unencrypted-at-rest@Db"] == "estate.yaml:74"


def test_a_json_template_the_startleft_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(FIXTURES / "startleft-elb-with-waf.json", tmp_path / "elb.json")
    monkeypatch.chdir(tmp_path)
    imported = read(Path("."))
    model = imported.model
    web = model.components["WebServerGroup"]
    assert (web.kind.value, web.tech, web.origin) == (
        "service",
        "aws.ec2",
        "elb.json:576 (Resources.WebServerGroup)",
    )
    # the SSH rule's CidrIp is !Ref SSHLocation, whose default is 0.0.0.0/0
    assert web.properties == {
        "imds_v1": True,
        "ingress_cidrs": ["0.0.0.0/0"],
        "ingress_ports": [22],
    }
    assert model.components["ApplicationLoadBalancer"].waf is True
    flow = model.flows_by_id["ApplicationLoadBalancer->WebServerGroup"]
    assert (flow.protocol, flow.port, flow.origin) == (
        "http",
        80,
        "elb.json:821 (Resources.ALBTargetGroup)",
    )
    assert imported.notes == ("read 1 CloudFormation template: 2 components, 0 zones, 1 flows",)
    found = {f.fingerprint: str(f.location) for f in analyze(model, builtin_rules()).findings}
    assert found == {
        "aws-ec2-imdsv1@WebServerGroup": "elb.json:576",
        "aws-sg-admin-port-open-to-internet@WebServerGroup": "elb.json:576",
    }


def test_a_launch_template_requiring_tokens_turns_imdsv1_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        "  Lt:\n"
        "    Type: AWS::EC2::LaunchTemplate\n"
        "    Properties:\n"
        "      LaunchTemplateData:\n"
        "        MetadataOptions: {HttpTokens: required}\n"
        "  Vm:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      LaunchTemplate:\n"
        "        LaunchTemplateId: !Ref Lt\n"
        "        Version: !GetAtt Lt.LatestVersionNumber\n"
        "  Old:\n"
        "    Type: AWS::EC2::Instance\n"
    )
    monkeypatch.chdir(tmp_path)
    components = read(Path("t.yaml")).model.components
    assert {cid: c.properties for cid, c in components.items()} == {
        "Vm": {"imds_v1": False},
        "Old": {"imds_v1": True},
    }


def test_an_unused_secret_parameter_is_a_note_without_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.json").write_text(
        json.dumps(
            {
                "Parameters": {"AdminToken": {"Type": "String", "Default": "tok-Planted-9876"}},
                "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
            },
            indent=1,
        )
    )
    monkeypatch.chdir(tmp_path)
    assert read(Path("t.json")).notes[0] == (
        "t.json:3: parameter AdminToken has a literal default that looks like a token; no "
        "resource uses it"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources:\n  A: [\n", "t.yaml:3: not valid YAML: did not find expected node content"),
        (
            "Resources:\n  A: {Type: AWS::SQS::Queue}\n  A: {Type: AWS::SNS::Topic}\n",
            "t.yaml:2: Duplicate found 'A' (line 2)",
        ),
        ("Resources:\n  A: {Properties: {}}\n", "t.yaml:2: resource 'A' needs a 'Type:'"),
        (
            "Resources: {}\n",
            "t.yaml: no resources found (a template lists them under 'Resources:')",
        ),
    ],
)
def test_broken_templates_are_errors_at_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    (tmp_path / "t.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImporterError) as raised:
        read(Path("t.yaml"))
    assert str(raised.value) == message


def test_an_alias_bomb_in_a_template_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: a billion-laughs template must not expand in memory."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines += ["Resources:", "  Q: {Type: AWS::SQS::Queue, Properties: {Tags: *a8}}"]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImporterError) as raised:
        read(Path("bomb.yaml"))
    assert str(raised.value).startswith("bomb.yaml:")
    assert "alias" in str(raised.value)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_import_auto_reads_templates_by_their_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "infra").mkdir()
    shutil.copy(FIXTURES / "estate.yaml", tmp_path / "infra" / "stack.yml")
    (tmp_path / "infra" / "values.yaml").write_text("replicas: 2\n")
    monkeypatch.chdir(tmp_path)
    importers = load_importers(include_plugins=False)
    found = discover(Path("."), {n: importers.importer(n) for n in importers.names})
    assert found.groups == (("cloudformation", (Path("infra/stack.yml"),)),)
    assert found.skipped == ()
    code, out = run("import", "auto", ".", "-o", "model.yaml")
    assert code == 0, out
    assert out.splitlines()[0] == "read: cloudformation: infra/stack.yml"
    assert load("model.yaml").components["Db"].origin == "infra/stack.yml:74 (Resources.Db)"


def test_a_planted_secret_appears_in_no_output(estate: Path) -> None:
    """The attack: a default password and a token written into a template, imported, then
    analysed and reported in every format. Neither value may appear anywhere."""
    code, out = run("import", "cloudformation", ".", "-o", "model.yaml")
    assert code == 0, out
    outputs = {"import": out, "model.yaml": Path("model.yaml").read_text()}
    for fmt in ("table", "json", "sarif", "markdown", "csv", "junit"):
        code, text = run("analyze", "model.yaml", "--format", fmt)
        assert code in (0, 1), text
        outputs[f"analyze {fmt}"] = text
    code, text = run("report", "model.yaml", "-o", "report.html")
    assert code == 0, text
    outputs["report.html"] = Path("report.html").read_text()
    assert '"ruleId": "hardcoded-secrets"' in outputs["analyze sarif"]
    assert '"uri": "estate.yaml"' in outputs["analyze sarif"]
    leaks = [(w, v) for w, text in outputs.items() for v in PLANTED if v in text]
    assert leaks == []
    assert all("Planted" not in text for text in outputs.values())
