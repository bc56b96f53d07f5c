"""Hostile model text through the CLI into the files CI jobs publish: a Mermaid diagram (issue #14
item 14), the PCI scope as Markdown (item 16) and a CSV printed to a CI log (item 9).

Each test is the attack: a model whose names carry the injection, run through the command a CI
job would run, and the exact text that comes out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from threatforge.cli import app

MERMAID_MODEL = """\
system: {name: "Shop %%{init: {'theme':'dark'}}%%"}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
  cde: {trust: restricted, name: "CDE\\"] %%{init: {\\"theme\\": \\"forest\\"}}%% x[\\""}
components:
  user: {kind: actor, zone: internet,
         name: "%%{init: {'themeCSS': '.sev_critical {fill: #fff}'}}%%"}
  db: {kind: datastore, zone: cde, stores: [pan], authn: none, encryption: {at_rest: none}}
flows:
  - user -> db: {protocol: http, authn: none, data: [pan]}
"""


def test_mermaid_directives_in_names_stay_label_text(tmp_path: Path) -> None:
    # the attack: %%{init}%% directives that recolour the diagram (hiding the severity
    # colours) from the system's name, a zone's name that tries to close its label first, and a
    # component's name
    model = tmp_path / "threatmodel.yaml"
    model.write_text(MERMAID_MODEL, encoding="utf-8")
    out = tmp_path / "dfd.mmd"
    result = CliRunner().invoke(
        app, ["-q", "diagram", str(model), "-o", str(out), "--today", "2026-01-01"]
    )
    assert (result.exit_code, result.stderr) == (0, "")
    lines = out.read_text("utf-8").splitlines()
    assert lines[:8] == [
        "flowchart LR",
        "  %% Shop #37;#37;#123;init: #123;#39;theme#39;:#39;dark#39;#125;#125;#37;#37;: "
        "data flow diagram",
        '  subgraph z0["internet (untrusted)"]',
        '    n0["#37;#37;#123;init: #123;#39;themeCSS#39;: #39;.sev_critical #123;fill: '
        '#35;fff#125;#39;#125;#125;#37;#37;<br/>actor"]',
        "  end",
        '  subgraph z1["CDE#34;] #37;#37;#123;init: #123;#34;theme#34;: #34;forest#34;#125;'
        '#125;#37;#37; x[#34; (restricted)"]',
        '    n1[("db<br/>datastore<br/>[CRITICAL] 2 open")]',
        "  end",
    ]
    text = "\n".join(lines)
    assert "%%{" not in text and "}%%" not in text


SCOPE_MODEL = """\
system:
  name: "<img src=x onerror=alert(1)> @payments-team ![](http://e/x.png) [ok](http://e)\\n\\
    ## No CDE\\u202e"
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted}
  cde: {trust: restricted}
components:
  user: {kind: actor, zone: internet}
  db: {kind: datastore, zone: cde, stores: [pan], authn: none, encryption: {at_rest: none},
       name: "\\u202e\\t=cmd|' /C calc'!A0"}
flows:
  - user -> db: {protocol: http, authn: none, data: [pan]}
