"""Two-factor login is required of admins: a grace period to set it up, then nothing under /admin but the
set-up page and logging out. Organizers and callers may choose; the demo server asks nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from survey import config, demo
from survey.accounts import services as accounts
from survey.extensions import db
from survey.models import Role, User, utcnow
from tests.conftest import PASSWORD, login

SETUP = "/admin/accounts/me/totp"
REQUIRED = "Tvåstegsinloggning krävs för administratörer."


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _age(user: User, days: int) -> User:
    """As if the account had been created `days` ago."""
    user.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return user


def _enrol(client) -> str:
    page = client.get(SETUP)
    secret = re.search(r'<code class="link-box">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    r = client.post(SETUP, data={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r.location == "/admin/accounts/me"
    return secret


def _staff_urls(app) -> list[tuple[str, str]]:
    """(method, url) for every route under /admin, ids and slugs filled in with 1 (the gate answers before
    the view looks anything up)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            method = "GET" if "GET" in rule.methods else "POST"
            urls.append((method, re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule), rule.endpoint))
    return sorted(urls)


def test_within_grace_an_admin_is_shown_the_set_up_page_and_may_go_on(client, make_user, load_survey):
    survey = load_survey()
    admin = _age(make_user("admin"), 2)
    r = login(client, admin)
    assert r.location == f"{SETUP}?next=/admin/today"
    page = client.get(r.location)
    deadline = (admin.created_at + timedelta(days=7)).strftime("%Y-%m-%d")
    assert REQUIRED in page.text and f"Slå på den senast {deadline}" in page.text
    assert '<a href="/admin/today">Fortsätt utan att slå på nu</a>' in page.text
    for path in ("/admin/", "/admin/accounts/", "/admin/members", f"/admin/surveys/{survey.slug}"):
        assert client.get(path).status_code == 200, path
    assert client.post(f"/admin/surveys/{survey.slug}/export.csv").status_code == 200
    assert f"senast {deadline}" in client.get("/admin/accounts/me").text
    # A deep link survives the detour.
    other = client.application.test_client()
    r = other.post("/admin/login?next=/admin/members", data={"email": admin.email, "password": PASSWORD})
    assert r.location == f"{SETUP}?next=/admin/members"


