"""The registry pages: scoping by association, the upload page, the report download, duplicates."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.extensions import db
from survey.models import AuditEvent, Member, MemberImport
from tests.conftest import login

DATA = Path(__file__).resolve().parents[2] / "data" / "registry"


def _upload(client, data: bytes, name: str = "lista.csv", **flags):
    # Encoded here, in memory: the test client would spool a large body to a temporary file that it never
    # closes when the app refuses the body unread.
    form = {"file": FileStorage(io.BytesIO(data), name), **{k: "y" for k, v in flags.items() if v}}
    boundary, body = encode_multipart(form)
    return client.post(
        "/admin/members/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_list_and_detail_are_scoped_by_association(client, login_as, make_member):
    sundsvall = make_member("Anna", "Berg", association="Sundsvall", phone="+46701234567")
    timra = make_member("Bo", "Ek", association="Timrå")
    login_as("organizer", "Timrå")
    page = client.get("/admin/members")
    assert page.status_code == 200 and "Ek, Bo" in page.text and "Berg" not in page.text
    assert client.get(f"/admin/members/{sundsvall.id}").status_code == 404  # another association: not found
    assert client.get(f"/admin/members/{timra.id}").status_code == 200
    assert client.get(f"/admin/members?association={sundsvall.association_id}").status_code == 404
    assert client.get("/admin/members/999999").status_code == 404
    db.session.expire_all()
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target, e.rows) for e in events] == [
        ("view", "members:all", 1),
        ("view", f"member:{timra.id}", 1),
    ]


def test_admin_list_filters_search_and_paginates(client, login_as, make_member):
    from survey.models import MemberStatus

    anna = make_member("Anna", "Berg", association="Sundsvall", phone="+46701234567")
    make_member("Bo", "Ek", association="Timrå", status=MemberStatus.LEFT)
    for n in range(55):
        make_member("Cy", f"Nilsson{n:02d}", association="Ånge", member_number=f"9{n:03d}")
    login_as("admin")
    first = client.get("/admin/members")
    assert "56 medlemmar" in first.text and "sida 1 av 2" in first.text and "Berg, Anna" in first.text
    assert "070-123 45 67" in first.text  # national format
    assert "Nästa" in first.text and "Nilsson54" in client.get("/admin/members?page=2").text
    assert "Ek, Bo" in client.get("/admin/members?status=left").text
    assert "Ek, Bo" not in first.text
    found = client.get("/admin/members?q=anna%20b&status=all")
    assert "1 medlem<" in found.text and "Berg, Anna" in found.text
    assert "1 medlem<" in client.get(f"/admin/members?q={anna.member_number}").text
    assert "0 medlemmar" in client.get("/admin/members?q=%25").text  # LIKE wildcards are literal
    by_org = client.get(f"/admin/members?association={anna.association_id}")
    assert "1 medlem<" in by_org.text


def test_detail_shows_registry_data_and_answer_status(client, login_as, personal_link):
    survey, member, token = personal_link()
    client.post(f"/s/{token}/p/what_you_care_about", data={"interests": ["interest:climate"]})
    login_as("organizer", "Sundsvall")
    page = client.get(f"/admin/members/{member.id}")
    assert page.status_code == 200
    assert member.member_number in page.text and "inte skickat in än" in page.text
    assert 'style="' not in page.text and "<script" not in page.text


def test_callers_and_strangers_are_kept_out(client, make_user, make_member):
    member = make_member()
    assert client.get("/admin/members").status_code == 302  # to the login page
    login(client, make_user("caller"))
    assert client.get("/admin/members").status_code == 403
    assert client.get(f"/admin/members/{member.id}").status_code == 403


def test_upload_page_is_for_admins_only(client, login_as):
    login_as("organizer", "Timrå")
    assert client.get("/admin/members/import").status_code == 403
    assert _upload(client, b"Medlemsnr;Fornamn;Efternamn\n1;A;B\n").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_upload_imports_and_offers_the_report(client, login_as, make_org):
    make_org("Sundsvall")
    login_as("admin")
    page = client.get("/admin/members/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    data = "Medlemsnr;Förnamn;Efternamn;Mobil;Postnr\n1;Åsa;Öberg;070-123 45 67;85230\n2;Bo;;;\n".encode(
        "cp1252"
    )
    response = _upload(client, data, "medlemmar.csv")
    assert response.status_code == 200
    assert "Importen är klar" in response.text and "Efternamn saknas." in response.text
    assert "Förening satt till Sundsvall utifrån postnumret." in response.text
    db.session.expire_all()
    record = db.session.scalar(sa.select(MemberImport))
    assert (record.filename, record.created, record.problems) == ("medlemmar.csv", 1, 1)
    assert db.session.scalar(sa.select(Member.first_name)) == "Åsa"
    assert f"/admin/members/imports/{record.id}/report.csv" in response.text
    report = client.post(f"/admin/members/imports/{record.id}/report.csv")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert report.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert {r["meddelande"] for r in rows} >= {"Efternamn saknas."}
    assert client.post("/admin/members/imports/999/report.csv").status_code == 404
    assert client.get(f"/admin/members/imports/{record.id}/report.csv").status_code == 405
    history = client.get("/admin/members/import").text
    assert "medlemmar.csv" in history


def test_upload_dry_run_strict_and_full(client, login_as, make_member):
    make_member(member_number="77")
    login_as("admin")
    data = b"Medlemsnr,Fornamn,Efternamn\n1,A,B\n2,C,\n"
    dry = _upload(client, data, dry_run=True, full=True)
    assert "Provkörning: inget sparades" in dry.text
    strict = _upload(client, data, strict=True)
    assert "Filen avvisades: inget ändrades" in strict.text
    db.session.expire_all()
    assert db.session.scalars(sa.select(Member.member_number)).all() == ["77"]
    full = _upload(client, data, full=True)
    assert "Importen är klar" in full.text
    db.session.expire_all()
    assert db.session.scalar(sa.select(Member.status).where(Member.member_number == "77")).value == "left"


def test_upload_of_an_xlsx_larger_than_the_survey_limit(client, login_as, make_org):
    make_org("Sundsvall")
    login_as("admin")
    padding = "x" * 400_000  # the app-wide limit for survey pages is 256 KB
    data = f"Medlemsnr,Fornamn,Efternamn,Notering\n1,A,B,{padding}\n".encode()
    assert _upload(client, data).status_code == 200
    assert "Importen är klar" in _upload(client, (DATA / "medlemmar.xlsx").read_bytes(), "m.xlsx").text


def test_upload_limit_and_refused_files(client, login_as, app):
    login_as("admin")
    too_big = _upload(client, b"x" * (21 * 1024 * 1024))
    assert "Filen är för stor" in too_big.text
    refused = _upload(client, b"Namn;Telefon\nA;1\n", "fel.csv")
    assert refused.status_code == 400
    assert "fel.csv: kolumner saknas: Medlemsnummer (member_number)" in refused.text
    assert _upload(client, b"", "tom.csv").status_code == 400
    assert _upload(client, b"a,b\n", "bild.png").status_code == 400  # not an allowed file type


def test_upload_needs_a_csrf_token(client, login_as, app):
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    response = _upload(client, b"Medlemsnr,Fornamn,Efternamn\n1,A,B\n")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0
    page = client.get("/admin/members/import").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    ok = client.post(
        "/admin/members/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"Medlemsnr,Fornamn,Efternamn\n1,A,B\n"), "l.csv")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 200 and "Importen är klar" in ok.text


def test_duplicates_page_and_merge_are_scoped(client, login_as, make_member, load_survey):
    keep = make_member("Anna", "Berg", member_number="1", phone="+46701234567", association="Timrå")
    other = make_member("Anna", "Berg", member_number="2", phone="+46701234567", association="Timrå")
    outsider = make_member("Anna", "Berg", member_number="3", phone="+46701234567", association="Sundsvall")
    login_as("organizer", "Timrå")
    page = client.get("/admin/members/duplicates")
    assert page.status_code == 200 and "samma telefonnummer" in page.text
    assert f'value="{outsider.id}"' not in page.text
    refused = client.post(
        "/admin/members/duplicates/merge", data={"keep": keep.id, "members": [keep.id, outsider.id]}
    )
    assert refused.status_code == 404
    done = client.post(
        "/admin/members/duplicates/merge", data={"keep": keep.id, "members": [keep.id, other.id]}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(sa.select(Member.member_number).order_by(Member.member_number)).all() == [
        "1",
        "3",
    ]
    assert "2 slogs ihop med 1" in client.get(done.location).text
    assert client.post("/admin/members/duplicates/merge", data={"keep": keep.id}).status_code == 400


def test_upload_with_nul_bytes_is_refused_and_changes_nothing(client, login_as, make_member):
    make_member(member_number="1", first_name="Anna")
    login_as("admin")
    response = _upload(client, b"Medlemsnr;Fornamn;Efternamn\n1;An\x00nika;B\n2;Bo;Ek\n", "lista.csv")
    assert response.status_code == 400
    assert "lista.csv: innehåller NUL-byte (en binärfil?)." in response.text
    db.session.expire_all()
    assert db.session.scalars(sa.select(Member.first_name)).all() == ["Anna"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 0


def test_upload_in_utf16_without_a_bom_is_read_as_text(client, login_as, make_org):
    make_org("Sundsvall")
    login_as("admin")
    data = "Medlemsnr\tFörnamn\tEfternamn\n1\tÅsa\tÖberg\n".encode("utf-16-le")  # Excel's "Unicode text"
    response = _upload(client, data, "unicode.txt")
    assert response.status_code == 200 and "Importen är klar" in response.text
    db.session.expire_all()
    assert db.session.execute(sa.select(Member.first_name, Member.last_name)).one() == ("Åsa", "Öberg")
