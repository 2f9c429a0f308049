"""Done means, in a real browser without JavaScript on a 375 px and a 320 px phone: Timrå's organizer opens
"Nätverk" from the menu, sees the networks with the counts of Timrå's members only, opens one, sees who is on
it (a do-not-contact member marked, Sundsvall's member absent) and downloads the list as CSV.
"""

from __future__ import annotations

from pathlib import Path

from survey.extensions import db
from survey.models import NetworkMembership, Organisation, OrganisationKind, Role
from tests.conftest import PASSWORD
from tests.support import calllists as cl
from tests.support.browser import layout_problems, log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None


def _world():
    climate = Organisation(slug="natverk-klimat", name="Klimatnätverket", kind=OrganisationKind.NETWORK)
    forum = Organisation(slug="natverk-kvinnoforum", name="Kvinnoforum", kind=OrganisationKind.NETWORK)
    db.session.add_all([climate, forum])
    db.session.flush()
    timra = cl.members("Timrå", 3)
    timra[0].first_name, timra[0].last_name = "Tova", "Timråsson"
    timra[0].email = "tova.timrasson.med.en.lang.adress@timra-foreningen.example"
    timra[1].first_name, timra[1].last_name, timra[1].do_not_contact = "Tor", "Tystnad", True
    sundsvall = cl.members("Sundsvall", 1)[0]
    sundsvall.first_name, sundsvall.last_name = "Sigrid", "Sundsvallsdotter"
    for member in [*timra[:2], sundsvall]:
        db.session.add(NetworkMembership(member_id=member.id, organisation_id=climate.id))
    cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    db.session.commit()


def test_organizer_sees_and_downloads_a_network_on_a_phone(new_page, live, shot):
    _world()
    for width in (375, 320):
        page = new_page(
            viewport={"width": width, "height": 667}, java_script_enabled=False, accept_downloads=True
        )
        log_in(page, live.url, "org@timra.example", PASSWORD)
        page.locator("summary", has_text="Meny").click()  # on a phone the main menu is folded
        page.locator("details").get_by_role("link", name="Nätverk", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nätverk")
        row = page.get_by_role("row", name="Klimatnätverket")
        expect(row).to_contain_text("2")
        expect(page.get_by_role("row", name="Kvinnoforum")).to_contain_text("0")
        assert not (problems := layout_problems(page)), problems
        shot(page, f"index-{width}")
        row.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Klimatnätverket")
        expect(page.locator("main")).to_contain_text("Timråsson, Tova")
        expect(page.get_by_role("row", name="Tystnad, Tor")).to_contain_text("kontakta inte")
        expect(page.locator("main")).not_to_contain_text("Sundsvallsdotter")
        assert not (problems := layout_problems(page)), problems
        shot(page, f"show-{width}")
        with page.expect_download() as download:
            page.get_by_role("button", name="Ladda ner CSV").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert "Timråsson" in text and "Sundsvallsdotter" not in text
