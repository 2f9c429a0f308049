"""The throwaway instance bench_web.py loads: schema, seed, gunicorn, POST sessions, the lost-answer check.

Kept apart from bench_web.py (servers, wrk, the table) because this half talks to the app in-process and
over HTTP as a member would, and the other half only measures. Nothing here changes the application: the
schema comes from `kraftkartan db upgrade`, the data from the same services the demo uses.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SKILL_LEVELS = 3  # "0", "1", "2": not at all, some, experienced (survey.respond.forms.SKILL_LEVELS)


@dataclass
class Instance:
    """What the benchmark needs to know about the seeded instance."""

    env: dict[str, str]
    tokens: list[str]
    section_key: str
    skill_question: str
    skill_options: list[str]
    posted: dict[str, dict[str, int]] = field(default_factory=dict)  # token -> the skill levels posted

    def page_path(self, token: str) -> str:
        return f"/s/{token}/p/{self.section_key}"


def instance_env(instance_path: Path, database_url: str | None) -> dict[str, str]:
    """The environment of every process of one instance: CLI, seeding, gunicorn."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRAFTKARTAN_")}
    env.update(
        KRAFTKARTAN_INSTANCE_PATH=str(instance_path),
        KRAFTKARTAN_SECRET_KEY="bench-web-secret",
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["KRAFTKARTAN_DATABASE_URL"] = database_url
    return env


def upgrade(env: dict[str, str]) -> None:
    """The real migrations, through the real command, as a deployment would build its schema."""
    kraftkartan = Path(sys.executable).parent / "kraftkartan"
    subprocess.run(
        [str(kraftkartan), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _app(env: dict[str, str]):
    """An in-process app on the instance's database (the environment is what create_app reads)."""
    os.environ.update({k: v for k, v in env.items() if k.startswith("KRAFTKARTAN_")})
    for key in [k for k in os.environ if k.startswith("KRAFTKARTAN_") and k not in env]:
        del os.environ[key]
    from survey import create_app

    return create_app()


def seed(env: dict[str, str], members: int) -> Instance:
    """The default survey, the demo's associations, `members` members and one personal link each."""
    import sqlalchemy as sa

    from survey import spec as surveyspec
    from survey.demo import DEFAULT_SURVEY, ensure_members, ensure_organisations
    from survey.extensions import db
    from survey.models import Member
    from survey.respond import links
    from survey.spec import services as surveys

    app = _app(env)
    with app.app_context():
        spec = surveyspec.load_spec(DEFAULT_SURVEY.read_text(encoding="utf-8"), str(DEFAULT_SURVEY))
        survey, _what = surveys.import_spec(spec)
        ensure_members(members, ensure_organisations())
        people = db.session.scalars(sa.select(Member).order_by(Member.member_number)).all()
        tokens = [links.issue_link(survey, m) for m in people]
        # The heaviest page of the default survey: the one whose question is a skill grid (17 rows).
        section, question = next((s, q) for s in survey.sections for q in s.questions if q.type == "skill")
        result = Instance(
            env=env,
            tokens=tokens,
            section_key=section.key,
            skill_question=question.key,
            skill_options=[o.key for o in question.options],
        )
        db.session.commit()
        db.engine.dispose()
    return result


def skill_levels(link_no: int, options: list[str]) -> dict[str, int]:
    """A different but reproducible answer per link, so a mix-up between members would show."""
    return {key: (link_no + row) % SKILL_LEVELS for row, key in enumerate(options)}


def form_body(csrf_token: str, question: str, levels: dict[str, int], options: list[str]) -> str:
    """A full skills page as a browser posts it: every row, the free-text field, 'Next'."""
    fields = [("csrf_token", csrf_token)]
    fields += [(f"{question}__{row}", str(levels[key])) for row, key in enumerate(options)]
    fields += [("other_languages", "finska"), ("action", "next")]
    return urllib.parse.urlencode(fields)


class _Inputs(HTMLParser):
    """The names and values of a page's <input> elements (the CSRF token is one of them)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "input":
            a = dict(attrs)
            if a.get("name"):
                self.values.setdefault(a["name"], a.get("value") or "")


def prime_sessions(instance: Instance, base_url: str) -> list[tuple[str, str, str]]:
    """For every link: GET its page with a fresh client, as a member's browser would, and keep what a
    submission needs. Returns (path, Cookie header, CSRF token) per link, in link order."""
    sessions = []
    for token in instance.tokens:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        path = instance.page_path(token)
        with opener.open(base_url + path, timeout=120) as response:
            inputs = _Inputs()
            inputs.feed(response.read().decode("utf-8"))
        missing = [n for n in ("csrf_token", f"{instance.skill_question}__0") if n not in inputs.values]
        if missing:
            raise RuntimeError(f"the skills page has no {', '.join(missing)} field: has the form changed?")
        sessions.append((path, "; ".join(f"{c.name}={c.value}" for c in jar), inputs.values["csrf_token"]))
    return sessions


def post_requests(
    instance: Instance, sessions: list[tuple[str, str, str]], shift: int = 0, remember: bool = False
) -> list[tuple[str, str, str, str]]:
    """One POST per session; `shift` changes every answer (the warm-up posts other answers than the
    measured run, so it cannot hide a lost one). With `remember`, these are what `lost_answers` expects."""
    requests = []
    for link_no, (path, cookie, csrf_token) in enumerate(sessions):
        levels = skill_levels(link_no + shift, instance.skill_options)
        if remember:
            instance.posted[instance.tokens[link_no]] = levels
        body = form_body(csrf_token, instance.skill_question, levels, instance.skill_options)
        requests.append(("POST", path, cookie, body))
    return requests


def lost_answers(instance: Instance) -> int:
    """How many links whose stored skills differ from what was posted (0: nothing lost)."""
    import sqlalchemy as sa

    from survey.extensions import db
    from survey.models import Submission
    from survey.respond import links
    from survey.respond.services import answers_by_key

    app = _app(instance.env)
    lost = 0
    with app.app_context():
        for token, levels in instance.posted.items():
            link = links.resolve(token)
            submission = db.session.scalar(
                sa.select(Submission).where(
                    Submission.survey_id == link.survey_id, Submission.member_id == link.member_id
                )
            )
            stored = answers_by_key(submission).get(instance.skill_question) if submission else None
            lost += stored != levels
        db.session.remove()
        db.engine.dispose()
    return lost


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with the repo's gunicorn.conf.py; `app` overrides its wsgi_app (the hello app)."""

    def __init__(self, env: dict[str, str], workers: int, app: str | None = None, probe: str = "/"):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**env, "KRAFTKARTAN_BIND": f"127.0.0.1:{self.port}", "KRAFTKARTAN_WORKERS": str(workers)}
        argv = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
        if app:
            argv += ["--pythonpath", str(HERE), app]
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.probe = probe
        self._wait(probe)

    def drain(self) -> None:
        """Wait until the requests wrk left in the listen queue are answered: a sync worker still serves
        them after wrk has gone, and the next run would otherwise start behind them."""
        with urllib.request.urlopen(self.base + self.probe, timeout=300):
            pass

    def _wait(self, probe: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + probe, timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
