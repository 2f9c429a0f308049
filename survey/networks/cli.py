"""`kraftkartan networks ...`: The networks' lists: counts and members.

The command line sees the whole district (it is run by whoever runs the server). Printing a network's
members is recorded in the audit log as an export, like `members list`. pandas loads only for --format csv.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from survey.core import audit
from survey.extensions import db
from survey.models import Organisation, OrganisationKind
from survey.networks import services
from survey.tabular import csv_text, shorten

CELL = 200  # characters of a value in the table: a registry value cannot flood or rewrite the terminal


@click.group("networks", help="Networks: their member counts and members.")
def networks_group() -> None:
    pass


def _table(rows: list[tuple[str, ...]]) -> None:
    rows = [tuple(shorten(cell, CELL) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _find(text: str, kind: OrganisationKind) -> Organisation | None:
    return db.session.scalar(
        sa.select(Organisation).where(
            Organisation.kind == kind,
            sa.or_(
                sa.func.lower(Organisation.slug) == text.lower(),
                sa.func.lower(Organisation.name) == text.lower(),
            ),
        )
    )


@networks_group.command("list")
@click.option(
    "--status",
    type=click.Choice(services.STATUSES),
    default="active",
    show_default=True,
    help="Which members to count.",
)
@with_appcontext
def list_command(status: str) -> None:
    """Every network: slug, name and how many members are on its list."""
    rows = [("SLUG", "NAME", "MEMBERS")]
    rows += [(org.slug, org.name, str(n)) for org, n in services.counts(None, status=status)]
    _table(rows)


@networks_group.command("members")
@click.argument("network")
@click.option("--association", help="Only members of this association (name or slug).")
@click.option("--status", type=click.Choice(services.STATUSES), default="active", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="csv: formula-safe, for a spreadsheet.",
)
@with_appcontext
def members_command(network: str, association: str | None, status: str, fmt: str) -> None:
    """The members on NETWORK's list (its slug or name). Recorded in the audit log."""
    org = _find(network, OrganisationKind.NETWORK)
    if org is None:
        known = ", ".join(n.slug for n in services.networks()) or "-"
        raise click.ClickException(f"no network {shorten(network)!r} (networks: {known})")
    where = _find(association, OrganisationKind.ASSOCIATION) if association else None
    if association and where is None:
        raise click.ClickException(f"no association {shorten(association)!r}")
    members = list(
        db.session.scalars(
            services.members_query(None, org, status=status, association_id=where.id if where else None)
        )
    )
    rows = services.export_rows(members, "yes")
    audit.record(
        None,
        "export",
        f"network:{org.slug}",
        rows=len(rows),
        association_id=where.id if where else None,
        format=fmt,
        status=status,
        via="cli",
    )
    db.session.commit()
    if fmt == "csv":
        click.echo(csv_text(services.export_frame(members, "yes")), nl=False)
        return
    table = [("NUMBER", "NAME", "ASSOCIATION", "PHONE", "EMAIL", "DO NOT CONTACT")]
    table += [
        (
            r["member_number"],
            f"{r['first_name']} {r['last_name']}",
            r["association"] or "-",
            r["phone"],
            r["email"],
            r["do_not_contact"],
        )
        for r in rows
    ]
    _table(table)
    click.echo(f"{len(rows)} member(s)" if rows else "no members")
