"""Matching in the app, end to end on a small world: three members, three shifts, two associations.

The world is the `world` fixture in conftest.py.
"""

from __future__ import annotations

import os
import re
from datetime import datetime

import sqlalchemy as sa

from outreach.match import offers, problem
from outreach.match import services as assign
from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    MatchRun,
    RuleKind,
    Shift,
)
from tests.conftest import login
from tests.support.smtp import SmtpServer
from tests.support.world import add_shift


def _pairs():
    rows = db.session.execute(sa.select(Assignment.member_id, Assignment.shift_id, Assignment.status)).all()
    return {(m, s): st for m, s, st in rows}


def test_problem_is_built_from_the_profiles(app, world):
    built = problem.build(None, datetime(2030, 8, 1))
    members = {m["id"]: m for m in built.problem["members"]}
    anna = members[problem.member_key(world["anna"].id)]
    assert anna["association"] == "sundsvall" and anna["skills"] == {"canvassing": 2}
    assert anna["interests"] == ["climate"] and anna["max_tasks"] == 2 and anna["travels"] is False
    assert anna["availability"] == [["2030-08-17T10:00", "2030-08-17T16:00"]]
    assert members[problem.member_key(world["cy"].id)]["travels"] is True
    tasks = {t["id"]: t for t in built.problem["tasks"]}
    door = tasks[problem.shift_key(world["door"].id)]
    assert door["required_skills"] == ["canvassing"] and door["topic"] == "climate" and door["slots"] == 1
    # Scope: one association's shifts only; the future filter drops what has started.
    assert set(problem.build(world["timra"]).shifts) == {problem.shift_key(world["night"].id)}
    assert problem.build(None, datetime(2030, 8, 18)).shifts.keys() == {problem.shift_key(world["night"].id)}


def test_run_stores_optimal_proposals_with_reasons_and_unfilled_why(app, world, runner):
    run = assign.run(None, None, datetime(2030, 8, 1))
    db.session.commit()
    assert run.optimal and run.objective > 0
    got = _pairs()
    # Anna is the only one with canvassing level 2 at home: she takes the door; Bo and Cy the stall.
    assert got[(world["anna"].id, world["door"].id)] is AssignmentStatus.PROPOSED
    assert {m for m, s in got if s == world["stall"].id} == {world["bo"].id, world["cy"].id}
    door = db.session.scalar(sa.select(Assignment).where(Assignment.shift_id == world["door"].id))
    assert door.reasons["details"]["interest"] and door.reasons["details"]["home"]
    assert door.reasons["details"]["required_skills"] == {"canvassing": 2}
    unfilled = {u["shift"]: u for u in run.stats["unfilled"]}
    assert unfilled[world["night"].id]["code"] == "not_available"


def test_pins_and_forbids_hold_on_rerun(app, world):
    assign.set_rule(world["stall"], world["anna"], RuleKind.PIN)
    assign.set_rule(world["stall"], world["cy"], RuleKind.FORBID)
    assign.run(None, None, datetime(2030, 8, 1))
    db.session.commit()
    got = _pairs()
    assert (world["anna"].id, world["stall"].id) in got and (world["cy"].id, world["stall"].id) not in got
    # Cy (canvassing 1, travels) now gets the door instead of Anna? Anna can do both (max 2, no overlap).
    assign.set_rule(world["door"], world["anna"], RuleKind.FORBID)
    run = assign.run(None, None, datetime(2030, 8, 1))
    db.session.commit()
    got = _pairs()
    assert (world["cy"].id, world["door"].id) in got and (world["anna"].id, world["door"].id) not in got
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRun)) == 2 and run.optimal


def test_publish_mails_links_and_members_answer(app, world, client):
    assign.run(world["sundsvall"], None, datetime(2030, 8, 1))
    with SmtpServer() as smtp:
        app.config.update(smtp.config())
        result = assign.publish(world["sundsvall"])
        assert not smtp.messages  # nothing leaves before the publish is stored
        db.session.commit()
        result.emailed = offers.send_now(result.queued)
        members = {a.member.email for a, _url in result.links}
        assert len(result.links) == 3 and result.mailed == len(members) and not result.not_mailed
        assert sorted(smtp.recipients()) == sorted(members) and "anna@example.org" in members
        body = next(r for r in smtp.messages if r.rcpt_tos == ["anna@example.org"]).body
    path = re.search(r"http://kk\.test(/t/\S+)", body).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "Dörrknack i Stenstan" in page.text
    assert "Bo" not in page.text and "Tall" not in page.text  # nobody else's name
    assert client.get(path + "x").status_code == 404 and client.get("/t/nonsense").status_code == 404
    for _twice in range(2):  # a double click is harmless
        assert client.post(path, data={"answer": "accept"}).status_code == 302
    db.session.expire_all()
    assert _pairs()[(world["anna"].id, world["door"].id)] is AssignmentStatus.ACCEPTED
    page = client.get(path)
    assert "Dina bekräftade uppdrag" in page.text and "/ics/member/" in page.text


