"""Inviting members: plan a round of messages, send what is pending, and the lists organizers work from.

Sending is split in two so a send of thousands can stop anywhere and be resumed without anyone getting
the same message twice:
1. `plan` inserts one pending OutgoingMessage per reachable member; the unique key (survey, member,
   kind, round) means planning the same round again only adds members who are new to it.
2. `deliver` sends pending messages through the outbox (`survey.core.outbox`: claim, send, mark, the
   caller commits after each), composing each invitation with a freshly issued personal link.

Who is reachable is decided twice, when planning and again just before sending: an active member with
an email address, not marked do-not-contact, who has not submitted the survey. Someone who unsubscribes
or answers between the two is dropped from the round instead of being sent to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

import sqlalchemy as sa
from babel.dates import format_date
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from survey.core import access, mailer, outbox
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.i18n import STOCKHOLM
from survey.models import (
    Member,
    MemberStatus,
    MessageStatus,
    Organisation,
    OutgoingMessage,
    Submission,
    SubmissionStatus,
    Survey,
    User,
    utcnow,
)
from survey.models.base import UTCDateTime
from survey.respond import links

KINDS = ("invitation", "reminder")
messages = OutgoingMessage.__table__


def default_survey(now: datetime | None = None) -> Survey | None:
    """The newest open survey: what organizers almost always mean."""
    now = now or utcnow()
    candidates = db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc()))
    return next((s for s in candidates if s.is_open(now)), None)


def find_association(name_or_slug: str) -> Organisation | None:
    key = name_or_slug.strip().lower()
    return db.session.scalar(sa.select(Organisation).where(
        sa.or_(Organisation.slug == key, sa.func.lower(Organisation.name) == key)))


def default_round(kind: str, now: datetime | None = None) -> str:
    """Invitations: round "1", so running it again only reaches new members. Reminders: today's date."""
    if kind == "invitation":
        return "1"
    return (now or utcnow()).astimezone(STOCKHOLM).date().isoformat()


def open_url(base_url: str, survey: Survey) -> str:
    """The survey's open link (QR codes, flyers), on the public address like the personal links."""
    return f"{base_url}/o/{survey.slug}"


# -- who ---------------------------------------------------------------------------------------------

def _scoped(query: sa.Select, user: User | None, association: Organisation | None) -> sa.Select:
    """`user` None is the command line, which runs with the district's full view."""
    if user is not None:
        query = access.scope_members(query, user)
    if association is not None:
        query = query.where(Member.association_id == association.id)
    return query


def _submitted(survey: Survey) -> sa.Exists:
    return sa.exists().where(Submission.survey_id == survey.id, Submission.member_id == Member.id,
                             Submission.status == SubmissionStatus.SUBMITTED)


def _contactable() -> list[sa.ColumnElement[bool]]:
    return [Member.status == MemberStatus.ACTIVE, Member.do_not_contact.is_(False)]


def reachable(survey: Survey, *, user: User | None = None,
              association: Organisation | None = None) -> sa.Select:
    """Members an email about `survey` may go to."""
    query = sa.select(Member).where(*_contactable(), Member.email.is_not(None), Member.email != "",
                                    ~_submitted(survey))
    return _scoped(query, user, association)


def _still_reachable(member: Member | None, survey: Survey) -> bool:
    if member is None or member.status is not MemberStatus.ACTIVE:
        return False
    if member.do_not_contact or not member.email:
        return False
    return not db.session.scalar(sa.select(_submitted(survey)).where(Member.id == member.id))


# -- plan and send -----------------------------------------------------------------------------------

