"""`kraftkartan members import|list|duplicates`: exit codes, messages, formula-safe output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, Member, MemberImport, MemberStatus

DATA = Path(__file__).resolve().parents[2] / "data" / "registry"


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Member))


@pytest.fixture
def orgs(app, make_org):
    for name in ("Sundsvall", "Timrå", "Härnösand", "Kramfors", "Ånge", "Örnsköldsvik"):
        make_org(name)


def test_import_sample_files(runner, orgs):
    for name, created in (
        ("medlemmar-excel.csv", 3),
        ("members-utf8-bom.csv", 2),
        ("medlemmar.tsv", 2),
        ("medlemmar.xlsx", 3),
    ):
        result = runner.invoke(args=["members", "import", str(DATA / name)])
        assert result.exit_code == 0, result.output
        assert f"{created} nya, 0 ändrade" in result.output, (name, result.output)
    assert _count() == 10
    members = {m.member_number: m for m in db.session.scalars(sa.select(Member))}
    assert members["1003"].association.name == "Örnsköldsvik"  # from the postcode 891 33
    assert members["3001"].association.name == "Ånge" and members["3001"].birth_year == 1970
    assert members["4001"].phone == "+46701234567" and members["4002"].association.name == "Kramfors"
    again = runner.invoke(args=["members", "import", str(DATA / "medlemmar-excel.csv")])
    assert "0 nya, 0 ändrade, 3 oförändrade" in again.output
    assert "Okända kolumner ignorerades: Skostorlek" in again.output


def test_problems_are_printed_and_the_rest_imported(runner, orgs, tmp_path):
    path = tmp_path / "lista.csv"
    path.write_text(
        "Medlemsnr;Förnamn;Efternamn;Mobil\n1;Anna;Berg;070-12\n2;Bo;Ek;070-123 45 67\n", encoding="utf-8"
    )
    report = tmp_path / "rapport.csv"
    result = runner.invoke(args=["members", "import", str(path), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "rad 2; Mobil; '070-12': Inte ett giltigt telefonnummer" in result.output
    assert "1 nya" in result.output and "1 hoppades över (1 problem)" in result.output
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows[0]["rad"] == "2" and rows[0]["följd"] == "raden hoppades över"


def test_strict_and_dry_run(runner, orgs, tmp_path):
    path = tmp_path / "lista.csv"
    path.write_text("Medlemsnr,Förnamn,Efternamn\n1,Anna,Berg\n2,Bo,\n", encoding="utf-8")
    strict = runner.invoke(args=["members", "import", str(path), "--strict"])
    assert strict.exit_code == 1 and "filen avvisades (--strict): 1 problem. Inget ändrades." in strict.output
    assert _count() == 0
    dry = runner.invoke(args=["members", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "Provkörning, inget sparades: 2 rader: 1 nya" in dry.output
    assert _count() == 0 and db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 1


def test_refused_files_exit_1_with_a_clear_message(runner, orgs, tmp_path):
    path = tmp_path / "fel.csv"
    path.write_text("Förnamn;Efternamn\nAnna;Berg\n", encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1 and str(path) in result.output and "member_number" in result.output
    mapped = runner.invoke(args=["members", "import", str(path), "--map", "Förnamn=member_number"])
    assert mapped.exit_code == 1 and "first_name" in mapped.output
    bad_map = runner.invoke(args=["members", "import", str(path), "--map", "Förnamn"])
    assert bad_map.exit_code == 1 and "Ogiltig --map" in bad_map.output


def test_full_and_map(runner, orgs, make_member, tmp_path):
    make_member(member_number="99", association="Sundsvall")
    path = tmp_path / "hela.csv"
    path.write_text("Nr;Förnamn;Efternamn\n1;Anna;Berg\n", encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path), "--full", "--map", "Nr=member_number", "-v"])
    assert result.exit_code == 0, result.output
    assert "1 markerade som utträdda" in result.output and "'99': Finns inte i filen" in result.output
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(Member.status).where(Member.member_number == "99")) is MemberStatus.LEFT
    )


def test_a_crash_halfway_rolls_everything_back(runner, orgs, make_member, tmp_path, monkeypatch):
    from survey.registry import services as registry_import

    make_member(member_number="1", first_name="Anna")
    monkeypatch.setattr(registry_import, "WRITE_CHUNK", 1)
    real = registry_import._record

    def crash(*args, **kwargs):  # after all members were written and flushed
        real(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(registry_import, "_record", crash)
    path = tmp_path / "lista.csv"
    path.write_text("Medlemsnr;Förnamn;Efternamn\n1;Annika;Berg\n2;Bo;Ek\n3;Cy;Dahl\n", encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    assert _count() == 1 and db.session.scalar(sa.select(Member.first_name)) == "Anna"


def test_progress_bar_on_stderr(runner, orgs, tmp_path):
    path = tmp_path / "lista.csv"
    path.write_text(
        "Medlemsnr;Förnamn;Efternamn\n" + "".join(f"{n};A;B\n" for n in range(1, 60)), encoding="utf-8"
    )
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 0 and "Läser in" in result.stderr and "Läser in" not in result.stdout


def test_list_is_formula_safe_csv_or_json_and_audited(runner, make_member):
    make_member(
        member_number="1",
        first_name='=HYPERLINK("http://x")',
        last_name="Berg",
        association="Timrå",
        phone="+46701234567",
        email="a@example.org",
        postcode="86131",
    )
    make_member(member_number="2", first_name="Bo", last_name="Ek", association="Sundsvall")
    result = runner.invoke(args=["members", "list", "--association", "timrå"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == [
        "member_number",
        "first_name",
        "last_name",
        "phone",
        "email",
        "postcode",
        "association",
        "status",
    ]
    assert len(rows) == 1 and rows[0]["first_name"].startswith("'=") and rows[0]["phone"] == "070-123 45 67"
    as_json = json.loads(runner.invoke(args=["members", "list", "--format", "json"]).output)
    assert [m["member_number"] for m in as_json] == ["1", "2"] and as_json[1]["association"] == "Sundsvall"
    assert runner.invoke(args=["members", "list", "--association", "Nowhere"]).exit_code == 1
    db.session.expire_all()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.target, e.rows) for e in events] == [("members:timra", 1), ("members:all", 2)]


def test_duplicates_command(runner, make_member):
    make_member(member_number="1", first_name="Anna", phone="+46701234567")
    make_member(member_number="2", first_name="Anna", phone="+46701234567", association="Timrå")
    make_member(member_number="3", first_name="Bo", phone="+46707654321")
    result = runner.invoke(args=["members", "duplicates"])
    assert result.exit_code == 0
    assert "1. samma telefonnummer" in result.output and "1 grupp av" in result.output
    assert "   1  Anna Andersson  070-123 45 67" in result.output and "   3 " not in result.output


def test_a_50_mb_cell_makes_a_short_report_and_changes_nothing(runner, orgs, tmp_path):
    path = tmp_path / "stor.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("Medlemsnr;Förnamn;Efternamn\n1;")
        f.write("x" * 50_000_000)
        f.write(";Berg\n")
    report = tmp_path / "rapport.csv"
    result = runner.invoke(args=["members", "import", str(path), "--report", str(report)])
    assert result.exit_code == 0, result.output[:2000]
    assert len(result.output) < 10_000 and report.stat().st_size < 10_000
    assert "rad 2; Förnamn; '" + "x" * 60 + "…': Orimligt långt värde: 50000000 tecken" in result.output
    assert "0 nya" in result.output and "1 hoppades över (1 problem)" in result.output
    assert _count() == 0
    assert len(db.session.scalar(sa.select(MemberImport.report_csv))) < 10_000
    strict = runner.invoke(args=["members", "import", str(path), "--strict"])
    assert strict.exit_code == 1 and len(strict.output) < 10_000 and _count() == 0


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_imported_as_text(runner, orgs, tmp_path, encoding):
    path = tmp_path / "unicode.txt"
    path.write_bytes("Medlemsnr\tFörnamn\tEfternamn\n1\tÅsa\tÖberg\n".encode(encoding))
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 0 and "1 nya" in result.output, result.output
    db.session.expire_all()
    assert db.session.execute(sa.select(Member.first_name, Member.last_name)).one() == ("Åsa", "Öberg")


def test_a_file_with_nul_bytes_is_refused(runner, orgs, make_member, tmp_path):
    make_member(member_number="1", first_name="Anna", last_name="Berg")
    path = tmp_path / "binär.csv"
    path.write_bytes(b"Medlemsnr;F\xc3\xb6rnamn;Efternamn\n1;An\x00nika;Berg\n")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {path}: innehåller NUL-byte (en binärfil?)."
    db.session.expire_all()
    assert db.session.scalars(sa.select(Member.first_name)).all() == ["Anna"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 0
