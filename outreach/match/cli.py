"""`kraftkartan match`: match members to campaign shifts from the command line (and cron)."""

from __future__ import annotations

import click
import sqlalchemy as sa

from survey.extensions import db
from survey.models import Organisation, OrganisationKind, Shift

WHY = {
    "not_available": "no one available at that time",
    "missing_skill": "required skill missing",
    "other_association": "no one from the association (and no one travels)",
    "busy": "everyone eligible is already busy",
    "forbidden": "every candidate is forbidden",
}


@click.command("match")
@click.option("--association", "slug", default=None, help="Only this association's shifts (slug).")
@click.option("--publish", is_flag=True,
              help="Publish the proposals, then email the members (and any task email still waiting).")
@click.option("--retry-failed", is_flag=True,
              help="With --publish: also try again the task emails the server refused before.")
@click.option("--all-shifts", is_flag=True, help="Include shifts that have already started (demo data).")
@click.option("--time-limit", type=float, default=None, help="Seconds for the branch-and-bound stage.")
def match_command(slug: str | None, publish: bool, retry_failed: bool, all_shifts: bool,
                  time_limit: float | None) -> None:
    """Match members to campaign shifts; proposals stay proposals unless --publish."""
    from outreach.match import problem
    from outreach.match import services as assign

    association = None
    if slug:
        association = db.session.scalar(
            sa.select(Organisation).where(
                Organisation.slug == slug, Organisation.kind == OrganisationKind.ASSOCIATION
            )
        )
        if association is None:
            raise click.UsageError(f"no association with slug '{slug}'")
    match_run = assign.run(association, None, None if all_shifts else problem.local_now(), time_limit)
    stats = match_run.stats or {}
    click.echo(
        f"Objective: {match_run.objective:g} ({'optimal' if match_run.optimal else 'NOT proven optimal'})"
    )
    click.echo(
        f"Members: {stats.get('members', 0)}, shifts: {stats.get('tasks', 0)}, "
        f"proposed: {stats.get('assigned', 0)}, unfilled places: {stats.get('unfilled_slots', 0)}"
    )
    shifts = problem.scoped_shifts(association, None if all_shifts else problem.local_now())
    filled = assign.filled_with(match_run, [s.id for s in shifts])
    for shift in shifts:
        when = f"{shift.start_local:%Y-%m-%d %H:%M}"
        click.echo(f"  {filled.get(shift.id, 0)}/{shift.slots}  {when}  {shift.task.title}")
    for item in stats.get("unfilled", []):
        shift = db.session.get(Shift, item["shift"])
        extra = f" ({', '.join(item['skills'])})" if item.get("skills") else ""
        click.echo(
            f"Unfilled: {shift.task.title} {shift.start_local:%Y-%m-%d %H:%M}: {item['missing']} missing"
            f" – {WHY.get(item['code'], item['code'])}{extra}"
        )
    for pin in stats.get("dropped_pins", []):
        click.echo(f"Pin not kept: shift {pin['shift']}, member {pin['member']} ({pin['why']})")
    if publish:
        _publish(association, retry_failed)
    else:
        db.session.commit()


def _publish(association: Organisation | None, retry_failed: bool) -> None:
    """Publish and commit, then send every task email waiting in scope (this publish's and any left from
    earlier), committing after each: stopped anywhere, the next run continues."""
    from outreach.match import offers
    from outreach.match import services as assign

    result = assign.publish(association)
    db.session.commit()  # first: an email must never carry a link that was not stored
    ids = offers.pending(association, retry_failed=retry_failed)
    db.session.commit()
    emailed = offers.send_now(ids)
    click.echo(f"Published {len(result.links)}, emailed {emailed.mailed} members.")
    if emailed.error:
        click.echo(f"Mail error: {emailed.error}", err=True)
    if emailed.waiting:
        click.echo(f"{emailed.waiting} task emails wait in the outbox; run again with --publish"
                   " (and --retry-failed for those the server refused).", err=True)
    for assignment, url in result.not_mailed:
        click.echo(f"  not emailed: {assignment.member.full_name}: {url}")
