"""`kraftkartan calls ...`: call lists from the command line (create, list, show, export, stats)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from outreach.calllists import queue, reports, services
from survey import tabular
from survey.accounts import services as accounts
from survey.core import audit
from survey.extensions import db
from survey.models import CallList, utcnow
from survey.spec import services as surveys
from survey.spec.services import STOCKHOLM


@click.group("calls", help="Call lists: create, list, show, export, stats.")
def calls_group() -> None:
    pass


def _list(list_id: int) -> CallList:
    call_list = db.session.get(CallList, list_id)
    if call_list is None:
        raise click.ClickException(f"no call list with id {list_id}")
    return call_list


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=STOCKHOLM)


@calls_group.command("create")
@click.option("--title", required=True)
@click.option("--association", "associations", multiple=True, required=True, help="Name or slug; repeatable.")
@click.option("--survey", "survey_slug", help="The survey callers take by phone (slug).")
@click.option("--filter", "filter_json", multiple=True,
              help='A target filter as JSON, e.g. \'{"kind": "wants_phone"}\'; repeatable (AND).')
@click.option("--goal", type=click.Choice(services.GOALS), default="reached", show_default=True)
@click.option("--cooldown", "cooldown_hours", type=int, default=24, show_default=True, help="Hours.")
@click.option("--opens", help="Local time, e.g. 2030-08-12T17:00.")
@click.option("--closes")
@click.option("--script", help="Plain text; {förnamn} is the member's first name.")
@click.option("--instructions")
@click.option("--caller", "callers", multiple=True, help="E-mail of an existing account; repeatable.")
@with_appcontext
def create_command(title, associations, survey_slug, filter_json, goal, cooldown_hours, opens, closes, script,
                   instructions, callers) -> None:
    """Create a call list and print its id and how many members it holds."""
    try:
        orgs = accounts.find_associations(associations)
    except accounts.UnknownAssociation as exc:
        raise click.ClickException(f"unknown association: {exc.name}") from None
    survey = surveys.by_slug(survey_slug) if survey_slug else None
    if survey_slug and survey is None:
        raise click.ClickException(f"unknown survey: {survey_slug}")
    try:
        specs = [json.loads(text) for text in filter_json]
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--filter is not JSON: {exc}") from None
    data = services.ListInput(title=title, associations=orgs, instructions=instructions, script=script,
                              survey_id=survey.id if survey else None, filters=specs,
                              goal={"kind": goal,
                                    **({"survey": survey.id} if goal == "survey" and survey else {})},
                              cooldown_hours=cooldown_hours, opens_at=_when(opens), closes_at=_when(closes))
    try:
        call_list = services.save_list(data, None, utcnow())
        for email in callers:
            user = accounts.by_email(email)
            if user is None:
                raise click.ClickException(f"no account with e-mail {email}")
            services.add_caller(call_list, user)
    except services.CallListError as exc:
        db.session.rollback()
        raise click.ClickException(f"cannot save the list: {exc.code}") from None
    db.session.commit()
    stats = reports.stats(call_list, utcnow())
    click.echo(f"call list {call_list.id}: {call_list.title} "
               f"({stats.total} members, {len(call_list.callers)} callers)")


@calls_group.command("list")
@with_appcontext
def list_command() -> None:
    """One line per list: id, title, associations, members, done, callers."""
    now = utcnow()
    for call_list in db.session.scalars(sa.select(CallList).order_by(CallList.id)):
        stats = reports.stats(call_list, now)
        orgs = ",".join(o.slug for o in call_list.associations)
        click.echo(f"{call_list.id}\t{call_list.title}\t{orgs}\t{stats.total} members\t{stats.done} done\t"
                   f"{len(call_list.callers)} callers")


@calls_group.command("show")
@click.option("--list", "list_id", type=int, required=True)
@with_appcontext
def show_command(list_id: int) -> None:
    """The list's settings and callers."""
    call_list = _list(list_id)
    click.echo(f"{call_list.id}: {call_list.title}")
    click.echo(f"associations: {', '.join(o.name for o in call_list.associations)}")
    click.echo(f"filters: {json.dumps(call_list.filters, ensure_ascii=False)}")
    click.echo(f"goal: {json.dumps(call_list.goal, ensure_ascii=False)}")
    click.echo(f"cooldown: {call_list.cooldown_hours} h; open: {call_list.is_open(utcnow())}")
    click.echo(f"callers: {', '.join(u.email for u in call_list.callers) or '-'}")


@calls_group.command("stats")
@click.option("--list", "list_id", type=int, required=True)
@with_appcontext
def stats_command(list_id: int) -> None:
    """Progress, blocked reasons, calls per caller and outcomes."""
    call_list = _list(list_id)
    now = utcnow()
    queue.refresh(call_list, now, force=True)
    db.session.commit()
    s = reports.stats(call_list, now)
    click.echo(f"members {s.total}\tready {s.ready}\tdone {s.done}\tclosed {s.closed}\t"
               f"calls today {s.calls_today}")
    for reason, n in s.blocked.items():
        click.echo(f"blocked {reason}\t{n}")
    for email, today, total in s.per_caller:
        click.echo(f"caller {email}\t{today} today\t{total} in all")
    for outcome, n in s.outcomes.items():
        click.echo(f"outcome {outcome}\t{n}")


@calls_group.command("export")
@click.option("--list", "list_id", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(list_id: int, fmt: str, output: Path) -> None:
    """The list with outcomes (csv, xlsx: formula-like cells defused) or a call sheet to call from paper
    (pdf); every export is in the audit log."""
    call_list = _list(list_id)
    if fmt == "pdf":
        from outreach.printing import service as printing

        printed = printing.print_call_sheet(None, call_list, utcnow(), via="cli")
        output.write_bytes(printed.pdf)
        db.session.commit()
        click.echo(f"{output}: call sheet, {printed.rows} people")
        return
    frame = reports.export_frame(call_list, utcnow())
    output.write_bytes(tabular.export_bytes(frame, fmt))
    audit.record(None, "export", f"call_list:{call_list.id}", rows=len(frame), format=fmt, via="cli")
    db.session.commit()
    click.echo(f"{output}: {len(frame)} rows")
