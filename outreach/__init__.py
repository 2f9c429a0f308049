"""Outreach: campaign tasks, matching members to them, and the members' answers to what they were given.

`outreach.matching` is a pure engine (plain data in, plain data out). The web and CLI parts plug into the
survey app through `init_app`, which `survey.create_app` calls (survey never imports outreach at module
level, so imports flow one way).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from outreach.calllists import views as calllists_views
    from outreach.calllists import views_admin as calllists_admin
    from outreach.calllists.cli import calls_group
    from outreach.cli_match import match_command
    from outreach.cli_tasks import tasks_group
    from outreach.views import match, member_tasks, tasks

    for module in (tasks, match, member_tasks, calllists_views, calllists_admin):
        app.register_blueprint(module.bp)
    app.cli.add_command(tasks_group)
    app.cli.add_command(match_command)
    app.cli.add_command(calls_group)
