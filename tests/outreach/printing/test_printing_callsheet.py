"""The call sheet: a call list on paper, only the people the screen would give a caller, in call order."""

from __future__ import annotations

import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, Role
from tests.conftest import login
from tests.support import calllists as cl
from tests.support import pdf


def test_call_sheet_from_the_web_and_the_cli(client, runner, tmp_path):
    reachable = cl.members("Timrå", 3)
    reachable[0].first_name, reachable[0].last_name = "Gunnel", "Papperström"
    blocked = cl.members("Timrå", 1)[0]
    blocked.first_name, blocked.do_not_contact = "Hemlig", True
    cl.members("Ånge", 2)
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    other = cl.user("org@ange.example", Role.ORGANIZER, "Ånge")
    db.session.commit()
    saved = cl.call_list("Ring på papper", "Timrå", script="Hej {förnamn}! Vi ringer från Timrå.")

    login(client, organizer)
    r = client.post(f"/admin/calls/{saved.id}/export.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf.text(r.data)
    assert "Gunnel Papperström" in text and "Ring på papper" in text and "sida 1 av 1" in text
    assert "Hemlig" not in text  # do-not-contact never reaches paper either
    assert "Ånge" not in text.replace("Ring", "")  # no member of another association
    assert "Nådd" in text and "Upptaget" in text  # the outcome tick boxes
    assert pdf.is_a4(r.data) and not pdf.outside(r.data)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "print", AuditEvent.target.like("callsheet:%"))
        )
        == 1
    )

    client.post("/admin/logout")
    login(client, other)
    assert client.post(f"/admin/calls/{saved.id}/export.pdf").status_code == 404

    out = tmp_path / "sheet.pdf"
    result = runner.invoke(
        args=["calls", "export", "--list", str(saved.id), "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Gunnel Papperström" in pdf.text(out.read_bytes())
