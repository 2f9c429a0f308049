"""Fixtures for the real-browser tests: one headless chromium per xdist worker, and per test an app
with CSRF switched on, on its own copy of the migrated SQLite database, served by a LiveServer.

The test itself runs inside that app's context, so the builders from tests/conftest.py
(`personal_link`, `load_survey`, `make_member`) seed the same database the browser talks to.

Set KK_BROWSER_SHOTS=/some/dir to save screenshots from `shot()` while working on these tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from survey import create_app
from survey.extensions import db
from tests.support.axe import AxeWatch
from tests.support.liveserver import LiveServer

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def browser_app(tmp_path, instance_dir, sqlite_template):
    """Like `sqlite_app`, but with CSRF protection on, as in production."""
    path = tmp_path / "browser.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "test", "TESTING": True,
                      "WTF_CSRF_ENABLED": True, "PUBLIC_BASE_URL": "http://kk.test",
                      "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live(browser_app):
    """The app served on 127.0.0.1; `.url` is its base URL."""
    with LiveServer(browser_app) as server:
        yield server


@pytest.fixture
def new_page(chromium, live):
    """new_page(viewport=..., **context options) -> a page in a fresh browser context (own cookies).

    Every context is closed after the test. A 5xx answer from the app, any request to another host
    than the live server, or a WCAG 2.1 A/AA violation found by axe-core on any page the test visited
    (`tests/support/axe.py`), fails the test.
    """
    contexts = []
    watches: list[AxeWatch] = []
    server_errors: list[str] = []
    foreign: list[str] = []
    own = urlsplit(live.url).netloc

    def make(viewport: dict | None = None, **options):
        context = chromium.new_context(viewport=viewport or PHONE, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        watches.append(AxeWatch(context, viewport=viewport or PHONE))
        page = context.new_page()
        page.on("response", lambda r: r.status >= 500 and server_errors.append(f"{r.status} {r.url}"))
        page.on("request", lambda r: urlsplit(r.url).netloc not in ("", own) and foreign.append(r.url))
        return page

    yield make
    inaccessible = [problem for watch in watches for problem in watch.check()]
    for context in contexts:
        context.close()
    assert not inaccessible, "axe-core found accessibility violations:\n" + "\n".join(inaccessible)
    assert not server_errors, f"the app answered with server errors: {server_errors}"
    assert not foreign, f"the pages fetched from other hosts: {foreign}"


@pytest.fixture
def shot(request):
    """shot(page, name): a full-page screenshot into $KK_BROWSER_SHOTS, if set (for development)."""
    target = os.environ.get("KK_BROWSER_SHOTS")

    def take(page, name: str) -> None:
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(target) / f"{request.node.name}-{name}.png"), full_page=True)
    return take
