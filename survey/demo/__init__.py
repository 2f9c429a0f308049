"""`kraftkartan demo`: a working district to click around in, on SQLite, in one command.

Everything is synthetic (Faker, sv_SE) and seeded, so two runs produce the same district; a second run
adds nothing that is already there, and keeps the admin's password (the one printed by the first run, or
whatever it was changed to since): a demo restarted for a meeting must not lock out whoever is logged in.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from survey import spec as surveyspec
from survey.accounts import services as accounts
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import (
    Member,
    Organisation,
    OrganisationKind,
    RegistryCorrection,
    Role,
    Submission,
    Survey,
    utcnow,
)
from survey.respond import links
from survey.spec import services as surveys

DEFAULT_SURVEY = Path(__file__).resolve().parents[1] / "surveys" / "default.yaml"
DISTRICT = ("vasternorrland", "Västernorrland")
# (slug, name, share of the district's members, postcode prefixes)
ASSOCIATIONS = [
    ("sundsvall", "Sundsvall", 0.33, ("852", "853", "854", "856", "857")),
    ("timra", "Timrå", 0.08, ("860", "861")),
    ("ange", "Ånge", 0.04, ("841",)),
    ("harnosand", "Härnösand", 0.11, ("871",)),
    ("kramfors", "Kramfors", 0.09, ("872", "873")),
    ("solleftea", "Sollefteå", 0.09, ("881", "882")),
    ("ornskoldsvik", "Örnsköldsvik", 0.26, ("891", "892", "893", "894")),
]
NETWORKS = [("natverk-antirasism", "Antirasistiska nätverket"), ("natverk-facklig", "Fackliga nätverket"),
            ("natverk-klimat", "Klimatnätverket"), ("natverk-kvinnoforum", "Kvinnoforum")]
ADMIN_EMAIL = "ombudsman@example.org"


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Only prepare the database; do not start the server.")
@click.option("--members", default=600, show_default=True, help="How many synthetic members.")
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(no_serve: bool, members: int, port: int) -> None:
    """Build a demo district (SQLite by default) and serve it on 127.0.0.1."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    spec = surveyspec.load_spec(DEFAULT_SURVEY.read_text(encoding="utf-8"), str(DEFAULT_SURVEY))
    try:
        survey, what = surveys.import_spec(spec)
    except surveys.SurveyInUse:
        # The shipped survey changed after this demo database was answered: keep the answered one.
        survey, what = surveys.by_slug(spec.slug), (
            "kept (the shipped file has changed; remove the demo database to rebuild)"
        )
    orgs = ensure_organisations()
    created = ensure_members(members, orgs)
    answered = ensure_answers(survey, random.Random(2030))
    ensure_corrections(survey)
    from outreach.demo import seed_tasks  # outreach plugs into survey, never the other way at import time

    shifts = seed_tasks(orgs, random.Random(2030))
    from outreach.calllists.demo import seed_call_lists

    callers = seed_call_lists(orgs, survey)
    password = ensure_admin()
    organizers = ensure_organizers(orgs)
    sample = sample_links(survey)
    db.session.commit()

    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"Survey '{survey.slug}': {what}. Members added: {created}. New answer sheets: {answered}."
               f" New task shifts: {shifts}.")
    if password is not None:
        click.echo(f"\nAdmin:    {base}/admin/   {ADMIN_EMAIL} / {password}")
    else:
        click.echo(
            f"\nAdmin:    {base}/admin/   {ADMIN_EMAIL} (password unchanged since an earlier run;"
            f" for a new one: kraftkartan users reset-password {ADMIN_EMAIL})"
        )
    click.echo(f"Open link (QR/flyer): {base}/o/{survey.slug}")
    click.echo(f"Organizers (demo passwords; they land on this week's work at {base}/admin/):")
    for association, email, organizer_password in organizers:
        click.echo(f"  {association:<14} {email} / {organizer_password}")
    click.echo(f"Callers (demo passwords; call lists at {base}/calls/):")
    for association, email, caller_password in callers:
        click.echo(f"  {association:<14} {email} / {caller_password}")
    click.echo("Personal links:")
    for label, token in sample:
        click.echo(f"  {label:<40} {links.survey_url(base, token)}")
    if not no_serve:
        # Synthetic data, a fresh password each run, 127.0.0.1 only: asking for an authenticator app would
        # only get in the way of trying the demo. Only this server is exempt, not the database.
        current_app.config["ADMIN_TOTP_REQUIRED"] = False
        click.echo("Two-factor login is not required of admins on this demo server "
                   "(a real server requires it: see docs/accounts.md).")
        click.echo(f"\nServing on http://127.0.0.1:{port}/ (Ctrl+C stops)")
        # Flask refuses app.run() inside its own CLI, so serve with Werkzeug directly (threaded, no reloader).
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)


def ensure_organizers(orgs: dict[str, Organisation]) -> list[tuple[str, str, str]]:
    """One organizer per association with a fixed, printed password: trying the demo as the organizer of
    Timrå is the main way to see what the product does. Demo accounts on synthetic members only."""
    out = []
    for slug, org in orgs.items():
        if org.kind is not OrganisationKind.ASSOCIATION:
            continue
        email, password = f"organisator.{slug}@example.org", f"demo-organisator-{slug}"
        user = accounts.set_user(email, password, Role.ORGANIZER)
        if org not in user.associations:
            user.associations.append(org)
        out.append((org.name, email, password))
    db.session.flush()
    return out


