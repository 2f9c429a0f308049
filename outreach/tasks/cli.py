"""`kraftkartan tasks ...`: campaign tasks."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import force_locale

from outreach.tasks import ics
from outreach.tasks import importer as task_import
from survey.extensions import db
from survey.models import Organisation, OrganisationKind, Shift, Task


@click.group("tasks", help="Campaign tasks: import and list.")
def tasks_group() -> None:
    pass


@tasks_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file and say what would be added.")
@with_appcontext
def import_command(file: Path, dry_run: bool) -> None:
    """Add the tasks in CSV FILE. Any problem refuses the whole file (nothing stored) and exits non-zero."""
    # Outside a request the app's locale selector has no request to read: the report is in Swedish.
    with force_locale("sv"):
        result = task_import.import_csv(file.read_bytes(), user=None, dry_run=dry_run)
        problems = [str(p) for p in result.problems]
    if not result.ok:
        db.session.rollback()
        for problem in problems:
            click.echo(f"{file}: {problem}", err=True)
        raise click.ClickException(f"{file}: {len(problems)} problem(s); nothing was imported")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would add" if dry_run else "added"
    click.echo(f"{file}: {verb} {result.tasks_created} tasks and {result.shifts_created} shifts "
               f"({result.shifts_present} shifts were already there)")


@tasks_group.command("list")
@click.option("--association", help="Only this association (name or slug); 'none' for district-wide tasks.")
@with_appcontext
def list_command(association: str | None) -> None:
    """Print one line per shift: start, end, needed, association, kind, title."""
    query = sa.select(Shift).join(Shift.task).order_by(Shift.start_local, Task.title)
    if association == "none":
        query = query.where(Task.association_id.is_(None))
    elif association:
        query = query.where(Task.association_id == _association(association).id)
    for shift in db.session.scalars(query):
        task = shift.task
        where = task.association.name if task.association else "(district)"
        when = f"{shift.start_local:%Y-%m-%d %H:%M}-{shift.end_local:%H:%M}"
        click.echo(f"{when}  {shift.slots:>3}  {where:<13}  {task.kind.value:<12}  {task.title}")


@tasks_group.command("feeds")
@with_appcontext
def feeds_command() -> None:
    """Print the calendar (ICS) addresses: the whole district and each association."""
    click.echo(f"district\t{ics.feed_url('district', ics.DISTRICT)}")
    orgs = db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
                              .order_by(Organisation.name))
    for org in orgs:
        click.echo(f"{org.slug}\t{ics.feed_url('association', org.id)}")


def _association(text: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(
        sa.or_(Organisation.slug == text.lower(), sa.func.lower(Organisation.name) == text.lower())))
    if org is None:
        raise click.ClickException(f"no association '{text}'")
    return org
