"""``cli._table``: every table the CLI prints is a Rich table of ``Text`` cells, escaped for the
terminal, never read as markup, and cut at :data:`ROW_CAP` rows with a line saying how many
more there are (issue #13 item 10)."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from threatforge.cli import _table, app
from threatforge.cli._output import PIPE_WIDTH
from threatforge.cli._table import ROW_CAP, Column, more_line, print_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_models import generated_model

ROOT = Path(__file__).resolve().parents[2]
CARD_CHECKOUT = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"


def _console(width: int = 80, **options: object) -> Console:
    return Console(
        file=io.StringIO(), width=width, highlight=False, soft_wrap=True,
        **options,  # type: ignore[arg-type]
    )


def _printed(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


# --- the row cap ------------------------------------------------------------------------------


def test_a_table_longer_than_the_cap_prints_its_first_rows_and_how_many_more() -> None:
    console = _console()
    rows = [(f"c{i}", str(i)) for i in range(7)]
    print_table(console, "7 things", [Column("id"), Column("n", justify="right")], rows, cap=3)
    assert _printed(console) == (
        "7 things\n"
        "┏━━━━┳━━━┓\n"
        "┃ id ┃ n ┃\n"
        "┡━━━━╇━━━┩\n"
        "│ c0 │ 0 │\n"
        "│ c1 │ 1 │\n"
        "│ c2 │ 2 │\n"
        "└────┴───┘\n"
        "... 4 more: use --format json\n"
    )


def test_the_more_line_counts_with_thousands_separators() -> None:
    assert more_line(4800) == "... 4,800 more: use --format json"
    console = _console()
    print_table(console, "t", [Column("n")], ([str(i)] for i in range(4802)), cap=2)
    assert _printed(console).splitlines()[-1] == "... 4,800 more: use --format json"


def test_only_the_rows_printed_are_made_when_the_total_is_given() -> None:
    made: list[int] = []

    def rows() -> object:
        for i in range(10_000):
            made.append(i)
            yield (str(i),)

    console = _console()
    print_table(console, "t", [Column("n")], rows(), total=10_000, cap=5)  # type: ignore[arg-type]
    assert made == [0, 1, 2, 3, 4]
    assert _printed(console).splitlines()[-1] == "... 9,995 more: use --format json"


def test_a_table_at_the_cap_has_no_more_line() -> None:
    console = _console()
    print_table(console, "t", [Column("n")], [["1"], ["2"]], cap=2)
    assert _printed(console).splitlines()[-1] == "└───┘"


def test_the_cli_cuts_the_findings_table_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_table, "ROW_CAP", 5)
    args = ["analyze", str(CARD_CHECKOUT), "--today", "2026-01-01"]
    everything = CliRunner().invoke(app, ["-q", *args, "-f", "json"])
    findings = json.loads(everything.stdout)["findings"]
    result = CliRunner().invoke(app, ["--no-color", *args])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Card checkout: {len(findings)} findings"  # the title counts them all
    bottom = next(i for i, line in enumerate(lines) if line.startswith("└"))
    assert lines[bottom + 1 : bottom + 3] == [
        f"... {len(findings) - 5} more: use --format json",
        "open: 6 critical, 6 high, 4 elevated, 2 medium",  # of every finding, as before
    ]
    severities = [line.split("│")[1].strip() for line in lines[4:bottom]]
    assert [s for s in severities if s] == [f["severity"] for f in findings[:5]]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_model(tmp_path_factory.mktemp("estate") / "threatmodel.yaml", 400)


def _first_cells(text: str) -> list[str]:
    """The first cell of each row of the table in ``text`` (a row's later lines have none)."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    bottom = next(i for i, line in enumerate(lines) if line.startswith("└"))
    cells = [line.split("│")[1].strip() for line in lines[top + 1 : bottom]]
    return [cell for cell in cells if cell]


def test_huge_outputs_stop_at_the_default_cap(estate: Path) -> None:
    assert ROW_CAP == 500
    runner = CliRunner()
    paths = json.loads(runner.invoke(app, ["-q", "paths", str(estate), "-f", "json"]).stdout)
    efforts = [str(path["score"]) for path in paths["paths"]]
    assert len(efforts) > ROW_CAP
    table = runner.invoke(app, ["--no-color", "paths", str(estate)])
    assert table.exit_code == 0, table.output
    assert _first_cells(table.stdout) == efforts[:ROW_CAP]
    assert f"\n... {len(efforts) - ROW_CAP:,} more: use --format json\n" in table.stdout
    args = ["analyze", str(estate), "--today", "2026-01-01"]
    findings = json.loads(runner.invoke(app, ["-q", *args, "-f", "json"]).stdout)["findings"]
    table = runner.invoke(app, ["--no-color", *args])
    assert _first_cells(table.stdout) == [f["severity"] for f in findings[:ROW_CAP]]
    assert f"\n... {len(findings) - ROW_CAP:,} more: use --format json\n" in table.stdout


def test_the_docs_state_the_cap() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"A table shows at most its\nfirst {ROW_CAP} rows" in readme
    analysis = (ROOT / "docs" / "analysis.md").read_text("utf-8")
    assert f"A table shows its first {ROW_CAP} rows" in analysis


def test_rules_list_shows_every_built_in_rule() -> None:
    from threatforge.rules import builtin_rules

    rules = builtin_rules()
    assert len(rules) < ROW_CAP
    result = CliRunner().invoke(app, ["--no-color", "rules", "list"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert _first_cells(result.stdout) == [rule.meta.id for rule in rules]
    assert result.stdout.splitlines()[-1].startswith("└")


# --- model text: escaped, never markup --------------------------------------------------------

MARKUP_MODEL = """\
system: {name: "[bold red]Shop[/] [link=https://evil.example/]pay here[/link]"}
boundaries:
  internet: {trust: untrusted}
  cloud: {trust: trusted}
components:
  user: {kind: actor, zone: internet}
  api: {kind: service, name: "[link=https://e.vil/] click [/link] [bold]api[/] :smile:",
        zone: cloud, exposure: public, authn: none, rate_limit: false}
flows:
  - user -> api: {protocol: https, authn: none}
"""


def test_rich_markup_in_model_names_prints_as_written(tmp_path: Path) -> None:
    # the attack: a system and a component named with Rich markup, so that the table would
    # hide text, style it, or print a hyperlink to the attacker's site on the reader's terminal
    path = tmp_path / "threatmodel.yaml"
    path.write_text(MARKUP_MODEL, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["analyze", str(path), "--today", "2026-01-01", "--only", "missing-rate-limit"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "[bold red]Shop[/] [link=https://evil.example/]pay here[/link]: 1 findings",
        "┏━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━┓",
        "┃ severity ┃ L×I ┃ finding                   ┃ fingerprint            ┃ status ┃",
        "┡━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━┩",
        "│ elevated │ 4×3 │ [link=https://e.vil/]     │ missing-rate-limit@api │ open   │",
        "│          │     │ click [/link]             │                        │        │",
        "│          │     │ [bold]api[/] :smile: is   │                        │        │",
        "│          │     │ exposed without rate      │                        │        │",
        "│          │     │ limiting                  │                        │        │",
        "└──────────┴─────┴───────────────────────────┴────────────────────────┴────────┘",
        "open: 1 elevated",
    ]
    coloured = CliRunner().invoke(
        app, ["analyze", str(path), "--today", "2026-01-01", "--only", "missing-rate-limit"],
        env={"FORCE_COLOR": "1"},  # as on a terminal: markup would send an OSC 8 hyperlink
    )
    assert "\x1b[3m" in coloured.stdout  # styled: the title in italics
    assert "\x1b]8;" not in coloured.stdout
    assert "[link=https://evil.example/]pay here[/link]: 1 findings" in coloured.stdout


def test_markup_in_a_cell_sends_no_hyperlink_to_a_terminal() -> None:
    console = _console(force_terminal=True, color_system="truecolor")
    cell = "[link=https://evil.example/]click[/link] [bold]x[/bold]"
    print_table(console, "[link=https://evil.example/]t[/link]", [Column("name")], [[cell]])
    text = _printed(console)
    assert "\x1b]8;" not in text  # no OSC 8 hyperlink
    assert text.count("\x1b[1m") == 3  # the header only (its padding and text): no [bold]
    assert "[link=https://evil.example/]click[/link]" in text.replace("│", "").replace("\n", "")


def test_model_text_in_a_table_cannot_send_escapes_or_start_a_line() -> None:
    # the attack: a name that writes the clipboard (OSC 52), clears the screen and prints a
    # GitHub workflow command on a line of its own
    cell = "api\x1b]52;c;ZXZpbA==\x07\x1b[2J\n::add-mask::secret\u202e"
    console = _console(120)
    print_table(console, f"t {cell}", [Column("name")], [[cell], ["::stop-commands::x"]])
    text = _printed(console)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "api\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x0a::add-mask::secret\\u202e" in text
    assert "\\x3a:stop-commands::x" in text
    assert not any(line.lstrip("│┃ ").startswith("::") for line in text.splitlines())


# --- layout -----------------------------------------------------------------------------------


def test_an_empty_table_prints_its_frame() -> None:
    console = _console()
    print_table(console, "PCI DSS scope", [Column("component"), Column("zone")], [])
    assert _printed(console) == (
        "PCI DSS scope\n"
        "┏━━━━━━━━━━━┳━━━━━━┓\n"
        "┃ component ┃ zone ┃\n"
        "┡━━━━━━━━━━━╇━━━━━━┩\n"
        "└───────────┴──────┘\n"
    )


def test_wrapped_cells_fold_and_ellipsis() -> None:
    console = _console(30)
    columns = [Column("fold", overflow="fold"), Column("cut", overflow="ellipsis")]
    print_table(console, "t", columns, [["abcdefghijklmnopqrstuvwxyz " * 3] * 2])
    assert _printed(console).splitlines()[4:8] == [
        "│ abcdefghijk │ abcdefghijk… │",
        "│ lmnopqrstuv │ abcdefghijk… │",
        "│ wxyz        │ abcdefghijk… │",
        "│ abcdefghijk │              │",
    ]


def test_a_styled_word_is_coloured_but_not_its_padding() -> None:
    console = _console(60, force_terminal=True, color_system="standard")
    styles = {"critical": "bold white on red", "high": "bold red"}
    columns = [Column("severity", styles=styles), Column("finding")]
    print_table(console, "t", columns, [["high", "a"], ["critical", "b"], ["medium", "c"]])
    lines = _printed(console).splitlines()
    assert lines[4] == "│ \x1b[1;31mhigh\x1b[0m     │ a       │"
    assert lines[5] == "│ \x1b[1;37;41mcritical\x1b[0m │ b       │"
    assert lines[6] == "│ medium   │ c       │"


# --- the CLI's console: fixed width and no colour off a terminal ------------------------------


def _top_border(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("┏"))


def _table_lines(text: str) -> list[str]:
    """The lines of the findings table: from its title to the line before "open: ..." (the
    summary lines under it quote model text and are not cut to the width)."""
    lines = text.splitlines()
    end = next((i for i, line in enumerate(lines) if line.startswith("open: ")), len(lines) - 1)
    return lines[1:end]


def test_off_a_terminal_tables_are_80_wide_whatever_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `threatforge analyze m.yaml > out.txt` typed in a 200-column window: Rich would measure
    # the window through stdin or stderr; the file gets the same table as a CI log
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda *_: os.terminal_size((200, 50)))
    result = CliRunner().invoke(app, ["rules", "list"])
    assert result.exit_code == 0
    assert PIPE_WIDTH == 80
    assert len(_top_border(result.stdout)) == 80
    assert max(map(len, _table_lines(result.stdout))) == 80
    assert "\x1b[" not in result.stdout  # no colour off a terminal, without --no-color
    # the findings table is as wide as its whole fingerprints need (116), not the window
    findings = CliRunner().invoke(app, ["analyze", str(CARD_CHECKOUT), "--today", "2026-01-01"])
    assert len(_top_border(findings.stdout)) == 116
    assert "\x1b[" not in findings.stdout


def test_columns_sets_the_width_off_a_terminal() -> None:
    args = ["analyze", str(CARD_CHECKOUT), "--today", "2026-01-01"]
    wide = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    narrow = CliRunner().invoke(app, ["rules", "list"], env={"COLUMNS": "60"})
    assert len(_top_border(wide.stdout)) == 120
    assert max(map(len, _table_lines(narrow.stdout))) == 60


# --- fingerprints are never broken (issue #15 item 5) ----------------------------------------


_LONG = "unauthenticated-boundary-crossing@checkout-api->payments-ledger-db"


def test_at_80_columns_a_long_fingerprint_stays_on_one_line_and_the_table_widens() -> None:
    from threatforge.cli._analyze import _FINDING_COLUMNS

    console = _console(80)
    title = "Unauthenticated flow into a more trusted zone: checkout-api -> payments-ledger-db"
    print_table(console, "1 finding", _FINDING_COLUMNS, [("critical", "4×4", title, _LONG, "open")])
    assert _printed(console).splitlines() == [
        "1 finding",
        "┏━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━━━━━┳" + "━" * 68 + "┳━━━━━━━━┓",
        "┃ severity ┃ L×I ┃ finding            ┃ fingerprint" + " " * 56 + "┃ status ┃",
        "┡━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━━━━━╇" + "━" * 68 + "╇━━━━━━━━┩",
        f"│ critical │ 4×4 │ Unauthenticated    │ {_LONG} │ open   │",
        "│          │     │ flow into a more   │" + " " * 68 + "│        │",
        "│          │     │ trusted zone:      │" + " " * 68 + "│        │",
        "│          │     │ checkout-api ->    │" + " " * 68 + "│        │",
        "│          │     │ payments-ledger-db │" + " " * 68 + "│        │",
        "└──────────┴─────┴────────────────────┴" + "─" * 68 + "┴────────┘",
    ]


def test_a_fingerprint_that_fits_leaves_the_table_at_the_terminal_width() -> None:
    console = _console(80)
    columns = [Column("finding"), Column("fingerprint", whole=True)]
    print_table(console, "t", columns, [("a " * 40, "rule@a")])
    lines = _printed(console).splitlines()
    assert len(lines[1]) == 80
    assert "│ rule@a      │" in lines[4]


def test_every_fingerprint_of_analyze_is_on_one_line_at_80_columns() -> None:
    result = CliRunner().invoke(
        app, ["analyze", str(ROOT / "examples" / "partner-api" / "threatmodel.yaml"),
              "--today", "2026-01-01"], env={"COLUMNS": "80"},
    )
    listed = CliRunner().invoke(
        app, ["analyze", str(ROOT / "examples" / "partner-api" / "threatmodel.yaml"),
              "--today", "2026-01-01", "--format", "json"],
    )
    fingerprints = [f["fingerprint"] for f in json.loads(listed.stdout)["findings"]]
    assert max(map(len, fingerprints)) == 65
    rows = result.stdout.splitlines()
    for fingerprint in fingerprints:
        assert any(f"│ {fingerprint} " in row for row in rows), fingerprint
