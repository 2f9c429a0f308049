"""Task offers by email, through the same outbox as the survey invitations (`survey.core.outbox`).

Publishing and sending are apart so that a member is only ever sent what has been stored: publishing
(`services.publish`, `services.offer`) gives each ask its link and queues one OutgoingMessage per member
(kind "task", no survey), and only flushes; the view or command commits; then `send_now` sends, one
message at a time, committing after each. A commit that fails sends nothing; a message the server
refuses stays in the outbox (failed) and is sent by a retry; one it could not reach stays pending.

Every ask has at most one channel. Asks of a member with an email address point at the message that
carries them (`Assignment.offer_message_id`), so no ask is in two emails. The others, and all of them
when SMTP is not set up, are handed out another way: the publish page shows their links once, and the
SMS list gives fresh ones, taking those asks out of any email still waiting (`withdraw`).

Links are issued again when the email is composed: only hashes are stored, so the queue cannot keep one.
The new hashes are stored only once the server has accepted the email; until then the link issued at
publishing is the valid one.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr

import sqlalchemy as sa
from babel.dates import format_datetime
from flask import current_app

from survey.core import mailer, outbox
from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    Member,
    MemberStatus,
    MessageStatus,
    Organisation,
    OutgoingMessage,
    Shift,
    Task,
    utcnow,
)
from survey.respond import links
from survey.spec.services import STOCKHOLM

KIND = "task"
TOKEN_BYTES = 24


def task_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/t/{token}"


def issue_token(assignment: Assignment) -> str:
    """Publish the ask with a fresh link; returns the token (only its hash is stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assignment.token_hash = links.hash_token(token)
    assignment.status = AssignmentStatus.PUBLISHED
    return token


@dataclass
class Emailed:
    """What one send did: members emailed, and emails that must wait for a retry (failed or pending)."""

    mailed: int = 0
    waiting: int = 0
    error: str | None = None  # the server's answer, or why it could not be reached


@dataclass
class Published:
    """What a publish (or one offer) did: every new ask with the link issued for it, the emails queued
    for them, and the asks whose links must be handed out another way (shown once, never stored)."""

    links: list[tuple[Assignment, str]] = field(default_factory=list)  # (assignment, url), every new ask
    queued: list[int] = field(default_factory=list)  # the outbox messages for them, for `send_now`
    not_mailed: list[tuple[Assignment, str]] = field(default_factory=list)  # hand these out another way
    emailed: Emailed = field(default_factory=Emailed)  # filled in once the view has sent `queued`

    @property
    def mailed(self) -> int:
        return self.emailed.mailed

    @property
    def mail_error(self) -> str | None:
        return self.emailed.error


def _reachable(member: Member | None) -> bool:
    return (member is not None and member.status is MemberStatus.ACTIVE and not member.do_not_contact
            and bool(member.email))


def queue(result: Published) -> None:
    """One pending message per reachable member for their new asks; the rest go to `not_mailed`."""
    if not mailer.is_configured():
        result.not_mailed = list(result.links)
        return
    by_member: dict[int, list[tuple[Assignment, str]]] = {}
    for assignment, url in result.links:
        by_member.setdefault(assignment.member_id, []).append((assignment, url))
    published_at = utcnow().astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    for member_id, items in by_member.items():
        if not _reachable(db.session.get(Member, member_id)):
            result.not_mailed.extend(items)
            continue
        message = OutgoingMessage(member_id=member_id, kind=KIND, round=published_at)
        db.session.add(message)
        db.session.flush()
        for assignment, _url in items:
            assignment.offer_message_id = message.id
        result.queued.append(message.id)
    db.session.flush()


def draft(message: OutgoingMessage, cfg: mailer.SmtpSettings) -> outbox.Draft | None:
    """The email for one queued message: the asks it still carries (answered ones are left out), each
    with a fresh link. None when there is nothing left to ask or the member may no longer be emailed."""
    member = db.session.get(Member, message.member_id)
    asks = db.session.scalars(
        sa.select(Assignment).join(Assignment.shift)
        .where(Assignment.offer_message_id == message.id, Assignment.status == AssignmentStatus.PUBLISHED)
        .order_by(Shift.start_local, Assignment.id)
    ).all()
    if not asks or not _reachable(member):
        return None
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _a in asks]
    subject, body = render(member, [(a, task_url(t)) for a, t in zip(asks, tokens, strict=True)],
                           parseaddr(cfg.mail_from)[0] or "Kraftkartan")
    email = mailer.compose(cfg, to_name=member.full_name, to_addr=member.email, subject=subject, body=body)

    def store_links() -> None:
        for assignment, token in zip(asks, tokens, strict=True):
            assignment.token_hash = links.hash_token(token)

    return outbox.Draft(email, store_links)


def when(shift: Shift) -> str:
    """"tis 13 aug. 18:00–20:00", as the pages say it; Swedish, with no request to take a locale from."""
    start = format_datetime(shift.start_local, "EEE d MMM HH:mm", locale="sv")
    return f"{start}–{shift.end_local.strftime('%H:%M')}"


