"""Accounts: the users CLI, admins managing accounts, one's own password, two-factor login, and the
survey overview and export scoped to an organizer's associations."""

from __future__ import annotations

import io
import random
import re
import time

import pandas as pd
import pyotp
import pytest
import sqlalchemy as sa

from survey.accounts import services as accounts
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import AuditEvent, RegistryMatch, Role, User, utcnow
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "a brand new passphrase"


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _logged_in(client) -> bool:
    r = client.get("/admin/accounts/me")
    return r.status_code == 200


# -- CLI -------------------------------------------------------------------------------------------

def test_cli_add_with_roles_and_associations(runner, make_org):
    make_org("Timrå")
    make_org("Sundsvall")
    ok = runner.invoke(args=["users", "add", "Org@Example.org", "--role", "organizer", "--association",
                             "TIMRÅ", "--association", "sundsvall", "--password-stdin"],
                       input="long enough secret\n")
    assert ok.exit_code == 0, ok.output
    user = _user("org@example.org")
    assert user.role is Role.ORGANIZER and {o.name for o in user.associations} == {"Timrå", "Sundsvall"}
    by_slug = runner.invoke(args=["users", "add", "o2@example.org", "--role", "organizer", "--association",
                                  "timra", "--password-stdin"], input="long enough secret\n")
    assert by_slug.exit_code == 0, by_slug.output
    assert runner.invoke(args=["users", "add", "a@example.org", "--admin", "--password-stdin"],
                         input="long enough secret\n").exit_code == 0
    assert _user("a@example.org").role is Role.ADMIN
    caller = runner.invoke(args=["users", "add", "c@example.org", "--role", "caller", "--password-stdin"],
                           input="long enough secret\n")
    assert caller.exit_code == 0 and _user("c@example.org").role is Role.CALLER


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "organizer"], "at least one --association"),
    (["--role", "organizer", "--association", "Timrå", "--association", "Gotham"],
     "unknown association: Gotham"),
    (["--role", "caller", "--association", "Timrå"], "only for organizers"),
    ([], "pass --role"),
    (["--admin", "--role", "caller"], "contradicts"),
])
def test_cli_add_refuses(runner, make_org, args, message):
    make_org("Timrå")
    result = runner.invoke(args=["users", "add", "x@example.org", *args, "--password-stdin"],
                           input="long enough secret\n")
    assert result.exit_code != 0 and message in result.output
    assert _user("x@example.org") is None


def test_cli_add_refuses_an_existing_account(runner, make_user):
    user = make_user("admin")
    result = runner.invoke(args=["users", "add", user.email.upper(), "--admin", "--password-stdin"],
                           input="long enough secret\n")
    assert result.exit_code != 0 and "already has an account" in result.output


def test_cli_list_reset_deactivate_and_2fa(runner, make_user, client):
    org = make_user("organizer", "Timrå", "Sundsvall")
    org.totp_secret = pyotp.random_base32()
    db.session.commit()
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0, listing.output
    line = next(x for x in listing.output.splitlines() if org.email in x)
    assert re.search(r"organizer\s+Sundsvall, Timrå\s+on\s+yes\s+never", line), line

    assert runner.invoke(args=["users", "reset-password", org.email, "--password-stdin"],
                         input="short\n").exit_code != 0
    reset = runner.invoke(args=["users", "reset-password", org.email, "--password-stdin"],
                          input=NEW_PASSWORD + "\n")
    assert reset.exit_code == 0 and _user(org.email).check_password(NEW_PASSWORD)
    assert runner.invoke(args=["users", "disable-2fa", org.email]).exit_code == 0
    assert _user(org.email).totp_secret is None
    assert runner.invoke(args=["users", "deactivate", org.email]).exit_code == 0
    assert not _user(org.email).active
    r = client.post("/admin/login", data={"email": org.email, "password": NEW_PASSWORD})
    assert r.status_code == 200 and "Fel e-postadress eller lösenord" in r.text
    assert runner.invoke(args=["users", "reactivate", org.email]).exit_code == 0
    assert client.post("/admin/login", data={"email": org.email, "password": NEW_PASSWORD}).status_code == 302
    db.session.expire_all()
    listing = runner.invoke(args=["users", "list"]).output
    assert "never" not in next(x for x in listing.splitlines() if org.email in x)
    missing = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert missing.exit_code != 0 and "no account" in missing.output


# -- admins managing accounts ----------------------------------------------------------------------

