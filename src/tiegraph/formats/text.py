"""Bytes to text for files whose producers never say their encoding."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

from tiegraph.formats.latin import LATIN_PAIR, latin_reading, spliced_into_latin

__all__ = ["Decoded", "decode", "guess_legacy_encoding", "utf16_without_bom"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The 8-bit encodings address books and spreadsheets are really written in, most likely first.
LEGACY = ("cp1252", "shift_jis", "cp1250", "cp1251", "euc_jp", "gb18030", "big5", "iso8859_15")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # what was used, e.g. "utf-8", "utf-16-be (no BOM)", "cp1252 (guessed)"


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the NUL bytes say so (mostly-ASCII text), else None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def guess_legacy_encoding(data: bytes) -> str:
    """The likeliest 8-bit encoding of bytes that are not UTF-8 (cp1252 when in doubt)."""
    high = bytes(b for b in data if b >= 0x80)
    if not high:
        return "cp1252"
    best = from_bytes(data, cp_isolation=list(LEGACY)).best()
    if best is None:
        return "cp1252"
    encoding = codecs.lookup(best.encoding).name
    if encoding in LATIN_PAIR or spliced_into_latin(str(best)):
        return latin_reading(data)  # on short files the detector confuses these readings
    return encoding if encoding in {codecs.lookup(e).name for e in LEGACY} else "cp1252"


def decode(data: bytes) -> Decoded:
    """Text of a whole file: BOM, then UTF-16 by its NUL bytes, then UTF-8, then a guess.

    Never raises: undecodable bytes become U+FFFD in the last resort.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(encoding, errors="replace"), encoding)
    wide = utf16_without_bom(data)
    if wide:
        return Decoded(data.decode(wide, errors="replace"), f"{wide} (no BOM)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    encoding = guess_legacy_encoding(data)
    return Decoded(data.decode(encoding, errors="replace"), f"{encoding} (guessed)")
