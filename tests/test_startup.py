"""Start-up stays light.

pandas, numpy, scipy, HiGHS, openpyxl, Faker, icalendar and WeasyPrint together took seconds to import,
so they are imported where they are used (an export, an import, a match run, the demo); and the top-level
`kraftkartan --help` answers from a table without building the app at all. Checked in a fresh
interpreter, since the test process has long loaded all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup, ScriptInfo

from survey.cli import COMMANDS, HELP, make_group

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "scipy", "highspy", "openpyxl", "faker", "icalendar", "weasyprint")
HELP_SCRIPT = f"""
import json, sys
from survey.cli import main

sys.argv = ["kraftkartan", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps([m for m in {HEAVY!r} + ("outreach", "survey.models", "sqlalchemy") if m in sys.modules]))
"""


@pytest.mark.parametrize("argv", [["--help"], []])
def test_top_level_help_lists_the_commands_without_building_the_app(tmp_path, argv):
    env = {
        **os.environ,
        "KRAFTKARTAN_INSTANCE_PATH": str(tmp_path),
        "KRAFTKARTAN_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT, *argv], capture_output=True, text=True, cwd=ROOT, env=env
    )
    *usage, loaded = result.stdout.splitlines()
    commands = "\n".join(usage) + result.stderr  # (click shows the help on stderr when no command is given)
    assert all(name in commands for name in ("demo", "match", "members", "tasks", "privacy", "db"))
    assert json.loads(loaded) == []


def test_the_help_table_is_the_built_apps_commands(app):
    """The table says what the app really has: a new or renamed command fails here, with the fix."""
    group = make_group()
    ctx = click.Context(group, info_name="kraftkartan", obj=ScriptInfo(create_app=lambda: app))
    real = {name: group.get_command(ctx, name).get_short_help_str(10**6) for name in group.list_commands(ctx)}
    assert real == COMMANDS, f"update survey.cli.COMMANDS to:\n{real!r}"


def test_the_fast_help_reads_exactly_like_flasks(app):
    fast = CliRunner().invoke(make_group(), ["--help"], obj=ScriptInfo(create_app=lambda: app))
    flask = CliRunner().invoke(FlaskGroup(help=HELP), ["--help"], obj=ScriptInfo(create_app=lambda: app))
    assert fast.exit_code == flask.exit_code == 0
    assert fast.output == flask.output