def test_only_admins_manage_accounts(client, login_as, make_user):
    other = make_user("caller")
    login_as("organizer", "Timrå")
    assert client.get("/admin/accounts/").status_code == 403
    assert client.get("/admin/accounts/new").status_code == 403
    assert client.get(f"/admin/accounts/{other.id}").status_code == 403
    assert client.post(f"/admin/accounts/{other.id}/active").status_code == 403
    assert _user(other.email).active
    assert client.get("/admin/accounts/me").status_code == 200


def test_admin_adds_an_organizer_with_a_generated_password(client, login_as, make_org, app):
    timra = make_org("Timrå")
    admin = login_as("admin")
    page = client.get("/admin/accounts/new")
    assert page.status_code == 200 and "Timrå" in page.text
    missing = client.post("/admin/accounts/new", data={"email": "ny@example.org", "role": "organizer"})
    assert missing.status_code == 200 and "minst en förening" in missing.text
    assert _user("ny@example.org") is None
    r = client.post("/admin/accounts/new", data={"email": "Ny@Example.org", "role": "organizer",
                                                 "associations": [str(timra.id)]})
    assert r.status_code == 200 and "visas bara den här gången" in r.text
    password = re.search(r"<code>([a-z2-9-]{19})</code>", r.text).group(1)
    user = _user("ny@example.org")
    assert user.role is Role.ORGANIZER and [o.name for o in user.associations] == ["Timrå"]
    assert user.check_password(password) and password not in user.password_hash
    again = client.post("/admin/accounts/new", data={"email": "ny@example.org", "role": "caller"})
    assert "Det finns redan ett konto" in again.text
    listing = client.get("/admin/accounts/").text
    assert "ny@example.org" in listing and "Timrå" in listing and "aldrig inloggad" in listing
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.user_id == admin.id)) == "user.add"
    fresh = app.test_client()
    login(fresh, user, password)
    assert fresh.get("/admin/").status_code == 200


def test_short_typed_password_is_refused(client, login_as):
    login_as("admin")
    r = client.post("/admin/accounts/new", data={"email": "k@example.org", "role": "caller",
                                                 "password": "kort"})
    assert "Minst 10 tecken" in r.text and _user("k@example.org") is None


def test_reset_password_and_deactivation_end_the_users_sessions(app, client, login_as, make_user, make_org):
    target = make_user("organizer", "Timrå")
    theirs = app.test_client()
    login(theirs, target)
    login_as("admin")

    r = client.post(f"/admin/accounts/{target.id}/password", data={"password": NEW_PASSWORD})
    assert r.status_code == 200 and "<code>" not in r.text  # a typed password is not echoed back
    assert _user(target.email).check_password(NEW_PASSWORD)
    assert theirs.get("/admin/").status_code == 302  # the old session ended with the old password
    login(theirs, target, NEW_PASSWORD)

    assert client.post(f"/admin/accounts/{target.id}/active").status_code == 302
    assert not _user(target.email).active
    assert theirs.get("/admin/").status_code == 302
    refused = theirs.post("/admin/login", data={"email": target.email, "password": NEW_PASSWORD})
    assert refused.status_code == 200
    client.post(f"/admin/accounts/{target.id}/active")
    assert _user(target.email).active
    login(theirs, target, NEW_PASSWORD)

    timra = target.associations[0].id
    r = client.post(f"/admin/accounts/{target.id}", data={"role": "caller", "associations": [str(timra)]})
    assert r.status_code == 302
    assert _user(target.email).role is Role.CALLER and not _user(target.email).associations
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.password_reset", "user.deactivate", "user.reactivate", "user.role"]


def test_admin_cannot_lock_themselves_out(client, login_as):
    admin = login_as("admin")
    r = client.post(f"/admin/accounts/{admin.id}/active")
    assert r.status_code == 302 and r.location.endswith("/admin/accounts/me")
    client.post(f"/admin/accounts/{admin.id}", data={"role": "caller"})
    assert _user(admin.email).active and _user(admin.email).role is Role.ADMIN
    assert client.get("/admin/accounts/999999").status_code == 404


# -- one's own account -----------------------------------------------------------------------------

