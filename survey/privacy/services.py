"""Members' rights under the GDPR: see what we hold (export), be forgotten (erase), and retention (purge).

Answers reveal political opinion (art. 9), so erasing and purging leave nothing that points at a person:
the registry row, links, messages, network and task rows go; submissions lose their signature, free text
and registry answers, and keep only their choices so the district's statistics stay right. The audit trail
of an erasure names the member by database id only, never by name or number.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import sqlalchemy as sa

from survey.core import audit
from survey.extensions import db
from survey.models import (
    Assignment,
    ErasedMember,
    MatchRule,
    Member,
    NetworkMembership,
    OutgoingMessage,
    Profile,
    RegistryMatch,
    Shift,
    ShiftAttendance,
    Submission,
    SubmissionStatus,
    Survey,
    SurveyLink,
    Task,
    User,
)
from survey.privacy import traces
from survey.privacy.mentions import Person

EXPORT_FORMAT = "kraftkartan-member-export/1"
ERASED_PREFIX = "erased:"
DEFAULT_PURGE_AFTER_DAYS = 365
PURGE_COUNTS = ("surveys", "submissions_anonymized", "drafts_deleted", "answers_deleted", "links_deleted",
                "messages_deleted")


def member_by_number(member_number: str) -> Member | None:
    return db.session.scalar(sa.select(Member).where(Member.member_number == member_number.strip()))


# -- export (art. 15 and 20) -----------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """JSON-ready: enums by value, dates and times as ISO 8601."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row, so fields added to the registry later are exported without touching this."""
    columns = sa.inspect(type(obj)).column_attrs
    return {c.key: _plain(getattr(obj, c.key)) for c in columns if c.key not in skip}


def _member_submissions(member_id: int) -> list[Submission]:
    # Personal-link sheets and open-link sheets matched to the member alike.
    return list(db.session.scalars(sa.select(Submission).where(Submission.member_id == member_id)
                                   .order_by(Submission.started_at, Submission.id)))


def _profile(submission: Submission) -> dict[str, Any] | None:
    p = db.session.scalar(sa.select(Profile).where(Profile.submission_id == submission.id))
    if p is None:
        return None
    return {"skills": [{"skill": s.skill, "level": s.level} for s in p.skills],
            "interests": p.tag_keys("interest"), "networks": p.tag_keys("network"),
            "availability": [{"start": _plain(i.start_local), "end": _plain(i.end_local)}
                             for i in p.intervals],
            "max_tasks": p.max_tasks, "hours_per_week": p.hours_per_week, "travels": p.travels}


def _submission(sub: Submission) -> dict[str, Any]:
    order = {q.id: i for i, q in enumerate(sub.survey.questions())}
    answers = [{"question": a.question.key, "type": a.question.type,
                "label": {lang: (a.question.label or {}).get(lang) for lang in ("sv", "en")},
                "value": a.value}
               for a in sorted(sub.answers, key=lambda a: order.get(a.question_id, 0))]
    return {"survey": sub.survey.slug, "survey_version": sub.survey_version,
            **_row(sub, skip=("id", "survey_id", "member_id", "respondent_key", "survey_version")),
            "answers": answers, "profile": _profile(sub)}


