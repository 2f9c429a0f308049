"""The call sheet: a call list on paper, only the people the screen would give a caller, in call order."""

from __future__ import annotations

import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, Call, CallTarget, Role
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


def test_outcomes_ticked_on_paper_are_typed_back_in(client):
    people = cl.members("Timrå", 3)
    organizer = cl.user("org@timra.example", Role.ORGANIZER, "Timrå")
    db.session.commit()
    saved = cl.call_list("Ring på papper", "Timrå", cooldown_hours=24)
    login(client, organizer)
    page = client.get(f"/admin/calls/{saved.id}/paper").text
    assert all(p.full_name in page for p in people)
    targets = {t.member_id: t.id for t in db.session.scalars(sa.select(CallTarget))}
    reached, no_answer, untouched = (targets[p.id] for p in people)
    r = client.post(f"/admin/calls/{saved.id}/paper", data={
        f"outcome-{reached}": "reached", f"note-{reached}": "vill stå vid bokbordet",
        f"outcome-{no_answer}": "no_answer", f"outcome-{untouched}": "",
        "outcome-999999": "reached",  # a row from another list or an old sheet: skipped
    })
    assert r.status_code == 302
    calls = {c.target_id: c for c in db.session.scalars(sa.select(Call))}
    assert set(calls) == {reached, no_answer}
    assert calls[reached].note == "vill stå vid bokbordet (från papper)"
    assert calls[reached].caller_id == organizer.id
    # the no-answer is in its cooldown and the reached member is done: only the third is left to call
    left = client.get(f"/admin/calls/{saved.id}/paper").text
    assert people[2].full_name in left and people[0].full_name not in left and people[1].full_name not in left
