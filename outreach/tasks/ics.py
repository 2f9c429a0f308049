"""Calendar feeds (iCalendar) of campaign shifts: per association, for the whole district, per member.

Calendar apps subscribe without logging in, so a feed's address is its key: a token signed with the
app's secret key and a salt per kind of feed, so an association token cannot be replayed as a member
token. A member token signs the member's link secret too (survey.respond.links.member_key), so it dies
with the member. Changing the secret key revokes every feed address at once.
The member feed holds only that member's own confirmed shifts and nothing about anyone else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import selectinload

from outreach.tasks import vocabulary
from survey.core import access
from survey.core.access import association_ids
from survey.extensions import db
from survey.i18n import STOCKHOLM
from survey.models import Assignment, AssignmentStatus, Member, Organisation, Shift, Task, User
from survey.respond import links

if TYPE_CHECKING:  # icalendar loads when a feed is rendered, not when the app and its CLI start
    from icalendar import Event

TZ = STOCKHOLM
KINDS = ("association", "district", "member")
DISTRICT = "district"  # what the district token signs: there is one district calendar


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"kraftkartan-ics-{kind}")


def token(kind: str, subject: int | str | list) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    return _serializer(kind).dumps(subject)


def read_token(kind: str, value: str) -> int | str | list | None:
    """What a token signs, or None if it was not made by us for this kind of feed."""
    try:
        return _serializer(kind).loads(value)
    except BadSignature:
        return None


def feed_url(kind: str, subject: int | str | list) -> str:
    """The public address (PUBLIC_BASE_URL) that calendar apps reach; also works outside a request (CLI)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/ics/{kind}/{token(kind, subject)}.ics"


def member_feed_url(member: Member) -> str:
    """For the member's own pages: their confirmed shifts as a calendar to subscribe to."""
    return feed_url("member", links.member_key(member))


def member_from_token(value: str) -> Member | None:
    """The member a member feed token was made for, while that member exists."""
    return links.member_from_key(read_token("member", value))


def feeds_for(user: User) -> list[tuple[str, str]]:
    """(label, url) of the feeds a staff user may see: admins all, organizers their associations'."""
    is_admin = association_ids(user) is None
    district = [(_("Hela distriktet"), feed_url("district", DISTRICT))] if is_admin else []
    return district + [(o.name, feed_url("association", o.id)) for o in access.visible_associations(user)]


# -- the feeds ------------------------------------------------------------------------------------

def _shifts(query: sa.Select) -> Sequence[Shift]:
    query = query.join(Shift.task).options(selectinload(Shift.task)).order_by(Shift.start_local, Shift.id)
    return db.session.scalars(query).all()


def association_calendar(org: Organisation) -> bytes:
    """The association's own shifts and the district-wide ones its members may also take."""
    shifts = _shifts(sa.select(Shift).where(
        sa.or_(Task.association_id == org.id, Task.association_id.is_(None))))
    return render(shifts, f"Kraftkartan – {org.name}")


def district_calendar() -> bytes:
    return render(_shifts(sa.select(Shift)), _("Kraftkartan – hela distriktet"))


def member_calendar(member_id: int) -> bytes:
    shifts = _shifts(sa.select(Shift).join(Assignment, Assignment.shift_id == Shift.id).where(
        Assignment.member_id == member_id, Assignment.status == AssignmentStatus.ACCEPTED))
    return render(shifts, _("Mina uppdrag i valrörelsen"))


def render(shifts: Sequence[Shift], name: str) -> bytes:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Kraftkartan//Campaign tasks//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Stockholm")
    # Ask subscribing apps to refresh hourly: shifts are added and moved during the campaign.
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for shift in shifts:
        cal.add_component(_event(shift, stamp))
    if shifts:
        # A VTIMEZONE for the years the shifts span, so apps without a tz database show the right time.
        first, last = shifts[0].start_local.year, max(s.end_local for s in shifts).year
        cal.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
    return cal.to_ical()


def _event(shift: Shift, stamp: datetime) -> Event:
    from icalendar import Event

    task = shift.task
    event = Event()
    event.add("uid", f"shift-{shift.id}@kraftkartan")
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.start_local.replace(tzinfo=TZ))
    event.add("dtend", shift.end_local.replace(tzinfo=TZ))
    event.add("summary", task.title)
    if task.place:
        event.add("location", task.place)
    kind = vocabulary.kind_label(task.kind)
    event.add("description", f"{kind}\n\n{task.notes}" if task.notes else kind)
    event.add("categories", [kind])
    return event
