"""The print-outs read back from the PDF: the right people and only them, Swedish dates, page numbers,
A4, nothing in the margins, the audit trail, attendance and the letters' fresh links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, HeldShift, ShiftAttendance
from tests.conftest import login
from tests.support import pdf
from tests.support.pdf import MM


def _get_pdf(client, url, method="get", **data):
    response = getattr(client, method)(url, data=data or None)
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def _flat(data: bytes) -> str:
    return " ".join(pdf.text(data).split())


def _assert_on_paper(data: bytes) -> None:
    assert pdf.is_a4(data)
    assert pdf.outside(data) == [], "words in the margin"


def test_timra_organizer_gets_timras_matches_and_no_ange_member(app, district, client, make_user):
    login(client, make_user("organizer", "Timrå"))
    data = _get_pdf(client, "/admin/print/matches.pdf?association=timra&week=all")
    text = _flat(data)
    # Åke (Ånge) was asked to Timrå's stall: its organizer must reach him (access.can_see_contact).
    for expected in ("Tova Timråsson", "Tim Timråsson", "070-111 22 33", "tackat ja", "tillfrågad",
                     "Åke Ångesson", "070-333 44 55", "lördag 17 augusti", "10:00–12:00",
                     "Bokbord på Timrå centrum", "Vecka 33", "sida 1 av", "Utskrivet", "Ofyllt: 1"):
        assert expected in text, expected
    for absent in ("Anja", "070-444 55 66", "Medlemsmöte i Ånge"):
        assert absent not in text, absent
    assert "Tor Timråsson" in text and "tackat nej" in text  # the decline shows, for replacements
    _assert_on_paper(data)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "print"))
    assert event.target == "matches:timra" and event.rows == 5 and event.association_id is not None


def test_status_filter_and_another_association(app, district, client, make_user):
    login(client, make_user("organizer", "Timrå"))
    text = _flat(_get_pdf(client, "/admin/print/matches.pdf?association=timra&week=all&status=accepted"))
    assert "Tova Timråsson" in text and "Tim Timråsson" not in text and "Dörrknackning" in text
    assert client.get("/admin/print/matches.pdf?association=ange&week=all").status_code == 404
    assert client.get("/admin/print/matches.pdf?status=nonsense").status_code == 400
    assert client.get("/admin/print/summary.pdf?scope=district").status_code == 403


def test_admin_sees_every_name_and_english_dates(app, district, client, make_user):
    login(client, make_user("admin"))
    client.get("/admin/?lang=en")
    text = _flat(_get_pdf(client, "/admin/print/matches.pdf?week=all"))
    assert "Åke Ångesson" in text and "Anja Ångesson" in text
    assert "Saturday 17 August" in text and "lördag" not in text


def test_roster_is_a_sign_in_sheet_and_attendance_comes_back(app, district, client, make_user):
    login(client, make_user("organizer", "Timrå"))
    stall = district.stall
    data = _get_pdf(client, f"/admin/print/shifts/{stall.id}/roster.pdf")
    text = _flat(data)
    assert "Bokbord på Timrå centrum" in text and "lördag 17 augusti 10:00–12:00" in text
    assert "kom" in text and "Anteckningar" in text and "Tova Timråsson" in text
    assert "Åke Ångesson" in text and "070-333 44 55" in text and "Anja" not in text
    door = _flat(_get_pdf(client, f"/admin/print/shifts/{district.door.id}/roster.pdf"))
    assert "Tilda Timråsson" in door and "Tor Timråsson" not in door  # who declined is not on the sheet
    assert pdf.page_count(data) == 1
    _assert_on_paper(data)
    page = client.get(f"/admin/print/shifts/{stall.id}/attendance")
    assert page.status_code == 200 and "Tova Timråsson" in page.text
    tova, tim = district.members["tova"], district.members["tim"]
    other = district.members["anja"]  # not on the roster: ignored
    response = client.post(f"/admin/print/shifts/{stall.id}/attendance",
                           data={"came": [str(tova.id), str(tim.id), str(other.id)]})
    assert response.status_code == 302
    held = db.session.get(HeldShift, stall.id)
    assert held.came == 2
    came = set(db.session.scalars(sa.select(ShiftAttendance.member_id).where(
        ShiftAttendance.shift_id == stall.id)))
    assert came == {tova.id, tim.id}
    assert "Passet är genomfört: 2 kom" in client.get(f"/admin/print/shifts/{stall.id}/attendance").text
    assert client.get(f"/admin/print/shifts/{district.meeting.id}/roster.pdf").status_code == 404


def test_letters_for_members_without_email_with_fresh_links(app, district, client, make_user):
    login(client, make_user("organizer", "Timrå"))
    data = _get_pdf(client, "/admin/print/letters.pdf", method="post", association="timra", week="all")
    text = _flat(data)
    assert "Ditt uppdrag i valrörelsen" in text and "Tova Timråsson" in text and "861 31 TIMRÅ" in text
    assert "Tim Timråsson" not in text  # has email
    assert "Tilda" not in text  # do not contact
    assert "Ångesson" not in text  # another association
    assert pdf.page_count(data) == 1
    _assert_on_paper(data)
    # The name sits in the envelope's window: 20 mm from the left, 45-90 mm from the top, 90 mm wide.
    name = [w for w in pdf.words(data) if w.text == "Tova"]
    window = [w for w in name if w.y0 > 45 * MM and w.y1 < 90 * MM]
    assert window and all(w.x0 > 20 * MM and w.x1 < 110 * MM for w in window), name
    # The printed link is fresh and works; the old one no longer does.
    url = re.search(r"http://kk\.test/t/\S+", pdf.text(data))[0]
    assert client.get(urlsplit(url).path).status_code == 200
    assert client.get(f"/t/{district.tokens['tova']}").status_code == 404
    assert "Du är bokad" in client.get(urlsplit(url).path).text  # still accepted


def test_a_members_letter_from_the_member_page(app, district, client, make_user):
    login(client, make_user("organizer", "Timrå"))
    tim = district.members["tim"]
    text = _flat(_get_pdf(client, "/admin/print/letters.pdf", method="post", member=str(tim.id)))
    assert "Tim Timråsson" in text and "Vi undrar om du kan" in text
    tilda = district.members["tilda"]
    assert "Inga brev" in _flat(_get_pdf(client, "/admin/print/letters.pdf", method="post",
                                         member=str(tilda.id)))
    assert client.post("/admin/print/letters.pdf",
                       data={"member": str(district.members["anja"].id)}).status_code == 404


def test_hostile_free_text_is_printed_as_text_and_fetched_never(app, district, client, make_user,
                                                                monkeypatch):
    from outreach.printing import render

    asked = []
    original = render.LockedFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    evil = district.members["tova"]
    evil.last_name = 'Timråsson<img src="file:///etc/passwd">'
    evil.address = '<img src="http://127.0.0.1:9/track.png"> Storgatan 1'
    db.session.commit()
    login(client, make_user("admin"))
    monkeypatch.setattr(render.LockedFetcher, "fetch", spy)
    data = _get_pdf(client, "/admin/print/letters.pdf", method="post", member=str(evil.id))
    text = _flat(data).replace(" ", "")  # long words wrap
    assert 'Timråsson<imgsrc="file:///etc/passwd">' in text
    assert '<imgsrc="http://127.0.0.1:9/track.png">' in text
    allowed = ("file:///usr/share/fonts/", "data:image/svg+xml,")  # the fonts, the fold marks
    assert asked and all(u.startswith(allowed) for u in asked), asked


def test_long_names_wrap_and_stay_inside_the_page(app, district, client, make_user):
    tova = district.members["tova"]
    tova.first_name = "Maria-Magdalena Kristina Elisabet Eleonora"
    tova.last_name = "Timråsson-Ångermanälvsdalensdotter-Västernorrlandsson-Långnamnsson"
    db.session.commit()
    login(client, make_user("admin"))
    for url in ("/admin/print/matches.pdf?association=timra&week=all",
                f"/admin/print/shifts/{district.stall.id}/roster.pdf"):
        data = _get_pdf(client, url)
        joined = _flat(data).replace(" ", "")
        assert "Ångermanälvsdalensdotter" in joined, url
        _assert_on_paper(data)


def test_summary_has_the_charts_numbers(app, district, client, make_user, load_survey):
    load_survey()
    login(client, make_user("organizer", "Timrå"))
    data = _get_pdf(client, "/admin/print/summary.pdf?scope=timra")
    text = _flat(data)
    assert "Sammanställning av enkäten: Timrå" in text and "Svarsfrekvens" in text and "Förmågor" in text
    assert "Medlemmar 4" in text  # Tova, Tim, Tilda, Tor
    _assert_on_paper(data)


def test_many_shifts_repeat_the_table_header_and_number_the_pages(app, district, client, make_user):
    from tests.support.world import add_shift

    stall = district.stall
    for i in range(40):
        add_shift(f"Extra pass {i}", stall.task.association, stall.start_local, stall.end_local, 1)
    db.session.commit()
    login(client, make_user("admin"))
    data = _get_pdf(client, "/admin/print/matches.pdf?association=timra&week=all")
    count = pdf.page_count(data)
    assert count >= 3
    pages = pdf.pages(data)
    assert all(f"sida {i + 1} av {count}" in " ".join(p.split()) for i, p in enumerate(pages))
    assert all("Timrå · Uppdrag och matchningar" in " ".join(p.split()) for p in pages)
    _assert_on_paper(data)


def test_cli_prints_each_document(app, district, runner, tmp_path, load_survey):
    load_survey()
    for document in ("matches", "rosters", "letters", "summary"):
        out = tmp_path / f"{document}.pdf"
        result = runner.invoke(args=["print", document, "--association", "timra", "--week", "all",
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert pdf.is_a4(out.read_bytes()), document
    assert "Tova Timråsson" in _flat((tmp_path / "letters.pdf").read_bytes())
    assert "Åke Ångesson" in _flat((tmp_path / "matches.pdf").read_bytes())  # the CLI is the district
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "print")).all()
    assert {e.target for e in events} == {f"{d}:timra" for d in ("matches", "rosters", "letters", "summary")}
    assert all(e.user_id is None and e.detail["via"] == "cli" for e in events if "summary" not in e.target)
    bad = runner.invoke(args=["print", "matches", "--week", "99", "-o", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and "not a week" in bad.output


def test_attendance_is_in_the_members_export_and_goes_with_erasure(app, district, make_user):
    from outreach.printing import rosters
    from survey.models import utcnow
    from survey.privacy import services as privacy

    tova = district.members["tova"]
    rosters.record_attendance(district.stall, {tova.id}, None)
    db.session.commit()
    data = privacy.export_member(tova, None, utcnow())
    assert data["shift_attendance"] == [{"task": "Bokbord på Timrå centrum", "start": "2030-08-17T10:00:00"}]
    privacy.erase_member(tova, make_user("admin"))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShiftAttendance)) == 0
    assert db.session.get(HeldShift, district.stall.id).came == 1  # the count stays


def test_a_place_only_proposed_says_so_instead_of_not_matched(app):
    """A free place the newest run filled with a proposal is "proposed, not asked yet", not "no matching
    has proposed anyone" (which the list printed beside the proposed names)."""
    from outreach.printing.matches import _why

    with app.test_request_context():
        assert _why(None, {}, 2) == "2 föreslagna, inte tillfrågade än (publicera matchningen)."
        assert _why(None, {}, 1) == "1 föreslagen, inte tillfrågad än (publicera matchningen)."
        assert _why(None, {}, 0) == "Ingen matchning har föreslagit någon än."
        assert _why({"code": "busy"}, {}, 2) == "Alla som kan är redan upptagna"