def render(member: Member, items: list[tuple[Assignment, str]], sender_name: str) -> tuple[str, str]:
    """Subject and body of a task email; also what the publish preview shows, so it is the real text."""
    context = {"member": member, "items": items, "sender_name": sender_name, "when": when}
    # The bare Jinja environment: offers are also sent from the CLI, where there is no request.
    env = current_app.jinja_env
    return (env.get_template("email/task_subject.txt").render(context),
            env.get_template("email/task_offer.txt").render(context))


def sender_name() -> str:
    """The name the task emails are signed with (the From address's name), for the preview."""
    try:
        return parseaddr(mailer.settings().mail_from)[0] or "Kraftkartan"
    except mailer.NotConfigured:
        return "Kraftkartan"


def reachable(member: Member | None) -> bool:
    """Whether a publish would email this member (SMTP set up, an address, may be contacted)."""
    return mailer.is_configured() and _reachable(member)


def deliver(ids: Iterable[int], smtp: mailer.Mailer) -> Iterator[str]:
    """See `outbox.deliver`: COMMIT AFTER EACH YIELD."""
    return outbox.deliver(ids, smtp, draft)


def send_now(ids: Collection[int], *, limit: int | None = None, seconds: float | None = None) -> Emailed:
    """Send these queued messages (at most `limit` now), committing after each; for views and commands,
    after the publish that queued them has been committed. What is not sent now waits in the outbox."""
    if not ids:
        return Emailed()
    now = list(ids)[:limit]
    try:
        sent = outbox.send(lambda smtp: deliver(now, smtp), seconds=seconds)
    except mailer.NotConfigured as exc:
        return Emailed(waiting=len(ids), error=str(exc))
    statuses = dict(db.session.execute(
        sa.select(OutgoingMessage.id, OutgoingMessage.status).where(OutgoingMessage.id.in_(ids))).all())
    errors = db.session.scalars(sa.select(OutgoingMessage.error).where(
        OutgoingMessage.id.in_(ids), OutgoingMessage.status == MessageStatus.FAILED)).all()
    return Emailed(mailed=sum(status is MessageStatus.SENT for status in statuses.values()),
                   waiting=sum(status is not MessageStatus.SENT for status in statuses.values()),
                   error=sent.unavailable or next(iter(errors), None))


# -- what is waiting in a scope, and retries ------------------------------------------------------------


def _in_scope(association: Organisation | None, shift_ids: set[int] | None) -> sa.Select:
    """Task messages for asks on the scope's shifts (`shift_ids`: only these). The whole district also
    covers messages whose asks have all gone (a deleted task): sending then just drops them."""
    query = sa.select(OutgoingMessage.id).where(OutgoingMessage.kind == KIND)
    if association is None and shift_ids is None:
        return query
    asks = (sa.select(Assignment.offer_message_id).join(Assignment.shift).join(Shift.task)
            .where(Assignment.offer_message_id.is_not(None)))
    if association is not None:
        asks = asks.where(Task.association_id == association.id)
    if shift_ids is not None:
        asks = asks.where(Assignment.shift_id.in_(shift_ids))
    return query.where(OutgoingMessage.id.in_(asks))


def waiting(association: Organisation | None, shift_ids: set[int] | None = None) -> dict[str, int]:
    """Pending and failed task emails in scope, for the match page."""
    rows = db.session.execute(
        sa.select(OutgoingMessage.status, sa.func.count())
        .where(OutgoingMessage.id.in_(_in_scope(association, shift_ids)),
               OutgoingMessage.status.in_((MessageStatus.PENDING, MessageStatus.FAILED)))
        .group_by(OutgoingMessage.status)).all()
    counts = {MessageStatus.PENDING.value: 0, MessageStatus.FAILED.value: 0}
    counts.update({MessageStatus(status).value: n for status, n in rows})
    return counts


def pending(association: Organisation | None, shift_ids: set[int] | None = None,
            retry_failed: bool = False) -> list[int]:
    """The scope's task emails still to send, for `send_now`; `retry_failed` puts the failed ones back
    in the queue first (a refusal is not retried unasked: a "no such user" would be refused again)."""
    if retry_failed:
        outbox.retry(_in_scope(association, shift_ids))
    return list(db.session.scalars(
        sa.select(OutgoingMessage.id)
        .where(OutgoingMessage.id.in_(_in_scope(association, shift_ids)),
               OutgoingMessage.status == MessageStatus.PENDING)
        .order_by(OutgoingMessage.id)))


def withdraw(asks: Iterable[Assignment]) -> None:
    """Take asks out of emails not sent yet: their links are being handed out another way (the SMS
    list), and an email sent later would replace those links. Messages left with nothing are dropped."""
    asks = [a for a in asks if a.offer_message_id is not None]
    unsent = set(db.session.scalars(sa.select(OutgoingMessage.id).where(
        OutgoingMessage.id.in_({a.offer_message_id for a in asks}),
        OutgoingMessage.status != MessageStatus.SENT)))
    for ask in asks:
        if ask.offer_message_id in unsent:
            ask.offer_message_id = None
    db.session.flush()
    still_used = sa.select(Assignment.offer_message_id).where(Assignment.offer_message_id.in_(unsent))
    db.session.execute(sa.delete(OutgoingMessage).where(OutgoingMessage.id.in_(unsent),
                                                        OutgoingMessage.id.not_in(still_used)))
