"""The bad-input corpus: every hostile file is refused with a clear, located message, in bounded
time and memory, without a traceback; hostile *text* in a valid model survives verbatim.

``tests/corpus/manifest.json`` says what each file must do (see ``tests/corpus/README.md``).
Every file runs in-process under a deadline; the files marked ``cli`` (and the generated cases
below) also run through the real command line in a child process with a timeout, an address-space
ceiling and a peak-RSS bound.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import resource
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _bounded import (
    CORPUS,
    IN_PROCESS_SECONDS,
    assert_clean_exit,
    deadline,
    run_threatforge,
)

from threatforge.errors import ImporterError, RuleError
from threatforge.exporters.json_assessment import render_json
from threatforge.importers.sarif_evidence import load_evidence
from threatforge.model import Model, load, load_text, load_with_diagnostics
from threatforge.rules import analyze, builtin_rules
from threatforge.rules.declarative import load_pack
from threatforge.sdlc.baseline import BaselineError, read_baseline

MANIFEST: dict[str, dict[str, Any]] = json.loads(
    (CORPUS / "manifest.json").read_text(encoding="utf-8")
)
CLI_CASES = sorted(path for path, case in MANIFEST.items() if case["cli"])


def _cases(paths: list[str]) -> list[Any]:
    """Parameters; a case with a known, unfixed bug is a strict expected failure."""
    return [
        pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=MANIFEST[path]["known_bug"]))
        if MANIFEST[path]["known_bug"]
        else path
        for path in paths
    ]


SECTIONS = ("model", "packs", "sarif", "baseline")
EVIDENCE_MODEL = "system: {name: Shop}\ncomponents:\n  web: {kind: service, paths: [src/**]}\n"
TODAY = date(2026, 1, 1)
MAX_MESSAGE_CHARS = 400
"""A clear message is short: hostile values are quoted truncated, never whole."""


@functools.cache
def _generator() -> Any:
    """``tests/corpus/generate.py`` (not a package: loaded by path)."""
    spec = importlib.util.spec_from_file_location("corpus_generate", CORPUS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


def _evidence_model() -> Model:
    return load_text(EVIDENCE_MODEL)


# --- the corpus itself ---------------------------------------------------------------------


def test_manifest_lists_every_corpus_file_and_nothing_else() -> None:
    on_disk = {
        str(p.relative_to(CORPUS)) for s in SECTIONS for p in (CORPUS / s).rglob("*") if p.is_file()
    }
    assert sorted(on_disk) == sorted(MANIFEST)
    assert len(MANIFEST) >= 60
    assert len(CLI_CASES) >= 15


def test_committed_files_are_what_the_generator_writes() -> None:
    generator = _generator()
    cases = {case.path: case for case in generator.all_cases()}
    assert sorted(cases) == sorted(MANIFEST)
    for path, case in cases.items():
        assert (CORPUS / path).read_bytes() == case.content, f"regenerate {path}"
        assert MANIFEST[path]["message"] == case.message
        assert MANIFEST[path]["line"] == case.line
        assert MANIFEST[path]["known_bug"] == case.known_bug
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert readme == generator._readme(list(cases.values())), "regenerate README.md"


# --- in-process: every file ----------------------------------------------------------------


def _first_model_error(path: str) -> str | None:
    result = load_with_diagnostics(path)
    if not result.errors:
        assert result.model is not None
        return None
    assert result.model is None
    return result.errors[0].format()


def _pack_error(path: str) -> str | None:
    try:
        load_pack(path)
    except RuleError as exc:
        return str(exc)
    return None


def _sarif_error(path: str) -> str | None:
    try:
        load_evidence([Path(path)], _evidence_model())
    except ImporterError as exc:
        return str(exc)
    return None


def _baseline_error(path: str) -> str | None:
    try:
        read_baseline(path)
    except BaselineError as exc:
        return str(exc)
    return None


READERS: dict[str, Callable[[str], str | None]] = {
    "model": _first_model_error,
    "packs": _pack_error,
    "sarif": _sarif_error,
    "baseline": _baseline_error,
}


def _expected_prefix(case: dict[str, Any]) -> str:
    return f"{case['names']}:{case['line']}:" if case["line"] else f"{case['names']}:"


@pytest.mark.parametrize("path", _cases(sorted(MANIFEST)))
def test_corpus_file_in_process(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = MANIFEST[path]
    monkeypatch.chdir(CORPUS)  # paths in messages are then exactly the manifest's
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with deadline(IN_PROCESS_SECONDS, path):
        error = READERS[path.split("/")[0]](path)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 512, f"reading {path} grew the peak RSS by {grown_mib:.0f} MiB"
    if case["outcome"] != "refused":
        assert error is None
        return
    assert error is not None, f"{path} was accepted"
    first_line = next(line for line in error.splitlines() if case["names"] in line)
    # a rule pack's errors follow a heading; a baseline's say that the file is the baseline
    assert first_line.startswith(
        (_expected_prefix(case), "invalid rule pack", f"baseline {_expected_prefix(case)}")
    ), error
    assert _expected_prefix(case) in error
    assert case["message"] in error
    assert len(first_line) < MAX_MESSAGE_CHARS, first_line[:200]
    assert "Traceback" not in error


# --- command line: a representative subset --------------------------------------------------


def _cli_args(path: str, tmp_path: Path) -> list[str]:
    section = path.split("/")[0]
    if section == "model":
        return ["validate", path]
    if section == "packs":
        return ["rules", "list", "--rules", path]
    model = tmp_path / "threatmodel.yaml"
    model.write_text(EVIDENCE_MODEL, encoding="utf-8")
    if section == "baseline":
        return ["check", str(model), "--baseline", path]
    out = tmp_path / "assessment.json"
    return ["analyze", str(model), "--evidence", path, "--format", "json", "-o", str(out)]


@pytest.mark.parametrize("path", _cases(CLI_CASES))
def test_corpus_file_on_the_command_line(path: str, tmp_path: Path) -> None:
    case = MANIFEST[path]
    args = _cli_args(path, tmp_path)
    run = run_threatforge(args, cwd=CORPUS)
    refused = case["outcome"] == "refused"
    assert_clean_exit(run, 2 if refused else 0, args)
    if refused:
        assert _expected_prefix(case) in run.stderr, run.stderr[-2000:]
        assert case["message"] in run.stderr, run.stderr[-2000:]


def test_code_execution_tag_is_never_run(tmp_path: Path) -> None:
    name = "tag-python-object-apply.yaml"
    shutil.copy(CORPUS / "model" / name, tmp_path / name)
    run = run_threatforge(["validate", name], cwd=tmp_path)
    assert_clean_exit(run, 2, ["validate", name])
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no 'pwned-...' file


def test_too_many_errors_are_counted_not_listed() -> None:
    result = load_with_diagnostics(CORPUS / "model" / "huge-many-errors.yaml")
    assert len(result.errors) == 1001
    assert result.errors[-1].format() == (
        f"{CORPUS / 'model' / 'huge-many-errors.yaml'}: error: 4,000 more errors not listed "
        "(only the first 1,000 are); fix these first"
    )


# --- generated cases: too big to commit, or not carried by git -----------------------------


def _refused(tmp_path: Path, args: list[str], expected: str) -> str:
    """Through the command line: exit 2, no traceback, bounded, and ``expected`` on stderr."""
    run = run_threatforge(args, cwd=tmp_path)
    assert_clean_exit(run, 2, args)
    assert expected in run.stderr, run.stderr[-2000:]
    return run.stderr


def _errors(folder: Path, name: str = "threatmodel.yaml") -> list[str]:
    """In-process, under the deadline, from inside ``folder``: every error, formatted."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with deadline(IN_PROCESS_SECONDS, name):
            result = load_with_diagnostics(name)
    finally:
        os.chdir(cwd)
    assert result.model is None
    return [d.format() for d in result.errors]


