"""Campaign tasks as a service: vocabulary, validation, saving shifts, scoping and fill counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask_babel import force_locale

from outreach.tasks import calendar, vocabulary
from outreach.tasks import services as tasks
from survey.core import access
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Shift, TaskKind
from tests.conftest import DEFAULT_SURVEY


@pytest.fixture(autouse=True)
def swedish(app):
    """Service calls outside a request: the app's locale selector needs one, so name the language."""
    with force_locale("sv"):
        yield


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}")


def make_task(title="Bokbord", association=None, shifts=(("2030-08-17", "10:00", "12:00", 2),), **fields):
    data = tasks.TaskInput(
        title=title,
        kind=fields.pop("kind", TaskKind.STALL),
        association_id=association.id if association else None,
        shifts=[tasks.ShiftInput(at(d, a), at(d, b), n) for d, a, b, n in shifts],
        **fields,
    )
    task = tasks.save_task(data)
    db.session.commit()
    return task


def test_vocabulary_falls_back_to_the_default_lists_then_follows_the_newest_survey(app, load_survey):
    assert list(vocabulary.skill_options())[:3] == ["canvassing", "phoning", "stalls"]
    assert vocabulary.skill_options()["canvassing"] == "Dörrknackning"
    assert set(vocabulary.topic_options()) == {
        "climate",
        "healthcare",
        "antiracism",
        "feminism",
        "union",
        "housing",
        "rural",
    }
    new_option = (
        "          - key: skill:sign_language\n            label: {sv: Teckenspråk, en: Sign language}\n"
    )
    text = DEFAULT_SURVEY.read_text(encoding="utf-8")
    load_survey(
        text.replace("          - key: skill:cooking\n", new_option + "          - key: skill:cooking\n", 1)
    )
    options = vocabulary.skill_options()
    assert options["sign_language"] == "Teckenspråk" and list(options)[-1] == "cooking"
    assert vocabulary.option_aliases("skill:")["bokbord och torgmöten"] == "stalls"
    assert vocabulary.option_aliases("interest:")["interest:climate"] == "climate"


CASES = [
    ({"title": "  "}, "title", "Skriv vad uppgiften heter"),
    ({"priority": 4}, "priority", "1, 2 eller 3"),
    ({"required_skills": ["juggling"]}, "required_skills", "Okänd förmåga: juggling"),
    ({"preferred_skills": ["canvassing", "x"]}, "preferred_skills", "Okänd förmåga: x"),
    ({"topic": "weather"}, "topic", "Okänt ämne: weather"),
    ({"shifts": []}, "shifts", "minst ett pass"),
    (
        {"shifts": [tasks.ShiftInput(at("2030-08-17", "12:00"), at("2030-08-17", "12:00"), 1)]},
        "shift-0-end",
        "Slutet måste vara efter starten",
    ),
    (
        {"shifts": [tasks.ShiftInput(at("2030-08-17", "10:00"), at("2030-08-17", "12:00"), 0)]},
        "shift-0-slots",
        "mellan 1 och 500",
    ),
]


def test_validation_names_the_field_in_swedish(app):
    for change, field, message in CASES:
        data = tasks.TaskInput(
            title="Bokbord",
            kind=TaskKind.STALL,
            association_id=None,
            shifts=[tasks.ShiftInput(at("2030-08-17", "10:00"), at("2030-08-17", "12:00"), 2)],
        )
        for key, value in change.items():
            setattr(data, key, value)
        with pytest.raises(tasks.TaskInvalid) as exc:
            tasks.save_task(data)
        assert list(exc.value.problems) == [field], change
        assert message in exc.value.problems[field]


def test_parse_date_and_clock(app):
    assert tasks.parse_clock("9.30").strftime("%H:%M") == "09:30" and tasks.parse_clock("17:05").minute == 5
    for bad in ("25:00", "10", "10:5", "tio"):
        with pytest.raises(ValueError, match="TT:MM"):
            tasks.parse_clock(bad)
    assert tasks.parse_date(" 2030-08-17 ") == date(2030, 8, 17)
    with pytest.raises(ValueError, match="ÅÅÅÅ-MM-DD"):
        tasks.parse_date("17/8")


def test_save_updates_keeps_and_removes_shifts_by_id(app, make_org):
    task = make_task(
        shifts=[("2030-08-17", "10:00", "12:00", 2), ("2030-08-17", "12:00", "14:00", 2)],
        required_skills=["stalls"],
        preferred_skills=["stalls", "flyering"],
    )
    assert task.preferred_skills == ["flyering"]  # a required skill is not also counted as preferred
    first, second = task.shifts
    data = tasks.TaskInput(
        title="Bokbord på torget",
        kind=TaskKind.STALL,
        association_id=make_org("Timrå").id,
        shifts=[
            tasks.ShiftInput(at("2030-08-17", "10:00"), at("2030-08-17", "11:30"), 3, first.id),
            tasks.ShiftInput(at("2030-08-24", "10:00"), at("2030-08-24", "12:00"), 1),
        ],
    )
    tasks.save_task(data, task)
    db.session.commit()
    db.session.expire_all()
    assert [(s.id == first.id, s.end_local.hour, s.slots) for s in task.shifts] == [
        (True, 11, 3),
        (False, 12, 1),
    ]
    assert db.session.get(Shift, second.id) is None and task.association.name == "Timrå"