"""


def test_scope_pci_markdown_passes_no_html_mentions_images_or_headings(tmp_path: Path) -> None:
    # the attack: a system name with raw HTML, a team mention, a tracking image, a link, a
    # line break that starts a forged heading and a bidi override
    model = tmp_path / "threatmodel.yaml"
    model.write_text(SCOPE_MODEL, encoding="utf-8")
    result = CliRunner().invoke(app, ["-q", "scope", str(model), "--pci", "-f", "markdown"])
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "# PCI DSS scope: &lt;img src=x onerror=alert(1)&gt; @\u2060payments-team "
        "!\\[\\](http:\u2060//e/x.png) \\[ok\\](http:\u2060//e) \\#\\# No CDE\\\\u202e"
    )
    assert [line for line in lines if line.startswith("#")] == [lines[0], "## Segmentation"]


def test_csv_printed_to_a_ci_log_carries_no_escape_sequence(tmp_path: Path) -> None:
    # the attack: a component name that starts with a bidi override and a tab and is a
    # spreadsheet formula once they are gone (ESC cannot be written in a model file: the reader
    # refuses it, even escaped)
    model = tmp_path / "threatmodel.yaml"
    model.write_text(SCOPE_MODEL, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["-q", "analyze", str(model), "-f", "csv", "--today", "2026-01-01",
         "--only", "public-datastore"],
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert "\u202e" not in result.stdout
    row = result.stdout.splitlines()[1]
    assert row.startswith(
        "public-datastore@db,public-datastore,critical,5,5,high,open,"
        "\\u202e =cmd|' /C calc'!A0 is a data store reachable from the internet,db,"
        "\\u202e\t=cmd|' /C calc'!A0,pan,"
    )


# --- the corpus case through every human-facing output ----------------------------------------

CORPUS_MODEL = (
    Path(__file__).resolve().parents[1]
    / "corpus"
    / "model"
    / "loads-terminal-and-comment-injection.yaml"
)
OLD_MODEL = "system: {name: Shop}\n"


def _run(tmp_path: Path, *args: str) -> str:
    (tmp_path / "old.yaml").write_text(OLD_MODEL, encoding="utf-8")
    result = CliRunner().invoke(app, ["-q", "--no-color", *args])
    assert result.exit_code in (0, 1), result.output
    assert "\x1b" not in result.stderr
    return result.stdout


TERMINAL = {
    "check": ["check", str(CORPUS_MODEL), "--today", "2026-01-01"],
    "analyze table": ["analyze", str(CORPUS_MODEL), "--today", "2026-01-01"],
    "analyze csv": ["analyze", str(CORPUS_MODEL), "-f", "csv", "--today", "2026-01-01"],
    "scope table": ["scope", str(CORPUS_MODEL), "--pci"],
    "paths table": ["paths", str(CORPUS_MODEL)],
}
MARKDOWN = {
    "analyze markdown": ["analyze", str(CORPUS_MODEL), "-f", "markdown", "--today", "2026-01-01"],
    "diff": ["diff", "{tmp}/old.yaml", str(CORPUS_MODEL)],
    "scope markdown": ["scope", str(CORPUS_MODEL), "--pci", "-f", "markdown"],
    "requirements": ["requirements", str(CORPUS_MODEL)],
    "report": ["report", str(CORPUS_MODEL), "-o", "{tmp}/r.md", "--today", "2026-01-01"],
}


def _output(tmp_path: Path, command: list[str]) -> str:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    text = _run(tmp_path, *args)
    if "-o" in args:
        text = Path(args[args.index("-o") + 1]).read_text("utf-8")
    assert "\x1b" not in text and "\x07" not in text
    # nothing from the model starts a line: no workflow command, no forged verdict
    starts = ("::", "##vso", "##[", "Shop: gate passed")
    assert [line for line in text.splitlines() if line.lstrip().startswith(starts)] == []
    return text


@pytest.mark.parametrize("name", sorted(TERMINAL))
def test_the_corpus_injection_model_on_a_ci_log(tmp_path: Path, name: str) -> None:
    _output(tmp_path, TERMINAL[name])


@pytest.mark.parametrize("name", sorted(MARKDOWN))
def test_the_corpus_injection_model_in_markdown(tmp_path: Path, name: str) -> None:
    text = _output(tmp_path, MARKDOWN[name])
    diagram = ""
    if "```mermaid\n" in text:  # the report's diagram: Mermaid escaping, not Markdown
        start = text.index("```mermaid\n")
        end = text.index("```\n", start + 3)
        text, diagram = text[:start] + text[end:], text[start:end]
    assert "%%{" not in diagram
    lines = text.splitlines()
    # the forged section stays on its row (as text or inline code), never a line of its own
    assert [line for line in lines if line.lstrip("# ").startswith("No new findings")] == []
    # outside inline code (where nothing is markup), no raw HTML, image, link or mention (the
    # diff's own marker comment aside)
    prose = "\n".join(
        re.sub(r"(`+).*?\1", "", line) for line in lines if line != "<!-- threatforge-diff -->"
    )
    for raw in ("<img", "<!--", "![](http", "@admins", "@payments-team"):
        assert raw not in prose, raw


# --- the verdict and fmt --diff on a model that forges the one and hides text in the other -----

VERDICT_CORPUS = CORPUS_MODEL.with_name("loads-verdict-forging-name-and-bidi-comments.yaml")
SHOWN_NAME = '"x\\x0a✓ PASS: 0 new findings\\x0agate passed for \\"x\\" (fail on high or above)"'


def test_the_corpus_verdict_forging_model_prints_one_verdict_last() -> None:
    """The system's name holds two lines that read as verdicts; the gate fails all the same and
    its last line is the only line that looks like a verdict (issue #14 item 9)."""
    result = CliRunner().invoke(
        app, ["-q", "--no-color", "check", str(VERDICT_CORPUS), "--today", "2026-01-01"]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    looks_like_a_verdict = re.compile(r"^\s*(gate (passed|FAILED|ERROR)|✓|PASS)")
    assert [line for line in lines if looks_like_a_verdict.match(line)] == [
        f"gate FAILED for {SHOWN_NAME} (fail on high or above)"
    ]
    assert lines[0] == f"check {SHOWN_NAME} (fail on high or above)"
    assert lines[-1] == f"gate FAILED for {SHOWN_NAME} (fail on high or above)"


def test_fmt_diff_of_the_corpus_model_shows_its_bidi_controls_and_tab() -> None:
    result = CliRunner().invoke(app, ["-q", "--no-color", "fmt", "--diff", str(VERDICT_CORPUS)])
    assert result.exit_code == 0
    removed = [line for line in result.stdout.splitlines() if line.startswith("-  ")]
    assert removed == [
        '-  api: {zone: vpc, kind: service, authn: none, name: "API \\u202egnp.exe"}  # ok\\u2067',
        "-  internet: {trust: untrusted}",
        '-  vpc: {trust: trusted, description: "a\\x09b"}',
        '-  name: "x\\n✓ PASS: 0 new findings\\ngate passed for \\"x\\" (fail on high or above)"',
    ]
    assert re.search("[\u202a-\u202e\u2066-\u2069\t\x1b]", result.stdout) is None
