"""Open-link answers the registry could not place, and the three ways a person settles them.

An answer given through the shared link (QR code, flyer) is tied to a member automatically only when
exactly one member has the signed phone or email (survey.respond.signatures). The rest, ambiguous or
unmatched, wait here. A person then says "this is <member>", creates a member from what was typed
(admins only), or leaves the answer anonymous. `Submission.reviewed_at` records that the decision was made,
so the automatic match never overrides it and every action is idempotent: a second POST changes nothing.

Who sees which item. Candidates (same phone, same email, same name) are looked up in the WHOLE registry,
so we know when an answer might belong to someone an organizer may not see:
- admins see every item, also those that point at no association at all;
- an organizer sees an item only when it has candidates and ALL of them are members of the organizer's
  association(s), or, when it has no candidate, when the typed postcode lies in one of them
  (survey/data/postcodes.yaml). An answer that might be another association's member, or that points
  nowhere, is the admins' to settle: a namesake elsewhere is enough to keep it from the organizer.
Anything outside that rule answers 404, whatever state it is in, so ids cannot be used to probe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import abort, current_app
from flask_babel import lazy_gettext as _l

from survey.core import audit
from survey.core.access import association_ids
from survey.extensions import db
from survey.models import (
    Answer,
    Member,
    Organisation,
    OrganisationKind,
    Profile,
    Question,
    RegistryMatch,
    Submission,
    SubmissionStatus,
    User,
)
from survey.registry import corrections, postcodes

OPEN = (RegistryMatch.AMBIGUOUS, RegistryMatch.UNMATCHED)
REASONS = {"phone": _l("samma telefonnummer"), "email": _l("samma e-postadress"), "name": _l("samma namn")}
SHOWN = 200  # a long queue is worked from the top; the count says how many there are


class ReviewError(ValueError):
    """An action that cannot be done as asked (no name to create a member from); shown to the user."""


@dataclass
class Candidate:
    member: Member
    reasons: list[str] = field(default_factory=list)  # keys of REASONS

    @property
    def labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


@dataclass
class ReviewItem:
    submission: Submission
    postcode: str | None
    candidates: list[Candidate]
    postcode_association: Organisation | None  # what the typed postcode points at, if anything

    @property
    def done(self) -> bool:
        return self.submission.reviewed_at is not None


def _name_key(name: str | None) -> str | None:
    return " ".join(name.lower().split()) or None if name else None


def _postcodes(submission_ids: list[int]) -> dict[int, str]:
    """The answers to the survey's postcode question (prefill: postcode), digits only."""
    if not submission_ids:
        return {}
    rows = db.session.execute(
        sa.select(Answer.submission_id, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.prefill == "postcode", Answer.submission_id.in_(submission_ids))
    )
    found = {}
    for sid, value in rows:
        digits = "".join(c for c in str(value or "") if c.isdigit())
        if digits:
            found[sid] = digits
    return found


def candidates_for(sub: Submission) -> list[Candidate]:
    """Members anywhere in the registry with the signed phone, email or full name, best reason first."""
    name = _name_key(sub.signed_name)
    keys = {
        "phone": (Member.phone, sub.signed_phone),
        "email": (Member.email, sub.signed_email),
        "name": (sa.func.lower(Member.first_name + " " + Member.last_name), name),
    }
    conditions = [col == value for col, value in keys.values() if value]
    if not conditions:
        return []
    found: dict[int, Candidate] = {}
    for member in db.session.scalars(sa.select(Member).where(sa.or_(*conditions)).order_by(Member.id)):
        cand = found.setdefault(member.id, Candidate(member))
        typed = {"phone": member.phone, "email": member.email, "name": _name_key(member.full_name)}
        cand.reasons = [r for r, (_col, value) in keys.items() if value and typed[r] == value]
    return sorted(found.values(), key=lambda c: (-len(c.reasons), c.member.last_name, c.member.id))


def _associations_by_slug() -> dict[str, Organisation]:
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
    return {o.slug: o for o in db.session.scalars(query)}


def _items(subs: list[Submission]) -> list[ReviewItem]:
    table = postcodes.load(postcodes.configured_path(current_app.config))
    orgs = _associations_by_slug()
    codes = _postcodes([s.id for s in subs])
    items = []
    for sub in subs:
        code = codes.get(sub.id)
        slug = table.by_postcode(code) if code and len(code) == 5 else None
        items.append(ReviewItem(sub, code, candidates_for(sub), orgs.get(slug) if slug else None))
    return items


