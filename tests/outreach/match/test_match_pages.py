"""The match page tells the organizer what to do next: it opens where their work is, a run leads to its
proposals, and publishing shows who gets what before anything is sent.

The world is the `world` fixture in conftest.py: Sundsvall's door (Sat 17 Aug 2030 11-13) and stall
(13-15), Timrå's night shift (Sun 18 Aug), all in the week of Monday 12 Aug.
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from outreach.match import offers, problem
from outreach.match import services as assign
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, MessageStatus, OutgoingMessage
from tests.conftest import login
from tests.support.smtp import SmtpServer
from tests.support.world import add_shift


def _statuses() -> set[AssignmentStatus]:
    return set(db.session.scalars(sa.select(Assignment.status)))


def _task_messages() -> list[OutgoingMessage]:
    return list(db.session.scalars(sa.select(OutgoingMessage).where(OutgoingMessage.kind == offers.KIND)))


def test_the_page_opens_on_the_first_week_with_the_associations_own_shifts(app, world, client, make_user,
                                                                          monkeypatch):
    # A district-wide shift a week earlier: organizers see it, but it is not theirs to act on.
    add_shift("Distriktsträff", None, datetime(2030, 8, 6, 18), datetime(2030, 8, 6, 20), 1)
    add_shift("Timrå torg", world["timra"], datetime(2030, 9, 7, 10), datetime(2030, 9, 7, 12), 1)
    db.session.commit()
    login(client, make_user("organizer", "Timrå"))
    page = client.get("/admin/match").text
    assert 'value="2030-08-12" selected' in page and "Nattaffischering Timrå" in page
    assert "Distriktsträff" not in page
    # Past the night shift: the next week with Timrå's own shifts.
    monkeypatch.setattr(problem, "local_now", lambda: datetime(2030, 8, 20, 9))
    assert 'value="2030-09-02" selected' in client.get("/admin/match").text
    # After the campaign: its last week, not an empty page.
    monkeypatch.setattr(problem, "local_now", lambda: datetime(2031, 1, 1, 9))
    assert 'value="2030-09-02" selected' in client.get("/admin/match").text
    # An explicit week is kept.
    assert 'value="2030-08-05" selected' in client.get("/admin/match?week=2030-08-06").text


def test_a_run_leads_to_the_week_and_shift_of_its_first_proposal(app, world, client, make_user):
    add_shift("Tidigt bokbord", None, datetime(2030, 8, 6, 18), datetime(2030, 8, 6, 20), 1)
    db.session.commit()
    login(client, make_user("organizer", "Sundsvall"))
    sundsvall = world["sundsvall"].id
    response = client.post("/admin/match/run", data={"association": sundsvall, "week": "2030-08-05"})
    first = min((a.shift for a in db.session.scalars(sa.select(Assignment))),
                key=lambda s: (s.start_local, s.id))
    assert first.task.association_id == sundsvall and first.start_local.date().isoformat() == "2030-08-17"
    assert response.status_code == 302
    assert "week=2030-08-17" in response.location and response.location.endswith(f"#shift-{first.id}")
    page = client.get(response.location).text
    made = len(db.session.scalars(sa.select(Assignment)).all())
    assert f"Matchningen är klar: {made} förslag. Sidan visar veckan med det första (v. 33)." in page
    assert f'id="shift-{first.id}"' in page


def test_publish_shows_a_preview_first_and_only_the_confirm_sends(app, world, client, make_user):
    world["bo"].email = None
    world["bo"].phone = "+46701234568"
    assign.run(world["sundsvall"], None, datetime(2030, 8, 1))
    db.session.commit()
    login(client, make_user("admin"))
    data = {"association": world["sundsvall"].id, "week": "2030-08-12"}
    with SmtpServer() as smtp:
        app.config.update(smtp.config())
        preview = client.post("/admin/match/publish", data=data)
        assert preview.status_code == 200 and "Publicera förslagen?" in preview.text
        assert smtp.messages == [] and _task_messages() == [] and _statuses() == {AssignmentStatus.PROPOSED}
        text = preview.text
        assert "Får e-post (" in text and "Utan e-post (1)" in text and "Bo Ek" in text
        assert "Anna Al" in text and "Dörrknack i Stenstan · lör 17 aug. 11:00–13:00" in text
        # The real email text for one example member, with a placeholder for the personal link.
        assert "Så här ser e-posten ut" in text and "Hej Anna!" in text and "http://kk.test/t/…" in text
        cancel = re.search(r'<a href="([^"]+)">Avbryt</a>', text).group(1)
        assert "/admin/match?" in cancel and "week=2030-08-12" in cancel
        # A confirm for proposals that changed meanwhile publishes nothing: it shows the preview again.
        stale = client.post("/admin/match/publish", data={**data, "confirm": "1", "fingerprint": "0" * 16})
        assert "Förslagen har ändrats" in stale.text and "Publicera förslagen?" in stale.text
        assert smtp.messages == [] and _task_messages() == [] and _statuses() == {AssignmentStatus.PROPOSED}
        fingerprint = re.search(r'name="fingerprint" value="(\w+)"', text).group(1)
        done = client.post("/admin/match/publish", data={**data, "confirm": "1", "fingerprint": fingerprint})
        assert done.status_code == 200 and "uppdrag publicerade" in done.text
        assert "anna@example.org" in smtp.recipients()
    assert _statuses() == {AssignmentStatus.PUBLISHED}
    assert {m.status for m in _task_messages()} == {MessageStatus.SENT}
    # Nothing left: the preview says so and offers no button.
    again = client.post("/admin/match/publish", data=data).text
    assert "inga förslag att publicera" in again and 'name="confirm"' not in again


def test_each_button_names_its_person_and_shift_and_dates_read_as_words(app, world, client, make_user):
    assign.run(world["sundsvall"], None, datetime(2030, 8, 1))
    db.session.commit()
    login(client, make_user("admin"))
    page = client.get(f"/admin/match?association={world['sundsvall'].id}&week=2030-08-12").text
    assert 'Lås<span class="sr"> Anna Al på Dörrknack i Stenstan lör 17 aug. 11:00–13:00</span>' in page
    assert 'Spärra<span class="sr"> Anna Al på Dörrknack i Stenstan lör 17 aug. 11:00–13:00</span>' in page
    assert "2030-08-17" not in page  # no ISO dates
    assert "poäng för hur väl personen passar: kunskaper, intressen, tid" in page
    # The proposals fold away: a phone shows a shift per row, the reasons on opening it.
    assert '<details class="match-people">' in page and '<details class="match-item">' in page


def test_after_a_district_wide_run_the_associations_page_shows_that_run(app, world, client, make_user):
    """The ombudsman ran the whole district: Sundsvall's organizer sees its proposals under that run,
    said to be the district's, not "no matching has run for this selection yet"."""
    login(client, make_user("organizer", "Sundsvall"))
    sundsvall = world["sundsvall"].id
    page = client.get(f"/admin/match?association={sundsvall}&week=2030-08-12").text
    assert "Ingen matchning har körts för det här urvalet än." in page
    district = assign.run(None, None)
    db.session.commit()
    page = client.get(f"/admin/match?association={sundsvall}&week=2030-08-12").text
    assert "Ingen matchning har körts för det här urvalet än." not in page
    assert "Senaste körning (hela distriktet):" in page and "bevisat bäst" in page
    # A run of the association's own, made after it, is the newest: no district label.
    own = assign.run(world["sundsvall"], None)
    db.session.commit()
    assert own.id > district.id
    page = client.get(f"/admin/match?association={sundsvall}&week=2030-08-12").text
    assert "Senaste körning:" in page and "(hela distriktet)" not in page
