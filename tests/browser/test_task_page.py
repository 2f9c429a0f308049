"""Done means, in a real browser at 375 px (and 320 px): a member opens their task link and sees only Ja/Nej;
says yes and sees the booking with its time and place and the calendar link; taps "Jag kan inte ändå",
confirms on the second step, and the place is released, with a way back while it is still free.
"""

from __future__ import annotations

import re
from datetime import datetime

from outreach.match import offers
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus
from tests.support.browser import layout_problems
from tests.support.world import add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

NARROW = {"width": 320, "height": 640}


def _check(page, narrow) -> None:
    """No layout problems here, nor on the same page at 320 px."""
    assert layout_problems(page) == []
    narrow.goto(page.url)
    assert layout_problems(narrow) == []


def test_member_accepts_then_gives_the_place_back_after_confirming(
    make_member, make_user, new_page, live, shot
):
    anna = make_member("Anna", "Andersson", email="anna@example.org")
    make_user("organizer", "Sundsvall", email="samordnare.sundsvall@example.org")
    shift = add_shift(
        "Dörrknack i Stenstan",
        anna.association,
        datetime(2031, 8, 16, 11),
        datetime(2031, 8, 16, 13),
        1,
        notes="Samling vid fontänen. Ta med bekväma skor.",
    )
    asked = Assignment(shift_id=shift.id, member_id=anna.id)
    db.session.add(asked)
    link = f"{live.url}/t/{offers.issue_token(asked)}"
    db.session.commit()

    page, narrow = new_page(), new_page(viewport=NARROW)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dörrknack i Stenstan")
    expect(page.get_by_role("link", name="samordnare.sundsvall@example.org")).to_be_visible()
    expect(page.get_by_role("link", name="Lägg till i din kalender")).to_have_count(0)  # nothing to add yet
    expect(page.get_by_role("button", name="Nej, jag kan inte")).to_be_visible()
    _check(page, narrow)
    shot(page, "asked")

    page.get_by_role("button", name="Ja, jag kommer").click()
    booked = page.get_by_role("status")
    expect(booked).to_contain_text("Du är bokad")
    expect(booked).to_contain_text("Lördag 16 augusti 2031, 11:00–13:00")
    expect(booked).to_contain_text("Torget")
    expect(page.get_by_role("link", name="Lägg till i din kalender")).to_have_attribute(
        "href", re.compile(r"^http://kk\.test/ics/member/")
    )
    expect(page.get_by_role("button", name="Nej, jag kan inte")).to_have_count(0)
    _check(page, narrow)
    shot(page, "booked")

    page.get_by_role("link", name="Jag kan inte ändå").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Är du säker?")
    expect(page.locator("main")).to_contain_text("frågar någon annan")
    _check(page, narrow)
    shot(page, "confirm")
    db.session.expire_all()
    assert db.session.get(Assignment, asked.id).status is AssignmentStatus.ACCEPTED  # not yet

    page.get_by_role("button", name="Ja, släpp min plats").click()
    expect(page.get_by_role("status")).to_contain_text("Du har tackat nej")
    expect(page.get_by_role("button", name="Jag kan ändå")).to_be_visible()
    expect(page.get_by_role("link", name="Lägg till i din kalender")).to_have_count(0)
    _check(page, narrow)
    shot(page, "released")
    db.session.expire_all()
    assert db.session.get(Assignment, asked.id).status is AssignmentStatus.DECLINED
