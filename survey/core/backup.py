"""`kraftkartan backup OUT`: a consistent copy of the database while the app keeps serving.

SQLite goes through its online backup API (a plain file copy of a WAL database can miss or tear pages);
PostgreSQL goes through pg_dump when it is installed, because only the server knows a consistent snapshot.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.engine import make_url


def backup_sqlite(database: str, out: Path) -> None:
    """Copy a live SQLite database page by page; readers and writers are not blocked for long."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def backup_postgresql(url: str, out: Path) -> None:
    """Run pg_dump (custom format, restorable with pg_restore); say what to do when it is missing."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise click.ClickException(_("pg_dump hittades inte. Installera PostgreSQL-klienten och kör: "
                                     "pg_dump --format=custom --file=UT DATABAS-URL"))
    libpq_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run([pg_dump, "--format=custom", f"--file={out}", libpq_url],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(_("pg_dump misslyckades: %(error)s", error=result.stderr.strip()))


@click.command("backup", help="Back up the database to a new file (SQLite online backup or pg_dump).")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Refuse to overwrite an existing file: an old backup is worth more than a typo."""
    if out.exists():
        raise click.ClickException(_("%(path)s finns redan; välj ett nytt filnamn.", path=str(out)))
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    # The copy holds the same special-category data as the database: readable by its owner only.
    out.touch(mode=0o600, exist_ok=False)
    try:
        if url.get_backend_name() == "sqlite":
            backup_sqlite(url.database or "", out)
        elif url.get_backend_name() == "postgresql":
            backup_postgresql(str(url.render_as_string(hide_password=False)), out)
        else:
            raise click.ClickException(_("Okänd databastyp: %(name)s", name=url.get_backend_name()))
    except BaseException:
        out.unlink(missing_ok=True)  # no half-written or empty file that a later run would refuse to replace
        raise
    click.echo(_("Säkerhetskopia sparad i %(path)s", path=str(out)))
