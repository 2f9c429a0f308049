"""No link tokens or query strings in the application logs (survey/logs.py)."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from survey.core import logs
from tests.support.liveserver import LiveServer

ROOT = Path(__file__).resolve().parents[3]


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
    ('"GET /ics/member/MQ.Z9zm-_x.ics HTTP/1.1" 200 -', '"GET /ics/member/<redacted>.ics HTTP/1.1" 200 -'),
    ("GET /ics/district/ImQi.icsAb.ics?x=1", "GET /ics/district/<redacted>.ics"),  # ".ics" inside the token
    ("feed: http://kk.test/ics/association/Mw.sig", "feed: http://kk.test/ics/association/<redacted>"),
])
def test_redact(line, expected):
    assert logs.redact(line) == expected


# URL arguments that are not secrets; any other (non-integer) argument is taken to be a bearer token.
PUBLIC_ARGUMENTS = {"slug": "valkampanj-2030", "section_key": "about_you", "fmt": "csv", "scope": "timra",
                    "filename": "kk.css"}
SECRET = "MQ.ics-Z9zm_aB.x"  # shaped like an itsdangerous token: dots, dashes, underscores, even "ics"


def token_urls(app) -> dict[str, str]:
    """endpoint -> a URL with SECRET in each secret argument, for every route of the app that has one."""
    adapter = app.url_map.bind("kk.test")
    found = {}
    for rule in app.url_map.iter_rules():
        secret = {name for name in rule.arguments if name not in PUBLIC_ARGUMENTS
                  and type(rule._converters[name]).__name__ != "IntegerConverter"}
        if secret:
            values = {name: SECRET if name in secret else PUBLIC_ARGUMENTS.get(name, 7)
                      for name in rule.arguments}
            found[rule.endpoint] = adapter.build(rule.endpoint, values, method=sorted(rule.methods)[0])
    return found


def test_every_route_with_a_token_is_redacted(instance_dir):
    """From the app's URL map: a new route with a token in its path fails here until logs.py covers it."""
    from survey import create_app

    urls = token_urls(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}))
    assert {"respond.start", "respond.page", "invitations.unsubscribe", "member_tasks.show", "ics.member",
            "ics.association", "ics.district"} <= set(urls)
    for endpoint, url in urls.items():
        for line in (f'127.0.0.1 - - [01/Aug/2030 10:00:00] "GET {url}?lang=en HTTP/1.1" 200 -',
                     f"Exception on {url} [POST]", f"link: http://kk.test{url}"):
            cleaned = logs.redact(line)
            assert SECRET not in cleaned and "ics-Z9zm" not in cleaned, (endpoint, cleaned)
            assert logs.REDACTED in cleaned, (endpoint, cleaned)
        public = [v for k, v in PUBLIC_ARGUMENTS.items() if f"/{v}" in url]
        assert all(v in logs.redact(url) for v in public), url  # only the token goes


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
        assert _get(f"{server.url}/ics/member/MQ.secret-feed-token.ics") == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert sum("/s/<redacted>" in line for line in lines) == 2
    assert any("/t/<redacted>" in line for line in lines)
    assert any("/ics/member/<redacted>.ics" in line for line in lines)
    assert token not in caplog.text and "secret-task-token" not in caplog.text
    assert "secret-feed-token" not in caplog.text
    assert "lang=en" not in caplog.text and "example.se" not in caplog.text


def test_flask_error_log_is_redacted(app, live_loggers, caplog):
    logs.init_app(app)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.logger.error("Exception on %s [%s]", "/s/leaked-token/submit?x=1", "POST")
    assert caplog.records[-1].getMessage() == "Exception on /s/<redacted>/submit [POST]"


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, (), None)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_codes_are_dropped_unless_stderr_is_a_terminal(monkeypatch):
    coloured = '127.0.0.1 - - [01/Aug/2030 10:00:00] "\x1b[33mGET /nope HTTP/1.1\x1b[0m" 404 -'
    record = _record(coloured)
    logs.RedactingFilter().filter(record)
    assert record.getMessage() == '127.0.0.1 - - [01/Aug/2030 10:00:00] "GET /nope HTTP/1.1" 404 -'
    monkeypatch.setattr(sys, "stderr", _Terminal())
    record = _record(coloured)
    logs.RedactingFilter().filter(record)
    assert record.getMessage() == coloured  # a terminal shows them as colours


def test_the_access_log_of_a_real_server_has_no_colour_codes_in_a_file(sqlite_app, live_loggers, caplog):
    logs.init_app(sqlite_app)
    caplog.set_level(logging.INFO, logger="werkzeug")
    with LiveServer(sqlite_app, quiet=False) as server:
        assert _get(f"{server.url}/no-such-page") == 404  # werkzeug colours a 404 yellow
        assert _get(f"{server.url}/admin/") == 200  # via a redirect to the login, which it colours green
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/no-such-page" in line for line in lines) and any("/admin/" in line for line in lines)
    assert not any("\x1b" in line for line in lines)  # not caplog.text: pytest strips colours there


def test_the_demo_writes_no_colour_codes_to_a_log_file(tmp_path):
    """`kraftkartan demo > demo.log 2>&1`: werkzeug's banner and access log arrive as plain text."""
    log = tmp_path / "demo.log"
    env = {
        **os.environ,
        "KRAFTKARTAN_INSTANCE_PATH": str(tmp_path),
        "KRAFTKARTAN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    code = "from survey.cli import main; main()"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-c", code, "demo", "--members", "5", "--port", "0"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 120
        while not (found := re.search(r"Running on (http://127\.0\.0\.1:\d+)", log.read_text("utf-8"))):
            assert demo.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < deadline, "the demo did not start serving"
            time.sleep(0.2)
        assert _get(f"{found.group(1)}/no-such-page") == 404
        while "/no-such-page" not in log.read_text("utf-8"):
            assert time.monotonic() < deadline, "no access log line"
            time.sleep(0.1)
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    text = log.read_text("utf-8")
    assert "WARNING: This is a development server" in text and "Press CTRL+C to quit" in text
    assert "\x1b" not in text
