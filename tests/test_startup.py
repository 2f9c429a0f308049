"""Start-up stays light: every `kraftkartan` command, `--help` too, builds the whole app.

pandas, numpy, scipy, HiGHS, openpyxl, Faker, icalendar and WeasyPrint together took seconds to import,
so they are imported where they are used (an export, an import, a match run, the demo). Checked in a fresh
interpreter, since the test process has long loaded all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "scipy", "highspy", "openpyxl", "faker", "icalendar", "weasyprint")
HELP = f"""
import json, sys
from survey.cli import main

sys.argv = ["kraftkartan", "--help"]
try:
    main()
except SystemExit:
    pass
print(json.dumps([m for m in {HEAVY!r} + ("outreach.matching",) if m in sys.modules]))
"""


def test_help_builds_the_app_and_its_commands_without_the_heavy_libraries(tmp_path):
    env = {
        **os.environ,
        "KRAFTKARTAN_INSTANCE_PATH": str(tmp_path),
        "KRAFTKARTAN_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", HELP], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    *usage, loaded = result.stdout.splitlines()
    commands = "\n".join(usage)
    assert all(name in commands for name in ("demo", "match", "members", "tasks", "privacy", "db"))
    assert json.loads(loaded) == []
