"""Inviting members: email over a real SMTP server, resuming, unsubscribe, SMS lists, QR codes, who has
not answered. The SMTP server is aiosmtpd on 127.0.0.1 (tests/support/smtp.py)."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa

from survey.core import mailer, outbox
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.invitations import services as invitations
from survey.models import AuditEvent, MemberStatus, MessageStatus, OutgoingMessage, utcnow
from tests.support.smtp import SmtpServer

SLUG = "valkampanj-2030"


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        app.config.update(server.config())
        yield server


@pytest.fixture
def registry(load_survey, make_member):
    """The default survey and members who may, and may not, get email."""
    survey = load_survey()
    members = {
        "anna": make_member("Anna", email="anna@example.org", phone="+46701234567"),
        "eva": make_member("Eva", "Ek", association="Timrå", email="eva@example.org", phone="+46702345678"),
        "bo": make_member("Bo", email="bo@example.org", phone="+46703456789", do_not_contact=True),
        "cy": make_member("Cy", email="cy@example.org", phone="+46704567890", status=MemberStatus.LEFT),
        "dan": make_member("Dan", phone="+46705678901"),  # no email
    }
    return survey, members


def _messages() -> list[OutgoingMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutgoingMessage).order_by(OutgoingMessage.id)))


def _link(pattern: str, text: str) -> str:
    match = re.search(pattern + r"[\w.-]+", text)
    assert match, text
    return match.group(0)


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv", response.status
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def _submit(survey, member) -> None:
    answer_survey(survey, member, random.Random(member.id), utcnow())
    db.session.commit()


# -- sending ---------------------------------------------------------------------------------------

def test_invitations_arrive_with_a_working_personal_link_and_unsubscribe(runner, client, smtp, registry):
    survey, m = registry
    result = runner.invoke(args=["invitations", "send", "--survey", SLUG])
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 0" in result.output
    # Not those marked do-not-contact, who have left, or have no email address.
    assert sorted(smtp.recipients()) == ["anna@example.org", "eva@example.org"]
    mail = next(r for r in smtp.messages if r.rcpt_tos == ["anna@example.org"])
    assert mail.mail_from == "kraftkartan@example.org"
    assert mail["To"] == "Anna Andersson <anna@example.org>"
    assert mail["Subject"] == "Valrörelsen 2030 – vad vill du göra?"
    assert "Hej Anna!" in mail.body and "Hi Anna!" in mail.body
    url = _link(r"http://kk\.test/s/", mail.body)
    assert "Hej Anna!" in client.get(url.removeprefix("http://kk.test")).text
    unsubscribe = _link(r"http://kk\.test/u/", mail.body)
    assert mail["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [(x.kind, x.round, x.status) for x in _messages()] == [("invitation", "1", MessageStatus.SENT)] * 2
    assert all(x.sent_at is not None for x in _messages())

    # Again: the same round reaches nobody twice; a new member is added to it.
    again = runner.invoke(args=["invitations", "send"])
    assert again.exit_code == 0 and "Sent 0" in again.output and len(smtp.messages) == 2
    m["dan"].email = "dan@example.org"
    db.session.commit()
    runner.invoke(args=["invitations", "send"])
    assert smtp.recipients()[-1] == "dan@example.org" and len(smtp.messages) == 3


def test_one_click_unsubscribe_from_the_email_header(runner, client, smtp, registry):
    survey, m = registry
    runner.invoke(args=["invitations", "send", "--association", "Sundsvall"])
    assert smtp.recipients() == ["anna@example.org"]
    header = smtp.messages[0]["List-Unsubscribe"].strip("<>").removeprefix("http://kk.test")
    r = client.post(header, data="List-Unsubscribe=One-Click",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200
    db.session.expire_all()
    assert m["anna"].do_not_contact
    result = runner.invoke(args=["invitations", "send", "--reminder", "--association", "sundsvall"])
    assert "0 newly planned" in result.output and len(smtp.messages) == 1


def test_unsubscribe_page_confirms_before_changing_anything(app, client, make_member, login_as):
    member = make_member(email="anna@example.org")
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True  # the real setting: only /u/ is exempt
    path = invitations.unsubscribe_url("", member)
    page = client.get(path)
    assert page.status_code == 200 and "Ja, avregistrera mig" in page.text
    db.session.expire_all()
    assert not member.do_not_contact  # mail scanners follow links: GET changes nothing
    done = client.post(path)  # no CSRF token: the signed token is the proof
    assert done.status_code == 200 and "Du är avregistrerad" in done.text
    db.session.expire_all()
    assert member.do_not_contact
    token = path.removeprefix("/u/")
    for bad in (token[:-3] + "abc", "1.abc", "x" * 300, invitations.unsubscribe_url("", member)[3:] + "x"):
        assert client.get(f"/u/{bad}").status_code == 404
        assert client.post(f"/u/{bad}").status_code == 404
    # Everywhere else CSRF still applies.
    assert client.post("/admin/invitations/sms.csv", data={"survey": SLUG}).status_code == 400


def test_reminders_only_to_those_who_have_not_submitted(runner, smtp, registry):
    survey, m = registry
    _submit(survey, m["anna"])
    result = runner.invoke(args=["invitations", "send", "--reminder"])
    assert result.exit_code == 0, result.output
    assert smtp.recipients() == ["eva@example.org"]
    assert smtp.messages[0]["Subject"].startswith("Påminnelse: ")
    today = utcnow().astimezone(invitations.STOCKHOLM).date().isoformat()
    assert [(x.kind, x.round) for x in _messages()] == [("reminder", today)]
    runner.invoke(args=["invitations", "send", "--reminder"])  # same day, same round: nothing new
    assert len(smtp.messages) == 1
    runner.invoke(args=["invitations", "send", "--reminder", "--round", "second"])
    assert smtp.recipients() == ["eva@example.org"] * 2


def test_dry_run_changes_nothing_and_needs_no_smtp(app, runner, registry):
    result = runner.invoke(args=["invitations", "send", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 newly planned" in result.output and "would send 2" in result.output
    assert _messages() == []
    no_smtp = runner.invoke(args=["invitations", "send"])
    assert no_smtp.exit_code != 0 and "not configured" in no_smtp.output and _messages() == []


# -- interrupted and failed sends --------------------------------------------------------------------

@pytest.fixture
def many(load_survey, make_member):
    load_survey()
    return [make_member(f"M{i}", email=f"m{i}@example.org") for i in range(6)]


class Crash(Exception):
    pass


def _crash_on(monkeypatch, call: int, *, after_sending: bool = False) -> None:
    real_send, calls = mailer.Mailer.send, []

    def send(self, msg):
        calls.append(msg["To"])
        if len(calls) == call and not after_sending:
            raise Crash("the process died before talking to the server")
        real_send(self, msg)
        if len(calls) == call:
            raise Crash("the process died after the server accepted, before the commit")

    monkeypatch.setattr(mailer.Mailer, "send", send)


def test_resume_after_a_crash_sends_each_member_exactly_once(runner, smtp, many, monkeypatch):
    """The message in hand when the process died is uncertain (the process may have died mid-conversation
    with the server): not resent by itself, only when a person asks with --retry-failed, after a while."""
    _crash_on(monkeypatch, 4)
    crashed = runner.invoke(args=["invitations", "send"])
    assert isinstance(crashed.exception, Crash)
    assert len(smtp.messages) == 3
    statuses = [x.status for x in _messages()]
    assert (statuses.count(MessageStatus.PENDING), statuses.count(MessageStatus.SENDING)) == (2, 1)
    monkeypatch.undo()
    resumed = runner.invoke(args=["invitations", "send"])
    assert resumed.exit_code == 0 and "0 newly planned, 0 failed put back, 2 pending" in resumed.output
    assert len(smtp.recipients()) == 5 == len(set(smtp.recipients()))
    monkeypatch.setattr(outbox, "UNCERTAIN_AFTER", timedelta(0))
    retried = runner.invoke(args=["invitations", "send", "--retry-failed"])
    assert "1 failed put back" in retried.output
    assert sorted(smtp.recipients()) == sorted(m.email for m in many)  # everyone, once


def test_crash_after_the_server_accepted_leaves_only_that_message_uncertain(runner, smtp, many, monkeypatch):
    """Nobody gets a message twice: the one in hand at the crash stays "uncertain" and is not resent by
    itself; the status says so, and only a person's --retry-failed (after a while) sends it again."""
    _crash_on(monkeypatch, 2, after_sending=True)
    runner.invoke(args=["invitations", "send"])
    monkeypatch.undo()
    runner.invoke(args=["invitations", "send"])
    counts = {m.email: smtp.recipients().count(m.email) for m in many}
    assert counts == {m.email: 1 for m in many}
    assert [x.status for x in _messages()].count(MessageStatus.SENDING) == 1
    assert "uncertain 1" in runner.invoke(args=["invitations", "status"]).output
    assert "0 failed put back" in runner.invoke(args=["invitations", "send", "--retry-failed"]).output


