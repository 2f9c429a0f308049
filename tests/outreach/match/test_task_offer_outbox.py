"""Task offers go through the outbox: queued by publishing, sent only after the commit, retried, never twice.

The world is the `world` fixture in conftest.py; Sundsvall's publish asks Anna (twice, or once) and Bo or
Cy: three asks, one email per member with all their asks.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import pytest
import sqlalchemy as sa

from outreach.match import offers
from outreach.match import services as assign
from survey.core import mailer
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, MessageStatus, OutgoingMessage, Profile, Shift
from tests.support.smtp import SmtpServer

PROPOSE = datetime(2030, 8, 1)


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        app.config.update(server.config())
        yield server


def _task_messages() -> list[OutgoingMessage]:
    return list(db.session.scalars(sa.select(OutgoingMessage).where(OutgoingMessage.kind == offers.KIND)
                                   .order_by(OutgoingMessage.id)))


def _links(received) -> list[str]:
    return [path for r in received for path in re.findall(r"http://kk\.test(/t/\S+)", r.body)]


def _publish(world) -> offers.Published:
    assign.run(world["sundsvall"], None, PROPOSE)
    result = assign.publish(world["sundsvall"])
    db.session.commit()
    return result


def test_a_publish_whose_commit_fails_sends_nothing(app, world, smtp, client, login_as, monkeypatch,
                                                    publish_via_page):
    assign.run(world["sundsvall"], None, PROPOSE)
    db.session.commit()
    login_as("admin")

    def commit_fails():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("the disk is full"))

    monkeypatch.setattr(db.session, "commit", commit_fails)
    with pytest.raises(sa.exc.OperationalError):
        publish_via_page({"association": world["sundsvall"].id})
    monkeypatch.undo()
    db.session.rollback()
    assert smtp.messages == []  # no member holds a link that was never stored
    assert _task_messages() == []
    statuses = db.session.scalars(sa.select(Assignment.status)).all()
    assert statuses and set(statuses) == {AssignmentStatus.PROPOSED}


def test_publishing_queues_and_the_page_sends_after_the_commit(app, world, smtp, client, login_as,
                                                               publish_via_page):
    assign.run(world["sundsvall"], None, PROPOSE)
    db.session.commit()
    login_as("admin")
    page = publish_via_page({"association": world["sundsvall"].id})
    assert page.status_code == 200 and "uppdrag publicerade" in page.text
    members = {m.member_id for m in _task_messages()}
    assert f"E-post skickad till {len(members)} medlemmar" in page.text
    asked = {a.member.email for a in db.session.scalars(sa.select(Assignment))}
    assert sorted(smtp.recipients()) == sorted(asked)  # one email per member, with all their asks
    assert {m.status for m in _task_messages()} == {MessageStatus.SENT}
    # Every link in the emails opens its ask; each ask is in exactly one email.
    paths = _links(smtp.messages)
    assert len(paths) == 3 and all(client.get(p).status_code == 200 for p in paths)


def test_an_unreachable_server_leaves_the_offers_pending_and_a_retry_sends_each_once(app, world, runner):
    with SmtpServer() as gone:
        app.config.update(gone.config())
    result = _publish(world)
    result.emailed = offers.send_now(result.queued)
    assert result.mailed == 0 and result.emailed.waiting == len(result.queued) == 2
    assert result.mail_error and not result.not_mailed  # they wait for the email: no links handed out
    assert {m.status for m in _task_messages()} == {MessageStatus.PENDING}
    # The links issued at publishing still work while the emails wait.
    assert all(a.token_hash for a, _url in result.links)

    with SmtpServer() as smtp:
        app.config.update(smtp.config())
        out = runner.invoke(args=["match", "--association", "sundsvall", "--all-shifts", "--publish"])
        assert out.exit_code == 0, out.output
        assert "Published 0, emailed 2 members." in out.output
        again = runner.invoke(args=["match", "--association", "sundsvall", "--all-shifts", "--publish"])
        assert "Published 0, emailed 0 members." in again.output
        assert sorted(Counter(smtp.recipients()).values()) == [1, 1]
        assert len(_links(smtp.messages)) == 3


def test_a_refused_offer_is_kept_failed_and_sent_once_by_a_retry(app, world, smtp, client, login_as):
    smtp.reject = {"anna@example.org": "550 5.1.1 No such user here"}
    result = _publish(world)
    result.emailed = offers.send_now(result.queued)
    assert result.mailed == 1 and result.emailed.waiting == 1
    assert result.mail_error == "550 5.1.1 No such user here"
    failed = [m for m in _task_messages() if m.status is MessageStatus.FAILED]
    assert [m.member_id for m in failed] == [world["anna"].id]

    # Sending what is pending does not retry a refusal unasked...
    assert offers.send_now(offers.pending(world["sundsvall"])).mailed == 0
    # ...the match page shows it waiting, and its button retries it.
    login_as("organizer", "Sundsvall")
    page = client.get(f"/admin/match?association={world['sundsvall'].id}").text
    assert "Skicka väntande e-post" in page and re.search(r"misslyckades 1\b", page)
    smtp.reject = {}
    back = client.post("/admin/match/send", data={"association": world["sundsvall"].id})
    assert back.status_code == 302
    db.session.expire_all()
    assert {m.status for m in _task_messages()} == {MessageStatus.SENT}
    assert Counter(smtp.recipients())["anna@example.org"] == 1
    client.post("/admin/match/send", data={"association": world["sundsvall"].id})
    assert sorted(Counter(smtp.recipients()).values()) == [1, 1]
    assert "Skicka väntande e-post" not in client.get("/admin/match").text


def test_no_member_gets_the_same_offer_twice(app, world, smtp):
    result = _publish(world)
    ids = list(result.queued)
    # Two senders over the same queue (a double click, the CLI beside the page): each message goes once.
    with mailer.Mailer(mailer.settings()) as one, mailer.Mailer(mailer.settings()) as two:
        first, second = offers.deliver(ids, one), offers.deliver(ids, two)
        assert next(first) == "sent"
        db.session.commit()
        assert next(second) == "skipped"
        db.session.commit()
        assert [*first] == ["sent"] and [*second] == ["skipped"]
        db.session.commit()
    # Publishing and sending again finds nothing new to offer.
    again = assign.publish(world["sundsvall"])
    db.session.commit()
    assert again.links == [] and offers.send_now(offers.pending(None)).mailed == 0
    assert sorted(Counter(smtp.recipients()).values()) == [1, 1] and len(_links(smtp.messages)) == 3
    # A replacement offer later is a new ask in a new email, carrying only that ask.
    other = db.session.scalar(sa.select(Assignment).where(Assignment.shift_id == world["stall"].id,
                                                          Assignment.member_id != world["anna"].id))
    assign.respond(other, accept=False)
    newcomer = world["cy"] if other.member_id == world["bo"].id else world["bo"]
    replacement = assign.offer(db.session.get(Shift, world["stall"].id), newcomer)
    db.session.commit()
    assert offers.send_now(replacement.queued).mailed == 1
    assert smtp.messages[-1].rcpt_tos == [newcomer.email] and len(_links([smtp.messages[-1]])) == 1
    assert sorted(Counter(smtp.recipients()).values()) == [1, 1, 1]
    assert len(_links(smtp.messages)) == len(set(_links(smtp.messages))) == 4


def test_the_sms_list_takes_its_asks_out_of_emails_still_waiting(app, world, client, login_as):
    world["anna"].phone = "+46701234567"
    # Anna must get both Sundsvall shifts: with Cy travelling, "Anna on the door, Bo and Cy at the
    # stall" is worth exactly as much (35), and which of two optima the engine returns is not a contract.
    db.session.scalar(sa.select(Profile).where(Profile.member_id == world["cy"].id)).travels = False
    with SmtpServer() as gone:
        app.config.update(gone.config())
    result = _publish(world)
    result.emailed = offers.send_now(result.queued)
    assert result.emailed.waiting == 2
    login_as("admin")
    rows = client.post("/admin/match/sms.csv", data={"association": world["sundsvall"].id})
    fresh = [line.rsplit(",", 1)[1].removeprefix("http://kk.test")
             for line in rows.data.decode("utf-8-sig").splitlines()[1:]]
    assert fresh
    db.session.expire_all()
    # Anna's email would have replaced the links she got by SMS: it is gone; Bo's or Cy's still waits.
    assert len(fresh) == 2 and len(_task_messages()) == 1
    assert _task_messages()[0].member_id != world["anna"].id
    with SmtpServer() as smtp:
        app.config.update(smtp.config())
        assert offers.send_now(offers.pending(world["sundsvall"])).mailed == 1
        assert "anna@example.org" not in smtp.recipients()
    assert all(client.get(url).status_code == 200 for url in fresh)


def test_with_jobs_on_a_publish_sends_its_offers_as_a_job(app, world, smtp, client, login_as,
                                                          publish_via_page):
    """KRAFTKARTAN_JOBS: the publish page queues the e-mails as one job and links to its page."""
    from survey.models import Job, JobStatus

    app.config["JOBS_ENABLED"] = True
    app.extensions["huey"].immediate = True  # the task runs at once, as a worker would
    assign.run(world["sundsvall"], None, PROPOSE)
    db.session.commit()
    login_as("admin")
    page = publish_via_page({"association": world["sundsvall"].id})
    assert page.status_code == 200 and "E-posten skickas i bakgrunden." in page.text
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.kind, job.status, job.done, job.total) == ("match.offers", JobStatus.DONE, 2, 2)
    assert f'href="/admin/jobs/{job.id}"' in page.text
    asked = {a.member.email for a in db.session.scalars(sa.select(Assignment))}
    assert sorted(smtp.recipients()) == sorted(asked)
    assert {m.status for m in _task_messages()} == {MessageStatus.SENT}
    assert "Skickade 2" in client.get(f"/admin/jobs/{job.id}").text
