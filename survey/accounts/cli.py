"""`kraftkartan users ...`: accounts for the district admins, organizers and callers.

Also the way back in when the web cannot help: a forgotten password or a lost phone of the only admin.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.accounts import services as accounts
from survey.core import access
from survey.extensions import db
from survey.models import Role, User


@click.group("users", help="Accounts for administrators, organizers and callers.")
def users_group() -> None:
    pass


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.check_password_policy(password)
    except accounts.PasswordTooShort:
        raise click.ClickException(
            f"the password must be at least {accounts.MIN_PASSWORD_LENGTH} characters") from None
    return password


def _user(email: str) -> User:
    user = accounts.by_email(email)
    if user is None:
        raise click.ClickException(f"no account for {accounts.normalize_email(email)}")
    return user


def _echo_totp_required(user: User) -> None:
    """For an admin without two-factor login: by when it must be set up, and where."""
    deadline = access.admin_totp_deadline(user)
    if deadline is None:
        return
    where = f"{current_app.config['PUBLIC_BASE_URL']}/admin/accounts/me/totp"
    if access.admin_totp_overdue(user):
        click.echo(f"admins must use two-factor login: {user.email} has to set it up right after logging in "
                   f"with the password ({where}); nothing else opens until then")
    else:
        days = current_app.config["ADMIN_TOTP_GRACE_DAYS"]
        click.echo(f"admins must use two-factor login: {user.email} has to set it up within {days} days "
                   f"(by {deadline:%Y-%m-%d %H:%M} UTC): log in, then open {where}")


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="admin, organizer or caller.")
@click.option("--admin", "is_admin", is_flag=True, help="Shorthand for --role admin.")
@click.option("--association", "association_names", multiple=True, metavar="NAME",
              help="An association (name or slug) an organizer works for; repeat for several.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def add_user(email: str, role: str | None, is_admin: bool, association_names: tuple[str, ...],
             password_stdin: bool) -> None:
    """Create an account. Organizers need at least one existing association."""
    if is_admin and role not in (None, Role.ADMIN.value):
        raise click.ClickException("--admin contradicts --role")
    if not role and not is_admin:
        raise click.ClickException("pass --role admin|organizer|caller (or --admin)")
    chosen = Role.ADMIN if is_admin else Role(role)
    if chosen is Role.ORGANIZER and not association_names:
        raise click.ClickException("an organizer needs at least one --association")
    if chosen is not Role.ORGANIZER and association_names:
        raise click.ClickException("--association is only for organizers")
    if accounts.by_email(email) is not None:
        raise click.ClickException(
            f"{accounts.normalize_email(email)} already has an account (see: users reset-password)")
    try:
        associations = accounts.find_associations(association_names)
    except accounts.UnknownAssociation as exc:
        raise click.ClickException(f"unknown association: {exc.name}") from None
    password = _read_password(password_stdin)
    user, _password = accounts.create_user(email, chosen, associations, password)
    db.session.commit()
    where = f" for {', '.join(o.name for o in associations)}" if associations else ""
    click.echo(f"user {user.email} ({user.role.value}{where}) saved")
    _echo_totp_required(user)


@users_group.command("list")
@with_appcontext
def list_users() -> None:
    """Every account: e-mail, role, associations, two-factor, active, last login."""
    rows = [("EMAIL", "ROLE", "ASSOCIATIONS", "2FA", "ACTIVE", "LAST LOGIN")]
    for user in accounts.all_users():
        rows.append((user.email, user.role.value, ", ".join(sorted(o.name for o in user.associations)) or "-",
                     "on" if user.totp_secret else "off", "yes" if user.active else "no",
                     f"{user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else "never"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@users_group.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@with_appcontext
def reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password; the account's existing sessions end."""
    user = _user(email)
    accounts.reset_password(user, _read_password(password_stdin))
    db.session.commit()
    click.echo(f"password for {user.email} changed")


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate(email: str) -> None:
    """Stop an account from logging in (ends its sessions); nothing is deleted."""
    user = _user(email)
    accounts.set_active(user, False)
    db.session.commit()
    click.echo(f"{user.email} deactivated")


@users_group.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate(email: str) -> None:
    user = _user(email)
    accounts.set_active(user, True)
    db.session.commit()
    click.echo(f"{user.email} active again")


@users_group.command("disable-2fa")
@click.argument("email")
@with_appcontext
def disable_2fa(email: str) -> None:
    """Turn two-factor login off, e.g. when the only admin lost their phone. An admin sets it up again
    right after logging in with the password (within the grace period of a new account, by its end)."""
    user = _user(email)
    accounts.disable_totp(user)
    db.session.commit()
    click.echo(f"two-factor login off for {user.email}")
    _echo_totp_required(user)
