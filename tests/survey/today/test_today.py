"""The start page after logging in: each figure counted in a seeded world, scoped to the organizer's
association, the district's rows for admins, and where each role lands after logging in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.i18n import STOCKHOLM
from survey.models import (
    Assignment,
    AssignmentStatus,
    RegistryMatch,
    Role,
    Submission,
    SubmissionStatus,
    utcnow,
)
from survey.today import services
from tests.conftest import login
from tests.support import calllists as cl
from tests.support.world import add_shift


def _local(days: float) -> datetime:
    """A local wall-clock time `days` from now, as shifts store it."""
    return (datetime.now(STOCKHOLM) + timedelta(days=days)).replace(tzinfo=None, second=0, microsecond=0)


def _shift(title, org, days, slots):
    return add_shift(title, org, _local(days), _local(days) + timedelta(hours=2), slots)


def _ask(shift, member, status):
    db.session.add(Assignment(shift=shift, member=member, status=status))


def _sheet(survey, member, status=SubmissionStatus.SUBMITTED, key=None):
    db.session.add(Submission(survey=survey, member=member, status=status,
                              respondent_key=key or f"m:{member.id}", registry_match=RegistryMatch.PERSONAL,
                              submitted_at=utcnow() if status is SubmissionStatus.SUBMITTED else None))


def _open_answer(survey, key, like=None):
    """An open-link answer the registry could not place; signed with `like`'s phone and another's email,
    so `like` is its one candidate (the review page's rule gives it to `like`'s association)."""
    db.session.add(Submission(survey=survey, member=None, status=SubmissionStatus.SUBMITTED,
                              respondent_key=key, needs_review=True, registry_match=RegistryMatch.AMBIGUOUS
                              if like else RegistryMatch.UNMATCHED, signed_name="Okänd Person",
                              signed_phone=like.phone if like else None, submitted_at=utcnow()))


@pytest.fixture
def world(app, load_survey):
    """Timrå: two shifts this week (one with a place free), one in ten days, one already over; a member
    asked and not answered, one with a draft, one whose answers need review, a call list. Sundsvall: one
    empty shift, its own ask, draft and review, and a list. The district: an empty district-wide shift
    and an open-link answer that matched nobody."""
    survey = load_survey()
    timra, sundsvall = cl.org("Timrå"), cl.org("Sundsvall")
    t = cl.members("Timrå", 4)
    s = cl.members("Sundsvall", 3)
    half = _shift("Bokbord", timra, 1, 2)
    _ask(half, t[0], AssignmentStatus.ACCEPTED)
    _ask(half, t[1], AssignmentStatus.PUBLISHED)  # asked, not answered: the place is still free
    full = _shift("Dörrknackning", timra, 2, 1)
    _ask(full, t[2], AssignmentStatus.ACCEPTED)
    _shift("Långt fram", timra, 10, 3)  # outside the seven days
    over = _shift("Igår", timra, -1, 2)
    _ask(over, t[3], AssignmentStatus.PROPOSED)  # the shift is over: no longer an open ask
    _shift("Torgmöte", sundsvall, 3, 3)
    _ask(_shift("Flygblad", sundsvall, 12, 1), s[0], AssignmentStatus.PROPOSED)
    _shift("Distriktsstämma", None, 4, 5)
    _sheet(survey, t[2], SubmissionStatus.DRAFT)
    _open_answer(survey, "l:t3", like=t[3])
    _sheet(survey, s[1], SubmissionStatus.DRAFT)
    _open_answer(survey, "l:s2", like=s[2])
    _open_answer(survey, "l:1")
    db.session.commit()
    lists = {"timra": cl.call_list("Ring Timrå", "Timrå"),
             "sundsvall": cl.call_list("Ring Sundsvall", "Sundsvall")}
    return {"survey": survey, "timra": timra, "sundsvall": sundsvall, "lists": lists}


def test_a_timra_organizer_sees_only_timras_items(world):
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    page = services.today(organizer, utcnow())
    assert [r.name for r in page.rows] == ["Timrå"] and page.district is None and page.total is None
    r = page.rows[0]
    assert (r.open_shifts, r.open_places, r.first_open) == (1, 1, _local(1).date())
    assert (r.open_asks, r.first_ask) == (1, _local(1).date())
    assert r.open_asks == 1 and r.started == 1 and r.to_review == 1
    assert [(w.title, w.waiting) for w in r.lists] == [("Ring Timrå", 4)]
    assert page.survey.id == world["survey"].id and page.monday.weekday() == 0


def test_an_admin_sees_every_association_the_district_and_its_total(world):
    admin = cl.user("ombud@example.org", Role.ADMIN)
    page = services.today(admin, utcnow())
    rows = {r.name: r for r in page.rows}
    assert list(rows) == ["Sundsvall", "Timrå"]
    assert (rows["Sundsvall"].open_shifts, rows["Sundsvall"].open_places) == (1, 3)
    assert (rows["Sundsvall"].open_asks, rows["Sundsvall"].first_ask) == (1, _local(12).date())
    assert rows["Sundsvall"].started == 1
    assert rows["Sundsvall"].to_review == 1 and rows["Sundsvall"].waiting_lists == 1
    assert (page.district.open_shifts, page.district.open_places, page.district.to_review) == (1, 5, 1)
    total = page.total
    assert (total.open_shifts, total.open_places, total.open_asks, total.started) == (3, 9, 2, 2)
    assert total.to_review == 3 and total.waiting_lists == 2


def test_nothing_to_do_says_so_per_item(app, client, load_survey):
    load_survey()
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    db.session.commit()
    login(client, organizer)
    text = client.get("/admin/today").text
    for line in ("Inga pass saknar folk de närmaste sju dagarna.", "Alla förfrågningar om pass är besvarade.",
                 "Ingen har en påbörjad enkät som väntar på att skickas.",
                 "Inga ringlistor väntar på samtal.", "Inga svar väntar på granskning."):
        assert line in text


def test_the_organizers_page_links_each_item_and_shows_nothing_of_sundsvall(world, client):
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    db.session.commit()
    login(client, organizer)
    text = client.get("/admin/today").text
    timra = world["timra"]
    week = _local(1).date().isoformat()
    assert f'href="/admin/match?association={timra.id}&amp;week={week}">1 pass saknar folk</a>' in text
    assert f'association={timra.id}&amp;week={week}">1 medlem har inte svarat på en förfrågan</a>' in text
    assert f"/admin/invitations/not-answered?association=timra&amp;survey={world['survey'].slug}" in text
    assert f'href="/admin/calls/{world["lists"]["timra"].id}">Ring Timrå: 4 att ringa nu</a>' in text
    assert "1 svar behöver granskas" in text
    assert "Sundsvall" not in text and "Torgmöte" not in text


def test_the_admins_page_has_one_row_per_association_and_a_total(world, client):
    admin = cl.user("ombud@example.org", Role.ADMIN)
    db.session.commit()
    login(client, admin)
    text = client.get("/admin/today").text
    assert ">Sundsvall</th>" in text and ">Timrå</th>" in text
    assert ">Distriktet</th>" in text and ">9</a>" not in text  # shifts, not places
    assert f'href="/admin/calls/{world["lists"]["sundsvall"].id}">1</a>' in text


def test_the_review_link_goes_to_the_review_page(world, app, client):
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    db.session.commit()
    login(client, organizer)
    assert 'href="/admin/review">1 svar behöver granskas' in client.get("/admin/today").text


def test_login_lands_on_today_next_wins_and_callers_get_their_call_lists(app, client):
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    admin = cl.user("ombud@example.org", Role.ADMIN)
    caller = cl.user("ringare@example.org")
    db.session.commit()
    assert login(client, organizer).location == "/admin/today"
    assert client.get("/admin/today").status_code == 200
    client.post("/admin/logout")
    # An admin without two-factor login is shown its set-up first, with the start page as what comes next.
    assert login(client, admin).location == "/admin/accounts/me/totp?next=/admin/today"
    assert '<a href="/admin/today">' in client.get("/admin/accounts/me/totp?next=/admin/today").text
    client.post("/admin/logout")
    r = client.post("/admin/login?next=/admin/members",
                    data={"email": organizer.email, "password": cl.PASSWORD})
    assert r.location == "/admin/members"
    client.post("/admin/logout")
    login(client, caller)
    landed = client.get("/admin/today", follow_redirects=True)
    assert landed.request.path == "/calls/"


def test_the_page_costs_a_few_queries_however_many_associations(world, client):
    for name in ("Ånge", "Härnösand", "Kramfors", "Sollefteå", "Örnsköldsvik"):
        cl.members(name, 2)
        _shift(f"Pass i {name}", cl.org(name), 1, 2)
    admin = cl.user("ombud@example.org", Role.ADMIN)
    db.session.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = services.today(admin, utcnow())
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(page.rows) == 7 and page.total.open_shifts == 8
    # One per figure (the review count runs the review page's own few queries), not one per association.
    assert len(statements) <= 16, statements
