"""The organizer's member list filters on what members answered, and the member page shows the answers."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, utcnow
from survey.respond import services as responses
from survey.spec import availability

WEEK = "2030-08-19"


def _answer(survey, member, *, driving: int = 0, week34: bool = False, note: str | None = None):
    sub = responses.submission_by_key(survey, f"m:{member.id}", member.id)
    questions = {q.key: q for q in survey.questions()}
    values: dict = {"skills": {"skill:driving": driving} if driving else {"skill:leaflets": 1}}
    cal_q = questions["availability"]
    cal = availability.calendar_from_dict(cal_q.calendar)
    week = next(w for w in availability.campaign_weeks(cal) if w.monday == date.fromisoformat(WEEK))
    other = next(w for w in availability.campaign_weeks(cal) if w.monday != week.monday)
    values["availability"] = [availability.cell_id((week if week34 else other).monday, cal.slots[0].key)]
    if note:
        values["anything_else"] = note
    responses.save_answers(sub, [questions["skills"], cal_q, questions["anything_else"]], values)
    responses.submit(sub, utcnow(), consent=True)
    db.session.commit()
    return sub


def test_filter_members_who_drive_and_are_free_in_week_34(client, login_as, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Körare", association="Timrå", phone="+46701112233")
    lo = make_member("Lo", "Lat", association="Timrå")
    sune = make_member("Sune", "Sundin", association="Sundsvall")
    _answer(survey, kim, driving=2, week34=True)
    _answer(survey, lo, driving=0, week34=True)
    _answer(survey, sune, driving=2, week34=True)
    login_as("organizer", "Timrå")

    page = client.get(f"/admin/members?skill=driving&skill_level=1&free_week={WEEK}")
    assert page.status_code == 200
    assert "Körare, Kim" in page.text and "Lat, Lo" not in page.text and "Sundin" not in page.text
    assert "1 aktiv medlem matchar alla villkor." in page.text
    assert "Köra bil (egen bil), minst lite" in page.text  # each filter in words, with its own count
    link = next(part.split('"')[0] for part in page.text.split('href="') if "/admin/calls/new" in part)
    args = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert args["target-skill"] == ["driving"] and args["target-free_week"] == [WEEK]

    # The call list form opens with the same filter filled in, and counts the same member.
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and '<option selected value="driving">' in form.text
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target == "members:all")).all()
    assert events[-1].detail["filters"] == ["skill", "free_week"]


def test_experienced_only_and_bad_filters(client, login_as, load_survey, make_member):
    survey = load_survey()
    some = make_member("Some", "One", association="Timrå")
    pro = make_member("Pro", "Two", association="Timrå")
    _answer(survey, some, driving=1)
    _answer(survey, pro, driving=2)
    login_as("organizer", "Timrå")
    page = client.get("/admin/members?skill=driving&skill_level=2")
    assert "Two, Pro" in page.text and "One, Some" not in page.text
    bad = client.get("/admin/members?free_week=vecka34")
    assert bad.status_code == 200 and "Villkoret går inte att använda" in bad.text


def test_member_page_shows_answers_in_words(client, login_as, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Körare", association="Timrå")
    _answer(survey, kim, driving=2, week34=True, note="ring vardagar efter 18")
    login_as("organizer", "Timrå")
    page = client.get(f"/admin/members/{kim.id}")
    assert page.status_code == 200
    assert "ring vardagar efter 18" in page.text
    assert "Köra bil (egen bil) (van)" in page.text
    assert "v. 34" in page.text  # availability in words
    assert "Inte uppringd från någon ringlista." in page.text
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target == f"member:{kim.id}")).one()
    assert event.detail == {"answers": True}


def test_member_page_of_another_association_is_404(client, login_as, make_member):
    sune = make_member("Sune", "Sundin", association="Sundsvall")
    login_as("organizer", "Timrå")
    assert client.get(f"/admin/members/{sune.id}").status_code == 404
