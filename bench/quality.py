"""Quality benchmark: how many of the threats a practitioner lists does threatforge name?

    python bench/quality.py              # every system under bench/quality/, table to stdout
    python bench/quality.py --write      # also rewrite the QUALITY section of bench/README.md
    python bench/quality.py --no-pytm    # skip OWASP pytm even when it is installed
    python bench/quality.py --write-pytm # regenerate each system's pytm_model.py from its model

Each system under ``bench/quality/<system>/`` has a ``description.md`` (the system as a
practitioner receives it), a ``threatmodel.yaml`` (encoded from the description only), a
``threats.yaml`` (the practitioner's threat list, written before running the engine, and the
rubric: the elements each threat sits on, its kind, STRIDE category, the CWE ids and optionally
the rule ids that count as naming it) and optionally a ``pytm_model.py`` (the same system for
OWASP pytm).

A result (a finding, an applicable threat, or a pytm finding) *matches* a listed threat when it
sits on one of the threat's elements (any of the result's ``elements``) and its rule id is in the
threat's ``rules`` or it shares a CWE id with the threat's ``cwe``. Recall is the share of listed
threats that some result matches; noise is the share of results that match no listed threat.
Findings and applicable threats (the JSON assessment's ``applicable_threats``, absent or empty
before that engine lands) are scored separately and together. Nothing here asserts a figure: the
figures go to the README (``--write``), the tests check only the scorer.

threatforge runs as the installed CLI (``threatforge analyze MODEL --format json``) and pytm runs
its model script (``python pytm_model.py --json OUT``), each in its own process; nothing is
imported from or executed in a system's folder by this module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SYSTEMS = ROOT / "bench" / "quality"
README = ROOT / "bench" / "README.md"
START, END = "<!-- QUALITY:START -->", "<!-- QUALITY:END -->"

STRIDE = (
    "spoofing",
    "tampering",
    "repudiation",
    "information-disclosure",
    "denial-of-service",
    "elevation-of-privilege",
)
_THREAT_KEYS = {"id", "title", "elements", "kind", "stride", "cwe", "rules"}
_REQUIRED = ("id", "title", "elements", "kind", "stride", "cwe")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CWE_IN_TEXT = re.compile(r"(?:cwe\.mitre\.org/data/definitions/|\bCWE-)(\d+)", re.IGNORECASE)


class RubricError(ValueError):
    """A threats.yaml that does not follow the rubric schema (the message names file and entry)."""


@dataclass(frozen=True)
class Threat:
    """One threat of a practitioner's list, with what counts as naming it."""

    id: str
    title: str
    elements: tuple[str, ...]
    kind: str
    stride: str
    cwe: frozenset[int]
    rules: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rubric:
    """A system's threat list (``threats.yaml``)."""

    system: str
    threats: tuple[Threat, ...]


@dataclass(frozen=True)
class Result:
    """One reported result, reduced to what the rubric matches on."""

    rule: str
    elements: tuple[str, ...]
    cwe: frozenset[int]


@dataclass(frozen=True)
class Score:
    """Recall and noise of one list of results against one rubric."""

    listed: int
    matched: tuple[str, ...]  # ids of the listed threats some result matches
    results: int
    noise: int  # results that match no listed threat

    @property
    def recall(self) -> float:
        return len(self.matched) / self.listed if self.listed else 0.0

    @property
    def noise_ratio(self) -> float:
        return self.noise / self.results if self.results else 0.0


@dataclass(frozen=True)
class SystemScore:
    """Every column of one system's row."""

    system: str
    rubric: Rubric
    findings: Score
    applicable: Score
    together: Score
    pytm: Score | None = None
    gaps: int = 0
    cwe_ids: tuple[int, int] = (0, 0)  # CWE ids over all findings and applicable threats, pytm


# ---------------------------------------------------------------------------------------------
# The rubric
# ---------------------------------------------------------------------------------------------