def test_past_grace_every_admin_page_leads_to_the_set_up_page_until_it_is_on(
    app, client, make_user, make_member, load_survey
):
    survey, member = load_survey(), make_member()
    admin = _age(make_user("admin"), 8)
    assert login(client, admin).location == f"{SETUP}?next=/admin/today"
    refused = []
    for method, url, endpoint in _staff_urls(app):
        if endpoint in ("accounts.totp_setup", "admin.logout"):
            continue
        r = client.open(url, method=method)
        if r.status_code != 303 or r.location != SETUP:
            refused.append(f"{method} {url}: {r.status_code} {r.location}")
    assert not refused, "\n".join(refused)
    # The downloads in particular: a CSV of answers, the audit log, one member's data as JSON.
    for url in (
        f"/admin/surveys/{survey.slug}/export.csv",
        "/admin/privacy/audit.csv",
        f"/admin/privacy/members/{member.id}/export",
    ):
        r = client.post(url)
        assert r.status_code == 303 and r.location == SETUP and member.last_name not in r.text
    # Members' pages are not staff pages: they answer as they would to anyone.
    assert client.get(f"/o/{survey.slug}").status_code == 200

    page = client.get(SETUP)
    assert page.status_code == 200 and "Slå på den för att fortsätta" in page.text
    assert "Fortsätt utan" not in page.text and 'href="/admin/members"' not in page.text  # no menu
    assert 'action="/admin/logout"' in page.text

    _enrol(client)
    assert _user(admin.email).totp_secret
    for path in ("/admin/", "/admin/accounts/", "/admin/members", f"/admin/members/{member.id}"):
        assert client.get(path).status_code == 200, path
    export = client.post(f"/admin/surveys/{survey.slug}/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    data = client.post(f"/admin/privacy/members/{member.id}/export")
    assert data.status_code == 200 and member.last_name in data.text


def test_an_admin_past_grace_can_log_out(client, make_user):
    login(client, _age(make_user("admin"), 30))
    r = client.post("/admin/logout")
    assert r.status_code == 302 and r.location == "/admin/login"
    assert client.get("/admin/").location.startswith("/admin/login")


@pytest.mark.parametrize("role", ["organizer", "caller"])
def test_organizers_and_callers_may_choose(client, make_user, role):
    user = _age(make_user(role, *(["Timrå"] if role == "organizer" else [])), 365)
    assert login(client, user).location == "/admin/today"
    assert client.get("/admin/today", follow_redirects=True).status_code == 200  # callers land on /calls/
    setup = client.get(SETUP)
    assert setup.status_code == 200 and REQUIRED not in setup.text and "Avbryt" in setup.text
    assert REQUIRED not in client.get("/admin/accounts/me").text


def test_not_required_when_the_server_says_so(app, client, make_user):
    app.config["ADMIN_TOTP_REQUIRED"] = False
    admin = _age(make_user("admin"), 365)
    assert login(client, admin).location == "/admin/today"
    assert client.get("/admin/accounts/").status_code == 200


def test_the_grace_period_is_configurable(app, client, make_user):
    app.config["ADMIN_TOTP_GRACE_DAYS"] = 0  # no grace at all
    login(client, make_user("admin"))
    assert client.get("/admin/").location == SETUP


def test_configuration_from_the_environment(monkeypatch, instance_dir):
    defaults = config.from_environment(str(instance_dir))
    assert defaults["ADMIN_TOTP_REQUIRED"] is True and defaults["ADMIN_TOTP_GRACE_DAYS"] == 7
    monkeypatch.setenv("KRAFTKARTAN_ADMIN_TOTP_REQUIRED", "off")
    monkeypatch.setenv("KRAFTKARTAN_ADMIN_TOTP_GRACE_DAYS", "14")
    changed = config.from_environment(str(instance_dir))
    assert changed["ADMIN_TOTP_REQUIRED"] is False and changed["ADMIN_TOTP_GRACE_DAYS"] == 14


def test_promoting_an_old_account_to_admin_applies_the_rule_at_once(app, client, make_user):
    organizer = _age(make_user("organizer", "Timrå"), 100)
    theirs = app.test_client()
    login(theirs, organizer)
    assert theirs.get("/admin/").status_code == 200
    login(client, make_user("admin"))
    r = client.post(f"/admin/accounts/{organizer.id}", data={"role": "admin"}, follow_redirects=True)
    assert "behöver slå på den direkt efter nästa inloggning" in r.text
    assert theirs.get("/admin/").location == SETUP  # their running session too
    _enrol(theirs)
    assert theirs.get("/admin/accounts/").status_code == 200


def test_an_admin_whose_two_factor_is_turned_off_sets_it_up_again(app, client, make_user):
    lost_phone = _age(make_user("admin"), 100)
    lost_phone.totp_secret = pyotp.random_base32()
    db.session.commit()
    login(client, make_user("admin"))
    r = client.post(f"/admin/accounts/{lost_phone.id}/totp/disable", follow_redirects=True)
    assert "Tvåstegsinloggningen är avstängd för kontot" in r.text
    assert "direkt efter nästa inloggning" in r.text
    theirs = app.test_client()
    login(theirs, lost_phone)
    assert theirs.get("/admin/members").location == SETUP


def test_cli_tells_how_and_by_when(app, runner, make_user):
    added = runner.invoke(
        args=["users", "add", "ny@example.org", "--role", "admin", "--password-stdin"],
        input="long enough secret\n",
    )
    assert added.exit_code == 0, added.output
    assert "within 7 days" in added.output and "http://kk.test/admin/accounts/me/totp" in added.output
    organizer = runner.invoke(
        args=["users", "add", "org@example.org", "--role", "caller", "--password-stdin"],
        input="long enough secret\n",
    )
    assert organizer.exit_code == 0 and "two-factor" not in organizer.output

    old = _age(make_user("admin"), 100)
    old.totp_secret = pyotp.random_base32()
    db.session.commit()
    off = runner.invoke(args=["users", "disable-2fa", old.email])
    assert (
        off.exit_code == 0
        and "right after logging in" in off.output
        and "/admin/accounts/me/totp" in off.output
    )
    new = runner.invoke(args=["users", "disable-2fa", "ny@example.org"])
    assert new.exit_code == 0 and "within 7 days" in new.output  # a new account keeps its grace


def test_the_demo_server_asks_admins_for_nothing(app, runner, monkeypatch):
    app.config["ADMIN_TOTP_GRACE_DAYS"] = 0  # were it required, the demo admin would be past grace
    served = {}

    def serve(host, port, demo_app, threaded):
        # The printed password is not readable yet from here; give the demo admin a known one instead.
        accounts.reset_password(accounts.by_email(demo.ADMIN_EMAIL), PASSWORD)
        db.session.commit()
        client = demo_app.test_client()
        served["login"] = client.post("/admin/login", data={"email": demo.ADMIN_EMAIL, "password": PASSWORD})
        served["accounts"] = client.get("/admin/accounts/")

    monkeypatch.setattr(demo, "run_simple", serve)
    result = runner.invoke(args=["demo", "--members", "20"])
    assert result.exit_code == 0, result.output
    assert "Two-factor login is not required of admins on this demo server" in result.output
    assert served["login"].location == "/admin/today"
    assert served["accounts"].status_code == 200
    assert _user(demo.ADMIN_EMAIL).role is Role.ADMIN and not _user(demo.ADMIN_EMAIL).totp_secret
