"""The member list's search: name or number, association, status, and the call lists' target filter.

One place turns the query string into a query, so the list, its counts and "make a call list of this
search" cannot disagree. Counts per filter are of active members in the user's scope, like a call list's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from survey.core import access
from survey.core.access import require_association, scope_members
from survey.extensions import db
from survey.models import Member, MemberStatus, Survey, User
from survey.registry import filters
from survey.registry.filter_form import FilterForm, latest_survey

PER_PAGE = 50


@dataclass
class Search:
    form: FilterForm
    association: int | None
    status: str
    q: str
    specs: list[dict[str, Any]]
    total: int | None = None  # active members matching all filters (None: no filter chosen)
    each: list[tuple[str, int]] = field(default_factory=list)  # (filter in words, members matching it alone)
    error: str | None = None

    def list_title(self) -> str:
        """A name for a call list made of this search: its conditions in words."""
        return "; ".join(words for words, _n in self.each)[:200]

    def args(self) -> dict[str, Any]:
        """The search as query-string arguments, for the pager and the links."""
        return {"association": self.association or "", "status": self.status, "q": self.q,
                **self.form.query_args()}


def parse(args: MultiDict, user: User) -> Search:
    """The search the query string asks for; an association the user may not see answers 404."""
    association = args.get("association", type=int)
    if association:
        require_association(user, association)
    form = FilterForm(args)
    survey = latest_survey()
    if survey is not None and not form.survey.data:
        form.survey.data = str(survey.id)
    chosen = survey
    if str(form.survey.data or "").isdigit():
        chosen = db.session.get(Survey, int(form.survey.data)) or survey
    form.set_choices(chosen)
    return Search(form=form, association=association, status=args.get("status", "active"),
                  q=args.get("q", "").strip(), specs=form.to_filters())


def query(search: Search, user: User, now: datetime) -> sa.Select:
    """The members the search finds, in list order, scoped to what the user may see."""
    stmt = scope_members(sa.select(Member).options(selectinload(Member.association)), user)
    if search.association:
        stmt = stmt.where(Member.association_id == search.association)
    if search.status in ("active", "left"):
        stmt = stmt.where(Member.status == MemberStatus(search.status))
    if search.q:
        name = sa.func.lower(Member.first_name + " " + Member.last_name)
        stmt = stmt.where(sa.or_(Member.member_number == search.q,
                                 name.contains(search.q.lower(), autoescape=True)))
    stmt = stmt.where(*(filters.condition(spec, now) for spec in search.specs))
    return stmt.order_by(Member.last_name, Member.first_name, Member.member_number)


def count(search: Search, user: User, now: datetime) -> None:
    """Fill in how many active members each filter finds alone and all together."""
    if not search.specs:
        return
    scope = {search.association} if search.association else access.association_ids(user)
    total, each = filters.count(db.session, search.specs, scope, now)
    search.total = total
    search.each = [(words, n) for (_spec, words), n in zip(search.form.describe(), each, strict=True)]


def run(args: MultiDict, user: User, now: datetime):
    """(search, page of members): the list view's whole work."""
    search = parse(args, user)
    try:
        stmt = query(search, user, now)
        count(search, user, now)
    except filters.FilterError as exc:
        search.error, search.specs = str(exc), []
        stmt = query(search, user, now)
    page = db.paginate(stmt, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return search, page
