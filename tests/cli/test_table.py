"""``cli._table``: tables printed byte for byte as Rich prints them, on many generated tables."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from threatforge.cli._table import Column, print_table, render_table_text
from threatforge.text.terminal import terminal_text

WORDS = [
    "api", "gateway-12", "payments-vpc", "a->b", "oauth2", "—", "×", "é", "Ωmega", "→", "…",
    "x", "(authn:", "none);", "'cognito'", "states", "no", "authorisation", "internet,",
    "aws-prod", "customer-profile", "kms-cmk", "--", "a.b.c", "path/to/thing", "50%", "\"q\"",
]


def _word(rng: random.Random) -> str:
    if rng.random() < 0.15:  # a word longer than most columns: folded or cut with an ellipsis
        letters = "abcdefghijklmnopqrstuvwxyz-_>."
        return "".join(rng.choice(letters) for _ in range(rng.randint(9, 70)))
    return rng.choice(WORDS)


def _cell(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.12:
        return " " * rng.randint(1, 12)
    separators = [" ", " ", " ", "  ", "   "]
    text = "".join(_word(rng) + rng.choice(separators) for _ in range(rng.randint(1, 14)))
    if rng.random() < 0.6:
        text = text.rstrip()
    if rng.random() < 0.1:
        text = "  " + text
    return text


def _table(rng: random.Random) -> tuple[str, list[Column], list[list[str]]]:
    count = rng.randint(1, 7)
    columns = [
        Column(
            rng.choice(["effort", "entry", "target", "weakest hop", "boundaries crossed", "L×I",
                        "a very long column header", "id", ""]),
            justify=rng.choice(["left", "right"]),
            overflow=rng.choice(["fold", "ellipsis"]),
        )
        for _ in range(count)
    ]
    rows = [[_cell(rng) for _ in range(count)] for _ in range(rng.randint(0, 9))]
    return f"{len(rows)} things (at most {count})", columns, rows


def _console(width: int, *, color: bool = False, soft_wrap: bool = True) -> Console:
    if color:
        return Console(
            file=io.StringIO(), width=width, force_terminal=True, color_system="standard",
            highlight=False, soft_wrap=soft_wrap,
        )
    return Console(file=io.StringIO(), width=width, highlight=False, soft_wrap=soft_wrap)


def _rich(
    console: Console, title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> str:
    """The reference: the table built and printed by Rich, as the CLI used to."""
    table = Table(title=title, expand=False)
    for column in columns:
        table.add_column(column.header, justify=column.justify, overflow=column.overflow)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def _ours(
    console: Console, title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> str:
    print_table(console, title, columns, rows)
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_generated_tables_print_exactly_as_rich_prints_them(color: bool) -> None:
    rng = random.Random(20261128)  # noqa: S311 - reproducible test data
    laid_out = 0
    for _ in range(160):
        title, columns, rows = _table(rng)
        width = rng.choice([rng.randint(8, 60), rng.randint(60, 200), 80])
        expected = _rich(_console(width, color=color), title, columns, rows)
        assert _ours(_console(width, color=color), title, columns, rows) == expected, (
            title, columns, rows, width,
        )
        laid_out += render_table_text(_console(width), title, columns, rows) is not None
    assert laid_out > 110  # most tables took the fast way: the comparison tested it


def test_tables_without_soft_wrap_print_exactly_as_rich_prints_them() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    for _ in range(60):
        title, columns, rows = _table(rng)
        width = rng.randint(20, 120)
        expected = _rich(_console(width, soft_wrap=False), title, columns, rows)
        assert _ours(_console(width, soft_wrap=False), title, columns, rows) == expected


@pytest.mark.parametrize(
    "cell",
    [
        "wide 支付网关 characters",
        "an emoji 🔥 here",
        "a\ttab",
        "two\nlines",
        "a bell \x07 and an escape \x1b[31m",
        "no-break\xa0space",
        "e\u0301 combining",
        "zero\u200dwidth",
        "[bold]markup[/bold] is text here",
    ],
)
def test_text_outside_the_simple_case_is_printed_by_rich(cell: str) -> None:
    columns = [Column("name"), Column("value", justify="right")]
    rows = [["first", cell], [cell, "second"]]
    simple = cell.startswith("[bold]")  # brackets are plain text in Text cells: the fast way
    assert (render_table_text(_console(40), "t", columns, rows) is not None) is simple
    # print_table escapes control characters first (issue #14 item 9): as Rich prints those
    shown = [[terminal_text(c) for c in row] for row in rows]
    assert _ours(_console(40), "t", columns, rows) == _rich(_console(40), "t", columns, shown)


def test_model_text_in_a_table_cannot_send_escapes_or_start_a_line() -> None:
    # the attack: a name that writes the clipboard (OSC 52), clears the screen and prints a
    # GitHub workflow command on a line of its own
    cell = "api\x1b]52;c;ZXZpbA==\x07\x1b[2J\n::add-mask::secret\u202e"
    text = _ours(_console(80), "t", [Column("name")], [[cell]])
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "api\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x0a::add-mask::secret\\u202e" in text
    assert not any(line.lstrip("│┃ ").startswith("::") for line in text.splitlines())


def test_a_console_too_narrow_for_the_columns_is_left_to_rich() -> None:
    columns = [Column(f"c{i}") for i in range(9)]
    rows = [[f"cell {i}" for i in range(9)]]
    assert render_table_text(_console(20), "narrow", columns, rows) is None
    assert _ours(_console(20), "narrow", columns, rows) == _rich(
        _console(20), "narrow", columns, rows
    )


def test_a_recording_console_is_left_to_rich() -> None:
    console = Console(file=io.StringIO(), width=80, record=True)
    assert render_table_text(console, "t", [Column("a")], [["x"]]) is None
    print_table(console, "t", [Column("a")], [["x"]])
    assert console.export_text() == "  t  \n┏━━━┓\n┃ a ┃\n┡━━━┩\n│ x │\n└───┘\n"


def test_an_empty_table_prints_its_frame() -> None:
    columns = [Column("component"), Column("zone")]
    expected = _rich(_console(80), "PCI DSS scope", columns, [])
    assert _ours(_console(80), "PCI DSS scope", columns, []) == expected
    assert expected == (
        "PCI DSS scope\n"
        "┏━━━━━━━━━━━┳━━━━━━┓\n"
        "┃ component ┃ zone ┃\n"
        "┡━━━━━━━━━━━╇━━━━━━┩\n"
        "└───────────┴──────┘\n"
    )


def test_wrapped_cells_fold_and_ellipsis() -> None:
    columns = [Column("fold", overflow="fold"), Column("cut", overflow="ellipsis")]
    rows = [["abcdefghijklmnopqrstuvwxyz " * 3, "abcdefghijklmnopqrstuvwxyz " * 3]]
    text = _ours(_console(30), "t", columns, rows)
    assert text == _rich(_console(30), "t", columns, rows)
    assert text.splitlines()[4:8] == [
        "│ abcdefghijk │ abcdefghijk… │",
        "│ lmnopqrstuv │ abcdefghijk… │",
        "│ wxyz        │ abcdefghijk… │",
        "│ abcdefghijk │              │",
    ]


STYLES = {"high": "bold red", "critical": "bold white on red", "low": "cyan"}


@pytest.mark.parametrize(
    "console_options",
    [
        {},
        {"force_terminal": True, "color_system": "standard"},
        {"force_terminal": True, "color_system": "truecolor"},
        {"force_terminal": True, "color_system": "256", "no_color": True},
    ],
    ids=["plain", "standard", "truecolor", "no-color-terminal"],
)
@pytest.mark.parametrize("justify", ["left", "right"])
def test_styled_cells_print_exactly_as_rich_prints_their_markup(
    console_options: dict[str, object], justify: str
) -> None:
    columns = [
        Column("severity", justify=justify, overflow="ellipsis", styles=STYLES),  # type: ignore[arg-type]
        Column("finding", overflow="ellipsis"),
    ]
    rows = [["high", "api is exposed"], ["critical", "db is old " * 12], ["medium", "x"]]

    def markup(row: Sequence[str]) -> list[str]:
        style = STYLES.get(row[0])
        return [f"[{style}]{row[0]}[/]" if style else row[0], row[1]]

    def console() -> Console:
        return Console(
            file=io.StringIO(), width=60, highlight=False, soft_wrap=True,
            **console_options,  # type: ignore[arg-type]
        )

    expected = console()
    table = Table(title="findings", expand=False)
    table.add_column("severity", justify=justify)  # type: ignore[arg-type]
    table.add_column("finding")
    for row in rows:
        table.add_row(*markup(row))
    expected.print(table)
    ours = console()
    print_table(ours, "findings", columns, rows, rich_cells=markup)
    text = ours.file.getvalue()  # type: ignore[attr-defined]
    assert text == expected.file.getvalue()  # type: ignore[attr-defined]
    assert render_table_text(console(), "findings", columns, rows) is not None
    if console_options.get("color_system") == "standard":
        assert "\x1b[1;31mhigh\x1b[0m" in text
