"""The HTML report: one self-contained file, safe to open from an e-mail or an artefact store.

Jinja2 renders the template with autoescaping on, so every piece of model text is escaped. The
file loads nothing: the stylesheet, the diagrams (inline SVG) and the small filter script are
inline, and a Content-Security-Policy meta tag allows exactly that stylesheet and that script
(by their SHA-256 hashes) and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from threatforge import __version__
from threatforge.assessment.compliance import ComplianceReport, ControlResult, ControlState
from threatforge.assessment.coverage import ScopedRule
from threatforge.model import Model, TrackingStatus
from threatforge.reports.choices import Audience, DiagramView, LayoutEngine
from threatforge.reports.content import (
    MAX_COVERAGE_ROWS,
    SEVERITIES_DESCENDING,
    Baseline,
    Link,
    ReportContent,
    build_content,
    reference_links,
)
from threatforge.reports.diagram import build_diagram, severity_by_element
from threatforge.reports.diagrams import diagram_svg
from threatforge.rules import Assessment, Finding

__all__ = ["Figure", "FindingView", "content_security_policy", "render_html"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A diagram placed in the report; ``svg`` is trusted markup produced by our renderers."""

    anchor: str
    caption: str
    svg: Markup
    wide: bool = True


@dataclass(frozen=True, slots=True)
class FindingView:
    """A finding with what the template needs beside it: its anchor and its links."""

    finding: Finding
    anchor: str
    references: tuple[Link, ...]


@cache
def _asset(name: str) -> str:
    return (resources.files("threatforge.reports") / "templates" / name).read_text("utf-8")


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("threatforge.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _sha256(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def content_security_policy(css: str, script: str | None) -> str:
    """A policy that allows only this inline stylesheet and script, and loads nothing else."""
    script_src = _sha256(script) if script else "'none'"
    return (
        f"default-src 'none'; style-src {_sha256(css)}; script-src {script_src}; "
        "img-src data:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


_SVG_SIZE = re.compile(r'^(<svg\b[^>]*?)\s(width|height)="[^"]*"')


def _fluid(svg: str) -> Markup:
    """Drop the root's fixed width and height so the SVG scales to its box (viewBox is kept)."""
    for _ in range(2):
        svg = _SVG_SIZE.sub(r"\1", svg, count=1)
    return Markup(svg)  # noqa: S704 - our renderers' output: every label inside is escaped


def _figures(
    model: Model, assessment: Assessment, content: ReportContent, engine: LayoutEngine
) -> tuple[list[Figure], Figure | None]:
    figures = [
        Figure(
            "diagram-dfd",
            "Data flow diagram: trust boundaries as nested boxes, components by kind, flows with "
            "their protocol and data; elements carry their highest open severity.",
            _fluid(diagram_svg(build_diagram(model, assessment, DiagramView.DFD), engine)),
        )
    ]
    if model.data:
        figures.append(
            Figure(
                "diagram-data",
                "Data assets by classification, and the components that store them (solid) or "
                "process them (dashed).",
                _fluid(diagram_svg(build_diagram(model, assessment, DiagramView.DATA), engine)),
                wide=False,
            )
        )
    attack = None
    if content.attack_paths:
        diagram = build_diagram(
            model, assessment, DiagramView.ATTACK_PATHS, paths=content.attack_paths
        )
        attack = Figure("diagram-attack-paths", diagram.note, _fluid(diagram_svg(diagram, engine)))
    return figures, attack


def _holders(model: Model) -> Mapping[str, list[str]]:
    found: dict[str, list[str]] = {}
    for component in model.components.values():
        for data_id in component.data_ids:
            found.setdefault(data_id, []).append(component.label)
    return found


def render_html(
    model: Model,
    assessment: Assessment,
    *,
    audience: Audience = Audience.ENGINEERING,
    baseline: Baseline | None = None,
    engine: LayoutEngine = LayoutEngine.AUTO,
    content: ReportContent | None = None,
    rules: Sequence[ScopedRule] | None = None,
) -> str:
    """The report as one self-contained HTML document (``rules``: see
    :func:`~threatforge.reports.content.build_content`)."""
    content = content or build_content(model, assessment, audience, baseline, rules)
    executive = content.audience is Audience.EXECUTIVE
    css = _asset("report.css")
    script = None if executive else _asset("filter.js")
    views = [
        FindingView(f, f"finding-{i}", reference_links(f))
        for i, f in enumerate(content.findings, start=1)
    ]
    figures: list[Figure] = []
    attack_figure = None
    if not executive:
        figures, attack_figure = _figures(model, assessment, content, engine)
    template = _environment().get_template("report.html")
    kind = "Executive summary" if executive else "Threat model report"
    return template.render(
        c=content,
        model=model,
        assessment=assessment,
        title=f"{kind}: {content.system}",
        version=__version__,
        executive=executive,
        csp=Markup(content_security_policy(css, script)),  # noqa: S704 - hashes and keywords only
        css=Markup(css),  # noqa: S704 - our stylesheet, hashed into the policy
        script=Markup(script) if script else None,  # noqa: S704 - our script, hashed too
        severities=SEVERITIES_DESCENDING,
        statuses=tuple(TrackingStatus),
        findings=views,
        anchors={v.finding.fingerprint: v.anchor for v in views},
        figures=figures,
        attack_figure=attack_figure,
        overview=None,
        severity_of=severity_by_element(assessment),
        holders=_holders(model),
        **_coverage_view(content),
        compliance_states=tuple(ControlState),
        compliance_pressing=_pressing,
    )


def _pressing(report: ComplianceReport) -> list[ControlResult]:
    """The open and questioned controls of a framework, for the compliance section."""
    return [
        c for c in report.controls if c.state in (ControlState.OPEN, ControlState.QUESTION)
    ]


def _coverage_view(content: ReportContent) -> dict[str, object]:
    """What the coverage section of the template reads (its rows capped at
    :data:`MAX_COVERAGE_ROWS`)."""
    from threatforge.assessment import Linddun, Stride
    from threatforge.assessment.coverage import (
        LINDDUN_HEADERS,
        STATE_SYMBOLS,
        STRIDE_HEADERS,
        coverage_legend,
    )

    elements = content.coverage.elements if content.coverage is not None else ()
    rows = elements[:MAX_COVERAGE_ROWS]
    return {
        "coverage_rows": rows,
        "coverage_hidden": f"{len(elements) - len(rows):,}" if len(elements) > len(rows) else "",
        "coverage_private": [e for e in rows if e.linddun],
        "coverage_symbols": STATE_SYMBOLS,
        "coverage_legend": coverage_legend(),
        "stride_headers": [STRIDE_HEADERS[c] for c in Stride],
        "linddun_headers": [LINDDUN_HEADERS[c] for c in Linddun],
    }
