"""The tables the CLI prints, drawn by Rich, with at most :data:`ROW_CAP` rows.

Every table of the CLI (``analyze`` findings, ``rules list``, ``paths``, ``blast-radius``,
``scope --pci``, ``privacy``) is a :class:`rich.table.Table` of :class:`rich.text.Text` cells:
model text is never read as Rich markup (a name ``[bold]x[/]`` or ``[link=...]`` prints as
written) and is escaped for the terminal first (:func:`terminal_text`: no escape sequence, no
line of its own). A table longer than :data:`ROW_CAP` rows shows its first rows and then one
line, ``... 4,800 more: use --format json``: Rich lays out each row through its general
machinery (about a millisecond a row), and nobody reads 15,000 rows on a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Literal

from threatforge.text.terminal import terminal_text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.segment import Segment
    from rich.table import Table
    from rich.text import Text

__all__ = ["ROW_CAP", "Column", "more_line", "print_table"]

ROW_CAP = 500
"""The most rows a table prints; the rest are counted on a last line (README.md, "Command line
reference"; docs/analysis.md).

Above the 208 built-in rules of ``rules list`` and the tables of a model of a few hundred
components; the rest is for ``--format json``."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header, how its cells are justified and overflow, and ``styles``, the
    Rich style of a cell by its text (a severity's colour)."""

    header: str
    justify: Literal["left", "right"] = "left"
    overflow: Literal["fold", "ellipsis"] = "fold"
    styles: Mapping[str, str] | None = None
    whole: bool = False
    """Never break or cut a cell (a fingerprint, which users paste into ``tracking:``): the
    column is as wide as its widest cell, and a table that then does not fit the terminal is
    printed wider than it (each row stays whole) rather than break the cell."""


def more_line(hidden: int) -> str:
    """The line that ends a table cut at :data:`ROW_CAP` rows: how many rows were left out."""
    return f"... {hidden:,} more: use --format json"


def print_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    total: int | None = None,
    cap: int | None = None,
) -> None:
    """Print ``rows`` (the plain text of each cell) as a Rich table under ``title``: the first
    ``cap`` rows (:data:`ROW_CAP` by default), then :func:`more_line` if there are more.

    ``total`` is how many rows there are, when ``rows`` is a generator: then only the rows
    printed are made. Without it the rows left after the first ``cap`` are counted.
    The title, headers and cells are escaped (:func:`terminal_text`) and printed as Rich
    ``Text``, never as markup.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(terminal_text(title), style="table.title"), expand=False)
    remaining = iter(rows)
    cells = [
        [_cell(column, text) for column, text in zip(columns, row, strict=True)]
        for row in islice(remaining, ROW_CAP if cap is None else cap)
    ]
    shown = len(cells)
    for index, column in enumerate(columns):
        header = Text(terminal_text(column.header))
        if column.whole:
            widest = max([header.cell_len, *(row[index].cell_len for row in cells)])
            table.add_column(
                header, justify=column.justify, overflow="ignore", no_wrap=True, min_width=widest
            )
        else:
            table.add_column(header, justify=column.justify, overflow=column.overflow)
    for row in cells:
        table.add_row(*row)
    if any(column.whole for column in columns):
        console.print(_AtLeastItsMinimum(table), crop=False)
    else:
        console.print(table)
    hidden = sum(1 for _ in remaining) if total is None else total - shown
    if hidden > 0:
        console.print(Text(more_line(hidden)))


class _AtLeastItsMinimum:
    """A table drawn at the terminal's width, or at its own minimum width when that is wider:
    Rich would otherwise break (or cut) the cells of a :attr:`Column.whole` column to fit."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[Segment]:
        from rich.measure import Measurement

        least = Measurement.get(console, options.update_width(_UNBOUNDED), self.table).minimum
        yield from console.render(self.table, options.update_width(max(least, options.max_width)))


_UNBOUNDED = 1_000_000
"""A width no table reaches, to measure a table's own minimum width."""


def _cell(column: Column, text: str) -> Text:
    """A cell as Rich text, its known word styled (the style covers the word, not the padding)."""
    from rich.text import Text

    style = column.styles.get(text) if column.styles else None
    shown = terminal_text(text)
    return Text(shown) if style is None else Text.styled(shown, style)
