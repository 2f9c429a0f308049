"""What publishing would do, shown before it is done: publishing sends emails that cannot be taken back,
so the organizer first sees who is asked to what, by which channel, and the email's real text.

Nothing here writes: the preview reads the same proposals `services.publish` would turn into asks
(`services.proposed`), and `fingerprint` lets the confirm step notice that they changed meanwhile (a
re-run in another tab), so that what is published is what was shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask_babel import gettext as _

from outreach.match import offers
from outreach.match import services as assign
from survey.core import access, mailer
from survey.core.access import can_see_association
from survey.models import Assignment, Member, MemberStatus, Organisation, User

EMAIL, SMS, OTHER = "email", "sms", "other"
EXAMPLE_LINK = "…"  # the link is issued at publishing; the preview shows where it goes


@dataclass
class Recipient:
    """One member and the asks a publish would send them, by one channel."""

    member: Member
    who: str
    asks: list[Assignment] = field(default_factory=list)
    channel: str = OTHER

    @property
    def has_email(self) -> bool:
        return bool(self.member.email)


@dataclass
class PublishPreview:
    association: Organisation | None
    week_value: str  # the week the organizer came from, to go back to it
    recipients: list[Recipient]
    mail_ready: bool  # SMTP set up: without it nobody is emailed
    fingerprint: str
    example: tuple[str, str] | None = None  # subject, body of one real task email

    @property
    def asks(self) -> int:
        return sum(len(r.asks) for r in self.recipients)

    def count(self, channel: str) -> int:
        return sum(r.channel == channel for r in self.recipients)

    @property
    def without_email(self) -> list[Recipient]:
        """Who gets no email: their links are shown once after publishing, and the SMS list has them."""
        return [r for r in self.recipients if r.channel != EMAIL]

    @property
    def scope_id(self) -> int | str:
        return self.association.id if self.association else ""


def fingerprint(asks: list[Assignment]) -> str:
    """A short digest of exactly which proposals would be published."""
    text = ",".join(str(a.id) for a in sorted(asks, key=lambda a: a.id))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _channel(member: Member, mail_ready: bool) -> str:
    if mail_ready and offers.reachable(member):
        return EMAIL
    if member.status is MemberStatus.ACTIVE and not member.do_not_contact and member.phone:
        return SMS
    return OTHER


def publish_preview(viewer: User, association: Organisation | None, week_value: str = "") -> PublishPreview:
    """Who a publish of the viewer's scope would ask to what, by email or by SMS list, and the email."""
    asks = assign.proposed(association, assign.manageable_shift_ids(viewer, association))
    mail_ready = mailer.is_configured()
    by_member: dict[int, Recipient] = {}
    for ask in sorted(asks, key=lambda a: (a.shift.start_local, a.id)):
        if ask.member_id not in by_member:
            by_member[ask.member_id] = Recipient(
                ask.member, access.person_label(viewer, ask.member, ask.shift.task),
                channel=_channel(ask.member, mail_ready),
            )
        by_member[ask.member_id].asks.append(ask)
    recipients = sorted(by_member.values(), key=lambda r: (r.channel != EMAIL, r.who))
    return PublishPreview(
        association=association,
        week_value=week_value,
        recipients=recipients,
        mail_ready=mail_ready,
        fingerprint=fingerprint(asks),
        example=_example(viewer, recipients),
    )


def _example(viewer: User, recipients: list[Recipient]) -> tuple[str, str] | None:
    """The real email for one member the viewer may see by name (an emailed one if any); otherwise the
    same text with a stand-in first name, so no name of another association's member is shown."""
    if not recipients:
        return None
    visible = [r for r in recipients if can_see_association(viewer, r.member.association_id)]
    chosen = next((r for r in visible if r.channel == EMAIL), visible[0] if visible else None)
    member = chosen.member if chosen else SimpleNamespace(first_name=_("[förnamn]"))
    asks = (chosen or recipients[0]).asks
    return offers.render(member, [(a, offers.task_url(EXAMPLE_LINK)) for a in asks], offers.sender_name())
