"""Done means, in a real browser on a 375 px phone: an admin follows "granskas" from the survey overview to
the review page, sees what an open-link respondent typed and who might be meant, picks the member, and the
answer leaves the list while the other waits; every page passes axe and the layout checks.
"""

from __future__ import annotations

import random

from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import Submission, utcnow
from survey.respond import signatures
from tests.conftest import PASSWORD
from tests.support.browser import layout_problems, log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None


def _open_answer(survey, rng, name: str, phone: str) -> Submission:
    sub = answer_survey(survey, None, rng, utcnow())
    signatures.sign(sub, name, phone, None)
    signatures.match_registry(sub)
    return sub


def test_an_admin_ties_an_unmatched_answer_to_a_member(
    load_survey, make_member, make_user, new_page, live, shot
):
    survey = load_survey()
    member = make_member("Karin", "Lindqvist", phone="+46705550001", association="Härnösand")
    make_member("Per", "Holm", association="Kramfors")
    rng = random.Random(11)
    # A new phone number, so nobody matched on submit; the name is the same as Karin's.
    answer = _open_answer(survey, rng, "Karin Lindqvist", "070-555 99 99")
    other = _open_answer(survey, rng, "Okänd Person", "070-555 88 88")
    admin = make_user("admin", email="admin@example.org")
    db.session.commit()
    assert answer.registry_match.value == "unmatched"

    page = new_page()
    log_in(page, live.url, admin.email, PASSWORD)
    page.goto(f"{live.url}/admin/surveys/{survey.slug}")
    page.get_by_role("link", name="ingen medlem hittad, granskas: 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Granska svar via öppna länken")
    item = page.locator("section.review", has=page.get_by_role("heading", name="Karin Lindqvist"))
    expect(item).to_contain_text("070-555 99 99")
    expect(item).to_contain_text("samma namn")
    assert layout_problems(page) == []
    shot(page, "review-list")
    page.set_viewport_size({"width": 320, "height": 640})  # the smallest phones still in use
    assert layout_problems(page) == []
    shot(page, "review-list-320")
    page.set_viewport_size({"width": 375, "height": 667})

    item.get_by_role("button", name="Det här är Karin Lindqvist").click()
    expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text(
        "Svaret är kopplat till Karin Lindqvist."
    )
    expect(page.get_by_role("heading", level=2, name="Karin Lindqvist")).to_have_count(0)
    expect(page.get_by_role("heading", level=2, name="Okänd Person")).to_be_visible()
    assert layout_problems(page) == []
    shot(page, "review-after")

    db.session.expire_all()
    assert db.session.get(Submission, answer.id).member_id == member.id
    assert db.session.get(Submission, other.id).member_id is None