def ensure_admin() -> str | None:
    """Create the demo admin with a fresh password and return it; None when the account already exists."""
    if accounts.by_email(ADMIN_EMAIL) is not None:
        return None
    password = secrets.token_urlsafe(12)
    accounts.set_user(ADMIN_EMAIL, password, Role.ADMIN)
    return password


def ensure_organisations() -> dict[str, Organisation]:
    existing = {o.slug: o for o in db.session.scalars(sa.select(Organisation))}

    def get(slug: str, name: str, kind: OrganisationKind, parent: Organisation | None) -> Organisation:
        if slug not in existing:
            existing[slug] = Organisation(slug=slug, name=name, kind=kind, parent=parent)
            db.session.add(existing[slug])
        return existing[slug]

    district = get(*DISTRICT, OrganisationKind.DISTRICT, None)
    for slug, name, _share, _pc in ASSOCIATIONS:
        get(slug, name, OrganisationKind.ASSOCIATION, district)
    for slug, name in NETWORKS:
        get(slug, name, OrganisationKind.NETWORK, district)
    db.session.flush()
    return existing


def ensure_members(count: int, orgs: dict[str, Organisation]) -> int:
    """Add members 100001.. up to `count`; numbers already present are left as they are."""
    from faker import Faker  # here: every `kraftkartan` command loads this module, only the demo needs Faker

    fake = Faker("sv_SE")
    fake.seed_instance(2030)
    rng = random.Random(2030)
    have = set(db.session.scalars(sa.select(Member.member_number)))
    weights = [a[2] for a in ASSOCIATIONS]
    added = 0
    for i in range(count):
        # Draw every member's data even when it exists, so member n is the same person on every run.
        assoc = rng.choices(ASSOCIATIONS, weights)[0]
        female = rng.random() < 0.52
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        phone = f"+467{rng.choice('02369')}{rng.randrange(10**7):07d}" if rng.random() < 0.9 else None
        email = f"{_ascii(first)}.{_ascii(last)}{i}@example.se" if rng.random() < 0.8 else None
        postcode = f"{rng.choice(assoc[3])}{rng.randrange(100):02d}"
        joined = date(1975, 1, 1) + timedelta(days=rng.randrange(18_500))
        no_contact = rng.random() < 0.03
        number = str(100001 + i)
        if number in have:
            continue
        db.session.add(Member(member_number=number, first_name=first, last_name=last, phone=phone,
                              email=email, postcode=postcode, association=orgs[assoc[0]], joined_on=joined,
                              do_not_contact=no_contact))
        added += 1
    db.session.flush()
    return added


def _ascii(name: str) -> str:
    table = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")
    return "".join(c for c in name.translate(table).lower() if c.isalnum())


def ensure_answers(survey: Survey, rng: random.Random, share: float = 0.4) -> int:
    """About `share` of members have answered; members who already have an answer sheet are skipped."""
    done = set(db.session.scalars(sa.select(Submission.member_id).where(Submission.survey_id == survey.id)))
    members = db.session.scalars(sa.select(Member).order_by(Member.member_number)).all()
    created = 0
    now = utcnow()
    for member in members:
        answers_it = rng.random() < share
        seed = rng.randrange(2**32)
        if not answers_it or member.id in done:
            continue
        answer_survey(survey, member, random.Random(seed), now)
        created += 1
    return created


def ensure_corrections(survey: Survey, per_association: int = 2) -> int:
    """A few members per association wrote a new postcode in the survey (it waits for the organizer: only
    phone and e-mail from a personal link are taken in by themselves). Skipped once any exist."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(RegistryCorrection)):
        return 0
    made = 0
    subs = db.session.scalars(
        sa.select(Submission).join(Member, Member.id == Submission.member_id)
        .where(Submission.survey_id == survey.id, Member.postcode.is_not(None))
        .order_by(Member.association_id, Member.member_number)).all()
    seen: dict[int | None, int] = {}
    for sub in subs:
        member = sub.member
        if seen.get(member.association_id, 0) >= per_association:
            continue
        seen[member.association_id] = seen.get(member.association_id, 0) + 1
        new = f"{member.postcode[:3]}{(int(member.postcode[3:]) + 7) % 100:02d}"
        db.session.add(RegistryCorrection(member=member, submission=sub, field="postcode",
                                          old_value=member.postcode, new_value=new))
        made += 1
    db.session.flush()
    return made


def sample_links(survey: Survey) -> list[tuple[str, str]]:
    """Fresh links for two members who have not answered and one who has, to try both paths."""
    answered = sa.select(Submission.member_id).where(Submission.survey_id == survey.id,
                                                     Submission.member_id.is_not(None))
    fresh = db.session.scalars(sa.select(Member).where(Member.id.not_in(answered))
                               .order_by(Member.member_number).limit(2)).all()
    done = db.session.scalars(sa.select(Member).where(Member.id.in_(answered))
                              .order_by(Member.member_number).limit(1)).all()
    result = []
    for m in fresh:
        result.append((f"{m.full_name} ({m.association.name}), not answered", links.issue_link(survey, m)))
    for m in done:
        result.append((f"{m.full_name} ({m.association.name}), has answered", links.issue_link(survey, m)))
    return result
