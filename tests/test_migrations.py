"""The schema comes only from migrations: they build it on empty SQLite and PostgreSQL with no drift."""

from __future__ import annotations

import re
import shutil
import textwrap
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import alembic.command
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from survey import MIGRATIONS
from survey.extensions import db, migrate


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


def revision_files() -> dict[str, Path]:
    script = ScriptDirectory(str(MIGRATIONS))
    return {r.revision: Path(r.path) for r in script.walk_revisions()}


def test_revision_files_sort_in_revision_order():
    """YYYYMMDD_HHMM_<rev>_<slug>.py (alembic.ini's file_template), each after the revision it follows.
    A revision rebased onto a newer one needs a new time in its name."""
    files = revision_files()
    script = ScriptDirectory(str(MIGRATIONS))
    for revision, path in files.items():
        assert re.fullmatch(rf"\d{{8}}_\d{{4}}_{revision}_\w+\.py", path.name), path.name
        down = script.get_revision(revision).down_revision  # None, a revision, or a tuple for a merge
        for parent in (down,) if isinstance(down, str) else down or ():
            assert files[parent].name < path.name, f"{path.name} sorts before {files[parent].name}"


def test_every_revision_was_reviewed():
    """Autogenerate's "please adjust!" markers go once a person has read and tidied the revision."""
    unreviewed = [p.name for p in revision_files().values() if "please adjust" in p.read_text("utf-8")]
    assert not unreviewed


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
FIRST_REVISION = "1980efbb420e"


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


# -- upgrading a database that already holds rows ---------------------------------------------------
#
# Each seed writes, through tables reflected at its revision (never the current models), the rows a
# real database would hold by then. New revisions need no seed: the test upgrades every seeded row
# through them to head.

SEEDED_AT = datetime(2026, 8, 1, 10, 0, tzinfo=UTC)  # noon in Sundsvall


def seed_initial_schema(rows: Rows) -> None:
    district = rows.add("organisations", slug="vasternorrland", name="Västernorrland", kind="district")
    sundsvall = rows.add("organisations", slug="sundsvall", name="Sundsvall", kind="association",
                         parent_id=district)
    asa = rows.add("members", member_number="100001", first_name="Åsa", last_name="Öberg",
                   phone="+46701234567", email="asa@example.org", postcode="85230", association_id=sundsvall,
                   joined_on=date(2019, 3, 8), do_not_contact=False, created_at=SEEDED_AT)
    rows.add("members", member_number="100002", first_name="Per", last_name="Lind", do_not_contact=True,
             created_at=SEEDED_AT)
    rows.add("users", email="ombud@example.org", password_hash="pbkdf2:sha256:1000$x$y", role="admin",
             active=True, created_at=SEEDED_AT, last_login_at=SEEDED_AT)
    survey = rows.add("surveys", slug="medlemsenkat-2026", version=1, title={"sv": "Medlemsenkät"},
                      signature="name_optional", opens_at=SEEDED_AT, closes_at=None, created_at=SEEDED_AT)
    section = rows.add("survey_sections", survey_id=survey, position=0, key="skills",
                       title={"sv": "Vad kan du?", "en": "What can you do?"})
    skills = rows.add("survey_questions", survey_id=survey, section_id=section, position=0, key="skills",
                      type="skill", label={"sv": "Färdigheter"}, required=True, profile="skills")
    comment = rows.add("survey_questions", survey_id=survey, section_id=section, position=1, key="comment",
                       type="long_text", required=False, max_length=2000)
    rows.add("survey_options", question_id=skills, position=0, key="skill:canvassing",
             label={"sv": "Dörrknackning"})
    rows.add("survey_links", survey_id=survey, member_id=asa, token_hash="a" * 64, created_at=SEEDED_AT)
    submission = rows.add("submissions", survey_id=survey, respondent_key="r" * 40, member_id=asa,
                          status="submitted", registry_match="personal", needs_review=False, language="sv",
                          survey_version=1, consent_at=SEEDED_AT, signed_name="Åsa Öberg",
                          started_at=SEEDED_AT, updated_at=SEEDED_AT, submitted_at=SEEDED_AT)
    rows.add("answers", submission_id=submission, question_id=skills, value={"skill:canvassing": 2})
    rows.add("answers", submission_id=submission, question_id=comment, value="Jag kör gärna bil.")
    profile = rows.add("profiles", submission_id=submission, member_id=asa, max_tasks=2, hours_per_week=4,
                       travels=True)
    rows.add("profile_skills", profile_id=profile, skill="canvassing", level=2)
    rows.add("profile_tags", profile_id=profile, kind="interest", key="climate")
    rows.add("profile_intervals", profile_id=profile, start_local=datetime(2026, 8, 22, 10),
             end_local=datetime(2026, 8, 22, 14))


