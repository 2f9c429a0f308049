"""Survey -> registry: a member's corrected contact details are proposed, decided once, and kept on import."""

from __future__ import annotations

import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, CorrectionStatus, RegistryCorrection, RegistryMatch, utcnow
from survey.registry.services import import_registry
from survey.respond import services as responses


def _send(survey, member, match=RegistryMatch.PERSONAL, **about):
    """Answer "Om dig" as the member would (prefilled from the registry, some fields changed) and send."""
    sub = responses.submission_by_key(survey, f"m:{member.id}" if match is RegistryMatch.PERSONAL
                                      else f"o:{member.id}", member.id)
    sub.registry_match = match
    section = next(s for s in survey.sections if s.key == "about_you")
    values = {**responses.prefill(member, section.questions), **about}
    responses.save_answers(sub, section.questions, values)
    responses.submit(sub, utcnow(), consent=True)
    db.session.commit()
    return sub


def _all():
    return db.session.scalars(sa.select(RegistryCorrection).order_by(RegistryCorrection.id)).all()


def test_phone_from_a_personal_link_is_taken_in_postcode_waits(app, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Ek", association="Timrå", phone="+46701112233", postcode="86131")
    _send(survey, kim, phone="070-999 88 77", postcode="861 75")
    db.session.refresh(kim)
    assert kim.phone == "+46709998877"  # the rule: phone and e-mail from a personal link
    assert kim.postcode == "86131"  # anything else waits for an organizer
    rows = [(c.field, c.old_value, c.new_value, c.status) for c in _all()]
    assert rows == [("phone", "+46701112233", "+46709998877", CorrectionStatus.AUTO),
                    ("postcode", "86131", "86175", CorrectionStatus.PENDING)]
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "correct")).one()
    assert audit.user_id is None and audit.detail == {"field": "phone", "how": "auto"}

    # Sent again unchanged: nothing new. A newer postcode replaces the undecided one.
    _send(survey, kim, phone="070-999 88 77", postcode="861 75")
    assert len(_all()) == 2
    _send(survey, kim, phone="070-999 88 77", postcode="86176")
    assert [c.status for c in _all()] == [CorrectionStatus.AUTO, CorrectionStatus.SUPERSEDED,
                                          CorrectionStatus.PENDING]


def test_open_link_answers_always_wait(app, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Ek", association="Timrå", phone="+46701112233", email="kim@example.org")
    _send(survey, kim, match=RegistryMatch.MATCHED, phone="0709998877")
    db.session.refresh(kim)
    assert kim.phone == "+46701112233"
    assert [(c.field, c.status) for c in _all()] == [("phone", CorrectionStatus.PENDING)]


def test_blank_or_invalid_answers_are_not_corrections(app, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Ek", association="Timrå", phone="+46701112233", email="kim@example.org")
    _send(survey, kim, phone="", email="not an address")
    assert _all() == []


def test_organizer_accepts_once_and_other_associations_get_404(client, login_as, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Ek", association="Timrå", phone="+46701112233", email="kim@example.org")
    _send(survey, kim, match=RegistryMatch.MATCHED, phone="0709998877")
    correction = _all()[0]
    login_as("organizer", "Sundsvall")
    # What the organizer of Timrå sees (line below): name and numbers. "Ek" alone also turns up in random
    # CSRF tokens now and then.
    other = client.get("/admin/members/corrections").text
    assert "Kim Ek" not in other and "070-999 88 77" not in other
    url = f"/admin/members/corrections/{correction.id}"
    assert client.post(url, data={"action": "accept"}).status_code == 404

    client.post("/admin/logout")
    login_as("organizer", "Timrå")
    listing = client.get("/admin/members/corrections")
    assert "Kim Ek" in listing.text and "070-999 88 77" in listing.text and "070-111 22 33" in listing.text
    page = client.get(f"/admin/members/{kim.id}")
    assert "Ändringar från enkäten att ta ställning till" in page.text
    done = client.post(f"/admin/members/corrections/{correction.id}",
                       data={"action": "accept", "next": f"/admin/members/{kim.id}"}, follow_redirects=True)
    assert "ändrat i registret" in done.text
    assert "Ändringar från enkäten att ta ställning till" not in done.text
    db.session.refresh(kim)
    assert kim.phone == "+46709998877"
    again = client.post(f"/admin/members/corrections/{correction.id}", data={"action": "reject"},
                        follow_redirects=True)
    assert "redan avgjord" in again.text
    db.session.refresh(kim)
    assert kim.phone == "+46709998877"
    assert client.post(f"/admin/members/corrections/{correction.id}", data={"action": "x"}).status_code == 400


def test_reject_keeps_the_registry_value(client, login_as, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Ek", association="Timrå", postcode="86131")
    _send(survey, kim, postcode="86175")
    login_as("organizer", "Timrå")
    client.post(f"/admin/members/corrections/{_all()[0].id}", data={"action": "reject"})
    db.session.refresh(kim)
    assert kim.postcode == "86131" and _all()[0].status is CorrectionStatus.REJECTED


def test_import_keeps_a_members_newer_correction_and_reports_it(app, load_survey, make_member):
    survey = load_survey()
    kim = make_member("Kim", "Ek", association="Timrå", phone="+46701112233", member_number="5001")
    _send(survey, kim, phone="0709998877")
    old_file = b"Medlemsnr;Fornamn;Efternamn;Mobil\n5001;Kim;Ek;0701112233\n"
    result = import_registry(old_file, "export.csv")
    db.session.commit()
    db.session.refresh(kim)
    assert kim.phone == "+46709998877"
    assert any("egen rättelse" in n.message for n in result.notes)
    newer_file = b"Medlemsnr;Fornamn;Efternamn;Mobil\n5001;Kim;Ek;0705554433\n"
    import_registry(newer_file, "export2.csv")
    db.session.commit()
    db.session.refresh(kim)
    assert kim.phone == "+46705554433"  # a third number is newer news than the member's correction


def test_an_open_link_signature_proposes_its_new_phone(app, load_survey, make_member):
    """The open link asks "Vem är du?" instead of "Om dig": a member matched by e-mail who signed with a
    new phone number gets that number proposed (never taken in by itself)."""
    survey = load_survey()
    kim = make_member("Kim", "Ek", association="Timrå", phone="+46701112233", email="kim@example.org")
    sub = responses.submission_by_key(survey, "o:kim", kim.id)
    sub.registry_match, sub.signed_email, sub.signed_phone = RegistryMatch.MATCHED, kim.email, "+46709998877"
    responses.submit(sub, utcnow(), consent=True)
    db.session.commit()
    assert [(c.field, c.new_value, c.status) for c in _all()] == [
        ("phone", "+46709998877", CorrectionStatus.PENDING)]
