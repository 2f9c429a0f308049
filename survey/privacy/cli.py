"""`kraftkartan privacy ...`: Members' data: export, erasure and purging old answers.

Commands run without a logged-in user, so their audit events carry no user and say `via="cli"`; whoever
has shell access to the server is accountable through the server's own login records.
"""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.core import audit, job_files
from survey.extensions import db
from survey.models import Member, utcnow
from survey.privacy import services as privacy

PURGE_KEY = "PURGE_AFTER_DAYS"  # env: KRAFTKARTAN_PURGE_AFTER_DAYS


@click.group("privacy", help="Members' data: export, erasure and purging old answers.")
def privacy_group() -> None:
    pass


def _member(member_number: str) -> Member:
    member = privacy.member_by_number(member_number)
    if member is None:
        raise click.ClickException(f"no member with number '{member_number}'")
    return member


@privacy_group.command("export")
@click.argument("member_number")
@with_appcontext
def export_command(member_number: str) -> None:
    """Print everything held about member MEMBER_NUMBER as JSON (UTF-8)."""
    member = _member(member_number)
    data = privacy.export_member(member, None, utcnow(), via="cli")
    db.session.commit()
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    # Bytes, not text (click.echo writes bytes to the binary stream): UTF-8 whatever the locale says.
    click.echo(text.encode("utf-8"), nl=False)


@privacy_group.command("erase")
@click.argument("member_number")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_command(member_number: str, yes: bool) -> None:
    """Erase member MEMBER_NUMBER everywhere; their submitted answers stay only as anonymous statistics."""
    member = _member(member_number)
    if not yes:
        click.confirm(f"Erase member {member.member_number} for good? This cannot be undone", abort=True)
    counts = privacy.erase_member(member, None, via="cli")
    db.session.commit()
    if not privacy.clear_freed_space():
        click.echo("note: the database was busy; the erased rows leave its write-ahead log at the next "
                   "checkpoint", err=True)
    click.echo(f"member {member_number} erased: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@privacy_group.command("readmit")
@click.argument("member_number")
@with_appcontext
def readmit_command(member_number: str) -> None:
    """Forget that MEMBER_NUMBER was erased, so the next registry import adds them again (e.g. they rejoined
    and asked to take part)."""
    if not privacy.readmit(member_number):
        raise click.ClickException(f"member {member_number} is not on the erased list")
    audit.record(None, "readmit", "erased-member", rows=1, via="cli")
    db.session.commit()
    click.echo(f"member {member_number} may be imported again")


def purge_after_days() -> int:
    """Days after a survey closes that its answers keep personal data; config first, then the environment."""
    raw = current_app.config.get(PURGE_KEY, privacy.DEFAULT_PURGE_AFTER_DAYS)
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = -1
    if days < 0:
        raise click.ClickException(f"KRAFTKARTAN_PURGE_AFTER_DAYS: expected days (0 or more), got {raw!r}")
    return days


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Report what would be removed; change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Anonymize answers to surveys that closed more than KRAFTKARTAN_PURGE_AFTER_DAYS ago (default 365).

    Members stay in the registry; the surveys' links and messages are deleted. Safe to run daily (cron).
    """
    days = purge_after_days()
    counts = privacy.purge(utcnow(), days)
    if dry_run:
        # The same code path, rolled back: what is reported is exactly what a real run would do.
        db.session.rollback()
    else:
        db.session.commit()
        # Job files (letters PDFs, uploads a crash left behind) hold personal data too; the worker sweeps
        # them while it runs, this daily run does it when no worker does.
        counts["job_files_removed"] = job_files.sweep()
    prefix = "would purge" if dry_run else "purged"
    click.echo(f"{prefix} (surveys closed more than {days} days ago): "
               + ", ".join(f"{k}={v}" for k, v in counts.items()))
