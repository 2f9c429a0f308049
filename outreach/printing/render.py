"""The one renderer: a template under templates/print/ and its data -> PDF bytes.

WeasyPrint fetches whatever a document points at: stylesheets, fonts, images. Print-outs hold members'
names, addresses and free text, so the fetcher is locked down. It serves only

- files inside the project's static folder (survey/static) and the DejaVu font folder, by their resolved
  path (no "..", no symlink out), and only with a known suffix;
- `data:` URLs of small images (PNG, GIF, JPEG, SVG, at most MAX_DATA_URL characters);

and refuses everything else: other `file://` paths, http(s), ftp, any other scheme. A member's free text
can then never make the server read a local file or reach the network, even if it were rendered unescaped.
Nothing is fetched over the network at render time.

The fonts are DejaVu (Debian's fonts-dejavu-core), loaded through @font-face under a family name of our
own, so fontconfig never substitutes a look-alike and pages look the same on every machine that has them.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from flask import current_app
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from survey.core.lang import lang_code

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "survey" / "static"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf"}
FONT_FAMILY = "Kraft Sans"  # our own name: only the @font-face files can answer to it
SUFFIXES = {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".svg": "image/svg+xml",
            ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
DATA_TYPES = {"image/png", "image/gif", "image/jpeg", "image/svg+xml"}
MAX_DATA_URL = 32 * 1024  # characters: a small logo or icon, not a smuggled document
log = logging.getLogger(__name__)


class Refused(ValueError):
    """A URL the print fetcher will not serve."""


class LockedFetcher(URLFetcher):
    """WeasyPrint's fetcher with everything but the allow-listed folders and small data: images refused.

    `refused` collects what was asked for and turned down, so a render can report it (and tests can see
    that a planted URL was never fetched). fetch() never reaches urllib's openers: nothing leaves the
    machine whatever the URL."""

    def __init__(self, allowed_dirs: tuple[Path, ...] = (STATIC_DIR, FONT_DIR)) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self._roots = tuple(d.resolve() for d in allowed_dirs)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return self._data(url)
            if scheme == "file":
                return self._file(url)
            raise Refused(f"print-outs fetch nothing from {scheme or 'relative'} URLs")
        except Refused:
            self.refused.append(url[:200])
            raise

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise Refused("file URLs on other hosts are not served")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self._roots):
            raise Refused("only the bundled static files and fonts are served")
        kind = SUFFIXES.get(path.suffix.lower())
        if kind is None or not path.is_file():
            raise Refused("not a static file or font")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URL:
            raise Refused("data: URL too large")
        header, sep, payload = url[5:].partition(",")
        if not sep:
            raise Refused("malformed data: URL")
        params = header.split(";")
        kind = params[0].strip().lower()
        if kind not in DATA_TYPES:
            raise Refused("only small inline images are allowed as data: URLs")
        try:
            if "base64" in params[1:]:
                body = base64.b64decode(payload, validate=True)
            else:
                body = unquote_to_bytes(payload)
        except ValueError as exc:
            raise Refused("malformed data: URL") from exc
        return URLFetcherResponse(url, body, {"Content-Type": kind})


def font_url(style: str) -> str:
    """The file:// address of one of the DejaVu faces, for @font-face in the print layout."""
    return (FONT_DIR / FONTS[style]).as_uri()


def check_fonts() -> None:
    missing = [name for name in FONTS.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise RuntimeError(f"print fonts missing in {FONT_DIR}: {', '.join(missing)} "
                           "(install Debian's fonts-dejavu-core)")


def render_html(template: str, **context) -> str:
    """The document as HTML (needs an app context): the print layout's templates only."""
    if not template.startswith("print/") or ".." in template:
        raise ValueError(f"print templates live under templates/print/: {template!r}")
    # Straight through Jinja, not flask.render_template: the page context processors read the session,
    # and a print-out must come out the same from the CLI (no request) as from the web.
    lang = lang_code()
    return current_app.jinja_env.get_template(template).render(
        font_url=font_url, font_family=FONT_FAMILY, current_lang=lang, **context)


def html_to_pdf(html: str, fetcher: LockedFetcher | None = None) -> bytes:
    """HTML to PDF through the locked fetcher. Refused URLs are logged (never their query strings)."""
    check_fonts()
    fetcher = fetcher if fetcher is not None else LockedFetcher()
    fonts = FontConfiguration()
    pdf = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf(
        font_config=fonts)
    for url in fetcher.refused:
        log.warning("print: refused to fetch %s", url.split("?")[0][:80])
    return pdf


def render_pdf(template: str, **context) -> bytes:
    """A template under templates/print/ and its data as PDF bytes: the one way Kraftkartan prints."""
    return html_to_pdf(render_html(template, **context))
