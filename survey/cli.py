"""The `kraftkartan` command: Flask's CLI (run, shell, db ...) plus the project's command groups."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def main() -> None:
    from survey import create_app

    FlaskGroup(create_app=lambda: create_app(), help="Kraftkartan: member survey and campaign matching.")()


def register_commands(app: Flask) -> None:
    from survey.accounts.cli import users_group
    from survey.core.backup import backup_command
    from survey.demo import demo_command
    from survey.invitations.cli import invitations_group
    from survey.privacy.cli import privacy_group
    from survey.registry.cli import members_group
    from survey.spec.cli import survey_group

    for command in (survey_group, users_group, members_group, invitations_group, privacy_group, demo_command,
                    backup_command):
        app.cli.add_command(command)
