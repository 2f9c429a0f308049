"""Likely duplicate members, and merging two into one without losing anything they answered.

Registries drift: the same person joins twice, moves association and gets a new number. We only list
candidates (same phone, same email, or same name and birth year) for a person to judge; nothing is merged
automatically, because a wrong merge mixes two people's political answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey.core import audit
from survey.core.access import scope_members
from survey.extensions import db
from survey.models import (
    Assignment,
    MatchRule,
    Member,
    NetworkMembership,
    OutgoingMessage,
    Profile,
    Submission,
    SurveyLink,
    User,
)
from survey.registry.read import _

# Tables whose rows cannot simply be re-pointed: a unique key includes the member. On a clash the
# survivor's row already says the same thing, so the other's is dropped.
UNIQUE_WITH_MEMBER = (
    (NetworkMembership, ("organisation_id",)),
    (OutgoingMessage, ("survey_id", "kind", "round")),
    (Assignment, ("shift_id",)),
    (MatchRule, ("shift_id",)),
)
FILLED_FROM_OTHER = (
    "phone",
    "email",
    "address",
    "postcode",
    "city",
    "municipality",
    "birth_year",
    "joined_on",
    "association_id",
)


def reason_label(reason: str) -> str:
    return {
        "phone": _("samma telefonnummer"),
        "email": _("samma e-postadress"),
        "name": _("samma namn och födelseår"),
    }[reason]


@dataclass
class DuplicateGroup:
    members: list[Member]
    reasons: set[str] = field(default_factory=set)  # "phone", "email", "name"

    @property
    def labels(self) -> list[str]:
        return [reason_label(r) for r in sorted(self.reasons)]


def _keys() -> dict[str, tuple]:
    return {
        "phone": (Member.phone,),
        "email": (Member.email,),
        "name": (sa.func.lower(Member.first_name), sa.func.lower(Member.last_name), Member.birth_year),
    }


def find_duplicates(user: User | None) -> list[DuplicateGroup]:
    """Groups of members `user` may see that share a phone, an email, or a name and birth year.

    `user=None` is the CLI: the whole registry. Members of associations the user cannot see never appear,
    not even as the other half of a pair.
    """

    def scoped(query: sa.Select) -> sa.Select:
        return scope_members(query, user) if user is not None else query

    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reasons_by_id: dict[int, set[str]] = defaultdict(set)
    for reason, cols in _keys().items():
        labelled = [c.label(f"k{i}") for i, c in enumerate(cols)]
        shared = scoped(
            sa.select(*labelled)
            .where(*(c.is_not(None) for c in cols))
            .group_by(*cols)
            .having(sa.func.count() > 1)
        ).subquery()
        on = sa.and_(*(c == shared.c[f"k{i}"] for i, c in enumerate(cols)))
        by_key: dict[tuple, list[int]] = defaultdict(list)
        for row in db.session.execute(scoped(sa.select(Member.id, *labelled).join(shared, on))):
            by_key[tuple(row[1:])].append(row[0])
        for ids in by_key.values():
            for i in ids:
                reasons_by_id[i].add(reason)
                parent[root(i)] = root(ids[0])
    if not parent:
        return []
    members = db.session.scalars(
        sa.select(Member).where(Member.id.in_(list(parent))).options(selectinload(Member.association))
    ).all()
    groups: dict[int, DuplicateGroup] = {}
    for m in sorted(members, key=lambda m: m.member_number):
        group = groups.setdefault(root(m.id), DuplicateGroup([]))
        group.members.append(m)
        group.reasons |= reasons_by_id[m.id]
    return sorted(groups.values(), key=lambda g: g.members[0].member_number)


class MergeError(ValueError):
    pass


def _repoint_others(keep_id: int, other_id: int) -> Counter:
    """Tables added after this module was written still follow the member instead of being cascaded away.

    A clash with a unique key there raises IntegrityError: the merge fails as a whole rather than guess.
    """
    handled = (
        {m.__tablename__ for m in (Submission, SurveyLink, Profile)}
        | {m.__tablename__ for m, _u in UNIQUE_WITH_MEMBER}
        | {Member.__tablename__}
    )
    counts: Counter = Counter()
    for table in db.metadata.sorted_tables:
        if table.name in handled:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == Member.__tablename__:
                col = fk.parent
                counts[table.name] += db.session.execute(
                    sa.update(table).where(col == other_id).values({col.name: keep_id})
                ).rowcount
    return counts


def merge(keep: Member, other: Member, user: User | None = None) -> Counter:
    """Move everything of `other` to `keep`, fill `keep`'s blanks from `other`, delete `other`. Flushes.

    Answers are never dropped: when both answered the same survey, both submissions stay with `keep` and
    the moved one is flagged for review under its own respondent key. Returns what was moved.
    """
    if keep.id == other.id:
        raise MergeError(_("En medlem kan inte slås ihop med sig själv."))
    moved: Counter = Counter()
    _move_submissions(keep, other, moved)
    _move_rows(keep, other, moved)
    moved.update(_repoint_others(keep.id, other.id))
    for name in FILLED_FROM_OTHER:
        if getattr(keep, name) is None and getattr(other, name) is not None:
            setattr(keep, name, getattr(other, name))
    keep.do_not_contact = keep.do_not_contact or other.do_not_contact  # a wish not to be contacted survives
    db.session.flush()
    other_id = other.id
    db.session.delete(other)
    db.session.flush()
    db.session.expire_all()
    audit.record(
        user,
        "merge",
        f"member:{keep.id}",
        association_id=keep.association_id,
        removed_id=other_id,
        moved={k: v for k, v in moved.items() if v},
    )
    return moved


def _move_submissions(keep: Member, other: Member, moved: Counter) -> None:
    """`other`'s submissions go to `keep`; one for a survey `keep` answered too is flagged for review."""
    keep_surveys = set(
        db.session.scalars(sa.select(Submission.survey_id).where(Submission.member_id == keep.id))
    )
    for sub in db.session.scalars(sa.select(Submission).where(Submission.member_id == other.id)).all():
        if sub.survey_id in keep_surveys:
            sub.needs_review = True
            sub.respondent_key = f"merged:{sub.id}"  # unique: never clashes with "m:" or "l:" keys
            moved["submissions_for_review"] += 1
        elif sub.respondent_key == f"m:{other.id}":
            sub.respondent_key = f"m:{keep.id}"  # the survivor's personal links resume it
        sub.member_id = keep.id
        moved["submissions"] += 1
    db.session.flush()


def _move_rows(keep: Member, other: Member, moved: Counter) -> None:
    """Links and profiles move as they are; rows unique per member (network lists, ...) move unless
    `keep` already has the same one, which is then dropped instead of duplicated."""
    for model in (SurveyLink, Profile):
        count = db.session.execute(
            sa.update(model)
            .where(model.member_id == other.id)
            .values(member_id=keep.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        moved[model.__tablename__] += count
    for model, unique in UNIQUE_WITH_MEMBER:
        taken = {
            tuple(r)
            for r in db.session.execute(
                sa.select(*(getattr(model, c) for c in unique)).where(model.member_id == keep.id)
            )
        }
        for obj in db.session.scalars(sa.select(model).where(model.member_id == other.id)).all():
            key = tuple(getattr(obj, c) for c in unique)
            # As in SQL, a key with a NULL in it clashes with nothing (task offers have no survey).
            if None not in key and key in taken:
                db.session.delete(obj)
                moved[f"{model.__tablename__}_dropped"] += 1
            else:
                obj.member_id = keep.id
                moved[model.__tablename__] += 1
