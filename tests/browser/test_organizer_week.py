"""Done means (issue 11), in a real browser on a 375 px phone: the Timrå organizer logs in and sees what
needs doing this week, resolves an open-link answer that matched nobody (it is Maja, who wrote a new phone
number), accepts Maja's corrected phone number, filters members who can drive and are free in week 34 and
makes a call list of them, opens a member and reads their answers, runs the matching for this week's
shift, publishes after a preview, and the week calendar's counts agree with the match page. Every page
is checked for layout problems and by axe.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from survey.extensions import db
from survey.i18n import STOCKHOLM
from survey.models import RegistryMatch, Role, utcnow
from survey.respond import services as responses
from survey.respond import signatures
from survey.spec import availability
from tests.conftest import PASSWORD
from tests.support import calllists as cl
from tests.support.browser import layout_problems, log_in
from tests.support.world import add_profile, add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

WEEK34 = date(2030, 8, 19)


def _answer(survey, member, *, driving: int, week34: bool, note: str | None = None,
            phone: str | None = None, match: RegistryMatch = RegistryMatch.PERSONAL):
    """The member answers skills, time and "Om dig" (prefilled, the phone maybe changed) and sends."""
    key = f"m:{member.id}" if match is RegistryMatch.PERSONAL else f"o:{member.id}"
    sub = responses.submission_by_key(survey, key, member.id)
    sub.registry_match = match
    questions = {q.key: q for q in survey.questions()}
    cal = availability.calendar_from_dict(questions["availability"].calendar)
    weeks = availability.campaign_weeks(cal)
    week = next(w for w in weeks if (w.monday == WEEK34) == week34)
    about = next(s for s in survey.sections if s.key == "about_you").questions
    values = {**responses.prefill(member, about),
              "skills": {"skill:driving": driving} if driving else {"skill:leaflets": 2},
              "availability": [availability.cell_id(week.monday, cal.slots[0].key)]}
    if note:
        values["anything_else"] = note
    if phone:
        values["phone"] = phone
    responses.save_answers(sub, [*about, questions["skills"], questions["availability"],
                                 questions["anything_else"]], values)
    responses.submit(sub, utcnow(), consent=True)


def _world(load_survey):
    survey = load_survey()
    people = cl.members("Timrå", 4)
    names = [("Karin", "Körsbär"), ("Leo", "Lind"), ("Maja", "Mård"), ("Nils", "Nord")]
    for person, (first, last) in zip(people, names, strict=True):
        person.first_name, person.last_name = first, last
        person.phone = f"+4670100000{people.index(person)}"
    karin, leo, maja, _nils = people
    _answer(survey, karin, driving=2, week34=True, note="Ring vardagar efter 18")
    _answer(survey, leo, driving=1, week34=False)
    # Maja answers through the open link with a new phone number: nobody has it, so the answer waits for
    # review, with Maja (same name) as its one candidate.
    stray = responses.submission_by_key(survey, "l:maja", None)
    signatures.sign(stray, "Maja Mård", "070-555 44 33", None)
    signatures.match_registry(stray)
    responses.submit(stray, utcnow(), consent=True)
    # This week: a stall in Timrå with two places and two members free for it.
    soon = datetime.now(STOCKHOLM).replace(tzinfo=None, hour=10, minute=0, second=0, microsecond=0) \
        + timedelta(days=2)
    stall = add_shift("Bokbord i Timrå centrum", cl.org("Timrå"), soon, soon + timedelta(hours=2), 2)
    for first, last in (("Olle", "Ort"), ("Pia", "Pil")):
        volunteer = cl.members("Timrå", 1)[0]
        volunteer.first_name, volunteer.last_name = first, last
        add_profile(survey, volunteer, intervals=[(soon - timedelta(hours=1), soon + timedelta(hours=4))])
    sundsvall = cl.members("Sundsvall", 1)[0]
    _answer(survey, sundsvall, driving=2, week34=True)
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    db.session.commit()
    return survey, organizer, karin, maja, stall


def _fine(page):
    assert layout_problems(page) == [], page.url


def test_the_organizers_week_in_timra(load_survey, new_page, live, shot):
    survey, organizer, karin, maja, stall = _world(load_survey)
    page = new_page()
    log_in(page, live.url, organizer.email, PASSWORD)

    # What needs doing this week.
    expect(page.get_by_role("heading", level=1)).to_have_text("Idag")
    expect(page.get_by_role("link", name="1 pass saknar folk")).to_be_visible()
    _fine(page)
    shot(page, "today")

    # The open-link answer that matched nobody is Maja's.
    page.get_by_role("link", name="1 svar behöver granskas").click()
    item = page.locator("section.review", has=page.get_by_role("heading", name="Maja Mård"))
    expect(item).to_contain_text("070-555 44 33")
    _fine(page)
    item.get_by_role("button", name="Det här är Maja Mård").click()
    expect(page.locator("main")).to_contain_text("Svaret är kopplat till Maja Mård.")

    # Her new phone number waits for the organizer: accepted.
    page.goto(f"{live.url}/admin/today")
    page.get_by_role("link", name="1 ändring från enkäten väntar på dig").click()
    expect(page.locator("main")).to_contain_text("070-555 44 33")
    _fine(page)
    shot(page, "corrections")
    page.get_by_role("button", name="Ändra i registret – Telefon, Maja Mård").click()
    expect(page.locator("main")).to_contain_text("Telefon för Maja Mård är ändrat i registret.")
    expect(page.locator("main")).to_contain_text("Inget väntar.")
    db.session.expire_all()
    db.session.refresh(maja)
    assert maja.phone == "+46705554433"

    # Find who can drive and is free in week 34.
    page.goto(f"{live.url}/admin/members")
    page.get_by_text("Fler villkor").click()
    page.get_by_label("Förmåga").select_option("driving")
    page.get_by_label("Ledig någon gång vecka").select_option(WEEK34.isoformat())
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("status")).to_contain_text("1 aktiv medlem matchar alla villkor.")
    expect(page.get_by_role("link", name="Körsbär, Karin")).to_be_visible()
    expect(page.get_by_role("link", name="Lind, Leo")).to_have_count(0)
    _fine(page)
    shot(page, "filtered")

    # Their answers, in words.
    page.get_by_role("link", name="Körsbär, Karin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Karin Körsbär")
    expect(page.locator("main")).to_contain_text("Ring vardagar efter 18")
    expect(page.locator("main")).to_contain_text("Köra bil (egen bil) (van)")
    _fine(page)
    shot(page, "member")

    # A call list of the same people, the filter handed over.
    page.go_back()
    page.get_by_role("link", name="Gör en ringlista av urvalet").click()
    expect(page.locator("#target-skill")).to_have_value("driving")
    expect(page.locator("#target-free_week")).to_have_value(WEEK34.isoformat())
    page.get_by_role("button", name="Räkna").click()
    expect(page.locator(".counts")).to_contain_text("1 medlem matchar alla villkor")
    _fine(page)

    # This week's shift: match, preview, publish.
    page.goto(f"{live.url}/admin/today")
    page.get_by_role("link", name="1 pass saknar folk").click()
    box = page.locator(f"section#shift-{stall.id}")
    expect(box).to_contain_text("0 av 2 bemannade")
    page.get_by_role("button", name="Kör matchning").click()
    expect(page.locator("body")).to_contain_text("Matchningen är klar: 2 förslag.")
    _fine(page)
    page.get_by_role("button", name="Publicera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publicera förslagen?")
    expect(page.locator("main")).to_contain_text("Olle Ort")
    _fine(page)
    shot(page, "preview")
    page.get_by_role("button", name="Publicera", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publicerat")

    # The week calendar and the match page count the same: asked is not staffed.
    monday = stall.start_local.date() - timedelta(days=stall.start_local.weekday())
    page.goto(f"{live.url}/admin/tasks/week?start={monday.isoformat()}")
    expect(page.locator(".week")).to_contain_text("0 av 2 bemannade")
    expect(page.locator(".week")).to_contain_text("2 tillfrågade")
    _fine(page)
    page.goto(f"{live.url}/admin/match?week={monday.isoformat()}")
    expect(page.locator(f"section#shift-{stall.id}")).to_contain_text("0 av 2 bemannade")
    expect(page.locator(f"section#shift-{stall.id}")).to_contain_text("2 tillfrågade")
