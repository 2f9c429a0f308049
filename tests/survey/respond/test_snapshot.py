"""A page that only reads is shown from one Core query's frozen rows (survey/respond/snapshot.py).

What may never break: every reading page looks exactly as it does from the ORM rows (the way pages that
write still load), for a member with answers, one who has not started, an open-link signer, a sent sheet
and a closed survey; and an unknown token is still a bare 404.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import SubmissionStatus, utcnow
from survey.respond import links, snapshot, views
from survey.respond import services as responses
from survey.respond.walk import Walk


@pytest.fixture
def orm_pages(monkeypatch):
    """Switch the reading pages to the ORM rows (what they used before snapshot.py), and back."""
    original = views._load

    def switch(on: bool) -> None:
        if on:
            monkeypatch.setattr(views, "_load", lambda token, write=False: original(token, write=True))
        else:
            monkeypatch.setattr(views, "_load", original)

    return switch


def _both(client, orm_pages, path: str) -> tuple[str, str]:
    orm_pages(False)
    fast = client.get(path)
    orm_pages(True)
    slow = client.get(path)
    orm_pages(False)
    assert fast.status_code == slow.status_code, path
    # The CSRF token is signed with the time: the same session's token differs from second to second.
    return tuple(re.sub(r'name="csrf_token" value="[^"]*"', "", r.text) for r in (fast, slow))


def _paths(token: str, walk: Walk) -> list[str]:
    return [f"/s/{token}", f"/s/{token}/review", f"/s/{token}/saved", f"/s/{token}/thanks",
            *(f"/s/{token}/p/{s.key}" for s in walk.sections())]


def test_every_reading_page_is_the_same_from_the_snapshot(client, personal_link, orm_pages):
    survey, member, token = personal_link()
    link = links.resolve(token)
    answer_survey(survey, link.member, random.Random(5), utcnow())
    db.session.commit()
    walk = Walk(link, responses.submission_for(link))
    client.get(f"/s/{token}")  # the CSRF session both ways share
    for path in _paths(token, walk):
        fast, slow = _both(client, orm_pages, path)
        assert fast == slow, path
    start, _ = _both(client, orm_pages, f"/s/{token}")
    assert member.first_name in start  # the greeting: the member is loaded on use


def test_a_member_who_has_not_started_gets_a_sheet_and_prefilled_answers(client, personal_link):
    survey, member, token = personal_link()
    assert snapshot.read(token)[1] is None  # no sheet yet: the first page makes one through the ORM
    first = client.get(f"/s/{token}/p/{survey.sections[0].key}")
    assert first.status_code == 200 and member.first_name in first.text  # prefilled from the registry
    link, sheet = snapshot.read(token)
    assert sheet is not None and sheet.status is SubmissionStatus.DRAFT and sheet.answers == ()
    assert link.member_id == member.id and sheet.member.id == member.id


def test_the_snapshot_holds_what_the_rows_hold(app, personal_link):
    survey, _member, token = personal_link()
    link = links.resolve(token)
    submission = answer_survey(survey, link.member, random.Random(7), utcnow())
    submission.signed_name, submission.signed_phone = "Kim Berg", "+46701112233"
    db.session.commit()
    row_link, sheet = snapshot.read(token)
    assert (row_link.id, row_link.member_id, row_link.survey.id) == (link.id, link.member_id, survey.id)
    assert sheet.id == submission.id and sheet.status is submission.status
    assert (sheet.signed_name, sheet.signed_phone, sheet.submitted_at) == (
        "Kim Berg", "+46701112233", submission.submitted_at)
    stored = {a.question_id: a.value for a in submission.answers}
    assert {a.question_id: a.value for a in sheet.answers} == stored
    assert responses.answers_by_key(sheet) == responses.answers_by_key(submission)


@pytest.mark.parametrize("token", ["", "x" * 65, "no-such-token"])
def test_unknown_tokens_read_nothing_and_answer_404(app, client, token):
    assert snapshot.read(token) == (None, None)
    if token:
        assert client.get(f"/s/{token}").status_code == 404


def test_a_closed_survey_says_so_from_the_snapshot(client, personal_link, orm_pages):
    survey, _member, token = personal_link()
    survey.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    fast, slow = _both(client, orm_pages, f"/s/{token}")
    assert fast == slow and "Enkäten är stängd" in fast


def test_a_reading_page_runs_outside_a_transaction(app, client, personal_link, monkeypatch):
    """BEGIN and ROLLBACK were two of a page's four round trips to PostgreSQL (issue 12): a page that only
    reads sends its one statement on an autocommit connection (SQLite: with no transaction open). A page
    that writes, and the first visit that makes the sheet, still run in a transaction."""
    import sqlalchemy as sa

    survey, _member, token = personal_link()
    page = f"/s/{token}/p/{survey.sections[1].key}"
    reads: list[bool] = []
    writes: list[str | None] = []
    execute = snapshot.execute

    def driver(connection, statement, parameters):
        raw = connection.driver_connection
        in_transaction = getattr(raw, "in_transaction", None)  # sqlite3's; psycopg says `autocommit`
        reads.append(raw.autocommit if in_transaction is None else not in_transaction)
        return execute(connection, statement, parameters)

    def record(conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            writes.append(conn.get_execution_options().get("isolation_level"))

    monkeypatch.setattr(snapshot, "execute", driver)
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(page).status_code == 200  # first visit: makes the sheet
        reads.clear()
        assert client.get(page).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert reads == [True], reads
    assert writes and all(level is None for level in writes), writes  # the sheet is made in a transaction
