"""Escaping for every output format threatforge writes model text into.

Model text (names, descriptions, titles, tracking keys, rule-pack text) is untrusted: a model may
come from the pull request whose change the gate judges, or from an importer. Each output format
has one module here with the functions that make such text inert in that format, and every
renderer (exporters, reports, the CLI) passes each piece of model text through them:

- :mod:`threatforge.text.html`: HTML element content and attributes;
- :mod:`threatforge.text.xml`: SVG and other XML (including JUnit, escaped as ElementTree does);
- :mod:`threatforge.text.markdown`: Markdown prose, table cells and inline code;
- :mod:`threatforge.text.mermaid`: Mermaid labels and comments;
- :mod:`threatforge.text.dot`: Graphviz DOT strings;
- :mod:`threatforge.text.terminal`: terminal and CI-log lines;
- :mod:`threatforge.text.csv`: spreadsheet cells (formula injection, line breaks);
- :mod:`threatforge.text.json`: JSON text (one writer, any size).

Beside them, :mod:`threatforge.text.hints` writes the "did you mean" hint of every message about
an unknown name.

This package sits below everything else: it imports nothing from threatforge except
:mod:`threatforge.errors`, so exporters and reports share it without importing each other.
"""

from __future__ import annotations