def test_decline_frees_the_slot_and_replacements_are_ranked(app, world, client, login_as):
    assign.set_rule(world["door"], world["cy"], RuleKind.PIN)  # Cy on the door, Anna free to replace
    assign.set_rule(world["stall"], world["anna"], RuleKind.FORBID)
    assign.run(None, None, datetime(2030, 8, 1))
    result = assign.publish(None)
    db.session.commit()
    url = next(
        u for a, u in result.not_mailed if a.member_id == world["cy"].id and a.shift_id == world["door"].id
    )
    assert client.post(url.removeprefix("http://kk.test"), data={"answer": "decline"}).status_code == 302
    db.session.expire_all()
    ranked = assign.replacements(db.session.get(Shift, world["door"].id), datetime(2030, 8, 1))
    assert [r["member"].id for r in ranked] == [world["anna"].id]  # Bo lacks canvassing; Cy declined
    login_as("organizer", "Sundsvall")
    page = client.get(f"/admin/match/shifts/{world['door'].id}/replacements")
    assert page.status_code == 200 and "Anna Al" in page.text
    assert (
        client.post(
            f"/admin/match/shifts/{world['door'].id}/offer", data={"member": world["anna"].id}
        ).status_code
        == 200
    )
    db.session.expire_all()
    assert _pairs()[(world["anna"].id, world["door"].id)] is AssignmentStatus.PUBLISHED


def test_organizer_scope_and_pages(app, world, client, make_user, publish_via_page):
    assign.set_rule(world["stall"], world["anna"], RuleKind.FORBID)  # so Cy (Timrå) is on the stall
    db.session.commit()
    user = make_user("organizer", "Sundsvall")
    login(client, user)
    night = world["night"].id
    assert client.get(f"/admin/match/shifts/{night}/replacements").status_code == 404
    assert (
        client.post(
            "/admin/match/rule", data={"shift": night, "member": world["cy"].id, "kind": "pin"}
        ).status_code
        == 404
    )
    assert client.get(f"/admin/match?association={world['timra'].id}").status_code == 404
    assert client.post("/admin/match/run").status_code == 302
    page = client.get("/admin/match")
    assert page.status_code == 200 and "Dörrknack i Stenstan" in page.text
    # Cy (Timrå) is only proposed: first name and association, enough to choose by the reasons shown.
    assert "Nattaffischering" not in page.text and "Cy Tall" not in page.text
    assert "Cy (Timrå)" in page.text and "Bryr sig om" in page.text and "Hemmaförening" in page.text
    assert (
        client.post(
            "/admin/match/rule",
            data={"shift": world["door"].id, "member": world["anna"].id, "kind": "forbid"},
        ).status_code
        == 302
    )
    assert publish_via_page().status_code == 200
    db.session.expire_all()
    statuses = _pairs()
    assert all(st is AssignmentStatus.PUBLISHED for (m, s), st in statuses.items())
    assert (world["anna"].id, world["door"].id) not in statuses
    # Asked to Sundsvall's stall now: its organizer sees Cy's name, but still not Cy's member page.
    assert "Cy Tall" in client.get("/admin/match").text
    assert client.get(f"/admin/members/{world['cy'].id}").status_code == 404


def test_cli_prints_summary_and_publishes(app, world, runner):
    result = runner.invoke(args=["match", "--all-shifts"])
    assert result.exit_code == 0, result.output
    assert "Objective:" in result.output and "optimal" in result.output
    assert "Unfilled: Nattaffischering Timrå" in result.output and "no one available" in result.output
    assert "1/1" in result.output
    result = runner.invoke(args=["match", "--association", "sundsvall", "--all-shifts", "--publish"])
    assert result.exit_code == 0, result.output
    assert "Published 3" in result.output and "/t/" in result.output
    assert runner.invoke(args=["match", "--association", "nowhere"]).exit_code != 0


def test_solver_chatter_on_descriptor_1_stays_off_stdout(app, world, runner, monkeypatch, capfd):
    """HiGHS prints its banner on fd 1 (once per process, so a stand-in that always talks shows it)."""
    import outreach.matching

    real = outreach.matching.solve

    def chatty(problem, **kwargs):
        os.write(1, b"Running HiGHS (stand-in)\n")
        return real(problem, **kwargs)

    monkeypatch.setattr(outreach.matching, "solve", chatty)
    assert runner.invoke(args=["match", "--all-shifts"]).exit_code == 0
    out, err = capfd.readouterr()
    assert "Running HiGHS" not in out and "Running HiGHS (stand-in)" in err


def test_organizers_see_district_wide_shifts_read_only(app, world, client, make_user):
    remote = add_shift("Översätta valmaterial", None, datetime(2030, 8, 19, 18), datetime(2030, 8, 19, 20), 1)
    db.session.commit()
    login(client, make_user("organizer", "Sundsvall"))
    page = client.get("/admin/match?week=all")
    assert "Översätta valmaterial" in page.text
    assert "bara distriktets administratörer kan ändra den" in page.text
    data = {"shift": remote.id, "member": world["bo"].id, "kind": "pin"}
    assert client.post("/admin/match/rule", data=data).status_code == 403
    assert client.get(f"/admin/match/shifts/{remote.id}/replacements").status_code == 200
    assert (
        client.post(f"/admin/match/shifts/{remote.id}/offer", data={"member": world["bo"].id}).status_code
        == 403
    )


