"""Phone numbers: one E.164 string per number, whatever way it was written."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

__all__ = ["normalize_phone"]

_FORMATTING = re.compile(r"[\s().\-/]+")


def normalize_phone(raw: str, default_region: str = "US") -> str | None:
    """`raw` as E.164 ("+49301234567"), or None when it cannot be a phone number.

    Reads `tel:` URIs, "+49 (0)30 ..." (the national trunk 0 in brackets), the "00" international
    prefix whatever the default region, vanity letters (1-800-FLOWERS); drops extensions, since
    an extension reaches a switchboard shared by many people. Numbers written without a country
    code are read as numbers of `default_region` (an ISO 3166 code such as "US" or "DE") and
    must be valid there; numbers with a country code need only be possible (right length).
    """
    text = unicodedata.normalize("NFKC", raw).strip()  # full-width digits and plus
    if text[:4].lower() == "tel:":
        text = text[4:]
    compact = _FORMATTING.sub("", text)
    if compact.startswith("00") and not compact.startswith("000"):
        # "00 44 20 ..." is international in most of the world; read it so even when the
        # default region dials abroad with another prefix (011 in the US).
        text = "+" + compact[2:]
    try:
        number = phonenumbers.parse(text, (default_region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number) or len(str(number.national_number)) < 4:
        return None
    if not text.lstrip().startswith("+") and not phonenumbers.is_valid_number(number):
        # Without a country code the region is only our guess; a number that is not valid
        # there ("030 1234567" read as American) was meant for somewhere else, and a wrong
        # E.164 would tie calls to the wrong person.
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
