"""Done means, in a real browser on a 375 px phone: the Timrå organizer logs in and lands on "Idag", sees
what is waiting this week (an empty shift, an unanswered ask, a draft, a call list) and follows the shift
link to the match page of that week; the district's table fits a 320 px phone."""

from __future__ import annotations

from datetime import datetime, timedelta

from survey.extensions import db
from survey.i18n import STOCKHOLM
from survey.models import Assignment, AssignmentStatus, RegistryMatch, Role, Submission, SubmissionStatus
from tests.conftest import PASSWORD
from tests.support import calllists as cl
from tests.support.browser import layout_problems, log_in
from tests.support.world import add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None


def _world(load_survey):
    survey = load_survey()
    timra = cl.org("Timrå")
    people = cl.members("Timrå", 3)
    cl.members("Örnsköldsvik", 2)
    tomorrow = datetime.now(STOCKHOLM) + timedelta(days=1)
    start = tomorrow.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    shift = add_shift("Bokbord i Timrå centrum", timra, start, start + timedelta(hours=2), 2)
    db.session.add(Assignment(shift=shift, member=people[0], status=AssignmentStatus.PUBLISHED))
    db.session.add(Submission(survey=survey, member=people[1], respondent_key=f"m:{people[1].id}",
                              registry_match=RegistryMatch.PERSONAL, status=SubmissionStatus.DRAFT))
    db.session.commit()
    cl.call_list("Ring dem som inte svarat", "Timrå")
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    admin = cl.user("ombud@example.org", Role.ADMIN)
    db.session.commit()
    return organizer, admin


def test_the_organizer_lands_on_today_and_acts_on_an_item(load_survey, new_page, live, shot):
    organizer, admin = _world(load_survey)

    phone = new_page()
    log_in(phone, live.url, organizer.email, PASSWORD)
    assert phone.url.endswith("/admin/today")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Idag")
    main = phone.locator("main")
    expect(main).to_contain_text("2 platser att fylla de närmaste sju dagarna")
    expect(main).to_contain_text("1 medlem har påbörjat enkäten men inte skickat den")
    expect(main).to_contain_text("Inga svar väntar på granskning.")
    expect(phone.get_by_role("link", name="Ring dem som inte svarat: 3 att ringa nu")).to_be_visible()
    assert "Örnsköldsvik" not in main.inner_text()
    assert layout_problems(phone) == []
    shot(phone, "organizer")
    expect(phone.get_by_role("link", name="1 medlem har inte svarat på en förfrågan")).to_be_visible()
    phone.get_by_role("link", name="1 pass saknar folk").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Matchning: Timrå")
    expect(phone.locator("main")).to_contain_text("Bokbord i Timrå centrum")

    small = new_page(viewport={"width": 320, "height": 640})
    log_in(small, live.url, admin.email, PASSWORD)
    small.get_by_role("link", name="Fortsätt utan att slå på nu").click()  # two-factor set-up comes first
    expect(small.get_by_role("heading", level=1)).to_have_text("Idag")
    expect(small.locator("table.today-table")).to_contain_text("Örnsköldsvik")
    assert layout_problems(small) == []
    shot(small, "district")
