"""The schema comes only from migrations: they build it on empty SQLite and PostgreSQL with no drift."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from survey.extensions import db


def drift(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


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
