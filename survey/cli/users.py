"""`kraftkartan users ...`: accounts for the district admins, organizers and callers."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from survey.extensions import db
from survey.models import Role
from survey.services import accounts


@click.group("users", help="Accounts for administrators.")
def users_group() -> None:
    pass


@users_group.command("add")
@click.argument("email")
@click.option("--admin", "is_admin", is_flag=True, help="A district administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def add_user(email: str, is_admin: bool, password_stdin: bool) -> None:
    """Create an account, or set a new password on an existing one."""
    if not is_admin:
        raise click.ClickException("only administrators exist so far: pass --admin")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.ClickException("the password must be at least 10 characters")
    user = accounts.set_user(email, password, Role.ADMIN)
    db.session.commit()
    click.echo(f"user {user.email} ({user.role.value}) saved")
