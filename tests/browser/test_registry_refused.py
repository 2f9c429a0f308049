"""An admin on a phone uploads a million-row registry file: the page says which file and what limit, in
words that fit 375 and 320 px, and nothing is imported (issue 12's fuzz list; the limit's own tests are in
tests/survey/registry/test_registry_huge.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.models import Member, MemberImport
from survey.registry.read import MAX_ROWS
from tests.conftest import PASSWORD
from tests.support.browser import layout_problems, log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser
SMALL_PHONE = {"width": 320, "height": 568}
LIMIT = f"{MAX_ROWS:,}".replace(",", "\u00a0")  # as the message writes it: 200 000


@pytest.mark.slow
def test_a_million_rows_are_refused_with_a_message_on_a_phone(make_user, new_page, live, shot, tmp_path):
    path = tmp_path / "medlemsexport.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("Medlemsnr;Förnamn;Efternamn\n")
        out.writelines(f"{n};A;B\n" for n in range(1, 1_000_001))
    admin = make_user("admin")
    for viewport in (None, SMALL_PHONE):
        phone = new_page(viewport)
        log_in(phone, live.url, admin.email, PASSWORD)
        phone.goto(f"{live.url}/admin/members/import")
        phone.get_by_label("Fil", exact=True).set_input_files(str(path))
        phone.get_by_role("button", name="Läs in").click()
        expect(phone.get_by_text(f"medlemsexport.csv: fler än {LIMIT} rader")).to_be_visible()
        expect(phone.get_by_text("Inget importerades")).to_be_visible()
        assert layout_problems(phone) == []
        shot(phone, f"refused-{(viewport or {'width': 375})['width']}")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 0
