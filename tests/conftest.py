"""Fixtures: an app on a freshly migrated database (SQLite, and PostgreSQL in a throwaway cluster),
clients, and builders for members and surveys.

The schema is built once per backend and worker with the real migrations; each test then gets its own
copy (a file copy for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL), so tests never see each
other's rows and the migrations are exercised on every run.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from survey import create_app
from survey.extensions import db
from tests.support import require
from tests.support.browser import browser_available, launch
from tests.support.pgcluster import PgCluster, find_pg_bin

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DEFAULT_SURVEY = Path(__file__).resolve().parent.parent / "survey" / "surveys" / "default.yaml"
_counter = itertools.count()


def migrated_app(url: str, instance: Path):
    """An app whose database has been upgraded to head with `kraftkartan db upgrade`'s code path."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return app


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium, launched once per worker and shared by every test that drives a
    browser (Playwright's sync API allows one running instance per process). Missing: skip locally,
    fail in CI."""
    require(browser_available())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("instance")
    os.environ["KRAFTKARTAN_INSTANCE_PATH"] = str(path)
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, instance_dir) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    migrated_app(f"sqlite:///{path}", instance_dir)
    return path


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory):
    if find_pg_bin() is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries are missing (CI must install the postgresql package)")
        pytest.skip("PostgreSQL server binaries not installed")
    cluster = PgCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster, instance_dir) -> str:
    url = pg_cluster.create_database("kk_template")
    migrated_app(url, instance_dir)
    return "kk_template"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


def _database_url(backend: str, request, tmp_path: Path) -> str:
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    cluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_template")
    name = f"kk_{os.getpid()}_{next(_counter)}"
    url = cluster.create_database(name, template=template)
    request.addfinalizer(lambda: cluster.drop_database(name))
    return url


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    Flask reuses an already pushed app context for requests, which would share `g` (the logged-in
    user, the locale) and the database session between the test and every request. Real requests
    share nothing, so neither do ours: tests commit what requests should see.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _make_app(url: str, **config):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "PUBLIC_BASE_URL": "http://kk.test",
                      "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **config})
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def app(backend, request, tmp_path, instance_dir):
    """The app on a fresh database, for each backend. Runs each test inside an app context."""
    app = _make_app(_database_url(backend, request, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_app(request, tmp_path, instance_dir):
    """Like `app`, SQLite only: for browser tests and slower end-to-end paths."""
    app = _make_app(_database_url("sqlite", request, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# -- builders --------------------------------------------------------------------------------------

@pytest.fixture
def make_org():
    def make(name: str = "Sundsvall"):
        org = _org(name)
        db.session.commit()
        return org
    return make


@pytest.fixture
def make_member(make_org):
    from survey.models import Member

    numbers = itertools.count(500001)

    def make(first_name="Anna", last_name="Andersson", association="Sundsvall", **fields) -> Member:
        member = Member(member_number=fields.pop("member_number", str(next(numbers))), first_name=first_name,
                        last_name=last_name, association=make_org(association) if association else None,
                        **fields)
        db.session.add(member)
        db.session.commit()
        return member
    return make


@pytest.fixture
def load_survey():
    """Load a survey from YAML text (default: the shipped default survey), with optional overrides."""
    from survey import spec as surveyspec
    from survey.spec import services as surveys

    def load(text: str | None = None, **overrides):
        text = text if text is not None else DEFAULT_SURVEY.read_text(encoding="utf-8")
        spec = surveyspec.load_spec(text, "test.yaml")
        for key, value in overrides.items():
            setattr(spec, key, value)
        survey, _what = surveys.import_spec(spec)
        db.session.commit()
        return survey
    return load


@pytest.fixture
def personal_link(load_survey, make_member):
    """(survey, member, token) for a member with a personal link to the default survey."""
    from survey.respond import links

    def make(survey=None, member=None):
        survey = survey or load_survey()
        member = member or make_member()
        token = links.issue_link(survey, member)
        db.session.commit()
        return survey, member, token
    return make


@pytest.fixture
def make_user():
    """make_user(role, *association_names) -> a committed User with password PASSWORD."""
    from survey.accounts.services import set_user
    from survey.models import Role

    numbers = itertools.count(1)

    def make(role: Role | str = "admin", *associations: str, email: str | None = None):
        role = Role(role)
        user = set_user(email or f"{role.value}{next(numbers)}@example.org", PASSWORD, role)
        for name in associations:
            user.associations.append(_org(name))
        db.session.commit()
        return user
    return make


def _org(name: str):
    from survey.models import Organisation, OrganisationKind

    slug = name.lower().replace("å", "a").replace("ä", "a").replace("ö", "o")
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(slug=slug, name=name, kind=OrganisationKind.ASSOCIATION)
        db.session.add(org)
        db.session.flush()
    return org


PASSWORD = "correct horse battery"


def login(client, user, password: str = PASSWORD):
    """Log a test client in through the real login form."""
    response = client.post("/admin/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.text
    return response


@pytest.fixture
def login_as(client, make_user):
    """login_as(role, *association_names) -> the user, with `client` logged in as them."""
    def log_in(role="admin", *associations: str):
        user = make_user(role, *associations)
        login(client, user)
        return user
    return log_in
