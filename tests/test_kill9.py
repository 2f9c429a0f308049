"""SIGKILL in the middle of real work leaves only whole units in the database, on SQLite and PostgreSQL.

A process (tests/support/crashable.py) sends answer sheets, runs a big registry import, or records call
outcomes, committing as the app does; the test kills it with SIGKILL at a random moment, several times,
and checks that what is stored is whole: every sent sheet has its answers and its profile, an import is
all there or not at all, and every target's call count equals its calls. No clean-up code can run on
SIGKILL, so this is the database's transactions doing the work, not ours.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from survey.extensions import db
from survey.models import (
    Answer,
    Call,
    CallTarget,
    Member,
    MemberImport,
    Profile,
    Submission,
    SubmissionStatus,
)
from tests.support import calllists as cl

ROOT = Path(__file__).resolve().parents[1]
KILLS = 3
ROWS = 20_000


def _run_and_kill(kind: str, url: str, *args: str, after: tuple[float, float]) -> str:
    """Start the work, wait for it to begin, kill it with SIGKILL after a random pause; its output."""
    child = subprocess.Popen([sys.executable, "-m", "tests.support.crashable", kind, url, *args], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "ready", (line, child.stderr.read() if child.poll() is not None else "")
        time.sleep(random.uniform(*after))
        os.kill(child.pid, signal.SIGKILL)
        out, _err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    if kind != "imports":  # an import may win the race and commit first: its check allows both
        assert child.returncode == -signal.SIGKILL, "the work ended before it was killed: kill sooner"
    return out


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def _url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def _sqlite_intact(app) -> None:
    if _url(app).startswith("sqlite"):
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"


def test_killed_while_members_send_their_answers(app, load_survey):
    load_survey()
    cl.org("Timrå")
    db.session.commit()
    for _ in range(KILLS):
        _run_and_kill("submissions", _url(app), after=(0.2, 0.8))
        db.session.remove()
        sent = _count(Submission, Submission.status == SubmissionStatus.SUBMITTED)
        assert sent > 0
        assert _count(Submission) == sent == _count(Member)  # no half-made member or draft left behind
        without_answers = _count(Submission, ~Submission.id.in_(sa.select(Answer.submission_id)))
        without_profile = _count(Submission, ~Submission.id.in_(sa.select(Profile.submission_id)))
        assert without_answers == 0 and without_profile == 0
        _sqlite_intact(app)


def _registry_file(path: Path, rows: int) -> None:
    lines = ["Medlemsnr;Förnamn;Efternamn;Mobil;Postnummer"]
    lines += [f"{700000 + i};Förnamn{i};Efternamn{i};070{i:07d};85{i % 1000:03d}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_killed_during_a_big_registry_import(app, tmp_path):
    cl.org("Sundsvall")
    db.session.commit()
    path = tmp_path / "export.csv"
    _registry_file(path, ROWS)
    killed_midway = 0
    for _ in range(KILLS):
        out = _run_and_kill("imports", _url(app), str(path), after=(0.0, 0.3))
        db.session.remove()
        imported = _count(Member)
        assert (imported, _count(MemberImport)) in ((0, 0), (ROWS, 1)), out  # all or nothing
        _sqlite_intact(app)
        if imported:  # the commit won the race: start again from an empty registry
            db.session.execute(sa.delete(Member))
            db.session.execute(sa.delete(MemberImport))
            db.session.commit()
        else:
            killed_midway += 1
    assert killed_midway, "every import committed before the kill: the test proved nothing"


def test_killed_while_a_caller_records_outcomes(app):
    members = cl.members("Timrå", 8)
    caller = cl.user("ringare@timra.example")
    call_list = cl.call_list("Kväll", "Timrå", [caller], cooldown_hours=0)
    from outreach.calllists import queue
    from survey.models import utcnow

    queue.refresh(call_list, utcnow())
    db.session.commit()
    assert _count(CallTarget) == len(members)
    for _ in range(KILLS):
        _run_and_kill("calls", _url(app), after=(0.2, 0.8))
        db.session.remove()
        calls = _count(Call)
        assert calls > 0
        assert db.session.scalar(sa.select(sa.func.sum(CallTarget.calls))) == calls
        _sqlite_intact(app)
