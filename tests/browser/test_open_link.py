"""The open link (the QR code's and the flyer's target) on a small phone: each thing is asked once.

Issue 11: the walk used to show the introduction twice and ask for name, phone and email on "Vem är du?"
and again, empty, under "Om dig". Here a member goes from the QR code's URL to "Tack" and no question
label may appear on two pages; every page gets the layout checks, and axe runs on all of them.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.invitations import services as invitations
from tests.support.browser import layout_problems

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 640}
INTRO_START = "Valet 2030 närmar sig"
CONTACT = "Hur vill du helst att vi hör av oss? (måste fyllas i)"
CONSENT = "Jag går med på att partiet sparar mina svar för att organisera valrörelsen."
# The review page's "Ändra" links are checked on their own in test_member_survey.py (an xfail there).
KNOWN_SMALL_TARGETS = ".summary a"


def question_labels(page) -> list[str]:
    """The labels and legends of the questions on this page (not the options inside them)."""
    questions = page.locator("main .q > label:not(.choice), main .q > legend")
    return [" ".join(text.split()) for text in questions.all_inner_texts()]


def test_member_goes_from_the_qr_code_to_thanks_asked_each_thing_once(
    load_survey, make_member, new_page, live, shot
):
    from survey.models import RegistryMatch, Submission

    survey = load_survey()
    member = make_member(first_name="Sara", last_name="Nord", phone="+46701112233")
    db.session.commit()
    qr_target = invitations.open_url(live.url, survey)  # what the QR code and the flyer point at

    page = new_page(viewport=SMALL_PHONE)
    main = page.locator("main")
    problems: dict[str, list[str]] = {}
    asked: dict[str, str] = {}  # question label -> the page that asked it
    repeated: list[str] = []
    intros = 0

    def visit(name: str) -> None:
        nonlocal intros
        shot(page, name)
        found = layout_problems(page, KNOWN_SMALL_TARGETS)
        if found:
            problems[name] = found
        intros += main.inner_text().count(INTRO_START)
        for label in question_labels(page):
            if label in asked and asked[label] != name:
                repeated.append(f"{label!r} on {asked[label]} and {name}")
            asked.setdefault(label, name)

    def forward(then: str) -> None:
        with page.expect_navigation():
            main.get_by_role("button", name="Granska och skicka").or_(
                main.get_by_role("button", name="Nästa", exact=True)
            ).click()
        expect(main.locator("h1")).to_have_text(then)

    page.goto(qr_target)
    page.locator("main details summary").click()  # the privacy notice, opened
    visit("open")
    with page.expect_navigation():
        main.get_by_role("button", name="Börja", exact=True).click()
    expect(main.locator("h1")).to_have_text("Vem är du?")
    visit("signature")
    page.get_by_label("Namn", exact=True).fill("Sara Nord")
    page.get_by_label("Mobilnummer").fill("070-111 22 33")

    forward("Om dig")
    visit("about_you")
    expect(main).not_to_contain_text("Vi har fyllt i")  # nothing was filled in from the registry
    page.get_by_label("Postnummer").fill("86131")
    titles = [
        "Vad kan du göra?",
        "Vad brinner du för?",
        "När kan du?",
        "Hur mycket orkar du?",
        "Förtroendeuppdrag",
        "Nätverk",
        "Hur vill du bli kontaktad?",
        "Till sist",
    ]
    for title in titles:
        forward(title)
        if title == "Hur vill du bli kontaktad?":
            page.get_by_role("group", name=CONTACT, exact=True).get_by_label("Sms", exact=True).check()
        if title == "Till sist":
            page.get_by_label(CONSENT).check()
        visit(title)
    forward("Dina svar")
    visit("review")
    expect(main).to_contain_text("Sara Nord")  # what was signed, shown once, to check
    with page.expect_navigation():
        main.get_by_role("button", name="Skicka in", exact=True).first.click()
    expect(main.locator("h1")).to_have_text("Tack för dina svar!")
    visit("thanks")

    assert intros == 1, f"the introduction was shown {intros} times"
    assert not repeated, "asked twice: " + "; ".join(repeated)
    assert {"Namn", "Mobilnummer", "E-post", "Postnummer"} <= set(asked)
    assert not problems, "\n".join(f"{name}: {p}" for name, found in problems.items() for p in found)

    db.session.rollback()  # a fresh read: the browser wrote through the server's own sessions
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.signed_name == "Sara Nord" and submission.signed_phone == "+46701112233"
    assert submission.registry_match is RegistryMatch.MATCHED and submission.member_id == member.id
    assert {a.question.key: a.value for a in submission.answers}["postcode"] == "86131"


def test_the_signature_page_has_a_way_back(load_survey, new_page, live):
    survey = load_survey()
    page = new_page(viewport=SMALL_PHONE, java_script_enabled=False)
    main = page.locator("main")
    page.goto(f"{live.url}/o/{survey.slug}")
    with page.expect_navigation():
        main.get_by_role("button", name="Börja", exact=True).click()
    expect(main.locator("h1")).to_have_text("Vem är du?")
    page.get_by_label("Namn", exact=True).fill("Kim")
    assert layout_problems(page) == []
    with page.expect_navigation():
        main.get_by_role("button", name="Tillbaka", exact=True).click()
    expect(main.locator("h1")).to_have_text("Valrörelsen 2030 – vad vill du göra?")
    main.get_by_role("link", name="Börja", exact=True).click()
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Kim")