def test_seventeen_megabyte_file_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.write(b"system: {name: Shop}\ncomponents:\n")
        line = b"  # padding padding padding padding padding padding padding padding padding\n"
        handle.write(line * (17 * 1024 * 1024 // len(line) + 1))
    assert big.stat().st_size > 17 * 1024 * 1024
    _refused(tmp_path, ["validate", "big.yaml"], "big.yaml: error: is larger than 16 MiB")


def test_megabyte_scalar_is_refused(tmp_path: Path) -> None:
    text = "system: {name: Shop, description: " + "x" * 1_000_001 + "}\n"
    (tmp_path / "long.yaml").write_text(text, encoding="utf-8")
    _refused(
        tmp_path,
        ["validate", "long.yaml"],
        "long.yaml:1:35: error: has a value longer than 1,000,000 characters",
    )


def test_a_directory_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").mkdir()
    _refused(
        tmp_path,
        ["validate", "threatmodel.yaml"],
        "threatmodel.yaml: error: is a directory, not a model file",
    )


def test_a_named_pipe_is_refused_instead_of_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "threatmodel.yaml")
    _refused(
        tmp_path,
        ["validate", "threatmodel.yaml"],
        "threatmodel.yaml: error: is not a regular file (a pipe, socket or device)",
    )


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").symlink_to("/dev/zero")
    assert _errors(tmp_path) == [
        "threatmodel.yaml: error: is not a regular file (a pipe, socket or device)"
    ]


def test_a_symlink_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    assert _errors(tmp_path, "a.yaml") == [
        "a.yaml: error: cannot be read: Too many levels of symbolic links"
    ]


def test_include_through_a_symlink_that_escapes_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secrets.yaml").write_text("components: {}\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "parts").symlink_to(outside)
    (repo / "threatmodel.yaml").write_text(
        "system: {name: Shop}\ninclude: [parts/secrets.yaml]\n", encoding="utf-8"
    )
    assert _errors(repo) == [
        f"threatmodel.yaml:2:11: error: include 'parts/secrets.yaml' resolves outside the model's "
        f"folder ({repo}); included files must sit in the root model's folder or below it"
    ]


