"""The Kubernetes importer on manifests written for this project: exact ids, zones, flows and
facts, the k8s rules firing on the imported model at the manifest's line (issue 16 item 3 and
its done-when fixture: cluster-admin bound to a service account, a privileged pod, no
NetworkPolicy), Helm templates skipped, ``import auto`` reading manifests, and the multi-document
entry point of the bounded YAML reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.errors import ImporterError
from threatforge.importers import load_importers
from threatforge.importers.auto import discover
from threatforge.importers.interface import ImportedModel
from threatforge.importers.kubernetes import KubernetesImporter
from threatforge.model import ReadError, parse_yaml_documents
from threatforge.rules import analyze, builtin_rules

FIXTURES = Path(__file__).parent / "fixtures" / "kubernetes"
PLANTED = "S3cr3t-Planted-Value"
"""The literal DB_PASSWORD of the shop fixture's app.yaml."""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shop manifests in a fresh current folder (origins are relative to it)."""
    for name in ("app.yaml", "rbac.yaml"):
        shutil.copy(FIXTURES / "shop" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def read(*paths: Path) -> ImportedModel:
    return KubernetesImporter().read(list(paths))


def test_kubernetes_is_a_built_in_importer() -> None:
    importer = load_importers(include_plugins=False).importer("kubernetes")
    assert isinstance(importer, KubernetesImporter)


def test_workloads_become_components_with_kind_tech_zone_exposure_and_origin(shop: Path) -> None:
    model = read(Path(".")).model
    assert {
        cid: (c.kind.value, c.tech, c.zone, c.exposure.value if c.exposure else None, c.origin)
        for cid, c in model.components.items()
    } == {
        "Deployment/shop/web": (
            "service",
            "k8s.deployment",
            "Namespace/shop",
            "public",
            "app.yaml:9 (Deployment/shop/web)",
        ),
        "Deployment/shop/api": (
            "service",
            "k8s.deployment",
            "Namespace/shop",
            "private",
            "app.yaml:35 (Deployment/shop/api)",
        ),
        "Pod/shop/debug": (
            "service",
            "k8s",
            "Namespace/shop",
            "private",
            "app.yaml:95 (Pod/shop/debug)",
        ),
        "internet-clients": ("actor", None, "internet", None, "app.yaml:78 (internet-clients)"),
        "Ingress/shop/shop": (
            "gateway",
            None,
            "Namespace/shop",
            "public",
            "app.yaml:78 (Ingress/shop/shop)",
        ),
    }


def test_namespaces_become_zones_with_the_network_policy_facts(shop: Path) -> None:
    model = read(Path(".")).model
    assert {
        b.id: (b.kind.value, b.trust.value, b.origin, dict(b.properties))
        for b in model.boundaries.values()
    } == {
        "Namespace/shop": (
            "namespace",
            "trusted",
            "app.yaml:4 (Namespace/shop)",
            {"default_deny": False, "network_policies": "none"},
        ),
        "internet": ("internet", "untrusted", "app.yaml:78 (internet)", {}),
    }


def test_service_selectors_and_ingress_rules_become_flows(shop: Path) -> None:
    model = read(Path(".")).model
    assert [(f.id, f.protocol, f.port, f.origin) for f in model.flows] == [
        (
            "Deployment/shop/web->Deployment/shop/api",
            "http",
            8080,
            "app.yaml:29 (Deployment/shop/web.env.API_URL)",
        ),
        ("internet-clients->Ingress/shop/shop", "https", 443, "app.yaml:78 (Ingress/shop/shop)"),
        (
            "Ingress/shop/shop->Deployment/shop/web",
            "http",
            80,
            "app.yaml:83 (Ingress/shop/shop.spec)",
        ),
    ]


def test_pod_specs_rbac_and_secrets_become_facts_never_values(shop: Path) -> None:
    model = read(Path(".")).model
    assert dict(model.components["Deployment/shop/api"].properties) == {
        "service_account": "deployer",
        "privileged": False,
        "read_only_root_fs": False,
        "resource_limits": False,
        "image": "acme/api:latest",
        "image_tag": "latest",
        "automount_service_account_token": True,
        "kube_api_access": True,
        "cluster_role": "cluster-admin",
        "secrets_in_env": True,
        "secrets_in_manifests": True,
        "secrets_in_code": True,
        "literal_secrets": ["password in DB_PASSWORD at app.yaml:52"],
    }
    assert dict(model.components["Pod/shop/debug"].properties) == {
        "host_network": True,
        "service_account": "default",
        "privileged": True,
        "read_only_root_fs": False,
        "capabilities_add": ["SYS_ADMIN"],
        "resource_limits": False,
        "image": "busybox",
        "image_tag": "latest",
        "host_path": ["/var/run/docker.sock"],
        "automount_service_account_token": True,
    }
    web = model.components["Deployment/shop/web"].properties
    assert (web["run_as_non_root"], web["automount_service_account_token"], web["replicas"]) == (
        True,
        False,
        2,
    )
    assert "image_tag" not in web  # pinned by digest


def test_the_done_when_findings_fire_at_the_manifest_lines(shop: Path) -> None:
    """Cluster-admin bound to a service account, a privileged pod, no NetworkPolicy: each is a
    finding naming the resource at its file and line (and nothing else fires on the k8s side
    but what the manifests say)."""
    assessment = analyze(read(Path(".")).model, builtin_rules())
    found = {f.fingerprint: str(f.location) for f in assessment.findings}
    assert found == {
        "hardcoded-secrets@Deployment/shop/api": "app.yaml:35",
        "k8s-cluster-admin-binding@Deployment/shop/api": "app.yaml:35",
        "k8s-host-namespace-or-path@Pod/shop/debug": "app.yaml:95",
        "k8s-mutable-image-tag@Deployment/shop/api": "app.yaml:35",
        "k8s-mutable-image-tag@Pod/shop/debug": "app.yaml:95",
        "k8s-namespace-no-default-deny@Namespace/shop": "app.yaml:4",
        "k8s-no-resource-limits@Deployment/shop/api": "app.yaml:35",
        "k8s-no-resource-limits@Pod/shop/debug": "app.yaml:95",
        "k8s-privileged-container@Pod/shop/debug": "app.yaml:95",
        "k8s-sa-token-automount@Pod/shop/debug": "app.yaml:95",
        "k8s-secrets-in-env@Deployment/shop/api": "app.yaml:35",
        "k8s-secrets-in-manifests@Deployment/shop/api": "app.yaml:35",
    }


def test_a_planted_secret_in_a_manifest_appears_in_no_output(shop: Path) -> None:
    """The attack: a password written into a pod's env, imported, analysed, reported."""
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "kubernetes", ".", "-o", "model.yaml"])
    assert imported.exit_code == 0, imported.output
    outputs = {"import": imported.output, "model.yaml": Path("model.yaml").read_text()}
    assert "literal_secrets: ['password in DB_PASSWORD at app.yaml:52']" in outputs["model.yaml"]
    for fmt in ("json", "sarif", "markdown"):
        result = runner.invoke(app, ["analyze", "model.yaml", "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        outputs[f"analyze {fmt}"] = result.output
    assert '"ruleId": "k8s-privileged-container"' in outputs["analyze sarif"]
    assert [where for where, text in outputs.items() if PLANTED in text] == []
    assert all("Planted" not in text for text in outputs.values())


def test_helm_templates_are_skipped_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(FIXTURES / "chart", tmp_path / "chart")
    shutil.copy(FIXTURES / "shop" / "rbac.yaml", tmp_path / "rbac.yaml")
    (tmp_path / "loose.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n"
    )
    monkeypatch.chdir(tmp_path)
    notes = read(Path(".")).notes
    assert notes == (
        "skipped loose.yaml: a Helm template ('{{ ... }}'); render it with 'helm template' and "
        "import the output",
        "skipped chart/templates/deployment.yaml: a Helm template ('{{ ... }}'); render it with "
        "'helm template' and import the output",
        "rbac.yaml:16: service account 'shop/deployer' is bound to ClusterRole 'cluster-admin' "
        "but no workload in the files uses it",
        "rbac.yaml:21: Secret 'stripe' is stored in the files; its values were not read",
        "read 1 Kubernetes file: 0 components, 1 zones, 0 flows",
    )


def test_auto_reads_manifests_and_leaves_other_yaml_to_others(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "shop", tmp_path / "k8s")
    (tmp_path / "ci.yaml").write_text("stages: [test]\n")
    (tmp_path / "api.yaml").write_text("openapi: 3.0.3\ninfo: {title: x, version: '1'}\n")
    importers = load_importers(include_plugins=False)
    found = discover(tmp_path, {n: importers.importer(n) for n in importers.names})
    assert found.groups == (
        ("kubernetes", (tmp_path / "k8s" / "app.yaml", tmp_path / "k8s" / "rbac.yaml")),
        ("openapi", (tmp_path / "api.yaml",)),  # an OpenAPI document is not a manifest
    )
    assert found.skipped == ()  # ci.yaml looks like neither


def test_network_policies_rbac_wildcards_lists_and_load_balancers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "all.yaml").write_text(
        """\
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: report, namespace: ops}
    spec:
      jobTemplate:
        spec:
          template:
            metadata: {labels: {app: report}}
            spec:
              serviceAccountName: reporter
              containers:
                - {name: r, image: acme/report:1.2, securityContext: {runAsUser: 0}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: ops}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: everything, namespace: ops}
rules:
  - {apiGroups: [""], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reporter-everything, namespace: ops}
roleRef: {kind: Role, name: everything, apiGroup: rbac.authorization.k8s.io}
subjects:
  - {kind: ServiceAccount, name: reporter}
  - {kind: Group, name: "system:authenticated"}
---
apiVersion: v1
kind: Service
metadata: {name: report, namespace: ops}
spec:
  type: LoadBalancer
  selector: {app: report}
  ports: [{port: 8443}]
"""
    )
    monkeypatch.chdir(tmp_path)
    imported = read(Path("all.yaml"))
    model = imported.model
    report = model.components["CronJob/ops/report"]
    assert (report.kind.value, report.tech, report.origin, report.exposure.value) == (
        "service",
        "k8s.cronjob",
        "all.yaml:5 (CronJob/ops/report)",
        "public",
    )
    assert {
        k: report.properties[k]
        for k in ("rbac_wildcard", "run_as_non_root", "run_as_user", "image_tag")
    } == {
        "rbac_wildcard": True,
        "run_as_non_root": False,
        "run_as_user": 0,
        "image_tag": "1.2",
    }
    assert dict(model.boundaries["Namespace/ops"].properties) == {
        "default_deny": True,
        "network_policies": "default-deny",
    }
    assert [f.id for f in model.flows] == [
        "internet-clients->Service/ops/report",
        "Service/ops/report->CronJob/ops/report",
    ]
    assert imported.notes[0] == (
        "all.yaml:36: RoleBinding 'reporter-everything' binds Group 'system:authenticated' "
        "(not a workload): not modelled"
    )
    found = {f.fingerprint for f in analyze(model, builtin_rules()).findings}
    assert {
        "k8s-cluster-admin-binding@CronJob/ops/report",
        "k8s-container-runs-as-root@CronJob/ops/report",
    } <= found
    assert "k8s-namespace-no-default-deny@Namespace/ops" not in found


def test_a_folder_without_manifests_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text("stages: [test]\n")
    with pytest.raises(ImporterError) as raised:
        read(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path}: no Kubernetes manifests found (YAML files with top-level 'apiVersion:' "
        "and 'kind:')"
    )


def test_the_reader_reads_a_document_stream_at_the_file_lines() -> None:
    text = "# head\n---\na: 1\n--- # two\nb:\n  c: 2\n...\n---\n# only comments\n---\nd: [3]\n"
    documents = parse_yaml_documents(text, "s.yaml")
    assert [(d.value, str(d.location((next(iter(d.value)),), key=True))) for d in documents] == [
        ({"a": 1}, "s.yaml:3:1"),
        ({"b": {"c": 2}}, "s.yaml:5:1"),
        ({"d": [3]}, "s.yaml:11:1"),
    ]


def test_the_document_stream_keeps_the_reader_bounds() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdef", "bcdefg", strict=True)
    )
    with pytest.raises(ReadError) as raised:
        parse_yaml_documents("x: 1\n---\n" + bomb, "bomb.yaml")
    assert str(raised.value).startswith("bomb.yaml:9:")
    assert "alias bomb" in str(raised.value)
