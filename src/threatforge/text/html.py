"""Model text in HTML.

HTML reports are rendered by Jinja2 with autoescaping on for every template and every string
(:mod:`threatforge.reports.html`); the only markup placed into them unescaped is the SVG our
diagram renderers produce, whose labels go through :func:`html_escape`. HTML accepts everything
XML escaping produces, so the one implementation is :func:`threatforge.text.xml.xml_escape`.
"""

from __future__ import annotations

from threatforge.text.xml import xml_escape

__all__ = ["html_escape"]


def html_escape(text: str) -> str:
    """Escape text for HTML element content and double- or single-quoted attributes."""
    return xml_escape(text)
