"""`kraftkartan print matches|rosters|letters|summary`: the same print-outs as the web, for the district.

The command line acts for the whole district (like `kraftkartan match`); every print is audited with no
user. Letters issue fresh links, committed once the PDF is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa

from outreach.printing import filters, service
from survey.extensions import db
from survey.models import Survey, utcnow


def _progress(label: str):
    def wrap(items):
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar
    return wrap


@click.command("print")
@click.argument("document", type=click.Choice(service.DOCUMENTS))
@click.option("--association", "slug", default=None,
              help="Only this association (slug); default: the district.")
@click.option("--week", default=None, help="all, a date in the week (2030-08-19), 2030-W34 or a week number. "
                                           "Default: from this week on.")
@click.option("--month", default=None, help="A month, 2030-08 (instead of --week).")
@click.option("--status", "statuses", multiple=True,
              help="matches: accepted, asked, replacement, declined, proposed, unfilled "
                   "(repeat, or a comma list).")
@click.option("--survey", "survey_slug", default=None, help="summary: the survey (default: newest open).")
@click.option("--all-members", is_flag=True, help="letters: also members who have an email address.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PDF file to write.")
def print_command(document: str, slug: str | None, week: str | None, month: str | None,
                  statuses: tuple[str, ...], survey_slug: str | None, all_members: bool,
                  output: Path) -> None:
    """Print task matches, rosters, member letters or the survey summary as a PDF."""
    try:
        association = filters.association_by(slug)
        period = filters.parse_period(week, month)
        wanted = filters.parse_statuses(list(statuses))
    except filters.FilterError as exc:
        raise click.UsageError(str(exc)) from exc
    detail = {"week": week, "month": month, "via": "cli"}
    if document == "matches":
        printed = service.print_matches(None, association, period, wanted, **detail)
    elif document == "rosters":
        printed = service.print_rosters(None, association, period, progress=_progress("Närvarolistor"),
                                        **detail)
    elif document == "letters":
        printed = service.print_letters(None, association, period, without_email=not all_members,
                                        progress=_progress("Brev"), **detail)
    else:
        printed = service.print_summary(None, _survey(survey_slug), association,
                                        {association.id} if association else None)
    output.write_bytes(printed.pdf)
    db.session.commit()  # after the file exists: letters' links are valid only once committed
    click.echo(f"{output}: {document}, {printed.rows} people, {len(printed.pdf) // 1024} KB")


def _survey(slug: str | None) -> Survey:
    found = db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    if slug:
        chosen = next((s for s in found if s.slug == slug), None)
    else:
        chosen = next((s for s in found if s.is_open(utcnow())), found[0] if found else None)
    if chosen is None:
        raise click.UsageError(f"no survey {slug!r}" if slug else "no survey loaded")
    return chosen
