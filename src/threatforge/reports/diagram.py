"""What a diagram shows, independent of how it is drawn.

:func:`build_diagram` turns a model (and optionally its assessment) into a :class:`Diagram`:
clusters for trust boundaries, nodes for components (or data assets), edges for flows, each
marked with the highest open severity that a finding gives it. The renderers (Graphviz DOT,
Mermaid, the built-in SVG layout) only draw this structure; none of them looks at the model.
Node and cluster keys are synthetic (``n3``, ``z1``) so that no model text ever becomes an id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from threatforge.assessment import AnalysisStatus
from threatforge.model import Classification, ComponentKind, Flow, Model, TrustLevel
from threatforge.reports.analysis_view import AttackPath, attack_paths
from threatforge.reports.choices import DiagramView
from threatforge.rules import Assessment, Severity

__all__ = [
    "Cluster",
    "Diagram",
    "Edge",
    "Emphasis",
    "Node",
    "Shape",
    "build_diagram",
    "severity_badge",
    "severity_by_element",
]

MAX_EDGE_DATA = 3
"""Data assets named on a flow's label before the rest is summarised as ``+N``."""


class Shape(StrEnum):
    """The drawing shape of a node; each renderer maps it to its own vocabulary."""

    ENTITY = "entity"  # people and clients outside the system (DFD external entity)
    PROCESS = "process"
    GATEWAY = "gateway"
    STORE = "store"
    SECURITY = "security"  # identity providers and key management
    EXTERNAL = "external"  # third-party services
    DATA = "data"  # a data asset (data view)


class Emphasis(StrEnum):
    """How strongly an element is drawn: highlighted on an attack path, dimmed off it."""

    NORMAL = "normal"
    HIGHLIGHT = "highlight"
    DIM = "dim"


_SHAPE_OF_KIND: Mapping[ComponentKind, Shape] = {
    ComponentKind.ACTOR: Shape.ENTITY,
    ComponentKind.CLIENT: Shape.ENTITY,
    ComponentKind.SERVICE: Shape.PROCESS,
    ComponentKind.FUNCTION: Shape.PROCESS,
    ComponentKind.CI_PIPELINE: Shape.PROCESS,
    ComponentKind.MONITORING: Shape.PROCESS,
    ComponentKind.GATEWAY: Shape.GATEWAY,
    ComponentKind.LOAD_BALANCER: Shape.GATEWAY,
    ComponentKind.CDN: Shape.GATEWAY,
    ComponentKind.QUEUE: Shape.STORE,
    ComponentKind.STREAM: Shape.STORE,
    ComponentKind.DATASTORE: Shape.STORE,
    ComponentKind.CACHE: Shape.STORE,
    ComponentKind.SECRETS_STORE: Shape.STORE,
    ComponentKind.ARTIFACT_REGISTRY: Shape.STORE,
    ComponentKind.KEY_MANAGEMENT: Shape.SECURITY,
    ComponentKind.IDENTITY_PROVIDER: Shape.SECURITY,
    ComponentKind.EXTERNAL_SERVICE: Shape.EXTERNAL,
}


@dataclass(frozen=True, slots=True)
class Node:
    """A component or data asset; ``lines`` is its label, first line the name."""

    key: str
    element: str
    lines: tuple[str, ...]
    shape: Shape
    cluster: str | None
    severity: Severity | None = None
    emphasis: Emphasis = Emphasis.NORMAL
    classification: Classification | None = None


@dataclass(frozen=True, slots=True)
class Cluster:
    """A trust boundary; ``parent`` is the key of the cluster it sits in."""

    key: str
    element: str
    title: str
    trust: TrustLevel
    parent: str | None
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """A flow (or, in the data view, a component's relation to a data asset)."""

    source: str
    target: str
    lines: tuple[str, ...]
    element: str | None = None
    severity: Severity | None = None
    emphasis: Emphasis = Emphasis.NORMAL
    dashed: bool = False


