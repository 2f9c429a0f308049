"""Judging one registry value: a name, phone number, address, postcode, date or member number.

Each judge is a small plain function from the raw cell text to a verdict (the clean value, or None and a
message naming the problem), called once per distinct raw value (see survey/registry/rows.py, which maps
the verdicts back onto the rows). Ordinary Swedish numbers and plain addresses take a checked shortcut
(`quick_phone`, `quick_email`); the libraries (`contacts.normalize_phone`, `contacts.normalize_email`)
judge everything else and have the last word on whatever the shortcut does not accept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

import email_validator
from phonenumbers import PhoneMetadata

from survey.core.contacts import normalize_email, normalize_phone
from survey.registry.read import _

CELL_LIMIT = 1000  # longer is not a value but a damaged or hostile file (see rows.py)
MAX_LENGTH = {"first_name": 100, "last_name": 100, "address": 200, "city": 100, "municipality": 100,
              "association": 200}  # the columns' sizes in the members table
# A birth year outside these ages is a typo (or a date of joining in the wrong column).
MIN_AGE, MAX_AGE = 10, 110
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # Excel's " 00:00:00"
_DATE = re.compile(rf"(\d{{4}})(?:([-/.])(\d{{1,2}})\2(\d{{1,2}})|(\d{{2}})(\d{{2}})){_TIME}")
_PLAIN_PHONE = re.compile(r"\+?\d[\d \-]*")
_SWEDISH = re.compile(r"(?:\+46|0046|0)([1-9]\d{5,11})")
_ATOM = r"[a-z0-9_+\-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z]{{2,63}}", re.IGNORECASE)
_SPECIAL_USE = tuple("." + name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)  # ".test", ...
Verdict = tuple[Any, str | None]  # (clean value or None, problem message or None)


@lru_cache(maxsize=1)
def _swedish_rules() -> tuple[re.Pattern, frozenset[int], dict[int, re.Pattern]]:
    """SE's rules from phonenumbers' metadata: the general pattern and lengths, and per length one pattern
    joining every number type (fixed line, mobile, toll free, ...) that allows that length."""
    meta = PhoneMetadata.metadata_for_region("SE")
    general = meta.general_desc
    types = [d for d in (meta.premium_rate, meta.toll_free, meta.shared_cost, meta.voip, meta.personal_number,
                         meta.pager, meta.uan, meta.voicemail, meta.fixed_line, meta.mobile)
             if d is not None and d.national_number_pattern]
    by_length = {}
    for length in general.possible_length:
        patterns = [d.national_number_pattern for d in types
                    if not d.possible_length or length in d.possible_length]
        if patterns:
            by_length[length] = re.compile("|".join(f"(?:{p})" for p in patterns))
    return re.compile(general.national_number_pattern), frozenset(general.possible_length), by_length


def quick_phone(raw: str) -> str | None:
    """E.164 for a plainly written valid Swedish number, else None (meaning: ask phonenumbers).

    Plainly written: digits with spaces or hyphens after +46, 0046 or the national prefix 0, which
    phonenumbers parses to exactly those digits. Validity is phonenumbers' own rule (`is_valid_number`:
    the general description and one number type, each with its possible lengths) read from its metadata,
    so it follows library updates.
    """
    if not _PLAIN_PHONE.fullmatch(raw):
        return None
    match = _SWEDISH.fullmatch(raw.replace(" ", "").replace("-", ""))
    if match is None:
        return None
    nsn = match.group(1)
    general, lengths, by_length = _swedish_rules()
    valid = len(nsn) in lengths and len(nsn) in by_length and general.fullmatch(nsn)
    return "+46" + nsn if valid and by_length[len(nsn)].fullmatch(nsn) else None


def quick_email(raw: str) -> str | None:
    """The lower-cased address when it is plainly valid ASCII, else None (meaning: ask email-validator).

    Plainly valid: dot-atoms of letters, digits, "_", "+" and "-", DNS labels of at most 63 characters,
    a letter-only top-level domain that is not special-use, no "--" (Punycode rules), at most 254
    characters: a subset of what email-validator accepts, normalized the way `normalize_email` does.
    """
    if len(raw) > 254 or "--" in raw.partition("@")[2] or not _PLAIN_EMAIL.fullmatch(raw):
        return None
    local, _at, domain = raw.lower().partition("@")
    if len(local) > 64 or ("." + domain).endswith(_SPECIAL_USE):
        return None
    return f"{local}@{domain}"


def text(limit: int) -> Callable[[str], Verdict]:
    def judge(raw: str) -> Verdict:
        value = " ".join(raw.split())
        return value, (_("För långt: högst %(n)d tecken.", n=limit) if len(value) > limit else None)

    return judge


def absurd(raw: str) -> Verdict:
    return None, _("Orimligt långt värde: %(n)d tecken (högst %(max)d). Är filen trasig?", n=len(raw),
                   max=CELL_LIMIT)


def member_number(raw: str) -> Verdict:
    value = "".join(raw.split())
    if value.endswith(".0") and value[:-2].isdigit():  # a number that went through Excel
        value = value[:-2]
    return value, (_("För långt: högst %(n)d tecken.", n=32) if len(value) > 32 else None)


def phone(raw: str) -> Verdict:
    value = quick_phone(raw) or normalize_phone(raw)
    if value:
        return value, None
    return None, _("Inte ett giltigt telefonnummer (skriv t.ex. 070-123 45 67 eller +46 70 123 45 67).")


def email(raw: str) -> Verdict:
    value = quick_email(raw) or normalize_email(raw)
    return value, None if value else _("Inte en giltig e-postadress.")


def postcode(raw: str) -> Verdict:
    value = re.sub(r"^SE-?|[ \-]|\.0$", "", raw.upper())
    if len(value) == 5 and value.isdigit():
        return value, None
    return None, _("Postnumret ska ha fem siffror (t.ex. 852 30).")


def parse_date(raw: str) -> date | None:
    """2019-03-01, 2019/3/1, 2019.03.01, 20190301, and Excel's "2019-03-01 00:00:00"; None otherwise."""
    m = _DATE.fullmatch(raw.strip())
    if m is None:
        return None
    month, day = (m.group(3), m.group(4)) if m.group(2) else (m.group(5), m.group(6))
    try:
        return date(int(m.group(1)), int(month), int(day))
    except ValueError:
        return None


