"""Likely duplicates and merging them without losing answers, links, profiles or assignments."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
import sqlalchemy as sa

from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import (
    Assignment,
    AuditEvent,
    Member,
    NetworkMembership,
    Organisation,
    OrganisationKind,
    OutgoingMessage,
    Profile,
    Shift,
    Submission,
    SurveyLink,
    Task,
    TaskKind,
    utcnow,
)
from survey.registry.duplicates import MergeError, find_duplicates, merge
from survey.respond import links
from survey.respond import services as responses


def test_groups_by_phone_email_and_name_with_birth_year(app, make_member, make_user):
    a = make_member("Anna", "Berg", member_number="1", phone="+46701234567", association="Sundsvall")
    b = make_member(
        "Anna", "Berg", member_number="2", phone="+46701234567", email="a@x.se", association="Timrå"
    )
    c = make_member("Annie", "Berg", member_number="3", email="a@x.se", association="Sundsvall")
    d = make_member("ERIK", "lund", member_number="4", birth_year=1970)
    e = make_member("Erik", "Lund", member_number="5", birth_year=1970)
    make_member("Erik", "Lund", member_number="6", birth_year=1971)
    make_member("Erik", "Lund", member_number="7")  # no birth year: not enough to suspect anything
    groups = find_duplicates(None)
    assert [[m.member_number for m in g.members] for g in groups] == [["1", "2", "3"], ["4", "5"]]
    assert groups[0].reasons == {"phone", "email"} and groups[1].labels == ["samma namn och födelseår"]
    assert {m.id for m in groups[0].members} == {a.id, b.id, c.id} and {m.id for m in groups[1].members} == {
        d.id,
        e.id,
    }
    organizer = make_user("organizer", "Sundsvall")
    # Timrå's member 2 is invisible to Sundsvall's organizer, so 1 and 3 are not linked through it.
    assert [[m.member_number for m in g.members] for g in find_duplicates(organizer)] == [["4", "5"]]
    assert find_duplicates(make_user("organizer", "Ånge")) == []
    both = make_user("organizer", "Sundsvall", "Timrå")
    assert [[m.member_number for m in g.members] for g in find_duplicates(both)] == [
        ["1", "2", "3"],
        ["4", "5"],
    ]


@pytest.fixture
def pair(app, load_survey, make_member):
    survey = load_survey()
    keep = make_member("Anna", "Berg", member_number="1", phone="+46701234567", association="Sundsvall")
    other = make_member(
        "Anna",
        "Berg",
        member_number="2",
        phone="+46701234567",
        email="anna@x.se",
        association="Timrå",
        do_not_contact=True,
        birth_year=1980,
    )
    return survey, keep, other


def _answer(survey, member, seed):
    submission = answer_survey(survey, member, random.Random(seed), utcnow())
    db.session.commit()
    return submission


def test_merge_moves_everything_and_keeps_both_answer_sheets(pair, load_survey, client):
    survey, keep, other = pair
    keep_sub, other_sub = _answer(survey, keep, 1), _answer(survey, other, 2)
    other_answers = {a.question_id: a.value for a in other_sub.answers}
    token = links.issue_link(survey, other)
    network = Organisation(slug="natverk-klimat", name="Klimat", kind=OrganisationKind.NETWORK)
    task = Task(title="Bokbord", kind=TaskKind.STALL)
    shift = Shift(task=task, start_local=datetime(2030, 8, 1, 10), end_local=datetime(2030, 8, 1, 12))
    db.session.add_all(
        [
            NetworkMembership(member=other, organisation=network),
            NetworkMembership(member=keep, organisation=network),
            OutgoingMessage(survey_id=survey.id, member_id=other.id, kind="invitation", round="1"),
            Assignment(shift=shift, member=other),
        ]
    )
    db.session.commit()
    keep_id, other_id, other_sub_id = keep.id, other.id, other_sub.id

    moved = merge(keep, other)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Member, other_id) is None
    subs = db.session.scalars(
        sa.select(Submission).where(Submission.member_id == keep_id).order_by(Submission.id)
    ).all()
    assert [s.id for s in subs] == [keep_sub.id, other_sub_id]
    assert subs[0].respondent_key == f"m:{keep_id}" and not subs[0].needs_review
    assert subs[1].needs_review and subs[1].respondent_key == f"merged:{other_sub_id}"
    assert {a.question_id: a.value for a in subs[1].answers} == other_answers  # nothing lost
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Profile).where(Profile.member_id == keep_id))
        == 2
    )
    assert (
        db.session.scalar(
            sa.select(SurveyLink.member_id).where(SurveyLink.token_hash == links.hash_token(token))
        )
        == keep_id
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMembership)) == 1
    )  # the clash dropped
    assert db.session.scalar(sa.select(OutgoingMessage.member_id)) == keep_id
    assert db.session.scalar(sa.select(Assignment.member_id)) == keep_id
    survivor = db.session.get(Member, keep_id)
    assert survivor.member_number == "1" and survivor.email == "anna@x.se" and survivor.birth_year == 1980
    assert survivor.do_not_contact  # the other's wish not to be contacted survives the merge
    assert survivor.association.name == "Sundsvall"
    assert moved["submissions_for_review"] == 1 and moved["network_memberships_dropped"] == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "merge"))
    assert event.target == f"member:{keep_id}" and event.detail["removed_id"] == other_id
    # The other's old link now opens the survivor's own answer sheet.
    assert "Anna" in client.get(f"/s/{token}").text


def test_merge_hands_over_a_personal_submission_when_the_survivor_has_none(pair):
    survey, keep, other = pair
    other_sub = _answer(survey, other, 3)
    merge(keep, other)
    db.session.commit()
    db.session.expire_all()
    moved = db.session.get(Submission, other_sub.id)
    assert moved.member_id == keep.id and moved.respondent_key == f"m:{keep.id}" and not moved.needs_review
    link = db.session.get(SurveyLink, links.resolve(links.issue_link(survey, keep)).id)
    assert responses.submission_for(link).id == other_sub.id  # the survivor's link resumes it


def test_merge_with_itself_is_refused(pair):
    _survey, keep, _other = pair
    with pytest.raises(MergeError):
        merge(keep, keep)


def test_merge_keeps_both_members_task_offers_queued_in_the_same_minute(pair):
    """Task offers have no survey: like the database's unique key, the merge sees no clash there."""
    _survey, keep, other = pair
    db.session.add_all([OutgoingMessage(member_id=m.id, kind="task", round="2030-08-01 18:30")
                        for m in (keep, other)])
    db.session.commit()
    keep_id = keep.id
    merge(keep, other)
    db.session.commit()
    assert db.session.scalars(sa.select(OutgoingMessage.member_id)).all() == [keep_id, keep_id]
