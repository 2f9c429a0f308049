"""Calendar feeds: signed addresses, the right events, Europe/Stockholm times, nothing about other members."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from outreach.tasks import ics
from outreach.tasks import services as tasks
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, TaskKind


def make_task(title, association=None, shifts=(("2030-08-17", "10:00", "12:00"),), notes=None):
    with force_locale("sv"):
        task = tasks.save_task(
            tasks.TaskInput(
                title=title,
                kind=TaskKind.STALL,
                association_id=association.id if association else None,
                place="Stora torget",
                notes=notes,
                shifts=[
                    tasks.ShiftInput(
                        datetime.fromisoformat(f"{d}T{a}"), datetime.fromisoformat(f"{d}T{b}"), 3
                    )
                    for d, a, b in shifts
                ],
            )
        )
    db.session.commit()
    return task


def events(client, url: str) -> dict[str, dict]:
    r = client.get(url.removeprefix("http://kk.test"))
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    cal = Calendar.from_ical(r.data)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == (
        ["Europe/Stockholm"] if cal.walk("VEVENT") else []
    )
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def district(app, make_org):
    timra, sundsvall = make_org("Timrå"), make_org("Sundsvall")
    return {
        "timra": make_task("Ringkväll i Timrå", timra, notes="Fika finns."),
        "sundsvall": make_task(
            "Bokbord i Sundsvall",
            sundsvall,
            [("2030-08-17", "10:00", "12:00"), ("2030-08-17", "12:00", "14:00")],
        ),
        "remote": make_task("Poddavsnitt", None, [("2030-10-30", "18:00", "19:00")]),
        "orgs": (timra, sundsvall),
    }


def test_association_feed_has_its_own_and_district_wide_shifts(client, district):
    timra = district["orgs"][0]
    url = ics.feed_url("association", timra.id)
    assert url.startswith("http://kk.test/ics/association/") and url.endswith(".ics")
    found = events(client, url)
    shift = district["timra"].shifts[0]
    assert set(found) == {
        f"shift-{shift.id}@kraftkartan",
        f"shift-{district['remote'].shifts[0].id}@kraftkartan",
    }
    event = found[f"shift-{shift.id}@kraftkartan"]
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert (start.hour, start.utcoffset().total_seconds()) == (10, 7200)  # CEST in August
    remote = found[f"shift-{district['remote'].shifts[0].id}@kraftkartan"].decoded("DTSTART")
    assert (remote.hour, remote.utcoffset().total_seconds()) == (18, 3600)  # CET after October's change
    assert str(event["SUMMARY"]) == "Ringkväll i Timrå" and str(event["LOCATION"]) == "Stora torget"
    assert str(event["DESCRIPTION"]) == "Bokbord\n\nFika finns." and event["CATEGORIES"].cats == ["Bokbord"]
    # The same shift keeps its UID when the feed is fetched again after an edit.
    with force_locale("sv"):
        data = tasks.TaskInput(
            "Ringkväll i Timrå",
            TaskKind.PHONING,
            timra.id,
            "Folkets hus",
            shifts=[tasks.ShiftInput(shift.start_local, shift.end_local.replace(hour=13), 4, shift.id)],
        )
        tasks.save_task(data, district["timra"])
    db.session.commit()
    again = events(client, url)[f"shift-{shift.id}@kraftkartan"]
    assert again.decoded("DTEND").hour == 13 and str(again["LOCATION"]) == "Folkets hus"


def test_district_feed_has_everything(client, district):
    assert len(events(client, ics.feed_url("district", ics.DISTRICT))) == 4


def test_member_feed_has_only_accepted_shifts_and_nobody_else(client, district, make_member):
    anna, bertil = make_member("Anna", "Ek"), make_member("Bertil", "Lind")
    stall, remote = district["sundsvall"].shifts, district["remote"].shifts[0]
    for shift, member, status in (
        (stall[0], anna, AssignmentStatus.ACCEPTED),
        (stall[1], anna, AssignmentStatus.PUBLISHED),
        (remote, anna, AssignmentStatus.DECLINED),
        (stall[0], bertil, AssignmentStatus.ACCEPTED),
    ):
        db.session.add(Assignment(shift_id=shift.id, member_id=member.id, status=status))
    db.session.commit()
    url = ics.member_feed_url(anna)
    found = events(client, url)
    assert list(found) == [f"shift-{stall[0].id}@kraftkartan"]
    body = client.get(url.removeprefix("http://kk.test")).text
    assert "Bertil" not in body and "Lind" not in body and "Anna" not in body
    assert events(client, ics.member_feed_url(make_member("Cecilia"))) == {}


def test_tampered_or_misused_tokens_are_404(client, district):
    timra = district["orgs"][0]
    token = ics.token("association", timra.id)
    payload, signature = token.split(".")
    assert client.get(f"/ics/association/{token}.ics").status_code == 200
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    assert client.get(f"/ics/association/{payload}.{flipped}.ics").status_code == 404
    other_payload = ics.token("association", district["orgs"][1].id).split(".")[0]
    assert client.get(f"/ics/association/{other_payload}.{signature}.ics").status_code == 404
    member_token = ics.token("member", timra.id)  # a member token is not an association token
    assert client.get(f"/ics/association/{member_token}.ics").status_code == 404
    assert client.get(f"/ics/association/{ics.token('association', 9999)}.ics").status_code == 404
    assert client.get(f"/ics/member/{ics.token('member', [9999, 'x'])}.ics").status_code == 404
    assert client.get(f"/ics/district/{ics.token('district', 'x')}.ics").status_code == 404
    assert client.get("/ics/district/garbage.ics").status_code == 404


def test_a_member_feed_is_bound_to_the_member_not_the_id(client, district, make_member):
    """The token signs the member's link secret with the id: one made from the id alone (as before link
    secrets), or for someone else under the same id, opens nothing."""
    anna = make_member("Anna", "Ek")
    assert client.get(urlsplit(ics.member_feed_url(anna)).path).status_code == 200
    assert client.get(f"/ics/member/{ics.token('member', anna.id)}.ics").status_code == 404
    assert client.get(f"/ics/member/{ics.token('member', [anna.id, 'guess'])}.ics").status_code == 404
    old = urlsplit(ics.member_feed_url(anna)).path
    anna.link_secret = "rotated"
    db.session.commit()
    assert client.get(old).status_code == 404


def test_routes_match_the_addresses(app):
    from flask import url_for

    with app.test_request_context():
        assert url_for("ics.member", token="T") == "/ics/member/T.ics"
        assert url_for("ics.association", token="T") == "/ics/association/T.ics"
        assert url_for("ics.district", token="T") == "/ics/district/T.ics"
