"""200 members send their answers while gunicorn is killed with SIGKILL and started again (issue 12).

Real processes over real HTTP: gunicorn with the repo's gunicorn.conf.py (2 workers, 4 threads each) on
the test's database (SQLite in WAL mode, or PostgreSQL), and 200 threads, each one member with a personal
link who loads the page, posts the answers and sends (tests/support/respondent.py). At a random moment,
once some sends are acknowledged and others are not, the whole process group gets SIGKILL. Every send
acknowledged by then must already be in the database; gunicorn is then started again on the same database,
every member whose last request got no answer sends it again, and in the end every member has exactly one
sent sheet with exactly the answers they posted: nothing acknowledged is lost, nothing is stored twice.
"""

from __future__ import annotations

import random
import threading
import time

import sqlalchemy as sa

from survey.extensions import db
from survey.models import Answer, Profile, Submission, SubmissionStatus
from survey.respond import links
from tests.support import calllists as cl
from tests.support import require
from tests.support.gunicornserver import Gunicorn, gunicorn_available
from tests.support.respondent import DONE, POST_SEND, Respondent

MEMBERS = 200
RESENT = 20  # members who press "Skicka in" once more at the end
SECONDS = 90  # a hang's bound, not the run's: about 10 s on two idle cores, 30 s on shared ones

SURVEY = """\
format: kraftkartan-survey/1
slug: kraschprov
version: 1
title: Kraschprov
sections:
  - key: quick
    title: Snabbt
    items:
      - key: coming
        type: yes_no
        required: true
        label: Kommer du?
      - key: hours
        type: number
        min: 0
        max: 1000
        required: true
        label: Hur många timmar?
      - key: note
        type: text
        label: Något mer?
"""


def _answers(n: int) -> list[tuple[str, str]]:
    """Different for every member, so that an answer stored under the wrong sheet would show."""
    return [("coming", "yes" if n % 2 else "no"), ("hours", str(n)), ("note", f"medlem {n}")]


def _stored(n: int) -> dict:
    return {"coming": bool(n % 2), "hours": n, "note": f"medlem {n}"}


def _sent_answers(survey_id: int) -> dict[int, dict]:
    """member id -> the answers of their sent sheet, read afresh from the database."""
    db.session.remove()
    rows = db.session.execute(
        sa.select(Submission.member_id, Answer)
        .join(Answer, Answer.submission_id == Submission.id)
        .where(Submission.survey_id == survey_id, Submission.status == SubmissionStatus.SUBMITTED)
    ).all()
    sheets: dict[int, dict] = {}
    for member_id, answer in rows:
        sheets.setdefault(member_id, {})[answer.question.key] = answer.value
    return sheets


def _assert_no_duplicates(app, survey_id: int) -> None:
    per_member = (
        sa.select(Submission.member_id)
        .where(Submission.survey_id == survey_id)
        .group_by(Submission.member_id)
        .having(sa.func.count() > 1)
    )
    assert db.session.scalars(per_member).all() == [], "a member has two sheets"
    per_question = (
        sa.select(Answer.submission_id)
        .group_by(Answer.submission_id, Answer.question_id)
        .having(sa.func.count() > 1)
    )
    assert db.session.scalars(per_question).all() == [], "an answer is stored twice"
    profiles = sa.select(Profile.submission_id).group_by(Profile.submission_id).having(sa.func.count() > 1)
    assert db.session.scalars(profiles).all() == [], "a sheet has two profiles"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"


def test_sends_survive_a_killed_server_under_load(app, load_survey, tmp_path):
    require(gunicorn_available())
    survey = load_survey(SURVEY)
    people = cl.members("Timrå", MEMBERS)
    tokens = [links.issue_link(survey, person) for person in people]
    db.session.commit()
    survey_id, member_ids = survey.id, [person.id for person in people]
    db.session.remove()

    server = Gunicorn(
        {
            "KRAFTKARTAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "KRAFTKARTAN_SECRET_KEY": "kill9-secret",
            "KRAFTKARTAN_INSTANCE_PATH": str(tmp_path),
        },
        tmp_path / "gunicorn.log",
    )
    clients = [Respondent(server.port, token, "quick", _answers(n)) for n, token in enumerate(tokens)]
    start = threading.Barrier(MEMBERS + 1)
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=c.run, args=(start, deadline), daemon=True) for c in clients]
    kill_after = random.randint(10, MEMBERS - 50)  # acknowledged sends before the kill
    server.start()
    try:
        for thread in threads:
            thread.start()
        start.wait()
        while sum(c.acknowledged for c in clients) < kill_after and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill9()
        acknowledged = [n for n, c in enumerate(clients) if c.acknowledged]  # all answered before the kill

        stored = _sent_answers(survey_id)
        assert len(acknowledged) < MEMBERS, "every send was acknowledged before the kill: kill sooner"
        lost = [n for n in acknowledged if stored.get(member_ids[n]) != _stored(n)]
        unsure = len(stored) - len(acknowledged)  # stored, but the answer died with the server: resent later
        assert lost == [], f"{len(lost)} acknowledged sends are not in the database after the kill"

        server.start()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        # Whether or not the kill happened to fall between a commit and its answer, a send sent twice (the
        # button pressed again, a browser resending) must change nothing: send again for some members.
        for again in clients[:RESENT]:
            again.step = POST_SEND
            again.advance()
            assert again.step == DONE, again.statuses
    finally:
        server.stop()
    unanswered = sum(len(c.lost) for c in clients)
    refused, answered = sum(c.refused for c in clients), sum(len(c.statuses) for c in clients)
    print(
        f"killed after {len(acknowledged)} of {MEMBERS} acknowledged sends ({unsure} more stored, "
        f"unacknowledged); {unanswered} requests cut off, {refused} refused while down, {answered} answered"
    )
    assert unanswered > 0, "no request was cut off by the kill: the test proved nothing"
    unfinished = [n for n, c in enumerate(clients) if not c.acknowledged]
    assert unfinished == [], f"{len(unfinished)} members never got their send acknowledged (see the log)"
    errors = sorted({s for c in clients for s in c.statuses if s >= 500})
    assert errors == [], f"the server answered {errors}:\n{(tmp_path / 'gunicorn.log').read_text()[-3000:]}"

    stored = _sent_answers(survey_id)
    assert {m: stored.get(m) for m in member_ids} == {m: _stored(n) for n, m in enumerate(member_ids)}
    _assert_no_duplicates(app, survey_id)
