"""Outreach: campaign tasks, matching members to them, and the members' answers to what they were given.

`outreach.matching` is a pure engine (plain data in, plain data out). The web and CLI parts plug into the
survey app through `init_app`, which `survey.create_app` calls (survey never imports outreach at module
level, so imports flow one way). Nothing here imports Flask at module level, so that loading the pure
engine (which imports this package first) stays free of the web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Outreach's blueprints and commands, registered here so a grep for register_blueprint finds all."""
    from outreach.asks import views as asks
    from outreach.calllists import views as calllists
    from outreach.calllists import views_admin as calllists_admin
    from outreach.calllists.cli import calls_group
    from outreach.match import views as match
    from outreach.match.cli import match_command
    from outreach.printing import cli as print_cli
    from outreach.printing import views as printing
    from outreach.tasks import views as tasks
    from outreach.tasks.cli import tasks_group

    app.register_blueprint(tasks.bp)
    app.register_blueprint(tasks.feeds)  # /ics: calendar apps subscribe without a login
    app.register_blueprint(match.bp)
    app.register_blueprint(asks.bp)
    app.register_blueprint(printing.bp)
    app.register_blueprint(calllists.bp)
    app.register_blueprint(calllists_admin.bp)
    app.cli.add_command(tasks_group)
    app.cli.add_command(match_command)
    app.cli.add_command(calls_group)
    app.cli.add_command(print_cli.print_command)