def export_member(member: Member, user: User | None, now: datetime, **via: Any) -> dict[str, Any]:
    """Everything Kraftkartan holds about one member, audit-logged as an export by `user`.

    Link hashes and the member's link secret are left out: they are secrets, not data about the member.
    """
    mid = member.id
    audit.record(user, "export", f"member:{mid}", rows=1, association_id=member.association_id, **via)
    networks = db.session.scalars(sa.select(NetworkMembership).where(NetworkMembership.member_id == mid)
                                  .order_by(NetworkMembership.created_at))
    link_times = db.session.scalars(sa.select(SurveyLink.created_at).where(SurveyLink.member_id == mid)
                                    .order_by(SurveyLink.created_at)).all()
    messages = db.session.execute(sa.select(OutgoingMessage, Survey.slug)
                                  .join(Survey, Survey.id == OutgoingMessage.survey_id)
                                  .where(OutgoingMessage.member_id == mid)
                                  .order_by(OutgoingMessage.created_at))
    assignments = db.session.scalars(sa.select(Assignment).where(Assignment.member_id == mid)
                                     .order_by(Assignment.created_at))
    rules = db.session.execute(sa.select(MatchRule, Task.title, Shift.start_local)
                               .join(Shift, Shift.id == MatchRule.shift_id)
                               .join(Task, Task.id == Shift.task_id)
                               .where(MatchRule.member_id == mid).order_by(Shift.start_local))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "member": {**_row(member, skip=("link_secret",)),
                   "association": member.association.name if member.association else None},
        "networks": [{"network": n.organisation.name, "source": n.source, "created_at": _plain(n.created_at)}
                     for n in networks],
        "submissions": [_submission(s) for s in _member_submissions(mid)],
        "survey_links": {"count": len(link_times), "created_at": [_plain(t) for t in link_times]},
        "messages": [{"survey": slug, **_row(m, skip=("id", "survey_id", "member_id"))}
                     for m, slug in messages],
        "task_assignments": [{"task": a.shift.task.title, "place": a.shift.task.place,
                              "start": _plain(a.shift.start_local), "end": _plain(a.shift.end_local),
                              **_row(a, skip=("id", "shift_id", "member_id", "run_id", "token_hash"))}
                             for a in assignments],
        "match_rules": [{"task": title, "start": _plain(start), "kind": r.kind.value,
                         "created_at": _plain(r.created_at)} for r, title, start in rules],
        # Ticked "kom" on a printed roster (outreach/printing); the rows go with the member on erasure.
        "shift_attendance": [{"task": title, "start": _plain(start)} for title, start in db.session.execute(
            sa.select(Task.title, Shift.start_local).select_from(ShiftAttendance)
            .join(Shift, Shift.id == ShiftAttendance.shift_id)
            .join(Task, Task.id == Shift.task_id).where(ShiftAttendance.member_id == mid)
            .order_by(Shift.start_local))],
    }


# -- anonymizing (shared by erasure and purge) --------------------------------------------------------

def _anonymize(sub: Submission, counts: Counter) -> None:
    """Keep a submitted sheet's choices for statistics with nothing that leads back to a person.

    Drafts are deleted instead: statistics count only submitted sheets, so a draft is personal data with no
    remaining purpose. The open link that resumes a sheet goes too, or its holder could still open it.
    """
    if sub.respondent_key.startswith("l:"):
        counts["links_deleted"] += db.session.execute(
            sa.delete(SurveyLink).where(SurveyLink.id == int(sub.respondent_key[2:]))).rowcount
    if sub.status is not SubmissionStatus.SUBMITTED:
        db.session.delete(sub)
        counts["drafts_deleted"] += 1
        return
    for answer in [a for a in sub.answers if traces.is_personal(a.question)]:
        sub.answers.remove(answer)
        counts["answers_deleted"] += 1
    sub.member = None
    sub.respondent_key = ERASED_PREFIX + secrets.token_hex(16)
    sub.registry_match, sub.needs_review, sub.resume_section = RegistryMatch.ANONYMOUS, False, None
    sub.signed_name = sub.signed_phone = sub.signed_email = None
    db.session.execute(sa.update(Profile).where(Profile.submission_id == sub.id).values(member_id=None))
    counts["submissions_anonymized"] += 1


def _delete(model: type, *where: Any) -> int:
    return db.session.execute(sa.delete(model).where(*where)).rowcount


# -- erasure (art. 17) --------------------------------------------------------------------------------

def erasure_key(member_number: str) -> str:
    """The hash an erased member's number is remembered by (survey.models.ErasedMember)."""
    return hashlib.sha256(f"kraftkartan-erased:{member_number.strip()}".encode()).hexdigest()


def erased_keys() -> set[str]:
    return set(db.session.scalars(sa.select(ErasedMember.number_hash)))


