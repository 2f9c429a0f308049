"""The availability grid: campaign weeks, cell ids and concrete intervals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.spec import CalendarSpec, SlotSpec
from survey.spec.availability import (
    calendar_from_dict,
    campaign_weeks,
    cell_id,
    intervals,
    parse_cell_id,
    valid_cells,
)

ELECTION = date(2030, 9, 8)  # a Sunday
CAL = CalendarSpec(election_day=ELECTION, weeks=8)


def dt(day: int, hour: int, month: int = 9) -> datetime:
    return datetime(2030, month, day, hour)


def test_weeks_end_with_the_election_week():
    weeks = campaign_weeks(CAL)
    assert len(weeks) == 8
    assert weeks[-1].monday == date(2030, 9, 2) and weeks[0].monday == date(2030, 7, 15)
    assert [w.number for w in weeks] == list(range(29, 37))
    assert all(w.monday.weekday() == 0 for w in weeks)
    assert [b.monday - a.monday for a, b in zip(weeks, weeks[1:], strict=False)] == [timedelta(weeks=1)] * 7


def test_week_labels():
    weeks = {w.number: w.label for w in campaign_weeks(CAL)}
    assert weeks[36] == {"sv": "v. 36 (2–8 sep)", "en": "wk 36 (2–8 Sep)"}
    assert weeks[31] == {"sv": "v. 31 (29 juli–4 aug)", "en": "wk 31 (29 Jul–4 Aug)"}
    assert weeks[32] == {"sv": "v. 32 (5–11 aug)", "en": "wk 32 (5–11 Aug)"}


def test_election_on_a_monday_and_across_new_year():
    weeks = campaign_weeks(CalendarSpec(election_day=date(2031, 1, 6), weeks=2))
    assert [w.monday for w in weeks] == [date(2030, 12, 30), date(2031, 1, 6)]
    assert [w.number for w in weeks] == [1, 2]
    assert weeks[0].label == {"sv": "v. 1 (30 dec–5 jan)", "en": "wk 1 (30 Dec–5 Jan)"}
    assert len(campaign_weeks(CalendarSpec(election_day=ELECTION, weeks=1))) == 1


def test_cell_ids():
    assert cell_id(date(2030, 9, 2), "weekday_evenings") == "2030-09-02:weekday_evenings"
    assert parse_cell_id("2030-09-02:weekday_evenings") == (date(2030, 9, 2), "weekday_evenings")
    cells = valid_cells(CAL)
    assert len(cells) == 8 * 3
    assert "2030-07-15:weekend_daytime" in cells and "2030-09-09:weekend_daytime" not in cells
    assert all(cell_id(*parse_cell_id(c)) == c for c in cells)


@pytest.mark.parametrize("bad", [
    "2030-09-03:weekday_evenings",  # a Tuesday
    "2030-02-30:weekday_evenings", "2030-9-2:weekday_evenings", "2030-09-02:", "2030-09-02",
    "2030-09-02:Weekday", "2030-09-02:weekday evenings", ":weekday_evenings", "", "garbage",
    " 2030-09-02:weekday_evenings", "2030-09-02:weekday_evenings\n", None, 20300902,
])
def test_bad_cell_ids_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_cell_id(bad)


@pytest.mark.parametrize(("monday", "key"), [(date(2030, 9, 3), "x"), (date(2030, 9, 2), "Bad"),
                                             (datetime(2030, 9, 2), "x"), ("2030-09-02", "x")])
def test_cell_id_rejects_bad_parts(monday, key):
    with pytest.raises(ValueError):
        cell_id(monday, key)


def test_intervals_of_one_cell():
    assert intervals(CAL, ["2030-08-26:weekday_evenings"]) == [
        (dt(d, 17, 8), dt(d, 21, 8)) for d in range(26, 31)]
    assert intervals(CAL, []) == []


def test_intervals_are_sorted_and_kept_apart_when_not_touching():
    cells = ["2030-09-02:weekend_evenings", "2030-08-26:weekend_daytime", "2030-09-02:weekend_daytime"]
    got = intervals(CAL, cells)
    assert got == [
        (dt(31, 10, 8), dt(31, 16, 8)), (dt(1, 10), dt(1, 16)),
        (dt(7, 10), dt(7, 16)), (dt(7, 17), dt(7, 21)), (dt(8, 10), dt(8, 16)), (dt(8, 17), dt(8, 21)),
    ]


def test_adjacent_and_overlapping_intervals_merge():
    cal = CalendarSpec(election_day=ELECTION, weeks=2, slots=[
        SlotSpec("morning", {"sv": "Förmiddag"}, (5,), time(9), time(12)),
        SlotSpec("afternoon", {"sv": "Eftermiddag"}, (5,), time(12), time(15)),
        SlotSpec("lunch", {"sv": "Lunch"}, (5, 6), time(11), time(13)),
    ])
    monday = "2030-09-02"
    assert intervals(cal, [f"{monday}:morning", f"{monday}:afternoon"]) == [(dt(7, 9), dt(7, 15))]
    assert intervals(cal, [f"{monday}:afternoon", f"{monday}:lunch", f"{monday}:lunch"]) == [
        (dt(7, 11), dt(7, 15)), (dt(8, 11), dt(8, 13))]


def test_days_after_election_day_are_dropped():
    cal = CalendarSpec(election_day=date(2030, 9, 4), weeks=2)  # a Wednesday
    got = intervals(cal, ["2030-09-02:weekday_evenings", "2030-09-02:weekend_daytime"])
    assert got == [(dt(2, 17), dt(2, 21)), (dt(3, 17), dt(3, 21)), (dt(4, 17), dt(4, 21))]
    assert len(intervals(cal, ["2030-08-26:weekday_evenings"])) == 5  # earlier weeks are whole


@pytest.mark.parametrize("cell", ["2030-09-09:weekday_evenings", "2030-07-08:weekday_evenings",
                                  "2030-09-02:nights", "2030-09-03:weekday_evenings"])
def test_intervals_reject_cells_outside_the_calendar(cell):
    with pytest.raises(ValueError):
        intervals(CAL, [cell])


def test_calendar_from_stored_dict():
    cal = calendar_from_dict({"election_day": "2030-09-08", "weeks": 8})
    assert cal == CAL


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(valid_cells(CAL)))))
def test_intervals_are_disjoint_and_within_the_campaign(cells):
    got = intervals(CAL, cells)
    assert all(start < end for start, end in got)
    assert all(a[1] < b[0] for a, b in zip(got, got[1:], strict=False))
    assert all(datetime(2030, 7, 15) <= s and e <= datetime(2030, 9, 8, 21) for s, e in got)
    hours = sum((e - s).total_seconds() for s, e in got) / 3600
    per_cell = {"weekday_evenings": 20, "weekend_daytime": 12, "weekend_evenings": 8}
    assert hours == sum(per_cell[parse_cell_id(c)[1]] for c in cells)
