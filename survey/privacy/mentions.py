"""Where one person is mentioned: their name, phone number, email, street address or member number, in
text that anyone may have typed (free-text answers, organizers' notes, import reports, log details).

Erasure uses this to find what the foreign keys cannot: the member's email typed into someone else's
answer sheet, or "Ring Zlatana på 070-123 98 76" in a task's notes. Phone numbers are matched however they
are written ("+46 70-123 98 76", "0701239876", "070 123 98 76"); names and addresses regardless of case
and spacing. A first or last name on its own is too common to look for in prose; it is only compared with
whole values (`is_name`: the name field of a sheet that also carries the person's phone number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from survey.models import Member

REDACTED = "[raderad]"
_GAP = r"[\s\-().]*"  # what people put between the digits of a phone number
# A member number is looked for in prose only when it is long enough not to be a postcode or a count.
MIN_NUMBER_IN_TEXT = 6


def _words(text: str) -> str:
    """A pattern for the text whatever the spacing between its words."""
    return r"\s+".join(re.escape(w) for w in text.split())


def _phone_pattern(e164: str) -> str:
    """The number in any common writing: with +46, 0046 or the trunk 0, and any separators between digits.

    A Swedish number is usually written nationally ("070-..."), so the national significant number is what
    must appear; for other countries the international digits.
    """
    if e164.startswith("+46"):
        prefix, digits = r"(?:(?:\+|00)46" + _GAP + r"(?:\(0\)" + _GAP + r")?|0)?", e164[3:]
    else:
        prefix, digits = r"(?:\+|00)?", e164.lstrip("+")
    return r"(?<!\d)" + prefix + _GAP.join(digits) + r"(?!\d)"


@dataclass(frozen=True)
class Person:
    """What identifies one member, ready to be looked for."""

    member_number: str
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None  # E.164
    address: str | None = None

    @classmethod
    def of(cls, member: Member) -> Person:
        return cls(
            member.member_number,
            member.first_name or "",
            member.last_name or "",
            member.email,
            member.phone,
            member.address,
        )

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        parts = []
        first, last = self.first_name.strip(), self.last_name.strip()
        if first and last:
            parts += [rf"\b{_words(first)}\s+{_words(last)}\b", rf"\b{_words(last)},?\s+{_words(first)}\b"]
        if self.email:
            parts.append(re.escape(self.email.strip()))
        if self.phone:
            parts.append(_phone_pattern(self.phone))
        if self.address and len(self.address.strip()) >= 6:
            parts.append(_words(self.address))
        number = self.member_number.strip()
        if len(number) >= MIN_NUMBER_IN_TEXT:
            parts.append(rf"(?<!\w){re.escape(number)}(?!\w)")
        return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)

    def mentioned_in(self, text: str | None) -> bool:
        """Whether prose mentions the person: full name, email, phone, address or a long member number."""
        return bool(text) and self._pattern.search(text) is not None

    def redact(self, text: str) -> str:
        """The text with every mention replaced by REDACTED."""
        return self._pattern.sub(REDACTED, text)

    def is_detail(self, value: str | None) -> bool:
        """Whether a field holds one of the person's details: a report cell, a contact answer."""
        return _fold(value) == _fold(self.member_number) or self.mentioned_in(value)

    def is_name(self, value: str | None) -> bool:
        """Whether a field is exactly the person's first, last or full name (ignoring case and spacing)."""
        names = {_fold(n) for n in (self.first_name, self.last_name, f"{self.first_name} {self.last_name}")}
        return bool(_fold(value)) and _fold(value) in names


def _fold(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def redact_json(value: Any, person: Person) -> Any:
    """A JSON value (audit details, a stored answer) with every string that mentions the person redacted."""
    if isinstance(value, str):
        return person.redact(value)
    if isinstance(value, list):
        return [redact_json(v, person) for v in value]
    if isinstance(value, dict):
        return {k: redact_json(v, person) for k, v in value.items()}
    return value
