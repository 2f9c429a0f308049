"""A small campaign for the print-out tests: Timrå and Ånge, a Saturday stall and a door-knocking
evening in Timrå, a meeting in Ånge.

- Tova Timråsson (Timrå, no email): accepted the stall.
- Tim Timråsson (Timrå, email): asked for the stall, no answer yet.
- Åke Ångesson (Ånge, travels, no email): asked for the stall: Timrå's organizer sees his name and phone.
- Tilda Timråsson (Timrå, no email, do not contact): accepted the door-knocking.
- Anja Ångesson (Ånge, no email): accepted the Ånge meeting.
- Tor Timråsson (Timrå): declined the door-knocking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from outreach.match import services as assign
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Member, Shift
from tests.support.world import add_shift

SAT = datetime(2030, 8, 17)


@dataclass
class District:
    members: dict[str, Member]
    stall: Shift
    door: Shift
    meeting: Shift
    tokens: dict[str, str]


def _ask(shift: Shift, member: Member, status: AssignmentStatus) -> str:
    a = Assignment(shift_id=shift.id, member_id=member.id)
    db.session.add(a)
    token = assign.issue_token(a)
    a.status = status
    return token


@pytest.fixture
def district(make_member) -> District:
    m = {
        "tova": make_member("Tova", "Timråsson", "Timrå", phone="+46701112233", address="Storgatan 1",
                            postcode="86131", city="Timrå"),
        "tim": make_member("Tim", "Timråsson", "Timrå", email="tim@example.org", phone="+46702223344"),
        "ake": make_member("Åke", "Ångesson", "Ånge", phone="+46703334455"),
        "tilda": make_member("Tilda", "Timråsson", "Timrå", do_not_contact=True),
        "anja": make_member("Anja", "Ångesson", "Ånge", phone="+46704445566"),
        "tor": make_member("Tor", "Timråsson", "Timrå"),
    }
    timra, ange = m["tova"].association, m["ake"].association
    stall = add_shift("Bokbord på Timrå centrum", timra, SAT.replace(hour=10), SAT.replace(hour=12), 4)
    stall.task.kind = "stall"
    evening = (datetime(2030, 8, 20, 17, 30), datetime(2030, 8, 20, 20))
    door = add_shift("Dörrknackning i Vivsta", timra, *evening, 2)
    meeting = add_shift("Medlemsmöte i Ånge", ange, datetime(2030, 8, 21, 18), datetime(2030, 8, 21, 20), 5)
    tokens = {
        "tova": _ask(stall, m["tova"], AssignmentStatus.ACCEPTED),
        "tim": _ask(stall, m["tim"], AssignmentStatus.PUBLISHED),
        "ake": _ask(stall, m["ake"], AssignmentStatus.PUBLISHED),
        "tilda": _ask(door, m["tilda"], AssignmentStatus.ACCEPTED),
        "tor": _ask(door, m["tor"], AssignmentStatus.DECLINED),
        "anja": _ask(meeting, m["anja"], AssignmentStatus.ACCEPTED),
    }
    db.session.commit()
    return District(m, stall, door, meeting, tokens)
