"""Normalizing registry values, and the shortcuts' agreement with phonenumbers and email-validator."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.core.contacts import normalize_email, normalize_phone
from survey.registry.cells import parse_date, quick_email, quick_phone, split_name
from survey.registry.read import read_registry
from survey.registry.rows import normalize, to_records

TODAY = date(2030, 6, 1)


def _normalized(header: list[str], *rows: list[str]):
    text = "\n".join(";".join(r) for r in [header, *rows])
    return normalize(read_registry(text.encode("utf-8"), "x.csv"), TODAY)


@pytest.mark.parametrize(
    "raw",
    [
        "070-123 45 67",
        "+46 70 123 45 67",
        "0046701234567",
        "0701234567",
        "070 - 123 45 67",
        "+46701234567",
        "46701234567",
        "701234567",
        "(070) 123 45 67",
        "+46 (0)70-123 45 67",
        "070.123.45.67",
    ],
)
def test_one_mobile_number_many_ways(raw):
    frame = _normalized(["Medlemsnr", "Förnamn", "Efternamn", "Mobil"], ["1", "A", "B", raw]).frame
    assert frame.loc[2, "phone"] == "+46701234567"


def test_swedish_landlines_and_foreign_numbers():
    assert quick_phone("060-12 34 56") == "+4660123456" == normalize_phone("060-12 34 56")
    assert quick_phone("08-123 456 78") == normalize_phone("08-123 456 78")
    assert quick_phone("+47 412 34 567") is None  # not Swedish: left to phonenumbers
    assert normalize_phone("+47 412 34 567") == "+4741234567"


digits = st.text(alphabet="0123456789", min_size=5, max_size=13)


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.sampled_from(["", "0", "00", "0046", "+46", "+", "46", "+460", "07", "+467"]),
    body=digits,
    seps=st.lists(st.sampled_from([" ", "-", "", ""]), min_size=0, max_size=4),
)
def test_quick_phone_never_disagrees_with_phonenumbers(prefix, body, seps):
    raw = prefix + body
    for i, sep in enumerate(seps):  # sprinkle separators
        cut = min(len(raw), 3 + 2 * i)
        raw = raw[:cut] + sep + raw[cut:]
    quick = quick_phone(raw)
    assert quick is None or quick == normalize_phone(raw), raw


@settings(max_examples=200, deadline=None)
@given(
    local=st.from_regex(r"[A-Za-z0-9_+.\-åé]{1,12}", fullmatch=True),
    domain=st.from_regex(
        r"[a-z0-9\-]{1,10}(\.[a-z0-9\-]{1,10}){0,2}\.(se|com|test|invalid|x|c0m|local)", fullmatch=True
    ),
)
def test_quick_email_never_disagrees_with_email_validator(local, domain):
    raw = f"{local}@{domain}"
    quick = quick_email(raw)
    assert quick is None or quick == normalize_email(raw), raw


def test_plain_emails_take_the_shortcut():
    assert quick_email("Anna.Berg+kk@Exempel.SE") == "anna.berg+kk@exempel.se"
    assert quick_email("a@localhost") is None and quick_email("a@x.test") is None
    assert quick_email("åsa@exempel.se") is None and normalize_email("åsa@exempel.se") == "åsa@exempel.se"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-03-01", date(2019, 3, 1)),
        ("20190301", date(2019, 3, 1)),
        ("2019-03-01 00:00:00", date(2019, 3, 1)),
        ("2019/3/1", date(2019, 3, 1)),
        ("2019.03.01", date(2019, 3, 1)),
        ("2019-02-30", None),
        ("1/3 2019", None),
        ("2019-03/01", None),
        ("19-03-01", None),
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anna Berg", ("Anna", "Berg")),
        ("Anna  Maria Berg", ("Anna Maria", "Berg")),
        ("Berg, Anna Maria", ("Anna Maria", "Berg")),
        ("Anna", ("", "Anna")),
    ],
)
def test_split_name(raw, expected):
    assert split_name(raw) == expected


def test_clean_values():
    result = _normalized(
        ["Medlemsnr", "Förnamn", "Efternamn", "E-post", "Postnr", "Medlem sedan", "Födelseår", "Ort"],
        [
            "12345.0",
            "  Anna   Maria ",
            "Berg",
            "Anna@Exempel.SE",
            "852 30",
            "20190301",
            "1985.0",
            "Sundsvall",
        ],
        ["2", "Bo", "Ek", "", "SE-871 31", "", "", ""],
    )
    assert not result.bad.any() and result.notes == []
    first, second = to_records(result.frame)
    assert first == {
        "member_number": "12345",
        "first_name": "Anna Maria",
        "last_name": "Berg",
        "email": "anna@exempel.se",
        "postcode": "85230",
        "joined_on": date(2019, 3, 1),
        "birth_year": 1985,
        "city": "Sundsvall",
    }
    assert second["postcode"] == "87131" and second["email"] is None and second["birth_year"] is None


def test_problems_are_reported_with_row_column_value_and_a_clear_message():
    result = _normalized(
        ["Medlemsnr", "Förnamn", "Efternamn", "Mobil", "E-post", "Postnr", "Medlem sedan", "Födelseår"],
        ["1", "Anna", "Berg", "070-12", "", "", "", ""],
        ["2", "Bo", "", "", "bo@", "8523", "", ""],
        ["", "Cy", "Dahl", "", "", "", "2031-01-01", "1900"],
        ["4", "Di", "Ek", "", "", "", "1/3 2019", "19x5"],
        ["1", "Eva", "Fors", "", "", "", "", ""],
    )
    by_row = {}
    for n in result.notes:
        by_row.setdefault(n.row, []).append((n.column, n.value, n.message))
    assert by_row[2] == [
        (
            "Mobil",
            "070-12",
            "Inte ett giltigt telefonnummer (skriv t.ex. 070-123 45 67 eller +46 70 123 45 67).",
        ),
        ("Medlemsnr", "1", "Medlemsnumret finns flera gånger i filen (även rad 6)."),
    ]
    assert sorted(by_row[3]) == [
        ("E-post", "bo@", "Inte en giltig e-postadress."),
        ("Efternamn", "", "Efternamn saknas."),
        ("Postnr", "8523", "Postnumret ska ha fem siffror (t.ex. 852 30)."),
    ]
    assert sorted(by_row[4]) == [
        ("Födelseår", "1900", "Födelseåret är inte rimligt (ska ligga mellan 1920 och 2020)."),
        ("Medlem sedan", "2031-01-01", "Inträdesdatumet ligger i framtiden."),
        ("Medlemsnr", "", "Medlemsnummer saknas."),
    ]
    assert sorted(m for _c, _v, m in by_row[5]) == [
        "Födelseåret ska vara fyra siffror (t.ex. 1985).",
        "Okänt datum; skriv t.ex. 2019-03-01 eller 20190301.",
    ]
    assert result.bad.tolist() == [True, True, True, True, True]


def test_full_name_column_and_birth_date():
    result = _normalized(
        ["Medlemsnr", "Namn", "Födelsedatum"],
        ["1", "Karl Gustav Berg", "1970-05-17"],
        ["2", "Lind, Elsa", "19851224"],
        ["3", "Madonna", ""],
    )
    records = to_records(result.frame)
    assert (records[0]["first_name"], records[0]["last_name"], records[0]["birth_year"]) == (
        "Karl Gustav",
        "Berg",
        1970,
    )
    assert (records[1]["first_name"], records[1]["last_name"], records[1]["birth_year"]) == (
        "Elsa",
        "Lind",
        1985,
    )
    assert [(n.row, n.column, n.message) for n in result.notes] == [(4, "Namn", "Förnamn saknas.")]


def test_too_long_values():
    result = _normalized(["Medlemsnr", "Förnamn", "Efternamn"], ["1" * 33, "A" * 101, "B"])
    assert sorted((n.column, n.message) for n in result.notes) == [
        ("Förnamn", "För långt: högst 100 tecken."),
        ("Medlemsnr", "För långt: högst 32 tecken."),
    ]


def test_absurd_cells_refuse_their_row_and_are_quoted_short():
    big = "x" * 2_000_000
    norm = _normalized(["Medlemsnr", "Förnamn", "Efternamn", "Mobil", "E-post"], ["1", big, "Berg", "", ""],
                       ["2", "Bo", "Ek", big, big], [big, "Cy", "Dahl", "", ""], ["4", "Di", "Ek", "", ""])
    assert norm.bad.tolist() == [True, True, True, False]
    where = [(n.row, n.column) for n in norm.notes]
    assert where == [(2, "Förnamn"), (3, "Mobil"), (3, "E-post"), (4, "Medlemsnr")]
    for note in norm.notes:  # no "Förnamn saknas." on top: something was given, and refused
        assert note.value == "x" * 60 + "…"
        assert note.message == "Orimligt långt värde: 2000000 tecken (högst 1000). Är filen trasig?"


def test_a_number_repeated_in_many_rows_lists_a_few_of_them():
    norm = _normalized(["Medlemsnr", "Förnamn", "Efternamn"], *(["7", f"A{n}", "B"] for n in range(1000)))
    assert len(norm.notes) == 1000 and norm.bad.all()
    assert norm.notes[0].message == "Medlemsnumret finns flera gånger i filen (även rad 3, 4, 5, 6, 7 …)."
    assert norm.notes[-1].message == "Medlemsnumret finns flera gånger i filen (även rad 2, 3, 4, 5, 6 …)."
