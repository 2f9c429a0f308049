"""Language and time for people: the district's one time zone and the marker for strings translated later.

Members and organizers think in Swedish wall-clock time; the database stores UTC (see UTCDateTime).
`STOCKHOLM` is built from the configured TIMEZONE, so there is one definition to change. Pure: no Flask
here, so the survey file parser and the matching problem builder can use it too.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from survey.config import TIMEZONE

STOCKHOLM = ZoneInfo(TIMEZONE)


def N_(text: str) -> str:
    """Mark a string for extraction (pybabel) that is translated where it is shown, not where defined."""
    return text
