"""Writer of Google Contacts' CSV export (the current format: `E-mail 1 - Label`, ...)."""

from __future__ import annotations

import random
from pathlib import Path

from tiegraph.demo.contacts import ContactEntry
from tiegraph.demo.csvout import LineCountingCsv

FILE_NAME = "contacts.csv"
HEADER = (
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
    "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Website 1 - Label",
    "Website 1 - Value",
)  # fmt: skip
_LABELS = ("* myContacts", "* myContacts", "* myContacts", "Clients ::: * myContacts")


def write_google(path: Path, rows: list[ContactEntry], rng: random.Random) -> list[str]:
    """Write the export; return the locator (`line N`) of each row."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = LineCountingCsv(handle, lineterminator="\r\n")
        out.row(HEADER)
        return [out.row(_cells(row, rng)) for row in rows]


def _cells(row: ContactEntry, rng: random.Random) -> list[str]:
    emails = [
        (("* " if n == 0 else "") + label, value) for n, (label, value) in enumerate(row.emails)
    ]
    if len(emails) == 2 and rng.random() < 0.2:
        # Google puts several values of one label in one cell, joined by " ::: ".
        emails = [("* Work", f"{emails[0][1]} ::: {emails[1][1]}")]
    emails += [("", "")] * (2 - len(emails))
    phone = row.phones[0] if row.phones else ("", "")
    website = ("Profile", row.profile_url) if rng.random() < 0.1 else ("", "")
    return [
        row.first_name, "", row.last_name, "", "", "", "", "", row.nickname, "",
        row.company, row.title, "", "", row.notes, "", rng.choice(_LABELS),
        *emails[0], *emails[1], *phone, *website,
    ]  # fmt: skip
