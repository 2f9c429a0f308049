"""Admin pages on a 375 px phone: the menu folds so the heading is near the top, and the survey's
answers-per-association table fits without sideways scrolling (issue 11, fix 10)."""

from __future__ import annotations

from datetime import datetime

from survey.extensions import db
from tests.conftest import PASSWORD
from tests.support.browser import layout_problems, log_in
from tests.support.world import add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

ASSOCIATIONS = ("Sundsvall", "Örnsköldsvik", "Härnösand", "Sollefteå")


def _heading_top(page) -> float:
    return page.get_by_role("heading", level=1).bounding_box()["y"]


def test_admin_pages_fit_a_phone(load_survey, make_member, make_user, new_page, live, shot):
    survey = load_survey()
    for name in ASSOCIATIONS:
        make_member("Kim", name, association=name)
    add_shift(
        "Bokbord på torget",
        make_member("Alva", "Ek").association,
        datetime(2030, 8, 17, 10),
        datetime(2030, 8, 17, 12),
        2,
    )
    admin = make_user("admin")
    db.session.commit()

    phone = new_page()
    log_in(phone, live.url, admin.email, PASSWORD)
    phone.goto(f"{live.url}/admin/surveys/{survey.slug}")
    assert _heading_top(phone) < 150
    table = phone.locator("table.stack")
    for name in ASSOCIATIONS:
        expect(table.get_by_role("rowheader", name=name)).to_be_visible()
    assert layout_problems(phone) == []  # no sideways scroll, no word split, 44 px targets
    shot(phone, "survey")

    # The menu is one tap away, and folds back.
    menu = phone.locator("summary", has_text="Meny")
    expect(phone.get_by_role("link", name="Uppgifter")).to_be_hidden()
    menu.click()
    phone.get_by_role("link", name="Uppgifter").click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert _heading_top(phone) < 260  # the tasks' own sub-menu adds two rows of links
    phone.goto(f"{live.url}/admin/tasks/week")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("v. 33")  # the week with the shift
    assert layout_problems(phone) == []
    shot(phone, "week")
