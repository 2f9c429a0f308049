"""What organizers read about a list: progress, why targets are blocked, calls per caller, outcomes,
the export with outcomes, and the rows of a printable call sheet.

Queries only; nothing here changes data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from outreach.calllists import queue, services
from survey.extensions import db
from survey.models import Call, CallList, CallTarget, Member, MemberStatus, User
from survey.spec.services import STOCKHOLM

BLOCKED = ("cooldown", "callback", "allocated", "no_number", "needs_action", "do_not_contact")


@dataclass
class Stats:
    total: int = 0  # members on the list now (matching the filter)
    ready: int = 0  # could be handed out this minute
    done: int = 0  # goal met
    closed: int = 0  # reached, goal not met; or asked not to be called: no more calls on this list
    blocked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BLOCKED, 0))
    calls_today: int = 0
    per_caller: list[tuple[str, int, int]] = field(default_factory=list)  # (email, today, all)
    outcomes: dict[str, int] = field(default_factory=dict)  # every call on the list, by outcome


def start_of_today(now: datetime) -> datetime:
    local = now.astimezone(STOCKHOLM)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def blocked_reason(target: CallTarget, member: Member, now: datetime) -> str | None:
    """The first reason a target that is not done cannot be called now, in the organizer's words' order."""
    if member.do_not_contact:
        return "do_not_contact"
    if not member.phone or target.wrong_number:
        return "no_number"
    if target.needs_action:
        return "needs_action"
    if target.allocated_to_id is not None and target.allocated_at >= now - queue.allocation_timeout():
        return "allocated"
    if target.callback_at is not None and target.callback_at > now:
        return "callback"
    if target.cooldown_until is not None and target.cooldown_until > now:
        return "cooldown"
    return None


def stats(call_list: CallList, now: datetime) -> Stats:
    result = Stats()
    rows = db.session.execute(
        sa.select(CallTarget, Member).join(Member, Member.id == CallTarget.member_id)
        # A member whose goal is met often no longer matches the filter (they answered): still counted done.
        .where(CallTarget.call_list_id == call_list.id,
               sa.or_(CallTarget.matches, CallTarget.done_at.is_not(None)),
               Member.status == MemberStatus.ACTIVE)
    ).all()
    for target, member in rows:
        result.total += 1
        if target.done_at is not None:
            result.done += 1
        elif target.needs_action:  # waiting for the organizer, whatever the call's outcome was
            result.blocked["needs_action"] += 1
        elif target.closed_at is not None:
            result.closed += 1
        elif (reason := blocked_reason(target, member, now)) is not None:
            result.blocked[reason] += 1
        else:
            result.ready += 1
    today = start_of_today(now)
    result.calls_today = db.session.scalar(sa.select(sa.func.count()).where(
        Call.call_list_id == call_list.id, Call.at >= today)) or 0
    per = db.session.execute(
        sa.select(User.email, sa.func.count(Call.id),
                  sa.func.sum(sa.case((Call.at >= today, 1), else_=0)))
        .join(User, User.id == Call.caller_id).where(Call.call_list_id == call_list.id)
        .group_by(User.email).order_by(User.email)).all()
    result.per_caller = [(email, int(t or 0), int(n)) for email, n, t in per]
    counted = Counter(dict(db.session.execute(
        sa.select(Call.outcome, sa.func.count()).where(Call.call_list_id == call_list.id)
        .group_by(Call.outcome)).all()))
    result.outcomes = {key: counted.get(key, 0) for key in services.OUTCOMES}
    return result


def _local(moment: datetime | None) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") if moment else ""


def status_of(target: CallTarget, member: Member, now: datetime) -> str:
    if target.done_at is not None:
        return "done"
    if target.closed_at is not None:
        return "closed"
    return blocked_reason(target, member, now) or "ready"


def export_frame(call_list: CallList, now: datetime) -> pd.DataFrame:
    """One row per member on the list with the latest outcome and every note (the organizer's export)."""
    notes: dict[int, list[str]] = {}
    for target_id, at, outcome, note in db.session.execute(
            sa.select(Call.target_id, Call.at, Call.outcome, Call.note)
            .where(Call.call_list_id == call_list.id).order_by(Call.at)):
        if note:
            notes.setdefault(target_id, []).append(f"{_local(at)} {outcome}: {note}")
    rows: list[dict[str, Any]] = []
    for target, member in db.session.execute(
            sa.select(CallTarget, Member).join(Member, Member.id == CallTarget.member_id)
            .where(CallTarget.call_list_id == call_list.id,
                   sa.or_(CallTarget.matches, CallTarget.done_at.is_not(None)))
            .order_by(Member.last_name, Member.first_name, Member.id)):
        rows.append({
            "member_number": member.member_number, "first_name": member.first_name,
            "last_name": member.last_name, "phone": member.phone or "",
            "association": member.association.name if member.association else "",
            "status": status_of(target, member, now), "calls": target.calls,
            "last_outcome": target.last_outcome or "", "last_called_at": _local(target.last_called_at),
            "callback_at": _local(target.callback_at), "notes": " | ".join(notes.get(target.id, [])),
        })
    columns = ["member_number", "first_name", "last_name", "phone", "association", "status", "calls",
               "last_outcome", "last_called_at", "callback_at", "notes"]
    import pandas as pd  # only for an export: every command, --help too, loads this module

    return pd.DataFrame(rows, columns=columns)


def call_sheet_rows(call_list: CallList, now: datetime, limit: int | None = None) -> list[dict[str, Any]]:
    """What a printed call sheet needs, in call order: for the print-out feature (outreach/printing) to
    render; nothing here draws a PDF. Only members who may be called now (not in a cooldown, no call-back
later), with the list's script filled in."""
    query = (sa.select(CallTarget, Member).join(Member, Member.id == CallTarget.member_id)
             .where(CallTarget.call_list_id == call_list.id, queue.open_target(), queue.due(now),
                    queue.callable_member())
             .order_by(*queue.call_order()))
    if limit:
        query = query.limit(limit)
    return [{
        "first_name": member.first_name, "last_name": member.last_name, "phone": member.phone,
        "association": member.association.name if member.association else "",
        "last_outcome": target.last_outcome, "last_called_at": _local(target.last_called_at),
        "callback_at": _local(target.callback_at),
        "script": services.script_for(call_list, member.first_name),
    } for target, member in db.session.execute(query)]


def next_callback_today(call_list: CallList, now: datetime) -> datetime | None:
    end = start_of_today(now) + timedelta(days=1)
    return db.session.scalar(sa.select(sa.func.min(CallTarget.callback_at)).where(
        CallTarget.call_list_id == call_list.id, CallTarget.callback_at > now, CallTarget.callback_at < end))
