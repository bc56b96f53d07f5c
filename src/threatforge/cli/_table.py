"""Tables of plain text, printed exactly as Rich prints them, in a fraction of the time.

Rich lays out and renders every cell through its general machinery (measurement, padding,
segments): about a millisecond per row, so the 15,000 attack paths of a large model took
twenty seconds to print. The tables the CLI prints are simple: plain text cells (or a few
known words in a colour, such as severities), the default heavy-headed box, one cell of padding
on each side, left- or right-justified columns that fold or end in an ellipsis.
:func:`print_table` prints such a table with Rich's own layout, reimplemented for that case:

- the column widths: Rich's measurement of each column (its longest line, header included, plus
  padding), then its reduction when the table is wider than the console;
- each body cell: Rich's word wrapping (``rich._wrap.divide_line``, ``Text.wrap``) for text
  whose characters are each one cell wide;
- the frame (title, top border, header, header separator, bottom border) and each coloured
  word are Rich's own output (an empty table with those column widths, the word alone), so
  styles, markup in titles and box substitution (ASCII consoles) stay Rich's.

Anything outside that case (a character that is not one cell wide, a tab, a line break, a
console too narrow for the columns) is printed by Rich itself. Tests compare both ways on
hundreds of generated tables and on the CLI's own tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from threatforge.text.terminal import terminal_text

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

__all__ = ["Column", "plain_cells", "print_table", "render_table_text"]


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header (plain text), how its cells are justified and overflow.

    ``styles`` gives the Rich style of cells by their text (a severity's colour); the
    ``rich_cells`` of :func:`print_table` must apply the same styles when Rich prints the table.
    """

    header: str
    justify: Literal["left", "right"] = "left"
    overflow: Literal["fold", "ellipsis"] = "fold"
    styles: Mapping[str, str] | None = None


RowCells = Callable[[Sequence[str]], Sequence["RenderableType"]]
"""How a row of plain texts becomes Rich cells when Rich prints the table itself."""


def plain_cells(row: Sequence[str]) -> Sequence[RenderableType]:
    """Each cell as plain Rich text: model text is never read as markup."""
    from rich.text import Text

    return [Text(cell) for cell in row]


def print_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    rich_cells: RowCells = plain_cells,
) -> None:
    """Print a table as ``console.print(Table(title=title, expand=False))`` would.

    ``rows`` hold the plain text of each cell; ``rich_cells`` turns a row into the cells Rich
    prints when the table is not one this module lays out. The title and every cell are
    escaped for the terminal first (:func:`terminal_text`): model text cannot send escape
    sequences or start a line.
    """
    title = terminal_text(title)
    rows = [[terminal_text(cell) for cell in row] for row in rows]
    text = render_table_text(console, title, columns, rows)
    if text is None:
        console.print(_rich_table(title, columns, [rich_cells(row) for row in rows]))
        return
    console.file.write(text)
    console.file.flush()


def _rich_table(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    widths: Sequence[int] | None = None,
) -> Table:
    from rich.table import Table

    table = Table(title=title, expand=False)
    for index, column in enumerate(columns):
        table.add_column(
            column.header,
            justify=column.justify,
            overflow=column.overflow,
            width=None if widths is None else widths[index] - _PADDING,
        )
    for row in rows:
        table.add_row(*row)
    return table


# --- layout -----------------------------------------------------------------------------------

_PADDING = 2
"""One space on each side of every cell (Rich's default table padding)."""


