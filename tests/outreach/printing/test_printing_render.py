"""The renderer: A4 PDFs through a fetcher that serves only the bundled static files and fonts."""

from __future__ import annotations

import base64
import http.server
import threading

import pytest

from outreach.printing import render
from tests.support import pdf

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


@pytest.fixture
def web_server():
    """A local HTTP server that counts requests: a planted URL must never reach it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(base64.b64decode(PNG))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:///usr/share/fonts/truetype/dejavu/../../../../etc/passwd",
    "file://evil.example/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "http://127.0.0.1:9/x.png",
    "https://example.org/x.png",
    "ftp://example.org/x.png",
    "data:text/html,<script>1</script>",
    "data:image/png;base64," + "A" * render.MAX_DATA_URL,
    "kraftkartan:anything",
])
def test_the_fetcher_refuses_everything_but_bundled_files_and_small_images(url):
    fetcher = render.LockedFetcher()
    with pytest.raises(render.Refused):
        fetcher.fetch(url)
    assert fetcher.refused == [url[:200]]


def test_the_fetcher_serves_the_fonts_the_static_folder_and_small_images():
    fetcher = render.LockedFetcher()
    font = fetcher.fetch(render.font_url("regular"))
    assert font.read()[:4] == b"\x00\x01\x00\x00" and font.content_type == "font/ttf"
    css = fetcher.fetch((render.STATIC_DIR / "kk.css").as_uri())
    assert css.content_type == "text/css"
    image = fetcher.fetch(f"data:image/png;base64,{PNG}")
    assert image.read().startswith(b"\x89PNG")
    with pytest.raises(render.Refused):  # a font-folder file that is not a font
        fetcher.fetch((render.FONT_DIR / "nope.conf").as_uri())
    assert not fetcher.refused[:-1]


def test_a_hostile_document_renders_without_fetching_anything(app, web_server):
    """Even markup that reaches the renderer unescaped cannot read a file or reach the network."""
    base, hits = web_server
    html = (f'<html><body><p>Hej</p><img src="file:///etc/passwd"><img src="{base}/pixel.png">'
            f'<div style="background: url({base}/bg.png)">x</div>'
            f'<link rel="stylesheet" href="{base}/evil.css"></body></html>')
    fetcher = render.LockedFetcher()
    data = render.html_to_pdf(html, fetcher)
    assert data.startswith(b"%PDF") and "Hej" in pdf.text(data)
    assert hits == []
    assert "file:///etc/passwd" in fetcher.refused
    assert f"{base}/pixel.png" in fetcher.refused and f"{base}/bg.png" in fetcher.refused


def test_only_print_templates_are_rendered(app):
    with pytest.raises(ValueError):
        render.render_pdf("admin/index.html")
    with pytest.raises(ValueError):
        render.render_pdf("print/../admin/index.html")