def plan(survey: Survey, kind: str, round_name: str, *, user: User | None = None,
         association: Organisation | None = None) -> int:
    """Add a pending message for every reachable member not yet in this round; returns how many."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    in_round = sa.exists().where(messages.c.survey_id == survey.id, messages.c.member_id == Member.id,
                                 messages.c.kind == kind, messages.c.round == round_name)
    source = reachable(survey, user=user, association=association).where(~in_round).with_only_columns(
        sa.literal(survey.id), Member.id, sa.literal(kind), sa.literal(round_name),
        sa.literal(MessageStatus.PENDING.value), sa.literal(utcnow(), UTCDateTime()))
    columns = ["survey_id", "member_id", "kind", "round", "status", "created_at"]
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... SELECT.
    insert = sa.insert(messages).from_select(columns, source).returning(messages.c.id)
    return len(db.session.execute(insert).all())


def _round(survey: Survey, kind: str, round_name: str, user: User | None,
           association: Organisation | None) -> sa.Select:
    query = (sa.select(OutgoingMessage).join(Member, Member.id == OutgoingMessage.member_id)
             .where(OutgoingMessage.survey_id == survey.id, OutgoingMessage.kind == kind,
                    OutgoingMessage.round == round_name))
    return _scoped(query, user, association)


def pending_count(survey: Survey, kind: str, round_name: str, *, user: User | None = None,
                  association: Organisation | None = None) -> int:
    query = _round(survey, kind, round_name, user, association).where(
        OutgoingMessage.status == MessageStatus.PENDING)
    return db.session.scalar(query.with_only_columns(sa.func.count()))


def deliver(survey: Survey, kind: str, round_name: str, smtp: mailer.Mailer, *, base_url: str,
            user: User | None = None, association: Organisation | None = None,
            limit: int | None = None) -> Iterator[str]:
    """Send pending messages; yields "sent", "failed" or "skipped" after each. COMMIT AFTER EACH YIELD.

    Raises mailer.MailerUnavailable when the server cannot be reached: roll back, and the message in
    hand stays pending.
    """
    query = _round(survey, kind, round_name, user, association).where(
        OutgoingMessage.status == MessageStatus.PENDING)
    ids = db.session.scalars(query.with_only_columns(OutgoingMessage.id).order_by(OutgoingMessage.id)
                             .limit(limit)).all()

    def draft(message: OutgoingMessage, cfg: mailer.SmtpSettings) -> outbox.Draft | None:
        member = db.session.get(Member, message.member_id)
        if not _still_reachable(member, survey):
            return None  # unsubscribed or answered since the round was planned: dropped from it
        return outbox.Draft(compose(cfg, survey, member, message.kind, base_url))

    yield from outbox.deliver(ids, smtp, draft)


def compose(cfg: mailer.SmtpSettings, survey: Survey, member: Member, kind: str,
            base_url: str) -> EmailMessage:
    """The email for one member, with a freshly issued personal link (only hashes are stored)."""
    token = links.issue_link(survey, member)
    unsubscribe = unsubscribe_url(base_url, member)
    closes = survey.closes_at.astimezone(STOCKHOLM).date() if survey.closes_at else None
    context = {
        "member": member, "url": links.survey_url(base_url, token), "unsubscribe_url": unsubscribe,
        "sender_name": parseaddr(cfg.mail_from)[0] or "Kraftkartan",
        "title_sv": survey.title.get("sv", ""),
        "title_en": survey.title.get("en") or survey.title.get("sv", ""),
        "closes_sv": format_date(closes, "d MMMM", locale="sv") if closes else None,
        "closes_en": format_date(closes, "d MMMM", locale="en") if closes else None,
    }
    # The bare Jinja environment: emails are also rendered from the CLI, where no request (session,
    # locale) exists for the app's context processors.
    env = current_app.jinja_env
    subject = env.get_template(f"email/{kind}_subject.txt").render(context)
    body = env.get_template(f"email/{kind}.txt").render(context)
    # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to this URL.
    headers = {"List-Unsubscribe": f"<{unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return mailer.compose(cfg, to_name=member.full_name, to_addr=member.email, subject=subject, body=body,
                          headers=headers)


def retry_failed(survey: Survey, kind: str, round_name: str, *, user: User | None = None,
                 association: Organisation | None = None) -> int:
    """Put failed messages of a round back to pending; returns how many."""
    return outbox.retry(_round(survey, kind, round_name, user, association)
                        .with_only_columns(OutgoingMessage.id))


# -- status ------------------------------------------------------------------------------------------

@dataclass
class RoundCounts:
    survey: Survey
    kind: str
    round: str
    pending: int = 0
    sending: int = 0  # uncertain: a crash left them between the claim and the server's answer
    sent: int = 0
    failed: int = 0
    last_planned_at: datetime | None = None
    errors: list[tuple[str, int]] = field(default_factory=list)  # the servers' answers, most common first


def rounds(*, user: User | None = None, survey: Survey | None = None,
           association: Organisation | None = None) -> list[RoundCounts]:
    """Counts per round within what `user` may see, newest round first. Error texts, never members."""
    base = sa.select(OutgoingMessage.survey_id, OutgoingMessage.kind, OutgoingMessage.round).join(
        Member, Member.id == OutgoingMessage.member_id).where(OutgoingMessage.kind.in_(KINDS))
    base = _scoped(base, user, association)
    if survey is not None:
        base = base.where(OutgoingMessage.survey_id == survey.id)
    key_cols = (OutgoingMessage.survey_id, OutgoingMessage.kind, OutgoingMessage.round)
    found: dict[tuple[int, str, str], RoundCounts] = {}
    for survey_id, kind, round_name, status, n, last in db.session.execute(base.add_columns(
            OutgoingMessage.status, sa.func.count(), sa.func.max(OutgoingMessage.created_at))
            .group_by(*key_cols, OutgoingMessage.status)):
        row = found.setdefault((survey_id, kind, round_name),
                               RoundCounts(db.session.get(Survey, survey_id), kind, round_name))
        setattr(row, MessageStatus(status).value, n)
        row.last_planned_at = max(filter(None, (row.last_planned_at, last)), default=None)
    for survey_id, kind, round_name, error, n in db.session.execute(
            base.add_columns(OutgoingMessage.error, sa.func.count())
            .where(OutgoingMessage.status == MessageStatus.FAILED)
            .group_by(*key_cols, OutgoingMessage.error).order_by(sa.func.count().desc())):
        found[(survey_id, kind, round_name)].errors.append((error or "?", n))
    return sorted(found.values(), key=lambda r: (r.last_planned_at or utcnow(), r.round), reverse=True)


# -- unsubscribe -------------------------------------------------------------------------------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_url(base_url: str, member: Member) -> str:
    """Signed, not stored: it must keep working for as long as old emails are read, and only for this
    member (links.member_key)."""
    return f"{base_url}/u/{_signer().dumps(links.member_key(member))}"


def member_from_token(token: str) -> Member | None:
    """The member a token was signed for; None when tampered with, malformed, or the member is gone."""
    if len(token) > 200:
        return None
    try:
        value = _signer().loads(token)
    except BadSignature:
        return None
    return links.member_from_key(value)


def unsubscribe(member: Member) -> None:
    if not member.do_not_contact:
        member.do_not_contact = True
        db.session.flush()


# -- lists for organizers ----------------------------------------------------------------------------

def not_answered(survey: Survey, *, user: User | None, association: Organisation) -> list[Member]:
    """Active members of an association who have not submitted, do-not-contact included (marked)."""
    query = sa.select(Member).where(Member.status == MemberStatus.ACTIVE, ~_submitted(survey)).order_by(
        Member.last_name, Member.first_name, Member.id)
    return list(db.session.scalars(_scoped(query, user, association)))


def sms_rows(survey: Survey, *, base_url: str, user: User | None, association: Organisation | None,
             only_not_answered: bool) -> list[dict[str, str]]:
    """member_number, first_name, phone (national format), url: a fresh personal link per member."""
    query = sa.select(Member).where(*_contactable(), Member.phone.is_not(None), Member.phone != "")
    if only_not_answered:
        query = query.where(~_submitted(survey))
    query = _scoped(query, user, association).order_by(Member.member_number)
    return [{"member_number": m.member_number, "first_name": m.first_name, "phone": format_phone(m.phone),
             "url": links.survey_url(base_url, links.issue_link(survey, m))}
            for m in db.session.scalars(query)]
