"""The PDF report: the HTML report laid out for print by WeasyPrint (the ``pdf`` extra).

The same HTML as the HTML report, with its print stylesheet: a cover, a table of contents with
page numbers, running footers with "Page N of M", diagrams on their own landscape pages. WeasyPrint
is imported only here, and only when a PDF is asked for. It is given a URL fetcher that refuses
every URL, so a PDF build never reaches the network or the file system.
"""

from __future__ import annotations

import warnings
from typing import Any, NoReturn

from threatforge.errors import ExportError

__all__ = ["PDF_EXTRA_HINT", "html_to_pdf"]

PDF_EXTRA_HINT = "PDF reports need WeasyPrint: pip install 'threatforge[pdf]'"


def _refusing_fetcher(urls: Any) -> Any:
    """A WeasyPrint URL fetcher that opens nothing: every URL is refused and left out."""

    class RefuseEveryURL(urls.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            # a ValueError is caught by WeasyPrint, which leaves the resource out of the PDF
            raise ValueError(f"reports load nothing from outside: refused {url!r}")

    return RefuseEveryURL()


def html_to_pdf(html: str) -> bytes:
    """Render a report's HTML as PDF bytes; :class:`ExportError` names the extra when missing."""
    try:
        import weasyprint  # type: ignore[import-untyped]
        from weasyprint import urls
    except ImportError as exc:
        raise ExportError(PDF_EXTRA_HINT) from exc
    except OSError as exc:  # WeasyPrint is installed but Pango is not
        raise ExportError(
            f"{PDF_EXTRA_HINT}; WeasyPrint also needs the Pango library "
            f"(apt-get install libpango-1.0-0 libpangoft2-1.0-0): {exc}"
        ) from exc
    with warnings.catch_warnings():
        # e.g. "HarfBuzz-Subset will be required by future versions": a notice for packagers
        # that must not fail a user's report
        warnings.simplefilter("ignore", DeprecationWarning)
        document = weasyprint.HTML(
            string=html, url_fetcher=_refusing_fetcher(urls), base_url=None
        )
        result = document.write_pdf()
    if not isinstance(result, bytes):  # pragma: no cover - write_pdf without a target returns bytes
        raise ExportError("WeasyPrint returned no PDF")
    return result
