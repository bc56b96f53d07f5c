"""Each escaping function neutralises exactly what its format would interpret."""

from __future__ import annotations

import pytest

from threatforge.text.dot import dot_string
from threatforge.text.lines import one_line
from threatforge.text.markdown import markdown_code, markdown_text
from threatforge.text.mermaid import mermaid_text
from threatforge.text.xml import xml_escape


def test_xml_escape_escapes_markup_and_both_quotes() -> None:
    assert xml_escape('<a href="x">\'&\'</a>') == (
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    )


def test_xml_escape_drops_control_characters() -> None:
    assert xml_escape("a\x00b\x1bc") == "abc"


def test_one_line_collapses_whitespace() -> None:
    assert one_line("  a\n\tb\r\nc  ") == "a b c"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash \\N", '"back\\\\slash \\\\N"'),
        ("a & b &lt;", '"a &amp; b &amp;lt;"'),
        ("two\nlines", '"two lines"'),
    ],
)
def test_dot_string(text: str, expected: str) -> None:
    assert dot_string(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a\\|b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("`code` *b* _i_ ~s~", "\\`code\\` \\*b\\* \\_i\\_ \\~s\\~"),
        ("# not a heading", "\\# not a heading"),
        ("1. not a list", "1\\. not a list"),
        ("- not a list", "\\- not a list"),
        ("a & b", "a &amp; b"),
    ],
)
def test_markdown_text(text: str, expected: str) -> None:
    assert markdown_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("api-gw", "`api-gw`"), ("a|b", "`a\\|b`"), ("x`y", "``x`y``"), ("`x", "`` `x ``")],
)
def test_markdown_code(text: str, expected: str) -> None:
    assert markdown_code(text) == expected


def test_mermaid_text_uses_entity_codes() -> None:
    assert mermaid_text('"><img src=x> #1 | `t`') == (
        "#34;#62;#60;img src=x#62; #35;1 #124; #96;t#96;"
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("  @SUM(A1)", "'  @SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("a\r\nb", "a b"),
        ("\x1b[2J=1", "[2J=1"),
        # a bidi override cannot hide a formula: it is written out, and the cell is plain text
        ("\u202e=cmd|' /C calc'!A0", "\\u202e=cmd|' /C calc'!A0"),
        ("plain", "plain"),
    ],
)
def test_csv_cell(cell: str, expected: str) -> None:
    from threatforge.text.csv import csv_cell

    assert csv_cell(cell) == expected
