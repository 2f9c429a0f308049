"""The `kraftkartan` commands: survey import/export/links, users, demo."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.models import Member, Submission, Survey, SurveyLink, User
from survey.respond.links import hash_token
from tests.conftest import DEFAULT_SURVEY, login


def test_import_then_export_round_trips(runner, tmp_path):
    result = runner.invoke(args=["survey", "import", str(DEFAULT_SURVEY)])
    assert result.exit_code == 0, result.output
    assert "created: survey 'valkampanj-2030'" in result.output
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["survey", "export", "valkampanj-2030", "-o", str(out)])
    assert result.exit_code == 0, result.output
    from survey import spec as surveyspec

    original = surveyspec.load_spec(DEFAULT_SURVEY.read_text(encoding="utf-8"))
    assert surveyspec.load_spec(out.read_text(encoding="utf-8")) == original
    # Importing the export again changes nothing.
    again = runner.invoke(args=["survey", "import", str(out)])
    assert again.exit_code == 0 and "unchanged" in again.output


def test_bad_file_is_refused_naming_file_path_and_problem(runner, tmp_path):
    text = DEFAULT_SURVEY.read_text(encoding="utf-8").replace("type: skill", "type: skil", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["survey", "import", str(bad)])
    assert result.exit_code != 0
    assert (str(bad) in result.output and "sections[1].items[0].type" in result.output
            and "unknown type" in result.output)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Survey)) == 0


LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("billion laughs", "invalid YAML: anchors and aliases (&name, *name) are not allowed"),
        ("deep block", "invalid YAML: nested more than 32 levels deep"),
        ("deep flow", "invalid YAML: nested more than 32 levels deep"),
        ("python object", "could not determine a constructor for the tag"),
        ("nul bytes", "contains NUL bytes (binary file?)"),
        ("too big", "larger than 1 MB"),
    ],
)
def test_hostile_survey_files_are_refused_in_one_line(runner, tmp_path, name, words):
    text = DEFAULT_SURVEY.read_text(encoding="utf-8")
    data = {
        "billion laughs": LAUGHS.encode() + text.replace("title:", "title: *j\nxtitle:", 1).encode(),
        "deep block": "".join("  " * i + f"k{i}:\n" for i in range(400)).encode() + b"  " * 400 + b"v: 1\n",
        "deep flow": b"slug: " + b"[" * 200_000 + b"]" * 200_000 + b"\n",
        "python object": text.replace("valkampanj-2030", "!!python/object/apply:os.system [id]", 1).encode(),
        "nul bytes": text.replace("title:", "title: a\x00b\nxtitle:", 1).encode(),
        "too big": text.encode() + b"#" * 50_000_000 + b"\n",
    }[name]
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    result = runner.invoke(args=["survey", "import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # no traceback
    assert result.output.count("\n") == 1 and result.output.startswith(f"Error: {path}: ")
    assert words in result.output, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Survey)) == 0


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-8-sig"])
def test_survey_files_in_utf16_import(runner, tmp_path, encoding):
    path = tmp_path / "unicode.yaml"
    path.write_bytes(DEFAULT_SURVEY.read_text(encoding="utf-8").encode(encoding))
    result = runner.invoke(args=["survey", "import", str(path)])
    assert result.exit_code == 0 and "created: survey 'valkampanj-2030'" in result.output, result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Survey.title))["sv"].startswith("Valrörelsen")


def test_replacing_an_answered_survey_is_refused(runner, load_survey, personal_link, client):
    survey, _m, token = personal_link()
    client.post(f"/s/{token}/p/what_you_care_about", data={"interests": ["interest:climate"]})
    changed = DEFAULT_SURVEY.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    path = Path(runner.app.instance_path) / "v2.yaml"
    path.write_text(changed, encoding="utf-8")
    result = runner.invoke(args=["survey", "import", str(path)])
    assert result.exit_code != 0 and "already has 1 answer sheet" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Survey.version)) == 1


def test_links_prints_csv_with_working_personal_links(runner, load_survey, make_member, client):
    load_survey()
    make_member(first_name="Ann", association="Timrå")
    make_member(first_name="Bo", association="Timrå", do_not_contact=True)
    make_member(first_name="Cy", association="Sundsvall")
    db.session.commit()
    result = runner.invoke(args=["survey", "links", "--association", "Timrå"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows] == ["Ann Andersson"]  # do-not-contact and other associations left out
    url = rows[0]["url"]
    assert url.startswith("http://kk.test/s/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 22  # >= 128 bits of randomness, base64
    db.session.expire_all()
    stored = db.session.scalars(sa.select(SurveyLink.token_hash)).all()
    assert stored == [hash_token(token)] and token not in stored
    assert "Hej Ann!" in client.get(f"/s/{token}").text
    limited = runner.invoke(args=["survey", "links", "--limit", "1"])
    assert len(list(csv.DictReader(io.StringIO(limited.output)))) == 1
    assert runner.invoke(args=["survey", "links", "--association", "Nowhere"]).exit_code != 0


def test_links_csv_is_formula_safe(runner, load_survey, make_member):
    load_survey()
    make_member(first_name='=HYPERLINK("http://evil.example","Klicka")', last_name="Berg")
    make_member(first_name="@Bo", last_name="Ek")
    make_member(first_name="Cy", last_name="-Dahl")
    result = runner.invoke(args=["survey", "links"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    names = [r["name"] for r in rows]
    assert names == ["'=HYPERLINK(\"http://evil.example\",\"Klicka\") Berg", "'@Bo Ek", "Cy -Dahl"]
    assert all(r["url"].startswith("http://kk.test/s/") for r in rows)


def test_users_add(runner):
    result = runner.invoke(args=["users", "add", "Board@Example.org", "--admin", "--password-stdin"],
                           input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User)).one()
    assert user.email == "board@example.org" and user.is_admin and user.check_password("a long enough secret")
    short = runner.invoke(args=["users", "add", "x@example.org", "--admin", "--password-stdin"],
                          input="short\n")
    assert short.exit_code != 0 and "at least 10" in short.output


def test_demo_prepares_and_is_safe_to_run_twice(runner, client):
    first = runner.invoke(args=["demo", "--no-serve", "--members", "60"])
    assert first.exit_code == 0, first.output
    assert "ombudsman@example.org" in first.output and "/s/" in first.output
    password = re.search(r"ombudsman@example\.org / (\S+)", first.output).group(1)
    members = db.session.scalar(sa.select(sa.func.count()).select_from(Member))
    submissions = db.session.scalar(sa.select(sa.func.count()).select_from(Submission))
    assert members == 60 and 12 <= submissions <= 40
    second = runner.invoke(args=["demo", "--no-serve", "--members", "60"])
    assert second.exit_code == 0, second.output
    assert "Members added: 0. New answer sheets: 0. New task shifts: 0." in second.output
    # The admin's password stays what the first run printed, and the second run says how to change it.
    assert password not in second.output
    assert "password unchanged" in second.output
    assert "kraftkartan users reset-password ombudsman@example.org" in second.output
    admin = db.session.scalars(sa.select(User).where(User.email == "ombudsman@example.org")).one()
    login(client, admin, password)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == submissions
    associations = {m.association.name for m in db.session.scalars(sa.select(Member))}
    assert associations <= {"Sundsvall", "Timrå", "Ånge", "Härnösand", "Kramfors", "Sollefteå",
                            "Örnsköldsvik"}
