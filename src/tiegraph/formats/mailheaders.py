"""Rules for reading header fields: finding them, and decoding addresses, names and dates."""

from __future__ import annotations

import binascii
import mmap
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

from tiegraph.formats.records import Address

__all__ = ["decode_text", "header_fields", "parse_addresses", "parse_date", "scan_fields"]

# Only these fields are ever looked at; Subject and the body are never read. (X-From and X-To
# hold display names in Lotus Notes exports such as the Enron corpus.) One pass finds
# them and where the block ends: a blank line, or a `From ` line (the next mbox message).
_SCAN = re.compile(
    rb"\n(?=[FfTtCcDdMmIiRrXx\r\n])(?:"
    rb"(from|to|cc|date|message-id|in-reply-to|references|x-from|x-to)[ \t]*:"
    rb"([^\n]*(?:\n[ \t][^\n]*)*)"
    rb"|\r?(\n)|From )",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(rb"\n\r?\n")

# The usual shapes of a list item: `"Name" <a@b>`, `Name <a@b>`, `<a@b>`, `a@b`; whatever
# else there is lands in the last group, and the list then takes the careful path.
_PLAIN_EMAIL = r"[\w.+\-=/!#$%&*?^`{|}~]+@[\w.\-]+"
_LIST_ITEM = re.compile(
    rf'\s*(?:"([^"\\]*)"\s*|([^",<>()@;:\\]*))<({_PLAIN_EMAIL})>\s*(?:,|$)'
    rf"|\s*({_PLAIN_EMAIL})\s*(?:,|$)"
    r"|\s*([^,\s][^,]*)",
    re.ASCII,
)
# Anything else is cut into elements: quoted strings, comments and <...> may hold commas.
_ELEMENT = re.compile(r'(?:"(?:[^"\\]|\\.)*"|\((?:[^()\\]|\\.)*\)|<[^<>]*>|[^,"(<])+')
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+")
_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)?")
_QUOTED_PAIR = re.compile(r"\\(.)")
_SPACES = re.compile(r"\s+")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")
_BARE_UTF7 = re.compile(r"\+[A-Za-z0-9/+]{2,}-")

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
# The shape nearly every client writes: "Wed, 17 May 2000 19:35:05 -0400 (EDT)".
_COMMON_DATE = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) "
    r"(\d\d):(\d\d)(?::(\d\d))? ([+-])(\d\d)(\d\d)"
)
_ODD_OFFSET = re.compile(r"(?:\b(?:GMT|UTC?))?([+-])(\d{1,2}):?(\d\d)?\s*$")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
_PM = re.compile(r"\b\d{1,2}:\d\d(?::\d\d)?\s*[Pp]\.?[Mm]\b")
_ZONES: dict[int, timezone] = {}


def header_fields(raw: bytes, repairs: list[str]) -> dict[bytes, bytes]:
    """The wanted fields of a header block, unfolded; the first of duplicates wins."""
    block = raw if raw[:1] == b"\n" else b"\n" + raw
    if block[1:2] in (b" ", b"\t"):
        end = _BLANK_LINE.search(block)
        block = _dedent(block[: end.start() + 1] if end else block)
        repairs.append("indented header lines")
    fields, _, _ = scan_fields(block, 0, len(block))
    return fields


def scan_fields(
    buffer: bytes | mmap.mmap, start: int, end: int, separator: re.Pattern[bytes] | None = None
) -> tuple[dict[bytes, bytes], int, bool]:
    """(fields, end of the header block, whether a separator line ended it) from `start`.

    `buffer[start]` is the newline before the first header line. Only the header lines are
    visited: the scan stops at the blank line, never reading the body. With `separator`, a
    `From ` line it matches also ends the block (an mbox message without a body).
    """
    fields: dict[bytes, bytes] = {}
    for match in _SCAN.finditer(buffer, start, end):
        name, value, blank = match.groups()
        if name is not None:
            name = name.lower()
            if name not in fields:
                if b"\n" in value:  # unfold: a line break before a space or tab is no content
                    value = value.replace(b"\r\n", b"").replace(b"\n", b"")
                fields[name] = value.strip()
        elif blank is not None:
            return fields, match.start() + 1, False
        elif separator is not None and separator.match(buffer, match.start() + 1):
            return fields, match.start() + 1, True
    return fields, end, False


def _dedent(block: bytes) -> bytes:
    """Remove the indentation of the first line from every line that carries it."""
    lines = block.split(b"\n")
    first = lines[1]
    prefix = first[: len(first) - len(first.lstrip(b" \t"))]
    return b"\n".join(line[len(prefix) :] if line.startswith(prefix) else line for line in lines)


# --- addresses -----------------------------------------------------------------------------