def test_circular_includes_are_refused(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_text(
        "system: {name: Shop}\ninclude: [a.yaml]\n", encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("include: [a.yaml]\n", encoding="utf-8")
    assert _errors(tmp_path) == [
        "b.yaml:1:11: error: include 'a.yaml' makes a loop: "
        "threatmodel.yaml -> a.yaml -> b.yaml -> a.yaml"
    ]


def test_an_include_of_a_named_pipe_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "part.yaml")
    (tmp_path / "threatmodel.yaml").write_text(
        "system: {name: Shop}\ninclude: [part.yaml]\n", encoding="utf-8"
    )
    assert _errors(tmp_path) == [
        "part.yaml: error: is not a regular file (a pipe, socket or device)"
    ]


def test_an_include_chain_of_300_files_stops_at_256(tmp_path: Path) -> None:
    (tmp_path / "threatmodel.yaml").write_text(
        "system: {name: Shop}\ninclude: [p1.yaml]\n", encoding="utf-8"
    )
    for index in range(1, 300):
        (tmp_path / f"p{index}.yaml").write_text(f"include: [p{index + 1}.yaml]\n", "utf-8")
    (tmp_path / "p300.yaml").write_text("components: {}\n", encoding="utf-8")
    assert _errors(tmp_path) == ["p256.yaml: error: more than 256 model files included"]


# --- hostile text in a valid model ---------------------------------------------------------

HOSTILE = "loads-html-in-every-text-field.yaml"


def _hostile_model() -> Model:
    return load(CORPUS / "model" / HOSTILE)


def test_hostile_text_loads_verbatim_into_every_field() -> None:
    xss = _generator().XSS
    model = _hostile_model()
    api, internet, app = (model.components["api"], *model.boundaries.values())
    flow, control = model.flows[0], model.controls["waf"]
    entry = model.tracking["cleartext-sensitive-flow@shopper->api"]
    loaded = {
        "system.name": model.system.name,
        "system.description": model.system.description,
        "system.owner": model.system.owner,
        "system.repository": model.system.repository,
        "system.version": model.system.version,
        "system.compliance": model.system.compliance[0],
        "data.name": model.data["cards"].name,
        "data.description": model.data["cards"].description,
        "data.owner": model.data["cards"].owner,
        "boundary.name": internet.name,
        "boundary.description": internet.description,
        "boundary.region": app.region,
        "boundary.property": app.properties["note"],
        "component.name": api.name,
        "component.description": api.description,
        "component.owner": api.owner,
        "component.tag": api.tags[0],
        "component.path": api.paths[0],
        "component.property": api.properties["note"],
        "flow.name": flow.name,
        "flow.description": flow.description,
        "flow.tag": flow.tags[0],
        "control.name": control.name,
        "control.description": control.description,
        "control.reference": control.reference,
        "assumption.description": model.assumptions["trusted-admins"].description,
        "tracking.justification": entry.justification,
        "tracking.owner": entry.owner,
        "tracking.ticket": entry.ticket,
    }
    assert loaded == xss
    assert model.warnings == ()


def test_analyze_json_keeps_hostile_text_verbatim() -> None:
    xss = _generator().XSS
    model = _hostile_model()
    document = json.loads(render_json(analyze(model, builtin_rules(), today=TODAY), model))
    assert document["system"] == xss["system.name"]
    assert document["rule_errors"] == []
    titles = {f["fingerprint"]: f["title"] for f in document["findings"]}
    assert titles["unauthenticated-exposed-service@api"].startswith(xss["component.name"] + " ")
    assert xss["flow.name"] in titles["cleartext-sensitive-flow@shopper->api"]
    (accepted,) = [f for f in document["findings"] if f["decision"] is not None]
    assert accepted["decision"] == {
        "status": "accepted",
        "justification": xss["tracking.justification"],
        "owner": xss["tracking.owner"],
        "ticket": xss["tracking.ticket"],
        "expires": "2099-12-31",
        "expired": False,
        "control": None,
        "evidence": None,
    }


def test_analyze_cli_json_keeps_hostile_text_verbatim(tmp_path: Path) -> None:
    xss = _generator().XSS
    args = ["analyze", f"model/{HOSTILE}", "--format", "json", "-o", str(tmp_path / "a.json")]
    run = run_threatforge([*args, "--today", "2026-01-01"], cwd=CORPUS)
    assert_clean_exit(run, 0, args)
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert document["system"] == xss["system.name"]
    decisions = [f["decision"]["justification"] for f in document["findings"] if f["decision"]]
    assert decisions == [xss["tracking.justification"]]