def visible(user: User, item: ReviewItem) -> bool:
    """The rule in the module docstring."""
    allowed = association_ids(user)
    if allowed is None:
        return True
    if item.candidates:
        return all(c.member.association_id in allowed for c in item.candidates)
    return item.postcode_association is not None and item.postcode_association.id in allowed


def _pending() -> sa.Select:
    return sa.select(Submission).where(
        Submission.registry_match.in_(OPEN),
        Submission.status == SubmissionStatus.SUBMITTED,
        Submission.member_id.is_(None),
        Submission.reviewed_at.is_(None),
    )


def pending(user: User) -> list[ReviewItem]:
    """Unsettled open-link answers `user` may see, oldest first (the order they came in)."""
    subs = db.session.scalars(_pending().order_by(Submission.submitted_at, Submission.id)).all()
    return [item for item in _items(list(subs)) if visible(user, item)]


def item_or_404(user: User, submission_id: int) -> ReviewItem:
    """An open-link answer, pending or already settled (so a repeated POST is a no-op, not an error)."""
    sub = db.session.get(Submission, submission_id)
    reviewable = (
        sub is not None
        and sub.status is SubmissionStatus.SUBMITTED
        and (sub.reviewed_at is not None or (sub.registry_match in OPEN and sub.member_id is None))
    )
    if not reviewable:
        abort(404)
    item = _items([sub])[0]
    if not visible(user, item):
        abort(404)
    return item


def _settle(sub: Submission, member_id: int | None, match: RegistryMatch, now: datetime) -> None:
    sub.member_id, sub.registry_match, sub.reviewed_at = member_id, match, now
    # A member who also answered through their personal link now has two sheets: flagged, as signatures do.
    twin = sa.select(Submission.id).where(
        Submission.survey_id == sub.survey_id, Submission.member_id == member_id, Submission.id != sub.id
    )
    sub.needs_review = member_id is not None and db.session.scalar(twin.limit(1)) is not None
    # The profile follows, so task matching and the network lists read this answer as the member's.
    db.session.execute(sa.update(Profile).where(Profile.submission_id == sub.id).values(member_id=member_id))
    db.session.flush()


def link(item: ReviewItem, member: Member, user: User, now: datetime) -> bool:
    """ "This is <member>": `member` must already be one the caller checked `user` may see. False: done."""
    if item.done:
        return False
    _settle(item.submission, member.id, RegistryMatch.MATCHED, now)
    # What they typed in "Om dig" may differ from the registry: proposed for the organizer, never taken in
    # by itself (an open-link answer proves nothing about who typed it).
    corrections.propose(item.submission, now)
    audit.record(
        user,
        "review_link",
        f"submission:{item.submission.id}",
        association_id=member.association_id,
        member_id=member.id,
    )
    return True


def _split_name(name: str) -> tuple[str, str]:
    words = name.split()
    return (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (words[0], "")


def create_member(item: ReviewItem, association: Organisation, user: User, now: datetime) -> Member | None:
    """A registry member from what the respondent typed, linked to the answer. None: already settled.

    The member number "OL-<submission id>" marks a member that came from the open link, not the party's
    registry: when the person turns up in an import under their real number, the duplicate finder pairs
    the two by phone or email, and a merge keeps everything.
    """
    if item.done:
        return None
    sub = item.submission
    if not sub.signed_name:
        raise ReviewError(_l("Svaret har inget namn att skapa en medlem av."))
    first, last = _split_name(sub.signed_name)
    postcode = item.postcode if item.postcode and len(item.postcode) == 5 else None
    member = Member(
        member_number=f"OL-{sub.id}",
        first_name=first,
        last_name=last,
        phone=sub.signed_phone,
        email=sub.signed_email,
        postcode=postcode,
        association_id=association.id,
    )
    db.session.add(member)
    db.session.flush()
    _settle(sub, member.id, RegistryMatch.MATCHED, now)
    audit.record(
        user, "review_create", f"submission:{sub.id}", association_id=association.id, member_id=member.id
    )
    return member


def leave_anonymous(item: ReviewItem, user: User, now: datetime) -> bool:
    """Settled as nobody's: unlinked, counted with the anonymous answers, never matched again."""
    if item.done:
        return False
    _settle(item.submission, None, RegistryMatch.ANONYMOUS, now)
    org = item.postcode_association
    audit.record(
        user, "review_anonymous", f"submission:{item.submission.id}", association_id=org.id if org else None
    )
    return True
