"""Unit tests of the matching engine: rules, scores, validation, CLI, helpers."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.matching import (
    ProblemError,
    eligible_pairs,
    explain,
    pair_score,
    rank_replacements,
    solve,
)
from outreach.matching import exact as exact_module
from outreach.matching.cli import dumps
from outreach.matching.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[3]
DAY = "2030-08-01"


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}"


def member(ident, avail=(("17:00", "22:00"),), **kw):
    rec = {"id": ident, "association": "A", "availability": [[at(a), at(b)] for a, b in avail]}
    rec.update(kw)
    return rec


def task(ident, start="18:00", end="20:00", **kw):
    rec = {"id": ident, "association": "A", "start": at(start), "end": at(end), "slots": 1}
    rec.update(kw)
    return rec


def pairs_of(solution):
    return [(a["member"], a["task"]) for a in solution["assignments"]]


# --- eligibility rules ---------------------------------------------------------------------------


def test_touching_availability_intervals_are_merged():
    prob = {
        "members": [member("m", avail=[("18:00", "19:00"), ("19:00", "21:00")])],
        "tasks": [task("t", "18:30", "20:30")],
    }
    assert explain(prob, "m", "t")["eligible"]
    gap = {
        "members": [member("m", avail=[("18:00", "19:00"), ("19:30", "21:00")])],
        "tasks": [task("t", "18:30", "20:30")],
    }
    assert [r["code"] for r in explain(gap, "m", "t")["reasons"]] == ["not_available"]


def test_task_must_lie_inside_availability_half_open():
    base = {"members": [member("m", avail=[("18:00", "20:00")])]}
    exact_fit = dict(base, tasks=[task("t", "18:00", "20:00")])
    too_long = dict(base, tasks=[task("t", "18:00", "20:01")])
    early = dict(base, tasks=[task("t", "17:59", "19:00")])
    assert explain(exact_fit, "m", "t")["eligible"]
    assert not explain(too_long, "m", "t")["eligible"]
    assert not explain(early, "m", "t")["eligible"]


def test_required_skill_needs_level_one():
    prob = {
        "members": [member("zero", skills={"drive": 0}), member("one", skills={"drive": 1}), member("none")],
        "tasks": [task("t", required_skills=["drive"], slots=3)],
    }
    got = {p["member"] for p in eligible_pairs(prob)}
    assert got == {"one"}
    reasons = explain(prob, "zero", "t")["reasons"]
    assert reasons == [{"code": "missing_skill", "skill": "drive", "message": "missing skill drive"}]


def test_association_rules():
    prob = {
        "members": [
            member("home"),
            member("other", association="B"),
            member("traveller", association="B", travels=True),
            member("none", association=None),
        ],
        "tasks": [
            task("a", association="A", slots=4),
            task("open", association=None, slots=4, start="20:00", end="21:00"),
        ],
    }
    got = {(p["member"], p["task"]) for p in eligible_pairs(prob)}
    assert got == {
        ("home", "a"),
        ("traveller", "a"),
        ("home", "open"),
        ("other", "open"),
        ("traveller", "open"),
        ("none", "open"),
    }
    assert explain(prob, "other", "a")["reasons"][0]["code"] == "other_association"


def test_forbidden_pair_is_ineligible_and_explained():
    prob = {"members": [member("m")], "tasks": [task("t")], "forbidden": [["m", "t"]]}
    assert eligible_pairs(prob) == []
    info = explain(prob, "m", "t")
    assert not info["eligible"] and info["details"]["forbidden"]
    assert solve(prob)["assignments"] == []


def test_several_reasons_are_listed():
    prob = {
        "members": [member("m", association="B", avail=[("08:00", "09:00")])],
        "tasks": [task("t", required_skills=["x", "y"])],
        "forbidden": [["m", "t"]],
    }
    codes = [r["code"] for r in explain(prob, "m", "t")["reasons"]]
    assert codes == ["forbidden", "not_available", "missing_skill", "missing_skill", "other_association"]


# --- scores and objective -------------------------------------------------------------------------


def test_pair_score_components():
    prob = {
        "members": [member("m", skills={"talk": 3, "drive": 1, "cook": 5}, interests=["climate"])],
        "tasks": [task("t", preferred_skills=["talk", "drive", "sing", "cook"], topic="climate", priority=3)],
    }
    # fill 10 + skill 3*(3+1+0+3)/(3*4) + interest 1 + home 2 + priority 1*2
    info = explain(prob, "m", "t")
    assert info["components"] == {"fill": 10.0, "skill": 1.75, "interest": 1.0, "home": 2.0, "priority": 2.0}
    assert info["score"] == pair_score(prob, "m", "t") == 16.75


def test_scores_round_to_micro_units():
    prob = {
        "members": [member("m", skills={"a": 1})],
        "tasks": [task("t", preferred_skills=["a", "b", "c"])],
        "weights": {"skill": 1},
    }
    assert pair_score(prob, "m", "t") == 10 + 0.111111 + 2


def test_spread_cost_and_optimal_distribution():
    # One strong member could take both tasks, but spread makes two members better.
    prob = {
        "members": [member("star", max_tasks=2, skills={"s": 3}), member("other")],
        "tasks": [
            task("t1", "17:00", "18:00", preferred_skills=["s"]),
            task("t2", "19:00", "20:00", preferred_skills=["s"]),
        ],
        "weights": {"spread": 4},
    }
    sol = solve(prob)
    assert sol["optimal"]
    # star+star: 15+15-4 = 26; star+other: 15+12 = 27
    assert sol["objective"] == 27.0
    assert sorted(pairs_of(sol)) == [("other", "t2"), ("star", "t1")] or sorted(pairs_of(sol)) == [
        ("other", "t1"),
        ("star", "t2"),
    ]


def test_no_overlapping_tasks_but_touching_is_fine():
    prob = {
        "members": [member("m", max_tasks=3)],
        "tasks": [task("a", "17:00", "19:00"), task("b", "18:00", "20:00"), task("c", "19:00", "21:00")],
        "weights": {"spread": 0},
    }
    sol = solve(prob)
    assert sorted(pairs_of(sol)) == [("m", "a"), ("m", "c")]
    assert sol["unfilled"] == [{"task": "b", "missing": 1}]


def test_negative_scores_are_not_taken_unless_pinned():
    prob = {"members": [member("m")], "tasks": [task("t")], "weights": {"fill": -1, "home": 0}}
    assert solve(prob)["assignments"] == []
    pinned = solve(dict(prob, pinned=[["m", "t"]]))
    assert pairs_of(pinned) == [("m", "t")]
    assert pinned["objective"] == -1.0 and pinned["optimal"]


def test_pin_shifts_marginal_spread_cost():
    prob = {
        "members": [member("m", max_tasks=2), member("n", association="B")],
        "tasks": [task("p", "17:00", "18:00"), task("q", "19:00", "20:00", association=None)],
        "pinned": [["m", "p"]],
        "weights": {"spread": 20},
    }
    sol = solve(prob)
    # m on q would cost 20 more; n takes q for 10.
    assert sorted(pairs_of(sol)) == [("m", "p"), ("n", "q")]
    assert sol["objective"] == 22.0


def test_pin_blocks_overlapping_tasks_of_that_member():
    prob = {
        "members": [member("m", max_tasks=2)],
        "tasks": [task("p", "17:00", "19:00"), task("q", "18:00", "20:00", priority=3)],
        "pinned": [["m", "p"]],
    }
    assert pairs_of(solve(prob)) == [("m", "p")]


def test_integer_and_string_ids_are_kept_apart():
    prob = {
        "members": [member(1), member("1", association="B")],
        "tasks": [task(7, slots=2), task("7", association="B", start="20:00", end="21:00")],
    }
    sol = solve(prob)
    assert sorted(pairs_of(sol), key=str) == sorted([(1, 7), ("1", "7")], key=str)
    assert json.loads(json.dumps(sol))["assignments"][0]["member"] in (1, "1")


def test_empty_problem():
    sol = solve({"members": [], "tasks": []})
    assert sol["assignments"] == [] and sol["objective"] == 0 and sol["optimal"]


def test_output_order_and_unfilled():
    prob = {
        "members": [member("b"), member("a"), member("c")],
        "tasks": [task("t2", "19:00", "20:00", slots=4), task("t1", "17:00", "18:00", slots=1)],
        "weights": {"spread": 0},
    }
    sol = solve(dict(prob, members=[dict(m, max_tasks=2) for m in prob["members"]]))
    assert pairs_of(sol) == [("b", "t2"), ("a", "t2"), ("c", "t2"), (pairs_of(sol)[3][0], "t1")]
    assert sol["unfilled"] == [{"task": "t2", "missing": 1}]
    assert set(sol["stats"]) >= {"members", "tasks", "eligible_pairs", "components", "methods"}


def test_same_input_gives_byte_identical_output():
    prob = {
        "members": [member(f"m{i}", max_tasks=1 + i % 3, skills={"s": i % 4}) for i in range(12)],
        "tasks": [
            task(f"t{j}", f"{17 + j % 3}:00", f"{19 + j % 3}:00", slots=1 + j % 3, preferred_skills=["s"])
            for j in range(8)
        ],
    }
    first = json.dumps(solve(copy.deepcopy(prob)))
    assert all(json.dumps(solve(copy.deepcopy(prob))) == first for _ in range(3))


def test_time_limit_without_proof_reports_not_optimal(monkeypatch):
    """When branch and bound is cut short the incumbent comes back, marked unproven."""
    import numpy as np

    from outreach.matching import solver as solver_module

    class Stopped:
        x, status = None, 1

    monkeypatch.setattr(exact_module, "milp", lambda *a, **k: Stopped())
    monkeypatch.setattr(exact_module, "greedy", lambda core, order: np.zeros(0, np.int64))
    monkeypatch.setattr(solver_module, "_component_values", lambda core, chosen: [-(10**18)] * core.n_comp)
    sol = solve(
        {
            "members": [member("m", max_tasks=2)],
            "tasks": [task("a", "17:00", "19:00"), task("b", "18:00", "20:00")],
        },
        time_limit=1,
    )
    assert sol["optimal"] is False and sol["assignments"] == []
    assert sol["stats"]["upper_bound"] == 12.0 and sol["stats"]["methods"]["milp"] == 1


# --- helpers for the web app -----------------------------------------------------------------------


def test_rank_replacements():
    prob = {
        "members": [
            member("decl"),
            member("busy", max_tasks=1),
            member("clash", max_tasks=2),
            member("good", skills={"s": 3}),
            member("ok"),
            member("far", association="B"),
        ],
        "tasks": [
            task("t", preferred_skills=["s"], slots=2),
            task("u", "20:00", "21:00"),
            task("v", "19:00", "21:00"),
        ],
    }
    current = [{"member": "busy", "task": "u"}, {"member": "clash", "task": "v"}, ["ok", "t"]]
    ranked = rank_replacements(prob, "t", current, exclude=["decl"])
    assert [r["member"] for r in ranked] == ["good"]
    assert ranked[0]["score"] == 15.0 and ranked[0]["gain"] == 15.0
    everyone = rank_replacements(prob, "t")
    assert [r["member"] for r in everyone][:1] == ["good"] and len(everyone) == 5
    assert rank_replacements(prob, "t", limit=2) == everyone[:2]


def test_rank_replacements_gain_counts_spread():
    prob = {
        "members": [member("x", max_tasks=2), member("y")],
        "tasks": [task("t"), task("u", "20:00", "21:00")],
    }
    ranked = rank_replacements(prob, "t", [["x", "u"]])
    assert [(r["member"], r["gain"]) for r in ranked] == [("y", 12.0), ("x", 10.0)]


def test_explain_details():
    prob = {
        "members": [member("m", skills={"a": 2}, interests=["p"])],
        "tasks": [task("t", required_skills=["a"], preferred_skills=["a", "b"], topic="p")],
        "pinned": [["m", "t"]],
    }
    info = explain(prob, "m", "t")
    assert info["eligible"] and info["reasons"] == []
    assert info["details"]["availability_window"] == [at("17:00"), at("22:00")]
    assert info["details"]["required_skills"] == {"a": 2}
    assert info["details"]["pinned"] and info["details"]["interest"] and info["details"]["home"]
    with pytest.raises(ProblemError, match="unknown member id"):
        explain(prob, "nobody", "t")


# --- validation ------------------------------------------------------------------------------------

BASE = {
    "members": [member("m1"), member("m2", association="B")],
    "tasks": [task("t1"), task("t2", "19:00", "21:00"), task("t3", "20:00", "21:00")],
}


def variant(**changes):
    prob = copy.deepcopy(BASE)
    for key, value in changes.items():
        prob[key] = value
    return prob


def with_task(i, **kw):
    prob = copy.deepcopy(BASE)
    prob["tasks"][i].update(kw)
    return prob


def with_member(i, **kw):
    prob = copy.deepcopy(BASE)
    prob["members"][i].update(kw)
    return prob


BAD = {
    "end before start": (
        with_task(2, end=at("19:00")),
        'tasks[2] (id "t3"): end 2030-08-01T19:00 is before start 2030-08-01T20:00',
    ),
    "end equals start": (
        with_task(0, end=at("18:00")),
        'tasks[0] (id "t1"): end 2030-08-01T18:00 equals start',
    ),
    "bad time format": (
        with_task(1, start="2030-08-01 19:00"),
        'tasks[1] (id "t2"): start "2030-08-01 19:00"',
    ),
    "impossible date": (with_task(1, start="2030-02-30T19:00"), "is not a valid date"),
    "bad availability": (
        with_member(1, availability=[[at("18:00"), at("17:00")]]),
        'members[1] (id "m2"): availability[0]: end',
    ),
    "slots zero": (with_task(0, slots=0), 'tasks[0] (id "t1"): slots must be an integer >= 1, got 0'),
    "slots missing": (
        variant(tasks=[{k: v for k, v in task("t").items() if k != "slots"}]),
        'missing "slots"',
    ),
    "priority high": (with_task(1, priority=4), 'tasks[1] (id "t2"): priority must be 1, 2 or 3, got 4'),
    "priority zero": (with_task(1, priority=0), "priority must be 1, 2 or 3"),
    "negative max_tasks": (
        with_member(0, max_tasks=-1),
        'members[0] (id "m1"): max_tasks must be an integer >= 0',
    ),
    "duplicate member": (variant(members=[member("m"), member("m")]), 'members[1] (id "m"): duplicate id'),
    "duplicate task": (variant(tasks=[task(5), task(5)]), "tasks[1] (id 5): duplicate id"),
    "unknown pinned member": (
        variant(pinned=[["x", "t1"]]),
        'pinned[0] (["x", "t1"]): unknown member id "x"',
    ),
    "unknown pinned task": (variant(pinned=[["m1", "t9"]]), 'pinned[0] (["m1", "t9"]): unknown task id "t9"'),
    "unknown forbidden": (variant(forbidden=[["m1", 3]]), 'forbidden[0] (["m1", 3]): unknown task id 3'),
    "pinned and forbidden": (
        variant(pinned=[["m1", "t1"]], forbidden=[["m1", "t1"]]),
        "both pinned and forbidden",
    ),
    "pinned ineligible": (
        variant(pinned=[["m2", "t1"]]),
        'pinned[0] (["m2", "t1"]): pinned pair is not eligible',
    ),
    "pinned unavailable": (with_member(0, availability=[]) | {"pinned": [["m1", "t1"]]}, "not available"),
    "pins over slots": (
        variant(members=[member("a"), member("b")], pinned=[["a", "t1"], ["b", "t1"]]),
        'pinned[1] (["b", "t1"]): more pins on task "t1" than its 1 slot(s)',
    ),
    "pins over max_tasks": (variant(pinned=[["m1", "t1"], ["m1", "t3"]]), "more pins for member"),
    "overlapping pins": (
        variant(members=[member("m1", max_tasks=3)], pinned=[["m1", "t1"], ["m1", "t2"]]),
        "pinned to overlapping tasks",
    ),
    "negative spread": (variant(weights={"spread": -1}), "weights: spread must be >= 0"),
    "weight not number": (variant(weights={"fill": "10"}), "weights: fill must be a finite number"),
    "weight nan": (variant(weights={"fill": float("nan")}), "weights: fill must be a finite number"),
    "unknown weight": (variant(weights={"fil": 1}), 'weights: unknown key "fil"'),
    "unknown top key": (variant(pins=[]), 'problem: unknown key "pins"'),
    "unknown member key": (with_member(0, max_task=2), 'members[0] (id "m1"): unknown key "max_task"'),
    "bad skill level": (with_member(0, skills={"a": "high"}), 'skill "a" has level "high"'),
    "bool id": (variant(members=[member(True)]), "must be a string or an integer"),
    "missing members": ({"tasks": []}, 'problem: missing "members"'),
    "not an object": ([], "problem: expected a JSON object"),
    "pair not a pair": (variant(forbidden=[["m1"]]), "forbidden[0]: expected [member_id, task_id]"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_input_raises_problem_error(case):
    prob, message = BAD[case]
    with pytest.raises(ProblemError) as info:
        solve(prob)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("case", ["end before start", "pins over slots", "unknown pinned task"])
def test_cli_invalid_input_exits_2_with_empty_stdout(case, monkeypatch, capsys):
    prob, message = BAD[case]
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(prob)))
    assert cli_main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err


def test_cli_rejects_invalid_json(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("{nope"))
    assert cli_main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "not valid JSON" in err


def test_cli_round_trip_subprocess():
    prob = {
        "members": [member("m1", max_tasks=2), member("m2")],
        "tasks": [task("t1", slots=2), task("t2", "20:00", "21:00")],
    }
    run = [sys.executable, "-m", "outreach.matching"]
    first = subprocess.run(run, input=json.dumps(prob), capture_output=True, text=True, cwd=ROOT, check=True)
    # The real highspy prints its banner on fd 1 when it starts; it must end up on stderr, not in the JSON.
    assert first.stderr == "" or "HiGHS" in first.stderr
    assert json.loads(first.stdout)["stats"]["assigned"] == 3
    assert first.stdout == dumps(solve(prob))  # byte-identical to an in-process solve
    bad = subprocess.run(
        run, input=json.dumps(BAD["slots zero"][0]), capture_output=True, text=True, cwd=ROOT
    )
    assert bad.returncode == 2 and bad.stdout == "" and 'tasks[0] (id "t1")' in bad.stderr


def test_cli_timing_flag(monkeypatch, capfd):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(BASE)))
    assert cli_main(["--timing"]) == 0
    # capfd, not capsys: the CLI writes the solution to the descriptor of the real stdout (see .stdio)
    assert "seconds" in json.loads(capfd.readouterr().out)["stats"]