def parse_addresses(value: bytes, repairs: list[str], field: str) -> tuple[Address, ...]:
    """The addresses of one address-list field; things that are not addresses are dropped."""
    if not value:
        return ()
    addresses, notes, dropped = _address_list(value)
    if notes:
        repairs.extend(notes)
    if dropped:
        repairs.append(f"dropped non-address in {field}")
    return addresses


# Mailboxes are dominated by a few thousand correspondents, lists and teams: the same From,
# To and Cc values recur from message to message, so each distinct value is parsed once.
@lru_cache(maxsize=16384)
def _address_list(value: bytes) -> tuple[tuple[Address, ...], tuple[str, ...], bool]:
    """(addresses, repairs, whether something that is not an address was dropped)."""
    notes: list[str] = []
    text = value.decode("latin-1")  # one char per byte: ASCII reads the same
    found: dict[str, Address] = {}
    for item in _LIST_ITEM.findall(text):
        if item[4]:  # not one of the usual shapes: the careful path, from the start
            notes.clear()
            found.clear()
            break
        address, item_notes = _list_item(item)
        if address.email not in found:
            found[address.email] = address
            if item_notes:
                notes.extend(item_notes)
    else:
        return tuple(found.values()), tuple(notes), False
    if not any(c in text for c in '"(<:;'):  # a bare list with odd quoting
        pairs = [(_clean_email(part), part) for part in text.split(",")]
    else:
        pairs = [_parse_element(e) for e in _joined_elements(_ELEMENT.findall(text))]
    dropped = False
    for email, name in pairs:
        if not email:
            dropped = dropped or bool(name.strip())
        elif email not in found:
            if not email.isascii():
                email = _redecoded(email, notes)
            found[email] = Address(email, _display_name(name, email, notes))
    return tuple(found.values()), tuple(notes), dropped


@lru_cache(maxsize=16384)
def _list_item(item: tuple[str, str, str, str, str]) -> tuple[Address, tuple[str, ...]]:
    """One well-formed item, `"Name" <a@b>`, `Name <a@b>` or `a@b`; people recur across lists."""
    quoted, plain, angled, bare, _ = item
    if bare:
        return Address(bare.lower()), ()
    email = angled.lower()
    name = quoted or plain.strip()
    if not name:
        return Address(email), ()
    notes: list[str] = []
    return Address(email, _display_name(name, email, notes)), tuple(notes)


def _joined_elements(elements: list[str]) -> list[str]:
    """Join `Smith, John <j@x>` back into one element: an unquoted comma in a name."""
    joined: list[str] = []
    pending: list[str] = []
    for element in elements:
        stripped = element.strip()
        if stripped and not any(c in stripped for c in '@<:;"'):
            pending.append(stripped)
            continue
        lt = stripped.find("<")
        if pending and lt >= 0 and not stripped[:lt].lstrip().startswith('"'):
            element = ", ".join([*pending, stripped])
        pending = []
        joined.append(element)
    joined.extend(pending)
    return joined


def _parse_element(element: str) -> tuple[str, str]:
    """(email, raw name) of one list element; email "" when it holds no address."""
    lt = element.rfind("<")
    if lt >= 0:
        gt = element.find(">", lt)
        addr = element[lt + 1 : gt if gt > 0 else len(element)]
        if ":" in addr:  # obsolete route: <@relay1,@relay2:user@host>
            addr = addr.rsplit(":", 1)[1]
        name = _strip_group(element[:lt]).strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = _QUOTED_PAIR.sub(r"\1", name[1:-1])
    else:
        comments = [c.strip("() ") for c in _COMMENT.findall(element)]
        addr = _strip_group(_COMMENT.sub(" ", element))
        name = " ".join(c for c in comments if c)
    email = _clean_email(addr)
    if not email:  # keep some text so that the caller knows something was dropped
        return "", element.strip(" \t;:")
    return email, name.replace('"', "")


def _strip_group(text: str) -> str:
    """Drop a group's display name (`team: a@b, c@d;`) unless the colon sits in quotes."""
    colon = text.find(":")
    if colon >= 0 and text.count('"', 0, colon) % 2 == 0:
        text = text[colon + 1 :]
    return text.replace(";", " ")


def _clean_email(text: str) -> str:
    email = text.strip().strip("'\"`").strip().lower()
    if email.startswith("mailto:"):
        email = email[7:]
    return email if _EMAIL.fullmatch(email) else ""


def _display_name(raw: str, email: str, repairs: list[str]) -> str:
    name, notes = _decoded_name(raw)
    if notes:
        repairs.extend(notes)
    return "" if name.lower() == email else name


@lru_cache(maxsize=16384)
def _decoded_name(raw: str) -> tuple[str, tuple[str, ...]]:
    """A display name decoded (encoded-words, 8-bit bytes, UTF-7), with the repairs it took."""
    notes: list[str] = []
    name = decode_text(raw, notes) if ("=?" in raw or "+" in raw or not raw.isascii()) else raw
    if "  " in name or "\t" in name or "\n" in name:
        name = _SPACES.sub(" ", name)
    return name.strip(" '"), tuple(notes)