def seed_registry_and_tasks(rows: Rows) -> None:
    sundsvall, asa, per = rows.id("organisations", 1), rows.id("members", 0), rows.id("members", 1)
    admin, survey = rows.id("users", 0), rows.id("surveys", 0)
    network = rows.add("organisations", slug="klimatnatverket", name="Klimatnätverket", kind="network")
    rows.add("network_memberships", member_id=asa, organisation_id=network, source="survey",
             created_at=SEEDED_AT)
    rows.add("user_associations", user_id=admin, organisation_id=sundsvall)
    rows.add("outgoing_messages", survey_id=survey, member_id=asa, kind="invitation", round="första",
             status="sent", created_at=SEEDED_AT, sent_at=SEEDED_AT)
    rows.add("audit_events", at=SEEDED_AT, user_id=admin, user_email="ombud@example.org", action="export",
             target="members", association_id=sundsvall, rows=2, detail={"format": "csv"})
    rows.add("member_imports", at=SEEDED_AT, user_id=admin, filename="register.xlsx", rows=2, created=2,
             updated=0, unchanged=0, marked_left=0, problems=0, report_csv="row,problem\r\n")
    task = rows.add("tasks", title="Bokbord på Stora torget", kind="stall", association_id=sundsvall,
                    place="Stora torget", required_skills=["canvassing"], preferred_skills=[],
                    topic="climate", priority=2, notes="Ta med tält.", created_at=SEEDED_AT)
    shift = rows.add("shifts", task_id=task, start_local=datetime(2026, 8, 22, 10),
                     end_local=datetime(2026, 8, 22, 13), slots=2)
    run = rows.add("match_runs", created_at=SEEDED_AT, created_by_id=admin, association_id=sundsvall,
                   objective=12.5, optimal=True, stats={"assigned": 1}, published_at=SEEDED_AT)
    rows.add("assignments", shift_id=shift, member_id=asa, run_id=run, status="published", score=3.25,
             reasons=["skill:canvassing"], token_hash="b" * 64, created_at=SEEDED_AT)
    rows.add("match_rules", shift_id=shift, member_id=per, kind="forbid", created_at=SEEDED_AT)


def seed_erased_members(rows: Rows) -> None:
    rows.add("erased_members", number_hash="c" * 64, erased_at=SEEDED_AT)


SEEDS = {
    "1980efbb420e": seed_initial_schema,
    "66032667cc27": seed_registry_and_tasks,
    "0c67ac9dc601": seed_erased_members,
}


class Rows:
    """Inserts rows through tables reflected from the database as it is, and remembers them."""

    def __init__(self) -> None:
        self.written: list[tuple[str, dict, dict]] = []  # (table, primary key, values)

    def add(self, table_name: str, **values) -> Any:
        table = sa.Table(table_name, sa.MetaData(), autoload_with=self.conn)
        key = self.conn.execute(table.insert().values(**values)).inserted_primary_key
        self.written.append((table_name, dict(zip([c.name for c in table.primary_key], key, strict=True)),
                             values))
        return key[0]

    def id(self, table_name: str, n: int) -> Any:
        """The id of the n-th row written to a table (no cached ids to pass between seeds)."""
        [key] = [key for name, key, _ in self.written if name == table_name][n].values()
        return key


