"""Issue 11: the organizer of a task sees who is asked to it, travelling members of other associations
too (name and phone, `access.can_see_contact`), and chooses replacements by their reasons; nothing
else of another association's member (the member page stays 404).

The world is the `world` fixture in conftest.py: Cy (Timrå) travels and can knock on doors.
"""

from __future__ import annotations

from datetime import datetime

from outreach.match import services as assign
from survey.core import access
from survey.extensions import db
from survey.models import RuleKind, Shift
from tests.conftest import login


def _cy_replaces_anna_on_the_door(world) -> Shift:
    """Anna is asked to the door and declines: Cy (Timrå) is the one who could take it now."""
    world["cy"].phone = "+46705556677"
    assign.set_rule(world["door"], world["anna"], RuleKind.PIN)
    assign.run(None, None, datetime(2030, 8, 1))
    result = assign.publish(None, shift_ids={world["door"].id})
    asked = next(a for a, _url in result.not_mailed if a.member_id == world["anna"].id)
    assert assign.respond(asked, accept=False)
    db.session.commit()
    return db.session.get(Shift, world["door"].id)


def test_a_candidate_of_another_association_is_a_first_name_with_reasons(app, world, client, make_user):
    door = _cy_replaces_anna_on_the_door(world)
    login(client, make_user("organizer", "Sundsvall"))
    page = client.get(f"/admin/match/shifts/{door.id}/replacements").text
    assert "Cy (Timrå)" in page and "Cy Tall" not in page and "070-555 66 77" not in page
    assert ("Lite: " in page or "Van: " in page) and "Ledig lördag" in page  # the reasons to choose by
    assert "Medlem i Timrå" not in page


def test_once_asked_the_task_organizer_sees_name_and_phone_and_nothing_more(app, world, client, make_user):
    door = _cy_replaces_anna_on_the_door(world)
    login(client, make_user("organizer", "Sundsvall"))
    offered = client.post(f"/admin/match/shifts/{door.id}/offer", data={"member": world["cy"].id})
    assert offered.status_code == 200
    task = client.get(f"/admin/tasks/{door.task_id}").text
    assert "Cy Tall" in task and "070-555 66 77" in task and "tillfrågad" in task
    assert "Anna Al" in task and "tackat nej" in task
    assert "Cy Tall" in client.get("/admin/match?week=all").text
    sms = client.post("/admin/match/sms.csv", data={"association": world["sundsvall"].id}).text
    assert "070-555 66 77" in sms
    # Nothing else of Cy: no member page, no export of their answers.
    assert client.get(f"/admin/members/{world['cy'].id}").status_code == 404
    assert client.post(f"/admin/privacy/members/{world['cy'].id}/export").status_code == 404
    # Timrå's organizer does not organize Sundsvall's door: the task itself answers 404 there.
    client.post("/admin/logout")
    login(client, make_user("organizer", "Timrå"))
    assert client.get(f"/admin/tasks/{door.task_id}").status_code == 404


def test_the_rule(app, world, make_user):
    door = _cy_replaces_anna_on_the_door(world)
    sundsvall, timra = make_user("organizer", "Sundsvall"), make_user("organizer", "Timrå")
    cy, task = world["cy"], door.task
    assert not access.can_see_contact(sundsvall, cy, task)  # a candidate, not asked yet
    assert access.person_label(sundsvall, cy, task) == "Cy (Timrå)"
    assign.offer(door, cy)
    assert access.can_see_contact(sundsvall, cy, task)
    assert access.person_label(sundsvall, cy, task) == "Cy Tall"
    # Asked to Sundsvall's door gives nothing on Sundsvall's other task, nor to another organizer.
    assert not access.can_see_contact(sundsvall, cy, world["stall"].task)
    assert access.can_see_contact(timra, cy, task)  # their own member, anywhere
    assert access.can_see_contact(make_user("admin"), cy, task) and access.can_see_contact(None, cy, task)
    assert access.person_label(make_user("caller"), cy, task) == "Medlem i Timrå"