def test_change_own_password(app, client, login_as):
    user = login_as("organizer", "Timrå")
    other_device = app.test_client()
    login(other_device, user)
    wrong = client.post("/admin/accounts/me/password", data={"current": "not it at all", "new": NEW_PASSWORD,
                                                             "confirm": NEW_PASSWORD})
    assert wrong.status_code == 200 and "nuvarande lösenordet stämmer inte" in wrong.text
    short = client.post("/admin/accounts/me/password",
                        data={"current": PASSWORD, "new": "kort", "confirm": "kort"})
    assert "Minst 10 tecken" in short.text
    differ = client.post("/admin/accounts/me/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                                              "confirm": NEW_PASSWORD + "x"})
    assert "inte likadana" in differ.text and _user(user.email).check_password(PASSWORD)
    ok = client.post("/admin/accounts/me/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                                          "confirm": NEW_PASSWORD})
    assert ok.status_code == 302 and _user(user.email).check_password(NEW_PASSWORD)
    assert _logged_in(client)  # this session stays
    assert not _logged_in(other_device)  # every other one ends


def test_logout_ends_the_session(client, login_as):
    login_as("admin")
    assert client.post("/admin/logout").status_code == 302
    r = client.get("/admin/")
    assert r.status_code == 302 and "/admin/login" in r.location
    with client.session_transaction() as session:
        assert "_user_id" not in session and "kk_stamp" not in session


# -- two-factor login ------------------------------------------------------------------------------

def _enable_totp_via_web(client) -> str:
    page = client.get("/admin/accounts/me/totp")
    assert page.status_code == 200 and 'src="data:image/png;base64,' in page.text
    secret = re.search(r'<code class="link-box">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    grouped = " ".join(re.findall(".{1,4}", secret))
    assert grouped in client.get("/admin/accounts/me/totp").text  # a reload keeps the scanned secret
    assert client.post("/admin/accounts/me/totp", data={"code": "000000"}).status_code == 200
    r = client.post("/admin/accounts/me/totp", data={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302
    return secret


def test_totp_setup_and_login(app, client, login_as):
    user = login_as("admin")
    other_device = app.test_client()
    login(other_device, user)
    secret = _enable_totp_via_web(client)
    assert _user(user.email).totp_secret == secret
    assert _logged_in(client) and not _logged_in(other_device)
    assert client.get("/admin/accounts/me/totp").status_code == 302  # already on

    fresh = app.test_client()
    r = fresh.post("/admin/login?next=/admin/accounts/me", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 302 and r.location.endswith("/admin/login/totp")
    assert not _logged_in(fresh)  # the password alone is not a login
    assert fresh.get("/admin/login/totp").status_code == 200
    wrong = fresh.post("/admin/login/totp", data={"code": "123456" if pyotp.TOTP(secret).now() != "123456"
                                                  else "654321"})
    assert wrong.status_code == 200 and "Koden stämmer inte" in wrong.text
    assert not _logged_in(fresh)
    # Setting up used this step's code: a code is good once, and never one older than the last.
    used = pyotp.TOTP(secret).at(_user(user.email).totp_last_step * 30)
    assert fresh.post("/admin/login/totp", data={"code": used}).status_code == 200
    _user(user.email).totp_last_step -= 5  # as if set up a few minutes ago
    db.session.commit()
    code = pyotp.TOTP(secret).at(time.time() - 30)  # one step late still counts
    ok = fresh.post("/admin/login/totp", data={"code": code[:3] + " " + code[3:]})
    assert ok.status_code == 302 and ok.location == "/admin/accounts/me"
    assert _logged_in(fresh)


def test_a_totp_code_is_good_once(app, client, make_user):
    user = make_user("admin")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    code = pyotp.TOTP(user.totp_secret).now()
    for attempt in range(2):
        device = app.test_client()
        device.post("/admin/login", data={"email": user.email, "password": PASSWORD})
        r = device.post("/admin/login/totp", data={"code": code})
        assert (r.status_code == 302) is (attempt == 0), "the same code twice must not log in twice"
    # Straight from the service: the next step's code is newer, so it is accepted; then nothing older.
    now = time.time()
    later = pyotp.TOTP(user.totp_secret).at(now + 30)
    assert accounts.use_totp(_user(user.email), later, now=now)
    assert not accounts.use_totp(_user(user.email), code, now=now)


@pytest.mark.parametrize("offset", [-90, 90])
def test_totp_codes_two_steps_away_are_refused(app, client, make_user, offset):
    user = make_user("admin")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    r = client.post("/admin/login/totp", data={"code": pyotp.TOTP(user.totp_secret).at(time.time() + offset)})
    assert r.status_code == 200 and not _logged_in(client)


def test_pending_totp_login_expires_and_needs_the_password_first(client, make_user):
    user = make_user("organizer", "Timrå")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    r = client.post("/admin/login/totp", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert r.status_code == 302 and r.location.endswith("/admin/login") and not _logged_in(client)
    client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        pending = session["kk_pending_2fa"]
        session["kk_pending_2fa"] = {**pending, "until": int(time.time()) - 1}
    r = client.post("/admin/login/totp", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert r.status_code == 302 and r.location.endswith("/admin/login") and not _logged_in(client)


def test_disable_totp_needs_the_password(client, login_as):
    user = login_as("caller")
    _enable_totp_via_web(client)
    wrong = client.post("/admin/accounts/me/totp/disable", data={"password": "not my password"})
    assert wrong.status_code == 200 and "Lösenordet stämmer inte" in wrong.text
    assert _user(user.email).totp_secret is not None
    assert client.post("/admin/accounts/me/totp/disable", data={"password": PASSWORD}).status_code == 302
    assert _user(user.email).totp_secret is None and _logged_in(client)


def test_admin_turns_off_a_users_totp(client, login_as, make_user):
    target = make_user("organizer", "Timrå")
    target.totp_secret = pyotp.random_base32()
    db.session.commit()
    login_as("admin")
    assert "Stäng av tvåstegsinloggning" in client.get(f"/admin/accounts/{target.id}").text
    assert client.post(f"/admin/accounts/{target.id}/totp/disable").status_code == 302
    assert _user(target.email).totp_secret is None


# -- the survey overview and export, scoped to an organizer's associations -------------------------

@pytest.fixture
def answered(load_survey, make_member):
    """Answers from Sundsvall and Timrå members, and one open-link sheet tied to no member."""
    survey = load_survey()
    rng = random.Random(7)
    for name, association in (("Sanna Sundin", "Sundsvall"), ("Tove Timm", "Timrå"), ("Tor Tamm", "Timrå")):
        first, last = name.split()
        answer_survey(survey, make_member(first, last, association), rng, utcnow())
    stray = answer_survey(survey, None, rng, utcnow())
    stray.registry_match, stray.signed_name = RegistryMatch.UNMATCHED, "Olle Öppenlänk"
    db.session.commit()
    return survey


def _export(client, slug: str) -> pd.DataFrame:
    r = client.post(f"/admin/surveys/{slug}/export.csv")
    assert r.status_code == 200, r.status_code
    return pd.read_csv(io.BytesIO(r.data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_organizer_sees_and_exports_only_their_associations(client, login_as, answered):
    user = login_as("organizer", "Timrå")
    page = client.get(f"/admin/surveys/{answered.slug}")
    assert page.status_code == 200
    assert "Timrå" in page.text and "Sundsvall" not in page.text
    assert "anonyma" not in page.text and "granskas" not in page.text  # open-link counts are the district's
    assert "(2 svar)" in page.text  # summaries count only Timrå's two sheets
    assert ">2</td>" in client.get("/admin/").text  # the start page's count too
    frame = _export(client, answered.slug)
    assert sorted(frame["name"]) == ["Tor Tamm", "Tove Timm"] and set(frame["association"]) == {"Timrå"}
    event = db.session.scalars(sa.select(AuditEvent)).one()
    timra = user.associations[0].id
    assert (event.action, event.target, event.rows, event.association_id, event.user_id) == \
        ("export", f"survey:{answered.slug}", 2, timra, user.id)
    assert event.detail == {"format": "csv", "associations": [timra]}


def test_organizer_of_several_and_admin_exports(app, client, login_as, make_user, answered):
    login_as("organizer", "Timrå", "Sundsvall")
    assert sorted(_export(client, answered.slug)["name"]) == ["Sanna Sundin", "Tor Tamm", "Tove Timm"]
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert event.association_id is None and len(event.detail["associations"]) == 2

    boss = make_user("admin")
    admin_client = app.test_client()
    login(admin_client, boss)
    assert "granskas" in admin_client.get(f"/admin/surveys/{answered.slug}").text  # the open-link sheet
    names = _export(admin_client, answered.slug)["name"]
    assert "Olle Öppenlänk" in set(names) and len(names) == 4
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.user_id, last.rows, last.association_id) == (boss.id, 4, None)
    assert last.detail == {"format": "csv"}
