"""The schema comes only from migrations: they build it on empty SQLite and PostgreSQL with no drift."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from survey.extensions import db


def drift(app) -> list:
    """What autogenerate would change, compared with the options `flask db check` uses."""
    opts = dict(app.extensions["migrate"].configure_args)
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)


def test_head_matches_the_models(app):
    """What `flask db check` checks: autogenerate finds nothing to do."""
    assert drift(app) == []


def test_upgrade_downgrade_upgrade_on_an_empty_database(app):
    directory = app.extensions["migrate"].directory
    downgrade(directory=directory, revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=directory)
    assert {"members", "surveys", "submissions", "answers", "profiles"} <= set(
        sa.inspect(db.engine).get_table_names()
    )
    assert drift(app) == []


def test_app_factory_touches_no_database(tmp_path, monkeypatch):
    from survey import create_app

    path = tmp_path / "never.sqlite3"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x"})
    assert not path.exists()


def test_db_check_command(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "New upgrade operations detected" not in result.output


@pytest.fixture
def flipped_default(monkeypatch):
    """members.do_not_contact defaults to true in the models, but not in the migrated database."""
    from survey.models import Member

    column = Member.__table__.c.do_not_contact
    monkeypatch.setattr(column, "server_default", sa.DefaultClause(sa.true()))
    return column


def test_drift_includes_server_defaults(app, flipped_default):
    """A server default that differs from the migrations is drift, on SQLite and PostgreSQL alike."""
    [[change]] = drift(app)
    assert change[0] == "modify_default"
    assert change[2:4] == ("members", "do_not_contact")


def test_db_check_command_sees_a_changed_server_default(runner, flipped_default):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code != 0, result.output


@pytest.mark.parametrize("table", ["members", "submissions"])
def test_foreign_keys_are_enforced(app, table):
    from sqlalchemy.exc import IntegrityError

    from survey.models import Member, Submission

    row = (Member(member_number="1", first_name="A", last_name="B", association_id=999)
           if table == "members"
           else Submission(survey_id=999, respondent_key="x", registry_match="anonymous"))
    db.session.add(row)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


BEFORE_LINK_SECRETS = "9336e308d1ec"


def test_the_link_secret_migration_keeps_every_row(app):
    """On SQLite it rebuilds `members` and `organisations`; dropping the old tables with foreign keys
    enforced would cascade into every table that points at them (migrations/env.py turns that off)."""
    from datetime import UTC, datetime

    directory = app.extensions["migrate"].directory
    downgrade(directory=directory, revision=BEFORE_LINK_SECRETS)
    now = datetime(2030, 5, 1, 12, tzinfo=UTC)
    meta = sa.MetaData()
    meta.reflect(bind=db.engine)
    t = meta.tables
    with db.engine.begin() as conn:
        conn.execute(t["organisations"].insert(), [
            {"id": 1, "slug": "distriktet", "name": "Distriktet", "kind": "district", "parent_id": None},
            {"id": 2, "slug": "timra", "name": "Timrå", "kind": "association", "parent_id": 1}])
        conn.execute(t["members"].insert(), [  # ids from the database: PostgreSQL's sequence must see them
            {"member_number": f"M{i}", "first_name": "A", "last_name": f"B{i}", "association_id": 2,
             "created_at": now} for i in (1, 2, 3)])
        ids = conn.scalars(sa.select(t["members"].c.id).order_by(t["members"].c.member_number)).all()
        conn.execute(t["surveys"].insert(), [{"id": 1, "slug": "s", "version": 1, "title": {"sv": "S"},
                                              "signature": "anonymous", "created_at": now}])
        conn.execute(t["survey_links"].insert(), [
            {"survey_id": 1, "member_id": i, "token_hash": f"{i:064d}", "created_at": now} for i in ids])
        conn.execute(t["network_memberships"].insert(), [
            {"member_id": ids[2], "organisation_id": 2, "source": "survey", "created_at": now}])
        conn.execute(t["tasks"].insert(), [{"id": 1, "title": "T", "kind": "stall", "association_id": 2,
                                            "required_skills": [], "preferred_skills": [], "priority": 1,
                                            "created_at": now}])
        conn.execute(t["shifts"].insert(), [{"id": 1, "task_id": 1, "start_local": datetime(2030, 8, 1, 10),
                                             "end_local": datetime(2030, 8, 1, 12), "slots": 1}])
        conn.execute(t["assignments"].insert(), [{"shift_id": 1, "member_id": ids[2], "status": "accepted",
                                                  "score": 1.0, "created_at": now}])

    def snapshot() -> dict[str, list]:
        with db.engine.connect() as conn:
            return {name: sorted(tuple(str(v) for k, v in r._mapping.items() if k != "link_secret")
                                 for r in conn.execute(sa.select(t[name])))
                    for name in ("organisations", "members", "survey_links", "network_memberships", "tasks",
                                 "assignments")}

    before = snapshot()
    upgrade(directory=directory)
    assert snapshot() == before  # every row, with its ids and its references
    secrets = db.session.scalars(sa.text("SELECT link_secret FROM members")).all()
    assert len(set(secrets)) == 3 and all(len(s) >= 20 for s in secrets)
    assert drift(app) == []

    from survey.models import Member

    db.session.execute(sa.delete(Member).where(Member.id == ids[2]))  # the highest id
    db.session.add(Member(member_number="M4", first_name="Ny", last_name="Medlem"))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.max(Member.id))) > ids[2]  # the erased id is not given again
