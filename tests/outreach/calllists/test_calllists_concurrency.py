"""Many callers at once: no target is ever held by two callers, and no outcome is lost.

Threads share nothing but the database (a file on SQLite, separate connections on PostgreSQL), as
callers on their phones would. Each caller asks for the next person, notes that they hold them, records an
outcome (cooldown 0, so people come straight back and are contended for round after round) and lets go.
"""

from __future__ import annotations

import random
import threading

import sqlalchemy as sa

from outreach.calllists import queue, services
from survey.extensions import db
from survey.models import Call, CallList, CallTarget, User, utcnow
from tests.support import calllists as cl

CALLERS = 8
ROUNDS = 25
MEMBERS = 12  # fewer people than callers x 2: every round is a race


def test_many_callers_never_share_a_target_and_lose_no_outcome(app):
    cl.members("Timrå", MEMBERS)
    users = [cl.user(f"caller{i}@example.org") for i in range(CALLERS)]
    lst = cl.call_list("Alla på en gång", "Timrå", users, cooldown_hours=0)
    list_id, user_ids = lst.id, [u.id for u in users]
    db.session.commit()

    holding: dict[int, int] = {}  # target id -> caller id, as the callers themselves see it
    guard = threading.Lock()
    problems: list[str] = []
    recorded = [0] * CALLERS
    start = threading.Barrier(CALLERS)

    def caller(index: int) -> None:
        rng = random.Random(index)
        with app.app_context():
            user = db.session.get(User, user_ids[index])
            call_list = db.session.get(CallList, list_id)
            start.wait()
            for _round in range(ROUNDS):
                now = utcnow()
                if queue.refresh(call_list, now):
                    db.session.commit()
                target = queue.next_target(call_list, user, now)
                db.session.commit()
                if target is None:
                    continue
                with guard:
                    if target.id in holding:
                        problems.append(f"target {target.id} held by {holding[target.id]} and {user.id}")
                    holding[target.id] = user.id
                outcome = rng.choice(("no_answer", "busy", "left_message", "not_available"))
                services.record_outcome(target, user, outcome, utcnow(), note=f"{index}")
                with guard:  # let go in our own view before the database does: no false alarms
                    holding.pop(target.id, None)
                db.session.commit()
                recorded[index] += 1
            db.session.remove()

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(CALLERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert not problems, problems[:5]
    total = sum(recorded)
    assert total >= ROUNDS  # real work happened
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == total
    assert db.session.scalar(sa.select(sa.func.sum(CallTarget.calls))) == total
    assert db.session.scalar(sa.select(sa.func.count()).where(CallTarget.allocated_to_id.is_not(None))) == 0
