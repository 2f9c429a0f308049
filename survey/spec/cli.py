"""`kraftkartan survey ...`: import, export and hand out surveys."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from survey import spec as surveyspec
from survey import tabular
from survey.extensions import db
from survey.models import Member, Organisation, Survey, utcnow
from survey.respond import links
from survey.spec import services as surveys
from survey.spec import yamlfile


@click.group("survey", help="Import, export and hand out surveys.")
def survey_group() -> None:
    pass


@survey_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Validate FILE and load it. A bad file changes nothing and exits non-zero."""
    with file.open("rb") as f:  # one byte more than allowed is enough to refuse it: never read it all
        data = f.read(yamlfile.MAX_FILE_BYTES + 1)
    try:
        spec = surveyspec.load_spec(data, str(file))
    except surveyspec.SpecError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        survey, what = surveys.import_spec(spec)
    except surveys.SurveyInUse as exc:
        db.session.rollback()
        raise click.ClickException(f"{file}: {exc}") from exc
    db.session.commit()
    click.echo(f"{what}: survey '{survey.slug}' (version {survey.version}, {len(survey.questions())} items)")


@survey_group.command("export")
@click.argument("slug")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@with_appcontext
def export_command(slug: str, output: Path | None) -> None:
    """Write survey SLUG as a survey file (the same format `survey import` reads)."""
    survey = surveys.by_slug(slug)
    if survey is None:
        raise click.ClickException(f"no survey with slug '{slug}'")
    text = surveyspec.dump_spec(surveys.export_spec(survey))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _default_survey() -> Survey:
    now = utcnow()
    candidates = db.session.scalars(
        sa.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    ).all()
    open_ones = [s for s in candidates if s.is_open(now)]
    if not open_ones:
        raise click.ClickException("no open survey; give --survey SLUG")
    return open_ones[0]


@survey_group.command("links")
@click.option("--survey", "slug", help="Survey slug (default: the newest open survey).")
@click.option("--association", help="Only members of this association (name or slug).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many links.")
@with_appcontext
def links_command(slug: str | None, association: str | None, limit: int | None) -> None:
    """Print CSV member_number,name,url (formula-safe) with a new personal link for each member.

    Tokens are stored only as hashes, so every run issues new links; earlier links keep working and lead to
    the same answer sheet. Members marked do-not-contact are left out.
    """
    survey = surveys.by_slug(slug) if slug else _default_survey()
    if survey is None:
        raise click.ClickException(f"no survey with slug '{slug}'")
    query = sa.select(Member).where(Member.do_not_contact.is_(False)).order_by(Member.member_number)
    if association:
        org = db.session.scalar(sa.select(Organisation).where(
            sa.or_(Organisation.slug == association.lower(),
                   sa.func.lower(Organisation.name) == association.lower())))
        if org is None:
            raise click.ClickException(f"no association '{association}'")
        query = query.where(Member.association_id == org.id)
    if limit:
        query = query.limit(limit)
    base = current_app.config["PUBLIC_BASE_URL"]
    rows = [(m.member_number, m.full_name, links.survey_url(base, links.issue_link(survey, m)))
            for m in db.session.scalars(query)]
    db.session.commit()  # only print links that exist
    import pandas as pd  # only here: every command, --help too, loads this module

    click.echo(tabular.csv_text(pd.DataFrame(rows, columns=["member_number", "name", "url"])), nl=False)
