"""The ombudsman runs matching, pins two people, publishes; members answer on their phones.

The issue's "done means", in a real browser: every step goes through the pages (forms, CSRF, redirects),
only the world is seeded directly. Members: Anna (canvassing, experienced), Bo, Cy (canvassing, some),
Dag, all in Sundsvall and free Saturday 10-16. Shifts: a door-knocking shift that needs canvassing
(1 place, experience preferred) and a stall (2 places), both that Saturday.
"""

from __future__ import annotations

import re
from datetime import datetime

from survey.extensions import db
from tests.conftest import PASSWORD
from tests.support.browser import layout_problems, log_in
from tests.support.world import add_profile, add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

SAT = datetime(2030, 8, 17)
DESKTOP = {"width": 1280, "height": 900}


def _world(load_survey, make_member, make_user):
    survey = load_survey()
    free = [(SAT.replace(hour=10), SAT.replace(hour=16))]
    people = {}
    for first, skills in (("Anna", {"canvassing": 3}), ("Bo", {}), ("Cy", {"canvassing": 1}), ("Dag", {})):
        people[first] = make_member(first, "Svensson")
        add_profile(survey, people[first], skills=skills, intervals=free)
    org = people["Anna"].association
    door = add_shift("Dörrknack i Stenstan", org, SAT.replace(hour=11), SAT.replace(hour=13), 1,
                     required_skills=["canvassing"], preferred_skills=["canvassing"])
    stall = add_shift("Bokbord på torget", org, SAT.replace(hour=13), SAT.replace(hour=15), 2)
    admin = make_user("admin", email="ombudsman@example.org")
    db.session.commit()
    return people, door, stall, admin


def _shift(page, shift):
    return page.locator(f"section#shift-{shift.id}")


def _open(page, shift):
    """Unfold a shift's people (the page folds them, so a busy week stays a few screens on a phone)."""
    people = _shift(page, shift).locator("details.match-people")
    if people.get_attribute("open") is None:
        people.locator("> summary").click()


def _pin(page, shift, member):
    _open(page, shift)
    page.select_option(f"#pin-{shift.id}", str(member.id))
    # Wait for the redirect back: the flash alone would match the previous pin's identical message.
    with page.expect_navigation(url=re.compile(r"/admin/match\?")):
        page.locator(f"form.pin-form:has(#pin-{shift.id})").get_by_role("button", name="Lås").click()
    expect(page.locator(".flash")).to_contain_text("Sparat")