def test_scoping_helpers(app, make_user):
    admin, timra = make_user("admin"), make_user("organizer", "Timrå")
    sundsvall_org = make_user("organizer", "Sundsvall").associations[0]
    own = make_task("Timrå", timra.associations[0])
    other = make_task("Sundsvall", sundsvall_org)
    district = make_task("Distriktet")
    assert {t.title for t in tasks.list_tasks(timra)} == {"Timrå", "Distriktet"}
    assert len(tasks.list_tasks(admin)) == 3
    assert (
        access.can_edit_task(timra, own)
        and not access.can_edit_task(timra, district)
        and not access.can_see_task(timra, other)
    )
    assert (
        access.can_edit_task(admin, district)
        and access.can_create_tasks(timra)
        and not access.can_create_tasks(make_user("caller"))
    )
    assert [o.name for o in access.visible_associations(timra)] == ["Timrå"]
    assert [t.title for t in tasks.list_tasks(admin, association="none")] == ["Distriktet"]
    assert tasks.list_tasks(admin, kind="canvassing") == []
    assert tasks.shift_mondays(timra) == [date(2030, 8, 12)]


def test_only_accepted_asks_staff_a_place(app, make_member):
    shift = make_task(shifts=[("2030-08-17", "10:00", "12:00", 3)]).shifts[0]
    for status in AssignmentStatus:
        db.session.add(Assignment(shift=shift, member=make_member(), status=status))
    db.session.commit()
    places = tasks.staffing([shift])[shift.id]
    assert places == tasks.Staffing(3, booked=1, asked=1, declined=1, proposed=1)
    assert places.held == 2 and not places.full and tasks.staffing([]) == {}
    assert tasks.count_places(1, [AssignmentStatus.ACCEPTED, AssignmentStatus.DECLINED]).full


def test_week_view_places_shifts_on_their_days(app, make_user):
    admin = make_user("admin")
    make_task(
        "Lördag",
        shifts=[
            ("2030-08-17", "12:00", "14:00", 2),
            ("2030-08-17", "10:00", "12:00", 2),
            ("2030-08-24", "10:00", "12:00", 2),
        ],
    )
    make_task("Måndag", shifts=[("2030-08-12", "18:00", "20:00", 1)])
    view = calendar.week_view(admin, date(2030, 8, 12))
    assert [len(d.entries) for d in view.days] == [1, 0, 0, 0, 0, 2, 0]
    assert [e.shift.start_local.hour for e in view.days[5].entries] == [10, 12]
    assert view.previous == date(2030, 8, 5) and view.next == date(2030, 8, 19) and view.week.number == 33
    # No date: the first week with shifts, if this week has none.
    assert calendar.monday_of(None, admin, today=date(2030, 6, 1)) == date(2030, 8, 12)
    assert calendar.monday_of("2030-08-22", admin) == date(2030, 8, 19)
    # After the last shift: the last week that had any, not an empty week.
    assert calendar.monday_of("garbage", admin, today=date(2030, 9, 20)) == date(2030, 8, 19)
    assert calendar.monday_of(None, make_user("admin"), today=date(2030, 9, 20)) == date(2030, 8, 19)


def test_week_calendar_opens_on_the_organizers_own_week(app, make_user, make_org):
    """A district-wide shift in an earlier week must not open Timrå's calendar on a week with nothing of
    Timrå's: the first week with the association's own shifts, from this week on."""
    timra = make_org("Timrå")
    make_task("Distriktsdag", shifts=[("2030-08-12", "10:00", "12:00", 2)])
    make_task("Timrå torg", association=timra, shifts=[("2030-08-24", "10:00", "12:00", 2),
                                                        ("2030-09-07", "10:00", "12:00", 2)])
    organizer = make_user("organizer", "Timrå")
    assert calendar.monday_of(None, organizer, today=date(2030, 6, 1)) == date(2030, 8, 19)
    assert calendar.monday_of(None, organizer, today=date(2030, 8, 27)) == date(2030, 9, 2)
    assert calendar.monday_of(None, organizer, today=date(2030, 12, 1)) == date(2030, 9, 2)
    # Filtered on the district-wide tasks, or asked for a week: those win.
    june = date(2030, 6, 1)
    assert calendar.monday_of(None, organizer, today=june, association="none") == date(2030, 8, 12)
    assert calendar.monday_of("2030-08-13", organizer) == date(2030, 8, 12)
    # An organizer of an association with no shifts yet still gets a week with something in it.
    assert calendar.monday_of(None, make_user("organizer", "Ånge"), today=june) == date(2030, 8, 12)
