"""requirements.lock is the one set of packages every install gets; these tests keep it honest.

pyproject.toml says what Kraftkartan is compatible with (ranges); requirements.lock, written by
`uv pip compile` (the command is in its header and in the README), pins what is actually installed,
with hashes. If someone edits a range without refreshing the lock, or installs by hand, a test here
names the package.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
# A pinned line: "name==version" with an optional "; marker", before the hash continuation.
_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


def _project_requirements() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return [Requirement(line) for line in lines]


def _locked_here() -> dict[str, str]:
    """Locked name -> version for this interpreter (the lock is universal: markers pick one pin)."""
    env = default_environment()
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        match = _PIN.match(line)
        if not match:
            continue
        marker = match["marker"]
        if marker and not Requirement(f"x; {marker}").marker.evaluate(env):
            continue
        name = canonicalize_name(match["name"])
        assert name not in pins, f"{LOCK.name}: two pins of {name} apply to this Python"
        pins[name] = match["version"]
    return pins


def test_every_locked_line_has_hashes():
    text = LOCK.read_text()
    pins = [line for line in text.splitlines() if _PIN.match(line)]
    assert pins, f"{LOCK.name} pins nothing"
    for line in pins:
        assert line.rstrip().endswith("\\"), f"{LOCK.name}: {line.split()[0]} has no --hash lines"


def test_lock_satisfies_pyproject():
    pins = _locked_here()
    problems = []
    for req in _project_requirements():
        if req.marker and not req.marker.evaluate(default_environment()):
            continue
        name = canonicalize_name(req.name)
        version = pins.get(name)
        if version is None:
            problems.append(f"{req.name} is in pyproject.toml but not in {LOCK.name}")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: {LOCK.name} pins {version}, pyproject.toml asks {req.specifier}")
    assert not problems, "\n".join(problems) + "\nRefresh the lock with the command in README.md."


def test_installed_packages_are_the_locked_ones():
    """What this environment runs is exactly what the lock pins (so CI tests what users install)."""
    wrong = []
    for name, version in sorted(_locked_here().items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}=={version} is locked but not installed")
            continue
        if installed != version:
            wrong.append(f"{name}: installed {installed}, locked {version}")
    assert not wrong, (
        "\n".join(wrong) + "\nInstall with: .venv/bin/pip install --require-hashes -r requirements.lock"
    )


def test_readme_shows_the_lock_commands():
    readme = (ROOT / "README.md").read_text()
    header = LOCK.read_text().splitlines()[1].lstrip("# ").strip()
    assert header.startswith("uv pip compile"), header
    assert header in readme, f"README.md should show how the lock is refreshed: {header}"
    assert "--require-hashes -r requirements.lock" in readme
