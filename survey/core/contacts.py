"""Normalizing contact details, so that one phone number or email is written one way everywhere."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email


def normalize_phone(raw: str | None, region: str = "SE") -> str | None:
    """E.164 for a valid number ("070-123 45 67" -> "+46701234567"), None when empty or invalid."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    """A syntactically valid address, lower-cased; None when empty or invalid. No DNS look-up."""
    if raw is None or not raw.strip():
        return None
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def format_phone(e164: str | None) -> str:
    """National format for Swedish numbers ("070-123 45 67"), international for others."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    fmt = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        number, fmt.NATIONAL if number.country_code == 46 else fmt.INTERNATIONAL
    )
