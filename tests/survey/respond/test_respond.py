"""The member's survey through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.models import Answer, Profile, Submission, SubmissionStatus, utcnow

CONSENT = {"consent": "y"}


def answers(submission: Submission) -> dict:
    db.session.expire_all()
    return {a.question.key: a.value for a in db.session.get(Submission, submission.id).answers}


def the_submission() -> Submission:
    db.session.expire_all()
    return db.session.scalars(sa.select(Submission)).one()


def test_unknown_or_tampered_token_is_a_plain_404(client, personal_link):
    _survey, _member, token = personal_link()
    for bad in ("nope", token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 500):
        response = client.get(f"/s/{bad}")
        assert response.status_code == 404
        assert "Valrörelsen" not in response.text  # nothing about the survey leaks
    assert client.get(f"/s/{token}/p/no_such_section").status_code == 404


def test_start_page_greets_the_member_and_prefills_from_the_registry(client, personal_link, make_member):
    member = make_member(first_name="Maja", last_name="Lind", phone="+46701234567", email="maja@example.se")
    _survey, _member, token = personal_link(member=member)
    start = client.get(f"/s/{token}")
    assert "Hej Maja!" in start.text
    page = client.get(f"/s/{token}/p/about_you").text
    assert 'value="Maja"' in page and 'value="070-123 45 67"' in page and 'value="maja@example.se"' in page


def test_walk_save_resume_submit_and_edit(client, personal_link):
    survey, member, token = personal_link()
    r = client.post(f"/s/{token}/p/what_you_can_do",
                    data={"skills__0": "2", "skills__1": "1", "action": "next"})
    assert r.status_code == 302 and r.location.endswith("/p/what_you_care_about")
    r = client.post(f"/s/{token}/p/what_you_care_about",
                    data={"interests": ["interest:climate", "interest:housing"], "action": "save"})
    assert r.location.endswith(f"/s/{token}/saved")
    saved = client.get(r.location).text
    assert f"/s/{token}" in saved
    # Resume: the start page leads back to the page where the member left off.
    assert f"/s/{token}/p/what_you_care_about" in client.get(f"/s/{token}").text
    assert "Fortsätt där du slutade" in client.get(f"/s/{token}").text

    week = "2030-08-05"
    client.post(f"/s/{token}/p/when_you_can", data={"availability": [f"{week}:weekday_evenings"]})
    client.post(f"/s/{token}/p/how_much",
                data={"max_tasks": "tasks:2", "travels": "yes", "hours_per_week": "4"})
    client.post(f"/s/{token}/p/contact", data={"contact_method": "contact:sms"})
    client.post(f"/s/{token}/p/anything_else", data=CONSENT)
    r = client.post(f"/s/{token}/submit")
    assert r.location.endswith(f"/s/{token}/thanks")
    thanks = client.get(r.location).text
    assert "Tack för dina svar" in thanks and "Klimatet" in thanks and "Dörrknackning (van)" in thanks

    sub = the_submission()
    assert sub.status is SubmissionStatus.SUBMITTED and sub.consent_at is not None
    assert sub.member_id == member.id and sub.survey_version == survey.version
    profile = db.session.scalars(sa.select(Profile)).one()
    assert {(s.skill, s.level) for s in profile.skills} == {("canvassing", 2), ("phoning", 1)}
    assert profile.tag_keys("interest") == ["climate", "housing"]
    assert profile.max_tasks == 2 and profile.travels is True and profile.hours_per_week == 4
    assert [(i.start_local.isoformat(), i.end_local.isoformat()) for i in profile.intervals][0] == (
        "2030-08-05T17:00:00", "2030-08-05T21:00:00")
    assert len(profile.intervals) == 5

    # Submitting twice (double click) stores one submission.
    client.post(f"/s/{token}/submit")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1

    # Editing after submitting updates the answers and the profile at once.
    r = client.post(f"/s/{token}/p/how_much",
                    data={"max_tasks": "tasks:3", "travels": "no", "action": "next"})
    assert r.status_code == 302
    db.session.expire_all()
    profile = db.session.scalars(sa.select(Profile)).one()
    assert profile.max_tasks == 3 and profile.travels is False
    assert answers(sub)["max_tasks"] == "tasks:3"


def test_any_personal_link_of_a_member_resumes_the_same_answers(client, personal_link):
    survey, member, token = personal_link()
    client.post(f"/s/{token}/p/what_you_care_about", data={"interests": ["interest:rural"]})
    _s, _m, second = personal_link(survey=survey, member=member)
    assert second != token
    assert "checked" in client.get(f"/s/{second}/p/what_you_care_about").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_validation_errors_keep_what_was_typed(client, personal_link):
    _survey, _member, token = personal_link()
    r = client.post(f"/s/{token}/p/anything_else",
                    data={"anything_else": "Jag bakar gärna!", "action": "next"})
    assert r.status_code == 422
    assert "Jag bakar gärna!" in r.text
    assert 'aria-describedby="consent-help consent-error"' in r.text or 'consent-error' in r.text
    assert "Du behöver kryssa i rutan" in r.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize("field, value", [
    ("interests", "interest:astrology"),   # not an option of the question
    ("max_tasks", "tasks:99"),
    ("hours_per_week", "lots"),
    ("availability", "2031-01-06:weekday_evenings"),
    ("skills__0", "7"),
])
def test_options_not_in_the_question_fail_validation(client, personal_link, field, value):
    _survey, _member, token = personal_link()
    section = {"interests": "what_you_care_about", "availability": "when_you_can",
               "skills__0": "what_you_can_do"}.get(field, "how_much")
    r = client.post(f"/s/{token}/p/{section}", data={field: value, "action": "save"})
    assert r.status_code == 422
    assert 'class="error"' in r.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_text_longer_than_allowed_is_refused_with_a_message(client, personal_link):
    _survey, _member, token = personal_link()
    r = client.post(f"/s/{token}/p/anything_else", data={"anything_else": "x" * 5000, "action": "save"})
    assert r.status_code == 422 and "Högst 4000 tecken" in r.text


def test_oversized_body_is_refused(client, personal_link):
    _survey, _member, token = personal_link()
    r = client.post(f"/s/{token}/p/anything_else", data={"anything_else": "x" * 400_000})
    assert r.status_code == 413


def test_submit_with_missing_required_answer_goes_back_to_that_page(client, personal_link):
    _survey, _member, token = personal_link()
    r = client.post(f"/s/{token}/submit")
    assert r.status_code == 302 and "/p/contact?check=1" in r.location
    page = client.get(r.location).text
    assert "Det här behöver du svara på." in page and 'id="contact_method-error"' in page
    assert the_submission().status is SubmissionStatus.DRAFT
    review = client.get(f"/s/{token}/review").text
    assert "saknar svar" in review


def test_show_if_is_evaluated_on_the_server(client, personal_link):
    _survey, _member, token = personal_link()
    client.post(f"/s/{token}/p/contact", data={"contact_method": "contact:sms"})
    assert 'name="best_time_to_call"' not in client.get(f"/s/{token}/p/anything_else").text
    client.post(f"/s/{token}/p/contact", data={"contact_method": "contact:phone"})
    assert 'name="best_time_to_call"' in client.get(f"/s/{token}/p/anything_else").text
    client.post(f"/s/{token}/p/anything_else", data={"best_time_to_call": "Kvällar", **CONSENT})
    # Changing one's mind hides the question again, and its answer is dropped on submit.
    client.post(f"/s/{token}/p/contact", data={"contact_method": "contact:email"})
    assert client.post(f"/s/{token}/submit").location.endswith("/thanks")
    assert "best_time_to_call" not in answers(the_submission())


def test_scheduled_opening_and_closing(client, personal_link, load_survey):
    survey = load_survey()
    survey.opens_at = utcnow() + timedelta(days=2)
    db.session.commit()
    _s, _m, token = personal_link(survey=survey)
    r = client.get(f"/s/{token}")
    assert r.status_code == 200 and "har inte öppnat än" in r.text
    survey.opens_at, survey.closes_at = utcnow() - timedelta(days=9), utcnow() - timedelta(days=1)
    db.session.commit()
    for path in ("", "/p/about_you", "/review"):
        assert "stängd" in client.get(f"/s/{token}{path}").text
    r = client.post(f"/s/{token}/p/anything_else", data=CONSENT)
    assert "stängd" in r.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_english_survey_content(client, personal_link):
    _survey, _member, token = personal_link()
    page = client.get(f"/s/{token}/p/what_you_can_do?lang=en").text
    assert "Door-knocking" in page or "Door knocking" in page
    # The choice sticks for the session.
    assert "What can you do" in client.get(f"/s/{token}/p/what_you_can_do").text


def test_security_headers(client, personal_link):
    _survey, _member, token = personal_link()
    r = client.get(f"/s/{token}")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"
    assert "<script" not in r.text and "style=" not in r.text


def test_last_page_says_review_and_send_and_review_offers_send_at_the_top(client, personal_link):
    """Fix 5 of issue 11: nobody should stop before sending because the last button said only "Nästa"."""
    _survey, _member, token = personal_link()
    assert "Granska och skicka" not in client.get(f"/s/{token}/p/what_you_can_do").text
    last = client.get(f"/s/{token}/p/anything_else").text
    assert "Granska och skicka" in last and ">Nästa<" not in last
    client.post(f"/s/{token}/p/what_you_can_do", data={"skills__0": "2", "action": "save"})
    client.post(f"/s/{token}/p/how_much", data={"max_tasks": "tasks:2", "travels": "yes"})
    client.post(f"/s/{token}/p/contact", data={"contact_method": "contact:sms"})
    client.post(f"/s/{token}/p/anything_else", data=CONSENT)
    review = client.get(f"/s/{token}/review").text
    assert "saknar svar" not in review
    # A send button before the answers as well as after them; both post to the same idempotent submit.
    assert review.count(f'action="/s/{token}/submit"') == 2
    assert review.index("Skicka in") < review.index(f"/s/{token}/p/what_you_can_do")
    client.post(f"/s/{token}/submit")
    client.post(f"/s/{token}/submit")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1
