"""An erased member's details in rows that no foreign key ties to them.

The member's own rows go by member id (survey.privacy.services). What is left are copies: an open-link
sheet never matched to anyone but signed with their phone number, their email typed into another sheet's
contact question, an organizer's note naming them, an import report quoting their row, a log detail.
Each is found by its content (survey.privacy.mentions) and cleared or redacted, touching as little as
possible of what belongs to other people. Like every service this flushes and never commits.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from typing import Any

import sqlalchemy as sa

from survey.extensions import db
from survey.models import (
    Answer,
    AuditEvent,
    MatchRun,
    MemberImport,
    OutgoingMessage,
    Question,
    RegistryMatch,
    Submission,
    Task,
)
from survey.privacy.mentions import Person, redact_json

# Types whose answers are option keys, booleans or calendar cells, never something a person typed.
CHOICE_LIKE = ("single_choice", "multiple_choice", "skill", "yes_no", "consent", "availability")
# A question that asks for a contact detail, by its key, when the survey file gave it no `prefill`.
CONTACT_KEY = re.compile(
    r"name|namn|phone|mobil|telefon|mail|e_?post|address|adress|post_?code|post_?nr"
    r"|postnummer|personnummer",
    re.IGNORECASE,
)


def is_personal(question: Question) -> bool:
    """Free text can say anything about anyone; contact questions hold registry details, not opinions."""
    if question.type in ("text", "long_text") or question.prefill is not None:
        return True
    return question.type not in CHOICE_LIKE and bool(CONTACT_KEY.search(question.key or ""))


def _is_contact(prefill: str | None, key: str | None) -> bool:
    return prefill is not None or bool(CONTACT_KEY.search(key or ""))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def scrub(person: Person, member_id: int) -> Counter:
    """Everything below, for a member being erased; returns counts for the audit event."""
    counts: Counter = Counter(signatures_cleared=0)  # reported even when nothing was cleared
    carrying = _signatures(person, counts)
    _names(person, _answers(person, carrying, counts) - carrying)
    counts["import_report_rows_removed"] = _import_reports(person)
    counts["texts_redacted"] = _free_text(person) + _audit_details(person)
    _match_runs(member_id)
    return counts


def _signatures(person: Person, counts: Counter) -> set[int]:
    """Sheets not tied to the member (open link, ambiguous or unmatched) signed with their details.

    Only the fields that are theirs are cleared, since the sheet may be someone else's who shares a phone
    number; a sheet left with no signature at all has nothing to review and is plainly anonymous.
    Returns the ids of the sheets that carried the member's details.
    """
    signed = sa.or_(
        Submission.signed_name.is_not(None),
        Submission.signed_phone.is_not(None),
        Submission.signed_email.is_not(None),
    )
    carrying = set()
    for sub in db.session.scalars(sa.select(Submission).where(signed)):
        phone = person.phone is not None and sub.signed_phone == person.phone
        email = person.email is not None and sub.signed_email == person.email
        name = person.mentioned_in(sub.signed_name)
        if not (phone or email or name):
            continue
        carrying.add(sub.id)
        if phone:
            sub.signed_phone = None
        if email:
            sub.signed_email = None
        if name or any(person.is_name(word) for word in (sub.signed_name or "").split()):
            sub.signed_name = None
        if sub.member_id is None and not (sub.signed_name or sub.signed_phone or sub.signed_email):
            sub.registry_match, sub.needs_review = RegistryMatch.ANONYMOUS, False
        counts["signatures_cleared"] += 1
    db.session.flush()
    return carrying


def _names(person: Person, sheet_ids: set[int]) -> None:
    """The member's first or last name in the signature of sheets that carry their details."""
    for chunk in _chunks(sorted(sheet_ids)):
        for sub in db.session.scalars(sa.select(Submission).where(Submission.id.in_(chunk))):
            if any(person.is_name(word) for word in (sub.signed_name or "").split()):
                sub.signed_name = None
    db.session.flush()


