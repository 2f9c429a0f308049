"""Outreach: matching members to campaign tasks, call lists and print-outs.

`outreach.matching` is a pure engine (plain data in, plain data out). The web and CLI parts plug into the
survey app through `init_app`, which `survey.create_app` calls.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register outreach's blueprints and commands (none yet beyond the pure engine's own CLI)."""