def test_smtp_failures_are_recorded_and_can_be_retried(runner, smtp, many):
    smtp.reject = {"m1@example.org": "550 5.1.1 No such user here"}
    smtp.accept_at_most = 3  # then "451 try again later" for everything
    result = runner.invoke(args=["invitations", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 3, failed 3" in result.output
    failed = [x for x in _messages() if x.status is MessageStatus.FAILED]
    assert sorted(x.error for x in failed) == ["451 4.3.0 Try again later"] * 2 + [
        "550 5.1.1 No such user here"]
    status = runner.invoke(args=["invitations", "status"])
    assert "pending      0  sent      3  failed      3" in status.output and "2 x 451 4.3.0" in status.output
    assert "Sent 0" in runner.invoke(args=["invitations", "send"]).output  # failures wait for a retry
    smtp.accept_at_most, smtp.reject = None, {}
    retried = runner.invoke(args=["invitations", "send", "--retry-failed"])
    assert "3 failed put back" in retried.output and "Sent 3, failed 0" in retried.output
    assert sorted(smtp.recipients()) == sorted(m.email for m in many)


def test_unreachable_server_leaves_messages_pending(app, runner, many):
    with SmtpServer() as gone:
        app.config.update(gone.config())
    result = runner.invoke(args=["invitations", "send"])
    assert result.exit_code != 0 and "SMTP server unavailable" in result.output
    assert {x.status for x in _messages()} == {MessageStatus.PENDING} and len(_messages()) == 6


def test_a_message_sent_by_another_sender_meanwhile_is_skipped(app, smtp, many):
    survey = invitations.default_survey()
    invitations.plan(survey, "invitation", "1")
    db.session.commit()
    with mailer.Mailer(mailer.settings()) as conn:
        sending = invitations.deliver(survey, "invitation", "1", conn, base_url="http://kk.test")
        assert next(sending) == "sent"
        db.session.commit()
        # Another process sends the second message between our steps.
        db.session.execute(sa.update(OutgoingMessage).where(OutgoingMessage.id == _messages()[1].id)
                           .values(status=MessageStatus.SENT))
        db.session.commit()
        assert next(sending) == "skipped"
        db.session.commit()
    assert len(smtp.messages) == 1


# -- the web page ------------------------------------------------------------------------------------

def test_page_plans_and_sends_in_batches_with_continue(client, smtp, many, login_as, monkeypatch):
    from survey.invitations import views as view

    monkeypatch.setattr(view, "BATCH", 2)
    login_as("admin")
    r = client.post("/admin/invitations/plan", data={"survey": SLUG, "association": "", "kind": "invitation"})
    assert r.status_code == 302 and len(smtp.messages) == 2
    page = client.get("/admin/invitations").text
    assert "Fortsätt: skicka nästa 2" in page and re.search(r"Väntar</dt><dd>4<", page)
    form = {"survey": SLUG, "kind": "invitation", "round": "1", "association": ""}
    for _ in range(2):
        assert client.post("/admin/invitations/send", data=form).status_code == 302
    assert "Fortsätt: skicka" not in client.get("/admin/invitations").text
    assert sorted(smtp.recipients()) == sorted(m.email for m in many)
    assert re.search(r"Skickade</dt><dd>6<", client.get("/admin/invitations").text)


def test_organizers_plan_send_and_see_only_their_associations(client, smtp, registry, login_as):
    login_as("organizer", "Timrå")
    r = client.post("/admin/invitations/plan", data={"survey": SLUG, "association": "", "kind": "invitation"})
    assert r.status_code == 302
    assert smtp.recipients() == ["eva@example.org"]
    other = {"survey": SLUG, "association": "sundsvall", "kind": "reminder"}
    assert client.post("/admin/invitations/plan", data=other).status_code == 404
    assert client.get("/admin/invitations/not-answered?association=sundsvall").status_code == 404
    assert client.post("/admin/invitations/sms.csv", data=other).status_code == 404
    page = client.get("/admin/invitations").text
    assert "Sundsvall" not in page and re.search(r"Skickade</dt><dd>1<", page)


def test_pages_are_for_staff_only(client, load_survey, login_as):
    load_survey()
    assert client.get("/admin/invitations").status_code == 302  # to the login page
    login_as("caller")
    for path in ("/admin/invitations", f"/admin/invitations/qr/{SLUG}", "/admin/invitations/not-answered"):
        assert client.get(path).status_code == 403


# -- SMS list, who has not answered, QR code ---------------------------------------------------------

def test_sms_csv_has_fresh_links_for_contactable_members(client, registry, make_member, login_as):
    survey, m = registry
    make_member("=HYPERLINK(\"http://x\")", phone="+46706789012")
    _submit(survey, m["eva"])
    user = login_as("admin")
    form = {"survey": SLUG, "association": "", "only_not_answered": "y"}
    rows = _csv(client.post("/admin/invitations/sms.csv", data=form))
    assert list(rows[0]) == ["member_number", "first_name", "phone", "url"]
    assert [row["first_name"] for row in rows] == ["Anna", "Dan", "'=HYPERLINK(\"http://x\")"]  # defused
    assert rows[0]["phone"] == "070-123 45 67"
    assert "Hej Anna!" in client.get(rows[0]["url"].removeprefix("http://kk.test")).text
    timra = _csv(client.post("/admin/invitations/sms.csv", data={"survey": SLUG, "association": "timra"}))
    assert [row["first_name"] for row in timra] == ["Eva"]  # answered, but not only_not_answered
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.user_id, e.target, e.rows) for e in events] == [(user.id, f"sms-links:{SLUG}", 3),
                                                                (user.id, f"sms-links:{SLUG}", 1)]