def test_ombudsman_pins_two_publishes_and_members_answer_on_phones(load_survey, make_member, make_user,
                                                                 new_page, live, shot):
    people, door, stall, admin = _world(load_survey, make_member, make_user)

    office = new_page(viewport=DESKTOP)
    log_in(office, live.url, admin.email, PASSWORD)
    office.get_by_role("link", name="Matchning").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Matchning: hela distriktet")

    office.get_by_role("button", name="Kör matchning").click()
    expect(office.locator("body")).to_contain_text("Matchningen är klar: 3 förslag.")
    # Anna, the experienced canvasser, is proposed for the door, with her reasons.
    expect(_shift(office, door)).to_contain_text("Anna Svensson")
    expect(_shift(office, door)).to_contain_text("Van: dörrknackning")
    shot(office, "proposal")

    # The ombudsman wants Cy on the door (to learn) and Dag at the stall, and re-runs.
    _pin(office, door, people["Cy"])
    _pin(office, stall, people["Dag"])
    office.get_by_role("button", name="Kör matchning").click()
    door_box, stall_box = _shift(office, door), _shift(office, stall)
    expect(door_box.locator("li", has_text="Cy Svensson")).to_contain_text("Låst")
    expect(door_box.locator("ul.match-list")).not_to_contain_text("Anna Svensson")  # its one place: Cy
    expect(stall_box.locator("li", has_text="Dag Svensson")).to_contain_text("Låst")
    shot(office, "pinned")

    # Publishing first shows who gets what; cancelling changes nothing, confirming publishes.
    office.get_by_role("button", name="Publicera").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Publicera förslagen?")
    expect(office.locator("main")).to_contain_text("Cy Svensson")
    expect(office.locator("main")).to_contain_text("Dörrknack i Stenstan · lör 17 aug. 11:00–13:00")
    shot(office, "publish-preview")
    office.get_by_role("link", name="Avbryt").first.click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Matchning: hela distriktet")
    expect(_shift(office, door).locator("li", has_text="Cy Svensson")).to_contain_text("föreslagen")
    office.get_by_role("button", name="Publicera").click()
    office.get_by_role("button", name="Publicera", exact=True).first.click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Publicerat")
    links = dict(re.findall(r"(\w+) Svensson – [^\n]*\n(http://kk\.test/t/\S+)", office.inner_text("main")))
    assert set(links) == {"Cy", "Dag", *({"Anna", "Bo"} & set(links))} and len(links) == 3

    # Cy accepts on a phone; Dag declines on another.
    cy = new_page()
    cy.goto(links["Cy"].replace("http://kk.test", live.url))
    expect(cy.get_by_role("heading", level=1)).to_have_text("Dörrknack i Stenstan")
    assert layout_problems(cy) == []
    cy.get_by_role("button", name="Ja, jag kommer").click()
    expect(cy.locator("main")).to_contain_text("Du är bokad")
    expect(cy.locator(".member-tasks")).to_contain_text("Dörrknack i Stenstan")
    shot(cy, "accepted")

    dag = new_page()
    dag.goto(links["Dag"].replace("http://kk.test", live.url))
    dag.get_by_role("button", name="Nej, jag kan inte").click()
    expect(dag.locator("main")).to_contain_text("Du har tackat nej")

    # The organizer's phone: the menu folded, the heading near the top, one shift a row.
    pocket = new_page()
    log_in(pocket, live.url, admin.email, PASSWORD)
    pocket.goto(f"{live.url}/admin/match?week=all")
    assert pocket.get_by_role("heading", level=1).bounding_box()["y"] < 150
    _open(pocket, door)
    expect(_shift(pocket, door).locator("li", has_text="Cy Svensson")).to_be_visible()
    assert layout_problems(pocket) == []
    shot(pocket, "phone")
    pocket.locator("summary", has_text="Meny").click()
    expect(pocket.get_by_role("link", name="Uppgifter")).to_be_visible()

    # Back at the office: the answers show, and a replacement for Dag's place is one click away.
    office.goto(f"{live.url}/admin/match?week=all")
    expect(_shift(office, door).locator("li", has_text="Cy Svensson")).to_contain_text("tackat ja")
    stall_box = _shift(office, stall)
    expect(stall_box.locator("li", has_text="Dag Svensson")).to_contain_text("tackat nej")
    stall_box.get_by_role("link", name="Ersättare").click()
    candidates = office.locator("ol.match-list > li")
    expect(candidates.first).to_be_visible()
    assert "Dag Svensson" not in office.locator("ol.match-list").inner_text()  # he said no
    shot(office, "replacements")
    chosen = candidates.first.locator(".who").inner_text()
    candidates.first.get_by_role("button", name="Erbjud").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Publicerat")
    expect(office.locator("main")).to_contain_text(chosen)


def test_a_district_run_as_a_job_from_the_button_to_its_result_on_a_phone(
        browser_app, load_survey, make_member, make_user, new_page, live, shot):
    """With jobs on, "Kör matchning" for the district opens the job's page; its result links back to the
    proposals. Huey runs the task at once here, as a free worker would."""
    people, door, _stall, admin = _world(load_survey, make_member, make_user)
    browser_app.config["JOBS_ENABLED"] = True
    browser_app.extensions["huey"].immediate = True
    phone = new_page()  # 375 x 667
    log_in(phone, live.url, admin.email, PASSWORD)
    phone.goto(f"{live.url}/admin/match")
    phone.get_by_role("button", name="Kör matchning").click()
    expect(phone).to_have_url(re.compile(r"/admin/jobs/\d+$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Matchning: hela distriktet")
    expect(phone.get_by_role("status")).to_contain_text("Klart")
    expect(phone.locator("main")).to_contain_text("Matchningen är klar: 3 förslag, bevisat optimala.")
    assert layout_problems(phone) == []
    shot(phone, "job")
    phone.get_by_role("link", name="Öppna resultatet").click()
    expect(phone).to_have_url(re.compile(r"/admin/match\?week=2030-08-17#shift-\d+$"))
    expect(_shift(phone, door)).to_contain_text("Anna Svensson")
    assert layout_problems(phone) == []
