"""`kraftkartan backup`: the copy restores to the same rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess

import sqlalchemy as sa

from survey.extensions import db
from survey.models import Member


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(Member.member_number, Member.first_name)
                                               .order_by(Member.member_number))]


def test_backup_restores_to_the_same_rows(app, runner, make_member, tmp_path, backend):
    make_member("Anna", member_number="1001")
    make_member("Bertil", member_number="1002")
    db.session.commit()
    out = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(out)])
    if backend == "postgresql" and shutil.which("pg_dump") is None:
        assert result.exit_code != 0 and "pg_dump" in result.output and not out.exists()
        return
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600  # special-category data: the owner's eyes only
    before = _rows(db.engine)
    if backend == "sqlite":
        restored = sa.create_engine(f"sqlite:///{out}")
    else:
        url = db.engine.url
        target = f"restored_{tmp_path.name[-8:].lower()}".replace("-", "_")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{target}"'))
        libpq = url.set(drivername="postgresql", database=target).render_as_string(hide_password=False)
        subprocess.run([shutil.which("pg_restore"), "--no-owner", f"--dbname={libpq}", str(out)], check=True)
        restored = sa.create_engine(url.set(database=target))
    try:
        assert _rows(restored) == before and len(before) == 2
    finally:
        restored.dispose()


def test_backup_refuses_to_overwrite(app, runner, tmp_path):
    out = tmp_path / "old.db"
    out.write_text("keep me")
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code != 0 and "finns redan" in result.output
    assert out.read_text() == "keep me"
