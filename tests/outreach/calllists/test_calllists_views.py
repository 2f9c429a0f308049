"""The pages: a caller's call from "next person" to the outcome, the survey and a task by phone, the
organizer's list page, flags, callers and exports."""

from __future__ import annotations

import io
import random
import re
from datetime import datetime, timedelta

import openpyxl
import sqlalchemy as sa

from outreach.match import services as assign
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Call,
    CallTarget,
    Role,
    Submission,
    SubmissionStatus,
    utcnow,
)
from tests.conftest import login
from tests.support import calllists as cl
from tests.support.world import add_shift


def _setup(load_survey, **fields):
    survey = load_survey()
    members = cl.members("Timrå", 2, address="Hemliga gatan 1", birth_year=1961)
    for m in members:
        m.email = f"hemlig{m.id}@mail.example"
    caller = cl.user("ringare@example.org")
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    lst = cl.call_list("Ring dem", "Timrå", [caller], survey_id=survey.id,
                       script="Hej {förnamn}! Det är från partiet.", **fields)
    return survey, members, caller, organizer, lst


def _next(client, lst):
    r = client.post(f"/calls/{lst.id}/next")
    assert r.status_code == 302
    m = re.search(r"/calls/\d+/t/(\d+)", r.location)
    return int(m.group(1)) if m else None


def test_a_call_from_next_person_to_outcome(client, load_survey):
    _survey, members, caller, _org, lst = _setup(load_survey)
    login(client, caller)
    assert "Ring dem" in client.get("/admin/", follow_redirects=True).text
    tid = _next(client, lst)
    page = client.get(f"/calls/{lst.id}/t/{tid}").text
    target = db.session.get(CallTarget, tid)
    member = target.member
    assert member.full_name in page and f'href="tel:{member.phone}"' in page
    assert f"Hej {member.first_name}!" in page
    # Data minimization: no e-mail, address or birth year unless the organizer turned them on.
    assert member.email not in page and "Hemliga gatan" not in page and "1961" not in page
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.target == f"call_target:{tid}")) == 1
    r = client.post(f"/calls/{lst.id}/t/{tid}", data={"outcome": "no_answer", "note": "Ingen svarade"})
    assert r.status_code == 302
    assert client.get(f"/calls/{lst.id}/t/{tid}").status_code == 404  # no longer held
    other = _next(client, lst)
    assert other != tid
    client.post(f"/calls/{lst.id}/t/{other}", data={"outcome": "busy"})
    r = client.post(f"/calls/{lst.id}/next")
    assert "empty=1" in r.location
    assert "väntar" in client.get(r.location).text  # everyone cooled down, said plainly
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 2


