"""Survey links: a random token in the URL, only its SHA-256 hash in the database.

Also what the member's signed links (unsubscribe, calendar feed) sign: not stored, so they must carry
something that dies with the member, or an old link would open whoever gets the row next.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from survey.extensions import db
from survey.models import Member, Submission, Survey, SurveyLink

TOKEN_BYTES = 24  # 192 bits; the issue asks for at least 128


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(survey: Survey, member: Member | None) -> str:
    """Create a link and return its token. The token is shown once and cannot be recovered later."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(SurveyLink(survey=survey, member=member, token_hash=hash_token(token)))
    db.session.flush()
    return token


# Built once: every survey page resolves its link, and building the select and its loader options per
# request cost more than the query itself.
_BY_HASH = (
    sa.select(SurveyLink)
    .where(SurveyLink.token_hash == sa.bindparam("token_hash"))
    .options(joinedload(SurveyLink.survey), joinedload(SurveyLink.member))
)


def sheet_key() -> sa.ColumnElement[str]:
    """The respondent key of a link's sheet (survey/respond/services.py open_submission), in SQL."""
    return sa.case(
        (SurveyLink.member_id.is_not(None), sa.literal("m:") + sa.cast(SurveyLink.member_id, sa.String)),
        else_=sa.literal("l:") + sa.cast(SurveyLink.id, sa.String),
    )


_WITH_SHEET = (
    sa.select(SurveyLink, Submission)
    .outerjoin(Submission, sa.and_(Submission.survey_id == SurveyLink.survey_id,
                                   Submission.respondent_key == sheet_key()))
    .where(SurveyLink.token_hash == sa.bindparam("token_hash"))
    .options(joinedload(SurveyLink.survey), joinedload(SurveyLink.member), joinedload(Submission.answers))
)


def valid_token(token: str) -> bool:
    """Worth a query: not empty and no longer than any token made here."""
    return bool(token) and len(token) <= 64


def resolve(token: str) -> SurveyLink | None:
    """The link for a token, or None for anything unknown or malformed (callers answer 404)."""
    if not valid_token(token):
        return None
    # The survey row and the member come with the link in one query (a page prefills from the member);
    # the survey's sections, questions and options come from its shared plan (survey/respond/plan.py),
    # not from the database on every request (issue 12).
    return db.session.scalar(_BY_HASH, {"token_hash": hash_token(token)})


def resolve_with_sheet(token: str) -> tuple[SurveyLink | None, Submission | None]:
    """The link and its answer sheet with its answers as ORM rows, in one query: what a page that writes
    reads first (pages that only read take survey/respond/snapshot.py's frozen rows).

    The sheet is None when the link has none yet (survey/respond/services.py open_submission makes it).
    One statement instead of two halves the ORM's fixed cost per page, which was more than the database's
    (issue 12)."""
    if not valid_token(token):
        return None, None
    row = db.session.execute(_WITH_SHEET, {"token_hash": hash_token(token)}).unique().first()
    return (row[0], row[1]) if row is not None else (None, None)


def survey_url(base_url: str, token: str) -> str:
    return f"{base_url}/s/{token}"


def member_key(member: Member) -> list[Any]:
    """What a signed member link signs: the id, and the member's own random link secret."""
    return [member.id, member.link_secret]


def member_from_key(value: Any) -> Member | None:
    """The member a verified signature's payload names, if that member still exists and is the same one.

    Anything else is None: an id alone (links made before link secrets), a member erased since, or a
    different member under the same id.
    """
    if not (isinstance(value, list) and len(value) == 2):
        return None
    member_id, secret = value
    if type(member_id) is not int or not isinstance(secret, str):
        return None
    member = db.session.get(Member, member_id)
    if member is None or not hmac.compare_digest(member.link_secret.encode(), secret.encode()):
        return None
    return member