def test_the_page_shows_one_week_at_a_time_and_keeps_it(app, world, client, make_user):
    add_shift("Översätta valmaterial", None, datetime(2030, 8, 19, 18), datetime(2030, 8, 19, 20), 1)
    db.session.commit()
    login(client, make_user("admin"))
    # Without a week: the first week with shifts from today on (the campaign lies ahead of the tests).
    first = client.get("/admin/match").text
    assert "Dörrknack i Stenstan" in first and "Översätta valmaterial" not in first
    assert 'value="2030-08-12" selected' in first and 'value="2030-08-19"' in first
    later = client.get("/admin/match?week=2030-08-21").text  # any day picks its week
    assert "Översätta valmaterial" in later and "Dörrknack i Stenstan" not in later
    every = client.get("/admin/match?week=all").text
    assert "Översätta valmaterial" in every and "Dörrknack i Stenstan" in every
    assert client.get("/admin/match?week=not-a-date").status_code == 200
    # Acting on a shift comes back to the same week.
    data = {"shift": world["door"].id, "member": world["bo"].id, "kind": "forbid", "week": "2030-08-12"}
    back = client.post("/admin/match/rule", data=data)
    assert back.status_code == 302 and "week=2030-08-12" in back.location


def test_answer_needs_csrf_and_a_declined_place_can_go_to_someone_else(app, world, client):
    assign.set_rule(world["door"], world["anna"], RuleKind.PIN)
    assign.run(world["sundsvall"], None, datetime(2030, 8, 1))
    result = assign.publish(world["sundsvall"])
    db.session.commit()
    url = next(u for a, u in result.not_mailed if a.shift_id == world["door"].id)
    path = url.removeprefix("http://kk.test")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(path, data={"answer": "decline"}).status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post(path, data={"answer": "decline"}).status_code == 302
    assert client.post(path, data={"answer": "maybe"}).status_code == 400
    db.session.expire_all()
    assign.offer(db.session.get(Shift, world["door"].id), world["cy"])
    db.session.commit()
    # Anna changes her mind, but the only place has been offered to Cy meanwhile.
    response = client.post(path, data={"answer": "accept"})
    assert "full=1" in response.location
    assert "gått till någon annan" in client.get(response.location).text
    db.session.expire_all()
    assert _pairs()[(world["anna"].id, world["door"].id)] is AssignmentStatus.DECLINED


def test_sms_list_gives_unanswered_asks_fresh_links_and_leaves_out_whom_it_must(app, world, client,
                                                                                make_user):
    anna, bo, cy = world["anna"], world["bo"], world["cy"]
    anna.phone, anna.first_name = "+46701234567", "=Anna"  # a name a spreadsheet would run as a formula
    bo.phone, cy.phone = "+46701234568", None
    assign.run(world["sundsvall"], None, datetime(2030, 8, 1))
    result = assign.publish(world["sundsvall"])
    bo.do_not_contact = True  # asked, and then asked us to stop contacting him
    db.session.commit()
    old = {a.member_id: u.removeprefix("http://kk.test") for a, u in result.not_mailed}
    assert {anna.id, bo.id} <= set(old)  # and Cy or not: a tie with Anna for the stall
    assert client.get(old[anna.id]).status_code == 200

    login(client, make_user("organizer", "Timrå"))
    data = {"association": world["sundsvall"].id}
    assert client.post("/admin/match/sms.csv", data=data).status_code == 404  # not their association
    client.post("/admin/logout")
    login(client, make_user("organizer", "Sundsvall"))
    response = client.post("/admin/match/sms.csv", data=data)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "member_number,first_name,phone,task,when,place,url"
    # Only Anna's asks: Bo asked not to be contacted, Cy has no phone.
    rows = lines[1:]
    annas = [u.removeprefix("http://kk.test") for a, u in result.not_mailed if a.member == anna]
    assert len(rows) == len(annas) >= 1
    assert all(row.startswith(f"{anna.member_number},'=Anna,070-123 45 67,") for row in rows)
    assert re.search(r",lör 17/8 1[13]:00–1[35]:00,Torget,http://kk.test/t/", rows[0])
    fresh = [row.rsplit(",", 1)[1].removeprefix("http://kk.test") for row in rows]
    assert all(client.get(url).status_code == 200 for url in fresh)
    assert all(client.get(url).status_code == 404 for url in annas)  # replaced by the fresh ones
    assert client.get(old[bo.id]).status_code == 200  # untouched
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.target == "task-sms-links" and event.rows == len(lines) - 1
    # Once she has answered, she is no longer on the list.
    for url in fresh:
        client.post(url, data={"answer": "accept"})
    assert len(client.post("/admin/match/sms.csv", data=data).data.decode("utf-8-sig").splitlines()) == 1
