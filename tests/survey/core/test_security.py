"""What every request shares: CSRF on every POST route, security headers and a CSP without inline code,
cookie flags, sessions (strong protection, ended by credential changes), ProxyFix, and login rate limits."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pyotp
import pytest
from werkzeug.routing import IntegerConverter

from survey import create_app
from survey.core.security import CSP
from survey.extensions import db, limiter
from tests.conftest import PASSWORD, _make_app, login

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {
    "invitations.unsubscribe": "mail clients' one-click unsubscribe (RFC 8058) has no token; the signed "
                               "unsubscribe token in the URL is the proof",
}
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # inline script
    re.compile(r"<style\b", re.I),  # style element
    re.compile(r"\sstyle\s*=", re.I),  # style attribute
    re.compile(r"\son[a-z]+\s*=", re.I),  # event handler attribute
    re.compile(r"javascript:", re.I),
]


def _example_url(app, rule) -> str:
    values = {arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else "x"
              for arg in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_post_route_refuses_a_missing_csrf_token(app, client, login_as):
    """Whatever does the checking (CSRFProtect, or a form that checks itself after raising the upload
    limit), a state-changing request without a token is refused, on every route the app has."""
    login_as("admin")  # so that no route turns us away for another reason first
    app.config["WTF_CSRF_ENABLED"] = True
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in CSRF_EXEMPT:
            continue
        for method in sorted(rule.methods & UNSAFE):
            url = _example_url(app, rule)
            r = client.open(url, method=method, data={"email": "x@example.org", "password": PASSWORD})
            assert r.status_code == 400, f"{method} {url} ({rule.endpoint}): {r.status_code} without a token"
            checked.append(rule.endpoint)
    assert {"admin.login", "admin.logout", "admin.export", "accounts.new", "respond.submit"} <= set(checked)


def test_a_valid_csrf_token_is_accepted(app, make_user):
    user = make_user("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/admin/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/admin/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302


def test_security_headers_and_no_inline_code(app, client, login_as, personal_link):
    survey, _member, token = personal_link()
    anonymous = app.test_client()
    pages = [(anonymous, "/admin/login"), (anonymous, f"/s/{token}"), (anonymous, f"/o/{survey.slug}"),
             (anonymous, "/nope")]
    login_as("admin")
    pages += [(client, path) for path in ("/admin/", f"/admin/surveys/{survey.slug}", "/admin/accounts/",
                                          "/admin/accounts/new", "/admin/accounts/me",
                                          "/admin/accounts/me/totp")]
    for who, path in pages:
        r = who.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        assert r.headers["Content-Security-Policy"] == CSP
        assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
        assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer" and r.headers["Cache-Control"] == "no-store"
        for pattern in INLINE:
            assert not pattern.search(r.text), f"{path}: {pattern.pattern} matches"


def test_session_cookie_flags(app, make_user):
    user = make_user("admin")
    r = login(app.test_client(), user)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    cookie = login(app.test_client(), user).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_secure_cookies_and_proxy_fix_come_from_the_environment(monkeypatch, instance_dir):
    from survey import config

    monkeypatch.setenv("KRAFTKARTAN_SECURE_COOKIES", "1")
    assert config.from_environment(str(instance_dir))["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("KRAFTKARTAN_PROXY_FIX", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "RATELIMIT_ENABLED": False})
    assert type(app.wsgi_app).__name__ == "ProxyFix"


@contextmanager
def _another_app(app, **config):
    """A second app on the same database with a different configuration; its connections closed after."""
    other = _make_app(app.config["SQLALCHEMY_DATABASE_URI"], **config)
    try:
        yield other
    finally:
        with other.app_context():
            db.engine.dispose()


def test_proxy_fix_trusts_forwarded_headers_only_when_asked(app, make_user, load_survey):
    survey, user = load_survey(), make_user("admin")
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kk.example",
               "X-Forwarded-For": "203.0.113.9"}
    for config, expected in (({}, "http://localhost/o/"), ({"PROXY_FIX": 1}, "https://kk.example/o/")):
        with _another_app(app, **config) as other:
            client = other.test_client()
            r = client.post("/admin/login", data={"email": user.email, "password": PASSWORD}, headers=headers)
            assert r.status_code == 302
            page = client.get(f"/admin/surveys/{survey.slug}", headers=headers)
            assert expected + survey.slug in page.text, config


def test_strong_session_protection_drops_a_replayed_cookie(client, login_as):
    login_as("admin")
    assert client.get("/admin/").status_code == 200
    r = client.get("/admin/", headers={"User-Agent": "another browser"})
    assert r.status_code == 302 and "/admin/login" in r.location


def test_deactivation_ends_a_running_session(client, login_as):
    user = login_as("organizer", "Timrå")
    assert client.get("/admin/").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/admin/").status_code == 302


# -- rate limits -----------------------------------------------------------------------------------

@contextmanager
def _limiter_on(app, **config):
    """A second app with rate limiting on (the test config turns it off).

    The limiter is one object shared by every app in the process: put it back as it was afterwards.
    """
    was = limiter.enabled
    with _another_app(app, RATELIMIT_ENABLED=True, **config) as limited:
        limiter.reset()
        try:
            yield limited
        finally:
            limiter.reset()
            limiter.enabled = was


@pytest.fixture
def limited(sqlite_app):
    """Rate limits do not depend on the database: SQLite only, and password checks are slow, so the
    per-account limit is lowered (the per-address default is tested as it ships)."""
    with _limiter_on(sqlite_app, LOGIN_ACCOUNT_RATE_LIMIT="3 per hour") as limited:
        yield limited


def _client(app, addr: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    return client


def test_login_is_rate_limited_per_address_with_a_swedish_page(limited, make_user):
    user = make_user("admin")
    attacker = _client(limited, "198.51.100.1")
    for i in range(10):  # different accounts, so only the per-address limit applies
        r = attacker.post("/admin/login", data={"email": f"guess{i}@example.org", "password": "guess guess"})
        assert r.status_code == 200
    r = attacker.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429 and "För många försök" in r.text and "Vänta" in r.text
    assert int(r.headers["Retry-After"]) > 0
    assert r.headers["Content-Security-Policy"] == CSP
    assert attacker.get("/admin/login").status_code == 200  # reading the form is never limited
    login(_client(limited, "198.51.100.2"), user)  # another address is not affected


def test_login_failures_are_limited_per_account_across_addresses(limited, make_user):
    user, bystander = make_user("admin"), make_user("admin")
    for i in range(3):
        r = _client(limited, f"192.0.2.{i}").post("/admin/login", data={"email": user.email.upper(),
                                                                          "password": "wrong guess"})
        assert r.status_code == 200
    r = _client(limited, "192.0.2.100").post("/admin/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    login(_client(limited, "192.0.2.101"), bystander)


def test_successful_logins_do_not_count_against_the_account(limited, make_user):
    user = make_user("admin")
    for i in range(4):
        login(_client(limited, f"192.0.2.{i}"), user)


def test_totp_step_is_rate_limited(limited, make_user):
    user = make_user("admin")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    client = _client(limited, "198.51.100.7")
    assert client.post("/admin/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    wrong = "000000" if pyotp.TOTP(user.totp_secret).now() != "000000" else "111111"
    statuses = [client.post("/admin/login/totp", data={"code": wrong}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_behind_a_proxy_rate_limits_count_the_clients_address(sqlite_app, make_user):
    with _limiter_on(sqlite_app, PROXY_FIX=1) as limited:
        proxy = _client(limited, "10.0.0.1")
        for i in range(12):  # twelve people behind the same proxy, one attempt each
            r = proxy.post("/admin/login", data={"email": f"p{i}@example.org", "password": "wrong guess"},
                           headers={"X-Forwarded-For": f"203.0.113.{i}"})
            assert r.status_code == 200
