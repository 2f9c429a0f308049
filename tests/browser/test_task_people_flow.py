"""Done means, in a real browser on a 375 px (and 320 px) phone: Timrå's organizer sees one count of a
shift's places everywhere (1 av 4 bemannade, 2 tillfrågade), the name and phone of the Sundsvall
volunteer booked on their shift, and a Sundsvall replacement candidate by first name and reasons, with
no phone (issue 11, fixes 6 and 7)."""

from __future__ import annotations

from datetime import datetime

from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Role
from tests.conftest import PASSWORD
from tests.support import calllists as cl
from tests.support.browser import layout_problems, log_in
from tests.support.world import add_profile, add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

SAT = datetime(2031, 8, 16)


def _world(load_survey, make_member):
    survey = load_survey()
    timra = cl.org("Timrå")
    shift = add_shift("Bokbord i Timrå centrum", timra, SAT.replace(hour=10), SAT.replace(hour=12), 4)
    sune = make_member("Sune", "Resare", "Sundsvall", phone="+46701112233")
    people = [(sune, AssignmentStatus.ACCEPTED),
              (make_member("Tova", "Timråsson", "Timrå"), AssignmentStatus.PUBLISHED),
              (make_member("Tim", "Timråsson", "Timrå"), AssignmentStatus.PUBLISHED),
              (make_member("Tor", "Timråsson", "Timrå"), AssignmentStatus.DECLINED)]
    for member, status in people:
        db.session.add(Assignment(shift_id=shift.id, member_id=member.id, status=status))
    cecilia = make_member("Cecilia", "Dahlström", "Sundsvall", phone="+46705556677")
    add_profile(survey, cecilia, intervals=[(SAT.replace(hour=9), SAT.replace(hour=17))], travels=True)
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    db.session.commit()
    return shift, organizer


def _fits(page, shot, name):
    for width in (375, 320):
        page.set_viewport_size({"width": width, "height": 667})
        problems = layout_problems(page)
        shot(page, f"{name}-{width}")
        assert problems == [], (name, width, problems)
    page.set_viewport_size({"width": 375, "height": 667})
    shot(page, name)


def test_timra_organizer_sees_who_is_coming(load_survey, make_member, new_page, live, shot):
    shift, organizer = _world(load_survey, make_member)
    page = new_page()
    log_in(page, live.url, organizer.email, PASSWORD)

    page.goto(f"{live.url}/admin/tasks/week?start=2031-08-16")
    expect(page.locator(".week")).to_contain_text("1 av 4 bemannade")
    expect(page.locator(".week")).to_contain_text("2 tillfrågade")
    _fits(page, shot, "week")

    page.get_by_role("link", name="Bokbord i Timrå centrum").click()
    expect(page.locator(".shifts")).to_contain_text("1 av 4 bemannade")
    roster = page.locator(".roster")
    expect(roster).to_contain_text("Sune Resare")
    expect(roster).to_contain_text("070-111 22 33")
    expect(roster).to_contain_text("tackat nej")
    _fits(page, shot, "task")

    page.goto(f"{live.url}/admin/match?week=all")
    expect(page.locator(f"#shift-{shift.id}")).to_contain_text("1 av 4 bemannade")
    page.locator(f"#shift-{shift.id}").get_by_role("link", name="Ersättare").click()
    candidates = page.locator(".match-list")
    expect(candidates).to_contain_text("Cecilia (Sundsvall)")
    expect(candidates).to_contain_text("Ledig lördag")
    assert "Dahlström" not in page.content() and "070-555 66 77" not in page.content()
    _fits(page, shot, "replacements")
