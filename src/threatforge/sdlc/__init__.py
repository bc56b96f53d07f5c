"""threatforge in the software delivery life cycle: the CI gate, baselines, model diffs read
from git, and security requirements for tickets.

The gate's verdict and the decision and baseline results it returns (``GateResult``,
``GateMode``, ``InvalidDecision``, ``DecisionChange``, ``HidingChange``, ``BaseComparison``) are
data in :mod:`threatforge.assessment`; this package holds the logic that produces them.

Everything here returns data or text; the CLI (``cli/_sdlc.py``) reads the files, prints and
chooses the exit code. git runs only in :mod:`threatforge.model.sources`, which
:mod:`threatforge.sdlc.git_source` uses to read a model at a commit.
"""

from __future__ import annotations

from threatforge.sdlc.baseline import BaselineError, parse_baseline, render_baseline
from threatforge.sdlc.decisions import check_decision, compare_with_base
from threatforge.sdlc.diff_report import diff_to_dict, render_diff_json, render_diff_markdown
from threatforge.sdlc.gate import evaluate_gate, gate_to_dict, render_gate_text
from threatforge.sdlc.git_source import GitSource, GitSourceError, load_at_ref, parse_source
from threatforge.sdlc.policy import GatePolicy, LoadedPolicy, PolicyError, load_policy
from threatforge.sdlc.requirements import (
    ComponentRequirements,
    build_requirements,
    render_requirements_csv,
    render_requirements_markdown,
)

__all__ = [
    "BaselineError",
    "ComponentRequirements",
    "GatePolicy",
    "GitSource",
    "GitSourceError",
    "LoadedPolicy",
    "PolicyError",
    "build_requirements",
    "check_decision",
    "compare_with_base",
    "diff_to_dict",
    "evaluate_gate",
    "gate_to_dict",
    "load_at_ref",
    "load_policy",
    "parse_baseline",
    "parse_source",
    "render_baseline",
    "render_diff_json",
    "render_diff_markdown",
    "render_gate_text",
    "render_requirements_csv",
    "render_requirements_markdown",
]
