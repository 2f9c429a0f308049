"""The open link (QR codes, flyers): signing and tying answers to the registry without guessing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.models import RegistryMatch, SignatureMode, Submission, SurveyLink


def start_open(client, slug="valkampanj-2030") -> str:
    landing = client.get(f"/o/{slug}")
    assert landing.status_code == 200 and "Börja" in landing.text
    r = client.post(f"/o/{slug}")
    assert r.status_code == 302
    return r.location.rsplit("/s/", 1)[1].split("/")[0]


def finish(client, token):
    client.post(f"/s/{token}/p/contact", data={"contact_method": "contact:email"})
    client.post(f"/s/{token}/p/anything_else", data={"consent": "y"})
    r = client.post(f"/s/{token}/submit")
    assert r.location.endswith("/thanks"), r.location
    db.session.expire_all()
    return db.session.scalars(sa.select(Submission)).one()


def test_every_visitor_gets_their_own_resumable_link(client, load_survey):
    load_survey()
    first, second = start_open(client), start_open(client)
    assert first != second
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyLink)) == 2
    assert client.get(f"/s/{first}").status_code == 200


def test_unknown_survey_is_404(client):
    assert client.get("/o/nope").status_code == 404


def test_anonymous_survey_has_no_signature_step(client, load_survey):
    load_survey(signature="anonymous")
    token = start_open(client)
    assert "/p/about_you" in client.get(f"/s/{token}").text
    assert client.get(f"/s/{token}/signature").status_code == 404
    sub = finish(client, token)
    assert sub.registry_match is RegistryMatch.ANONYMOUS and sub.member_id is None


@pytest.mark.parametrize("phone, email, expected", [
    ("070-111 22 33", "", RegistryMatch.MATCHED),          # same number, written differently
    ("", "LISA@Example.se", RegistryMatch.MATCHED),        # email, case-insensitively
    ("0046701112233", "", RegistryMatch.MATCHED),
    ("070-999 99 99", "", RegistryMatch.UNMATCHED),        # nobody: kept, flagged
    ("070-555 55 55", "", RegistryMatch.AMBIGUOUS),        # two members share it: never guessed
    ("070-111 22 33", "bo@example.se", RegistryMatch.AMBIGUOUS),  # phone and email point at two people
])
def test_signed_answers_are_matched_by_normalized_phone_or_email(client, load_survey, make_member,
                                                                 phone, email, expected):
    load_survey()
    lisa = make_member(first_name="Lisa", phone="+46701112233", email="lisa@example.se")
    make_member(first_name="Bo", email="bo@example.se")
    make_member(first_name="Ali", phone="+46705555555")
    make_member(first_name="Aya", phone="+46705555555")
    db.session.commit()
    token = start_open(client)
    assert client.get(f"/s/{token}").text.count("/signature") >= 1
    r = client.post(f"/s/{token}/signature", data={"name": "Lisa L", "phone": phone, "email": email})
    assert r.status_code == 302 and "/p/about_you" in r.location
    sub = finish(client, token)
    assert sub.registry_match is expected
    assert sub.needs_review is (expected is not RegistryMatch.MATCHED)
    assert sub.member_id == (lisa.id if expected is RegistryMatch.MATCHED else None)
    assert sub.signed_name == "Lisa L"


def test_name_and_contact_mode_requires_both(client, load_survey):
    load_survey(signature=SignatureMode.NAME_AND_CONTACT.value)
    token = start_open(client)
    r = client.post(f"/s/{token}/signature", data={"name": "", "phone": "", "email": ""})
    assert r.status_code == 200
    assert "Skriv ditt namn." in r.text and "Ange telefonnummer eller e-post." in r.text
    r = client.post(f"/s/{token}/signature", data={"name": "Kim", "phone": "12", "email": ""})
    assert "Telefonnumret ser inte rätt ut" in r.text and 'value="Kim"' in r.text
    r = client.post(f"/s/{token}/signature", data={"name": "Kim", "phone": "", "email": "kim@example.se"})
    assert r.status_code == 302


# -- each thing asked once (issue 11) ----------------------------------------------------------------

INTRO_START = "Valet 2030 närmar sig"
REGISTRY_SENTENCE = "Vi har fyllt i det vi redan vet om dig från medlemsregistret."
IDENTITY_INPUTS = ('name="first_name"', 'name="last_name"', 'name="phone"', 'name="email"')


def _walk(token):
    from survey.respond import links
    from survey.respond import services as responses
    from survey.respond.walk import Walk

    link = links.resolve(token)
    walk = Walk(link, responses.submission_for(link))
    # Commit what submission_for created: on PostgreSQL the app's own connection (the test client) would
    # otherwise wait for this session's uncommitted row with the same key, for ever.
    db.session.commit()
    return walk


def test_the_open_link_introduces_once_then_asks_who_you_are(client, load_survey):
    load_survey()
    assert client.get("/o/valkampanj-2030").text.count(INTRO_START) == 1
    r = client.post("/o/valkampanj-2030")
    assert r.location.endswith("/signature")  # not the start page, which would repeat the introduction
    assert INTRO_START not in client.get(r.location).text


def test_signers_are_not_asked_their_name_phone_or_email_again(client, load_survey):
    load_survey()
    token = start_open(client)
    r = client.post(f"/s/{token}/signature", data={"name": "Kim Berg", "phone": "070-111 22 33"})
    page = client.get(r.location).text
    assert not any(field in page for field in IDENTITY_INPUTS)
    assert 'name="postcode"' in page and REGISTRY_SENTENCE not in page
    about_you = _walk(token).section("about_you")
    assert [q.key for q in _walk(token).questions(about_you) if q.is_answerable] == ["postcode"]
    # The review shows what was signed, with a way back to change it.
    review = client.get(f"/s/{token}/review").text
    assert "Kim Berg" in review and "+46701112233" in review and f"/s/{token}/signature" in review


def test_a_page_of_only_signed_questions_is_skipped_for_signers(client, load_survey, personal_link):
    from tests.conftest import DEFAULT_SURVEY

    text = DEFAULT_SURVEY.read_text(encoding="utf-8")
    start, end = text.index("      - key: postcode"), text.index("  - key: what_you_can_do")
    survey = load_survey(text[:start] + "\n" + text[end:])  # "Om dig" asks only name, phone and email
    token = start_open(client)
    r = client.post(f"/s/{token}/signature", data={"name": "Kim"})
    assert r.location.endswith("/p/what_you_can_do")
    assert "about_you" not in _walk(token).page_keys()
    assert client.get(f"/s/{token}/p/about_you").status_code == 404
    _survey, _member, personal = personal_link(survey=survey)
    assert _walk(personal).page_keys()[0] == "about_you"


def test_personal_links_still_get_the_identity_questions_prefilled(client, personal_link, make_member):
    member = make_member(first_name="Maja", last_name="Lind", phone="+46701234567")
    _survey, _member, token = personal_link(member=member)
    assert [k for k in _walk(token).page_keys()][0] == "about_you"
    page = client.get(f"/s/{token}/p/about_you").text
    assert all(field in page for field in IDENTITY_INPUTS) and REGISTRY_SENTENCE in page
    client.post(f"/s/{token}/p/about_you", data={"first_name": "Maja", "action": "next"})
    # Now the fields show her own answers, not the registry's: the sentence would no longer be true.
    assert REGISTRY_SENTENCE not in client.get(f"/s/{token}/p/about_you").text


def test_the_registry_sentence_never_sits_above_empty_fields(client, load_survey):
    load_survey(signature="anonymous")  # no signature: the identity questions are asked, nothing prefilled
    token = start_open(client)
    page = client.get(f"/s/{token}/p/about_you").text
    assert 'name="first_name"' in page and REGISTRY_SENTENCE not in page


def test_the_signature_page_goes_back_keeping_what_was_typed(client, load_survey):
    load_survey(signature=SignatureMode.NAME_AND_CONTACT.value)
    token = start_open(client)
    assert 'value="back"' in client.get(f"/s/{token}/signature").text
    # Back is not forward: the name the mode requires may still be missing ...
    r = client.post(f"/s/{token}/signature", data={"phone": "070-111 22 33", "action": "back"})
    assert r.status_code == 302 and r.location.endswith(f"/s/{token}")
    assert 'value="+46701112233"' in client.get(f"/s/{token}/signature").text
    # ... but a value that cannot be right is shown, not dropped.
    r = client.post(f"/s/{token}/signature", data={"phone": "12", "action": "back"})
    assert r.status_code == 200 and "Telefonnumret ser inte rätt ut" in r.text
