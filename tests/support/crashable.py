"""Work that a test kills with SIGKILL halfway: `python -m tests.support.crashable KIND DATABASE_URL [ARG]`.

Each kind loops over real units of work, each committed in one transaction as the app commits them
(a survey sheet sent, a registry import, a call's outcome), and prints "ready" once the loop has begun.
The test then kills the process at a random moment and checks that the database holds only whole units.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from survey import create_app
from survey.extensions import db


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "crash", "TESTING": True,
                       "PUBLIC_BASE_URL": "http://kk.test", "RATELIMIT_ENABLED": False})


def submissions() -> None:
    """Members send their answer sheets, one commit each, as fast as the database takes them."""
    import sqlalchemy as sa

    from survey.demo.answers import answer_survey
    from survey.models import Member, Organisation, Survey, utcnow

    survey = db.session.scalar(sa.select(Survey))
    org = db.session.scalar(sa.select(Organisation))
    rng = random.Random()
    n = 0
    while True:
        n += 1
        member = Member(member_number=f"K{rng.randrange(10**9)}", first_name="Kill", last_name=f"Nine{n}",
                        association=org, phone=f"+4670{rng.randrange(10**7):07d}")
        db.session.add(member)
        db.session.flush()
        answer_survey(survey, member, rng, utcnow())
        db.session.commit()
        _ready(n)


def imports(path: str) -> None:
    """One big registry import, in one transaction; "ready" once it has begun writing rows."""
    from survey.registry.services import import_registry

    said = False

    def progress(done: int, total: int) -> None:
        nonlocal said
        if not said and done > total // 2:  # checking is done, writing has begun
            print("ready", flush=True)
            said = True

    import_registry(Path(path).read_bytes(), "stor-export.csv", progress=progress)
    db.session.commit()
    print("committed", flush=True)


def calls() -> None:
    """A caller records outcomes on every target of the first list, round after round."""
    import sqlalchemy as sa

    from outreach.calllists import services
    from survey.models import CallList, CallTarget, User, utcnow

    call_list = db.session.scalar(sa.select(CallList))
    caller = db.session.scalar(sa.select(User))
    targets = db.session.scalars(sa.select(CallTarget).where(CallTarget.call_list_id == call_list.id)).all()
    n = 0
    while True:
        for target in targets:
            n += 1
            services.record_outcome(target, caller, "no_answer", utcnow(), note=f"samtal {n}")
            db.session.commit()
            _ready(n)


def _ready(n: int) -> None:
    if n == 1:
        print("ready", flush=True)


if __name__ == "__main__":
    kind, url, *rest = sys.argv[1:]
    with _app(url).app_context():
        {"submissions": submissions, "imports": imports, "calls": calls}[kind](*rest)