def _same(actual, expected) -> bool:
    if isinstance(expected, datetime) and expected.tzinfo is not None and actual is not None:
        # SQLite hands timezone-aware columns back naive (UTCDateTime adds the zone in the app).
        actual = actual.replace(tzinfo=UTC) if actual.tzinfo is None else actual.astimezone(UTC)
    return actual == expected


@pytest.fixture
def empty_app(backend, request, tmp_path, instance_dir):
    """The app on a database with no tables at all, on each backend."""
    from survey import create_app

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = f"kk_empty_{uuid.uuid4().hex[:12]}"
        url = cluster.create_database(name)
        request.addfinalizer(lambda: cluster.drop_database(name))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        yield app
        db.engine.dispose()


def test_rows_survive_every_upgrade_to_head(empty_app):
    """Upgrade one revision at a time, seed what each revision's schema can hold, end at head: every
    row is still there with its values (columns a later revision dropped on purpose are not compared)."""
    directory = empty_app.extensions["migrate"].directory
    script = ScriptDirectory(directory)
    rows = Rows()
    for revision in reversed(list(script.walk_revisions())):
        upgrade(directory=directory, revision=revision.revision)
        if seed := SEEDS.get(revision.revision):
            with db.engine.begin() as rows.conn:
                seed(rows)
    upgrade(directory=directory)  # "head", as `kraftkartan db upgrade`: one head, or a merge is due

    assert set(SEEDS) <= {r.revision for r in script.walk_revisions()}
    assert_unchanged(rows)
    with db.engine.connect() as conn:
        # Members from before members.status existed are active, not NULL.
        assert set(conn.scalars(sa.text("SELECT status FROM members"))) == {"active"}


def assert_unchanged(rows: Rows) -> None:
    with db.engine.connect() as conn:
        for table_name, key, values in rows.written:
            table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
            row = conn.execute(sa.select(table).filter_by(**key)).mappings().one_or_none()
            assert row is not None, f"{table_name} {key} did not survive the upgrade"
            changed = {c: (row[c], v) for c, v in values.items() if c in row and not _same(row[c], v)}
            assert not changed, f"{table_name} {key}: (now, before) {changed}"


def migrations_with(tmp_path, upgrade_body: str) -> str:
    """A copy of the migrations with one more revision on top of head."""
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory(str(directory)).get_current_head()
    (directory / "versions" / "29991231_2359_0123456789ab_probe.py").write_text(
        f"import sqlalchemy as sa\nfrom alembic import op\n\nrevision = '0123456789ab'\n"
        f"down_revision = {head!r}\nbranch_labels = depends_on = None\n\n\n"
        f"def upgrade():\n{textwrap.indent(textwrap.dedent(upgrade_body), '    ')}\n"
    )
    return str(directory)


def test_a_sqlite_table_rebuild_keeps_the_rows_that_reference_it(sqlite_app, tmp_path):
    """SQLite alters a column by rebuilding the table; env.py keeps that from cascading into the rows
    that reference it (survey links, submissions, profiles of members here)."""
    directory = migrations_with(tmp_path, """
        with op.batch_alter_table("members", recreate="always") as batch_op:
            batch_op.alter_column("first_name", existing_type=sa.String(100), nullable=False)
    """)
    downgrade(directory=directory, revision=FIRST_REVISION)  # the seed is written for the first schema
    rows = Rows()
    with db.engine.begin() as rows.conn:
        seed_initial_schema(rows)
    upgrade(directory=directory)  # every revision since, then the rebuild on top
    assert_unchanged(rows)
    with db.engine.connect() as conn:  # the pooled connection has foreign keys on again
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_sqlite_migration_that_leaves_a_dangling_reference_fails(sqlite_app, tmp_path):
    """With foreign keys off during migrations, SQLite's foreign_key_check is what catches this."""
    directory = migrations_with(tmp_path, """
        op.execute("INSERT INTO survey_links (survey_id, token_hash, created_at) "
                   "VALUES (999, 'x', '2026-01-01')")
    """)
    with pytest.raises(RuntimeError, match="dangling foreign keys"):
        alembic.command.upgrade(migrate.get_config(directory), "head")
