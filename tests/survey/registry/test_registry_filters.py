"""The target filters build SQL for every kind and refuse what they cannot build (no database needed)."""

from datetime import UTC, datetime

import pytest

from survey.registry import filters

NOW = datetime(2030, 8, 1, 12, tzinfo=UTC)
ONE_OF_EACH = [
    {"kind": "association", "ids": [1]}, {"kind": "answered", "survey": 1},
    {"kind": "not_answered", "survey": 1},
    {"kind": "started", "survey": 1}, {"kind": "joined_within", "days": 30}, {"kind": "open_ask"},
    {"kind": "declined"}, {"kind": "skill", "skill": "driving", "level": 2},
    {"kind": "interest", "key": "climate"},
    {"kind": "free_week", "week": "2030-08-19"}, {"kind": "network", "organisation": 3},
    {"kind": "wants_phone"}, {"kind": "not_reached", "days": 14}, {"kind": "never_called"},
]


def test_every_kind_builds_a_condition():
    """A kind listed in KINDS without a builder would only fail when an organizer picks it."""
    assert sorted(s["kind"] for s in ONE_OF_EACH) == sorted(filters.KINDS)
    for spec in ONE_OF_EACH:
        sql = str(filters.member_ids([spec], [1], NOW).compile())
        assert "members" in sql, spec
    assert filters.validate(ONE_OF_EACH, NOW) == ONE_OF_EACH


@pytest.mark.parametrize("spec", [
    {"kind": "nonsense"}, {}, {"kind": "answered"}, {"kind": "joined_within", "days": "x"},
    {"kind": "free_week", "week": "vecka 34"}, {"kind": "network"},
])
def test_unbuildable_filters_raise_filter_error(spec):
    with pytest.raises(filters.FilterError):
        filters.condition(spec, NOW)
