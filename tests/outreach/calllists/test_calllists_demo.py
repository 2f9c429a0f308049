"""The demo ships one call list per association with its callers, and is safe to run twice."""

from __future__ import annotations

import sqlalchemy as sa

from outreach.calllists import demo
from survey.accounts import services as accounts
from survey.demo import ensure_members, ensure_organisations
from survey.extensions import db
from survey.models import CallList


def test_one_list_per_association_with_callers_who_can_log_in(app, load_survey):
    survey = load_survey()
    orgs = ensure_organisations()
    ensure_members(80, orgs)
    callers = demo.seed_call_lists(orgs, survey)
    db.session.commit()
    lists = db.session.scalars(sa.select(CallList)).all()
    assert len(lists) == 7 and all(len(c.callers) == 2 for c in lists)
    assert all(c.goal["kind"] == "survey" for c in lists)
    _name, email, password = callers[0]
    assert accounts.authenticate(email, password) is not None
    assert len(demo.seed_call_lists(orgs, survey)) == len(callers)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CallList)) == 7
