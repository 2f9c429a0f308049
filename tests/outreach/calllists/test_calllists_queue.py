"""The queue: one target per caller, call order, cooldowns, call-backs, who is never a target."""

from __future__ import annotations

from datetime import timedelta

from outreach.calllists import queue, reports, services
from survey.extensions import db
from survey.models import CallTarget, MemberStatus, utcnow
from tests.support import calllists as cl


def _caller(name="a"):
    return cl.user(f"caller-{name}@example.org")


def test_targets_follow_the_filter_and_never_include_the_uncallable(app):
    ok = cl.members("Timrå", 3)
    no_phone = cl.members("Timrå", 1, phone=False)[0]
    dnc = cl.members("Timrå", 1, do_not_contact=True)[0]
    gone = cl.members("Timrå", 1, status=MemberStatus.LEFT)[0]
    cl.members("Ånge", 2)
    caller = _caller()
    lst = cl.call_list("Ring alla", "Timrå", [caller])
    got = []
    for _ in range(6):
        t = queue.next_target(lst, caller, utcnow())
        if t is None:
            break
        got.append(t.member_id)
        services.record_outcome(t, caller, "reached", utcnow())
        db.session.commit()
    assert sorted(got) == sorted(m.id for m in ok)
    ids = set(db.session.scalars(db.select(CallTarget.member_id)))
    assert gone.id not in ids and no_phone.id in ids and dnc.id in ids  # counted as blocked, never handed out
    stats = reports.stats(lst, utcnow())
    assert stats.blocked["no_number"] == 1 and stats.blocked["do_not_contact"] == 1 and stats.done == 3


def test_one_target_per_caller_and_two_callers_never_share(app):
    cl.members("Timrå", 2)
    a, b, c = _caller("a"), _caller("b"), _caller("c")
    lst = cl.call_list("Lista", "Timrå", [a, b, c])
    now = utcnow()
    ta = queue.next_target(lst, a, now)
    assert queue.next_target(lst, a, now).id == ta.id  # asking again gives the same person
    tb = queue.next_target(lst, b, now)
    assert tb.id != ta.id
    assert queue.next_target(lst, c, now) is None
    assert queue.why_empty(lst, now).reason == "busy"
    # A hold left unfinished is released after the timeout.
    later = now + queue.allocation_timeout() + timedelta(seconds=1)
    assert queue.next_target(lst, c, later).id in (ta.id, tb.id)


def test_order_callbacks_then_never_called_then_oldest(app):
    people = cl.members("Timrå", 3)
    caller = _caller()
    lst = cl.call_list("Lista", "Timrå", [caller], cooldown_hours=1)
    now = utcnow()
    first = queue.next_target(lst, caller, now)
    services.record_outcome(first, caller, "no_answer", now)
    second = queue.next_target(lst, caller, now)
    assert second.member_id != first.member_id
    services.record_outcome(second, caller, "call_back", now, callback_at=now + timedelta(minutes=30))
    third = queue.next_target(lst, caller, now)
    services.record_outcome(third, caller, "busy", now)
    db.session.commit()
    empty = queue.why_empty(lst, now)
    assert queue.next_target(lst, caller, now) is None
    assert empty.reason == "callbacks" and empty.at == now + timedelta(minutes=30)
    # At the call-back time the call-back comes first, before the cooled-down ones.
    t = queue.next_target(lst, caller, now + timedelta(minutes=31))
    assert t.member_id == second.member_id
    services.record_outcome(t, caller, "reached", now + timedelta(minutes=32))
    # After the cooldown: the one called longest ago first.
    t = queue.next_target(lst, caller, now + timedelta(hours=2))
    assert t.member_id == first.member_id
    assert {p.id for p in people} == {first.member_id, second.member_id, third.member_id}


def test_no_answer_does_not_come_back_before_its_cooldown(app):
    cl.members("Timrå", 1)
    caller = _caller()
    lst = cl.call_list("Lista", "Timrå", [caller], cooldown_hours=4)
    now = utcnow()
    t = queue.next_target(lst, caller, now)
    services.record_outcome(t, caller, "no_answer", now)
    assert queue.next_target(lst, caller, now + timedelta(hours=3, minutes=59)) is None
    assert queue.why_empty(lst, now).reason == "cooldown"
    assert queue.next_target(lst, caller, now + timedelta(hours=4, minutes=1)).id == t.id


def test_closed_list_says_so(app):
    cl.members("Timrå", 1)
    caller = _caller()
    now = utcnow()
    lst = cl.call_list("Lista", "Timrå", [caller], closes_at=now - timedelta(hours=1),
                       opens_at=now - timedelta(days=1))
    assert queue.next_target(lst, caller, now) is None
    assert queue.why_empty(lst, now).reason == "closed"


def test_do_not_call_again_sets_do_not_contact_and_is_audited(app):
    from survey.models import AuditEvent

    m = cl.members("Timrå", 1)[0]
    caller = _caller()
    lst = cl.call_list("Lista", "Timrå", [caller])
    t = queue.next_target(lst, caller, utcnow())
    services.record_outcome(t, caller, "do_not_call", utcnow())
    db.session.commit()
    assert m.do_not_contact
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "do_not_contact")).target == \
        f"member:{m.id}"


def test_members_enter_and_leave_the_list_as_their_data_changes(app):
    a, b = cl.members("Timrå", 2)
    caller = _caller()
    lst = cl.call_list("Nya", "Timrå", [caller], filters=[{"kind": "wants_phone"}])
    assert reports.stats(lst, utcnow()).total == 0
    a.status = MemberStatus.LEFT
    lst.filters = []
    queue.refresh(lst, utcnow(), force=True)
    db.session.commit()
    assert reports.stats(lst, utcnow()).total == 1