def parse_rubric(data: object, source: str) -> Rubric:
    """Check a loaded ``threats.yaml`` against the rubric schema and return it typed."""
    if not isinstance(data, dict):
        raise RubricError(f"{source}: expected a mapping with 'system' and 'threats'")
    unknown = set(data) - {"system", "threats"}
    if unknown:
        raise RubricError(f"{source}: unknown top-level key(s) {sorted(unknown)}")
    system = data.get("system")
    if not isinstance(system, str) or not system:
        raise RubricError(f"{source}: 'system' must be a non-empty string")
    entries = data.get("threats")
    if not isinstance(entries, list) or not entries:
        raise RubricError(f"{source}: 'threats' must be a non-empty list")
    threats: list[Threat] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, 1):
        threats.append(_parse_threat(entry, f"{source}: threat {index}", seen))
    return Rubric(system, tuple(threats))


def _parse_threat(entry: object, where: str, seen: set[str]) -> Threat:
    if not isinstance(entry, dict):
        raise RubricError(f"{where}: expected a mapping")
    if isinstance(entry.get("id"), str):
        where = f"{where} ({entry['id']})"
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise RubricError(f"{where}: missing {', '.join(missing)}")
    unknown = set(entry) - _THREAT_KEYS
    if unknown:
        raise RubricError(f"{where}: unknown key(s) {sorted(unknown)}")
    tid, title, kind, stride = entry["id"], entry["title"], entry["kind"], entry["stride"]
    if not isinstance(tid, str) or not tid:
        raise RubricError(f"{where}: 'id' must be a non-empty string")
    if tid in seen:
        raise RubricError(f"{where}: duplicate id {tid!r}")
    seen.add(tid)
    if not isinstance(title, str) or not title.strip():
        raise RubricError(f"{where}: 'title' must be a non-empty string")
    if not isinstance(kind, str) or not _SLUG.match(kind):
        raise RubricError(f"{where}: 'kind' must be a lower-case slug such as sql-injection")
    if stride not in STRIDE:
        raise RubricError(f"{where}: 'stride' must be one of {', '.join(STRIDE)}, not {stride!r}")
    elements = entry["elements"]
    if (
        not isinstance(elements, list)
        or not elements
        or not all(isinstance(e, str) and e for e in elements)
    ):
        raise RubricError(f"{where}: 'elements' must be a non-empty list of element ids")
    cwe = entry["cwe"]
    if not isinstance(cwe, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in cwe
    ):
        raise RubricError(f"{where}: 'cwe' must be a list of CWE numbers (89, not 'CWE-89')")
    rules = entry.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, str) and r for r in rules):
        raise RubricError(f"{where}: 'rules' must be a list of rule ids")
    return Threat(tid, title, tuple(elements), kind, stride, frozenset(cwe), frozenset(rules))


