"""Importing the registry: upsert by member number, --full, --strict, associations, one transaction."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, Member, MemberImport, MemberStatus
from survey.registry import services as registry_import
from survey.registry.read import RegistryFileError
from survey.registry.services import import_registry

HEADER = ["Medlemsnr", "Förnamn", "Efternamn", "Mobil", "E-post", "Postnr", "Förening"]
TODAY = date(2030, 6, 1)


def _file(*rows: list[str], header=HEADER) -> bytes:
    return "\n".join(";".join(r) for r in [header, *rows]).encode("utf-8")


def _members() -> dict[str, Member]:
    db.session.expire_all()
    return {m.member_number: m for m in db.session.scalars(sa.select(Member))}


@pytest.fixture
def orgs(app, make_org):
    return {name: make_org(name) for name in ("Sundsvall", "Timrå", "Ånge")}


def test_import_creates_then_same_file_changes_nothing(orgs):
    data = _file(
        ["1", "Anna", "Berg", "070-123 45 67", "Anna@Exempel.se", "852 30", "Sundsvall"],
        ["2", "Bo", "Ek", "+46 70 765 43 21", "", "86131", "timra"],
    )
    first = import_registry(data, "a.csv", today=TODAY)
    db.session.commit()
    assert (first.created, first.updated, first.unchanged, first.problems) == (2, 0, 0, 0)
    members = _members()
    anna = members["1"]
    assert (anna.phone, anna.email, anna.postcode, anna.association.name) == (
        "+46701234567",
        "anna@exempel.se",
        "85230",
        "Sundsvall",
    )
    assert members["2"].association.slug == "timra"  # matched by slug, case-insensitively
    assert anna.status is MemberStatus.ACTIVE and anna.created_at is not None
    again = import_registry(data, "a.csv", today=TODAY)
    db.session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert "0 nya, 0 ändrade, 2 oförändrade" in again.summary()
    records = db.session.scalars(sa.select(MemberImport).order_by(MemberImport.id)).all()
    assert [(r.created, r.unchanged) for r in records] == [(2, 0), (0, 2)]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert len(events) == 2 and events[0].rows == 2 and events[0].detail["created"] == 2


def test_changed_values_are_updated_and_absent_columns_left_alone(orgs, make_member):
    make_member(
        member_number="1",
        first_name="Anna",
        last_name="Berg",
        association="Sundsvall",
        phone="+46701234567",
        birth_year=1980,
        address="Storgatan 1",
    )
    result = import_registry(
        _file(["1", "Anna", "Lind", "070-123 45 67", "anna@exempel.se", "85230", ""]), "b.csv", today=TODAY
    )
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    anna = _members()["1"]
    assert (anna.last_name, anna.email, anna.postcode) == ("Lind", "anna@exempel.se", "85230")
    assert (anna.birth_year, anna.address) == (1980, "Storgatan 1")  # not in the file: kept
    assert anna.association.name == "Sundsvall"  # blank in the file: keeps its association
    assert anna.updated_at is not None


def test_problem_rows_are_skipped_and_reported(orgs):
    result = import_registry(
        _file(
            ["1", "Anna", "Berg", "12", "", "", ""],
            ["2", "Bo", "Ek", "", "", "", "Umeå"],
            ["3", "Cy", "Dahl", "", "", "", "Ånge"],
        ),
        "c.csv",
        today=TODAY,
    )
    db.session.commit()
    assert (result.created, result.skipped, result.problems) == (1, 2, 2)
    assert list(_members()) == ["3"]
    report = pd.read_csv(io.StringIO(result.report_csv()), dtype=str, keep_default_na=False)
    assert list(report.columns) == ["rad", "kolumn", "värde", "meddelande", "följd"]
    problems = report[report["följd"] == "raden hoppades över"]
    assert problems[["rad", "kolumn", "värde"]].values.tolist() == [
        ["2", "Mobil", "12"],
        ["3", "Förening", "Umeå"],
    ]
    assert "finns inte i Kraftkartan" in problems["meddelande"].iloc[1]
    assert db.session.scalar(sa.select(MemberImport.report_csv)) == result.report_csv()


def test_report_csv_is_formula_safe(orgs):
    result = import_registry(_file(["1", "Anna", "Berg", "=1+1", "", "", ""]), "c.csv", today=TODAY)
    report = pd.read_csv(io.StringIO(result.report_csv()), dtype=str, keep_default_na=False)
    assert report["värde"].tolist() == ["'=1+1"]


def test_strict_refuses_the_whole_file(orgs):
    result = import_registry(
        _file(["1", "Anna", "Berg", "", "", "", ""], ["2", "Bo", "", "", "", "", ""]),
        "d.csv",
        strict=True,
        today=TODAY,
    )
    db.session.commit()
    assert result.refused and result.created == 0 and result.problems == 1 and _members() == {}
    assert "hela filen avvisades" in result.report_csv()
    assert db.session.scalar(sa.select(MemberImport.problems)) == 1  # the attempt and its report are kept


def test_dry_run_writes_nothing(orgs):
    result = import_registry(_file(["1", "Anna", "Berg", "", "", "", ""]), "e.csv", dry_run=True, today=TODAY)
    db.session.commit()
    assert result.created == 1 and result.record is None
    assert _members() == {} and db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 0


def test_full_marks_missing_members_as_left_and_brings_them_back(orgs, make_member):
    make_member(member_number="1", association="Sundsvall")
    make_member(member_number="2", association="Sundsvall")
    make_member(
        member_number="3", association="Sundsvall", status=MemberStatus.LEFT, left_on=date(2029, 1, 1)
    )
    partial = import_registry(_file(["1", "Anna", "Andersson", "", "", "", ""]), "f.csv", today=TODAY)
    db.session.commit()
    assert (
        partial.marked_left == 0 and _members()["2"].status is MemberStatus.ACTIVE
    )  # without --full: no change
    full = import_registry(
        _file(["1", "Anna", "Andersson", "", "", "", ""], ["9", "Bad", "", "", "", "", ""]),
        "f.csv",
        full=True,
        today=TODAY,
    )
    db.session.commit()
    members = _members()
    assert (
        full.marked_left == 1 and members["2"].status is MemberStatus.LEFT and members["2"].left_on == TODAY
    )
    assert members["3"].left_on == date(2029, 1, 1)  # already left: untouched
    assert "markerad som utträdd 2030-06-01" in full.report_csv()
    back = import_registry(_file(["2", "Anna", "Andersson", "", "", "", ""]), "f.csv", today=TODAY)
    db.session.commit()
    assert (
        back.updated == 1
        and _members()["2"].status is MemberStatus.ACTIVE
        and _members()["2"].left_on is None
    )
    assert "markerad som aktiv igen" in back.report_csv()


def test_full_never_marks_members_whose_row_had_a_problem(orgs, make_member):
    make_member(member_number="1", association="Sundsvall")
    result = import_registry(_file(["1", "Anna", "", "", "", "", ""]), "g.csv", full=True, today=TODAY)
    db.session.commit()
    assert result.marked_left == 0 and _members()["1"].status is MemberStatus.ACTIVE


def test_full_with_an_empty_file_is_refused(orgs, make_member):
    make_member(member_number="1")
    with pytest.raises(RegistryFileError, match="inga rader"):
        import_registry(_file(), "tom.csv", full=True, today=TODAY)


def test_association_from_postcode_or_municipality(orgs, tmp_path, app):
    header = ["Medlemsnr", "Förnamn", "Efternamn", "Postnummer", "Kommun"]
    result = import_registry(
        _file(
            ["1", "A", "A", "852 30", ""],
            ["2", "B", "B", "86040", ""],
            ["3", "C", "C", "86131", "Ånge kommun"],
            ["4", "D", "D", "11122", ""],
            header=header,
        ),
        "h.csv",
        today=TODAY,
    )
    db.session.commit()
    members = _members()
    assert members["1"].association.name == "Sundsvall"
    assert members["2"].association.name == "Sundsvall"  # Indal: a five-digit exception inside Timrå's 860
    assert members["3"].association.name == "Ånge"  # the municipality beats the postcode
    assert members["4"].association is None
    notes = {(n.row, n.column): n.message for n in result.notes}
    assert notes[(2, "Postnummer")] == "Förening satt till Sundsvall utifrån postnumret."
    assert notes[(4, "Kommun")] == "Förening satt till Ånge utifrån kommunen."
    assert "Ingen förening" in notes[(5, "Postnummer")]
    table = tmp_path / "pc.yaml"
    table.write_text("associations:\n  timra:\n    postcodes: ['852']\n", encoding="utf-8")
    app.config["POSTCODES_FILE"] = str(table)
    import_registry(_file(["5", "E", "E", "85230", ""], header=header), "i.csv", today=TODAY)
    db.session.commit()
    assert _members()["5"].association.name == "Timrå"


def test_a_failure_halfway_leaves_the_registry_as_it_was(orgs, make_member, monkeypatch):
    make_member(member_number="1", first_name="Anna", association="Sundsvall")
    monkeypatch.setattr(registry_import, "WRITE_CHUNK", 2)
    real_execute, calls = db.session.execute, []

    def failing_execute(statement, *args, **kwargs):
        if isinstance(statement, sa.Insert):
            calls.append(statement)
            if len(calls) == 2:  # the first chunk is written, then the database goes away
                raise RuntimeError("disk full")
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", failing_execute)
    data = _file(
        ["1", "Annika", "Andersson", "", "", "", ""],
        *[[str(n), "X", "Y", "", "", "", ""] for n in range(2, 7)],
    )
    with pytest.raises(RuntimeError):
        import_registry(data, "j.csv", today=TODAY)
    db.session.rollback()
    monkeypatch.undo()
    assert list(_members()) == ["1"] and _members()["1"].first_name == "Anna"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 0


def test_large_batches_use_few_statements(orgs, monkeypatch):
    statements = []
    real_execute = db.session.execute
    monkeypatch.setattr(
        db.session, "execute", lambda s, *a, **k: statements.append(s) or real_execute(s, *a, **k)
    )
    rows = [
        [str(n), "A", "B", "070-123 45 67" if n % 2 else "", "", "85230" if n % 3 else "", ""]
        for n in range(1, 501)
    ]
    import_registry(_file(*rows), "k.csv", today=TODAY)
    # One SELECT of organisations, one of existing members, one INSERT (500 < WRITE_CHUNK), the import
    # record and the audit event: no per-row queries however the None values fall.
    assert len([s for s in statements if isinstance(s, sa.Insert)]) == 1
    assert len(statements) <= 4
