"""The engine's stdout carries only JSON, whatever a solver library prints, and the engine needs no Flask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from outreach.matching import stdout_to_stderr

ROOT = Path(__file__).resolve().parents[3]
PROBLEM = {
    "members": [
        {"id": "m1", "association": "A", "availability": [["2030-08-01T17:00", "2030-08-01T22:00"]]},
    ],
    "tasks": [
        {"id": "t1", "association": "A", "start": "2030-08-01T18:00", "end": "2030-08-01T20:00", "slots": 1},
    ],
}


# A solver that talks on descriptor 1 from "C" (os.write) and from Python (print), as a library might.
CHATTY = """
import os, sys
from outreach.matching import cli

real = cli.solve

def chatty_solve(problem, **kwargs):
    os.write(1, b"Running FakeSolver 0.1 (C level)\\n")
    print("Python-level chatter")
    return real(problem, **kwargs)

cli.solve = chatty_solve
sys.exit(cli.main([]))
"""


def test_a_solver_writing_on_descriptor_1_leaves_stdout_pure_json():
    run = [sys.executable, "-c", CHATTY]
    result = subprocess.run(
        run, input=json.dumps(PROBLEM), capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert [(a["member"], a["task"]) for a in json.loads(result.stdout)["assignments"]] == [("m1", "t1")]
    assert "Running FakeSolver" in result.stderr and "Python-level chatter" in result.stderr


def test_the_switch_nests_survives_errors_and_restores_stdout(capfd):
    with pytest.raises(RuntimeError), stdout_to_stderr() as outer:
        with stdout_to_stderr() as inner:
            assert inner == outer
            os.write(1, b"inner\n")
        os.write(1, b"outer\n")
        os.write(outer, b"to stdout\n")
        raise RuntimeError
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert out == "to stdout\nafter\n"
    assert err == "inner\nouter\n"


def test_overlapping_solves_in_threads_switch_back_once(capfd):
    """The first in switches, the last out switches back: stdout is stdout again, whatever the order."""
    inside, release = threading.Barrier(2), threading.Event()

    def worker():
        with stdout_to_stderr():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join()
    os.write(1, b"stdout again\n")
    assert capfd.readouterr().out == "stdout again\n"


def test_the_engine_and_its_cli_load_no_flask():
    code = (
        "import sys, outreach.matching, outreach.matching.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
