"""Administrators: logging in, the survey overview and exports."""

from __future__ import annotations

import io
import random

import pandas as pd
import pytest
import sqlalchemy as sa

from survey.accounts.services import set_user
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import Role, utcnow

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(app):
    user = set_user("ombudsman@example.org", PASSWORD, Role.ADMIN)
    db.session.commit()
    return user


def login(client, email="ombudsman@example.org", password=PASSWORD):
    return client.post("/admin/login", data={"email": email, "password": password})


def test_pages_require_login(client, load_survey):
    load_survey()
    for path in ("/admin/", "/admin/surveys/valkampanj-2030"):
        r = client.get(path)
        assert r.status_code == 302 and "/admin/login" in r.location
    assert client.post("/admin/surveys/valkampanj-2030/export.csv").status_code == 302


def test_wrong_password_and_callers_are_refused(client, admin, load_survey):
    load_survey()
    r = login(client, password="wrong password")
    assert r.status_code == 200 and "Fel e-postadress eller lösenord" in r.text
    set_user("caller@example.org", PASSWORD, Role.CALLER)
    db.session.commit()
    assert login(client, "caller@example.org").status_code == 302
    start = client.get("/admin/", follow_redirects=True)  # callers land on their call lists, nothing else
    assert start.status_code == 200 and "inga ringlistor" in start.text
    assert "valkampanj-2030" not in start.text
    assert client.get("/admin/surveys/valkampanj-2030").status_code == 403
    assert client.post("/admin/surveys/valkampanj-2030/export.csv").status_code == 403


def test_password_is_hashed_with_scrypt_by_default(app, admin):
    assert PASSWORD not in admin.password_hash
    del app.config["PASSWORD_HASH_METHOD"]  # tests use a cheap hash; production uses the default
    admin.set_password(PASSWORD)
    assert admin.password_hash.startswith("scrypt:") and admin.check_password(PASSWORD)


def test_login_does_not_redirect_off_site(client, admin):
    r = client.post("/admin/login?next=//evil.example/x", data={"email": admin.email, "password": PASSWORD})
    # An admin without two-factor login is shown the set-up page first, with the start page to go on to.
    assert r.location == "/admin/accounts/me/totp?next=/admin/today"
    page = client.get("/admin/accounts/me/totp?next=//evil.example/x").text
    assert '<a href="/admin/today">Fortsätt utan att slå på nu</a>' in page and "evil.example" not in page


def test_overview_and_summaries(client, admin, load_survey, make_member):
    survey = load_survey()
    rng = random.Random(1)
    members = [make_member(association=a) for a in ("Sundsvall", "Sundsvall", "Timrå", "Ånge")]
    for m in members[:3]:
        answer_survey(survey, m, rng, utcnow())
    db.session.commit()
    login(client)
    index = client.get("/admin/").text
    assert "Valrörelsen 2030" in index
    page = client.get("/admin/surveys/valkampanj-2030").text
    assert "Sundsvall" in page and "Timrå" in page and "100 %" in page and "0 %" in page  # Ånge: 0 of 1
    assert "Dörrknackning" in page and "Klimatet" in page  # skill and interest summaries
    assert "/o/valkampanj-2030" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_has_one_row_per_submission_and_defuses_formulas(client, admin, load_survey, make_member, fmt):
    survey = load_survey()
    evil = make_member(first_name="=HYPERLINK(\"http://x\")", last_name="Svensson")
    answer_survey(survey, evil, random.Random(2), utcnow())
    answer_survey(survey, make_member(first_name="Åsa"), random.Random(3), utcnow())
    db.session.commit()
    login(client)
    assert client.get(f"/admin/surveys/valkampanj-2030/export.{fmt}").status_code == 405  # POST only
    r = client.post(f"/admin/surveys/valkampanj-2030/export.{fmt}")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    if fmt == "csv":
        assert r.data.startswith(b"\xef\xbb\xbf")
        frame = pd.read_csv(io.BytesIO(r.data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    else:
        frame = pd.read_excel(io.BytesIO(r.data), dtype=str, keep_default_na=False)
    assert len(frame) == 2
    assert set(frame["association"]) == {"Sundsvall"}
    names = set(frame["name"])
    assert "Åsa Andersson" in names
    assert any(n.startswith("'=HYPERLINK") for n in names)  # shown as text, never run as a formula
    assert "skills" in frame.columns and "consent" in frame.columns


def test_export_unknown_format_or_survey(client, admin, load_survey):
    load_survey()
    login(client)
    assert client.post("/admin/surveys/valkampanj-2030/export.xml").status_code == 404
    # PDF is no longer unknown: it is the board's summary (outreach/printing, tests/outreach/printing).
    pdf = client.post("/admin/surveys/valkampanj-2030/export.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.post("/admin/surveys/nope/export.pdf").status_code == 404
    assert client.post("/admin/surveys/nope/export.csv").status_code == 404


def test_csrf_is_enforced(app, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    r = client.post("/admin/login", data={"email": admin.email, "password": PASSWORD})
    assert r.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(type(admin))) == 1
