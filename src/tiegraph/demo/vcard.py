"""Writer of vCard 3.0 files as Apple Contacts exports them: folded lines, CRLF, UTF-8."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

from tiegraph.demo.contacts import ContactEntry

FILE_NAME = "contacts.vcf"


def write_vcards(path: Path, rows: list[ContactEntry], rng: random.Random) -> list[str]:
    """Write the cards; return the locator (`card N`, 1-based) of each."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        for row in rows:
            handle.write("".join(fold(line) for line in _card(row, rng)))
    return [f"card {number}" for number in range(1, len(rows) + 1)]


def _card(row: ContactEntry, rng: random.Random) -> list[str]:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//Apple Inc.//macOS 15.1//EN",
        f"N:{escape(row.last_name)};{escape(row.first_name)};;;",
        f"FN:{escape(f'{row.first_name} {row.last_name}'.strip())}",
    ]
    if row.nickname:
        lines.append(f"NICKNAME:{escape(row.nickname)}")
    if row.company:
        lines.append(f"ORG:{escape(row.company)};")
    if row.title:
        lines.append(f"TITLE:{escape(row.title)}")
    for n, (label, address) in enumerate(row.emails):
        kind = "HOME" if label == "Home" else "WORK"
        preferred = ";type=pref" if n == 0 else ""
        lines.append(f"EMAIL;type=INTERNET;type={kind}{preferred}:{address}")
    for label, number in row.phones:
        kind = "CELL;type=VOICE" if label == "Mobile" else "WORK;type=VOICE"
        lines.append(f"TEL;type={kind};type=pref:{number}")
    if rng.random() < 0.15:
        lines += [f"item1.URL;type=pref:{row.profile_url}", "item1.X-ABLabel:_$!<HomePage>!$_"]
    if row.notes:
        lines.append(f"NOTE:{escape(row.notes)}")
    lines.append(f"UID:{uuid.UUID(int=rng.getrandbits(128), version=4)}".upper())
    lines.append("END:VCARD")
    return lines


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line, folded at 75 octets (RFC 6350) without splitting a UTF-8 character."""
    if len(line) <= 75 and (line.isascii() or len(line.encode("utf-8")) <= 75):
        return line + "\r\n"
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts) + "\r\n"
