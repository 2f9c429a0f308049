"""A letter per member, "Ditt uppdrag i valrörelsen", for members the campaign cannot reach by email.

Each letter lists the member's accepted tasks and the asks they have not answered (time, place, kind),
who to contact, and one QR code per task to the member's own link, so paper leads back to the app. Only
hashes of links are stored, so printing gives each task a fresh link the way the SMS list does
(`assign.issue_token`): the old link stops working. An accepted task keeps its status; its new link
still lets the member say they can no longer come.

Laid out for a Swedish C5/DL window envelope (SS-EN/DIN 5008 form B): the address sits in the window,
about 20 mm from the left edge and 45–90 mm from the top, and fold marks are at 105 and 210 mm.
Never printed for do-not-contact members or members who have left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import contains_eager

from outreach.match import services as assign
from outreach.printing import filters
from outreach.printing.common import Header, clock, header, weekday_date
from outreach.printing.rosters import organizer_contact
from outreach.tasks import vocabulary
from survey.core.access import association_ids
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Member, MemberStatus, Organisation, Shift, Task, User

ON_LETTER = (AssignmentStatus.ACCEPTED, AssignmentStatus.PUBLISHED)
QR_MASK = 2


@dataclass(frozen=True)
class LetterTask:
    title: str
    kind: str
    day: str
    time: str
    place: str
    association: str
    accepted: bool
    url: str
    qr: Markup  # an inline SVG, vector, so it stays sharp on any printer


@dataclass(frozen=True)
class Letter:
    member_id: int
    name: str
    address: tuple[str, ...]  # the lines under the name in the window
    sender: str  # the return line above the address
    first_name: str
    contact: str
    tasks: tuple[LetterTask, ...]


@dataclass(frozen=True)
class Letters:
    head: Header
    letters: tuple[Letter, ...]

    @property
    def people(self) -> int:
        return len(self.letters)


def qr_code(url: str) -> Markup:
    """The link as a QR code (segno; medium error correction survives a crumpled letter).

    SVG by default: vector, sharp on any printer. WeasyPrint parses an SVG path slowly (about half of a
    letter's time), so PRINT_QR = "png" gives a 1-bit PNG of the exact module grid instead, drawn
    without smoothing (image-rendering: pixelated), which prints just as sharp at twice the speed."""
    # A fixed mask: choosing the "best" of eight costs segno 10 ms a code (15 s for a district's letters);
    # the mask id is in the code's format bits, so every reader decodes any of them.
    qr = segno.make(url, error="m", mask=QR_MASK, micro=False)
    if current_app.config.get("PRINT_QR", "svg") == "png":
        return Markup('<img alt="" src="{}">').format(qr.png_data_uri(scale=1, border=0))
    return Markup(qr.svg_inline(border=0, omitsize=True, svgclass="qr"))


def _address(member: Member) -> tuple[str, ...]:
    lines = [member.address or ""]
    code = member.postcode or ""
    code = f"{code[:3]} {code[3:]}" if len(code) == 5 else code
    lines.append(" ".join(p for p in (code, (member.city or "").upper()) if p))
    return tuple(line for line in lines if line.strip())


def assignments(viewer: User | None, association: Organisation | None, period: filters.Period,
                member_ids: set[int] | None = None, without_email: bool = True) -> list[Assignment]:
    """The asks and accepted tasks the letters are about: members in scope who may be contacted."""
    query = (
        sa.select(Assignment).join(Assignment.member).join(Assignment.shift).join(Shift.task)
        .where(Assignment.status.in_(ON_LETTER), Member.status == MemberStatus.ACTIVE,
               Member.do_not_contact.is_(False), *period.where())
        .options(contains_eager(Assignment.member).selectinload(Member.association),
                 contains_eager(Assignment.shift).contains_eager(Shift.task).selectinload(Task.association))
        .order_by(Member.postcode, Member.last_name, Member.first_name, Member.id, Shift.start_local))
    if association is not None:
        query = query.where(Member.association_id == association.id)
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    if without_email:
        query = query.where(sa.or_(Member.email.is_(None), Member.email == ""))
    allowed = association_ids(viewer) if viewer is not None else None
    if allowed is not None:  # organizers: their members, and only tasks they may see
        query = query.where(Member.association_id.in_(allowed or [-1]),
                            sa.or_(Task.association_id.in_(allowed or [-1]), Task.association_id.is_(None)))
    return list(db.session.scalars(query).unique())


def fresh_link(assignment: Assignment) -> str:
    """A new link for the ask (the old one stops working); an accepted task stays accepted."""
    status = assignment.status
    token = assign.issue_token(assignment)
    assignment.status = status
    return assign.task_url(token)


def build(viewer: User | None, association: Organisation | None, period: filters.Period,
          member_ids: set[int] | None = None, without_email: bool = True,
          progress: Callable[[Iterable], Iterable] | None = None) -> Letters:
    """The letters, in postcode order (how the post office likes a pile). Issues fresh links: flushes,
    and the caller commits once the PDF exists, so the printed links are the valid ones."""
    by_member: dict[int, list[Assignment]] = defaultdict(list)
    members: dict[int, Member] = {}
    for a in assignments(viewer, association, period, member_ids, without_email):
        by_member[a.member_id].append(a)
        members[a.member_id] = a.member
    contacts: dict[int | None, str] = {}
    letters = []
    for member_id in (progress(list(by_member)) if progress else by_member):
        member = members[member_id]
        if member.association_id not in contacts:
            contacts[member.association_id] = organizer_contact(member.association)
        items = []
        for a in by_member[member_id]:
            url = fresh_link(a)
            task = a.shift.task
            items.append(LetterTask(
                title=task.title, kind=vocabulary.kind_label(task.kind),
                day=weekday_date(a.shift.start_local.date()),
                time=clock(a.shift), place=task.place or "",
                association=task.association.name if task.association else _("Hela distriktet"),
                accepted=a.status is AssignmentStatus.ACCEPTED, url=url, qr=qr_code(url)))
        letters.append(Letter(
            member_id=member.id, name=member.full_name, address=_address(member),
            sender=member.association.name if member.association else _("Distriktet"),
            first_name=member.first_name, contact=contacts[member.association_id], tasks=tuple(items)))
    db.session.flush()
    return Letters(header(association, _("Ditt uppdrag i valrörelsen")), tuple(letters))