# --- text: encoded-words, 8-bit bytes, UTF-7 -----------------------------------------------


def decode_text(text: str, repairs: list[str]) -> str:
    """Decode a header phrase held as one char per byte (latin-1) into real text."""
    if "=?" not in text:
        return _decode_plain(text, repairs)
    text = _BETWEEN_WORDS.sub(r"\1\2", text)  # space between two encoded-words is not text
    out: list[str] = []
    pos = 0
    for match in _ENCODED_WORD.finditer(text):
        out.append(_decode_plain(text[pos : match.start()], repairs))
        out.append(_encoded_word(match, repairs))
        pos = match.end()
    out.append(_decode_plain(text[pos:], repairs))
    return "".join(out)


def _decode_plain(text: str, repairs: list[str]) -> str:
    if not text.isascii():
        return _redecoded(text, repairs)
    if "+" in text and _BARE_UTF7.search(text):
        return _bare_utf7(text, repairs)
    return text


def _encoded_word(match: re.Match[str], repairs: list[str]) -> str:
    charset, encoding, payload = match.groups()
    charset = charset.split("*", 1)[0].lower()  # RFC 2231 language suffix
    raw = payload.encode("latin-1")
    if not raw.isascii():
        repairs.append("8-bit bytes in encoded-word")
    try:
        if encoding in "Qq":
            octets = binascii.a2b_qp(raw, header=True)
        else:
            octets = binascii.a2b_base64(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        repairs.append("undecodable encoded-word")
        return match.group(0)
    try:
        return octets.decode(charset)
    except (LookupError, ValueError):  # ValueError: a NUL in the name, idna's UnicodeError
        repairs.append(f"bad encoded-word charset {charset[:20]}")
        return _redecoded(octets.decode("latin-1"), repairs)


def _redecoded(text: str, repairs: list[str]) -> str:
    """Raw 8-bit bytes (held as latin-1 chars): UTF-8 if they are, else Windows-1252."""
    octets = text.encode("latin-1")
    try:
        return octets.decode("utf-8")
    except UnicodeDecodeError:
        repairs.append("8-bit header bytes read as cp1252")
        return "".join(_cp1252_char(byte) for byte in octets)


def _cp1252_char(byte: int) -> str:
    try:
        return bytes((byte,)).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return chr(byte)


def _bare_utf7(text: str, repairs: list[str]) -> str:
    """Old Netscape wrote UTF-7 straight into headers (`M+APw-ller`); decode only if it fits."""
    try:
        decoded = text.encode("ascii").decode("utf-7")
    except UnicodeDecodeError:
        return text
    if not decoded.isascii() and all(c.isalpha() for c in decoded if not c.isascii()):
        repairs.append("UTF-7 display name")
        return decoded
    return text


# --- dates and message ids -----------------------------------------------------------------


def parse_date(text: str, repairs: list[str]) -> datetime | None:
    """An aware datetime from a Date header, repairing what can be repaired; None if unreadable."""
    match = _COMMON_DATE.match(text)
    if match is not None:
        when = _common_date(match)
        if when is not None:
            return when
    opening = text.find("(")
    if opening >= 0 and ")" not in text[opening:]:
        repairs.append("unclosed comment in Date")
    when = _lenient_date(_COMMENT.sub(" ", text).strip(), repairs)
    if when is not None and when.tzinfo is None:
        repairs.append("Date without time zone, UTC assumed")
        when = when.replace(tzinfo=UTC)
    return when


def _common_date(match: re.Match[str]) -> datetime | None:
    day, month_name, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    month = _MONTHS.get(month_name.lower())
    offset = int(zone_hours) * 60 + int(zone_minutes)
    if month is None or (sign == "-" and offset == 0):  # "-0000" means: zone unknown
        return None
    offset = -offset if sign == "-" else offset
    zone = _ZONES.get(offset) or _ZONES.setdefault(offset, timezone(timedelta(minutes=offset)))
    try:
        return datetime(
            int(year), month, int(day), int(hour), int(minute), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None


def _lenient_date(text: str, repairs: list[str]) -> datetime | None:
    if _ISO_DATE.match(text):
        repairs.append("ISO 8601 Date")
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    zone = _ODD_OFFSET.search(text)
    if zone is not None and (":" in zone.group(0) or zone.group(0)[0] not in "+-"):
        # the stdlib reads "+02:00" and "GMT+2" as naive times
        sign, hours, minutes = zone.groups()
        text = f"{text[: zone.start()].rstrip()} {sign}{int(hours):02d}{minutes or '00'}"
        repairs.append("nonstandard zone offset in Date")
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.hour < 12 and _PM.search(text):
        when += timedelta(hours=12)
    return when
