"""Calls made from a printed call sheet, typed back in afterwards by the organizer.

At a phone bank without screens, callers tick an outcome per person on the sheet (outreach/printing's
call sheet). Typing the sheet in afterwards goes through `services.record_outcome`, like a call made on
the screen, so cooldowns, do-not-contact and the goal work the same. A member someone is calling on the
screen right now is left alone: their caller's outcome comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from outreach.calllists import queue, services
from survey.extensions import db
from survey.models import CallList, CallTarget, Member, User

# What the sheet has a tick box for; each can be typed in without more detail (no call-back time).
SHEET_OUTCOMES = ("reached", "no_answer", "busy", "not_available", "wrong_number", "do_not_call")


@dataclass(frozen=True)
class PaperRow:
    target_id: int
    name: str
    phone: str | None
    held_by_someone: bool  # allocated on a screen right now


def rows(call_list: CallList, now: datetime) -> list[PaperRow]:
    """The targets that may be called now, in call order: the people a sheet printed now would list."""
    query = (sa.select(CallTarget, Member).join(Member, Member.id == CallTarget.member_id)
             .where(CallTarget.call_list_id == call_list.id, queue.open_target(), queue.due(now),
                    queue.callable_member())
             .order_by(*queue.call_order()))
    return [PaperRow(target.id, member.full_name, member.phone,
                     target.allocated_to_id is not None and not _stale(target, now))
            for target, member in db.session.execute(query)]


def _stale(target: CallTarget, now: datetime) -> bool:
    return target.allocated_at is None or target.allocated_at < now - queue.allocation_timeout()


def record(call_list: CallList, user: User, entries: dict[int, tuple[str, str]], now: datetime) -> int:
    """Store the ticked outcomes ({target id: (outcome, note)}); returns how many calls were stored.
    Unknown targets, other lists' targets and members held on a screen are skipped, not errors: the
    sheet may be older than the list."""
    open_ids = {r.target_id for r in rows(call_list, now) if not r.held_by_someone}
    stored = 0
    for target_id, (outcome, note) in entries.items():
        if outcome not in SHEET_OUTCOMES or target_id not in open_ids:
            continue
        target = db.session.get(CallTarget, target_id)
        services.record_outcome(target, user, outcome, now, note=f"{note} (från papper)".strip()
                                if note else "(från papper)")
        stored += 1
    return stored
