"""The `kraftkartan` command: Flask's CLI (run, shell, db ...) plus the project's command groups.

`kraftkartan --help` (and `kraftkartan` alone) lists the commands from `COMMANDS` below instead of
building the app: building it imports every room and costs about a second, for a page of text.
tests/test_startup.py compares the table with the commands the built app really has, so it cannot
drift; a subcommand (`kraftkartan match --help`) still builds the app and shows its real help.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

from survey import create_app  # light: the factory's imports happen when it is called

HELP = "Kraftkartan: member survey and campaign matching."

# name -> the command's short help as the built app's command gives it (its first sentence).
COMMANDS: dict[str, str] = {
    "backup": "Back up the database to a new file (SQLite online backup or pg_dump).",
    "calls": "Call lists: create, list, show, export, stats.",
    "db": "Perform database migrations.",
    "demo": "Build a demo district (SQLite by default) and serve it on 127.0.0.1.",
    "invitations": "Email survey invitations and reminders.",
    "limiter": "Flask-Limiter maintenance & utility commands",
    "match": "Match members to campaign shifts; proposals stay proposals unless --publish.",
    "members": "The member registry: import and list members.",
    "networks": "Networks: their member counts and members.",
    "print": "Print task matches, rosters, member letters or the survey summary as a PDF.",
    "privacy": "Members' data: export, erasure and purging old answers.",
    "routes": "Show the routes for the app.",
    "run": "Run a development server.",
    "shell": "Run a shell in the app context.",
    "survey": "Import, export and hand out surveys.",
    "tasks": "Campaign tasks: import and list.",
    "users": "Accounts for administrators, organizers and callers.",
    "worker": "Run queued jobs (invitations, offers, letters, imports) until stopped.",
}


class KraftkartanGroup(FlaskGroup):
    """Flask's group, but the top-level help lists the commands without loading the app."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.ensure_object(ScriptInfo).app_import_path:  # --app names another app: ask it
            return super().format_commands(ctx, formatter)
        table = click.Group(commands=[click.Command(name, help=text) for name, text in COMMANDS.items()])
        return click.Group.format_commands(table, ctx, formatter)


def make_group() -> KraftkartanGroup:
    return KraftkartanGroup(create_app=create_app, help=HELP)


def main() -> None:
    make_group()()


def register_commands(app: Flask) -> None:
    from survey.accounts.cli import users_group
    from survey.core import jobs
    from survey.core.backup import backup_command
    from survey.demo import demo_command
    from survey.invitations.cli import invitations_group
    from survey.networks.cli import networks_group
    from survey.privacy.cli import privacy_group
    from survey.registry.cli import members_group
    from survey.spec.cli import survey_group

    for command in (survey_group, users_group, members_group, invitations_group, privacy_group,
                    networks_group, demo_command, backup_command):
        app.cli.add_command(command)
    jobs.init_app(app)
