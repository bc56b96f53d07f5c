"""Diagrams: what they show, how they escape, and that they render with and without Graphviz."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from report_support import (
    HOSTILE,
    IMG,
    SCRIPT,
    TODAY,
    analysed,
    example_path,
    require_binary,
)
from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import load_text
from threatforge.reports import dot as dot_module
from threatforge.reports.analysis_view import AttackPath
from threatforge.reports.choices import DiagramFormat, DiagramView, LayoutEngine
from threatforge.reports.diagram import Emphasis, Shape, build_diagram
from threatforge.reports.diagrams import render_diagram
from threatforge.reports.dot import render_dot
from threatforge.reports.mermaid import render_mermaid
from threatforge.reports.svg_layout import render_builtin_svg
from threatforge.rules import analyze

SMALL = """
version: 1
system: {name: Shop}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
  cloud: {name: Cloud, trust: trusted}
  vpc: {trust: restricted, inside: cloud}
components:
  shopper: {kind: actor, zone: internet}
  api: {kind: gateway, zone: cloud, exposure: public, authn: jwt}
  db: {kind: datastore, zone: vpc, stores: [pan], authn: none, encryption: {at_rest: none}}
flows:
  - shopper -> api: {protocol: https, data: [pan]}
  - api -> db: {protocol: postgres, tls: false, data: [pan]}
"""


def test_dfd_has_nested_clusters_shapes_and_severity_marks() -> None:
    model = load_text(SMALL)
    assessment = analyze(model, today=TODAY)
    diagram = build_diagram(model, assessment)
    assert [(c.key, c.element, c.title, c.parent) for c in diagram.clusters] == [
        ("z0", "internet", "internet (untrusted)", None),
        ("z1", "cloud", "Cloud (trusted)", None),
        ("z2", "vpc", "vpc (restricted)", "z1"),
    ]
    assert [(n.key, n.element, n.shape, n.cluster) for n in diagram.nodes] == [
        ("n0", "shopper", Shape.ENTITY, "z0"),
        ("n1", "api", Shape.GATEWAY, "z1"),
        ("n2", "db", Shape.STORE, "z2"),
    ]
    db = diagram.nodes[2]
    worst = max(
        (f.severity for f in assessment.open_findings if "db" in f.elements),
        key=lambda s: s.rank,
    )
    assert db.severity is worst
    assert db.lines[2].startswith(f"[{worst.value.upper()}] ")
    edge = diagram.edges[1]
    assert (edge.source, edge.target, edge.dashed) == ("n1", "n2", True)
    assert edge.lines[:2] == ("postgres (cleartext)", "pan")


def test_attack_path_view_highlights_the_path_and_dims_the_rest() -> None:
    model = load_text(SMALL)
    path = AttackPath(("shopper", "api"), "shopper to api")
    diagram = build_diagram(model, None, DiagramView.ATTACK_PATHS, paths=[path])
    assert {n.element: n.emphasis for n in diagram.nodes} == {
        "shopper": Emphasis.HIGHLIGHT,
        "api": Emphasis.HIGHLIGHT,
        "db": Emphasis.DIM,
    }
    assert [e.emphasis for e in diagram.edges] == [Emphasis.HIGHLIGHT, Emphasis.DIM]
    assert diagram.note == "1 attack path highlighted; every other element is dimmed."


def test_data_view_links_assets_to_their_holders() -> None:
    model = load_text(SMALL)
    diagram = build_diagram(model, None, DiagramView.DATA)
    assert [(n.key, n.element) for n in diagram.nodes] == [("d0", "pan"), ("n0", "db")]
    assert [(e.source, e.target, e.lines) for e in diagram.edges] == [("d0", "n0", ("stores",))]


def test_dot_text_escapes_labels_and_uses_synthetic_ids() -> None:
    model, assessment = analysed(HOSTILE)
    text = render_dot(build_diagram(model, assessment))
    assert 'n0 [label="<script>alert(1)</script>\\nactor"' in text
    assert 'label="Prod \\"><img onerror=alert(1) src=x> (trusted)"' in text
    # every statement id is synthetic: no model text outside quoted strings
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    assert "script" not in unquoted
    assert "img" not in unquoted


@pytest.mark.needs_dot
def test_svg_with_graphviz_escapes_model_text() -> None:
    require_binary("dot")
    model, assessment = analysed(HOSTILE)
    svg = render_diagram(model, assessment, engine=LayoutEngine.GRAPHVIZ)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&quot;&gt;&lt;img onerror=alert(1) src=x&gt;" in svg
    assert SCRIPT not in svg
    assert "<img" not in svg
    assert "<!--" not in svg


def test_svg_without_dot_uses_the_builtin_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dot_module.shutil, "which", lambda name: None)
    model, assessment = analysed(HOSTILE)
    svg = render_diagram(model, assessment)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')
    assert 'aria-label="&lt;script&gt;alert(1)&lt;/script&gt; shop: data flow diagram"' in svg
    assert "&quot;&gt;&lt;img onerror=alert(1) src=x&gt;" in svg
    assert SCRIPT not in svg
    assert "<img" not in svg
    with pytest.raises(Exception, match="Graphviz 'dot' is not installed"):
        render_diagram(model, assessment, engine=LayoutEngine.GRAPHVIZ)


def test_builtin_layout_keeps_boundaries_apart_and_nodes_inside_them() -> None:
    model, assessment = analysed(example_path("card-checkout"))
    diagram = build_diagram(model, assessment)
    svg = render_builtin_svg(diagram)
    assert svg.count("<polygon") >= len(diagram.edges)  # an arrow head per flow
    for node in diagram.nodes:
        assert f">{node.lines[0].replace('&', '&amp;')}</tspan>" in svg


def test_mermaid_escapes_labels() -> None:
    model, assessment = analysed(HOSTILE)
    text = render_mermaid(build_diagram(model, assessment))
    assert text.startswith("flowchart LR\n")
    assert '  n0["#60;script#62;alert(1)#60;/script#62;<br/>actor"]' in text
    assert SCRIPT not in text
    assert IMG not in text
    assert "`" not in text


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", ["card-checkout", "k8s-platform", "partner-api"])
def test_every_example_renders_with_dot_and_without(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_binary("dot")
    model, assessment = analysed(example_path(name))
    for view in DiagramView:
        with_dot = render_diagram(model, assessment, view, engine=LayoutEngine.GRAPHVIZ)
        builtin = render_diagram(model, assessment, view, engine=LayoutEngine.BUILTIN)
        assert '<g id="graph0" class="graph"' in with_dot
        assert "<svg xmlns=" in builtin
        # the DOT text is valid for Graphviz
        dot_text = render_diagram(model, assessment, view, DiagramFormat.DOT)
        completed = subprocess.run(
            ["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True, check=False
        )
        assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize(
    ("suffix", "start"),
    [(".svg", '<?xml version="1.0"'), (".dot", "digraph threatforge {"), (".mmd", "flowchart LR")],
)
def test_cli_diagram_writes_each_format(suffix: str, start: str, tmp_path: Path) -> None:
    out = tmp_path / f"diagram{suffix}"
    result = CliRunner().invoke(
        app,
        ["diagram", str(HOSTILE), "-o", str(out), "--view", "data", "--today", "2026-01-01"],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(start)


def test_cli_diagram_refuses_an_unknown_extension(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["diagram", str(HOSTILE), "-o", str(tmp_path / "d.png")])
    assert result.exit_code == 2
    assert "cannot tell the diagram format of 'd.png'" in result.output