def test_call_back_needs_a_time_and_flags_reach_the_organizer(client, load_survey):
    _survey, _members, caller, organizer, lst = _setup(load_survey)
    login(client, caller)
    tid = _next(client, lst)
    client.post(f"/calls/{lst.id}/t/{tid}", data={"outcome": "call_back"})
    assert client.get(f"/calls/{lst.id}/t/{tid}").status_code == 200  # refused: still theirs
    when = (datetime.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(f"/calls/{lst.id}/t/{tid}", data={"outcome": "reached", "needs_action": "y",
                                                      "message": "Vill byta förening"})
    assert r.status_code == 302
    tid2 = _next(client, lst)
    client.post(f"/calls/{lst.id}/t/{tid2}", data={"outcome": "call_back", "callback_at": when})
    org_client = client.application.test_client()
    login(org_client, organizer)
    page = org_client.get(f"/admin/calls/{lst.id}").text
    assert "Ring tillbaka är bokat" in page and "1 samtal väntar" in page
    flags = org_client.get(f"/admin/calls/{lst.id}/flags").text
    assert "Vill byta förening" in flags
    call = db.session.scalar(sa.select(Call).where(Call.needs_action))
    assert org_client.post(f"/admin/calls/{lst.id}/flags/{call.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Call, call.id).handled_at is not None


def test_a_task_yes_by_phone_goes_through_the_members_own_answer(client, load_survey):
    _survey, members, caller, _org, lst = _setup(load_survey, goal={"kind": "task"})
    shift = add_shift("Bokbord i Timrå", cl.org("Timrå"), datetime(2031, 8, 16, 10),
                      datetime(2031, 8, 16, 12), 2)
    for m in members:
        db.session.add(Assignment(shift_id=shift.id, member_id=m.id))
    db.session.flush()
    for a in db.session.scalars(sa.select(Assignment)):
        assign.issue_token(a)
    db.session.commit()
    login(client, caller)
    tid = _next(client, lst)
    member_id = db.session.get(CallTarget, tid).member_id
    ask = db.session.scalar(sa.select(Assignment).where(Assignment.member_id == member_id))
    page = client.get(f"/calls/{lst.id}/t/{tid}").text
    assert "Bokbord i Timrå" in page
    r = client.post(f"/calls/{lst.id}/t/{tid}/asks/{ask.id}", data={"answer": "accept"})
    assert r.status_code == 302
    db.session.expire_all()
    ask = db.session.get(Assignment, ask.id)
    assert ask.status is AssignmentStatus.ACCEPTED and ask.responded_via == "phone"
    assert ask.responded_by_id == caller.id
    assert db.session.get(CallTarget, tid).done_at is not None  # the goal: a confirmed task
    other = db.session.scalar(sa.select(Assignment).where(Assignment.member_id != member_id))
    r = client.post(f"/calls/{lst.id}/t/{tid}/asks/{other.id}", data={"answer": "accept"})
    assert r.status_code == 404


def test_the_survey_by_phone_is_the_members_own_submission(client, load_survey):
    survey, _members, caller, _org, lst = _setup(load_survey)
    login(client, caller)
    tid = _next(client, lst)
    member = db.session.get(CallTarget, tid).member
    # A draft as far as the consent page, as if the caller had walked the pages before it.
    sub = answer_survey(survey, member, random.Random(1), utcnow())
    sub.status, sub.consent_at, sub.submitted_at = SubmissionStatus.DRAFT, None, None
    db.session.commit()
    r = client.get(f"/calls/{lst.id}/t/{tid}/survey")
    assert r.status_code == 302 and "/survey/p/" in r.location
    consent_page = next(s.key for s in survey.sections if any(q.type == "consent" for q in s.questions))
    page = client.get(f"/calls/{lst.id}/t/{tid}/survey/p/{consent_page}").text
    assert "Läs upp för medlemmen" in page and "muntligt" in page
    review = client.get(f"/calls/{lst.id}/t/{tid}/survey/review")
    assert review.status_code == 200
    r = client.post(f"/calls/{lst.id}/t/{tid}/survey/submit")
    assert r.status_code == 302
    db.session.expire_all()
    sub = db.session.scalar(sa.select(Submission).where(Submission.member_id == member.id))
    assert sub.status is SubmissionStatus.SUBMITTED and sub.via == "phone" and sub.entered_by_id == caller.id
    assert sub.respondent_key == f"m:{member.id}"  # the member's own: their link opens the same sheet
    assert sub.consent_via == "verbal" and sub.consent_at is not None


def test_organizer_creates_a_list_counts_first_and_exports_defused(client, load_survey):
    survey = load_survey()
    cl.members("Timrå", 3)
    m = cl.members("Timrå", 1)[0]
    m.first_name = "=HYPERLINK(1)"
    cl.members("Ånge", 4)
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    cl.user("c1@example.org")
    db.session.commit()
    login(client, organizer)
    timra = cl.org("Timrå")
    data = {"title": "Ring dem som inte svarat", "associations": [str(timra.id)], "goal": "reached",
            "cooldown_hours": "24", "target-answered": "not_answered", "target-survey": str(survey.id),
            "callers": "c1@example.org"}
    counted = client.post("/admin/calls/new", data={**data, "action": "count"})
    assert "4 medlemmar matchar alla villkor" in counted.text
    r = client.post("/admin/calls/new", data={**data, "action": "save"})
    assert r.status_code == 302, r.text
    list_id = int(r.location.rstrip("/").split("/")[-1])
    page = client.get(f"/admin/calls/{list_id}").text
    assert "c1@example.org" in page and "Personer på listan" in page
    csv = client.post(f"/admin/calls/{list_id}/export.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in csv and "Ånge" not in csv
    xlsx = client.post(f"/admin/calls/{list_id}/export.xlsx").get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert any(c.value == "'=HYPERLINK(1)" for row in sheet.iter_rows() for c in row)
    # A caller made on the spot: the link is shown once and sets a password once.
    r = client.post(f"/admin/calls/{list_id}/callers/new", data={"email": "ny@example.org"})
    url = re.search(r"http://kk\.test(/calls/welcome/\S+?)<", r.text).group(1)
    anon = client.application.test_client()
    password = "ett långt lösenord"
    assert anon.post(url, data={"password": password, "confirm": password}).status_code == 302
    assert anon.get(url).status_code == 404
    assert anon.post("/admin/login", data={"email": "ny@example.org", "password": "ett långt lösenord"}
                     ).status_code == 302


def test_cli_create_list_show_stats_export(runner, tmp_path):
    cl.members("Timrå", 2)
    cl.user("c@example.org")
    db.session.commit()
    r = runner.invoke(args=["calls", "create", "--title", "CLI-listan", "--association", "timra",
                            "--caller", "c@example.org"])
    assert r.exit_code == 0, r.output
    list_id = int(re.search(r"call list (\d+)", r.output).group(1))
    assert "CLI-listan" in runner.invoke(args=["calls", "list"]).output
    assert "c@example.org" in runner.invoke(args=["calls", "show", "--list", str(list_id)]).output
    assert "members 2" in runner.invoke(args=["calls", "stats", "--list", str(list_id)]).output
    out = tmp_path / "list.xlsx"
    r = runner.invoke(args=["calls", "export", "--list", str(list_id), "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0 and out.exists()