def load_rubric(path: Path) -> Rubric:
    """Read and check a ``threats.yaml``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: not valid YAML: {exc}") from exc
    return parse_rubric(data, str(path))


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


def sites(elements: Iterable[object]) -> tuple[str, ...]:
    """The element ids a result sits on: a flow id ``a->b`` also sits on ``a`` and ``b``.

    threatforge writes a flow's findings on the flow id (``source->target``) and pytm names our
    flows ``source -> target``: a threat on either end of an interaction is on that interaction.
    """
    out: list[str] = []
    for element in elements:
        text = str(element)
        out.append(text)
        if "->" in text:
            out += [part.strip() for part in text.split("->") if part.strip()]
    return tuple(dict.fromkeys(out))


def _result(entry: Mapping[str, object]) -> Result:
    elements = entry.get("elements")
    cwe = entry.get("cwe")
    return Result(
        rule=str(entry.get("rule", "")),
        elements=sites(elements) if isinstance(elements, list) else (),
        cwe=frozenset(c for c in cwe if isinstance(c, int) and not isinstance(c, bool))
        if isinstance(cwe, list)
        else frozenset(),
    )


def results_from_assessment(doc: Mapping[str, object]) -> tuple[list[Result], list[Result]]:
    """The findings and the applicable threats of a JSON assessment (either may be absent)."""
    lists: list[list[Result]] = []
    for key in ("findings", "applicable_threats"):
        entries = doc.get(key) or []
        if not isinstance(entries, list):
            raise ValueError(f"assessment: {key!r} is not a list")
        lists.append([_result(e) for e in entries if isinstance(e, dict)])
    return lists[0], lists[1]


def cwe_ids(text: str) -> frozenset[int]:
    """CWE ids named in a pytm ``references`` text (cwe.mitre.org links or CWE-nnn)."""
    return frozenset(int(m) for m in _CWE_IN_TEXT.findall(text))


def results_from_pytm(doc: Mapping[str, object]) -> list[Result]:
    """pytm's findings as results: the target is an element name, or a flow named ``a -> b``.

    The bundled pytm scripts name every element by its threatforge id and every data flow
    ``source -> target``, so a flow's findings sit on the flow and on both of its ends.
    """
    entries = doc.get("findings") or []
    if not isinstance(entries, list):
        raise ValueError("pytm JSON: 'findings' is not a list")
    results = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        target = str(entry.get("target", ""))
        results.append(
            Result(
                rule=str(entry.get("threat_id", "")),
                elements=sites([target]),
                cwe=cwe_ids(str(entry.get("references", ""))),
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# Matching and scores
# ---------------------------------------------------------------------------------------------


def matches(result: Result, threat: Threat) -> bool:
    """On one of the threat's elements, and the rubric's rule id or a shared CWE id."""
    if not set(result.elements) & set(threat.elements):
        return False
    return result.rule in threat.rules or bool(result.cwe & threat.cwe)


def score(threats: Sequence[Threat], results: Iterable[Result]) -> Score:
    """Recall at the right element and noise of ``results`` against ``threats``."""
    matched: set[str] = set()
    count = noise = 0
    for result in results:
        count += 1
        hits = [t.id for t in threats if matches(result, t)]
        matched.update(hits)
        if not hits:
            noise += 1
    order = [t.id for t in threats if t.id in matched]
    return Score(len(threats), tuple(order), count, noise)


def score_system(
    rubric: Rubric,
    assessment: Mapping[str, object],
    pytm: Mapping[str, object] | None = None,
    system: str | None = None,
) -> SystemScore:
    """Every column for one system from its assessment (and pytm's JSON, when there is one)."""
    findings, applicable = results_from_assessment(assessment)
    pytm_results = results_from_pytm(pytm) if pytm is not None else []
    gaps = assessment.get("model_gaps")
    return SystemScore(
        system=system or rubric.system,
        rubric=rubric,
        findings=score(rubric.threats, findings),
        applicable=score(rubric.threats, applicable),
        together=score(rubric.threats, [*findings, *applicable]),
        pytm=score(rubric.threats, pytm_results) if pytm is not None else None,
        gaps=len(gaps) if isinstance(gaps, list) else 0,
        cwe_ids=(
            sum(len(r.cwe) for r in [*findings, *applicable]),
            sum(len(r.cwe) for r in pytm_results),
        ),
    )


def total(scores: Sequence[Score]) -> Score:
    """Scores summed over systems (recall and noise over all threats and all results)."""
    return Score(
        sum(s.listed for s in scores),
        tuple(m for s in scores for m in s.matched),
        sum(s.results for s in scores),
        sum(s.noise for s in scores),
    )


def kinds_never_named(rows: Sequence[SystemScore]) -> list[tuple[str, int]]:
    """Threat kinds no finding or applicable threat matched on any system, with how often listed."""
    listed, named = _kinds(rows)
    return sorted(
        ((k, n) for k, n in listed.items() if k not in named), key=lambda item: (-item[1], item[0])
    )


def kinds_named(rows: Sequence[SystemScore]) -> list[tuple[str, int, int]]:
    """Threat kinds some finding or applicable threat matched: (kind, threats matched, listed)."""
    listed, named = _kinds(rows)
    return sorted(((k, named[k], listed[k]) for k in named), key=lambda i: (-i[1], i[0]))


def _kinds(rows: Sequence[SystemScore]) -> tuple[dict[str, int], dict[str, int]]:
    listed: dict[str, int] = {}
    named: dict[str, int] = {}
    for row in rows:
        hit = set(row.together.matched)
        for threat in row.rubric.threats:
            listed[threat.kind] = listed.get(threat.kind, 0) + 1
            if threat.id in hit:
                named[threat.kind] = named.get(threat.kind, 0) + 1
    return listed, named


# ---------------------------------------------------------------------------------------------
# Running the tools (whole processes)
# ---------------------------------------------------------------------------------------------


def threatforge_argv() -> list[str]:
    script = Path(sys.executable).parent / "threatforge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "threatforge"]


def run_threatforge(model: Path) -> dict[str, object]:
    """``threatforge analyze MODEL --format json`` as a subprocess; its JSON assessment."""
    done = subprocess.run(
        [*threatforge_argv(), "analyze", str(model), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"threatforge analyze {model} exited {done.returncode}: {done.stderr}")
    doc = json.loads(done.stdout)
    if not isinstance(doc, dict):
        raise RuntimeError(f"threatforge analyze {model}: the JSON is not an object")
    return doc


def run_pytm(script: Path) -> dict[str, object]:
    """``python pytm_model.py --json OUT`` as a subprocess in its own folder; pytm's JSON."""
    with tempfile.TemporaryDirectory(prefix="tf-quality-pytm-") as tmp:
        out = Path(tmp) / "pytm.json"
        done = subprocess.run(
            [sys.executable, str(script), "--json", str(out)],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"pytm {script} exited {done.returncode}: {done.stderr[-2000:]}")
        doc = json.loads(out.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise RuntimeError(f"pytm {script}: the JSON is not an object")
    return doc


def systems(root: Path = SYSTEMS) -> list[Path]:
    """The system folders (each with a threatmodel.yaml and a threats.yaml), sorted."""
    return sorted(p for p in root.iterdir() if (p / "threats.yaml").is_file())


def measure(root: Path = SYSTEMS, use_pytm: bool = True) -> list[SystemScore]:
    rows = []
    for folder in systems(root):
        rubric = load_rubric(folder / "threats.yaml")
        assessment = run_threatforge(folder / "threatmodel.yaml")
        script = folder / "pytm_model.py"
        pytm = run_pytm(script) if use_pytm and script.is_file() else None
        rows.append(score_system(rubric, assessment, pytm, folder.name))
    return rows


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _cells(s: Score | None) -> list[str]:
    """Results, recall (with the number of threats matched) and noise."""
    if s is None:
        return ["-", "-", "-"]
    recall = f"{_pct(s.recall)} ({len(s.matched)})"
    return [str(s.results), recall, _pct(s.noise_ratio) if s.results else "-"]


def table_rows(rows: Sequence[SystemScore]) -> list[list[str]]:
    """The rows of the figures table (one per system, then the totals)."""
    out = []
    for row in rows:
        out.append(
            [
                row.system,
                str(len(row.rubric.threats)),
                *_cells(row.findings),
                *_cells(row.applicable),
                *_cells(row.together)[1:],
                *_cells(row.pytm),
            ]
        )
    has_pytm = all(r.pytm is not None for r in rows) and rows
    out.append(
        [
            "**all**",
            str(sum(len(r.rubric.threats) for r in rows)),
            *_cells(total([r.findings for r in rows])),
            *_cells(total([r.applicable for r in rows])),
            *_cells(total([r.together for r in rows]))[1:],
            *_cells(total([r.pytm for r in rows if r.pytm is not None]) if has_pytm else None),
        ]
    )
    return out


HEADER = [
    "system",
    "threats",
    "findings",
    "recall",
    "noise",
    "applicable",
    "recall",
    "noise",
    "together: recall",
    "noise",
    "pytm findings",
    "pytm recall",
    "pytm noise",
]


def markdown_table(rows: Sequence[SystemScore]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rows)]
    return "\n".join(lines)


def text_table(rows: Sequence[SystemScore]) -> str:
    cells = [HEADER, *table_rows(rows)]
    widths = [max(len(r[i].replace("*", "")) for r in cells) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(c.replace("*", "").ljust(w) for c, w in zip(r, widths, strict=True))
        for r in cells
    )


def missed(rows: Sequence[SystemScore]) -> list[str]:
    """Per system, the listed threats no finding or applicable threat matched."""
    lines = []
    for row in rows:
        hit = set(row.together.matched)
        ids = [f"{t.id} {t.kind}" for t in row.rubric.threats if t.id not in hit]
        lines.append(f"{row.system}: " + (", ".join(ids) if ids else "none"))
    return lines


def _git_commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    commit = done.stdout.strip() or "unknown"
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "bench/quality"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return commit + (" (with uncommitted changes)" if dirty else "")


def readme_section(rows: Sequence[SystemScore], commit: str, today: dt.date) -> str:
    never = kinds_never_named(rows)
    pytm_note = (
        "pytm: OWASP pytm "
        + _pytm_version()
        + " on each system's `pytm_model.py` (the same elements, named by their threatforge ids; "
        "a flow's findings sit on both its ends; CWE ids read from each finding's `references`)."
        if any(r.pytm is not None for r in rows)
        else "pytm: not installed for this run (`pip install -e '.[bench]'` adds it)."
    )
    return "\n".join(
        [
            f"Latest run: {today.isoformat()}, threatforge at commit {commit}, "
            f"{len(rows)} systems, {sum(len(r.rubric.threats) for r in rows)} listed threats.",
            "",
            markdown_table(rows),
            "",
            "How matching works: a result matches a listed threat when it sits on one of the "
            "threat's elements (any of the result's `elements`; a result on a flow `a->b` sits "
            "on the flow and on `a` and `b`) and its rule id is one the "
            "rubric lists for the threat or it shares a CWE id with the threat's `cwe`. Recall "
            "is listed threats matched / listed threats; noise is results matching no listed "
            "threat / results (several results matching the same threat are not noise). "
            "`applicable` counts the JSON assessment's `applicable_threats` (absent before the "
            "applicable-threats engine: 0); `together` scores findings and applicable threats "
            "as one list. " + pytm_note,
            "",
            "Threat kinds a threatforge result named (threats matched of listed): "
            + (", ".join(f"{k} ({m} of {n})" for k, m, n in kinds_named(rows)) or "none")
            + ".",
            "",
            "Threat kinds no threatforge result named on any system (times listed): "
            + (", ".join(f"{k} ({n})" for k, n in never) if never else "none")
            + ".",
            "",
            _cwe_density(rows),
        ]
    )


def _cwe_density(rows: Sequence[SystemScore]) -> str:
    """How many CWE ids a result carries on average: more ids make a CWE match easier."""
    ours = sum(r.cwe_ids[0] for r in rows)
    ours_n = sum(r.together.results for r in rows)
    text = f"CWE ids per result, on average: threatforge {ours / ours_n if ours_n else 0:.1f}"
    theirs_n = sum(r.pytm.results for r in rows if r.pytm is not None)
    if theirs_n:
        theirs = sum(r.cwe_ids[1] for r in rows)
        text += f", pytm {theirs / theirs_n:.1f}"
    return text + " (a result with more CWE ids matches a rubric's CWE list more easily)."


def _pytm_version() -> str:
    try:
        from importlib.metadata import version

        return version("pytm")
    except Exception:  # the version only labels the figures
        return "(version unknown)"


def write_readme(section: str, readme: Path = README) -> None:
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{section}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Quality\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# pytm scripts, written from the threatforge models (facts only, no code from the system folder)
# ---------------------------------------------------------------------------------------------

_PYTM_DATASTORE = {"datastore", "cache", "queue", "stream", "secrets-store", "artifact-registry"}
_PYTM_SQL = re.compile(r"(postgres|mysql|aurora|mariadb|mssql|sqlserver|oracle|sqlite|cockroach)")
_PYTM_CLASSIFICATION = {
    "public": "PUBLIC",
    "internal": "RESTRICTED",
    "confidential": "SENSITIVE",
    "restricted": "SECRET",
}
_ENCRYPTED_PROTOCOLS = {
    "https", "grpcs", "wss", "ldaps", "sftp", "ssh", "tls", "smtps", "imaps", "ftps", "aws-api",
    "aws-invoke", "amqps", "kafka-tls", "mqtts", "rediss", "h2",
}  # fmt: skip


def _pytm_class(component: Mapping[str, object], external_zones: set[str]) -> str:
    kind = str(component.get("kind"))
    if kind == "actor":
        return "Actor"
    if kind in ("client", "external-service") or component.get("zone") in external_zones:
        return "ExternalEntity"
    if kind in _PYTM_DATASTORE:
        return "Datastore"
    if kind == "function":
        return "Lambda"
    return "Server"


def _q(text: str) -> str:
    """A double-quoted Python string literal (as ruff format writes them)."""
    return json.dumps(text)


def pytm_script(model: Mapping[str, object], title: str) -> str:
    """An OWASP pytm script of the same system: elements named by id, flows ``a -> b``.

    Only facts the threatforge model states become pytm attributes: TLS on a flow
    (``isEncrypted``), authentication on a flow or component, access control, MFA, encryption
    at rest, input validation, and the data each flow carries with its classification.
    """
    boundaries = model.get("boundaries") or {}
    components = model.get("components") or {}
    data = model.get("data") or {}
    flows = model.get("flows") or []
    if not (isinstance(boundaries, dict) and isinstance(components, dict)):
        raise ValueError(f"{title}: 'boundaries' and 'components' must be mappings")
    if not (isinstance(data, dict) and isinstance(flows, list)):
        raise ValueError(f"{title}: 'data' must be a mapping and 'flows' a list")
    external = {
        zid
        for zid, z in boundaries.items()
        if isinstance(z, dict) and z.get("kind") == "third-party"
    }
    classes = {_pytm_class(c, external) for c in components.values() if isinstance(c, dict)}
    imports = sorted(
        {"TM", "Boundary", "Classification", "Data", "Dataflow", *classes},
        key=lambda name: (not name.isupper(), name),
    )
    out = [
        f'"""OWASP pytm model of the bench/quality system "{title}".',
        "",
        "Written by `bench/quality.py --write-pytm` from threatmodel.yaml: the same elements",
        "(named by their ids) and flows (named `source -> target`), and the facts it states.",
        "",
        "    python pytm_model.py --json out.json",
        '"""',
        "",
        "from pytm import (",
        *[f"    {name}," for name in imports],
        ")",
        "",
        f"tm = TM({_q(title)})",
        "tm.isOrdered = False",
        "zones = {}",
    ]
    for zid in boundaries:
        out.append(f"zones[{_q(zid)}] = Boundary({_q(zid)})")
    for zid, z in boundaries.items():
        if isinstance(z, dict) and z.get("inside"):
            out.append(f"zones[{_q(zid)}].inBoundary = zones[{_q(z['inside'])}]")
    out.append("data = {}")
    for did, d in data.items():
        level = _PYTM_CLASSIFICATION.get(
            str(d.get("classification")) if isinstance(d, dict) else ""
        )
        out += [
            f"data[{_q(did)}] = Data(",
            f"    {_q(did)},",
            f"    classification=Classification.{level or 'UNKNOWN'},",
            ")",
        ]
    out.append("el = {}")
    for cid, c in components.items():
        if not isinstance(c, dict):
            raise ValueError(f"{title}: component {_q(cid)} is not a mapping")
        cls = _pytm_class(c, external)
        out.append(f"el[{_q(cid)}] = {cls}({_q(cid)})")
        if c.get("zone") in boundaries:
            out.append(f"el[{_q(cid)}].inBoundary = zones[{_q(c['zone'])}]")
        out += [f"el[{_q(cid)}].{line}" for line in _pytm_component_facts(c, cls)]
    for index, entry in enumerate(flows):
        if not (isinstance(entry, dict) and len(entry) == 1):
            raise ValueError(f"{title}: flow {index + 1} is not written `a -> b: {{...}}`")
        ((arrow, attrs),) = entry.items()
        source, target = (part.strip() for part in str(arrow).split("->"))
        attrs = attrs if isinstance(attrs, dict) else {}
        out += [
            f"f{index} = Dataflow(",
            f"    el[{_q(source)}],",
            f"    el[{_q(target)}],",
            f"    {_q(source + ' -> ' + target)},",
            ")",
        ]
        out += [f"f{index}.{line}" for line in _pytm_flow_facts(attrs)]
        carried = attrs.get("data")
        if isinstance(carried, list) and carried:
            out += [f"f{index}.data = [", *[f"    data[{_q(d)}]," for d in carried], "]"]
    out += ["", 'if __name__ == "__main__":', "    tm.process()", ""]
    return "\n".join(out)


def _pytm_component_facts(c: Mapping[str, object], cls: str) -> list[str]:
    lines = []
    authn = c.get("authn")
    if authn and authn != "none" and cls != "Actor":
        lines.append("controls.implementsAuthenticationScheme = True")
    if c.get("authz") and c.get("authz") != "none" and cls != "Actor":
        lines.append("controls.hasAccessControl = True")
    if c.get("mfa") is True:
        lines.append("controls.usesMFA = True")
    if c.get("input_validation") is True:
        lines.append("controls.validatesInput = True")
    encryption = c.get("encryption")
    if isinstance(encryption, dict) and encryption.get("at_rest") not in (None, "none"):
        lines.append("controls.isEncryptedAtRest = True")
    if cls == "Datastore":
        tech = str(c.get("tech", ""))
        lines.append(f"isSQL = {bool(_PYTM_SQL.search(tech))}")
    if cls == "Actor" and c.get("admin") is True:
        lines.append("isAdmin = True")
    return lines


def _pytm_flow_facts(attrs: Mapping[str, object]) -> list[str]:
    lines = []
    protocol = str(attrs.get("protocol", ""))
    if protocol:
        lines.append(f"protocol = {_q(protocol)}")
    if isinstance(attrs.get("port"), int):
        lines.append(f"dstPort = {attrs['port']}")
    if protocol in _ENCRYPTED_PROTOCOLS or attrs.get("tls") is True or attrs.get("mtls") is True:
        lines.append("controls.isEncrypted = True")
    if attrs.get("authn") and attrs.get("authn") != "none":
        lines.append("controls.authenticatesSource = True")
    if attrs.get("mtls") is True:
        lines.append("controls.authenticatesDestination = True")
    if attrs.get("signed") is True:
        lines.append("controls.providesIntegrity = True")
    return lines


def write_pytm_scripts(root: Path = SYSTEMS) -> list[Path]:
    written = []
    for folder in systems(root):
        model = yaml.safe_load((folder / "threatmodel.yaml").read_text(encoding="utf-8"))
        system = model.get("system", {}) if isinstance(model, dict) else {}
        title = str(system.get("name", folder.name)) if isinstance(system, dict) else folder.name
        path = folder / "pytm_model.py"
        path.write_text(pytm_script(model, title), encoding="utf-8")
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="rewrite the README's QUALITY section")
    parser.add_argument("--no-pytm", action="store_true", help="skip OWASP pytm")
    parser.add_argument(
        "--write-pytm", action="store_true", help="regenerate every system's pytm_model.py"
    )
    args = parser.parse_args(argv)
    if args.write_pytm:
        for path in write_pytm_scripts():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    use_pytm = not args.no_pytm and importlib.util.find_spec("pytm") is not None
    try:
        rows = measure(use_pytm=use_pytm)
    except (RubricError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text_table(rows))
    print()
    print("Listed threats no threatforge result matched:")
    for line in missed(rows):
        print(f"  {line}")
    never = kinds_never_named(rows)
    print()
    print("Threat kinds named: " + ", ".join(f"{k} ({m}/{n})" for k, m, n in kinds_named(rows)))
    print("Threat kinds never named (times listed): " + ", ".join(f"{k} ({n})" for k, n in never))
    print(_cwe_density(rows))
    if not use_pytm:
        print("(pytm is not installed or --no-pytm: `make quality` installs .[bench] for it)")
    if args.write:
        write_readme(readme_section(rows, _git_commit(), dt.datetime.now(dt.UTC).date()))
        print(f"wrote {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
