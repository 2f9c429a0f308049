"""The one way Kraftkartan sends email: queued OutgoingMessage rows, claimed, sent and marked one at a time.

Whoever wants a message sent adds a pending row and commits (survey invitations, task offers); a sender
then goes through pending rows and for each:
1. asks the kind's composer for the email, built freshly now (personal links are issued at this moment:
   only their hashes are stored, so a link cannot be kept in the queue). A composer that finds the
   message no longer wanted (the member unsubscribed, answered, was asked some other way) returns None
   and the row is deleted;
2. claims it with a conditional UPDATE pending -> SENDING and COMMITS that claim, so two senders at once
   (a double-clicked "continue", a CLI run beside the web page, a retried job) never both send it;
3. sends it, marks it SENT (or FAILED with the server's words) and yields: THE CALLER COMMITS THERE, so
   SENT is stored right after the SMTP server accepted the message.

So no message is ever sent twice, whatever crashes where (a killed worker, a lost database connection):
a crash between the claim and "SENT" leaves that one message SENDING, shown as uncertain (it may or may
not have reached the member), and nothing resends it by itself; `retry` puts it back only when a person
asks, after a while. `send` is that loop, with the commits, for views, commands and jobs; services only
queue.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask_babel import gettext as _

from survey.core import mailer
from survey.extensions import db
from survey.models import MessageStatus, OutgoingMessage, utcnow

messages = OutgoingMessage.__table__
# There is no background worker, so pages send from the request: at most this many messages or seconds,
# whichever comes first, which stays well inside a reverse proxy's timeout even with a slow relay.
REQUEST_BATCH = 200
REQUEST_SECONDS = 20


@dataclass
class Draft:
    """A composed email, and what to store once the server has accepted it (e.g. the new link's hash).
    Stored only then, so a refused message leaves the links it would have replaced still working."""

    email: EmailMessage
    on_sent: Callable[[], None] | None = None


Composer = Callable[[OutgoingMessage, mailer.SmtpSettings], Draft | None]


def deliver(ids: Iterable[int], smtp: mailer.Mailer, compose: Composer) -> Iterator[str]:
    """Send these pending messages; yields "sent", "failed" or "skipped" after each. COMMIT AFTER EACH YIELD.

    Raises mailer.MailerUnavailable when the server cannot be reached: roll back, and the message in
    hand stays pending.
    """
    for message_id in ids:
        yield _deliver_one(message_id, smtp, compose)


def _deliver_one(message_id: int, smtp: mailer.Mailer, compose: Composer) -> str:
    message = db.session.get(OutgoingMessage, message_id, populate_existing=True)
    if message is None or message.status is not MessageStatus.PENDING:
        return "skipped"  # another sender got there first
    try:
        draft = compose(message, smtp.cfg)  # DeliveryFailed too, for an address no email can be sent to
    except mailer.DeliveryFailed as exc:
        message.status, message.error = MessageStatus.FAILED, str(exc)[:500]
        db.session.flush()
        return "failed"
    if draft is None:
        db.session.delete(message)
        db.session.flush()
        return "skipped"
    # The claim, committed before the server hears of the message: from here on no sender (this one
    # after a crash included) will send it again by itself.
    claimed = db.session.execute(sa.update(messages).where(
        messages.c.id == message_id, messages.c.status == MessageStatus.PENDING.value,
    ).values(status=MessageStatus.SENDING.value, sent_at=utcnow())).rowcount
    if not claimed:
        db.session.rollback()  # the composer's work (a new link) goes with it
        return "skipped"
    db.session.commit()
    message = db.session.get(OutgoingMessage, message_id, populate_existing=True)
    try:
        smtp.send(draft.email)
    except mailer.DeliveryFailed as exc:
        message.status, message.error = MessageStatus.FAILED, str(exc)[:500]
        db.session.flush()
        return "failed"
    except mailer.MailerUnavailable:
        # The server could not be reached or hung up before accepting: not sent, so back in the queue.
        message.status, message.sent_at = MessageStatus.PENDING, None
        db.session.commit()
        raise
    if draft.on_sent is not None:
        draft.on_sent()
    message.status, message.sent_at, message.error = MessageStatus.SENT, utcnow(), None
    db.session.flush()
    return "sent"


UNCERTAIN_AFTER = timedelta(minutes=10)  # a SENDING message older than this was left by a crash


def retry(ids: sa.Select) -> int:
    """Put failed messages (a select of their ids) back to pending, and uncertain ones (left SENDING by a
    crash, so possibly received): a person asked for it. Returns how many."""
    stuck = sa.and_(OutgoingMessage.status == MessageStatus.SENDING,
                    OutgoingMessage.sent_at < utcnow() - UNCERTAIN_AFTER)
    again = sa.select(OutgoingMessage.id).where(
        OutgoingMessage.id.in_(ids), sa.or_(OutgoingMessage.status == MessageStatus.FAILED, stuck))
    return db.session.execute(sa.update(messages).where(messages.c.id.in_(again)).values(
        status=MessageStatus.PENDING.value, error=None, sent_at=None)).rowcount


# -- the sending loop, for views and commands ---------------------------------------------------------

@dataclass
class Sent:
    counts: Counter[str] = field(default_factory=Counter)  # "sent", "failed", "skipped"
    unavailable: str | None = None  # the server could not be reached: the rest stays pending

    def summary(self) -> str:
        """"Skickade 3, misslyckades 1, hoppade över 0." for a page, a job or a flash."""
        return _("Skickade %(sent)d, misslyckades %(failed)d, hoppade över %(skipped)d.",
                 sent=self.counts["sent"], failed=self.counts["failed"], skipped=self.counts["skipped"])


def send(deliveries: Callable[[mailer.Mailer], Iterator[str]], *, seconds: float | None = None,
         each: Callable[[str], None] | None = None) -> Sent:
    """Run `deliveries` (a `deliver` over one SMTP session) and COMMIT after every message; stop after
    `seconds` (a request must stay inside a proxy's timeout). Only for views and commands, after the
    transaction that queued the messages has been committed. Raises mailer.NotConfigured before doing
    anything; anything else (Ctrl-C, a crash) rolls back the message in hand, which stays pending."""
    cfg = mailer.settings()
    result = Sent()
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        with mailer.Mailer(cfg) as smtp:
            for outcome in deliveries(smtp):
                db.session.commit()  # SENT is stored the moment the server has accepted the message
                result.counts[outcome] += 1
                if each is not None:
                    each(outcome)
                if deadline is not None and time.monotonic() > deadline:
                    break
    except mailer.MailerUnavailable as exc:
        db.session.rollback()
        result.unavailable = str(exc)
    except BaseException:
        db.session.rollback()
        raise
    return result
