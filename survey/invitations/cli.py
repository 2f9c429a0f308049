"""`kraftkartan invitations ...`: Email survey invitations and reminders.

`send` plans the round and then sends what is pending, committing after every message, so it can be
stopped at any point (Ctrl-C, a lost connection, a crash) and simply run again: it continues with what
is still pending and never sends a message twice. See docs/invitations.md.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.core import audit, mailer, outbox
from survey.extensions import db
from survey.invitations import services as invitations
from survey.models import Organisation, Survey
from survey.spec import services as surveys


@click.group("invitations", help="Email survey invitations and reminders.")
def invitations_group() -> None:
    pass


def _survey(slug: str | None) -> Survey:
    survey = surveys.by_slug(slug) if slug else invitations.default_survey()
    if survey is None:
        raise click.ClickException(f"no survey with slug '{slug}'" if slug else
                                   "no open survey; give --survey SLUG")
    return survey


def _association(name: str | None) -> Organisation | None:
    if not name:
        return None
    org = invitations.find_association(name)
    if org is None:
        raise click.ClickException(f"no association '{name}'")
    return org


@invitations_group.command("send")
@click.option("--survey", "slug", help="Survey slug (default: the newest open survey).")
@click.option("--association", help="Only members of this association (name or slug).")
@click.option("--reminder", is_flag=True, help="A reminder to those who have not submitted yet.")
@click.option("--round", "round_name",
              help='Round name (default: "1" for invitations, today\'s date for reminders).')
@click.option("--limit", type=click.IntRange(min=1),
              help="Send at most this many now; the rest stay pending.")
@click.option("--dry-run", is_flag=True, help="Show what would be planned and sent; change nothing.")
@click.option("--retry-failed", is_flag=True,
              help="Put this round's failed messages back in the queue first.")
@with_appcontext
def send_command(slug: str | None, association: str | None, reminder: bool, round_name: str | None,
                 limit: int | None, dry_run: bool, retry_failed: bool) -> None:
    """Plan a round of emails with personal links, then send what is pending in it.

    Only active members with an email address, not marked do-not-contact, who have not submitted.
    Running the same command again continues where it stopped.
    """
    survey, org = _survey(slug), _association(association)
    kind = "reminder" if reminder else "invitation"
    round_name = round_name or invitations.default_round(kind)
    if len(round_name) > 40:
        raise click.ClickException("--round: at most 40 characters")
    if not dry_run:
        try:
            mailer.settings()  # before planning anything: a round that cannot be sent is not planned
        except mailer.NotConfigured as exc:
            raise click.ClickException(f"email is not configured: {exc}") from exc
    scope = {"association": org}
    planned = invitations.plan(survey, kind, round_name, **scope)
    retried = invitations.retry_failed(survey, kind, round_name, **scope) if retry_failed else 0
    pending = invitations.pending_count(survey, kind, round_name, **scope)
    to_send = min(pending, limit) if limit else pending
    click.echo(f"{survey.slug}, {kind} round '{round_name}': {planned} newly planned, "
               f"{retried} failed put back, {pending} pending.")
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: nothing saved; would send {to_send} now.")
        return
    audit.record(None, "send", f"invitations:{survey.slug}", rows=planned,
                 association_id=org.id if org else None, kind=kind, round=round_name)
    db.session.commit()
    base_url = current_app.config["PUBLIC_BASE_URL"]
    with click.progressbar(length=to_send, label="Sending") as bar:
        # Ctrl-C or a crash: the message in hand was not marked sent, so it stays pending.
        sent = outbox.send(lambda smtp: invitations.deliver(survey, kind, round_name, smtp, limit=limit,
                                                           base_url=base_url, **scope),
                           each=lambda _outcome: bar.update(1))
    counts = sent.counts
    if sent.unavailable:
        raise click.ClickException(
            f"SMTP server unavailable ({sent.unavailable}) after {counts['sent']} sent; "
            "run the same command again to continue")
    left = invitations.pending_count(survey, kind, round_name, **scope)
    click.echo(f"Sent {counts['sent']}, failed {counts['failed']}, skipped {counts['skipped']} "
               f"(no longer reachable or sent by someone else); {left} still pending.")
    if counts["failed"]:
        click.echo("Failures are listed by `kraftkartan invitations status`; send again with --retry-failed.")


@invitations_group.command("status")
@click.option("--survey", "slug", help="Only this survey.")
@with_appcontext
def status_command(slug: str | None) -> None:
    """Pending, sent and failed messages per round, with the servers' error messages."""
    survey = _survey(slug) if slug else None
    rows = invitations.rounds(survey=survey)
    if not rows:
        click.echo("No invitations planned yet.")
    for r in rows:
        click.echo(f"{r.survey.slug}  {r.kind:<10}  round {r.round:<12}  pending {r.pending:>6}  "
                   f"sent {r.sent:>6}  failed {r.failed:>6}"
                   + (f"  uncertain {r.sending} (may have arrived; --retry-failed sends them again)"
                      if r.sending else ""))
        for error, n in r.errors[:10]:
            click.echo(f"    {n} x {error}")
