"""`kraftkartan members ...`: The member registry: import and list members.

Exit codes of `members import`: 0 imported (rows with problems are skipped and listed), 1 refused (an
unreadable file, missing key columns, or --strict with problems): the registry is then unchanged.

The registry reader and the duplicate finder load pandas, so they are imported inside the commands that
use them: every `kraftkartan` command, `--help` too, builds the app and loads this module.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm import selectinload

from survey.core import audit
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import Member, MemberStatus, Organisation
from survey.tabular import csv_text, shorten

LIST_COLUMNS = [
    "member_number",
    "first_name",
    "last_name",
    "phone",
    "email",
    "postcode",
    "association",
    "status",
]


@click.group("members", help="The member registry: import and list members.")
def members_group() -> None:
    pass


class _Progress:
    """A click progress bar on stderr, opened once the importer knows how much work there is."""

    def __init__(self) -> None:
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        from survey.registry.read import _

        if self.bar is None:
            self.bar = click.progressbar(length=total, label=_("Läser in"), file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@members_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and print the report; change nothing.")
@click.option("--strict", is_flag=True, help="Refuse the whole file if any row has a problem.")
@click.option(
    "--full",
    is_flag=True,
    help="The file is the whole registry: mark active members missing from it as left (never deleted).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=field",
    help='Read a column with another header as one of our fields, e.g. --map "Medl nr=member_number".',
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full report (problems and notes) to this CSV file.",
)
@click.option("--verbose", "-v", is_flag=True, help="Print notes too, not only problems.")
@with_appcontext
def import_command(
    file: Path,
    dry_run: bool,
    strict: bool,
    full: bool,
    maps: tuple[str, ...],
    report_path: Path | None,
    verbose: bool,
) -> None:
    """Import members from FILE (CSV with comma, semicolon or tab; or XLSX), upserting by member number."""
    from survey.registry.read import RegistryFileError, _, parse_mapping
    from survey.registry.services import import_registry

    progress = _Progress()
    try:
        result = import_registry(
            file.read_bytes(),
            str(file),
            mapping=parse_mapping(maps),
            dry_run=dry_run,
            strict=strict,
            full=full,
            progress=progress,
        )
    except RegistryFileError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except BaseException:
        db.session.rollback()  # one transaction: a failure halfway leaves the registry as it was
        raise
    finally:
        progress.close()
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for note in result.notes:
        if note.problem or verbose:
            where = _("rad %(row)s", row=note.row) if note.row else "-"
            click.echo(f"{where}; {note.column}; {note.value!r}: {note.message}")
    infos = sum(1 for n in result.notes if not n.problem)
    if infos and not verbose:
        click.echo(
            _(
                "%(n)d anteckningar (t.ex. förening satt från postnummer); "
                "visa dem med --verbose eller --report.",
                n=infos,
            )
        )
    if report_path:
        report_path.write_text(result.report_csv(), encoding="utf-8-sig")
    prefix = _("Provkörning, inget sparades: ") if dry_run else ""
    click.echo(prefix + result.summary())
    if result.unknown_columns:
        cols = shorten(", ".join(result.unknown_columns), 300)
        click.echo(_("Okända kolumner ignorerades: %(cols)s", cols=cols))
    if result.refused:
        raise click.ClickException(
            _(
                "%(file)s: filen avvisades (--strict): %(n)d problem. Inget ändrades.",
                file=file,
                n=result.problems,
            )
        )


def _association(text: str) -> Organisation:
    from survey.registry.read import _

    org = db.session.scalar(
        sa.select(Organisation).where(
            sa.or_(
                sa.func.lower(Organisation.slug) == text.lower(),
                sa.func.lower(Organisation.name) == text.lower(),
            )
        )
    )
    if org is None:
        raise click.ClickException(_("Föreningen '%(name)s' finns inte.", name=text))
    return org


@members_group.command("list")
@click.option("--association", help="Only members of this association (name or slug).")
@click.option("--status", type=click.Choice(["active", "left", "all"]), default="all", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@with_appcontext
def list_command(association: str | None, status: str, fmt: str) -> None:
    """Print members as CSV (formula-safe) or JSON. Recorded in the audit log."""
    import pandas as pd

    query = sa.select(Member).options(selectinload(Member.association)).order_by(Member.member_number)
    org = _association(association) if association else None
    if org is not None:
        query = query.where(Member.association_id == org.id)
    if status != "all":
        query = query.where(Member.status == MemberStatus(status))
    rows = [
        {
            "member_number": m.member_number,
            "first_name": m.first_name,
            "last_name": m.last_name,
            "phone": format_phone(m.phone),
            "email": m.email or "",
            "postcode": m.postcode or "",
            "association": m.association.name if m.association else "",
            "status": m.status.value,
        }
        for m in db.session.scalars(query)
    ]
    audit.record(
        None,
        "export",
        f"members:{org.slug if org else 'all'}",
        rows=len(rows),
        association_id=org.id if org else None,
        format=fmt,
        via="cli",
    )
    db.session.commit()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(csv_text(pd.DataFrame(rows, columns=LIST_COLUMNS)), nl=False)


@members_group.command("duplicates")
@with_appcontext
def duplicates_command() -> None:
    """List likely duplicates (same phone, same email, or same name and birth year) for review."""
    from survey.registry import duplicates
    from survey.registry.read import _

    groups = duplicates.find_duplicates(None)
    for number, group in enumerate(groups, 1):
        click.echo(f"{number}. {', '.join(group.labels)}")
        for m in group.members:
            where = m.association.name if m.association else "-"
            click.echo(
                f"   {m.member_number}  {m.full_name}  {format_phone(m.phone)}  {m.email or ''}  {where}"
            )
    click.echo(
        _("%(n)d grupp av troliga dubbletter. Slå ihop på /admin/members/duplicates.", n=len(groups))
        if len(groups) == 1
        else _("%(n)d grupper av troliga dubbletter. Slå ihop på /admin/members/duplicates.", n=len(groups))
    )