def render_table_text(
    console: Console, title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> str | None:
    """The text ``console.print`` would write for the table, or None outside the simple case."""
    if console.legacy_windows or console.is_jupyter or console.record:
        return None  # Rich writes to these by other means than the text it renders
    safe = _one_cell_characters()
    if not all(safe.issuperset(c.header) and not _MARKUP.intersection(c.header) for c in columns):
        return None
    count = len(columns)
    if any(len(row) != count for row in rows):
        return None
    cells = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    if not all(safe.issuperset("".join(column)) for column in cells):
        return None
    # Rich measures a column by its longest line and its longest word; without expanding or
    # column ratios only the longest line decides the widths.
    longest = [
        max(len(c.header), max(map(len, column), default=0))
        for c, column in zip(columns, cells, strict=True)
    ]
    extra = count + 1  # the box's edges and the dividers between columns
    widths = _column_widths(longest, console.options.max_width - extra)
    if widths is None:
        return None
    styled = _styled_cells(console, columns, widths, cells)
    if styled is None:
        return None
    frame = _frame(console, title, columns, widths)
    head, _, bottom = frame.rstrip("\n").rpartition("\n")
    if len(bottom) != sum(widths) + extra:  # not the border this layout expects
        return None
    return head + "\n" + _body(console, columns, widths, rows, styled) + bottom + "\n"


def _styled_cells(
    console: Console,
    columns: Sequence[Column],
    widths: Sequence[int],
    cells: Sequence[Sequence[str]],
) -> list[dict[str, list[str]]] | None:
    """The line of each cell of a styled column as Rich prints it, by column; None when one
    is wider than its column (Rich then prints the table)."""
    from rich.text import Text

    styled: list[dict[str, list[str]]] = [{} for _ in columns]
    if console.color_system is None:  # styles print as nothing: the plain text is the text
        return styled
    for known, column, width, column_cells in zip(styled, columns, widths, cells, strict=True):
        if not column.styles:
            continue
        inner = width - _PADDING
        for cell in set(column_cells):
            style = column.styles.get(cell)
            if style is None:
                continue
            if len(cell) > inner or cell != cell.strip():
                return None
            with console.capture() as capture:
                console.print(Text(cell, style=style), end="")  # style covers the text only
            pad = " " * (inner - len(cell))
            text = capture.get()
            known[cell] = [f" {pad}{text} " if column.justify == "right" else f" {text}{pad} "]
    return styled


_MARKUP = frozenset("[:\\")
"""Characters that could make Rich read a header as markup or an emoji code."""


def _measure(longest: int, max_width: int) -> int:
    """The widest a column of padded text cells may be (``Table._measure_column``'s maximum)."""
    if max_width < 1:
        return 0
    if max_width - _PADDING < 1:
        return max_width
    return min(min(longest, max_width) + _PADDING, max_width)


def _column_widths(longest: Sequence[int], max_width: int) -> list[int] | None:
    """Rich's ``Table._calculate_column_widths`` for wrappable, unsized columns."""
    widths = [_measure(line, max_width) or 1 for line in longest]
    if sum(widths) > max_width:
        widths = _collapse(widths, max_width)
        if sum(widths) > max_width:
            excess = sum(widths) - max_width
            widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
        widths = [_measure(line, width) for line, width in zip(longest, widths, strict=True)]
    if sum(widths) > max_width or any(width - _PADDING < 1 for width in widths):
        return None
    return widths


def _collapse(widths: list[int], max_width: int) -> list[int]:
    """Rich's ``Table._collapse_widths`` when every column may wrap."""
    total = sum(widths)
    excess = total - max_width
    while total and excess > 0:
        widest = max(widths)
        second = max((width if width != widest else 0) for width in widths)
        difference = widest - second
        ratios = [1 if width == widest else 0 for width in widths]
        if not any(ratios) or not difference:
            break
        widths = _ratio_reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
        total = sum(widths)
        excess = total - max_width
    return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """Rich's ``rich._ratio.ratio_reduce``."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result: list[int] = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _frame(console: Console, title: str, columns: Sequence[Column], widths: list[int]) -> str:
    """Rich's rendering of the table without rows: title, borders and header."""
    with console.capture() as capture:
        console.print(_rich_table(title, columns, [], widths))
    return capture.get()


def _body(
    console: Console,
    columns: Sequence[Column],
    widths: list[int],
    rows: Sequence[Sequence[str]],
    styled: Sequence[dict[str, list[str]]],
) -> str:
    """The rows, with the box's verticals (the last row uses the footer's, as Rich does)."""
    from rich import box

    if not rows:
        return ""
    frame = box.HEAVY_HEAD.substitute(console.options, safe=console.safe_box)
    # Each cell as its padded lines, column by column; a row is as high as its highest cell.
    by_column = [
        _column_lines(
            cells, width - _PADDING, column.justify == "right", column.overflow == "fold", known
        )
        for column, width, cells, known in zip(
            columns, widths, zip(*rows, strict=True), styled, strict=True
        )
    ]
    if len(by_column) == 1:
        heights = list(map(len, by_column[0]))
    else:
        heights = list(map(max, *[map(len, cells) for cells in by_column]))
    total = sum(heights)
    last = heights[-1]
    # The text is written line by line: left edge, cell, divider, cell, ..., right edge. Lay
    # it out as one flat list, each position filled column by column with slice assignments.
    stride = 2 * len(columns) + 1
    flat: list[str] = [""] * (total * stride)
    flat[0::stride] = [frame.mid_left] * (total - last) + [frame.foot_left] * last
    dividers = [frame.mid_vertical] * (total - last) + [frame.foot_vertical] * last
    for index in range(1, len(columns)):
        flat[2 * index :: stride] = dividers
    flat[stride - 1 :: stride] = [frame.mid_right + "\n"] * (total - last) + [
        frame.foot_right + "\n"
    ] * last
    for index, (cells, width) in enumerate(zip(by_column, widths, strict=True)):
        flat[2 * index + 1 :: stride] = _stacked(cells, heights, " " * width)
    return "".join(flat)


def _stacked(cells: Sequence[Sequence[str]], heights: Sequence[int], blank: str) -> list[str]:
    """A column's lines, each cell filled up to its row's height with blank lines."""
    blanks = [[blank] * count for count in range(max(heights) + 1)]
    lines: list[str] = []
    for cell, height in zip(cells, heights, strict=True):
        lines += cell
        lines += blanks[height - len(cell)]
    return lines


def _column_lines(
    cells: Sequence[str],
    width: int,
    right_justify: bool,
    fold: bool,
    wrapped: dict[str, list[str]],
) -> list[Sequence[str]]:
    """Every cell of a column as its padded lines; a cell that repeats is wrapped once.

    ``wrapped`` holds the lines of cells known beforehand (styled ones); it is filled as
    cells are wrapped.
    """
    result: list[Sequence[str]] = []
    append = result.append
    for cell in cells:
        if len(cell) <= width and cell not in wrapped:  # one line: by far the most common
            text = cell.rstrip().rjust(width) if right_justify else cell.ljust(width)
            append((f" {text} ",))
            continue
        lines = wrapped.get(cell)
        if lines is None:
            lines = wrapped[cell] = _wrap(cell, width, right_justify, fold)
        append(lines)
    return result


# --- wrapping ---------------------------------------------------------------------------------

_WORD = re.compile(r"(\s*\S+)(\s*)")


def _wrap(text: str, width: int, right_justify: bool, fold: bool) -> list[str]:
    """Rich's ``Text.wrap`` of one line of one-cell characters: lines of exactly ``width``,
    each with the cell's padding (a space on each side)."""
    offsets = [0, *_divide(text, width, fold), len(text)]
    if fold:
        # Folded lines hold at most ``width`` characters before their trailing spaces (a word
        # goes on a line only if it fits, a longer one is cut in pieces that fit), so
        # ``rstrip_end`` and the cut leave exactly the first ``width`` characters.
        if right_justify:
            return [
                f" {text[a:b].rstrip().rjust(width)} " for a, b in pairwise(offsets)
            ]
        return [(" " + text[a:b][:width]).ljust(width + 2) for a, b in pairwise(offsets)]
    lines = []
    for start, end in pairwise(offsets):
        line = text[start:end]
        if len(line) > width:  # Text.rstrip_end: drop the spaces that overflow
            line = line[: max(width, len(line.rstrip(" ")))]
        if right_justify:  # Lines.justify: strip, cut, pad on the left
            line = _truncate(line.rstrip(), width, fold)
            lines.append(f" {' ' * (width - len(line))}{line} ")
        else:  # cut, pad on the right
            lines.append(f" {_truncate(line, width, fold).ljust(width)} ")
    return lines


def _truncate(line: str, width: int, fold: bool) -> str:
    """``Text.truncate``: cut to ``width``, ending in an ellipsis unless folding."""
    if len(line) <= width:
        return line
    return line[:width] if fold else line[: width - 1] + "…"


def _divide(text: str, width: int, fold: bool) -> list[int]:
    """Rich's ``rich._wrap.divide_line`` where every character is one cell wide.

    Rich's words are maximal runs of non-spaces with the spaces after them (the first also with
    the spaces before it); they follow each other without gaps, so a word starts where the
    previous one ended.
    """
    if not text or text[0] == " " or text[-1] == " " or "  " in text:
        words = _WORD.findall(text)
        return _breaks(((len(w), len(w) + len(s)) for w, s in words), width, fold)
    # Words separated by single spaces: ``str.split`` finds them faster than the regex.
    # Counting a space after the last word too changes one thing only: folded, its pieces may
    # end with a piece made of that space, whose break would be the end of the text.
    lengths = list(map(len, text.split(" ")))
    breaks = _breaks(zip(lengths, map(_PLUS_ONE, lengths), strict=True), width, fold)
    if breaks and breaks[-1] == len(text):
        breaks.pop()
    return breaks


_PLUS_ONE = (1).__add__


def _breaks(words: Iterable[tuple[int, int]], width: int, fold: bool) -> list[int]:
    """The loop of ``divide_line`` over (length without, length with trailing spaces)."""
    breaks: list[int] = []
    offset = 0
    start = 0
    for length, size in words:
        if width - offset >= length:
            offset += size
        elif length > width:
            if fold:  # cut into pieces of ``width``; the last one starts the next line
                last = start + (size - 1) // width * width
                if start:
                    breaks.append(start)
                breaks += range(start + width, last + 1, width)
                offset = start + size - last
            else:
                if start:
                    breaks.append(start)
                offset = size
        elif offset and start:
            breaks.append(start)
            offset = size
        start += size
    return breaks


@cache
def _one_cell_characters() -> frozenset[str]:
    """Characters Rich measures as one cell that wrap like letters or a plain space.

    Printable, not whitespace other than the space, not combining, and one cell wide by
    Rich's own table: Latin, Greek and Cyrillic letters, punctuation such as dashes, quotes,
    arrows and the multiplication sign.
    """
    import unicodedata

    from rich.cells import cell_len

    ranges = ((0x20, 0x7E), (0xA1, 0x2FF), (0x370, 0x482), (0x2010, 0x205E), (0x2190, 0x21FF))
    characters = set()
    for low, high in ranges:
        for point in range(low, high + 1):
            character = chr(point)
            if not character.isprintable() or (character.isspace() and character != " "):
                continue
            if unicodedata.category(character) in ("Mn", "Me", "Mc", "Cf", "Zl", "Zp"):
                continue
            if cell_len(character) == 1:
                characters.add(character)
    return frozenset(characters)
