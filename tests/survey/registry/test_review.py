"""The review page for open-link answers: each action, idempotency, and who sees which answer."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import (
    Answer,
    AuditEvent,
    Member,
    Profile,
    Question,
    RegistryMatch,
    Submission,
    utcnow,
)
from survey.registry import review
from survey.respond import signatures
from tests.conftest import login


@pytest.fixture
def open_answer(load_survey):
    """open_answer(name, phone, email, postcode) -> a submitted open-link sheet, matched as on submit."""
    survey = load_survey()
    rng = random.Random(3)

    def make(name=None, phone=None, email=None, postcode=None) -> Submission:
        sub = answer_survey(survey, None, rng, utcnow())
        signatures.sign(sub, name, phone, email)
        signatures.match_registry(sub)
        question = db.session.scalar(
            sa.select(Question).where(Question.survey_id == survey.id, Question.prefill == "postcode")
        )
        answer = next((a for a in sub.answers if a.question_id == question.id), None)
        if answer is None:
            sub.answers.append(Answer(question_id=question.id, value=postcode))
        else:
            answer.value = postcode
        db.session.commit()
        return sub

    return make


def _actions(target: str) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target == target)))


def test_ambiguous_and_unmatched_are_listed_with_their_reasons(app, make_member, make_user, open_answer):
    a = make_member("Sara", "Sjö", phone="+46701111111", association="Sundsvall")
    b = make_member("Sven", "Sjö", phone="+46701111111", association="Sundsvall")
    ambiguous = open_answer("Sara Sjö", "070-111 11 11")
    unmatched = open_answer("Ny Person", "070-999 99 99", postcode="85231")
    open_answer(None)  # not signed: plainly anonymous, nothing to review
    assert ambiguous.registry_match is RegistryMatch.AMBIGUOUS
    assert unmatched.registry_match is RegistryMatch.UNMATCHED
    items = review.pending(make_user("admin"))
    assert [i.submission.id for i in items] == [ambiguous.id, unmatched.id]
    first = items[0].candidates
    assert [c.member.id for c in first] == [a.id, b.id]  # phone and name first, then phone alone
    assert first[0].labels == ["samma telefonnummer", "samma namn"] and first[1].reasons == ["phone"]
    assert items[1].candidates == [] and items[1].postcode == "85231"
    assert items[1].postcode_association.name == "Sundsvall"


def test_organizers_see_only_answers_whose_candidates_or_postcode_are_theirs(
    app, make_member, make_user, open_answer
):
    make_member("Sara", "Sjö", phone="+46701111111", association="Sundsvall")
    make_member("Sara", "Sjö", phone="+46702222222", association="Timrå")
    sundsvall_only = open_answer(None, "070-111 11 11", "x@example.org")  # one candidate, by phone: matched
    assert sundsvall_only.registry_match is RegistryMatch.MATCHED
    both = open_answer("Sara Sjö")  # namesakes in both associations
    # A phone that is Sundsvall's Sara's and nobody else's would be tied to her on submit, not reviewed.
    by_postcode_timra = open_answer("Ny Person", postcode="86131")
    by_postcode_none = open_answer("Utan Postnummer")
    timra, sundsvall = make_user("organizer", "Timrå"), make_user("organizer", "Sundsvall")
    assert [i.submission.id for i in review.pending(timra)] == [by_postcode_timra.id]
    assert [i.submission.id for i in review.pending(sundsvall)] == []
    admin_ids = [i.submission.id for i in review.pending(make_user("admin"))]
    assert admin_ids == [both.id, by_postcode_timra.id, by_postcode_none.id]

    # A Sundsvall-only candidate: the Timrå organizer never sees it, the Sundsvall one does.
    lone = make_member("Lone", "Ljung", email="lone@example.org", association="Sundsvall")
    make_member("Lone", "Ljung", email="lone2@example.org", association="Sundsvall")
    only_sundsvall = open_answer("Lone Ljung")
    assert only_sundsvall.id not in [i.submission.id for i in review.pending(timra)]
    assert [i.submission.id for i in review.pending(sundsvall)] == [only_sundsvall.id]
    assert lone.id in [c.member.id for c in review.pending(sundsvall)[0].candidates]


def test_link_ties_the_answer_and_profile_to_the_member_once(app, make_member, make_user, open_answer):
    member = make_member("Sara", "Sjö", association="Sundsvall")
    sub = open_answer("Sara Sjö", "070-555 55 55")
    admin = make_user("admin")
    item = review.item_or_404(admin, sub.id)
    assert review.link(item, member, admin, utcnow()) is True
    db.session.commit()
    assert sub.member_id == member.id and sub.registry_match is RegistryMatch.MATCHED
    assert sub.reviewed_at is not None and not sub.needs_review
    assert db.session.scalar(sa.select(Profile.member_id).where(Profile.submission_id == sub.id)) == member.id
    assert review.pending(admin) == []
    other = make_member("Sven", "Sjö", association="Sundsvall")
    assert review.link(review.item_or_404(admin, sub.id), other, admin, utcnow()) is False
    assert sub.member_id == member.id and _actions(f"submission:{sub.id}") == ["review_link"]
    # A re-submit runs the automatic match again: the person's decision stands.
    signatures.match_registry(sub)
    assert sub.member_id == member.id


def test_create_member_from_what_was_typed(app, make_member, make_user, make_org, open_answer):
    sub = open_answer("Nora Ny Nilsson", "070-444 44 44", "Nora@Example.org", postcode="86131")
    admin, timra = make_user("admin"), make_org("Timrå")
    member = review.create_member(review.item_or_404(admin, sub.id), timra, admin, utcnow())
    db.session.commit()
    assert (member.first_name, member.last_name, member.phone, member.email, member.postcode) == (
        "Nora Ny",
        "Nilsson",
        "+46704444444",
        "nora@example.org",
        "86131",
    )
    assert member.association_id == timra.id and member.member_number == f"OL-{sub.id}"
    assert sub.member_id == member.id
    assert review.create_member(review.item_or_404(admin, sub.id), timra, admin, utcnow()) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1


def test_create_member_needs_a_name(app, make_user, make_org, open_answer):
    sub = open_answer(None, "070-444 44 44")
    admin = make_user("admin")
    with pytest.raises(review.ReviewError):
        review.create_member(review.item_or_404(admin, sub.id), make_org("Timrå"), admin, utcnow())


def test_leave_anonymous_is_final(app, make_member, make_user, open_answer):
    make_member("Sara", "Sjö", association="Sundsvall")
    sub = open_answer("Sara Sjö")
    admin = make_user("admin")
    assert review.leave_anonymous(review.item_or_404(admin, sub.id), admin, utcnow()) is True
    assert review.leave_anonymous(review.item_or_404(admin, sub.id), admin, utcnow()) is False
    db.session.commit()
    assert sub.member_id is None and sub.registry_match is RegistryMatch.ANONYMOUS and not sub.needs_review
    signatures.match_registry(sub)  # never matched by name (or anything) again
    assert sub.registry_match is RegistryMatch.ANONYMOUS and review.pending(admin) == []
    assert _actions(f"submission:{sub.id}") == ["review_anonymous"]


# -- the pages ---------------------------------------------------------------------------------------


def test_the_page_and_the_three_actions_for_an_admin(
    app, client, make_member, make_user, make_org, open_answer
):
    member = make_member("Sara", "Sjö", phone="+46701111111", member_number="SUN-1")
    make_member("Sven", "Sjö", phone="+46701111111")
    ambiguous = open_answer("Sara Sjö", "070-111 11 11", postcode="85231")
    unmatched = open_answer("Ny Person", "070-999 99 99", postcode="86131")
    anonymous = open_answer("Vill Vara Anonym")
    login(client, make_user("admin"))
    page = client.get("/admin/review").text
    for text in (
        "Sara Sjö",
        "Sven Sjö",
        "samma telefonnummer",
        "Ny Person",
        "86131",
        "Lämna anonym",
        "Skapa ny medlem",
        "Det här är Sara Sjö",
    ):
        assert text in page
    response = client.post(f"/admin/review/{ambiguous.id}/link", data={"member": member.id})
    assert response.status_code == 303 and response.location.endswith("/admin/review")
    again = client.post(f"/admin/review/{ambiguous.id}/link", data={"number": "SUN-1"})
    assert again.status_code == 303 and "redan granskat" in client.get("/admin/review").text
    timra = make_org("Timrå")
    assert client.post(f"/admin/review/{unmatched.id}/new", data={"association": timra.id}).status_code == 303
    assert client.post(f"/admin/review/{anonymous.id}/anonymous").status_code == 303
    page = client.get("/admin/review").text
    assert "Inga svar att granska." in page
    db.session.expire_all()
    assert db.session.get(Submission, ambiguous.id).member_id == member.id
    assert db.session.get(Submission, unmatched.id).member.association_id == timra.id
    assert db.session.get(Submission, anonymous.id).registry_match is RegistryMatch.ANONYMOUS


def test_an_unknown_member_number_is_refused_gently(app, client, make_user, open_answer):
    sub = open_answer("Ny Person")
    login(client, make_user("admin"))
    client.post(f"/admin/review/{sub.id}/link", data={"number": "finns-inte"})
    assert "Ingen medlem med det medlemsnumret." in client.get("/admin/review").text
    assert db.session.get(Submission, sub.id).reviewed_at is None


def test_timra_organizer_gets_404_on_a_sundsvall_item(app, client, make_member, make_user, open_answer):
    sundsvall = make_member("Sara", "Sjö", phone="+46701111111", association="Sundsvall")
    make_member("Sven", "Sjö", phone="+46701111111", association="Sundsvall")
    sub = open_answer("Sara Sjö", "070-111 11 11")
    timra_member = make_member("Tova", "Tim", association="Timrå")
    login(client, make_user("organizer", "Timrå"))
    assert "Sara Sjö" not in client.get("/admin/review").text
    assert client.post(f"/admin/review/{sub.id}/link", data={"member": timra_member.id}).status_code == 404
    assert client.post(f"/admin/review/{sub.id}/anonymous").status_code == 404
    assert client.post(f"/admin/review/{sub.id}/new", data={"association": 1}).status_code == 403
    assert client.post("/admin/review/99999/anonymous").status_code == 404
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).reviewed_at is None and sundsvall.id


def test_an_organizer_links_only_to_their_own_members(app, client, make_member, make_user, open_answer):
    make_member("Sara", "Sjö", phone="+46701111111", association="Sundsvall")
    make_member("Sven", "Sjö", phone="+46701111111", association="Sundsvall")
    sub = open_answer("Sara Sjö", "070-111 11 11")
    elsewhere = make_member("Tova", "Tim", association="Timrå")
    login(client, make_user("organizer", "Sundsvall"))
    assert "Det här är Sara Sjö" in client.get("/admin/review").text
    assert "Skapa ny medlem" not in client.get("/admin/review").text
    assert client.post(f"/admin/review/{sub.id}/link", data={"member": elsewhere.id}).status_code == 404
    assert client.post(f"/admin/review/{sub.id}/anonymous").status_code == 303
