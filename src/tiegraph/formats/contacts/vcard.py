"""vCard 2.1, 3.0 and 4.0 as phones and mail clients really write them, read at the byte level.

Parsed here rather than with vobject because real cards mix encodings inside one file: a
2.1 card may hold raw Shift_JIS or Windows-1252 bytes under `CHARSET=`, quoted-printable with
soft line breaks, base64 photos without the closing blank line, nested AGENT cards. Reading
bytes property by property lets each value be decoded with its own charset.
"""

from __future__ import annotations

import base64
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tiegraph.formats.records import ContactRecord, RowError
from tiegraph.formats.text import guess_legacy_encoding, utf16_without_bom

__all__ = ["is_vcard", "read_vcards"]

_BEGIN = re.compile(rb"^\s*(?:[\w-]+\.)?(?:AGENT[^:]*:)?\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(rb"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_PROPERTY = re.compile(rb"^[\w.-]+(?:;[^:]*)?:")
_WANTED = {b"N", b"FN", b"NICKNAME", b"EMAIL", b"TEL", b"ORG", b"TITLE", b"URL", b"UID"}


def is_vcard(data: bytes) -> bool:
    head = _as_utf8(data)[:4096].lstrip().upper()
    return head.startswith(b"BEGIN:VCARD") or b"\nBEGIN:VCARD" in head


def _as_utf8(data: bytes) -> bytes:
    """UTF-16/32 files re-encoded as UTF-8 bytes; anything else unchanged (decoded per value)."""
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace").encode("utf-8")
    wide = utf16_without_bom(data)
    if wide:
        return data.decode(wide, errors="replace").encode("utf-8")
    return data.removeprefix(b"\xef\xbb\xbf")


@dataclass
class _Card:
    number: int
    line: int  # where it begins, 1-based
    properties: list[tuple[bytes, dict[bytes, bytes], bytes, int]] = field(default_factory=list)
    damage: str = ""  # why the card cannot be trusted, with its line; "" when whole


class _DamagedValue(ValueError):
    """A value whose encoding is broken: better refused than imported as "Ã=A"."""


_BAD_ESCAPE = re.compile(rb"=(?![0-9A-Fa-f]{2})")


def _logical_lines(data: bytes) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line, dangling) with folding undone: a leading space or tab continues the
    line before it, and so do a quoted-printable soft break (a trailing '=') and a stray line
    that is no property. `dangling`: a soft break was followed by the card's end, so the value
    was cut off (the END line is kept, not swallowed)."""
    pending: bytes | None = None
    start = 0
    for number, raw in enumerate(re.split(rb"\r\n|\r|\n", data), start=1):
        if pending is not None and raw[:1] in (b" ", b"\t"):
            pending += raw[1:]
            continue
        if pending is not None and _soft_break(pending):
            if _END.match(raw) or _BEGIN.match(raw):
                yield start, pending, True
                pending, start = raw, number
                continue
            pending = pending[:-1] + raw
            continue
        if raw.startswith(b"#"):
            continue  # a comment line some phones write; not part of any value
        if pending is not None and raw and not _PROPERTY.match(raw) and not _END.match(raw):
            pending += raw  # an unfolded continuation (multi-line ADR, base64 runs)
            continue
        if pending is not None:
            yield start, pending, False
        pending, start = raw, number
    if pending is not None:
        yield start, pending, False


def _soft_break(line: bytes) -> bool:
    head = line.split(b":", 1)[0].upper()
    return line.endswith(b"=") and (b"QUOTED-PRINTABLE" in head or b"ENCODING=QP" in head)


def _split_property(line: bytes) -> tuple[bytes, dict[bytes, bytes], bytes] | None:
    if b":" not in line:
        return None
    head, value = line.split(b":", 1)
    parts = head.split(b";")
    name = parts[0].rsplit(b".", 1)[-1].strip().upper()  # drop the group ("item1.EMAIL")
    params: dict[bytes, bytes] = {}
    for part in parts[1:]:
        key, _, val = part.partition(b"=")
        if val:
            params[key.strip().upper()] = val.strip().strip(b'"')
        else:
            params.setdefault(b"TYPE", b"")
            params[b"TYPE"] += b"," + key.strip().upper()  # 2.1 bare types: TEL;WORK;VOICE
    return name, params, value


def _cards(data: bytes) -> Iterator[_Card]:
    stack: list[_Card] = []
    count = 0
    for number, line, dangling in _logical_lines(data):
        if _BEGIN.match(line):
            count += 1
            stack.append(_Card(count, number))
        elif _END.match(line):
            if stack:
                yield stack.pop()
        elif stack and line.strip():
            prop = _split_property(line)
            if prop is not None and prop[0] in _WANTED:
                stack[-1].properties.append((*prop, number))
                if dangling and not stack[-1].damage:
                    name = prop[0].decode("ascii", "replace")
                    stack[-1].damage = f"quoted-printable {name} cut off (line {number})"
    cut = not data.rstrip(b" \t\x00\x1a").endswith((b"\n", b"\r"))
    while stack:  # a card never closed still holds what it read, unless cut mid-line
        card = stack.pop()
        if cut and not card.damage:
            card.damage = (
                f"cut off mid-line at the end of the file (card begins on line {card.line})"
            )
        yield card


def _text(value: bytes, params: dict[bytes, bytes], fallback: str) -> str:
    encoding = params.get(b"ENCODING", b"").upper()
    if encoding in (b"QUOTED-PRINTABLE", b"QP"):
        if _BAD_ESCAPE.search(value.rstrip(b"=")):
            raise _DamagedValue("broken quoted-printable")
        value = quopri.decodestring(value)
    elif encoding in (b"B", b"BASE64"):
        try:
            value = base64.b64decode(value, validate=False)
        except ValueError:
            return ""
    charset = params.get(b"CHARSET", b"").decode("ascii", "replace").strip()
    if charset:
        try:
            return value.decode(charset, errors="replace")
        except (LookupError, ValueError):
            pass  # an unknown charset name (or one with a NUL): fall through to the guesses
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode(fallback, errors="replace")


def _components(text: str) -> list[str]:
    """Structured value parts (N, ORG): split on unescaped ';', escapes undone."""
    parts = re.split(r"(?<!\\);", text)
    return [_unescape(p) for p in parts]


def _unescape(text: str) -> str:
    text = re.sub(r"\\[nN]", " ", text)
    return re.sub(r"\\([,;:\\])", r"\1", text).strip()


def _record(card: _Card, file: str, fallback: str) -> ContactRecord | RowError:
    first = last = middle = full = nickname = company = title = url = uid = ""
    emails: list[str] = []
    phones: list[str] = []
    locator = f"card {card.number}"
    if card.damage:
        return RowError(file, locator, card.damage)
    for name, params, raw, line in card.properties:
        try:
            value = _text(raw, params, fallback).strip()
        except _DamagedValue as exc:
            return RowError(
                file, locator, f"{exc} in {name.decode('ascii', 'replace')} (line {line})"
            )
        if not value:
            continue
        if name == b"N" and not (first or last):
            parts = [*_components(value), "", "", ""]
            last, first, middle = parts[0], parts[1], parts[2]
        elif name == b"FN" and not full:
            full = _unescape(value)
        elif name == b"NICKNAME" and not nickname:
            nickname = _unescape(value).split(",")[0].strip()
        elif name == b"EMAIL":
            email = re.sub(r"^mailto:", "", _unescape(value), flags=re.IGNORECASE)
            if "@" in email:
                emails.append(email.strip())
        elif name == b"TEL":
            phones.append(re.sub(r"^tel:", "", _unescape(value), flags=re.IGNORECASE))
        elif name == b"ORG" and not company:
            company = _components(value)[0]
        elif name == b"TITLE" and not title:
            title = _unescape(value)
        elif name == b"URL" and "linkedin.com/" in value.lower() and not url:
            url = _unescape(value)
        elif name == b"UID" and not uid:
            uid = value
    if not (first or last or full or emails or phones):
        return RowError(file, locator, "card has no name, email or phone")
    return ContactRecord(
        source_format="vcard",
        file=file,
        locator=locator,
        first_name=" ".join(first.split()),
        last_name=" ".join(last.split()),
        middle_name=" ".join(middle.split()),
        full_name=" ".join(full.split()),
        nickname=nickname,
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(dict.fromkeys(phones)),
        company=company,
        title=title,
        profile_url=url,
        source_uid=uid or url,
    )


def read_vcards(data: bytes, *, file: str) -> list[ContactRecord | RowError]:
    """Every card of the file, nested ones too, in the order they begin."""
    data = _as_utf8(data)
    try:
        data.decode("utf-8")
        fallback = "cp1252"
    except UnicodeDecodeError:
        fallback = guess_legacy_encoding(data)  # 8-bit values without CHARSET take this
    cards = sorted(_cards(data), key=lambda c: c.number)
    return [_record(card, file, fallback) for card in cards]
