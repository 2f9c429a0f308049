"""The ombudsman prints from the web: this month's task matches for Timrå, the roster for Saturday's
stall (and types the ticks back in), and the letters for members without email; then the same from
the command line. Every PDF is downloaded through the buttons and read back.

World: Tova (Timrå, no email) accepted Saturday's stall, Tim (Timrå, email) was asked, Åke (Ånge,
travels, no email) was asked for it too; Anja (Ånge) accepted an Ånge meeting.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime
from pathlib import Path

from outreach.match import services as assign
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, HeldShift
from tests.conftest import PASSWORD
from tests.support import pdf
from tests.support.browser import log_in
from tests.support.world import add_shift

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

SAT = datetime(2030, 8, 17)
DESKTOP = {"width": 1280, "height": 900}


def _world(make_member, make_user):
    tova = make_member("Tova", "Timråsson", "Timrå", phone="+46701112233", postcode="86131", city="Timrå")
    tim = make_member("Tim", "Timråsson", "Timrå", email="tim@example.org", phone="+46702223344")
    ake = make_member("Åke", "Ångesson", "Ånge", phone="+46703334455")
    anja = make_member("Anja", "Ångesson", "Ånge")
    stall = add_shift("Bokbord på Timrå centrum", tova.association, SAT.replace(hour=10),
                      SAT.replace(hour=12), 3)
    meeting = add_shift("Medlemsmöte i Ånge", ake.association, datetime(2030, 8, 21, 18),
                        datetime(2030, 8, 21, 20), 5)
    asks = ((stall, tova, AssignmentStatus.ACCEPTED), (stall, tim, AssignmentStatus.PUBLISHED),
            (stall, ake, AssignmentStatus.PUBLISHED), (meeting, anja, AssignmentStatus.ACCEPTED))
    for shift, member, status in asks:
        ask = Assignment(shift_id=shift.id, member_id=member.id)
        db.session.add(ask)
        assign.issue_token(ask)
        ask.status = status
    admin = make_user("admin", email="ombudsman@example.org")
    db.session.commit()
    return stall, admin


def _download(page, tmp_path: Path, click) -> bytes:
    with page.expect_download() as info:
        click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def _looks_like_pages(data: bytes, tmp_path: Path, name: str) -> None:
    """A4, and page 1 as an image has ink on it (the images were looked at while building this)."""
    assert pdf.is_a4(data) and pdf.outside(data) == []
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(path), str(tmp_path / name)],
                   check=True, timeout=60)
    image = next(tmp_path.glob(f"{name}*.png")).read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 2000


def test_ombudsman_prints_matches_roster_and_letters(make_member, make_user, new_page, live, tmp_path,
                                                     browser_app):
    stall, admin = _world(make_member, make_user)
    office = new_page(viewport=DESKTOP)
    log_in(office, live.url, admin.email, PASSWORD)

    # This month's matches for Timrå: the match page, scope Timrå, every week, "Skriv ut (PDF)".
    office.get_by_role("link", name="Matchning").click()
    office.select_option("#association", label="Timrå")
    office.select_option("#week", "all")
    office.get_by_role("button", name="Visa").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Matchning: Timrå")
    office.locator("summary", has_text="SMS-lista, utskrift och brev").click()  # folded: a shorter page
    link = office.get_by_role("link", name="Skriv ut (PDF)")
    response = office.context.request.get(live.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    matches = _download(office, tmp_path, link.click)
    text = " ".join(pdf.text(matches).split())
    assert "Uppdrag och matchningar: Timrå" in text and "lördag 17 augusti 10:00–12:00" in text
    assert "Tova Timråsson" in text and "Åke Ångesson" in text and "Anja" not in text
    _looks_like_pages(matches, tmp_path, "matches")

    # The letters for those without email: Tova, not Tim (email) and not Anja (Ånge).
    letters = _download(office, tmp_path,
                        office.get_by_role("button", name="Brev till dem utan e-post (PDF)").click)
    text = " ".join(pdf.text(letters).split())
    assert "Ditt uppdrag i valrörelsen" in text and "Tova Timråsson" in text and "861 31 TIMRÅ" in text
    assert "Tim Timråsson" not in text and "Anja" not in text
    _looks_like_pages(letters, tmp_path, "letters")
    # The paper leads back: the printed link opens Tova's task.
    url = re.search(r"http://kk\.test/t/\S+", pdf.text(letters))[0]
    phone = new_page()
    phone.goto(url.replace("http://kk.test", live.url))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Bokbord på Timrå centrum")

    # Saturday's stall: the roster from the task page, then the ticks typed back in.
    office.get_by_role("link", name="Uppgifter").click()
    office.get_by_role("link", name="Bokbord på Timrå centrum").first.click()
    roster = _download(office, tmp_path, office.get_by_role("link", name="Skriv ut (PDF)").first.click)
    text = " ".join(pdf.text(roster).split())
    assert "Närvarolista" in text and "kom" in text and "Tova Timråsson" in text and "Tim Timråsson" in text
    assert pdf.page_count(roster) == 1
    _looks_like_pages(roster, tmp_path, "roster")
    office.get_by_role("link", name="Närvaro", exact=True).first.click()
    office.get_by_label("Tova Timråsson").check()
    office.get_by_role("button", name="Spara närvaro").click()
    expect(office.locator(".flash")).to_contain_text("Närvaron är sparad: 1 kom")
    db.session.expire_all()
    assert db.session.get(HeldShift, stall.id).came == 1

    # The same from the command line, for the whole district.
    out = tmp_path / "cli-matches.pdf"
    result = browser_app.test_cli_runner().invoke(
        args=["print", "matches", "--association", "timra", "--month", "2030-08", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Tova Timråsson" in pdf.text(out.read_bytes())
