"""Model text in CSV cells, for spreadsheets and line-oriented tools.

A cell a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return, after any leading spaces) is prefixed with a single quote, as OWASP
recommends against CSV injection. Line breaks in a cell are replaced by spaces: a quoted
multi-line cell is valid CSV, but tools that read one record per line (grep, CI logs, many
importers) would take the rest for records of their own. Control characters (ESC, which starts
terminal sequences when the CSV is printed to a terminal or CI log, and the other C0/C1 controls
but tab) are dropped, and bidi controls written out (``\\u202e``) so that a cell reads as it is
and cannot hide a formula behind an override.
"""

from __future__ import annotations

from threatforge.text.lines import drop_controls, single_line, visible_bidi

__all__ = ["FORMULA_START", "csv_cell", "neutralise"]

FORMULA_START = frozenset(("=", "+", "-", "@", "\t", "\r"))


def neutralise(cell: str) -> str:
    """Prefix a cell a spreadsheet would evaluate with ``'`` so that it stays text."""
    return "'" + cell if cell.lstrip(" ")[:1] in FORMULA_START else cell


def csv_cell(cell: str) -> str:
    """A cell that stays one line of text: line breaks as spaces, control characters dropped,
    bidi controls written out, formulas neutralised."""
    return neutralise(visible_bidi(drop_controls(single_line(cell))))
