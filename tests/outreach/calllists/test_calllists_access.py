"""A Timrå caller reaches their own list and the person they hold, nothing else, even by guessing ids;
organizers see only their association's lists."""

from __future__ import annotations

import sqlalchemy as sa

from outreach.calllists import queue
from survey.extensions import db
from survey.models import CallList, CallTarget, Role, utcnow
from tests.conftest import login
from tests.support import calllists as cl


def test_a_timra_caller_cannot_reach_other_lists_or_targets_by_guessing(client):
    cl.members("Timrå", 3)
    cl.members("Ånge", 3)
    me, other = cl.user("me@example.org"), cl.user("other@example.org")
    timra = cl.call_list("Timrå ringer", "Timrå", [me, other])
    ange = cl.call_list("Ånge ringer", "Ånge", [other])
    theirs = queue.next_target(timra, other, utcnow())
    ange_target = queue.next_target(ange, other, utcnow())
    db.session.commit()
    login(client, me)
    assert "Ånge ringer" not in client.get("/calls/").text
    assert client.get(f"/calls/{ange.id}").status_code == 404
    assert client.post(f"/calls/{ange.id}/next").status_code == 404
    mine = int(client.post(f"/calls/{timra.id}/next").location.rsplit("/", 1)[1])
    assert mine != theirs.id
    last_list = db.session.scalar(sa.select(sa.func.max(CallList.id)))
    last_target = db.session.scalar(sa.select(sa.func.max(CallTarget.id)))
    for list_id in range(1, last_list + 3):
        for target_id in range(1, last_target + 3):
            status = client.get(f"/calls/{list_id}/t/{target_id}").status_code
            expected = 200 if (list_id, target_id) == (timra.id, mine) else 404
            assert status == expected, (list_id, target_id)
    # Not even an outcome for someone else's (or an Ånge) target.
    assert client.post(f"/calls/{timra.id}/t/{theirs.id}", data={"outcome": "reached"}).status_code == 404
    assert client.post(f"/calls/{ange.id}/t/{ange_target.id}", data={"outcome": "reached"}).status_code == 404
    assert client.get("/admin/calls/").status_code == 403  # callers never see the organizer pages


def test_organizers_see_only_their_associations_lists(client):
    cl.members("Timrå", 1)
    cl.members("Ånge", 1)
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    timra = cl.call_list("Timrå ringer", "Timrå")
    ange = cl.call_list("Ånge ringer", "Ånge")
    login(client, organizer)
    index = client.get("/admin/calls/").text
    assert "Timrå ringer" in index and "Ånge ringer" not in index
    assert client.get(f"/admin/calls/{timra.id}").status_code == 200
    for path in (f"/admin/calls/{ange.id}", f"/admin/calls/{ange.id}/edit", f"/admin/calls/{ange.id}/flags",
                 f"/calls/{ange.id}"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/admin/calls/{ange.id}/export.csv").status_code == 404
