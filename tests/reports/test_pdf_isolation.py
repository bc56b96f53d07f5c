"""The PDF renderer reads no file and no URL (issue #14, "what held"; SECURITY.md).

Written as the attack: HTML that names a stylesheet on the local disk, a stylesheet and an image
on a server, and an ``@import``, as a report would if any model text ever reached it unescaped.
WeasyPrint's own fetcher would read them all (the control below shows it); threatforge's PDF
renderer refuses every URL, so the PDF holds none of their text and the server sees no request.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from report_support import require_binary

from threatforge.reports.pdf import html_to_pdf

weasyprint = pytest.importorskip("weasyprint")


class _Recorder(BaseHTTPRequestHandler):
    """Answers every GET with a stylesheet that would print NETWORK-TEXT, and records the path."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # the name http.server calls
        type(self).requests.append(self.path)
        body = b'p::after { content: "NETWORK-TEXT"; }'
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:  # quiet
        return


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    _Recorder.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def _hostile_html(tmp_path: Path, url: str) -> str:
    secret = tmp_path / "secret.css"
    secret.write_text('p::before { content: "FILE-TEXT "; }', encoding="utf-8")
    return (
        "<!DOCTYPE html><html><head>"
        f'<link rel="stylesheet" href="{secret.as_uri()}">'
        f'<link rel="stylesheet" href="{url}/linked.css">'
        f'<style>@import url("{url}/imported.css");</style>'
        "</head><body><p>visible</p>"
        f'<img src="{url}/beacon.png" alt="">'
        "</body></html>"
    )


def _text(pdf: bytes, tmp_path: Path) -> str:
    require_binary("pdftotext")
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def test_the_pdf_renderer_reads_no_file_and_no_url(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    pdf = html_to_pdf(_hostile_html(tmp_path, url))
    assert requests == []
    assert _text(pdf, tmp_path) == "visible"  # the file's and the server's text left out


def test_a_refused_url_is_left_out_of_the_pdf_not_a_crash(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    assert _text(html_to_pdf(_hostile_html(tmp_path, url)), tmp_path) == "visible"
    assert requests == []


def test_without_the_refusing_fetcher_the_same_html_reads_the_file_and_the_server(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    # the control: WeasyPrint left to itself fetches both, so the test above can fail
    url, requests = server
    pdf = weasyprint.HTML(string=_hostile_html(tmp_path, url), base_url=None).write_pdf()
    assert _text(pdf, tmp_path) == "FILE-TEXT visibleNETWORK-TEXT"
    assert sorted(requests) == ["/beacon.png", "/imported.css", "/linked.css"]