@dataclass(frozen=True)
class Diagram:
    """A drawable diagram: clusters (outermost first), nodes and edges in model order."""

    title: str
    view: DiagramView
    clusters: tuple[Cluster, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    note: str = ""

    def children(self, cluster: str | None) -> tuple[Cluster, ...]:
        """Clusters directly inside ``cluster`` (None: at the top level)."""
        return self._children.get(cluster, ())

    def members(self, cluster: str | None) -> tuple[Node, ...]:
        """Nodes directly inside ``cluster`` (None: in no cluster)."""
        return self._members.get(cluster, ())

    # One pass each, so that drawing n nested clusters is linear, not quadratic.
    @cached_property
    def _children(self) -> dict[str | None, tuple[Cluster, ...]]:
        found: dict[str | None, list[Cluster]] = {}
        for cluster in self.clusters:
            found.setdefault(cluster.parent, []).append(cluster)
        return {key: tuple(value) for key, value in found.items()}

    @cached_property
    def _members(self) -> dict[str | None, tuple[Node, ...]]:
        found: dict[str | None, list[Node]] = {}
        for node in self.nodes:
            found.setdefault(node.cluster, []).append(node)
        return {key: tuple(value) for key, value in found.items()}


def severity_badge(severity: Severity) -> str:
    """The text cue that goes with a severity colour, e.g. ``[HIGH]``."""
    return f"[{severity.value.upper()}]"


def severity_by_element(
    assessment: Assessment | None, model: Model | None = None
) -> dict[str, Severity]:
    """The highest severity of the open findings that name each element.

    With ``model``, a finding on a component the team does not own (an actor, a third party,
    ``properties.owned: false``) is painted on the owned side of the interaction instead
    (:meth:`ModelGraph.owned_side`), or nowhere.
    """
    highest: dict[str, Severity] = {}
    if assessment is None:
        return highest
    for finding in assessment.open_findings:
        for element in _painted(finding.elements, model):
            current = highest.get(element)
            if current is None or finding.severity.rank > current.rank:
                highest[element] = finding.severity
    return highest


def _painted(elements: Sequence[str], model: Model | None) -> list[str]:
    """The elements a finding paints: each once, on the owned side (with a model)."""
    if model is None:
        return list(elements)
    sides = (model.graph.owned_side(e) for e in elements)
    return list(dict.fromkeys(side for side in sides if side is not None))


def _open_counts(assessment: Assessment | None, model: Model | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    if assessment is None:
        return counts
    for finding in assessment.open_findings:
        for element in _painted(finding.elements, model):
            counts[element] = counts.get(element, 0) + 1
    return counts


def build_diagram(
    model: Model,
    assessment: Assessment | None = None,
    view: DiagramView = DiagramView.DFD,
    *,
    paths: Sequence[AttackPath] | None = None,
) -> Diagram:
    """The diagram of ``view`` for ``model``, marked with the open findings of ``assessment``.

    ``paths`` overrides the attack paths of the attack-path view (default: those the assessment
    carries, else from findings whose rule id starts with ``attack-path``).
    """
    if view is DiagramView.DATA:
        return _data_view(model, assessment)
    clusters, cluster_key = _clusters(model, severity_by_element(assessment, model))
    node_key = {cid: f"n{i}" for i, cid in enumerate(model.components)}
    highlighted: set[str] | None = None
    note = ""
    if view is DiagramView.ATTACK_PATHS:
        found = list(paths) if paths is not None else attack_paths(model, assessment)
        highlighted = {element for path in found for element in path.elements}
        highlighted |= _flows_between(model, found)
        note = (
            f"{len(found)} attack path{'s' if len(found) != 1 else ''} highlighted; every other "
            "element is dimmed."
            if found
            else _no_paths_note(assessment, given=paths is not None)
        )
    severities = severity_by_element(assessment, model)
    counts = _open_counts(assessment, model)
    nodes = []
    for cid, component in model.components.items():
        severity = severities.get(cid)
        kind = component.kind.value + (f" · {component.tech}" if component.tech else "")
        lines = [component.label, kind]
        if severity is not None:
            lines.append(f"{severity_badge(severity)} {counts[cid]} open")
        nodes.append(
            Node(
                key=node_key[cid],
                element=cid,
                lines=tuple(lines),
                shape=_SHAPE_OF_KIND[component.kind],
                cluster=cluster_key.get(component.zone or ""),
                severity=severity,
                emphasis=_emphasis(cid, highlighted),
            )
        )
    edges = [
        Edge(
            source=node_key[flow.source],
            target=node_key[flow.target],
            lines=_flow_lines(flow, severities.get(flow.id)),
            element=flow.id,
            severity=severities.get(flow.id),
            emphasis=_emphasis(flow.id, highlighted),
            dashed=flow.encrypted is False,
        )
        for flow in model.flows
        if flow.source in node_key and flow.target in node_key
    ]
    title = f"{model.system.name}: " + (
        "attack paths" if view is DiagramView.ATTACK_PATHS else "data flow diagram"
    )
    return Diagram(title, view, clusters, tuple(nodes), tuple(edges), note)


def _no_paths_note(assessment: Assessment | None, *, given: bool) -> str:
    """Why no path is highlighted: none found, or none the assessment carries."""
    dimmed = "every element is drawn dimmed."
    if given:
        return f"No attack paths were found: {dimmed}"
    if assessment is None:
        return f"No assessment, so no attack paths: {dimmed}"
    analysed = assessment.analyses.attack_paths
    if analysed.status is AnalysisStatus.FAILED:
        return f"The attack path analysis failed ({analysed.reason}): {dimmed}"
    if analysed.status is AnalysisStatus.NOT_RUN:
        return f"This assessment does not carry the attack paths: {dimmed}"
    return f"No attack paths were found: {dimmed}"


def _emphasis(element: str, highlighted: set[str] | None) -> Emphasis:
    if highlighted is None:
        return Emphasis.NORMAL
    return Emphasis.HIGHLIGHT if element in highlighted else Emphasis.DIM


def _flows_between(model: Model, paths: Iterable[AttackPath]) -> set[str]:
    """Flows joining consecutive components of a path (when a path names components only)."""
    found: set[str] = set()
    pairs = {
        (a, b) for path in paths for a, b in zip(path.elements, path.elements[1:], strict=False)
    }
    for flow in model.flows:
        if (flow.source, flow.target) in pairs:
            found.add(flow.id)
    return found


def _flow_lines(flow: Flow, severity: Severity | None) -> tuple[str, ...]:
    first = flow.protocol or "protocol?"
    if flow.port is not None:
        first += f":{flow.port}"
    if flow.encrypted is False:
        first += " (cleartext)"
    lines = [first]
    if flow.data:
        shown = list(flow.data[:MAX_EDGE_DATA])
        rest = len(flow.data) - len(shown)
        lines.append(", ".join(shown) + (f" +{rest}" if rest else ""))
    if severity is not None:
        lines.append(severity_badge(severity))
    return tuple(lines)


def _clusters(
    model: Model, severities: Mapping[str, Severity]
) -> tuple[tuple[Cluster, ...], dict[str, str]]:
    """Boundaries as clusters, parents before children (cycles and dangling parents cut)."""
    key = {bid: f"z{i}" for i, bid in enumerate(model.boundaries)}
    ordered: list[Cluster] = []
    placed: set[str] = set()
    boundaries = model.boundaries
    for start in boundaries:
        # Walk up to the outermost boundary not placed yet, then place that chain top down
        # (iterative: a chain thousands of levels deep must not exhaust the stack).
        chain: list[tuple[str, str | None]] = []
        on_chain: set[str] = set()
        current: str | None = start
        while current is not None and current not in placed and current not in on_chain:
            on_chain.add(current)
            parent = boundaries[current].inside
            parent = parent if parent in boundaries else None
            if parent is not None and parent in on_chain:
                parent = None  # a nesting cycle: draw this one at the top level
            chain.append((current, parent))
            current = parent
        for bid, parent in reversed(chain):
            boundary = boundaries[bid]
            placed.add(bid)
            ordered.append(
                Cluster(
                    key=key[bid],
                    element=bid,
                    title=f"{boundary.label} ({boundary.trust.value})",
                    trust=boundary.trust,
                    parent=key[parent] if parent is not None else None,
                    severity=severities.get(bid),
                )
            )
    return tuple(ordered), key


def _data_view(model: Model, assessment: Assessment | None) -> Diagram:
    """Data assets (left) and the components that store (solid) or process (dashed) them.

    Components are drawn without their zones: the view is about who holds which data.
    """
    severities = severity_by_element(assessment)
    used = {d for c in model.components.values() for d in c.data_ids if d in model.data}
    holders = [c for c in model.components.values() if any(d in model.data for d in c.data_ids)]
    nodes: list[Node] = []
    data_key = {did: f"d{i}" for i, did in enumerate(model.data)}
    for did, asset in model.data.items():
        categories = ", ".join(asset.categories)
        lines = [
            asset.label,
            asset.classification.value + (f" · {categories}" if categories else ""),
        ]
        if did not in used:
            lines.append("not stored or processed")
        nodes.append(
            Node(
                key=data_key[did],
                element=did,
                lines=tuple(lines),
                shape=Shape.DATA,
                cluster=None,
                severity=severities.get(did),
                classification=asset.classification,
            )
        )
    node_key = {c.id: f"n{i}" for i, c in enumerate(holders)}
    for component in holders:
        severity = severities.get(component.id)
        lines = [component.label, component.kind.value]
        if severity is not None:
            lines.append(severity_badge(severity))
        nodes.append(
            Node(
                key=node_key[component.id],
                element=component.id,
                lines=tuple(lines),
                shape=_SHAPE_OF_KIND[component.kind],
                cluster=None,
                severity=severity,
            )
        )
    edges: list[Edge] = []
    for component in holders:
        for did in component.stores:
            if did in data_key:
                edges.append(Edge(data_key[did], node_key[component.id], ("stores",)))
        for did in component.processes:
            if did in data_key and did not in component.stores:
                edges.append(
                    Edge(data_key[did], node_key[component.id], ("processes",), dashed=True)
                )
    return Diagram(
        f"{model.system.name}: data assets", DiagramView.DATA, (), tuple(nodes), tuple(edges)
    )
