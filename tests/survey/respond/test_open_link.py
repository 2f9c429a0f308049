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
    return r.location.rsplit("/s/", 1)[1]


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
