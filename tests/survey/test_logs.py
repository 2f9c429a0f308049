"""No link tokens or query strings in the application logs (survey/logs.py)."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

import pytest

from survey import logs
from tests.support.liveserver import LiveServer


@pytest.mark.parametrize("line, expected", [
    ('127.0.0.1 - - [01/Aug/2030 10:00:00] "GET /s/Zx9-_aB/p/about_you?lang=en HTTP/1.1" 200 -',
     '127.0.0.1 - - [01/Aug/2030 10:00:00] "GET /s/<redacted>/p/about_you HTTP/1.1" 200 -'),
    ('"POST /u/eyJtIjo0Mn0.sig HTTP/1.1" 200 -', '"POST /u/<redacted> HTTP/1.1" 200 -'),
    ('"\x1b[33mGET /t/abc123 HTTP/1.1\x1b[0m" 404 -', '"\x1b[33mGET /t/<redacted> HTTP/1.1\x1b[0m" 404 -'),
    ("Exception on /s/abc123/submit [POST]", "Exception on /s/<redacted>/submit [POST]"),
    ("link: http://kk.test/s/abc123", "link: http://kk.test/s/<redacted>"),
    ('"GET /admin/members?q=Andersson&page=2 HTTP/1.1" 200 -', '"GET /admin/members HTTP/1.1" 200 -'),
    ('"GET /o/valkampanj-2030 HTTP/1.1" 200 -', '"GET /o/valkampanj-2030 HTTP/1.1" 200 -'),  # public slug
    ('"GET /static/kk.css HTTP/1.1" 304 -', '"GET /static/kk.css HTTP/1.1" 304 -'),
    ("Is the mail server up? Retrying", "Is the mail server up? Retrying"),
])
def test_redact(line, expected):
    assert logs.redact(line) == expected


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


@pytest.fixture
def live_loggers(monkeypatch):
    """werkzeug's and the app's loggers, enabled.

    Migrating the test databases runs migrations/env.py, whose `fileConfig` disables every logger that
    already exists (disable_existing_loggers defaults to True); which ones exist depends on test order.
    """
    for name in ("werkzeug", "survey"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)


def test_the_access_log_of_a_real_server_has_no_tokens(sqlite_app, personal_link, live_loggers, caplog):
    _survey, _member, token = personal_link()
    logs.init_app(sqlite_app)
    logs.init_app(sqlite_app)  # a second app in the same process must not stack filters
    assert sum(isinstance(f, logs.RedactingFilter) for f in logging.getLogger("werkzeug").filters) == 1
    caplog.set_level(logging.INFO, logger="werkzeug")
    with LiveServer(sqlite_app, quiet=False) as server:
        assert _get(f"{server.url}/s/{token}?lang=en") == 200
        assert _get(f"{server.url}/s/{token}/p/about_you?email=someone%40example.se") == 200
        assert _get(f"{server.url}/t/secret-task-token") == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert sum("/s/<redacted>" in line for line in lines) == 2
    assert any("/t/<redacted>" in line for line in lines)
    assert token not in caplog.text and "secret-task-token" not in caplog.text
    assert "lang=en" not in caplog.text and "example.se" not in caplog.text


def test_flask_error_log_is_redacted(app, live_loggers, caplog):
    logs.init_app(app)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.logger.error("Exception on %s [%s]", "/s/leaked-token/submit?x=1", "POST")
    assert caplog.records[-1].getMessage() == "Exception on /s/<redacted>/submit [POST]"