def test_not_answered_list_per_association(client, registry, make_member, login_as):
    survey, m = registry
    _submit(survey, m["anna"])
    user = login_as("organizer", "Sundsvall")
    chooser = client.get("/admin/invitations/not-answered")
    assert chooser.status_code == 200
    assert "?association=sundsvall" in chooser.text and "timra" not in chooser.text
    page = client.get("/admin/invitations/not-answered?association=sundsvall").text
    assert "Bo Andersson" in page and "kontakta inte" in page and "Dan Andersson" in page
    # Not those who answered, who have left, or who belong to another association.
    assert "Anna Andersson" not in page and "Cy Andersson" not in page and "Eva" not in page
    assert "070-567 89 01" in page and "bo@example.org" in page and "2 medlemmar" in page
    rows = _csv(client.post("/admin/invitations/not-answered.csv",
                            data={"survey": SLUG, "association": "sundsvall"}))
    assert [(row["first_name"], row["do_not_contact"]) for row in rows] == [("Bo", "kontakta inte"),
                                                                             ("Dan", "")]
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.user_id, e.action, e.target, e.rows, e.association_id) for e in events] == [
        (user.id, "view", f"not-answered:{SLUG}", 2, m["anna"].association_id),
        (user.id, "export", f"not-answered:{SLUG}", 2, m["anna"].association_id)]
    assert client.get("/admin/invitations/not-answered?association=nowhere").status_code == 404


def test_printable_qr_code_for_the_open_link(client, load_survey, login_as):
    load_survey()
    login_as("organizer", "Ånge")
    page = client.get(f"/admin/invitations/qr/{SLUG}")
    assert page.status_code == 200
    assert "<svg" in page.text and "http://kk.test/o/valkampanj-2030" in page.text
    assert "Valrörelsen 2030" in page.text and "invitations.css" in page.text
    assert "style=" not in page.text and "<script" not in page.text  # the CSP allows neither
    expected = segno.make("http://kk.test/o/valkampanj-2030", error="m", micro=False)
    png = client.get(f"/admin/invitations/qr/{SLUG}.png")
    buffer = io.BytesIO()
    expected.save(buffer, kind="png", scale=20, border=4)
    assert png.mimetype == "image/png" and png.data == buffer.getvalue()
    svg = client.get(f"/admin/invitations/qr/{SLUG}.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get("/admin/invitations/qr/nope").status_code == 404
    assert client.get("/admin/invitations/qr/nope.png").status_code == 404