def readmit(member_number: str) -> bool:
    """Forget an erasure (the person asks to be back, e.g. rejoins): the next import may add them again."""
    return _delete(ErasedMember, ErasedMember.number_hash == erasure_key(member_number)) > 0


def erase_member(member: Member, user: User | None, **via: Any) -> dict[str, int]:
    """Remove the member everywhere; return what was done (counts only, also written to the audit log).

    The member number is remembered as a hash so that the next registry import skips it: otherwise the
    party's register, which still lists the person, would bring the erased data straight back.
    """
    mid, association_id = member.id, member.association_id
    person = Person.of(member)
    key = erasure_key(member.member_number)
    if not db.session.scalar(sa.select(ErasedMember.id).where(ErasedMember.number_hash == key)):
        db.session.add(ErasedMember(number_hash=key))
    counts: Counter = Counter()
    for sub in _member_submissions(mid):
        _anonymize(sub, counts)
    db.session.flush()
    counts["links_deleted"] += _delete(SurveyLink, SurveyLink.member_id == mid)
    counts["messages_deleted"] = _delete(OutgoingMessage, OutgoingMessage.member_id == mid)
    counts["networks_deleted"] = _delete(NetworkMembership, NetworkMembership.member_id == mid)
    counts["assignments_deleted"] = _delete(Assignment, Assignment.member_id == mid)
    counts["match_rules_deleted"] = _delete(MatchRule, MatchRule.member_id == mid)
    db.session.execute(sa.update(Profile).where(Profile.member_id == mid).values(member_id=None))
    counts.update(traces.scrub(person, mid))
    db.session.delete(member)
    db.session.flush()
    result = {k: int(v) for k, v in sorted(counts.items())}
    audit.record(user, "erase", f"member:{mid}", rows=1, association_id=association_id, **via, **result)
    return result


def clear_freed_space() -> bool:
    """After an erasure is committed: on SQLite, move the WAL into the database file and empty it.

    With secure_delete on (survey/__init__.py) SQLite zeroes deleted rows in the pages it writes, but the
    old pages stay in the write-ahead log until a checkpoint copies the new ones over them. Returns False
    when readers kept the checkpoint from finishing (the next automatic checkpoint completes it). On
    PostgreSQL there is nothing to do here: see docs/privacy.md for what stays in its files.
    """
    if db.engine.dialect.name != "sqlite":
        return True
    with db.engine.connect() as conn:
        busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return busy == 0


# -- retention ------------------------------------------------------------------------------------------

def purge(now: datetime, after_days: int) -> dict[str, int]:
    """Anonymize the answers of surveys that closed more than `after_days` ago; members stay in the registry.

    Idempotent: sheets already anonymized are skipped, so a second run reports zeros. Callers wanting a dry
    run roll back afterwards, which reports exactly what a real run would do.
    """
    cutoff = now - timedelta(days=after_days)
    totals: Counter = Counter()
    expired = sa.select(Survey).where(Survey.closes_at.is_not(None), Survey.closes_at < cutoff)
    surveys = db.session.scalars(expired.order_by(Survey.closes_at)).all()
    for survey in surveys:
        counts: Counter = Counter()
        subs = db.session.scalars(sa.select(Submission).where(
            Submission.survey_id == survey.id, Submission.respondent_key.not_like(f"{ERASED_PREFIX}%"))).all()
        for sub in subs:
            _anonymize(sub, counts)
        db.session.flush()
        counts["links_deleted"] += _delete(SurveyLink, SurveyLink.survey_id == survey.id)
        counts["messages_deleted"] = _delete(OutgoingMessage, OutgoingMessage.survey_id == survey.id)
        if any(counts.values()):
            audit.record(None, "purge", f"survey:{survey.slug}", rows=counts["submissions_anonymized"],
                         **{k: int(v) for k, v in sorted(counts.items())})
            totals["surveys"] += 1
        totals.update(counts)
    return {k: int(totals[k]) for k in PURGE_COUNTS}
