"""The member's task page behind /t/<token>, in each state of their answer.

Unanswered: Ja/Nej first, no calendar link (the feed would be empty). Booked: a confirmation with the time
and place, the calendar link, and a small way out that needs a second step. Declined: a confirmation and,
while the place is free, a way back. Every POST may arrive twice (a double tap) without booking or
releasing twice.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from outreach.match import offers
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, MatchRun
from tests.support.world import add_shift

SAT = datetime(2030, 8, 17)


@pytest.fixture
def ask(make_member):
    """ask(shift=None, member=None) -> (assignment, path): a published ask with its own link."""
    anna = make_member("Anna", "Al", email="anna@example.org")

    def make(shift=None, member=None, **fields):
        shift = shift or add_shift(
            "Dörrknack i Stenstan", anna.association, SAT.replace(hour=11), SAT.replace(hour=13), 1
        )
        assignment = Assignment(shift_id=shift.id, member_id=(member or anna).id, **fields)
        db.session.add(assignment)
        token = offers.issue_token(assignment)
        db.session.commit()
        return assignment, f"/t/{token}"

    make.anna = anna
    return make


def _status(assignment):
    db.session.expire_all()
    return db.session.get(Assignment, assignment.id).status


def test_before_answering_the_page_offers_yes_and_no_and_no_calendar(app, client, ask, make_user):
    make_user("organizer", "Timrå", email="other@timra.example")  # another association's organizer
    make_user("organizer", "Sundsvall", email="gone@sundsvall.example").active = False
    make_user("organizer", "Sundsvall", email="lena@sundsvall.example")
    db.session.commit()
    _a, path = ask()
    page = client.get(path).text
    assert 'value="accept" class="primary">Ja, jag kommer' in page and "Nej, jag kan inte" in page
    assert "/ics/member/" not in page and "Lägg till i din kalender" not in page
    assert "Du är bokad" not in page and "Jag kan inte ändå" not in page
    # The contact is the association's active organizer; nobody else's address is shown.
    assert 'href="mailto:lena@sundsvall.example"' in page
    assert "gone@" not in page and "other@" not in page


def test_accepting_twice_books_once_and_shows_the_booking(app, client, ask):
    assignment, path = ask()
    for _twice in range(2):
        response = client.post(path, data={"answer": "accept"})
        assert response.status_code == 302 and response.location.endswith(path)
    assert _status(assignment) is AssignmentStatus.ACCEPTED
    first = db.session.get(Assignment, assignment.id).responded_at
    page = client.get(path).text
    assert (
        "Du är bokad" in page
        and 'Lördag 17 augusti 2030, <span class="hours">11:00–13:00</span>' in page
        and "Torget" in page
    )
    assert 'class="button secondary" href="http://kk.test/ics/member/' in page
    assert f'href="{path}/cancel">Jag kan inte ändå' in page
    assert "Nej, jag kan inte" not in page and "Ja, jag kommer" not in page
    client.post(path, data={"answer": "accept"})
    assert db.session.get(Assignment, assignment.id).responded_at == first  # a no-op, not a new answer


def test_a_booked_place_is_released_only_after_the_confirmation_step(app, client, ask):
    assignment, path = ask()
    client.post(path, data={"answer": "accept"})
    # One tap (or a crafted POST) without the confirmation changes nothing: it goes to the question.
    response = client.post(path, data={"answer": "decline"})
    assert response.status_code == 302 and response.location.endswith(f"{path}/cancel")
    assert _status(assignment) is AssignmentStatus.ACCEPTED
    step = client.get(f"{path}/cancel").text
    assert "Är du säker?" in step and "frågar någon annan" in step and 'name="confirm" value="1"' in step
    assert "Ja, släpp min plats" in step and f'href="{path}">Nej, jag kommer' in step
    for _twice in range(2):  # a double tap releases once
        response = client.post(path, data={"answer": "decline", "confirm": "1"})
        assert response.status_code == 302 and response.location.endswith(path)
    assert _status(assignment) is AssignmentStatus.DECLINED
    page = client.get(path).text
    assert "Du har tackat nej" in page and "/ics/member/" not in page
    # Nothing left to confirm: the step page goes back to the task.
    assert client.get(f"{path}/cancel").location.endswith(path)


def test_after_declining_they_may_change_their_mind_while_the_place_is_free(app, client, ask, make_member):
    assignment, path = ask()
    for _twice in range(2):  # a no to an unanswered ask needs no second step
        assert client.post(path, data={"answer": "decline"}).location.endswith(path)
    assert _status(assignment) is AssignmentStatus.DECLINED
    page = client.get(path).text
    assert "Du har tackat nej" in page and "Platsen är fortfarande ledig" in page
    assert 'value="accept">Jag kan ändå' in page and "Nej, jag kan inte" not in page
    client.post(path, data={"answer": "accept"})
    assert _status(assignment) is AssignmentStatus.ACCEPTED
    # Released again, and this time the place goes to Bo: no way back, and a try says so.
    client.post(path, data={"answer": "decline", "confirm": "1"})
    ask(db.session.get(Assignment, assignment.id).shift, make_member("Bo", "Ek"))
    page = client.get(path).text
    assert "Du har tackat nej" in page and "Jag kan ändå" not in page and "fortfarande ledig" not in page
    response = client.post(path, data={"answer": "accept"})
    assert "full=1" in response.location and "gått till någon annan" in client.get(response.location).text
    assert _status(assignment) is AssignmentStatus.DECLINED


def test_once_the_shift_has_started_the_answer_stands(app, client, ask):
    started = add_shift(
        "Gårdagens bokbord", ask.anna.association, datetime(2020, 5, 1, 10), datetime(2020, 5, 1, 12), 1
    )
    assignment, path = ask(started)
    page = client.get(path).text
    assert "redan börjat" in page and "Ja, jag kommer" not in page and "Nej, jag kan inte" not in page
    assert client.post(path, data={"answer": "accept"}).status_code == 302
    assert _status(assignment) is AssignmentStatus.PUBLISHED


def test_without_an_organizer_the_contact_is_who_ran_the_match(app, client, ask, make_user):
    admin = make_user("admin", email="ombud@distrikt.example")
    run = MatchRun(created_by_id=admin.id)
    db.session.add(run)
    db.session.flush()
    district_wide = add_shift("Ringa från soffan", None, SAT.replace(hour=18), SAT.replace(hour=20), 1)
    _a, path = ask(district_wide, run_id=run.id)
    assert 'href="mailto:ombud@distrikt.example"' in client.get(path).text
    admin.active = False
    db.session.commit()
    assert "Kontaktperson" not in client.get(path).text


def test_answers_need_the_csrf_token(app, client, ask):
    assignment, path = ask()
    client.post(path, data={"answer": "accept"})
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(path, data={"answer": "decline", "confirm": "1"}).status_code == 400
    assert 'name="csrf_token"' in client.get(f"{path}/cancel").text
    app.config["WTF_CSRF_ENABLED"] = False
    assert _status(assignment) is AssignmentStatus.ACCEPTED
    assert client.get(path + "x/cancel").status_code == 404
