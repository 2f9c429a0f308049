"""Done means, in a real browser: the Timrå organizer makes "Ring dem som inte svarat" with three callers;
three callers on three 375 px phones call at once and get different people; one takes a member's survey
by phone, one records a member's yes to a task (the match page shows it "via telefon"), one flags the
organizer; a no-answer does not come back before its cooldown; the organizer sees progress and why
people are blocked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from outreach.match import services as assign
from survey.extensions import db
from survey.models import Assignment, Role, Submission, SubmissionStatus
from tests.conftest import PASSWORD
from tests.support import calllists as cl
from tests.support.browser import layout_problems, log_in
from tests.support.world import add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

DESKTOP = {"width": 1280, "height": 900}
NAMES = [("Anna", "Ask"), ("Bertil", "Berg"), ("Cecilia", "Dahl"), ("Dragan", "Ek"), ("Eva", "Falk"),
         ("Fredrik", "Gran"), ("Greta", "Holm")]


def _world(load_survey):
    survey = load_survey()
    timra = cl.org("Timrå")
    people = cl.members("Timrå", len(NAMES))
    for person, (first, last) in zip(people, NAMES, strict=True):
        person.first_name, person.last_name = first, last
    cl.members("Ånge", 3)
    shift = add_shift("Bokbord i Timrå centrum", timra, datetime(2031, 8, 16, 10),
                      datetime(2031, 8, 16, 12), 10)
    for person in people:
        asked = Assignment(shift_id=shift.id, member_id=person.id)
        db.session.add(asked)
        assign.issue_token(asked)
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    callers = [cl.user(f"ringare{i}@timra.example") for i in (1, 2, 3)]
    db.session.commit()
    return survey, organizer, callers


def _log_in(page, url, email):
    log_in(page, url, email, PASSWORD)


def _next(page):
    page.get_by_role("button", name="Nästa person").click()
    expect(page.get_by_role("heading", level=2, name="Hur gick samtalet?")).to_be_visible()
    return page.get_by_role("heading", level=1).inner_text()


def test_phone_bank_evening_in_timra(load_survey, new_page, live, shot):
    survey, organizer, callers = _world(load_survey)

    office = new_page(viewport=DESKTOP)
    _log_in(office, live.url, organizer.email)
    office.get_by_role("link", name="Ringlistor", exact=True).click()
    office.get_by_role("link", name="Ny ringlista").click()
    office.get_by_label("Namn på listan").fill("Ring dem som inte svarat")
    office.get_by_label("Manus").fill("Hej {förnamn}! Jag ringer från Vänstern i Timrå.")
    office.locator("#target-answered").select_option("not_answered")
    office.locator("#target-survey").select_option(str(survey.id))
    office.locator("#survey").select_option(str(survey.id))
    office.get_by_label("personen har svarat på enkäten").check()
    office.get_by_label("Vänta så här många timmar efter ett samtal utan kontakt").fill("4")
    office.get_by_label("Ringare (e-postadresser").fill("\n".join(c.email for c in callers))
    office.get_by_role("button", name="Räkna").click()
    expect(office.locator(".counts")).to_contain_text("7 medlemmar matchar alla villkor")
    office.get_by_role("button", name="Spara listan").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Ring dem som inte svarat")
    list_url = office.url

    phones = []
    for caller in callers:
        phone = new_page()
        _log_in(phone, live.url, caller.email)
        phone.get_by_role("link", name="Ring dem som inte svarat").click()
        phones.append(phone)
    held = [_next(phone) for phone in phones]
    assert len(set(held)) == 3, held  # three callers, three different people
    surveyor, asker, flagger = phones
    assert layout_problems(surveyor) == []
    expect(surveyor.locator(".script")).to_contain_text(f"Hej {held[0].split()[0]}!")
    shot(surveyor, "caller-screen")

    # 1. The survey by phone: the member's own walk, consent read aloud and given verbally.
    surveyor.get_by_role("link", name="Ta enkäten per telefon").click()
    for _page in range(12):
        main = surveyor.locator("main")
        if main.get_by_text("Telefonsamtal", exact=True).count():
            main.get_by_text("Telefonsamtal", exact=True).click()
        if main.get_by_text("Läs upp för medlemmen:").count():
            expect(main.locator("blockquote")).to_contain_text("Jag går med på")
            main.get_by_label("Medlemmen har sagt ja muntligt i samtalet").check()
        main.get_by_role("button", name="Nästa", exact=True).click()
        if surveyor.get_by_role("heading", level=1, name="Medlemmens svar").count():
            break
    surveyor.get_by_role("button", name="Skicka in för medlemmen").click()
    expect(surveyor.locator(".flash")).to_contain_text("Enkätsvaren är sparade")
    surveyor.get_by_role("button", name="Nådd", exact=True).click()
    first, last = held[0].split(" ", 1)
    sheet = db.session.scalar(sa.select(Submission).join(Submission.member).where(
        Submission.status == SubmissionStatus.SUBMITTED, Submission.via == "phone"))
    assert sheet is not None and sheet.member.first_name == first and sheet.consent_via == "verbal"

    # 2. A yes to the proposed task, said on the phone.
    asker.locator(".asks").get_by_role("button", name="Ja").click()
    expect(asker.locator(".flash")).to_contain_text("ja till uppgiften")
    asker.get_by_role("button", name="Nådd", exact=True).click()

    # 3. Needs organizer action, with a message.
    flagger.locator("details.flag summary").click()
    flagger.get_by_label("Behöver åtgärd av en organisatör").check()
    flagger.get_by_label("Meddelande till organisatören").fill("Vill byta till Sundsvalls förening")
    flagger.get_by_role("button", name="Nådd", exact=True).click()

    # A no-answer does not come back before its cooldown.
    no_answer = _next(flagger)
    flagger.get_by_role("button", name="Inget svar", exact=True).click()
    after = _next(flagger)
    assert after not in held and after != no_answer

    # The organizer sees the progress and why people are blocked.
    office.goto(list_url)
    tiles = office.locator("dl.tiles")
    expect(tiles).to_contain_text("Personer på listan")
    blocked = office.locator("table.blocked")
    expect(blocked.locator("tr", has_text="Väntar efter ett samtal utan kontakt")).to_contain_text("1")
    expect(blocked.locator("tr", has_text="Behöver åtgärd av en organisatör")).to_contain_text("1")
    expect(blocked.locator("tr", has_text="Hos en ringare just nu")).to_contain_text("1")
    expect(office.locator("main")).to_contain_text("1 samtal väntar på en organisatör")
    office.get_by_role("link", name="1 samtal väntar på en organisatör").click()
    expect(office.locator("main")).to_contain_text("Vill byta till Sundsvalls förening")
    office.goto(f"{live.url}/admin/match?week=all")
    accepted = office.locator("li", has_text=held[1])
    expect(accepted).to_contain_text("tackat ja")
    expect(accepted).to_contain_text("via telefon")

    organizer_phone = new_page()
    _log_in(organizer_phone, live.url, organizer.email)
    organizer_phone.goto(list_url)
    assert layout_problems(organizer_phone) == []
    shot(organizer_phone, "organizer-list")


def test_caller_screen_works_without_javascript(load_survey, new_page, live):
    _survey, _organizer, callers = _world(load_survey)
    cl.call_list("Utan skript", "Timrå", [callers[0]])
    page = new_page(java_script_enabled=False)
    _log_in(page, live.url, callers[0].email)
    page.get_by_role("link", name="Utan skript").click()
    name = _next(page)
    page.get_by_role("button", name="Upptaget", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Sparat: Upptaget")
    assert _next(page) != name