def _answers(person: Person, carrying: set[int], counts: Counter) -> set[int]:
    """Answers in anyone's sheet that name the member: contact answers go, free text is redacted.

    In a sheet that carried the member's details, their plain first or last name in a name field goes too.
    Returns the sheets whose contact answers carried the member's details.
    """
    rows = db.session.execute(
        sa.select(Answer.id, Answer.submission_id, Answer.value, Question.prefill, Question.key)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.type.not_in(CHOICE_LIKE))
    ).all()
    contact_rows = [r for r in rows if _is_contact(r.prefill, r.key)]
    found = {r.submission_id for r in contact_rows if person.is_detail(_text(r.value))}
    doomed = {
        r.id
        for r in contact_rows
        if person.is_detail(_text(r.value))
        or (r.submission_id in carrying | found and person.is_name(_text(r.value)))
    }
    for chunk in _chunks(sorted(doomed)):
        db.session.execute(sa.delete(Answer).where(Answer.id.in_(chunk)))
    redacted = 0
    for row in rows:
        if row.id in doomed or not person.mentioned_in(_text(row.value)):
            continue
        if isinstance(row.value, str):
            cleaned = person.redact(row.value)
            db.session.execute(sa.update(Answer).where(Answer.id == row.id).values(value=cleaned))
        else:  # a number or a structure that spells the detail out: nothing sensible to keep
            db.session.execute(sa.delete(Answer).where(Answer.id == row.id))
        redacted += 1
    counts["answers_scrubbed"] = len(doomed) + redacted
    return found


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _import_reports(person: Person) -> int:
    """Registry import problem reports are CSV text that may quote the member's row: drop those rows.

    Read with pandas, which has no field size limit (the csv module stops at 128 KB, and old reports
    quoted whole cells). A report that cannot be read at all is emptied rather than let the erasure fail.
    """
    import pandas as pd  # here, not at import time: every command loads this module

    removed = 0
    for report in db.session.scalars(sa.select(MemberImport).where(MemberImport.report_csv != "")):
        if not (person.mentioned_in(report.report_csv) or person.member_number in report.report_csv):
            continue
        try:
            rows = pd.read_csv(
                io.StringIO(report.report_csv),
                header=None,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=True,
            ).values.tolist()
        except (pd.errors.ParserError, ValueError):
            removed += report.report_csv.count("\n")
            report.report_csv = ""
            continue
        kept = [r for r in rows if not any(person.is_detail(c) for c in r)]
        if len(kept) != len(rows):
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(kept)
            report.report_csv, removed = out.getvalue(), removed + len(rows) - len(kept)
    return removed


def _free_text(person: Person) -> int:
    """Text that organizers type or the mailer records: task titles, places and notes, send errors and
    import file names. The mention is replaced; the rest of the text is other people's work."""
    changed = 0
    places = (
        (Task, ("title", "place", "notes"), None),
        (OutgoingMessage, ("error",), OutgoingMessage.error.is_not(None)),
        (MemberImport, ("filename",), None),
    )
    for model, columns, where in places:
        query = sa.select(model) if where is None else sa.select(model).where(where)
        for row in db.session.scalars(query):
            for column in columns:
                text = getattr(row, column)
                if person.mentioned_in(text):
                    setattr(row, column, person.redact(text))
                    changed += 1
    db.session.flush()
    return changed


def _audit_details(person: Person) -> int:
    """The audit log names members by id only, but a detail written by an older version, or a file name,
    could quote one. The SQL narrows the search to rows that contain a piece of a detail; Python decides."""
    detail = sa.func.lower(sa.cast(AuditEvent.detail, sa.Text))
    pieces = {p.lower() for p in (person.email, person.phone, person.member_number) if p}
    for name in (person.last_name, person.first_name):
        if len(name) >= 3:  # stored JSON may escape letters beyond ASCII ("\u00c5sa"), so both spellings
            pieces |= {name.lower(), json.dumps(name)[1:-1].lower(), json.dumps(name.lower())[1:-1]}
    if person.phone:
        pieces.add(person.phone[-4:])
    if not pieces:
        return 0
    changed = 0
    query = sa.select(AuditEvent).where(
        AuditEvent.detail.is_not(None), sa.or_(*(detail.contains(p, autoescape=True) for p in pieces))
    )
    for event in db.session.scalars(query):
        cleaned = redact_json(event.detail, person)
        if cleaned != event.detail:
            event.detail, changed = cleaned, changed + 1
    db.session.flush()
    return changed


def _match_runs(member_id: int) -> None:
    """A run's statistics list pins it had to drop by member id: the id of someone erased means nothing
    any more, and with ids never reused it points nowhere, but it is the member's, so it goes."""
    for run in db.session.scalars(sa.select(MatchRun).where(MatchRun.stats.is_not(None))):
        pins = (run.stats or {}).get("dropped_pins") or []
        kept = [p for p in pins if p.get("member") != member_id]
        if len(kept) != len(pins):
            run.stats = {**run.stats, "dropped_pins": kept}
    db.session.flush()
