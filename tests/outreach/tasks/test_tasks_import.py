"""CSV import of tasks: headers in two languages, grouping rows into shifts, all-or-nothing with a report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from outreach.tasks import importer as task_import
from survey.extensions import db
from survey.models import Shift, Task

DATA = Path(__file__).resolve().parents[2] / "data" / "tasks"
HEADER = "titel;typ;förening;plats;datum;start;slut;antal;krav;meriterande;ämne;prioritet\n"


@pytest.fixture
def orgs(app, make_org):
    return {name: make_org(name) for name in ("Sundsvall", "Timrå", "Örnsköldsvik")}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def check(text: str | bytes, user=None):
    with force_locale("sv"):
        result = task_import.import_csv(text.encode() if isinstance(text, str) else text, user, dry_run=True)
        return result, [str(p) for p in result.problems]


def test_cli_imports_groups_rows_into_shifts_and_a_second_run_adds_nothing(runner, orgs):
    file = str(DATA / "valkampanj.csv")
    dry = runner.invoke(args=["tasks", "import", file, "--dry-run"])
    assert dry.exit_code == 0 and "would add 4 tasks and 6 shifts" in dry.output and count(Task) == 0
    result = runner.invoke(args=["tasks", "import", file])
    assert result.exit_code == 0, result.output
    assert "added 4 tasks and 6 shifts" in result.output
    db.session.expire_all()
    stall = db.session.scalar(sa.select(Task).where(Task.title == "Bokbord på Stora torget"))
    assert (
        stall.kind.value,
        stall.association.name,
        stall.place,
        stall.topic,
        stall.priority,
        stall.notes,
    ) == ("stall", "Sundsvall", "Stora torget", "climate", 2, "Material i partilokalen")
    assert stall.preferred_skills == ["stalls"] and [
        (s.start_local.day, s.start_local.hour, s.slots) for s in stall.shifts
    ] == [(17, 10, 3), (17, 12, 3), (24, 10, 2)]
    knock = db.session.scalar(sa.select(Task).where(Task.kind == "canvassing"))
    assert (knock.preferred_skills, knock.topic, knock.priority) == (["canvassing"], "housing", 3)
    phoning = db.session.scalar(sa.select(Task).where(Task.title == "Ringkväll"))
    assert phoning.association.name == "Timrå" and phoning.shifts[0].start_local.hour == 18
    podcast = db.session.scalar(sa.select(Task).where(Task.kind == "podcast"))
    assert (podcast.association_id, podcast.required_skills, podcast.preferred_skills, podcast.topic) == (
        None,
        ["podcast"],
        ["writing"],
        "healthcare",
    )
    again = runner.invoke(args=["tasks", "import", file])
    assert "added 0 tasks and 0 shifts (6 shifts were already there)" in again.output and count(Shift) == 6
    listed = runner.invoke(args=["tasks", "list", "--association", "timra"])
    assert (
        listed.exit_code == 0 and "2030-08-19 18:00-20:00" in listed.output and "Bokbord" not in listed.output
    )


def test_windows_1252_commas_and_utf8_bom_are_read(orgs):
    result, problems = check((DATA / "windows1252.csv").read_bytes())
    assert problems == [] and (result.tasks_created, result.shifts_created) == (1, 1)
    bom = "\ufeff" + (DATA / "valkampanj.csv").read_text(encoding="utf-8")
    assert check(bom.encode("utf-8"))[1] == []
    assert "varken UTF-8 eller Windows-1252" in check(b"title\n\x81\x8d")[1][0]


def test_every_problem_is_reported_with_row_column_and_value_and_nothing_is_stored(runner, orgs, tmp_path):
    rows = [
        "Bokbord;Bokbord;Sundsvall;Torget;2030-08-17;10:00;12:00;2;;;;",  # row 2: fine
        ";Bokbord;Sundsvall;Torget;2030-08-17;10:00;12:00;2;;;;",  # 3: no title
        "A;Jonglering;Sundsvall;;2030-08-17;10:00;12:00;2;;;;",  # 4: kind
        "B;Bokbord;Gotland;;2030-08-17;10:00;12:00;2;;;;",  # 5: association
        "C;Bokbord;;;17/8;10:00;12:00;2;;;;",  # 6: date
        "D;Bokbord;;;2030-08-17;tio;12:00;2;;;;",  # 7: start
        "E;Bokbord;;;2030-08-17;12:00;10:00;2;;;;",  # 8: end before start
        "F;Bokbord;;;2030-08-17;10:00;12:00;0;;;;",  # 9: slots
        "G;Bokbord;;;2030-08-17;10:00;12:00;två;;;;",  # 10: slots not a number
        "H;Bokbord;;;2030-08-17;10:00;12:00;2;jonglera;stalls;;",  # 11: skill
        "I;Bokbord;;;2030-08-17;10:00;12:00;2;;;vädret;",  # 12: topic
        "J;Bokbord;;;2030-08-17;10:00;12:00;2;;;;5",  # 13: priority
        "Bokbord;Ringpass;Sundsvall;Torget;2030-08-24;10:00;12:00;2;;;;",  # 14: differs from row 2
        "Bokbord;Bokbord;Sundsvall;Torget;2030-08-17;10:00;12:00;2;;;;",  # 15: same shift as row 2
    ]
    _result, problems = check(HEADER + "\n".join(rows) + "\n")
    expected = [
        "rad 3, kolumn ”titel”: Skriv vad uppgiften heter.",
        "rad 4, kolumn ”typ”, värde ”Jonglering”: Okänd typ.",
        "rad 5, kolumn ”förening”, värde ”Gotland”: Okänd förening.",
        "rad 6, kolumn ”datum”, värde ”17/8”: Skriv datumet som ÅÅÅÅ-MM-DD",
        "rad 7, kolumn ”start”, värde ”tio”: Skriv klockslaget som TT:MM",
        "rad 8, kolumn ”slut”, värde ”10:00”: Slutet måste vara efter starten",
        "rad 9, kolumn ”antal”, värde ”0”: Antal personer måste vara mellan 1 och 500.",
        "rad 10, kolumn ”antal”, värde ”två”: Skriv ett heltal",
        "rad 11, kolumn ”krav”, värde ”jonglera”: Okänd förmåga: jonglera.",
        "rad 12, kolumn ”ämne”, värde ”vädret”: Okänt ämne.",
        "rad 13, kolumn ”prioritet”, värde ”5”: Prioriteten måste vara 1, 2 eller 3.",
        "rad 14, kolumn ”typ”, värde ”Ringpass”: Skiljer sig från rad 2 för samma uppgift",
        "rad 15, kolumn ”start”, värde ”10:00”: Samma pass finns redan på rad 2.",
    ]
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), (problem, start)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["tasks", "import", str(bad)])
    assert result.exit_code != 0 and "13 problem(s); nothing was imported" in result.output
    assert "rad 4, kolumn ”typ”" in result.output and count(Task) == 0 and count(Shift) == 0


def test_header_problems(orgs):
    problems = check("title;typ;plats;datum;start;prioritering;titel\n")[1]
    assert problems == [
        "rad 1, kolumn ”prioritering”: Okänd kolumn. Kolumnerna heter: titel, typ, förening, plats, datum, "
        "start, slut, antal, krav, meriterande, ämne, prioritet, anteckningar.",
        "rad 1, kolumn ”titel”: Kolumnen finns två gånger (som ”title”).",
        "rad 1, kolumn ”slut”: Kolumnen saknas.",
    ]
    assert check("")[1] == ["filen: Filen är tom."]


def test_upload_page_organizer_only_for_own_association(client, login_as, orgs):
    login_as("organizer", "Timrå")
    rows = [
        "Ringkväll;Ringpass;Timrå;Folkets hus;2030-08-19;18:00;20:00;4;;;;",
        "Bokbord;Bokbord;Sundsvall;Torget;2030-08-17;10:00;12:00;2;;;;",
        "Podd;Podd;;;2030-08-21;18:00;20:00;2;;;;",
    ]
    upload = {"file": (io.BytesIO((HEADER + "\n".join(rows)).encode()), "uppgifter.csv")}
    page = client.post("/admin/tasks/import", data=upload, content_type="multipart/form-data")
    assert page.status_code == 200 and "Filen importerades inte" in page.text
    assert "Du kan bara importera uppgifter för dina egna föreningar." in page.text
    assert "kan bara distriktets administratörer lägga in" in page.text and count(Task) == 0
    own = (HEADER + rows[0]).encode()
    checked = client.post(
        "/admin/tasks/import",
        data={"file": (io.BytesIO(own), "a.csv"), "check": "1"},
        content_type="multipart/form-data",
    )
    assert "Filen är i ordning" in checked.text and "1 nya uppgifter och 1 nya pass" in checked.text
    assert count(Task) == 0
    done = client.post(
        "/admin/tasks/import",
        data={"file": (io.BytesIO(own), "a.csv"), "import": "1"},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302 and count(Task) == 1
