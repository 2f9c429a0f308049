"""Reading registry exports: encodings, separators, Excel, header aliases and --map. No database needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.registry.read import RegistryFileError, decode, parse_mapping, read_registry, sniff_separator

DATA = Path(__file__).resolve().parents[2] / "data" / "registry"
ROWS = [
    ["Medlemsnr", "Förnamn", "Efternamn", "Ort"],
    ["1", "Åsa", "Öberg", "Härnösand"],
    ["2", "Bo", "Ek", "Ånge"],
]


def _csv(rows, sep=";", encoding="utf-8", bom=b"") -> bytes:
    return bom + "\r\n".join(sep.join(r) for r in rows).encode(encoding)


@pytest.mark.parametrize(
    ("sep", "encoding", "bom", "expected"),
    [
        (";", "cp1252", b"", "Windows-1252"),
        (",", "utf-8", b"", "UTF-8"),
        ("\t", "utf-8", b"\xef\xbb\xbf", "UTF-8 (BOM)"),
        (";", "utf-16", b"", "UTF-16"),  # Excel's "Unicode text"; Python's codec writes the BOM
    ],
)
def test_separators_and_encodings_are_detected(sep, encoding, bom, expected):
    reg = read_registry(_csv(ROWS, sep, encoding, bom), "x.csv")
    assert reg.encoding == expected and reg.separator == sep
    assert reg.frame["first_name"].tolist() == ["Åsa", "Bo"]
    assert reg.frame["city"].tolist() == ["Härnösand", "Ånge"]
    assert reg.frame.index.tolist() == [2, 3]  # row numbers as in the file: the header is row 1


def test_sample_files(tmp_path):
    excel = read_registry((DATA / "medlemmar-excel.csv").read_bytes(), "medlemmar-excel.csv")
    assert excel.encoding == "Windows-1252" and excel.frame.loc[2, "last_name"] == "Öberg"
    assert excel.unknown == ["Skostorlek"]
    bom = read_registry((DATA / "members-utf8-bom.csv").read_bytes(), "members.csv")
    assert list(bom.frame.columns)[:3] == [
        "member_number",
        "first_name",
        "last_name",
    ]  # BOM not in the header
    tsv = read_registry((DATA / "medlemmar.tsv").read_bytes(), "medlemmar.tsv")
    assert tsv.separator == "\t" and tsv.frame.loc[2, "full_name"] == "Karl Gustav Berg"
    assert tsv.headers["birth_date"] == "Födelsedatum"


def test_xlsx_reads_numbers_dates_and_keeps_row_numbers_past_a_blank_row():
    reg = read_registry((DATA / "medlemmar.xlsx").read_bytes(), "medlemmar.xlsx")
    assert reg.encoding == "XLSX"
    f = reg.frame
    assert f.index.tolist() == [2, 3, 5]  # the blank row 4 is dropped but not renumbered away
    assert f.loc[2, "member_number"] == "4001" and f.loc[2, "postcode"] == "85230"
    assert f.loc[2, "joined_on"] == "2018-05-02 00:00:00"
    assert f.loc[2, "association"] == "Sundsvall" and reg.headers["phone"] == "Mobiltelefon"


@pytest.mark.parametrize(
    "header", ["Medlemsnummer", "MEDLEMSNR", "medlems nr", "Member number", "member_number"]
)
def test_member_number_aliases(header):
    reg = read_registry(_csv([[header, "Fornamn", "EFTERNAMN"], ["1", "A", "B"]]), "x.csv")
    assert reg.headers == {"member_number": header, "first_name": "Fornamn", "last_name": "EFTERNAMN"}


def test_all_documented_aliases_map():
    headers = [
        "Medlemsnr",
        "Förnamn",
        "Efternamn",
        "Mobil",
        "Telefon",
        "Epost",
        "Gatuadress",
        "Postnr",
        "Postort",
        "Kommun",
        "Lokalförening",
        "Medlem sedan",
        "Födelseår",
        "Födelsedatum",
    ]
    reg = read_registry(_csv([headers, ["1", "A", "B", "", "060-12 34 56", *[""] * 9]]), "x.csv")
    assert set(reg.headers) == {
        "member_number",
        "first_name",
        "last_name",
        "phone",
        "email",
        "address",
        "postcode",
        "city",
        "municipality",
        "association",
        "joined_on",
        "birth_year",
        "birth_date",
    }
    assert reg.headers["phone"] == "Mobil / Telefon"
    assert reg.frame.loc[2, "phone"] == "060-12 34 56"  # landline used where the mobile column is empty


def test_full_name_is_enough_for_the_name_columns():
    reg = read_registry(_csv([["Medlemsnr", "Namn"], ["1", "Anna Berg"]]), "x.csv")
    assert reg.frame.loc[2, "full_name"] == "Anna Berg"


def test_map_option_names_other_columns():
    data = _csv([["Nr i registret", "Förnamn", "Efternamn", "Mobilen"], ["7", "A", "B", "070-1234567"]])
    with pytest.raises(RegistryFileError) as err:
        read_registry(data, "egen.csv")
    assert "egen.csv" in str(err.value) and "member_number" in str(err.value)
    reg = read_registry(data, "egen.csv", parse_mapping(["Nr i registret=member_number", "mobilen=telefon"]))
    assert reg.frame.loc[2, "member_number"] == "7" and reg.frame.loc[2, "phone"] == "070-1234567"


@pytest.mark.parametrize("item", ["no-equals", "X=not_a_field", "=member_number"])
def test_bad_map_is_refused(item):
    with pytest.raises(RegistryFileError, match="--map"):
        parse_mapping([item])


def test_map_of_a_column_that_is_not_there_is_refused():
    with pytest.raises(RegistryFileError, match="Saknas"):
        read_registry(_csv(ROWS), "x.csv", parse_mapping(["Saknas=email"]))


def test_missing_key_columns_name_the_file_and_columns():
    with pytest.raises(RegistryFileError) as err:
        read_registry(_csv([["Förnamn", "Telefon"], ["A", "1"]]), "/tmp/lista.csv")
    message = str(err.value)
    assert "/tmp/lista.csv" in message and "member_number" in message and "last_name" in message
    assert "first_name" not in message.split("Rubrikraden")[0]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "tom.csv", "tom"),
        (b"\xd0\xcf\x11\xe0rest", "gammal.xls", ".xls"),
        (b"PK\x03\x04 not really a zip", "trasig.xlsx", "Excel"),
        (b'Medlemsnr;F\xc3\xb6rnamn;Efternamn\n1;"A;B\n', "citat.csv", "CSV"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, name, words):
    with pytest.raises(RegistryFileError) as err:
        read_registry(data, name)
    assert name in str(err.value) and words in str(err.value)


def test_blank_lines_are_dropped_without_shifting_row_numbers():
    reg = read_registry(b"Medlemsnr,Fornamn,Efternamn\n1,A,B\n\n,,\n4,C,D\n", "x.csv")
    assert reg.frame.index.tolist() == [2, 5]


def test_decode_and_sniff_helpers():
    assert decode("Öberg".encode("cp1252")) == ("Öberg", "Windows-1252")
    assert sniff_separator('"a;b",c,d\n') == ","
    assert sniff_separator("just one column\n") == ","


def test_shipped_postcode_table():
    from survey.registry import postcodes

    table = postcodes.load()
    assert set(table.prefixes.values()) - {None} == {"sundsvall", "timra", "ange", "harnosand", "kramfors",
                                                      "solleftea", "ornskoldsvik"}
    codes = ("85230", "86131", "86040", "86230", "84131", "87030", "88050")
    assert [table.by_postcode(p) for p in codes] == ["sundsvall", "timra", "sundsvall", "sundsvall", "ange",
                                                     "kramfors", None]
    assert table.by_postcode("11122") is None and table.by_postcode(None) is None
    for name in ("Örnsköldsvik", "ORNSKOLDSVIK", "Örnsköldsviks kommun", "2284"):
        assert table.by_municipality(name) == "ornskoldsvik", name
    assert table.by_municipality("Umeå") is None


def test_postcode_table_errors_are_caught_on_load():
    from survey.registry.postcodes import PostcodeTableError, parse

    with pytest.raises(PostcodeTableError, match="given twice"):
        parse({"associations": {"a": {"postcodes": ["852"]}, "b": {"postcodes": [852]}}})
    with pytest.raises(PostcodeTableError, match="not a postcode prefix"):
        parse({"associations": {"a": {"postcodes": ["85x"]}}})
    with pytest.raises(PostcodeTableError, match="associations"):
        parse(["not", "a", "mapping"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read_as_utf16(encoding):
    reg = read_registry(_csv(ROWS, ";", encoding), "unicode.txt")
    assert reg.encoding.startswith("UTF-16") and "no BOM" in reg.encoding
    assert list(reg.headers.values())[:3] == ["Medlemsnr", "Förnamn", "Efternamn"]
    assert reg.frame["first_name"].tolist() == ["Åsa", "Bo"]


@pytest.mark.parametrize(
    "data",
    [
        _csv(ROWS).replace(b"Bo", b"B\x00o"),  # one NUL in a cell
        _csv(ROWS, ";", "utf-32-le"),  # NULs everywhere, in no pattern UTF-16 has
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    ],
)
def test_nul_bytes_refuse_the_file(data):
    with pytest.raises(RegistryFileError) as err:
        read_registry(data, "binär.csv")
    assert str(err.value) == "binär.csv: innehåller NUL-byte (en binärfil?)."


def test_absurdly_many_columns_are_refused_with_short_messages():
    header = ";".join(f"Kolumn{n}" for n in range(5000))
    with pytest.raises(RegistryFileError, match="bred.csv: 5003 kolumner; ett medlemsregister har högst 500"):
        read_registry(f"Medlemsnr;Förnamn;Efternamn;{header}\n1;A;B\n".encode(), "bred.csv")
    with pytest.raises(RegistryFileError) as err:  # a header row of one 1 MB header, without key columns
        read_registry(("Namn" + "x" * 1_000_000 + "\nA\n").encode(), "lång.csv")
    assert len(str(err.value)) < 1000 and "…" in str(err.value)