def joined(today: date) -> Callable[[str], Verdict]:
    def judge(raw: str) -> Verdict:
        value = parse_date(raw)
        if value is None:
            return None, _("Okänt datum; skriv t.ex. 2019-03-01 eller 20190301.")
        return value, _("Inträdesdatumet ligger i framtiden.") if value > today else None

    return judge


def birth_year(today: date, from_date: bool) -> Callable[[str], Verdict]:
    low, high = today.year - MAX_AGE, today.year - MIN_AGE

    def judge(raw: str) -> Verdict:
        if from_date:
            born = parse_date(raw)
            if born is None:
                return None, _("Okänt datum; skriv t.ex. 1985-03-12 eller 19850312.")
            year = born.year
        else:
            text = raw.removesuffix(".0")
            if not (len(text) == 4 and text.isdigit()):
                return None, _("Födelseåret ska vara fyra siffror (t.ex. 1985).")
            year = int(text)
        if not low <= year <= high:
            return None, _("Födelseåret är inte rimligt (ska ligga mellan %(low)d och %(high)d).",
                           low=low, high=high)
        return year, None

    return judge


def split_name(raw: str) -> tuple[str, str]:
    """("Anna Maria", "Berg") from "Anna Maria Berg" or "Berg, Anna Maria"; a part is "" when missing."""
    text = " ".join(raw.split())
    if "," in text:
        last, _c, first = text.partition(",")
        return first.strip(), last.strip()
    first, _s, last = text.rpartition(" ")
    return first, last
